/*
 * search.c - the search index's text to terms, and what it keeps of each
 * page (doc/search-index.md).
 *
 * Text becomes terms in three steps: split into runs of word characters,
 * fold case and accents, drop stop words and stem.  The client does the
 * same to queries (assets/js/search.js); tests/search/tokens.tsv keeps the
 * two in step.
 *
 * Each page's terms are kept in compact form for the index, which
 * search_index.c builds from them.
 */
#include "search.h"
#include "search_int.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* ---- text to terms ---- */

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


struct search_tokenizer {
	struct sb_stemmer *stemmer;
	/* The word being read, folded (only its first SEARCH_MAX_TOKEN bytes
	 * are kept: a longer word is dropped).  The bytes after it are 0, so
	 * it is hashed and compared 8 bytes at a time. */
	char tok[(SEARCH_MAX_TOKEN + 8) / 8 * 8];
	size_t toklen;
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
	arena *fm;              /* the page's front matter, unpacked */
	arena *keys;            /* the stems' keys */
	struct stem **by_id;
	/* The page being read. */
	struct tf *terms;
	size_t nterms, capterms;
	struct tterm *tt;
	size_t ntt, captt;
	/* The page's terms in text order (stop words left out), by slot in
	 * TERMS, for its word pairs: RUN_END after each run of two words or
	 * more in a row (a run ends with a text or at a dense run); RANK is
	 * a slot's place among the terms as the record lists them. */
	uint32_t *seq, *rank;
	size_t nseq, capseq;
	bool in_dense;          /* emitting the terms of a dense run */
	/* Where the word being read starts and ends in the text scan reads;
	 * the page's body words with their places, and per slot its
	 * PIECE_ flags, for the pieces of text its entry keeps. */
	size_t tok_start, tok_end;
	struct search_ptok *ptok;
	size_t nptok, capptok;
	uint8_t *tflag;
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
	buf_init(&t->enc);
	t->a = arena_new();
	t->fm = arena_new();
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
	arena_free(t->fm);
	free(t->own_dict.keys);
	free(t->by_id);
	free(t->terms);
	free(t->tt);
	free(t->seq);
	free(t->rank);
	free(t->ptok);
	free(t->tflag);
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

/* The hash of the word W of N bytes, followed by 0 bytes up to a multiple
 * of 8: every word of every page is hashed, so this reads 8 bytes at a
 * time. */
static uint64_t word_hash(const char *w, size_t n)
{
	const uint64_t m = 0x9E3779B97F4A7C15ULL;
	uint64_t h = n * m, x;
	for (size_t k = 0; k < n; k += 8) {
		memcpy(&x, w + k, 8);
		h = (h ^ x) * m;
		h ^= h >> 29;
	}
	h *= m;
	return h ^ (h >> 32);
}

/* Whether A and B, N bytes each and both followed by 0 bytes up to a
 * multiple of 8, are equal. */
static inline bool word_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	for (size_t k = 0; k < n; k += 8) {
		memcpy(&x, a + k, 8);
		memcpy(&y, b + k, 8);
		if (x != y)
			return false;
	}
	return true;
}

/* Clears the word being read, leaving the buffer's 0 bytes behind it. */
static inline void tok_clear(struct search_tokenizer *t)
{
	const uint64_t zero = 0;
	size_t kept = t->toklen < SEARCH_MAX_TOKEN ? t->toklen : SEARCH_MAX_TOKEN;
	for (size_t k = 0; k < kept; k += 8)
		memcpy(t->tok + k, &zero, 8);
	t->toklen = 0;
}

