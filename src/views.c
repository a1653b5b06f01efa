/*
 * views.c - JSON-LD, the row-by-term matrix and groups of pages.
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "slug.h"
#include "taxonomy.h"

/* A JSON-LD property is a page field's name, {value: X} (X as written),
 * {field: NAME, map: {from: to}} (the field's value translated), a
 * mapping with an "@type" (an object of such properties) or a list of
 * these (an array).  Reports what is wrong to s->d. */
static void check_spec(struct site *s, const char *key, const value *v, unsigned depth)
{
	const char *file = s->config->file;
	if (depth > 8) {
		diag_error(s->d, file, v->line, v->col, "jsonld property '%s' nests too deeply", key);
		return;
	}
	if (v->type == V_STRING)
		return;
	if (v->type == V_LIST) {
		for (size_t i = 0; i < v->u.list.n; i++)
			check_spec(s, key, v->u.list.items[i], depth + 1);
		return;
	}
	if (v->type == V_MAP && value_map_get(v, "value") && v->u.map.n == 1)
		return;
	if (v->type == V_MAP && value_map_get(v, "field")) {
		const value *f = value_map_get(v, "field"), *m = value_map_get(v, "map");
		if (f->type != V_STRING || (m && m->type != V_MAP) || v->u.map.n > (m ? 2u : 1u))
			diag_error(s->d, file, v->line, v->col,
				   "jsonld property '%s': {field: NAME, map: {...}} takes a field name "
				   "and an optional mapping of values", key);
		return;
	}
	if (v->type == V_MAP && value_map_get(v, "@type")) {
		for (size_t i = 0; i < v->u.map.n; i++)
			if (strcmp(v->u.map.items[i].key, "@type"))
				check_spec(s, v->u.map.items[i].key, v->u.map.items[i].val, depth + 1);
		return;
	}
	diag_error(s->d, file, v->line, v->col,
		   "jsonld property '%s' must name a page field, or be {value: ...}, {field: ...}, "
		   "a mapping with an \"@type\", or a list of these", key);
}

void views_check(struct site *s)
{
	const char *file = s->config->file;
	value *j = value_map_get(s->config->raw, "jsonld");
	if (j && j->type != V_NULL) {
		if (j->type != V_MAP) {
			diag_error(s->d, file, j->line, j->col, "'jsonld' must map sections to properties");
		} else {
			for (size_t i = 0; i < j->u.map.n; i++) {
				value *props = j->u.map.items[i].val;
				if (props->type != V_MAP || !value_map_get(props, "@type"))
					diag_error(s->d, file, props->line, props->col,
						   "jsonld of '%s' must be a mapping with an \"@type\"",
						   j->u.map.items[i].key);
				else
					check_spec(s, j->u.map.items[i].key, props, 0);
			}
		}
	}
	value *m = value_map_get(s->config->raw, "matrix");
	if (m && m->type != V_NULL) {
		const char *rows = value_map_str(m, "rows"), *cols = value_map_str(m, "columns");
		bool found = false;
		for (size_t t = 0; cols && t < s->config->ntax; t++)
			found |= !strcmp(s->config->tax[t].name, cols);
		if (m->type != V_MAP || !rows || !cols)
			diag_error(s->d, file, m->line, m->col,
				   "'matrix' needs rows: (a section) and columns: (a taxonomy)");
		else if (!found)
			diag_error(s->d, file, value_map_get(m, "columns")->line,
				   value_map_get(m, "columns")->col,
				   "matrix columns '%s' is not a taxonomy of this site", cols);
	}
	value *g = value_map_get(s->config->raw, "groups");
	if (g && g->type != V_NULL) {
		if (g->type != V_MAP) {
			diag_error(s->d, file, g->line, g->col,
				   "'groups' must map names to {section: SECTION, by: KEY}");
		} else {
			for (size_t i = 0; i < g->u.map.n; i++) {
				value *v = g->u.map.items[i].val;
				if (v->type != V_MAP || !value_map_str(v, "section") || !value_map_str(v, "by"))
					diag_error(s->d, file, v->line, v->col,
						   "group '%s' needs section: (a section) and by: (a front-matter key)",
						   g->u.map.items[i].key);
			}
		}
	}
}

/* Writes page field V as JSON: a term (a map) becomes its title or name;
 * a page (a view) is its title, as value_to_json writes every view. */
