#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs QEMU's own tests on the patched build: our qtest and iotest,
# qos-test, the qtest-x86_64 meson suite and iotests -qcow2 -g quick.
# Failures already present without the series (see BASELINE below) are
# allowed; anything else fails the run.
#
# usage: run-tests.sh   (after build-qemu.sh; honours $QEMU_WORKDIR)

set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
build=${QEMU_WORKDIR:-$repo/.qemu}/build

# Measured on the unpatched build of the same source and configuration:
# - bios-tables-test: the ACPI tables of Debian's firmware differ from the
#   expected data in the source tree.
# - migration-test: runs for many minutes and does not involve IOThreads.
excluded_qtests=(bios-tables-test migration-test)
# - iotest 153: Debian's own patch changes qemu-img's option error text.
# - iotest 312: flaky on both builds (4 of 30 runs failed unpatched, 3 of
#   30 patched, side by side): it runs qemu-img map right after sending
#   'quit', without waiting for QEMU to exit, and sometimes finds the
#   image still locked.  Allowed to fail, never required to.
baseline_iotest_failures=(153 312)

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
export QTEST_QEMU_BINARY=./qemu-system-x86_64
export QTEST_QEMU_IMG=./qemu-img
export QTEST_QEMU_STORAGE_DAEMON_BINARY=./storage-daemon/qemu-storage-daemon

echo "== iothread-holders-test"
tests/qtest/iothread-holders-test --tap -k
record iothread-holders-test $?

echo "== qos-test"
tests/qtest/qos-test --tap -k >qos-test.log 2>&1
status=$?
grep -c '^ok ' qos-test.log | sed 's/^/qos-test subtests ok: /'
grep '^not ok' qos-test.log
record qos-test $status

echo "== meson test --suite qtest-x86_64 (without ${excluded_qtests[*]})"
mapfile -t qtests < <(meson test --no-rebuild --list --suite qtest-x86_64 2>/dev/null |
    sed -n 's|.* - qemu:qtest-x86_64/||p' | grep -vxF -f <(printf '%s\n' "${excluded_qtests[@]}"))
meson test --no-rebuild --num-processes "$(nproc)" --suite qtest-x86_64 \
    "${qtests[@]/#/qtest-x86_64/}" >qtest-suite.log 2>&1
status=$?
grep -E '^(Ok|Expected Fail|Fail|Unexpected Pass|Skipped|Timeout): ' qtest-suite.log
grep -E ' (FAIL|TIMEOUT) ' qtest-suite.log
record "qtest-x86_64 suite (${#qtests[@]} tests)" $status

echo "== iotests -qcow2 -g quick (baseline failures: ${baseline_iotest_failures[*]})"
(cd tests/qemu-iotests && ./check -qcow2 -g quick) >iotests.log 2>&1
failures=$(sed -n 's/^Failures: //p' iotests.log | tr ' ' '\n' | sed '/^$/d' | sort)
new_failures=$(comm -23 <(echo "$failures") \
    <(printf '%s\n' "${baseline_iotest_failures[@]}" | sort) | sed '/^$/d')
grep -E '^(Passed all|Not run:|Failures:|Failed [0-9]+ of)' iotests.log
grep -Eq '^iothread-holders .*[[:space:]]pass[[:space:]]' iotests.log ||
    { echo "iotest iothread-holders did not pass"; new_failures+=" iothread-holders"; }
[ -z "$new_failures" ]
record "iotests quick (new failures: ${new_failures:-none})" $?

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
