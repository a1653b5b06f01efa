/*
 * value.c - construction, lookup and text of values.
 */
#include "value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

value *value_new(arena *a, enum value_type t)
{
	value *v = arena_zalloc(a, sizeof(*v));
	v->type = t;
	return v;
}

value *value_null(arena *a) { return value_new(a, V_NULL); }

value *value_bool(arena *a, bool b)
{
	value *v = value_new(a, V_BOOL);
	v->u.b = b;
	return v;
}

value *value_int(arena *a, long long i)
{
	value *v = value_new(a, V_INT);
	v->u.i = i;
	return v;
}

value *value_float(arena *a, double f)
{
	value *v = value_new(a, V_FLOAT);
	v->u.f = f;
	return v;
}

value *value_str_ref(arena *a, const char *s, size_t n)
{
	value *v = value_new(a, V_STRING);
	v->u.str.s = s;
	v->u.str.len = n;
	return v;
}

value *value_strn(arena *a, const char *s, size_t n)
{
	return value_str_ref(a, arena_strndup(a, s, n), n);
}

value *value_str(arena *a, const char *s)
{
	return value_strn(a, s, strlen(s));
}

value *value_list(arena *a) { return value_new(a, V_LIST); }
value *value_map(arena *a) { return value_new(a, V_MAP); }

value *value_list_view(arena *a, value **items, size_t n)
{
	value *v = value_new(a, V_LIST);
	v->u.list.items = items;
	v->u.list.n = n;
	v->u.list.cap = 0; /* a view: never grown in place */
	return v;
}

value *value_at(value *v, const char *file, unsigned line, unsigned col)
{
	v->file = file;
	v->line = line;
	v->col = col;
	return v;
}

void value_list_push(arena *a, value *list, value *item)
{
	if (list->u.list.n == list->u.list.cap) {
		size_t cap = list->u.list.cap ? list->u.list.cap * 2 : 4;
		if (cap < list->u.list.n + 1)
			cap = list->u.list.n + 4;
		list->u.list.items = arena_grow(a, list->u.list.items,
						list->u.list.n * sizeof(value *),
						cap * sizeof(value *));
		list->u.list.cap = cap;
	}
	list->u.list.items[list->u.list.n++] = item;
}

value *value_map_getn(const value *map, const char *key, size_t keylen)
{
	if (map && map->type == V_VIEW)
		return map->u.view.ops->get(map, key, keylen);
	if (!map || map->type != V_MAP)
		return NULL;
	for (size_t i = 0; i < map->u.map.n; i++) {
		const struct value_pair *p = &map->u.map.items[i];
		if (p->keylen == keylen && memcmp(p->key, key, keylen) == 0)
			return p->val;
	}
	return NULL;
}

value *value_map_get(const value *map, const char *key)
{
	return value_map_getn(map, key, strlen(key));
}

const char *value_map_str(const value *map, const char *key)
{
	value *v = value_map_get(map, key);
	return v && v->type == V_STRING ? v->u.str.s : NULL;
}

void value_map_setn(arena *a, value *map, const char *key, size_t keylen, value *v)
{
	for (size_t i = 0; i < map->u.map.n; i++) {
		struct value_pair *p = &map->u.map.items[i];
		if (p->keylen == keylen && memcmp(p->key, key, keylen) == 0) {
			p->val = v;
			return;
		}
	}
	if (map->u.map.n == map->u.map.cap) {
		size_t cap = map->u.map.cap ? map->u.map.cap * 2 : 8;
		map->u.map.items = arena_grow(a, map->u.map.items,
					      map->u.map.n * sizeof(struct value_pair),
					      cap * sizeof(struct value_pair));
		map->u.map.cap = cap;
	}
	struct value_pair *p = &map->u.map.items[map->u.map.n++];
	p->key = key;
	p->keylen = keylen;
	p->val = v;
}

void value_map_set(arena *a, value *map, const char *key, value *v)
{
	value_map_setn(a, map, key, strlen(key), v);
}

bool value_truthy(const value *v)
{
	if (!v)
		return false;
	switch (v->type) {
	case V_NULL: return false;
	case V_BOOL: return v->u.b;
	case V_LIST: return v->u.list.n > 0;
	default: return true;
	}
}

static void put_double(struct buf *out, double f)
{
	char tmp[64];
	if (isnan(f)) {
		buf_puts(out, "NaN");
		return;
	}
	if (isinf(f)) {
		buf_puts(out, f < 0 ? "-Infinity" : "Infinity");
		return;
	}
	/* Shortest of %.15g / %.17g that reads back exactly. */
	snprintf(tmp, sizeof tmp, "%.15g", f);
	if (strtod(tmp, NULL) != f)
		snprintf(tmp, sizeof tmp, "%.17g", f);
	buf_puts(out, tmp);
}

