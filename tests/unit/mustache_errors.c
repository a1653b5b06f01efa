/*
 * mustache_errors.c - malformed templates and their diagnostics, the
 * nesting caps, size limits (there are none), and rendering that leaves
 * the compiled set untouched, also from several threads.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "buf.h"
#include "diag.h"
#include "mustache.h"
#include "util.h"
#include "yamlvalue.h"

static arena *A;

/* The diagnostics in D, sorted as the command line prints them, one
 * "FILE:LINE:COL: MESSAGE" per line. */
static char *diag_text(struct diags *d)
{
	struct buf b = BUF_INIT;
	diags_sort(d);
	for (size_t i = 0; i < d->n; i++)
		buf_printf(&b, "%s%s:%u:%u: %s", i ? "\n" : "", d->items[i].file ? d->items[i].file : "-",
			   d->items[i].line, d->items[i].col, d->items[i].msg);
	return buf_detach(&b, NULL);
}

/* Compiles TEXT as t.mustache; returns its diagnostics ("" if none). */
static char *compile(const char *text, int *rc)
{
	struct diags d;
	diags_init(&d);
	mustache_set *set = mustache_set_new();
	*rc = mustache_set_add(set, "t", "t.mustache", text, strlen(text), &d);
	char *s = diag_text(&d);
	mustache_set_free(set);
	diags_free(&d);
	return s;
}

#define COMPILE_ERR(text, want) do { \
	int rc_; \
	char *got_ = compile(text, &rc_); \
	INT_EQ(rc_, -1); \
	STR_EQ(got_, want); \
	free(got_); \
} while (0)

#define COMPILE_OK(text) do { \
	int rc_; \
	char *got_ = compile(text, &rc_); \
	INT_EQ(rc_, 0); \
	STR_EQ(got_, ""); \
	free(got_); \
} while (0)

static value *yaml(const char *text)
{
	struct diags d;
	diags_init(&d);
	value *v = yamlvalue_load(A, "data.yaml", text, strlen(text), 0, &d);
	diags_free(&d);
	return v;
}

static void add(mustache_set *set, const char *name, const char *text)
{
	struct diags d;
	diags_init(&d);
	char file[256];
	snprintf(file, sizeof file, "%s.mustache", name);
	if (!OK(mustache_set_add(set, name, file, text, strlen(text), &d) == 0)) {
		char *s = diag_text(&d);
		fprintf(stderr, "  %s\n", s);
		free(s);
	}
	diags_free(&d);
}

/* Renders NAME from SET; *ERR gets the diagnostics ("" if none). */
static char *render(const mustache_set *set, const char *name, const value *ctx,
		    int *rc, char **err)
{
	struct buf out = BUF_INIT;
	struct diags d;
	diags_init(&d);
	*rc = mustache_render(set, mustache_set_get(set, name), ctx, &out, &d, NULL, NULL);
	*err = diag_text(&d);
	diags_free(&d);
	return buf_detach(&out, NULL);
}

static void test_sections(void)
{
	COMPILE_ERR("a\n{{#tags}}\nx\n",
		    "t.mustache:2:1: section 'tags' opened here is never closed");
	COMPILE_ERR("<ul>\n  {{^empty}}\n    <li>none</li>\n",
		    "t.mustache:2:3: section 'empty' opened here is never closed");
	COMPILE_ERR("{{#a}}\n  {{#b}}\n  {{/a}}\n",
		    "t.mustache:3:3: closing tag 'a' does not match open section 'b'");
	COMPILE_ERR("{{#tags}}\n<b>{{name}}</b>\n{{/tag}}\n",
		    "t.mustache:1:1: section 'tags' opened here is never closed\n"
		    "t.mustache:3:1: closing tag 'tag' does not match open section 'tags'");
	COMPILE_ERR("one\ntwo {{/a}}",
		    "t.mustache:2:5: closing tag 'a' has no open section");
	COMPILE_ERR("{{#a}}{{/a}}{{/a}}",
		    "t.mustache:1:13: closing tag 'a' has no open section");
	/* Columns count characters, not bytes. */
	COMPILE_ERR("\xc3\xa9t\xc3\xa9 {{/x}}",
		    "t.mustache:1:5: closing tag 'x' has no open section");
	COMPILE_OK("{{#a}}{{#b}}{{/b}}{{/a}}{{^c}}{{/c}}");
}

