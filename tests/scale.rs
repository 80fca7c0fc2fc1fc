// SPDX-License-Identifier: GPL-2.0-or-later

//! What users would notice at scale, through the C ABI: many `IOThreads`,
//! memory that must come back, and holder names chosen to collide.  Costs
//! are compared as ratios measured side by side in one run, with bounds
//! far from both the expected growth and the failure each test guards
//! against.  One test at a time: they time and count the whole process.

mod support;

use std::{ffi::CString, time::Instant};

use iothread_holders::{iothread_ref, iothread_unref};
use support::{lock::Mutex, FakeIOThread};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn register(iothread: &FakeIOThread, holder: &CString) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_ref(iothread.as_ptr(), holder.as_ptr()) }
}

fn unregister(iothread: &FakeIOThread, holder: &CString) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_unref(iothread.as_ptr(), holder.as_ptr()) }
}

/// The best of three timings of `run`, in ns per call of `calls`.
fn ns_per_call(calls: usize, mut run: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

/// Heap bytes in use, as the C allocator counts them (mmapped blocks too).
fn heap_in_use() -> usize {
    // SAFETY: mallinfo2() only reads the allocator's statistics.
    let info = unsafe { libc::mallinfo2() };
    info.uordblks + info.hblkhd
}

/// ns per unref when each of `count` `IOThreads` has one holder.
fn unref_ns_with_iothreads(count: usize) -> f64 {
    let iothreads: Vec<FakeIOThread> = (0..count).map(|_| FakeIOThread::default()).collect();
    let holder = CString::new("/machine/peripheral/disk0/virtio-backend").unwrap();
    ns_per_call(count, || {
        iothreads
            .iter()
            .for_each(|iothread| register(iothread, &holder));
        iothreads
            .iter()
            .for_each(|iothread| unregister(iothread, &holder));
    })
}

#[test]
fn removing_many_iothreads_is_not_quadratic() {
    let _serial = ONE_AT_A_TIME.lock();
    let few = unref_ns_with_iothreads(12_500);
    let many = unref_ns_with_iothreads(100_000);
    eprintln!("ns per ref+unref: {few:.0} at 12 500 IOThreads, {many:.0} at 100 000");
    // O(log n) grows by about 1.2 here; a scan per removal by 8.
    assert!(
        many / few < 3.0,
        "ns per ref+unref: {few:.0} at 12 500 IOThreads, {many:.0} at 100 000"
    );
}

#[test]
fn memory_comes_back_once_everything_is_unregistered() {
    let _serial = ONE_AT_A_TIME.lock();
    let iothreads: Vec<FakeIOThread> = (0..100_000).map(|_| FakeIOThread::default()).collect();
    // 80 MiB of long names, on one IOThread.
    let long_names: Vec<CString> = (0..20_480)
        .map(|i| CString::new(format!("{i:08}/{}", "x".repeat(4096))).unwrap())
        .collect();
    let short = CString::new("/machine/peripheral/disk0/virtio-backend").unwrap();

    let before = heap_in_use();
    iothreads
        .iter()
        .for_each(|iothread| register(iothread, &short));
    long_names
        .iter()
        .for_each(|name| register(&iothreads[0], name));
    let held = heap_in_use() - before;
    long_names
        .iter()
        .for_each(|name| unregister(&iothreads[0], name));
    iothreads
        .iter()
        .for_each(|iothread| unregister(iothread, &short));
    let left = heap_in_use().saturating_sub(before);
    eprintln!("heap: {held} bytes while registered, {left} after");

    assert!(held > 80 << 20, "registering took {held} bytes");
    assert!(left <= 1 << 20, "{left} bytes still allocated");
    assert!(iothreads.iter().all(|iothread| iothread.refcount() == 0));
}

/// ns per unref+ref of each of `names`, all registered on one `IOThread`.
fn cycle_ns(names: &[CString]) -> f64 {
    let iothread = FakeIOThread::default();
    names.iter().for_each(|name| register(&iothread, name));
    let ns = ns_per_call(names.len(), || {
        for name in names {
            unregister(&iothread, name);
            register(&iothread, name);
        }
    });
    names.iter().for_each(|name| unregister(&iothread, name));
    ns
}

#[test]
fn names_chosen_alike_cost_no_more_than_their_length() {
    let _serial = ONE_AT_A_TIME.lock();
    // 64-byte names: alike in all but their last 8 bytes (the shape that
    // collided in a hash table written for this library before), or unlike
    // from their first byte.
    let alike = |count: u64| -> Vec<CString> {
        (0..count)
            .map(|i| {
                CString::new(format!("/machine/peripheral/{}{i:08x}", "a".repeat(37))).unwrap()
            })
            .collect()
    };
    let unlike: Vec<CString> = (0..16_000u64)
        .map(|i| CString::new(format!("{i:08x}/machine/peripheral/{}", "a".repeat(37))).unwrap())
        .collect();
    let alike_few = cycle_ns(&alike(2_000));
    let alike_many = cycle_ns(&alike(16_000));
    let unlike_many = cycle_ns(&unlike);
    eprintln!(
        "ns per unref+ref: alike {alike_few:.0} (2 000), {alike_many:.0} (16 000); \
         unlike {unlike_many:.0} (16 000)"
    );
    // Each comparison reads the shared prefix: a constant factor, not a
    // cost that grows with the number of names, as colliding hashes did.
    assert!(
        alike_many / alike_few < 3.0,
        "ns per unref+ref of names alike: {alike_few:.0} for 2 000, {alike_many:.0} for 16 000"
    );
    assert!(
        alike_many / unlike_many < 4.0,
        "ns per unref+ref of 16 000 names: {alike_many:.0} alike, {unlike_many:.0} unlike"
    );
}
