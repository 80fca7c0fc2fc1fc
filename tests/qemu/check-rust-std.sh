#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Each QEMU binary that links iothread.c must define the holder functions.
# The system emulator holds COUNT copies of Rust's standard library (1 for
# an --enable-rust build, whose emulators link the iothread-holders crate,
# 0 for --disable-rust); qemu-nbd and qemu-storage-daemon hold none in
# either build, and take the holder functions from iothread-holders.c,
# which the build compiles for them.  std's panic entry point is defined
# once per copy (mangled by current rustc, hence the pattern).
#
# usage: check-rust-std.sh BUILD_DIR COUNT

set -euo pipefail
build=$1 want=$2
functions='iothread_(ref|unref|add_holder|remove_holder|foreach_holder)'
status=0
for binary in qemu-system-x86_64 qemu-nbd storage-daemon/qemu-storage-daemon; do
    symbols=$(nm "$build/$binary")
    copies=$(grep -c ' T .*rust_begin_unwind$' <<<"$symbols" || true)
    defined=$(grep -cE " T $functions\$" <<<"$symbols" || true)
    expected=0
    [ "$binary" = qemu-system-x86_64 ] && expected=$want
    echo "$binary: $copies Rust std (expected $expected), $defined of 5 holder functions"
    [ "$copies" = "$expected" ] && [ "$defined" = 5 ] || status=1
done
# The tools' holder functions are iothread-holders.c, compiled for them
for target in qemu-nbd qemu-storage-daemon; do
    if grep -Eq "\"output\": \"[^\"]*${target}[^\"]*iothread-holders\\.c\\.o\"" \
            "$build/compile_commands.json"; then
        echo "$target: compiles iothread-holders.c"
    else
        echo "$target: does not compile iothread-holders.c"; status=1
    fi
done
exit $status
