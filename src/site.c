/*
 * site.c - the index: the global step between parsing and rendering.
 *
 * Everything templates see is computed here, once: page orders, sections,
 * prev/next, pagination and each page's template fields.  Nothing here
 * looks at every page once per page.
 */
#include "site.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "schema.h"
#include "slug.h"
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
		diag_error(s->d, s->config->file, 0, 0, "%s and %s both have URL %s", a.ptr, w.ptr, p->url);
		buf_free(&a);
	}
	buf_free(&w);
	return -1;
}

/* Output paths that differ only in case or Unicode normalisation would be
 * one file on macOS and Windows: an error naming both sources. */
static int check_folded(struct site *s)
{
	struct strmap seen = STRMAP_INIT;       /* fold key -> source path */
	struct buf key = BUF_INIT, src = BUF_INIT;
	arena *a = arena_new();
	int rc = 0;
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
		rc = -1;
	}
	strmap_free(&seen);
	buf_free(&key);
	buf_free(&src);
	arena_free(a);
	return rc;
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
			diag_error(s->d, s->config->file, 0, 0, "%s and %s are both written at /%s", w.ptr, what, rel);
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
	if (check_folded(s) < 0)
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

/* Smart punctuation for plain text (titles and summaries), as the
 * Markdown's smart option gives the body: straight quotes become curly
 * ones, "---" an em dash, "--" an en dash, "..." an ellipsis. */
static const char *smart_text(arena *a, const char *s)
{
	if (!strpbrk(s, "'\"-."))
		return s;
	struct buf b = BUF_INIT;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		char prev = i ? s[i - 1] : ' ', next = s[i + 1];
		/* Opening when a word follows and a space, the start or an
		 * opening mark comes before, as in cmark. */
		bool space_before = prev == ' ' || prev == '\t' || prev == '\n';
		bool mark_before = (unsigned char)prev < 0x80 && ispunct((unsigned char)prev) &&
				   !strchr(".,;:!?%)]}'\"", prev);
		bool opening = next && next != ' ' && next != '\t' && next != '\n' &&
			       (space_before || mark_before);
		if (c == '\'')
			buf_puts(&b, opening ? "\u2018" : "\u2019");
		else if (c == '"')
			buf_puts(&b, opening ? "\u201c" : "\u201d");
		else if (c == '-' && s[i + 1] == '-' && s[i + 2] == '-') {
			buf_puts(&b, "\u2014");
			i += 2;
		} else if (c == '-' && s[i + 1] == '-') {
			buf_puts(&b, "\u2013");
			i += 1;
		} else if (c == '.' && s[i + 1] == '.' && s[i + 2] == '.') {
			buf_puts(&b, "\u2026");
			i += 2;
		} else
			buf_putc(&b, c);
	}
	const char *r = arena_strndup(a, b.ptr, b.len);
	buf_free(&b);
	return r;
}

/* The page's description for search engines: the summary, cut at a word
 * and ended with an ellipsis when it is longer than 160 characters. */
#define DESCRIPTION_MAX 160
const char *site_description(arena *a, const char *summary)
{
	size_t chars = 0, cut = 0, i;
	for (i = 0; summary[i]; i++) {
		if (((unsigned char)summary[i] & 0xC0) == 0x80)
			continue;
		if (summary[i] == ' ' && chars < DESCRIPTION_MAX)
			cut = i;
		chars++;
	}
	if (chars <= DESCRIPTION_MAX || cut == 0)
		return summary;
	while (cut > 0 && strchr(" ,;:.", summary[cut - 1]))
		cut--;
	struct buf b = BUF_INIT;
	buf_printf(&b, "%.*s\u2026", (int)cut, summary);
	const char *r = arena_strndup(a, b.ptr, b.len);
	buf_free(&b);
	return r;
}

/* page.breadcrumbs_jsonld: the breadcrumbs and the page itself as a
 * schema.org BreadcrumbList, safe inside <script>; NULL without crumbs. */
