/*
 * pool.c - a fork-join loop over indices with pthreads.
 */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>
#include "util.h"

struct job {
	pool_fn fn;
	void *arg;
	size_t n;
	atomic_size_t next;
};

struct worker {
	struct job *job;
	unsigned id;
	pthread_t thread;
};

static void *work(void *p)
{
	struct worker *w = p;
	struct job *job = w->job;
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= job->n)
			break;
		job->fn(job->arg, i, w->id);
	}
	return NULL;
}

void pool_run(unsigned threads, size_t n, pool_fn fn, void *arg)
{
	struct job job = { .fn = fn, .arg = arg, .n = n };
	atomic_init(&job.next, 0);
	if (threads < 1)
		threads = 1;
	if (threads > n)
		threads = n ? (unsigned)n : 1;
	struct worker *ws = xcalloc(threads, sizeof(*ws));
	for (unsigned t = 0; t < threads; t++) {
		ws[t].job = &job;
		ws[t].id = t;
	}
	for (unsigned t = 1; t < threads; t++)
		if (pthread_create(&ws[t].thread, NULL, work, &ws[t]) != 0)
			die("cannot start a thread");
	work(&ws[0]);
	for (unsigned t = 1; t < threads; t++)
		pthread_join(ws[t].thread, NULL);
	free(ws);
}

unsigned pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}