/* The stem of the word being read, hashed H, if it was seen before. */
static struct stem *word_get(const struct search_tokenizer *t, uint64_t h)
{
	if (!t->capwords)
		return NULL;
	size_t mask = t->capwords - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct word_slot *w = &t->words[i];
		if (!w->w)
			return NULL;
		if (w->h == h && w->len == t->toklen && word_eq(w->w, t->tok, t->toklen))
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

/* The stem of the word being read, hashed H, seen for the first time:
 * worked out and remembered. */
static struct stem *learn(struct search_tokenizer *t, uint64_t h)
{
	/* Kept as the buffer is: 0 bytes up to a multiple of 8. */
	char *word = arena_zalloc(t->a, (t->toklen + 8) / 8 * 8);
	memcpy(word, t->tok, t->toklen);
	struct stem *st;
	if (is_stop_word(word)) {
		st = &t->stop;
	} else {
		size_t n;
		const char *s = search_stem(t, word, t->toklen, &n);
		st = strmap_getn(&t->stems, s, n);
		if (!st)
			st = new_stem(t, s, n);
	}
	word_put(t, h, word, (uint32_t)t->toklen, st);
	return st;
}

/* The stem of the word being read, or NULL when it is dropped. */
static inline struct stem *resolve(struct search_tokenizer *t)
{
	if (t->toklen > SEARCH_MAX_TOKEN)
		return NULL;
	uint64_t h = word_hash(t->tok, t->toklen);
	struct stem *st = word_get(t, h);
	if (!st)
		st = learn(t, h);
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
	tok_clear(t);
}

/* Emits the terms of a run of dense characters S[0..N): each character,
 * then it and the next one (doc/search-index.md, step 1). */
static void dense_run(struct search_tokenizer *t, const unsigned char *s, size_t n,
		      stem_fn fn, void *arg)
{
	size_t i = 0, k, k2;
	t->in_dense = true;
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
	t->in_dense = false;
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

/* Reads the run of ASCII letters and digits at S[*I] into the word being
 * read (*LEN bytes so far), 8 bytes at a time: true when the run ended
 * within S, false when fewer than 8 bytes are left to read (the caller
 * goes on a byte at a time).  Bytes past SEARCH_MAX_TOKEN may be written
 * (the buffer has room), but are never read: such a word is dropped. */
static inline bool ascii_run(struct search_tokenizer *t, const unsigned char *s, size_t n,
			     size_t *i, size_t *len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	while (*i + 8 <= n) {
		uint64_t x;
		memcpy(&x, s + *i, 8);
		uint64_t low = x & ~high, lower = low | ones * 0x20;
		uint64_t letter = (lower + ones * (0x80 - 'a')) & ~(lower + ones * (0x80 - 'z' - 1));
		uint64_t digit = (low + ones * (0x80 - '0')) & ~(low + ones * (0x80 - '9' - 1));
		letter &= high & ~x;
		uint64_t word = (letter | (digit & ~x)) & high;
		uint64_t folded = x | (letter >> 2);    /* 'A' + 0x20 is 'a' */
		if (word == high) {
			if (*len < SEARCH_MAX_TOKEN)
				memcpy(t->tok + *len, &folded, 8);
			*len += 8;
			*i += 8;
			continue;
		}
		/* The bytes before the first that is not a letter or digit,
		 * by their top bits; the rest of the buffer stays 0. */
		uint64_t stop = ~word & high;
		uint64_t before = ((stop & (0 - stop)) - 1) & high;
		size_t k = (size_t)(((before >> 7) * ones) >> 56);
		if (k && *len < SEARCH_MAX_TOKEN) {
			folded &= (before >> 7) * 0xFF;
			memcpy(t->tok + *len, &folded, 8);
		}
		*len += k;
		*i += k;
		return true;
	}
#else
	(void)t, (void)s, (void)n, (void)i, (void)len;
#endif
	return false;
}

/* Calls FN with the stem of each word of TEXT[0..N) that is kept. */
static void scan(struct search_tokenizer *t, const char *text, size_t n, stem_fn fn, void *arg)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, dense = SIZE_MAX;       /* start of a run of dense characters */
	tok_clear(t);
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
			if (!len)
				t->tok_start = i;
			if (!ascii_run(t, s, n, &i, &len)) {
				/* The last bytes of the text. */
				for (; i < n && s[i] < 0x80 && (c = ascii_fold[s[i]]) != 0; i++, len++)
					if (len < SEARCH_MAX_TOKEN)
						t->tok[len] = (char)c;
			}
			t->toklen = len;
			t->tok_end = i;
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
		if (!is_word_cp(c)) {
			flush(t, fn, arg);
			i += k;
			continue;
		}
		if (!t->toklen)
			t->tok_start = i;
		t->tok_end = i + k;
		if (c < 0x80)
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

static void put_uvar(struct buf *b, uint32_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (int)(v & 0x7F) | 0x80);
		v >>= 7;
	}
	buf_putc(b, (int)v);
}

