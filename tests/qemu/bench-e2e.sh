#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds QEMU with and without the series (same source, same configuration)
# and compares them on the same workloads; see bench-e2e.py.
#
# usage: tests/qemu/bench-e2e.sh [ROUNDS]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
workdir=${QEMU_WORKDIR:-$here/../../.qemu}

"$here/build-qemu.sh" --rust
"$here/build-qemu.sh" --unpatched --rust
python3 "$here/bench-e2e.py" "$workdir/build-rust/qemu-system-x86_64" \
    "$workdir/build-unpatched-rust/qemu-system-x86_64" "${1:-7}"