static void test_inheritance(void)
{
	COMPILE_ERR("{{<layout}}\n{{$body}}x{{/body}}\n",
		    "t.mustache:1:1: parent 'layout' opened here is never closed");
	COMPILE_ERR("{{<layout}}\n  {{$body}}\n",
		    "t.mustache:1:1: parent 'layout' opened here is never closed\n"
		    "t.mustache:2:3: block 'body' opened here is never closed");
	COMPILE_ERR("x\n{{$title}}Default",
		    "t.mustache:2:1: block 'title' opened here is never closed");
	COMPILE_ERR("{{<p}}{{/q}}{{/p}}",
		    "t.mustache:1:7: closing tag 'q' does not match open parent 'p'");
	COMPILE_ERR("{{<p}}{{$a}}{{/p}}",
		    "t.mustache:1:13: closing tag 'p' does not match open block 'a'");
	COMPILE_OK("{{<p}}{{$a}}{{/a}}{{/p}}{{<*dyn}}{{/*dyn}}{{<*d2}}{{/d2}}");
}

static void test_tags(void)
{
	COMPILE_ERR("line one\n  {{name\nmore text\n",
		    "t.mustache:2:3: unclosed tag: '{{' has no matching '}}'");
	COMPILE_ERR("{{{raw}}", "t.mustache:1:1: unclosed tag: '{{' has no matching '}}}'");
	COMPILE_ERR("ok\n{{! a comment that never ends\n",
		    "t.mustache:2:1: unclosed tag: '{{' has no matching '}}'");
	/* Errors before the unclosed tag are kept; nothing after it is read. */
	COMPILE_ERR("{{/x}}\n{{#y}}\n{{oops",
		    "t.mustache:1:1: closing tag 'x' has no open section\n"
		    "t.mustache:3:1: unclosed tag: '{{' has no matching '}}'");
	COMPILE_ERR("a {{}} b", "t.mustache:1:3: empty tag name");
	COMPILE_ERR("\n\n{{# }}{{/ }}",
		    "t.mustache:3:1: empty tag name\nt.mustache:3:7: empty tag name");
	COMPILE_ERR("{{>}}", "t.mustache:1:1: empty tag name");
	COMPILE_ERR("{{{}}}", "t.mustache:1:1: empty tag name");
	COMPILE_ERR("{{&  }}", "t.mustache:1:1: empty tag name");
	COMPILE_ERR("{{>*}}", "t.mustache:1:1: empty tag name");
	COMPILE_ERR("{{# each items}}{{/ each items}}",
		    "t.mustache:1:1: tag name 'each items' contains whitespace\n"
		    "t.mustache:1:17: tag name 'each items' contains whitespace");
	COMPILE_ERR("{{a..b}} {{.c}} {{c.}}",
		    "t.mustache:1:1: malformed name 'a..b'\n"
		    "t.mustache:1:10: malformed name '.c'\n"
		    "t.mustache:1:17: malformed name 'c.'");
	COMPILE_OK("{{.}}{{a.b.c}}{{{x}}}{{&y}}{{! {{ not a tag }}{{>partials/head.html}}");
}

