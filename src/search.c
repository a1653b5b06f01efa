/*
 * search.c - the search index (doc/search-index.md).
 *
 * Text becomes terms in three steps: split into runs of word characters,
 * fold case and accents, drop stop words and stem.  The client does the
 * same to queries (assets/js/search.js); tests/search/tokens.tsv keeps the
 * two in step.
 *
 * The index is laid out so a query fetches little: a root file, sorted
 * dictionary shards, postings shards, and page packs; every name carries a
 * hash of the content.  Scores are BM25 over weighted fields, computed
 * here and quantized to one character per posting.
 */
#include "search.h"

#include "links.h"

#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "taxonomy.h"

/* ---- text to terms ---- */

/* A stem, interned per tokenizer.  GEN and SLOT say where it is counted
 * in the page being read, so a page's terms are tallied without a second
 * lookup. */
struct stem {
	const char *key;
	size_t len;
	uint32_t gen, slot;
};

struct search_tokenizer {
	struct sb_stemmer *stemmer;
	struct buf tok;
	/* Words already seen, to their stems: a word's stem is looked up, not
	 * worked out again (most words of a site recur). */
	struct strmap words;
	struct strmap stems;
	struct stem stop;       /* what stop words map to */
	uint32_t gen;
	arena *a;
};

/* Folded forms of U+00C0..U+017F; "-" marks the two that are not letters. */
static const char *const fold_table[192] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "-", "o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", "-", "o", "u", "u", "u", "u", "y", "th", "y",
	"a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	"d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	"g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	"i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	"l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	"o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	"s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	"u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Sorted, for bsearch. */
