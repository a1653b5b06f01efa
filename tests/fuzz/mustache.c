/*
 * mustache.c - libFuzzer target: Mustache compile and render.  The input
 * is a template, then optionally a NUL byte and YAML data for it; the
 * template is also there as the partial "self" and the parent "base", so
 * partials, parents and their recursion are reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mustache.h"
#include "yamlvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	struct diags d;
	diags_init(&d);
	arena *a = arena_new();
	value *ctx = NULL;
	if (nul)
		ctx = yamlvalue_load(a, "data.yaml", nul + 1, size - tlen - 1, 0, &d);
	if (!ctx) {
		static const char fallback[] =
			"page: {title: T, tags: [a, b], list: [{x: 1}, {x: 2}], html: \"<b>\"}\n"
			"site: {title: S}\nname: n\nitems: [1, 2, 3]\n";
		ctx = yamlvalue_load(a, "data.yaml", fallback, sizeof fallback - 1, 0, &d);
	}
	mustache_set *set = mustache_set_new();
	mustache_set_add(set, "self", "self.mustache", text, tlen, &d);
	mustache_set_add(set, "base", "base.mustache", text, tlen, &d);
	mustache_set_add(set, "page", "page.mustache", text, tlen, &d);
	const mustache_tpl *t = mustache_set_get(set, "page");
	if (t) {
		struct buf out = BUF_INIT;
		mustache_render(set, t, ctx, &out, &d, NULL, NULL);
		buf_free(&out);
	}
	mustache_set_free(set);
	arena_free(a);
	diags_free(&d);
	return 0;
}