static void test_delimiters(void)
{
	COMPILE_ERR("{{=a=}}",
		    "t.mustache:1:1: bad delimiter change 'a': expected two delimiters "
		    "separated by whitespace");
	COMPILE_ERR("x\n  {{= =}}",
		    "t.mustache:2:3: bad delimiter change '': expected two delimiters "
		    "separated by whitespace");
	COMPILE_ERR("{{=<% % %>=}}",
		    "t.mustache:1:1: bad delimiter change '<% % %>': expected two delimiters "
		    "separated by whitespace");
	COMPILE_ERR("{{=<= =>=}}",
		    "t.mustache:1:1: bad delimiter change '<= =>': a delimiter cannot contain '='");
	/* A bad change keeps the old delimiters, so later errors still show. */
	COMPILE_ERR("{{=a=}}\n{{/x}}",
		    "t.mustache:1:1: bad delimiter change 'a': expected two delimiters "
		    "separated by whitespace\n"
		    "t.mustache:2:1: closing tag 'x' has no open section");
	/* Errors after a good change are found with the new delimiters. */
	COMPILE_ERR("{{=<% %>=}}\nok {{ not a tag }}\n<%#a%>\n",
		    "t.mustache:3:1: section 'a' opened here is never closed");
	COMPILE_ERR("{{=<% %>=}}\n\n  <%name\n",
		    "t.mustache:3:3: unclosed tag: '<%' has no matching '%>'");
	COMPILE_ERR("{{=[[ ]]=}}[[#a]]\n[[/b]]",
		    "t.mustache:1:12: section 'a' opened here is never closed\n"
		    "t.mustache:2:1: closing tag 'b' does not match open section 'a'");
	COMPILE_ERR("{{=<% %>=}}<%{x%>", "t.mustache:1:12: unclosed tag: '<%' has no matching '}%>'");
	COMPILE_OK("{{=<% %>=}}<%{x}%><%={{ }}=%>{{y}}");
}

static void test_many_errors(void)
{
	COMPILE_ERR("{{#a}}{{/b}}\n{{=x=}}\n{{}} {{/c}}",
		    "t.mustache:1:1: section 'a' opened here is never closed\n"
		    "t.mustache:1:7: closing tag 'b' does not match open section 'a'\n"
		    "t.mustache:2:1: bad delimiter change 'x': expected two delimiters "
		    "separated by whitespace\n"
		    "t.mustache:3:1: empty tag name\n"
		    "t.mustache:3:6: closing tag 'c' does not match open section 'a'");
}

/* A failed add stores nothing and keeps what was there. */
static void test_add_keeps_old(void)
{
	struct diags d;
	diags_init(&d);
	mustache_set *set = mustache_set_new();
	OK(mustache_set_add(set, "t", "t.mustache", "{{#x", 4, &d) == -1);
	OK(mustache_set_get(set, "t") == NULL);
	OK(mustache_set_add(set, "t", "t.mustache", "old", 3, &d) == 0);
	OK(mustache_set_add(set, "t", "t2.mustache", "{{/x}}", 6, &d) == -1);
	STR_EQ(mustache_tpl_file(mustache_set_get(set, "t")), "t.mustache");
	OK(mustache_set_add(set, "t", "t3.mustache", "new", 3, &d) == 0);
	STR_EQ(mustache_tpl_file(mustache_set_get(set, "t")), "t3.mustache");
	int rc;
	char *err, *out = render(set, "t", NULL, &rc, &err);
	STR_EQ(out, "new");
	free(out);
	free(err);
	mustache_set_free(set);
	diags_free(&d);
}

static char *nested_sections(int levels)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < levels; i++)
		buf_puts(&b, "{{#a}}");
	buf_puts(&b, "deep");
	for (int i = 0; i < levels; i++)
		buf_puts(&b, "{{/a}}");
	return buf_detach(&b, NULL);
}

static void test_nesting_cap(void)
{
	char *ok = nested_sections(MUSTACHE_MAX_NESTING);
	char *bad = nested_sections(MUSTACHE_MAX_NESTING + 1);
	char *huge = nested_sections(100000);
	mustache_set *set = mustache_set_new();
	add(set, "ok", ok);
	int rc;
	char *err, *out = render(set, "ok", yaml("a: true"), &rc, &err);
	STR_EQ(out, "deep");
	INT_EQ(rc, 0);
	free(out);
	free(err);
	mustache_set_free(set);

	char want[128];
	snprintf(want, sizeof want, "t.mustache:1:%d: sections nested too deeply "
		 "(more than %d levels)", 6 * MUSTACHE_MAX_NESTING + 1, MUSTACHE_MAX_NESTING);
	COMPILE_ERR(bad, want);
	COMPILE_ERR(huge, want);
	COMPILE_ERR("{{<a}}{{$b}}{{#c}}{{^d}}{{/d}}{{/c}}{{/b}}{{/a}}" "{{#x}}", "t.mustache:1:49: section 'x' opened here is never closed");
	free(ok);
	free(bad);
	free(huge);
}

