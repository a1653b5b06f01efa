/*
 * yaml_value.c - unit tests for the value model and YAML loading.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "buf.h"
#include "value.h"
#include "yamlvalue.h"

static arena *A;

/* Loads TEXT; on failure returns NULL and leaves the first message in
 * *err as "LINE:COL: MESSAGE". */
static value *load(const char *text, char **err)
{
	struct diags d;
	diags_init(&d);
	value *v = yamlvalue_load(A, "t.yaml", text, strlen(text), 0, &d);
	if (err) {
		*err = NULL;
		if (d.n) {
			struct buf b = BUF_INIT;
			buf_printf(&b, "%u:%u: %s", d.items[0].line, d.items[0].col, d.items[0].msg);
			*err = buf_detach(&b, NULL);
		}
	}
	diags_free(&d);
	return v;
}

static void test_scalars(void)
{
	value *v = load("a: true\nb: False\nc: null\nd: ~\ne:\nf: 42\ng: -0x1F\n"
			"h: 0o17\ni: 0x1F\nj: 1.5\nk: .5e3\nl: .inf\nm: -.Inf\nn: .nan\n"
			"o: no\np: yes\nq: '42'\nr: \"true\"\ns: 1_000\nt: 2026-11-21\n"
			"u: 12e\nv: +7\nw: 3.\n", NULL);
	OK(v && v->type == V_MAP);
	if (!v)
		return;
	INT_EQ(v->u.map.n, 23);
	OK(value_map_get(v, "a")->type == V_BOOL && value_map_get(v, "a")->u.b);
	OK(value_map_get(v, "b")->type == V_BOOL && !value_map_get(v, "b")->u.b);
	INT_EQ(value_map_get(v, "c")->type, V_NULL);
	INT_EQ(value_map_get(v, "d")->type, V_NULL);
	INT_EQ(value_map_get(v, "e")->type, V_NULL);
	OK(value_map_get(v, "f")->type == V_INT && value_map_get(v, "f")->u.i == 42);
	INT_EQ(value_map_get(v, "g")->type, V_STRING);   /* sign not allowed on hex */
	OK(value_map_get(v, "h")->type == V_INT && value_map_get(v, "h")->u.i == 15);
	OK(value_map_get(v, "i")->type == V_INT && value_map_get(v, "i")->u.i == 31);
	OK(value_map_get(v, "j")->type == V_FLOAT && value_map_get(v, "j")->u.f == 1.5);
	OK(value_map_get(v, "k")->type == V_FLOAT && value_map_get(v, "k")->u.f == 500.0);
	OK(value_map_get(v, "l")->type == V_FLOAT && isinf(value_map_get(v, "l")->u.f));
	OK(value_map_get(v, "m")->type == V_FLOAT && value_map_get(v, "m")->u.f < 0);
	OK(value_map_get(v, "n")->type == V_FLOAT && isnan(value_map_get(v, "n")->u.f));
	STR_EQ(value_map_str(v, "o"), "no");     /* YAML 1.2: not a bool */
	STR_EQ(value_map_str(v, "p"), "yes");
	STR_EQ(value_map_str(v, "q"), "42");     /* quoted: always a string */
	STR_EQ(value_map_str(v, "r"), "true");
	STR_EQ(value_map_str(v, "s"), "1_000");
	STR_EQ(value_map_str(v, "t"), "2026-11-21");
	STR_EQ(value_map_str(v, "u"), "12e");
	OK(value_map_get(v, "v")->type == V_INT && value_map_get(v, "v")->u.i == 7);
	OK(value_map_get(v, "w")->type == V_FLOAT && value_map_get(v, "w")->u.f == 3.0);
	/* Source order is kept. */
	STR_EQ(v->u.map.items[0].key, "a");
	STR_EQ(v->u.map.items[22].key, "w");
}

static void test_positions(void)
{
	value *v = load("title: Hello\nlist:\n  - one\n  - two: 2\n", NULL);
	OK(v != NULL);
	if (!v)
		return;
	value *t = value_map_get(v, "title");
	INT_EQ(t->line, 1);
	INT_EQ(t->col, 8);
	STR_EQ(t->file, "t.yaml");
	value *l = value_map_get(v, "list");
	INT_EQ(l->type, V_LIST);
	INT_EQ(l->u.list.n, 2);
	INT_EQ(l->u.list.items[0]->line, 3);
	INT_EQ(l->u.list.items[0]->col, 5);
	value *two = value_map_get(l->u.list.items[1], "two");
	INT_EQ(two->line, 4);
	INT_EQ(two->col, 10);

	/* Line offset, as for front matter starting on line 2 of a file. */
	struct diags d;
	diags_init(&d);
	value *w = yamlvalue_load(A, "p.md", "a: 1\nb: 2\n", 10, 1, &d);
	INT_EQ(value_map_get(w, "b")->line, 3);
	diags_free(&d);
}

