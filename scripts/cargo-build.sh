#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the static library with cargo for meson, and copies it to the
# output meson expects.  Cargo keeps its own incremental state under
# TARGET_DIR; meson decides when to call this from the crate's files.
#
# usage: cargo-build.sh CARGO MANIFEST_DIR TARGET_DIR PROFILE OUTPUT

set -eu
cargo=$1 manifest_dir=$2 target_dir=$3 profile=$4 output=$5

case $profile in
release) profile_flag=--release ;;
debug) profile_flag= ;;
*) echo "cargo-build.sh: unknown profile '$profile'" >&2; exit 1 ;;
esac

# shellcheck disable=SC2086 # profile_flag is empty or one word
"$cargo" build --quiet --locked --lib $profile_flag \
    --manifest-path "$manifest_dir/Cargo.toml" --target-dir "$target_dir"
cp "$target_dir/$profile/libiothread_holders.a" "$output"
