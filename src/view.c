/*
 * view.c - the fields templates see of a page and of the site, computed
 * on lookup.
 *
 * The fields of page.*, in the order a name is looked for (the first
 * that has it answers):
 *   while the page itself is rendered: content, pages, pagination, prev,
 *     next;
 *   the page kind's fields: sections (a section's page), terms and
 *     taxonomy (a taxonomy's page), term and taxonomy (a term's page);
 *   folio's fields: title, url, permalink, summary, description,
 *     date_iso, date_human, date, word_count, reading_time, section,
 *     toc, kind, is_home, is_section, is_page, file, taxonomies,
 *     breadcrumbs, breadcrumbs_jsonld, related, jsonld, nav, and the
 *     schema's KEY (pages named by a pages-type key) and KEY_from;
 *   the front matter's keys, with smart punctuation on prose, and
 *     KEY_grouped for each integer KEY.
 * A few of folio's fields give way to the front matter: description
 * (a non-empty one), date (a string).
 *
 * The fields of site.*: sections, taxonomies, taxonomies_by_count,
 * matrix and groups (views.c makes these two), search; then site.yaml's
 * own keys (title, base_url, language and the site's own).  matrix,
 * groups and search give way to site.yaml's value when the site has none
 * of its own (no matrix: or groups: setting, no search index).
 */
#include "view.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "markdown.h"
#include "mdstage.h"
#include "search.h"
#include "taxonomy.h"
#include "views.h"

/* Sections nest at most as deep as content folders, and more crumbs than
 * this would not help a reader anyway. */
#define VIEW_MAX_CRUMBS 40

enum view_mode {
	MODE_PAGE,      /* obj: struct page */
	MODE_ROOT,      /* obj: struct view_root, the page being rendered */
	MODE_ENTRY,     /* obj: struct section, an entry of page.sections */
	MODE_SITE,      /* obj: struct site, what templates see as site */
};

/* A page that names another in a pages-type key KEY (page.KEY_from). */
struct view_from {
	const char *key;
	struct page *page;
};

struct view_state {
	struct value_view_ops ops;
	struct site *s;
	value **navs;           /* page.nav per top-level section, then for the rest */
	size_t nnav;
	struct view_from **from;        /* per page position: who names it */
	size_t *nfrom;
	size_t nfrom_pages;
	const value *jsonld;    /* site.yaml jsonld: */
	value **term_lists;     /* per taxonomy: its terms' values, by name */
	value *taxonomies;      /* site.taxonomies: {NAME: term_lists[..]} */
	value *by_count;        /* site.taxonomies_by_count */
};

struct view_root {
	struct page *p;
	value *content;
};

static _Thread_local arena *scratch;

/* Fields already looked up while the current page renders: templates ask
 * for the same field again and again (a section and its value, a title in
 * the head and the body), and some are costly (the table of contents is
 * read back from disk, JSON-LD is written out).  A slot is good while its
 * generation is the thread's; view_scratch starts a new one, since the
 * values live in the scratch arena. */
enum { MEMO_SLOTS = 256, MEMO_KEY = 24 };
struct memo {
	unsigned gen;
	unsigned char len;
	char key[MEMO_KEY];
	const struct page *p;
	value *v;
};
static _Thread_local struct memo memo[MEMO_SLOTS];
static _Thread_local unsigned memo_gen = 1;

void view_scratch(arena *a)
{
	scratch = a;
	memo_gen++;
}

static struct memo *memo_slot(const struct page *p, const char *key, size_t len)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 0x100000001B3ULL;
	return &memo[(h >> 40) % MEMO_SLOTS];
}

static struct view_state *state_of(const value *v)
{
	return (struct view_state *)(void *)v->u.view.ops;
}

