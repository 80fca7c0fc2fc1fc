/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fake object_ref()/object_unref(): the library declares them and QEMU
 * defines them; here they count references on a fake IOThread.
 */

#include "fake-qom.h"

void *object_ref(void *obj)
{
    struct IOThread *iothread = obj;

    g_assert_nonnull(iothread);
    g_atomic_int_inc(&iothread->refcount);
    return obj;
}

void object_unref(void *obj)
{
    struct IOThread *iothread = obj;

    g_assert_nonnull(iothread);
    /* A reference dropped that was never taken is a library bug. */
    g_assert_cmpint(g_atomic_int_add(&iothread->refcount, -1), >, 0);
}
