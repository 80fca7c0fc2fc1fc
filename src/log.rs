// SPDX-License-Identifier: GPL-2.0-or-later

//! Reporting misuse the way a `GLib`-based C library does.
//!
//! A bad argument or an unbalanced unref is a bug in the caller, but the
//! caller is a hypervisor with a guest running: it is logged at CRITICAL
//! level in the `iothread` domain, as `g_return_if_fail()` would, and the
//! call changes nothing.  Whether a CRITICAL aborts is the embedder's
//! choice (`G_DEBUG=fatal-criticals`).  QEMU's C twin logs the same.

use std::ffi::{c_char, c_void, CStr, CString};

const LOG_DOMAIN: &CStr = c"iothread";

/// Logs `function: assertion 'expression' failed`.
pub fn precondition_failed(function: &CStr, expression: &CStr) {
    // SAFETY: three C strings that outlive the call.
    unsafe {
        glib_sys::g_return_if_fail_warning(
            LOG_DOMAIN.as_ptr(),
            function.as_ptr(),
            expression.as_ptr(),
        );
    }
}

/// Logs that `holder` has no registration on `iothread`, escaped by
/// `g_strescape()` as C code shows it.
///
/// # Safety
/// `holder` is a NUL-terminated string.
pub unsafe fn not_registered(function: &CStr, holder: *const c_char, iothread: *const c_void) {
    // SAFETY: `holder` is a C string; the format takes exactly the three
    // arguments that follow, of the types it names; g_strescape()
    // returns a new string, freed here.
    unsafe {
        let escaped = glib_sys::g_strescape(holder, std::ptr::null());
        glib_sys::g_log(
            LOG_DOMAIN.as_ptr(),
            glib_sys::G_LOG_LEVEL_CRITICAL,
            c"%s: holder '%s' is not registered on IOThread %p".as_ptr(),
            function.as_ptr(),
            escaped,
            iothread,
        );
        glib_sys::g_free(escaped.cast());
    }
}

/// Logs that `function` failed inside: a bug of this library.
pub fn internal_error(function: &CStr, reason: &str) {
    let reason = CString::new(reason.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: the format takes exactly the two C strings that follow.
    unsafe {
        glib_sys::g_log(
            LOG_DOMAIN.as_ptr(),
            glib_sys::G_LOG_LEVEL_CRITICAL,
            c"%s: internal error: %s".as_ptr(),
            function.as_ptr(),
            reason.as_ptr(),
        );
    }
}
