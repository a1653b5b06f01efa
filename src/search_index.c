/*
 * search_index.c - the search index built from the pages' terms, and
 * written (doc/search-index.md, "How folio builds it").
 *
 * The index is laid out so a query fetches little: a root file, sorted
 * dictionary shards, postings shards, and page packs; every name carries a
 * hash of the content.  Scores are BM25 over weighted fields, computed
 * here and quantized to one character per posting.
 */
#include "search.h"
#include "search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "links.h"
#include "pool.h"
#include "spool.h"
#include "taxonomy.h"

/* ---- the whole index ---- */

struct sfile {
	char *name;
	uint64_t off;           /* in search_index.data */
	size_t len;
};

struct search_index {
	struct search_store **stores;   /* one per worker of the Markdown stage */
	size_t nstores;
	struct sfile *files;    /* laid out by search_build */
	size_t n, cap;
	struct spool data;      /* the files' bytes */
	struct strmap names;    /* the files' names */
	size_t root;            /* files[root - 1] is the root file; 0: none */
};

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define POSTINGS_SHARD 4096     /* bytes of postings per file, about */
#define DICT_SHARD 8192         /* bytes of dictionary per shard, at least */
#define DICT_SHARDS_MAX 256     /* the root lists at most this many */
#define PACK_PAGES 5
#define PACK_BATCH 512          /* packs made at once */
#define TERM_CHUNK 12           /* term lists per file: a filter shows 12 terms */
#define SCORE_MAX 15         /* scores are 1..SCORE_MAX of the term's largest */
#define TERM_MAX_SCALE 10000    /* a term's largest score, against the index's */
#define ENCODE_BLOCK 64         /* terms a worker encodes at a time */

/*
 * The memory the index holds, about: a quarter for the pages' records
 * while the Markdown stage makes them; then, while the index is built,
 * half for the postings of a pass and a sixteenth for the files laid out.
 * Past these, records and files go to temporary files and postings are
 * built in several passes over the terms.  FOLIO_SEARCH_MEM_KB sets it
 * (the tests make it small).
 */
#define SEARCH_MEM_DEFAULT ((size_t)64 << 20)

static size_t search_mem(void)
{
	const char *env = getenv("FOLIO_SEARCH_MEM_KB");
	if (env && *env) {
		unsigned long long kb = strtoull(env, NULL, 10);
		if (kb)
			return (size_t)kb << 10;
	}
	return SEARCH_MEM_DEFAULT;
}

static struct search_index *index_of(struct site *s)
{
	if (!s->search) {
		s->search = xcalloc(1, sizeof(*s->search));
		spool_init(&s->search->data, search_mem() / 16);
	}
	return s->search;
}

struct search_store *search_new_store(struct site *s)
{
	struct search_index *x = index_of(s);
	struct search_store *st = xcalloc(1, sizeof(*st));
	st->a = arena_new();
	spool_init(&st->docs, search_mem() / 4 / (s->threads ? s->threads : 1));
	x->stores = xrealloc(x->stores, (x->nstores + 1) * sizeof(*x->stores));
	x->stores[x->nstores++] = st;
	return st;
}

/* The quantized score of a posting whose score is R times its term's
 * largest, for a term in DF of N pages.  Terms in more than one page in
 * COMMON_PART, and in at least COMMON_MIN pages, weigh little (their idf
 * is small) and are many: they get only three levels, 5, 10 and 15, which
 * keeps the postings of large sites small. */
#define COMMON_PART 8
#define COMMON_MIN 1000

/* The most pages a term can be in and not be common: a term in more is
 * in more than one page in COMMON_PART and in at least COMMON_MIN. */
static size_t common_above(size_t n)
{
	return n / COMMON_PART > COMMON_MIN - 1 ? n / COMMON_PART : COMMON_MIN - 1;
}

static long score_level(double r, size_t df, size_t n)
{
	bool common = df > common_above(n);
	long q = !(r > 0) ? 0 : common ? 5 * lround(3 * r) : lround(SCORE_MAX * r);
	return q < 1 ? (common ? 5 : 1) : q > SCORE_MAX ? SCORE_MAX : q;
}

static void put_varint(struct buf *b, uint32_t v)
{
	char d[8];
	int n = 0;
	do {
		d[n++] = (char)(v & 31);
		v >>= 5;
	} while (v);
	while (--n > 0)
		buf_putc(b, alphabet[(int)d[n]]);
	buf_putc(b, alphabet[32 + d[0]]);
}

/* Mixes a hash so nearby inputs differ in every digit of a name. */
static uint64_t hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Adds a file named NAME (taken; NULL to name it later) with DATA's bytes. */
static struct sfile *push_file(struct search_index *x, char *name, const struct buf *data)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->files = xrealloc(x->files, x->cap * sizeof(*x->files));
	}
	struct sfile *f = &x->files[x->n++];
	f->name = name;
	f->off = spool_add(&x->data, data->ptr, data->len);
	f->len = data->len;
	return f;
}

/* Adds the file PREFIX.HASH.json, HASH of DATA's bytes, and empties DATA. */
static struct sfile *add_file(struct search_index *x, const char *prefix, struct buf *data)
{
	struct buf name = BUF_INIT;
	uint64_t h = hash_final(hash64(data->ptr, data->len));
	buf_printf(&name, "%s.%012llx.json", prefix, (unsigned long long)(h >> 16));
	struct sfile *f = push_file(x, buf_detach(&name, NULL), data);
	buf_reset(data);
	return f;
}

/* Numbered files sharing one hash, that of all their contents:
 * PREFIX.HASH.K.json.  Added one by one, named at the end. */
struct group {
	uint64_t h;
	size_t first, n;        /* its files in search_index.files */
};

static void group_add(struct search_index *x, struct group *g, const struct buf *part)
{
	if (g->n++ == 0)
		g->first = x->n;
	g->h = hash64_more(g->h, part->ptr, part->len + 1);
	push_file(x, NULL, part);
}

/* Names the group's files; ROOT_KEY gets "PREFIX.HASH.". */
static void group_name(struct search_index *x, const struct group *g, const char *prefix,
		       struct buf *root_key)
{
	uint64_t h = hash_final(g->h);
	buf_printf(root_key, "%s.%012llx.", prefix, (unsigned long long)(h >> 16));
	for (size_t k = 0; k < g->n; k++) {
		struct buf name = BUF_INIT;
		buf_printf(&name, "%s%zu.json", root_key->ptr, k);
		x->files[g->first + k].name = buf_detach(&name, NULL);
	}
}

static int cmp_doc_page(const void *a, const void *b)
{
	const struct page *p = *(struct page *const *)a, *q = *(struct page *const *)b;
	int c = strcmp(p->top, q->top);
	return c ? c : strcmp(p->rel, q->rel);
}

/* The bytes of a page's record: its terms part, and its pack part. */
static const unsigned char *doc_terms(const struct search_doc *d, struct spool_reader *r)
{
	if (!d->spool)
		return (const unsigned char *)d->data;
	return (const unsigned char *)spool_get(d->spool, d->off, d->nterm_bytes, r);
}

static const char *doc_pack(const struct search_doc *d, struct spool_reader *r)
{
	if (!d->spool)
		return d->data + d->nterm_bytes;
	return spool_get(d->spool, d->off + d->nterm_bytes, d->npack_bytes, r);
}

/*
 * The index being built.  Postings are made in passes over ranges of
 * terms, each range's postings at most half of search_mem(): the pages
 * are read in chunks of ids, one chunk a worker, and each chunk puts its
 * pages' postings at its own places in the range's array, so every
 * term's list comes out in id order.
 */
