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
step() {
    local name=$1
    shift
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1)); echo "=== PASS: $name"
    else
        failed=$((failed + 1)); echo "=== FAIL: $name"
    fi
}

step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --locked --all-targets -- -D warnings
step "cargo test (unit, model, stress, header drift)" cargo test --locked
step "meson: C tests of the ABI under valgrind" \
    sh -c 'meson setup --reconfigure -Dtests=enabled build >/dev/null &&
           meson compile -C build && meson test -C build --print-errorlogs'
step "nm: ABI defined, QOM undefined" scripts/check-symbols.sh build/libiothread_holders.a
step "fuzz the C ABI against a model for 60 s" tests/fuzz.sh 60
step "build QEMU with the series" tests/qemu/build-qemu.sh
step "QEMU's tests on the patched build" tests/qemu/run-tests.sh
step "QEMU soak: 50 hotplug cycles under valgrind" \
    python3 tests/qemu/soak.py "${QEMU_WORKDIR:-$repo/.qemu}/build/qemu-system-x86_64" 50 --valgrind

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
