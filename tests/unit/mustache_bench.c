/*
 * mustache_bench.c - renders a page-sized template (a base layout with
 * inheritance, header and footer partials, a loop over 30 items, about 40
 * interpolations and 3 KB of content HTML) for about a second and prints
 * renders per second and MB/s.  One check: the output is as expected.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "buf.h"
#include "diag.h"
#include "mustache.h"
#include "util.h"
#include "yamlvalue.h"

#define ITEMS 30

static const char base[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"{{site.lang}}\">\n"
	"<head>\n"
	"  <meta charset=\"utf-8\">\n"
	"  <title>{{$title}}{{page.title}} | {{site.title}}{{/title}}</title>\n"
	"  <meta name=\"description\" content=\"{{page.description}}\">\n"
	"  <link rel=\"stylesheet\" href=\"{{site.base}}/style.css\">\n"
	"  {{$head}}{{/head}}\n"
	"</head>\n"
	"<body>\n"
	"  {{>header}}\n"
	"  <main>\n"
	"    {{$main}}{{/main}}\n"
	"  </main>\n"
	"  {{>footer}}\n"
	"</body>\n"
	"</html>\n";

static const char header[] =
	"<header>\n"
	"  <a class=\"brand\" href=\"{{site.base}}/\">{{site.title}}</a>\n"
	"  <nav>\n"
	"    {{#site.menu}}\n"
	"    <a href=\"{{site.base}}{{url}}\"{{#active}} class=\"active\"{{/active}}>{{name}}</a>\n"
	"    {{/site.menu}}\n"
	"  </nav>\n"
	"</header>\n";

static const char footer[] =
	"<footer>\n"
	"  <p>&copy; {{site.year}} {{site.author}} | <a href=\"{{site.base}}/feed.xml\">Feed</a></p>\n"
	"</footer>\n";

static const char post[] =
	"{{<base}}\n"
	"{{$head}}<meta property=\"og:title\" content=\"{{page.title}}\">{{/head}}\n"
	"{{$main}}\n"
	"<article>\n"
	"  <h1>{{page.title}}</h1>\n"
	"  <p class=\"meta\">{{page.date}} | {{page.minutes}} min |"
	"{{#page.tags}} <a href=\"/tags/{{slug}}/\">{{name}}</a>{{/page.tags}}</p>\n"
	"  {{{page.content}}}\n"
	"</article>\n"
	"<aside>\n"
	"  <h2>Recent posts</h2>\n"
	"  <ul>\n"
	"    {{#recent}}\n"
	"    <li><a href=\"{{url}}\">{{title}}</a> <time datetime=\"{{date}}\">{{date}}</time>"
	"{{#draft}} (draft){{/draft}}</li>\n"
	"    {{/recent}}\n"
	"  </ul>\n"
	"</aside>\n"
	"{{/main}}\n"
	"{{/base}}\n";

static const char paragraph[] =
	"<p>Led the migration of a <em>payments platform</em> from a monolith to "
	"services, cutting deploy time from hours to minutes &amp; keeping "
	"<a href=\"/cv/\">uptime</a> above 99.95%.</p>\n";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The page's content HTML: about 3 KB. */
static void content_html(struct buf *b)
{
	buf_puts(b, "<h2>Summary</h2>\n");
	while (b->len < 3000)
		buf_puts(b, paragraph);
}

static void data_yaml(struct buf *y, const char *content)
{
	buf_puts(y, "site:\n  lang: en\n  title: Jane Doe & Co\n  base: https://example.org\n"
		 "  year: 2026\n  author: Jane Doe\n  menu:\n"
		 "    - {url: /, name: Home}\n    - {url: /cv/, name: CV, active: true}\n"
		 "    - {url: /posts/, name: Posts}\n    - {url: /contact/, name: Contact}\n");
	buf_puts(y, "page:\n  title: \"Shipping <fast> & safe\"\n"
		 "  description: Notes on a migration \"done right\"\n"
		 "  date: 2026-03-14\n  minutes: 7\n"
		 "  tags: [{slug: go, name: Go}, {slug: ops, name: Ops}, {slug: c, name: C}]\n"
		 "  content: \"");
	buf_put_json(y, content, strlen(content));
	buf_puts(y, "\"\nrecent:\n");
	for (int i = 0; i < ITEMS; i++)
		buf_printf(y, "  - {url: /posts/%d/, title: \"Post %d: A & B\", date: 2026-01-%02d%s}\n",
			   i, i, i % 28 + 1, i % 7 == 0 ? ", draft: true" : "");
}

