// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! The C ABI: check arguments, convert, call the table, convert back.
//!
//! The first two declarations are those of QEMU's
//! `include/system/iothread.h`; they must not change.

use std::{
    ffi::{c_char, CStr},
    ptr,
};

use foreign_types::ForeignTypeRef;

use crate::{
    critical::{critical, describe_holder, panic_boundary, precondition_failed},
    qom::{IOThread, IOThreadPin, IOThreadPinRef},
    table::{HolderTable, IOThreadKey},
};

static HOLDERS: HolderTable<IOThreadPin> = HolderTable::new();

/// Logs a failed precondition, named by the C expression the caller
/// violated, and returns `$fallback` from the enclosing closure, like
/// `g_return_val_if_fail()`.
macro_rules! require {
    ($function:literal, $condition:expr, $c_expression:literal) => {
        require!($function, $condition, $c_expression, ())
    };
    ($function:literal, $condition:expr, $c_expression:literal, $fallback:expr) => {
        if !$condition {
            precondition_failed($function, $c_expression);
            return $fallback;
        }
    };
}

fn key(iothread: *const IOThread) -> IOThreadKey {
    iothread as IOThreadKey
}

/// The bytes of `holder`, or `None` for NULL or an empty string.
///
/// # Safety
/// `holder` is NULL or points to a NUL-terminated string.
unsafe fn holder_bytes<'a>(holder: *const c_char) -> Option<&'a [u8]> {
    if holder.is_null() {
        return None;
    }
    // SAFETY: non-NULL here, NUL-terminated by the caller's guarantee.
    let bytes = unsafe { CStr::from_ptr(holder) }.to_bytes();
    (!bytes.is_empty()).then_some(bytes)
}

/// Records that `holder` uses `iothread`, and takes one QOM reference on
/// `iothread` for as long as that registration lasts.
///
/// `holder` is copied: the caller keeps ownership of the string.  The same
/// holder may be registered several times; each registration is listed and
/// needs its own `iothread_unref()`.  A NULL `iothread`, or a NULL or empty
/// `holder`, is logged at CRITICAL level and changes nothing.
///
/// # Safety
/// `iothread` is NULL or a live IOThread; `holder` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_ref(iothread: *mut IOThread, holder: *const c_char) {
    panic_boundary(c"iothread_ref", (), || {
        require!(c"iothread_ref", !iothread.is_null(), c"iothread != NULL");
        // SAFETY: relayed from this function's contract.
        let holder = unsafe { holder_bytes(holder) };
        require!(
            c"iothread_ref",
            holder.is_some(),
            c"holder != NULL && *holder"
        );
        let holder = holder.unwrap_or_default();
        // SAFETY: non-NULL and live by this function's contract; the
        // borrowed handle does not outlive this call.
        let iothread = unsafe { IOThreadPinRef::from_ptr(iothread) };
        HOLDERS.register(key(iothread.as_ptr()), holder, iothread.to_owned());
    });
}

/// Removes one registration of `holder` (compared byte-wise) from
/// `iothread` and drops the QOM reference it held.
///
/// When `holder` is registered several times, its newest registration is
/// removed.  A NULL `iothread`, a NULL or empty `holder`, or a `holder`
/// with no outstanding registration on `iothread` is logged at CRITICAL
/// level and changes nothing.
///
/// # Safety
/// `iothread` is NULL or a live IOThread; `holder` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_unref(iothread: *mut IOThread, holder: *const c_char) {
    panic_boundary(c"iothread_unref", (), || {
        require!(c"iothread_unref", !iothread.is_null(), c"iothread != NULL");
        // SAFETY: relayed from this function's contract.
        let holder = unsafe { holder_bytes(holder) };
        require!(
            c"iothread_unref",
            holder.is_some(),
            c"holder != NULL && *holder"
        );
        let holder = holder.unwrap_or_default();
        // The pin is dropped, and object_unref() called, only once the
        // table is unlocked: the last reference finalizes the IOThread.
        let pin = HOLDERS.unregister(key(iothread), holder);
        if pin.is_none() {
            critical(&format!(
                "iothread_unref: holder '{}' is not registered on IOThread {iothread:p}",
                describe_holder(holder)
            ));
        }
    });
}

/// Returns the holders of `iothread`, one entry per outstanding
/// registration, oldest first, as a new NULL-terminated array.
///
/// Free the result with `g_strfreev()`.  An IOThread without holders gives
/// an empty array.  A NULL `iothread` is logged at CRITICAL level and gives
/// NULL.
///
/// # Safety
/// `iothread` is NULL or a live IOThread.
#[no_mangle]
pub unsafe extern "C" fn iothread_get_holders(iothread: *mut IOThread) -> *mut *mut c_char {
    panic_boundary(c"iothread_get_holders", ptr::null_mut(), || {
        require!(
            c"iothread_get_holders",
            !iothread.is_null(),
            c"iothread != NULL",
            ptr::null_mut()
        );
        HOLDERS.with_holders(key(iothread), new_strv)
    })
}

/// Copies `strings` into a NULL-terminated array allocated with GLib, so
/// that C frees it with `g_strfreev()`.
fn new_strv(strings: &mut dyn ExactSizeIterator<Item = &[u8]>) -> *mut *mut c_char {
    let slots = strings.len() + 1;
    // SAFETY: g_malloc_n() checks the multiplication for overflow and
    // aborts rather than returning NULL.
    let strv: *mut *mut c_char =
        unsafe { glib_sys::g_malloc_n(slots, size_of::<*mut c_char>()) }.cast();
    let mut filled = 0;
    for string in strings.take(slots - 1) {
        // SAFETY: g_malloc() aborts rather than returning NULL, so `copy`
        // has room for the string's bytes (none of them NUL: each came from
        // a C string) and the terminator written after them; `filled <
        // slots - 1`, so the slot written is inside the array.
        unsafe {
            let copy: *mut c_char = glib_sys::g_malloc(string.len() + 1).cast();
            ptr::copy_nonoverlapping(string.as_ptr().cast(), copy, string.len());
            copy.add(string.len()).write(0);
            strv.add(filled).write(copy);
        }
        filled += 1;
    }
    // SAFETY: `filled <= slots - 1`: the terminator fits.
    unsafe { strv.add(filled).write(ptr::null_mut()) };
    strv
}
