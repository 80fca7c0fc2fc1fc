#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs QEMU's own tests on a build made by build-qemu.sh: "make check-unit"
# (the holder contract test, and the crate's tests with Rust), the series'
# qtest and iotest, qos-test (on aarch64 too where the build has it), the
# qtest-x86_64 meson suite and "make check-block" (iotests -qcow2 -g auto,
# the series' iotest among them).  Tests that fail without the series too
# are left out by name (see the baseline below); any failure fails the run.
#
# usage: run-tests.sh [--unpatched|--holders-only] [BUILD_DIR]
#   BUILD_DIR      default $QEMU_BUILD, else $QEMU_WORKDIR/build-rust
#                  ($QEMU_WORKDIR defaults to .qemu/ at the repository root)
#   --unpatched    the build is of the pristine source: the series' own
#                  tests (iothread-holders) are not expected there
#   --holders-only only the series' own qtest, qos tests and iotest, and
#                  qos-test on aarch64 where the build has it

set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
unpatched=false
holders_only=false
build=
for arg in "$@"; do
    case $arg in
        --unpatched) unpatched=true ;;
        --holders-only) holders_only=true ;;
        -*) echo "usage: run-tests.sh [--unpatched|--holders-only] [BUILD_DIR]" >&2; exit 2 ;;
        *) build=$arg ;;
    esac
done
build=${build:-${QEMU_BUILD:-${QEMU_WORKDIR:-$repo/.qemu}/build-rust}}

# The baseline, measured on the unpatched qemu 1:10.2.2+ds-1 (Debian's
# patched source), --enable-rust build, this configuration, 2 cores, Debian
# 12, firmware from Debian's seabios, ipxe-qemu and qemu-system-data:
# - qos-test: 91 subtests, all ok (16 s).
# - qtest-x86_64 suite, all 58 tests (101 s): OK, except cdrom-test and
#   am53c974-test, which SKIP (no test to run: cdrom-test needs xorrisofs,
#   which is not installed; am53c974-test has tests for i386 only).
#   migration-test (the quick set meson runs: 14 subtests ok, 56 s) passed
#   on 10.2.2 on earlier machines, unlike on 10.0.  On others, where
#   /dev/kvm is usable and its guests run with -accel kvm, the same quick
#   set takes minutes, close to or past meson's 480 s timeout, and its
#   time follows the load on the machine: unpatched 10.2.2 --disable-rust,
#   run alone beside light work, 14 subtests ok in about 270 s; with the
#   series, --disable-rust, beside a full QEMU build, 14 ok in 533 s; with
#   the series, --enable-rust, in the suite, stopped at 480 s after 12
#   (unpatched --enable-rust was not measured on that machine).  The
#   series does not touch migration, so it is excluded rather than given
#   a timeout that would double the suite's time.
#   bios-tables-test passed too (53 subtests ok, 108 s) on earlier machines,
#   but fails on unpatched 10.2.2 on others, with the same firmware
#   packages: /x86_64/acpi/piix4/dimmpxm finds the NVDIMM buffer (MEMA in
#   SSDT.dimmpxm) one page higher than the expected table, and
#   /x86_64/acpi/q35/mmio64 fails as well.  It tests ACPI tables, which the
#   series does not touch, so it is excluded rather than made to depend on
#   the machine.
excluded_qtests=(bios-tables-test migration-test)
# - make check-block (iotests -qcow2 -g auto, 134 tests with the series'
#   own): with the series, --disable-rust build (x86_64 and aarch64, Xen,
#   ASan and UBSan): 127 OK, 7 skipped (format or protocol not suitable,
#   or a missing tool), none failed, 120 s (83 s without the sanitizers).
#   The iotests that fail now and then on 10.2.2 (153 and 312, which race
#   the previous process for an image lock, and iothreads-create, a hang
#   in 10.2.2) are not in group auto.  161, which is, lost that same race
#   once beside a parallel build (8 of 8 reruns passed): a test that fails
#   by that message alone is run once more (see below).
#   Under ASan, nbd-qemu-allocation hangs now and then: 5 of 60 runs on the
#   --disable-rust build with the sanitizers (0 of 60 without), both threads
#   of qemu-nbd waiting on AddressSanitizer's own allocator lock after
#   qemu-nbd forked.  It does not touch IOThreads; on a sanitizer build it
#   is left out.
sanitizer_excluded_iotests=(nbd-qemu-allocation)

# Prints the summary of a meson test log, and its failed tests
meson_summary() {
    grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' "$1"
    grep -E ' (FAIL|TIMEOUT|ERROR) ' "$1"
}

# Fails unless each test named after the meson test log passed in it; a
# test's line: " 59/106 unit - qemu:test-iothread-holders   OK ..."
passed_in() {
    local log=$1 test status=0
    shift
    for test; do
        if grep -Eq " - qemu:$test +OK " "$log"; then
            echo "passed: $test"
        else
            echo "did not pass: $test"; status=1
        fi
    done
    return $status
}

passed=0
failed=0
record() {
    local name=$1 status=$2
    if [ "$status" = 0 ]; then
        passed=$((passed + 1)); echo "PASS: $name"
    else
        failed=$((failed + 1)); echo "FAIL: $name"
    fi
}

cd "$build" || { echo "no QEMU build in $build: run build-qemu.sh" >&2; exit 1; }
build=$(pwd)
echo "== build $build"
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export QTEST_QEMU_IMG=./qemu-img
export QTEST_QEMU_STORAGE_DAEMON_BINARY=./storage-daemon/qemu-storage-daemon
# In a build with UBSan, undefined behaviour stops the test that meets it,
# as an AddressSanitizer report does
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

