/*
 * site.c - the index: the global step between parsing and rendering.
 *
 * Everything templates see is computed here, once: page orders, sections,
 * prev/next, pagination and each page's template fields.  Nothing here
 * looks at every page once per page.
 */
#include "site.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "schema.h"
#include "taxonomy.h"
#include "views.h"

/* Sections nest at most as deep as content folders, and more crumbs than
 * this would not help a reader anyway. */
#define CONTENT_MAX_CRUMBS 40

void site_add_page(struct site *s, struct page *p)
{
	if (s->npages == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->pages = xrealloc(s->pages, s->cap * sizeof(*s->pages));
	}
	s->pages[s->npages++] = p;
	if (p->rel && *p->rel)
		strmap_put(&s->by_rel, p->rel, p);
}

struct page *site_find_rel(const struct site *s, const char *rel)
{
	return strmap_get(&s->by_rel, rel);
}

void site_describe(struct buf *b, const struct page *p)
{
	if (p->src) {
		buf_puts(b, p->src);
		return;
	}
	switch (p->kind) {
	case PAGE_SECTION: buf_printf(b, "the section page of %s/", p->dir); break;
	case PAGE_HOME: buf_puts(b, "the home page"); break;
	case PAGE_TERMS: buf_printf(b, "the taxonomy page %s", p->url); break;
	case PAGE_TERM: buf_printf(b, "the term page %s", p->url); break;
	case PAGE_404: buf_puts(b, "the 404 page"); break;
	case PAGE_SEARCH: buf_puts(b, "the search page"); break;
	case PAGE_ALIAS: buf_printf(b, "an alias of %s", p->redirect); break;
	default: buf_printf(b, "the page %s", p->url); break;
	}
}

/* The place to blame for P's URL: its url: or slug: line, or line 1. */
static void url_place(const struct page *p, unsigned *line, unsigned *col)
{
	value *v = p->fm ? value_map_get(p->fm, "url") : NULL;
	if (!v && p->fm)
		v = value_map_get(p->fm, "slug");
	*line = v ? v->line : 1;
	*col = v ? v->col : 1;
}

int site_claim(struct site *s, struct page *p)
{
	struct page *other = strmap_put(&s->by_out, p->out_path, p);
	if (!other)
		return 0;
	/* Blame the content file if one of them is one, else the line that
	 * declares an alias. */
	const struct page *blame = p->src ? p : other->src ? other :
				   p->alias_src ? p : other->alias_src ? other : NULL;
	const struct page *with = blame == p ? other : p;
	struct buf w = BUF_INIT;
	site_describe(&w, with);
	if (blame && blame->src) {
		unsigned line, col;
		url_place(blame, &line, &col);
		diag_error(s->d, blame->src, line, col, "URL %s is also the URL of %s", blame->url, w.ptr);
	} else if (blame) {
		diag_error(s->d, blame->alias_src, blame->alias_line, blame->alias_col,
			   "alias '%s' is the URL of %s", blame->url, w.ptr);
	} else {
		struct buf a = BUF_INIT;
		site_describe(&a, p);
		diag_error(s->d, NULL, 0, 0, "%s and %s both have URL %s", a.ptr, w.ptr, p->url);
		buf_free(&a);
	}
	buf_free(&w);
	return -1;
}

bool site_in_place(const struct page *p)
{
	if (!p->src)
		return p->kind == PAGE_SECTION;
	return !value_map_get(p->fm, "url");
}

int site_claim_file(struct site *s, const char *rel, const char *what)
{
	const char *had = strmap_get(&s->files, rel);
	if (had && !strcmp(had, what))
		return 0;
	if (had) {
		diag_error(s->d, NULL, 0, 0, "%s and %s are both written at /%s", had, what, rel);
		return -1;
	}
	if (site_check_file(s, rel, what) < 0)
		return -1;
	char *key = arena_strdup(s->a, rel);
	strmap_put(&s->files, key, arena_strdup(s->a, what));
	return 0;
}