/* {content: x, nodes: [{content: x, nodes: [...]}]}, LEVELS maps deep. */
static value *tree(int levels)
{
	value *root = NULL, *nodes = NULL;
	for (int i = 0; i < levels; i++) {
		value *m = value_map(A);
		value_map_set(A, m, "content", value_str(A, "x"));
		if (nodes)
			value_list_push(A, nodes, m);
		else
			root = m;
		nodes = value_list(A);
		value_map_set(A, m, "nodes", nodes);
	}
	return root;
}

static void test_recursion_cap(void)
{
	mustache_set *set = mustache_set_new();
	int rc;
	char *err, *out;
	add(set, "page", "<html>{{>a}}</html>");
	add(set, "a", "a{{>b}}");
	add(set, "b", "b{{>a}}");
	add(set, "self", "{{>self}}");
	add(set, "par", "[{{<par}}{{$x}}y{{/x}}{{/par}}]");
	/* The spec's finite recursion still works. */
	add(set, "node", "{{content}}<{{#nodes}}{{>node}}{{/nodes}}>");

	out = render(set, "page", NULL, &rc, &err);
	INT_EQ(rc, -1);
	STR_EQ(err, "page.mustache:0:0: partials nested too deeply: page -> a -> b -> a -> b -> ...");
	STR_HAS(out, "<html>abab");
	free(out);
	free(err);

	out = render(set, "self", NULL, &rc, &err);
	INT_EQ(rc, -1);
	STR_EQ(err, "self.mustache:0:0: partials nested too deeply: self -> self -> ...");
	free(out);
	free(err);

	out = render(set, "par", NULL, &rc, &err);
	INT_EQ(rc, -1);
	STR_EQ(err, "par.mustache:0:0: partials nested too deeply: par -> par -> ...");
	free(out);
	free(err);

	/* MUSTACHE_MAX_DEPTH nested partials are fine, one more is not. */
	out = render(set, "node", tree(MUSTACHE_MAX_DEPTH + 1), &rc, &err);
	INT_EQ(rc, 0);
	STR_EQ(err, "");
	INT_EQ(strlen(out), 3 * (MUSTACHE_MAX_DEPTH + 1));
	free(out);
	free(err);
	out = render(set, "node", tree(MUSTACHE_MAX_DEPTH + 2), &rc, &err);
	INT_EQ(rc, -1);
	STR_EQ(err, "node.mustache:0:0: partials nested too deeply: node -> node -> ...");
	free(out);
	free(err);

	/* Distinct partials in a row: the chain is abbreviated. */
	for (int i = 0; i <= MUSTACHE_MAX_DEPTH + 1; i++) {
		char name[16], text[32];
		snprintf(name, sizeof name, "p%d", i);
		snprintf(text, sizeof text, "{{>p%d}}", i + 1);
		add(set, name, text);
	}
	out = render(set, "p0", NULL, &rc, &err);
	INT_EQ(rc, -1);
	STR_EQ(err, "p0.mustache:0:0: partials nested too deeply: "
	       "p0 -> p1 -> p2 -> p3 -> ... -> p64 -> p65 -> ...");
	free(out);
	free(err);
	mustache_set_free(set);
}

/* Sections inside partials inside sections: the render-time cap keeps
 * the C stack safe when neither cap alone is reached. */
