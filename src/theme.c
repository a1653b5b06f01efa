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
#include "html.h"
#include "strmap.h"
#include "view.h"

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
			diag_error(d, path.ptr, 0, 0, "cannot read: %s", util_strerror(errno));
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

/* Appended to the file names of the default theme's templates. */
#define DEFAULT_THEME_MARK " (folio's default theme)"

bool theme_default_enabled(const struct site *s)
{
	const char *t = value_map_str(s->config->raw, "theme");
	return !t || strcmp(t, "none") != 0;
}

struct ref_check {
	struct diags *d;
	const mustache_set *set;
};

/* A partial or parent that names no template: the Mustache spec renders
 * it as nothing, which hides a misspelt name, so a site's build stops. */
static void check_ref(void *arg, const mustache_tpl *t, const struct mustache_tag *tag)
{
	struct ref_check *rc = arg;
	if ((tag->kind != '>' && tag->kind != '<') || tag->dynamic)
		return;
	char *name = xstrndup(tag->name, tag->len);
	if (!mustache_set_get(rc->set, name))
		diag_error(rc->d, mustache_tpl_file(t), tag->line, tag->col,
			   "%s '%s' is no template (looked for layouts/partials/%s.mustache and layouts/%s.mustache)",
			   tag->kind == '>' ? "partial" : "parent", name, name, name);
	free(name);
}

/* Calls FN for the tags of every template file once (the set holds most
 * files under two names). */
static void each_file_tags(const mustache_set *set, mustache_tag_fn fn, void *arg)
{
	struct strmap seen = STRMAP_INIT;
	for (size_t i = 0; i < mustache_set_size(set); i++) {
		const mustache_tpl *t = mustache_set_at(set, i);
		const char *file = mustache_tpl_file(t);
		if (strmap_get(&seen, file))
			continue;
		strmap_put(&seen, file, (void *)file);
		mustache_tpl_tags(t, fn, arg);
	}
	strmap_free(&seen);
}

static void check_refs(struct site *s)
{
	struct ref_check rc = { s->d, s->templates };
	each_file_tags(s->templates, check_ref, &rc);
}

static void layout_id(void *arg, const char *tag, const char *name, size_t nlen,
		      const char *v, size_t vlen)
{
	struct site *s = arg;
	(void)tag;
	if (nlen != 2 || (name[0] | 0x20) != 'i' || (name[1] | 0x20) != 'd' || !vlen ||
	    memchr(v, '{', vlen) || strmap_getn(&s->layout_ids, v, vlen))
		return;
	const char *id = arena_strndup(s->a, v, vlen);
	strmap_put(&s->layout_ids, id, (void *)id);
}

/* The ids the layouts write as they are (id="main", not id="{{id}}"):
 * heading ids keep clear of them, so a page has no id twice. */
static void collect_layout_ids(struct site *s, const struct sources *ss)
{
	strmap_free(&s->layout_ids);
	for (size_t i = 0; i < ss->n; i++)
		html_attrs(ss->items[i].text, ss->items[i].len, NULL, NULL, layout_id, s);
}

void theme_load(struct site *s)
{
	struct sources ss = { 0 };
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
			buf_printf(&file, "%s" DEFAULT_THEME_MARK, f->path);
			add_source(&ss, name, file.ptr, (char *)f->data, f->len, false);
			buf_free(&file);
			free(name);
		}
	}
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/layouts", s->dir);
	/* A file that cannot be read is an error in s->d; the others are
	 * still compiled, so that one run reports every error. */
	(void)theme_read_dir(dir.ptr, collect, &ss, s->d);
	buf_free(&dir);

	collect_layout_ids(s, &ss);
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
			/* Report each file's errors once.  A template with
			 * errors is not stored; they are in s->d already. */
			struct diags *d = s->d, quiet;
			if (pass > 0 && (pass == 2 || !partial)) {
				diags_init(&quiet);
				d = &quiet;
			}
			(void)mustache_set_add(s->templates, name.ptr, src->file, src->text,
					       src->len, d);
			if (d != s->d)
				diags_free(&quiet);
		}
	}
	buf_free(&name);
	check_refs(s);
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
}