void value_to_text(const value *v, struct buf *out)
{
	if (!v)
		return;
	switch (v->type) {
	case V_NULL: break;
	case V_BOOL: buf_puts(out, v->u.b ? "true" : "false"); break;
	case V_INT: buf_printf(out, "%lld", v->u.i); break;
	case V_FLOAT: put_double(out, v->u.f); break;
	case V_STRING: buf_put(out, v->u.str.s, v->u.str.len); break;
	case V_LIST: case V_MAP: case V_VIEW: break;
	}
}

void value_to_json(const value *v, struct buf *out)
{
	if (!v) {
		buf_puts(out, "null");
		return;
	}
	switch (v->type) {
	case V_NULL: buf_puts(out, "null"); break;
	case V_BOOL: case V_INT: value_to_text(v, out); break;
	case V_FLOAT:
		if (isnan(v->u.f) || isinf(v->u.f))
			buf_puts(out, "null");
		else
			put_double(out, v->u.f);
		break;
	case V_STRING:
		buf_putc(out, '"');
		buf_put_json(out, v->u.str.s, v->u.str.len);
		buf_putc(out, '"');
		break;
	case V_LIST:
		buf_putc(out, '[');
		for (size_t i = 0; i < v->u.list.n; i++) {
			if (i)
				buf_putc(out, ',');
			value_to_json(v->u.list.items[i], out);
		}
		buf_putc(out, ']');
		break;
	case V_MAP:
		buf_putc(out, '{');
		for (size_t i = 0; i < v->u.map.n; i++) {
			if (i)
				buf_putc(out, ',');
			buf_putc(out, '"');
			buf_put_json(out, v->u.map.items[i].key, v->u.map.items[i].keylen);
			buf_puts(out, "\":");
			value_to_json(v->u.map.items[i].val, out);
		}
		buf_putc(out, '}');
		break;
	case V_VIEW:
		/* A page: its title, as a page named in a field reads. */
		value_to_json(value_map_getn(v, "title", 5), out);
		break;
	}
}

value *value_copy(arena *a, const value *v)
{
	value *c = value_new(a, v->type);
	*c = *v;
	switch (v->type) {
	case V_STRING:
		c->u.str.s = arena_strndup(a, v->u.str.s, v->u.str.len);
		break;
	case V_LIST:
		c->u.list.items = NULL;
		c->u.list.n = c->u.list.cap = 0;
		for (size_t i = 0; i < v->u.list.n; i++)
			value_list_push(a, c, value_copy(a, v->u.list.items[i]));
		break;
	case V_MAP:
		c->u.map.items = NULL;
		c->u.map.n = c->u.map.cap = 0;
		for (size_t i = 0; i < v->u.map.n; i++) {
			const struct value_pair *p = &v->u.map.items[i];
			value_map_setn(a, c, arena_strndup(a, p->key, p->keylen),
				       p->keylen, value_copy(a, p->val));
		}
		break;
	default:
		break;
	}
	return c;
}

const char *value_type_name(enum value_type t)
{
	switch (t) {
	case V_NULL: return "null";
	case V_BOOL: return "bool";
	case V_INT: return "integer";
	case V_FLOAT: return "float";
	case V_STRING: return "string";
	case V_LIST: return "list";
	case V_MAP: case V_VIEW: return "map";
	}
	return "?";
}

/* ---- packed values ----
 * Each value: its type (one byte), line and column (varints), then
 *   bool: one byte; int: zigzag varint; float: 8 bytes;
 *   string: varint length, the bytes, a NUL;
 *   list: varint count, the items; map: varint count, then for each
 *   pair the key as a string is, then the value. */

static void put_varint(struct buf *b, uint64_t v)
{
	while (v >= 0x80) {
		buf_putc(b, (int)(v & 0x7F) | 0x80);
		v >>= 7;
	}
	buf_putc(b, (int)v);
}

static uint64_t get_varint(const unsigned char **p)
{
	uint64_t v = 0;
	for (int shift = 0;; shift += 7) {
		unsigned char c = *(*p)++;
		v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80))
			return v;
	}
}

static void put_packed_str(struct buf *b, const char *s, size_t n)
{
	put_varint(b, n);
	buf_put(b, s, n);
	buf_putc(b, '\0');
}

void value_pack(struct buf *out, const value *v)
{
	buf_putc(out, (int)v->type);
	put_varint(out, v->line);
	put_varint(out, v->col);
	switch (v->type) {
	case V_NULL: case V_VIEW: break;
	case V_BOOL: buf_putc(out, v->u.b); break;
	case V_INT:
		put_varint(out, ((uint64_t)v->u.i << 1) ^ (uint64_t)(v->u.i < 0 ? -1 : 0));
		break;
	case V_FLOAT: buf_put(out, &v->u.f, sizeof(v->u.f)); break;
	case V_STRING: put_packed_str(out, v->u.str.s, v->u.str.len); break;
	case V_LIST:
		put_varint(out, v->u.list.n);
		for (size_t i = 0; i < v->u.list.n; i++)
			value_pack(out, v->u.list.items[i]);
		break;
	case V_MAP:
		put_varint(out, v->u.map.n);
		for (size_t i = 0; i < v->u.map.n; i++) {
			put_packed_str(out, v->u.map.items[i].key, v->u.map.items[i].keylen);
			value_pack(out, v->u.map.items[i].val);
		}
		break;
	}
}

