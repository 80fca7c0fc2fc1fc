/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: the library through its C ABI (iothread_add_holder(),
 * iothread_remove_holder(), iothread_foreach_holder(), under the BQL
 * stand-in) against the holder list of the earlier QEMU series ("seed"),
 * reimplemented here faithfully: a GList that iothread_ref() prepends to
 * and iothread_unref() searches with g_list_find_custom() and g_strcmp0(),
 * freeing with g_free() and g_list_delete_link(); the caller allocates the
 * string, since the seed stole it.  Both sides take and drop one QOM
 * reference per registration (the seed's devices did so themselves),
 * through the same stand-in QOM (tests/c/qemu-shim).
 *
 * Both run in this process, interleaved round by round, so that machine
 * noise hits both alike; each figure is the median of the rounds.
 *
 * With --memory, it reports heap bytes per holder instead, as the C
 * allocator counts them: run it with G_SLICE=always-malloc so that the
 * seed's GList nodes go through malloc() too (GLib 2.76 and later always
 * do).  Timings use GLib's default allocator, as QEMU does.
 *
 * usage: bench-holders [CSV-FILE] | bench-holders --memory
 */

#include "qemu/osdep.h"

#include <malloc.h>
#include <time.h>

#include "qemu/main-loop.h"
#include "qom/object.h"
#include "system/iothread-holders.h"

#define ROUNDS 7
#define MIN_BATCH_NS (20 * 1000 * 1000)

static const int sizes[] = { 1, 10, 100, 1000, 10000 };

#define TYPE_BENCH_IOTHREAD "bench-iothread"

static const TypeInfo bench_iothread_info = {
    .name = TYPE_BENCH_IOTHREAD,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

/* The seed's IOThread fields and functions */
typedef struct SeedIOThread {
    Object *qom;
    int attached_cnt;
    GList *attached_dev;
} SeedIOThread;

static void seed_ref(SeedIOThread *iothread, char *holder)
{
    object_ref(iothread->qom);
    iothread->attached_dev = g_list_prepend(iothread->attached_dev, holder);
    iothread->attached_cnt++;
}

static void seed_unref(SeedIOThread *iothread, const char *holder)
{
    GList *link = g_list_find_custom(iothread->attached_dev, holder,
                                     (GCompareFunc)g_strcmp0);

    if (!link) {
        g_printerr("seed: %s is not attached\n", holder);
        return;
    }
    g_free(link->data);
    iothread->attached_dev = g_list_delete_link(iothread->attached_dev, link);
    iothread->attached_cnt--;
    object_unref(iothread->qom);
}

/* As iothread_foreach_holder(): oldest first, the seed's holder type */
static void seed_foreach_holder(SeedIOThread *iothread,
                                IOThreadHolderFunc *func, void *opaque)
{
    for (GList *link = g_list_last(iothread->attached_dev); link;
         link = link->prev) {
        func(IO_THREAD_HOLDER_TYPE_QOM_OBJECT, link->data, opaque);
    }
}

/* What a caller of foreach does at least: look at each name */
static void count_holder(IOThreadHolderType type, const char *name,
                         void *opaque)
{
    *(size_t *)opaque += type + (unsigned char)name[0];
}

static char **names;

static void make_names(int n)
{
    names = g_new(char *, n + 1);
    for (int i = 0; i < n; i++) {
        names[i] = g_strdup_printf("/machine/peripheral/disk%d/virtio-backend",
                                   i);
    }
    names[n] = NULL;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

typedef struct Side {
    const char *name;
    void (*fill)(void *iothread, int n);
    void (*drain)(void *iothread, int n);
    /* one remove+add of the oldest holder; @i counts the operations */
    void (*cycle)(void *iothread, int n, long i);
    void (*list)(void *iothread);
    void *iothread;
} Side;

static void lib_fill(void *iothread, int n)
{
    for (int i = 0; i < n; i++) {
        iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
                            names[i]);
    }
}

static void lib_drain(void *iothread, int n)
{
    for (int i = 0; i < n; i++) {
        iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT,
                               names[i]);
    }
}

static void lib_cycle(void *iothread, int n, long i)
{
    const char *oldest = names[i % n];

    iothread_remove_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT, oldest);
    iothread_add_holder(iothread, IO_THREAD_HOLDER_TYPE_QOM_OBJECT, oldest);
}

static void lib_list(void *iothread)
{
    size_t sum = 0;

    iothread_foreach_holder(iothread, count_holder, &sum);
    g_assert_cmpuint(sum, >, 0);
}

static void seed_fill(void *iothread, int n)
{
    for (int i = 0; i < n; i++) {
        seed_ref(iothread, g_strdup(names[i]));
    }
}

/* Newest first: untimed teardown need not pay the seed's O(n) search */
static void seed_drain(void *iothread, int n G_GNUC_UNUSED)
{
    SeedIOThread *seed = iothread;

    while (seed->attached_dev) {
        seed_unref(seed, seed->attached_dev->data);
    }
}

static void seed_cycle(void *iothread, int n, long i)
{
    const char *oldest = names[i % n];

    seed_unref(iothread, oldest);
    seed_ref(iothread, g_strdup(oldest));
}

static void seed_list(void *iothread)
{
    size_t sum = 0;

    seed_foreach_holder(iothread, count_holder, &sum);
    g_assert_cmpuint(sum, >, 0);
}

