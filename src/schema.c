/*
 * schema.c - checking front matter against the sections' schemas.
 */
#include "schema.h"

#include <string.h>

#include "buf.h"
#include "paths.h"
#include "strmap.h"

enum rule_type { R_STRING, R_INTEGER, R_BOOL, R_DATE, R_LIST, R_ENUM, R_PAGES };

static const char *const type_names[] = {
	"string", "integer", "bool", "date", "list", "enum", "pages",
};

static const char *const expectations[] = {
	"a string", "an integer", "true or false", "a date (YYYY-MM-DD or RFC 3339)",
	"a list of strings", "one of the listed values", "a list of paths to content files",
};

struct rule {
	const char *key;
	enum rule_type type;
	bool required;
	const value *values;    /* R_ENUM */
};

struct section_schema {
	const char *section;
	struct rule *rules;
	size_t n;
};

/* Keys folio reads itself; never "unknown". */
static const char *const known_keys[] = {
	"title", "date", "summary", "draft", "slug", "url", "layout", "weight", "aliases",
	"search", NULL,
};

/* Sets *T to the rule type named S; -1 when S names none. */
static int parse_type(const char *s, enum rule_type *t)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum rule_type)i;
			return 0;
		}
	}
	return -1;
}

/* Reads the rule V of KEY into *R; -1 after reporting what is wrong. */
static int parse_rule(struct site *s, const char *key, const value *v, struct rule *r)
{
	const char *file = s->config->file;
	memset(r, 0, sizeof(*r));
	r->key = key;
	r->required = true;
	if (v->type == V_STRING) {
		if (parse_type(v->u.str.s, &r->type) < 0 || r->type == R_ENUM) {
			diag_error(s->d, file, v->line, v->col,
				   "schema type of '%s' must be string, integer, bool, date, list, pages "
				   "or {enum: [...]}, not '%s'", key, v->u.str.s);
			return -1;
		}
		return 0;
	}
	if (v->type != V_MAP) {
		diag_error(s->d, file, v->line, v->col,
			   "schema rule of '%s' must be a type name or a mapping", key);
		return -1;
	}
	value *en = value_map_get(v, "enum");
	value *ty = value_map_get(v, "type");
	value *req = value_map_get(v, "required");
	if (en) {
		if (en->type != V_LIST || en->u.list.n == 0) {
			diag_error(s->d, file, en->line, en->col, "'enum' of '%s' must be a list of values", key);
			return -1;
		}
		for (size_t i = 0; i < en->u.list.n; i++) {
			if (en->u.list.items[i]->type != V_STRING) {
				value *it = en->u.list.items[i];
				diag_error(s->d, file, it->line, it->col, "'enum' values must be strings");
				return -1;
			}
		}
		r->type = R_ENUM;
		r->values = en;
	} else if (ty && ty->type == V_STRING && parse_type(ty->u.str.s, &r->type) == 0 &&
		   r->type != R_ENUM) {
		/* fine */
	} else {
		const value *at = ty ? ty : v;
		diag_error(s->d, file, at->line, at->col,
			   "schema rule of '%s' needs a type (string, integer, bool, date, list, pages) "
			   "or an enum list", key);
		return -1;
	}
	if (req) {
		if (req->type != V_BOOL) {
			diag_error(s->d, file, req->line, req->col, "'required' must be true or false");
			return -1;
		}
		r->required = req->u.b;
	}
	for (size_t i = 0; i < v->u.map.n; i++) {
		const char *k = v->u.map.items[i].key;
		if (strcmp(k, "type") && strcmp(k, "enum") && strcmp(k, "required")) {
			value *x = v->u.map.items[i].val;
			diag_error(s->d, file, x->line, x->col,
				   "schema rule of '%s' has an unknown option '%s' (type, enum, required)", key, k);
			return -1;
		}
	}
	return 0;
}

static bool is_known(struct site *s, const char *key)
{
	for (const char *const *k = known_keys; *k; k++)
		if (!strcmp(*k, key))
			return true;
	for (size_t t = 0; t < s->config->ntax; t++)
		if (!strcmp(s->config->tax[t].key, key))
			return true;
	return false;
}