static void field_json(struct buf *b, const value *v)
{
	if (v->type == V_LIST) {
		buf_putc(b, '[');
		for (size_t k = 0; k < v->u.list.n; k++) {
			const value *it = v->u.list.items[k];
			if (it->type == V_MAP) {
				const value *t = value_map_get(it, "title");
				it = t ? t : value_map_get(it, "name");
			}
			if (k)
				buf_putc(b, ',');
			if (it)
				value_to_json(it, b);
			else
				buf_puts(b, "null");
		}
		buf_putc(b, ']');
	} else if (v->type == V_MAP && value_map_get(v, "title")) {
		value_to_json(value_map_get(v, "title"), b);
	} else {
		value_to_json(v, b);
	}
}

static bool present(const value *v)
{
	return v && v->type != V_NULL && !(v->type == V_LIST && v->u.list.n == 0) &&
	       !(v->type == V_STRING && v->u.str.len == 0);
}

/* Appends SPEC's JSON for the page META to B (see check_spec).  Returns
 * the bytes appended: none, with B as it was, when a field it needs is
 * missing (a nested object needs all of its fields, an array at least one
 * item). */
static size_t spec_json(struct buf *b, const value *spec, const value *meta, bool top)
{
	size_t mark = b->len;
	if (spec->type == V_STRING) {
		const value *f = value_map_get(meta, spec->u.str.s);
		if (!present(f))
			return 0;
		field_json(b, f);
		return b->len - mark;
	}
	if (spec->type == V_LIST) {
		size_t n = 0;
		buf_putc(b, '[');
		for (size_t i = 0; i < spec->u.list.n; i++) {
			size_t before = b->len;
			if (n)
				buf_putc(b, ',');
			if (spec_json(b, spec->u.list.items[i], meta, false) > 0)
				n++;
			else
				buf_truncate(b, before);
		}
		buf_putc(b, ']');
		if (!n)
			buf_truncate(b, mark);
		return b->len - mark;
	}
	const value *lit = value_map_get(spec, "value");
	if (lit && spec->u.map.n == 1) {
		value_to_json(lit, b);
		return b->len - mark;
	}
	const value *fname = value_map_get(spec, "field");
	if (fname) {
		const value *f = value_map_get(meta, fname->u.str.s);
		const value *m = value_map_get(spec, "map");
		if (!present(f))
			return 0;
		if (m && f->type == V_STRING) {
			const value *to = value_map_get(m, f->u.str.s);
			if (!to)
				return 0;
			value_to_json(to, b);
		} else {
			field_json(b, f);
		}
		return b->len - mark;
	}
	/* An object: "@type" as written, the rest page fields. */
	buf_puts(b, top ? "{\"@context\":\"https://schema.org\"" : "{");
	bool first = !top;
	for (size_t i = 0; i < spec->u.map.n; i++) {
		const struct value_pair *kv = &spec->u.map.items[i];
		size_t before = b->len;
		if (!first)
			buf_putc(b, ',');
		buf_putc(b, '"');
		buf_put_json(b, kv->key, kv->keylen);
		buf_puts(b, "\":");
		bool ok = strcmp(kv->key, "@type") ? spec_json(b, kv->val, meta, false) > 0
						   : (value_to_json(kv->val, b), true);
		if (ok) {
			first = false;
		} else {
			buf_truncate(b, before);
			if (!top) {
				buf_truncate(b, mark);
				return 0;
			}
		}
	}
	buf_putc(b, '}');
	return b->len - mark;
}

void views_page_jsonld(struct buf *b, const value *spec, const value *meta)
{
	spec_json(b, spec, meta, true);
}

/* The order of a front-matter key's values: the enum of SECTION's schema
 * for KEY, if it has one (NULL otherwise). */
static const value *enum_order(struct site *s, const char *section, const char *key)
{
	const value *schema = s->config->schema;
	const value *rules = schema ? value_map_get(schema, section) : NULL;
	const value *rule = rules && rules->type == V_MAP ? value_map_get(rules, key) : NULL;
	const value *en = rule && rule->type == V_MAP ? value_map_get(rule, "enum") : NULL;
	return en && en->type == V_LIST ? en : NULL;
}

/* Groups ITEMS (maps: page views, matrix columns) by their string field
 * KEY, in ORDER when given and else in
 * order of first appearance: [{name, slug, count, ITEMS_NAME: [...]}]; items
 * without the field go last under the name "other".  Memory from A. */
