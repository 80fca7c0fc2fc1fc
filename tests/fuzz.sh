#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fuzzes the C ABI against a model with libFuzzer for SECONDS (default 60),
# starting from fuzz/regressions/.  Builds with the stable toolchain: the
# coverage instrumentation is plain LLVM sanitizer-coverage.  A failing
# input is saved under fuzz/artifacts/; copy it to fuzz/regressions/ (as
# NAME.bin) so that `cargo test` replays it for good.
#
# usage: tests/fuzz.sh [SECONDS]

set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
cd "$repo/fuzz"

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cdebug-assertions -Coverflow-checks"
# With an explicit --target, RUSTFLAGS instrument the fuzz target only,
# not the build scripts.
target=$(rustc -vV | sed -n 's/^host: //p')
cargo build --quiet --release --bin abi --target "$target"

mkdir -p corpus artifacts
cp -n regressions/*.bin corpus/ 2>/dev/null || true
status=0
"target/$target/release/abi" -max_total_time="$seconds" -max_len=4096 \
    -artifact_prefix=artifacts/ -print_final_stats=1 corpus >fuzz.log 2>&1 ||
    status=$?
grep -E '^(#[0-9]+.*DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|Done [0-9]+ runs)' fuzz.log || true
if [ "$status" != 0 ]; then
    tail -30 fuzz.log
    echo "fuzzing found a failure: see fuzz/artifacts/ and fuzz/fuzz.log"
fi
exit "$status"
