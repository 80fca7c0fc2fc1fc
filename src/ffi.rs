// SPDX-License-Identifier: GPL-2.0-or-later

//! The C ABI: check arguments, convert, call the table, convert back.
//!
//! QEMU's `include/system/iothread.h` declares the three functions, with
//! the same signatures.

use std::{
    ffi::{c_char, CStr},
    ptr::NonNull,
};

use crate::{
    log::{not_registered, precondition_failed},
    panic::{boundary, Fallback},
    qom::{IOThread, IOThreadRef},
    table::HolderTable,
};

static HOLDERS: HolderTable<IOThreadRef> = HolderTable::new();

/// Runs the body of the exported function `$function` in the panic
/// boundary; `return_if_fail!` in it names the function.
macro_rules! exported {
    ($function:ident, $body:block) => {{
        const FUNCTION: &CStr =
            match CStr::from_bytes_with_nul(concat!(stringify!($function), "\0").as_bytes()) {
                Ok(name) => name,
                Err(_) => panic!("a function name has no NUL"),
            };
        boundary(FUNCTION, || $body)
    }};
}

/// `g_return_val_if_fail()` with a false condition: logs the C expression
/// that does not hold and returns the function's fallback.
macro_rules! return_if_fail {
    ($expression:literal) => {{
        precondition_failed(FUNCTION, $expression);
        return Fallback::fallback();
    }};
}

/// The `IOThread`'s address, which the table keys by.
fn key(iothread: NonNull<IOThread>) -> usize {
    iothread.as_ptr() as usize
}

/// The bytes of `holder`, or `None` for NULL or an empty string.
///
/// # Safety
/// `holder` is NULL or a NUL-terminated string.
unsafe fn holder_bytes<'a>(holder: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: NUL-terminated by the caller's guarantee, when not NULL.
    let bytes = unsafe {
        holder
            .as_ref()
            .map(|first| CStr::from_ptr(first).to_bytes())?
    };
    (!bytes.is_empty()).then_some(bytes)
}

/// Records that `holder` uses `iothread`, and takes one QOM reference on
/// `iothread` for as long as that registration lasts.
///
/// `holder` is copied.  A holder may be registered several times; each
/// registration is listed and needs its own `iothread_unref()`.  A NULL
/// `iothread`, or a NULL or empty `holder`, is logged at CRITICAL level and
/// changes nothing.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `holder` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_ref(iothread: *mut IOThread, holder: *const c_char) {
    exported!(iothread_ref, {
        let Some(iothread) = NonNull::new(iothread) else {
            return_if_fail!(c"iothread != NULL")
        };
        // SAFETY: relayed from this function's contract.
        let Some(holder) = (unsafe { holder_bytes(holder) }) else {
            return_if_fail!(c"holder != NULL && *holder")
        };
        // SAFETY: a live IOThread by this function's contract.
        let reference = unsafe { IOThreadRef::new(iothread) };
        HOLDERS.register(key(iothread), holder, reference);
    });
}

/// Removes the newest registration of `holder` (compared byte-wise) from
/// `iothread` and drops the QOM reference it held.
///
/// A NULL `iothread`, a NULL or empty `holder`, or a `holder` with no
/// registration on `iothread` is logged at CRITICAL level and changes
/// nothing.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `holder` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_unref(iothread: *mut IOThread, holder: *const c_char) {
    exported!(iothread_unref, {
        let Some(iothread) = NonNull::new(iothread) else {
            return_if_fail!(c"iothread != NULL")
        };
        // SAFETY: relayed from this function's contract.
        let Some(name) = (unsafe { holder_bytes(holder) }) else {
            return_if_fail!(c"holder != NULL && *holder")
        };
        // The reference is dropped, and object_unref() called, after the
        // table is unlocked: the last reference finalizes the IOThread.
        if HOLDERS.unregister(key(iothread), name).is_none() {
            // SAFETY: `holder` is a C string, checked above.
            unsafe {
                not_registered(FUNCTION, holder, iothread.as_ptr().cast());
            }
        }
    });
}

/// Returns the holders of `iothread`, one entry per registration, oldest
/// first, as a new NULL-terminated array to free with `g_strfreev()`.
///
/// An `IOThread` without holders gives an empty array.  A NULL `iothread` is
/// logged at CRITICAL level and gives NULL.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`.
#[no_mangle]
pub unsafe extern "C" fn iothread_get_holders(iothread: *mut IOThread) -> *mut *mut c_char {
    exported!(iothread_get_holders, {
        let Some(iothread) = NonNull::new(iothread) else {
            return_if_fail!(c"iothread != NULL")
        };
        HOLDERS.with_holders(key(iothread), new_strv)
    })
}

/// Copies `strings` into a NULL-terminated array allocated with `GLib`.
fn new_strv(strings: &mut dyn ExactSizeIterator<Item = &[u8]>) -> *mut *mut c_char {
    let len = strings.len();
    // SAFETY: g_malloc0_n() checks the multiplication and aborts rather
    // than return NULL; zeroed, the array is already terminated.
    let strv: *mut *mut c_char =
        unsafe { glib_sys::g_malloc0_n(len + 1, size_of::<*mut c_char>()) }.cast();
    for (slot, string) in strings.take(len).enumerate() {
        // SAFETY: `slot < len`; g_strndup() copies the bytes (none is NUL:
        // each came from a C string) and adds the terminator.
        unsafe {
            strv.add(slot)
                .write(glib_sys::g_strndup(string.as_ptr().cast(), string.len()));
        }
    }
    strv
}
