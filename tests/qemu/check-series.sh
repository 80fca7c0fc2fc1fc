#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks that every patch of the series builds on its own and passes QEMU's
# checkpatch.pl: applies them one at a time in a worktree of
# $QEMU_WORKDIR/src and rebuilds after each (configured once, so each step
# is incremental).  Run after build-qemu.sh; takes a while.
#
# Then tests the bisect window: the binaries built at the patches that add
# the object-del refusal, the export holders and the block-node holders run
# the series' holder qtest and iotest (built at the last patch).  The qtest
# passes at each.  The iotest passes at the block-node patch; before, it
# may fail by an assertion only where a holder it expects is not there yet
# (at the export patch: only in the cases of block nodes), never by a crash.
#
# usage: check-series.sh [--checkpatch-only]

set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
workdir=${QEMU_WORKDIR:-$repo/.qemu}
src=$workdir/src
tree=$workdir/series-src
build=$workdir/series-build

log() { printf '[check-series] %s\n' "$*" >&2; }

patches=()
for patch in "$repo"/qemu-patches/0*.patch; do
    case $(basename "$patch") in 0000-*) ;; *) patches+=("$patch") ;; esac
done

# Errors and warnings both fail, but for the one warning the series keeps:
# an iotest's reference output is compared line by line with what the test
# prints, so it cannot start with an SPDX line (no reference output has one).
expected_warning="WARNING: Does new file 'tests/qemu-iotests/tests/iothread-holders.out' need 'SPDX-License-Identifier'?"
checkpatch() {
    local output unexpected
    if ! output=$(perl "$src/scripts/checkpatch.pl" -q "$1"); then
        printf '%s\n' "$output"
        log "checkpatch reports errors: $(basename "$1")"
        return 1
    fi
    unexpected=$(printf '%s\n' "$output" |
        grep -vxF -e "$expected_warning" -e '' | grep -v '^total: ' || true)
    if [ -n "$unexpected" ]; then
        printf '%s\n' "$output"
        log "checkpatch reports warnings: $(basename "$1")"
        return 1
    fi
}

if [ "${1:-}" = --checkpatch-only ]; then
    status=0
    for patch in "${patches[@]}"; do
        checkpatch "$patch" || status=1
    done
    [ $status = 0 ] && log "checkpatch: no errors, and no warning but the expected one, in ${#patches[@]} patches"
    exit $status
fi

if [ ! -d "$tree" ]; then
    git -C "$src" worktree add -q --detach "$tree" debian-pristine
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q --force --detach debian-pristine

# The patches of the bisect window, by subject, and the binaries kept there
window_subjects=('iothread: refuse object-del while the IOThread has holders'
                 'block/export: register exports as IOThread holders'
                 'blockdev: x-blockdev-set-iothread holds the IOThread it moves a node to')
window_binaries=(qemu-system-x86_64 qemu-img qemu-io qemu-nbd
                 storage-daemon/qemu-storage-daemon)
# The iotest cases that need the block-node holders of the last window patch
node_cases='test_failed_export_leaves_node_held test_failed_export_without_iothread_leaves_node test_set_iothread_again_after_export_moved_node test_movable_export_moved_away test_set_iothread test_set_iothread_the_node_is_in test_export_without_iothread_holds_the_nodes'

status=0
window=()
for patch in "${patches[@]}"; do
    name=$(basename "$patch")
    checkpatch "$patch" || status=1
    git -C "$tree" -c user.name=build -c user.email=build@localhost am -q "$patch"
    if [ ! -f "$build/build.ninja" ]; then
        mkdir -p "$build"
        (cd "$build" && "$tree/configure" --target-list=x86_64-softmmu \
            --disable-docs --disable-werror --without-default-features \
            --enable-tools --disable-user --disable-install-blobs) >/dev/null
    fi
    if ninja -C "$build" >"$build/ninja.log" 2>&1; then
        log "builds: $name"
    else
        log "does not build: $name (see $build/ninja.log)"
        status=1
        break
    fi
    # A warning in a file this patch touches would break QEMU's -Werror CI
    touched=$(git -C "$tree" diff --name-only HEAD~ HEAD -- '*.c' '*.h')
    for file in $touched; do
        if grep -F "$file:" "$build/ninja.log" | grep -q 'warning:'; then
            grep -F "$file:" "$build/ninja.log" | grep 'warning:'
            log "compiler warnings in $file: $name"
            status=1
        fi
    done
    subject=$(git -C "$tree" log -1 --format=%s)
    for window_subject in "${window_subjects[@]}"; do
        [ "$subject" = "$window_subject" ] || continue
        kept=$build/window-${name%%-*}
        rm -rf "$kept" && mkdir -p "$kept/storage-daemon"
        # QEMU looks for its firmware next to its binary
        ln -s ../qemu-bundle "$kept/qemu-bundle"
        for binary in "${window_binaries[@]}"; do
            cp "$build/$binary" "$kept/$binary"
        done
        window+=("$kept:$subject")
    done
done
[ $status = 0 ] || exit $status
[ ${#window[@]} = ${#window_subjects[@]} ] || {
    log "the series has not the ${#window_subjects[@]} patches of the bisect window"; exit 1; }

# The last build's qtest and iotest against each window patch's binaries
"$repo/tests/qemu/link-firmware.sh" "$build"
for entry in "${window[@]}"; do
    kept=${entry%%:*} subject=${entry#*:}
    if ! QTEST_QEMU_BINARY=$kept/qemu-system-x86_64 \
            "$build/tests/qtest/iothread-holders-test" >"$kept/qtest.log" 2>&1; then
        log "holder qtest fails at \"$subject\" (see $kept/qtest.log)"
        status=1
        continue
    fi
    (cd "$build/tests/qemu-iotests" &&
        QEMU_PROG=$kept/qemu-system-x86_64 QEMU_IMG_PROG=$kept/qemu-img \
        QEMU_IO_PROG=$kept/qemu-io QEMU_NBD_PROG=$kept/qemu-nbd \
        QSD_PROG=$kept/storage-daemon/qemu-storage-daemon \
        ./check -qcow2 iothread-holders) >"$kept/iotest.log" 2>&1 || true
    failed=$(sed -n 's/^+\(FAIL\|ERROR\): \(test_[a-z_]*\).*/\1:\2/p' "$kept/iotest.log" |
        sort -u | tr '\n' ' ')
    unexpected=
    for failure in $failed; do
        case $subject:$failure in
            # No holder is registered yet; object-del must still not crash
            iothread:*:FAIL:*) ;;
            block/export:*:FAIL:*) [[ " $node_cases " == *" ${failure#FAIL:} "* ]] ||
                unexpected+=" $failure" ;;
            *) unexpected+=" $failure" ;;
        esac
    done
    if [ -n "$unexpected" ] || { [ -z "$failed" ] && ! grep -q '^Passed all 1 iotests' "$kept/iotest.log"; }; then
        log "holder iotest fails at \"$subject\":${unexpected:- (see $kept/iotest.log)}"
        status=1
        continue
    fi
    log "at \"$subject\": holder qtest passes; iotest ${failed:+fails only by assertions where a later patch adds the holder: }${failed:-passes}"
done
exit $status