if [ -x tests/qtest/iothread-holders-test ]; then
    echo "== iothread-holders-test"
    start=$SECONDS
    tests/qtest/iothread-holders-test --tap -k
    record iothread-holders-test $?
    echo "($((SECONDS - start)) s)"
elif ! $unpatched; then
    record "iothread-holders-test (not built)" 1
fi

# make check-unit: QEMU's unit tests, among them the holder contract test
# against iothread-holders.c and, in a Rust build, against the crate too,
# and the crate's own tests.
echo "== make check-unit"
start=$SECONDS
make -j"$(nproc)" check-unit >check-unit.log 2>&1
status=$?
meson_summary check-unit.log
if ! $unpatched; then
    want=(test-iothread-holders)
    grep -q '^#define CONFIG_HAVE_RUST' config-host.h &&
        want+=(test-iothread-holders-rust rust-iothread-holders-tests)
    passed_in check-unit.log "${want[@]}" || status=1
fi
record "make check-unit" $status
echo "($((SECONDS - start)) s)"

# qos-test with $1 as the emulator; the holder qos tests must be among the
# subtests that pass.
run_qos_test() {
    local binary=$1 log=qos-test-${1#./qemu-system-}.log status holders
    echo "== qos-test, $binary"
    local start=$SECONDS
    QTEST_QEMU_BINARY=$binary tests/qtest/qos-test --tap -k >"$log" 2>&1
    status=$?
    grep -c '^ok ' "$log" | sed 's/^/qos-test subtests ok: /'
    grep '^not ok' "$log"
    holders=$(grep -c '^ok .*/iothread-holders$' "$log")
    echo "of which iothread-holders: $holders"
    grep '^ok .*/iothread-holders$' "$log" | sed 's/^ok [0-9]* /  /'
    [ "$status" = 0 ] && { $unpatched || [ "$holders" -gt 0 ]; }
    record "qos-test $binary" $?
    echo "($((SECONDS - start)) s)"
}

if $holders_only; then
    echo "== qos-test, the iothread-holders tests"
    mapfile -t qos_paths < <(tests/qtest/qos-test -l | grep '/iothread-holders$')
    [ ${#qos_paths[@]} -gt 0 ] &&
        tests/qtest/qos-test --tap -k "${qos_paths[@]/#/-p=}"
    record "qos-test iothread-holders (${#qos_paths[@]} tests)" $?
else
    run_qos_test ./qemu-system-x86_64

    echo "== meson test --suite qtest-x86_64 (excluded: ${excluded_qtests[*]:-none})"
    start=$SECONDS
    mapfile -t qtests < <(meson test --no-rebuild --list --suite qtest-x86_64 2>/dev/null |
        sed -n 's|.* - qemu:qtest-x86_64/||p' |
        grep -vxF -f <(printf '%s\n' "${excluded_qtests[@]}" "(none excluded)"))
    if [ ${#qtests[@]} = 0 ]; then
        record "qtest-x86_64 suite (no test found)" 1
    else
        meson test --no-rebuild --num-processes "$(nproc)" --suite qtest-x86_64 \
            "${qtests[@]/#/qtest-x86_64/}" >qtest-suite.log 2>&1
        status=$?
        meson_summary qtest-suite.log
        record "qtest-x86_64 suite (${#qtests[@]} tests)" $status
    fi
    echo "($((SECONDS - start)) s)"
fi

if [ -x qemu-system-aarch64 ]; then
    run_qos_test ./qemu-system-aarch64
fi

# make check-block: the suite "block" of meson, one test per iotest of
# group auto, qcow2.  It builds nothing that build-qemu.sh has not built.
# On a build with ASan, the same meson run without the excluded iotests.
start=$SECONDS
if meson introspect --buildoptions | grep -q '"name": "asan", "value": true'; then
    echo "== make check-block, as meson test (excluded: ${sanitizer_excluded_iotests[*]})"
    mapfile -t iotests < <(meson test --no-rebuild --list --suite block 2>/dev/null |
        sed -n 's|.* - qemu:||p' |
        grep -vxF -f <(printf 'io-qcow2-%s\n' "${sanitizer_excluded_iotests[@]}"))
    meson test --no-rebuild -t 1 --num-processes "$(nproc)" --print-errorlogs \
        --suite block "${iotests[@]}" >check-block.log 2>&1
else
    echo "== make check-block"
    make -j"$(nproc)" check-block >check-block.log 2>&1
fi
status=$?
meson_summary check-block.log
# An iotest that fails only because a qemu-img lost the race for the image
# lock against the QEMU the test has just quit ("Failed to get "write"
# lock") is run once more: 161 did so once in a run beside a parallel
# build, and passed 8 of 8 reruns on the same machine and load.  It counts
# as passed only if it passes then; any other failure stands.
if [ $status != 0 ]; then
    status=0
    for test in $(sed -n 's/.* - qemu:\(io-qcow2-[^ ]*\) .* FAIL .*/\1/p' check-block.log | sort -u); do
        if ! grep -A40 "qemu:$test$" meson-logs/testlog.txt | grep -q 'Failed to get "write" lock'; then
            echo "failed: $test"; status=1; continue
        fi
        if meson test --no-rebuild -t 1 --suite block "$test" >"$test.rerun.log" 2>&1; then
            echo "lost the image lock race once, passed when run again: $test"
        else
            echo "failed twice: $test"; status=1
        fi
    done
fi
if ! $unpatched; then
    passed_in check-block.log io-qcow2-iothread-holders || status=1
fi
record "make check-block" $status
echo "($((SECONDS - start)) s)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
