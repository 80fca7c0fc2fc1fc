// SPDX-License-Identifier: GPL-2.0-or-later

//! The committed C header must be what cbindgen generates from the source
//! today; `IOTHREAD_HOLDERS_UPDATE_HEADER=1 cargo build` refreshes it.

#[test]
fn header_is_current() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/iothread-holders.h"));
    let committed = include_str!("../include/iothread-holders.h");
    assert!(
        generated == committed,
        "include/iothread-holders.h is stale: run \
         `IOTHREAD_HOLDERS_UPDATE_HEADER=1 cargo build` and commit it"
    );
}