static const char *const stop_words[] = {
	"a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has",
	"have", "he", "her", "his", "i", "if", "in", "into", "is", "it", "its", "me",
	"my", "no", "not", "of", "on", "or", "our", "s", "she", "so", "t", "than",
	"that", "the", "their", "them", "then", "there", "these", "they", "this", "to",
	"was", "we", "were", "what", "when", "which", "who", "will", "with", "you", "your",
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_stop_word(const char *w)
{
	return bsearch(&w, stop_words, sizeof(stop_words) / sizeof(stop_words[0]),
		       sizeof(stop_words[0]), cmp_str) != NULL;
}

static bool is_word_cp(uint32_t c)
{
	if (c < 0x80)
		return is_alnum((int)c);
	return (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
	       (c >= 0x370 && c <= 0x1FFF) || (c >= 0x3040 && c <= 0x9FFF) ||
	       (c >= 0xAC00 && c <= 0xD7AF);
}

/* Decodes one UTF-8 sequence at S (N > 0 bytes left); sets *LEN.  Bad
 * bytes decode as U+FFFD, one byte at a time. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t c = s[0];
	size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (k == 0 || k > n || c > 0xF4) {
		*len = 1;
		return 0xFFFD;
	}
	if (k == 1) {
		*len = 1;
		return c;
	}
	c &= 0x3F >> (k - 1);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*len = 1;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	*len = k;
	return c;
}

struct search_tokenizer *search_tokenizer_new(void)
{
	struct search_tokenizer *t = xcalloc(1, sizeof(*t));
	t->stemmer = sb_stemmer_new("english", "UTF_8");
	if (!t->stemmer)
		die("libstemmer has no English stemmer");
	buf_init(&t->tok);
	t->a = arena_new();
	return t;
}

void search_tokenizer_free(struct search_tokenizer *t)
{
	if (!t)
		return;
	sb_stemmer_delete(t->stemmer);
	buf_free(&t->tok);
	strmap_free(&t->words);
	strmap_free(&t->stems);
	arena_free(t->a);
	free(t);
}

const char *search_stem(struct search_tokenizer *t, const char *w, size_t n, size_t *len)
{
	const sb_symbol *st = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)n);
	if (!st) {
		*len = n;
		return w;
	}
	*len = (size_t)sb_stemmer_length(t->stemmer);
	return (const char *)st;
}

/* The stem of the word in t->tok, or NULL when it is dropped. */
static struct stem *resolve(struct search_tokenizer *t)
{
	struct buf *w = &t->tok;
	if (w->len == 0 || w->len > SEARCH_MAX_TOKEN)
		return NULL;
	struct stem *st = strmap_getn(&t->words, w->ptr, w->len);
	if (!st) {
		char *word = arena_strndup(t->a, w->ptr, w->len);
		if (is_stop_word(word)) {
			st = &t->stop;
		} else {
			size_t n;
			const char *s = search_stem(t, w->ptr, w->len, &n);
			st = strmap_getn(&t->stems, s, n);
			if (!st) {
				st = arena_zalloc(t->a, sizeof(*st));
				st->key = arena_strndup(t->a, s, n);
				st->len = n;
				strmap_putn(&t->stems, st->key, n, st);
			}
		}
		strmap_putn(&t->words, word, w->len, st);
	}
	return st->len ? st : NULL;
}

typedef void (*stem_fn)(void *arg, struct stem *st);

/* Scripts written without spaces (kana and CJK ideographs): their runs are
 * cut into every character and every pair of neighbours. */
static bool is_dense_cp(uint32_t c)
{
	return c >= 0x3040 && c <= 0x9FFF;
}

/* The kept word in t->tok, if any, to FN; empties t->tok. */
static void flush(struct search_tokenizer *t, stem_fn fn, void *arg)
{
	struct stem *st = resolve(t);
	if (st)
		fn(arg, st);
	buf_reset(&t->tok);
}

/* Emits the terms of a run of dense characters S[0..N): each character,
 * then it and the next one (doc/search-index.md, step 1). */
static void dense_run(struct search_tokenizer *t, const unsigned char *s, size_t n,
		      stem_fn fn, void *arg)
{
	size_t i = 0, k, k2;
	while (i < n) {
		utf8_next(s + i, n - i, &k);
		buf_reset(&t->tok);
		buf_put(&t->tok, s + i, k);
		flush(t, fn, arg);
		if (i + k < n) {
			utf8_next(s + i + k, n - i - k, &k2);
			buf_put(&t->tok, s + i, k + k2);
			flush(t, fn, arg);
		}
		i += k;
	}
}

/* Calls FN with the stem of each word of TEXT[0..N) that is kept. */
static void scan(struct search_tokenizer *t, const char *text, size_t n, stem_fn fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, dense = SIZE_MAX;       /* start of a run of dense characters */
	buf_reset(&t->tok);
	while (i < n) {
		size_t k;
		uint32_t c = utf8_next(s + i, n - i, &k);
		if (is_dense_cp(c)) {
			if (dense == SIZE_MAX) {
				flush(t, fn, arg);
				dense = i;
			}
			i += k;
			continue;
		}
		if (dense != SIZE_MAX) {
			dense_run(t, s + dense, i - dense, fn, arg);
			dense = SIZE_MAX;
		}
		if (!is_word_cp(c))
			flush(t, fn, arg);
		else if (c < 0x80)
			buf_putc(&t->tok, to_lower((int)c));
		else if (c <= 0x17F)
			buf_puts(&t->tok, fold_table[c - 0xC0]);
		else
			buf_put(&t->tok, s + i, k);
		i += k;
	}
	if (dense != SIZE_MAX)
		dense_run(t, s + dense, n - dense, fn, arg);
	flush(t, fn, arg);
}

struct terms_call {
	search_term_fn fn;
	void *arg;
};

static void call_terms(void *arg, struct stem *st)
{
	struct terms_call *c = arg;
	c->fn(c->arg, st->key, st->len);
}

void search_terms(struct search_tokenizer *t, const char *text, size_t n,
		  search_term_fn fn, void *arg)
{
	struct terms_call c = { fn, arg };
	scan(t, text, n, call_terms, &c);
}

/* ---- one page ---- */

struct doc_builder {
	uint32_t gen;           /* the tokenizer's number for this page */
	struct search_term *terms;
	size_t n, cap;
	uint32_t weight;
	uint32_t len;
	arena *a;
	struct search_tokenizer *tk;
	bool in_title;          /* collecting the title's terms */
	struct search_tterm *tt;
	size_t ntt, captt;
	uint32_t tpos;
};

/* The exact-form hash of a folded word: the top 6 bits of its 32-bit
 * FNV-1a hash (doc/search-index.md, "Postings"). */
static uint8_t form_hash(const char *w, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)w[i];
		h *= 16777619u;
	}
	return (uint8_t)(h >> 26);
}

