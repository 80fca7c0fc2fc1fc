// SPDX-License-Identifier: GPL-2.0-or-later

//! What the Rust tests of the C ABI share: stand-ins for the C functions
//! that QEMU defines and the crate calls (the BQL and QOM's reference
//! counting), the holder lists read through `iothread_foreach_holder()`,
//! death tests, and pseudo-random numbers.
//!
//! The BQL stand-in is per thread, as QEMU's BQL is: `Bql::lock()` holds a
//! mutex (so that the tests of one binary, which share the crate's table,
//! run one at a time) and makes `bql_locked()` true in the calling thread
//! through `bql::start_test()`.

#![allow(dead_code)]

pub mod abi_model;

use std::{
    cell::Cell,
    ffi::{c_char, c_uint, c_void, CStr, CString},
    os::unix::process::ExitStatusExt,
    process::Command,
    sync::{
        atomic::{AtomicIsize, Ordering},
        Mutex, MutexGuard, PoisonError,
    },
};

use iothread_holders::{iothread_foreach_holder, IOThread};

thread_local! {
    static BQL_LOCKED: Cell<bool> = const { Cell::new(false) };
    /// Outstanding borrows of a `BqlRefCell`, as `bql_block_unlock()` counts.
    static UNLOCK_BLOCKED: Cell<u32> = const { Cell::new(0) };
}

#[no_mangle]
extern "C" fn bql_locked() -> bool {
    BQL_LOCKED.get()
}

#[no_mangle]
extern "C" fn rust_bql_mock_lock() {
    BQL_LOCKED.set(true);
}

#[no_mangle]
extern "C" fn bql_block_unlock(increase: bool) {
    // As QEMU's: a borrow of BQL-protected state needs the BQL.
    assert!(bql_locked(), "bql_block_unlock() without the BQL");
    let blocked = UNLOCK_BLOCKED.get();
    UNLOCK_BLOCKED.set(if increase { blocked + 1 } else { blocked - 1 });
}

/// The BQL, held by the calling thread until dropped.
pub struct Bql(MutexGuard<'static, ()>);

impl Bql {
    pub fn lock() -> Self {
        static ONE_TEST_AT_A_TIME: Mutex<()> = Mutex::new(());
        // A failed test poisons the mutex; the next test may still run.
        let guard = ONE_TEST_AT_A_TIME
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        bql::start_test();
        Self(guard)
    }
}

impl Drop for Bql {
    fn drop(&mut self) {
        assert_eq!(UNLOCK_BLOCKED.get(), 0, "a borrow outlived its call");
        BQL_LOCKED.set(false);
    }
}

/// A stand-in `IOThread`: a QOM reference count and a QOM id.
/// `repr(C)`, the count first: the pointer the crate passes to QOM is the
/// object's.
#[repr(C)]
pub struct FakeIOThread {
    refcount: AtomicIsize,
    id: Option<CString>,
}

impl FakeIOThread {
    /// An `IOThread` with id `id`, or one that has none (not in the QOM tree).
    pub fn new(id: Option<&str>) -> Self {
        Self {
            refcount: AtomicIsize::new(0),
            id: id.map(|id| CString::new(id).expect("no NUL")),
        }
    }

    pub fn as_ptr(&self) -> *mut IOThread {
        std::ptr::from_ref(self).cast_mut().cast()
    }

    /// The QOM references that holders have taken.
    pub fn refcount(&self) -> isize {
        self.refcount.load(Ordering::SeqCst)
    }
}

impl Default for FakeIOThread {
    fn default() -> Self {
        Self::new(Some("io0"))
    }
}

/// # Safety
/// `obj` is a live `FakeIOThread`.
unsafe fn fake<'a>(obj: *const c_void) -> &'a FakeIOThread {
    // SAFETY: by the caller's guarantee.
    unsafe { &*obj.cast::<FakeIOThread>() }
}

#[no_mangle]
unsafe extern "C" fn object_ref(obj: *mut c_void) -> *mut c_void {
    // SAFETY: the tests only register FakeIOThreads, which outlive their
    // registrations.
    unsafe { fake(obj) }.refcount.fetch_add(1, Ordering::SeqCst);
    obj
}

#[no_mangle]
unsafe extern "C" fn object_unref(obj: *mut c_void) {
    // The last reference finalizes the IOThread: never while the crate
    // still borrows its table.
    assert_eq!(UNLOCK_BLOCKED.get(), 0, "object_unref() inside a borrow");
    // SAFETY: as in object_ref().
    let before = unsafe { fake(obj) }.refcount.fetch_sub(1, Ordering::SeqCst);
    assert!(before > 0, "the crate dropped a reference it did not take");
}

#[no_mangle]
unsafe extern "C" fn object_get_canonical_path_component(obj: *const c_void) -> *const c_char {
    // SAFETY: as in object_ref().
    unsafe { fake(obj) }
        .id
        .as_deref()
        .map_or(std::ptr::null(), CStr::as_ptr)
}

/// A holder as listed: its type and its name.
pub type Holder = (c_uint, Vec<u8>);

unsafe extern "C" fn collect(holder_type: c_uint, name: *const c_char, opaque: *mut c_void) {
    // SAFETY: `opaque` is the Vec that holders() passed; `name` is a C
    // string for the duration of the call.
    unsafe {
        let list = &mut *opaque.cast::<Vec<Holder>>();
        list.push((holder_type, CStr::from_ptr(name).to_bytes().to_vec()));
    }
}

/// The holders of `iothread`, oldest first, as `iothread_foreach_holder()`
/// lists them.
pub fn holders(iothread: &FakeIOThread) -> Vec<Holder> {
    let mut list: Vec<Holder> = Vec::new();
    // SAFETY: a live fake IOThread; collect() takes the Vec as `opaque`.
    unsafe {
        iothread_foreach_holder(
            iothread.as_ptr(),
            Some(collect),
            std::ptr::from_mut(&mut list).cast(),
        );
    }
    list
}

/// The environment variable that tells a re-run test binary which death
/// test is its to die in.
const DEATH_TEST: &str = "IOTHREAD_HOLDERS_DEATH_TEST";

/// Runs a death test.  In the test binary re-run as a child for the test
/// `name`, runs `die` (which must stop the process); in the parent, checks
/// that the child aborted with `message` on stderr.
pub fn death_test(name: &str, message: &str, die: impl FnOnce()) {
    if let Some(test) = std::env::var_os(DEATH_TEST) {
        if test == name {
            die();
            eprintln!("death test {name}: still alive");
            std::process::exit(0);
        }
        return;
    }
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env(DEATH_TEST, name)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the test binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.signal(),
        Some(6),
        "death test {name} did not abort ({}); stderr:\n{stderr}",
        output.status
    );
    assert!(
        stderr.contains(message),
        "death test {name}: no {message:?} on stderr:\n{stderr}"
    );
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
}
