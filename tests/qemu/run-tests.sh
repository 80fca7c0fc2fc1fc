#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs QEMU's own tests on a build made by build-qemu.sh: the series' qtest
# and iotest, qos-test, the qtest-x86_64 meson suite and iotests -qcow2 -g
# quick.  Failures already present without the series (see the baseline
# below) are allowed; anything else fails the run.
#
# usage: run-tests.sh [--unpatched|--holders-only] [BUILD_DIR]
#   BUILD_DIR      default $QEMU_BUILD, else $QEMU_WORKDIR/build-rust
#                  ($QEMU_WORKDIR defaults to .qemu/ at the repository root)
#   --unpatched    the build is of the pristine source: the series' own
#                  tests (iothread-holders) are not expected there
#   --holders-only only the series' own qtest, qos tests and iotest

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
# - iotests -qcow2 -g quick: 179 pass, 67 not run (format or protocol
#   not suitable, or a missing tool); two full runs passed all (96 s,
#   104 s).
#   153, which failed on 10.0 (Debian's patch to qemu-img's option error
#   text), passes on 10.2.2, but now and then fails like 312: "Failed to
#   get "write" lock" when qemu-img creates an image right after the
#   previous case's process let go of it (1 of 8 runs alone on the
#   unpatched --disable-rust build, 1 of 3 with the series).  Allowed to
#   fail, never required to.
#   - 312 is flaky: 1 of 31 runs failed (30 runs of 312 alone, while
#     another QEMU was building), with "Failed to get shared "write" lock":
#     it runs qemu-img map right after sending 'quit', without waiting for
#     QEMU to exit.  Allowed to fail, never required to.
#   - iothreads-create hangs now and then: blockdev-create of a node that a
#     virtio-scsi device uses from an IOThread never finishes, so the test
#     times out waiting for the job (5 s).  Unpatched, 2 of 8 runs alone
#     failed on the --enable-rust build and 3 of 8 on the --disable-rust
#     build (plus 1 of 1 full quick run there); with the wait raised to 60 s,
#     5 of 8 runs still timed out at 60 s: a real hang in 10.2.2, not
#     slowness.  Allowed to fail, never required to; a series touching
#     IOThreads must not make it worse (compare rates side by side).
baseline_iotest_failures=(153 312 iothreads-create)

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

if [ -x tests/qtest/iothread-holders-test ]; then
    echo "== iothread-holders-test"
    start=$SECONDS
    tests/qtest/iothread-holders-test --tap -k
    record iothread-holders-test $?
    echo "($((SECONDS - start)) s)"
elif ! $unpatched; then
    record "iothread-holders-test (not built)" 1
fi

if $holders_only; then
    echo "== qos-test, the iothread-holders tests"
    mapfile -t qos_paths < <(tests/qtest/qos-test -l | grep '/iothread-holders$')
    [ ${#qos_paths[@]} -gt 0 ] &&
        tests/qtest/qos-test --tap -k "${qos_paths[@]/#/-p=}"
    record "qos-test iothread-holders (${#qos_paths[@]} tests)" $?
    echo "== iotest iothread-holders"
    (cd tests/qemu-iotests && ./check -qcow2 iothread-holders)
    record "iotest iothread-holders" $?
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
fi

echo "== qos-test"
start=$SECONDS
tests/qtest/qos-test --tap -k >qos-test.log 2>&1
status=$?
grep -c '^ok ' qos-test.log | sed 's/^/qos-test subtests ok: /'
grep '^not ok' qos-test.log
record qos-test $status
echo "($((SECONDS - start)) s)"

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
    grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' qtest-suite.log
    grep -E ' (FAIL|TIMEOUT) ' qtest-suite.log
    record "qtest-x86_64 suite (${#qtests[@]} tests)" $status
fi
echo "($((SECONDS - start)) s)"

echo "== iotests -qcow2 -g quick (baseline failures: ${baseline_iotest_failures[*]})"
start=$SECONDS
(cd tests/qemu-iotests && ./check -qcow2 -g quick) >iotests.log 2>&1
failures=$(sed -n 's/^Failures: //p' iotests.log | tr ' ' '\n' | sed '/^$/d' | sort)
new_failures=$(comm -23 <(echo "$failures") \
    <(printf '%s\n' "${baseline_iotest_failures[@]}" | sort) | sed '/^$/d')
grep -E '^(Passed all|Not run:|Failures:|Failed [0-9]+ of)' iotests.log
if ! $unpatched; then
    grep -Eq '^iothread-holders .*[[:space:]]pass[[:space:]]' iotests.log ||
        { echo "iotest iothread-holders did not pass"; new_failures+=" iothread-holders"; }
fi
[ -z "$new_failures" ]
record "iotests quick (new failures: ${new_failures:-none})" $?
echo "($((SECONDS - start)) s)"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
