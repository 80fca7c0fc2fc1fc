// SPDX-License-Identifier: GPL-2.0-or-later

//! Stand-in for QEMU's `qom` crate (`rust/qom` in QEMU 10.2): the part of
//! its API that iothread-holders uses, with the same names, signatures and
//! behaviour.  Like QEMU's, it calls `object_ref()`, `object_unref()` and
//! `object_get_canonical_path_component()`, which the program that links
//! it defines.

pub mod bindings;

use std::{ffi::c_void, ptr::NonNull};

use bindings::{object_ref, object_unref};

/// A QOM object, reached only by reference.
#[repr(transparent)]
pub struct Object(bindings::Object);

// SAFETY: as in QEMU: the C side says which thread may do what (the BQL).
unsafe impl Send for Object {}
// SAFETY: as above.
unsafe impl Sync for Object {}

/// A type whose instances are QOM objects.
///
/// # Safety
///
/// `Self` begins with a QOM `Object`.
pub unsafe trait ObjectType: Sized {
    /// The object as a pointer for C.
    fn as_object_ptr(&self) -> *const bindings::Object {
        std::ptr::from_ref(self).cast()
    }
}

// SAFETY: an Object is one.
unsafe impl ObjectType for Object {}

/// A QOM reference: `object_unref()` when dropped, which needs the BQL,
/// because the last reference finalizes the object.
pub struct Owned<T: ObjectType>(NonNull<T>);

impl<T: ObjectType> Owned<T> {
    /// Takes a new reference on `obj` (`object_ref()`).
    ///
    /// # Safety
    ///
    /// `obj` is not embedded in another object, unless the outer object is
    /// guaranteed to live longer.
    pub unsafe fn from(obj: &T) -> Self {
        // SAFETY: a live object, by the reference.
        unsafe {
            object_ref(obj.as_object_ptr().cast_mut().cast::<c_void>());
        }
        Self(NonNull::from(obj))
    }
}

impl<T: ObjectType> Drop for Owned<T> {
    fn drop(&mut self) {
        assert!(bql::is_locked());
        // SAFETY: `from` took this reference, which kept the object alive.
        unsafe {
            object_unref(self.0.as_ptr().cast::<c_void>());
        }
    }
}
