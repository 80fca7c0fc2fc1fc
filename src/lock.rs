// SPDX-License-Identifier: GPL-2.0-or-later

//! A mutex around a static value.
//!
//! On POSIX hosts a POSIX mutex, as QEMU's `QemuMutex`.  Not a spin lock: a
//! waiter that spins keeps its CPU, so a `SCHED_FIFO` caller (libvirt can
//! set that policy) starves a holder on the same CPU; a POSIX mutex sleeps
//! in the kernel and lets the holder run.  Not `std::sync::Mutex`: std
//! ships uninstrumented, so `ThreadSanitizer` cannot see it, while it
//! intercepts `pthread_mutex_*`.
//!
//! Elsewhere (Windows), std's mutex, which also sleeps in the kernel; the
//! `portable-lock` feature picks it on POSIX hosts too, so that the same
//! tests run on it.
//!
//! A POSIX mutex must not move once used, so it is locked only through a
//! `'static` reference, and never destroyed.  No poisoning: a panic unlocks
//! as it unwinds, and leaves the table consistent.

#[cfg(any(not(unix), feature = "portable-lock"))]
pub use portable::Mutex;
#[cfg(all(unix, not(feature = "portable-lock")))]
pub use posix::Mutex;

#[cfg(any(not(unix), feature = "portable-lock"))]
mod portable {
    use std::sync::PoisonError;

    /// A value that one thread at a time may use.
    pub struct Mutex<T>(std::sync::Mutex<T>);

    /// Access to the value of a locked [`Mutex`]; unlocks when dropped.
    pub type MutexGuard<T> = std::sync::MutexGuard<'static, T>;

    impl<T> Mutex<T> {
        /// A new, unlocked mutex around `value`, for a `static`.
        pub const fn new(value: T) -> Self {
            Self(std::sync::Mutex::new(value))
        }

        /// Waits until the mutex is free, then holds it until the guard
        /// drops.
        pub fn lock(&'static self) -> MutexGuard<T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }
}

#[cfg(all(unix, not(feature = "portable-lock")))]
mod posix {
    use std::{
        cell::UnsafeCell,
        marker::PhantomData,
        ops::{Deref, DerefMut},
    };

    /// A value that one thread at a time may use.
    pub struct Mutex<T> {
        raw: UnsafeCell<libc::pthread_mutex_t>,
        value: UnsafeCell<T>,
    }

    // SAFETY: the mutex gives access to the value to one thread at a time, so
    // sharing it only ever moves the value between threads.
    unsafe impl<T: Send> Sync for Mutex<T> {}

    impl<T> Mutex<T> {
        /// A new, unlocked mutex around `value`, for a `static`.
        pub const fn new(value: T) -> Self {
            Self {
                raw: UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER),
                value: UnsafeCell::new(value),
            }
        }

        /// Waits until the mutex is free, then holds it until the guard drops.
        pub fn lock(&'static self) -> MutexGuard<T> {
            // SAFETY: statically initialized, never moved ('static).  Nothing
            // called under it calls back in, so no thread locks it twice.
            let error = unsafe { libc::pthread_mutex_lock(self.raw.get()) };
            assert_eq!(error, 0, "pthread_mutex_lock");
            MutexGuard {
                mutex: self,
                _locked_here: PhantomData,
            }
        }
    }

    /// Access to the value of a locked [`Mutex`]; unlocks when dropped.
    pub struct MutexGuard<T: 'static> {
        mutex: &'static Mutex<T>,
        // Not Send: only the thread that locked a POSIX mutex may unlock it.
        _locked_here: PhantomData<*const ()>,
    }

    impl<T> Deref for MutexGuard<T> {
        type Target = T;

        fn deref(&self) -> &T {
            // SAFETY: the guard exists only while this thread holds the mutex.
            unsafe { &*self.mutex.value.get() }
        }
    }

