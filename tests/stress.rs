// SPDX-License-Identifier: GPL-2.0-or-later

//! Several threads register, unregister and list at once, through the C
//! ABI, on one shared `IOThread` and on one private `IOThread` each, with
//! misuse mixed in.  Each thread keeps a model of what it did; at the end
//! every list is what the models predict, every misuse was reported once,
//! and every reference taken was dropped.

mod support;

use std::{
    collections::HashMap,
    ffi::{c_char, CString},
    ptr,
};

use iothread_holders::{iothread_ref, iothread_unref};
use support::{count_criticals, criticals, holders, FakeIOThread, XorShift};

const THREADS: usize = 8;
const STEPS: usize = 20_000;
const NAMES_PER_THREAD: usize = 5;

fn register(iothread: &FakeIOThread, holder: &CString) {
    // SAFETY: a live fake IOThread and a C string.
    unsafe { iothread_ref(iothread.as_ptr(), holder.as_ptr()) }
}

fn unregister(iothread: &FakeIOThread, holder: *const c_char) {
    // SAFETY: a live fake IOThread, and NULL or a C string.
    unsafe { iothread_unref(iothread.as_ptr(), holder) }
}

/// What one thread did: its registrations still outstanding on the shared
/// `IOThread` and on its private one, oldest first, and its misuses.
#[derive(Default)]
struct Model {
    shared: Vec<Vec<u8>>,
    private: Vec<Vec<u8>>,
    misuses: usize,
}

fn remove_newest(list: &mut Vec<Vec<u8>>, holder: &[u8]) -> bool {
    match list.iter().rposition(|listed| listed == holder) {
        Some(index) => {
            list.remove(index);
            true
        }
        None => false,
    }
}

fn run_thread(thread: usize, shared: &FakeIOThread, private: &FakeIOThread) -> Model {
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15 ^ (thread as u64 + 1));
    // Non-UTF-8 and long names too; the shared IOThread's names carry the
    // thread's number, so that threads never unregister each other's.
    let names: Vec<CString> = (0..NAMES_PER_THREAD)
        .map(|k| {
            let mut name = format!("/machine/thread{thread}/dev{k}").into_bytes();
            if k == 3 {
                name.extend_from_slice(&[0xff, 0xfe]);
            }
            if k == 4 {
                name.extend(std::iter::repeat_n(b'x', 4096));
            }
            CString::new(name).expect("no NUL")
        })
        .collect();
    let mut model = Model::default();
    for _ in 0..STEPS {
        let name = &names[random.below(NAMES_PER_THREAD)];
        let on_shared = random.below(2) == 0;
        let (iothread, list) = if on_shared {
            (shared, &mut model.shared)
        } else {
            (private, &mut model.private)
        };
        match random.below(10) {
            0..=3 => {
                register(iothread, name);
                list.push(name.as_bytes().to_vec());
            }
            4..=7 => {
                unregister(iothread, name.as_ptr());
                if !remove_newest(list, name.as_bytes()) {
                    model.misuses += 1;
                }
            }
            8 => {
                unregister(iothread, ptr::null());
                model.misuses += 1;
            }
            _ => {
                let listed = holders(iothread.as_ptr()).expect("a live IOThread");
                if on_shared {
                    assert!(listed.iter().all(|h| h.starts_with(b"/machine/thread")));
                } else {
                    assert_eq!(&listed, list, "private list of thread {thread}");
                }
            }
        }
    }
    model
}

#[test]
fn concurrent_callers_agree_with_their_models() {
    count_criticals();
    let criticals_before = criticals();
    let shared = FakeIOThread::default();
    let privates: Vec<FakeIOThread> = (0..THREADS).map(|_| FakeIOThread::default()).collect();

    let models: Vec<Model> = std::thread::scope(|scope| {
        let workers: Vec<_> = privates
            .iter()
            .enumerate()
            .map(|(thread, private)| {
                let shared = &shared;
                scope.spawn(move || run_thread(thread, shared, private))
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("no thread panicked"))
            .collect()
    });

    // Each private list is exactly its thread's model.
    for (private, model) in privates.iter().zip(&models) {
        assert_eq!(holders(private.as_ptr()), Some(model.private.clone()));
        assert_eq!(private.refcount(), model.private.len() as isize);
    }
    // The shared list interleaves the threads: each thread's registrations
    // appear in its own order, and nothing else appears.
    let listed = holders(shared.as_ptr()).expect("a live IOThread");
    let mut by_thread: HashMap<usize, Vec<Vec<u8>>> = HashMap::new();
    for holder in listed {
        let digits: Vec<u8> = holder[b"/machine/thread".len()..]
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        let thread: usize = String::from_utf8(digits)
            .ok()
            .and_then(|digits| digits.parse().ok())
            .expect("a thread number");
        by_thread.entry(thread).or_default().push(holder);
    }
    for (thread, model) in models.iter().enumerate() {
        assert_eq!(
            by_thread.remove(&thread).unwrap_or_default(),
            model.shared,
            "shared registrations of thread {thread}"
        );
    }
    assert!(by_thread.is_empty());
    let total_shared: usize = models.iter().map(|model| model.shared.len()).sum();
    assert_eq!(shared.refcount(), total_shared as isize);

    // Every misuse was reported, once.
    let misuses: usize = models.iter().map(|model| model.misuses).sum();
    assert_eq!(criticals() - criticals_before, misuses);

    // Unregistering what is left drops every reference.
    for (private, model) in privates.iter().zip(&models) {
        for holder in model.private.iter().rev() {
            unregister(private, CString::new(holder.clone()).unwrap().as_ptr());
        }
        for holder in model.shared.iter().rev() {
            unregister(&shared, CString::new(holder.clone()).unwrap().as_ptr());
        }
        assert_eq!(private.refcount(), 0);
        assert_eq!(holders(private.as_ptr()), Some(Vec::new()));
    }
    assert_eq!(shared.refcount(), 0);
    assert_eq!(holders(shared.as_ptr()), Some(Vec::new()));
    assert_eq!(criticals() - criticals_before, misuses);
}
