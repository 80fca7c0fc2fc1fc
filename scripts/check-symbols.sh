#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The static library must define the C ABI and leave the BQL and QOM to
# QEMU (libqemuutil and libqom define them there): tests must never be able
# to link their stand-ins into it.
#
# usage: check-symbols.sh LIBRARY.a

set -eu
symbols=$(nm "$1" 2>/dev/null)
status=0
for defined in iothread_add_holder iothread_remove_holder iothread_ref \
               iothread_unref iothread_foreach_holder; do
    echo "$symbols" | grep -q " T $defined\$" ||
        { echo "$1 does not define $defined"; status=1; }
done
for undefined in bql_locked bql_block_unlock object_ref object_unref \
                 object_get_canonical_path_component; do
    echo "$symbols" | grep -q " U $undefined\$" ||
        { echo "$1 does not leave $undefined undefined"; status=1; }
    echo "$symbols" | grep -q " [TDB] $undefined\$" &&
        { echo "$1 defines $undefined"; status=1; }
done
[ $status = 0 ] &&
    echo "$1: the 5 functions of the ABI defined; the BQL and QOM left undefined"
exit $status