int site_check_file(struct site *s, const char *rel, const char *what)
{
	struct page *p = strmap_get(&s->by_out, rel);
	if (p) {
		struct buf w = BUF_INIT;
		site_describe(&w, p);
		if (p->src) {
			unsigned line, col;
			url_place(p, &line, &col);
			diag_error(s->d, p->src, line, col, "URL %s is also a file folio writes: %s",
				   p->url, what);
		} else if (p->alias_src) {
			diag_error(s->d, p->alias_src, p->alias_line, p->alias_col,
				   "alias '%s' is also a file folio writes: %s", p->url, what);
		} else {
			diag_error(s->d, NULL, 0, 0, "%s and %s are both written at /%s", w.ptr, what, rel);
		}
		buf_free(&w);
		return -1;
	}
	return 0;
}

const char *site_file_owner(const struct site *s, const char *rel)
{
	return strmap_get(&s->files, rel);
}

int site_check_urls(struct site *s)
{
	int rc = 0;
	for (size_t i = 0; i < s->npages; i++)
		if (site_claim(s, s->pages[i]) < 0)
			rc = -1;
	return rc;
}

int site_page_cmp(const void *pa, const void *pb)
{
	const struct page *a = *(struct page *const *)pa, *b = *(struct page *const *)pb;
	if (a->has_weight != b->has_weight)
		return a->has_weight ? -1 : 1;
	if (a->has_weight && a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	if (a->has_date != b->has_date)
		return a->has_date ? -1 : 1;
	if (a->has_date && a->date.epoch != b->date.epoch)
		return a->date.epoch > b->date.epoch ? -1 : 1;
	int c = strcmp(a->title ? a->title : "", b->title ? b->title : "");
	if (c)
		return c;
	c = strcmp(a->rel ? a->rel : "", b->rel ? b->rel : "");
	if (c)
		return c;
	return strcmp(a->url, b->url);
}

struct page *site_new_page(struct site *s, enum page_kind kind, const char *path,
			   const char *title)
{
	struct page *p = arena_zalloc(s->a, sizeof(*p));
	p->kind = kind;
	p->rel = "";
	p->dir = arena_strdup(s->a, path);
	p->fm = value_map(s->a);
	p->title = arena_strdup(s->a, title);
	p->summary = "";
	p->toc = value_list(s->a);
	p->pagenum = 1;
	content_set_path(s->a, p, path);
	return p;
}

static struct section *find_section(struct site *s, struct strmap *by_dir, const char *dir)
{
	struct section *sec = strmap_get(by_dir, dir);
	if (sec)
		return sec;
	sec = arena_zalloc(s->a, sizeof(*sec));
	sec->dir = arena_strdup(s->a, dir);
	strmap_put(by_dir, sec->dir, sec);
	if (*dir) {
		const char *slash = strrchr(dir, '/');
		char *parent = arena_strndup(s->a, dir, slash ? (size_t)(slash - dir) : 0);
		sec->parent = find_section(s, by_dir, parent);
		struct section *par = sec->parent;
		if (par->nchildren == par->capchildren) {
			par->capchildren = par->capchildren ? 2 * par->capchildren : 4;
			par->children = xrealloc(par->children, par->capchildren * sizeof(*par->children));
		}
		par->children[par->nchildren++] = sec;
	}
	if (s->nsections == s->capsections) {
		s->capsections = s->capsections ? 2 * s->capsections : 16;
		s->sections = xrealloc(s->sections, s->capsections * sizeof(*s->sections));
	}
	s->sections[s->nsections++] = sec;
	return sec;
}

static void section_add(struct section *sec, struct page *p)
{
	if (sec->npages == sec->cap) {
		sec->cap = sec->cap ? 2 * sec->cap : 8;
		sec->pages = xrealloc(sec->pages, sec->cap * sizeof(*sec->pages));
	}
	sec->pages[sec->npages++] = p;
}

static int cmp_section(const void *pa, const void *pb)
{
	const struct section *a = *(struct section *const *)pa, *b = *(struct section *const *)pb;
	return site_page_cmp(&a->page, &b->page);
}

static int cmp_section_dir(const void *pa, const void *pb)
{
	const struct section *a = *(struct section *const *)pa, *b = *(struct section *const *)pb;
	return strcmp(a->dir, b->dir);
}

/* "roles/data" -> "roles" */
static const char *top_section(arena *a, const char *dir)
{
	const char *slash = strchr(dir, '/');
	return slash ? arena_strndup(a, dir, (size_t)(slash - dir)) : dir;
}

static void set_str(arena *a, value *m, const char *key, const char *s)
{
	value_map_set(a, m, key, value_str_ref(a, s, strlen(s)));
}

static const char *kind_name(enum page_kind k)
{
	switch (k) {
	case PAGE_REGULAR: return "page";
	case PAGE_SECTION: return "section";
	case PAGE_HOME: return "home";
	case PAGE_TERMS: return "terms";
	case PAGE_TERM: return "term";
	case PAGE_404: return "404";
	case PAGE_SEARCH: return "search";
	case PAGE_ALIAS: return "alias";
	}
	return "page";
}

static value *crumb(arena *a, const struct page *p)
{
	value *m = value_map(a);
	set_str(a, m, "title", p->title ? p->title : "");
	set_str(a, m, "url", p->url);
	return m;
}

/* The pages from the home page down to P's parent, as {title, url}. */
static value *breadcrumbs(struct site *s, const struct page *p)
{
	arena *a = s->a;
	const struct page *chain[CONTENT_MAX_CRUMBS];
	size_t n = 0;
	const struct section *sec = NULL;
	if (p->kind == PAGE_REGULAR)
		sec = p->section;
	else if (p->own)
		sec = p->own->parent;
	for (; sec && n < CONTENT_MAX_CRUMBS; sec = sec->parent)
		chain[n++] = sec->page;
	if (!p->src && (p->kind == PAGE_TERM || p->kind == PAGE_TERMS)) {
		if (p->kind == PAGE_TERM)
			chain[n++] = s->taxonomies[p->tax].page;
		chain[n++] = s->sections[0]->page;
	}
	value *list = value_list(a);
	while (n > 0)
		value_list_push(a, list, crumb(a, chain[--n]));
	return list;
}

void site_page_meta(struct site *s, struct page *p)
{
	arena *a = s->a;
	value *m = value_map(a);
	struct buf b = BUF_INIT;
	if (p->fm) {
		for (size_t i = 0; i < p->fm->u.map.n; i++) {
			struct value_pair *kv = &p->fm->u.map.items[i];
			value_map_setn(a, m, kv->key, kv->keylen, kv->val);
		}
	}
	set_str(a, m, "title", p->title ? p->title : "");
	set_str(a, m, "url", p->url);
	buf_printf(&b, "%s%s", s->config->base_url, p->url);
	value_map_set(a, m, "permalink", value_strn(a, b.ptr, b.len));
	set_str(a, m, "summary", p->summary ? p->summary : "");
	if (p->has_date) {
		buf_reset(&b);
		date_iso(&p->date, &b);
		value_map_set(a, m, "date_iso", value_strn(a, b.ptr, b.len));
		buf_reset(&b);
		date_human(&p->date, &b);
		value_map_set(a, m, "date_human", value_strn(a, b.ptr, b.len));
		if (!value_map_get(m, "date") || value_map_get(m, "date")->type != V_STRING) {
			buf_reset(&b);
			date_ymd(&p->date, &b);
			value_map_set(a, m, "date", value_strn(a, b.ptr, b.len));
		}
	}
	value_map_set(a, m, "word_count", value_int(a, p->word_count));
	value_map_set(a, m, "reading_time", value_int(a, p->word_count ? (p->word_count + 199) / 200 : 0));
	set_str(a, m, "section", top_section(a, p->dir ? p->dir : ""));
	value_map_set(a, m, "toc", p->toc ? p->toc : value_list(a));
	set_str(a, m, "kind", kind_name(p->kind));
	value_map_set(a, m, "is_home", value_bool(a, p->kind == PAGE_HOME));
	value_map_set(a, m, "is_section", value_bool(a, p->kind == PAGE_SECTION || p->kind == PAGE_HOME));
	value_map_set(a, m, "is_page", value_bool(a, p->kind == PAGE_REGULAR));
	if (p->rel && *p->rel)
		set_str(a, m, "file", p->rel);
	if (p->terms)
		value_map_set(a, m, "taxonomies", p->terms);
	value_map_set(a, m, "breadcrumbs", breadcrumbs(s, p));
	buf_free(&b);
	p->meta = m;
}

static value *pagination_value(struct site *s, struct page *first, unsigned k, unsigned total)
{
	arena *a = s->a;
	value *m = value_map(a);
	struct buf b = BUF_INIT;
	value_map_set(a, m, "number", value_int(a, k));
	value_map_set(a, m, "total", value_int(a, total));
#define PAGE_URL(n) do { buf_reset(&b); \
		if ((n) == 1) buf_puts(&b, first->url); \
		else buf_printf(&b, "%spage/%u/", first->url, (n)); } while (0)
	if (k > 1) {
		PAGE_URL(k - 1);
		value_map_set(a, m, "prev_url", value_strn(a, b.ptr, b.len));
	}
	if (k < total) {
		PAGE_URL(k + 1);
		value_map_set(a, m, "next_url", value_strn(a, b.ptr, b.len));
	}
	PAGE_URL(1u);
	value_map_set(a, m, "first_url", value_strn(a, b.ptr, b.len));
	PAGE_URL(total);
	value_map_set(a, m, "last_url", value_strn(a, b.ptr, b.len));
#undef PAGE_URL
	buf_free(&b);
	return m;
}

