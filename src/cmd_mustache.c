/*
 * cmd_mustache.c - folio mustache DATA.yaml TEMPLATE [--partials DIR]:
 * renders one template with YAML data, for theme authors.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cmd.h"
#include "diag.h"
#include "mustache.h"
#include "util.h"
#include "yamlvalue.h"

/* Adds every DIR/.../NAME.mustache to SET as NAME (relative path without
 * the extension), in sorted order.  Returns -1 if any failed to compile. */
static int add_partials(mustache_set *set, const char *dir, const char *prefix,
			struct diags *d, unsigned depth)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	int rc = 0;
	if (n < 0) {
		diag_error(d, dir, 0, 0, "cannot read partials folder: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		struct buf path = BUF_INIT, name = BUF_INIT;
		struct stat st;
		buf_printf(&path, "%s/%s", dir, nm);
		if (nm[0] == '.' || stat(path.ptr, &st) != 0) {
			goto next;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < 16) {
				buf_printf(&name, "%s%s/", prefix, nm);
				if (add_partials(set, path.ptr, name.ptr, d, depth + 1) < 0)
					rc = -1;
			}
			goto next;
		}
		size_t len = strlen(nm);
		if (len <= 9 || strcmp(nm + len - 9, ".mustache") != 0)
			goto next;
		buf_printf(&name, "%s%.*s", prefix, (int)(len - 9), nm);
		size_t tlen;
		char *text = file_read(path.ptr, &tlen);
		if (!text) {
			diag_error(d, path.ptr, 0, 0, "cannot read: %s", strerror(errno));
			rc = -1;
			goto next;
		}
		if (mustache_set_add(set, name.ptr, path.ptr, text, tlen, d) < 0)
			rc = -1;
		free(text);
next:
		buf_free(&path);
		buf_free(&name);
		free(names[i]);
	}
	free(names);
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
		diag_error(&d, data_path, 0, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	value *data = yamlvalue_load(a, data_path, data_text, len, 0, &d);
	tpl_text = file_read(tpl_path, &len);
	if (!tpl_text) {
		diag_error(&d, tpl_path, 0, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (partials && add_partials(set, partials, "", &d, 0) < 0)
		goto out;
	if (mustache_set_add(set, tpl_path, tpl_path, tpl_text, len, &d) < 0 || !data)
		goto out;
	if (mustache_render(set, mustache_set_get(set, tpl_path), data, &out, &d, NULL, NULL) < 0)
		goto out;
	if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		diag_error(&d, NULL, 0, 0, "cannot write standard output: %s", strerror(errno));
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
