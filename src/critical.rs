// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (c) the iothread-holders authors

//! Reporting misuse the way a GLib-based C library does.
//!
//! A bad argument or an unbalanced unref is a programming error in the
//! caller, but the caller is a hypervisor with a guest running: it is
//! logged at CRITICAL level, exactly as `g_return_if_fail()` would, and the
//! call returns having changed nothing.  Whether a CRITICAL aborts is then
//! the embedder's choice (`G_DEBUG=fatal-criticals`), not ours.

use std::ffi::{CStr, CString};

/// The GLib log domain of every message of this library.
pub const LOG_DOMAIN: &CStr = c"iothread";

/// Logs `function: assertion 'expression' failed`, as a failed
/// `g_return_if_fail(expression)` in `function` would.
pub fn precondition_failed(function: &CStr, expression: &CStr) {
    // SAFETY: all three are valid NUL-terminated strings that outlive the
    // call; GLib copies what it keeps.
    unsafe {
        glib_sys::g_return_if_fail_warning(
            LOG_DOMAIN.as_ptr(),
            function.as_ptr(),
            expression.as_ptr(),
        );
    }
}

/// Logs `message` at CRITICAL level.
pub fn critical(message: &str) {
    // A message cannot carry a NUL through C; any it contains is shown
    // escaped instead of truncating the message.
    let message =
        CString::new(message.replace('\0', "\\0")).expect("interior NUL bytes were replaced above");
    // SAFETY: the format is a literal "%s" that consumes exactly the one
    // NUL-terminated argument passed after it.
    unsafe {
        glib_sys::g_log(
            LOG_DOMAIN.as_ptr(),
            glib_sys::G_LOG_LEVEL_CRITICAL,
            c"%s".as_ptr(),
            message.as_ptr(),
        );
    }
}

/// Shows a holder in a log message: printable ASCII as is, anything else
/// escaped, so that a non-UTF-8 holder is still recognisable.
pub fn describe_holder(holder: &[u8]) -> String {
    holder.escape_ascii().to_string()
}

/// Runs `body`, turning a panic into a CRITICAL message and `fallback`.
///
/// Every exported function runs inside this boundary: a panic must never
/// unwind into QEMU's C frames.
pub fn panic_boundary<R>(
    function: &CStr,
    fallback: R,
    body: impl FnOnce() -> R + std::panic::UnwindSafe,
) -> R {
    std::panic::catch_unwind(body).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown panic");
        critical(&format!(
            "{}: internal error: {reason}",
            function.to_string_lossy()
        ));
        fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_fallback() {
        let result = panic_boundary(c"test", 7, || -> i32 { panic!("deliberate") });
        assert_eq!(result, 7);
    }

    #[test]
    fn no_panic_returns_the_result() {
        assert_eq!(panic_boundary(c"test", 7, || 42), 42);
    }

    #[test]
    fn holders_are_described_readably() {
        assert_eq!(
            describe_holder(b"/machine/peripheral/d0"),
            "/machine/peripheral/d0"
        );
        assert_eq!(describe_holder(&[b'a', 0xff, b'\'']), "a\\xff\\'");
    }
}