struct page *view_page_of(const value *v)
{
	if (!v || v->type != V_VIEW)
		return NULL;
	if (v->u.view.mode == MODE_ROOT)
		return ((struct view_root *)v->u.view.obj)->p;
	if (v->u.view.mode == MODE_ENTRY)
		return ((struct section *)v->u.view.obj)->page;
	if (v->u.view.mode == MODE_SITE)
		return NULL;
	return v->u.view.obj;
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
const char *view_description(arena *a, const char *summary)
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

const char *view_summary(struct site *s, arena *a, const struct page *p)
{
	const char *summary = mdstage_summary(s, p, a);
	/* One from the Markdown has its smart punctuation already, and code
	 * spans in it keep their straight quotes. */
	return s->config->smart && p->fm_summary ? smart_text(a, summary) : summary;
}

/* Front-matter prose (a string with a space, or a list of them) with
 * smart punctuation, when the site has it on; other values as they are,
 * so URLs, paths and names keep their characters. */
static value *smart_value(struct site *s, arena *a, value *v)
{
	if (!s->config->smart)
		return v;
	if (v->type == V_STRING && strchr(v->u.str.s, ' ')) {
		const char *t = smart_text(a, v->u.str.s);
		return t == v->u.str.s ? v : value_str_ref(a, t, strlen(t));
	}
	if (v->type == V_LIST) {
		value *out = NULL;
		for (size_t i = 0; i < v->u.list.n; i++) {
			value *it = smart_value(s, a, v->u.list.items[i]);
			if (it != v->u.list.items[i] && !out) {
				out = value_list(a);
				for (size_t k = 0; k < i; k++)
					value_list_push(a, out, v->u.list.items[k]);
			}
			if (out)
				value_list_push(a, out, it);
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

static value *str_value(arena *a, const char *s)
{
	return value_str_ref(a, s, strlen(s));
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

/* The pages from the home page down to P's parent. */
static size_t crumb_chain(struct site *s, const struct page *p, const struct page **chain)
{
	size_t n = 0;
	const struct section *sec = NULL;
	if (p->kind == PAGE_REGULAR)
		sec = p->section;
	else if (p->own)
		sec = p->own->parent;
	for (; sec && n < VIEW_MAX_CRUMBS; sec = sec->parent)
		chain[n++] = sec->page;
	if (!p->src && (p->kind == PAGE_TERM || p->kind == PAGE_TERMS)) {
		if (p->kind == PAGE_TERM)
			chain[n++] = s->taxonomies[p->tax].page;
		chain[n++] = s->sections[0]->page;
	}
	return n;
}

/* page.breadcrumbs: the chain as {title, url}, from the home page down. */
static value *breadcrumbs(struct site *s, const struct page *p, arena *a)
{
	const struct page *chain[VIEW_MAX_CRUMBS + 2];
	size_t n = crumb_chain(s, p, chain);
	value *list = value_list(a);
	while (n > 0) {
		const struct page *c = chain[--n];
		value *m = value_map(a);
		value_map_set(a, m, "title", str_value(a, c->title ? c->title : ""));
		value_map_set(a, m, "url", str_value(a, c->url));
		value_list_push(a, list, m);
	}
	return list;
}

static const char *page_title(struct site *s, const struct page *p, arena *a)
{
	const char *title = p->title ? p->title : "";
	return s->config->smart ? smart_text(a, title) : title;
}

static void put_permalink(struct buf *b, struct site *s, const struct page *p)
{
	buf_puts(b, s->config->base_url);
	buf_puts(b, p->url);
}

/* page.breadcrumbs_jsonld: the breadcrumbs and the page itself as a
 * schema.org BreadcrumbList, safe inside <script>; NULL without crumbs.
 * P's crumbs (FROM: the first of a numbered listing) and URL. */
static value *breadcrumbs_jsonld(struct site *s, const struct page *from, const struct page *p,
				 arena *a)
{
	const struct page *chain[VIEW_MAX_CRUMBS + 2];
	size_t n = crumb_chain(s, from, chain);
	if (n == 0)
		return NULL;
	struct buf b = BUF_INIT, link = BUF_INIT;
	const char *title = page_title(s, from, a);
	put_permalink(&link, s, p);
	buf_puts(&b, "{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\","
		 "\"itemListElement\":[");
	for (size_t k = 0; k <= n; k++) {
		const struct page *c = k < n ? chain[n - 1 - k] : NULL;
		const char *name = c ? (c->title ? c->title : "") : title;
		if (k)
			buf_putc(&b, ',');
		buf_puts(&b, "{\"@type\":\"ListItem\",\"position\":");
		buf_put_uint(&b, k + 1);
		buf_puts(&b, ",\"name\":\"");
		buf_put_json(&b, name, strlen(name));
		buf_puts(&b, "\",\"item\":\"");
		if (c) {
			buf_put_json(&b, s->config->base_url, strlen(s->config->base_url));
			buf_put_json(&b, c->url, strlen(c->url));
		} else {
			buf_put_json(&b, link.ptr, link.len);
		}
		buf_puts(&b, "\"}");
	}
	buf_puts(&b, "]}");
	value *v = value_strn(a, b.ptr, b.len);
	buf_free(&b);
	buf_free(&link);
	return v;
}

/* page.taxonomies: {NAME: [{name, slug, url}...]} in the order the page
 * lists them; NULL for a page without terms. */
static value *taxonomies(struct site *s, const struct page *p, arena *a)
{
	if (!p->nterms)
		return NULL;
	value *m = value_map(a);
	for (size_t k = 0; k < p->nterms; k++) {
		const char *name = s->config->tax[p->terms[k]->tax].name;
		value *list = value_map_get(m, name);
		if (!list) {
			list = value_list(a);
			value_map_set(a, m, name, list);
		}
		value_list_push(a, list, p->terms[k]->link);
	}
	return m;
}

/* "roles/data" -> "roles" */
static value *top_section(arena *a, const char *dir)
{
	return value_str_ref(a, dir, strcspn(dir, "/"));
}

/* page.related: pages named by a pages-type related: key first, then the
 * computed ones, up to the limit; NULL when there are none. */
static value *related(struct site *s, const struct page *p, arena *a)
{
	const struct page_refs *given = NULL;
	for (size_t k = 0; k < p->nrefs; k++)
		if (!strcmp(p->refs[k].key, "related"))
			given = &p->refs[k];
	if (!p->nrelated && !given)
		return NULL;
	size_t limit = (size_t)s->config->related_limit;
	value *list = value_list(a);
	size_t n = 0;
	for (size_t k = 0; given && k < given->n; k++, n++)
		value_list_push(a, list, given->pages[k]->meta);
	for (size_t k = 0; k < p->nrelated && n < limit; k++) {
		bool dup = false;
		for (size_t j = 0; given && j < given->n && !dup; j++)
			dup = given->pages[j] == p->related[k];
		if (!dup) {
			value_list_push(a, list, p->related[k]->meta);
			n++;
		}
	}
	return list;
}

static value *nav(struct view_state *st, const struct page *p)
{
	struct site *s = st->s;
	struct section *home = s->sections[0];
	const char *dir = p->dir ? p->dir : "";
	size_t top = strcspn(dir, "/"), c = st->nnav - 1;
	for (size_t k = 0; top && k + 1 < st->nnav; k++) {
		const char *name = home->children[k]->dir;
		if (strlen(name) == top && !memcmp(name, dir, top))
			c = k;
	}
	return st->navs[c];
}

static bool is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && !memcmp(key, name, len);
}

/* page.KEY for a pages-type KEY, or page.KEY_from: the pages named. */
static value *refs(struct view_state *st, const struct page *p, const char *key, size_t len,
		   arena *a)
{
	for (size_t k = 0; k < p->nrefs; k++) {
		const struct page_refs *r = &p->refs[k];
		if (!is(key, len, r->key))
			continue;
		value *list = value_list(a);
		for (size_t j = 0; j < r->n; j++)
			value_list_push(a, list, r->pages[j]->meta);
		return list;
	}
	size_t suffix = sizeof("_from") - 1;
	if (len <= suffix || memcmp(key + len - suffix, "_from", suffix) || !p->src ||
	    p->pos >= st->nfrom_pages)
		return NULL;
	value *list = NULL;
	for (size_t k = 0; k < st->nfrom[p->pos]; k++) {
		const struct view_from *f = &st->from[p->pos][k];
		if (strlen(f->key) != len - suffix || memcmp(f->key, key, len - suffix))
			continue;
		if (!list)
			list = value_list(a);
		value_list_push(a, list, f->page->meta);
	}
	return list;
}

/* A field folio computes; NULL when P has no such field (the front
 * matter may then have it).  P is the page the field comes from, SELF
 * the page at hand (they differ for a numbered listing page). */
static value *computed(struct view_state *st, const struct page *p, const struct page *self,
		       const char *key, size_t len, arena *a)
{
	struct site *s = st->s;
	struct buf b = BUF_INIT;
	value *v = NULL;
	if (is(key, len, "title")) {
		v = str_value(a, page_title(s, p, a));
	} else if (is(key, len, "url")) {
		v = str_value(a, self->url);
	} else if (is(key, len, "permalink")) {
		put_permalink(&b, s, self);
		v = value_strn(a, b.ptr, b.len);
	} else if (is(key, len, "summary")) {
		v = str_value(a, view_summary(s, a, p));
	} else if (is(key, len, "description")) {
		const value *fd = page_fm_get(p, a, "description");
		const char *sum = view_summary(s, a, p);
		if (fd && fd->type == V_STRING && fd->u.str.len)
			v = smart_value(s, a, (value *)fd);
		else
			v = *sum ? str_value(a, view_description(a, sum)) : value_null(a);
	} else if (p->has_date && is(key, len, "date_iso")) {
		date_iso(&p->date, &b);
		v = value_strn(a, b.ptr, b.len);
	} else if (p->has_date && is(key, len, "date_human")) {
		date_human(&p->date, &b);
		v = value_strn(a, b.ptr, b.len);
	} else if (p->has_date && is(key, len, "date")) {
		const value *fd = page_fm_get(p, a, "date");
		if (!fd || fd->type != V_STRING) {
			date_ymd(&p->date, &b);
			v = value_strn(a, b.ptr, b.len);
		}
	} else if (is(key, len, "word_count")) {
		v = value_int(a, p->word_count);
	} else if (is(key, len, "reading_time")) {
		v = value_int(a, p->word_count ? (p->word_count + 199) / 200 : 0);
	} else if (is(key, len, "section")) {
		v = top_section(a, p->dir ? p->dir : "");
	} else if (is(key, len, "toc")) {
		const struct toc_item *toc = mdstage_toc(s, p, a);
		v = markdown_toc(a, toc, toc ? p->ntoc : 0);
	} else if (is(key, len, "kind")) {
		v = str_value(a, kind_name(p->kind));
	} else if (is(key, len, "is_home")) {
		v = value_bool(a, p->kind == PAGE_HOME);
	} else if (is(key, len, "is_section")) {
		v = value_bool(a, p->kind == PAGE_SECTION || p->kind == PAGE_HOME);
	} else if (is(key, len, "is_page")) {
		v = value_bool(a, p->kind == PAGE_REGULAR);
	} else if (is(key, len, "file")) {
		if (p->rel && *p->rel)
			v = str_value(a, p->rel);
	} else if (is(key, len, "taxonomies")) {
		v = taxonomies(s, p, a);
	} else if (is(key, len, "breadcrumbs")) {
		v = breadcrumbs(s, p, a);
	} else if (is(key, len, "breadcrumbs_jsonld")) {
		v = breadcrumbs_jsonld(s, p, self, a);
	} else if (is(key, len, "related")) {
		v = related(s, p, a);
	} else if (is(key, len, "jsonld")) {
		const value *spec = p->kind == PAGE_REGULAR && p->src && st->jsonld
				    ? value_map_get(st->jsonld, p->top) : NULL;
		if (spec) {
			views_page_jsonld(&b, spec, p->meta);
			v = value_strn(a, b.ptr, b.len);
		}
	} else if (is(key, len, "nav")) {
		v = nav(st, p);
	} else {
		v = refs(st, p, key, len, a);
	}
	buf_free(&b);
	return v;
}

/* A key of the front matter, or KEY_grouped for an integer KEY. */
static value *front_matter(struct site *s, const struct page *p, const char *key, size_t len,
			   arena *a)
{
	if (!p->fm_packed)
		return NULL;
	value *v = value_unpack_get(a, p->fm_packed, p->src, key, len);
	if (v)
		return smart_value(s, a, v);
	size_t suffix = sizeof("_grouped") - 1;
	if (len <= suffix || memcmp(key + len - suffix, "_grouped", suffix))
		return NULL;
	v = value_unpack_get(a, p->fm_packed, p->src, key, len - suffix);
	if (!v || v->type != V_INT)
		return NULL;
	struct buf b = BUF_INIT;
	group_digits(&b, v->u.i);
	value *g = value_strn(a, b.ptr, b.len);
	buf_free(&b);
	return g;
}

static value *new_view(struct view_state *st, arena *a, enum view_mode mode, void *obj);

/* The entries (site.sections, page.sections) of SEC's subsections. */
static value *section_entries(struct view_state *st, const struct section *sec, arena *a)
{
	value **items = arena_alloc(a, (sec->nchildren ? sec->nchildren : 1) * sizeof(*items));
	for (size_t k = 0; k < sec->nchildren; k++)
		items[k] = new_view(st, a, MODE_ENTRY, sec->children[k]);
	return value_list_view(a, items, sec->nchildren);
}

/* The taxonomy whose page (/NAME/) P is, or NULL. */
static const struct taxonomy *terms_page_of(const struct site *s, const struct page *p)
{
	if (!p->terms_page || !s->taxonomies || p->tax >= s->config->ntax)
		return NULL;
	return s->taxonomies[p->tax].page == p ? &s->taxonomies[p->tax] : NULL;
}

/* The fields of P's kind: page.sections of a section's page, page.terms
 * of a taxonomy's page, page.term of a term's page, and page.taxonomy of
 * both; NULL when P has no such field. */
static value *kind_field(struct view_state *st, const struct page *p, const char *key,
			 size_t len, arena *a)
{
	struct site *s = st->s;
	const struct taxonomy *tx = terms_page_of(s, p);
	const struct term *t = p->term && p->term->page == p ? p->term : NULL;
	if (p->own && p->own->page == p && is(key, len, "sections"))
		return section_entries(st, p->own, a);
	if (tx && is(key, len, "terms"))
		return st->term_lists[p->tax];
	if (t && is(key, len, "term"))
		return t->entry;
	if ((tx || t) && is(key, len, "taxonomy"))
		return str_value(a, s->config->tax[tx ? p->tax : t->tax].name);
	return NULL;
}

static value *page_field(struct view_state *st, const struct page *self, const char *key,
			 size_t len)
{
	arena *a = scratch ? scratch : st->s->a;
	/* Only while a page renders (in a worker's scratch arena): lookups
	 * in s->a come between stages that still change pages. */
	struct memo *m = NULL;
	if (scratch && scratch != st->s->a && len <= MEMO_KEY) {
		m = memo_slot(self, key, len);
		if (m->gen == memo_gen && m->p == self && m->len == len && !memcmp(m->key, key, len))
			return m->v;
	}
	/* A numbered listing page shows its first page's fields, but for
	 * its own URL. */
	const struct page *p = self->first && self->pagenum > 1 ? self->first : self;
	value *v = kind_field(st, p, key, len, a);
	if (!v)
		v = computed(st, p, self, key, len, a);
	if (!v)
		v = front_matter(st->s, p, key, len, a);
	if (m) {
		m->gen = memo_gen;
		m->p = self;
		m->len = (unsigned char)len;
		memcpy(m->key, key, len);
		m->v = v;
	}
	return v;
}

/* page.pagination of listing page P: {number, total, paged, prev_url,
 * next_url, first_url, last_url}. */
static value *pagination(const struct page *p, arena *a)
{
	const struct page *first = p->first && p->pagenum > 1 ? p->first : p;
	unsigned k = p->pagenum ? p->pagenum : 1, total = p->pagetotal;
	value *m = value_map(a);
	struct buf b = BUF_INIT;
	value_map_set(a, m, "number", value_int(a, k));
	value_map_set(a, m, "total", value_int(a, total));
	value_map_set(a, m, "paged", value_bool(a, total > 1));
#define PAGE_URL(n) do { buf_reset(&b); \
		if ((n) == 1) buf_puts(&b, first->url); \
		else { site_listing_folder(&b, first->url); buf_printf(&b, "page/%u/", (n)); } \
	} while (0)
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

/* A list of the views of PAGES[0..N), allocated once at its size. */
static value *view_pages(arena *a, struct page *const *pages, size_t n)
{
	value **items = arena_alloc(a, (n ? n : 1) * sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = pages[i]->meta;
	return value_list_view(a, items, n);
}

/* page.pages of listing page P: the part of its listing page number
 * p->pagenum shows when the listing is split into pages (pagetotal),
 * or the whole listing. */
static value *listing(const struct site *s, const struct page *p, arena *a)
{
	size_t n = p->nlist, per = (size_t)s->config->paginate;
	if (!p->pagetotal)
		return view_pages(a, p->list, n);
	size_t from = (size_t)((p->pagenum ? p->pagenum : 1) - 1) * per;
	if (from > n)
		from = n;
	return view_pages(a, p->list + from, n - from < per ? n - from : per);
}

static value *root_field(struct view_state *st, const struct view_root *r, const char *key,
			 size_t len)
{
	const struct page *p = r->p;
	if (is(key, len, "content"))
		return r->content;
	if (p->listing && is(key, len, "pages"))
		return listing(st->s, p, scratch ? scratch : st->s->a);
	if (p->pagetotal && is(key, len, "pagination"))
		return pagination(p, scratch ? scratch : st->s->a);
	if (p->prev && is(key, len, "prev"))
		return p->prev->meta;
	if (p->next && is(key, len, "next"))
		return p->next->meta;
	return page_field(st, p, key, len);
}

static value *entry_field(struct view_state *st, const struct section *sec, const char *key,
			  size_t len)
{
	arena *a = scratch ? scratch : st->s->a;
	const struct page *p = sec->page;
	if (is(key, len, "name")) {
		const char *slash = strrchr(sec->dir, '/');
		return str_value(a, slash ? slash + 1 : sec->dir);
	}
	if (is(key, len, "title"))
		return str_value(a, p->title ? p->title : "");
	if (is(key, len, "url"))
		return str_value(a, p->url);
	if (is(key, len, "summary"))
		return str_value(a, view_summary(st->s, a, p));
	if (is(key, len, "count"))
		return value_int(a, (long long)sec->npages);
	if (is(key, len, "page"))
		return p->meta;
	return NULL;
}

/* site.search: {url, root} once the search index is laid out. */
static value *search_field(struct site *s, arena *a)
{
	const char *root = search_root(s);
	if (!root)
		return NULL;
	value *m = value_map(a);
	struct buf b = BUF_INIT;
	buf_printf(&b, "/search/%s", root);
	value_map_set(a, m, "url", str_value(a, "/search/"));
	value_map_set(a, m, "root", value_strn(a, b.ptr, b.len));
	buf_free(&b);
	return m;
}

/* A field of site.*: folio's, then site.yaml's. */
static value *site_field(struct view_state *st, const char *key, size_t len)
{
	struct site *s = st->s;
	arena *a = scratch ? scratch : s->a;
	value *v = NULL;
	if (is(key, len, "sections"))
		v = section_entries(st, s->sections[0], a);
	else if (is(key, len, "taxonomies"))
		v = st->taxonomies;
	else if (is(key, len, "taxonomies_by_count"))
		v = st->by_count;
	else if (is(key, len, "matrix"))
		v = views_matrix(s, a);
	else if (is(key, len, "groups"))
		v = views_groups(s, a);
	else if (is(key, len, "search"))
		v = search_field(s, a);
	return v ? v : value_map_getn(s->config->raw, key, len);
}

static value *view_get(const value *self, const char *key, size_t len)
{
	struct view_state *st = state_of(self);
	switch ((enum view_mode)self->u.view.mode) {
	case MODE_ROOT: return root_field(st, self->u.view.obj, key, len);
	case MODE_ENTRY: return entry_field(st, self->u.view.obj, key, len);
	case MODE_SITE: return site_field(st, key, len);
	case MODE_PAGE: break;
	}
	return page_field(st, self->u.view.obj, key, len);
}

/* Every name folio computes, for view_names. */
static const char *const field_names[] = {
	"title", "url", "permalink", "summary", "description", "date_iso", "date_human",
	"date", "word_count", "reading_time", "section", "toc", "kind", "is_home",
	"is_section", "is_page", "file", "taxonomies", "breadcrumbs", "breadcrumbs_jsonld",
	"related", "jsonld", "nav",
};

struct fm_names {
	void (*fn)(void *arg, const char *key, size_t len);
	void *arg;
};

/* A front-matter key, and KEY_grouped for an integer. */
static void fm_name(void *arg, const char *key, size_t len, enum value_type type)
{
	struct fm_names *f = arg;
	f->fn(f->arg, key, len);
	if (type == V_INT) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%.*s_grouped", (int)len, key);
		f->fn(f->arg, b.ptr, b.len);
		buf_free(&b);
	}
}

/* The names of site.*: folio's fields it has, then site.yaml's keys. */
static void site_names(struct view_state *st, void (*fn)(void *arg, const char *key, size_t len),
		       void *arg)
{
	static const char *const names[] = {
		"sections", "taxonomies", "taxonomies_by_count", "matrix", "groups", "search",
	};
	const value *raw = st->s->config->raw;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (i < 3 || site_field(st, names[i], strlen(names[i])) != value_map_get(raw, names[i]))
			fn(arg, names[i], strlen(names[i]));
	for (size_t i = 0; i < raw->u.map.n; i++)
		fn(arg, raw->u.map.items[i].key, raw->u.map.items[i].keylen);
}

static void view_names(const value *self, void (*fn)(void *arg, const char *key, size_t len),
		       void *arg)
{
	struct view_state *st = state_of(self);
	if (self->u.view.mode == MODE_ENTRY) {
		static const char *const entry[] = { "name", "title", "url", "summary", "count", "page" };
		for (size_t i = 0; i < sizeof entry / sizeof *entry; i++)
			fn(arg, entry[i], strlen(entry[i]));
		return;
	}
	if (self->u.view.mode == MODE_SITE) {
		site_names(st, fn, arg);
		return;
	}
	const struct page *p = view_page_of(self);
	static const char *const kind[] = { "sections", "terms", "term", "taxonomy" };
	arena *a = scratch ? scratch : st->s->a;
	for (size_t i = 0; i < sizeof kind / sizeof *kind; i++)
		if (kind_field(st, p, kind[i], strlen(kind[i]), a))
			fn(arg, kind[i], strlen(kind[i]));
	for (size_t i = 0; i < sizeof field_names / sizeof *field_names; i++)
		fn(arg, field_names[i], strlen(field_names[i]));
	if (p->fm_packed) {
		struct fm_names fa = { fn, arg };
		value_unpack_keys(p->fm_packed, fm_name, &fa);
	}
	for (size_t k = 0; k < p->nrefs; k++)
		fn(arg, p->refs[k].key, strlen(p->refs[k].key));
	for (size_t k = 0; p->src && p->pos < st->nfrom_pages && k < st->nfrom[p->pos]; k++) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s_from", st->from[p->pos][k].key);
		fn(arg, b.ptr, b.len);
		buf_free(&b);
	}
}

static value *new_view(struct view_state *st, arena *a, enum view_mode mode, void *obj)
{
	value *v = value_new(a, V_VIEW);
	v->u.view.ops = &st->ops;
	v->u.view.obj = obj;
	v->u.view.mode = mode;
	return v;
}

value *view_render_root(struct site *s, struct page *p, const char *content, size_t len,
			arena *a)
{
	struct view_root *r = arena_alloc(a, sizeof(*r));
	r->p = p;
	r->content = value_str_ref(a, content ? content : "", content ? len : 0);
	return new_view(s->view, a, MODE_ROOT, r);
}

/* page.nav: the top-level sections, with the one the page is in marked
 * current.  One list per section, shared by its pages; the last for
 * pages in none. */
static void make_navs(struct site *s, struct view_state *st)
{
	arena *a = s->a;
	struct section *home = s->sections[0];
	size_t nsec = home->nchildren;
	st->nnav = nsec + 1;
	st->navs = arena_alloc(a, st->nnav * sizeof(*st->navs));
	for (size_t c = 0; c <= nsec; c++) {
		st->navs[c] = value_list(a);
		for (size_t k = 0; k < nsec; k++) {
			struct section *sec = home->children[k];
			const char *slash = strrchr(sec->dir, '/');
			value *e = value_map(a);
			value_map_set(a, e, "title", str_value(a, sec->page->title ? sec->page->title : ""));
			value_map_set(a, e, "url", str_value(a, sec->page->url));
			value_map_set(a, e, "name", str_value(a, slash ? slash + 1 : sec->dir));
			value_map_set(a, e, "current", value_bool(a, k == c));
			value_list_push(a, st->navs[c], e);
		}
	}
}

/* page.KEY_from: for each page, the pages whose KEY names it, in page
 * order. */
static void make_from(struct site *s, struct view_state *st)
{
	st->nfrom_pages = s->ncontent;
	st->from = arena_zalloc(s->a, (s->ncontent + 1) * sizeof(*st->from));
	st->nfrom = arena_zalloc(s->a, (s->ncontent + 1) * sizeof(*st->nfrom));
	size_t *cap = xcalloc(s->ncontent + 1, sizeof(*cap));
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		for (size_t k = 0; k < p->nrefs; k++) {
			for (size_t j = 0; j < p->refs[k].n; j++) {
				struct page *t = p->refs[k].pages[j];
				size_t at = t->pos;
				if (!t->src || at >= s->ncontent)
					continue;
				if (st->nfrom[at] == cap[at]) {
					cap[at] = cap[at] ? 2 * cap[at] : 4;
					st->from[at] = xrealloc(st->from[at], cap[at] * sizeof(**st->from));
				}
				st->from[at][st->nfrom[at]++] = (struct view_from){ p->refs[k].key, p };
			}
		}
	}
	free(cap);
}

/* The value of term T: {name, slug, url}, and its count WITH_COUNT. */
static value *term_value(arena *a, const struct term *t, bool with_count)
{
	value *m = value_map(a);
	value_map_set(a, m, "name", str_value(a, t->name));
	value_map_set(a, m, "slug", str_value(a, t->slug));
	value_map_set(a, m, "url", str_value(a, t->url));
	if (with_count)
		value_map_set(a, m, "count", value_int(a, (long long)t->npages));
	return m;
}

/* The terms' values (t->entry, t->link) and the lists of them that
 * page.terms, site.taxonomies and site.taxonomies_by_count show: terms
 * change only with a whole build, so these are made once. */
static void make_terms(struct site *s, struct view_state *st)
{
	arena *a = s->a;
	size_t ntax = s->config->ntax;
	st->term_lists = arena_zalloc(a, (ntax ? ntax : 1) * sizeof(*st->term_lists));
	st->taxonomies = value_map(a);
	st->by_count = value_map(a);
	for (size_t ti = 0; ti < ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		size_t n = tx->nterms;
		value **names = arena_alloc(a, (n ? n : 1) * sizeof(*names));
		value **counts = arena_alloc(a, (n ? n : 1) * sizeof(*counts));
		for (size_t k = 0; k < n; k++) {
			struct term *t = tx->terms[k];
			t->link = term_value(a, t, false);
			t->entry = term_value(a, t, true);
			names[k] = t->entry;
		}
		for (size_t k = 0; k < n; k++)
			counts[k] = tx->by_count[k]->entry;
		st->term_lists[ti] = value_list_view(a, names, n);
		value_map_set(a, st->taxonomies, tx->conf->name, st->term_lists[ti]);
		value_map_set(a, st->by_count, tx->conf->name, value_list_view(a, counts, n));
	}
}

void view_begin(struct site *s)
{
	struct view_state *st = arena_zalloc(s->a, sizeof(*st));
	st->ops.get = view_get;
	st->ops.names = view_names;
	st->s = s;
	s->view = st;
	view_scratch(s->a);
	for (size_t i = 0; i < s->npages; i++) {
		s->pages[i]->pos = i;
		s->pages[i]->meta = new_view(st, s->a, MODE_PAGE, s->pages[i]);
	}
	const value *j = value_map_get(s->config->raw, "jsonld");
	st->jsonld = j && j->type == V_MAP ? j : NULL;
	make_navs(s, st);
	make_from(s, st);
	make_terms(s, st);
	s->site_value = new_view(st, s->a, MODE_SITE, s);
}

bool view_page_shows(const struct page *x, const struct page *p)
{
	if (x->prev == p || x->next == p)
		return true;
	/* page.pages */
	for (size_t k = 0; x->listing && k < x->nlist; k++)
		if (x->list[k] == p)
			return true;
	/* page.sections: the subsections' pages */
	if (x->own && x->own->page == x && p->own && p->own->page == p && p->own->parent == x->own)
		return true;
	/* page.related, page.KEY (a pages-type key), page.KEY_from */
	for (size_t k = 0; k < x->nrelated; k++)
		if (x->related[k] == p)
			return true;
	for (size_t k = 0; k < x->nrefs; k++)
		for (size_t j = 0; j < x->refs[k].n; j++)
			if (x->refs[k].pages[j] == p)
				return true;
	for (size_t k = 0; k < p->nrefs; k++)
		for (size_t j = 0; j < p->refs[k].n; j++)
			if (p->refs[k].pages[j] == x)
				return true;
	return false;
}

bool view_site_shows(struct site *s, const struct page *p)
{
	/* site.sections: the top-level sections' pages */
	if (p->own && p->own->page == p && p->own->parent == s->sections[0])
		return true;
	return views_shows(s, p);
}

void view_end(struct site *s)
{
	struct view_state *st = s->view;
	if (!st)
		return;
	for (size_t i = 0; i < st->nfrom_pages; i++)
		free(st->from[i]);
	s->view = NULL;
}