static value *breadcrumbs_jsonld(struct site *s, const value *crumbs, const char *title,
				 const char *permalink)
{
	if (crumbs->u.list.n == 0)
		return NULL;
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
		 "\"itemListElement\":[");
	size_t n = crumbs->u.list.n;
	for (size_t k = 0; k <= n; k++) {
		const char *name = title, *url = NULL;
		if (k < n) {
			name = value_map_str(crumbs->u.list.items[k], "title");
			url = value_map_str(crumbs->u.list.items[k], "url");
		}
		buf_printf(&b, "%s{\"@type\":\"ListItem\",\"position\":%zu,\"name\":\"", k ? "," : "", k + 1);
		buf_put_json(&b, name, strlen(name));
		buf_puts(&b, "\",\"item\":\"");
		if (url) {
			buf_put_json(&b, s->config->base_url, strlen(s->config->base_url));
			buf_put_json(&b, url, strlen(url));
		} else {
			buf_put_json(&b, permalink, strlen(permalink));
		}
		buf_puts(&b, "\"}");
	}
	buf_puts(&b, "]}");
	value *v = value_strn(s->a, b.ptr, b.len);
	buf_free(&b);
	return v;
}

/* Front-matter prose (a string with a space, or a list of them) with
 * smart punctuation, when the site has it on; other values as they are,
 * so URLs, paths and names keep their characters. */
static value *smart_value(struct site *s, value *v)
{
	if (!s->config->smart)
		return v;
	if (v->type == V_STRING && strchr(v->u.str.s, ' ')) {
		const char *t = smart_text(s->a, v->u.str.s);
		return t == v->u.str.s ? v : value_str_ref(s->a, t, strlen(t));
	}
	if (v->type == V_LIST) {
		value *out = NULL;
		for (size_t i = 0; i < v->u.list.n; i++) {
			value *it = smart_value(s, v->u.list.items[i]);
			if (it != v->u.list.items[i] && !out) {
				out = value_list(s->a);
				for (size_t k = 0; k < i; k++)
					value_list_push(s->a, out, v->u.list.items[k]);
			}
			if (out)
				value_list_push(s->a, out, it);
		}
		return out ? out : v;
	}
	return v;
}

/* N with commas between groups of three digits. */
static void group_digits(struct buf *b, long long n)
{
	char digits[32];
	int len = snprintf(digits, sizeof(digits), "%lld", n);
	int start = digits[0] == '-';
	for (int i = 0; i < len; i++) {
		if (i > start && (len - i) % 3 == 0)
			buf_putc(b, ',');
		buf_putc(b, digits[i]);
	}
}

const char *site_summary(struct site *s, const struct page *p)
{
	const char *summary = p->summary ? p->summary : "";
	/* One from the Markdown has its smart punctuation already, and code
	 * spans in it keep their straight quotes. */
	return s->config->smart && p->fm_summary ? smart_text(s->a, summary) : summary;
}

void site_set_summary(struct site *s, value *meta, const char *summary)
{
	set_str(s->a, meta, "summary", summary);
	/* null, not "", without a summary: templates test it as false. */
	if (*summary)
		set_str(s->a, meta, "description", site_description(s->a, summary));
	else
		value_map_set(s->a, meta, "description", value_null(s->a));
}

