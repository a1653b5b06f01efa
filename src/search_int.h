/*
 * search_int.h - what the two halves of the search index share: the
 * pages' terms (search.c) and the index built from them (search_index.c).
 */
#ifndef FOLIO_SEARCH_INT_H
#define FOLIO_SEARCH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "search.h"
#include "spool.h"

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
 * dictionary and its pages' records (struct search_doc). */
struct search_store {
	struct search_dict dict;
	struct spool docs;
	arena *a;               /* the dictionary's keys, the pages' records */
};

/*
 * What the index keeps of a page until search_build: a small record and
 * its bytes, both in the worker's store (or, for a page indexed on its
 * own, in the page's arena with a dictionary of its own):
 *
 *   terms part: the number of terms, then per term, by number, the
 *               difference to the previous number and the weighted
 *               frequency; the number of title terms, then per title
 *               term its number, then a byte for its place (+ 32 when
 *               it is the title's last term) and one for its form hash;
 *               then, for its word pairs, its runs of two terms or
 *               more in a row in its text (stop words left out; a run
 *               never spans two texts or a dense run): the number of
 *               values, then per term its place among the terms above
 *               + 1, and 0 after each run.  Numbers are varints (7 bits
 *               a byte, low bits first).
 *   pack part:  the page's entry in its pack from after its section's
 *               number on: [,excerpt[,[headings...]]]] -- ready to copy.
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

/* A varint of the pages' records: 7 bits a byte, low bits first. */
static inline uint32_t get_uvar(const unsigned char **p)
{
	uint32_t v = 0;
	for (int shift = 0;; shift += 7) {
		unsigned c = *(*p)++;
		v |= (uint32_t)(c & 0x7F) << shift;
		if (c < 0x80)
			return v;
	}
}

static inline void put_json_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	buf_put_json(b, s, strlen(s));
	buf_putc(b, '"');
}

/* A word of a section's text, for the pieces of text: bytes [S, E) of
 * the page's text, its term (the page's slot), its heading's number. */
struct search_ptok {
	uint32_t s, e, slot, sec;
};

/* A term's flags, for the pieces of text. */
#define PIECE_TITLE 1           /* in the title */
#define PIECE_SHOWN 2           /* in the summary or a heading */

/* A piece of a section's text kept under its heading: bytes [FROM, TO)
 * of the page's text, none when TO is FROM; whether text of the section
 * comes before it, after it. */
struct search_piece {
	size_t from, to;
	bool cut_before, cut_after;
};

/* Chooses up to MAX pieces of the text under the page's first NH headings
 * (HEADS_AT as search_page_doc has it; TEXT[0..LEN)), at most one a
 * section, each the one holding the most terms that the summary, the
 * headings (PIECE_SHOWN in FLAGS, by slot) and the pieces chosen before
 * lack, the title's (PIECE_TITLE) weighing three.  W[0..N) are the
 * sections' words in text order; OUT[i] gets heading I's piece
 * (search_piece.c). */
void search_pieces(const struct search_ptok *w, size_t n, const uint8_t *flags, size_t nterms,
		   const char *text, size_t len, const size_t *heads_at, size_t nh, size_t max,
		   struct search_piece *out);

/* A new store for a worker of the Markdown stage, kept by S's index
 * (search_index.c). */
struct search_store *search_new_store(struct site *s);

#endif