static void enum_list(struct buf *b, const value *values)
{
	for (size_t i = 0; i < values->u.list.n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", values->u.list.items[i]->u.str.s);
}

static void check_value(struct site *s, struct page *p, const struct rule *r, value *v, arena *a)
{
	const char *f = p->src;
	struct date d;
	bool ok = true;
	switch (r->type) {
	case R_STRING: ok = v->type == V_STRING; break;
	case R_INTEGER: ok = v->type == V_INT; break;
	case R_BOOL: ok = v->type == V_BOOL; break;
	case R_DATE: ok = v->type == V_STRING && date_parse(v->u.str.s, &d) == 0; break;
	case R_ENUM: {
		ok = false;
		if (v->type == V_STRING)
			for (size_t i = 0; i < r->values->u.list.n && !ok; i++)
				ok = !strcmp(r->values->u.list.items[i]->u.str.s, v->u.str.s);
		if (!ok) {
			struct buf b = BUF_INIT, got = BUF_INIT;
			enum_list(&b, r->values);
			if (v->type == V_STRING)
				buf_printf(&got, "'%s'", v->u.str.s);
			else
				buf_puts(&got, value_type_name(v->type));
			diag_error(s->d, f, v->line, v->col, "'%s' must be one of: %s (not %s)",
				   r->key, b.ptr, got.ptr);
			buf_free(&b);
			buf_free(&got);
		}
		return;
	}
	case R_LIST:
	case R_PAGES:
		if (v->type != V_LIST) {
			ok = false;
			break;
		}
		for (size_t i = 0; i < v->u.list.n; i++) {
			value *it = v->u.list.items[i];
			if (it->type != V_STRING) {
				diag_error(s->d, f, it->line, it->col,
					   "'%s' must be %s: this item is %s", r->key,
					   expectations[r->type], value_type_name(it->type));
				return;
			}
		}
		if (r->type == R_PAGES) {
			struct page_refs *ref;
			p->refs = arena_grow(a, p->refs, p->nrefs * sizeof(*p->refs),
					     (p->nrefs + 1) * sizeof(*p->refs));
			ref = &p->refs[p->nrefs++];
			ref->key = r->key;
			ref->pages = arena_alloc(a, (v->u.list.n + 1) * sizeof(*ref->pages));
			ref->n = 0;
			struct buf rel = BUF_INIT;
			for (size_t i = 0; i < v->u.list.n; i++) {
				value *it = v->u.list.items[i];
				struct page *t = NULL;
				if (paths_join(&rel, p->dir, it->u.str.s, it->u.str.len) == 0)
					t = site_find_rel(s, rel.ptr);
				if (!t && strmap_get(&s->broken, rel.ptr))
					continue;
				if (!t) {
					diag_error(s->d, f, it->line, it->col,
						   "'%s' names '%s', which is no content file (looked for %s/%s)",
						   r->key, it->u.str.s, s->content_dir, rel.ptr);
					continue;
				}
				ref->pages[ref->n++] = t;
			}
			buf_free(&rel);
		}
		return;
	}
	if (!ok && v->type == V_STRING && (r->type == R_LIST || r->type == R_PAGES))
		diag_error(s->d, f, v->line, v->col, "'%s' must be %s, not a string "
			   "(write [%s] for a list of one)", r->key, expectations[r->type], v->u.str.s);
	else if (!ok && v->type == V_STRING)
		diag_error(s->d, f, v->line, v->col, "'%s' must be %s, not '%s'", r->key,
			   expectations[r->type], v->u.str.s);
	else if (!ok)
		diag_error(s->d, f, v->line, v->col, "'%s' must be %s, not %s", r->key,
			   expectations[r->type], value_type_name(v->type));
}

void schema_check(struct site *s)
{
	size_t errors = s->d->errors;
	value *schema = s->config->schema;
	if (!schema)
		return;
	arena *a = s->a;
	struct strmap by_section = STRMAP_INIT;
	struct section_schema *list = arena_zalloc(a, (schema->u.map.n + 1) * sizeof(*list));
	for (size_t i = 0; i < schema->u.map.n; i++) {
		struct section_schema *ss = &list[i];
		value *rules = schema->u.map.items[i].val;
		ss->section = schema->u.map.items[i].key;
		if (rules->type != V_MAP) {
			diag_error(s->d, s->config->file, rules->line, rules->col,
				   "schema of section '%s' must be a mapping of keys to rules", ss->section);
			continue;
		}
		ss->rules = arena_zalloc(a, (rules->u.map.n + 1) * sizeof(*ss->rules));
		for (size_t k = 0; k < rules->u.map.n; k++)
			if (parse_rule(s, rules->u.map.items[k].key, rules->u.map.items[k].val,
				       &ss->rules[ss->n]) == 0)
				ss->n++;
		strmap_put(&by_section, ss->section, ss);
	}
	if (s->d->errors > errors) {
		strmap_free(&by_section);
		return;
	}
	arena *tmp = arena_new();
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		if (p->kind != PAGE_REGULAR)
			continue;
		struct section_schema *ss = strmap_get(&by_section, p->top);
		if (!ss)
			continue;
		arena_reset(tmp);
		value *fm = page_fm(p, tmp);
		for (size_t k = 0; k < ss->n; k++) {
			const struct rule *r = &ss->rules[k];
			value *v = value_map_get(fm, r->key);
			if (!v || v->type == V_NULL) {
				if (r->required) {
					struct buf want = BUF_INIT;
					if (r->type == R_ENUM) {
						buf_puts(&want, "one of: ");
						enum_list(&want, r->values);
					} else {
						buf_puts(&want, expectations[r->type]);
					}
					diag_error(s->d, p->src, 1, 1, "%s pages need '%s' (%s)", ss->section,
						   r->key, want.ptr);
					buf_free(&want);
				}
				continue;
			}
			check_value(s, p, r, v, a);
		}
		for (size_t k = 0; k < fm->u.map.n; k++) {
			const char *key = fm->u.map.items[k].key;
			bool listed = is_known(s, key);
			for (size_t j = 0; j < ss->n && !listed; j++)
				listed = !strcmp(ss->rules[j].key, key);
			if (!listed) {
				value *v = fm->u.map.items[k].val;
				diag_warning(s->d, p->src, v->line, 1,
					     "unknown key '%s': the %s schema in site.yaml does not list it",
					     key, ss->section);
			}
		}
	}
	arena_free(tmp);
	strmap_free(&by_section);
}
