/*
 * html.c - attributes of the HTML folio writes.
 */
#include "html.h"

#include <string.h>

#include "util.h"

/* Bytes that end a run inside a tag: white space (1) and '<' or '>' (2). */
static const unsigned char tag_stop[256] = {
	['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [' '] = 1,
	['<'] = 2, ['>'] = 2,
};

void html_attrs(const char *html, size_t len, const char *skip_from, const char *skip_to,
		html_attr_fn fn, void *arg)
{
	const char *end = html + len;
	for (const char *q = memchr(html, '<', len); q; q = memchr(q, '<', (size_t)(end - q))) {
		if (skip_from && q >= skip_from && q < skip_to) {
			q = skip_to;
			continue;
		}
		const char *tag = ++q;
		if (!is_alpha(*tag))
			continue;
		while (q < end && *q != '>' && *q != '<') {
			if (!is_space(*q)) {
				/* Every rendered page is read through here: the
				 * tag name and attribute values in one table step
				 * a byte. */
				while (++q < end && !tag_stop[(unsigned char)*q])
					;
				continue;
			}
			while (q < end && is_space(*q))
				q++;
			const char *name = q;
			while (q < end && (is_alnum(*q) || *q == '-' || *q == '_' || *q == ':'))
				q++;
			size_t nlen = (size_t)(q - name);
			if (q >= end || *q != '=')
				continue;
			q++;
			char quote = *q == '"' || *q == '\'' ? *q++ : 0;
			const char *v = q;
			if (quote) {
				const char *close = memchr(q, quote, (size_t)(end - q));
				q = close ? close : end;
			} else {
				while (q < end && !is_space(*q) && *q != '>')
					q++;
			}
			size_t vlen = (size_t)(q - v);
			if (quote && q < end)
				q++;
			fn(arg, tag, name, nlen, v, vlen);
		}
		if (q >= end)
			break;
	}
}
