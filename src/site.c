/*
 * site.c - the index: the global step between parsing and rendering.
 *
 * Page orders, sections, prev/next, aliases and pagination are computed
 * here, once, into the model; view.c turns them into what templates see.
 * Nothing here looks at every page once per page.
 */
#include "site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "buf.h"
#include "paths.h"
#include "slug.h"


value *page_fm(const struct page *p, arena *a)
{
	if (!p->fm_packed)
		return value_at(value_map(a), p->src, 1, 1);
	return value_unpack(a, p->fm_packed, p->src);
}

value *page_fm_get(const struct page *p, arena *a, const char *key)
{
	return p->fm_packed ? value_unpack_get(a, p->fm_packed, p->src, key, strlen(key)) : NULL;
}

void site_add_page(struct site *s, struct page *p)
{
	if (s->npages == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->pages = xrealloc(s->pages, s->cap * sizeof(*s->pages));
	}
	p->pos = s->npages;
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
	case PAGE_ALIAS: buf_printf(b, "an alias of %s", p->alias->redirect); break;
	default: buf_printf(b, "the page %s", p->url); break;
	}
}

/* The place to blame for P's URL: its url: or slug: line, or line 1. */
static void url_place(const struct page *p, unsigned *line, unsigned *col)
{
	arena *tmp = arena_new();
	value *v = page_fm_get(p, tmp, "url");
	if (!v)
		v = page_fm_get(p, tmp, "slug");
	*line = v ? v->line : 1;
	*col = v ? v->col : 1;
	arena_free(tmp);
}

static struct page *numbered_at(struct site *s, const char *path, arena *a);

/* Reports that P and OTHER have one output path. */
static void clash(struct site *s, const struct page *p, const struct page *other)
{
	/* Blame the content file if one of them is one, else the line that
	 * declares an alias. */
	const struct page *blame = p->src ? p : other->src ? other :
				   p->alias ? p : other->alias ? other : NULL;
	const struct page *with = blame == p ? other : p;
	struct buf w = BUF_INIT;
	site_describe(&w, with);
	if (blame && blame->src) {
		unsigned line, col;
		url_place(blame, &line, &col);
		diag_error(s->d, blame->src, line, col, "URL %s is also the URL of %s", blame->url, w.ptr);
	} else if (blame) {
		diag_error(s->d, blame->alias->src, blame->alias->line, blame->alias->col,
			   "alias '%s' is the URL of %s", blame->url, w.ptr);
	} else {
		struct buf a = BUF_INIT;
		site_describe(&a, p);
		diag_error(s->d, s->config->file, 0, 0, "%s and %s both have URL %s", a.ptr, w.ptr, p->url);
		buf_free(&a);
	}
	buf_free(&w);
}

void site_claim(struct site *s, struct page *p)
{
	struct page *other = strmap_put(&s->by_out, p->out_path, p);
	if (other) {
		clash(s, p, other);
	} else if (s->nnumbered) {
		arena *tmp = arena_new();
		other = numbered_at(s, p->out_path, tmp);
		if (other)
			clash(s, p, other);
		arena_free(tmp);
	}
}

/* Output paths that differ only in case or Unicode normalisation would be
 * one file on macOS and Windows: an error naming both sources. */
