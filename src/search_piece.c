/*
 * search_piece.c - the pieces of a page's text its search entry keeps
 * under its headings (doc/search-index.md, "Page pack").
 *
 * A result shows the text around the query's words when the index has
 * it.  The index cannot keep a page's whole text, so it keeps, for a few
 * of the page's sections, one piece of about 150 bytes each: the pieces
 * holding the most words that the page's summary, headings and the
 * pieces chosen before do not show, a word of the title weighing three
 * (a query often has the title's words, and the piece with them makes
 * its heading a sub-result).  Words are compared as written (ASCII
 * letters folded), not as stems, and stop words do not count.
 */
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct pword {
	uint32_t s, e;          /* bytes of the text */
	uint32_t id;            /* the word, numbered in the page */
};

struct pieces {
	struct pword *w;
	size_t n, cap;
	uint64_t *keys;         /* the page's words by hash, open addressing */
	uint32_t *slot_id;
	size_t nkeys, capkeys;
	uint8_t *covered;       /* per word: shown already */
	uint8_t *weight;        /* per word: 3 for the title's, else 1 */
	uint32_t *cnt;          /* per word: times in the window */
};

/* Whether the folded word W[0..N) is a stop word. */
static bool piece_is_stop(const char *w, size_t n)
{
	if (n > 5)
		return false;
	char k[6];
	memcpy(k, w, n);
	k[n] = '\0';
	return search_stop_word(k);
}

/* The page's number for the word with hash H, a new one if unseen. */
static uint32_t word_id(struct pieces *pc, uint64_t h)
{
	if ((pc->nkeys + 1) * 2 > pc->capkeys) {
		size_t cap = pc->capkeys ? 2 * pc->capkeys : 256;
		uint64_t *keys = xcalloc(cap, sizeof(*keys));
		uint32_t *ids = xmalloc(cap * sizeof(*ids));
		for (size_t i = 0; i < pc->capkeys; i++) {
			if (!pc->keys[i])
				continue;
			size_t j = pc->keys[i] & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = pc->keys[i];
			ids[j] = pc->slot_id[i];
		}
		free(pc->keys);
		free(pc->slot_id);
		pc->keys = keys;
		pc->slot_id = ids;
		pc->capkeys = cap;
	}
	h |= 1;                 /* 0 marks a free slot */
	size_t j = h & (pc->capkeys - 1);
	while (pc->keys[j] && pc->keys[j] != h)
		j = (j + 1) & (pc->capkeys - 1);
	if (!pc->keys[j]) {
		pc->keys[j] = h;
		pc->slot_id[j] = (uint32_t)pc->nkeys++;
	}
	return pc->slot_id[j];
}

/* Adds the words of TEXT[FROM..TO) to PC->w.  A word is a run of ASCII
 * letters and digits and bytes of other characters. */
static void read_words(struct pieces *pc, const char *text, size_t from, size_t to)
{
	char w[SEARCH_MAX_TOKEN];
	for (size_t i = from; i < to;) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x80 && !is_alnum(c)) {
			i++;
			continue;
		}
		size_t s = i, n = 0;
		uint64_t h = 14695981039346656037ULL;
		for (; i < to && ((unsigned char)text[i] >= 0x80 || is_alnum((unsigned char)text[i])); i++) {
			char f = (char)to_lower((unsigned char)text[i]);
			if (n < sizeof(w))
				w[n] = f;
			n++;
			h = (h ^ (unsigned char)f) * 1099511628211ULL;
		}
		if (n > sizeof(w) || piece_is_stop(w, n))
			continue;
		if (pc->n == pc->cap) {
			pc->cap = pc->cap ? 2 * pc->cap : 512;
			pc->w = xrealloc(pc->w, pc->cap * sizeof(*pc->w));
		}
		pc->w[pc->n++] = (struct pword){ (uint32_t)s, (uint32_t)i, word_id(pc, h) };
	}
}

/* Words [LO, HI) of a section: the piece of at most WIDTH bytes from a
 * word's start to a word's end with the most words not shown, the first
 * such; its gain, and *AT its first word, *END one past its last. */