struct posting {
	uint32_t id, tf;
	uint16_t title;         /* 0, or TITLE_BIT | place << 6 | form hash */
};
#define TITLE_BIT 0x1000

struct ib {
	struct site *s;
	struct search_index *x;
	unsigned threads;
	struct page **docs;     /* by id */
	size_t n;
	uint32_t *lens;         /* pages' weighted lengths, by id */
	double avglen;
	/* Windows on the pages' records: per worker, one per store. */
	struct spool_reader *readers;
	size_t nreaders;
	struct search_dict **dicts;
	size_t ndicts;
	const char **keys;      /* the index's terms, in key order */
	size_t nterms;
	uint32_t *df;
	uint64_t *start;        /* term G's postings are places start[G]..start[G+1] */
	uint64_t *at;           /* chunk C's next place for term G: at[C * nterms + G] */
	size_t nchunks;
	/* the pass: terms [lo, hi), their postings, their encoded entries */
	size_t lo, hi;
	struct posting *post;
	struct buf *blocks;     /* per ENCODE_BLOCK terms: "key":"postings" entries */
	size_t *ends;           /* where each term's entry ends in its block */
	double *tmax;           /* each term's largest score */
	double smax;
	uint32_t *shard;        /* each term's postings file */
	struct buf cur;         /* the postings file being filled */
	char **shard_names;
	size_t nshards;
};

/* WORKER's window on the spool of D's record. */
static struct spool_reader *reader(struct ib *ib, unsigned worker, const struct search_doc *d)
{
	struct spool_reader *r = ib->readers + worker * ib->nreaders;
	for (size_t k = 0; k < ib->nreaders; k++)
		if (r[k].sp == d->spool || !r[k].sp)
			return &r[k];
	return &r[0];
}

static size_t chunk_from(const struct ib *ib, size_t c)
{
	return ib->n * c / ib->nchunks;
}

/* Page ids: by top-level section, then path. */
static void number_pages(struct ib *ib)
{
	struct site *s = ib->s;
	size_t n = 0;
	for (size_t i = 0; i < s->ncontent; i++)
		n += s->pages[i]->search != NULL;
	ib->docs = xmalloc((n ? n : 1) * sizeof(*ib->docs));
	n = 0;
	for (size_t i = 0; i < s->ncontent; i++)
		if (s->pages[i]->search)
			ib->docs[n++] = s->pages[i];
	qsort(ib->docs, n, sizeof(*ib->docs), cmp_doc_page);
	ib->n = n;
	ib->lens = xmalloc((n ? n : 1) * sizeof(*ib->lens));
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		struct search_doc *d = ib->docs[i]->search;
		d->id = (uint32_t)i;
		ib->lens[i] = d->len;
		total += d->len;
	}
	ib->avglen = n ? total / (double)n : 1;
	if (ib->avglen <= 0)
		ib->avglen = 1;
}

/* ---- merging the dictionaries ---- */

struct keyed {
	const char *key;
	uint32_t id;
};

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

/* Puts dictionary I's numbers in key order (d->order). */
static void sort_dict(void *arg, size_t i, unsigned worker)
{
	(void)worker;
	struct search_dict *d = ((struct ib *)arg)->dicts[i];
	struct keyed *k = xmalloc((d->n ? d->n : 1) * sizeof(*k));
	for (uint32_t j = 0; j < d->n; j++)
		k[j] = (struct keyed){ d->keys[j], j };
	qsort(k, d->n, sizeof(*k), cmp_keyed);
	d->order = xmalloc((d->n ? d->n : 1) * sizeof(*d->order));
	for (uint32_t j = 0; j < d->n; j++)
		d->order[j] = k[j].id;
	free(k);
}

/* The dictionaries of the indexed pages, each once. */
static void collect_dicts(struct ib *ib)
{
	size_t cap = 0;
	for (size_t i = 0; i < ib->n; i++) {
		struct search_dict *d = ib->docs[i]->search->dict;
		if (d->gid)
			continue;
		d->gid = xmalloc((d->n ? d->n : 1) * sizeof(*d->gid));
		if (ib->ndicts == cap) {
			cap = cap ? 2 * cap : 16;
			ib->dicts = xrealloc(ib->dicts, cap * sizeof(*ib->dicts));
		}
		ib->dicts[ib->ndicts++] = d;
	}
}

/* The key dictionary D's cursor I points at. */
static const char *dict_key(const struct search_dict *d, uint32_t i)
{
	return d->keys[d->order[i]];
}

/* Restores the heap of cursors H[0..N) (by current key) from slot K down. */
static void sift_down(struct search_dict **h, uint32_t *at, size_t n, size_t k)
{
	for (;;) {
		size_t l = 2 * k + 1, m = k;
		if (l < n && strcmp(dict_key(h[l], at[l]), dict_key(h[m], at[m])) < 0)
			m = l;
		if (l + 1 < n && strcmp(dict_key(h[l + 1], at[l + 1]), dict_key(h[m], at[m])) < 0)
			m = l + 1;
		if (m == k)
			return;
		struct search_dict *td = h[k];
		uint32_t ta = at[k];
		h[k] = h[m];
		at[k] = at[m];
		h[m] = td;
		at[m] = ta;
		k = m;
	}
}

/* Merges the dictionaries, each sorted on its own thread, into the
 * index's sorted terms, and numbers each dictionary's stems with them. */
static void merge_dicts(struct ib *ib)
{
	collect_dicts(ib);
	pool_run(ib->threads, ib->ndicts, sort_dict, ib);
	size_t total = 0, n = 0;
	struct search_dict **h = xmalloc((ib->ndicts ? ib->ndicts : 1) * sizeof(*h));
	uint32_t *at = xcalloc(ib->ndicts ? ib->ndicts : 1, sizeof(*at));
	for (size_t i = 0; i < ib->ndicts; i++) {
		total += ib->dicts[i]->n;
		if (ib->dicts[i]->n)
			h[n++] = ib->dicts[i];
	}
	for (size_t k = n; k-- > 0;)
		sift_down(h, at, n, k);
	ib->keys = xmalloc((total ? total : 1) * sizeof(*ib->keys));
	size_t g = 0;
	while (n > 0) {
		struct search_dict *d = h[0];
		const char *key = dict_key(d, at[0]);
		if (g == 0 || strcmp(ib->keys[g - 1], key))
			ib->keys[g++] = key;
		d->gid[d->order[at[0]]] = (uint32_t)(g - 1);
		if (++at[0] == d->n) {
			h[0] = h[--n];
			at[0] = at[n];
		}
		sift_down(h, at, n, 0);
	}
	ib->nterms = g;
	free(h);
	free(at);
}

/* ---- postings ---- */

/* Counts chunk C's postings per term. */
static void count_chunk(void *arg, size_t c, unsigned worker)
{
	struct ib *ib = arg;
	uint64_t *cnt = ib->at + c * ib->nterms;
	for (size_t i = chunk_from(ib, c); i < chunk_from(ib, c + 1); i++) {
		const struct search_doc *d = ib->docs[i]->search;
		const unsigned char *p = doc_terms(d, reader(ib, worker, d));
		uint32_t k = get_uvar(&p), id = 0;
		while (k--) {
			id += get_uvar(&p);
			get_uvar(&p);
			cnt[d->dict->gid[id]]++;
		}
	}
}

/* Drops the terms no indexed page has (stems of pages since edited, when
 * folio serve builds the index again), and numbers the others again. */
