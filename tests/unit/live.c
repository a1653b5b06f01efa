/*
 * live.c - folio serve's in-place updates (build_live_*): after every edit
 * of a scripted series on a copy of the career site, the output folder must
 * be byte-identical to a clean build of the same files, and an edit must
 * re-render only the pages it touches.
 *
 * Run from the repository root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "buf.h"
#include "build.h"
#include "output.h"
#include "util.h"

static char site[256], live_out[256], clean_out[256];
static struct build_live *lv;
static size_t total_pages;

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	return system(cmd);
}

/* Replaces the first FROM in SITE/REL by TO (or appends TO when FROM is
 * NULL). */
static int edit(const char *rel, const char *from, const char *to)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	buf_printf(&path, "%s/%s", site, rel);
	size_t len;
	char *old = file_read(path.ptr, &len);
	int rc = -1;
	if (old) {
		char *at = from ? strstr(old, from) : old + len;
		if (at) {
			buf_put(&text, old, (size_t)(at - old));
			buf_puts(&text, to);
			buf_puts(&text, from ? at + strlen(from) : "");
			FILE *f = fopen(path.ptr, "w");
			if (f) {
				fwrite(text.ptr, 1, text.len, f);
				rc = fclose(f);
			}
		}
	}
	if (rc)
		fprintf(stderr, "  cannot edit %s\n", rel);
	free(old);
	buf_free(&path);
	buf_free(&text);
	return rc;
}

/* The live output equals a clean build of the site as it is now. */
static void same_as_clean(const char *step)
{
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	struct build_opts o = { .site_dir = site, .out_dir = clean_out, .threads = 2 };
	int rc = build_run(&o, &d, &st);
	diags_free(&d);
	OK(rc == 0);
	int diff = sh("diff -r '%s' '%s' >&2", live_out, clean_out);
	if (diff)
		fprintf(stderr, "  after: %s\n", step);
	OK(diff == 0);
}

/* Applies the change of REL; returns the update's result, the number of
 * pages it rendered in *RENDERED. */
static int update(const char *rel, size_t *rendered)
{
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	const char *paths[] = { rel };
	enum live_result rc = build_live_update(lv, paths, 1, &d, &st);
	if (rc == BUILD_LIVE_OK && build_live_search(lv, &d) == BUILD_LIVE_ERRORS)
		rc = BUILD_LIVE_ERRORS;
	if (rc == BUILD_LIVE_FULL) {
		struct build_opts o = { .site_dir = site, .out_dir = live_out, .threads = 2 };
		rc = build_live_full(&lv, &o, &d, &st) ? BUILD_LIVE_ERRORS : BUILD_LIVE_FULL;
	}
	if (d.errors && rc != BUILD_LIVE_ERRORS)
		diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	*rendered = st.pages;
	diags_free(&d);
	return rc;
}

