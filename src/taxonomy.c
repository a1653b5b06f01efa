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

#define RELATED_WINDOW 256

struct spelling {
	const char *name;
	const char *file;       /* where it was first seen */
	unsigned line, col;
	const struct page *some[3];     /* the first pages that use it, for messages */
	size_t n;               /* how many pages use it */
};

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
			buf_printf(&files, "%s%s", k ? ", " : "", sp->some[k]->rel);
		if (sp->n > 3)
			buf_printf(&files, " and %zu more", sp->n - 3);
		for (size_t k = 0; k < best->n && k < 3; k++)
			buf_printf(&others, "%s%s", k ? ", " : "", best->some[k]->rel);
		if (best->n > 3)
			buf_printf(&others, " and %zu more", best->n - 3);
		diag_warning(s->d, sp->file, sp->line, sp->col,
			     "%s term '%s' is written '%s' in %s but '%s' in %s; using '%s'",
			     tc->name, t->slug, sp->name, files.ptr, best->name, others.ptr, best->name);
		buf_free(&files);
		buf_free(&others);
	}
}

/*
 * Related pages are scored by rank, not by page: a page's rank is its
 * place among all pages in listing order (site_page_cmp), so ties are
 * broken by comparing two numbers, and each term's list of pages is
 * also a sorted list of ranks.  The scoring reads only those lists and a
 * small hash table per worker, never the pages themselves, so its memory
 * traffic does not grow with the site.  In a term's list a rank is
 * stored as rank * 2 + 1 for a regular page, rank * 2 for another kind
 * (which is neither scored nor given related pages).
 */
#define EMPTY UINT32_MAX        /* an empty slot of struct scores */

struct related_job {
	struct site *s;
	uint32_t *rank;         /* by page position: rank * 2 (+ 1 if regular) */
	uint32_t **term_ranks;  /* by term (struct term's rank_of): its pages' ranks */
	struct page **by_rank;  /* every page, in listing order */
	struct scores *scores;  /* per worker */
};

/* Scores by rank: an open-addressed table, emptied after each page. */
struct scores {
	uint32_t *key;          /* a rank, or EMPTY */
	double *val;
	size_t cap;             /* 2^bits slots */
	unsigned bits;
	uint32_t *used;         /* slots in use, in the order filled */
	size_t nused;
	uint32_t *best;         /* the best related_limit so far: ranks */
	double *best_score;     /* and their scores */
};

static void scores_reserve(struct scores *sc, size_t n)
{
	if (2 * n <= sc->cap)
		return;
	size_t cap = sc->cap ? sc->cap : 1024;
	unsigned bits = sc->cap ? sc->bits : 10;
	while (cap < 2 * n) {
		cap *= 2;
		bits++;
	}
	sc->bits = bits;
	free(sc->key);
	free(sc->val);
	free(sc->used);
	sc->key = xmalloc(cap * sizeof(*sc->key));
	memset(sc->key, 0xff, cap * sizeof(*sc->key));
	sc->val = xmalloc(cap * sizeof(*sc->val));
	sc->used = xmalloc(cap * sizeof(*sc->used));
	sc->cap = cap;
}

static void scores_add(struct scores *sc, uint32_t rank, double w)
{
	/* The top bits of the product: ranks near each other spread out. */
	size_t mask = sc->cap - 1, i = (uint32_t)(rank * 2654435761u) >> (32 - sc->bits);
	while (sc->key[i] != EMPTY && sc->key[i] != rank)
		i = (i + 1) & mask;
	if (sc->key[i] == EMPTY) {
		sc->key[i] = rank;
		sc->val[i] = 0;
		sc->used[sc->nused++] = (uint32_t)i;
	}
	sc->val[i] += w;
}

