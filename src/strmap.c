/*
 * strmap.c - FNV-1a hashing, linear probing, doubling past 3/4 load.
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>
#include "util.h"

/* 64-bit FNV-1a, folded to the 32 bits a slot keeps. */
static uint32_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

void *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	if (!m->cap || len > UINT32_MAX)
		return NULL;
	uint32_t h = hash_bytes(key, len);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->hash == h && s->len == len && !memcmp(s->key, key, len))
			return s->val;
	}
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

static void grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct strmap_slot *slots = xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < m->cap; i++) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			continue;
		size_t j = s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

void *strmap_putn(struct strmap *m, const char *key, size_t len, void *val)
{
	if (len > UINT32_MAX)
		die("key of %zu bytes is too long for a map", len);
	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	uint32_t h = hash_bytes(key, len);
	size_t i = h & (m->cap - 1);
	for (;; i = (i + 1) & (m->cap - 1)) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			break;
		if (s->hash == h && s->len == len && !memcmp(s->key, key, len))
			return s->val;
	}
	m->slots[i].key = key;
	m->slots[i].len = (uint32_t)len;
	m->slots[i].hash = h;
	m->slots[i].val = val;
	m->n++;
	return NULL;
}

void *strmap_put(struct strmap *m, const char *key, void *val)
{
	return strmap_putn(m, key, strlen(key), val);
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

void strmap_keys(const struct strmap *m, const char **keys, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			keys[(*n)++] = m->slots[i].key;
}

void strmap_each(const struct strmap *m, void (*fn)(void *arg, const char *key, void *val),
		 void *arg)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			fn(arg, m->slots[i].key, m->slots[i].val);
}
