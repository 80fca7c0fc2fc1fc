// SPDX-License-Identifier: GPL-2.0-or-later

//! The C ABI's contract, through the C ABI, with stand-ins for QEMU's BQL
//! and QOM (`support`): what QEMU's unit test `test-iothread-holders.c`
//! checks in QEMU, and what it cannot see from C, such as that a QOM
//! reference is dropped only once the table is no longer borrowed.  The
//! death tests re-run this binary for one test and expect it to abort
//! with the message QEMU's test expects too.
//!
//! Not in QEMU's tree: there, `rust.test` runs only the crate's unit tests,
//! and the C unit test covers the contract for both implementations.

mod support;

use std::{
    ffi::{c_char, c_uint, c_void, CStr},
    ptr,
};

use iothread_holders::{
    iothread_add_holder, iothread_foreach_holder, iothread_ref, iothread_remove_holder,
    iothread_unref,
};
use support::{death_test, holders, Bql, FakeIOThread, Holder};

const QOM_OBJECT: c_uint = 0;
const BLOCK_EXPORT: c_uint = 1;
const BLOCK_NODE: c_uint = 2;

fn add(iothread: &FakeIOThread, holder_type: c_uint, name: &CStr) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_add_holder(iothread.as_ptr(), holder_type, name.as_ptr()) }
}

fn remove(iothread: &FakeIOThread, holder_type: c_uint, name: &CStr) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_remove_holder(iothread.as_ptr(), holder_type, name.as_ptr()) }
}

fn qom_ref(iothread: &FakeIOThread, name: &CStr) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_ref(iothread.as_ptr(), name.as_ptr()) }
}

fn qom_unref(iothread: &FakeIOThread, name: &CStr) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_unref(iothread.as_ptr(), name.as_ptr()) }
}

fn holder(holder_type: c_uint, name: &str) -> Holder {
    (holder_type, name.as_bytes().to_vec())
}

#[test]
fn new_iothread_has_no_holder() {
    let _bql = Bql::lock();
    assert!(holders(&FakeIOThread::default()).is_empty());
}

#[test]
fn listed_oldest_first_across_types() {
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    add(&iothread, BLOCK_NODE, c"node0");
    add(
        &iothread,
        QOM_OBJECT,
        c"/machine/peripheral/vd0/virtio-backend",
    );
    add(&iothread, BLOCK_EXPORT, c"export0");
    assert_eq!(
        holders(&iothread),
        [
            holder(BLOCK_NODE, "node0"),
            holder(QOM_OBJECT, "/machine/peripheral/vd0/virtio-backend"),
            holder(BLOCK_EXPORT, "export0"),
        ]
    );
    assert_eq!(iothread.refcount(), 3);
    remove(
        &iothread,
        QOM_OBJECT,
        c"/machine/peripheral/vd0/virtio-backend",
    );
    assert_eq!(
        holders(&iothread),
        [holder(BLOCK_NODE, "node0"), holder(BLOCK_EXPORT, "export0")]
    );
    remove(&iothread, BLOCK_NODE, c"node0");
    remove(&iothread, BLOCK_EXPORT, c"export0");
    assert_eq!(iothread.refcount(), 0);
}

#[test]
fn duplicates_are_listed_and_the_newest_goes_first() {
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    add(&iothread, QOM_OBJECT, c"a");
    add(&iothread, BLOCK_NODE, c"b");
    add(&iothread, QOM_OBJECT, c"a");
    assert_eq!(iothread.refcount(), 3);
    remove(&iothread, QOM_OBJECT, c"a");
    assert_eq!(
        holders(&iothread),
        [holder(QOM_OBJECT, "a"), holder(BLOCK_NODE, "b")]
    );
    remove(&iothread, QOM_OBJECT, c"a");
    remove(&iothread, BLOCK_NODE, c"b");
    assert_eq!(iothread.refcount(), 0);
}

#[test]
fn same_name_of_another_type_is_another_holder() {
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    add(&iothread, BLOCK_EXPORT, c"x");
    add(&iothread, BLOCK_NODE, c"x");
    remove(&iothread, BLOCK_EXPORT, c"x");
    assert_eq!(holders(&iothread), [holder(BLOCK_NODE, "x")]);
    remove(&iothread, BLOCK_NODE, c"x");
}

