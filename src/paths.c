/*
 * paths.c - the site's path policy: where a page's URL and output file
 * are, and how a path written in content resolves under content/.
 */
#include "paths.h"

#include <string.h>

#include "util.h"

/* Percent-encodes what may not stand in an href path as is. */
static void put_url_path(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (is_alnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~')
			buf_putc(b, c);
		else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

void paths_set_page(arena *a, struct page *p, const char *path)
{
	struct buf u = BUF_INIT, o = BUF_INIT;
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	bool is_file = strchr(last, '.') != NULL;
	buf_putc(&u, '/');
	put_url_path(&u, path);
	buf_puts(&o, path);
	if (!is_file) {
		if (*path)
			buf_putc(&u, '/');
		buf_puts(&o, *path ? "/index.html" : "index.html");
	}
	p->url = arena_strndup(a, u.ptr, u.len);
	p->out_path = arena_strndup(a, o.ptr, o.len);
	buf_free(&u);
	buf_free(&o);
}

void paths_unescape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int h1, h2;
		if (s[i] == '%' && i + 2 < n && (h1 = hex_value(s[i + 1])) >= 0 &&
		    (h2 = hex_value(s[i + 2])) >= 0) {
			buf_putc(out, h1 * 16 + h2);
			i += 2;
		} else {
			buf_putc(out, s[i]);
		}
	}
}

int paths_join(struct buf *out, const char *base, const char *path, size_t n)
{
	struct buf raw = BUF_INIT;
	if (n && path[0] == '/') {
		path++;
		n--;
	} else if (*base) {
		buf_printf(&raw, "%s/", base);
	}
	paths_unescape(&raw, path, n);
	buf_reset(out);
	const char *p = raw.ptr;
	int rc = 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out->ptr, '/');
			if (out->len == 0) {
				rc = -1;
				break;
			}
			buf_truncate(out, slash ? (size_t)(slash - out->ptr) : 0);
		} else {
			if (out->len)
				buf_putc(out, '/');
			buf_put(out, p, len);
		}
		p += len;
		if (*p == '/')
			p++;
	}
	buf_free(&raw);
	return rc;
}
