#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's own checks of its Rust code, on an --enable-rust build made by
# build-qemu.sh, as QEMU's CI runs them (tests/docker/test-rust): clippy
# with QEMU's lints and its clippy.toml ("make clippy"), rustdoc ("make
# rustdoc") and rustfmt with QEMU's rust/rustfmt.toml.  All must pass, and
# none may report anything about the iothread-holders crate; clippy's
# warnings about QEMU's own crates (those of a clippy newer than QEMU's CI's,
# e.g. 1.95's manual_checked_ops in rust/hw/core/src/qdev.rs, unchanged by
# the series) are shown and not failed on.
#
# usage: rust-checks.sh BUILD_DIR

set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: rust-checks.sh BUILD_DIR}" && pwd)
src=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["directories"]["source"])' \
    "$build/meson-info/meson-info.json") || exit 1
path=$("$repo/scripts/without-cargo.sh" --print-path)
status=0

# clippy looks for clippy.toml from CLIPPY_CONF_DIR, else from the current
# directory, which "make clippy" makes the build directory, and upwards:
# with a build outside QEMU's tree, QEMU's clippy.toml (its doc-valid-idents,
# msrv) would go unseen, and clippy would take whatever clippy.toml lies
# above the build, or none.  So point it at the build's own source tree.
[ -f "$src/clippy.toml" ] || { echo "$src has no clippy.toml"; exit 1; }
echo "== make clippy (QEMU's lints, every Rust target of the build), CLIPPY_CONF_DIR=$src"
PATH=$path CLIPPY_CONF_DIR=$src ninja -C "$build" clippy >"$build/clippy.log" 2>&1 || status=1
# Each finding is "warning: ..." or "error: ..." and, a few lines on, the
# place it is about, " --> FILE:LINE:COL" (relative to the build directory
# or absolute).  Errors fail the check wherever they are; warnings only in
# the series' crate: the stable clippy here is newer than QEMU's CI's and
# warns about QEMU's own code too (see below).
findings=$(awk '
    function flush() { if (kind != "") print kind "\t" (file == "" ? "?" : file) "\t" msg; kind = "" }
    /^(warning|error)(\[[^]]*\])?: / {
        flush()
        if ($0 ~ /^(warning|error): ([0-9]+ warnings? emitted|aborting due to)/) next
        kind = ($0 ~ /^error/) ? "error" : "warning"; file = ""; msg = $0; next
    }
    kind != "" && file == "" && /^ *--> / { file = $2; sub(/:[0-9]+:[0-9]+$/, "", file) }
    END { flush() }' "$build/clippy.log")
if [ -n "$findings" ]; then
    cut -f1,2 <<<"$findings" | sort | uniq -c
fi
ours='(^|/)rust/iothread-holders/|iothread_holders'
if grep -q '^error' <<<"$findings" || grep -Eq '^error(\[|:)' "$build/clippy.log"; then
    echo "clippy reports errors"
    status=1
fi
if awk -F'\t' -v re="$ours" '$1 == "warning" && ($2 ~ re || $2 == "?")' <<<"$findings" | grep -q .; then
    echo "clippy warns about the iothread-holders crate, or about no file:"
    awk -F'\t' -v re="$ours" '$1 == "warning" && ($2 ~ re || $2 == "?") { print "  " $3 " (" $2 ")" }' <<<"$findings"
    status=1
fi
others=$(awk -F'\t' -v re="$ours" '$1 == "warning" && $2 != "?" && $2 !~ re' <<<"$findings" | wc -l)
[ "$others" = 0 ] ||
    echo "($others warning(s) about QEMU's own code, not the series': not failed on)"

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
