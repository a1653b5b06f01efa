/*
 * paths.h - the site's path policy: a page's URL and output file, and
 * paths written in content resolved under content/.  Used by the load
 * stage (content.c), the index (site.c), the link checks (links.c) and
 * the schema (schema.c).  Pure functions of their arguments.
 */
#ifndef FOLIO_PATHS_H
#define FOLIO_PATHS_H

#include "buf.h"
#include "site.h"

/* Sets P's url and out_path from PATH: "a/b" is a folder (written as
 * a/b/index.html, URL /a/b/), "a/b.xml" a file, "" the root. */
void paths_set_page(arena *a, struct page *p, const char *path);
/* Appends S[0..N) to OUT with each %XX decoded (a link's path or
 * fragment, as a browser reads it). */
void paths_unescape(struct buf *out, const char *s, size_t n);
/* Joins BASE (a folder under content/) and PATH[0..N) (relative to BASE,
 * or to content/ when it starts with '/'), resolving "." and ".." and
 * decoding %XX, into OUT.  Returns -1 if it climbs out of content/. */
int paths_join(struct buf *out, const char *base, const char *path, size_t n);

#endif