static value *group_by(arena *a, value *items, const char *key, const value *order,
		       const char *items_name)
{
	value *groups = value_list(a);
	size_t n = items->u.list.n;
	const char **names = xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		const char *v = value_map_str(items->u.list.items[i], key);
		names[i] = v ? v : "other";
	}
	size_t norder = order ? order->u.list.n : 0;
	for (size_t g = 0; g <= norder + n; g++) {
		const char *name = NULL;
		if (g < norder) {
			name = order->u.list.items[g]->u.str.s;
		} else if (g < norder + n) {
			name = names[g - norder];
			bool seen = false;
			for (size_t k = 0; k < norder && !seen; k++)
				seen = !strcmp(order->u.list.items[k]->u.str.s, name);
			for (size_t k = 0; k < g - norder && !seen; k++)
				seen = !strcmp(names[k], name);
			if (seen || !strcmp(name, "other"))
				continue;
		} else {
			name = "other";
		}
		value *members = value_list(a);
		for (size_t i = 0; i < n; i++)
			if (!strcmp(names[i], name))
				value_list_push(a, members, items->u.list.items[i]);
		if (!members->u.list.n)
			continue;
		value *grp = value_map(a);
		value_map_set(a, grp, "name", value_str(a, name));
		struct buf slug = BUF_INIT;
		slug_append(&slug, name, strlen(name));
		value_map_set(a, grp, "slug", value_strn(a, slug.ptr, slug.len));
		buf_free(&slug);
		value_map_set(a, grp, "count", value_int(a, (long long)members->u.list.n));
		value_map_set(a, grp, items_name, members);
		value_list_push(a, groups, grp);
	}
	free(names);
	return groups;
}

static struct section *find_top_section(struct site *s, const char *dir)
{
	for (size_t i = 0; dir && i < s->nsections; i++)
		if (!strcmp(s->sections[i]->dir, dir))
			return s->sections[i];
	return NULL;
}

/* The taxonomy named NAME, or NULL. */
static struct taxonomy *find_taxonomy(struct site *s, const char *name)
{
	for (size_t t = 0; name && t < s->config->ntax; t++)
		if (!strcmp(s->config->tax[t].name, name))
			return &s->taxonomies[t];
	return NULL;
}

/* site.matrix: the pages of section ROWS against the terms of taxonomy
 * COLS, the terms grouped by GROUP (a front-matter key of the term pages)
 * when given; NULL when either is missing.  Memory from A. */
