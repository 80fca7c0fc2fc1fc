// SPDX-License-Identifier: GPL-2.0-or-later

//! Who holds each QEMU `IOThread`.
//!
//! Devices and block exports register as *holders* of an `IOThread` with
//! `iothread_ref()`, leave with `iothread_unref()`, and are listed by
//! `iothread_get_holders()`.  Each registration holds a QOM reference, so a
//! held `IOThread` cannot be finalized under its users.
//!
//! Top-down: `registry` is one `IOThread`'s holder list, pure logic; `table`
//! keeps one per `IOThread` behind a `lock`; `qom` is a QOM reference; `log`
//! reports misuse the `GLib` way; `panic` keeps panics out of C; `ffi` is the
//! C ABI.

mod ffi;
mod lock;
mod log;
mod panic;
mod qom;
mod registry;
mod table;

pub use ffi::{iothread_get_holders, iothread_ref, iothread_unref};
pub use qom::IOThread;
