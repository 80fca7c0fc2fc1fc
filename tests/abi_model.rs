// SPDX-License-Identifier: GPL-2.0-or-later

//! The fuzz target's model check, run over pseudo-random inputs and over
//! the saved inputs in `fuzz/regressions/`: hand-written seeds, and every
//! input the fuzzer ever found to fail.

mod support;

use support::{abi_model, XorShift};

#[test]
fn random_call_sequences_match_the_model() {
    let mut random = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..3_000 {
        let len = usize::from(random.byte()) * 2;
        let input: Vec<u8> = (0..len).map(|_| random.byte()).collect();
        abi_model::run(&input);
    }
}

#[test]
fn saved_inputs_still_pass() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    for entry in std::fs::read_dir(dir).expect("fuzz/regressions exists") {
        let path = entry.expect("a readable directory").path();
        if path.extension().is_some_and(|ext| ext == "bin") {
            abi_model::run(&std::fs::read(&path).expect("a readable input"));
        }
    }
}