static void add_title_term(struct doc_builder *b, struct stem *st)
{
	uint32_t pos = b->tpos++;
	for (size_t i = 0; i < b->ntt; i++)
		if (!strcmp(b->tt[i].key, st->key))
			return;
	if (b->ntt == b->captt) {
		b->captt = b->captt ? 2 * b->captt : 8;
		b->tt = xrealloc(b->tt, b->captt * sizeof(*b->tt));
	}
	struct search_tterm *x = &b->tt[b->ntt++];
	x->key = st->key;
	x->pos = (uint8_t)(pos < SEARCH_TITLE_POS_MAX ? pos : SEARCH_TITLE_POS_MAX);
	x->form = form_hash(b->tk->tok.ptr, b->tk->tok.len);
	x->last = false;
}

static void add_term(void *arg, struct stem *st)
{
	struct doc_builder *b = arg;
	b->len += b->weight;
	if (b->in_title)
		add_title_term(b, st);
	if (st->gen == b->gen) {
		b->terms[st->slot].tf += b->weight;
		return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 64;
		b->terms = xrealloc(b->terms, b->cap * sizeof(*b->terms));
	}
	st->gen = b->gen;
	st->slot = (uint32_t)b->n;
	b->terms[b->n].key = arena_strndup(b->a, st->key, st->len);
	b->terms[b->n].tf = b->weight;
	b->n++;
}

static void add_text(struct search_tokenizer *t, struct doc_builder *b, uint32_t weight,
		     const char *s, size_t n)
{
	b->weight = weight;
	scan(t, s, n, add_term, b);
}

/* Squeezes white space in S[0..N) into at most MAX bytes, cut after a
 * whole word (and never inside a UTF-8 sequence). */
static const char *cut_text(arena *a, const char *s, size_t n, size_t max)
{
	struct buf b = BUF_INIT;
	bool sp = false;
	for (size_t i = 0; i < n && b.len <= max + 4; i++) {
		if (is_space(s[i]) || s[i] == '\0') {
			sp = b.len > 0;
			continue;
		}
		if (sp)
			buf_putc(&b, ' ');
		sp = false;
		buf_putc(&b, s[i]);
	}
	if (b.len > max) {
		size_t k = max - 3;     /* room for the ellipsis */
		while (k > 0 && ((unsigned char)b.ptr[k] & 0xC0) == 0x80)
			k--;
		size_t w = k;
		while (w > 0 && b.ptr[w] != ' ')
			w--;
		buf_truncate(&b, w > max / 2 ? w : k);
		buf_puts(&b, "\xE2\x80\xA6");
	}
	char *r = arena_strndup(a, b.ptr, b.len);
	buf_free(&b);
	return r;
}

void search_page_doc(struct search_tokenizer *t, const struct site *s, struct page *p,
		     const char *text, size_t len, const size_t *heads_at, arena *a)
{
	/* The front matter's search: and terms, unpacked for this page only. */
	arena *fa = arena_new();
	value *fm = page_fm(p, fa);
	value *v = value_map_get(fm, "search");
	if (v && v->type == V_BOOL && !v->u.b) {
		arena_free(fa);
		return;
	}
	struct doc_builder b = { .a = a, .gen = ++t->gen, .tk = t, .in_title = true };
	add_text(t, &b, SEARCH_W_TITLE, p->title, strlen(p->title));
	b.in_title = false;

	size_t nh = p->anchors.n;
	size_t from = 0;
	for (size_t i = 0; i <= nh; i++) {
		size_t to = i < nh ? heads_at[2 * i] : len;
		if (to > from)
			add_text(t, &b, SEARCH_W_BODY, text + from, to - from);
		if (i < nh) {
			add_text(t, &b, SEARCH_W_HEADING, text + heads_at[2 * i],
				 heads_at[2 * i + 1] - heads_at[2 * i]);
			from = heads_at[2 * i + 1];
		}
	}
	for (size_t k = 0; k < s->config->ntax; k++) {
		value *l = value_map_get(fm, s->config->tax[k].key);
		if (l && l->type == V_LIST)
			for (size_t j = 0; j < l->u.list.n; j++) {
				value *e = l->u.list.items[j];
				if (e->type == V_STRING)
					add_text(t, &b, SEARCH_W_TERMS, e->u.str.s, e->u.str.len);
			}
	}
	arena_free(fa);
	if (p->summary)
		add_text(t, &b, SEARCH_W_SUMMARY, p->summary, strlen(p->summary));

	struct search_doc *d = arena_zalloc(a, sizeof(*d));
	d->terms = arena_alloc(a, (b.n ? b.n : 1) * sizeof(*d->terms));
	if (b.n)
		memcpy(d->terms, b.terms, b.n * sizeof(*b.terms));
	d->nterms = b.n;
	d->len = b.len;
	/* The title's terms; the last term written is flagged even when an
	 * earlier place of it is the one kept. */
	d->tterms = arena_alloc(a, (b.ntt ? b.ntt : 1) * sizeof(*d->tterms));
	for (size_t i = 0; i < b.ntt; i++) {
		d->tterms[i] = b.tt[i];
		d->tterms[i].key = arena_strdup(a, b.tt[i].key);
		d->tterms[i].last = b.tpos - 1 < SEARCH_TITLE_POS_MAX && b.tt[i].pos == b.tpos - 1;
	}
	d->ntterms = b.ntt;
	d->listing = p->kind == PAGE_SECTION || p->kind == PAGE_HOME;
	d->excerpt = cut_text(a, p->summary ? p->summary : "",
			      p->summary ? strlen(p->summary) : 0, SEARCH_EXCERPT_MAX);
	d->nheads = nh < SEARCH_HEADS_MAX ? nh : SEARCH_HEADS_MAX;
	d->heads = arena_alloc(a, (d->nheads ? d->nheads : 1) * sizeof(*d->heads));
	size_t snippets = 0;
	for (size_t i = 0; i < d->nheads; i++) {
		size_t hs = heads_at[2 * i], he = heads_at[2 * i + 1];
		size_t end = i + 1 < nh ? heads_at[2 * (i + 1)] : len;
		d->heads[i].id = p->anchors.ids[i];
		d->heads[i].text = cut_text(a, text + hs, he - hs, SEARCH_HEADING_MAX);
		d->heads[i].snippet = "";
		if (snippets == SEARCH_SNIPPETS)
			continue;
		/* The text under the first heading is often the summary. */
		const char *sn = cut_text(a, text + he, end - he, SEARCH_SNIPPET_MAX);
		if (*sn && strncmp(sn, d->excerpt, 32)) {
			d->heads[i].snippet = sn;
			snippets++;
		}
	}
	p->search = d;
	free(b.terms);
	free(b.tt);
}

