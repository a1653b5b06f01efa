/*
 * feeds.h - the site-wide files: sitemap.xml, robots.txt and Atom feeds
 * (the site's, and one per section and per taxonomy term).
 */
#ifndef FOLIO_FEEDS_H
#define FOLIO_FEEDS_H

#include "output.h"
#include "site.h"

/* Entries in each Atom feed. */
#define FEEDS_ENTRIES 20
/* URLs per sitemap file (the protocol's limit); more make a sitemap index. */
#define FEEDS_SITEMAP_MAX 50000

/* Writes the files through O (NULL: build them, write nothing).
 * Returns the number of files written; errors go to s->d. */
size_t feeds_write(struct site *s, struct output *o);

#endif
