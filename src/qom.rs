// SPDX-License-Identifier: GPL-2.0-or-later

//! QOM references on an `IOThread`.
//!
//! The library never looks inside an `IOThread`: it only passes the pointer to
//! QEMU's `object_ref()` and `object_unref()`, which it declares and the
//! program that links it defines.

use std::{ffi::c_void, marker::PhantomData, ptr::NonNull};

/// QEMU's `IOThread`, opaque to this library.
pub struct IOThread {
    _opaque: [u8; 0],
    // Neither Send, Sync nor Unpin: QEMU's object, reached by pointer.
    _marker: PhantomData<(*mut u8, std::marker::PhantomPinned)>,
}

extern "C" {
    fn object_ref(obj: *mut c_void) -> *mut c_void;
    fn object_unref(obj: *mut c_void);
}

/// One QOM reference on an `IOThread`, dropped with the value; each
/// registration owns one, so the `IOThread` and its `AioContext` live as long.
///
/// Dropping the last reference finalizes the `IOThread`: its thread stops and
/// its `AioContext` is freed.  QEMU requires the BQL for that, and calls
/// `iothread_unref()` under the BQL; the library cannot see the BQL, so it
/// only drops references outside its own lock.
pub struct IOThreadRef(NonNull<IOThread>);

// SAFETY: QOM reference counting is atomic, and the IOThread is never
// accessed through the handle; which thread may drop the last reference
// is QEMU's rule (the BQL holder, see above), kept by QEMU's callers.
unsafe impl Send for IOThreadRef {}

impl IOThreadRef {
    /// Takes a reference on `iothread`.
    ///
    /// # Safety
    /// `iothread` points to a live `IOThread`.
    pub unsafe fn new(iothread: NonNull<IOThread>) -> Self {
        // SAFETY: a live QOM object, by the caller's guarantee;
        // object_ref() only increments its reference count.
        unsafe {
            object_ref(iothread.as_ptr().cast());
        }
        Self(iothread)
    }
}

impl Drop for IOThreadRef {
    fn drop(&mut self) {
        // SAFETY: `new` took this reference, and it is dropped only here.
        unsafe { object_unref(self.0.as_ptr().cast()) }
    }
}