/* ---- the whole index ---- */

struct posting {
	uint32_t id;
	uint32_t tf;
	double score;
	const struct search_tterm *title;       /* the term's place in the title */
};

struct gterm {
	const char *key;
	struct posting *p;
	size_t n, cap;
	double max;             /* the largest score */
	uint32_t shard;         /* postings shard */
};

struct sfile {
	char *name;
	char *data;
	size_t len;
};

struct search_index {
	struct sfile *files;
	size_t n, cap;
	arena *mem;             /* the build's working memory, and site.search */
};

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define POSTINGS_SHARD 4096     /* bytes of postings per file, about */
#define DICT_SHARD 8192         /* bytes of dictionary per shard, at least */
#define DICT_SHARDS_MAX 256     /* the root lists at most this many */
#define PACK_PAGES 5
#define TERM_CHUNK 12           /* term lists per file: a filter shows 12 terms */
#define SCORE_MAX 15         /* scores are 1..SCORE_MAX of the term's largest */
#define TERM_MAX_SCALE 10000    /* a term's largest score, against the index's */

/* The quantized score of a posting whose score is R times its term's
 * largest, for a term in DF of N pages.  Terms in more than one page in
 * COMMON_PART, and in at least COMMON_MIN pages, weigh little (their idf
 * is small) and are many: they get only three levels, 5, 10 and 15, which
 * keeps the postings of large sites small. */
#define COMMON_PART 8
#define COMMON_MIN 1000
static long score_level(double r, size_t df, size_t n)
{
	bool common = df * COMMON_PART > n && df >= COMMON_MIN;
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

static void put_json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	buf_put_json(b, s, strlen(s));
	buf_putc(b, '"');
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

/* Adds the file PREFIX.HASH.json, HASH of DATA's bytes.  Takes DATA. */
static struct sfile *add_file(struct search_index *x, const char *prefix, struct buf *data)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->files = xrealloc(x->files, x->cap * sizeof(*x->files));
	}
	struct sfile *f = &x->files[x->n++];
	struct buf name = BUF_INIT;
	uint64_t h = hash_final(hash64(data->ptr, data->len));
	buf_printf(&name, "%s.%012llx.json", prefix, (unsigned long long)(h >> 16));
	f->name = buf_detach(&name, NULL);
	f->data = buf_detach(data, &f->len);
	return f;
}

static int cmp_doc_page(const void *a, const void *b)
{
	const struct page *p = *(struct page *const *)a, *q = *(struct page *const *)b;
	int c = strcmp(p->top, q->top);
	return c ? c : strcmp(p->rel, q->rel);
}