/* Where rank R stands in a term's sorted RANKS[0..N). */
static size_t rank_position(const uint32_t *ranks, size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ranks[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Scores the pages sharing a term with page I, by the terms' rarity, and
 * keeps the best related_limit in p->related: highest score first, then
 * listing order. */
static void related_one(void *arg, size_t i, unsigned worker)
{
	struct related_job *job = arg;
	struct site *s = job->s;
	struct page *p = s->pages[i];
	size_t n = p->nterms;
	struct scores *sc = &job->scores[worker];
	size_t limit = (size_t)s->config->related_limit;
	uint32_t self = job->rank[p->pos];
	if (!(self & 1) || n == 0)
		return;
	scores_reserve(sc, n * RELATED_WINDOW);
	for (size_t k = 0; k < n; k++) {
		struct term *t = p->terms[k];
		const uint32_t *ranks = job->term_ranks[t->rank_of];
		size_t from = 0, to = t->npages;
		if (t->npages > RELATED_WINDOW) {
			size_t pos = rank_position(ranks, t->npages, self);
			from = pos > RELATED_WINDOW / 2 ? pos - RELATED_WINDOW / 2 : 0;
			to = from + RELATED_WINDOW;
			if (to > t->npages) {
				to = t->npages;
				from = to - RELATED_WINDOW;
			}
		}
		for (size_t j = from; j < to; j++)
			if (ranks[j] != self && (ranks[j] & 1))
				scores_add(sc, ranks[j], t->idf);
	}
	/* The best LIMIT, as (score, rank) pairs, kept sorted. */
	uint32_t *best = sc->best;
	double *best_score = sc->best_score;
	size_t nbest = 0;
	for (size_t j = 0; j < sc->nused; j++) {
		size_t slot = sc->used[j];
		uint32_t r = sc->key[slot];
		double v = sc->val[slot];
		size_t at = nbest;
		while (at > 0 && (v > best_score[at - 1] ||
				  (v == best_score[at - 1] && r < best[at - 1])))
			at--;
		sc->key[slot] = EMPTY;
		if (at >= limit)
			continue;
		size_t last = nbest < limit ? nbest : limit - 1;
		memmove(&best[at + 1], &best[at], (last - at) * sizeof(*best));
		memmove(&best_score[at + 1], &best_score[at], (last - at) * sizeof(*best_score));
		best[at] = r;
		best_score[at] = v;
		if (nbest < limit)
			nbest++;
	}
	if (sc->nused) {
		p->related = arena_alloc(s->thread_arenas[worker], limit * sizeof(*p->related));
		p->nrelated = (uint32_t)nbest;
		for (size_t j = 0; j < nbest; j++)
			p->related[j] = job->by_rank[best[j] >> 1];
	}
	sc->nused = 0;
}

/* page.related for every page, on every core, from the pages' terms. */
static void compute_related(struct site *s)
{
	size_t limit = (size_t)s->config->related_limit;
	if (limit == 0)
		return;
	struct related_job job = { .s = s };
	/* Ranks: every page in listing order. */
	size_t n = s->npages;
	job.by_rank = xmalloc((n ? n : 1) * sizeof(*job.by_rank));
	memcpy(job.by_rank, s->pages, n * sizeof(*job.by_rank));
	if (n > 1)
		qsort(job.by_rank, n, sizeof(*job.by_rank), site_page_cmp);
	job.rank = xmalloc((n ? n : 1) * sizeof(*job.rank));
	for (size_t r = 0; r < n; r++)
		job.rank[job.by_rank[r]->pos] = (uint32_t)(r * 2 + (job.by_rank[r]->kind == PAGE_REGULAR));
	/* Each term's pages as ranks, in the order of its list: ascending,
	 * since both follow site_page_cmp. */
	size_t nterms = 0;
	for (size_t ti = 0; ti < s->config->ntax; ti++)
		nterms += s->taxonomies[ti].nterms;
	job.term_ranks = xmalloc((nterms ? nterms : 1) * sizeof(*job.term_ranks));
	for (size_t ti = 0, k = 0; ti < s->config->ntax; ti++) {
		const struct taxonomy *tx = &s->taxonomies[ti];
		for (size_t j = 0; j < tx->nterms; j++, k++) {
			struct term *t = tx->terms[j];
			t->rank_of = k;
			job.term_ranks[k] = xmalloc((t->npages ? t->npages : 1) * sizeof(uint32_t));
			for (size_t q = 0; q < t->npages; q++)
				job.term_ranks[k][q] = job.rank[t->pages[q]->pos];
		}
	}
	job.scores = xcalloc(s->threads, sizeof(*job.scores));
	for (unsigned w = 0; w < s->threads; w++) {
		job.scores[w].best = xmalloc(limit * sizeof(uint32_t));
		job.scores[w].best_score = xmalloc(limit * sizeof(double));
	}
	pool_run(s->threads, s->ncontent, related_one, &job);
	for (unsigned w = 0; w < s->threads; w++) {
		free(job.scores[w].key);
		free(job.scores[w].val);
		free(job.scores[w].used);
		free(job.scores[w].best);
		free(job.scores[w].best_score);
	}
	free(job.scores);
	for (size_t k = 0; k < nterms; k++)
		free(job.term_ranks[k]);
	free(job.term_ranks);
	free(job.rank);
	free(job.by_rank);
}

/* What taxonomy_build gathers while it reads the pages' terms. */
struct gather {
	struct site *s;
	struct gather_tax {
		struct term **terms;    /* in order of first sight */
		size_t nterms, capterms;
		struct strmap by_slug;
	} *tax;                 /* per taxonomy */
	struct term **page;     /* the terms of the page being read */
	size_t npage, cappage;
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
	struct gather_tax *gt = &g->tax[ti];
	struct term *t = strmap_getn(&gt->by_slug, slug->ptr, slug->len);
	if (t)
		return t;
	t = arena_zalloc(g->s->a, sizeof(*t));
	t->slug = arena_strndup(g->s->a, slug->ptr, slug->len);
	t->tax = ti;
	strmap_put(&gt->by_slug, t->slug, t);
	if (gt->nterms == gt->capterms) {
		gt->capterms = gt->capterms ? 2 * gt->capterms : 16;
		gt->terms = xrealloc(gt->terms, gt->capterms * sizeof(*gt->terms));
	}
	gt->terms[gt->nterms++] = t;
	return t;
}

/* A term as a page lists it: read from its front matter on a worker,
 * then added to the taxonomy in page order. */
struct listed {
	struct buf slug;        /* malloc'd */
	const value *item;      /* the spelling, in the worker's arena */
	size_t ti;
};

/* Pages read at a time: what they list is held until it is added. */
#define GATHER_CHUNK 4096

struct gather_job {
	struct site *s;
	size_t from;            /* the chunk's first page */
	arena **mem;            /* per worker, reset per chunk */
	struct listed **lists;  /* per page of the chunk, in its worker's arena */
	size_t *nlists;
};

/* Reads the terms page FROM + I lists, in every taxonomy, on a worker. */
static void read_listed(void *arg, size_t i, unsigned worker)
{
	struct gather_job *job = arg;
	struct site *s = job->s;
	struct page *p = s->pages[job->from + i];
	arena *a = job->mem[worker];
	value **lists = arena_alloc(a, (s->config->ntax ? s->config->ntax : 1) * sizeof(*lists));
	size_t n = 0;
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		lists[ti] = page_fm_get(p, a, s->config->tax[ti].key);
		if (lists[ti] && lists[ti]->type == V_LIST)
			n += lists[ti]->u.list.n;
		else
			lists[ti] = NULL;
	}
	struct listed *out = n ? arena_alloc(a, n * sizeof(*out)) : NULL;
	size_t k = 0;
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		for (size_t j = 0; lists[ti] && j < lists[ti]->u.list.n; j++) {
			const value *item = lists[ti]->u.list.items[j];
			struct buf slug = BUF_INIT;
			slug_append(&slug, item->u.str.s, item->u.str.len);
			if (slug.len == 0) {
				diag_error(s->d, p->src, item->line, item->col,
					   "%s term '%s' has no letters or digits to make its URL from",
					   s->config->tax[ti].key, item->u.str.s);
				buf_free(&slug);
				continue;
			}
			out[k++] = (struct listed){ slug, item, ti };
		}
	}
	job->lists[i] = out;
	job->nlists[i] = k;
}

