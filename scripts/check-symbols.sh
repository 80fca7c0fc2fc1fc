#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The static library must define the C ABI and leave QOM's reference
# counting to QEMU: tests must never be able to link their fakes into it.
#
# usage: check-symbols.sh LIBRARY.a

set -eu
symbols=$(nm "$1" 2>/dev/null)
status=0
for defined in iothread_ref iothread_unref iothread_get_holders; do
    echo "$symbols" | grep -q " T $defined\$" ||
        { echo "$1 does not define $defined"; status=1; }
done
for undefined in object_ref object_unref; do
    echo "$symbols" | grep -q " U $undefined\$" ||
        { echo "$1 does not leave $undefined undefined"; status=1; }
    echo "$symbols" | grep -q " T $undefined\$" &&
        { echo "$1 defines $undefined"; status=1; }
done
[ $status = 0 ] && echo "$1: ABI defined, object_ref/object_unref undefined"
exit $status
