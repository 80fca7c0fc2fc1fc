#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The main job: build QEMU with the series and the library, start a small VM
# with two IOThreads and several disks, and show who holds each IOThread.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
workdir=${QEMU_WORKDIR:-$here/../../.qemu}

"$here/build-qemu.sh" --rust
python3 "$here/demo.py" "$workdir/build-rust/qemu-system-x86_64"
