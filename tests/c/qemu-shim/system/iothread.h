/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for QEMU's system/iothread.h: its declarations of the holder
 * functions for QOM objects, as QEMU has them.
 */

#ifndef QEMU_SHIM_SYSTEM_IOTHREAD_H
#define QEMU_SHIM_SYSTEM_IOTHREAD_H

void iothread_ref(IOThread *iothread, const char *holder);
void iothread_unref(IOThread *iothread, const char *holder);

#endif
