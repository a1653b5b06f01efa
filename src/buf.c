/*
 * buf.c - growable strings and the escapers.
 */
#include "buf.h"

#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char buf_empty[1];

void buf_init(struct buf *b)
{
	b->ptr = buf_empty;
	b->len = b->cap = 0;
}

void buf_grow(struct buf *b, size_t extra)
{
	/* As git's strbuf: a size that would wrap around is fatal. */
	if (extra > SIZE_MAX - b->len - 1)
		die("out of memory (buffer of %zu + %zu bytes)", b->len, extra);
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t need = b->len + extra + 1;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap <= (SIZE_MAX - 64) / 3 * 2 ? cap + cap / 2 + 64 : need;
	if (b->cap == 0) {
		b->ptr = xmalloc(cap);
		b->ptr[0] = '\0';
	} else {
		b->ptr = xrealloc(b->ptr, cap);
	}
	b->cap = cap;
}

void buf_put_uint(struct buf *b, unsigned long long v)
{
	char d[20];
	size_t i = sizeof d;
	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	buf_put(b, d + i, sizeof d - i);
}

void buf_put_path(struct buf *b, const char *dir, const char *name)
{
	buf_puts(b, dir);
	buf_putc(b, '/');
	buf_puts(b, name);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char tmp[256];
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	if ((size_t)n < sizeof tmp) {
		buf_put(b, tmp, (size_t)n);
		return;
	}
	buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->cap ? b->ptr : xstrndup("", 0);
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}

void buf_free(struct buf *b)
{
	if (b->cap)
		free(b->ptr);
	buf_init(b);
}

/* Index into the entity list for each byte; 0 means "copy as is". */
static const unsigned char html_class[256] = {
	['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char *const html_entity[] = {
	"", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;",
};

void buf_put_html(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char k = html_class[(unsigned char)s[i]];
		if (!k)
			continue;
		buf_put(b, s + start, i - start);
		buf_puts(b, html_entity[k]);
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}

void buf_put_json(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	buf_grow(b, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = NULL;
		char tmp[8];
		size_t skip = 1;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			rep = "\\\\";
		else if (c == '\n')
			rep = "\\n";
		else if (c == '\t')
			rep = "\\t";
		else if (c == '\r')
			rep = "\\r";
		else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
			tmp[0] = '\\'; tmp[1] = 'u'; tmp[2] = '0'; tmp[3] = '0';
			tmp[4] = hex[c >> 4]; tmp[5] = hex[c & 15]; tmp[6] = '\0';
			rep = tmp;
		} else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
			rep = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
			skip = 3;
		}
		if (!rep)
			continue;
		buf_put(b, s + start, i - start);
		buf_puts(b, rep);
		i += skip - 1;
		start = i + 1;
	}
	buf_put(b, s + start, n - start);
}
