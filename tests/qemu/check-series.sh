#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks that every patch of the series builds on its own and passes QEMU's
# checkpatch.pl: applies them one at a time in a worktree of
# $QEMU_WORKDIR/src and rebuilds after each (configured once, so each step
# is incremental).  Run after build-qemu.sh; takes a while.

set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
workdir=${QEMU_WORKDIR:-$repo/.qemu}
src=$workdir/src
tree=$workdir/series-src
build=$workdir/series-build

log() { printf '[check-series] %s\n' "$*" >&2; }

if [ ! -d "$tree" ]; then
    git -C "$src" worktree add -q --detach "$tree" debian-pristine
fi
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q --force --detach debian-pristine
ln -sfn "$repo" "$tree/subprojects/iothread-holders"

status=0
for patch in "$repo"/qemu-patches/0*.patch; do
    case $(basename "$patch") in 0000-*) continue ;; esac
    name=$(basename "$patch")
    if ! perl "$src/scripts/checkpatch.pl" -q "$patch" >/dev/null; then
        log "checkpatch reports errors: $name"
        status=1
    fi
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
