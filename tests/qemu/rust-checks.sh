#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's own checks of its Rust code, on an --enable-rust build made by
# build-qemu.sh, as QEMU's CI runs them (tests/docker/test-rust): clippy
# with QEMU's lints ("make clippy"), rustdoc ("make rustdoc") and rustfmt
# with QEMU's rust/rustfmt.toml.  All must pass, and none may report
# anything about the iothread-holders crate.
#
# usage: rust-checks.sh BUILD_DIR

set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: rust-checks.sh BUILD_DIR}" && pwd)
src=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
    "$build/meson-info/meson-info.json") || exit 1
path=$("$repo/scripts/without-cargo.sh" --print-path)
status=0

echo "== make clippy (QEMU's lints, every Rust target of the build)"
PATH=$path ninja -C "$build" clippy >"$build/clippy.log" 2>&1 || status=1
grep -E '^(warning|error)' "$build/clippy.log" | sort | uniq -c
# A finding names its file ("--> .../rust/iothread-holders/src/...") and
# the command of the target it is in (--crate-name iothread_holders).
if grep -Eq -- '--> [^ ]*rust/iothread-holders/|--crate-name (rust_)?iothread_holders' \
        "$build/clippy.log"; then
    echo "clippy reports findings in the iothread-holders crate"
    status=1
fi

echo "== make rustdoc"
PATH=$path ninja -C "$build" rustdoc >"$build/rustdoc.log" 2>&1 || { tail -20 "$build/rustdoc.log"; status=1; }
grep -E '^(warning|error)' "$build/rustdoc.log" | sort | uniq -c
[ -f "$build/doc/iothread_holders/index.html" ] ||
    { echo "rustdoc wrote no doc/iothread_holders/index.html"; status=1; }

# QEMU's rustfmt.toml asks for nightly-only options too; the stable rustfmt
# here warns about them and applies the others.
echo "== rustfmt --check with QEMU's rust/rustfmt.toml ($(rustfmt --version))"
rustfmt --check --edition 2021 --config-path "$src/rust/rustfmt.toml" \
    "$src/rust/iothread-holders/src/lib.rs" 2> >(grep -v 'only available in nightly' >&2) ||
    status=1

exit $status
