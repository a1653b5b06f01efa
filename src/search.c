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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pool.h"
#include "spool.h"
#include "taxonomy.h"

/* ---- text to terms ---- */

/* A dictionary of stems, numbered as they are first seen: one per worker
 * of the Markdown stage, or one per page indexed on its own (a page
 * edited while folio serve runs).  A page's terms are numbers into its
 * dictionary; search_build merges the dictionaries into the index's. */
struct search_dict {
	const char **keys;      /* by number, NUL-terminated */
	uint32_t n, cap;
	uint32_t *gid;          /* during search_build: number -> the index's term */
	uint32_t *order;        /* during search_build: numbers in key order */
};

/* What the Markdown stage keeps for the index, per worker: the worker's
 * dictionary and its pages' records (see "one page"). */
struct search_store {
	struct search_dict dict;
	struct spool docs;
	arena *a;               /* the dictionary's keys */
};

/* A stem, interned per tokenizer.  GEN and SLOT say where it is counted
 * in the page being read, so a page's terms are tallied without a second
 * lookup. */
struct stem {
	const char *key;
	uint32_t len;
	uint32_t id;            /* its number in the tokenizer's dictionary */
	uint32_t gen, slot;
};

/* One term of the page being read: its number and weighted frequency. */
struct tf {
	uint32_t id, tf;
};

/* One term of the page's title (doc/search-index.md, "Title places"). */
struct tterm {
	uint32_t id;
	uint8_t pos, form;
};

/* A word already seen, with its hash, to its stem. */
struct word_slot {
	uint64_t h;
	const char *w;
	uint32_t len;
	struct stem *st;
};

#define WORD_HASH_SEED 14695981039346656037ULL
#define WORD_HASH_PRIME 1099511628211ULL

struct search_tokenizer {
	struct sb_stemmer *stemmer;
	/* The word being read, folded (only its first SEARCH_MAX_TOKEN bytes
	 * are kept: a longer word is dropped), and its hash so far. */
	char tok[SEARCH_MAX_TOKEN + 1];
	size_t toklen;
	uint64_t tokh;
	/* Words already seen, to their stems: a word's stem is looked up, not
	 * worked out again (most words of a site recur). */
	struct word_slot *words;
	size_t nwords, capwords;
	struct strmap stems;
	struct stem stop;       /* what stop words map to */
	uint32_t gen;
	arena *a;
	/* Where stems are numbered: the store's dictionary for a tokenizer of
	 * the Markdown stage, else OWN_DICT. */
	struct search_store *store;
	struct search_dict *dict, own_dict;
	arena *keys;            /* the stems' keys */
	struct stem **by_id;
	/* The page being read. */
	struct tf *terms;
	size_t nterms, capterms;
	struct tterm *tt;
	size_t ntt, captt;
	struct buf enc;
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
	t->tokh = WORD_HASH_SEED;
	buf_init(&t->enc);
	t->a = arena_new();
	t->keys = t->a;
	t->dict = &t->own_dict;
	return t;
}

void search_tokenizer_free(struct search_tokenizer *t)
{
	if (!t)
		return;
	sb_stemmer_delete(t->stemmer);
	buf_free(&t->enc);
	free(t->words);
	strmap_free(&t->stems);
	arena_free(t->a);
	free(t->own_dict.keys);
	free(t->by_id);
	free(t->terms);
	free(t->tt);
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

/* A new stem S[0..N), numbered in the tokenizer's dictionary. */
static struct stem *new_stem(struct search_tokenizer *t, const char *s, size_t n)
{
	struct search_dict *d = t->dict;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->keys = xrealloc(d->keys, d->cap * sizeof(*d->keys));
		t->by_id = xrealloc(t->by_id, d->cap * sizeof(*t->by_id));
	}
	struct stem *st = arena_zalloc(t->a, sizeof(*st));
	st->key = arena_strndup(t->keys, s, n);
	st->len = (uint32_t)n;
	st->id = d->n++;
	d->keys[st->id] = st->key;
	t->by_id[st->id] = st;
	strmap_putn(&t->stems, st->key, n, st);
	return st;
}

