/*
 * util.h - memory policy, arenas and small helpers shared by every module.
 *
 * Out-of-memory policy: folio is a build tool, so running out of memory
 * is fatal.  The x* allocators print a message and exit; callers never
 * check for NULL.  Return codes are kept for real failures.
 */
#ifndef FOLIO_UTIL_H
#define FOLIO_UTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#if defined(__GNUC__)
#define FOLIO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define FOLIO_NORETURN __attribute__((noreturn))
#else
#define FOLIO_PRINTF(f, a)
#define FOLIO_NORETURN
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Prints "folio: MESSAGE" to standard error and exits with status 1. */
FOLIO_NORETURN void die(const char *fmt, ...) FOLIO_PRINTF(1, 2);

/*
 * An arena hands out memory that lives until the arena is reset or freed.
 * Pages, values and strings that live for the whole build come from one;
 * each render thread has a scratch arena it resets after every page.
 * An arena is not thread-safe: one owner at a time.
 */
typedef struct arena arena;

/* An arena's insides are here only so that its common case is inline
 * (most allocations fit the current block): use the functions. */
struct arena_block {
	struct arena_block *next;
	size_t size, used;
	max_align_t data[];
};
struct arena {
	struct arena_block *head;
	size_t total;
};
void *arena_take(arena *a, size_t n, size_t align);
static inline void *arena_take_inline(arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	if (b && n) {
		size_t at = (b->used + align - 1) & ~(align - 1);
		if (at <= b->size && b->size - at >= n) {
			b->used = at + n;
			a->total += n;
			return (char *)b->data + at;
		}
	}
	return arena_take(a, n, align);
}

arena *arena_new(void);
void arena_free(arena *a);
/* N new arenas, one per worker of a pool_run; arenas_free frees them and
 * the list. */
arena **arenas_new(unsigned n);
void arenas_free(arena **a, unsigned n);
/* Releases everything allocated so far but keeps the first block. */
void arena_reset(arena *a);
/* Returns N bytes aligned for any type; never NULL. */
static inline void *arena_alloc(arena *a, size_t n)
{
	return arena_take_inline(a, n, sizeof(max_align_t));
}
void *arena_zalloc(arena *a, size_t n);
/* Returns N bytes with no alignment, for strings and packed bytes. */
static inline void *arena_bytes(arena *a, size_t n)
{
	return arena_take_inline(a, n, 1);
}
/* Grows a block from this arena (copying); OLD may be NULL. */
void *arena_grow(arena *a, void *old, size_t oldn, size_t newn);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
/* Bytes handed out by this arena since it was created or reset. */
size_t arena_used(const arena *a);

/* Reads a whole file into a NUL-terminated malloc'd buffer.
 * Returns NULL and sets errno on failure; *len receives the size. */
char *file_read(const char *path, size_t *len);

/* Locale-independent character classes (cmark_ctype style). */
static inline bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static inline int to_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int to_upper(int c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }
/* The value of hexadecimal digit C (either case), or -1. */
static inline int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	c = to_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Checks that S[0..N) is well-formed UTF-8.  Returns the byte offset of
 * the first bad sequence, or N when valid. */
size_t utf8_valid_prefix(const char *s, size_t n);

/* Milliseconds on a clock that only moves forward, for timings. */
double util_now_ms(void);
/* The most memory the process has held resident so far, in KiB. */
size_t util_peak_rss_kb(void);

/* strerror(ERR), safe to call from any thread: the text is kept per
 * thread until that thread's next call. */
const char *util_strerror(int err);
/* The name of the encoding of S[0..N) when it is UTF-16 or UTF-32 ("UTF-16LE",
 * ...), by its byte order mark or, without one, by the NUL bytes of its
 * first characters (text starting with ASCII, as front matter and YAML do);
 * NULL otherwise. */
const char *text_wide_encoding(const char *s, size_t n);

/* A 64-bit FNV-1a hash of P[0..N), for telling contents apart;
 * hash64_more() goes on from the hash H of what came before. */
#define HASH64_SEED 0xcbf29ce484222325ULL
uint64_t hash64(const void *p, size_t n);
uint64_t hash64_more(uint64_t h, const void *p, size_t n);

#endif