static uint32_t best_window(struct pieces *pc, size_t lo, size_t hi, size_t width,
			    size_t *at, size_t *end)
{
	uint32_t gain = 0, best = 0;
	size_t m = lo;
	for (size_t j = lo; j < hi; j++) {
		if (m < j)
			m = j;
		while (m < hi && pc->w[m].e - pc->w[j].s <= width) {
			uint32_t id = pc->w[m++].id;
			if (pc->cnt[id]++ == 0 && !pc->covered[id])
				gain += pc->weight[id];
		}
		if (m > j) {
			if (gain > best) {
				best = gain;
				*at = j;
				*end = m;
			}
			uint32_t id = pc->w[j].id;
			if (--pc->cnt[id] == 0 && !pc->covered[id])
				gain -= pc->weight[id];
		}
	}
	return best;
}

/* The bytes of TEXT[FROM..TO) that are not white space. */
static size_t visible(const char *text, size_t from, size_t to)
{
	size_t n = 0;
	for (size_t i = from; i < to; i++)
		n += !is_space((unsigned char)text[i]);
	return n;
}

void search_pieces(const char *text, size_t len, const size_t *heads_at, size_t nh,
		   const char *title, const char *const *shown, size_t nshown, size_t max,
		   struct search_piece *out)
{
	struct pieces pc = { 0 };
	size_t width = SEARCH_SNIPPET_MAX - 8;  /* room for "… " and " …" */
	for (size_t i = 0; i < nh; i++)
		out[i].from = out[i].to = 0;
	/* The title's words come first, then the words shown already, then
	 * each section's. */
	read_words(&pc, title, 0, strlen(title));
	size_t ntitle = pc.n;
	for (size_t k = 0; k < nshown; k++)
		read_words(&pc, shown[k], 0, strlen(shown[k]));
	size_t nshown_words = pc.n;
	size_t *first = xmalloc((nh + 1) * sizeof(*first));
	for (size_t i = 0; i < nh; i++) {
		first[i] = pc.n;
		size_t end = i + 1 < nh ? heads_at[2 * (i + 1)] : len;
		read_words(&pc, text, heads_at[2 * i + 1], end);
	}
	first[nh] = pc.n;
	pc.covered = xcalloc(pc.nkeys ? pc.nkeys : 1, 1);
	pc.cnt = xcalloc(pc.nkeys ? pc.nkeys : 1, sizeof(*pc.cnt));
	pc.weight = xmalloc(pc.nkeys ? pc.nkeys : 1);
	memset(pc.weight, 1, pc.nkeys);
	for (size_t k = 0; k < ntitle; k++)
		pc.weight[pc.w[k].id] = 3;
	for (size_t k = ntitle; k < nshown_words; k++)
		pc.covered[pc.w[k].id] = 1;
	for (size_t round = 0; round < max; round++) {
		uint32_t best = 0;
		size_t sec = 0, at = 0, end = 0;
		for (size_t i = 0; i < nh; i++) {
			size_t a, e;
			if (out[i].to > out[i].from)
				continue;       /* one piece a section */
			uint32_t g = best_window(&pc, first[i], first[i + 1], width, &a, &e);
			if (g > best) {
				best = g;
				sec = i;
				at = a;
				end = e;
			}
		}
		if (!best)
			break;
		/* A piece that starts or ends its section but for a few bytes
		 * (a stop word, a full stop) takes them; else it is cut there. */
		size_t s0 = heads_at[2 * sec + 1], s1 = sec + 1 < nh ? heads_at[2 * (sec + 1)] : len;
		struct search_piece *x = &out[sec];
		x->from = pc.w[at].s;
		x->to = pc.w[end - 1].e;
		x->cut_before = at > first[sec] || visible(text, s0, x->from) > 4;
		x->cut_after = end < first[sec + 1] || visible(text, x->to, s1) > 4;
		if (!x->cut_before)
			x->from = s0;
		if (!x->cut_after)
			x->to = s1;
		for (size_t k = at; k < end; k++)
			pc.covered[pc.w[k].id] = 1;
	}
	free(first);
	free(pc.w);
	free(pc.keys);
	free(pc.slot_id);
	free(pc.covered);
	free(pc.weight);
	free(pc.cnt);
}
