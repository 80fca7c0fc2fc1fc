/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-ins for QEMU's QOM reference counting, so that the library's C ABI
 * can be tested without QEMU.  An IOThread here is just a reference count.
 */

#ifndef FAKE_QOM_H
#define FAKE_QOM_H

#include <glib.h>

struct IOThread {
    gint refcount;
};

/* QEMU's QOM reference counting, as the library calls it */
void *object_ref(void *obj);
void object_unref(void *obj);

#endif /* FAKE_QOM_H */