static int cmp_gterm(const void *a, const void *b)
{
	return strcmp((*(struct gterm *const *)a)->key, (*(struct gterm *const *)b)->key);
}

static void push_posting(struct gterm *t, uint32_t id, uint32_t tf)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4;
		t->p = xrealloc(t->p, t->cap * sizeof(*t->p));
	}
	t->p[t->n].id = id;
	t->p[t->n].tf = tf;
	t->p[t->n].score = 0;
	t->p[t->n].title = NULL;
	t->n++;
}

static struct gterm *get_term(struct strmap *m, arena *a, const char *key)
{
	struct gterm *t = strmap_get(m, key);
	if (!t) {
		t = arena_zalloc(a, sizeof(*t));
		t->key = key;
		strmap_put(m, key, t);
	}
	return t;
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

/* Whether ID is TEXT with ASCII letters lowercased, ASCII letters and
 * digits kept and every run of other bytes made one "-", none at either
 * end: the client then works it out, and the pack holds "" instead. */
static bool simple_id(const char *text, const char *id)
{
	struct buf b = BUF_INIT;
	bool dash = false;
	for (const char *c = text; *c; c++) {
		if (is_alnum((unsigned char)*c)) {
			if (dash && b.len)
				buf_putc(&b, '-');
			dash = false;
			buf_putc(&b, to_lower((unsigned char)*c));
		} else {
			dash = true;
		}
	}
	bool same = b.len && !strcmp(b.ptr, id);
	buf_free(&b);
	return same;
}

static void write_pack_page(struct buf *b, struct page *p, size_t section)
{
	struct search_doc *d = p->search;
	buf_puts(b, "{\"u\":");
	put_json_str(b, p->url);
	buf_puts(b, ",\"t\":");
	put_json_str(b, p->title);
	buf_printf(b, ",\"s\":%zu", section);
	if (*d->excerpt) {
		buf_puts(b, ",\"e\":");
		put_json_str(b, d->excerpt);
	}
	if (d->nheads) {
		buf_puts(b, ",\"h\":[");
		for (size_t h = 0; h < d->nheads; h++) {
			buf_puts(b, h ? ",[" : "[");
			put_json_str(b, simple_id(d->heads[h].text, d->heads[h].id) ? "" : d->heads[h].id);
			buf_putc(b, ',');
			put_json_str(b, d->heads[h].text);
			buf_putc(b, ',');
			put_json_str(b, d->heads[h].snippet);
			buf_putc(b, ']');
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

/* Writes numbered files sharing one hash: PREFIX.HASH.K.json. */
static void add_group(struct search_index *x, const char *prefix, struct buf *parts,
		      size_t n, struct buf *root_key)
{
	uint64_t h = HASH64_SEED;
	for (size_t k = 0; k < n; k++)
		h = hash64_more(h, parts[k].ptr, parts[k].len + 1);
	h = hash_final(h);
	buf_printf(root_key, "%s.%012llx.", prefix, (unsigned long long)(h >> 16));
	for (size_t k = 0; k < n; k++) {
		if (x->n == x->cap) {
			x->cap = x->cap ? 2 * x->cap : 64;
			x->files = xrealloc(x->files, x->cap * sizeof(*x->files));
		}
		struct sfile *f = &x->files[x->n++];
		struct buf name = BUF_INIT;
		buf_printf(&name, "%s%zu.json", root_key->ptr, k);
		f->name = buf_detach(&name, NULL);
		f->data = buf_detach(&parts[k], &f->len);
	}
}

bool search_enabled(const struct site *s)
{
	return s->config->search;
}

int search_build(struct site *s)
{
	struct search_index *x = xcalloc(1, sizeof(*x));
	/* Its own memory, freed with it: folio serve rebuilds it often. */
	x->mem = arena_new();
	arena *a = x->mem;
	s->search = x;

	/* Page ids: by top-level section, then path. */
	size_t n = 0;
	for (size_t i = 0; i < s->ncontent; i++)
		if (s->pages[i]->search)
			n++;
	struct page **docs = xmalloc((n ? n : 1) * sizeof(*docs));
	n = 0;
	for (size_t i = 0; i < s->ncontent; i++)
		if (s->pages[i]->search)
			docs[n++] = s->pages[i];
	qsort(docs, n, sizeof(*docs), cmp_doc_page);

	/* Postings, in id order. */
	struct strmap map = STRMAP_INIT;
	struct gterm **terms = NULL;
	size_t nterms = 0, capterms = 0;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		struct search_doc *d = docs[i]->search;
		d->id = (uint32_t)i;
		total += d->len;
		for (size_t k = 0; k < d->nterms; k++) {
			struct gterm *t = get_term(&map, a, d->terms[k].key);
			if (t->n == 0) {
				if (nterms == capterms) {
					capterms = capterms ? 2 * capterms : 256;
					terms = xrealloc(terms, capterms * sizeof(*terms));
				}
				terms[nterms++] = t;
			}
			push_posting(t, (uint32_t)i, d->terms[k].tf);
		}
		for (size_t k = 0; k < d->ntterms; k++) {
			struct gterm *t = strmap_get(&map, d->tterms[k].key);
			if (t && t->n && t->p[t->n - 1].id == i)
				t->p[t->n - 1].title = &d->tterms[k];
		}
	}

	/* BM25 scores.  Each term's scores are quantized against its own
	 * largest, which the dictionary gives against the index's largest. */
	double avglen = n ? total / (double)n : 1, smax = 0;
	if (avglen <= 0)
		avglen = 1;
	const double k1 = 1.2, b = 0.75;
	for (size_t t = 0; t < nterms; t++) {
		struct gterm *g = terms[t];
		double df = (double)g->n;
		double idf = log(1 + ((double)n - df + 0.5) / (df + 0.5));
		for (size_t k = 0; k < g->n; k++) {
			double tf = g->p[k].tf;
			double len = docs[g->p[k].id]->search->len;
			double sc = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen));
			g->p[k].score = sc;
			if (sc > g->max)
				g->max = sc;
			if (sc > smax)
				smax = sc;
		}
	}
	if (nterms > 1)
		qsort(terms, nterms, sizeof(*terms), cmp_gterm);

	/* Postings shards, in key order. */
	struct buf cur = BUF_INIT, enc = BUF_INIT;
	size_t nshards = 0;
	const char **shard_names = NULL;
	for (size_t t = 0; t <= nterms; t++) {
		if (t == nterms || (cur.len > 0 && cur.len >= POSTINGS_SHARD)) {
			if (cur.len == 0)
				break;
			buf_putc(&cur, '}');
			struct sfile *f = add_file(x, "p", &cur);
			shard_names = xrealloc(shard_names, (nshards + 1) * sizeof(*shard_names));
			shard_names[nshards++] = f->name;
			if (t == nterms)
				break;
		}
		struct gterm *g = terms[t];
		buf_reset(&enc);
		uint32_t prev = 0;
		for (size_t k = 0; k < g->n; k++) {
			const struct search_tterm *tt = g->p[k].title;
			put_varint(&enc, (g->p[k].id - prev) << 1 | (tt != NULL));
			prev = g->p[k].id;
			long q = score_level(g->p[k].score / g->max, g->n, n);
			buf_putc(&enc, alphabet[q]);
			if (tt) {
				buf_putc(&enc, alphabet[tt->pos | (tt->last ? 32 : 0)]);
				buf_putc(&enc, alphabet[tt->form]);
			}
		}
		buf_putc(&cur, cur.len ? ',' : '{');
		put_json_str(&cur, g->key);
		buf_putc(&cur, ':');
		put_json_str(&cur, enc.ptr);
		g->shard = (uint32_t)nshards;
	}

	/* Dictionary shards. */
	size_t dict_bytes = 0;
	for (size_t t = 0; t < nterms; t++)
		dict_bytes += strlen(terms[t]->key) + 16;
	size_t dict_target = dict_bytes / DICT_SHARDS_MAX + 1;
	if (dict_target < DICT_SHARD)
		dict_target = DICT_SHARD;
	struct buf root_dict = BUF_INIT, ent = BUF_INIT;
	size_t first = 0;
	for (size_t t = 0; t <= nterms; t++) {
		if (t == nterms || ent.len >= dict_target) {
			if (t == first && t == nterms && t > 0)
				break;
			/* The shard's postings files, numbered locally. */
			buf_reset(&cur);
			buf_puts(&cur, "{\"p\":[");
			uint32_t lo = first < nterms ? terms[first]->shard : 0;
			uint32_t hi = t > first ? terms[t - 1]->shard : lo;
			for (uint32_t k = lo; k <= hi && k < nshards; k++) {
				if (k > lo)
					buf_putc(&cur, ',');
				put_json_str(&cur, shard_names[k]);
			}
			buf_puts(&cur, "],\"t\":[");
			for (size_t k = first; k < t; k++) {
				buf_puts(&cur, k > first ? ",[" : "[");
				put_json_str(&cur, terms[k]->key);
				long m = smax > 0 ? lround(TERM_MAX_SCALE * terms[k]->max / smax) : 1;
				buf_printf(&cur, ",%zu,%u,%ld]", terms[k]->n, terms[k]->shard - lo,
					   m < 1 ? 1 : m);
			}
			buf_puts(&cur, "]}");
			struct sfile *f = add_file(x, "d", &cur);
			buf_puts(&root_dict, root_dict.len ? "," : "");
			buf_puts(&root_dict, "[");
			put_json_str(&root_dict, first == 0 || first >= nterms ? "" : terms[first]->key);
			buf_putc(&root_dict, ',');
			put_json_str(&root_dict, f->name);
			buf_putc(&root_dict, ']');
			buf_reset(&ent);
			first = t;
			if (t == nterms)
				break;
		}
		buf_puts(&ent, terms[t]->key);
		buf_put(&ent, "................", 16);
	}
	buf_free(&ent);

	/* Sections: runs of ids with one top-level folder. */
	struct buf secs = BUF_INIT;
	size_t nsec = 0;
	size_t *sec_of = xmalloc((n ? n : 1) * sizeof(size_t));
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
		buf_puts(&secs, nsec ? ",[" : "[");
		put_json_str(&secs, top);
		buf_putc(&secs, ',');
		put_json_str(&secs, title ? title : "");
		buf_putc(&secs, ',');
		put_json_str(&secs, url);
		buf_printf(&secs, ",%zu,%zu]", i, j);
		for (size_t k = i; k < j; k++)
			sec_of[k] = nsec;
		nsec++;
		i = j;
	}