/* Adds the terms P lists, L[0..N), to their taxonomies and to p->terms. */
static void add_listed(struct gather *g, struct page *p, struct listed *l, size_t n)
{
	g->npage = 0;
	for (size_t k = 0; k < n; k++) {
		const value *item = l[k].item;
		struct term *t = term_of(g, l[k].ti, &l[k].slug);
		buf_free(&l[k].slug);
		if (t->npages && t->pages[t->npages - 1] == p)
			continue;   /* listed twice on one page */
		push_page(&t->pages, &t->npages, &t->cap, p);
		struct spelling *sp = spelling_of(g, t, item->u.str.s, item->u.str.len, p, item);
		if (sp->n < sizeof(sp->some) / sizeof(*sp->some))
			sp->some[sp->n] = p;
		sp->n++;
		if (g->npage == g->cappage) {
			g->cappage = g->cappage ? 2 * g->cappage : 16;
			g->page = xrealloc(g->page, g->cappage * sizeof(*g->page));
		}
		g->page[g->npage++] = t;
	}
	if (g->npage) {
		p->terms = arena_alloc(g->s->a, g->npage * sizeof(*p->terms));
		memcpy(p->terms, g->page, g->npage * sizeof(*p->terms));
		p->nterms = (uint32_t)g->npage;
	}
}

