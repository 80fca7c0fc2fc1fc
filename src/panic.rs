// SPDX-License-Identifier: GPL-2.0-or-later

//! The panic boundary of every exported function: a panic must never
//! unwind into QEMU's C frames.

use std::{
    ffi::CStr,
    panic::{catch_unwind, UnwindSafe},
    ptr,
};

use crate::log::internal_error;

/// What an exported function returns when it cannot do its job: after a
/// failed precondition, or a panic.
pub trait Fallback {
    /// The value returned instead of a result.
    fn fallback() -> Self;
}

impl Fallback for () {
    fn fallback() -> Self {}
}

impl<T> Fallback for *mut T {
    fn fallback() -> Self {
        ptr::null_mut()
    }
}

/// Runs `body`, turning a panic into a CRITICAL message and the fallback.
pub fn boundary<R: Fallback>(function: &CStr, body: impl FnOnce() -> R + UnwindSafe) -> R {
    catch_unwind(body).unwrap_or_else(|payload| {
        let reason = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown panic");
        internal_error(function, reason);
        R::fallback()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_fallback() {
        let result = boundary(c"test", || -> *mut u8 { panic!("deliberate") });
        assert!(result.is_null());
    }

    #[test]
    fn no_panic_returns_the_result() {
        let mut value = 42;
        let pointer: *mut i32 = &raw mut value;
        assert_eq!(boundary(c"test", move || pointer), pointer);
    }
}
