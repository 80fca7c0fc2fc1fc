/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for QEMU's system/iothread-holders.h: its declarations of the
 * holder functions, as QEMU has them.
 */

#ifndef QEMU_SHIM_SYSTEM_IOTHREAD_HOLDERS_H
#define QEMU_SHIM_SYSTEM_IOTHREAD_HOLDERS_H

#include "qapi/qapi-types-misc.h"

void iothread_add_holder(IOThread *iothread, IOThreadHolderType type,
                         const char *name);
void iothread_remove_holder(IOThread *iothread, IOThreadHolderType type,
                            const char *name);

typedef void IOThreadHolderFunc(IOThreadHolderType type, const char *name,
                                void *opaque);

void iothread_foreach_holder(IOThread *iothread, IOThreadHolderFunc *func,
                             void *opaque);

#endif
