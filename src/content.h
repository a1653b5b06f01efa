/*
 * content.h - discovering content files and reading their front matter.
 */
#ifndef FOLIO_CONTENT_H
#define FOLIO_CONTENT_H

#include "site.h"

/*
 * Walks SITE/content in sorted order, reads every *.md file's front matter
 * (on s->threads threads), checks the known keys, and computes each page's
 * URL and output path.  Drafts are dropped unless s->drafts.  Reports
 * errors to s->d.
 */
void content_load(struct site *s);

/*
 * Splits TEXT (a whole content file, NUL-terminated, LEN bytes) into front
 * matter and body, normalising CRLF and CR in place.  A UTF-16 or UTF-32
 * file is an error naming its encoding.  On success sets *FM and
 * *FMLEN to the YAML text, *BODY_OFF and *BODY_LINE to where the Markdown
 * starts, and returns 0; otherwise adds an error for FILE and returns -1.
 */
int content_split(const char *file, char *text, size_t *len, const char **fm,
		  size_t *fmlen, size_t *body_off, unsigned *body_line, struct diags *d);
/* The same for TEXT, the first LEN bytes of FILE when PARTIAL (the load
 * stage reads a file's head only, and the Markdown stage its body): only
 * the text up to the body is checked, and SPLIT_NEED_MORE returned, with
 * no error, when the front matter does not end within TEXT. */
enum split_result { SPLIT_FAILED = -1, SPLIT_DONE = 0, SPLIT_NEED_MORE = 1 };
enum split_result content_split_head(const char *file, char *text, size_t *len, bool partial,
				     const char **fm, size_t *fmlen, size_t *body_off,
				     unsigned *body_line, struct diags *d);
/* A NUL byte or invalid UTF-8 in a body TEXT[0..N) whose first line is
 * LINE of FILE: an error at its place (none when D is NULL) and -1,
 * else 0. */
int content_check_body(const char *file, const char *text, size_t n, unsigned line,
		       struct diags *d);

/* A UTF-16 or UTF-32 TEXT is an error for FILE naming its encoding:
 * returns -1 after adding it, else 0. */
int content_check_encoding(const char *file, const char *text, size_t len, struct diags *d);
/* Turns CRLF and lone CR line ends into LF in place; returns the new
 * length and NUL-terminates.  Offsets content_split returned refer to
 * text folded this way. */
size_t content_fold_crlf(char *text, size_t len);
/* Checks a slug: one path segment, no "..", no separators or control
 * characters.  Returns NULL when fine, else what is wrong. */
const char *content_bad_slug(const char *s, size_t n);
/* Checks a url: front matter value: site-relative path inside the output. */
const char *content_bad_url(const char *s, size_t n);

#endif
