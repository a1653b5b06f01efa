/*
 * value.h - the dynamic value that flows from YAML into templates.
 *
 * A value is null, bool, integer, float, string, list or map.  Maps keep
 * their source order.  Every value remembers where it came from (file,
 * line, column; 1-based, 0 when made by folio) so later errors can point
 * at it.
 *
 * Ownership: values, their strings and their arrays are allocated from an
 * arena passed in by the caller and live as long as that arena.  A value
 * may be referenced from many places (a page listed by many sections);
 * nothing frees an individual value.  Once built, values are read-only and
 * may be read from several threads at once.
 */
#ifndef FOLIO_VALUE_H
#define FOLIO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "util.h"

enum value_type {
	V_NULL,
	V_BOOL,
	V_INT,
	V_FLOAT,
	V_STRING,
	V_LIST,
	V_MAP,
	V_VIEW,         /* a map whose fields are computed on lookup (view.h) */
};

typedef struct value value;

/* How a V_VIEW answers: GET computes field KEY[0..LEN) of SELF (NULL when
 * it has none); NAMES calls FN with the name of every field it has. */
struct value_view_ops {
	value *(*get)(const value *self, const char *key, size_t len);
	void (*names)(const value *self, void (*fn)(void *arg, const char *key, size_t len),
		      void *arg);
};

struct value_pair {
	const char *key;        /* NUL-terminated */
	size_t keylen;
	value *val;
};

struct value {
	enum value_type type;
	unsigned line, col;
	const char *file;       /* borrowed; lives for the whole build */
	union {
		bool b;
		long long i;
		double f;
		struct { const char *s; size_t len; } str;   /* NUL-terminated */
		struct { value **items; size_t n, cap; } list;
		struct { struct value_pair *items; size_t n, cap; } map;
		struct { const struct value_view_ops *ops; void *obj; unsigned mode; } view;
	} u;
};

value *value_new(arena *a, enum value_type t);
value *value_null(arena *a);
value *value_bool(arena *a, bool b);
value *value_int(arena *a, long long i);
value *value_float(arena *a, double f);
/* Copies S[0..N) into the arena. */
value *value_strn(arena *a, const char *s, size_t n);
value *value_str(arena *a, const char *s);
/* Borrows S, which must outlive the value and be NUL-terminated at N. */
value *value_str_ref(arena *a, const char *s, size_t n);
value *value_list(arena *a);
value *value_map(arena *a);
/* A list viewing ITEMS[0..N) of another list, without copying. */
value *value_list_view(arena *a, value **items, size_t n);

/* Sets the position of V and returns V. */
value *value_at(value *v, const char *file, unsigned line, unsigned col);

void value_list_push(arena *a, value *list, value *item);
/* Replaces the value of KEY if present, else appends.  KEY is borrowed:
 * it must live as long as the map (use string literals or arena copies). */
void value_map_set(arena *a, value *map, const char *key, value *v);
void value_map_setn(arena *a, value *map, const char *key, size_t keylen, value *v);
/* Returns NULL when MAP is not a map or has no KEY.  A view computes
 * the field (view.h). */
value *value_map_get(const value *map, const char *key);
value *value_map_getn(const value *map, const char *key, size_t keylen);
/* Convenience: the string at KEY, or NULL if absent or not a string. */
const char *value_map_str(const value *map, const char *key);

/* Mustache truthiness: false for null, false, empty list; true otherwise
 * (0 and "" are true, as in the spec's data model). */
bool value_truthy(const value *v);
/* Appends the text of a scalar (null appends nothing). Lists and maps
 * append nothing. */
void value_to_text(const value *v, struct buf *out);
/* Writes V as JSON (strings escaped with buf_put_json).  A view (a page)
 * is written as its title, null without one. */
void value_to_json(const value *v, struct buf *out);
/* Deep-copies V into arena A. */
value *value_copy(arena *a, const value *v);
const char *value_type_name(enum value_type t);

/*
 * Packed values: a tree written into bytes, a few times smaller than its
 * nodes, for what is kept for a whole build (a page's front matter).
 * value_pack appends V to OUT.  value_unpack makes the tree again in A;
 * its strings point into PACKED, which must outlive them, and its values
 * get FILE as their file.  value_unpack_get does that for the value of
 * KEY[0..LEN) of a packed map only (NULL when it has none), and
 * value_unpack_keys calls FN with each key of a packed map and the type
 * of its value.
 */
void value_pack(struct buf *out, const value *v);
value *value_unpack(arena *a, const char *packed, const char *file);
value *value_unpack_get(arena *a, const char *packed, const char *file, const char *key,
			size_t len);
void value_unpack_keys(const char *packed, void (*fn)(void *arg, const char *key, size_t len,
						      enum value_type type), void *arg);

#endif
