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
/* The number of online processors, at least 1. */
unsigned pool_cpus(void);

#endif
