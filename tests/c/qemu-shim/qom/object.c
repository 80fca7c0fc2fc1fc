/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QOM as the stand-in qom/object.h describes it, with QOM's assertions */

#include "qemu/osdep.h"
#include "qom/object.h"

static GHashTable *types;

void type_register_static(const TypeInfo *info)
{
    g_assert_cmpstr(info->parent, ==, TYPE_OBJECT);
    g_assert_cmpuint(info->instance_size, ==, sizeof(Object));
    if (!types) {
        types = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_hash_table_insert(types, (gpointer)info->name, (gpointer)info);
}

Object *object_new(const char *typename)
{
    Object *obj = g_new0(Object, 1);

    obj->type = g_hash_table_lookup(types, typename);
    g_assert_nonnull(obj->type);
    obj->ref = 1;
    return obj;
}

Object *object_ref(void *obj)
{
    g_assert_nonnull(obj);
    g_atomic_int_inc((int *)&OBJECT(obj)->ref);
    return obj;
}

void object_unref(void *opaque)
{
    Object *obj = opaque;

    g_assert_nonnull(obj);
    g_assert_cmpuint(obj->ref, >, 0);
    if (g_atomic_int_dec_and_test((int *)&obj->ref)) {
        g_assert_null(obj->parent);
        if (obj->type->instance_finalize) {
            obj->type->instance_finalize(obj);
        }
        g_free(obj);
    }
}

Object *object_get_objects_root(void)
{
    static Object objects = { .ref = 1 };

    return &objects;
}

ObjectProperty *object_property_add_child(Object *obj, const char *name,
                                          Object *child)
{
    g_assert_null(child->parent);
    object_ref(child);
    child->parent = obj;
    child->name = g_strdup(name);
    return NULL;
}

void object_unparent(Object *obj)
{
    if (obj->parent) {
        obj->parent = NULL;
        g_clear_pointer(&obj->name, g_free);
        object_unref(obj);
    }
}

const char *object_get_canonical_path_component(const Object *obj)
{
    return obj->parent ? obj->name : NULL;
}
