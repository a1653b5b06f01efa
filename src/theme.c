/*
 * theme.c - collecting and compiling the templates of a build.
 */
#include "theme.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "strmap.h"

/* Layouts are stored in the set under "@NAME", out of the way of the
 * partial namespace. */
#define LAYOUT_PREFIX "@"

struct source {
	char *name;     /* "partials/header" */
	char *file;     /* path for diagnostics */
	char *text;
	size_t len;
	bool owned;     /* text is malloc'd */
};

struct sources {
	struct source *items;
	size_t n, cap;
	struct strmap by_name;
};

static void add_source(struct sources *ss, const char *name, const char *file,
		       char *text, size_t len, bool owned)
{
	struct source *old = strmap_get(&ss->by_name, name);
	if (old) {
		/* The site's file replaces the default one. */
		size_t idx = (size_t)(old - ss->items);
		if (ss->items[idx].owned)
			free(ss->items[idx].text);
		free(ss->items[idx].file);
		ss->items[idx].file = xstrdup(file);
		ss->items[idx].text = text;
		ss->items[idx].len = len;
		ss->items[idx].owned = owned;
		return;
	}
	if (ss->n == ss->cap) {
		/* Rebuild the index after growing: it points into items. */
		ss->cap = ss->cap ? 2 * ss->cap : 32;
		ss->items = xrealloc(ss->items, ss->cap * sizeof(*ss->items));
		strmap_free(&ss->by_name);
		for (size_t i = 0; i < ss->n; i++)
			strmap_put(&ss->by_name, ss->items[i].name, &ss->items[i]);
	}
	struct source *s = &ss->items[ss->n++];
	s->name = xstrdup(name);
	s->file = xstrdup(file);
	s->text = text;
	s->len = len;
	s->owned = owned;
	strmap_put(&ss->by_name, s->name, s);
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int read_dir(const char *dir, const char *prefix, unsigned depth,
		    theme_file_fn fn, void *arg, struct diags *d)
{
	struct dirent **names;
	int rc = 0;
	int n = scandir(dir, &names, NULL, cmp_dirent);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		struct buf path = BUF_INIT, name = BUF_INIT;
		struct stat st;
		size_t len = strlen(nm);
		if (nm[0] == '.')
			goto next;
		buf_printf(&path, "%s/%s", dir, nm);
		if (lstat(path.ptr, &st) != 0 || S_ISLNK(st.st_mode))
			goto next;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8) {
				buf_printf(&name, "%s%s/", prefix, nm);
				if (read_dir(path.ptr, name.ptr, depth + 1, fn, arg, d) < 0)
					rc = -1;
			}
			goto next;
		}
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
		if (fn(arg, name.ptr, path.ptr, text, tlen) < 0)
			rc = -1;
next:
		buf_free(&path);
		buf_free(&name);
		free(names[i]);
	}
	free(names);
	return rc;
}

int theme_read_dir(const char *dir, theme_file_fn fn, void *arg, struct diags *d)
{
	return read_dir(dir, "", 0, fn, arg, d);
}

/* Collects a site's layout file; the source takes over TEXT. */
static int collect(void *arg, const char *name, const char *path, char *text, size_t len)
{
	add_source(arg, name, path, text, len, true);
	return 0;
}

/* How the default theme's files are named in messages. */
#define THEME_MARK " (folio's default theme)"

int theme_default_enabled(const struct site *s)
{
	const char *t = value_map_str(s->config->raw, "theme");
	return !t || strcmp(t, "none") != 0;
}

int theme_load(struct site *s)
{
	struct sources ss = { 0 };
	size_t errors = s->d->errors;
	const size_t plen = strlen("layouts/"), slen = strlen(".mustache");

	if (theme_default_enabled(s)) {
		for (size_t i = 0; i < theme_nfiles; i++) {
			const struct theme_file *f = &theme_files[i];
			size_t n = strlen(f->path);
			if (strncmp(f->path, "layouts/", plen) || n <= plen + slen ||
			    strcmp(f->path + n - slen, ".mustache"))
				continue;
			char *name = xstrndup(f->path + plen, n - plen - slen);
			struct buf file = BUF_INIT;
			buf_printf(&file, "%s" THEME_MARK, f->path);
			add_source(&ss, name, file.ptr, (char *)f->data, f->len, false);
			buf_free(&file);
			free(name);
		}
	}
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/layouts", s->dir);
	theme_read_dir(dir.ptr, collect, &ss, s->d);
	buf_free(&dir);

	s->templates = mustache_set_new();
	struct buf name = BUF_INIT;
	/* Layouts under "@NAME"; then every file under its own name for
	 * partial lookup; partials/X last, so it wins over layouts/X. */
	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < ss.n; i++) {
			struct source *src = &ss.items[i];
			bool partial = !strncmp(src->name, "partials/", 9);
			buf_reset(&name);
			if (pass == 0 && !partial)
				buf_printf(&name, LAYOUT_PREFIX "%s", src->name);
			else if (pass == 1)
				buf_puts(&name, src->name);
			else if (pass == 2 && partial)
				buf_puts(&name, src->name + 9);
			else
				continue;
			/* Report each file's errors once. */
			struct diags *d = s->d, quiet;
			if (pass > 0 && (pass == 2 || !partial)) {
				diags_init(&quiet);
				d = &quiet;
			}
			mustache_set_add(s->templates, name.ptr, src->file, src->text, src->len, d);
			if (d != s->d)
				diags_free(&quiet);
		}
	}
	buf_free(&name);
	if (s->track) {
		/* Numbered for the pages' template bits (at most 64 tracked). */
		strmap_free(&s->tpl_files);
		for (size_t i = 0; i < ss.n && i < 64; i++)
			strmap_put(&s->tpl_files, arena_strdup(s->a, ss.items[i].file),
				   (void *)(uintptr_t)(i + 1));
	}
	for (size_t i = 0; i < ss.n; i++) {
		free(ss.items[i].name);
		free(ss.items[i].file);
		if (ss.items[i].owned)
			free(ss.items[i].text);
	}
	free(ss.items);
	strmap_free(&ss.by_name);
	return s->d->errors > errors ? -1 : 0;
}

const mustache_tpl *theme_site_layout(const struct site *s, const char *name)
{
	const mustache_tpl *t = theme_layout(s, name);
	const char *file = t ? mustache_tpl_file(t) : NULL;
	return file && !strstr(file, THEME_MARK) ? t : NULL;
}

const mustache_tpl *theme_layout(const struct site *s, const char *name)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, LAYOUT_PREFIX "%s", name);
	const mustache_tpl *t = mustache_set_get(s->templates, b.ptr);
	buf_free(&b);
	return t;
}
