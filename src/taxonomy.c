/*
 * taxonomy.c - terms, term pages and related pages.
 *
 * Related pages are found through shared terms, never by comparing every
 * page with every other: for each of a page's terms, only a window of
 * RELATED_WINDOW pages around the page in that term's list is scored, so
 * the work grows with pages x terms per page, whatever the site's size.
 * On sites where no term has more pages than the window, this is exact.
 */
#include "taxonomy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pool.h"
#include "slug.h"
#include "strmap.h"
#include "view.h"

#define RELATED_WINDOW 256

struct spelling {
	const char *name;
	const char *file;       /* where it was first seen */
	unsigned line, col;
	struct page **pages;
	size_t n, cap;
};

/* A page's use of a term, in the order written. */
struct use {
	struct page *page;
	struct term *term;
	size_t tax;
	size_t seq;             /* order of arrival, for a stable sort */
};

static int cmp_use(const void *pa, const void *pb)
{
	const struct use *a = pa, *b = pb;
	if (a->page->pos != b->page->pos)
		return a->page->pos < b->page->pos ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void push_page(struct page ***arr, size_t *n, size_t *cap, struct page *p)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 4;
		*arr = xrealloc(*arr, *cap * sizeof(**arr));
	}
	(*arr)[(*n)++] = p;
}

static int cmp_name(const char *a, const char *b)
{
	for (const char *x = a, *y = b;; x++, y++) {
		int cx = to_lower((unsigned char)*x), cy = to_lower((unsigned char)*y);
		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (!*x)
			break;
	}
	return strcmp(a, b);
}

static int cmp_term_name(const void *pa, const void *pb)
{
	const struct term *a = *(struct term *const *)pa, *b = *(struct term *const *)pb;
	int c = cmp_name(a->name, b->name);
	return c ? c : strcmp(a->slug, b->slug);
}

static int cmp_term_count(const void *pa, const void *pb)
{
	const struct term *a = *(struct term *const *)pa, *b = *(struct term *const *)pb;
	if (a->npages != b->npages)
		return a->npages > b->npages ? -1 : 1;
	return cmp_term_name(pa, pb);
}

/* Picks the spelling most pages use (ties: the first in sorted order) and
 * warns about the others, naming the files. */
static void choose_name(struct site *s, const struct taxonomy_conf *tc, struct term *t)
{
	struct spelling *best = &t->spellings[0];
	for (size_t i = 1; i < t->nspellings; i++) {
		struct spelling *sp = &t->spellings[i];
		if (sp->n > best->n || (sp->n == best->n && strcmp(sp->name, best->name) < 0))
			best = sp;
	}
	t->name = best->name;
	if (t->nspellings < 2)
		return;
	for (size_t i = 0; i < t->nspellings; i++) {
		struct spelling *sp = &t->spellings[i];
		if (sp == best)
			continue;
		struct buf files = BUF_INIT, others = BUF_INIT;
		for (size_t k = 0; k < sp->n && k < 3; k++)
			buf_printf(&files, "%s%s", k ? ", " : "", sp->pages[k]->rel);
		if (sp->n > 3)
			buf_printf(&files, " and %zu more", sp->n - 3);
		for (size_t k = 0; k < best->n && k < 3; k++)
			buf_printf(&others, "%s%s", k ? ", " : "", best->pages[k]->rel);
		if (best->n > 3)
			buf_printf(&others, " and %zu more", best->n - 3);
		diag_warning(s->d, sp->file, sp->line, sp->col,
			     "%s term '%s' is written '%s' in %s but '%s' in %s; using '%s'",
			     tc->name, t->slug, sp->name, files.ptr, best->name, others.ptr, best->name);
		buf_free(&files);
		buf_free(&others);
	}
}

static value *term_value(arena *a, struct term *t, bool with_count)
{
	value *m = value_map(a);
	value_map_set(a, m, "name", value_str_ref(a, t->name, strlen(t->name)));
	value_map_set(a, m, "slug", value_str_ref(a, t->slug, strlen(t->slug)));
	value_map_set(a, m, "url", value_str_ref(a, t->url, strlen(t->url)));
	if (with_count)
		value_map_set(a, m, "count", value_int(a, (long long)t->npages));
	return m;
}

