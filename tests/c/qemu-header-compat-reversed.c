/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-header-compat.c, with the crate's header first */

#include "qemu/osdep.h"
#include "iothread-holders.h"
#include "system/iothread.h"
#include "system/iothread-holders.h"

void (*const qemu_header_compat_reversed)(IOThread *, IOThreadHolderFunc *,
                                          void *) = iothread_foreach_holder;
