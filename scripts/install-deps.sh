#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Installs what building and testing this project needs, on Debian 12 as
# root.  Safe to run again: it only installs what is missing.
#
# usage: install-deps.sh [--qemu]   (--qemu adds what building QEMU needs)

set -euo pipefail

want_qemu=false
[ "${1:-}" = --qemu ] && want_qemu=true

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_packages=(gcc pkg-config libglib2.0-dev valgrind ninja-build python3-pip)
if $want_qemu; then
    apt_packages+=(libpixman-1-dev libfdt-dev flex bison dpkg-dev git
                   seabios ipxe-qemu socat curl xz-utils
                   bindgen libclang1-14 libclang-common-14-dev
                   libxen-dev
                   python3-venv)
fi

# QEMU's source comes from sid's source package (qemu 1:10.2.2+ds-1, pinned
# by tests/qemu/build-qemu.sh); the firmware data (kvmvapic.bin,
# linuxboot_dma.bin, ...) from bookworm-backports' qemu-system-data 10.0,
# which QEMU 10.2.2's tests pass with (bookworm's own 7.2 is not tested).
# --enable-rust needs bindgen >= 0.60 and libclang with clang's own headers
# (stdarg.h): bookworm's bindgen 0.60.1 and libclang 14.  The --disable-rust
# build enables Xen (bookworm's libxen-dev 4.17) so that xen-block compiles.
# tests/qemu/iotest-linters.sh makes a venv (python3-venv) for the pylint
# and mypy that QEMU's CI pins.
sources=/etc/apt/sources.list.d/iothread-holders-qemu.sources
sources_version='# iothread-holders qemu sources v2 (sid deb-src)'
apt_updated=false
if $want_qemu && ! grep -qxF "$sources_version" "$sources" 2>/dev/null; then
    as_root tee "$sources" >/dev/null <<SOURCES
$sources_version
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    as_root apt-get update -qq
    apt_updated=true
fi

missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
        grep -q 'install ok installed' || missing+=("$package")
done
if $want_qemu; then
    dpkg-query -W -f='${Version}' qemu-system-data 2>/dev/null | grep -q '^1:10\.' ||
        missing+=(qemu-system-data/bookworm-backports)
fi
if [ ${#missing[@]} -gt 0 ]; then
    $apt_updated || as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian 12's meson is too old for this project and for QEMU 10.2, whose
# pythondeps.toml asks meson >= 1.9.0 when Rust is enabled.
meson_ok() {
    command -v meson >/dev/null &&
        python3 -c 'import sys; v = tuple(map(int, sys.argv[1].split(".")[:2])); sys.exit(v < (1, 9))' \
            "$(meson --version)"
}
meson_ok && python3 -c 'import pycotap' 2>/dev/null ||
    python3 -m pip install -q --root-user-action=ignore 'meson>=1.9' pycotap

if command -v rustup >/dev/null; then
    for component in rustfmt clippy; do
        rustup component list --installed | grep -q "^$component" ||
            rustup component add "$component"
    done
    # Windows' std, to type-check the lock QEMU's Windows builds would use
    rustup target list --installed | grep -qx x86_64-pc-windows-gnu ||
        rustup target add x86_64-pc-windows-gnu
fi