void site_paginate(struct site *s, struct page *first, value *list)
{
	arena *a = s->a;
	size_t n = list->u.list.n;
	size_t per = (size_t)s->config->paginate;
	unsigned total = n ? (unsigned)((n + per - 1) / per) : 1;
	first->pagenum = 1;
	first->list = value_list_view(a, list->u.list.items, n < per ? n : per);
	first->pagination = pagination_value(s, first, 1, total);
	for (unsigned k = 2; k <= total; k++) {
		struct page *p = arena_alloc(a, sizeof(*p));
		*p = *first;
		p->src = NULL;
		p->rel = "";
		p->pagenum = k;
		p->first = first;
		p->html = NULL;
		p->html_len = 0;
		struct buf path = BUF_INIT;
		buf_puts(&path, first->out_path);
		/* "roles/index.html" -> "roles/page/K" */
		buf_truncate(&path, path.len - strlen("index.html"));
		buf_printf(&path, "page/%u", k);
		content_set_path(a, p, path.ptr);
		buf_free(&path);
		size_t from = (size_t)(k - 1) * per;
		size_t cnt = n - from < per ? n - from : per;
		p->list = value_list_view(a, list->u.list.items + from, cnt);
		p->pagination = pagination_value(s, first, k, total);
		p->meta = value_map(a);
		for (size_t j = 0; j < first->meta->u.map.n; j++) {
			struct value_pair *kv = &first->meta->u.map.items[j];
			value_map_setn(a, p->meta, kv->key, kv->keylen, kv->val);
		}
		set_str(a, p->meta, "url", p->url);
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s%s", s->config->base_url, p->url);
		value_map_set(a, p->meta, "permalink", value_strn(a, b.ptr, b.len));
		buf_free(&b);
		site_add_page(s, p);
		site_claim(s, p);
	}
}