/* Where P stands in T's sorted page list. */
static size_t position_in(struct term *t, struct page *p)
{
	size_t lo = 0, hi = t->npages;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = site_page_cmp(&t->pages[mid], &p);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct related_job {
	struct site *s;
	const struct use *uses;
	size_t *starts;         /* where each page's uses begin; one more at the end */
	double **score;         /* per worker: score by page position */
	struct page ***touched; /* per worker: the pages scored */
};

/* Scores the pages sharing a term with P (its uses U[0..N)), by the
 * terms' rarity, and keeps the best related_limit in p->related. */
static void related_one(void *arg, size_t g, unsigned worker)
{
	struct related_job *job = arg;
	struct site *s = job->s;
	const struct use *u = job->uses + job->starts[g];
	size_t n = job->starts[g + 1] - job->starts[g];
	struct page *p = u[0].page;
	double *score = job->score[worker];
	struct page **touched = job->touched[worker];
	size_t limit = (size_t)s->config->related_limit, ntouched = 0;
	if (p->kind != PAGE_REGULAR)
		return;
	for (size_t k = 0; k < n; k++) {
		struct term *t = u[k].term;
		size_t from = 0, to = t->npages;
		if (t->npages > RELATED_WINDOW) {
			size_t pos = position_in(t, p);
			from = pos > RELATED_WINDOW / 2 ? pos - RELATED_WINDOW / 2 : 0;
			to = from + RELATED_WINDOW;
			if (to > t->npages) {
				to = t->npages;
				from = to - RELATED_WINDOW;
			}
		}
		for (size_t j = from; j < to; j++) {
			struct page *q = t->pages[j];
			if (q == p || q->kind != PAGE_REGULAR)
				continue;
			if (score[q->pos] == 0)
				touched[ntouched++] = q;
			score[q->pos] += t->idf;
		}
	}
	if (ntouched) {
		p->related = arena_alloc(s->thread_arenas[worker], limit * sizeof(*p->related));
		p->nrelated = 0;
	}
	for (size_t j = 0; j < ntouched; j++) {
		struct page *q = touched[j];
		/* Insert into the top list: score, then listing order. */
		size_t at = p->nrelated;
		while (at > 0) {
			struct page *r = p->related[at - 1];
			double sq = score[q->pos], sr = score[r->pos];
			if (sq > sr || (sq == sr && site_page_cmp(&q, &r) < 0))
				at--;
			else
				break;
		}
		if (at >= limit)
			continue;
		size_t last = p->nrelated < limit ? p->nrelated : limit - 1;
		memmove(&p->related[at + 1], &p->related[at], (last - at) * sizeof(*p->related));
		p->related[at] = q;
		if (p->nrelated < limit)
			p->nrelated++;
	}
	for (size_t j = 0; j < ntouched; j++)
		score[touched[j]->pos] = 0;
}

/* page.related for every page, on every core: USES are grouped by page. */
static void compute_related(struct site *s, struct use *uses, size_t nuses)
{
	if (s->config->related_limit == 0 || nuses == 0)
		return;
	struct related_job job = { .s = s, .uses = uses };
	size_t ngroups = 0;
	job.starts = xmalloc((nuses + 1) * sizeof(*job.starts));
	for (size_t u = 0; u < nuses; u++)
		if (u == 0 || uses[u].page != uses[u - 1].page)
			job.starts[ngroups++] = u;
	job.starts[ngroups] = nuses;
	job.score = xcalloc(s->threads, sizeof(*job.score));
	job.touched = xcalloc(s->threads, sizeof(*job.touched));
	for (unsigned w = 0; w < s->threads; w++) {
		job.score[w] = xcalloc(s->npages, sizeof(double));
		job.touched[w] = xmalloc(s->npages * sizeof(struct page *));
	}
	pool_run(s->threads, ngroups, related_one, &job);
	for (unsigned w = 0; w < s->threads; w++) {
		free(job.score[w]);
		free(job.touched[w]);
	}
	free(job.score);
	free(job.touched);
	free(job.starts);
}

/* What taxonomy_build gathers while it reads the pages' terms. */
struct gather {
	struct site *s;
	arena *tmp;             /* a page's front matter at a time */
	struct use *uses;       /* every (page, term), in the order read */
	size_t nuses, capuses;
	struct term **terms;    /* the taxonomy being read */
	size_t nterms, capterms;
	struct strmap by_slug;
};

/* The spelling NAME[0..N) of T, added on first sight at ITEM of P. */
static struct spelling *spelling_of(struct gather *g, struct term *t, const char *nm, size_t n,
				    struct page *p, const value *item)
{
	/* Trim the spelling: "DJANGO " and "DJANGO" are one. */
	while (n && is_space(nm[n - 1]))
		n--;
	while (n && is_space(*nm)) {
		nm++;
		n--;
	}
	for (size_t j = 0; j < t->nspellings; j++)
		if (strlen(t->spellings[j].name) == n && !memcmp(t->spellings[j].name, nm, n))
			return &t->spellings[j];
	t->spellings = xrealloc(t->spellings, (t->nspellings + 1) * sizeof(*t->spellings));
	struct spelling *sp = &t->spellings[t->nspellings++];
	memset(sp, 0, sizeof(*sp));
	sp->name = arena_strndup(g->s->a, nm, n);
	sp->file = p->src;
	sp->line = item->line;
	sp->col = item->col;
	return sp;
}

/* The term of slug SLUG in taxonomy TI, made on first sight. */
static struct term *term_of(struct gather *g, size_t ti, const struct buf *slug)
{
	struct term *t = strmap_getn(&g->by_slug, slug->ptr, slug->len);
	if (t)
		return t;
	t = arena_zalloc(g->s->a, sizeof(*t));
	t->slug = arena_strndup(g->s->a, slug->ptr, slug->len);
	t->tax = ti;
	strmap_put(&g->by_slug, t->slug, t);
	if (g->nterms == g->capterms) {
		g->capterms = g->capterms ? 2 * g->capterms : 16;
		g->terms = xrealloc(g->terms, g->capterms * sizeof(*g->terms));
	}
	g->terms[g->nterms++] = t;
	return t;
}

/* Reads taxonomy TI's key in every content page's front matter. */
static void gather_terms(struct gather *g, size_t ti)
{
	struct site *s = g->s;
	const struct taxonomy_conf *tc = &s->config->tax[ti];
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		arena_reset(g->tmp);
		value *list = page_fm_get(p, g->tmp, tc->key);
		if (!list || list->type != V_LIST)
			continue;
		for (size_t k = 0; k < list->u.list.n; k++) {
			value *item = list->u.list.items[k];
			struct buf slug = BUF_INIT;
			slug_append(&slug, item->u.str.s, item->u.str.len);
			if (slug.len == 0) {
				diag_error(s->d, p->src, item->line, item->col,
					   "%s term '%s' has no letters or digits to make its URL from",
					   tc->key, item->u.str.s);
				buf_free(&slug);
				continue;
			}
			struct term *t = term_of(g, ti, &slug);
			buf_free(&slug);
			if (t->npages && t->pages[t->npages - 1] == p)
				continue;   /* listed twice on one page */
			push_page(&t->pages, &t->npages, &t->cap, p);
			struct spelling *sp = spelling_of(g, t, item->u.str.s, item->u.str.len, p, item);
			push_page(&sp->pages, &sp->n, &sp->cap, p);
			if (g->nuses == g->capuses) {
				g->capuses = g->capuses ? 2 * g->capuses : 64;
				g->uses = xrealloc(g->uses, g->capuses * sizeof(*g->uses));
			}
			g->uses[g->nuses++] = (struct use){ .page = p, .term = t, .tax = ti };
		}
	}
}