static value *unpack(arena *a, const unsigned char **p, const char *file)
{
	value *v = value_new(a, (enum value_type) * (*p)++);
	v->line = (unsigned)get_varint(p);
	v->col = (unsigned)get_varint(p);
	v->file = file;
	switch (v->type) {
	case V_NULL: case V_VIEW: break;
	case V_BOOL: v->u.b = *(*p)++ != 0; break;
	case V_INT: {
		uint64_t z = get_varint(p);
		v->u.i = (long long)(z >> 1) ^ -(long long)(z & 1);
		break;
	}
	case V_FLOAT: memcpy(&v->u.f, *p, sizeof(v->u.f)); *p += sizeof(v->u.f); break;
	case V_STRING:
		v->u.str.len = (size_t)get_varint(p);
		v->u.str.s = (const char *)*p;
		*p += v->u.str.len + 1;
		break;
	case V_LIST: {
		size_t n = (size_t)get_varint(p);
		v->u.list.items = arena_alloc(a, (n ? n : 1) * sizeof(value *));
		v->u.list.n = v->u.list.cap = n;
		for (size_t i = 0; i < n; i++)
			v->u.list.items[i] = unpack(a, p, file);
		break;
	}
	case V_MAP: {
		size_t n = (size_t)get_varint(p);
		v->u.map.items = arena_alloc(a, (n ? n : 1) * sizeof(struct value_pair));
		v->u.map.n = v->u.map.cap = n;
		for (size_t i = 0; i < n; i++) {
			struct value_pair *kv = &v->u.map.items[i];
			kv->keylen = (size_t)get_varint(p);
			kv->key = (const char *)*p;
			*p += kv->keylen + 1;
			kv->val = unpack(a, p, file);
		}
		break;
	}
	}
	return v;
}

/* Moves *P past one packed value. */
static void skip(const unsigned char **p)
{
	enum value_type t = (enum value_type) * (*p)++;
	get_varint(p);
	get_varint(p);
	switch (t) {
	case V_NULL: case V_VIEW: break;
	case V_BOOL: (*p)++; break;
	case V_INT: get_varint(p); break;
	case V_FLOAT: *p += sizeof(double); break;
	case V_STRING: *p += get_varint(p) + 1; break;
	case V_LIST:
		for (size_t n = (size_t)get_varint(p); n > 0; n--)
			skip(p);
		break;
	case V_MAP:
		for (size_t n = (size_t)get_varint(p); n > 0; n--) {
			*p += get_varint(p) + 1;
			skip(p);
		}
		break;
	}
}

value *value_unpack(arena *a, const char *packed, const char *file)
{
	const unsigned char *p = (const unsigned char *)packed;
	return unpack(a, &p, file);
}

/* Calls FN with each key of the packed map PACKED and P pointing at its
 * value, until FN returns PAIR_STOP. */
enum pair_step { PAIR_NEXT, PAIR_STOP };
static void each_pair(const char *packed,
		      enum pair_step (*fn)(void *arg, const char *key, size_t len,
					   const unsigned char **p),
		      void *arg)
{
	const unsigned char *p = (const unsigned char *)packed;
	if (*p++ != V_MAP)
		return;
	get_varint(&p);
	get_varint(&p);
	for (size_t n = (size_t)get_varint(&p); n > 0; n--) {
		size_t klen = (size_t)get_varint(&p);
		const char *k = (const char *)p;
		p += klen + 1;
		if (fn(arg, k, klen, &p) == PAIR_STOP)
			return;
		skip(&p);
	}
}

struct find {
	arena *a;
	const char *file, *key;
	size_t len;
	value *found;
};

static enum pair_step find_key(void *arg, const char *key, size_t len, const unsigned char **p)
{
	struct find *f = arg;
	if (len != f->len || memcmp(key, f->key, len))
		return PAIR_NEXT;
	f->found = unpack(f->a, p, f->file);
	return PAIR_STOP;
}

value *value_unpack_get(arena *a, const char *packed, const char *file, const char *key,
			size_t len)
{
	struct find f = { a, file, key, len, NULL };
	each_pair(packed, find_key, &f);
	return f.found;
}

struct keys {
	void (*fn)(void *arg, const char *key, size_t len, enum value_type type);
	void *arg;
};

static enum pair_step tell_key(void *arg, const char *key, size_t len, const unsigned char **p)
{
	struct keys *k = arg;
	k->fn(k->arg, key, len, (enum value_type) * *p);
	return PAIR_NEXT;
}

void value_unpack_keys(const char *packed, void (*fn)(void *arg, const char *key, size_t len,
						      enum value_type type), void *arg)
{
	struct keys k = { fn, arg };
	each_pair(packed, tell_key, &k);
}
