/*
 * mustache_spec.c - runs the official Mustache spec (v1.4.2) through the
 * engine: every test of every *.yml in $MUSTACHE_SPEC_DIR (default
 * ../shared/mustache-spec) except ~lambdas.yml.  One check per spec test.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "buf.h"
#include "diag.h"
#include "mustache.h"
#include "util.h"
#include "yamlvalue.h"

/* Tests in the spec's core modules, inheritance and dynamic names. */
#define SPEC_TESTS 184

/* The set's name for the template under test: no partial is called so. */
#define TEMPLATE_NAME "(spec template)"

static arena *A;
static int ran;

/* Writes S with newlines, tabs and carriage returns made visible. */
static void put_visible(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\r')
			fputs("\\r", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_diags(struct diags *d)
{
	diags_print(d, stderr, DIAG_FORMAT_TEXT);
}

static void run_test(const char *file, const value *test)
{
	const char *name = value_map_str(test, "name");
	const value *tpl = value_map_get(test, "template");
	const value *expected = value_map_get(test, "expected");
	const value *partials = value_map_get(test, "partials");
	const value *data = value_map_get(test, "data");
	struct buf what = BUF_INIT, out = BUF_INIT;
	struct diags d;
	diags_init(&d);
	mustache_set *set = mustache_set_new();
	int ok = 1;

	ran++;
	buf_printf(&what, "%s: %s", file, name ? name : "(unnamed)");
	if (!tpl || tpl->type != V_STRING || !expected || expected->type != V_STRING) {
		harness_check(0, __FILE__, __LINE__, what.ptr);
		fprintf(stderr, "  malformed spec test\n");
		goto out;
	}
	if (partials && partials->type == V_MAP) {
		for (size_t i = 0; i < partials->u.map.n; i++) {
			const struct value_pair *p = &partials->u.map.items[i];
			const value *v = p->val;
			if (v->type == V_STRING &&
			    mustache_set_add(set, p->key, p->key, v->u.str.s, v->u.str.len, &d) < 0)
				ok = 0;
		}
	}
	if (mustache_set_add(set, TEMPLATE_NAME, TEMPLATE_NAME, tpl->u.str.s,
			     tpl->u.str.len, &d) < 0)
		ok = 0;
	const mustache_tpl *t = mustache_set_get(set, TEMPLATE_NAME);
	if (ok && t && mustache_render(set, t, data, &out, &d, NULL, NULL) < 0)
		ok = 0;
	ok = ok && strcmp(out.ptr, expected->u.str.s) == 0;
	if (!harness_check(ok, __FILE__, __LINE__, what.ptr)) {
		fputs("  template ", stderr);
		put_visible(stderr, tpl->u.str.s);
		fputs("\n  got      ", stderr);
		put_visible(stderr, out.ptr);
		fputs("\n  expected ", stderr);
		put_visible(stderr, expected->u.str.s);
		fputc('\n', stderr);
		print_diags(&d);
	}
out:
	mustache_set_free(set);
	diags_free(&d);
	buf_free(&what);
	buf_free(&out);
}

static void run_file(const char *dir, const char *name)
{
	struct buf path = BUF_INIT;
	struct diags d;
	size_t len;
	diags_init(&d);
	buf_printf(&path, "%s/%s", dir, name);
	char *text = file_read(path.ptr, &len);
	if (!text) {
		harness_check(0, __FILE__, __LINE__, path.ptr);
		fprintf(stderr, "  cannot read: %s\n", strerror(errno));
		goto out;
	}
	value *root = yamlvalue_load(A, arena_strdup(A, name), text, len, 0, &d);
	const value *tests = value_map_get(root, "tests");
	if (!tests || tests->type != V_LIST) {
		harness_check(0, __FILE__, __LINE__, path.ptr);
		fprintf(stderr, "  no list of tests\n");
		print_diags(&d);
		goto out;
	}
	for (size_t i = 0; i < tests->u.list.n; i++)
		run_test(name, tests->u.list.items[i]);
out:
	free(text);
	diags_free(&d);
	buf_free(&path);
}

static int spec_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0 &&
	       strcmp(e->d_name, "~lambdas.yml") != 0;
}

int main(void)
{
	const char *dir = getenv("MUSTACHE_SPEC_DIR");
	struct dirent **names;
	struct stat st;
	if (!dir || !*dir)
		dir = "../shared/mustache-spec";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		harness_skip("the Mustache spec tests need ../shared/mustache-spec "
			     "(or MUSTACHE_SPEC_DIR)");
		return harness_finish();
	}
	int n = scandir(dir, &names, spec_file, alphasort);
	if (n < 0) {
		printf("mustache spec: cannot read %s: %s\n", dir, strerror(errno));
		OK(0);
		return harness_finish();
	}
	A = arena_new();
	for (int i = 0; i < n; i++) {
		run_file(dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	arena_free(A);
	printf("mustache spec: %d tests run\n", ran);
	INT_EQ(ran, SPEC_TESTS);
	return harness_finish();
}
