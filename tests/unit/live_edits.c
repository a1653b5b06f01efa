/*
 * live_edits.c - folio serve's updates over a long session: each page is
 * replaced by a rename (never rewritten in place, where a request could
 * read half of it), and memory stays flat over 1,000 edits of a page's
 * text (within 20% of what it was after the first 10).
 *
 * LIVE_EDITS sets the number of edits (make soak runs more).
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "buf.h"
#include "build.h"
#include "util.h"

/* Under AddressSanitizer, malloc statistics come from it. */
size_t __sanitizer_get_current_allocated_bytes(void) __attribute__((weak));

static size_t heap_in_use(void)
{
	if (__sanitizer_get_current_allocated_bytes)
		return __sanitizer_get_current_allocated_bytes();
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static char site[256], out[256];

static void put(const char *rel, const char *text)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/%s", site, rel);
	char *slash = strrchr(path.ptr, '/');
	*slash = '\0';
	mkdir(path.ptr, 0755);
	*slash = '/';
	FILE *f = fopen(path.ptr, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		OK(!"cannot write a file of the site");
	buf_free(&path);
}

/* Version N of roles/a.md: text of varying length, same front matter, so
 * an update is done in place. */
static void write_a(unsigned n)
{
	struct buf text = BUF_INIT;
	buf_puts(&text, "---\ntitle: Role A\ntags: [python]\n---\n## Overview\n\n");
	for (unsigned i = 0; i < 5 + n % 7; i++)
		buf_printf(&text, "Edit %u, line %u: Django and *Flask* services [b](b.md).\n\n", n, i);
	put("content/roles/a.md", text.ptr);
	buf_free(&text);
}

/* Edit number N, as folio serve applies it. */
static int edit(struct build_live *lv, unsigned n)
{
	write_a(n);
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	const char *paths[] = { "content/roles/a.md" };
	enum live_result rc = build_live_update(lv, paths, 1, &d, &st);
	if (rc == BUILD_LIVE_OK && build_live_search(lv, &d) == BUILD_LIVE_ERRORS)
		rc = BUILD_LIVE_ERRORS;
	if (d.errors)
		diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	diags_free(&d);
	return rc;
}

int main(void)
{
	char tmpl[] = "/tmp/folio-edits-XXXXXX";
	char *tmp = mkdtemp(tmpl);
	OK(tmp != NULL);
	if (!tmp)
		return harness_finish();
	snprintf(site, sizeof site, "%s/site", tmp);
	snprintf(out, sizeof out, "%s/out", tmp);
	mkdir(site, 0755);
	put("content/.keep", "");
	put("site.yaml", "title: Edits\nbase_url: https://example.org\ntaxonomies: [tags]\n");
	put("content/_index.md", "---\ntitle: Home\n---\nHome.\n");
	put("content/roles/_index.md", "---\ntitle: Roles\n---\nRoles.\n");
	put("content/roles/b.md", "---\ntitle: Role B\ntags: [python]\n---\nB.\n");
	put("content/roles/c.md", "---\ntitle: Role C\ntags: [go]\n---\nC.\n");
	write_a(0);
	struct build_live *lv = NULL;
	struct build_opts o = { .site_dir = site, .out_dir = out, .threads = 2 };
	struct diags d;
	struct build_stats st;
	diags_init(&d);
	OK(build_live_full(&lv, &o, &d, &st) == 0);
	diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	diags_free(&d);
	if (!lv)
		return harness_finish();

	/* A page is replaced, not rewritten: a new file under the name. */
	struct buf page = BUF_INIT;
	buf_printf(&page, "%s/roles/a/index.html", out);
	struct stat before, after;
	OK(stat(page.ptr, &before) == 0);
	INT_EQ(edit(lv, 1), BUILD_LIVE_OK);
	OK(stat(page.ptr, &after) == 0);
	OK(before.st_ino != after.st_ino);
	size_t len;
	char *html = file_read(page.ptr, &len);
	OK(html && strstr(html, "Edit 1, line 0"));
	free(html);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "test -z \"$(find '%s' -name '*.folio-new')\"", out);
	OK(system(cmd) == 0);

	const char *env = getenv("LIVE_EDITS");
	unsigned edits = env && *env ? (unsigned)strtoul(env, NULL, 10) : 1000;
	if (edits < 20)
		edits = 20;
	unsigned bad = 0;
	for (unsigned n = 2; n <= 10; n++)
		bad += edit(lv, n) != BUILD_LIVE_OK;
	size_t at10 = heap_in_use();
	for (unsigned n = 11; n <= edits; n++)
		bad += edit(lv, n) != BUILD_LIVE_OK;
	size_t atend = heap_in_use();
	INT_EQ(bad, 0);
	fprintf(stderr, "  heap in use: %zu bytes after 10 edits, %zu after %u (%.2fx)\n", at10, atend,
		edits, (double)atend / (double)at10);
	OK(atend <= at10 + at10 / 5);
	html = file_read(page.ptr, &len);
	struct buf want = BUF_INIT;
	buf_printf(&want, "Edit %u, line 0", edits);
	OK(html && strstr(html, want.ptr));
	free(html);
	buf_free(&want);

	build_live_free(lv);
	buf_free(&page);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	OK(system(cmd) == 0);
	return harness_finish();
}
