/*
 * cmd_serve.c - folio serve: builds the site into a private folder,
 * serves that folder over HTTP, and rebuilds it when the site's files
 * change; the open pages reload (or show the errors).
 *
 * Three parts: the build (build_live_*, into a folder under $TMPDIR that is
 * removed on exit, never the site's public/), the server (http.c, its
 * own threads) and the watcher (watch.c, on this thread).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "build.h"
#include "cmd.h"
#include "diag.h"
#include "http.h"
#include "output.h"
#include "watch.h"

/* A burst of changes ends after this many quiet milliseconds, or this
 * long after it began.  An editor's save takes a millisecond or two;
 * every millisecond here is one more before the page shows the change. */
#define SERVE_QUIET_MS 10
#define SERVE_MAX_MS 300

struct serve {
	const char *site;
	bool drafts;
	char *tmp;                      /* the private folder */
	char *out;                      /* TMP/site, the folder served */
	http *http;
	bool built;                     /* the folder holds a good site */
	struct build_live *live;        /* the site in memory, for updates */
	struct watch_paths dirty;       /* changed since the last good build */
};

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "folio: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fputs("usage: folio serve [-s SITE] [--bind ADDR] [--port N] [--drafts]\n", stderr);
	return 2;
}


/* Is every change a stylesheet under assets/?  Then pages need not
 * reload, only their stylesheets. */
static bool css_only(const struct watch_paths *p)
{
	if (!p || p->all || p->n == 0)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		const char *s = p->v[i];
		size_t n = strlen(s);
		if (strncmp(s, "assets/", 7) || n < 4 || strcmp(s + n - 4, ".css"))
			return false;
	}
	return true;
}

/* The errors of D as {"errors": [{"file", "line", "col", "message"}]}. */
static char *errors_json(const struct diags *d)
{
	struct buf j = BUF_INIT;
	buf_puts(&j, "{\"errors\":[");
	bool first = true;
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		if (g->level != DIAG_ERROR)
			continue;
		buf_puts(&j, first ? "{\"file\":" : ",{\"file\":");
		first = false;
		if (g->file) {
			buf_putc(&j, '"');
			buf_put_json(&j, g->file, strlen(g->file));
			buf_putc(&j, '"');
		} else {
			buf_puts(&j, "null");
		}
		buf_printf(&j, ",\"line\":%u,\"col\":%u,\"message\":\"", g->line, g->col);
		buf_put_json(&j, g->msg, strlen(g->msg));
		buf_puts(&j, "\"}");
	}
	buf_puts(&j, "]}");
	return buf_detach(&j, NULL);
}

/* "content/a.md", "content/a.md, assets/site.css and 3 more". */
static void describe(struct buf *b, const struct watch_paths *p)
{
	if (p->n == 0)
		buf_puts(b, "everything");
	for (size_t i = 0; i < p->n && i < 3; i++)
		buf_printf(b, "%s%s", i ? ", " : "", p->v[i]);
	if (p->n > 3)
		buf_printf(b, " and %zu more", p->n - 3);
}

/*
 * Builds the site into the folder served.  CHANGED holds every path that
 * changed since the last successful build, relative to the site folder
 * (NULL for the first build): where an incremental build starts from.
 * Prints the diagnostics and a summary, and tells the open pages to
 * reload, to swap their stylesheets, or to show the errors.  Returns 0,
 * or -1 when the build failed (the folder still holds the last good site).
 */
static int rebuild(struct serve *sv, const struct watch_paths *changed)
{
	struct build_opts o = {
		.site_dir = sv->site,
		.out_dir = sv->out,
		.drafts = sv->drafts,
		.force = true,
	};
	struct build_stats st;
	struct diags d;
	diags_init(&d);
	double t0 = util_now_ms();
	/* An edit of a page's text or of a template updates the site in
	 * place; anything else, or a first build, builds it whole. */
	bool whole = !sv->live || !changed || changed->all || changed->n == 0;
	int rc = 0;
	if (!whole) {
		enum live_result r = build_live_update(sv->live, (const char *const *)changed->v,
						       changed->n, &d, &st);
		whole = r == BUILD_LIVE_FULL;
		rc = r == BUILD_LIVE_ERRORS ? -1 : 0;
	}
	if (whole)
		rc = build_live_full(&sv->live, &o, &d, &st);
	double ms = util_now_ms() - t0;
	diags_sort(&d);
	diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	if (rc != 0) {
		fprintf(stderr, "folio: build failed: %zu error%s, %zu warning%s (%.0f ms); %s\n",
			d.errors, d.errors == 1 ? "" : "s", d.warnings, d.warnings == 1 ? "" : "s", ms,
			sv->built ? "serving the last good site" : "nothing to serve until it is fixed");
		char *json = errors_json(&d);
		http_build_failed(sv->http, json);
		free(json);
	} else if (!sv->built || !changed) {
		printf("folio: built %zu pages and %zu other files in %.0f ms into %s\n",
		       st.pages, st.files - st.pages, ms, sv->out);
		http_site_changed(sv->http, false);
	} else {
		struct buf what = BUF_INIT;
		describe(&what, changed);
		bool css = css_only(changed);
		/* In place, only the pages the change touched are counted. */
		printf("folio: rebuilt %zu pages in %.0f ms (%s)%s\n", st.pages, ms, what.ptr,
		       css ? ", stylesheets only" : "");
		buf_free(&what);
		http_site_changed(sv->http, css);
		/* Then the search index, which the page shown does not wait for;
		 * the search page names its new root, so pages look again. */
		if (!whole && build_live_search(sv->live, &d) == BUILD_LIVE_OK && !css)
			http_site_changed(sv->http, false);
	}
	sv->built |= rc == 0;
	diags_free(&d);
	return rc;
}

