/*
 * markdown.h - Markdown to HTML with cmark, plus what folio learns from
 * the tree on the way: heading ids and the table of contents, links to
 * other content files, the summary and the word count.
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
	bool text;              /* also hand back the plain text (md_result.text) */
};

/*
 * Called for each link and image destination.  Returns the destination to
 * write instead (allocated from the arena given to markdown_process), or
 * NULL to leave it as it is.  LINE and COL are positions in the file.
 */
typedef const char *(*md_link_fn)(void *arg, const char *dest, unsigned line, unsigned col);

struct md_result {
	char *html;             /* malloc'd; NULL unless asked for */
	size_t html_len;
	struct anchor_list anchors;     /* heading ids, in order */
	value *toc;             /* list of {level, id, title, children} */
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
 * LINE_OFFSET+1.  Heading ids are the slugs of their text, made unique with
 * -1, -2...  LINK (may be NULL) rewrites destinations.  Values and strings
 * come from A.  WANT_HTML: also render HTML.
 */
void markdown_process(const char *text, size_t len, unsigned line_offset,
		      const struct md_opts *opts, md_link_fn link, void *link_arg,
		      arena *a, bool want_html, struct md_result *out);

#endif
