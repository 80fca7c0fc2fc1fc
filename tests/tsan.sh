#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the Rust tests (unit tests, the model check and the multi-threaded
# stress test) under ThreadSanitizer.  That needs a nightly toolchain
# (-Zsanitizer); without one this prints why and exits 77, which the test
# suite reports as skipped.  std is not rebuilt with instrumentation, so
# tests/tsan-std.supp silences std's own uninstrumented internals.
#
# usage: tests/tsan.sh

set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

if ! rustup run nightly rustc -V >/dev/null 2>&1; then
    echo "no nightly Rust toolchain: ThreadSanitizer not run"
    exit 77
fi
target=$(rustc -vV | sed -n 's/^host: //p')
# -Zsanitizer changes the ABI std was built with; std is used uninstrumented
# on purpose, so the mismatch is accepted.
export RUSTFLAGS="-Zsanitizer=thread -Cunsafe-allow-abi-mismatch=sanitizer"
export TSAN_OPTIONS="suppressions=$repo/tests/tsan-std.supp halt_on_error=1"
# An explicit --target keeps build scripts uninstrumented.
# The scale tests time and count the whole process: not for a sanitizer.
cargo +nightly test --locked --target "$target" --target-dir target/tsan \
    --lib --test abi_model --test stress --test log_handler