static void drop_unused(struct ib *ib)
{
	size_t nt = ib->nterms, kept = 0;
	for (size_t t = 0; t < nt; t++)
		kept += ib->df[t] != 0;
	if (kept == nt)
		return;
	uint32_t *to = xmalloc((nt ? nt : 1) * sizeof(*to));
	uint64_t *at = xcalloc(ib->nchunks * (kept ? kept : 1), sizeof(*at));
	size_t g = 0;
	for (size_t t = 0; t < nt; t++) {
		to[t] = (uint32_t)g;
		if (!ib->df[t])
			continue;
		ib->keys[g] = ib->keys[t];
		ib->df[g] = ib->df[t];
		for (size_t c = 0; c < ib->nchunks; c++)
			at[c * kept + g] = ib->at[c * nt + t];
		g++;
	}
	free(ib->at);
	ib->at = at;
	for (size_t i = 0; i < ib->ndicts; i++)
		for (uint32_t j = 0; j < ib->dicts[i]->n; j++)
			ib->dicts[i]->gid[j] = to[ib->dicts[i]->gid[j]];
	ib->nterms = kept;
	free(to);
}

/* Each term's number of pages, and each chunk's first place for it. */
static void count_postings(struct ib *ib)
{
	size_t nt = ib->nterms;
	ib->nchunks = ib->threads;
	ib->at = xcalloc(ib->nchunks * (nt ? nt : 1), sizeof(*ib->at));
	pool_run(ib->threads, ib->nchunks, count_chunk, ib);
	ib->df = xcalloc(nt ? nt : 1, sizeof(*ib->df));
	for (size_t c = 0; c < ib->nchunks; c++)
		for (size_t t = 0; t < nt; t++)
			ib->df[t] += (uint32_t)ib->at[c * nt + t];
	drop_unused(ib);
	nt = ib->nterms;
	ib->start = xmalloc((nt + 1) * sizeof(*ib->start));
	ib->start[0] = 0;
	for (size_t t = 0; t < nt; t++) {
		ib->start[t + 1] = ib->start[t] + ib->df[t];
		uint64_t place = ib->start[t];
		for (size_t c = 0; c < ib->nchunks; c++) {
			uint64_t k = ib->at[c * nt + t];
			ib->at[c * nt + t] = place;
			place += k;
		}
	}
}

/* Puts chunk C's postings of the pass's terms at their places. */
static void fill_chunk(void *arg, size_t c, unsigned worker)
{
	struct ib *ib = arg;
	uint64_t *at = ib->at + c * ib->nterms, base = ib->start[ib->lo];
	uint32_t lo = (uint32_t)ib->lo, hi = (uint32_t)ib->hi;
	for (size_t i = chunk_from(ib, c); i < chunk_from(ib, c + 1); i++) {
		const struct search_doc *d = ib->docs[i]->search;
		const uint32_t *gid = d->dict->gid;
		const unsigned char *p = doc_terms(d, reader(ib, worker, d));
		uint32_t k = get_uvar(&p), id = 0;
		while (k--) {
			id += get_uvar(&p);
			uint32_t tf = get_uvar(&p), g = gid[id];
			if (g >= lo && g < hi)
				ib->post[at[g]++ - base] = (struct posting){ (uint32_t)i, tf, 0 };
		}
		/* The title's terms: this page's posting is the last one placed. */
		k = get_uvar(&p);
		while (k--) {
			uint32_t g = gid[get_uvar(&p)];
			unsigned place = p[0], form = p[1];
			p += 2;
			if (g >= lo && g < hi)
				ib->post[at[g] - 1 - base].title =
					(uint16_t)(TITLE_BIT | place << 6 | form);
		}
	}
}

/* BM25 scores of term G's postings into SC; returns the largest. */
static double score_term(const struct ib *ib, size_t g, double *sc)
{
	const double k1 = 1.2, b = 0.75;
	const struct posting *p = ib->post + (ib->start[g] - ib->start[ib->lo]);
	double df = ib->df[g], max = 0;
	double idf = log(1 + ((double)ib->n - df + 0.5) / (df + 0.5));
	for (size_t k = 0; k < ib->df[g]; k++) {
		double tf = p[k].tf;
		double len = ib->lens[p[k].id];
		sc[k] = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / ib->avglen));
		if (sc[k] > max)
			max = sc[k];
	}
	return max;
}

/* Scores and encodes block K of the pass's terms: "key":"postings". */
static void encode_block(void *arg, size_t k, unsigned worker)
{
	(void)worker;
	struct ib *ib = arg;
	size_t from = ib->lo + k * ENCODE_BLOCK, to = from + ENCODE_BLOCK;
	if (to > ib->hi)
		to = ib->hi;
	struct buf *b = &ib->blocks[k];
	double *sc = NULL;
	size_t cap = 0;
	for (size_t g = from; g < to; g++) {
		if (ib->df[g] > cap) {
			cap = ib->df[g];
			sc = xrealloc(sc, cap * sizeof(*sc));
		}
		double max = score_term(ib, g, sc);
		ib->tmax[g] = max;
		put_json_str(b, ib->keys[g]);
		buf_puts(b, ":\"");
		const struct posting *p = ib->post + (ib->start[g] - ib->start[ib->lo]);
		uint32_t prev = 0;
		for (size_t j = 0; j < ib->df[g]; j++) {
			put_varint(b, (p[j].id - prev) << 1 | (p[j].title != 0));
			prev = p[j].id;
			buf_putc(b, alphabet[score_level(sc[j] / max, ib->df[g], ib->n)]);
			if (p[j].title) {
				buf_putc(b, alphabet[p[j].title >> 6 & 63]);
				buf_putc(b, alphabet[p[j].title & 63]);
			}
		}
		buf_putc(b, '"');
		ib->ends[g - ib->lo] = b->len;
	}
	free(sc);
}

/* Ends the postings file being filled. */
static void end_shard(struct ib *ib)
{
	buf_putc(&ib->cur, '}');
	struct sfile *f = add_file(ib->x, "p", &ib->cur);
	ib->shard_names = xrealloc(ib->shard_names, (ib->nshards + 1) * sizeof(*ib->shard_names));
	ib->shard_names[ib->nshards++] = f->name;
}

/* Cuts the pass's entries into postings files of about POSTINGS_SHARD
 * bytes, in key order. */
static void cut_shards(struct ib *ib)
{
	for (size_t g = ib->lo; g < ib->hi; g++) {
		size_t k = (g - ib->lo) / ENCODE_BLOCK;
		size_t from = (g - ib->lo) % ENCODE_BLOCK ? ib->ends[g - ib->lo - 1] : 0;
		if (ib->cur.len > 0 && ib->cur.len >= POSTINGS_SHARD)
			end_shard(ib);
		buf_putc(&ib->cur, ib->cur.len ? ',' : '{');
		buf_put(&ib->cur, ib->blocks[k].ptr + from, ib->ends[g - ib->lo] - from);
		ib->shard[g] = (uint32_t)ib->nshards;
		if (ib->tmax[g] > ib->smax)
			ib->smax = ib->tmax[g];
	}
}

/* The postings files, a pass at a time over ranges of terms whose
 * postings fit in half of search_mem(). */
