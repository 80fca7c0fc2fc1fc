/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The C ABI contract of the iothread-holders library, checked from C
 * against the installed header, with fake QOM reference counting.
 */

#include <string.h>

#include "fake-qom.h"
#include "iothread-holders.h"

#define DOMAIN "iothread"

/* Checks that @iothread lists exactly @expected (NULL-terminated). */
static void assert_holders(IOThread *iothread, const char *const *expected)
{
    g_auto(GStrv) holders = iothread_get_holders(iothread);
    gsize i;

    g_assert_nonnull(holders);
    for (i = 0; expected[i]; i++) {
        g_assert_nonnull(holders[i]);
        g_assert_cmpstr(holders[i], ==, expected[i]);
    }
    g_assert_null(holders[i]);
}

static void expect_critical(const char *pattern)
{
    g_test_expect_message(DOMAIN, G_LOG_LEVEL_CRITICAL, pattern);
}

static void test_new_iothread_has_empty_list(void)
{
    IOThread iothread = { 0 };
    g_auto(GStrv) holders = iothread_get_holders(&iothread);

    g_assert_nonnull(holders);
    g_assert_null(holders[0]);
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_holder_is_copied(void)
{
    IOThread iothread = { 0 };
    char *holder = g_strdup("/machine/peripheral/disk0/virtio-backend");
    char *same = g_strdup(holder);

    iothread_ref(&iothread, holder);
    memset(holder, 'X', strlen(holder));
    g_free(holder);
    assert_holders(&iothread, (const char *[]) {
        "/machine/peripheral/disk0/virtio-backend", NULL });

    /* Equality is by content, not by pointer. */
    iothread_unref(&iothread, same);
    g_free(same);
    assert_holders(&iothread, (const char *[]) { NULL });
}

static void test_each_registration_pins_once(void)
{
    IOThread iothread = { 0 };

    iothread_ref(&iothread, "a");
    g_assert_cmpint(iothread.refcount, ==, 1);
    iothread_ref(&iothread, "b");
    g_assert_cmpint(iothread.refcount, ==, 2);
    iothread_unref(&iothread, "a");
    g_assert_cmpint(iothread.refcount, ==, 1);
    iothread_unref(&iothread, "b");
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_listed_oldest_first(void)
{
    IOThread iothread = { 0 };

    iothread_ref(&iothread, "/machine/peripheral/c");
    iothread_ref(&iothread, "/machine/peripheral/a");
    iothread_ref(&iothread, "/machine/peripheral/b");
    assert_holders(&iothread, (const char *[]) {
        "/machine/peripheral/c", "/machine/peripheral/a",
        "/machine/peripheral/b", NULL });

    iothread_unref(&iothread, "/machine/peripheral/a");
    assert_holders(&iothread, (const char *[]) {
        "/machine/peripheral/c", "/machine/peripheral/b", NULL });
    iothread_unref(&iothread, "/machine/peripheral/c");
    iothread_unref(&iothread, "/machine/peripheral/b");
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_duplicates_are_counted(void)
{
    IOThread iothread = { 0 };

    iothread_ref(&iothread, "a");
    iothread_ref(&iothread, "b");
    iothread_ref(&iothread, "a");
    assert_holders(&iothread, (const char *[]) { "a", "b", "a", NULL });
    g_assert_cmpint(iothread.refcount, ==, 3);

    /* The newest registration of a duplicate goes first. */
    iothread_unref(&iothread, "a");
    assert_holders(&iothread, (const char *[]) { "a", "b", NULL });
    iothread_unref(&iothread, "a");
    assert_holders(&iothread, (const char *[]) { "b", NULL });
    g_assert_cmpint(iothread.refcount, ==, 1);
    iothread_unref(&iothread, "b");
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_holders_are_bytes(void)
{
    IOThread iothread = { 0 };
    const char not_utf8[] = "\xff\xfe/machine/\x80\xc3\x28";
    gsize long_len = 1024 * 1024;
    g_autofree char *long_holder = g_malloc(long_len + 1);
    g_auto(GStrv) holders = NULL;

    for (gsize i = 0; i < long_len; i++) {
        long_holder[i] = 1 + i % 255;
    }
    long_holder[long_len] = '\0';

    iothread_ref(&iothread, not_utf8);
    iothread_ref(&iothread, long_holder);
    holders = iothread_get_holders(&iothread);
    g_assert_cmpuint(g_strv_length(holders), ==, 2);
    g_assert_cmpmem(holders[0], strlen(holders[0]),
                    not_utf8, sizeof(not_utf8) - 1);
    g_assert_cmpmem(holders[1], strlen(holders[1]), long_holder, long_len);

    iothread_unref(&iothread, not_utf8);
    iothread_unref(&iothread, long_holder);
    assert_holders(&iothread, (const char *[]) { NULL });
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_iothreads_are_independent(void)
{
    IOThread first = { 0 }, second = { 0 };

    iothread_ref(&first, "a");
    iothread_ref(&second, "b");
    assert_holders(&first, (const char *[]) { "a", NULL });
    assert_holders(&second, (const char *[]) { "b", NULL });

    expect_critical("*holder 'b' is not registered*");
    iothread_unref(&first, "b");
    g_test_assert_expected_messages();
    g_assert_cmpint(first.refcount, ==, 1);

    iothread_unref(&first, "a");
    iothread_unref(&second, "b");
    g_assert_cmpint(first.refcount, ==, 0);
    g_assert_cmpint(second.refcount, ==, 0);
}

static void test_null_iothread_is_refused(void)
{
    expect_critical("iothread_ref: assertion 'iothread != NULL' failed");
    iothread_ref(NULL, "a");
    g_test_assert_expected_messages();

    expect_critical("iothread_unref: assertion 'iothread != NULL' failed");
    iothread_unref(NULL, "a");
    g_test_assert_expected_messages();

    expect_critical("iothread_get_holders: assertion 'iothread != NULL' failed");
    g_assert_null(iothread_get_holders(NULL));
    g_test_assert_expected_messages();
}

static void test_null_or_empty_holder_is_refused(void)
{
    IOThread iothread = { 0 };
    const char *missing[] = { NULL, "" };

    iothread_ref(&iothread, "kept");
    for (gsize i = 0; i < G_N_ELEMENTS(missing); i++) {
        expect_critical("iothread_ref: assertion 'holder != NULL && *holder' "
                        "failed");
        iothread_ref(&iothread, missing[i]);
        g_test_assert_expected_messages();

        expect_critical("iothread_unref: assertion 'holder != NULL && *holder' "
                        "failed");
        iothread_unref(&iothread, missing[i]);
        g_test_assert_expected_messages();

        assert_holders(&iothread, (const char *[]) { "kept", NULL });
        g_assert_cmpint(iothread.refcount, ==, 1);
    }
    iothread_unref(&iothread, "kept");
    g_assert_cmpint(iothread.refcount, ==, 0);
}

static void test_unbalanced_unref_is_refused(void)
{
    IOThread iothread = { 0 };

    expect_critical("iothread_unref: holder 'never' is not registered on "
                    "IOThread *");
    iothread_unref(&iothread, "never");
    g_test_assert_expected_messages();
    g_assert_cmpint(iothread.refcount, ==, 0);

    iothread_ref(&iothread, "a");
    iothread_ref(&iothread, "b");
    iothread_unref(&iothread, "a");
    expect_critical("iothread_unref: holder 'a' is not registered*");
    iothread_unref(&iothread, "a");
    g_test_assert_expected_messages();
    assert_holders(&iothread, (const char *[]) { "b", NULL });
    g_assert_cmpint(iothread.refcount, ==, 1);

    /* A non-UTF-8 holder is named as g_strescape() shows it. */
    expect_critical("*holder '\\377' is not registered*");
    iothread_unref(&iothread, "\xff");
    g_test_assert_expected_messages();

    iothread_unref(&iothread, "b");
    g_assert_cmpint(iothread.refcount, ==, 0);
}

#define THREADS 4
#define ROUNDS 2000

static IOThread shared_iothread;

typedef struct Worker {
    GThread *thread;
    char name[32];
    IOThread private_iothread;
} Worker;

static gpointer worker_run(gpointer opaque)
{
    Worker *worker = opaque;

    for (int round = 0; round < ROUNDS; round++) {
        g_auto(GStrv) holders = NULL;

        iothread_ref(&shared_iothread, worker->name);
        iothread_ref(&worker->private_iothread, worker->name);
        holders = iothread_get_holders(&shared_iothread);
        g_assert_cmpuint(g_strv_length(holders), >=, 1);
        g_assert_cmpuint(g_strv_length(holders), <=, THREADS);
        for (gsize i = 0; holders[i]; i++) {
            g_assert_true(g_str_has_prefix(holders[i], "worker-"));
        }
        iothread_unref(&shared_iothread, worker->name);
    }
    return NULL;
}

static void test_concurrent_callers_lose_nothing(void)
{
    Worker workers[THREADS] = { 0 };

    for (int i = 0; i < THREADS; i++) {
        g_snprintf(workers[i].name, sizeof(workers[i].name), "worker-%d", i);
        workers[i].thread = g_thread_new(workers[i].name, worker_run,
                                         &workers[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        g_thread_join(workers[i].thread);
    }

    assert_holders(&shared_iothread, (const char *[]) { NULL });
    g_assert_cmpint(shared_iothread.refcount, ==, 0);
    for (int i = 0; i < THREADS; i++) {
        g_auto(GStrv) holders = iothread_get_holders(
            &workers[i].private_iothread);

        g_assert_cmpuint(g_strv_length(holders), ==, ROUNDS);
        g_assert_cmpint(workers[i].private_iothread.refcount, ==, ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            g_assert_cmpstr(holders[round], ==, workers[i].name);
            iothread_unref(&workers[i].private_iothread, workers[i].name);
        }
        g_assert_cmpint(workers[i].private_iothread.refcount, ==, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/holders/new-iothread-has-empty-list",
                    test_new_iothread_has_empty_list);
    g_test_add_func("/holders/holder-is-copied", test_holder_is_copied);
    g_test_add_func("/holders/each-registration-pins-once",
                    test_each_registration_pins_once);
    g_test_add_func("/holders/listed-oldest-first", test_listed_oldest_first);
    g_test_add_func("/holders/duplicates-are-counted",
                    test_duplicates_are_counted);
    g_test_add_func("/holders/holders-are-bytes", test_holders_are_bytes);
    g_test_add_func("/holders/iothreads-are-independent",
                    test_iothreads_are_independent);
    g_test_add_func("/misuse/null-iothread", test_null_iothread_is_refused);
    g_test_add_func("/misuse/null-or-empty-holder",
                    test_null_or_empty_holder_is_refused);
    g_test_add_func("/misuse/unbalanced-unref",
                    test_unbalanced_unref_is_refused);
    g_test_add_func("/threads/concurrent-callers-lose-nothing",
                    test_concurrent_callers_lose_nothing);
    return g_test_run();
}
