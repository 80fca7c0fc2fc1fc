// SPDX-License-Identifier: GPL-2.0-or-later

//! Turns bytes into a sequence of calls through the C ABI and checks each
//! result against a model: a plain list of holders per `IOThread`.  Shared
//! by the fuzz target and by `cargo test`, which feeds it pseudo-random
//! bytes.
//!
//! Each call is one byte, `iothread | kind << 2`: `iothread` picks one of
//! three `IOThreads` (3 is the first again), and `kind` is add, remove or
//! list.  Add reads a type byte (0 to 2 are QEMU's types, 3 `iothread_ref`,
//! any other byte a type value passed through as is) and a name: 0 to 7
//! pick a fixed name (some non-UTF-8), 255 makes a 4 KiB name, any other
//! `n` takes the next `n % 64` input bytes (NUL bytes become 0x01; an empty
//! name becomes the first fixed one).  Remove reads a byte that picks one
//! of the `IOThread`'s registrations, and removes that holder (by type and
//! name, so that its newest registration must go): the calls never misuse
//! the ABI, since misuse stops the process (the death tests check that).

use std::ffi::{c_uint, CString};

use iothread_holders::{iothread_add_holder, iothread_ref, iothread_remove_holder, iothread_unref};

use super::{holders, Bql, FakeIOThread, Holder};

const FIXED_NAMES: [&[u8]; 8] = [
    b"/machine/peripheral/disk0/virtio-backend",
    b"/machine/peripheral/disk1/virtio-backend",
    b"/machine/peripheral-anon/device[0]/virtio-backend",
    b"export0",
    b"\xff\xfe\x80",
    b"/machine/\xc3\x28",
    b"a",
    b"node-0",
];

/// `iothread_ref()` in the encoding; it registers type 0.
const REF: u8 = 3;

fn next(input: &mut &[u8]) -> u8 {
    let Some((&byte, rest)) = input.split_first() else {
        return 0;
    };
    *input = rest;
    byte
}

fn read_name(input: &mut &[u8]) -> CString {
    let bytes: Vec<u8> = match next(input) {
        selector @ 0..=7 => FIXED_NAMES[usize::from(selector)].to_vec(),
        255 => {
            let seed = input.first().copied().unwrap_or(b'x');
            (0..4096u16).map(|i| seed.wrapping_add(i as u8)).collect()
        }
        selector => {
            let len = usize::from(selector % 64).min(input.len());
            let (name, after) = input.split_at(len);
            *input = after;
            name.to_vec()
        }
    };
    let bytes = if bytes.is_empty() {
        FIXED_NAMES[0].to_vec()
    } else {
        bytes
            .into_iter()
            .map(|b| if b == 0 { 1 } else { b })
            .collect()
    };
    CString::new(bytes).expect("NUL bytes were replaced")
}

fn c_name(name: &[u8]) -> CString {
    CString::new(name).expect("a listed name has no NUL")
}

/// Runs the calls that `input` encodes and panics at the first result that
/// differs from the model.
pub fn run(mut input: &[u8]) {
    let _bql = Bql::lock();
    let iothreads = [
        FakeIOThread::new(Some("io0")),
        FakeIOThread::new(Some("io1")),
        FakeIOThread::new(None),
    ];
    let mut model: [Vec<Holder>; 3] = Default::default();

    while let Some((&call, rest)) = input.split_first() {
        input = rest;
        let target = usize::from(call & 3) % 3;
        let (iothread, list) = (&iothreads[target], &mut model[target]);
        match (call >> 2) % 3 {
            0 => {
                let type_byte = next(&mut input);
                let name = read_name(&mut input);
                // SAFETY: a live fake IOThread and a C string.
                unsafe {
                    if type_byte == REF {
                        iothread_ref(iothread.as_ptr(), name.as_ptr());
                    } else {
                        iothread_add_holder(
                            iothread.as_ptr(),
                            c_uint::from(type_byte),
                            name.as_ptr(),
                        );
                    }
                }
                let holder_type = if type_byte == REF {
                    0
                } else {
                    c_uint::from(type_byte)
                };
                list.push((holder_type, name.into_bytes()));
            }
            1 => {
                let pick = usize::from(next(&mut input));
                if list.is_empty() {
                    continue;
                }
                let (holder_type, name) = list[pick % list.len()].clone();
                let name = c_name(&name);
                // SAFETY: a live fake IOThread and a C string.
                unsafe {
                    if holder_type == 0 && pick % 2 == 0 {
                        iothread_unref(iothread.as_ptr(), name.as_ptr());
                    } else {
                        iothread_remove_holder(iothread.as_ptr(), holder_type, name.as_ptr());
                    }
                }
                let newest = list
                    .iter()
                    .rposition(|listed| *listed == (holder_type, name.as_bytes().to_vec()))
                    .expect("picked from the list");
                list.remove(newest);
            }
            _ => assert_eq!(&holders(iothread), list),
        }
        for (fake, registrations) in iothreads.iter().zip(&model) {
            assert_eq!(fake.refcount(), registrations.len() as isize);
        }
    }

    for (iothread, list) in iothreads.iter().zip(&model) {
        assert_eq!(&holders(iothread), list);
        for (holder_type, name) in list.iter().rev() {
            // SAFETY: a live fake IOThread and a C string.
            unsafe {
                iothread_remove_holder(iothread.as_ptr(), *holder_type, c_name(name).as_ptr());
            }
        }
        assert_eq!(iothread.refcount(), 0);
        assert!(holders(iothread).is_empty());
    }
}