/* What the page must render to, written out by hand. */
static void expected(struct buf *b, const char *content)
{
	const char *t = "Shipping &lt;fast&gt; &amp; safe";
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n"
		   "  <title>%s | Jane Doe &amp; Co</title>\n"
		   "  <meta name=\"description\" content=\"Notes on a migration &quot;done right&quot;\">\n"
		   "  <link rel=\"stylesheet\" href=\"https://example.org/style.css\">\n"
		   "  <meta property=\"og:title\" content=\"%s\">\n</head>\n<body>\n", t, t);
	buf_puts(b, "  <header>\n    <a class=\"brand\" href=\"https://example.org/\">Jane Doe &amp; Co</a>\n"
		 "    <nav>\n"
		 "      <a href=\"https://example.org/\">Home</a>\n"
		 "      <a href=\"https://example.org/cv/\" class=\"active\">CV</a>\n"
		 "      <a href=\"https://example.org/posts/\">Posts</a>\n"
		 "      <a href=\"https://example.org/contact/\">Contact</a>\n"
		 "    </nav>\n  </header>\n  <main>\n");
	buf_printf(b, "    <article>\n      <h1>%s</h1>\n"
		   "      <p class=\"meta\">2026-03-14 | 7 min | <a href=\"/tags/go/\">Go</a>"
		   " <a href=\"/tags/ops/\">Ops</a> <a href=\"/tags/c/\">C</a></p>\n      %s\n"
		   "    </article>\n    <aside>\n      <h2>Recent posts</h2>\n      <ul>\n", t, content);
	for (int i = 0; i < ITEMS; i++)
		buf_printf(b, "        <li><a href=\"/posts/%d/\">Post %d: A &amp; B</a> "
			   "<time datetime=\"2026-01-%02d\">2026-01-%02d</time>%s</li>\n",
			   i, i, i % 28 + 1, i % 28 + 1, i % 7 == 0 ? " (draft)" : "");
	buf_puts(b, "      </ul>\n    </aside>\n  </main>\n  <footer>\n"
		 "    <p>&copy; 2026 Jane Doe | <a href=\"https://example.org/feed.xml\">Feed</a></p>\n"
		 "  </footer>\n</body>\n</html>\n");
}

static void add(mustache_set *set, const char *name, const char *text, struct diags *d)
{
	if (mustache_set_add(set, name, name, text, strlen(text), d) < 0)
		diags_print(d, stderr, DIAG_FORMAT_TEXT);
}

int main(void)
{
	struct buf content = BUF_INIT, y = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	struct diags d;
	arena *a = arena_new();
	diags_init(&d);
	mustache_set *set = mustache_set_new();
	add(set, "base", base, &d);
	add(set, "header", header, &d);
	add(set, "footer", footer, &d);
	add(set, "post", post, &d);
	content_html(&content);
	data_yaml(&y, content.ptr);
	const value *ctx = yamlvalue_load(a, "bench.yaml", y.ptr, y.len, 0, &d);
	const mustache_tpl *tpl = mustache_set_get(set, "post");
	expected(&want, content.ptr);

	int ok = ctx && tpl && mustache_render(set, tpl, ctx, &out, &d, NULL, NULL) == 0;
	if (!OK(ok && strcmp(out.ptr, want.ptr) == 0)) {
		diags_print(&d, stderr, DIAG_FORMAT_TEXT);
		fprintf(stderr, "--- got\n%s--- expected\n%s", out.ptr, want.ptr);
	}

	size_t renders = 0, bytes = 0;
	double start = now(), elapsed = 0;
	while (ok && elapsed < 1.0) {
		for (int i = 0; i < 64; i++) {
			buf_reset(&out);
			mustache_render(set, tpl, ctx, &out, &d, NULL, NULL);
			bytes += out.len;
		}
		renders += 64;
		elapsed = now() - start;
	}
	if (ok)
		printf("mustache bench: %zu renders in %.2f s: %.0f renders/s, %.0f MB/s "
		       "(%zu bytes per page)\n", renders, elapsed, renders / elapsed,
		       bytes / elapsed / 1e6, out.len);

	mustache_set_free(set);
	diags_free(&d);
	arena_free(a);
	buf_free(&content);
	buf_free(&y);
	buf_free(&want);
	buf_free(&out);
	return harness_finish();
}