static value *build_matrix(struct site *s, arena *a, const char *rows, const char *cols,
			   const char *group)
{
	struct taxonomy *tx = find_taxonomy(s, cols);
	struct section *sec = find_top_section(s, rows);
	if (!tx || !sec)
		return NULL;
	size_t nt = tx->nterms;
	/* Columns: {name, slug, url, count, summary, group, total}, in groups. */
	value *byname = value_list(a);
	for (size_t k = 0; k < nt; k++) {
		struct term *t = tx->terms[k];
		value *c = value_map(a);
		for (size_t i = 0; i < t->entry->u.map.n; i++)
			value_map_setn(a, c, t->entry->u.map.items[i].key, t->entry->u.map.items[i].keylen,
				       t->entry->u.map.items[i].val);
		/* Fields of the term's page, as they are when read (folio
		 * serve re-renders every page when a term page changes:
		 * views_shows). */
		if (t->page && t->page->meta) {
			value *sum = value_map_get(t->page->meta, "summary");
			if (sum)
				value_map_set(a, c, "summary", sum);
			value *gv = group ? value_map_get(t->page->meta, group) : NULL;
			if (gv && gv->type == V_STRING)
				value_map_set(a, c, "group", gv);
		}
		value_map_set(a, c, "index", value_int(a, (long long)k));
		value_list_push(a, byname, c);
	}
	value *groups = NULL, *columns = byname;
	if (group) {
		const char *term_section = tx->page && tx->page->src ? tx->page->top : cols;
		groups = group_by(a, byname, "group", enum_order(s, term_section, group), "columns");
		columns = value_list(a);
		for (size_t g = 0; g < groups->u.list.n; g++) {
			value *members = value_map_get(groups->u.list.items[g], "columns");
			for (size_t i = 0; i < members->u.list.n; i++)
				value_list_push(a, columns, members->u.list.items[i]);
		}
	}
	size_t *order = xcalloc(nt ? nt : 1, sizeof(*order));
	long long *totals = xcalloc(nt ? nt : 1, sizeof(*totals));
	for (size_t k = 0; k < nt; k++)
		order[k] = (size_t)value_map_get(columns->u.list.items[k], "index")->u.i;
	bool *has = xcalloc(nt ? nt : 1, sizeof(bool));
	value *list = value_list(a);
	for (size_t r = 0; r < sec->npages; r++) {
		struct page *p = sec->pages[r];
		memset(has, 0, nt * sizeof(bool));
		/* The page's own terms among the sorted terms. */
		for (size_t i = 0; i < p->nterms; i++)
			for (size_t k = 0; k < nt; k++)
				if (p->terms[i] == tx->terms[k])
					has[k] = true;
		value *row = value_map(a), *cells = value_list(a);
		long long total = 0;
		for (size_t j = 0; j < nt; j++) {
			size_t k = order[j];
			value *c = value_map(a);
			value_map_set(a, c, "has", value_bool(a, has[k]));
			value_map_set(a, c, "term", tx->terms[k]->entry);
			value_map_set(a, c, "page", p->meta);
			value_list_push(a, cells, c);
			total += has[k];
			totals[k] += has[k];
		}
		value_map_set(a, row, "page", p->meta);
		value_map_set(a, row, "cells", cells);
		value_map_set(a, row, "total", value_int(a, total));
		value_list_push(a, list, row);
	}
	for (size_t k = 0; k < nt; k++)
		value_map_set(a, byname->u.list.items[k], "total", value_int(a, totals[k]));
	free(has);
	free(order);
	free(totals);
	value *m = value_map(a);
	value_map_set(a, m, "columns", columns);
	if (groups)
		value_map_set(a, m, "groups", groups);
	value_map_set(a, m, "rows", list);
	value_map_set(a, m, "row_count", value_int(a, (long long)sec->npages));
	value_map_set(a, m, "column_count", value_int(a, (long long)nt));
	return m;
}

/* site.groups.NAME: the pages of a section grouped by a front-matter key. */
static value *build_groups(struct site *s, arena *a, const value *conf)
{
	value *out = value_map(a);
	for (size_t i = 0; i < conf->u.map.n; i++) {
		const value *g = conf->u.map.items[i].val;
		const char *section = value_map_str(g, "section"), *by = value_map_str(g, "by");
		struct section *sec = find_top_section(s, section);
		if (!by)
			continue;       /* an error already (views_check) */
		value *pages = value_list(a);
		for (size_t k = 0; sec && k < sec->npages; k++)
			value_list_push(a, pages, sec->pages[k]->meta);
		value_map_set(a, out, conf->u.map.items[i].key,
			      group_by(a, pages, by, enum_order(s, section, by), "pages"));
	}
	return out;
}

value *views_matrix(struct site *s, arena *a)
{
	const value *m = value_map_get(s->config->raw, "matrix");
	if (!m || m->type != V_MAP)
		return NULL;
	return build_matrix(s, a, value_map_str(m, "rows"), value_map_str(m, "columns"),
			    value_map_str(m, "group_by"));
}

value *views_groups(struct site *s, arena *a)
{
	const value *g = value_map_get(s->config->raw, "groups");
	return g && g->type == V_MAP ? build_groups(s, a, g) : NULL;
}

/* Whether P is among the regular pages of the top-level section DIR. */
static bool in_section(struct site *s, const char *dir, const struct page *p)
{
	struct section *sec = find_top_section(s, dir);
	for (size_t k = 0; sec && k < sec->npages; k++)
		if (sec->pages[k] == p)
			return true;
	return false;
}

bool views_shows(struct site *s, const struct page *p)
{
	const value *m = value_map_get(s->config->raw, "matrix");
	if (m && m->type == V_MAP) {
		struct taxonomy *tx = find_taxonomy(s, value_map_str(m, "columns"));
		for (size_t k = 0; tx && k < tx->nterms; k++)
			if (tx->terms[k]->page == p)
				return true;
		if (in_section(s, value_map_str(m, "rows"), p))
			return true;
	}
	const value *g = value_map_get(s->config->raw, "groups");
	for (size_t i = 0; g && g->type == V_MAP && i < g->u.map.n; i++)
		if (in_section(s, value_map_str(g->u.map.items[i].val, "section"), p))
			return true;
	return false;
}
