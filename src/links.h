/*
 * links.h - every internal link of a site, checked at build time.
 *
 * Links in Markdown are seen while each page is parsed: links_markdown is
 * the Markdown stage's md_link_fn.  A link to a content file
 * (../skills/django.md) or to a file beside the page (diagram.png) is
 * rewritten to that file's URL; a link by URL (/docs/x/, ../y/#frag) stays
 * as written and is recorded on the page (page.checks) with its place.
 * Links that the layouts write are found in each rendered page
 * (links_html), outside the page's own content.  When every output path of
 * the build is known, links_check reports each link that leads to no page
 * or file, and each #fragment its target page has no id for: errors, or
 * warnings with links: warn in site.yaml.
 *
 * links_markdown and links_html are thread-safe; links_check runs alone
 * (it checks the pages' links on the worker pool itself).
 */
#ifndef FOLIO_LINKS_H
#define FOLIO_LINKS_H

#include <stdbool.h>
#include "site.h"

/* What links_markdown needs to know about the page being parsed. */
struct link_ctx {
	struct site *s;
	struct page *p;
	arena *a;               /* where rewritten URLs and checks go */
	bool report;            /* the page's first parse: report and record */
};

/* The md_link_fn of the Markdown stage; ARG is a struct link_ctx. */
const char *links_markdown(void *arg, const char *dest, unsigned line, unsigned col);
/* A link checked by URL, as the browser will read it, and never
 * rewritten: the md_opts.html_link of the Markdown stage, for links in raw
 * HTML, and the last step of links_markdown. */
const char *links_by_url(void *arg, const char *dest, unsigned line, unsigned col);

/* Registers PATH (an output path, "feed.xml") as a file the build writes
 * besides its pages.  Not thread-safe: single-threaded stages only. */
void links_file(struct site *s, const char *path);

/* Gathers the links of HTML[0..LEN), page P rendered with LAYOUT, that lie
 * outside CONTENT (the page's own Markdown, already checked). */
void links_html(struct site *s, const struct page *p, const char *layout, const char *html,
		size_t len, const char *content, size_t content_len);

/* Checks every link gathered, the pages' on every core; reports through
 * s->d (sorted when printed, so the same for every -j).  Returns how many
 * lead nowhere. */
size_t links_check(struct site *s);

#endif