static void sort_term(void *arg, size_t k, unsigned worker)
{
	struct term *t = ((struct term **)arg)[k];
	(void)worker;
	if (t->npages > 1)
		qsort(t->pages, t->npages, sizeof(*t->pages), site_page_cmp);
}

/* Taxonomy TI's pages: /NAME/ (content/NAME/_index.md if there is one)
 * and a page per term. */
static void term_pages(struct site *s, size_t ti)
{
	const struct taxonomy_conf *tc = &s->config->tax[ti];
	struct taxonomy *tx = &s->taxonomies[ti];
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/index.html", tc->name);
	struct page *tp = strmap_get(&s->by_out, path.ptr);
	if (!tp || !site_in_place(tp)) {
		struct buf title = BUF_INIT;
		buf_puts(&title, tc->name);
		if (title.ptr[0] >= 'a' && title.ptr[0] <= 'z')
			title.ptr[0] = (char)(title.ptr[0] - 32);
		tp = site_new_page(s, PAGE_TERMS, tc->name, title.ptr);
		buf_free(&title);
		site_add_page(s, tp);
		site_claim(s, tp);
	}
	tp->terms_page = true;
	tp->tax = ti;
	tx->page = tp;
	for (size_t k = 0; k < tx->nterms; k++) {
		struct term *t = tx->terms[k];
		buf_reset(&path);
		buf_printf(&path, "%s/%s/index.html", tc->name, t->slug);
		struct page *p = strmap_get(&s->by_out, path.ptr);
		if (!p || !site_in_place(p)) {
			buf_truncate(&path, path.len - strlen("/index.html"));
			p = site_new_page(s, PAGE_TERM, path.ptr, t->name);
			site_add_page(s, p);
			site_claim(s, p);
		}
		p->term = t;
		p->tax = ti;
		t->page = p;
		t->url = p->url;
		t->link = term_value(s->a, t, false);
		t->entry = term_value(s->a, t, true);
	}
	buf_free(&path);
}

/* A page in a taxonomy's folder that is no term's page is written as any
 * other page, but it is probably a misspelt term. */
