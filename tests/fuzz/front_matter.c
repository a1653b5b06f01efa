/*
 * front_matter.c - libFuzzer target: a whole content file through the
 * front-matter split and YAML to values, as content.c reads one, then the
 * values out as JSON (what JSON-LD and the search index do with them).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "yamlvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct diags d;
	diags_init(&d);
	arena *a = arena_new();
	size_t len = size, fmlen, body_off;
	unsigned body_line;
	const char *fm;
	if (content_split("fuzz.md", text, &len, &fm, &fmlen, &body_off, &body_line, &d) == 0) {
		value *v = yamlvalue_load_text(a, "fuzz.md", fm, fmlen, 1, &d);
		if (v) {
			struct buf json = BUF_INIT;
			value_to_json(v, &json);
			buf_free(&json);
		}
	}
	arena_free(a);
	diags_free(&d);
	free(text);
	return 0;
}