static void build_postings(struct ib *ib)
{
	size_t nt = ib->nterms;
	uint64_t room = search_mem() / 2 / sizeof(struct posting);
	ib->tmax = xcalloc(nt ? nt : 1, sizeof(*ib->tmax));
	ib->shard = xcalloc(nt ? nt : 1, sizeof(*ib->shard));
	buf_init(&ib->cur);
	for (ib->lo = 0; ib->lo < nt; ib->lo = ib->hi) {
		ib->hi = ib->lo + 1;
		while (ib->hi < nt && ib->start[ib->hi + 1] - ib->start[ib->lo] <= room)
			ib->hi++;
		size_t nb = (ib->hi - ib->lo + ENCODE_BLOCK - 1) / ENCODE_BLOCK;
		ib->post = xmalloc((ib->start[ib->hi] - ib->start[ib->lo] + 1) * sizeof(*ib->post));
		pool_run(ib->threads, ib->nchunks, fill_chunk, ib);
		ib->blocks = xcalloc(nb, sizeof(*ib->blocks));
		for (size_t k = 0; k < nb; k++)
			buf_init(&ib->blocks[k]);
		ib->ends = xmalloc((ib->hi - ib->lo) * sizeof(*ib->ends));
		pool_run(ib->threads, nb, encode_block, ib);
		free(ib->post);
		cut_shards(ib);
		for (size_t k = 0; k < nb; k++)
			buf_free(&ib->blocks[k]);
		free(ib->blocks);
		free(ib->ends);
	}
	if (ib->cur.len)
		end_shard(ib);
	buf_free(&ib->cur);
}

/* ---- word pairs, for phrases ---- */

/*
 * Each pair of terms next to each other in a page's text has a list of
 * the pages holding it, kept in files of their own that only a query with
 * a quoted phrase reads.  A pair's key is "first second"; its bucket (16
 * bits) comes from the FNV-1a hashes of its terms, and each file holds a run
 * of buckets, cut at about PAIR_FILE bytes.  The table file says where
 * each file's buckets start.  Built like the postings: the pages' pairs
 * are counted per bucket, then placed, sorted and encoded on all threads.
 * Each chunk of pages writes its pairs, as they are counted, to a spool
 * of its own.  While they all fit in half the memory budget they stay
 * there and are ordered by bucket in place; past that, the spools go to
 * their files and are read back in order, once per range of buckets that
 * fits half the budget: the pages' records are read only once.
 *
 * A pair of two common terms (score_level) is not listed: on a large site
 * its list would be long to download and to build, nearly every page
 * holding both terms would be in it, and a phrase of such words is
 * answered by the pages with both (the table's "most" says which terms
 * are common).
 */
#define PAIR_BUCKETS 65536
#define PAIR_FILE 8192          /* bytes of pair lists per file, about */
#define PAIR_BLOCK 256          /* buckets a worker sorts and encodes at a time */
#define PAIR_RANGE 4096         /* buckets encoded at a time */

struct pair_entry {
	uint32_t a, b, id;      /* the pair's terms (the index's numbers), the page */
};

struct pb {
	struct ib *ib;
	uint32_t *hkey;         /* per term: FNV-1a of its key */
	uint8_t *common;        /* per term: 1 when common (score_level) */
	uint64_t *at;           /* chunk C's next place in bucket K: at[C * PAIR_BUCKETS + K] */
	uint64_t *start;        /* bucket K's entries are start[K]..start[K+1] */
	struct spool *got;      /* per chunk: its pairs (struct pair_entry), as counted */
	struct spool_reader **readers;  /* per worker, on GOT's files: a window of IB's */
	uint64_t *coff;         /* kept: chunk C's bucket K is kept_pairs(C)[coff[C * (PAIR_BUCKETS + 1) + K]..] */
	bool kept;              /* every spool of GOT is in memory */
	uint64_t ebase;         /* E holds the entries from start[] = EBASE on */
	size_t plo, phi;        /* the pass's buckets */
	size_t lo, hi;          /* the buckets being encoded */
	struct pair_entry *e;
	struct buf *blocks;     /* per PAIR_BLOCK buckets: their "key":"pages" entries */
	size_t *ends;           /* where each bucket's entries end in its block */
	struct buf cur;         /* the file being filled */
	struct group files;
	struct buf table;       /* the first bucket of each file, as varints */
	uint32_t last;          /* the first bucket of the file being filled */
};