static void check_folded(struct site *s)
{
	struct strmap seen = STRMAP_INIT;       /* fold key -> source path */
	struct buf key = BUF_INIT, src = BUF_INIT;
	arena *a = arena_new();
	size_t n = s->npages + s->nresources;
	for (size_t i = 0; i < n; i++) {
		const char *out, *file;
		if (i < s->npages) {
			if (!s->pages[i]->src)
				continue;
			out = s->pages[i]->out_path;
			file = s->pages[i]->src;
		} else {
			const struct resource *r = &s->resources[i - s->npages];
			if (!r->out)
				continue;       /* left out with its bundle's page */
			out = r->out;
			buf_reset(&src);
			buf_printf(&src, "%s/%s", s->content_dir, r->rel);
			file = arena_strndup(a, src.ptr, src.len);
		}
		buf_reset(&key);
		slug_fold_key(&key, out, strlen(out));
		const char *k = arena_strndup(a, key.ptr, key.len);
		buf_reset(&src);
		if (i < s->npages)
			buf_puts(&src, s->pages[i]->url);
		else
			buf_printf(&src, "/%s", out);
		const char **first = arena_alloc(a, 3 * sizeof(*first));
		first[0] = file;
		first[1] = out;
		first[2] = arena_strndup(a, src.ptr, src.len);
		const char **other = strmap_put(&seen, k, first);
		if (!other || !strcmp(other[1], out))
			continue;       /* new, or the same path (site_claim reports that) */
		diag_error(s->d, file, 1, 1,
			   "this file's URL %s and the URL %s of %s differ only in case or accents; "
			   "they would be one file on macOS and Windows", first[2], other[2], other[0]);
	}
	strmap_free(&seen);
	buf_free(&key);
	buf_free(&src);
	arena_free(a);
}

bool site_in_place(const struct page *p)
{
	if (!p->src)
		return p->kind == PAGE_SECTION;
	if (!p->fm_packed)
		return true;
	arena *tmp = arena_new();
	bool in_place = !page_fm_get(p, tmp, "url");
	arena_free(tmp);
	return in_place;
}

