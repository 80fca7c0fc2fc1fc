#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The series carries this crate into QEMU's tree as
# subprojects/iothread-holders: the crate and its meson build, not its tests
# or its standalone wraps (inside QEMU, QEMU's own wraps serve).
#
# usage: subproject.sh check QEMU_SRC   fails if QEMU_SRC's copy differs
#        subproject.sh commit QEMU_SRC  commits this repository's files
#                                       there as a fixup of the patch that
#                                       adds them; then rebase --autosquash

set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
subdir=subprojects/iothread-holders

files() {
    git -C "$repo" ls-files Cargo.toml clippy.toml meson.build meson_options.txt src
}

case ${1:-} in
check)
    status=0
    while read -r file; do
        cmp -s "$repo/$file" "$2/$subdir/$file" ||
            { echo "$subdir/$file differs from this repository's $file"; status=1; }
    done < <(files)
    extra=$(cd "$2/$subdir" && find . -type f | sed 's|^\./||' | sort |
        comm -23 - <(files | sort))
    [ -z "$extra" ] || { echo "only in the series: $extra"; status=1; }
    [ $status = 0 ] && echo "the series carries this crate as it is here"
    exit $status
    ;;
commit)
    target=$(git -C "$2" log --format=%H --grep='^subprojects: add iothread-holders' -1)
    [ -n "$target" ] || { echo "no commit 'subprojects: add iothread-holders' in $2"; exit 1; }
    rm -rf "${2:?}/$subdir"
    while read -r file; do
        mkdir -p "$2/$subdir/$(dirname "$file")"
        cp "$repo/$file" "$2/$subdir/$file"
    done < <(files)
    git -C "$2" add -A "$subdir"
    git -C "$2" commit -q --fixup="$target"
    echo "committed; now: git -C $2 rebase -q --autosquash $target~1"
    ;;
*)
    sed -n 's/^# usage: /usage: /p; s/^#        /       /p' "$0" >&2
    exit 2
    ;;
esac
