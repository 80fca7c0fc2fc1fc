/*
 * The contract of the IOThread holder functions, as system/iothread.h and
 * system/iothread-holders.h document it, checked against whichever
 * implementation the build links: iothread-holders.c, or the
 * iothread-holders crate (rust/iothread-holders).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qemu/main-loop.h"
#include "qom/object.h"
#include "system/iothread.h"
#include "system/iothread-holders.h"

/*
 * The holder functions only take and drop QOM references on an IOThread
 * and ask for its id, so a plain QOM object stands in for one.
 */
#define TYPE_TEST_IOTHREAD "test-iothread"

static int finalized;

static void test_iothread_finalize(Object *obj);

static const TypeInfo test_iothread_info = {
    .name = TYPE_TEST_IOTHREAD,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .instance_finalize = test_iothread_finalize,
};

/*
 * Holds the BQL as far as unit tests can.  The C implementation checks
 * that it runs in the main loop's thread, which main() makes this one;
 * the crate asks bql_locked(), which is false until rust_bql_mock_lock().
 * Each test calls this, not main(): the death tests without the BQL run
 * in a child process that must never have called it.
 */
static void take_bql(void)
{
    rust_bql_mock_lock();
}

/* A new IOThread stand-in, named @id as -object iothread,id=@id would be */
static IOThread *test_iothread_new(const char *id)
{
    Object *obj = object_new(TYPE_TEST_IOTHREAD);

    object_property_add_child(object_get_objects_root(), id, obj);
    object_unref(obj);
    return (IOThread *)obj;
}

/* The references that holders have taken on @iothread */
static unsigned holder_refs(IOThread *iothread)
{
    return OBJECT(iothread)->ref - 1;
}

static void test_iothread_free(IOThread *iothread)
{
    g_assert_cmpuint(holder_refs(iothread), ==, 0);
    object_unparent(OBJECT(iothread));
}

typedef struct Holder {
    IOThreadHolderType type;
    const char *name;
} Holder;

static void list_holder(IOThreadHolderType type, const char *name,
                        void *opaque)
{
    GArray *holders = opaque;
    Holder holder = { .type = type, .name = g_strdup(name) };

    g_array_append_val(holders, holder);
}

static void holder_clear(gpointer data)
{
    g_free((char *)((Holder *)data)->name);
}

static GArray *list_holders(IOThread *iothread)
{
    GArray *holders = g_array_new(false, false, sizeof(Holder));

    g_array_set_clear_func(holders, holder_clear);
    iothread_foreach_holder(iothread, list_holder, holders);
    return holders;
}

/* Checks that @iothread lists exactly the @n holders of @expected */
static void assert_holders(IOThread *iothread, const Holder *expected,
                           guint n)
{
    g_autoptr(GArray) holders = list_holders(iothread);

    g_assert_cmpuint(holders->len, ==, n);
    for (guint i = 0; i < n; i++) {
        Holder *holder = &g_array_index(holders, Holder, i);

        g_assert_cmpint(holder->type, ==, expected[i].type);
        g_assert_cmpstr(holder->name, ==, expected[i].name);
    }
}

static void assert_no_holder(IOThread *iothread)
{
    assert_holders(iothread, NULL, 0);
}

static void test_empty(void)
{
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    assert_no_holder(iothread);
    test_iothread_free(iothread);
}

static void test_name_is_copied(void)
{
    const Holder expected[] = {
        { IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, "export0" },
    };
    g_autofree char *name = g_strdup("export0");
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, name);
    memset(name, 'X', strlen(name));
    assert_holders(iothread, expected, G_N_ELEMENTS(expected));

    /* Names are compared by content, not by pointer */
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT,
                           "export0");
    assert_no_holder(iothread);
    test_iothread_free(iothread);
}

static void test_oldest_first(void)
{
    const Holder expected[] = {
        { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "node0" },
        { IO_THREAD_HOLDER_TYPE_QOM_OBJECT, "/machine/peripheral/vd0" },
        { IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, "export0" },
    };
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        iothread_add_holder(iothread, expected[i].type, expected[i].name);
    }
    assert_holders(iothread, expected, G_N_ELEMENTS(expected));

    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
                           "/machine/peripheral/vd0");
    assert_holders(iothread, (Holder[]) { expected[0], expected[2] }, 2);
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE,
                           "node0");
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT,
                           "export0");
    test_iothread_free(iothread);
}

