// SPDX-License-Identifier: GPL-2.0-or-later

//! The C ABI: check the arguments and the BQL, then call the table.
//!
//! QEMU declares these functions in `include/system/iothread.h`
//! (`iothread_ref()`, `iothread_unref()`) and
//! `include/system/iothread-holders.h` (the others), with the QAPI enum
//! `IOThreadHolderType` where this header has `unsigned int`: the same
//! type to C compilers, as an enum with no negative value is.
//!
//! A programming error stops QEMU, as QEMU's assertions do: the function
//! panics with a message that starts with its name, and a panic cannot
//! leave an `extern "C"` function, so the process aborts.

use std::{
    borrow::Cow,
    ffi::{c_char, c_uint, c_void, CStr},
    marker::{PhantomData, PhantomPinned},
    ptr,
};

use qom::{bindings::object_get_canonical_path_component, Object, ObjectType, Owned};

use crate::table::{HolderTable, IOThreadKey};

/// QEMU's `IOThread`, opaque here: a QOM object, only ever passed to QOM.
pub struct IOThread {
    _opaque: [u8; 0],
    // Neither Send, Sync nor Unpin: QEMU's object, reached by pointer.
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `IO_THREAD_HOLDER_TYPE_QOM_OBJECT`, the first value of QEMU's QAPI enum
/// `IOThreadHolderType`: the type of the holders that `iothread_ref()` adds.
/// The only holder type this crate names; it passes the others through.
const IO_THREAD_HOLDER_TYPE_QOM_OBJECT: c_uint = 0;

/// Every registration pins its `IOThread` with a QOM reference.
static HOLDERS: HolderTable<Owned<Object>> = HolderTable::new();

/// `iothread` as a QOM object, or `None` if NULL.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`.
unsafe fn as_object<'a>(iothread: *mut IOThread) -> Option<&'a Object> {
    // SAFETY: an IOThread is a QOM object, by the caller's guarantee.
    unsafe { iothread.cast::<Object>().as_ref() }
}

/// The string at `name`, or `None` if NULL.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
unsafe fn as_cstr<'a>(name: *const c_char) -> Option<&'a CStr> {
    // SAFETY: NUL-terminated, by the caller's guarantee.
    unsafe { name.as_ref().map(|first| CStr::from_ptr(first)) }
}

fn key(iothread: &Object) -> IOThreadKey {
    ptr::from_ref(iothread) as IOThreadKey
}

/// The `IOThread`'s id, as QOM names it, for messages.
fn iothread_name(iothread: &Object) -> Cow<'_, str> {
    // SAFETY: a live QOM object; the string returned belongs to it.
    let component = unsafe {
        as_cstr(object_get_canonical_path_component(
            iothread.as_object_ptr(),
        ))
    };
    component.map_or(Cow::Borrowed("(unnamed)"), CStr::to_string_lossy)
}

/// Stops the process if the caller does not hold the BQL.
fn check_bql(func: &str, iothread: &Object) {
    if !bql::is_locked() {
        panic!(
            "{func}: IOThread '{}' used without the BQL",
            iothread_name(iothread)
        );
    }
}

/// Checks the arguments of `func` and the BQL, and stops the process on a
/// programming error; returns the `IOThread` as a QOM object and the name.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `name` is NULL or a
/// NUL-terminated string.
unsafe fn check<'a>(
    func: &str,
    iothread: *mut IOThread,
    name: *const c_char,
) -> (&'a Object, &'a CStr) {
    // SAFETY: relayed from this function's contract.
    let (iothread, name) = unsafe { (as_object(iothread), as_cstr(name)) };
    let Some(iothread) = iothread else {
        let name = name.map_or(Cow::Borrowed("(null)"), CStr::to_string_lossy);
        panic!("{func}: NULL IOThread (holder '{name}')");
    };
    let Some(name) = name.filter(|name| !name.is_empty()) else {
        panic!(
            "{func}: no holder name for IOThread '{}'",
            iothread_name(iothread)
        );
    };
    check_bql(func, iothread);
    (iothread, name)
}

/// # Safety
/// As `iothread_add_holder()`.
unsafe fn add(func: &str, iothread: *mut IOThread, holder_type: c_uint, name: *const c_char) {
    // SAFETY: relayed from this function's contract.
    let (iothread, name) = unsafe { check(func, iothread, name) };
    // SAFETY: an IOThread is a QOM object of its own, never embedded.
    let pin = unsafe { Owned::from(iothread) };
    HOLDERS.add(key(iothread), holder_type, name, pin);
}

