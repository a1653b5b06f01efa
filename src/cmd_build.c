/*
 * cmd_build.c - folio build and folio check: options, diagnostics, summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "cmd.h"
#include "diag.h"

static int usage(const char *cmd, const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "folio: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fprintf(stderr, "usage: folio %s [-s SITE]%s [--drafts] [--strict] [-j N] [--quiet]\n"
		"       [--verbose] [--error-format text|github] [--timings]\n", cmd,
		strcmp(cmd, "build") ? "" : " [-o OUT] [--base-url URL] [--force] [--no-wait]");
	return 2;
}

const char *cmd_option(int argc, char **argv, int *i, const char *lng, const char *shrt,
		       int *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(lng);
	if ((shrt && !strcmp(a, shrt)) || !strcmp(a, lng)) {
		if (*i + 1 >= argc) {
			*missing = 1;
			return NULL;
		}
		return argv[++*i];
	}
	if (!strncmp(a, lng, n) && a[n] == '=')
		return a + n + 1;
	if (shrt && !strncmp(a, shrt, 2) && a[2] && strlen(shrt) == 2)
		return a + 2;
	return NULL;
}

static void say_waiting(const char *out)
{
	fprintf(stderr, "folio: another build is writing '%s'; waiting for it to finish\n", out);
}

static void say_slow(const char *file, double ms)
{
	fprintf(stderr, "folio: %s: Markdown still running after %.1f s\n", file, ms / 1e3);
}

int cmd_build(int argc, char **argv, int check_only)
{
	const char *cmd = argv[0];
	struct build_opts o = { .check_only = check_only != 0, .waiting = say_waiting,
				.slow_page = say_slow };
	enum diag_format fmt = DIAG_FORMAT_TEXT;
	bool quiet = false, timings = false, verbose = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;
		if ((v = cmd_option(argc, argv, &i, "--site", "-s", &missing))) {
			o.site_dir = v;
		} else if (!check_only && (v = cmd_option(argc, argv, &i, "--output", "-o", &missing))) {
			o.out_dir = v;
		} else if (!check_only && (v = cmd_option(argc, argv, &i, "--base-url", NULL, &missing))) {
			o.base_url = v;
		} else if ((v = cmd_option(argc, argv, &i, "--jobs", "-j", &missing))) {
			char *end;
			long j = strtol(v, &end, 10);
			if (*end || j < 1 || j > 1024)
				return usage(cmd, "-j needs a number of threads from 1 to 1024, not", v);
			o.threads = (unsigned)j;
		} else if ((v = cmd_option(argc, argv, &i, "--error-format", NULL, &missing))) {
			if (!strcmp(v, "github"))
				fmt = DIAG_FORMAT_GITHUB;
			else if (!strcmp(v, "text"))
				fmt = DIAG_FORMAT_TEXT;
			else
				return usage(cmd, "--error-format is text or github, not", v);
		} else if (missing) {
			return usage(cmd, "missing value after", a);
		} else if (!strcmp(a, "--drafts") || !strcmp(a, "-D")) {
			o.drafts = true;
		} else if (!strcmp(a, "--strict")) {
			o.strict = true;
		} else if (!check_only && !strcmp(a, "--force")) {
			o.force = true;
		} else if (!check_only && !strcmp(a, "--no-wait")) {
			o.no_wait = true;
		} else if (!strcmp(a, "--timings")) {
			timings = true;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			quiet = true;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			verbose = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(cmd, NULL, NULL);
			return 0;
		} else {
			return usage(cmd, a[0] == '-' ? "unknown option" : "unexpected argument", a);
		}
	}

	/* --verbose lists what content/ holds that is not built: that needs
	 * a build. */
	o.reuse = !verbose;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	int rc = build_run(&o, &d, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	diags_sort(&d);
	diags_print(&d, stderr, fmt);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (verbose && st.skipped) {
		/* What content/ holds that is not built, and why. */
		for (char *l = st.skipped, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			char *tab = strchr(l, '\t');
			printf("folio: not built: content/%.*s (%.*s)\n", (int)(tab - l), l,
			       (int)(e - tab - 1), tab + 1);
		}
	}
	free(st.skipped);
	if (st.broken_links)
		fprintf(stderr, "folio: %zu internal link%s lead%s nowhere\n", st.broken_links,
			st.broken_links == 1 ? "" : "s", st.broken_links == 1 ? "s" : "");
	if (rc != 0) {
		fprintf(stderr, "folio: %s failed: %zu error%s, %zu warning%s\n", cmd, d.errors,
			d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s");
	} else if (!quiet) {
		if (check_only)
			printf("folio: checked %zu pages: no errors, %zu warning%s (%.0f ms)\n",
			       st.pages, d.warnings, d.warnings == 1 ? "" : "s", ms);
		else if (st.unchanged)
			printf("folio: nothing changed since the last build of %zu pages and %zu other "
			       "files (%.0f ms)\n", st.pages, st.files - st.pages, ms);
		else
			printf("folio: wrote %zu pages and %zu other files in %.0f ms\n",
			       st.pages, st.files - st.pages, ms);
	}
	if (timings) {
		for (int k = 0; k < STAGE_COUNT; k++)
			fprintf(stderr, "folio: %-11s %8.1f ms %5.1f%%\n", build_stage_names[k], st.ms[k],
				ms > 0 ? 100.0 * st.ms[k] / ms : 0.0);
	}
	diags_free(&d);
	return rc;
}
