/*
 * gfm_spec.c - the GitHub Flavored Markdown specification as data.
 *
 * Runs every example of ../shared/gfm-spec/spec.txt (or GFM_SPEC) through
 * folio's Markdown stage in its plain mode: the GFM extensions on, raw HTML
 * allowed, no smart punctuation, headings as cmark writes them (no ids).
 * One check per example.  An example folio renders differently on purpose
 * is listed below with the reason, and is checked to still differ, so the
 * list cannot go stale.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "buf.h"
#include "markdown.h"
#include "util.h"

/* Examples, by number in the spec, that folio renders differently. */
static const struct {
	int number;
	const char *why;
} differences[] = {
	{ 610, "the autolink extension is on, as on GitHub: a URL inside <...> with a space is still a link" },
	{ 614, "the autolink extension is on: the address after the escaped '+' is linked" },
	{ 616, "the autolink extension is on: a URL between spaced angle brackets is linked" },
	{ 619, "the autolink extension is on: a bare URL is a link (the core spec has it off)" },
	{ 620, "the autolink extension is on: a bare e-mail address is a link" },
	{ 653, "no tag filter: with markdown.unsafe the site's own raw HTML is kept as written, "
	       "as Hugo and Jekyll keep it" },
};

#define SPEC_EXAMPLES 673

static const char *difference(int number)
{
	for (size_t i = 0; i < sizeof differences / sizeof *differences; i++)
		if (differences[i].number == number)
			return differences[i].why;
	return NULL;
}

/*
 * The spec's HTML is compared as cmark's spec runner compares it: the
 * attributes of a tag in sorted order, with no " /" closing a void tag.
 */
static int cmp_attr(const void *x, const void *y)
{
	const struct buf *a = x, *b = y;
	return strcmp(a->ptr, b->ptr);
}

static void normalize(struct buf *out, const char *s)
{
	while (*s) {
		if (s[0] != '<' || !is_alpha(s[1])) {
			buf_putc(out, *s++);
			continue;
		}
		const char *e = s + 1;
		while (is_alnum(*e))
			e++;
		buf_put(out, s, (size_t)(e - s));
		struct buf attrs[16];
		size_t n = 0;
		for (;;) {
			while (*e == ' ' || *e == '\n')
				e++;
			if (!*e || *e == '>' || (e[0] == '/' && e[1] == '>') || n == 16)
				break;
			const char *a = e;
			char q = 0;
			while (*e && (q || (*e != ' ' && *e != '>' && !(e[0] == '/' && e[1] == '>')))) {
				if (q && *e == q)
					q = 0;
				else if (!q && (*e == '"' || *e == '\''))
					q = *e;
				e++;
			}
			buf_init(&attrs[n]);
			buf_put(&attrs[n++], a, (size_t)(e - a));
		}
		qsort(attrs, n, sizeof *attrs, cmp_attr);
		for (size_t i = 0; i < n; i++) {
			buf_putc(out, ' ');
			buf_put(out, attrs[i].ptr, attrs[i].len);
			buf_free(&attrs[i]);
		}
		if (e[0] == '/' && e[1] == '>')
			e++;
		s = e;
	}
}

/* The spec writes tabs as U+2192 (→). */
static void untab(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 2 < n && !memcmp(s + i, "\xe2\x86\x92", 3)) {
			buf_putc(b, '\t');
			i += 2;
		} else {
			buf_putc(b, s[i]);
		}
	}
}

static int ran, differ, core;

static void run_example(int number, const char *section, const char *md, size_t mdn,
			const char *html, size_t htmln, arena *a)
{
	struct buf in = BUF_INIT, want = BUF_INIT;
	untab(&in, md, mdn);
	untab(&want, html, htmln);
	struct md_opts o = { .unsafe = true, .gfm = true, .plain = true };
	struct md_result r;
	markdown_process(in.ptr, in.len, 0, &o, NULL, NULL, a, true, &r);
	struct buf got = BUF_INIT, norm = BUF_INIT;
	normalize(&got, r.html ? r.html : "");
	normalize(&norm, want.ptr);
	bool same = !strcmp(got.ptr, norm.ptr);
	buf_free(&got);
	const char *why = difference(number);
	ran++;
	if (why) {
		differ++;
		if (!harness_check(!same, __FILE__, __LINE__, "a listed difference still differs"))
			fprintf(stderr, "  example %d (%s) now passes: take it off the list\n",
				number, section);
	} else if (!harness_check(same, __FILE__, __LINE__, "example renders as the spec says")) {
		fprintf(stderr, "  example %d (%s)\n  markdown: %s\n  want: %s\n  got:  %s\n",
			number, section, in.ptr, want.ptr, r.html ? r.html : "(null)");
	}
	free(r.html);

	/* markdown: {gfm: false} is strict CommonMark: the core examples pass
	 * as the spec has them, every one. */
	if (!strstr(section, "(extension)")) {
		o.gfm = false;
		markdown_process(in.ptr, in.len, 0, &o, NULL, NULL, a, true, &r);
		buf_reset(&norm);
		normalize(&norm, want.ptr);
		struct buf got2 = BUF_INIT;
		normalize(&got2, r.html ? r.html : "");
		if (!harness_check(!strcmp(got2.ptr, norm.ptr), __FILE__, __LINE__,
				   "core example renders as the spec says with gfm: false"))
			fprintf(stderr, "  example %d (%s)\n  want: %s\n  got:  %s\n", number, section,
				norm.ptr, got2.ptr);
		buf_free(&got2);
		free(r.html);
		core++;
	}
	buf_free(&norm);
	buf_free(&in);
	buf_free(&want);
}

int main(void)
{
	const char *path = getenv("GFM_SPEC");
	if (!path || !*path)
		path = "../shared/gfm-spec/spec.txt";
	size_t len;
	char *text = file_read(path, &len);
	if (!text) {
		harness_skip("the GFM spec examples need ../shared/gfm-spec/spec.txt (or GFM_SPEC)");
		return harness_finish();
	}
	static const char fence[] = "````````````````````````````````";
	size_t flen = sizeof fence - 1;
	arena *a = arena_new();
	char section[128] = "";
	int number = 0;
	char *p = text, *end = text + len;
	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (*p == '#') {
			char *h = p;
			while (h < eol && *h == '#')
				h++;
			while (h < eol && *h == ' ')
				h++;
			snprintf(section, sizeof section, "%.*s", (int)(eol - h), h);
		}
		if ((size_t)(eol - p) >= flen + 8 && !memcmp(p, fence, flen) &&
		    !memcmp(p + flen, " example", 8)) {
			number++;
			char *md = eol + 1;
			char *dot = md[0] == '.' && md[1] == '\n' ? md - 1 : strstr(md, "\n.\n");
			char *html = dot ? dot + 3 : NULL;
			char *close = html ? strstr(html - 1, "\n````````````````````````````````") : NULL;
			if (!dot || !close) {
				OK(!"example is well formed");
				break;
			}
			size_t mdn = dot < md ? 0 : (size_t)(dot + 1 - md);
			size_t htmln = html <= close ? (size_t)(close + 1 - html) : 0;
			run_example(number, section, md, mdn, html, htmln, a);
			eol = strchr(close + 1, '\n');
			if (!eol)
				eol = end;
		}
		p = eol + 1;
	}
	printf("gfm spec: %d examples, %d listed as deliberate differences; "
	       "%d core examples also run with gfm: false\n", ran, differ, core);
	INT_EQ(ran, SPEC_EXAMPLES);
	arena_free(a);
	free(text);
	return harness_finish();
}
