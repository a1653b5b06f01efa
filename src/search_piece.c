/*
 * search_piece.c - the pieces of a page's text its search entry keeps
 * under its headings (doc/search-index.md, "Page pack").
 *
 * A result shows the text around the query's words when the index has
 * it.  The index cannot keep a page's whole text, so it keeps, for a few
 * of the page's sections, one piece of about 150 bytes each: the pieces
 * holding the most terms that the page's summary, headings and the pieces
 * chosen before do not show, a term of the title weighing three (a query
 * often has the title's words, and the piece with them makes its heading
 * a sub-result).  The terms and their places come from the tokenizer
 * (search.c), which reads the page's text once.
 */
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Per term: what it adds to a piece (0 once shown, 3 for the title's,
 * else 1), and how many times it is in the window being looked at. */
struct pterm {
	uint16_t cnt;
	uint8_t weight;
};

/* Words [LO, HI) of a section, those of terms not shown: the piece of at
 * most WIDTH bytes from a word's start to a word's end with the most
 * weight, the first such; its gain, and *AT its first word, *END one past
 * its last. */
static uint32_t best_window(const struct search_ptok *w, struct pterm *pt, size_t lo, size_t hi,
			    size_t width, size_t *at, size_t *end)
{
	uint32_t gain = 0, best = 0;
	size_t m = lo;
	for (size_t j = lo; j < hi; j++) {
		if (m < j)
			m = j;
		while (m < hi && w[m].e - w[j].s <= width) {
			struct pterm *x = &pt[w[m++].slot];
			gain += x->cnt++ ? 0 : x->weight;
		}
		if (m > j) {
			if (gain > best) {
				best = gain;
				*at = j;
				*end = m;
			}
			struct pterm *x = &pt[w[j].slot];
			gain -= --x->cnt ? 0 : x->weight;
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

void search_pieces(const struct search_ptok *w, size_t n, const uint8_t *flags, size_t nterms,
		   const char *text, size_t len, const size_t *heads_at, size_t nh, size_t max,
		   struct search_piece *out)
{
	size_t width = SEARCH_SNIPPET_MAX - 8;  /* room for "… " and " …" */
	for (size_t i = 0; i < nh; i++)
		out[i].from = out[i].to = 0;
	if (!nh || !n)
		return;
	struct pterm *pt = xcalloc(nterms ? nterms : 1, sizeof(*pt));
	for (size_t k = 0; k < nterms; k++)
		pt[k].weight = flags[k] & PIECE_SHOWN ? 0 : flags[k] & PIECE_TITLE ? 3 : 1;
	/* The words of terms not shown yet, section I's live[first[I]..
	 * first[I + 1]): a piece starts and ends with one of them. */
	struct search_ptok *live = xmalloc(n * sizeof(*live));
	size_t *first = xmalloc((nh + 1) * sizeof(*first));
	for (size_t round = 0; round < max; round++) {
		size_t nlive = 0;
		for (size_t k = 0; k < n; k++) {
			live[nlive] = w[k];
			nlive += pt[w[k].slot].weight != 0;
		}
		for (size_t i = 0, k = 0; i <= nh; i++) {
			while (k < nlive && live[k].sec < i)
				k++;
			first[i] = k;
		}
		uint32_t best = 0;
		size_t sec = 0, at = 0, end = 0;
		for (size_t i = 0; i < nh; i++) {
			size_t a, e;
			if (out[i].to > out[i].from)
				continue;       /* one piece a section */
			uint32_t g = best_window(live, pt, first[i], first[i + 1], width, &a, &e);
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
		x->from = live[at].s;
		x->to = live[end - 1].e;
		x->cut_before = at > first[sec] || visible(text, s0, x->from) > 4;
		x->cut_after = end < first[sec + 1] || visible(text, x->to, s1) > 4;
		if (!x->cut_before)
			x->from = s0;
		if (!x->cut_after)
			x->to = s1;
		for (size_t k = at; k < end; k++)
			pt[live[k].slot].weight = 0;
	}
	free(first);
	free(live);
	free(pt);
}