#[test]
fn iothread_ref_is_a_qom_object_holder() {
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    qom_ref(&iothread, c"/machine/peripheral/vd0");
    assert_eq!(
        holders(&iothread),
        [holder(QOM_OBJECT, "/machine/peripheral/vd0")]
    );
    assert_eq!(iothread.refcount(), 1);
    remove(&iothread, QOM_OBJECT, c"/machine/peripheral/vd0");
    add(&iothread, QOM_OBJECT, c"/machine/peripheral/vd1");
    qom_unref(&iothread, c"/machine/peripheral/vd1");
    assert_eq!(iothread.refcount(), 0);
}

#[test]
fn names_are_copied_bytes_and_types_pass_through() {
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    let mut name = b"\xff\xfe/machine/\x80\xc3\x28".to_vec();
    name.extend(std::iter::repeat_n(b'x', 1 << 20));
    let mut buffer = name.clone();
    buffer.push(0);
    // SAFETY: a live fake IOThread and a C string, overwritten after.
    unsafe {
        iothread_add_holder(iothread.as_ptr(), c_uint::MAX, buffer.as_ptr().cast());
    }
    buffer.fill(b'X');
    assert_eq!(holders(&iothread), [(c_uint::MAX, name.clone())]);
    name.push(0);
    let name = CStr::from_bytes_with_nul(&name).expect("one NUL");
    remove(&iothread, c_uint::MAX, name);
    assert!(holders(&iothread).is_empty());
}

#[test]
fn iothreads_are_independent() {
    let _bql = Bql::lock();
    let (first, second) = (FakeIOThread::default(), FakeIOThread::new(Some("io1")));
    add(&first, QOM_OBJECT, c"a");
    add(&second, QOM_OBJECT, c"b");
    assert_eq!(holders(&first), [holder(QOM_OBJECT, "a")]);
    assert_eq!(holders(&second), [holder(QOM_OBJECT, "b")]);
    assert_eq!((first.refcount(), second.refcount()), (1, 1));
    remove(&first, QOM_OBJECT, c"a");
    remove(&second, QOM_OBJECT, c"b");
}

/// `name` is valid only during the call: the callback sees it as C does.
#[test]
fn foreach_passes_opaque_and_a_c_string() {
    unsafe extern "C" fn count(holder_type: c_uint, name: *const c_char, opaque: *mut c_void) {
        // SAFETY: `opaque` is the counter below; `name` a C string.
        unsafe {
            assert_eq!(holder_type, BLOCK_EXPORT);
            assert_eq!(CStr::from_ptr(name), c"export0");
            *opaque.cast::<u32>() += 1;
        }
    }
    let _bql = Bql::lock();
    let iothread = FakeIOThread::default();
    add(&iothread, BLOCK_EXPORT, c"export0");
    add(&iothread, BLOCK_EXPORT, c"export0");
    let mut calls = 0u32;
    // SAFETY: a live fake IOThread; count() takes the counter.
    unsafe {
        iothread_foreach_holder(
            iothread.as_ptr(),
            Some(count),
            ptr::from_mut(&mut calls).cast(),
        );
    }
    assert_eq!(calls, 2);
    remove(&iothread, BLOCK_EXPORT, c"export0");
    remove(&iothread, BLOCK_EXPORT, c"export0");
}

/// The fake `object_unref()` fails if the table is still borrowed.
#[test]
fn references_are_dropped_after_the_table_is_released() {
    let _bql = Bql::lock();
    let iothreads: Vec<FakeIOThread> = (0..100).map(|_| FakeIOThread::default()).collect();
    for iothread in &iothreads {
        add(iothread, QOM_OBJECT, c"a");
    }
    for iothread in &iothreads {
        remove(iothread, QOM_OBJECT, c"a");
        assert_eq!(iothread.refcount(), 0);
    }
}

// Death tests: each re-runs this binary for itself, where the call aborts.

#[test]
fn null_iothread_dies() {
    let message = "iothread_add_holder: NULL IOThread (holder 'a')";
    death_test("null_iothread_dies", message, || {
        let _bql = Bql::lock();
        // SAFETY: a NULL IOThread is what this test checks.
        unsafe {
            iothread_add_holder(ptr::null_mut(), QOM_OBJECT, c"a".as_ptr());
        }
    });
}