static value *section_entry(struct site *s, struct section *sec)
{
	arena *a = s->a;
	value *m = value_map(a);
	const char *slash = strrchr(sec->dir, '/');
	set_str(a, m, "name", slash ? slash + 1 : sec->dir);
	set_str(a, m, "title", sec->page->title);
	set_str(a, m, "url", sec->page->url);
	/* The page's own summary value: folio serve updates it in place. */
	value *sum = sec->page->meta ? value_map_get(sec->page->meta, "summary") : NULL;
	if (sum)
		value_map_set(a, m, "summary", sum);
	else
		set_str(a, m, "summary", sec->page->summary ? sec->page->summary : "");
	value_map_set(a, m, "count", value_int(a, (long long)sec->npages));
	value_map_set(a, m, "page", sec->page->meta);
	return m;
}

/* Redirect pages for every aliases: entry; one on a page's path is an
 * error at the alias's line. */
static void add_aliases(struct site *s)
{
	size_t n = s->ncontent;
	for (size_t i = 0; i < n; i++) {
		struct page *p = s->pages[i];
		value *list = value_map_get(p->fm, "aliases");
		if (!list || list->type != V_LIST)
			continue;
		for (size_t k = 0; k < list->u.list.n; k++) {
			value *it = list->u.list.items[k];
			struct buf path = BUF_INIT;
			const char *q = it->u.str.s;
			while (*q == '/')
				q++;
			buf_puts(&path, q);
			while (path.len && path.ptr[path.len - 1] == '/')
				buf_truncate(&path, path.len - 1);
			struct page *al = site_new_page(s, PAGE_ALIAS, path.ptr, p->title);
			buf_free(&path);
			al->redirect = p->url;
			al->alias_src = p->src;
			al->alias_line = it->line;
			al->alias_col = it->col;
			struct page *other = strmap_get(&s->by_out, al->out_path);
			if (other) {
				struct buf w = BUF_INIT;
				site_describe(&w, other);
				diag_error(s->d, p->src, it->line, it->col,
					   "alias '%s' is the URL of %s", it->u.str.s, w.ptr);
				buf_free(&w);
				continue;
			}
			site_add_page(s, al);
			site_claim(s, al);
		}
	}
}

