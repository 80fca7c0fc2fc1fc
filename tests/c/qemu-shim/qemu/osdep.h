/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for QEMU's qemu/osdep.h, so that QEMU's contract test
 * (tests/unit/test-iothread-holders.c) and QEMU's C implementation
 * (iothread-holders.c) build outside QEMU, with the stand-in QOM.
 */

#ifndef QEMU_SHIM_OSDEP_H
#define QEMU_SHIM_OSDEP_H

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define qatomic_read(ptr) g_atomic_int_get(ptr)

#endif