int main(void)
{
	char tmpl[] = "/tmp/folio-live-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	OK(tmp != NULL);
	if (!tmp)
		return harness_finish();
	snprintf(site, sizeof site, "%s/site", tmp);
	snprintf(live_out, sizeof live_out, "%s/live", tmp);
	snprintf(clean_out, sizeof clean_out, "%s/clean", tmp);
	OK(sh("mkdir -p '%s' && cp -R content layouts assets site.yaml '%s'", site, site) == 0);
	/* Summaries from the text, not the front matter, for the edits of
	 * site-level fields below. */
	OK(sh("sed -i '/^summary:/d' '%s/content/guides/_index.md' '%s/content/skills/docker.md'",
	      site, site) == 0);
	OK(edit("site.yaml", "  skills:\n    summary: string", "  skills:\n    summary: {type: string, required: false}") == 0);
	OK(edit("site.yaml", "  guides:\n    summary: string", "  guides:\n    summary: {type: string, required: false}") == 0);
	/* Every page shows them, through the site's view. */
	OK(edit("layouts/partials/footer.mustache", "</footer>",
		"<!-- {{#site.sections}}{{summary}} {{/site.sections}}"
		"{{#site.matrix.columns}}{{summary}} {{/site.matrix.columns}} --></footer>") == 0);

	struct diags d;
	struct build_stats st;
	diags_init(&d);
	struct build_opts o = { .site_dir = site, .out_dir = live_out, .threads = 2 };
	INT_EQ(build_live_full(&lv, &o, &d, &st), 0);
	diags_free(&d);
	total_pages = st.pages;
	OK(total_pages > 50);
	same_as_clean("the first build");

	size_t n;
	/* Text below the summary: that page, and only the few that list it. */
	OK(edit("content/guides/soft-skills.md", NULL, "\nA sentence added while serving.\n") == 0);
	INT_EQ(update("content/guides/soft-skills.md", &n), BUILD_LIVE_OK);
	if (!(n >= 1 && n < total_pages / 4))
		fprintf(stderr, "  rendered %zu of %zu\n", n, total_pages);
	OK(n >= 1 && n < total_pages / 4);
	same_as_clean("a body edit");

	/* A role is shown in site.matrix, which every page can see. */
	OK(edit("content/roles/data-engineer.md", NULL, "\nA sentence added while serving.\n") == 0);
	INT_EQ(update("content/roles/data-engineer.md", &n), BUILD_LIVE_OK);
	same_as_clean("a role body edit");

	/* A section's summary, from its text, is in site.sections (the home
	 * page's cards). */
	OK(edit("content/guides/_index.md", "The role and skill pages", "Edited: the role pages") == 0);
	INT_EQ(update("content/guides/_index.md", &n), BUILD_LIVE_OK);
	OK(n > total_pages / 2);
	same_as_clean("a section summary edit");

	/* A skill's summary, from its text, is in site.matrix's columns (the
	 * skills page). */
	OK(edit("content/skills/docker.md", "## What it is\n\n", "## What it is\n\nEdited first. ") == 0);
	INT_EQ(update("content/skills/docker.md", &n), BUILD_LIVE_OK);
	OK(n > total_pages / 2);
	same_as_clean("a skill summary edit");

	/* A new heading changes the table of contents. */
	OK(edit("content/skills/django.md", NULL, "\n## Added while serving\n\nMore text.\n") == 0);
	INT_EQ(update("content/skills/django.md", &n), BUILD_LIVE_OK);
	OK(n >= 1 && n < total_pages);
	same_as_clean("a new heading");

	/* A layout only role pages use. */
	OK(edit("layouts/roles/page.mustache", NULL, "\n") == 0);
	INT_EQ(update("layouts/roles/page.mustache", &n), BUILD_LIVE_OK);
	INT_EQ(n, 9);
	same_as_clean("a role layout edit");

	/* A partial every page uses. */
	OK(edit("layouts/partials/footer.mustache", "</footer>", "<!-- edited --></footer>") == 0);
	INT_EQ(update("layouts/partials/footer.mustache", &n), BUILD_LIVE_OK);
	OK(n > total_pages / 2);
	same_as_clean("a partial edit");

	/* A broken link: errors, nothing written; then fixed. */
	OK(edit("content/roles/data-engineer.md", NULL, "\nSee [nothing](missing-page.md).\n") == 0);
	INT_EQ(update("content/roles/data-engineer.md", &n), BUILD_LIVE_ERRORS);
	OK(edit("content/roles/data-engineer.md", "See [nothing](missing-page.md).", "Fixed.") == 0);
	int rc = update("content/roles/data-engineer.md", &n);
	OK(rc == BUILD_LIVE_OK || rc == BUILD_LIVE_FULL);
	same_as_clean("a broken link, fixed");

	/* Front matter: a whole build. */
	OK(edit("content/skills/flask.md", "title: Flask", "title: Flask framework") == 0);
	INT_EQ(update("content/skills/flask.md", &n), BUILD_LIVE_FULL);
	same_as_clean("a title edit");

	/* A broken template keeps the last good site. */
	OK(edit("layouts/partials/footer.mustache", "</footer>", "{{#open}}</footer>") == 0);
	INT_EQ(update("layouts/partials/footer.mustache", &n), BUILD_LIVE_ERRORS);
	OK(edit("layouts/partials/footer.mustache", "{{#open}}</footer>", "</footer>") == 0);
	INT_EQ(update("layouts/partials/footer.mustache", &n), BUILD_LIVE_OK);
	same_as_clean("a broken template, fixed");

	/* Stylesheets. */
	OK(edit("assets/css/site.css", NULL, "\n/* edited */\n") == 0);
	INT_EQ(update("assets/css/site.css", &n), BUILD_LIVE_OK);
	INT_EQ(n, 0);
	same_as_clean("a stylesheet edit");

	build_live_free(lv);
	output_remove_tree(tmp);
	return harness_finish();
}
