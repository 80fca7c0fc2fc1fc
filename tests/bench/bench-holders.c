/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: the library through its C ABI against the holder list of the
 * earlier QEMU series ("seed"), reimplemented here faithfully: a GList that
 * iothread_ref() prepends to and iothread_unref() searches with
 * g_list_find_custom() and g_strcmp0(), freeing with g_free() and
 * g_list_delete_link(); the caller allocates the string, since the seed
 * stole it.  Both sides take and drop one QOM reference per registration
 * (the seed's devices did so themselves), through the same stand-in QOM.
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

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "iothread-holders.h"
#include "qom/object.h"

#define ROUNDS 7
#define MIN_BATCH_NS (20 * 1000 * 1000)

static const int sizes[] = { 1, 10, 100, 1000, 10000 };

/* The seed's IOThread fields and functions */
typedef struct SeedIOThread {
    Object qom;
    int attached_cnt;
    GList *attached_dev;
} SeedIOThread;

static void seed_ref(SeedIOThread *iothread, char *holder)
{
    object_ref(&iothread->qom);
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
    object_unref(&iothread->qom);
}

/* The same result as iothread_get_holders(): oldest first, a new strv */
static char **seed_get_holders(SeedIOThread *iothread)
{
    char **holders = g_new(char *, iothread->attached_cnt + 1);
    int i = iothread->attached_cnt;

    holders[i] = NULL;
    for (GList *link = iothread->attached_dev; link; link = link->next) {
        holders[--i] = g_strdup(link->data);
    }
    return holders;
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
    /* one unref+ref of the oldest holder; @i counts the operations */
    void (*cycle)(void *iothread, int n, long i);
    void (*list)(void *iothread);
    void *iothread;
} Side;

static void lib_fill(void *iothread, int n)
{
    for (int i = 0; i < n; i++) {
        iothread_ref(iothread, names[i]);
    }
}

static void lib_drain(void *iothread, int n)
{
    for (int i = 0; i < n; i++) {
        iothread_unref(iothread, names[i]);
    }
}

static void lib_cycle(void *iothread, int n, long i)
{
    const char *oldest = names[i % n];

    iothread_unref(iothread, oldest);
    iothread_ref(iothread, oldest);
}

static void lib_list(void *iothread)
{
    g_strfreev(iothread_get_holders(iothread));
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
    g_strfreev(seed_get_holders(iothread));
}

enum { OP_CYCLE, OP_FILL, OP_LIST, OP_COUNT };
static const char *const op_names[] = {
    [OP_CYCLE] = "unref+ref oldest",
    [OP_FILL] = "register n (per holder)",
    [OP_LIST] = "get_holders",
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

/*
 * ns per uncontended lock and unlock of a POSIX mutex, the library's lock,
 * one batch.  The seed, relying on the BQL, pays nothing of the kind;
 * printing it beside the figures shows how much of the library's time is
 * its thread safety.
 */
static double lock_pair_ns(void)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    long iterations = 1 << 20;
    double start, elapsed;

    for (;;) {
        start = now_ns();
        for (long i = 0; i < iterations; i++) {
            pthread_mutex_lock(&lock);
            pthread_mutex_unlock(&lock);
        }
        elapsed = now_ns() - start;
        if (elapsed >= MIN_BATCH_NS) {
            return elapsed / iterations;
        }
        iterations *= 2;
    }
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

static double median_lock_pair_ns(void)
{
    double rounds[ROUNDS];

    for (int round = 0; round < ROUNDS; round++) {
        rounds[round] = lock_pair_ns();
    }
    return median(rounds);
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
    /* One reference each, as object_new() gives */
    SeedIOThread seed_iothread = { .qom.ref = 1 };
    Object lib_iothread = { .ref = 1 };
    Side sides[2] = {
        { "library", lib_fill, lib_drain, lib_cycle, lib_list,
          &lib_iothread },
        { "seed", seed_fill, seed_drain, seed_cycle, seed_list,
          &seed_iothread },
    };
    int max_n = sizes[G_N_ELEMENTS(sizes) - 1];
    bool memory = argc > 1 && g_str_equal(argv[1], "--memory");
    FILE *csv = argc > 1 && !memory ? fopen(argv[1], "w") : NULL;

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

    printf("\nuncontended pthread mutex lock+unlock, the library's "
           "lock (the seed has none): %.1f ns\n", median_lock_pair_ns());

    g_assert_cmpint(lib_iothread.ref, ==, 1);
    g_assert_cmpint(seed_iothread.qom.ref, ==, 1);
    g_strfreev(names);
    if (csv) {
        fclose(csv);
    }
    return 0;
}