/* The stem of the word being read, if it was seen before. */
static struct stem *word_get(const struct search_tokenizer *t)
{
	if (!t->capwords)
		return NULL;
	size_t mask = t->capwords - 1;
	for (size_t i = t->tokh & mask;; i = (i + 1) & mask) {
		const struct word_slot *w = &t->words[i];
		if (!w->w)
			return NULL;
		if (w->h == t->tokh && w->len == t->toklen && !memcmp(w->w, t->tok, t->toklen))
			return w->st;
	}
}

static void word_put(struct search_tokenizer *t, uint64_t h, const char *w, uint32_t len,
		     struct stem *st)
{
	if ((t->nwords + 1) * 2 > t->capwords) {
		size_t cap = t->capwords ? 2 * t->capwords : 1024;
		struct word_slot *slots = xcalloc(cap, sizeof(*slots));
		for (size_t i = 0; i < t->capwords; i++) {
			if (!t->words[i].w)
				continue;
			size_t j = t->words[i].h & (cap - 1);
			while (slots[j].w)
				j = (j + 1) & (cap - 1);
			slots[j] = t->words[i];
		}
		free(t->words);
		t->words = slots;
		t->capwords = cap;
	}
	size_t j = h & (t->capwords - 1);
	while (t->words[j].w)
		j = (j + 1) & (t->capwords - 1);
	t->words[j] = (struct word_slot){ h, w, len, st };
	t->nwords++;
}

/* The stem of the word being read, or NULL when it is dropped. */
static struct stem *resolve(struct search_tokenizer *t)
{
	if (t->toklen > SEARCH_MAX_TOKEN)
		return NULL;
	struct stem *st = word_get(t);
	if (!st) {
		char *word = arena_strndup(t->a, t->tok, t->toklen);
		if (is_stop_word(word)) {
			st = &t->stop;
		} else {
			size_t n;
			const char *s = search_stem(t, word, t->toklen, &n);
			st = strmap_getn(&t->stems, s, n);
			if (!st)
				st = new_stem(t, s, n);
		}
		word_put(t, t->tokh, word, (uint32_t)t->toklen, st);
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

/* Adds P[0..K) to the word being read. */
static inline void tok_put(struct search_tokenizer *t, const void *p, size_t k)
{
	const unsigned char *b = p;
	for (size_t j = 0; j < k; j++) {
		if (t->toklen < SEARCH_MAX_TOKEN)
			t->tok[t->toklen] = (char)b[j];
		t->toklen++;
		t->tokh = (t->tokh ^ b[j]) * WORD_HASH_PRIME;
	}
}

/* The word being read, if any and if kept, to FN; starts a new one. */
static inline void flush(struct search_tokenizer *t, stem_fn fn, void *arg)
{
	if (!t->toklen)
		return;
	struct stem *st = resolve(t);
	if (st)
		fn(arg, st);
	t->toklen = 0;
	t->tokh = WORD_HASH_SEED;
}

/* Emits the terms of a run of dense characters S[0..N): each character,
 * then it and the next one (doc/search-index.md, step 1). */
static void dense_run(struct search_tokenizer *t, const unsigned char *s, size_t n,
		      stem_fn fn, void *arg)
{
	size_t i = 0, k, k2;
	while (i < n) {
		utf8_next(s + i, n - i, &k);
		tok_put(t, s + i, k);
		flush(t, fn, arg);
		if (i + k < n) {
			utf8_next(s + i + k, n - i - k, &k2);
			tok_put(t, s + i, k + k2);
			flush(t, fn, arg);
		}
		i += k;
	}
}

/* ASCII bytes: 0 for a separator, else the byte lowercased. */
static const unsigned char ascii_fold[128] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 0, 0, 0, 0, 0, 0,
	0, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 0, 0, 0, 0, 0,
	0, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 0, 0, 0, 0, 0,
};

/* Calls FN with the stem of each word of TEXT[0..N) that is kept. */
static void scan(struct search_tokenizer *t, const char *text, size_t n, stem_fn fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, dense = SIZE_MAX;       /* start of a run of dense characters */
	t->toklen = 0;
	t->tokh = WORD_HASH_SEED;
	while (i < n) {
		if (s[i] < 0x80 && dense == SIZE_MAX) {
			/* Most text: ASCII separators, and runs of ASCII letters
			 * and digits, read in a tight loop. */
			unsigned char c = ascii_fold[s[i]];
			if (!c) {
				flush(t, fn, arg);
				i++;
				continue;
			}
			size_t len = t->toklen;
			uint64_t h = t->tokh;
			do {
				if (len < SEARCH_MAX_TOKEN)
					t->tok[len] = (char)c;
				len++;
				h = (h ^ c) * WORD_HASH_PRIME;
				i++;
			} while (i < n && s[i] < 0x80 && (c = ascii_fold[s[i]]) != 0);
			t->toklen = len;
			t->tokh = h;
			continue;
		}
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
			tok_put(t, &ascii_fold[c], 1);
		else if (c <= 0x17F)
			tok_put(t, fold_table[c - 0xC0], strlen(fold_table[c - 0xC0]));
		else
			tok_put(t, s + i, k);
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

/*
 * What the index keeps of a page until search_build: a small record in
 * the page's arena, and its bytes (in the worker's spool, or for a page
 * indexed on its own in the arena with a dictionary of its own):
 *
 *   terms part: the number of terms, then per term, by number, the
 *               difference to the previous number and the weighted
 *               frequency; the number of title terms, then per title
 *               term its number, its place (+ 32 when it is the title's
 *               last term) and its form hash.  All varints (7 bits a
 *               byte, low bits first).
 *   pack part:  the page's entry in its pack from after "s":N on:
 *               [,"e":excerpt][,"h":[...]]} -- ready to copy.
 */
struct search_doc {
	struct search_dict *dict;
	const struct spool *spool;      /* NULL: the bytes are at DATA */
	const char *data;
	uint64_t off;                   /* in SPOOL */
	uint32_t nterm_bytes, npack_bytes;
	uint32_t len;                   /* weighted number of tokens */
	uint32_t id;                    /* the page's number in the index */
	bool listing;                   /* a section or home page */
};

static void put_uvar(struct buf *b, uint32_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (int)(v & 0x7F) | 0x80);
		v >>= 7;
	}
	buf_putc(b, (int)v);
}

static uint32_t get_uvar(const unsigned char **p)
{
	uint32_t v = 0;
	for (int shift = 0;; shift += 7) {
		unsigned c = *(*p)++;
		v |= (uint32_t)(c & 0x7F) << shift;
		if (c < 0x80)
			return v;
	}
}

static void put_json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	buf_put_json(b, s, strlen(s));
	buf_putc(b, '"');
}

