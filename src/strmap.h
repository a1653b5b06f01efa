/*
 * strmap.h - a hash map from strings to pointers (open addressing).
 * Keys are borrowed: they must outlive the map.  Not thread-safe for
 * writers; any number of readers once filled.
 */
#ifndef FOLIO_STRMAP_H
#define FOLIO_STRMAP_H

#include <stddef.h>

#include <stdint.h>

/* 24 bytes: the maps of a million-page site hold millions of slots. */
struct strmap_slot {
	const char *key;
	void *val;
	uint32_t hash;
	uint32_t len;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, n;
};

#define STRMAP_INIT { NULL, 0, 0 }

/* Returns the value stored under KEY, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Stores VAL under KEY unless KEY is present.  Returns the value already
 * there (and stores nothing), or NULL when VAL was stored. */
void *strmap_put(struct strmap *m, const char *key, void *val);
void *strmap_putn(struct strmap *m, const char *key, size_t len, void *val);
void strmap_free(struct strmap *m);
/* Calls FN(ARG, KEY, VAL) for every entry, in no set order. */
void strmap_each(const struct strmap *m, void (*fn)(void *arg, const char *key, void *val),
		 void *arg);
/* Puts the map's keys into KEYS (room for m->n), in no set order, and
 * their number into *N. */
void strmap_keys(const struct strmap *m, const char **keys, size_t *n);

#endif
