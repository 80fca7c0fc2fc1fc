// SPDX-License-Identifier: GPL-2.0-or-later

//! The C declarations that QEMU's `qom` crate has bindgen generate from
//! `qom/object.h`, as bindgen writes them; `Object` is opaque here.

use std::{
    ffi::{c_char, c_void},
    marker::{PhantomData, PhantomPinned},
};

/// QEMU's `struct Object`.
#[repr(C)]
pub struct Object {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

extern "C" {
    pub fn object_ref(obj: *mut c_void) -> *mut Object;
    pub fn object_unref(obj: *mut c_void);
    pub fn object_get_canonical_path_component(obj: *const Object) -> *const c_char;
}
