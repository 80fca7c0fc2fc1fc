// SPDX-License-Identifier: GPL-2.0-or-later

//! What the Rust tests of the C ABI share: fake QOM reference counting,
//! holder lists read through `iothread_get_holders()`, and a count of the
//! CRITICAL messages the library logs.

#![allow(dead_code)]

pub mod abi_model;
#[path = "../../src/lock.rs"]
pub mod lock;

use std::{
    ffi::{c_char, c_void, CStr},
    sync::atomic::{AtomicIsize, AtomicUsize, Ordering},
};

use iothread_holders::{iothread_get_holders, IOThread};
use lock::Mutex;

/// A fake `IOThread`: QEMU's `object_ref()`/`object_unref()` below count on
/// it.  `repr(C)` with the counter first, so that the pointer the library
/// passes to `object_ref()` is the counter's.
#[repr(C)]
#[derive(Default)]
pub struct FakeIOThread {
    pub refcount: AtomicIsize,
}

impl FakeIOThread {
    pub fn as_ptr(&self) -> *mut IOThread {
        std::ptr::from_ref(self).cast_mut().cast()
    }

    pub fn refcount(&self) -> isize {
        self.refcount.load(Ordering::SeqCst)
    }
}

#[no_mangle]
extern "C" fn object_ref(obj: *mut c_void) -> *mut c_void {
    // SAFETY: the tests only register FakeIOThreads, which outlive their
    // registrations.
    let iothread = unsafe { &*obj.cast::<FakeIOThread>() };
    iothread.refcount.fetch_add(1, Ordering::SeqCst);
    obj
}

#[no_mangle]
extern "C" fn object_unref(obj: *mut c_void) {
    // SAFETY: as in object_ref().
    let iothread = unsafe { &*obj.cast::<FakeIOThread>() };
    let before = iothread.refcount.fetch_sub(1, Ordering::SeqCst);
    assert!(
        before > 0,
        "the library dropped a reference it did not take"
    );
}

/// The holders of `iothread`, oldest first, or `None` if the library
/// returned NULL.
pub fn holders(iothread: *mut IOThread) -> Option<Vec<Vec<u8>>> {
    // SAFETY: `iothread` is NULL or a live fake IOThread.
    let strv = unsafe { iothread_get_holders(iothread) };
    if strv.is_null() {
        return None;
    }
    let mut list = Vec::new();
    // SAFETY: the library returns a NULL-terminated array of C strings,
    // ours to free with g_strfreev().
    unsafe {
        let mut entry = strv;
        while !(*entry).is_null() {
            list.push(CStr::from_ptr(*entry).to_bytes().to_vec());
            entry = entry.add(1);
        }
        glib_sys::g_strfreev(strv);
    }
    Some(list)
}

static CRITICALS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn count_critical(
    _domain: *const c_char,
    _level: glib_sys::GLogLevelFlags,
    _message: *const c_char,
    _data: glib_sys::gpointer,
) {
    CRITICALS.fetch_add(1, Ordering::SeqCst);
}

/// Counts the library's CRITICAL messages instead of printing them.
///
/// Guarded by the library's own mutex (the same source file), not
/// `std::sync::Once`: std ships uninstrumented, so `ThreadSanitizer` would not
/// see that installing the handler in one test's thread happens before
/// another test's thread logs through it, and would report glib's handler
/// list as a race.
pub fn count_criticals() {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock();
    if !*installed {
        // SAFETY: a static handler that touches only an atomic.
        unsafe {
            glib_sys::g_log_set_handler(
                c"iothread".as_ptr(),
                glib_sys::G_LOG_LEVEL_CRITICAL,
                Some(count_critical),
                std::ptr::null_mut(),
            );
        }
        *installed = true;
    }
}

/// The tests' pseudo-random numbers: xorshift64, reproducible from a seed.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn byte(&mut self) -> u8 {
        (self.next_u64() >> 56) as u8
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// How many CRITICAL messages the library has logged so far.
pub fn criticals() -> usize {
    CRITICALS.load(Ordering::SeqCst)
}