static uint32_t fnv32(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The bucket of the pair of terms A and B (doc/search-index.md). */
static uint32_t pair_bucket(const struct pb *pb, uint32_t a, uint32_t b)
{
	return ((pb->hkey[a] * 2654435761u) ^ pb->hkey[b]) * 2246822507u >> 16;
}

/* Chunk C's pairs in memory (when PB->kept). */
static struct pair_entry *kept_pairs(const struct pb *pb, size_t c)
{
	return (struct pair_entry *)(void *)pb->got[c].mem.ptr;
}

/* Chunk C's pairs: counted per bucket and added to its spool GOT[C].
 * Each two terms in a row in a run of the page's record (search_int.h)
 * are a pair, unless both are common.  A page's pair met twice is
 * counted twice. */
static void count_pairs(void *arg, size_t c, unsigned worker)
{
	struct pb *pb = arg;
	struct ib *ib = pb->ib;
	uint64_t *at = pb->at + c * PAIR_BUCKETS;
	struct spool *got = &pb->got[c];
	uint32_t *g = NULL;     /* the page's terms, in the record's order */
	size_t cap = 0;
	for (size_t i = chunk_from(ib, c); i < chunk_from(ib, c + 1); i++) {
		const struct search_doc *d = ib->docs[i]->search;
		const uint32_t *gid = d->dict->gid;
		const unsigned char *p = doc_terms(d, reader(ib, worker, d));
		uint32_t k = get_uvar(&p), id = 0;
		if (k > cap) {
			cap = k;
			g = xrealloc(g, cap * sizeof(*g));
		}
		for (uint32_t j = 0; j < k; j++) {
			id += get_uvar(&p);
			get_uvar(&p);
			g[j] = gid[id];
		}
		k = get_uvar(&p);
		while (k--) {
			get_uvar(&p);
			p += 2;
		}
		for (uint32_t a = UINT32_MAX;;) {
			uint32_t v = get_uvar(&p);
			if (!v && a == UINT32_MAX)
				break;          /* the runs end with an empty one */
			uint32_t first = a, b = v ? g[v - 1] : UINT32_MAX;
			a = b;
			if (first == UINT32_MAX || b == UINT32_MAX || (pb->common[first] & pb->common[b]))
				continue;
			struct pair_entry e = { first, b, (uint32_t)i };
			at[pair_bucket(pb, first, b)]++;
			spool_add(got, &e, sizeof(e));
		}
	}
	free(g);
}

/* Puts chunk C's pairs of the pass's buckets at their places, reading
 * its spool from its file in order. */
static void place_pairs(void *arg, size_t c, unsigned worker)
{
	struct pb *pb = arg;
	uint64_t *at = pb->at + c * PAIR_BUCKETS, base = pb->start[pb->plo];
	const struct spool *sp = &pb->got[c];
	const size_t window = SPOOL_WINDOW / sizeof(struct pair_entry) * sizeof(struct pair_entry);
	for (uint64_t off = 0, size = spool_size(sp); off < size; off += window) {
		size_t n = size - off < window ? (size_t)(size - off) : window;
		struct pair_entry e;
		const char *p = spool_get(sp, off, n, pb->readers[worker]);
		for (size_t k = 0; k < n; k += sizeof(e)) {
			memcpy(&e, p + k, sizeof(e));
			uint32_t bucket = pair_bucket(pb, e.a, e.b);
			if (bucket >= pb->plo && bucket < pb->phi)
				pb->e[at[bucket]++ - base] = e;
		}
	}
}

/* Orders the pairs chunk C kept by bucket, in place (each bucket's in
 * any order): from its counts per bucket, each pair is moved to the next
 * free place of its bucket, and the one there moved on in turn. */
static void group_pairs(void *arg, size_t c, unsigned worker)
{
	(void)worker;
	struct pb *pb = arg;
	const uint64_t *cnt = pb->at + c * PAIR_BUCKETS;
	uint64_t *off = pb->coff + c * (PAIR_BUCKETS + 1);
	uint64_t *next = xmalloc(PAIR_BUCKETS * sizeof(*next));
	off[0] = 0;
	for (size_t k = 0; k < PAIR_BUCKETS; k++) {
		next[k] = off[k];
		off[k + 1] = off[k] + cnt[k];
	}
	struct pair_entry *e = kept_pairs(pb, c);
	for (uint32_t k = 0; k < PAIR_BUCKETS; k++) {
		while (next[k] < off[k + 1]) {
			struct pair_entry x = e[next[k]];
			uint32_t b = pair_bucket(pb, x.a, x.b);
			while (b != k) {
				struct pair_entry y = e[next[b]];
				e[next[b]++] = x;
				x = y;
				b = pair_bucket(pb, x.a, x.b);
			}
			e[next[k]++] = x;
		}
	}
	free(next);
}

static int cmp_pair(const void *x, const void *y)
{
	const struct pair_entry *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* Sorts and encodes block K of the pass's buckets: ,"first second":"pages"
 * for each pair, its pages as varints, the first id then the differences. */
static void encode_pairs(void *arg, size_t k, unsigned worker)
{
	(void)worker;
	struct pb *pb = arg;
	const char *const *keys = pb->ib->keys;
	size_t from = pb->lo + k * PAIR_BLOCK, to = from + PAIR_BLOCK;
	if (to > pb->hi)
		to = pb->hi;
	struct buf *b = &pb->blocks[k];
	struct buf key = BUF_INIT;
	struct pair_entry *all = NULL;  /* kept: the bucket's pairs from every chunk */
	size_t cap = 0;
	for (size_t bucket = from; bucket < to; bucket++) {
		size_t n = pb->start[bucket + 1] - pb->start[bucket];
		struct pair_entry *e;
		if (pb->kept) {
			if (n > cap) {
				cap = n;
				all = xrealloc(all, cap * sizeof(*all));
			}
			e = all;
			n = 0;
			for (size_t c = 0; c < pb->ib->nchunks; c++) {
				const uint64_t *off = pb->coff + c * (PAIR_BUCKETS + 1);
				size_t m = off[bucket + 1] - off[bucket];
				if (m)
					memcpy(e + n, kept_pairs(pb, c) + off[bucket], m * sizeof(*e));
				n += m;
			}
		} else {
			e = pb->e + (pb->start[bucket] - pb->ebase);
		}
		if (n > 1)
			qsort(e, n, sizeof(*e), cmp_pair);
		for (size_t j = 0; j < n;) {
			buf_reset(&key);
			buf_printf(&key, "%s %s", keys[e[j].a], keys[e[j].b]);
			buf_puts(b, ",\"");
			buf_put_json(b, key.ptr, key.len);
			buf_puts(b, "\":\"");
			uint32_t prev = 0;
			size_t i = j;
			for (; i < n && e[i].a == e[j].a && e[i].b == e[j].b; i++) {
				if (i > j && e[i].id == prev)
					continue;       /* the page has the pair twice */
				put_varint(b, e[i].id - prev);
				prev = e[i].id;
			}
			buf_putc(b, '"');
			j = i;
		}
		pb->ends[bucket - pb->lo] = b->len;
	}
	free(all);
	buf_free(&key);
}

/* Ends the file of pair lists being filled. */
static void end_pair_file(struct pb *pb)
{
	buf_putc(&pb->cur, '}');
	group_add(pb->ib->x, &pb->files, &pb->cur);
	buf_reset(&pb->cur);
}

/* Puts the pass's buckets into files of about PAIR_FILE bytes. */
static void cut_pair_files(struct pb *pb)
{
	for (size_t bucket = pb->lo; bucket < pb->hi; bucket++) {
		size_t r = bucket - pb->lo, k = r / PAIR_BLOCK;
		size_t from = r % PAIR_BLOCK ? pb->ends[r - 1] : 0, to = pb->ends[r];
		if (from == to)
			continue;
		if (pb->cur.len >= PAIR_FILE) {
			end_pair_file(pb);
			put_varint(&pb->table, (uint32_t)bucket - pb->last);
			pb->last = (uint32_t)bucket;
		}
		/* Each entry starts with a comma: the file's first is a brace. */
		buf_putc(&pb->cur, pb->cur.len ? ',' : '{');
		buf_put(&pb->cur, pb->blocks[k].ptr + from + 1, to - from - 1);
	}
}

/* Counts every chunk's pairs into its spool, kept in memory (and put in
 * order there) when they all fit in ROOM entries; then where each bucket's
 * pairs start (pb->start, pb->at). */
static void count_all_pairs(struct pb *pb, uint64_t room)
{
	struct ib *ib = pb->ib;
	size_t share = room / ib->nchunks * sizeof(struct pair_entry);
	pb->got = xcalloc(ib->nchunks, sizeof(*pb->got));
	/* Read once the pages' records are: their windows serve. */
	pb->readers = xcalloc(ib->threads, sizeof(*pb->readers));
	for (unsigned w = 0; w < ib->threads; w++)
		pb->readers[w] = &ib->readers[w * ib->nreaders];
	for (size_t c = 0; c < ib->nchunks; c++)
		spool_init(&pb->got[c], share ? share : sizeof(struct pair_entry));
	pb->at = xcalloc(ib->nchunks * PAIR_BUCKETS, sizeof(*pb->at));
	pool_run(ib->threads, ib->nchunks, count_pairs, pb);
	bool kept = true;
	for (size_t c = 0; c < ib->nchunks; c++)
		kept &= pb->got[c].filed == 0;
	pb->kept = kept;
	if (kept) {
		pb->coff = xmalloc(ib->nchunks * (PAIR_BUCKETS + 1) * sizeof(*pb->coff));
		pool_run(ib->threads, ib->nchunks, group_pairs, pb);
	} else {
		for (size_t c = 0; c < ib->nchunks; c++)
			spool_settle(&pb->got[c]);
	}
	pb->start = xmalloc((PAIR_BUCKETS + 1) * sizeof(*pb->start));
	pb->start[0] = 0;
	for (size_t k = 0; k < PAIR_BUCKETS; k++) {
		uint64_t place = pb->start[k];
		for (size_t c = 0; c < ib->nchunks; c++) {
			uint64_t n = pb->at[c * PAIR_BUCKETS + k];
			pb->at[c * PAIR_BUCKETS + k] = place;
			place += n;
		}
		pb->start[k + 1] = place;
	}
}

/* Writes the pair files: kept pairs in one pass; others are placed from
 * the chunks' spools a pass of at most ROOM entries at a time.  A pass is
 * encoded PAIR_RANGE buckets at a time, so that the text of only one
 * range is held. */
static void write_pair_files(struct pb *pb, uint64_t room)
{
	struct ib *ib = pb->ib;
	for (pb->plo = 0; pb->plo < PAIR_BUCKETS; pb->plo = pb->phi) {
		pb->phi = pb->kept ? PAIR_BUCKETS : pb->plo + 1;
		while (pb->phi < PAIR_BUCKETS && pb->start[pb->phi + 1] - pb->start[pb->plo] <= room)
			pb->phi++;
		if (!pb->kept) {
			pb->ebase = pb->start[pb->plo];
			pb->e = xmalloc((pb->start[pb->phi] - pb->start[pb->plo] + 1) * sizeof(*pb->e));
			pool_run(ib->threads, ib->nchunks, place_pairs, pb);
		}
		for (pb->lo = pb->plo; pb->lo < pb->phi; pb->lo = pb->hi) {
			pb->hi = pb->lo + PAIR_RANGE < pb->phi ? pb->lo + PAIR_RANGE : pb->phi;
			size_t nb = (pb->hi - pb->lo + PAIR_BLOCK - 1) / PAIR_BLOCK;
			pb->blocks = xcalloc(nb, sizeof(*pb->blocks));
			for (size_t k = 0; k < nb; k++)
				buf_init(&pb->blocks[k]);
			pb->ends = xmalloc((pb->hi - pb->lo) * sizeof(*pb->ends));
			pool_run(ib->threads, nb, encode_pairs, pb);
			cut_pair_files(pb);
			for (size_t k = 0; k < nb; k++)
				buf_free(&pb->blocks[k]);
			free(pb->blocks);
			free(pb->ends);
		}
		free(pb->e);
		pb->e = NULL;
	}
	if (pb->cur.len)
		end_pair_file(pb);
}

/* The files of word pairs and their table; returns the table's name, or
 * NULL when no page has two words in a row. */
static const char *build_pairs(struct ib *ib)
{
	struct pb pb = { .ib = ib, .files = { .h = HASH64_SEED } };
	pb.hkey = xmalloc((ib->nterms ? ib->nterms : 1) * sizeof(*pb.hkey));
	pb.common = xmalloc(ib->nterms ? ib->nterms : 1);
	size_t most = common_above(ib->n);
	for (size_t g = 0; g < ib->nterms; g++) {
		pb.hkey[g] = fnv32(2166136261u, ib->keys[g]);
		pb.common[g] = ib->df[g] > most;
	}
	/* The pairs counted are kept in half the budget, so that they are
	 * put in order in memory when they all fit. */
	uint64_t room = search_mem() / 2 / sizeof(struct pair_entry);
	count_all_pairs(&pb, room);
	const char *name = NULL;
	if (pb.start[PAIR_BUCKETS] != 0) {
		buf_init(&pb.cur);
		buf_init(&pb.table);
		put_varint(&pb.table, 0);
		write_pair_files(&pb, room);
		struct buf prefix = BUF_INIT, table = BUF_INIT;
		group_name(ib->x, &pb.files, "w", &prefix);
		buf_puts(&table, "{\"files\":");
		put_json_str(&table, prefix.ptr);
		buf_puts(&table, ",\"from\":");
		put_json_str(&table, pb.table.ptr);
		buf_printf(&table, ",\"most\":%zu}", most);
		name = add_file(ib->x, "x", &table)->name;
		buf_free(&prefix);
		buf_free(&table);
		buf_free(&pb.cur);
		buf_free(&pb.table);
	}
	for (size_t c = 0; c < ib->nchunks; c++)
		spool_free(&pb.got[c]);
	for (unsigned w = 0; w < ib->threads; w++)
		pb.readers[w]->sp = NULL;       /* its spool is gone */
	free(pb.readers);
	free(pb.got);
	free(pb.coff);
	free(pb.hkey);
	free(pb.common);
	free(pb.at);
	free(pb.start);
	return name;
}

/* ---- the other files ---- */

/* Writes the dictionary shard of terms [FIRST, T) and lists it in the
 * root's ROOT_DICT. */
static void dict_shard(struct ib *ib, size_t first, size_t t, struct buf *root_dict)
{
	size_t nt = ib->nterms;
	struct buf *cur = &ib->cur;
	/* The shard's postings files, numbered locally. */
	buf_reset(cur);
	buf_puts(cur, "{\"p\":[");
	uint32_t lo = first < nt ? ib->shard[first] : 0;
	uint32_t hi = t > first ? ib->shard[t - 1] : lo;
	for (uint32_t k = lo; k <= hi && k < ib->nshards; k++) {
		if (k > lo)
			buf_putc(cur, ',');
		put_json_str(cur, ib->shard_names[k]);
	}
	buf_puts(cur, "],\"t\":[");
	for (size_t k = first; k < t; k++) {
		buf_puts(cur, k > first ? ",[" : "[");
		put_json_str(cur, ib->keys[k]);
		long m = ib->smax > 0 ? lround(TERM_MAX_SCALE * ib->tmax[k] / ib->smax) : 1;
		buf_printf(cur, ",%u,%u,%ld]", ib->df[k], ib->shard[k] - lo, m < 1 ? 1 : m);
	}
	buf_puts(cur, "]}");
	struct sfile *f = add_file(ib->x, "d", cur);
	buf_puts(root_dict, root_dict->len ? "," : "");
	buf_puts(root_dict, "[");
	put_json_str(root_dict, first == 0 || first >= nt ? "" : ib->keys[first]);
	buf_putc(root_dict, ',');
	put_json_str(root_dict, f->name);
	buf_putc(root_dict, ']');
}

/* The dictionary shards, at most DICT_SHARDS_MAX. */
static void build_dict(struct ib *ib, struct buf *root_dict)
{
	size_t nt = ib->nterms, dict_bytes = 0;
	for (size_t t = 0; t < nt; t++)
		dict_bytes += strlen(ib->keys[t]) + 16;
	size_t dict_target = dict_bytes / DICT_SHARDS_MAX + 1;
	if (dict_target < DICT_SHARD)
		dict_target = DICT_SHARD;
	buf_init(&ib->cur);
	size_t first = 0, ent = 0;
	for (size_t t = 0; t <= nt; t++) {
		if (t == nt || ent >= dict_target) {
			if (t == first && t == nt && t > 0)
				break;
			dict_shard(ib, first, t, root_dict);
			ent = 0;
			first = t;
			if (t == nt)
				break;
		}
		ent += strlen(ib->keys[t]) + 16;
	}
	buf_free(&ib->cur);
}

/* Sections: runs of ids with one top-level folder, to SECS; SEC_OF gets
 * each page's, SEC_URL each section's URL. */
static void build_sections(struct ib *ib, struct buf *secs, uint32_t *sec_of,
			   const char **sec_url)
{
	struct site *s = ib->s;
	struct page **docs = ib->docs;
	size_t nsec = 0, n = ib->n;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && !strcmp(docs[j]->top, docs[i]->top))
			j++;
		const char *top = docs[i]->top, *title = s->config->title, *url = "/";
		for (size_t k = 0; k < s->nsections && *top; k++)
			if (!strcmp(s->sections[k]->dir, top)) {
				title = s->sections[k]->page->title;
				url = s->sections[k]->page->url;
			}
		buf_puts(secs, nsec ? ",[" : "[");
		put_json_str(secs, top);
		buf_putc(secs, ',');
		put_json_str(secs, title ? title : "");
		buf_putc(secs, ',');
		put_json_str(secs, url);
		buf_printf(secs, ",%zu,%zu]", i, j);
		for (size_t k = i; k < j; k++)
			sec_of[k] = (uint32_t)nsec;
		sec_url[nsec++] = url;
		i = j;
	}
}

