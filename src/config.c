/*
 * config.c - reading and checking site.yaml.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "yamlvalue.h"

/* Reports V (at its position) as not of the TYPE expected for KEY. */
static void bad_type(struct diags *d, const char *file, const value *v,
		     const char *key, const char *want)
{
	diag_error(d, file, v->line, v->col, "'%s' must be %s, not %s", key, want,
		   value_type_name(v->type));
}

/* The readers of site.yaml below report a wrong value in D, set *RC to
 * -1 and go on with the default, so that one run reports every error. */
static const char *get_string(struct diags *d, const char *file, const value *map,
			      const char *key, const char *dflt, int *rc)
{
	value *v = value_map_get(map, key);
	if (!v || v->type == V_NULL)
		return dflt;
	if (v->type != V_STRING) {
		bad_type(d, file, v, key, "a string");
		*rc = -1;
		return dflt;
	}
	return v->u.str.s;
}

static long long get_int(struct diags *d, const char *file, const value *map,
			 const char *key, long long dflt, long long min, int *rc)
{
	value *v = value_map_get(map, key);
	if (!v || v->type == V_NULL)
		return dflt;
	if (v->type != V_INT || v->u.i < min) {
		diag_error(d, file, v->line, v->col, "'%s' must be an integer of at least %lld",
			   key, min);
		*rc = -1;
		return dflt;
	}
	return v->u.i;
}

static bool get_bool(struct diags *d, const char *file, const value *map,
		     const char *key, bool dflt, int *rc)
{
	value *v = value_map_get(map, key);
	if (!v || v->type == V_NULL)
		return dflt;
	if (v->type != V_BOOL) {
		bad_type(d, file, v, key, "true or false");
		*rc = -1;
		return dflt;
	}
	return v->u.b;
}

/* Warns of each key of the mapping NAME (MAP) that is not one of KEYS
 * (NULL-terminated): a misspelt setting would otherwise do nothing. */
static void check_keys(struct diags *d, const char *file, const value *map, const char *name,
		       const char *const *keys)
{
	for (size_t i = 0; i < map->u.map.n; i++) {
		const struct value_pair *kv = &map->u.map.items[i];
		size_t k = 0;
		while (keys[k] && strcmp(keys[k], kv->key))
			k++;
		if (keys[k])
			continue;
		struct buf known = BUF_INIT;
		for (k = 0; keys[k]; k++)
			buf_printf(&known, "%s%s", k ? ", " : "", keys[k]);
		diag_warning(d, file, kv->val->line, kv->val->col,
			     "'%s' is not a setting of '%s' (its settings: %s); it is ignored",
			     kv->key, name, known.ptr);
		buf_free(&known);
	}
}

static bool valid_base_url(const char *s)
{
	const char *rest;
	if (!strncmp(s, "https://", 8))
		rest = s + 8;
	else if (!strncmp(s, "http://", 7))
		rest = s + 7;
	else
		return false;
	if (!*rest || *rest == '/')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

static const char *norm_base_url(arena *a, const char *s)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		n--;
	return arena_strndup(a, s, n);
}

static bool valid_taxonomy_name(const char *s)
{
	if (!*s)
		return false;
	for (const char *p = s; *p; p++)
		if (!(is_alnum(*p) && !(*p >= 'A' && *p <= 'Z')) && *p != '-' && *p != '_')
			return false;
	return true;
}

static void load_taxonomies(arena *a, struct config *c, struct diags *d, int *rc)
{
	value *t = value_map_get(c->raw, "taxonomies");
	if (t) {
		c->tax_line = t->line;
		c->tax_col = t->col;
	}
	if (!t || t->type == V_NULL)
		return;
	size_t n = t->type == V_LIST ? t->u.list.n : t->type == V_MAP ? t->u.map.n : 0;
	if (t->type != V_LIST && t->type != V_MAP) {
		bad_type(d, c->file, t, "taxonomies", "a list of names or a mapping");
		*rc = -1;
		return;
	}
	c->tax = arena_zalloc(a, (n ? n : 1) * sizeof(*c->tax));
	for (size_t i = 0; i < n; i++) {
		const char *name = NULL, *key = NULL;
		const value *at = t;
		if (t->type == V_LIST) {
			value *item = t->u.list.items[i];
			at = item;
			if (item->type != V_STRING) {
				bad_type(d, c->file, item, "taxonomies", "a list of names");
				*rc = -1;
				continue;
			}
			name = key = item->u.str.s;
		} else {
			name = t->u.map.items[i].key;
			value *opt = t->u.map.items[i].val;
			at = opt;
			key = name;
			if (opt->type == V_MAP) {
				key = get_string(d, c->file, opt, "key", name, rc);
			} else if (opt->type != V_NULL) {
				bad_type(d, c->file, opt, name, "a mapping (e.g. {key: NAME})");
				*rc = -1;
				continue;
			}
		}
		if (!valid_taxonomy_name(name)) {
			diag_error(d, c->file, at->line, at->col,
				   "taxonomy name '%s' must be lowercase letters, digits, '-' or '_'", name);
			*rc = -1;
			continue;
		}
		for (size_t k = 0; k < c->ntax; k++) {
			if (!strcmp(c->tax[k].name, name)) {
				diag_error(d, c->file, at->line, at->col, "taxonomy '%s' is declared twice", name);
				*rc = -1;
			}
		}
		c->tax[c->ntax].name = name;
		c->tax[c->ntax].key = key;
		c->ntax++;
	}
}