/// # Safety
/// As `iothread_remove_holder()`.
unsafe fn remove(func: &str, iothread: *mut IOThread, holder_type: c_uint, name: *const c_char) {
    // SAFETY: relayed from this function's contract.
    let (iothread, name) = unsafe { check(func, iothread, name) };
    let Some(pin) = HOLDERS.remove(key(iothread), holder_type, name) else {
        panic!(
            "{func}: '{}' is not a holder of IOThread '{}'",
            name.to_string_lossy(),
            iothread_name(iothread)
        );
    };
    // The table is no longer borrowed: dropping the last reference
    // finalizes the IOThread, which must find QEMU's state usable.
    drop(pin);
}

/// Registers the holder `(holder_type, name)` of `iothread`, and takes a
/// QOM reference on `iothread` for as long as that registration lasts.
///
/// `holder_type` is a value of QEMU's QAPI enum `IOThreadHolderType`,
/// passed through; `name` is copied.  A holder may be registered several
/// times: it is listed each time, and each registration needs its own
/// `iothread_remove_holder()`.
///
/// Global state code: the caller holds the BQL.  A NULL `iothread`, a NULL
/// or empty `name`, or a call without the BQL stops the process with a
/// message.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `name` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_add_holder(
    iothread: *mut IOThread,
    holder_type: c_uint,
    name: *const c_char,
) {
    // SAFETY: relayed from this function's contract.
    unsafe { add("iothread_add_holder", iothread, holder_type, name) }
}

/// Removes the newest registration of the holder `(holder_type, name)`
/// (the name compared byte-wise) from `iothread` and drops the QOM
/// reference it held, which may finalize `iothread`.
///
/// Global state code: the caller holds the BQL.  A NULL `iothread`, a NULL
/// or empty `name`, a holder that is not registered, or a call without the
/// BQL stops the process with a message.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `name` is NULL or a
/// NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn iothread_remove_holder(
    iothread: *mut IOThread,
    holder_type: c_uint,
    name: *const c_char,
) {
    // SAFETY: relayed from this function's contract.
    unsafe { remove("iothread_remove_holder", iothread, holder_type, name) }
}

/// `iothread_add_holder()` of a QOM object, named by its canonical path:
/// the holder type `IO_THREAD_HOLDER_TYPE_QOM_OBJECT`.
///
/// # Safety
/// As `iothread_add_holder()`.
#[no_mangle]
pub unsafe extern "C" fn iothread_ref(iothread: *mut IOThread, holder: *const c_char) {
    // SAFETY: relayed from this function's contract.
    unsafe {
        add(
            "iothread_ref",
            iothread,
            IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
            holder,
        )
    }
}

/// `iothread_remove_holder()` of a QOM object, named by its canonical path:
/// the holder type `IO_THREAD_HOLDER_TYPE_QOM_OBJECT`.
///
/// # Safety
/// As `iothread_remove_holder()`.
#[no_mangle]
pub unsafe extern "C" fn iothread_unref(iothread: *mut IOThread, holder: *const c_char) {
    // SAFETY: relayed from this function's contract.
    unsafe {
        remove(
            "iothread_unref",
            iothread,
            IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
            holder,
        )
    }
}

/// Calls `func(holder_type, name, opaque)` for each registration of a
/// holder on `iothread`, oldest first.
///
/// `name` is valid only during the call.  `func` must not call the holder
/// functions: that stops the process.
///
/// Global state code: the caller holds the BQL.  A NULL `iothread` or
/// `func`, or a call without the BQL, stops the process with a message.
///
/// # Safety
/// `iothread` is NULL or a live `IOThread`; `func` is NULL or a function
/// that may be called with `opaque`.
#[no_mangle]
pub unsafe extern "C" fn iothread_foreach_holder(
    iothread: *mut IOThread,
    func: Option<
        unsafe extern "C" fn(holder_type: c_uint, name: *const c_char, opaque: *mut c_void),
    >,
    opaque: *mut c_void,
) {
    const FUNC: &str = "iothread_foreach_holder";
    // SAFETY: relayed from this function's contract.
    let Some(iothread) = (unsafe { as_object(iothread) }) else {
        panic!("{FUNC}: NULL IOThread");
    };
    let Some(func) = func else {
        panic!(
            "{FUNC}: no function for IOThread '{}'",
            iothread_name(iothread)
        );
    };
    check_bql(FUNC, iothread);
    HOLDERS.for_each(key(iothread), |holder_type, name| {
        // SAFETY: `func` may be called with `opaque`, by this function's
        // contract; `name` lives until the table is no longer borrowed.
        unsafe { func(holder_type, name.as_ptr(), opaque) }
    });
}
