/*
 * text.c - unit tests for slugs, dates, front matter splitting and URL
 * checks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "buf.h"
#include "content.h"
#include "date.h"
#include "markdown.h"
#include "slug.h"

static char *slug(const char *s)
{
	struct buf b = BUF_INIT;
	slug_append(&b, s, strlen(s));
	return buf_detach(&b, NULL);
}

#define SLUG_EQ(in, want) do { char *s_ = slug(in); STR_EQ(s_, want); free(s_); } while (0)

static void test_slugs(void)
{
	SLUG_EQ("Django", "django");
	SLUG_EQ("DJANGO ", "django");
	SLUG_EQ("REST APIs", "rest-apis");
	SLUG_EQ("CI/CD", "ci-cd");
	SLUG_EQ("What's next?", "whats-next");
	SLUG_EQ("What\xe2\x80\x99s next", "whats-next");
	SLUG_EQ("  --Leading and trailing--  ", "leading-and-trailing");
	SLUG_EQ("Caf\xc3\xa9 Cr\xc3\xa8me", "cafe-creme");
	SLUG_EQ("Stra\xc3\x9f" "e", "strasse");
	SLUG_EQ("\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz");
	SLUG_EQ("\xc3\x86sir", "aesir");
	SLUG_EQ("\xce\xb1\xce\xb2 C++", "\xce\xb1\xce\xb2-c");
	SLUG_EQ("a \xe2\x80\x94 b", "a-b");
	SLUG_EQ("!!!", "");
	SLUG_EQ("macOS 14", "macos-14");
}

static char *heading_id(const char *s)
{
	struct buf b = BUF_INIT;
	slug_heading_id(&b, s, strlen(s));
	return buf_detach(&b, NULL);
}

#define ID_EQ(in, want) do { char *s_ = heading_id(in); STR_EQ(s_, want); free(s_); } while (0)

/* GitHub's (and Hugo's) heading ids. */
static void test_heading_ids(void)
{
	ID_EQ("Migrating from v1.18.0", "migrating-from-v1180");
	ID_EQ("Smileys & Emotion", "smileys--emotion");
	ID_EQ("Hello World", "hello-world");
	ID_EQ("  Two  spaces  ", "--two--spaces--");
	ID_EQ("snake_case and kebab-case", "snake_case-and-kebab-case");
	ID_EQ("What's new?", "whats-new");
	ID_EQ("C++ / C#", "c--c");
	ID_EQ("Caf\xc3\xa9 \xc3\x89T\xc3\x89", "caf\xc3\xa9-\xc3\xa9t\xc3\xa9");
	ID_EQ("\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1", "\xce\xb1\xce\xb8\xce\xae\xce\xbd\xce\xb1");
	ID_EQ("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	ID_EQ("\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x82\xc3\xb3" "d\xc5\xba");
	ID_EQ("Rocket \xf0\x9f\x9a\x80 launch", "rocket--launch");
	ID_EQ("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	ID_EQ("Latency in \xc2\xb5s", "latency-in-\xc2\xb5s");
	ID_EQ("!!!", "");
}

/* What search, summaries and word counts read from the new constructs. */
static void test_markdown_text(void)
{
	static const char md[] =
		"> [!WARNING]\n> Mind the gap.\n\n"
		"| Role | Pay |\n|---|---|\n| Backend | high |\n\n"
		"A claim[^1].\n\n"
		"## Setup {#install .wide}\n\n"
		"## Setup\n\n"
		"[^1]: Source text.\n";
	arena *a = arena_new();
	struct md_opts o = { .smart = true, .gfm = true, .text = true };
	struct md_result r;
	markdown_process(md, sizeof md - 1, 0, &o, NULL, NULL, a, true, &r);
	OK(r.text != NULL);
	if (r.text) {
		OK(strstr(r.text, "Warning") == NULL);  /* the alert's title is not text */
		STR_HAS(r.text, "Mind the gap.");
		STR_HAS(r.text, "Role Pay");            /* cells are words apart */
		STR_HAS(r.text, "Backend high");
		STR_HAS(r.text, "Source text.");        /* footnotes are text */
		OK(strstr(r.text, "[^1]") == NULL);
		OK(strstr(r.text, "{#install") == NULL);
	}
	STR_EQ(r.summary, "Mind the gap.");
	INT_EQ(r.anchors.n, 2);
	if (r.anchors.n == 2) {
		STR_EQ(r.anchors.ids[0], "install");
		STR_EQ(r.anchors.ids[1], "setup");
	}
	/* Footnote ids are fragment targets after the headings. */
	bool fn = false;
	for (size_t i = r.anchors.n; i < r.anchors.n_all; i++)
		fn = fn || !strcmp(r.anchors.ids[i], "fn-1");
	OK(fn);
	STR_HAS(r.html, "<h2 id=\"install\" class=\"wide\">Setup</h2>");
	STR_HAS(r.html, "<div class=\"alert alert-warning\" role=\"note\">");
	free(r.html);
	free(r.text);
	free(r.heads_at);

	/* Smart punctuation never touches table syntax. */
	static const char t[] = "| a -- b | \"c\" |\n|---|---|\n| x | y |\n";
	o.text = false;
	markdown_process(t, sizeof t - 1, 0, &o, NULL, NULL, a, true, &r);
	STR_HAS(r.html, "<th>a \xe2\x80\x93 b</th>");
	OK(strstr(r.html, "\xe2\x80\x94") == NULL);
	free(r.html);
	arena_free(a);
}

/* Word counts (reading time) over paragraphs of generated words: words
 * of 1 to 20 bytes, some not ASCII, apart by runs of spaces and line
 * breaks, so words start at every place of an 8-byte word. */
static void test_word_count(void)
{
	static const char *const pieces[] = { "a", "b", "q", "z", "\xc3\xa9", "\xe6\x97\xa5" };
	static const char *const gaps[] = { " ", "  ", "\n", " \n ", "   " };
	arena *a = arena_new();
	struct md_opts o = { .smart = true, .gfm = true };
	unsigned seed = 7;
	for (int round = 0; round < 200; round++) {
		struct buf md = BUF_INIT;
		unsigned words = 0;
		int paras = 1 + round % 3;
		for (int p = 0; p < paras; p++) {
			int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
			for (int k = 0; k < n; k++) {
				seed = seed * 1103515245u + 12345u;
				if (k)
					buf_puts(&md, gaps[(seed >> 16) % 5]);
				int len = 1 + (int)((seed >> 20) % 20);
				for (int c = 0; c < len; c++)
					buf_puts(&md, pieces[(seed >> (c % 16)) % 6]);
				words++;
			}
			buf_puts(&md, "\n\n");
		}
		struct md_result r;
		markdown_process(md.ptr, md.len, 0, &o, NULL, NULL, a, true, &r);
		INT_EQ(r.words, words);
		free(r.html);
		free(r.heads_at);
		buf_free(&md);
	}
	arena_free(a);
}

static void test_dates(void)
{
	struct date d;
	struct buf b = BUF_INIT;
	INT_EQ(date_parse("2026-11-21", &d), 0);
	OK(!d.has_time);
	date_iso(&d, &b);
	STR_EQ(b.ptr, "2026-11-21T00:00:00Z");
	buf_reset(&b);
	date_human(&d, &b);
	STR_EQ(b.ptr, "21 November 2026");
	buf_reset(&b);

	INT_EQ(date_parse("2026-05-10T09:30:00+02:00", &d), 0);
	INT_EQ(d.epoch, 1778398200);
	date_iso(&d, &b);
	STR_EQ(b.ptr, "2026-05-10T09:30:00+02:00");
	buf_reset(&b);
	INT_EQ(date_parse("2024-02-29 23:59:59.123Z", &d), 0);
	date_human(&d, &b);
	STR_EQ(b.ptr, "29 February 2024");
	buf_reset(&b);
	INT_EQ(date_parse("1969-12-31T23:00:00-01:30", &d), 0);
	date_ymd(&d, &b);
	STR_EQ(b.ptr, "1969-12-31");
	buf_free(&b);

	INT_EQ(date_parse("2026-02-29", &d), -1);
	INT_EQ(date_parse("2026-13-01", &d), -1);
	INT_EQ(date_parse("2026-1-01", &d), -1);
	INT_EQ(date_parse("2026-01-01T25:00", &d), -1);
	INT_EQ(date_parse("2026-01-01T10:00+02", &d), -1);
	INT_EQ(date_parse("2026-01-01T10:00  +0200", &d), -1);

	/* Jekyll's form, and a time without a zone (UTC). */
	INT_EQ(date_parse("2018-01-02 11:21:40 +0100", &d), 0);
	INT_EQ(d.epoch, 1514888500);
	INT_EQ(date_parse("2018-01-02T11:21:40", &d), 0);
	INT_EQ(d.epoch, 1514892100);
	INT_EQ(d.offset, 0);
	INT_EQ(date_parse("2018-01-02 11:21:40 -0330", &d), 0);
	INT_EQ(d.offset, -210);
	INT_EQ(date_parse("yesterday", &d), -1);
	INT_EQ(date_parse("2026-01-01x", &d), -1);
}

static void test_split(void)
{
	struct diags d;
	diags_init(&d);
	const char *fm;
	size_t fmlen, off, len;
	unsigned line;
	char text[] = "\xef\xbb\xbf---\r\ntitle: A\r\n---\r\nBody\r\n";
	len = strlen(text);
	INT_EQ(content_split("x.md", text, &len, &fm, &fmlen, &off, &line, &d), 0);
	OK(strncmp(fm, "title: A\n", fmlen) == 0 && fmlen == 9);
	STR_EQ(text + off, "Body\n");
	INT_EQ(line, 4);

	char dots[] = "---\ntitle: A\n...\nBody";
	len = strlen(dots);
	INT_EQ(content_split("x.md", dots, &len, &fm, &fmlen, &off, &line, &d), 0);
	STR_EQ(dots + off, "Body");

	char open[] = "---\ntitle: A\n";
	len = strlen(open);
	INT_EQ(content_split("x.md", open, &len, &fm, &fmlen, &off, &line, &d), -1);
	char none[] = "# Title\n";
	len = strlen(none);
	INT_EQ(content_split("x.md", none, &len, &fm, &fmlen, &off, &line, &d), -1);
	char bad[] = "---\ntitle: \xff\n---\n";
	len = strlen(bad);
	INT_EQ(content_split("x.md", bad, &len, &fm, &fmlen, &off, &line, &d), -1);
	INT_EQ(d.n, 3);
	INT_EQ(d.items[2].line, 2);
	INT_EQ(d.items[2].col, 8);
	diags_free(&d);
}

static void test_paths(void)
{
	OK(content_bad_slug("backend", 7) == NULL);
	OK(content_bad_slug("..", 2) != NULL);
	OK(content_bad_slug("a/b", 3) != NULL);
	OK(content_bad_slug("a\\b", 3) != NULL);
	OK(content_bad_slug("a\0b", 3) != NULL);
	OK(content_bad_slug("", 0) != NULL);
	OK(content_bad_url("/careers/backend/", 17) == NULL);
	OK(content_bad_url("/a/../../b", 10) != NULL);
	OK(content_bad_url("//evil.example/x", 16) != NULL);
	OK(content_bad_url("c:/windows", 10) != NULL);
	OK(content_bad_url("/feed.xml", 9) == NULL);
}

/* A size that would wrap around dies with a message, as git's strbuf
 * does, instead of allocating too little. */
static void test_size_overflow(void)
{
	for (int which = 0; which < 2; which++) {
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			freopen("/dev/null", "w", stderr);
			if (which == 0) {
				struct buf b = BUF_INIT;
				buf_puts(&b, "x");
				buf_grow(&b, SIZE_MAX - 1);
			} else {
				arena *a = arena_new();
				arena_alloc(a, SIZE_MAX - 8);
			}
			_exit(0);       /* not reached when the guard works */
		}
		int status = 0;
		waitpid(pid, &status, 0);
		OK(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	}
}

int main(void)
{
	test_size_overflow();
	test_slugs();
	test_heading_ids();
	test_markdown_text();
	test_word_count();
	test_dates();
	test_split();
	test_paths();
	return harness_finish();
}
