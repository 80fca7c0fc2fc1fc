// SPDX-License-Identifier: GPL-2.0-or-later

//! Generates the C header from the Rust source into `OUT_DIR`.
//!
//! The committed `include/iothread-holders.h` must equal it: the test
//! `header_is_current` fails when they differ, and
//! `IOTHREAD_HOLDERS_UPDATE_HEADER=1 cargo build` rewrites the committed
//! copy.

use std::{env, fs, path::PathBuf};

fn main() {
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is readable");
    let generated = out_dir.join("iothread-holders.h");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read the crate")
        .write_to_file(&generated);

    if env::var_os("IOTHREAD_HOLDERS_UPDATE_HEADER").is_some() {
        fs::copy(&generated, crate_dir.join("include/iothread-holders.h"))
            .expect("include/ is writable");
    }
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=IOTHREAD_HOLDERS_UPDATE_HEADER");
}
