/*
 * util.c - allocation that dies on failure, arenas, file reading, UTF-8.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

void die(const char *fmt, ...)
{
	va_list ap;
	fputs("folio: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		die("out of memory (%zu x %zu bytes)", count, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* ---- arenas ---- */

enum { ARENA_BLOCK = 64 * 1024 };

arena *arena_new(void)
{
	return xcalloc(1, sizeof(arena));
}

void arena_free(arena *a)
{
	if (!a)
		return;
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

void arena_reset(arena *a)
{
	struct arena_block *b = a->head, *keep = NULL;
	while (b) {
		struct arena_block *next = b->next;
		if (!next && b->size == ARENA_BLOCK) {
			keep = b;
		} else {
			free(b);
		}
		b = next;
	}
	if (keep)
		keep->used = 0;
	a->head = keep;
	a->total = 0;
}

/* N bytes from A at a multiple of ALIGN (a power of two, at most
 * max_align_t's): the whole of what arena_alloc and arena_bytes do inline
 * for the common case, and a new block when the current one is full. */
void *arena_take(arena *a, size_t n, size_t align)
{
	if (n > SIZE_MAX - sizeof(struct arena_block) - sizeof(max_align_t))
		die("out of memory (%zu bytes from an arena)", n);
	if (n == 0)
		n = 1;
	struct arena_block *b = a->head;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
	if (!b || at > b->size || b->size - at < n) {
		size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
		struct arena_block *nb = xmalloc(sizeof(struct arena_block) + size);
		nb->size = size;
		nb->used = 0;
		if (size != ARENA_BLOCK && b) {
			/* A big one-off block goes behind the current one so the
			 * current block keeps serving small requests. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
		at = 0;
	}
	void *p = (char *)b->data + at;
	b->used = at + n;
	a->total += n;
	return p;
}

void *arena_zalloc(arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

void *arena_grow(arena *a, void *old, size_t oldn, size_t newn)
{
	void *p = arena_alloc(a, newn);
	if (old && oldn)
		memcpy(p, old, oldn < newn ? oldn : newn);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		die("out of memory (%zu bytes from an arena)", n);
	char *p = arena_bytes(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

arena **arenas_new(unsigned n)
{
	arena **a = xcalloc(n ? n : 1, sizeof(*a));
	for (unsigned i = 0; i < n; i++)
		a[i] = arena_new();
	return a;
}

void arenas_free(arena **a, unsigned n)
{
	for (unsigned i = 0; a && i < n; i++)
		arena_free(a[i]);
	free(a);
}

size_t arena_used(const arena *a)
{
	return a->total;
}

/* ---- files ---- */

char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* ---- UTF-8 ---- */

size_t utf8_valid_prefix(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		/* ASCII eight bytes at a time. */
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp, min;
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2; cp = c & 0x1F; min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3; cp = c & 0x0F; min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4; cp = c & 0x07; min = 0x10000;
		} else {
			return i;
		}
		if (n - i < len)
			return i;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += len;
	}
	return n;
}

uint64_t hash64(const void *p, size_t n)
{
	return hash64_more(HASH64_SEED, p, n);
}

uint64_t hash64_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

const char *text_wide_encoding(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n >= 4 && !memcmp(s, "\xFF\xFE\0\0", 4))
		return "UTF-32LE";
	if (n >= 4 && !memcmp(s, "\0\0\xFE\xFF", 4))
		return "UTF-32BE";
	if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE)
		return "UTF-16LE";
	if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF)
		return "UTF-16BE";
	if (n < 4)
		return NULL;
	/* Without a mark: an ASCII character and where its zero bytes fall. */
	if (s[0] && !s[1] && !s[2] && !s[3])
		return "UTF-32LE";
	if (!s[0] && !s[1] && !s[2] && s[3])
		return "UTF-32BE";
	if (s[0] && !s[1] && s[2] && !s[3])
		return "UTF-16LE";
	if (!s[0] && s[1] && !s[2] && s[3])
		return "UTF-16BE";
	return NULL;
}

double util_now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

size_t util_peak_rss_kb(void)
{
	struct rusage u;
	if (getrusage(RUSAGE_SELF, &u) != 0 || u.ru_maxrss < 0)
		return 0;
	return (size_t)u.ru_maxrss;     /* Linux counts in KiB */
}

const char *util_strerror(int err)
{
	static _Thread_local char text[128];
	/* util.c is built without _GNU_SOURCE: this is POSIX's strerror_r. */
	if (strerror_r(err, text, sizeof text) != 0)
		snprintf(text, sizeof text, "error %d", err);
	return text;
}