struct doc_builder {
	uint32_t gen;           /* the tokenizer's number for this page */
	uint32_t weight;
	uint32_t len;
	struct search_tokenizer *tk;
	bool in_title;          /* collecting the title's terms */
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
	struct search_tokenizer *t = b->tk;
	uint32_t pos = b->tpos++;
	for (size_t i = 0; i < t->ntt; i++)
		if (t->tt[i].id == st->id)
			return;
	if (t->ntt == t->captt) {
		t->captt = t->captt ? 2 * t->captt : 8;
		t->tt = xrealloc(t->tt, t->captt * sizeof(*t->tt));
	}
	struct tterm *x = &t->tt[t->ntt++];
	x->id = st->id;
	x->pos = (uint8_t)(pos < SEARCH_TITLE_POS_MAX ? pos : SEARCH_TITLE_POS_MAX);
	x->form = form_hash(t->tok, t->toklen);
}

static void add_term(void *arg, struct stem *st)
{
	struct doc_builder *b = arg;
	struct search_tokenizer *t = b->tk;
	b->len += b->weight;
	if (b->in_title)
		add_title_term(b, st);
	if (st->gen == b->gen) {
		t->terms[st->slot].tf += b->weight;
		return;
	}
	if (t->nterms == t->capterms) {
		t->capterms = t->capterms ? 2 * t->capterms : 256;
		t->terms = xrealloc(t->terms, t->capterms * sizeof(*t->terms));
	}
	st->gen = b->gen;
	st->slot = (uint32_t)t->nterms;
	t->terms[t->nterms++] = (struct tf){ st->id, b->weight };
}

static void add_text(struct search_tokenizer *t, struct doc_builder *b, uint32_t weight,
		     const char *s, size_t n)
{
	b->weight = weight;
	scan(t, s, n, add_term, b);
}

/* Squeezes white space in S[0..N) into at most MAX bytes, cut after a
 * whole word (and never inside a UTF-8 sequence), into OUT. */