const mustache_tpl *theme_site_layout(const struct site *s, const char *name)
{
	const mustache_tpl *t = theme_layout(s, name);
	const char *file = t ? mustache_tpl_file(t) : NULL;
	return file && !strstr(file, DEFAULT_THEME_MARK) ? t : NULL;
}

const mustache_tpl *theme_layout(const struct site *s, const char *name)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, LAYOUT_PREFIX "%s", name);
	const mustache_tpl *t = mustache_set_get(s->templates, b.ptr);
	buf_free(&b);
	return t;
}

/* ---- folio check: names that nothing could supply ---- */

/* Field names folio gives templates (README, "Template variables"), on
 * some kind of page or with some setting, so present or not in this
 * site's values. */
static const char *const documented_fields[] = {
	"site", "page", "sections", "taxonomies", "taxonomies_by_count", "name", "title",
	"url", "summary", "count", "slug", "permalink", "content", "date", "date_iso",
	"date_human", "word_count", "reading_time", "section", "kind", "is_home",
	"is_section", "is_page", "file", "toc", "level", "id", "children", "breadcrumbs",
	"prev", "next", "related", "pages", "pagination", "number", "total", "prev_url",
	"next_url", "first_url", "last_url", "term", "terms", "taxonomy", "jsonld",
	"search", "root", "matrix", "columns", "rows", "cells", "has",
	/* site.yaml keys (README, "site.yaml") */
	"base_url", "language", "author", "paginate", "related", "markdown", "theme",
	"schema", "footer",
};

struct names {
	struct strmap keys;     /* every map key of every value reachable */
	const value **seen;     /* open addressing: maps and lists walked */
	size_t nseen, capseen;
	char **owned;           /* keys copied from views */
	size_t nowned;
	const char *packed;     /* the front matter being walked */
};

/* Adds V to the walked set; -1 when it was there already. */
static int visit(struct names *n, const value *v)
{
	if (2 * (n->nseen + 1) > n->capseen) {
		size_t cap = n->capseen ? 2 * n->capseen : 1024;
		const value **t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < n->capseen; i++) {
			if (!n->seen[i])
				continue;
			size_t j = ((uintptr_t)n->seen[i] >> 4) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = n->seen[i];
		}
		free(n->seen);
		n->seen = t;
		n->capseen = cap;
	}
	size_t j = ((uintptr_t)v >> 4) & (n->capseen - 1);
	while (n->seen[j]) {
		if (n->seen[j] == v)
			return -1;
		j = (j + 1) & (n->capseen - 1);
	}
	n->seen[j] = v;
	n->nseen++;
	return 0;
}

static void add_name(void *arg, const char *key, size_t len)
{
	struct names *n = arg;
	if (!strmap_getn(&n->keys, key, len)) {
		char *k = xmalloc(len + 1);
		memcpy(k, key, len);
		k[len] = '\0';
		strmap_putn(&n->keys, k, len, k);
		n->owned = xrealloc(n->owned, (n->nowned + 1) * sizeof(*n->owned));
		n->owned[n->nowned++] = k;
	}
}

/* The keys of V, a tree nothing else shares: no visited set. */
static void walk_tree(struct names *n, const value *v)
{
	if (!v)
		return;
	if (v->type == V_LIST)
		for (size_t i = 0; i < v->u.list.n; i++)
			walk_tree(n, v->u.list.items[i]);
	if (v->type == V_MAP)
		for (size_t i = 0; i < v->u.map.n; i++) {
			add_name(n, v->u.map.items[i].key, v->u.map.items[i].keylen);
			walk_tree(n, v->u.map.items[i].val);
		}
}

/* A front-matter key, and the keys inside its value (one page's front
 * matter is unpacked to walk them, then dropped). */
