// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! QOM references on an IOThread, as an owned handle.
//!
//! The library never looks inside an IOThread: it only passes the pointer to
//! QEMU's `object_ref()` and `object_unref()`, which QEMU defines and the
//! library merely declares (tests link fakes).  [`IOThreadPin`] is one such
//! reference: cloning it calls `object_ref()`, dropping it calls
//! `object_unref()`, so a registration that owns a pin keeps the IOThread,
//! and its AioContext, alive for exactly as long as the registration exists.

use std::ffi::c_void;

use foreign_types::foreign_type;

/// QEMU's IOThread, opaque to this library.
pub struct IOThread {
    _opaque: [u8; 0],
}

extern "C" {
    fn object_ref(obj: *mut c_void) -> *mut c_void;
    fn object_unref(obj: *mut c_void);
}

/// # Safety
/// `iothread` must point to a live QOM object.
unsafe fn take_reference(iothread: *mut IOThread) -> *mut IOThread {
    // SAFETY: the caller guarantees a live QOM object; object_ref() only
    // increments its reference count atomically.
    unsafe { object_ref(iothread.cast()) };
    iothread
}

/// # Safety
/// `iothread` must point to a QOM object on which the caller owns a
/// reference, which this call gives up.
unsafe fn drop_reference(iothread: *mut IOThread) {
    // SAFETY: relayed to the caller, who owns the reference dropped here.
    unsafe { object_unref(iothread.cast()) }
}

foreign_type! {
    /// One QOM reference on an IOThread.
    ///
    /// # Safety
    /// QOM reference counting is atomic, and a reference may be taken or
    /// dropped from any thread, so the handle is `Send` and `Sync`.
    pub unsafe type IOThreadPin: Send + Sync {
        type CType = IOThread;
        fn drop = drop_reference;
        fn clone = take_reference;
    }
}