/* ignore: [GLOBS], urls: {lowercase: B}, links: error | warn. */
static void load_content_rules(arena *a, struct config *c, value *raw, struct diags *d, int *rc)
{
	value *ig = value_map_get(raw, "ignore");
	if (ig && ig->type == V_LIST) {
		c->ignore = arena_alloc(a, (ig->u.list.n + 1) * sizeof(*c->ignore));
		for (size_t i = 0; i < ig->u.list.n; i++) {
			value *g = ig->u.list.items[i];
			if (g->type != V_STRING || !g->u.str.len) {
				bad_type(d, c->file, g, "ignore", "a list of path patterns (e.g. [\"drafts/*\"])");
				*rc = -1;
				continue;
			}
			c->ignore[c->nignore++] = g->u.str.s;
		}
	} else if (ig && ig->type != V_NULL) {
		bad_type(d, c->file, ig, "ignore", "a list of path patterns (e.g. [\"drafts/*\"])");
		*rc = -1;
	}
	c->lowercase = true;
	value *urls = value_map_get(raw, "urls");
	if (urls && urls->type == V_MAP) {
		static const char *const keys[] = { "lowercase", NULL };
		check_keys(d, c->file, urls, "urls", keys);
		c->lowercase = get_bool(d, c->file, urls, "lowercase", true, rc);
	} else if (urls && urls->type != V_NULL) {
		bad_type(d, c->file, urls, "urls", "a mapping (e.g. {lowercase: false})");
		*rc = -1;
	}
	value *links = value_map_get(raw, "links");
	if (links && links->type == V_STRING && !strcmp(links->u.str.s, "warn")) {
		c->links_warn = true;
	} else if (links && links->type != V_NULL &&
		   !(links->type == V_STRING && !strcmp(links->u.str.s, "error"))) {
		diag_error(d, c->file, links->line, links->col,
			   "'links' must be error (the default) or warn");
		*rc = -1;
	}
}

/* search: true, false, or a mapping of its settings ({excerpts: page}). */
static void load_search(struct config *c, value *raw, struct diags *d, int *rc)
{
	value *v = value_map_get(raw, "search");
	c->search = true;
	c->search_page_excerpts = false;
	if (!v || v->type == V_NULL)
		return;
	if (v->type == V_BOOL) {
		c->search = v->u.b;
		return;
	}
	if (v->type != V_MAP) {
		bad_type(d, c->file, v, "search", "true, false or a mapping (e.g. {excerpts: page})");
		*rc = -1;
		return;
	}
	static const char *const keys[] = { "excerpts", NULL };
	check_keys(d, c->file, v, "search", keys);
	const char *ex = get_string(d, c->file, v, "excerpts", "index", rc);
	if (!strcmp(ex, "page")) {
		c->search_page_excerpts = true;
	} else if (strcmp(ex, "index")) {
		value *e = value_map_get(v, "excerpts");
		diag_error(d, c->file, e->line, e->col,
			   "'excerpts' must be index or page, not '%s'", ex);
		*rc = -1;
	}
}

/* toc: {levels: [FROM, TO]}: the heading levels tables of contents list. */
static void load_toc(struct config *c, value *raw, struct diags *d, int *rc)
{
	c->toc_min = 2;
	c->toc_max = 3;
	value *toc = value_map_get(raw, "toc");
	if (!toc || toc->type == V_NULL)
		return;
	static const char *const keys[] = { "levels", NULL };
	if (toc->type == V_MAP)
		check_keys(d, c->file, toc, "toc", keys);
	value *lv = toc->type == V_MAP ? value_map_get(toc, "levels") : NULL;
	if (toc->type == V_MAP && !lv)
		return;
	value *from = lv && lv->type == V_LIST && lv->u.list.n == 2 ? lv->u.list.items[0] : NULL;
	value *to = from ? lv->u.list.items[1] : NULL;
	if (!from || from->type != V_INT || to->type != V_INT || from->u.i < 1 || to->u.i > 6 ||
	    from->u.i > to->u.i) {
		value *at = lv ? lv : toc;
		diag_error(d, c->file, at->line, at->col,
			   "'toc' must be a mapping like {levels: [2, 4]}: two heading levels from 1 to 6, "
			   "the first not above the second");
		*rc = -1;
		return;
	}
	c->toc_min = (int)from->u.i;
	c->toc_max = (int)to->u.i;
}