void site_page_meta(struct site *s, struct page *p)
{
	arena *a = s->a;
	value *m = value_map(a);
	struct buf b = BUF_INIT;
	if (p->fm) {
		for (size_t i = 0; i < p->fm->u.map.n; i++) {
			struct value_pair *kv = &p->fm->u.map.items[i];
			value_map_setn(a, m, kv->key, kv->keylen, smart_value(s, kv->val));
			if (kv->val->type == V_INT) {
				/* page.KEY_grouped: 135980 as "135,980". */
				buf_reset(&b);
				buf_printf(&b, "%.*s_grouped", (int)kv->keylen, kv->key);
				const char *key = arena_strndup(a, b.ptr, b.len);
				buf_reset(&b);
				group_digits(&b, kv->val->u.i);
				value_map_set(a, m, key, value_strn(a, b.ptr, b.len));
			}
		}
	}
	const char *title = p->title ? p->title : "", *summary = site_summary(s, p);
	if (s->config->smart)
		title = smart_text(a, title);
	set_str(a, m, "title", title);
	set_str(a, m, "url", p->url);
	buf_reset(&b);
	buf_printf(&b, "%s%s", s->config->base_url, p->url);
	value *permalink = value_strn(a, b.ptr, b.len);
	value_map_set(a, m, "permalink", permalink);
	site_set_summary(s, m, summary);
	/* description: in front matter (Hugo's, Jekyll's) says it best. */
	value *fd = p->fm ? value_map_get(p->fm, "description") : NULL;
	if (fd && fd->type == V_STRING && fd->u.str.len)
		value_map_set(a, m, "description", smart_value(s, fd));
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
	value *crumbs = breadcrumbs(s, p);
	value_map_set(a, m, "breadcrumbs", crumbs);
	value *crumbs_ld = breadcrumbs_jsonld(s, crumbs, title, permalink->u.str.s);
	if (crumbs_ld)
		value_map_set(a, m, "breadcrumbs_jsonld", crumbs_ld);
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
	value_map_set(a, m, "paged", value_bool(a, total > 1));
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
		value *crumbs = value_map_get(p->meta, "breadcrumbs");
		value *ld = crumbs ? breadcrumbs_jsonld(s, crumbs, value_map_str(p->meta, "title"), b.ptr) : NULL;
		if (ld)
			value_map_set(a, p->meta, "breadcrumbs_jsonld", ld);
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
			/* Relative to the folder of the page's file, as Hugo reads
			 * them; '/' starts at the site's root. */
			struct buf path = BUF_INIT;
			if (!content_join_path(&path, p->src_dir, it->u.str.s, it->u.str.len)) {
				diag_error(s->d, p->src, it->line, it->col,
					   "alias '%s' leads out of the site", it->u.str.s);
				buf_free(&path);
				continue;
			}
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

int site_index(struct site *s)
{
	size_t errors = s->d->errors;
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
		/* A section whose page lists a taxonomy's terms (content/skills/
		 * _index.md as /skills/) shows the terms, so its pages are not
		 * split into numbered pages that would repeat it. */
		if (sec->page->terms_page)
			sec->page->list = sec->list;
		else
			site_paginate(s, sec->page, sec->list);
	}
	/* page.nav: the top-level sections, with the one the page is in marked
	 * current.  One list per section, shared by its pages. */
	size_t nsec = home->nchildren;
	value **navs = xcalloc(nsec + 1, sizeof(*navs));
	for (size_t c = 0; c <= nsec; c++) {
		navs[c] = value_list(a);
		for (size_t k = 0; k < nsec; k++) {
			value *e = value_map(a), *entry = secs->u.list.items[k];
			value_map_set(a, e, "title", value_map_get(entry, "title"));
			value_map_set(a, e, "url", value_map_get(entry, "url"));
			value_map_set(a, e, "name", value_map_get(entry, "name"));
			value_map_set(a, e, "current", value_bool(a, k == c));
			value_list_push(a, navs[c], e);
		}
	}
	for (size_t i = 0; i < s->npages; i++) {
		struct page *p = s->pages[i];
		const char *sec = p->meta ? value_map_str(p->meta, "section") : NULL;
		size_t c = nsec;
		for (size_t k = 0; sec && *sec && k < nsec; k++)
			if (!strcmp(value_map_str(secs->u.list.items[k], "name"), sec))
				c = k;
		if (p->meta)
			value_map_set(a, p->meta, "nav", navs[c]);
	}
	free(navs);
}