/* The indexed pages of each term of a taxonomy, in id order: term J's are
 * ids[start[J]..start[J+1]).  ORDER lists the terms by number of pages,
 * most first (ties by index): the order of the term-list chunks. */
struct facet {
	uint32_t *start;
	uint32_t *ids;
	uint32_t *order;
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static const struct facet *sort_facet;
static int cmp_by_count(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t cx = sort_facet->start[x + 1] - sort_facet->start[x];
	uint32_t cy = sort_facet->start[y + 1] - sort_facet->start[y];
	return cx != cy ? (cx > cy ? -1 : 1) : x < y ? -1 : x > y;
}

static void build_facet(struct site *s, struct facet *f, size_t tax)
{
	struct taxonomy *tx = &s->taxonomies[tax];
	size_t nt = tx->nterms;
	f->start = xcalloc(nt + 1, sizeof(uint32_t));
	for (size_t j = 0; j < nt; j++) {
		f->start[j + 1] = f->start[j];
		for (size_t k = 0; k < tx->terms[j]->npages; k++)
			f->start[j + 1] += tx->terms[j]->pages[k]->search != NULL;
	}
	f->ids = xmalloc((f->start[nt] ? f->start[nt] : 1) * sizeof(uint32_t));
	for (size_t j = 0; j < nt; j++) {
		uint32_t at = f->start[j];
		for (size_t k = 0; k < tx->terms[j]->npages; k++) {
			struct page *p = tx->terms[j]->pages[k];
			if (p->search)
				f->ids[at++] = p->search->id;
		}
		qsort(f->ids + f->start[j], at - f->start[j], sizeof(uint32_t), cmp_u32);
	}
	f->order = xmalloc((nt ? nt : 1) * sizeof(uint32_t));
	for (size_t j = 0; j < nt; j++)
		f->order[j] = (uint32_t)j;
	sort_facet = f;
	qsort(f->order, nt, sizeof(uint32_t), cmp_by_count);
}

/* The taxonomies' names files and facets; TAXES gets the root's list,
 * each taxonomy with the number of its first term-list chunk. */
static void build_taxonomies(struct ib *ib, struct facet *facets, struct buf *taxes)
{
	struct site *s = ib->s;
	struct buf cur = BUF_INIT;
	size_t nchunks = 0;
	for (size_t k = 0; k < s->config->ntax; k++) {
		struct taxonomy *tx = &s->taxonomies[k];
		build_facet(s, &facets[k], k);
		buf_putc(&cur, '[');
		for (size_t j = 0; j < tx->nterms; j++) {
			buf_puts(&cur, j ? ",[" : "[");
			put_json_str(&cur, tx->terms[j]->name);
			buf_putc(&cur, ',');
			put_json_str(&cur, tx->terms[j]->url);
			buf_printf(&cur, ",%u]", facets[k].start[j + 1] - facets[k].start[j]);
		}
		buf_putc(&cur, ']');
		struct sfile *f = add_file(ib->x, "n", &cur);
		buf_puts(taxes, k ? ",[" : "[");
		put_json_str(taxes, tx->conf->name);
		buf_putc(taxes, ',');
		const char *tt = tx->page && tx->page->title ? tx->page->title : tx->conf->name;
		put_json_str(taxes, tt);
		buf_putc(taxes, ',');
		put_json_str(taxes, f->name);
		buf_printf(taxes, ",%zu]", nchunks);
		nchunks += (tx->nterms + TERM_CHUNK - 1) / TERM_CHUNK;
	}
	buf_free(&cur);
}

struct pack_job {
	struct ib *ib;
	const uint32_t *sec_of;
	const char *const *sec_url;
	size_t first;           /* the batch's first pack */
	struct buf *out;        /* the batch's packs */
};

/* Pack FIRST + K: its pages' entries. */
static void make_pack(void *arg, size_t k, unsigned worker)
{
	struct pack_job *j = arg;
	struct ib *ib = j->ib;
	struct buf *b = &j->out[k];
	size_t from = (j->first + k) * PACK_PAGES;
	buf_reset(b);
	buf_putc(b, '[');
	for (size_t i = from; i < ib->n && i < from + PACK_PAGES; i++) {
		struct page *p = ib->docs[i];
		/* The URL after its section's, when it starts with it. */
		const char *su = j->sec_url[j->sec_of[i]], *u = p->url;
		size_t n = strlen(su);
		if (n && su[n - 1] == '/' && !strncmp(u, su, n))
			u += n;
		buf_puts(b, i > from ? ",[" : "[");
		put_json_str(b, u);
		buf_putc(b, ',');
		put_json_str(b, p->title);
		buf_printf(b, ",%u", j->sec_of[i]);
		buf_put(b, doc_pack(p->search, reader(ib, worker, p->search)), p->search->npack_bytes);
	}
	buf_putc(b, ']');
}

/* The page packs, PACK_BATCH at a time on all workers; KEY gets their
 * names' prefix. */
static void build_packs(struct ib *ib, const uint32_t *sec_of, const char *const *sec_url,
			struct buf *key)
{
	size_t npacks = (ib->n + PACK_PAGES - 1) / PACK_PAGES;
	struct pack_job j = { .ib = ib, .sec_of = sec_of, .sec_url = sec_url };
	j.out = xcalloc(PACK_BATCH, sizeof(*j.out));
	for (size_t k = 0; k < PACK_BATCH; k++)
		buf_init(&j.out[k]);
	struct group g = { .h = HASH64_SEED };
	for (j.first = 0; j.first < npacks; j.first += PACK_BATCH) {
		size_t nb = npacks - j.first < PACK_BATCH ? npacks - j.first : PACK_BATCH;
		pool_run(ib->threads, nb, make_pack, &j);
		for (size_t k = 0; k < nb; k++)
			group_add(ib->x, &g, &j.out[k]);
	}
	group_name(ib->x, &g, "g", key);
	for (size_t k = 0; k < PACK_BATCH; k++)
		buf_free(&j.out[k]);
	free(j.out);
}

/* Term lists, TERM_CHUNK terms a file, each taxonomy's terms by number
 * of pages; KEY gets their names' prefix. */
static void build_term_lists(struct ib *ib, const struct facet *facets, struct buf *key)
{
	struct site *s = ib->s;
	struct buf b = BUF_INIT, enc = BUF_INIT;
	struct group grp = { .h = HASH64_SEED };
	for (size_t k = 0; k < s->config->ntax; k++) {
		const struct facet *f = &facets[k];
		size_t nt = s->taxonomies[k].nterms;
		for (size_t r = 0; r < nt; r += TERM_CHUNK) {
			buf_reset(&b);
			buf_putc(&b, '[');
			for (size_t q = r; q < nt && q < r + TERM_CHUNK; q++) {
				uint32_t j = f->order[q], prev = 0;
				buf_reset(&enc);
				for (uint32_t i = f->start[j]; i < f->start[j + 1]; i++) {
					put_varint(&enc, f->ids[i] - prev);
					prev = f->ids[i];
				}
				buf_printf(&b, q > r ? ",[%u," : "[%u,", j);
				put_json_str(&b, enc.len ? enc.ptr : "");
				buf_putc(&b, ']');
			}
			buf_putc(&b, ']');
			group_add(ib->x, &grp, &b);
		}
	}
	if (grp.n)
		group_name(ib->x, &grp, "t", key);
	buf_free(&b);
	buf_free(&enc);
}

/* The root file, which search_root names. */
static void build_root(struct ib *ib, const struct buf *packs_key, const struct buf *chunks_key,
		       const struct buf *root_dict, const struct buf *secs, const struct buf *taxes,
		       const char *pairs)
{
	struct buf cur = BUF_INIT;
	buf_printf(&cur, "{\"version\":2,\"pages\":%zu,\"score\":%d,\"pack\":%d,\"packs\":", ib->n,
		   SCORE_MAX, PACK_PAGES);
	put_json_str(&cur, packs_key->ptr);
	buf_printf(&cur, ",\"chunk\":%d,\"terms\":", TERM_CHUNK);
	if (chunks_key->len)
		put_json_str(&cur, chunks_key->ptr);
	else
		buf_puts(&cur, "null");
	if (ib->s->config->search_page_excerpts)
		buf_puts(&cur, ",\"excerpts\":\"page\"");
	buf_puts(&cur, ",\"pairs\":");
	if (pairs)
		put_json_str(&cur, pairs);
	else
		buf_puts(&cur, "null");
	buf_puts(&cur, ",\"dict\":[");
	buf_put(&cur, root_dict->ptr, root_dict->len);
	buf_puts(&cur, "],\"sections\":[");
	buf_put(&cur, secs->ptr, secs->len);
	buf_puts(&cur, "],\"taxonomies\":[");
	buf_put(&cur, taxes->ptr, taxes->len);
	buf_puts(&cur, "],\"lists\":[");
	for (size_t i = 0, k = 0; i < ib->n; i++)
		if (ib->docs[i]->search->listing)
			buf_printf(&cur, k++ ? ",%zu" : "%zu", i);
	buf_puts(&cur, "]}");
	add_file(ib->x, "r", &cur);
	ib->x->root = ib->x->n;
	buf_free(&cur);
}

bool search_enabled(const struct site *s)
{
	return s->config->search;
}

/* Frees the files laid out by the last search_build. */
static void free_layout(struct search_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->files[i].name);
	free(x->files);
	x->files = NULL;
	x->n = x->cap = 0;
	spool_free(&x->data);
	spool_init(&x->data, search_mem() / 16);
	strmap_free(&x->names);
	x->root = 0;
}

