/*
 * markdown.c - libFuzzer target: the Markdown stage (HTML, heading ids,
 * table of contents, summary, plain text for search) with link
 * resolution: destinations ending in .md are joined to the page's folder
 * as build.c does and rewritten to a URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "paths.h"
#include "markdown.h"
#include "util.h"

static const char *resolve(void *arg, const char *dest, unsigned line, unsigned col)
{
	arena *a = arg;
	(void)line;
	(void)col;
	size_t plen = strcspn(dest, "?#");
	if (plen < 3 || memcmp(dest + plen - 3, ".md", 3) != 0)
		return NULL;
	struct buf rel = BUF_INIT;
	const char *url = NULL;
	if (paths_join(&rel, "roles/data", dest, plen) == 0) {
		struct buf u = BUF_INIT;
		buf_printf(&u, "/%.*s/%s", (int)(rel.len - 3), rel.ptr, dest + plen);
		url = arena_strndup(a, u.ptr, u.len);
		buf_free(&u);
	}
	buf_free(&rel);
	return url;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A page's body is valid UTF-8 without NUL by the time it is parsed. */
	if (size && (utf8_valid_prefix((const char *)data + 1, size - 1) != size - 1 ||
		     memchr(data + 1, 0, size - 1)))
		return 0;
	arena *a = arena_new();
	/* The first byte picks the options; the rest is the page's body. */
	unsigned flags = size ? data[0] : 0;
	struct md_opts opts = { .unsafe = flags & 1, .smart = flags & 2, .text = true };
	struct md_result r;
	markdown_process(size ? (const char *)data + 1 : "", size ? size - 1 : 0, 4, &opts,
			 resolve, a, a, true, &r);
	free(r.html);
	free(r.text);
	free(r.heads_at);
	arena_free(a);
	return 0;
}
