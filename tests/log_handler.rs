// SPDX-License-Identifier: GPL-2.0-or-later

//! The tests' CRITICAL counter, installed by one thread, counts what
//! another thread logs.  Under `ThreadSanitizer` this also checks that the
//! install is visibly ordered before the other thread's logging: the two
//! threads meet at a `std::sync::Barrier`, which std ships uninstrumented,
//! so the only order the sanitizer sees is the one `count_criticals()`
//! itself provides.  With a `std::sync::Once` there, it reports a race in
//! glib's `g_logv()`.  Its own binary, so no other test logs meanwhile.

mod support;

use std::sync::Barrier;

use iothread_holders::iothread_ref;
use support::{count_criticals, criticals};

#[test]
fn a_counter_installed_by_one_thread_counts_another_threads_criticals() {
    let installed = Barrier::new(2);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            count_criticals();
            installed.wait();
        });
        scope.spawn(|| {
            installed.wait();
            count_criticals();
            // SAFETY: a NULL IOThread is misuse the library reports and
            // otherwise ignores.
            unsafe {
                iothread_ref(std::ptr::null_mut(), c"/machine/peripheral/vd0".as_ptr());
            }
        });
    });
    assert_eq!(criticals(), 1);
}