static void cut_text(struct buf *out, const char *s, size_t n, size_t max)
{
	struct buf *b = out;
	bool sp = false;
	buf_reset(b);
	for (size_t i = 0; i < n && b->len <= max + 4; i++) {
		if (is_space(s[i]) || s[i] == '\0') {
			sp = b->len > 0;
			continue;
		}
		if (sp)
			buf_putc(b, ' ');
		sp = false;
		buf_putc(b, s[i]);
	}
	if (b->len > max) {
		size_t k = max - 3;     /* room for the ellipsis */
		while (k > 0 && ((unsigned char)b->ptr[k] & 0xC0) == 0x80)
			k--;
		size_t w = k;
		while (w > 0 && b->ptr[w] != ' ')
			w--;
		buf_truncate(b, w > max / 2 ? w : k);
		buf_puts(b, "\xE2\x80\xA6");
	}
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

/* Tokenizes the page's fields, in the order their weights are counted. */
static void read_fields(struct search_tokenizer *t, struct doc_builder *b, const struct site *s,
			const struct page *p, const char *text, size_t len, const size_t *heads_at)
{
	b->in_title = true;
	add_text(t, b, SEARCH_W_TITLE, p->title, strlen(p->title));
	b->in_title = false;
	size_t nh = p->anchors.n;
	size_t from = 0;
	for (size_t i = 0; i <= nh; i++) {
		size_t to = i < nh ? heads_at[2 * i] : len;
		if (to > from)
			add_text(t, b, SEARCH_W_BODY, text + from, to - from);
		if (i < nh) {
			add_text(t, b, SEARCH_W_HEADING, text + heads_at[2 * i],
				 heads_at[2 * i + 1] - heads_at[2 * i]);
			from = heads_at[2 * i + 1];
		}
	}
	for (size_t k = 0; k < s->config->ntax; k++) {
		value *l = value_map_get(p->fm, s->config->tax[k].key);
		if (l && l->type == V_LIST)
			for (size_t j = 0; j < l->u.list.n; j++) {
				value *e = l->u.list.items[j];
				if (e->type == V_STRING)
					add_text(t, b, SEARCH_W_TERMS, e->u.str.s, e->u.str.len);
			}
	}
	if (p->summary)
		add_text(t, b, SEARCH_W_SUMMARY, p->summary, strlen(p->summary));
}

static int cmp_tf(const void *a, const void *b)
{
	uint32_t x = ((const struct tf *)a)->id, y = ((const struct tf *)b)->id;
	return x < y ? -1 : x > y;
}

/* Writes the terms part of the page just read to OUT.  With OWN, terms
 * are numbered in the order they came (the page's own dictionary), else
 * by the tokenizer's numbers. */
static void put_terms(struct search_tokenizer *t, const struct doc_builder *b, struct buf *out,
		      bool own)
{
	if (!own)
		qsort(t->terms, t->nterms, sizeof(*t->terms), cmp_tf);
	put_uvar(out, (uint32_t)t->nterms);
	uint32_t prev = 0;
	for (size_t i = 0; i < t->nterms; i++) {
		uint32_t id = own ? (uint32_t)i : t->terms[i].id;
		put_uvar(out, id - prev);
		put_uvar(out, t->terms[i].tf);
		prev = id;
	}
	/* The last term written is flagged even when an earlier place of it
	 * is the one kept. */
	uint32_t last = b->tpos - 1;
	put_uvar(out, (uint32_t)t->ntt);
	for (size_t i = 0; i < t->ntt; i++) {
		struct tterm *x = &t->tt[i];
		bool is_last = last < SEARCH_TITLE_POS_MAX && x->pos == last;
		put_uvar(out, own ? t->by_id[x->id]->slot : x->id);
		buf_putc(out, x->pos | (is_last ? 32 : 0));
		buf_putc(out, x->form);
	}
}

/* Writes the page's entry in its pack from after its section on: the
 * excerpt and the headings with the text under the first of them. */
static void put_pack_part(struct buf *out, const struct page *p, const char *text, size_t len,
			  const size_t *heads_at)
{
	struct buf excerpt = BUF_INIT, cut = BUF_INIT;
	cut_text(&excerpt, p->summary ? p->summary : "", p->summary ? strlen(p->summary) : 0,
		 SEARCH_EXCERPT_MAX);
	if (excerpt.len) {
		buf_puts(out, ",\"e\":");
		put_json_str(out, excerpt.ptr);
	}
	size_t nh = p->anchors.n, nheads = nh < SEARCH_HEADS_MAX ? nh : SEARCH_HEADS_MAX;
	size_t snippets = 0;
	for (size_t i = 0; i < nheads; i++) {
		size_t hs = heads_at[2 * i], he = heads_at[2 * i + 1];
		size_t end = i + 1 < nh ? heads_at[2 * (i + 1)] : len;
		const char *id = p->anchors.ids[i];
		cut_text(&cut, text + hs, he - hs, SEARCH_HEADING_MAX);
		buf_puts(out, i ? ",[" : ",\"h\":[[");
		put_json_str(out, simple_id(cut.ptr, id) ? "" : id);
		buf_putc(out, ',');
		put_json_str(out, cut.ptr);
		buf_putc(out, ',');
		/* The text under the first heading is often the summary. */
		if (snippets < SEARCH_SNIPPETS) {
			cut_text(&cut, text + he, end - he, SEARCH_SNIPPET_MAX);
			if (cut.len && strncmp(cut.ptr, excerpt.ptr, 32))
				snippets++;
			else
				buf_reset(&cut);
		} else {
			buf_reset(&cut);
		}
		put_json_str(out, cut.ptr);
		buf_putc(out, ']');
	}
	buf_puts(out, nheads ? "]}" : "}");
	buf_free(&excerpt);
	buf_free(&cut);
}

/* A dictionary of the page's own terms, for a tokenizer with no store. */
static struct search_dict *page_dict(struct search_tokenizer *t, arena *a)
{
	struct search_dict *d = arena_zalloc(a, sizeof(*d));
	d->n = d->cap = (uint32_t)t->nterms;
	d->keys = arena_alloc(a, (t->nterms ? t->nterms : 1) * sizeof(*d->keys));
	for (size_t i = 0; i < t->nterms; i++)
		d->keys[i] = arena_strdup(a, t->dict->keys[t->terms[i].id]);
	return d;
}

void search_page_doc(struct search_tokenizer *t, const struct site *s, struct page *p,
		     const char *text, size_t len, const size_t *heads_at, arena *a)
{
	value *v = value_map_get(p->fm, "search");
	if (v && v->type == V_BOOL && !v->u.b)
		return;
	struct doc_builder b = { .gen = ++t->gen, .tk = t };
	t->nterms = t->ntt = 0;
	read_fields(t, &b, s, p, text, len, heads_at);

	struct search_doc *d = arena_zalloc(a, sizeof(*d));
	struct buf *e = &t->enc;
	buf_reset(e);
	put_terms(t, &b, e, !t->store);
	d->nterm_bytes = (uint32_t)e->len;
	put_pack_part(e, p, text, len, heads_at);
	d->npack_bytes = (uint32_t)(e->len - d->nterm_bytes);
	if (t->store) {
		d->dict = &t->store->dict;
		d->spool = &t->store->docs;
		d->off = spool_add(&t->store->docs, e->ptr, e->len);
	} else {
		d->dict = page_dict(t, a);
		char *data = arena_alloc(a, e->len ? e->len : 1);
		memcpy(data, e->ptr, e->len);
		d->data = data;
	}
	d->len = b.len;
	d->listing = p->kind == PAGE_SECTION || p->kind == PAGE_HOME;
	p->search = d;
}

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
	arena *mem;             /* site.search */
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

struct search_tokenizer *search_tokenizer_for(struct site *s)
{
	struct search_index *x = index_of(s);
	struct search_store *st = xcalloc(1, sizeof(*st));
	st->a = arena_new();
	spool_init(&st->docs, search_mem() / 4 / (s->threads ? s->threads : 1));
	x->stores = xrealloc(x->stores, (x->nstores + 1) * sizeof(*x->stores));
	x->stores[x->nstores++] = st;
	struct search_tokenizer *t = search_tokenizer_new();
	t->store = st;
	t->dict = &st->dict;
	t->keys = st->a;
	return t;
}

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
 * each page's. */
static void build_sections(struct ib *ib, struct buf *secs, uint32_t *sec_of)
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
		nsec++;
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

/* The taxonomies' names files and facets; TAXES gets the root's list.
 * Returns the number of term-list chunks. */
static size_t build_taxonomies(struct ib *ib, struct facet *facets, struct buf *taxes)
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
	return nchunks;
}

