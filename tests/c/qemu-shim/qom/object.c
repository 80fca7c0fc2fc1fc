/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reference counting as QEMU's QOM does it, for the stand-in qom/object.h */

#include <glib.h>

#include "qom/object.h"

void type_register_static(const TypeInfo *info)
{
    g_assert_cmpuint(info->instance_size, ==, sizeof(Object));
}

Object *object_new(const char *typename G_GNUC_UNUSED)
{
    Object *obj = g_new0(Object, 1);

    obj->ref = 1;
    return obj;
}

Object *object_ref(void *obj)
{
    g_assert_nonnull(obj);
    g_atomic_int_inc(&OBJECT(obj)->ref);
    return obj;
}

void object_unref(void *obj)
{
    g_assert_nonnull(obj);
    /* Dropping a reference that was never taken is a bug of the caller */
    g_assert_cmpint(g_atomic_int_get(&OBJECT(obj)->ref), >, 0);
    if (g_atomic_int_dec_and_test(&OBJECT(obj)->ref)) {
        g_free(obj);
    }
}
