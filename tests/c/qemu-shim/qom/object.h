/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for QEMU's qom/object.h: the fake QOM of the contract tests. */

#ifndef QEMU_SHIM_QOM_OBJECT_H
#define QEMU_SHIM_QOM_OBJECT_H

#include "fake-qom.h"

#endif
