/*
 * cmd_build.c - folio build and folio check: options, diagnostics, summary.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "cmd.h"
#include "diag.h"
#include "util.h"

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

/*
 * The progress line: on a terminal, once a build has run for a second
 * (FOLIO_PROGRESS_MS), one line per stage on standard error, "folio:
 * render 4200/10011", rewritten in place as the pages get done and
 * finished with the stage's time when it is over.  The lock keeps it
 * apart from the messages of the slow-page watcher, which run on a thread
 * of their own.
 */
#define PROGRESS_MS_DEFAULT 1000
static struct {
	pthread_mutex_t lock;
	double start, after;    /* the build's start; show lines after this long */
	double stage_start;
	size_t done, total;     /* the stage's count so far (TOTAL 0: none) */
	bool open;              /* an unfinished line is on the terminal */
} progress = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Clears an unfinished progress line, with the lock held. */
static void progress_clear(void)
{
	if (progress.open)
		fputs("\r\033[K", stderr);
	progress.open = false;
}

static void progress_show(enum build_stage k, size_t done, size_t total, bool over)
{
	double now = util_now_ms();
	pthread_mutex_lock(&progress.lock);
	if (!over && !total) {
		progress.stage_start = now;
		progress.done = progress.total = 0;
	} else if (!over) {
		progress.done = done;
		progress.total = total;
	}
	if (now - progress.start >= progress.after) {
		fprintf(stderr, "\r\033[Kfolio: %s", build_stage_names[k]);
		if (progress.total)
			fprintf(stderr, " %zu/%zu", progress.done, progress.total);
		if (over)
			fprintf(stderr, " (%.1f s)\n", (now - progress.stage_start) / 1e3);
		progress.open = !over;
		fflush(stderr);
	}
	pthread_mutex_unlock(&progress.lock);
}

/* Whether a build shows the progress line: standard error is a terminal
 * that understands "clear to end of line", and not --quiet. */
static bool progress_wanted(bool quiet)
{
	const char *term = getenv("TERM");
	return !quiet && isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
}

/* Starts the clock of the progress line, which shows after
 * FOLIO_PROGRESS_MS. */
static void progress_begin(void)
{
	const char *ms = getenv("FOLIO_PROGRESS_MS");
	char *end;
	double after = ms && *ms ? strtod(ms, &end) : PROGRESS_MS_DEFAULT;
	if (ms && *ms && (*end || !(after >= 0))) {
		fprintf(stderr, "folio: FOLIO_PROGRESS_MS is a number of milliseconds, not '%s'; "
			"using %d\n", ms, PROGRESS_MS_DEFAULT);
		after = PROGRESS_MS_DEFAULT;
	}
	progress.after = after;
	progress.start = util_now_ms();
}

static void say_waiting(const char *out)
{
	pthread_mutex_lock(&progress.lock);
	progress_clear();
	fprintf(stderr, "folio: another build is writing '%s'; waiting for it to finish\n", out);
	pthread_mutex_unlock(&progress.lock);
}

static void say_slow(const char *file, double ms)
{
	pthread_mutex_lock(&progress.lock);
	progress_clear();
	fprintf(stderr, "folio: %s: Markdown still running after %.1f s\n", file, ms / 1e3);
	pthread_mutex_unlock(&progress.lock);
}

/* What folio build and check take besides the build's own options. */
struct cmd_flags {
	enum diag_format fmt;
	bool quiet, timings, verbose;
};

/* Reads the options into O and F.  Returns -1 when the build is to run,
 * or the exit status (a usage error, --help). */
