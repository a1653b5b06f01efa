/*
 * view.h - what templates see of a page and of the site: the fields of
 * page.* and site.*, computed when a template reads them.
 *
 * A page's view (p->meta) is one small value of type V_VIEW, made once
 * per page.  Its fields are not stored: each lookup computes the field
 * from the page (title, url, dates, summary, toc, breadcrumbs, related
 * pages, schema references, JSON-LD, navigation) into the calling
 * thread's scratch arena (view_scratch).  A listing therefore holds one
 * pointer per page it lists, and a page's fields cost memory only while
 * a page that shows them is rendered.  Because nothing is copied, a
 * page changed by folio serve shows its new text everywhere at once: the
 * live path has no fields to patch.
 *
 * The site's view (s->site_value) is one more such value: its fields
 * (sections, taxonomies, matrix, groups, search) are made from the model
 * when read, then site.yaml's keys answer.  The stages fill only the
 * model (sections, terms, the search index's files); no other module
 * sets a template value.
 *
 * The fields, their order of precedence, and where each comes from, are
 * listed in view.c (field_names) and in README's template variables.
 *
 * Lifetimes: the views made by view_begin live as long as s->a.  Values a
 * lookup returns live as long as the scratch arena of the thread that
 * looked them up (until it is reset: per rendered page).  While a page
 * renders, a field looked up again is not computed again: the thread
 * remembers what it returned until its next view_scratch call, so a page
 * must not change between view_scratch and the end of its render.
 *
 * Thread safety: lookups only read the site; any number of threads may
 * look up fields at once, each with its own scratch arena.
 */
#ifndef FOLIO_VIEW_H
#define FOLIO_VIEW_H

#include "site.h"
#include "value.h"

/* Sets the arena the calling thread's lookups allocate from, and forgets
 * the fields it looked up before. */
void view_scratch(arena *a);

/*
 * Makes every page's view (p->meta), the site's (s->site_value), each
 * term's value (t->entry, t->link) and what views share: the pages whose
 * references name each page (page.KEY_from), the navigation lists, the
 * term lists, the JSON-LD specs.  Run after the taxonomies, before
 * anything reads a view; pages made later (numbered listing pages, as
 * they are rendered) show their first page's.  Sets this thread's
 * scratch arena to s->a.
 */
void view_begin(struct site *s);
/* Frees what view_begin made outside s->a. */
void view_end(struct site *s);
/* The value templates see as page while P is rendered: P's view with
 * content (CONTENT: its HTML, borrowed), pages, pagination, prev and
 * next.  Memory from A. */
value *view_render_root(struct site *s, struct page *p, const char *content, size_t len,
			arena *a);
/* The page a view shows, or NULL when V is not a page's view. */
struct page *view_page_of(const value *v);

/* folio serve: whether X's view shows a field of P's (P is a neighbour,
 * in X's listing, a subsection, a related page or named by a reference
 * either way), so that X must be rendered again when P's text changes. */
bool view_page_shows(const struct page *x, const struct page *p);
/* Whether the site's view shows a field of P's (site.sections,
 * site.matrix, site.groups): then every page must be rendered again. */
bool view_site_shows(struct site *s, const struct page *p);

/* P's summary as templates show it: one from front matter gets smart
 * punctuation when the site's markdown.smart is on, as the Markdown's
 * text has already (memory from A, or p->summary itself). */
const char *view_summary(struct site *s, arena *a, const struct page *p);
/* SUMMARY cut to at most 160 characters at a word, for page.description
 * (from A, or SUMMARY itself when it is short). */
const char *view_description(arena *a, const char *summary);

#endif
