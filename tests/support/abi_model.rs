// SPDX-License-Identifier: GPL-2.0-or-later

//! Turns bytes into a sequence of calls through the C ABI and checks each
//! result against a model: a plain list per `IOThread`.  Shared by the fuzz
//! target and by `cargo test`, which feeds it pseudo-random bytes.
//!
//! Each call is one byte, `iothread | kind << 2`, where `iothread` 3 is
//! NULL and `kind` is ref, unref or list; ref and unref read a holder:
//! 0 is NULL, 1 is "", 2 to 9 pick a fixed name (some non-UTF-8), 255 takes
//! a 4 KiB name from the input, and any other `n` takes the next `n % 64`
//! input bytes as a name.  NUL bytes in names become 0x01.

use std::ffi::CString;

use iothread_holders::{iothread_ref, iothread_unref};

use super::{criticals, holders, lock::Mutex, FakeIOThread};

const FIXED_NAMES: [&[u8]; 8] = [
    b"/machine/peripheral/disk0/virtio-backend",
    b"/machine/peripheral/disk1/virtio-backend",
    b"/machine/peripheral-anon/device[0]/virtio-backend",
    b"block-export:exp0",
    b"\xff\xfe\x80",
    b"/machine/\xc3\x28",
    b"a",
    b"/objects/colo0",
];

enum Holder {
    Null,
    Name(CString),
}

impl Holder {
    fn as_ptr(&self) -> *const std::ffi::c_char {
        match self {
            Holder::Null => std::ptr::null(),
            Holder::Name(name) => name.as_ptr(),
        }
    }

    /// The bytes of a valid holder, or `None` for NULL and "".
    fn valid(&self) -> Option<&[u8]> {
        match self {
            Holder::Name(name) if !name.as_bytes().is_empty() => Some(name.as_bytes()),
            _ => None,
        }
    }
}

fn read_holder(input: &mut &[u8]) -> Holder {
    let Some((&selector, rest)) = input.split_first() else {
        return Holder::Null;
    };
    *input = rest;
    let bytes: Vec<u8> = match selector {
        0 => return Holder::Null,
        1 => Vec::new(),
        2..=9 => FIXED_NAMES[usize::from(selector - 2)].to_vec(),
        255 => {
            let seed = input.first().copied().unwrap_or(b'x');
            (0..4096u16).map(|i| seed.wrapping_add(i as u8)).collect()
        }
        _ => {
            let len = usize::from(selector % 64).min(input.len());
            let (name, after) = input.split_at(len);
            *input = after;
            name.to_vec()
        }
    };
    let bytes = bytes
        .into_iter()
        .map(|b| if b == 0 { 1 } else { b })
        .collect::<Vec<_>>();
    Holder::Name(CString::new(bytes).expect("NUL bytes were replaced"))
}

/// Runs the calls that `input` encodes and panics at the first result that
/// differs from the model.
pub fn run(mut input: &[u8]) {
    // The count of CRITICAL messages is per process: one run at a time.
    // The library's mutex rather than std's, which ThreadSanitizer cannot see.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _serial = ONE_AT_A_TIME.lock();
    let iothreads: [FakeIOThread; 3] = Default::default();
    let mut model: [Vec<Vec<u8>>; 3] = Default::default();
    let mut expected_criticals = criticals();

    while let Some((&call, rest)) = input.split_first() {
        input = rest;
        let target = usize::from(call & 3);
        let iothread = iothreads
            .get(target)
            .map_or(std::ptr::null_mut(), FakeIOThread::as_ptr);
        match (call >> 2) % 3 {
            0 => {
                let holder = read_holder(&mut input);
                // SAFETY: NULL or a live fake IOThread; NULL or a C string.
                unsafe {
                    iothread_ref(iothread, holder.as_ptr());
                }
                match (model.get_mut(target), holder.valid()) {
                    (Some(list), Some(name)) => list.push(name.to_vec()),
                    _ => expected_criticals += 1,
                }
            }
            1 => {
                let holder = read_holder(&mut input);
                // SAFETY: as above.
                unsafe {
                    iothread_unref(iothread, holder.as_ptr());
                }
                let removed = match (model.get_mut(target), holder.valid()) {
                    (Some(list), Some(name)) => list
                        .iter()
                        .rposition(|listed| listed == name)
                        .map(|index| list.remove(index)),
                    _ => None,
                };
                if removed.is_none() {
                    expected_criticals += 1;
                }
            }
            _ => {
                let listed = holders(iothread);
                match model.get(target) {
                    Some(list) => assert_eq!(listed.as_ref(), Some(list)),
                    None => {
                        assert_eq!(listed, None);
                        expected_criticals += 1;
                    }
                }
            }
        }
        assert_eq!(criticals(), expected_criticals, "misuse reported once");
        for (fake, list) in iothreads.iter().zip(&model) {
            assert_eq!(fake.refcount(), list.len() as isize);
        }
    }

    for (iothread, list) in iothreads.iter().zip(&model) {
        assert_eq!(holders(iothread.as_ptr()).as_ref(), Some(list));
        for name in list.iter().rev() {
            let name = CString::new(name.clone()).expect("no NUL");
            // SAFETY: a live fake IOThread and a C string.
            unsafe {
                iothread_unref(iothread.as_ptr(), name.as_ptr());
            }
        }
        assert_eq!(iothread.refcount(), 0);
    }
    assert_eq!(criticals(), expected_criticals);
}