/* Makes the private folder under $TMPDIR the site is built into. */
static int make_private_folder(struct serve *sv)
{
	const char *tmpdir = getenv("TMPDIR");
	struct buf t = BUF_INIT;
	buf_printf(&t, "%s/folio-serve.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(t.ptr)) {
		fprintf(stderr, "folio: cannot create a folder in %s: %s\n",
			tmpdir && *tmpdir ? tmpdir : "/tmp", util_strerror(errno));
		buf_free(&t);
		return -1;
	}
	sv->tmp = buf_detach(&t, NULL);
	struct buf o = BUF_INIT;
	buf_printf(&o, "%s/site", sv->tmp);
	sv->out = buf_detach(&o, NULL);
	if (mkdir(sv->out, 0755) != 0) {
		fprintf(stderr, "folio: cannot create '%s': %s\n", sv->out, util_strerror(errno));
		return -1;
	}
	return 0;
}

/* Prints and forgets the diagnostics in D (the watcher's warnings). */
static void flush_diags(struct diags *d)
{
	diags_sort(d);
	diags_print(d, stderr, DIAG_FORMAT_TEXT);
	diags_free(d);
	diags_init(d);
}

/* Watches and rebuilds until a signal arrives on SIG_FD.  Returns the
 * exit status. */
static int serve_loop(struct serve *sv, watch *w, int sig_fd, struct diags *d)
{
	struct watch_paths batch;
	watch_paths_init(&batch);
	int rc = 0;
	for (;;) {
		enum watch_result r = watch_wait(w, sig_fd, SERVE_QUIET_MS, SERVE_MAX_MS, &batch, d);
		flush_diags(d);
		if (r == WATCH_FAILED) {
			fprintf(stderr, "folio: watching '%s' failed: %s\n", sv->site, util_strerror(errno));
			rc = 1;
		}
		if (r != WATCH_CHANGED)
			break;
		watch_paths_merge(&sv->dirty, &batch);
		watch_paths_clear(&batch);
		if (rebuild(sv, &sv->dirty) == 0)
			watch_paths_clear(&sv->dirty);
	}
	watch_paths_free(&batch);
	return rc;
}

/* Reads the options into SV, *BIND and *PORT.  Returns -1 when the
 * server is to start, or the exit status (a usage error, --help). */
static int parse_options(int argc, char **argv, struct serve *sv, const char **bind,
			 unsigned *port)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;
		if ((v = cmd_option(argc, argv, &i, "--site", "-s", &missing))) {
			sv->site = v;
		} else if ((v = cmd_option(argc, argv, &i, "--bind", "-b", &missing))) {
			if (!*v)
				return usage("--bind needs an address or host name", NULL);
			*bind = v;
		} else if ((v = cmd_option(argc, argv, &i, "--port", "-p", &missing))) {
			char *end;
			errno = 0;
			long p = strtol(v, &end, 10);
			if (!*v || *end || errno || p < 0 || p > 65535)
				return usage("--port needs a number from 0 to 65535, not", v);
			*port = (unsigned)p;
		} else if (missing) {
			return usage("missing value after", a);
		} else if (!strcmp(a, "--drafts") || !strcmp(a, "-D")) {
			sv->drafts = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(NULL, NULL);
			return 0;
		} else {
			return usage(a[0] == '-' ? "unknown option" : "unexpected argument", a);
		}
	}
	struct stat st;
	if (stat(sv->site, &st) != 0) {
		fprintf(stderr, "folio: site folder '%s': %s\n", sv->site, util_strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "folio: site folder '%s': not a folder\n", sv->site);
		return 1;
	}
	return -1;
}

int cmd_serve(int argc, char **argv)
{
	struct serve sv = { .site = "." };
	const char *bind = "127.0.0.1";
	unsigned port = 1313;
	int status = parse_options(argc, argv, &sv, &bind, &port);
	if (status >= 0)
		return status;

	/* Signals arrive on a descriptor the watcher polls; every thread
	 * started from here on inherits the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sig_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int rc = 1;
	watch *w = NULL;
	struct diags d;
	struct buf err = BUF_INIT;
	diags_init(&d);
	watch_paths_init(&sv.dirty);
	if (sig_fd < 0) {
		fprintf(stderr, "folio: signalfd: %s\n", util_strerror(errno));
		goto out;
	}
	sv.http = http_listen(bind, port, &err);
	if (!sv.http) {
		fprintf(stderr, "folio: %s\n", err.ptr);
		goto out;
	}
	if (make_private_folder(&sv) < 0)
		goto out;
	w = watch_new(sv.site, &d);
	flush_diags(&d);
	if (!w)
		goto out;
	if (rebuild(&sv, NULL) != 0)
		sv.dirty.all = true;    /* the next good build reloads every page */
	if (http_start(sv.http, sv.out, &err) < 0) {
		fprintf(stderr, "folio: %s\n", err.ptr);
		goto out;
	}
	printf("folio: serving %s at %s (Ctrl-C to stop)\n", sv.site, http_url(sv.http));
	rc = serve_loop(&sv, w, sig_fd, &d);
out:
	http_stop(sv.http);
	watch_free(w);
	if (sv.tmp)
		output_remove_tree(sv.tmp);
	if (sig_fd >= 0)
		close(sig_fd);
	watch_paths_free(&sv.dirty);
	diags_free(&d);
	buf_free(&err);
	build_live_free(sv.live);
	free(sv.tmp);
	free(sv.out);
	return rc;
}
