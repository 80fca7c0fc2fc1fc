/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU declares the holder functions in include/system/iothread.h and
 * include/system/iothread-holders.h, with its QAPI enum where the crate's
 * header has unsigned int.  Both must compile in one translation unit, in
 * either order: this file builds with -Werror, so any mismatch fails the
 * build.  qemu-shim/ has QEMU's declarations.
 */

#include "qemu/osdep.h"
#include "system/iothread.h"
#include "system/iothread-holders.h"
#include "iothread-holders.h"

/* Taking the addresses checks the definitions' types, not only the names */
void (*const qemu_header_compat_add)(IOThread *, IOThreadHolderType,
                                     const char *) = iothread_add_holder;
void (*const qemu_header_compat_remove)(IOThread *, IOThreadHolderType,
                                        const char *) = iothread_remove_holder;
void (*const qemu_header_compat_ref)(IOThread *, const char *) = iothread_ref;
void (*const qemu_header_compat_unref)(IOThread *, const char *) =
    iothread_unref;
void (*const qemu_header_compat_foreach)(IOThread *, IOThreadHolderFunc *,
                                         void *) = iothread_foreach_holder;
