/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for the part of QEMU's qemu/main-loop.h that the holder
 * functions and their unit test use: the BQL, as unit tests have it, and
 * GLOBAL_STATE_CODE().  stubs.c defines the functions as QEMU's stubs do.
 */

#ifndef QEMU_SHIM_MAIN_LOOP_H
#define QEMU_SHIM_MAIN_LOOP_H

int qemu_init_main_loop(Error **errp);

void rust_bql_mock_lock(void);
bool bql_locked(void);
void bql_block_unlock(bool increase);
bool qemu_in_main_thread(void);

#define GLOBAL_STATE_CODE()                                         \
    do {                                                            \
        assert(qemu_in_main_thread());                              \
    } while (0)

#endif
