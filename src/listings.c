/*
 * listings.c - what section and term pages list (listings.h).
 */
#include "listings.h"

#include "taxonomy.h"

/* Each term page lists the term's pages, in listing order. */
static void term_listings(struct site *s)
{
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		for (size_t k = 0; k < tx->nterms; k++) {
			struct term *t = tx->terms[k];
			site_paginate(s, t->page, t->pages, t->npages);
		}
	}
}

/* Each section page lists its section's pages. */
static void section_listings(struct site *s)
{
	for (size_t i = 0; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		if (sec->page->term)
			continue;       /* a term's page (content/tags/x/_index.md)
					 * lists the term's pages */
		/* A section whose page lists a taxonomy's terms (content/skills/
		 * _index.md as /skills/) shows the terms, so its pages are not
		 * split into numbered pages that would repeat it. */
		if (sec->page->terms_page) {
			sec->page->list = sec->pages;
			sec->page->nlist = (uint32_t)sec->npages;
			sec->page->listing = true;
		} else {
			site_paginate(s, sec->page, sec->pages, sec->npages);
		}
	}
}

void listings_make(struct site *s)
{
	term_listings(s);
	section_listings(s);
}
