/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for QEMU's system/iothread.h: the three holder functions. */

#ifndef QEMU_SHIM_SYSTEM_IOTHREAD_H
#define QEMU_SHIM_SYSTEM_IOTHREAD_H

typedef struct IOThread IOThread;

void iothread_ref(IOThread *iothread, const char *holder);
void iothread_unref(IOThread *iothread, const char *holder);
char **iothread_get_holders(IOThread *iothread);

#endif
