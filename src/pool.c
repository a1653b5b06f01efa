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
	/* Progress, when the calling thread has a hook: indices done, and
	 * when the calling thread (worker 0) reports next. */
	pool_progress_fn progress;
	void *progress_ctx;
	atomic_size_t done;
	double report_at;
};

/* The hook of the thread that calls pool_run (pool_set_progress). */
static _Thread_local pool_progress_fn progress_fn;
static _Thread_local void *progress_ctx;

void pool_set_progress(pool_progress_fn fn, void *ctx)
{
	progress_fn = fn;
	progress_ctx = fn ? ctx : NULL;
}

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
		if (job->progress) {
			size_t done = atomic_fetch_add_explicit(&job->done, 1, memory_order_relaxed) + 1;
			/* Only the calling thread reports, so the hook runs there. */
			if (w->id == 0 && done < job->n) {
				double now = util_now_ms();
				if (now >= job->report_at) {
					job->report_at = now + POOL_PROGRESS_MS;
					job->progress(job->progress_ctx, done, job->n);
				}
			}
		}
	}
	return NULL;
}

void pool_run(unsigned threads, size_t n, pool_fn fn, void *arg)
{
	struct job job = { .fn = fn, .arg = arg, .n = n };
	atomic_init(&job.next, 0);
	atomic_init(&job.done, 0);
	if (progress_fn && n > 0) {
		job.progress = progress_fn;
		job.progress_ctx = progress_ctx;
		job.report_at = util_now_ms() + POOL_PROGRESS_MS;
		job.progress(job.progress_ctx, 0, n);
	}
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
	if (job.progress)
		job.progress(job.progress_ctx, n, n);
}

unsigned pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}
