/*
 * slug.c - folding text into slugs.
 */
#include "slug.h"

#include <stdint.h>
#include <string.h>
#include "util.h"

/* Base letters of U+00C0..U+00FF; '-' is a separator, '*' a two-letter fold. */
static const char latin1[] =
	"aaaaaa*ceeeeiiii" "dnooooo-ouuuuy**"
	"aaaaaa*ceeeeiiii" "dnooooo-ouuuuy*y";
/* Base letters of U+0100..U+017F; '*' marks the two-letter ones. */
static const char latin_ext_a[] =
	"aaaaaacccccccccc" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii"
	"ii**jjkkklllllll" "lllnnnnnnnnnoooo" "oo**rrrrrrssssss"
	"ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

static const char *two_letter(uint32_t cp)
{
	switch (cp) {
	case 0xC6: case 0xE6: return "ae";
	case 0xDE: case 0xFE: return "th";
	case 0xDF: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x152: case 0x153: return "oe";
	}
	return "";
}

/* Decodes one UTF-8 sequence at S (valid input assumed; bad bytes are
 * taken one at a time).  Returns its length. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80 || n < 2) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	if (len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	uint32_t c = s[0] & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*cp = c;
	return len;
}

static bool is_separator_cp(uint32_t cp)
{
	return (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
	       (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	       cp == 0xA0 || (cp >= 0xA1 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
	       cp == 0xFFFD;
}

void slug_append(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t start = out->len;
	bool pending_sep = false;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		const char *fold = NULL;
		char one[2] = { 0, 0 };
		if (cp < 0x80) {
			if (is_alnum((int)cp)) {
				one[0] = (char)to_lower((int)cp);
				fold = one;
			} else if (cp == '\'') {
				i += len;
				continue;   /* what's -> whats */
			}
		} else if (cp == 0x2019) {
			i += len;
			continue;
		} else if (cp >= 0xC0 && cp <= 0xFF) {
			char c = latin1[cp - 0xC0];
			if (c == '*')
				fold = two_letter(cp);
			else if (c != '-') {
				one[0] = c;
				fold = one;
			}
		} else if (cp >= 0x100 && cp <= 0x17F) {
			char c = latin_ext_a[cp - 0x100];
			if (c == '*') {
				fold = two_letter(cp);
			} else {
				one[0] = c;
				fold = one;
			}
		} else if (!is_separator_cp(cp)) {
			/* Another script: kept as written. */
			if (pending_sep && out->len > start)
				buf_putc(out, '-');
			pending_sep = false;
			buf_put(out, s + i, len);
			i += len;
			continue;
		}
		if (fold) {
			if (pending_sep && out->len > start)
				buf_putc(out, '-');
			pending_sep = false;
			buf_puts(out, fold);
		} else {
			pending_sep = true;
		}
		i += len;
	}
}

/* Code points GitHub's heading ids drop besides ASCII punctuation: the
 * punctuation and symbol blocks, emoji and the joiners between them. */
static bool is_dropped_cp(uint32_t cp)
{
	if (cp == 0xAA || cp == 0xB5 || cp == 0xBA)
		return false;   /* ª µ º are letters */
	return is_separator_cp(cp) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
	       (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0x200D || cp == 0x20E3;
}

/* Lowercase of CP in the scripts editors write headings in (Latin,
 * Greek, Cyrillic); other code points are returned as they are. */
static uint32_t lower_cp(uint32_t cp)
{
	if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
	    (cp >= 0x410 && cp <= 0x42F))
		return cp + 0x20;
	if (cp >= 0x400 && cp <= 0x40F)
		return cp + 0x50;
	if (cp >= 0x100 && cp <= 0x17F && cp != 0x130 && cp != 0x131 && cp != 0x138 && cp != 0x149 &&
	    cp != 0x17F) {
		/* Latin Extended-A pairs an upper with the next code point, even
		 * first below U+0138 and between U+014A and U+0177, odd first
		 * elsewhere. */
		bool even_first = cp < 0x138 || (cp >= 0x14A && cp <= 0x177);
		if (cp == 0x178)
			return 0xFF;
		if ((cp % 2 == 0) == even_first)
			return cp + 1;
	}
	return cp;
}

static void put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_put(out, b, n);
}

void slug_heading_id(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		if (cp < 0x80) {
			if (is_alnum((int)cp) || cp == '-' || cp == '_')
				buf_putc(out, (char)to_lower((int)cp));
			else if (cp == ' ')
				buf_putc(out, '-');
		} else if (cp == 0xFFFD && len == 1) {
			/* a stray byte: dropped */
		} else if (!is_dropped_cp(cp)) {
			put_utf8(out, lower_cp(cp));
		}
		i += len;
	}
}

void slug_lower(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		if (cp < 0x80)
			buf_putc(out, (char)to_lower((int)cp));
		else if (cp == 0xFFFD && len == 1)
			buf_putc(out, (char)s[i]);
		else
			put_utf8(out, lower_cp(cp));
		i += len;
	}
}

void slug_fold_key(struct buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = decode(s + i, n - i, &cp);
		i += len;
		if (cp >= 0x300 && cp <= 0x36F)
			continue;       /* a combining mark */
		if (cp < 0x80) {
			buf_putc(out, (char)to_lower((int)cp));
		} else if ((cp >= 0xC0 && cp <= 0xFF && cp != 0xD7 && cp != 0xF7) ||
			   (cp >= 0x100 && cp <= 0x17F)) {
			char c = cp <= 0xFF ? latin1[cp - 0xC0] : latin_ext_a[cp - 0x100];
			if (c == '*')
				buf_puts(out, two_letter(cp));
			else
				buf_putc(out, c);
		} else {
			put_utf8(out, lower_cp(cp));
		}
	}
}