/* Reads every taxonomy's key in every content page's front matter: a
 * chunk of pages on every core, then their terms added in page order,
 * so each page's terms (page.taxonomies, view.c) keep the order it
 * lists them in, by taxonomy, and each term's pages the order of the
 * pages. */
static void gather_terms(struct gather *g)
{
	struct site *s = g->s;
	struct gather_job job = { .s = s };
	job.mem = arenas_new(s->threads);
	job.lists = xmalloc(GATHER_CHUNK * sizeof(*job.lists));
	job.nlists = xmalloc(GATHER_CHUNK * sizeof(*job.nlists));
	for (size_t from = 0; from < s->ncontent; from += GATHER_CHUNK) {
		size_t n = s->ncontent - from < GATHER_CHUNK ? s->ncontent - from : GATHER_CHUNK;
		for (unsigned w = 0; w < s->threads; w++)
			arena_reset(job.mem[w]);
		job.from = from;
		pool_run(s->threads, n, read_listed, &job);
		for (size_t i = 0; i < n; i++)
			add_listed(g, s->pages[from + i], job.lists[i], job.nlists[i]);
	}
	arenas_free(job.mem, s->threads);
	free(job.lists);
	free(job.nlists);
}

static void sort_term(void *arg, size_t k, unsigned worker)
{
	struct term *t = ((struct term **)arg)[k];
	(void)worker;
	if (t->npages > 1)
		qsort(t->pages, t->npages, sizeof(*t->pages), site_page_cmp);
	if (t->cap > t->npages && t->npages) {       /* held for the whole build */
		t->pages = xrealloc(t->pages, t->npages * sizeof(*t->pages));
		t->cap = t->npages;
	}
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

void taxonomy_build(struct site *s)
{
	size_t ntax = s->config->ntax, nregular = 0;
	struct gather g = { .s = s };

	s->taxonomies = xcalloc(ntax ? ntax : 1, sizeof(*s->taxonomies));
	g.tax = xcalloc(ntax ? ntax : 1, sizeof(*g.tax));
	for (size_t i = 0; i < s->npages; i++)
		nregular += s->pages[i]->kind == PAGE_REGULAR;
	gather_terms(&g);
	for (size_t ti = 0; ti < ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		struct gather_tax *gt = &g.tax[ti];
		tx->conf = &s->config->tax[ti];
		strmap_free(&gt->by_slug);
		pool_run(s->threads, gt->nterms, sort_term, gt->terms);
		for (size_t k = 0; k < gt->nterms; k++) {
			struct term *t = gt->terms[k];
			choose_name(s, tx->conf, t);
			t->idf = log(1.0 + (double)(nregular ? nregular : 1) / (double)t->npages);
		}
		if (gt->nterms > 1)
			qsort(gt->terms, gt->nterms, sizeof(*gt->terms), cmp_term_name);
		tx->terms = gt->terms;
		tx->nterms = gt->nterms;
		tx->by_count = xmalloc((tx->nterms ? tx->nterms : 1) * sizeof(*tx->by_count));
		if (tx->nterms)
			memcpy(tx->by_count, tx->terms, tx->nterms * sizeof(*tx->by_count));
		if (tx->nterms > 1)
			qsort(tx->by_count, tx->nterms, sizeof(*tx->by_count), cmp_term_count);
		term_pages(s, ti);
	}
	warn_strays(s);
	compute_related(s);
	free(g.tax);
	free(g.page);
}

void taxonomy_free(struct site *s)
{
	if (!s->taxonomies)
		return;
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		for (size_t k = 0; k < tx->nterms; k++) {
			struct term *t = tx->terms[k];
			free(t->spellings);
			free(t->pages);
		}
		free(tx->terms);
		free(tx->by_count);
	}
	free(s->taxonomies);
	s->taxonomies = NULL;
}
