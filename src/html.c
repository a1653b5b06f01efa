/*
 * html.c - attributes of the HTML folio writes.
 */
#include "html.h"

#include <string.h>

#include "util.h"

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
				q++;
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
			while (q < end && (quote ? *q != quote : !is_space(*q) && *q != '>'))
				q++;
			size_t vlen = (size_t)(q - v);
			if (quote && q < end)
				q++;
			fn(arg, tag, name, nlen, v, vlen);
		}
		if (q >= end)
			break;
	}
}
