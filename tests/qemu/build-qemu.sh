#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds QEMU 10.2.2 from Debian's source package (qemu 1:10.2.2+ds-1, with
# Debian's own patches applied), with this repository's patch series from
# qemu-patches/ on top, in two configurations of the same source tree:
# --enable-rust (build-rust/) and --disable-rust (build-c/).
#
# Everything lives under $QEMU_WORKDIR (default: .qemu/ at the repository
# root):
#   download/          the source package, checked against pinned checksums
#   src/               a git tree of it (tag debian-pristine) + the series
#   build-rust/        --enable-rust build of src/ (x86_64)
#   build-c/           --disable-rust build of src/ (x86_64 and aarch64, Xen,
#                      ASan and UBSan)
#   src-unpatched/     (--unpatched) a git worktree at debian-pristine
#   build-unpatched-rust/, build-unpatched-c/   its builds
#   crates/            the Rust crates QEMU's wraps name, checked
# A second run re-does nothing that is done: it re-applies the series only
# if it changed and lets ninja rebuild only what changed.
#
# --enable-rust on Debian's +ds source: Debian dropped QEMU's
# subprojects/packagefiles, so the crates' meson.build files come from
# tests/qemu/testbed/ (see its README.md).  The crates are downloaded here,
# not by meson, and configure and ninja run with a PATH that holds rustc
# and rustdoc but no cargo.
#
# usage: build-qemu.sh [--unpatched] [--rust|--no-rust]
#   --unpatched  build the pristine Debian source instead of the series
#   --rust       only the --enable-rust configuration
#   --no-rust    only the --disable-rust configuration
#   (default: both)

set -Eeuo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
workdir=${QEMU_WORKDIR:-$repo/.qemu}
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

# The source package the series is written against, pinned: the .dsc by its
# own sha256, the other two files by the checksums the .dsc lists.
debian_version=1:10.2.2+ds-1
dsc_file=qemu_10.2.2+ds-1.dsc
dsc_sha256=f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd
unpacked_name=qemu-10.2.2+ds
pristine_tag=debian-pristine

# colo-proxy: colo-compare, one of the IOThread users the series converts,
# is left out with --without-default-features.
configure_options=(--disable-docs --disable-werror --without-default-features
                   --enable-tools --disable-user --disable-install-blobs
                   --enable-colo-proxy)
# The --disable-rust build also has aarch64, whose qos graph runs the holder
# qos tests on another machine and bus, and Xen, so that xen-block compiles;
# and QEMU's sanitizers, AddressSanitizer and UBSan, under which its tests
# and the soak run.  valgrind runs the soak on the --enable-rust build,
# which tells it where QEMU's coroutine stacks are: without that, memcheck
# now and then takes a switch to a coroutine for a stack change and
# reports every access to the coroutine's stack.
rust_options=(--target-list=x86_64-softmmu --enable-rust --enable-valgrind)
c_options=(--target-list=x86_64-softmmu,aarch64-softmmu --disable-rust
           --enable-xen --enable-asan --enable-ubsan)

log() { printf '[build-qemu] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
trap 'log "error: failed (status $?) at line $LINENO: $BASH_COMMAND"' ERR

unpatched=false
configs=(rust c)
for arg in "$@"; do
    case $arg in
        --unpatched) unpatched=true ;;
        --rust) configs=(rust) ;;
        --no-rust) configs=(c) ;;
        -h|--help) sed -n '/^# usage:/,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown argument $arg (usage: build-qemu.sh [--unpatched] [--rust|--no-rust])" ;;
    esac
done

"$repo/scripts/install-deps.sh" --qemu

verify_download() {
    local download=$1
    [ -f "$download/$dsc_file" ] || return 1
    echo "$dsc_sha256  $download/$dsc_file" | sha256sum -c --quiet --status 2>/dev/null || {
        log "$dsc_file does not have the pinned sha256 $dsc_sha256"; return 1; }
    local sums
    sums=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$download/$dsc_file" |
        awk '{print $1 "  " $3}')
    [ "$(echo "$sums" | wc -l)" = 2 ] || { log "$dsc_file lists no two sha256 checksums"; return 1; }
    (cd "$download" && echo "$sums" | sha256sum -c --quiet) >&2 || {
        log "a file of the source package differs from the checksum in $dsc_file"; return 1; }
}

