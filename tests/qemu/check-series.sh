#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks that every patch of the series builds on its own and passes QEMU's
# checkpatch.pl: applies them one at a time in a worktree of
# $QEMU_WORKDIR/src and rebuilds after each (configured once, so each step
# is incremental).  Run after build-qemu.sh; takes a while.
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

status=0
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
done
exit $status
