/*
 * html.h - reading the attributes of HTML that folio wrote itself.
 *
 * folio's HTML escapes every '<' of text, so each '<' starts a tag (or a
 * comment, which holds no attributes of interest).  This is not a parser
 * for HTML from elsewhere: it finds name=value attributes inside tags,
 * quoted or not, which is what the anchor and link checks need.
 */
#ifndef FOLIO_HTML_H
#define FOLIO_HTML_H

#include <stddef.h>

/* TAG points at the element's name (just after '<'); NAME[0..NLEN) and
 * VALUE[0..VLEN) are the attribute's name and value, not NUL-terminated. */
typedef void (*html_attr_fn)(void *arg, const char *tag, const char *name, size_t nlen,
			     const char *value, size_t vlen);

/* Calls FN for every attribute with a value in HTML[0..LEN), skipping the
 * tags that start inside [SKIP_FROM, SKIP_TO) (both NULL: none). */
void html_attrs(const char *html, size_t len, const char *skip_from, const char *skip_to,
		html_attr_fn fn, void *arg);

#endif
