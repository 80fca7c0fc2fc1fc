// SPDX-License-Identifier: GPL-2.0-or-later

//! `BqlRefCell`: a `RefCell` whose value the BQL protects, as QEMU's
//! `bql::BqlRefCell` (`rust/bql/src/cell.rs`).  Each borrow forbids
//! releasing the BQL while it lasts (`bql_block_unlock()`, which also
//! checks that the BQL is held), and a borrow that conflicts with another
//! panics.

use std::{
    cell::{Cell, UnsafeCell},
    marker::PhantomData,
    ops::{Deref, DerefMut},
    ptr::NonNull,
};

/// A value that the BQL protects, borrowed as with `std::cell::RefCell`.
pub struct BqlRefCell<T> {
    value: UnsafeCell<T>,
    /// Shared borrows outstanding if positive, a mutable one if -1.
    borrows: Cell<isize>,
}

// SAFETY: as in QEMU: the BQL serializes every access, and it cannot be
// released while a borrow is outstanding.
unsafe impl<T: Send> Send for BqlRefCell<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for BqlRefCell<T> {}

impl<T> BqlRefCell<T> {
    /// A new cell, not borrowed.
    pub const fn new(value: T) -> Self {
        Self {
            value: UnsafeCell::new(value),
            borrows: Cell::new(0),
        }
    }

    /// Borrows the value for reading.
    ///
    /// # Panics
    ///
    /// If the value is borrowed mutably.
    #[track_caller]
    pub fn borrow(&self) -> BqlRef<'_, T> {
        let borrows = self.borrows.get();
        assert!(borrows >= 0, "already mutably borrowed");
        self.borrows.set(borrows + 1);
        crate::block_unlock(true);
        BqlRef {
            // SAFETY: only shared borrows exist while this one lasts.
            value: unsafe { NonNull::new_unchecked(self.value.get()) },
            borrows: &self.borrows,
        }
    }

    /// Borrows the value for writing.
    ///
    /// # Panics
    ///
    /// If the value is borrowed.
    #[track_caller]
    pub fn borrow_mut(&self) -> BqlRefMut<'_, T> {
        assert!(self.borrows.get() == 0, "already borrowed");
        self.borrows.set(-1);
        crate::block_unlock(true);
        BqlRefMut {
            // SAFETY: no other borrow exists while this one lasts.
            value: unsafe { NonNull::new_unchecked(self.value.get()) },
            borrows: &self.borrows,
            marker: PhantomData,
        }
    }
}

/// A shared borrow of the value of a [`BqlRefCell`].
pub struct BqlRef<'b, T> {
    value: NonNull<T>,
    borrows: &'b Cell<isize>,
}

impl<T> Deref for BqlRef<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the value lives and is not written while borrowed.
        unsafe { self.value.as_ref() }
    }
}

impl<T> Drop for BqlRef<'_, T> {
    fn drop(&mut self) {
        self.borrows.set(self.borrows.get() - 1);
        crate::block_unlock(false);
    }
}

/// A mutable borrow of the value of a [`BqlRefCell`].
pub struct BqlRefMut<'b, T> {
    value: NonNull<T>,
    borrows: &'b Cell<isize>,
    marker: PhantomData<&'b mut T>,
}

impl<T> Deref for BqlRefMut<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the value lives and is not shared while borrowed.
        unsafe { self.value.as_ref() }
    }
}

impl<T> DerefMut for BqlRefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in deref(), and `&mut self` is the only access.
        unsafe { self.value.as_mut() }
    }
}

impl<T> Drop for BqlRefMut<'_, T> {
    fn drop(&mut self) {
        self.borrows.set(0);
        crate::block_unlock(false);
    }
}
