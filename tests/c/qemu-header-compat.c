/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU declares iothread_ref() and iothread_unref() in
 * include/system/iothread.h (and object_ref() as returning Object *).  The
 * library's header must compile in the same translation unit: this file
 * builds with -Werror, so any mismatch fails the build.
 */

/* As in QEMU's include/qemu/typedefs.h, qom/object.h and system/iothread.h */
typedef struct Object Object;
typedef struct IOThread IOThread;
Object *object_ref(void *obj);
void object_unref(void *obj);
void iothread_ref(IOThread *iothread, const char *holder);
void iothread_unref(IOThread *iothread, const char *holder);
char **iothread_get_holders(IOThread *iothread);

#include "iothread-holders.h"

/* Taking the address checks the definition's type, not only the name. */
void (*const qemu_header_compat_ref)(IOThread *, const char *) = iothread_ref;
