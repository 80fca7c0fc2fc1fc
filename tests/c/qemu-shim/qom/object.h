/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for the part of QEMU's qom/object.h that QEMU's contract test
 * (tests/unit/test-iothread-holders.c) and iothread-holders.c use: objects
 * that are only a reference count, of a single type.
 */

#ifndef QEMU_SHIM_QOM_OBJECT_H
#define QEMU_SHIM_QOM_OBJECT_H

#include <stddef.h>

typedef struct Object {
    int ref;
} Object;

typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
} TypeInfo;

#define TYPE_OBJECT "object"
#define OBJECT(obj) ((Object *)(obj))

void type_register_static(const TypeInfo *info);
Object *object_new(const char *typename);
Object *object_ref(void *obj);
void object_unref(void *obj);

#endif
