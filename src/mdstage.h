/*
 * mdstage.h - the Markdown stage: every content page's body to HTML, with
 * its links resolved and checked, its headings, summary and words, and
 * (when the site has search) its search terms.
 *
 * One module serves the three places a page's Markdown is read: the full
 * build (mdstage_run, on every core), rendering a page whose HTML was not
 * kept (mdstage_parse), and folio serve's update of an edited page
 * (mdstage_parse, then mdstage_keep), so a field added here is the same
 * in full and live builds.
 *
 * Reads: s->config, the pages' src, body_off, body_line, fm_summary, url,
 * src_dir; s->by_rel, s->by_resource, s->layout_ids (links and ids).
 * Writes, per page: anchors, toc, word_count, summary (unless front matter
 * gave one), html (while the cache budget lasts), checks (links by URL and
 * fragments, checked by links_check once every output path is known), and
 * search.  These are valid once mdstage_run returns.  Errors and warnings
 * go to s->d.  A page is parsed in its worker's scratch memory; only what
 * is listed here is copied to the build's memory, and a page whose HTML is
 * spilled spills its summary and table of contents with it.
 */
#ifndef FOLIO_MDSTAGE_H
#define FOLIO_MDSTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include "markdown.h"
#include "site.h"

/*
 * The Markdown stage over every content page, on s->threads threads.
 * SEARCH: also tokenise each page for the search index.  HTML_BUDGET:
 * bytes of rendered HTML kept in memory for rendering
 * (FOLIO_HTML_CACHE_MB overrides it); past it, each worker appends the
 * HTML to a temporary file of its own (s->spill), and rendering reads it
 * back (mdstage_html), so memory does not grow with the site and no page
 * is parsed twice.
 * SLOW_PAGE (may be NULL) is told of each page whose Markdown passes the
 * slow-page limit, while it is still being parsed.
 */
void mdstage_run(struct site *s, bool search, size_t html_budget,
		 void (*slow_page)(const char *file, double ms));

/*
 * Parses page P's body into R (HTML with WANT_HTML, the plain text with
 * WANT_TEXT); values and strings come from A, R's html, text and heads_at
 * are malloc'd for the caller.  Only a page's first parse (p->anchors.ids
 * still NULL) reports its link errors.  Thread-safe.
 */
void mdstage_parse(struct site *s, struct page *p, arena *a, bool want_html, bool want_text,
		   struct md_result *r);

/* P's HTML: p->html itself, or read back from the spill file (malloc'd;
 * the caller frees it when it is not p->html).  NULL when neither has it
 * (the page was never parsed, or reading failed): parse it again. */
char *mdstage_html(struct site *s, const struct page *p, size_t *len);
/* P's summary: p->summary itself, or read back from the spill file into
 * A, where the Markdown stage put it with the HTML it spilled.  "" when
 * the page has none (or reading failed).  Thread-safe. */
const char *mdstage_summary(struct site *s, const struct page *p, arena *a);
/* P's table of contents (p->ntoc items): p->toc itself, or read back from
 * the spill file into A.  NULL when it has none (or reading failed). */
const struct toc_item *mdstage_toc(struct site *s, const struct page *p, arena *a);
/* Closes the spill files. */
void mdstage_free(struct site *s);

/* Keeps on P what the templates and the link check take from its text:
 * anchors, toc, word count, summary. */
void mdstage_keep(struct page *p, const struct md_result *r);

#endif
