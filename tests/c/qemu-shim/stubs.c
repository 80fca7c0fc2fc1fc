/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What QEMU's libqemuutil defines for unit tests and the holder functions
 * use, as it defines it: the BQL stubs (stubs/iothread-lock.c: a flag
 * that only rust_bql_mock_lock() sets), the main thread check
 * (stubs/iothread-lock-block.c: the caller runs in the main loop's
 * AioContext), the main loop's set-up (util/main-loop.c: it makes the
 * calling thread's AioContext the main loop's), and error reporting.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"

Error *error_abort;

static bool bql_is_locked;
static uint32_t bql_unlock_blocked;

bool bql_locked(void)
{
    return bql_is_locked;
}

void rust_bql_mock_lock(void)
{
    bql_is_locked = true;
}

void bql_block_unlock(bool increase)
{
    uint32_t new_value;

    assert(bql_locked());
    new_value = bql_unlock_blocked + increase - !increase;
    assert((new_value > bql_unlock_blocked) == increase);
    bql_unlock_blocked = new_value;
}

/* Stands for the main loop's AioContext */
static int main_loop_context;
static bool main_loop_initialized;
static __thread void *current_context;

int qemu_init_main_loop(Error **errp G_GNUC_UNUSED)
{
    main_loop_initialized = true;
    current_context = &main_loop_context;
    return 0;
}

static void *qemu_get_aio_context(void)
{
    return main_loop_initialized ? &main_loop_context : NULL;
}

static void *qemu_get_current_aio_context(void)
{
    if (current_context) {
        return current_context;
    }
    return bql_locked() ? qemu_get_aio_context() : NULL;
}

bool qemu_in_main_thread(void)
{
    return qemu_get_current_aio_context() == qemu_get_aio_context();
}

void error_vreport(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", g_get_prgname());
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
}