struct doc_builder {
	uint32_t gen;           /* the tokenizer's number for this page */
	uint32_t weight;
	uint32_t len;
	struct search_tokenizer *tk;
	bool in_title;          /* collecting the title's terms */
	uint32_t tpos;
	uint8_t flag;           /* PIECE_ flags of the text being read */
	int sec;                /* its heading, when it is a section's body, else -1 */
	size_t base;            /* where it starts in the page's text */
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

#define RUN_END UINT32_MAX

/* Adds the term in slot ID (or RUN_END) to the page's terms in text
 * order; a run ends once, and a run of one word is dropped. */
static void add_seq(struct search_tokenizer *t, uint32_t id)
{
	if (id == RUN_END) {
		size_t n = t->nseq;
		if (n == 1 || (n >= 2 && t->seq[n - 2] == RUN_END))
			t->nseq--;
		if (t->nseq == 0 || t->seq[t->nseq - 1] == RUN_END)
			return;
	}
	if (t->nseq == t->capseq) {
		t->capseq = t->capseq ? 2 * t->capseq : 1024;
		t->seq = xrealloc(t->seq, t->capseq * sizeof(*t->seq));
	}
	t->seq[t->nseq++] = id;
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
	} else {
		if (t->nterms == t->capterms) {
			t->capterms = t->capterms ? 2 * t->capterms : 256;
			t->terms = xrealloc(t->terms, t->capterms * sizeof(*t->terms));
			t->rank = xrealloc(t->rank, t->capterms * sizeof(*t->rank));
			t->tflag = xrealloc(t->tflag, t->capterms);
		}
		st->gen = b->gen;
		st->slot = (uint32_t)t->nterms;
		t->tflag[st->slot] = 0;
		t->terms[t->nterms++] = (struct tf){ st->id, b->weight };
	}
	/* For the pieces of text: what shows the term, where it is. */
	t->tflag[st->slot] |= b->flag;
	if (b->sec >= 0 && !t->in_dense) {
		if (t->nptok == t->capptok) {
			t->capptok = t->capptok ? 2 * t->capptok : 1024;
			t->ptok = xrealloc(t->ptok, t->capptok * sizeof(*t->ptok));
		}
		t->ptok[t->nptok++] = (struct search_ptok){ (uint32_t)(b->base + t->tok_start),
			(uint32_t)(b->base + t->tok_end), st->slot, (uint32_t)b->sec };
	}
	/* Word pairs, for phrases: the characters and pairs of a dense run
	 * are not words in a row, and end the run of words. */
	add_seq(t, t->in_dense ? RUN_END : st->slot);
}

static void add_text(struct search_tokenizer *t, struct doc_builder *b, uint32_t weight,
		     const char *s, size_t n)
{
	b->weight = weight;
	add_seq(t, RUN_END);    /* no pair spans two texts */
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
			const struct page *p, const value *fm, const char *text, size_t len,
			const size_t *heads_at)
{
	b->in_title = true;
	b->flag = PIECE_TITLE;
	b->sec = -1;
	add_text(t, b, SEARCH_W_TITLE, p->title, strlen(p->title));
	b->in_title = false;
	size_t nh = p->anchors.n;
	size_t from = 0;
	for (size_t i = 0; i <= nh; i++) {
		size_t to = i < nh ? heads_at[2 * i] : len;
		/* A section's words, under its heading, are kept with their
		 * places (for the pieces of text). */
		b->flag = 0;
		b->sec = i > 0 && i <= SEARCH_HEADS_MAX ? (int)i - 1 : -1;
		b->base = from;
		if (to > from)
			add_text(t, b, SEARCH_W_BODY, text + from, to - from);
		b->sec = -1;
		if (i < nh) {
			b->flag = PIECE_SHOWN;
			add_text(t, b, SEARCH_W_HEADING, text + heads_at[2 * i],
				 heads_at[2 * i + 1] - heads_at[2 * i]);
			from = heads_at[2 * i + 1];
		}
	}
	b->flag = 0;
	for (size_t k = 0; k < s->config->ntax; k++) {
		value *l = value_map_get(fm, s->config->tax[k].key);
		if (l && l->type == V_LIST)
			for (size_t j = 0; j < l->u.list.n; j++) {
				value *e = l->u.list.items[j];
				if (e->type == V_STRING)
					add_text(t, b, SEARCH_W_TERMS, e->u.str.s, e->u.str.len);
			}
	}
	b->flag = PIECE_SHOWN;
	if (p->summary)
		add_text(t, b, SEARCH_W_SUMMARY, p->summary, strlen(p->summary));
}

