#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds QEMU 10.0 from Debian's source package with this repository's
# patch series applied and the library linked in as a meson subproject.
#
# Everything lives under $QEMU_WORKDIR (default: .qemu/ at the repository
# root): download/ the source package, src/ a git tree of it with the series
# applied, build/ the patched build.  A second run re-applies the series only
# if it changed and rebuilds only what changed.
#
# usage: build-qemu.sh [--unpatched]
#   --unpatched  build the pristine source in build-unpatched/ instead, for
#                side-by-side comparisons

set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
workdir=${QEMU_WORKDIR:-$repo/.qemu}
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

# The source package the series is written against.
debian_version=1:10.0.13+ds-0+deb13u1
pristine_tag=debian-pristine

log() { printf '[build-qemu] %s\n' "$*" >&2; }

unpatched=false
[ "${1:-}" = --unpatched ] && unpatched=true

"$repo/scripts/install-deps.sh" --qemu

obtain_source() {
    local download=$workdir/download
    if ! compgen -G "$download/qemu-*/configure" >/dev/null; then
        log "downloading QEMU's source package"
        rm -rf "$download" && mkdir -p "$download"
        (cd "$download" &&
            { apt-get source -q "qemu=$debian_version" ||
                { log "qemu $debian_version is gone from the archive; trying trixie's current version"
                  apt-get source -q qemu/trixie; }; }) >&2
    fi
    local unpacked
    unpacked=$(compgen -G "$download/qemu-*/configure")
    unpacked=${unpacked%/configure}

    if [ ! -d "$workdir/src/.git" ]; then
        log "importing $(basename "$unpacked") into a git tree"
        rm -rf "$workdir/src"
        cp -a "$unpacked" "$workdir/src"
        git -C "$workdir/src" init -q
        git -C "$workdir/src" add -A -f
        git -C "$workdir/src" -c user.name=debian -c user.email=debian@localhost \
            commit -q -m "QEMU from Debian's source package $(basename "$unpacked")"
        git -C "$workdir/src" tag "$pristine_tag"
        # The library is linked in, not committed into QEMU's tree.
        echo /subprojects/iothread-holders >>"$workdir/src/.git/info/exclude"
    fi
}

apply_series() {
    local src=$workdir/src stamp=$workdir/src/.git/iothread-holders-series
    local patches=() patch
    for patch in "$repo"/qemu-patches/[0-9][0-9][0-9][0-9]-*.patch; do
        [ -e "$patch" ] || continue
        case $(basename "$patch") in 0000-*) ;; *) patches+=("$patch") ;; esac
    done
    if [ ${#patches[@]} = 0 ]; then
        log "no patch in qemu-patches/"
        exit 1
    fi
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
            am -q "${patches[@]}"; then
        log "the series does not apply to $(git -C "$src" log -1 --format=%s "$pristine_tag")"
        log "it is written against qemu $debian_version"
        exit 1
    fi
    local applied
    applied=$(git -C "$scratch" rev-parse HEAD)
    git -C "$src" worktree remove --force "$scratch"
    git -C "$src" checkout -q --force --detach "$applied"
    echo "$want" >"$stamp"
}

link_firmware() {
    # A build tree looks for firmware in its qemu-bundle; the +ds source has
    # none, so use Debian's builds of it.
    local bundle=$1/qemu-bundle/usr/local/share/qemu
    mkdir -p "$bundle"
    local file
    for file in /usr/share/qemu/* /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom; do
        [ -e "$bundle/$(basename "$file")" ] || ln -s "$file" "$bundle/"
    done
}

configure_and_build() {
    local src=$1 build=$2
    if [ ! -f "$build/build.ninja" ]; then
        log "configuring $build"
        mkdir -p "$build"
        (cd "$build" && "$src/configure" --target-list=x86_64-softmmu \
            --disable-docs --disable-werror --without-default-features \
            --enable-tools --disable-user --disable-install-blobs) >&2
    fi
    log "building $build"
    ninja -C "$build" >&2
    link_firmware "$build"
}

obtain_source
if $unpatched; then
    if [ ! -d "$workdir/src-unpatched" ]; then
        git -C "$workdir/src" worktree add -q --detach "$workdir/src-unpatched" "$pristine_tag"
    fi
    configure_and_build "$workdir/src-unpatched" "$workdir/build-unpatched"
else
    apply_series
    ln -sfn "$repo" "$workdir/src/subprojects/iothread-holders"
    configure_and_build "$workdir/src" "$workdir/build"
fi
log "done: $workdir/build$($unpatched && echo -unpatched)/qemu-system-x86_64"