int site_claim_file(struct site *s, const char *rel, const char *what)
{
	const char *had = strmap_get(&s->files, rel);
	if (had && !strcmp(had, what))
		return 0;
	if (had) {
		diag_error(s->d, s->config->file, 0, 0, "%s and %s are both written at /%s", had, what, rel);
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
	arena *tmp = arena_new();
	struct page *p = site_page_at(s, rel, tmp);
	int rc = p ? -1 : 0;
	if (p) {
		struct buf w = BUF_INIT;
		site_describe(&w, p);
		if (p->src) {
			unsigned line, col;
			url_place(p, &line, &col);
			diag_error(s->d, p->src, line, col, "URL %s is also a file folio writes: %s",
				   p->url, what);
		} else if (p->alias) {
			diag_error(s->d, p->alias->src, p->alias->line, p->alias->col,
				   "alias '%s' is also a file folio writes: %s", p->url, what);
		} else {
			diag_error(s->d, s->config->file, 0, 0, "%s and %s are both written at /%s", w.ptr, what, rel);
		}
		buf_free(&w);
	}
	arena_free(tmp);
	return rc;
}

const char *site_file_owner(const struct site *s, const char *rel)
{
	return strmap_get(&s->files, rel);
}

void site_check_urls(struct site *s)
{
	for (size_t i = 0; i < s->npages; i++)
		site_claim(s, s->pages[i]);
	check_folded(s);
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
	p->title = arena_strdup(s->a, title);
	p->summary = "";
	p->pagenum = 1;
	paths_set_page(s->a, p, path);
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

void site_listing_folder(struct buf *b, const char *s)
{
	const char *slash = strrchr(s, '/');
	const char *last = slash ? slash + 1 : s;
	if (!strcmp(last, "index.html") || !*last) {
		buf_put(b, s, (size_t)(last - s));
		return;
	}
	/* Written as a file of its own: "r.html" -> "r/". */
	const char *dot = strrchr(last, '.');
	buf_put(b, s, dot && dot > last ? (size_t)(dot - s) : strlen(s));
	buf_putc(b, '/');
}

/* "roles/index.html" -> "roles/page/K" into B. */
static void numbered_path(struct buf *b, const char *first_out, unsigned k)
{
	buf_reset(b);
	site_listing_folder(b, first_out);
	buf_printf(b, "page/%u", k);
}

void site_paginate(struct site *s, struct page *first, struct page **pages, size_t n)
{
	size_t per = (size_t)s->config->paginate;
	unsigned total = n ? (unsigned)((n + per - 1) / per) : 1;
	first->pagenum = 1;
	first->list = pages;
	first->nlist = (uint32_t)n;
	first->listing = true;
	first->pagetotal = total;
	if (total < 2)
		return;
	/* The numbered pages are made as they are rendered; what is at
	 * their paths already is an error now, as it would be for a page
	 * kept in the model. */
	struct buf path = BUF_INIT, out = BUF_INIT;
	for (unsigned k = 2; k <= total; k++) {
		numbered_path(&path, first->out_path, k);
		buf_reset(&out);
		buf_printf(&out, "%s/index.html", path.ptr);
		if (!site_page_at(s, out.ptr, NULL))
			continue;
		/* Taken: made again in full (a numbered page of another
		 * listing is described as itself), for the message. */
		arena *tmp = arena_new();
		struct page *other = site_page_at(s, out.ptr, tmp), p;
		site_numbered_page(first, k, tmp, &p);
		clash(s, &p, other);
		arena_free(tmp);
	}
	buf_reset(&path);
	site_listing_folder(&path, first->out_path);
	if (!strmap_get(&s->listings, path.ptr))
		strmap_put(&s->listings, arena_strdup(s->a, path.ptr), first);
	buf_free(&path);
	buf_free(&out);
	s->nnumbered += total - 1;
}

void site_numbered_page(struct page *first, unsigned k, arena *a, struct page *p)
{
	*p = *first;
	p->src = NULL;
	p->rel = "";
	p->pagenum = k;
	p->first = first;
	p->html = NULL;
	p->html_len = 0;
	struct buf path = BUF_INIT;
	numbered_path(&path, first->out_path, k);
	paths_set_page(a, p, path.ptr);
	buf_free(&path);
}

/* The numbered listing page at output path PATH ("tags/x/page/3/
 * index.html"), made in A, or with A NULL the first page of its listing;
 * NULL when there is none. */
static struct page *numbered_at(struct site *s, const char *path, arena *a)
{
	size_t n = strlen(path), tail = strlen("/index.html");
	if (n <= tail || strcmp(path + n - tail, "/index.html"))
		return NULL;
	/* The number: digits, no leading zero, before "/index.html". */
	size_t end = n - tail, at = end;
	while (at > 0 && is_digit(path[at - 1]))
		at--;
	if (at == end || path[at] == '0' || end - at > 9)
		return NULL;
	size_t word = strlen("page/");
	if (at < word || memcmp(path + at - word, "page/", word) ||
	    (at > word && path[at - word - 1] != '/'))
		return NULL;
	unsigned k = (unsigned)strtoul(path + at, NULL, 10);
	struct page *first = strmap_getn(&s->listings, path, at - word);
	if (!first || first->pagenum > 1 || k < 2 || k > first->pagetotal)
		return NULL;
	if (!a)
		return first;
	struct page *p = arena_alloc(a, sizeof(*p));
	site_numbered_page(first, k, a, p);
	return p;
}

struct page *site_page_at(struct site *s, const char *out_path, arena *a)
{
	struct page *p = strmap_get(&s->by_out, out_path);
	return p || !s->nnumbered ? p : numbered_at(s, out_path, a);
}

/* Redirect pages for every aliases: entry; one on a page's path is an
 * error at the alias's line. */
static void add_aliases(struct site *s)
{
	size_t n = s->ncontent;
	arena *tmp = arena_new();
	for (size_t i = 0; i < n; i++) {
		struct page *p = s->pages[i];
		arena_reset(tmp);
		value *list = page_fm_get(p, tmp, "aliases");
		if (!list || list->type != V_LIST)
			continue;
		for (size_t k = 0; k < list->u.list.n; k++) {
			value *it = list->u.list.items[k];
			/* Relative to the folder of the page's file, as Hugo reads
			 * them; '/' starts at the site's root. */
			struct buf path = BUF_INIT;
			if (paths_join(&path, p->src_dir, it->u.str.s, it->u.str.len) < 0) {
				diag_error(s->d, p->src, it->line, it->col,
					   "alias '%s' leads out of the site", it->u.str.s);
				buf_free(&path);
				continue;
			}
			struct page *al = site_new_page(s, PAGE_ALIAS, path.ptr, p->title);
			buf_free(&path);
			al->alias = arena_alloc(s->a, sizeof(*al->alias));
			*al->alias = (struct page_alias){ p->url, p->src, it->line, it->col };
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
	arena_free(tmp);
}

/*
 * A page beside a folder of the same name (docs/setup.md and docs/setup/)
 * is that folder's section page, unless the folder has an _index.md: then
 * the two are an error naming both.
 */
static void adopt_folder_pages(struct site *s, struct strmap *by_dir)
{
	struct strmap owners = STRMAP_INIT;     /* folder -> its _index.md page */
	for (size_t i = 0; i < s->ncontent; i++)
		if (s->pages[i]->kind == PAGE_SECTION)
			strmap_put(&owners, s->pages[i]->dir, s->pages[i]);
	struct buf dir = BUF_INIT;
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		if (p->kind != PAGE_REGULAR || p->bundle)
			continue;
		size_t n = strlen(p->rel);
		size_t ext = n > 3 && !strcmp(p->rel + n - 3, ".md") ? 3 :
			     n > 9 && !strcmp(p->rel + n - 9, ".markdown") ? 9 : 0;
		buf_reset(&dir);
		buf_put(&dir, p->rel, n - ext);
		struct section *sec = strmap_get(by_dir, dir.ptr);
		if (!sec)
			continue;
		struct page *own = strmap_get(&owners, sec->dir);
		if (own) {
			diag_error(s->d, p->src, 1, 1,
				   "this page and %s are both the page of the folder %s/; keep one",
				   own->src, sec->dir);
			continue;
		}
		p->kind = PAGE_SECTION;
		p->dir = sec->dir;
		strmap_put(&owners, sec->dir, p);
	}
	buf_free(&dir);
	strmap_free(&owners);
}

/* Puts section I's pages and subsections in order and links each page to
 * its neighbours: sections apart, on every core. */
static void order_section(void *arg, size_t i, unsigned worker)
{
	struct site *s = arg;
	struct section *sec = s->sections[i];
	(void)worker;
	if (sec->npages > 1)
		qsort(sec->pages, sec->npages, sizeof(*sec->pages), site_page_cmp);
	for (size_t k = 0; k < sec->npages; k++) {
		sec->pages[k]->prev = k > 0 ? sec->pages[k - 1] : NULL;
		sec->pages[k]->next = k + 1 < sec->npages ? sec->pages[k + 1] : NULL;
	}
	if (sec->nchildren > 1)
		qsort(sec->children, sec->nchildren, sizeof(*sec->children), cmp_section);
}

void site_index(struct site *s)
{
	struct strmap by_dir = STRMAP_INIT;

	find_section(s, &by_dir, "");
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		find_section(s, &by_dir, p->dir);
	}
	adopt_folder_pages(s, &by_dir);
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
			struct buf t = BUF_INIT, u = BUF_INIT;
			buf_puts(&t, slash ? slash + 1 : sec->dir);
			if (t.ptr[0] >= 'a' && t.ptr[0] <= 'z')
				t.ptr[0] = (char)(t.ptr[0] - 32);
			if (s->config->lowercase)
				slug_lower(&u, sec->dir, strlen(sec->dir));
			else
				buf_puts(&u, sec->dir);
			sec->page = site_new_page(s, PAGE_SECTION, u.ptr, t.ptr);
			sec->page->dir = sec->dir;
			buf_free(&t);
			buf_free(&u);
		}
		sec->page->own = sec;
		sec->page->section = sec->parent ? sec->parent : sec;
		site_add_page(s, sec->page);
		site_claim(s, sec->page);
	}
	pool_run(s->threads, s->nsections, order_section, s);
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
}

