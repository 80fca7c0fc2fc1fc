#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build QEMU with the series, configured with --enable-rust so
# that the holders are kept by the iothread-holders Rust crate, start a small
# VM with two IOThreads and several disks, and show who holds each IOThread.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
workdir=${QEMU_WORKDIR:-$here/../../.qemu}

"$here/build-qemu.sh" --rust
echo "=== implementation shown: the iothread-holders Rust crate, linked into"
echo "=== a QEMU configured with --enable-rust ($workdir/build-rust):"
"$here/check-rust-std.sh" "$workdir/build-rust" 1 | sed 's/^/=== /'
python3 "$here/demo.py" "$workdir/build-rust/qemu-system-x86_64"
