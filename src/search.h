/*
 * search.h - the search index: text to terms, and the sharded index the
 * browser client reads.  doc/search-index.md is the format; the client is
 * assets/js/search.js.
 *
 * The text of each page is turned into terms during the Markdown stage,
 * in the worker that parsed it (search_page_doc); search_build then merges
 * every page's terms into postings, scores them, and lays the files out;
 * search_write writes them.
 */
#ifndef FOLIO_SEARCH_H
#define FOLIO_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "output.h"
#include "site.h"

/* Field weights (doc/search-index.md, "Fields and scores"). */
enum {
	SEARCH_W_TITLE = 8,
	SEARCH_W_HEADING = 3,
	SEARCH_W_TERMS = 3,
	SEARCH_W_SUMMARY = 2,
	SEARCH_W_BODY = 1,
};

#define SEARCH_MAX_TOKEN 40     /* longer tokens are dropped */
#define SEARCH_EXCERPT_MAX 160  /* bytes of summary kept for excerpts, "…" included */
#define SEARCH_SNIPPET_MAX 160  /* bytes of a piece of text kept under a heading, "…" included */
#define SEARCH_SNIPPETS 1       /* pieces of text kept per page (search_piece.c) */
#define SEARCH_HEADS_MAX 20     /* headings kept per page */
#define SEARCH_HEADING_MAX 200  /* bytes of a heading's text kept */
#define SEARCH_TITLE_POS_MAX 31 /* title positions from here on are written as this */

/* A stemmer and scratch space; one per thread. */
struct search_tokenizer;

struct search_tokenizer *search_tokenizer_new(void);
void search_tokenizer_free(struct search_tokenizer *t);

/* Calls FN with each term (stem) of TEXT[0..N), in order; the string
 * passed is valid during the call only. */
typedef void (*search_term_fn)(void *arg, const char *term, size_t len);
void search_terms(struct search_tokenizer *t, const char *text, size_t n,
		  search_term_fn fn, void *arg);

/* The stem of the folded word W[0..N) (no stop-word check); *LEN gets its
 * length.  Valid until the tokenizer is used again. */
const char *search_stem(struct search_tokenizer *t, const char *w, size_t n, size_t *len);

/* What the index keeps of a page (p->search): a few numbers, and its
 * terms and pack entry in compact form (search.c, "one page"). */
struct search_doc;

/* A tokenizer for the Markdown stage's workers: the pages it reads keep
 * their terms as numbers into its dictionary, and their bytes in its
 * spool, both kept by S's index until search_free.  Call it for each
 * worker before the stage starts (not thread-safe); free the tokenizer
 * after the stage. */
struct search_tokenizer *search_tokenizer_for(struct site *s);

/*
 * Builds P's search_doc (p->search) from its plain TEXT and the heading
 * spans HEADS_AT found by the Markdown stage (md_result.text, .heads_at),
 * its title, summary and taxonomy terms.  Leaves p->search NULL for pages
 * with search: false.  With a tokenizer from search_tokenizer_for, the
 * record is kept by S's index (its bytes in the tokenizer's spool), and A
 * is not used; with one from search_tokenizer_new (a page indexed on its
 * own), the record, its bytes and a dictionary of the page's own terms
 * are allocated from A, which must last as long as the page's record.
 * Thread-safe with one tokenizer per thread.
 */
void search_page_doc(struct search_tokenizer *t, const struct site *s, struct page *p,
		     const char *text, size_t len, const size_t *heads_at, arena *a);

/* Whether the site has search (search: false in site.yaml turns it off). */
bool search_enabled(const struct site *s);

/*
 * Merges the pages' docs into the index and lays out its files, on
 * s->threads threads; search_root() then names its root file (view.c
 * shows it as site.search.root).  Run
 * after listings_make, before rendering; run again (folio serve), it lays
 * the index out anew.  search_files() tells how many files it laid out.
 */
void search_build(struct site *s);
/* Writes the files laid out by search_build, on s->threads threads.
 * Errors (a page where a file of the index goes, a failed write) go to
 * s->d. */
void search_write(struct site *s, struct output *o);
/* Whether REL ("search/r.abc.json") is a file of the search index. */
bool search_has_file(const struct site *s, const char *rel);
/* How many files search_build laid out, and the name of file I. */
size_t search_files(const struct site *s);
const char *search_file_name(const struct site *s, size_t i);
/* The name of the index's root file ("r.HASH.json") once search_build
 * has laid it out, or NULL. */
const char *search_root(const struct site *s);
/* Frees the index and what the Markdown stage kept for it. */
void search_free(struct site *s);

#endif
