#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs a command with rustc and rustdoc on PATH but no cargo: meson builds
# the crate (and QEMU) by calling rustc itself, and this shows it.  Every
# PATH directory that holds cargo (rustup's ~/.cargo/bin, or /usr/bin with
# Debian's cargo) is replaced by a directory of symlinks to all it holds
# but cargo and its subcommands.
#
# usage: without-cargo.sh COMMAND [ARG...]
#        without-cargo.sh --print-path

set -euo pipefail
farms=${XDG_CACHE_HOME:-$HOME/.cache}/iothread-holders/without-cargo
bin=$farms/rust-bin
mkdir -p "$bin"
for tool in rustc rustdoc; do
    real=$(rustup which "$tool" 2>/dev/null || command -v "$tool") ||
        { echo "without-cargo.sh: no $tool" >&2; exit 1; }
    ln -sfn "$(readlink -f "$real")" "$bin/$tool"
done
path=$bin
n=0
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
    [ -n "$dir" ] || continue
    if [ -e "$dir/cargo" ]; then
        n=$((n + 1))
        farm=$farms/$n
        rm -rf "$farm" && mkdir -p "$farm"
        for entry in "$dir"/*; do
            case ${entry##*/} in cargo | cargo-*) ;; *) ln -s "$entry" "$farm/" ;; esac
        done
        dir=$farm
    fi
    path+=:$dir
done
if PATH=$path command -v cargo >/dev/null; then
    echo "without-cargo.sh: cargo is still on PATH" >&2
    exit 1
fi
if [ "${1:-}" = --print-path ]; then
    echo "$path"
else
    PATH=$path exec "$@"
fi
