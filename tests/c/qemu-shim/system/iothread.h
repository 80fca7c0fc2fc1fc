/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for QEMU's system/iothread.h: the library's own header declares
 * the same three functions, so the C twin is built against it.
 */

#ifndef QEMU_SHIM_SYSTEM_IOTHREAD_H
#define QEMU_SHIM_SYSTEM_IOTHREAD_H

#include "iothread-holders.h"

#endif