static void test_errors(void)
{
	char *err;

	/* Billion laughs: nine-fold expansion per level. */
	const char *bomb =
		"a: &a [x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	OK(load(bomb, &err) == NULL);
	STR_HAS(err, "alias bomb");
	free(err);

	/* Aliases within the limit work and share the node. */
	value *v = load("base: &b {x: 1}\nother: *b\n", &err);
	OK(v && value_map_get(v, "other") == value_map_get(v, "base"));
	OK(err == NULL);

	OK(load("a: &a [*a]\n", &err) == NULL);
	STR_EQ(err, "1:8: alias '*a' refers to a node that contains it");
	free(err);

	OK(load("a: *nope\n", &err) == NULL);
	STR_EQ(err, "1:4: alias '*nope' names no anchor");
	free(err);

	/* Nesting deeper than the limit. */
	struct buf deep = BUF_INIT;
	for (int i = 0; i < 100; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 100; i++)
		buf_putc(&deep, ']');
	OK(load(deep.ptr, &err) == NULL);
	STR_HAS(err, "nesting deeper than 64 levels");
	free(err);
	buf_free(&deep);

	/* 64 levels are fine. */
	for (int i = 0; i < 63; i++)
		buf_putc(&deep, '[');
	for (int i = 0; i < 63; i++)
		buf_putc(&deep, ']');
	OK(load(deep.ptr, &err) != NULL);
	buf_free(&deep);

	OK(load("title: a\nsummary: b\ntitle: c\n", &err) == NULL);
	STR_EQ(err, "3:1: duplicate key 'title'");
	free(err);

	OK(load("ok: 1\nbad: \"caf\xe9\"\n", &err) == NULL);
	STR_HAS(err, "2:");
	STR_HAS(err, "invalid UTF-8");
	free(err);

	OK(load("a:\n\t- b\n", &err) == NULL);
	STR_HAS(err, "2:1: found character that cannot start any token");
	free(err);

	OK(load("a: [1, 2\n", &err) == NULL);
	OK(err != NULL);
	free(err);

	OK(load("? [a, b]\n: c\n", &err) == NULL);
	STR_HAS(err, "mapping keys must be plain strings");
	free(err);

	/* Tags are inert. */
	v = load("a: !!str 12\nb: !custom x\n", &err);
	OK(v && value_map_get(v, "a")->type == V_INT);
	STR_EQ(value_map_str(v, "b"), "x");
}

/* A view whose only field is its title: OBJ, or none when OBJ is NULL. */
static value *stub_get(const value *self, const char *key, size_t len)
{
	const char *title = self->u.view.obj;
	return title && len == 5 && !memcmp(key, "title", 5) ? value_str(A, title) : NULL;
}

static void stub_names(const value *self, void (*fn)(void *arg, const char *key, size_t len),
		       void *arg)
{
	if (self->u.view.obj)
		fn(arg, "title", 5);
}

static const struct value_view_ops stub_ops = { stub_get, stub_names };

static value *stub_view(const char *title)
{
	value *v = value_new(A, V_VIEW);
	v->u.view.ops = &stub_ops;
	v->u.view.obj = (void *)title;
	v->u.view.mode = 0;
	return v;
}