static void add_fm_name(void *arg, const char *key, size_t len, enum value_type type)
{
	struct names *n = arg;
	add_name(n, key, len);
	if (type != V_LIST && type != V_MAP)
		return;
	arena *tmp = arena_new();
	value *v = value_unpack_get(tmp, n->packed, "", key, len);
	walk_tree(n, v);
	arena_free(tmp);
}

static void walk_keys(struct names *n, const value *v);

struct view_walk {
	struct names *n;
	const value *view;
};

/* A field of a view that is no page's (the site's): its name, and the
 * keys inside its value. */
static void walk_field(void *arg, const char *key, size_t len)
{
	struct view_walk *w = arg;
	add_name(w->n, key, len);
	walk_keys(w->n, value_map_getn(w->view, key, len));
}

static void walk_keys(struct names *n, const value *v)
{
	/* A page's view: its names come from its page (theme_check_names);
	 * the site's: its fields and what they hold. */
	if (v && v->type == V_VIEW) {
		if (!view_page_of(v) && visit(n, v) == 0)
			v->u.view.ops->names(v, walk_field, &(struct view_walk){ n, v });
		return;
	}
	if (!v || (v->type != V_LIST && v->type != V_MAP) || visit(n, v) < 0)
		return;
	if (v->type == V_LIST) {
		for (size_t i = 0; i < v->u.list.n; i++)
			walk_keys(n, v->u.list.items[i]);
		return;
	}
	for (size_t i = 0; i < v->u.map.n; i++) {
		const struct value_pair *kv = &v->u.map.items[i];
		strmap_putn(&n->keys, kv->key, kv->keylen, (void *)kv->key);
		walk_keys(n, kv->val);
	}
}

struct name_check {
	struct names *n;
	struct diags *d;
};

static void check_name(void *arg, const mustache_tpl *t, const struct mustache_tag *tag)
{
	struct name_check *nc = arg;
	/* The default theme shows optional fields when a site has them. */
	const char *file = mustache_tpl_file(t);
	size_t flen = strlen(file), mlen = strlen(DEFAULT_THEME_MARK);
	if (flen >= mlen && !strcmp(file + flen - mlen, DEFAULT_THEME_MARK))
		return;
	bool var = tag->kind == 'v' || tag->kind == '#' || tag->kind == '^';
	if (!var && !((tag->kind == '>' || tag->kind == '<') && tag->dynamic))
		return;
	const char *p = tag->name, *end = tag->name + tag->len;
	while (p < end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *e = dot ? dot : end;
		size_t len = (size_t)(e - p);
		bool index = len > 0 && strspn(p, "0123456789") >= len;
		if (len && !index && !strmap_getn(&nc->n->keys, p, len)) {
			diag_warning(nc->d, mustache_tpl_file(t), tag->line, tag->col,
				     "nothing supplies '%.*s' in {{%.*s}}: no front-matter key, site key "
				     "or template field has that name",
				     (int)len, p, (int)tag->len, tag->name);
			return;
		}
		p = dot ? dot + 1 : end;
	}
}

void theme_check_names(struct site *s)
{
	struct names n = { STRMAP_INIT, NULL, 0, 0, NULL, 0, NULL };
	for (size_t i = 0; i < sizeof documented_fields / sizeof *documented_fields; i++)
		strmap_put(&n.keys, documented_fields[i], (void *)documented_fields[i]);
	walk_keys(&n, s->site_value);
	walk_keys(&n, s->config->raw);
	for (size_t i = 0; i < s->npages; i++) {
		const struct page *p = s->pages[i];
		n.packed = p->fm_packed;
		if (p->fm_packed)
			value_unpack_keys(p->fm_packed, add_fm_name, &n);
		if (p->meta && p->meta->type == V_VIEW)
			p->meta->u.view.ops->names(p->meta, add_name, &n);
	}
	struct name_check nc = { &n, s->d };
	each_file_tags(s->templates, check_name, &nc);
	strmap_free(&n.keys);
	free(n.seen);
	for (size_t i = 0; i < n.nowned; i++)
		free(n.owned[i]);
	free(n.owned);
}
