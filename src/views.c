/*
 * views.c - JSON-LD and the row-by-term matrix.
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "taxonomy.h"

static bool check_map_of_strings(struct site *s, const value *m, const char *what)
{
	bool ok = true;
	for (size_t i = 0; i < m->u.map.n; i++) {
		value *v = m->u.map.items[i].val;
		if (v->type != V_STRING) {
			diag_error(s->d, s->config->file, v->line, v->col,
				   "%s '%s' must name a page field (a string)", what, m->u.map.items[i].key);
			ok = false;
		}
	}
	return ok;
}

int views_check(struct site *s)
{
	size_t errors = s->d->errors;
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
					check_map_of_strings(s, props, "jsonld property");
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
	return s->d->errors > errors ? -1 : 0;
}

/* "Occupation" etc. are written as strings; everything else is the page
 * field of that name, as JSON. */
static void page_jsonld(struct site *s, struct page *p, const value *props)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"@context\":\"https://schema.org\"");
	for (size_t i = 0; i < props->u.map.n; i++) {
		const struct value_pair *kv = &props->u.map.items[i];
		const value *v = kv->val;
		const value *field = strcmp(kv->key, "@type") ? value_map_get(p->meta, v->u.str.s) : v;
		if (!field || field->type == V_NULL || (field->type == V_LIST && field->u.list.n == 0))
			continue;
		buf_puts(&b, ",\"");
		buf_put_json(&b, kv->key, kv->keylen);
		buf_puts(&b, "\":");
		if (field->type == V_LIST) {
			/* Lists of pages or terms become their titles or names. */
			buf_putc(&b, '[');
			for (size_t k = 0; k < field->u.list.n; k++) {
				const value *it = field->u.list.items[k];
				if (it->type == V_MAP) {
					const value *t = value_map_get(it, "title");
					it = t ? t : value_map_get(it, "name");
				}
				if (k)
					buf_putc(&b, ',');
				value_to_json(it, &b);
			}
			buf_putc(&b, ']');
		} else {
			value_to_json(field, &b);
		}
	}
	buf_putc(&b, '}');
	value_map_set(s->a, p->meta, "jsonld", value_strn(s->a, b.ptr, b.len));
	buf_free(&b);
}

static void build_matrix(struct site *s, const char *rows, const char *cols)
{
	arena *a = s->a;
	struct taxonomy *tx = NULL;
	for (size_t t = 0; t < s->config->ntax; t++)
		if (!strcmp(s->config->tax[t].name, cols))
			tx = &s->taxonomies[t];
	struct section *sec = NULL;
	for (size_t i = 0; i < s->nsections; i++)
		if (!strcmp(s->sections[i]->dir, rows))
			sec = s->sections[i];
	if (!tx || !sec)
		return;
	value *m = value_map(a), *columns = value_list(a), *list = value_list(a);
	for (size_t k = 0; k < tx->nterms; k++)
		value_list_push(a, columns, tx->terms[k]->entry);
	bool *has = xcalloc(tx->nterms ? tx->nterms : 1, sizeof(bool));
	for (size_t r = 0; r < sec->npages; r++) {
		struct page *p = sec->pages[r];
		memset(has, 0, tx->nterms * sizeof(bool));
		/* The page's own terms, found by slug among the sorted terms. */
		value *mine = p->terms ? value_map_get(p->terms, cols) : NULL;
		for (size_t i = 0; mine && i < mine->u.list.n; i++) {
			const char *slug = value_map_str(mine->u.list.items[i], "slug");
			for (size_t k = 0; k < tx->nterms; k++)
				if (!strcmp(tx->terms[k]->slug, slug))
					has[k] = true;
		}
		value *row = value_map(a), *cells = value_list(a);
		for (size_t k = 0; k < tx->nterms; k++) {
			value *c = value_map(a);
			value_map_set(a, c, "has", value_bool(a, has[k]));
			value_map_set(a, c, "term", tx->terms[k]->entry);
			value_map_set(a, c, "page", p->meta);
			value_list_push(a, cells, c);
		}
		value_map_set(a, row, "page", p->meta);
		value_map_set(a, row, "cells", cells);
		value_list_push(a, list, row);
	}
	free(has);
	value_map_set(a, m, "columns", columns);
	value_map_set(a, m, "rows", list);
	value_map_set(a, s->config->raw, "matrix", m);
}

void views_finish(struct site *s)
{
	value *j = value_map_get(s->config->raw, "jsonld");
	if (j && j->type == V_MAP) {
		for (size_t i = 0; i < s->ncontent; i++) {
			struct page *p = s->pages[i];
			value *props = p->kind == PAGE_REGULAR ? value_map_get(j, p->top) : NULL;
			if (props)
				page_jsonld(s, p, props);
		}
	}
	value *m = value_map_get(s->config->raw, "matrix");
	if (m && m->type == V_MAP)
		build_matrix(s, value_map_str(m, "rows"), value_map_str(m, "columns"));
}
