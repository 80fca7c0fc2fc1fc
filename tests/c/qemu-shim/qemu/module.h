/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for QEMU's qemu/module.h: the stand-in QOM needs no set-up. */

#ifndef QEMU_SHIM_MODULE_H
#define QEMU_SHIM_MODULE_H

typedef enum {
    MODULE_INIT_QOM,
} module_init_type;

static inline void module_call_init(module_init_type type)
{
    (void)type;
}

#endif