struct config *config_load(arena *a, const char *site_dir, const char *base_url,
			   struct diags *d)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/site.yaml", site_dir);
	struct config *c = arena_zalloc(a, sizeof(*c));
	c->file = arena_strdup(a, path.ptr);
	buf_free(&path);

	size_t len;
	char *text = file_read(c->file, &len);
	if (!text) {
		diag_error(d, c->file, 0, 0, "cannot read the site configuration: %s", util_strerror(errno));
		return NULL;
	}
	if (content_check_encoding(c->file, text, len, d) < 0) {
		free(text);
		return NULL;
	}
	size_t bom = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
	value *raw = yamlvalue_load_text(a, c->file, text + bom, len - bom, 0, d);
	free(text);
	if (!raw)
		return NULL;
	if (raw->type == V_NULL)
		raw = value_map(a);
	if (raw->type != V_MAP) {
		diag_error(d, c->file, raw->line, raw->col, "site.yaml must be a mapping of keys to values");
		return NULL;
	}
	c->raw = raw;

	int rc = 0;
	c->title = get_string(d, c->file, raw, "title", "", &rc);
	c->language = get_string(d, c->file, raw, "language", "en", &rc);
	const char *bu = get_string(d, c->file, raw, "base_url", NULL, &rc);
	value *buv = value_map_get(raw, "base_url");
	if (base_url) {
		if (!valid_base_url(base_url)) {
			diag_error(d, NULL, 0, 0, "--base-url '%s' must be an absolute http(s) URL", base_url);
			rc = -1;
		}
		bu = base_url;
	} else if (bu && !valid_base_url(bu)) {
		diag_error(d, c->file, buv->line, buv->col,
			   "'base_url' must be an absolute http:// or https:// URL, not '%s'", bu);
		rc = -1;
	}
	c->base_url = norm_base_url(a, bu ? bu : "http://localhost:1313");
	c->paginate = get_int(d, c->file, raw, "paginate", 20, 1, &rc);
	c->unsafe = false;
	c->smart = true;
	c->gfm = true;
	value *md = value_map_get(raw, "markdown");
	if (md && md->type == V_MAP) {
		static const char *const keys[] = { "unsafe", "smart", "gfm", NULL };
		check_keys(d, c->file, md, "markdown", keys);
		c->unsafe = get_bool(d, c->file, md, "unsafe", false, &rc);
		c->smart = get_bool(d, c->file, md, "smart", true, &rc);
		c->gfm = get_bool(d, c->file, md, "gfm", true, &rc);
	} else if (md && md->type != V_NULL) {
		bad_type(d, c->file, md, "markdown", "a mapping (e.g. {unsafe: true})");
		rc = -1;
	}
	load_search(c, raw, d, &rc);
	load_toc(c, raw, d, &rc);
	load_content_rules(a, c, raw, d, &rc);
	c->related_limit = 5;
	value *rel = value_map_get(raw, "related");
	if (rel && rel->type == V_MAP) {
		static const char *const keys[] = { "limit", NULL };
		check_keys(d, c->file, rel, "related", keys);
		c->related_limit = get_int(d, c->file, rel, "limit", 5, 0, &rc);
	} else if (rel && rel->type != V_NULL) {
		bad_type(d, c->file, rel, "related", "a mapping (e.g. {limit: 5})");
		rc = -1;
	}
	load_taxonomies(a, c, d, &rc);
	value *schema = value_map_get(raw, "schema");
	if (schema && schema->type != V_MAP && schema->type != V_NULL) {
		bad_type(d, c->file, schema, "schema", "a mapping of sections to keys");
		rc = -1;
	}
	c->schema = schema && schema->type == V_MAP ? schema : NULL;

	/* What templates see as site.base_url and site.language. */
	value_map_set(a, raw, "base_url", value_str(a, c->base_url));
	value_map_set(a, raw, "language", value_str(a, c->language));
	value_map_set(a, raw, "title", value_str(a, c->title));
	return rc == 0 ? c : NULL;
}
