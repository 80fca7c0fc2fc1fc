/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for the part of QEMU's generated qapi/qapi-types-misc.h that
 * the holder functions use: the enum of holder types, as the QAPI
 * generator writes it from qapi/misc.json.
 */

#ifndef QEMU_SHIM_QAPI_TYPES_MISC_H
#define QEMU_SHIM_QAPI_TYPES_MISC_H

typedef enum IOThreadHolderType {
    IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
    IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT,
    IO_THREAD_HOLDER_TYPE_BLOCK_NODE,
    IO_THREAD_HOLDER_TYPE__MAX,
} IOThreadHolderType;

#endif