static int parse_options(int argc, char **argv, bool check_only, struct build_opts *o,
			 struct cmd_flags *f)
{
	const char *cmd = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;
		if ((v = cmd_option(argc, argv, &i, "--site", "-s", &missing))) {
			o->site_dir = v;
		} else if (!check_only && (v = cmd_option(argc, argv, &i, "--output", "-o", &missing))) {
			o->out_dir = v;
		} else if (!check_only && (v = cmd_option(argc, argv, &i, "--base-url", NULL, &missing))) {
			o->base_url = v;
		} else if ((v = cmd_option(argc, argv, &i, "--jobs", "-j", &missing))) {
			char *end;
			long j = strtol(v, &end, 10);
			if (*end || j < 1 || j > 1024)
				return usage(cmd, "-j needs a number of threads from 1 to 1024, not", v);
			o->threads = (unsigned)j;
		} else if ((v = cmd_option(argc, argv, &i, "--error-format", NULL, &missing))) {
			if (!strcmp(v, "github"))
				f->fmt = DIAG_FORMAT_GITHUB;
			else if (!strcmp(v, "text"))
				f->fmt = DIAG_FORMAT_TEXT;
			else
				return usage(cmd, "--error-format is text or github, not", v);
		} else if (missing) {
			return usage(cmd, "missing value after", a);
		} else if (!strcmp(a, "--drafts") || !strcmp(a, "-D")) {
			o->drafts = true;
		} else if (!strcmp(a, "--strict")) {
			o->strict = true;
		} else if (!check_only && !strcmp(a, "--force")) {
			o->force = true;
		} else if (!check_only && !strcmp(a, "--no-wait")) {
			o->no_wait = true;
		} else if (!strcmp(a, "--timings")) {
			f->timings = true;
		} else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			f->quiet = true;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			f->verbose = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(cmd, NULL, NULL);
			return 0;
		} else {
			return usage(cmd, a[0] == '-' ? "unknown option" : "unexpected argument", a);
		}
	}
	return -1;
}

/* What the build left out (--verbose), its broken links, its outcome and
 * (--timings) the time of each stage; MS: the whole run. */
static void print_summary(const char *cmd, bool check_only, const struct cmd_flags *f, int rc,
			  const struct diags *d, const struct build_stats *st, double ms)
{
	if (f->verbose && st->skipped) {
		/* What content/ holds that is not built, and why. */
		for (char *l = st->skipped, *e; *l; l = e + 1) {
			e = strchr(l, '\n');
			char *tab = strchr(l, '\t');
			printf("folio: not built: content/%.*s (%.*s)\n", (int)(tab - l), l,
			       (int)(e - tab - 1), tab + 1);
		}
	}
	if (st->broken_links)
		fprintf(stderr, "folio: %zu internal link%s lead%s nowhere\n", st->broken_links,
			st->broken_links == 1 ? "" : "s", st->broken_links == 1 ? "s" : "");
	if (rc != 0) {
		fprintf(stderr, "folio: %s failed: %zu error%s, %zu warning%s\n", cmd, d->errors,
			d->errors == 1 ? "" : "s", d->warnings, d->warnings == 1 ? "" : "s");
	} else if (!f->quiet) {
		if (check_only)
			printf("folio: checked %zu pages: no errors, %zu warning%s (%.0f ms)\n",
			       st->pages, d->warnings, d->warnings == 1 ? "" : "s", ms);
		else if (st->unchanged)
			printf("folio: nothing changed since the last build of %zu pages and %zu other "
			       "files (%.0f ms)\n", st->pages, st->files - st->pages, ms);
		else
			printf("folio: wrote %zu pages and %zu other files in %.0f ms\n",
			       st->pages, st->files - st->pages, ms);
	}
	if (f->timings) {
		for (int k = 0; k < STAGE_COUNT; k++)
			fprintf(stderr, "folio: %-11s %8.1f ms %5.1f%%  peak %6zu MiB\n",
				build_stage_names[k], st->ms[k], ms > 0 ? 100.0 * st->ms[k] / ms : 0.0,
				st->peak_kb[k] / 1024);
	}
}

int cmd_build(int argc, char **argv, int check_only)
{
	struct build_opts o = { .check_only = check_only != 0, .waiting = say_waiting,
				.slow_page = say_slow };
	struct cmd_flags f = { .fmt = DIAG_FORMAT_TEXT };
	int status = parse_options(argc, argv, check_only != 0, &o, &f);
	if (status >= 0)
		return status;

	/* --verbose lists what content/ holds that is not built: that needs
	 * a build. */
	o.reuse = !f.verbose;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	if (progress_wanted(f.quiet)) {
		progress_begin();
		o.progress = progress_show;
	}
	int rc = build_run(&o, &d, &st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_mutex_lock(&progress.lock);
	progress_clear();       /* a stage cut short by errors */
	pthread_mutex_unlock(&progress.lock);
	diags_sort(&d);
	diags_print(&d, stderr, f.fmt);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	print_summary(argv[0], check_only != 0, &f, rc, &d, &st, ms);
	free(st.skipped);
	diags_free(&d);
	return rc == 0 ? 0 : 1;
}