	/* Taxonomy names and facets. */
	size_t ntax = s->config->ntax;
	struct facet *facets = xcalloc(ntax ? ntax : 1, sizeof(*facets));
	struct buf taxes = BUF_INIT;
	size_t nchunks = 0;
	for (size_t k = 0; k < ntax; k++) {
		struct taxonomy *tx = &s->taxonomies[k];
		build_facet(s, &facets[k], k);
		buf_reset(&cur);
		buf_putc(&cur, '[');
		for (size_t j = 0; j < tx->nterms; j++) {
			buf_puts(&cur, j ? ",[" : "[");
			put_json_str(&cur, tx->terms[j]->name);
			buf_putc(&cur, ',');
			put_json_str(&cur, tx->terms[j]->url);
			buf_printf(&cur, ",%u]", facets[k].start[j + 1] - facets[k].start[j]);
		}
		buf_putc(&cur, ']');
		struct sfile *f = add_file(x, "n", &cur);
		buf_puts(&taxes, k ? ",[" : "[");
		put_json_str(&taxes, tx->conf->name);
		buf_putc(&taxes, ',');
		const char *tt = tx->page && tx->page->title ? tx->page->title : tx->conf->name;
		put_json_str(&taxes, tt);
		buf_putc(&taxes, ',');
		put_json_str(&taxes, f->name);
		buf_printf(&taxes, ",%zu]", nchunks);
		nchunks += (tx->nterms + TERM_CHUNK - 1) / TERM_CHUNK;
	}

