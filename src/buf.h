/*
 * buf.h - the one owning string builder, and the borrowed slice.
 *
 * A buf's ptr is never NULL and always NUL-terminated, so it can be
 * handed to C string functions at any time (git's strbuf contract).
 * buf_detach() hands the memory to the caller.
 */
#ifndef FOLIO_BUF_H
#define FOLIO_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "util.h"

struct buf {
	char *ptr;
	size_t len, cap;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

/* A borrowed view into text owned by someone else. */
struct slice {
	const char *p;
	size_t n;
};

void buf_init(struct buf *b);
void buf_grow(struct buf *b, size_t extra);
/* Appends DATA[0..N) (inline, as buf_puts and buf_putc: most appends
 * fit, and a string constant's length is known where it is written). */
static inline void buf_put(struct buf *b, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (n >= b->cap - b->len)
		buf_grow(b, n);
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}
static inline void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}
/* Appends the byte C (inline: the common case needs no call). */
static inline void buf_putc(struct buf *b, int c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->ptr[b->len++] = (char)c;
	b->ptr[b->len] = '\0';
}
void buf_printf(struct buf *b, const char *fmt, ...) FOLIO_PRINTF(2, 3);
/* Appends V in decimal; DIR "/" NAME.  What every page writes many times
 * costs a tenth of buf_printf this way. */
void buf_put_uint(struct buf *b, unsigned long long v);
void buf_put_path(struct buf *b, const char *dir, const char *name);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_truncate(struct buf *b, size_t len);
static inline void buf_reset(struct buf *b) { buf_truncate(b, 0); }
/* Returns the malloc'd string (never NULL) and leaves B empty. */
char *buf_detach(struct buf *b, size_t *len);
void buf_free(struct buf *b);

/* Escapers: tables, not locale calls. */
/* & < > " ' -> entities. */
void buf_put_html(struct buf *b, const char *s, size_t n);
/* XML text and attribute values (& < > " '). */
#define buf_put_xml buf_put_html
/* JSON string body (no quotes): control bytes as \u00XX, and < > & U+2028
 * U+2029 escaped so the result is safe inside <script>. */
void buf_put_json(struct buf *b, const char *s, size_t n);

#endif
