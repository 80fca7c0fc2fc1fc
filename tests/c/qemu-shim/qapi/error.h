/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for QEMU's qapi/error.h: only &error_abort. */

#ifndef QEMU_SHIM_QAPI_ERROR_H
#define QEMU_SHIM_QAPI_ERROR_H

extern Error *error_abort;

#endif
