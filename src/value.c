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