static void warn_strays(struct site *s)
{
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		if (p->kind != PAGE_REGULAR || p->term)
			continue;
		for (size_t ti = 0; ti < s->config->ntax; ti++) {
			if (strcmp(p->dir, s->config->tax[ti].name))
				continue;
			diag_warning(s->d, p->src, 1, 1,
				     "this page is in the %s folder but no page lists it as a %s term "
				     "(its URL matches no term)", s->config->tax[ti].name, s->config->tax[ti].key);
		}
	}
}

/* Each page's terms in the order it lists them (page.taxonomies, view.c):
 * USES grouped by page, keeping each page's order. */
static void page_terms(struct site *s, struct use *uses, size_t nuses)
{
	for (size_t k = 0; k < nuses; k++)
		uses[k].seq = k;
	if (nuses > 1)
		qsort(uses, nuses, sizeof(*uses), cmp_use);
	for (size_t k = 0, end; k < nuses; k = end) {
		struct page *p = uses[k].page;
		for (end = k; end < nuses && uses[end].page == p; end++)
			;
		p->terms = arena_alloc(s->a, (end - k) * sizeof(*p->terms));
		p->nterms = end - k;
		for (size_t j = k; j < end; j++)
			p->terms[j - k] = uses[j].term;
	}
}

void taxonomy_build(struct site *s)
{
	size_t ntax = s->config->ntax, nregular = 0;
	struct gather g = { .s = s, .tmp = arena_new() };

	s->taxonomies = xcalloc(ntax ? ntax : 1, sizeof(*s->taxonomies));
	for (size_t i = 0; i < s->npages; i++)
		nregular += s->pages[i]->kind == PAGE_REGULAR;
	for (size_t ti = 0; ti < ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		tx->conf = &s->config->tax[ti];
		g.terms = NULL;
		g.nterms = g.capterms = 0;
		gather_terms(&g, ti);
		strmap_free(&g.by_slug);
		pool_run(s->threads, g.nterms, sort_term, g.terms);
		for (size_t k = 0; k < g.nterms; k++) {
			struct term *t = g.terms[k];
			choose_name(s, tx->conf, t);
			t->idf = log(1.0 + (double)(nregular ? nregular : 1) / (double)t->npages);
		}
		if (g.nterms > 1)
			qsort(g.terms, g.nterms, sizeof(*g.terms), cmp_term_name);
		tx->terms = g.terms;
		tx->nterms = g.nterms;
		term_pages(s, ti);
	}
	warn_strays(s);
	page_terms(s, g.uses, g.nuses);
	compute_related(s, g.uses, g.nuses);
	free(g.uses);
	arena_free(g.tmp);
}

void taxonomy_finish(struct site *s)
{
	arena *a = s->a;
	value *by_name = value_map(a), *by_count = value_map(a);
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		const char *name = tx->conf->name;
		value *names = value_list(a), *counts = value_list(a);
		struct term **sorted = xmalloc((tx->nterms ? tx->nterms : 1) * sizeof(*sorted));
		for (size_t k = 0; k < tx->nterms; k++) {
			value_list_push(a, names, tx->terms[k]->entry);
			sorted[k] = tx->terms[k];
		}
		if (tx->nterms > 1)
			qsort(sorted, tx->nterms, sizeof(*sorted), cmp_term_count);
		for (size_t k = 0; k < tx->nterms; k++)
			value_list_push(a, counts, sorted[k]->entry);
		free(sorted);
		value_map_set(a, by_name, name, names);
		value_map_set(a, by_count, name, counts);

		if (!tx->page->extra)
			tx->page->extra = value_map(a);
		value_map_set(a, tx->page->extra, "terms", names);
		value_map_set(a, tx->page->extra, "taxonomy", value_str(a, name));
		for (size_t k = 0; k < tx->nterms; k++) {
			struct term *t = tx->terms[k];
			value *list = view_pages(a, t->pages, t->npages);
			if (!t->page->extra)
				t->page->extra = value_map(a);
			value_map_set(a, t->page->extra, "term", t->entry);
			value_map_set(a, t->page->extra, "taxonomy", value_str(a, name));
			site_paginate(s, t->page, list);
		}
	}
	value_map_set(a, s->config->raw, "taxonomies", by_name);
	value_map_set(a, s->config->raw, "taxonomies_by_count", by_count);
}

void taxonomy_free(struct site *s)
{
	if (!s->taxonomies)
		return;
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		for (size_t k = 0; k < tx->nterms; k++) {
			struct term *t = tx->terms[k];
			for (size_t j = 0; j < t->nspellings; j++)
				free(t->spellings[j].pages);
			free(t->spellings);
			free(t->pages);
		}
		free(tx->terms);
	}
	free(s->taxonomies);
	s->taxonomies = NULL;
}
