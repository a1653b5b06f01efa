/*
 * cmd_mustache.c - folio mustache DATA.yaml TEMPLATE [--partials DIR]:
 * renders one template with YAML data, for theme authors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "mustache.h"
#include "theme.h"
#include "util.h"
#include "yamlvalue.h"

struct partials {
	mustache_set *set;
	struct diags *d;
};

/* Adds one partial file to the set. */
static int add_partial(void *arg, const char *name, const char *path, char *text, size_t len)
{
	struct partials *p = arg;
	int rc = mustache_set_add(p->set, name, path, text, len, p->d);
	free(text);
	return rc;
}

int cmd_mustache(int argc, char **argv)
{
	const char *data_path = NULL, *tpl_path = NULL, *partials = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--partials")) {
			if (++i == argc) {
				fputs("folio: --partials needs a folder\n", stderr);
				return 2;
			}
			partials = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "folio: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (!data_path) {
			data_path = argv[i];
		} else if (!tpl_path) {
			tpl_path = argv[i];
		} else {
			fprintf(stderr, "folio: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!data_path || !tpl_path) {
		fputs("usage: folio mustache DATA.yaml TEMPLATE [--partials DIR]\n", stderr);
		return 2;
	}

	struct diags d;
	diags_init(&d);
	arena *a = arena_new();
	mustache_set *set = mustache_set_new();
	struct buf out = BUF_INIT;
	char *data_text = NULL, *tpl_text = NULL;
	int rc = 1;
	size_t len;

	data_text = file_read(data_path, &len);
	if (!data_text) {
		diag_error(&d, data_path, 0, 0, "cannot read: %s", util_strerror(errno));
		goto out;
	}
	value *data = yamlvalue_load(a, data_path, data_text, len, 0, &d);
	tpl_text = file_read(tpl_path, &len);
	if (!tpl_text) {
		diag_error(&d, tpl_path, 0, 0, "cannot read: %s", util_strerror(errno));
		goto out;
	}
	struct partials pc = { set, &d };
	struct stat st;
	if (partials && stat(partials, &st) != 0) {
		diag_error(&d, partials, 0, 0, "cannot read partials folder: %s", util_strerror(errno));
		goto out;
	}
	if (partials && theme_read_dir(partials, add_partial, &pc, &d) < 0)
		goto out;
	if (mustache_set_add(set, tpl_path, tpl_path, tpl_text, len, &d) < 0 || !data)
		goto out;
	if (mustache_render(set, mustache_set_get(set, tpl_path), data, &out, &d, NULL, NULL) < 0)
		goto out;
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		diag_error(&d, NULL, 0, 0, "cannot write standard output: %s", util_strerror(errno));
		goto out;
	}
	rc = 0;
out:
	diags_sort(&d);
	diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	buf_free(&out);
	free(data_text);
	free(tpl_text);
	mustache_set_free(set);
	arena_free(a);
	diags_free(&d);
	return rc;
}