	/* Page packs. */
	size_t npacks = (n + PACK_PAGES - 1) / PACK_PAGES;
	struct buf *packs = xcalloc(npacks ? npacks : 1, sizeof(*packs));
	for (size_t k = 0; k < npacks; k++) {
		buf_init(&packs[k]);
		buf_putc(&packs[k], '[');
		for (size_t i = k * PACK_PAGES; i < n && i < (k + 1) * PACK_PAGES; i++) {
			if (i > k * PACK_PAGES)
				buf_putc(&packs[k], ',');
			write_pack_page(&packs[k], docs[i], sec_of[i]);
		}
		buf_putc(&packs[k], ']');
	}
	struct buf packs_key = BUF_INIT, chunks_key = BUF_INIT;
	add_group(x, "g", packs, npacks, &packs_key);

	/* Term lists, TERM_CHUNK terms a file, each taxonomy's terms by number
	 * of pages. */
	struct buf *chunks = xcalloc(nchunks ? nchunks : 1, sizeof(*chunks));
	for (size_t k = 0, c = 0; k < ntax; k++) {
		struct facet *f = &facets[k];
		size_t nt = s->taxonomies[k].nterms;
		for (size_t r = 0; r < nt; r += TERM_CHUNK, c++) {
			struct buf *b = &chunks[c];
			buf_init(b);
			buf_putc(b, '[');
			for (size_t q = r; q < nt && q < r + TERM_CHUNK; q++) {
				uint32_t j = f->order[q], prev = 0;
				buf_reset(&enc);
				for (uint32_t i = f->start[j]; i < f->start[j + 1]; i++) {
					put_varint(&enc, f->ids[i] - prev);
					prev = f->ids[i];
				}
				buf_printf(b, q > r ? ",[%u," : "[%u,", j);
				put_json_str(b, enc.len ? enc.ptr : "");
				buf_putc(b, ']');
			}
			buf_putc(b, ']');
		}
	}
	if (nchunks)
		add_group(x, "t", chunks, nchunks, &chunks_key);

