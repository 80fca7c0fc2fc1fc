/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for QEMU's qemu/osdep.h, so that QEMU's contract test
 * (tests/unit/test-iothread-holders.c) and QEMU's C implementation
 * (iothread-holders.c) build outside QEMU, with the stand-ins in this
 * directory.  Like QEMU's, it includes the system and GLib headers and
 * qemu/typedefs.h.
 */

#ifndef QEMU_SHIM_OSDEP_H
#define QEMU_SHIM_OSDEP_H

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* From qemu/typedefs.h */
typedef struct Error Error;
typedef struct IOThread IOThread;
typedef struct Object Object;

#define qatomic_read(ptr) g_atomic_int_get(ptr)

#endif
