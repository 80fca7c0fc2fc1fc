// SPDX-License-Identifier: GPL-2.0-or-later

//! Calls through the C ABI decoded from the fuzzer's bytes, each checked
//! against a model (see tests/support/abi_model.rs).

#![no_main]

#[path = "../../tests/support/mod.rs"]
mod support;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    support::abi_model::run(data);
});