static void test_render_nesting_cap(void)
{
	mustache_set *set = mustache_set_new();
	char *deep = nested_sections(100);
	struct buf t = BUF_INIT;
	const char *mid = strstr(deep, "deep");
	buf_put(&t, deep, (size_t)(mid - deep));
	buf_puts(&t, "{{>d}}");
	buf_puts(&t, mid + 4);
	add(set, "d", t.ptr);
	int rc;
	char *err, *out = render(set, "d", yaml("a: true"), &rc, &err);
	INT_EQ(rc, -1);
	STR_HAS(err, "d.mustache:0:0: sections and partials nested too deeply: d -> d -> ...");
	free(out);
	free(err);
	buf_free(&t);
	free(deep);
	mustache_set_free(set);
}

static void test_no_limits(void)
{
	/* A long template with many tags and a long name. */
	struct buf t = BUF_INIT, want = BUF_INIT, name = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_puts(&name, "n");
	for (int i = 0; i < 100000; i++) {
		buf_printf(&t, "<p>{{x}} %d</p>\n", i);
		buf_printf(&want, "<p>&lt;x&gt; %d</p>\n", i);
	}
	buf_printf(&t, "{{%s}}|{{=<%% %%>=}}<%%#list%%><%%.%%>,<%%/list%%>", name.ptr);
	/* (YAML keys are limited to 1024 characters: build the data.) */
	value *data = value_map(A), *list = value_list(A);
	value_map_set(A, data, "x", value_str(A, "<x>"));
	value_map_set(A, data, arena_strdup(A, name.ptr), value_str(A, "long"));
	value_map_set(A, data, "list", list);
	for (int i = 0; i < 50000; i++)
		value_list_push(A, list, value_int(A, i));
	buf_puts(&want, "long|");
	for (int i = 0; i < 50000; i++)
		buf_printf(&want, "%d,", i);
	mustache_set *set = mustache_set_new();
	add(set, "long", t.ptr);
	int rc;
	char *err, *out = render(set, "long", data, &rc, &err);
	INT_EQ(rc, 0);
	INT_EQ(strlen(out), want.len);
	OK(strcmp(out, want.ptr) == 0);
	free(out);
	free(err);

	/* Long delimiters and a 1 MB text run. */
	buf_reset(&t);
	buf_reset(&want);
	buf_puts(&t, "{{=<<<<<<<<<<<<<<<<<<<< >>>>>>>>>>>>>>>>>>>>=}}");
	size_t skip = t.len;
	for (int i = 0; i < 1 << 20; i++)
		buf_putc(&t, 'a' + i % 26);
	buf_puts(&want, t.ptr + skip);
	buf_puts(&t, "<<<<<<<<<<<<<<<<<<<<x>>>>>>>>>>>>>>>>>>>>");
	buf_puts(&want, "&lt;x&gt;");
	add(set, "delims", t.ptr);
	out = render(set, "delims", yaml("x: <x>"), &rc, &err);
	INT_EQ(rc, 0);
	OK(strcmp(out, want.ptr) == 0);
	free(out);
	free(err);
	mustache_set_free(set);
	buf_free(&t);
	buf_free(&want);
	buf_free(&name);
}

static const char *used[8];
static int nused;

static void on_use(void *arg, const char *name)
{
	(void)arg;
	if (nused < 8)
		used[nused++] = strcpy(arena_alloc(A, strlen(name) + 1), name);
}

static void test_on_use_and_escaping(void)
{
	mustache_set *set = mustache_set_new();
	add(set, "t", "{{>a}}{{>missing}}{{<p}}{{/p}}{{>*dyn}}{{>*nothing}}|{{x}}|{{{x}}}");
	add(set, "a", "A");
	add(set, "p", "P");
	struct buf out = BUF_INIT;
	struct diags d;
	diags_init(&d);
	INT_EQ(mustache_render(set, mustache_set_get(set, "t"), yaml("dyn: a\nx: <&\"'>"),
			       &out, &d, on_use, NULL), 0);
	STR_EQ(out.ptr, "APA|&lt;&amp;&quot;&#39;&gt;|<&\"'>");
	INT_EQ(nused, 4);
	STR_EQ(used[0], "a");
	STR_EQ(used[1], "missing");
	STR_EQ(used[2], "p");
	STR_EQ(used[3], "a");
	buf_free(&out);
	diags_free(&d);
	mustache_set_free(set);
}