static void test_values(void)
{
	value *m = value_map(A);
	value_map_set(A, m, "k", value_str(A, "v"));
	value_map_set(A, m, "k", value_int(A, 3));
	INT_EQ(m->u.map.n, 1);
	INT_EQ(value_map_get(m, "k")->u.i, 3);
	OK(!value_truthy(value_null(A)));
	OK(!value_truthy(value_list(A)));
	OK(value_truthy(value_str(A, "")));
	OK(value_truthy(value_int(A, 0)));

	struct buf b = BUF_INIT;
	value_to_text(value_float(A, 1.210), &b);
	STR_EQ(b.ptr, "1.21");
	buf_reset(&b);
	value_to_text(value_float(A, 0.1 + 0.2), &b);
	STR_EQ(b.ptr, "0.30000000000000004");
	buf_reset(&b);

	value *j = load("s: \"</script>\\u2028\\x01\"\nn: [1, 2.5, null, true]\n", NULL);
	value_to_json(j, &b);
	STR_EQ(b.ptr, "{\"s\":\"\\u003c/script\\u003e\\u2028\\u0001\",\"n\":[1,2.5,null,true]}");
	buf_free(&b);
	/* Front matter and site.yaml may not hold control characters. */
	struct diags cd;
	diags_init(&cd);
	OK(!yamlvalue_load_text(A, "p.md", "a: \"x\\x01\"\n", 11, 1, &cd));
	INT_EQ(cd.errors, 1);
	diags_free(&cd);

	buf_put_html(&b, "<a href=\"x\">&'</a>", 18);
	STR_EQ(b.ptr, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	buf_free(&b);

	value *c = value_copy(A, j);
	OK(c != j && value_map_get(c, "n")->u.list.n == 4);

	/* A view (a page) is written as its title, wherever it is. */
	value *pages = value_list(A);
	value_list_push(A, pages, stub_view("Data \"engineer\""));
	value_list_push(A, pages, stub_view(NULL));
	value *holder = value_map(A);
	value_map_set(A, holder, "next", pages);
	value_to_json(holder, &b);
	STR_EQ(b.ptr, "{\"next\":[\"Data \\\"engineer\\\"\",null]}");
	buf_free(&b);
}

static void test_utf8(void)
{
	INT_EQ(utf8_valid_prefix("abc", 3), 3);
	INT_EQ(utf8_valid_prefix("caf\xc3\xa9", 5), 5);
	INT_EQ(utf8_valid_prefix("ab\xc3", 3), 2);        /* truncated */
	INT_EQ(utf8_valid_prefix("a\xc0\xaf", 3), 1);     /* overlong */
	INT_EQ(utf8_valid_prefix("\xed\xa0\x80", 3), 0);  /* surrogate */
	INT_EQ(utf8_valid_prefix("\xf0\x9f\x98\x80!", 5), 5);
}

/* Packed values read back equal, with their positions; the ASCII fast
 * path of the UTF-8 check stops at the first byte that is not. */
static void key_seen(void *arg, const char *key, size_t len, enum value_type type)
{
	struct buf *b = arg;
	buf_printf(b, "%.*s:%s ", (int)len, key, value_type_name(type));
}

static void test_packed(void)
{
	value *v = load("title: \"T\"\ntags: [a, \"b c\"]\nn: -1234567890123\nbig: 300\n"
			"f: 2.5\nyes: true\nnone: null\nnest: {k: [1, {x: y}]}\nempty: []\n", NULL);
	OK(v != NULL);
	if (!v)
		return;
	struct buf packed = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	value_pack(&packed, v);
	value *u = value_unpack(A, packed.ptr, "t.yaml");
	value_to_json(v, &a);
	value_to_json(u, &b);
	STR_EQ(b.ptr, a.ptr);
	value *tags = value_unpack_get(A, packed.ptr, "t.yaml", "tags", 4);
	OK(tags && tags->type == V_LIST && tags->u.list.n == 2);
	if (tags && tags->u.list.n == 2) {
		STR_EQ(tags->u.list.items[1]->u.str.s, "b c");
		INT_EQ(tags->u.list.items[1]->line, 2);
		INT_EQ(tags->u.list.items[1]->col, 11);
		STR_EQ(tags->file, "t.yaml");
	}
	value *n = value_unpack_get(A, packed.ptr, "t.yaml", "n", 1);
	OK(n && n->type == V_INT && n->u.i == -1234567890123LL);
	OK(value_unpack_get(A, packed.ptr, "t.yaml", "nest", 4) != NULL);
	OK(value_unpack_get(A, packed.ptr, "t.yaml", "nes", 3) == NULL);
	OK(value_unpack_get(A, packed.ptr, "t.yaml", "missing", 7) == NULL);
	buf_reset(&a);
	value_unpack_keys(packed.ptr, key_seen, &a);
	STR_EQ(a.ptr, "title:string tags:list n:integer big:integer f:float yes:bool "
		      "none:null nest:map empty:list ");
	OK(packed.len < 200);   /* the tree is 20 values of 48 bytes and more */
	buf_free(&packed);
	buf_free(&a);
	buf_free(&b);
	INT_EQ(utf8_valid_prefix("abcdefgh\xffijklmnop", 17), 8);
	INT_EQ(utf8_valid_prefix("abcdefghijklmno\xc3\xa9", 17), 17);
}

int main(void)
{
	A = arena_new();
	test_packed();
	test_scalars();
	test_positions();
	test_errors();
	test_values();
	test_utf8();
	arena_free(A);
	return harness_finish();
}
