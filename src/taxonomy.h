/*
 * taxonomy.h - terms (tags, skills, ...), their pages, related pages.
 *
 * A term is identified by its slug, so "Django", "django" and "DJANGO "
 * are one term; its display name is the spelling most pages use.
 */
#ifndef FOLIO_TAXONOMY_H
#define FOLIO_TAXONOMY_H

#include "site.h"

struct term {
	const char *slug;
	const char *name;       /* display name */
	const char *url;
	struct page **pages;    /* in listing order */
	size_t npages, cap;
	struct page *page;      /* the term's page (made up or a content page) */
	size_t tax;             /* its taxonomy: site->taxonomies[tax] */
	value *entry;           /* its value {name, slug, url, count}, made by view_begin */
	value *link;            /* {name, slug, url}, the same (page.taxonomies) */
	double idf;             /* rarity weight for related pages */
	size_t rank_of;         /* its place among all terms (taxonomy.c, related pages) */
	/* spellings seen: name -> pages using it */
	struct spelling *spellings;
	size_t nspellings;
};

struct taxonomy {
	const struct taxonomy_conf *conf;
	struct term **terms;    /* sorted by name */
	struct term **by_count; /* the same terms, most pages first (ties by name) */
	size_t nterms;
	struct page *page;      /* the /NAME/ page */
};

/*
 * Collects the terms of every page, picks display names (warning when
 * spellings differ), creates the term and terms pages (adopting content
 * pages already at their URLs), sets page->terms, and computes related
 * pages.  Run after site_index, before listings_make (listings.h).  Errors go to s->d.
 */
void taxonomy_build(struct site *s);
void taxonomy_free(struct site *s);

#endif
