#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Checks that the series carries this repository's files into QEMU's tree
# as they are here: the crate's sources as rust/iothread-holders/src, the
# crate's QEMU build files (qemu-tree/rust/iothread-holders) and QEMU's unit
# test of the holder contract (qemu-tree/tests/unit), which this
# repository's C tests also build.
#
# usage: in-tree.sh QEMU_SRC

set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ $# = 1 ] || { sed -n 's/^# usage: /usage: /p' "$0" >&2; exit 2; }
qemu=$1
crate=rust/iothread-holders

# "file here" "file in QEMU's tree", one pair a line
pairs() {
    local file
    for file in $(git -C "$repo" ls-files src); do
        echo "$file $crate/$file"
    done
    for file in $(git -C "$repo" ls-files qemu-tree); do
        echo "$file ${file#qemu-tree/}"
    done
}

status=0
while read -r here there; do
    cmp -s "$repo/$here" "$qemu/$there" ||
        { echo "$there in the series differs from this repository's $here"; status=1; }
done < <(pairs)
extra=$(cd "$qemu" && find "$crate" -type f | sort |
    comm -23 - <(pairs | cut -d' ' -f2 | sort))
[ -z "$extra" ] || { echo "only in the series: $extra"; status=1; }
[ $status = 0 ] && echo "the series carries this repository's crate and contract test as they are here"
exit $status
