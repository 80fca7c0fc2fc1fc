#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The whole test suite, from a fresh machine: installs what it needs, then
# runs the Rust checks and tests, the C tests of the ABI under valgrind,
# and QEMU's tests on a QEMU built with the series.

set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

"$repo/scripts/install-deps.sh" --qemu || exit 1

passed=0
failed=0
skipped=0
# Runs one step; exit status 77 means it could not run here (it says why).
step() {
    local name=$1 status=0
    shift
    echo "=== $name"
    "$@" || status=$?
    case $status in
    0) passed=$((passed + 1)); echo "=== PASS: $name" ;;
    77) skipped=$((skipped + 1)); echo "=== SKIP: $name" ;;
    *) failed=$((failed + 1)); echo "=== FAIL: $name" ;;
    esac
}

qemu=${QEMU_WORKDIR:-$repo/.qemu}

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
step "cargo test (unit, model, C ABI with death tests, scale, header drift)" cargo test --locked
step "cargo clippy for Windows (x86_64-pc-windows-gnu std)" \
    env PKG_CONFIG_ALLOW_CROSS=1 \
    cargo clippy --locked --lib --target x86_64-pc-windows-gnu -- -D warnings
step "fuzz the C ABI against a model for 60 s" tests/fuzz.sh 60
step "build QEMU 10.2.2 with the series, --enable-rust and --disable-rust" \
    tests/qemu/build-qemu.sh
step "the series carries this crate and the contract test as they are here" tests/qemu/in-tree.sh "$qemu/src"
step "checkpatch.pl on every patch of the series" tests/qemu/check-series.sh --checkpatch-only
step "QEMU's iotests linters (CI's pinned pylint and mypy) on the series' tree" \
    tests/qemu/iotest-linters.sh "$qemu/src"
step "meson without cargo: the contract test against the Rust library and QEMU's iothread-holders.c, under valgrind" \
    sh -c 'rm -rf build &&
           scripts/without-cargo.sh meson setup build -Dtests=enabled -Dqemu_source="$1/src" &&
           scripts/without-cargo.sh meson compile -C build &&
           meson test -C build --print-errorlogs' sh "$qemu"
step "nm: the static library defines the ABI, leaves QOM undefined" \
    scripts/check-symbols.sh build/libiothread_holders.a
step "nm: one Rust std in the emulator with Rust, none in the tools or without Rust" \
    sh -c 'tests/qemu/check-rust-std.sh "$1/build-rust" 1 &&
           tests/qemu/check-rust-std.sh "$1/build-c" 0' sh "$qemu"
step "QEMU's checks of its Rust: make clippy, make rustdoc, rustfmt" \
    tests/qemu/rust-checks.sh "$qemu/build-rust"
step "QEMU's tests, --enable-rust build: check-unit, the series' qtest, qos-test, qtest-x86_64, check-block" \
    tests/qemu/run-tests.sh "$qemu/build-rust"
step "QEMU's tests, --disable-rust build under ASan and UBSan: check-unit, the series' qtest and qos tests, qos-test on aarch64, check-block" \
    tests/qemu/run-tests.sh --holders-only "$qemu/build-c"
step "QEMU soak, --enable-rust: 50 hotplug cycles under valgrind" \
    python3 tests/qemu/soak.py "$qemu/build-rust/qemu-system-x86_64" 50 --valgrind
step "QEMU soak, --disable-rust: 200 hotplug cycles under ASan and UBSan" \
    python3 tests/qemu/soak.py "$qemu/build-c/qemu-system-x86_64" 200

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