/* Sorts A[0..N) by id (ids are distinct): a quicksort that leaves runs
 * under 16 to one insertion sort at the end.  Every page sorts its few
 * hundred terms, and qsort's call per comparison cost more than the rest
 * of the sort. */
static void sort_tf(struct tf *a, size_t n)
{
	size_t lo[64], hi[64], top = 0;
	lo[0] = 0;
	hi[0] = n;
	top = n > 16;
	while (top) {
		top--;
		size_t l = lo[top], h = hi[top];
		struct tf *m = &a[l + (h - l) / 2], t;
		/* Median of three as the pivot, moved to the front. */
		uint32_t x = a[l].id, y = m->id, z = a[h - 1].id;
		struct tf *p = (x < y) == (y < z) ? m : (y < x) == (x < z) ? &a[l] : &a[h - 1];
		t = *p, *p = a[l], a[l] = t;
		uint32_t pivot = a[l].id;
		size_t i = l, j = h;
		for (;;) {
			do i++; while (i < h && a[i].id < pivot);
			do j--; while (a[j].id > pivot);
			if (i >= j)
				break;
			t = a[i], a[i] = a[j], a[j] = t;
		}
		t = a[l], a[l] = a[j], a[j] = t;
		/* The larger side goes on the stack first, so it stays shallow. */
		size_t ln = j - l, rn = h - j - 1;
		if (ln > rn) {
			if (ln > 16) lo[top] = l, hi[top++] = j;
			if (rn > 16) lo[top] = j + 1, hi[top++] = h;
		} else {
			if (rn > 16) lo[top] = j + 1, hi[top++] = h;
			if (ln > 16) lo[top] = l, hi[top++] = j;
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct tf v = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1].id > v.id; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

/* Writes the terms part of the page just read to OUT.  With OWN, terms
 * are numbered in the order they came (the page's own dictionary), else
 * by the tokenizer's numbers. */
/* Writes the page's runs of two words or more in a row (for its word
 * pairs): per word its place among the record's terms + 1, 0 after each
 * run, and one more 0 at the end. */
static void put_runs(const struct search_tokenizer *t, struct buf *out)
{
	/* A page has thousands of words: its varints are written in place. */
	buf_grow(out, 5 * t->nseq + 1);
	unsigned char *o = (unsigned char *)out->ptr + out->len;
	for (size_t k = 0; k < t->nseq; k++) {
		uint32_t v = t->seq[k] == RUN_END ? 0 : t->rank[t->seq[k]] + 1;
		for (; v >= 0x80; v >>= 7)
			*o++ = (unsigned char)(v & 0x7F) | 0x80;
		*o++ = (unsigned char)v;
	}
	*o++ = 0;
	out->len = (size_t)(o - (unsigned char *)out->ptr);
	out->ptr[out->len] = '\0';
}

static void put_terms(struct search_tokenizer *t, const struct doc_builder *b, struct buf *out,
		      bool own)
{
	if (!own) {
		sort_tf(t->terms, t->nterms);
		for (size_t i = 0; i < t->nterms; i++)
			t->rank[t->by_id[t->terms[i].id]->slot] = (uint32_t)i;
	} else {
		for (size_t i = 0; i < t->nterms; i++)
			t->rank[i] = (uint32_t)i;
	}
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
	put_runs(t, out);
}

/* Writes the piece X of the page's TEXT into CUT: its white space
 * squeezed, with "… " or " …" where its section's text goes on. */
static void put_piece(struct buf *cut, struct buf *tmp, const char *text, const struct search_piece *x)
{
	buf_reset(cut);
	if (x->to <= x->from)
		return;
	cut_text(tmp, text + x->from, x->to - x->from, SEARCH_SNIPPET_MAX);
	if (x->cut_before)
		buf_puts(cut, "\xE2\x80\xA6 ");
	buf_put(cut, tmp->ptr, tmp->len);
	if (x->cut_after && !(tmp->len >= 3 && !memcmp(tmp->ptr + tmp->len - 3, "\xE2\x80\xA6", 3)))
		buf_puts(cut, " \xE2\x80\xA6");
}

/* Writes the page's entry in its pack from after its section on: the
 * excerpt, and the headings with the pieces of text kept under them. */
static void put_pack_part(struct buf *out, const struct search_tokenizer *t, const struct page *p,
			  const char *text, size_t len, const size_t *heads_at)
{
	struct buf excerpt = BUF_INIT, cut = BUF_INIT, tmp = BUF_INIT;
	cut_text(&excerpt, p->summary ? p->summary : "", p->summary ? strlen(p->summary) : 0,
		 SEARCH_EXCERPT_MAX);
	size_t nh = p->anchors.n, nheads = nh < SEARCH_HEADS_MAX ? nh : SEARCH_HEADS_MAX;
	if (excerpt.len || nheads) {
		buf_putc(out, ',');
		put_json_str(out, excerpt.ptr);
	}
	char **heads = xmalloc((nheads ? nheads : 1) * sizeof(*heads));
	for (size_t i = 0; i < nheads; i++) {
		size_t hs = heads_at[2 * i], he = heads_at[2 * i + 1];
		cut_text(&cut, text + hs, he - hs, SEARCH_HEADING_MAX);
		heads[i] = buf_detach(&cut, NULL);
	}
	struct search_piece *pieces = xmalloc((nheads ? nheads : 1) * sizeof(*pieces));
	search_pieces(t->ptok, t->nptok, t->tflag, t->nterms, text,
		      nheads < nh ? heads_at[2 * nheads] : len, heads_at, nheads, SEARCH_SNIPPETS,
		      pieces);
	for (size_t i = 0; i < nheads; i++) {
		const char *id = p->anchors.ids[i];
		buf_puts(out, i ? ",[" : ",[[");
		put_json_str(out, simple_id(heads[i], id) ? "" : id);
		buf_putc(out, ',');
		put_json_str(out, heads[i]);
		buf_putc(out, ',');
		put_piece(&cut, &tmp, text, &pieces[i]);
		put_json_str(out, cut.ptr);
		buf_putc(out, ']');
		free(heads[i]);
	}
	buf_puts(out, nheads ? "]]" : "]");
	free(pieces);
	free(heads);
	buf_free(&excerpt);
	buf_free(&cut);
	buf_free(&tmp);
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
	/* The front matter's search: and terms, unpacked for this page only. */
	arena_reset(t->fm);
	value *fm = page_fm(p, t->fm);
	value *v = value_map_get(fm, "search");
	if (v && v->type == V_BOOL && !v->u.b)
		return;
	struct doc_builder b = { .gen = ++t->gen, .tk = t };
	t->nterms = t->ntt = t->nseq = t->nptok = 0;
	read_fields(t, &b, s, p, fm, text, len, heads_at);
	add_seq(t, RUN_END);

	/* A store's pages keep their record in it, for as long as the index. */
	struct search_doc *d = arena_zalloc(t->store ? t->store->a : a, sizeof(*d));
	struct buf *e = &t->enc;
	buf_reset(e);
	put_terms(t, &b, e, !t->store);
	d->nterm_bytes = (uint32_t)e->len;
	put_pack_part(e, t, p, text, len, heads_at);
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

struct search_tokenizer *search_tokenizer_for(struct site *s)
{
	struct search_store *st = search_new_store(s);
	struct search_tokenizer *t = search_tokenizer_new();
	t->store = st;
	t->dict = &st->dict;
	t->keys = st->a;
	return t;
}
