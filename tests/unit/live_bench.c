/*
 * live_bench.c - how long folio serve takes from a saved page to its new
 * HTML on disk: a whole build of SITE, then ROUNDS edits of FILE (text
 * appended below its front matter), each timed through build_live_update
 * (the page and the pages that list it) and build_live_search (the index).
 *
 * Usage: live_bench SITE content/PATH.md OUT [ROUNDS]   (make bench-serve)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: live_bench SITE content/PATH.md OUT [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 4 ? atoi(argv[4]) : 20;
	if (rounds < 1 || rounds > 1000)
		rounds = 20;
	struct build_live *lv = NULL;
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	struct build_opts o = { .site_dir = argv[1], .out_dir = argv[3] };
	double t = now_ms();
	if (build_live_full(&lv, &o, &d, &st)) {
		diags_print(&d, stderr, DIAG_FORMAT_TEXT);
		return 1;
	}
	printf("whole build: %.0f ms, %zu pages\n", now_ms() - t, st.pages);
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", argv[1], argv[2]);
	double *page = calloc((size_t)rounds, sizeof(double));
	double *all = calloc((size_t)rounds, sizeof(double));
	size_t rendered = 0;
	for (int i = 0; i < rounds; i++) {
		FILE *f = fopen(path, "a");
		if (!f) {
			perror(path);
			return 1;
		}
		fprintf(f, "\nEdit %d while serving.\n", i);
		fclose(f);
		const char *paths[] = { argv[2] };
		t = now_ms();
		enum live_result rc = build_live_update(lv, paths, 1, &d, &st);
		page[i] = now_ms() - t;
		if (rc == BUILD_LIVE_OK && build_live_search(lv, &d) == BUILD_LIVE_ERRORS)
			rc = BUILD_LIVE_ERRORS;
		all[i] = now_ms() - t;
		rendered = st.pages;
		if (rc != BUILD_LIVE_OK) {
			fprintf(stderr, "update %d: result %d\n", i, (int)rc);
			diags_print(&d, stderr, DIAG_FORMAT_TEXT);
			return 1;
		}
	}
	qsort(page, (size_t)rounds, sizeof(double), cmp_double);
	qsort(all, (size_t)rounds, sizeof(double), cmp_double);
	printf("page update: median %.1f ms, max %.1f ms (%zu pages re-rendered)\n",
	       page[rounds / 2], page[rounds - 1], rendered);
	printf("with the search index: median %.1f ms, max %.1f ms\n", all[rounds / 2],
	       all[rounds - 1]);
	free(page);
	free(all);
	build_live_free(lv);
	diags_free(&d);
	return 0;
}
