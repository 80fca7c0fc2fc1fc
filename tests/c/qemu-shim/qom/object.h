/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for the part of QEMU's qom/object.h that QEMU's contract test
 * (tests/unit/test-iothread-holders.c) and iothread-holders.c use: objects
 * with a reference count, a finalizer, and a place in the composition
 * tree that names them.  object.c implements it as QOM does.
 */

#ifndef QEMU_SHIM_QOM_OBJECT_H
#define QEMU_SHIM_QOM_OBJECT_H

typedef struct ObjectProperty ObjectProperty;
typedef struct TypeInfo TypeInfo;

struct Object {
    const TypeInfo *type;
    uint32_t ref;
    Object *parent;
    char *name;             /* the name of its child property in @parent */
};

struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    void (*instance_finalize)(Object *obj);
};

#define TYPE_OBJECT "object"
#define OBJECT(obj) ((Object *)(obj))

void type_register_static(const TypeInfo *info);
Object *object_new(const char *typename);
Object *object_ref(void *obj);
void object_unref(void *obj);
Object *object_get_objects_root(void);
ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child);
void object_unparent(Object *obj);
const char *object_get_canonical_path_component(const Object *obj);

#endif
