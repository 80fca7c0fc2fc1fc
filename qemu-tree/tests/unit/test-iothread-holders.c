/*
 * The contract of iothread_ref(), iothread_unref() and
 * iothread_get_holders(), as system/iothread.h documents it, checked
 * against whichever implementation the build links.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qom/object.h"
#include "system/iothread.h"

#define LOG_DOMAIN "iothread"

/*
 * The holder functions only take and drop QOM references on an IOThread,
 * so a plain QOM object stands in for one.
 */
#define TYPE_TEST_IOTHREAD "test-iothread"

static const TypeInfo test_iothread_info = {
    .name = TYPE_TEST_IOTHREAD,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static IOThread *test_iothread_new(void)
{
    return (IOThread *)object_new(TYPE_TEST_IOTHREAD);
}

/* The references that holders have taken on @iothread */
static int holder_refs(IOThread *iothread)
{
    return qatomic_read(&OBJECT(iothread)->ref) - 1;
}

static void test_iothread_free(IOThread *iothread)
{
    g_assert_cmpint(holder_refs(iothread), ==, 0);
    object_unref(OBJECT(iothread));
}

/* Checks that @iothread lists exactly the holders given, then NULL */
static void G_GNUC_NULL_TERMINATED assert_holders(IOThread *iothread, ...)
{
    g_auto(GStrv) holders = iothread_get_holders(iothread);
    const char *expected;
    va_list args;
    gsize i = 0;

    g_assert_nonnull(holders);
    va_start(args, iothread);
    while ((expected = va_arg(args, const char *))) {
        g_assert_nonnull(holders[i]);
        g_assert_cmpstr(holders[i], ==, expected);
        i++;
    }
    va_end(args);
    g_assert_null(holders[i]);
}

static void expect_critical(const char *pattern)
{
    g_test_expect_message(LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, pattern);
}

static void test_new_iothread_has_no_holder(void)
{
    IOThread *iothread = test_iothread_new();

    assert_holders(iothread, NULL);
    test_iothread_free(iothread);
}

static void test_holder_is_copied(void)
{
    IOThread *iothread = test_iothread_new();
    char *holder = g_strdup("/machine/peripheral/disk0/virtio-backend");
    char *same = g_strdup(holder);

    iothread_ref(iothread, holder);
    memset(holder, 'X', strlen(holder));
    g_free(holder);
    assert_holders(iothread, "/machine/peripheral/disk0/virtio-backend",
                   NULL);

    /* Equality is by content, not by pointer */
    iothread_unref(iothread, same);
    g_free(same);
    assert_holders(iothread, NULL);
    test_iothread_free(iothread);
}

static void test_each_registration_holds_one_reference(void)
{
    IOThread *iothread = test_iothread_new();

    iothread_ref(iothread, "a");
    g_assert_cmpint(holder_refs(iothread), ==, 1);
    iothread_ref(iothread, "b");
    g_assert_cmpint(holder_refs(iothread), ==, 2);
    iothread_unref(iothread, "a");
    g_assert_cmpint(holder_refs(iothread), ==, 1);
    iothread_unref(iothread, "b");
    test_iothread_free(iothread);
}

static void test_listed_oldest_first(void)
{
    IOThread *iothread = test_iothread_new();

    iothread_ref(iothread, "/machine/peripheral/c");
    iothread_ref(iothread, "/machine/peripheral/a");
    iothread_ref(iothread, "block-export:b");
    assert_holders(iothread, "/machine/peripheral/c", "/machine/peripheral/a",
                   "block-export:b", NULL);

    iothread_unref(iothread, "/machine/peripheral/a");
    assert_holders(iothread, "/machine/peripheral/c", "block-export:b", NULL);
    iothread_unref(iothread, "/machine/peripheral/c");
    iothread_unref(iothread, "block-export:b");
    test_iothread_free(iothread);
}

static void test_duplicates_are_counted(void)
{
    IOThread *iothread = test_iothread_new();

    iothread_ref(iothread, "a");
    iothread_ref(iothread, "b");
    iothread_ref(iothread, "a");
    assert_holders(iothread, "a", "b", "a", NULL);
    g_assert_cmpint(holder_refs(iothread), ==, 3);

    /* The newest registration of a duplicate goes first */
    iothread_unref(iothread, "a");
    assert_holders(iothread, "a", "b", NULL);
    iothread_unref(iothread, "a");
    assert_holders(iothread, "b", NULL);
    g_assert_cmpint(holder_refs(iothread), ==, 1);
    iothread_unref(iothread, "b");
    test_iothread_free(iothread);
}

static void test_holders_are_bytes(void)
{
    IOThread *iothread = test_iothread_new();
    const char not_utf8[] = "\xff\xfe/machine/\x80\xc3\x28";
    gsize long_len = 1024 * 1024;
    g_autofree char *long_holder = g_malloc(long_len + 1);
    g_auto(GStrv) holders = NULL;

    for (gsize i = 0; i < long_len; i++) {
        long_holder[i] = 1 + i % 255;
    }
    long_holder[long_len] = '\0';

    iothread_ref(iothread, not_utf8);
    iothread_ref(iothread, long_holder);
    holders = iothread_get_holders(iothread);
    g_assert_cmpuint(g_strv_length(holders), ==, 2);
    g_assert_cmpmem(holders[0], strlen(holders[0]),
                    not_utf8, sizeof(not_utf8) - 1);
    g_assert_cmpmem(holders[1], strlen(holders[1]), long_holder, long_len);

    iothread_unref(iothread, not_utf8);
    iothread_unref(iothread, long_holder);
    assert_holders(iothread, NULL);
    test_iothread_free(iothread);
}

/* Names are bytes to these functions, whatever query-iothreads makes of them */
static void test_names_are_not_interpreted(void)
{
    IOThread *iothread = test_iothread_new();
    const char *names[] = {
        "no-colon", "no-such-kind:x", "block-export:", ":", "\xff:\x80",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        iothread_ref(iothread, names[i]);
    }
    assert_holders(iothread, "no-colon", "no-such-kind:x", "block-export:",
                   ":", "\xff:\x80", NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        iothread_unref(iothread, names[i]);
    }
    assert_holders(iothread, NULL);
    test_iothread_free(iothread);
}

static void test_iothreads_are_independent(void)
{
    IOThread *first = test_iothread_new();
    IOThread *second = test_iothread_new();

    iothread_ref(first, "a");
    iothread_ref(second, "b");
    assert_holders(first, "a", NULL);
    assert_holders(second, "b", NULL);

    expect_critical("*holder 'b' is not registered*");
    iothread_unref(first, "b");
    g_test_assert_expected_messages();
    g_assert_cmpint(holder_refs(first), ==, 1);

    iothread_unref(first, "a");
    iothread_unref(second, "b");
    test_iothread_free(first);
    test_iothread_free(second);
}

static void test_null_iothread_is_refused(void)
{
    expect_critical("iothread_ref: assertion 'iothread != NULL' failed");
    iothread_ref(NULL, "a");
    g_test_assert_expected_messages();

    expect_critical("iothread_unref: assertion 'iothread != NULL' failed");
    iothread_unref(NULL, "a");
    g_test_assert_expected_messages();

    expect_critical("iothread_get_holders: assertion 'iothread != NULL' "
                    "failed");
    g_assert_null(iothread_get_holders(NULL));
    g_test_assert_expected_messages();
}

static void test_null_or_empty_holder_is_refused(void)
{
    IOThread *iothread = test_iothread_new();
    const char *missing[] = { NULL, "" };

    iothread_ref(iothread, "kept");
    for (gsize i = 0; i < G_N_ELEMENTS(missing); i++) {
        expect_critical("iothread_ref: assertion 'holder != NULL && *holder' "
                        "failed");
        iothread_ref(iothread, missing[i]);
        g_test_assert_expected_messages();

        expect_critical("iothread_unref: assertion "
                        "'holder != NULL && *holder' failed");
        iothread_unref(iothread, missing[i]);
        g_test_assert_expected_messages();

        assert_holders(iothread, "kept", NULL);
        g_assert_cmpint(holder_refs(iothread), ==, 1);
    }
    iothread_unref(iothread, "kept");
    test_iothread_free(iothread);
}

static void test_unbalanced_unref_is_refused(void)
{
    IOThread *iothread = test_iothread_new();

    expect_critical("iothread_unref: holder 'never' is not registered on "
                    "IOThread *");
    iothread_unref(iothread, "never");
    g_test_assert_expected_messages();
    g_assert_cmpint(holder_refs(iothread), ==, 0);

    iothread_ref(iothread, "a");
    iothread_ref(iothread, "b");
    iothread_unref(iothread, "a");
    expect_critical("iothread_unref: holder 'a' is not registered*");
    iothread_unref(iothread, "a");
    g_test_assert_expected_messages();
    assert_holders(iothread, "b", NULL);
    g_assert_cmpint(holder_refs(iothread), ==, 1);

    /* A non-UTF-8 holder is named as g_strescape() shows it */
    expect_critical("*holder '\\377' is not registered*");
    iothread_unref(iothread, "\xff");
    g_test_assert_expected_messages();

    iothread_unref(iothread, "b");
    test_iothread_free(iothread);
}

#define THREADS 4
#define ROUNDS 2000

typedef struct Worker {
    GThread *thread;
    char name[32];
    IOThread *shared;
    IOThread *own;
} Worker;

static gpointer worker_run(gpointer opaque)
{
    Worker *worker = opaque;

    for (int round = 0; round < ROUNDS; round++) {
        g_auto(GStrv) holders = NULL;

        iothread_ref(worker->shared, worker->name);
        iothread_ref(worker->own, worker->name);
        holders = iothread_get_holders(worker->shared);
        g_assert_cmpuint(g_strv_length(holders), >=, 1);
        g_assert_cmpuint(g_strv_length(holders), <=, THREADS);
        for (gsize i = 0; holders[i]; i++) {
            g_assert_true(g_str_has_prefix(holders[i], "worker-"));
        }
        iothread_unref(worker->shared, worker->name);
    }
    return NULL;
}

static void test_concurrent_callers_lose_nothing(void)
{
    IOThread *shared = test_iothread_new();
    Worker workers[THREADS] = {};

    for (int i = 0; i < THREADS; i++) {
        g_snprintf(workers[i].name, sizeof(workers[i].name), "worker-%d", i);
        workers[i].shared = shared;
        workers[i].own = test_iothread_new();
        workers[i].thread = g_thread_new(workers[i].name, worker_run,
                                         &workers[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        g_thread_join(workers[i].thread);
    }

    assert_holders(shared, NULL);
    test_iothread_free(shared);
    for (int i = 0; i < THREADS; i++) {
        g_auto(GStrv) holders = iothread_get_holders(workers[i].own);

        g_assert_cmpuint(g_strv_length(holders), ==, ROUNDS);
        g_assert_cmpint(holder_refs(workers[i].own), ==, ROUNDS);
        for (int round = 0; round < ROUNDS; round++) {
            g_assert_cmpstr(holders[round], ==, workers[i].name);
            iothread_unref(workers[i].own, workers[i].name);
        }
        test_iothread_free(workers[i].own);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    module_call_init(MODULE_INIT_QOM);
    type_register_static(&test_iothread_info);

    g_test_add_func("/iothread-holders/new-iothread-has-no-holder",
                    test_new_iothread_has_no_holder);
    g_test_add_func("/iothread-holders/holder-is-copied",
                    test_holder_is_copied);
    g_test_add_func("/iothread-holders/each-registration-holds-one-reference",
                    test_each_registration_holds_one_reference);
    g_test_add_func("/iothread-holders/listed-oldest-first",
                    test_listed_oldest_first);
    g_test_add_func("/iothread-holders/duplicates-are-counted",
                    test_duplicates_are_counted);
    g_test_add_func("/iothread-holders/holders-are-bytes",
                    test_holders_are_bytes);
    g_test_add_func("/iothread-holders/names-are-not-interpreted",
                    test_names_are_not_interpreted);
    g_test_add_func("/iothread-holders/iothreads-are-independent",
                    test_iothreads_are_independent);
    g_test_add_func("/iothread-holders/misuse/null-iothread",
                    test_null_iothread_is_refused);
    g_test_add_func("/iothread-holders/misuse/null-or-empty-holder",
                    test_null_or_empty_holder_is_refused);
    g_test_add_func("/iothread-holders/misuse/unbalanced-unref",
                    test_unbalanced_unref_is_refused);
    g_test_add_func("/iothread-holders/threads/concurrent-callers-lose-nothing",
                    test_concurrent_callers_lose_nothing);
    return g_test_run();
}