static void test_duplicates(void)
{
    const Holder a = { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a" };
    const Holder b = { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "b" };
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, a.type, a.name);
    iothread_add_holder(iothread, b.type, b.name);
    iothread_add_holder(iothread, a.type, a.name);
    assert_holders(iothread, (Holder[]) { a, b, a }, 3);
    g_assert_cmpuint(holder_refs(iothread), ==, 3);

    /* The newest registration of a duplicate goes first */
    iothread_remove_holder(iothread, a.type, a.name);
    assert_holders(iothread, (Holder[]) { a, b }, 2);
    iothread_remove_holder(iothread, a.type, a.name);
    assert_holders(iothread, (Holder[]) { b }, 1);
    g_assert_cmpuint(holder_refs(iothread), ==, 1);
    iothread_remove_holder(iothread, b.type, b.name);
    test_iothread_free(iothread);
}

static void test_types_are_distinct(void)
{
    const Holder export = { IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, "x" };
    const Holder node = { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "x" };
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, export.type, export.name);
    iothread_add_holder(iothread, node.type, node.name);
    iothread_remove_holder(iothread, export.type, export.name);
    assert_holders(iothread, (Holder[]) { node }, 1);
    iothread_remove_holder(iothread, node.type, node.name);
    test_iothread_free(iothread);
}

static void test_ref_is_qom_object(void)
{
    const Holder expected[] = {
        { IO_THREAD_HOLDER_TYPE_QOM_OBJECT, "/machine/peripheral/vd0" },
    };
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_ref(iothread, "/machine/peripheral/vd0");
    assert_holders(iothread, expected, G_N_ELEMENTS(expected));
    g_assert_cmpuint(holder_refs(iothread), ==, 1);
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
                           "/machine/peripheral/vd0");

    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
                        "/machine/peripheral/vd0");
    iothread_unref(iothread, "/machine/peripheral/vd0");
    test_iothread_free(iothread);
}

static void test_references(void)
{
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    g_assert_cmpuint(holder_refs(iothread), ==, 1);
    iothread_ref(iothread, "b");
    g_assert_cmpuint(holder_refs(iothread), ==, 2);
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    g_assert_cmpuint(holder_refs(iothread), ==, 1);
    iothread_unref(iothread, "b");
    test_iothread_free(iothread);
}

/* While an IOThread is finalized, the holders of this one are listed */
static IOThread *listed_at_finalize;

static void test_iothread_finalize(Object *obj)
{
    g_assert_cmpuint(obj->ref, ==, 0);
    if (listed_at_finalize) {
        assert_no_holder(listed_at_finalize);
    }
    finalized++;
}

/*
 * A held IOThread outlives its id; removing its last holder finalizes it,
 * and the holder functions can be called while it is being finalized.
 */
static void test_last_holder_finalizes(void)
{
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    listed_at_finalize = test_iothread_new("io1");
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    object_unparent(OBJECT(iothread));

    finalized = 0;
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    g_assert_cmpint(finalized, ==, 1);

    test_iothread_free(listed_at_finalize);
    listed_at_finalize = NULL;
}

static void test_independent(void)
{
    const Holder a = { IO_THREAD_HOLDER_TYPE_QOM_OBJECT, "a" };
    const Holder b = { IO_THREAD_HOLDER_TYPE_QOM_OBJECT, "b" };
    IOThread *first, *second;

    take_bql();
    first = test_iothread_new("io0");
    second = test_iothread_new("io1");
    iothread_ref(first, a.name);
    iothread_ref(second, b.name);
    assert_holders(first, (Holder[]) { a }, 1);
    assert_holders(second, (Holder[]) { b }, 1);
    g_assert_cmpuint(holder_refs(first), ==, 1);
    g_assert_cmpuint(holder_refs(second), ==, 1);

    iothread_unref(first, a.name);
    assert_no_holder(first);
    assert_holders(second, (Holder[]) { b }, 1);
    iothread_unref(second, b.name);
    test_iothread_free(first);
    test_iothread_free(second);
}

/* Names are bytes to these functions: any but NUL, of any length */
static void test_names_are_bytes(void)
{
    const char not_utf8[] = "\xff\xfe/machine/\x80\xc3\x28";
    gsize long_len = 1024 * 1024;
    g_autofree char *long_name = g_malloc(long_len + 1);
    IOThread *iothread;

    for (gsize i = 0; i < long_len; i++) {
        long_name[i] = 1 + i % 255;
    }
    long_name[long_len] = '\0';

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, not_utf8);
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE,
                        long_name);
    assert_holders(iothread, (Holder[]) {
                       { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, not_utf8 },
                       { IO_THREAD_HOLDER_TYPE_BLOCK_NODE, long_name },
                   }, 2);
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE,
                           not_utf8);
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE,
                           long_name);
    test_iothread_free(iothread);
}

/*
 * Programming errors stop QEMU with a message: each case runs in a child
 * process, which must fail with the message on stderr.
 */
typedef struct DeathTest {
    const char *path;
    void (*fn)(void);
    const char *stderr_pattern;
} DeathTest;