	/* The root. */
	buf_reset(&cur);
	buf_printf(&cur, "{\"version\":2,\"pages\":%zu,\"score\":%d,\"pack\":%d,\"packs\":", n,
		   SCORE_MAX, PACK_PAGES);
	put_json_str(&cur, packs_key.ptr);
	buf_printf(&cur, ",\"chunk\":%d,\"terms\":", TERM_CHUNK);
	if (nchunks)
		put_json_str(&cur, chunks_key.ptr);
	else
		buf_puts(&cur, "null");
	buf_puts(&cur, ",\"dict\":[");
	buf_put(&cur, root_dict.ptr, root_dict.len);
	buf_puts(&cur, "],\"sections\":[");
	buf_put(&cur, secs.ptr, secs.len);
	buf_puts(&cur, "],\"taxonomies\":[");
	buf_put(&cur, taxes.ptr, taxes.len);
	buf_puts(&cur, "],\"lists\":[");
	for (size_t i = 0, k = 0; i < n; i++)
		if (docs[i]->search->listing)
			buf_printf(&cur, k++ ? ",%zu" : "%zu", i);
	buf_puts(&cur, "]}");
	struct sfile *root = add_file(x, "r", &cur);

	value *sv = value_map(a);
	value_map_set(a, sv, "url", value_str(a, "/search/"));
	struct buf url = BUF_INIT;
	buf_printf(&url, "/search/%s", root->name);
	value_map_set(a, sv, "root", value_str(a, url.ptr));
	value_map_set(a, s->site_value ? s->site_value : s->config->raw, "search", sv);
	buf_free(&url);

	for (size_t k = 0; k < ntax; k++) {
		free(facets[k].start);
		free(facets[k].ids);
		free(facets[k].order);
	}
	free(facets);
	free(packs);
	free(chunks);
	free(sec_of);
	free(shard_names);
	for (size_t t = 0; t < nterms; t++)
		free(terms[t]->p);
	free(terms);
	free(docs);
	strmap_free(&map);
	buf_free(&cur);
	buf_free(&enc);
	buf_free(&root_dict);
	buf_free(&secs);
	buf_free(&taxes);
	buf_free(&packs_key);
	buf_free(&chunks_key);
	return (int)x->n;
}

int search_write(struct site *s, struct output *o)
{
	struct search_index *x = s->search;
	if (!x)
		return 0;
	struct buf path = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < x->n && rc == 0; i++) {
		buf_reset(&path);
		buf_printf(&path, "search/%s", x->files[i].name);
		links_file(s, path.ptr);
		rc = site_check_file(s, path.ptr, "the search index");
		if (rc == 0)
			rc = output_write(o, path.ptr, x->files[i].data, x->files[i].len, s->d);
	}
	buf_free(&path);
	return rc;
}

void search_free(struct site *s)
{
	struct search_index *x = s->search;
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++) {
		free(x->files[i].name);
		free(x->files[i].data);
	}
	free(x->files);
	arena_free(x->mem);
	free(x);
	s->search = NULL;
}

bool search_has_file(const struct site *s, const char *rel)
{
	if (!s->search || strncmp(rel, "search/", 7))
		return false;
	for (size_t i = 0; i < s->search->n; i++)
		if (!strcmp(s->search->files[i].name, rel + 7))
			return true;
	return false;
}

size_t search_files(const struct site *s)
{
	return s->search ? s->search->n : 0;
}

const char *search_file_name(const struct site *s, size_t i)
{
	return s->search->files[i].name;
}
