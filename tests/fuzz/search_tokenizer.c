/*
 * search_tokenizer.c - libFuzzer target: the search tokenizer (splitting,
 * folding, stop words, stemming) over any valid UTF-8, and the stemmer
 * on its first 64 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "util.h"

static void term(void *arg, const char *t, size_t len)
{
	size_t *total = arg;
	*total += len + (t[0] != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Pages' text is valid UTF-8 by the time it is tokenized. */
	if (utf8_valid_prefix((const char *)data, size) != size)
		return 0;
	struct search_tokenizer *tk = search_tokenizer_new();
	size_t total = 0;
	search_terms(tk, (const char *)data, size, term, &total);
	size_t len, n = size < 64 ? size : 64;
	while (n > 0 && n < size && ((unsigned char)data[n] & 0xC0) == 0x80)
		n--;
	search_stem(tk, (const char *)data, n, &len);
	search_tokenizer_free(tk);
	return 0;
}