    impl<T> DerefMut for MutexGuard<T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: the guard exists only while this thread holds the mutex,
            // and `&mut self` makes this the only access through the guard.
            unsafe { &mut *self.mutex.value.get() }
        }
    }

    impl<T> Drop for MutexGuard<T> {
        fn drop(&mut self) {
            // SAFETY: this thread locked the mutex when it made the guard.
            let error = unsafe { libc::pthread_mutex_unlock(self.mutex.raw.get()) };
            debug_assert_eq!(error, 0, "pthread_mutex_unlock");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicU8, Ordering},
        time::{Duration, Instant},
    };

    use super::*;

    #[test]
    fn excludes_other_threads() {
        static COUNTER: Mutex<u64> = Mutex::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..100_000 {
                        // A read and a write apart: a lost update shows.
                        let mut value = COUNTER.lock();
                        let read = *value;
                        *value = read + 1;
                    }
                });
            }
        });
        assert_eq!(*COUNTER.lock(), 400_000);
    }

    #[test]
    fn a_panic_unlocks() {
        static LOCK: Mutex<i32> = Mutex::new(1);
        let result = std::panic::catch_unwind(|| {
            let _guard = LOCK.lock();
            panic!("inside the critical section");
        });
        assert!(result.is_err());
        assert_eq!(*LOCK.lock(), 1);
    }

    /// Runs the calling thread on CPU 0 only; false if the system refuses.
    #[cfg(target_os = "linux")]
    fn pin_to_cpu0() -> bool {
        // SAFETY: a zeroed cpu_set_t is an empty set; the calls only read
        // and write the set passed to them.
        unsafe {
            let mut cpus: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(0, &mut cpus);
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &raw const cpus) == 0
        }
    }

    /// A `SCHED_FIFO` thread that wants the mutex while an ordinary thread
    /// on the same CPU holds it must let that thread run: a waiter that
    /// spins keeps the CPU, and the holder would only get the few percent
    /// that real-time throttling leaves it.
    #[test]
    #[cfg(target_os = "linux")]
    // Needs CAP_SYS_NICE and a CPU of its own for 100 ms: not in QEMU's
    // "make check", which runs many tests at once on machines it shares.
    #[cfg_attr(MESON, ignore)]
    fn a_real_time_waiter_lets_the_holder_run() {
        static LOCK: Mutex<()> = Mutex::new(());
        const HOLD: Duration = Duration::from_millis(100);
        const STARTING: u8 = 0;
        const LOCKED: u8 = 1;
        const NOT_PINNED: u8 = 2;
        let holder_state = AtomicU8::new(STARTING);
        let waited = std::thread::scope(|scope| {
            scope.spawn(|| {
                if !pin_to_cpu0() {
                    holder_state.store(NOT_PINNED, Ordering::SeqCst);
                    return;
                }
                let _guard = LOCK.lock();
                holder_state.store(LOCKED, Ordering::SeqCst);
                // Keep the CPU busy, not asleep: only a waiter that sleeps
                // lets this finish in time.
                let start = Instant::now();
                while start.elapsed() < HOLD {
                    std::hint::spin_loop();
                }
            });
            let waiter = scope.spawn(|| {
                loop {
                    match holder_state.load(Ordering::SeqCst) {
                        LOCKED => break,
                        NOT_PINNED => return None,
                        _ => std::thread::yield_now(),
                    }
                }
                let param = libc::sched_param { sched_priority: 1 };
                // SAFETY: plain system calls on the calling thread.
                let real_time = pin_to_cpu0()
                    && unsafe {
                        libc::pthread_setschedparam(
                            libc::pthread_self(),
                            libc::SCHED_FIFO,
                            &raw const param,
                        )
                    } == 0;
                let start = Instant::now();
                drop(LOCK.lock());
                real_time.then(|| start.elapsed())
            });
            waiter.join().expect("the waiter does not panic")
        });
        match waited {
            Some(waited) => assert!(
                waited < HOLD * 10,
                "a SCHED_FIFO waiter got the mutex only after {waited:?}"
            ),
            None => eprintln!("SCHED_FIFO or CPU affinity refused here: not tested"),
        }
    }
}
