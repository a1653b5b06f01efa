/*
 * pool.h - run a function over the indices 0..n-1 on several threads.
 *
 * Work is handed out one index at a time from an atomic counter, so a
 * slow page does not hold up a whole chunk.  Each worker gets its own
 * number (0..threads-1) to pick per-thread scratch state.
 */
#ifndef FOLIO_POOL_H
#define FOLIO_POOL_H

#include <stddef.h>

typedef void (*pool_fn)(void *arg, size_t index, unsigned worker);

/* Calls FN(ARG, i, worker) for every i in [0, N) on THREADS threads
 * (1 means the calling thread only) and returns when all are done. */
void pool_run(unsigned threads, size_t n, pool_fn fn, void *arg);

/*
 * Progress of the loops: while a hook is set on a thread, every pool_run
 * that thread calls with N > 0 tells FN(CTX, DONE, TOTAL): once when the
 * loop starts (0 of N), about every POOL_PROGRESS_MS while it runs, and
 * once when it is over (N of N).  FN is always called on the thread that
 * set it, so it needs no lock of its own.  The count costs one relaxed
 * atomic addition per index, and nothing while no hook is set.  FN NULL
 * removes the hook.
 */
#define POOL_PROGRESS_MS 100
typedef void (*pool_progress_fn)(void *ctx, size_t done, size_t total);
void pool_set_progress(pool_progress_fn fn, void *ctx);

/* The number of online processors, at least 1. */
unsigned pool_cpus(void);

#endif