static void die_null_iothread(void)
{
    take_bql();
    iothread_add_holder(NULL, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
}

static void die_null_iothread_foreach(void)
{
    take_bql();
    iothread_foreach_holder(NULL, list_holder, NULL);
}

static void die_empty_name(void)
{
    take_bql();
    iothread_ref(test_iothread_new("io0"), "");
}

static void die_null_name(void)
{
    take_bql();
    iothread_remove_holder(test_iothread_new("io0"),
                           IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, NULL);
}

static void die_unknown_remove(void)
{
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_EXPORT, "x");
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "x");
}

static void die_unbalanced_unref(void)
{
    IOThread *iothread;

    take_bql();
    iothread = test_iothread_new("io0");
    iothread_ref(iothread, "a");
    iothread_unref(iothread, "a");
    iothread_unref(iothread, "a");
}

/*
 * Without the BQL: from a thread that is not in the main loop's AioContext,
 * in a process that never called take_bql().
 */
static void run_in_thread(GThreadFunc fn)
{
    g_thread_join(g_thread_new("no-bql", fn, test_iothread_new("io0")));
}

static gpointer add_without_bql(gpointer iothread)
{
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    return NULL;
}

static gpointer remove_without_bql(gpointer iothread)
{
    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_BLOCK_NODE, "a");
    return NULL;
}

static gpointer ref_without_bql(gpointer iothread)
{
    iothread_ref(iothread, "a");
    return NULL;
}

static gpointer unref_without_bql(gpointer iothread)
{
    iothread_unref(iothread, "a");
    return NULL;
}

static gpointer foreach_without_bql(gpointer iothread)
{
    iothread_foreach_holder(iothread, list_holder, NULL);
    return NULL;
}

static void die_add_without_bql(void)
{
    run_in_thread(add_without_bql);
}

static void die_remove_without_bql(void)
{
    run_in_thread(remove_without_bql);
}

static void die_ref_without_bql(void)
{
    run_in_thread(ref_without_bql);
}

static void die_unref_without_bql(void)
{
    run_in_thread(unref_without_bql);
}

static void die_foreach_without_bql(void)
{
    run_in_thread(foreach_without_bql);
}

static const DeathTest death_tests[] = {
    { "null-iothread", die_null_iothread,
      "*iothread_add_holder: NULL IOThread (holder 'a')*" },
    { "null-iothread-foreach", die_null_iothread_foreach,
      "*iothread_foreach_holder: NULL IOThread*" },
    { "empty-name", die_empty_name,
      "*iothread_ref: no holder name for IOThread 'io0'*" },
    { "null-name", die_null_name,
      "*iothread_remove_holder: no holder name for IOThread 'io0'*" },
    { "unknown-remove", die_unknown_remove,
      "*iothread_remove_holder: 'x' is not a holder of IOThread 'io0'*" },
    { "unbalanced-unref", die_unbalanced_unref,
      "*iothread_unref: 'a' is not a holder of IOThread 'io0'*" },
    { "no-bql/add", die_add_without_bql, "*iothread_add_holder*" },
    { "no-bql/remove", die_remove_without_bql, "*iothread_remove_holder*" },
    { "no-bql/ref", die_ref_without_bql, "*iothread_ref*" },
    { "no-bql/unref", die_unref_without_bql, "*iothread_unref*" },
    { "no-bql/foreach", die_foreach_without_bql, "*iothread_foreach_holder*" },
};

static void test_death(gconstpointer opaque)
{
    const DeathTest *test = opaque;

    if (g_test_subprocess()) {
        test->fn();
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(test->stderr_pattern);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    module_call_init(MODULE_INIT_QOM);
    type_register_static(&test_iothread_info);

    g_test_add_func("/iothread-holders/empty", test_empty);
    g_test_add_func("/iothread-holders/name-is-copied", test_name_is_copied);
    g_test_add_func("/iothread-holders/oldest-first", test_oldest_first);
    g_test_add_func("/iothread-holders/duplicates", test_duplicates);
    g_test_add_func("/iothread-holders/types-are-distinct",
                    test_types_are_distinct);
    g_test_add_func("/iothread-holders/ref-is-qom-object",
                    test_ref_is_qom_object);
    g_test_add_func("/iothread-holders/references", test_references);
    g_test_add_func("/iothread-holders/last-holder-finalizes",
                    test_last_holder_finalizes);
    g_test_add_func("/iothread-holders/independent", test_independent);
    g_test_add_func("/iothread-holders/names-are-bytes",
                    test_names_are_bytes);
    for (guint i = 0; i < G_N_ELEMENTS(death_tests); i++) {
        g_autofree char *path =
            g_strdup_printf("/iothread-holders/death/%s", death_tests[i].path);

        g_test_add_data_func(path, &death_tests[i], test_death);
    }
    return g_test_run();
}
