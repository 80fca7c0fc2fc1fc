/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-ins for the three QEMU headers that QEMU's C implementation of the
 * holder functions (iothread-holders.c) includes, so that the contract
 * tests can build that very file outside QEMU, with fake QOM.
 */

#ifndef QEMU_SHIM_OSDEP_H
#define QEMU_SHIM_OSDEP_H

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#endif
