// SPDX-License-Identifier: GPL-2.0-or-later

//! Stand-in for QEMU's `bql` crate (`rust/bql` in QEMU 10.2): the part of
//! its API that iothread-holders uses, with the same names, signatures and
//! behaviour.  Like QEMU's, it calls `bql_locked()`, `rust_bql_mock_lock()`
//! and `bql_block_unlock()`, which the program that links it defines.

mod cell;

pub use cell::{BqlRef, BqlRefCell, BqlRefMut};

mod bindings {
    extern "C" {
        pub fn bql_locked() -> bool;
        pub fn rust_bql_mock_lock();
        pub fn bql_block_unlock(increase: bool);
    }
}

/// Makes the calling test hold the BQL, as far as `is_locked()` can tell.
pub fn start_test() {
    // SAFETY: a stand-in of QEMU's test helper; it only sets a flag.
    unsafe {
        bindings::rust_bql_mock_lock();
    }
}

/// Whether the calling thread holds the BQL.
pub fn is_locked() -> bool {
    // SAFETY: the function only returns a flag.
    unsafe { bindings::bql_locked() }
}

/// Forbids (`true`) or allows again (`false`) releasing the BQL, around a
/// borrow of a [`BqlRefCell`].
pub fn block_unlock(increase: bool) {
    // SAFETY: the function only adjusts a counter.
    unsafe {
        bindings::bql_block_unlock(increase);
    }
}
