// SPDX-License-Identifier: GPL-2.0-or-later

//! Who holds each QEMU `IOThread`.
//!
//! A *holder* is a user of an `IOThread`: a device, a block export, a block
//! node.  It registers with `iothread_add_holder()`, leaves with
//! `iothread_remove_holder()`, and is listed by `iothread_foreach_holder()`;
//! `iothread_ref()` and `iothread_unref()` do the same for a QOM object.
//! Each registration holds a QOM reference, so a held `IOThread` cannot be
//! finalized under its users.  Every function is global state code, under
//! the BQL, and a programming error stops the process.
//!
//! Top-down: `registry` is one `IOThread`'s holders, pure logic; `table`
//! keeps one per `IOThread` in QEMU's BQL-protected cell; `ffi` is the C
//! ABI.  QEMU's `bql` and `qom` crates provide the BQL and QOM references.

mod ffi;
mod registry;
mod table;

pub use ffi::{
    iothread_add_holder, iothread_foreach_holder, iothread_ref, iothread_remove_holder,
    iothread_unref, IOThread,
};