#[test]
fn null_iothread_dies_in_remove() {
    let message = "iothread_unref: NULL IOThread (holder '(null)')";
    death_test("null_iothread_dies_in_remove", message, || {
        let _bql = Bql::lock();
        // SAFETY: a NULL IOThread is what this test checks.
        unsafe {
            iothread_unref(ptr::null_mut(), ptr::null());
        }
    });
}

#[test]
fn null_iothread_dies_in_foreach() {
    let message = "iothread_foreach_holder: NULL IOThread";
    death_test("null_iothread_dies_in_foreach", message, || {
        let _bql = Bql::lock();
        // SAFETY: a NULL IOThread is what this test checks.
        unsafe {
            iothread_foreach_holder(ptr::null_mut(), None, ptr::null_mut());
        }
    });
}

#[test]
fn empty_name_dies() {
    let message = "iothread_ref: no holder name for IOThread 'io0'";
    death_test("empty_name_dies", message, || {
        let _bql = Bql::lock();
        let iothread = FakeIOThread::default();
        qom_ref(&iothread, c"");
    });
}

#[test]
fn null_name_dies() {
    let message = "iothread_remove_holder: no holder name for IOThread '(unnamed)'";
    death_test("null_name_dies", message, || {
        let _bql = Bql::lock();
        let iothread = FakeIOThread::new(None);
        // SAFETY: a live fake IOThread and a NULL name, which this test checks.
        unsafe {
            iothread_remove_holder(iothread.as_ptr(), BLOCK_NODE, ptr::null());
        }
    });
}

#[test]
fn unknown_remove_dies() {
    let message = "iothread_remove_holder: 'x' is not a holder of IOThread 'io0'";
    death_test("unknown_remove_dies", message, || {
        let _bql = Bql::lock();
        let iothread = FakeIOThread::default();
        add(&iothread, BLOCK_EXPORT, c"x");
        remove(&iothread, BLOCK_NODE, c"x");
    });
}

#[test]
fn unbalanced_unref_dies() {
    let message = "iothread_unref: 'a' is not a holder of IOThread 'io0'";
    death_test("unbalanced_unref_dies", message, || {
        let _bql = Bql::lock();
        let iothread = FakeIOThread::default();
        qom_ref(&iothread, c"a");
        qom_unref(&iothread, c"a");
        qom_unref(&iothread, c"a");
    });
}

/// A death test of `$func` called from a thread that does not hold the BQL.
macro_rules! no_bql_test {
    ($test:ident, $func:literal, $call:expr) => {
        #[test]
        fn $test() {
            let message = concat!($func, ": IOThread 'io0' used without the BQL");
            death_test(stringify!($test), message, || {
                let iothread = FakeIOThread::default();
                let call: fn(&FakeIOThread) = $call;
                std::thread::scope(|scope| {
                    scope.spawn(|| call(&iothread));
                });
            });
        }
    };
}

no_bql_test!(no_bql_dies_in_add, "iothread_add_holder", |io| add(
    io, QOM_OBJECT, c"a"
));
no_bql_test!(no_bql_dies_in_remove, "iothread_remove_holder", |io| {
    remove(io, QOM_OBJECT, c"a");
});
no_bql_test!(no_bql_dies_in_ref, "iothread_ref", |io| qom_ref(io, c"a"));
no_bql_test!(no_bql_dies_in_unref, "iothread_unref", |io| qom_unref(
    io, c"a"
));
no_bql_test!(no_bql_dies_in_foreach, "iothread_foreach_holder", |io| {
    holders(io);
});

#[test]
fn foreach_callback_that_adds_dies() {
    unsafe extern "C" fn add_another(_: c_uint, _: *const c_char, opaque: *mut c_void) {
        // SAFETY: `opaque` is the IOThread below.
        add(unsafe { &*opaque.cast::<FakeIOThread>() }, QOM_OBJECT, c"b");
    }
    death_test("foreach_callback_that_adds_dies", "already", || {
        let _bql = Bql::lock();
        let iothread = FakeIOThread::default();
        add(&iothread, QOM_OBJECT, c"a");
        // SAFETY: a live fake IOThread, passed to add_another().
        unsafe {
            iothread_foreach_holder(
                iothread.as_ptr(),
                Some(add_another),
                iothread.as_ptr().cast(),
            );
        }
    });
}
