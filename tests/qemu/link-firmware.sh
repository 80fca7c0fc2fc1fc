#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A QEMU build tree looks for firmware in its qemu-bundle; Debian's +ds
# source has none, so link Debian's builds of it there.
#
# usage: link-firmware.sh BUILD_DIR

set -euo pipefail
bundle=$1/qemu-bundle/usr/local/share/qemu
mkdir -p "$bundle"
for file in /usr/share/qemu/* /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom; do
    # Keep what the build links there itself, even when it is not built
    # (trace-events-all): only firmware is missing.
    [ -e "$bundle/${file##*/}" ] || [ -L "$bundle/${file##*/}" ] ||
        ln -s "$file" "$bundle/"
done
