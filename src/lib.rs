// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! Who holds each QEMU IOThread.
//!
//! Devices and block exports that run in an IOThread's AioContext register
//! themselves as *holders* of that IOThread with `iothread_ref()` and leave
//! with `iothread_unref()`; `iothread_get_holders()` lists them for
//! `query-iothreads`, and QEMU refuses to delete an IOThread that still has
//! holders.  Each registration also holds a QOM reference, so a held
//! IOThread cannot be finalized under its users.
//!
//! The crate reads top-down: [`registry`] is the holder list of one
//! IOThread, pure logic; [`table`] shares one registry per IOThread between
//! threads, under a [`lock`]; [`qom`] models a QOM reference; [`critical`]
//! reports misuse the GLib way; `ffi` is the C ABI, the only part QEMU
//! sees.

pub mod critical;
mod ffi;
pub mod lock;
pub mod qom;
pub mod registry;
pub mod table;

pub use ffi::{iothread_get_holders, iothread_ref, iothread_unref};