obtain_source() {
    if [ -d "$workdir/src/.git" ]; then
        local subject
        subject=$(git -C "$workdir/src" log -1 --format=%s "$pristine_tag" 2>/dev/null || true)
        [[ $subject == *"qemu $debian_version" ]] ||
            die "$workdir/src is not an import of qemu $debian_version (${subject:-no tag $pristine_tag}): move $workdir away (keeping any work in it) and run again"
        return 0
    fi
    local download=$workdir/download
    if [ ! -f "$download/$unpacked_name/configure" ]; then
        mkdir -p "$download"
        if ! verify_download "$download" 2>/dev/null; then
            log "downloading qemu $debian_version's source package"
            (cd "$download" && apt-get source --download-only -q "qemu=$debian_version") >&2 ||
                die "qemu $debian_version cannot be had from the archive (needs the deb-src entry for sid that scripts/install-deps.sh --qemu adds)"
        fi
        verify_download "$download" ||
            die "qemu $debian_version's files do not match the pinned checksums: not using them"
        log "unpacking with dpkg-source -x (applies Debian's patches)"
        rm -rf "${download:?}/$unpacked_name"
        (cd "$download" && dpkg-source -x "$dsc_file" "$unpacked_name") >&2
        [ -f "$download/$unpacked_name/configure" ] || die "dpkg-source -x gave no $unpacked_name/"
    fi

    log "importing $unpacked_name into a git tree"
    rm -rf "$workdir/src.tmp"
    cp -a "$download/$unpacked_name" "$workdir/src.tmp"
    git -C "$workdir/src.tmp" init -q
    git -C "$workdir/src.tmp" add -A -f
    git -C "$workdir/src.tmp" -c user.name=debian -c user.email=debian@localhost \
        commit -q -m "QEMU from Debian's source package qemu $debian_version"
    git -C "$workdir/src.tmp" tag "$pristine_tag"
    rm -rf "$workdir/src"
    mv "$workdir/src.tmp" "$workdir/src"
}

