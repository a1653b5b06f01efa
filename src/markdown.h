/*
 * markdown.h - Markdown to HTML with cmark-gfm, plus what folio learns
 * from the tree on the way: heading ids and the table of contents, links
 * to other content files, the fragment targets, the summary and the word
 * count.
 *
 * The Markdown is GitHub Flavored Markdown: CommonMark with tables,
 * strikethrough, autolinks, task lists and footnotes, plus GitHub's alerts
 * (> [!NOTE]) and heading attributes ({#id .class}).  md_opts.gfm = false
 * leaves strict CommonMark.
 *
 * markdown_process is reentrant: any number of threads may run it at once
 * on different texts and arenas.
 */
#ifndef FOLIO_MARKDOWN_H
#define FOLIO_MARKDOWN_H

#include <stdbool.h>
#include "diag.h"
#include "site.h"
#include "value.h"

struct md_opts {
	bool unsafe;            /* keep raw HTML */
	bool smart;             /* smart punctuation */
	bool gfm;               /* GFM extensions and alerts */
	bool plain;             /* headings as cmark writes them: no ids, no {#id} */
	bool text;              /* also hand back the plain text (md_result.text) */
	int toc_min, toc_max;   /* heading levels listed in the toc (0, 0: 2..3) */
	/* Ids the page's layout writes (or NULL): heading ids keep clear of
	 * them, and a {#id} that takes one is an error. */
	const struct strmap *reserved;
	/* Where warnings and errors about the text go (unknown syntax, a
	 * duplicate {#id}); NULL to stay quiet.  SRC names the file. */
	struct diags *d;
	const char *src;
	/* With unsafe: called for each href and src of raw HTML, with the
	 * link_arg of markdown_process; raw HTML is kept as written, so the
	 * return value is ignored.  NULL: not looked at. */
	const char *(*html_link)(void *arg, const char *dest, unsigned line, unsigned col);
};

/*
 * Called for each link and image destination.  Returns the destination to
 * write instead (allocated from the arena given to markdown_process), or
 * NULL to leave it as it is.  LINE and COL are positions in the file.
 */
typedef const char *(*md_link_fn)(void *arg, const char *dest, unsigned line, unsigned col);

/* A heading listed in the table of contents. */
struct toc_item {
	const char *id, *title;
	int level;
};

struct md_result {
	char *html;             /* malloc'd; NULL unless asked for */
	size_t html_len;
	/* Heading ids in order (anchors.n), then the page's other fragment
	 * targets: footnotes, and with md_opts.unsafe the id and name
	 * attributes of raw HTML (anchors.ids[n..n_all)).  From the arena. */
	struct anchor_list anchors;
	struct toc_item *toc;   /* the headings between toc_min and toc_max, in order */
	size_t ntoc;
	const char *summary;    /* plain text before <!--more-->, else the first paragraph */
	unsigned words;
	/* With md_opts.text: the plain text of the body (malloc'd), and where
	 * each heading's text lies in it: text[heads_at[2i]..heads_at[2i+1]) for
	 * heading i (malloc'd, anchors.n pairs).  The caller frees both. */
	char *text;
	size_t text_len;
	size_t *heads_at;
};

/*
 * Parses TEXT[0..LEN), the body of a file whose first Markdown line is line
 * LINE_OFFSET+1.  Heading ids follow GitHub's rule (slug_heading_id), made
 * unique with -1, -2...; {#id} sets one.  LINK (may be NULL) rewrites
 * destinations.  Values and strings come from A.  WANT_HTML: also render
 * HTML (the anchors from raw HTML are only found then).
 */
void markdown_process(const char *text, size_t len, unsigned line_offset,
		      const struct md_opts *opts, md_link_fn link, void *link_arg,
		      arena *a, bool want_html, struct md_result *out);

/* The table of contents of ITEMS[0..N) as templates see it: a list of
 * {level, id, title, children}, each heading under the nearest earlier
 * one of a higher level.  From A. */
value *markdown_toc(arena *a, const struct toc_item *items, size_t n);

/* The version of cmark-gfm folio runs with, e.g. "0.29.0.gfm.6". */
const char *markdown_library_version(void);

#endif
