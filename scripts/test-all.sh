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

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
step "cargo test (unit, model, stress, header drift)" cargo test --locked
step "cargo test under ThreadSanitizer" tests/tsan.sh
step "meson: C tests of the ABI under valgrind" \
    sh -c 'meson setup --reconfigure -Dtests=enabled build >/dev/null &&
           meson compile -C build && meson test -C build --print-errorlogs'
step "nm: ABI defined, QOM undefined" scripts/check-symbols.sh build/libiothread_holders.a
step "fuzz the C ABI against a model for 60 s" tests/fuzz.sh 60
step "build QEMU with the series" tests/qemu/build-qemu.sh
step "checkpatch.pl on every patch of the series" tests/qemu/check-series.sh --checkpatch-only
step "QEMU's tests on the patched build" tests/qemu/run-tests.sh
step "QEMU soak: 50 hotplug cycles under valgrind" \
    python3 tests/qemu/soak.py "${QEMU_WORKDIR:-$repo/.qemu}/build/qemu-system-x86_64" 50 --valgrind

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
