/*
 * text.c - unit tests for slugs, dates, front matter splitting and URL
 * checks.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "buf.h"
#include "content.h"
#include "date.h"
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

static void test_dates(void)
{
	struct date d;
	struct buf b = BUF_INIT;
	OK(date_parse("2026-11-21", &d));
	OK(!d.has_time);
	date_iso(&d, &b);
	STR_EQ(b.ptr, "2026-11-21T00:00:00Z");
	buf_reset(&b);
	date_human(&d, &b);
	STR_EQ(b.ptr, "21 November 2026");
	buf_reset(&b);

	OK(date_parse("2026-05-10T09:30:00+02:00", &d));
	INT_EQ(d.epoch, 1778398200);
	date_iso(&d, &b);
	STR_EQ(b.ptr, "2026-05-10T09:30:00+02:00");
	buf_reset(&b);
	OK(date_parse("2024-02-29 23:59:59.123Z", &d));
	date_human(&d, &b);
	STR_EQ(b.ptr, "29 February 2024");
	buf_reset(&b);
	OK(date_parse("1969-12-31T23:00:00-01:30", &d));
	date_ymd(&d, &b);
	STR_EQ(b.ptr, "1969-12-31");
	buf_free(&b);

	OK(!date_parse("2026-02-29", &d));
	OK(!date_parse("2026-13-01", &d));
	OK(!date_parse("2026-1-01", &d));
	OK(!date_parse("2026-01-01T25:00", &d));
	OK(!date_parse("2026-01-01T10:00+0200", &d));
	OK(!date_parse("yesterday", &d));
	OK(!date_parse("2026-01-01x", &d));
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

int main(void)
{
	test_slugs();
	test_dates();
	test_split();
	test_paths();
	return harness_finish();
}