static void free_build(struct ib *ib)
{
	for (size_t i = 0; i < ib->ndicts; i++) {
		free(ib->dicts[i]->gid);
		free(ib->dicts[i]->order);
		ib->dicts[i]->gid = ib->dicts[i]->order = NULL;
	}
	for (size_t k = 0; k < ib->threads * ib->nreaders; k++)
		buf_free(&ib->readers[k].b);
	free(ib->readers);
	free(ib->dicts);
	free(ib->docs);
	free(ib->lens);
	free(ib->keys);
	free(ib->df);
	free(ib->start);
	free(ib->at);
	free(ib->tmax);
	free(ib->shard);
	free(ib->shard_names);
}

void search_build(struct site *s)
{
	struct search_index *x = index_of(s);
	free_layout(x);
	/* The pages' records are read from their files from here on. */
	for (size_t i = 0; i < x->nstores; i++)
		spool_settle(&x->stores[i]->docs);
	struct ib ib = { .s = s, .x = x, .threads = s->threads ? s->threads : 1 };
	ib.nreaders = x->nstores ? x->nstores : 1;
	ib.readers = xcalloc(ib.threads * ib.nreaders, sizeof(*ib.readers));
	for (size_t k = 0; k < ib.threads * ib.nreaders; k++)
		buf_init(&ib.readers[k].b);

	number_pages(&ib);
	merge_dicts(&ib);
	count_postings(&ib);
	build_postings(&ib);
	const char *pairs = build_pairs(&ib);
	struct buf root_dict = BUF_INIT, secs = BUF_INIT, taxes = BUF_INIT;
	struct buf packs_key = BUF_INIT, chunks_key = BUF_INIT;
	build_dict(&ib, &root_dict);
	uint32_t *sec_of = xmalloc((ib.n ? ib.n : 1) * sizeof(*sec_of));
	const char **sec_url = xmalloc((ib.n ? ib.n : 1) * sizeof(*sec_url));
	build_sections(&ib, &secs, sec_of, sec_url);
	size_t ntax = s->config->ntax;
	struct facet *facets = xcalloc(ntax ? ntax : 1, sizeof(*facets));
	build_taxonomies(&ib, facets, &taxes);
	build_packs(&ib, sec_of, sec_url, &packs_key);
	build_term_lists(&ib, facets, &chunks_key);
	build_root(&ib, &packs_key, &chunks_key, &root_dict, &secs, &taxes, pairs);

	for (size_t i = 0; i < x->n; i++)
		strmap_put(&x->names, x->files[i].name, &x->files[i]);
	/* Not read again before search_write: out of memory while pages
	 * render. */
	spool_settle(&x->data);
	for (size_t k = 0; k < ntax; k++) {
		free(facets[k].start);
		free(facets[k].ids);
		free(facets[k].order);
	}
	free(facets);
	free(sec_of);
	free(sec_url);
	buf_free(&root_dict);
	buf_free(&secs);
	buf_free(&taxes);
	buf_free(&packs_key);
	buf_free(&chunks_key);
	free_build(&ib);
}