enum { OP_CYCLE, OP_FILL, OP_LIST, OP_COUNT };
static const char *const op_names[] = {
    [OP_CYCLE] = "remove+add oldest",
    [OP_FILL] = "add n (per holder)",
    [OP_LIST] = "foreach",
};

/* ns per operation of @op on @side with @n live holders, one batch */
static double measure(Side *side, int op, int n)
{
    long iterations = 1, done;
    double start, elapsed;

    for (;;) {
        switch (op) {
        case OP_CYCLE:
            side->fill(side->iothread, n);
            start = now_ns();
            for (done = 0; done < iterations; done++) {
                side->cycle(side->iothread, n, done);
            }
            elapsed = now_ns() - start;
            side->drain(side->iothread, n);
            break;
        case OP_FILL:
            elapsed = 0;
            for (done = 0; done < iterations; done++) {
                start = now_ns();
                side->fill(side->iothread, n);
                elapsed += now_ns() - start;
                side->drain(side->iothread, n);
            }
            break;
        default:
            side->fill(side->iothread, n);
            start = now_ns();
            for (done = 0; done < iterations; done++) {
                side->list(side->iothread);
            }
            elapsed = now_ns() - start;
            side->drain(side->iothread, n);
            break;
        }
        if (elapsed >= MIN_BATCH_NS || iterations > (1L << 40)) {
            break;
        }
        iterations *= elapsed < MIN_BATCH_NS / 100 ? 10 : 2;
    }
    /* registering: n holders per iteration */
    return op == OP_FILL ? elapsed / iterations / n : elapsed / iterations;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The median of one figure per round; sorts @rounds in place */
static double median(double rounds[ROUNDS])
{
    qsort(rounds, ROUNDS, sizeof(double), compare_doubles);
    return rounds[ROUNDS / 2];
}

/* Heap bytes per holder with @n holders, from the allocator's own count */
static double bytes_per_holder(Side *side, int n)
{
    size_t before, after;

    struct mallinfo2 info;

    malloc_trim(0);
    info = mallinfo2();
    /* in use from the heap, plus blocks large enough to be mmapped */
    before = info.uordblks + info.hblkhd;
    side->fill(side->iothread, n);
    info = mallinfo2();
    after = info.uordblks + info.hblkhd;
    side->drain(side->iothread, n);
    return (double)(after - before) / n;
}

int main(int argc, char **argv)
{
    Object *lib_iothread;
    SeedIOThread seed_iothread = { 0 };
    Side sides[2] = {
        { "library", lib_fill, lib_drain, lib_cycle, lib_list },
        { "seed", seed_fill, seed_drain, seed_cycle, seed_list },
    };
    int max_n = sizes[G_N_ELEMENTS(sizes) - 1];
    bool memory = argc > 1 && g_str_equal(argv[1], "--memory");
    FILE *csv = argc > 1 && !memory ? fopen(argv[1], "w") : NULL;

    /* The library's calls are global state code, under the BQL */
    rust_bql_mock_lock();
    type_register_static(&bench_iothread_info);
    lib_iothread = object_new(TYPE_BENCH_IOTHREAD);
    seed_iothread.qom = object_new(TYPE_BENCH_IOTHREAD);
    sides[0].iothread = lib_iothread;
    sides[1].iothread = &seed_iothread;
    make_names(max_n);
    if (memory) {
        if (g_strcmp0(g_getenv("G_SLICE"), "always-malloc") != 0) {
            g_printerr("--memory needs G_SLICE=always-malloc\n");
            return 1;
        }
        for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
            printf("heap bytes per holder, %5d holders: library %6.1f, "
                   "seed %6.1f\n", sizes[s],
                   bytes_per_holder(&sides[0], sizes[s]),
                   bytes_per_holder(&sides[1], sizes[s]));
        }
        g_strfreev(names);
        return 0;
    }
    if (csv) {
        fprintf(csv, "op,n,library_ns,seed_ns\n");
    }

    printf("%-24s %6s %12s %12s %12s %12s\n", "operation", "n",
           "library ns", "seed ns", "lib/seed", "seed/lib");
    for (int op = 0; op < OP_COUNT; op++) {
        for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
            int n = sizes[s];
            double results[2][ROUNDS], medians[2];

            for (int round = 0; round < ROUNDS; round++) {
                for (int side = 0; side < 2; side++) {
                    results[side][round] = measure(&sides[side], op, n);
                }
            }
            for (int side = 0; side < 2; side++) {
                medians[side] = median(results[side]);
            }
            printf("%-24s %6d %12.1f %12.1f %12.2f %12.1f\n", op_names[op],
                   n, medians[0], medians[1], medians[0] / medians[1],
                   medians[1] / medians[0]);
            if (csv) {
                fprintf(csv, "%s,%d,%.2f,%.2f\n", op_names[op], n,
                        medians[0], medians[1]);
            }
        }
    }

    /* Every reference taken was dropped */
    g_assert_cmpuint(lib_iothread->ref, ==, 1);
    g_assert_cmpuint(seed_iothread.qom->ref, ==, 1);
    object_unref(lib_iothread);
    object_unref(seed_iothread.qom);
    g_strfreev(names);
    if (csv) {
        fclose(csv);
    }
    return 0;
}