/* Indentation of standalone partials survives partials used inline. */
static void test_indentation(void)
{
	mustache_set *set = mustache_set_new();
	add(set, "t", "<div>\n  {{>p}}\n</div>\n");
	add(set, "p", "[{{>q}}]\nafter\n{{#list}}\n  {{>r}}\n{{/list}}\n");
	add(set, "q", "x\n    {{>r}}\n");
	add(set, "r", "r{{.}}\n\nr\n");
	int rc;
	char *err, *out = render(set, "t", yaml("list: [1, 2]"), &rc, &err);
	STR_EQ(out, "<div>\n  [x\n    r\n\n    r\n]\n  after\n    r1\n\n    r\n"
	       "    r2\n\n    r\n</div>\n");
	STR_EQ(err, "");
	free(out);
	free(err);
	mustache_set_free(set);
}

/* A page through a layout with partials, as the site build does it. */
static mustache_set *page_set(void)
{
	mustache_set *set = mustache_set_new();
	add(set, "base", "<html>\n  <head>{{$head}}<title>{{title}}</title>{{/head}}</head>\n"
	    "  <body>\n    {{>header}}\n    {{$main}}{{/main}}\n  </body>\n</html>\n");
	add(set, "header", "<nav>\n{{#menu}}\n  <a href=\"{{url}}\">{{name}}</a>\n{{/menu}}\n</nav>\n");
	add(set, "page", "{{<base}}\n{{$main}}\n<h1>{{title}}</h1>\n{{#items}}\n"
	    "<p>{{.}}</p>\n{{/items}}\n{{^items}}\nnone\n{{/items}}\n{{/main}}\n{{/base}}\n");
	return set;
}

static const char page_data[] =
	"title: A & B\nmenu:\n  - {url: /, name: Home}\n  - {url: /cv/, name: CV}\n"
	"items: [one, two, <three>]\n";

static const char page_want[] =
	"<html>\n  <head><title>A &amp; B</title></head>\n  <body>\n    <nav>\n"
	"      <a href=\"/\">Home</a>\n      <a href=\"/cv/\">CV</a>\n    </nav>\n"
	"    <h1>A &amp; B</h1>\n    <p>one</p>\n    <p>two</p>\n    <p>&lt;three&gt;</p>\n"
	"  </body>\n</html>\n";

struct job {
	const mustache_set *set;
	const value *ctx;
	int mismatches;
};

static void *render_many(void *p)
{
	struct job *j = p;
	struct buf out = BUF_INIT;
	struct diags d;
	diags_init(&d);
	for (int i = 0; i < 2000; i++) {
		buf_reset(&out);
		if (mustache_render(j->set, mustache_set_get(j->set, "page"), j->ctx, &out, &d,
				    NULL, NULL) != 0 || strcmp(out.ptr, page_want) != 0)
			j->mismatches++;
	}
	buf_free(&out);
	diags_free(&d);
	return NULL;
}

static void test_render_is_pure(void)
{
	mustache_set *set = page_set();
	const value *ctx = yaml(page_data);
	int rc;
	char *err, *first = render(set, "page", ctx, &rc, &err);
	STR_EQ(first, page_want);
	free(err);
	char *second = render(set, "page", ctx, &rc, &err);
	STR_EQ(second, first);
	free(err);
	free(first);
	free(second);

	struct job jobs[2] = { { set, ctx, 0 }, { set, ctx, 0 } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		OK(pthread_create(&th[i], NULL, render_many, &jobs[i]) == 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	INT_EQ(jobs[0].mismatches, 0);
	INT_EQ(jobs[1].mismatches, 0);
	mustache_set_free(set);
}

int main(void)
{
	A = arena_new();
	test_sections();
	test_inheritance();
	test_tags();
	test_delimiters();
	test_many_errors();
	test_add_keeps_old();
	test_nesting_cap();
	test_recursion_cap();
	test_render_nesting_cap();
	test_no_limits();
	test_on_use_and_escaping();
	test_indentation();
	test_render_is_pure();
	arena_free(A);
	return harness_finish();
}