struct write_job {
	struct site *s;
	struct output *o;
	struct spool_reader *readers;   /* one per worker */
};

static void write_one(void *arg, size_t i, unsigned worker)
{
	struct write_job *j = arg;
	struct search_index *x = j->s->search;
	struct sfile *f = &x->files[i];
	struct buf path = BUF_INIT;
	buf_printf(&path, "search/%s", f->name);
	const char *data = spool_get(&x->data, f->off, f->len, &j->readers[worker]);
	/* A failure is an error in s->d: the build is not committed. */
	(void)output_write(j->o, path.ptr, data, f->len, j->s->d);
	buf_free(&path);
}

void search_write(struct site *s, struct output *o)
{
	struct search_index *x = s->search;
	if (!x)
		return;
	struct buf path = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < x->n && rc == 0; i++) {
		buf_reset(&path);
		buf_printf(&path, "search/%s", x->files[i].name);
		links_file(s, path.ptr);
		rc = site_check_file(s, path.ptr, "the search index");
	}
	buf_free(&path);
	if (rc < 0)
		return;         /* a page is where a file goes: an error in s->d */
	unsigned threads = s->threads ? s->threads : 1;
	struct write_job j = { .s = s, .o = o };
	j.readers = xcalloc(threads, sizeof(*j.readers));
	for (unsigned w = 0; w < threads; w++)
		buf_init(&j.readers[w].b);
	pool_run(threads, x->n, write_one, &j);
	for (unsigned w = 0; w < threads; w++)
		buf_free(&j.readers[w].b);
	free(j.readers);
}

void search_free(struct site *s)
{
	struct search_index *x = s->search;
	if (!x)
		return;
	free_layout(x);
	spool_free(&x->data);
	for (size_t i = 0; i < x->nstores; i++) {
		struct search_store *st = x->stores[i];
		free(st->dict.keys);
		spool_free(&st->docs);
		arena_free(st->a);
		free(st);
	}
	free(x->stores);
	free(x);
	s->search = NULL;
}

bool search_has_file(const struct site *s, const char *rel)
{
	if (!s->search || strncmp(rel, "search/", 7))
		return false;
	return strmap_get(&s->search->names, rel + 7) != NULL;
}

size_t search_files(const struct site *s)
{
	return s->search ? s->search->n : 0;
}

const char *search_file_name(const struct site *s, size_t i)
{
	return s->search->files[i].name;
}

const char *search_root(const struct site *s)
{
	return s->search && s->search->root ? s->search->files[s->search->root - 1].name : NULL;
}