int site_index(struct site *s)
{
	size_t errors = s->d->errors;
	struct strmap by_dir = STRMAP_INIT;

	find_section(s, &by_dir, "");
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		struct section *sec = find_section(s, &by_dir, p->dir);
		if (p->kind == PAGE_REGULAR) {
			section_add(sec, p);
			p->section = sec;
		} else {
			sec->page = p;
			p->own = sec;
			p->section = sec->parent ? sec->parent : sec;
		}
	}
	qsort(s->sections, s->nsections, sizeof(*s->sections), cmp_section_dir);
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		if (sec->page)
			continue;
		if (!*sec->dir) {
			sec->page = site_new_page(s, PAGE_HOME, "", s->config->title);
		} else {
			const char *slash = strrchr(sec->dir, '/');
			struct buf t = BUF_INIT;
			buf_puts(&t, slash ? slash + 1 : sec->dir);
			if (t.ptr[0] >= 'a' && t.ptr[0] <= 'z')
				t.ptr[0] = (char)(t.ptr[0] - 32);
			sec->page = site_new_page(s, PAGE_SECTION, sec->dir, t.ptr);
			buf_free(&t);
		}
		sec->page->own = sec;
		sec->page->section = sec->parent ? sec->parent : sec;
		site_add_page(s, sec->page);
		site_claim(s, sec->page);
	}
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		if (sec->npages > 1)
			qsort(sec->pages, sec->npages, sizeof(*sec->pages), site_page_cmp);
		for (size_t k = 0; k < sec->npages; k++) {
			sec->pages[k]->prev = k > 0 ? sec->pages[k - 1] : NULL;
			sec->pages[k]->next = k + 1 < sec->npages ? sec->pages[k + 1] : NULL;
		}
	}
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		if (sec->nchildren > 1)
			qsort(sec->children, sec->nchildren, sizeof(*sec->children), cmp_section);
	}
	add_aliases(s);
	s->build_epoch = 0;
	for (size_t i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];
		if (p->has_date && p->date.epoch > s->build_epoch)
			s->build_epoch = p->date.epoch;
	}
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long e = strtoll(sde, &end, 10);
		if (*end == '\0')
			s->build_epoch = e;
	}
	strmap_free(&by_dir);
	return s->d->errors > errors ? -1 : 0;
}

void site_finish(struct site *s)
{
	arena *a = s->a;
	size_t n = s->npages;
	for (size_t i = 0; i < n; i++)
		site_page_meta(s, s->pages[i]);
	schema_finish(s);
	taxonomy_finish(s);
	views_finish(s);
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		sec->list = value_list(a);
		for (size_t k = 0; k < sec->npages; k++)
			value_list_push(a, sec->list, sec->pages[k]->meta);
	}
	value *site = s->config->raw;
	value *secs = value_list(a);
	struct section *home = s->sections[0];
	for (size_t i = 0; i < home->nchildren; i++)
		value_list_push(a, secs, section_entry(s, home->children[i]));
	value_map_set(a, site, "sections", secs);
	s->site_value = site;
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		value *subs = value_list(a);
		for (size_t k = 0; k < sec->nchildren; k++)
			value_list_push(a, subs, section_entry(s, sec->children[k]));
		if (!sec->page->extra)
			sec->page->extra = value_map(a);
		value_map_set(a, sec->page->extra, "sections", subs);
		site_paginate(s, sec->page, sec->list);
	}
}
