/*
 * render.h - pages through their layouts into HTML, in parallel.
 */
#ifndef FOLIO_RENDER_H
#define FOLIO_RENDER_H

#include "output.h"
#include "site.h"

/*
 * Renders every page of S with its layout and writes it through O (when O
 * is NULL, as for folio check, renders and discards).  Adds errors to
 * s->d.
 */
void render_pages(struct site *s, struct output *o);
/* The same for the N pages of LIST. */
void render_some(struct site *s, struct page **list, size_t n, struct output *o);

/* Writes the default theme's assets (when enabled), the site's assets/
 * folder and the files of content/ that are not Markdown through O (NULL:
 * only check them); an asset on a page's path is an error.  Returns the
 * number of files. */
size_t render_assets(struct site *s, struct output *o);

#endif
