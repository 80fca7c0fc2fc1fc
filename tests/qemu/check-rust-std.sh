#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each QEMU binary that links iothread.c must define the holder functions,
# and hold exactly COUNT copies of Rust's standard library (1 for an
# --enable-rust build, 0 for --disable-rust).  std's panic entry point is
# defined once per copy (mangled by current rustc, hence the pattern).
#
# usage: check-rust-std.sh BUILD_DIR COUNT

set -euo pipefail
build=$1 want=$2
status=0
for binary in qemu-system-x86_64 qemu-nbd storage-daemon/qemu-storage-daemon; do
    symbols=$(nm "$build/$binary")
    copies=$(grep -c ' T .*rust_begin_unwind$' <<<"$symbols" || true)
    defined=$(grep -cE ' T iothread_(ref|unref|get_holders)$' <<<"$symbols" || true)
    echo "$binary: $copies Rust std, $defined of 3 holder functions"
    [ "$copies" = "$want" ] && [ "$defined" = 3 ] || status=1
done
exit $status