apply_series() {
    local src=$workdir/src stamp=$workdir/src/.git/iothread-holders-series
    local patches=() patch
    for patch in "$repo"/qemu-patches/[0-9][0-9][0-9][0-9]-*.patch; do
        [ -e "$patch" ] || continue
        case $(basename "$patch") in 0000-*) ;; *) patches+=("$patch") ;; esac
    done
    [ ${#patches[@]} -gt 0 ] ||
        die "no patch in qemu-patches/ (use --unpatched to build the pristine source)"
    local want
    want=$(cat "${patches[@]}" | sha256sum | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0

    # Apply in a scratch worktree, then move src/ to the result: git then
    # rewrites only the files whose content differs, and ninja rebuilds only
    # what they affect.
    log "applying ${#patches[@]} patches with git am"
    local scratch=$workdir/apply-series
    git -C "$src" worktree remove --force "$scratch" >/dev/null 2>&1 || rm -rf "$scratch"
    git -C "$src" worktree prune
    git -C "$src" worktree add -q --detach "$scratch" "$pristine_tag"
    if ! git -C "$scratch" -c user.name=build -c user.email=build@localhost \
            am -q "${patches[@]}" >&2; then
        git -C "$scratch" am --abort >/dev/null 2>&1 || true
        git -C "$src" worktree remove --force "$scratch" >/dev/null 2>&1 || true
        die "the series in qemu-patches/ does not apply to qemu $debian_version (Debian's patched source)"
    fi
    local applied
    applied=$(git -C "$scratch" rev-parse HEAD)
    git -C "$src" worktree remove --force "$scratch"
    git -C "$src" checkout -q --force --detach "$applied"
    echo "$want" >"$stamp"
}

wrap_get() { sed -n "s/^$2[[:space:]]*=[[:space:]]*//p" "$1" | head -n1; }

# Puts every crate a subprojects/*.wrap downloads from the crate registry
# where meson uses it without downloading: see tests/qemu/testbed/README.md.
provide_crates() {
    local src=$1 wrap
    mkdir -p "$workdir/crates"
    for wrap in "$src"/subprojects/*.wrap; do
        local url name version dir file hash patchdir wrapname crate
        url=$(wrap_get "$wrap" source_url)
        [[ $url =~ ^https://crates\.io/api/v1/crates/([^/]+)/([^/]+)/download$ ]] || continue
        name=${BASH_REMATCH[1]} version=${BASH_REMATCH[2]}
        dir=$(wrap_get "$wrap" directory)
        file=$(wrap_get "$wrap" source_filename)
        hash=$(wrap_get "$wrap" source_hash)
        patchdir=$(wrap_get "$wrap" patch_directory)
        wrapname=$(basename "$wrap" .wrap)
        crate=$workdir/crates/$name-$version.crate
        if ! echo "$hash  $crate" | sha256sum -c --quiet --status 2>/dev/null; then
            log "downloading crate $name $version"
            curl -fsSL --retry 3 -o "$crate.tmp" \
                "https://static.crates.io/crates/$name/$name-$version.crate" ||
                die "cannot download crate $name $version"
            echo "$hash  $crate.tmp" | sha256sum -c --quiet --status ||
                die "crate $name $version does not match the source_hash of $wrapname.wrap"
            mv "$crate.tmp" "$crate"
        fi
        if [ -n "$patchdir" ] && [ -d "$src/subprojects/packagefiles/$patchdir" ]; then
            # The tree carries this wrap's packagefiles: let meson apply them.
            mkdir -p "$src/subprojects/packagecache"
            cmp -s "$crate" "$src/subprojects/packagecache/$file" ||
                cp "$crate" "$src/subprojects/packagecache/$file"
            continue
        fi
        local ours=$repo/tests/qemu/testbed/subprojects/$wrapname/meson.build
        [ -f "$ours" ] ||
            die "$wrapname.wrap has no packagefiles in the tree and tests/qemu/testbed/ has no meson.build for it"
        grep -q "version: '$version'" "$ours" ||
            die "${ours#"$repo"/} is not for $name $version, which $wrapname.wrap asks"
        local target=$src/subprojects/$dir
        if [ ! -f "$target/.testbed-crate" ] ||
                [ "$(cat "$target/.testbed-crate")" != "$hash" ]; then
            rm -rf "$target" "$target.tmp"
            mkdir -p "$target.tmp"
            tar -xzf "$crate" -C "$target.tmp" --strip-components=1
            echo "$hash" >"$target.tmp/.testbed-crate"
            mv "$target.tmp" "$target"
        fi
        cmp -s "$ours" "$target/meson.build" || cp "$ours" "$target/meson.build"
    done
    # All of that must be invisible to git (QEMU's subprojects/.gitignore).
    local untracked
    untracked=$(git -C "$src" status --porcelain -- subprojects | grep '^??' || true)
    [ -z "$untracked" ] || die "git sees the crates put into $src: $untracked"
}

# What run-tests.sh needs, not ninja's whole default: whatever the tests of
# the meson suites unit ("make check-unit"), qtest-x86_64 and block ("make
# check-block") depend on (the emulators, the tools, the unit and qtest
# binaries), as meson's introspection lists them.
test_targets() {
    local build=$1
    "$build/pyvenv/bin/python3" - "$build" <<'PYTHON'
import json, os, subprocess, sys
build = sys.argv[1]
def introspect(what):
    return json.loads(subprocess.check_output(
        [os.path.join(build, 'pyvenv/bin/meson'), 'introspect', what, build]))
targets = {t['id']: t for t in introspect('--targets')}
want = {'qemu-system-x86_64', 'qemu-img', 'qemu-io', 'qemu-nbd',
        'storage-daemon/qemu-storage-daemon'}
for test in introspect('--tests'):
    if {'qemu:unit', 'qemu:qtest-x86_64', 'qemu:block'} & set(test['suite']):
        for dep in test['depends']:
            want.update(os.path.relpath(f, build) for f in targets[dep]['filename'])
print('\n'.join(sorted(want)))
PYTHON
}

configure_and_build() {
    local src=$1 build=$2 config=$3
    local options=("${configure_options[@]}") path=$PATH
    if [ "$config" = rust ]; then
        options+=("${rust_options[@]}")
        provide_crates "$src"
        # meson calls rustc itself, and nothing may reach a registry.
        path=$("$repo/scripts/without-cargo.sh" --print-path)
    else
        options+=("${c_options[@]}")
    fi
    local stamp=$build/.testbed-configure
    local want="$src ${options[*]}"
    if [ ! -f "$build/build.ninja" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "configuring $build: ${options[*]}"
        rm -rf "$build" && mkdir -p "$build"
        local start=$SECONDS
        (cd "$build" && PATH=$path "$src/configure" "${options[@]}") >&2
        echo "$want" >"$stamp"
        log "configure took $((SECONDS - start)) s"
    fi
    # Let meson regenerate first (the series may add tests), then ask it.
    PATH=$path ninja -C "$build" build.ninja >&2
    local targets
    mapfile -t targets < <(test_targets "$build")
    [ ${#targets[@]} -gt 5 ] || die "meson's introspection of $build lists no test targets"
    log "building ${#targets[@]} targets in $build"
    local start=$SECONDS
    PATH=$path ninja -C "$build" "${targets[@]}" >&2
    log "ninja took $((SECONDS - start)) s"
    "$repo/tests/qemu/link-firmware.sh" "$build"
    [ -x "$build/qemu-system-x86_64" ] || die "no $build/qemu-system-x86_64"
    # The point of colo-proxy and Xen: the conversions there are compiled.
    local file files=(net/colo-compare.c)
    if [ "$config" = c ]; then
        [ -x "$build/qemu-system-aarch64" ] || die "no $build/qemu-system-aarch64"
        files+=(hw/block/dataplane/xen-block.c)
    fi
    for file in "${files[@]}"; do
        grep -q "\"file\": \"[^\"]*$file\"" "$build/compile_commands.json" ||
            die "$build does not compile $file"
    done
}

obtain_source
if $unpatched; then
    src=$workdir/src-unpatched prefix=$workdir/build-unpatched
    if [ ! -e "$src/.git" ]; then
        git -C "$workdir/src" worktree prune
        git -C "$workdir/src" worktree add -q --detach "$src" "$pristine_tag"
    fi
else
    apply_series
    src=$workdir/src prefix=$workdir/build
fi
for config in "${configs[@]}"; do
    configure_and_build "$src" "$prefix-$config" "$config"
done
for config in "${configs[@]}"; do
    log "done: $prefix-$config/qemu-system-x86_64 (also qemu-img, qemu-io, qemu-nbd, storage-daemon/qemu-storage-daemon$([ "$config" = c ] && echo ', qemu-system-aarch64'))"
done