struct pack_job {
	struct ib *ib;
	const uint32_t *sec_of;
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
		buf_puts(b, i > from ? ",{\"u\":" : "{\"u\":");
		put_json_str(b, p->url);
		buf_puts(b, ",\"t\":");
		put_json_str(b, p->title);
		buf_printf(b, ",\"s\":%u", j->sec_of[i]);
		buf_put(b, doc_pack(p->search, reader(ib, worker, p->search)), p->search->npack_bytes);
	}
	buf_putc(b, ']');
}

/* The page packs, PACK_BATCH at a time on all workers; KEY gets their
 * names' prefix. */
static void build_packs(struct ib *ib, const uint32_t *sec_of, struct buf *key)
{
	size_t npacks = (ib->n + PACK_PAGES - 1) / PACK_PAGES;
	struct pack_job j = { .ib = ib, .sec_of = sec_of };
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

/* The root file; sets site.search. */
static void build_root(struct ib *ib, const struct buf *packs_key, const struct buf *chunks_key,
		       const struct buf *root_dict, const struct buf *secs, const struct buf *taxes)
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
	struct sfile *root = add_file(ib->x, "r", &cur);
	buf_free(&cur);

	struct site *s = ib->s;
	arena *a = ib->x->mem;
	value *sv = value_map(a);
	value_map_set(a, sv, "url", value_str(a, "/search/"));
	struct buf url = BUF_INIT;
	buf_printf(&url, "/search/%s", root->name);
	value_map_set(a, sv, "root", value_str(a, url.ptr));
	value_map_set(a, s->site_value ? s->site_value : s->config->raw, "search", sv);
	buf_free(&url);
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
	arena_free(x->mem);
	x->mem = NULL;
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

int search_build(struct site *s)
{
	struct search_index *x = index_of(s);
	free_layout(x);
	/* Its own memory, freed with it: folio serve rebuilds it often. */
	x->mem = arena_new();
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
	struct buf root_dict = BUF_INIT, secs = BUF_INIT, taxes = BUF_INIT;
	struct buf packs_key = BUF_INIT, chunks_key = BUF_INIT;
	build_dict(&ib, &root_dict);
	uint32_t *sec_of = xmalloc((ib.n ? ib.n : 1) * sizeof(*sec_of));
	build_sections(&ib, &secs, sec_of);
	size_t ntax = s->config->ntax;
	struct facet *facets = xcalloc(ntax ? ntax : 1, sizeof(*facets));
	build_taxonomies(&ib, facets, &taxes);
	build_packs(&ib, sec_of, &packs_key);
	build_term_lists(&ib, facets, &chunks_key);
	build_root(&ib, &packs_key, &chunks_key, &root_dict, &secs, &taxes);

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
	buf_free(&root_dict);
	buf_free(&secs);
	buf_free(&taxes);
	buf_free(&packs_key);
	buf_free(&chunks_key);
	free_build(&ib);
	return (int)x->n;
}

struct write_job {
	struct site *s;
	struct output *o;
	struct spool_reader *readers;   /* one per worker */
	atomic_int rc;
};

static void write_one(void *arg, size_t i, unsigned worker)
{
	struct write_job *j = arg;
	struct search_index *x = j->s->search;
	struct sfile *f = &x->files[i];
	struct buf path = BUF_INIT;
	buf_printf(&path, "search/%s", f->name);
	const char *data = spool_get(&x->data, f->off, f->len, &j->readers[worker]);
	if (output_write(j->o, path.ptr, data, f->len, j->s->d) != 0)
		atomic_store(&j->rc, -1);
	buf_free(&path);
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
	}
	buf_free(&path);
	if (rc)
		return rc;
	unsigned threads = s->threads ? s->threads : 1;
	struct write_job j = { .s = s, .o = o };
	atomic_init(&j.rc, 0);
	j.readers = xcalloc(threads, sizeof(*j.readers));
	for (unsigned w = 0; w < threads; w++)
		buf_init(&j.readers[w].b);
	pool_run(threads, x->n, write_one, &j);
	for (unsigned w = 0; w < threads; w++)
		buf_free(&j.readers[w].b);
	free(j.readers);
	return atomic_load(&j.rc);
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
