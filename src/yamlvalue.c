/*
 * yamlvalue.c - YAML text to values, through libyaml's event parser.
 *
 * libyaml 0.2.5 accepts documents that would hurt us later: it has no
 * nesting limit and happily reports aliases to nodes that are still open.
 * This loader caps both, counts how many nodes aliases would expand to, and
 * rejects duplicate keys, so a value tree that comes out of here is finite,
 * shallow and safe to walk.
 */
#include "yamlvalue.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct anchor {
	char *name;
	value *val;       /* NULL while the anchored node is still open */
	size_t weight;    /* nodes the anchored value expands to */
};

struct loader {
	yaml_parser_t parser;
	arena *a;
	const char *file;
	unsigned line_offset;
	struct diags *d;
	const char *text;
	size_t len;
	struct anchor *anchors;
	size_t nanchors, capanchors;
	size_t alias_nodes;
	int failed;
	bool text_only;         /* control characters in strings are errors */
};

static unsigned line_of(const struct loader *L, yaml_mark_t m)
{
	return (unsigned)m.line + 1 + L->line_offset;
}

static void fail(struct loader *L, yaml_mark_t m, const char *fmt, ...) FOLIO_PRINTF(3, 4);
static void fail(struct loader *L, yaml_mark_t m, const char *fmt, ...)
{
	va_list ap;
	if (L->failed)
		return;
	L->failed = 1;
	va_start(ap, fmt);
	diag_vadd(L->d, DIAG_ERROR, L->file, line_of(L, m), (unsigned)m.column + 1, fmt, ap);
	va_end(ap);
}

/* The next event into *EV; -1 after reporting why there is none. */
static int next_event(struct loader *L, yaml_event_t *ev)
{
	if (yaml_parser_parse(&L->parser, ev))
		return 0;
	yaml_parser_t *p = &L->parser;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	yaml_mark_t m = p->problem_mark;
	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a line: count lines. */
		size_t off = p->problem_offset < L->len ? p->problem_offset : L->len;
		m.line = 0;
		m.column = 0;
		for (size_t i = 0; i < off; i++) {
			if (L->text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else if (((unsigned char)L->text[i] & 0xC0) != 0x80) {
				m.column++;
			}
		}
		if (p->problem_value >= 0 && strstr(problem, "UTF-8"))
			fail(L, m, "invalid UTF-8 (%s)", problem);
		else
			fail(L, m, "%s", problem);
		return -1;
	}
	if (p->context)
		fail(L, m, "%s %s", problem, p->context);
	else
		fail(L, m, "%s", problem);
	return -1;
}

/* The first control character in S[0..N) other than tab and newline (C0,
 * DEL or C1), as a code point, or -1.  Such characters reach pages and
 * feeds only to break them, whether written raw or as escapes. */
static long control_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return c;
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9F)
			return (unsigned char)s[i + 1];
	}
	return -1;
}

/* Fails on a control character in a scalar (a value or a key): -1. */
static int clean_scalar(struct loader *L, const yaml_event_t *ev)
{
	if (!L->text_only)
		return 0;
	long c = control_char((const char *)ev->data.scalar.value, ev->data.scalar.length);
	if (c < 0)
		return 0;
	if (c == 0)
		fail(L, ev->start_mark, "string holds a NUL character (U+0000)");
	else
		fail(L, ev->start_mark, "string holds the control character U+%04lX", c);
	return -1;
}

static bool match_all(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

static bool all_in(const char *s, size_t n, const char *set)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(set, s[i]))
			return false;
	return true;
}

/* YAML 1.2 core schema resolution of a plain scalar. */
static value *resolve_plain(arena *a, const char *s, size_t n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	static const char *const infs[] = { ".inf", ".Inf", ".INF", NULL };
	static const char *const nans[] = { ".nan", ".NaN", ".NAN", NULL };

	if (match_all(s, n, nulls))
		return value_null(a);
	if (match_all(s, n, trues))
		return value_bool(a, true);
	if (match_all(s, n, falses))
		return value_bool(a, false);
	if (match_all(s, n, nans))
		return value_float(a, NAN);
	if (n > 0 && (s[0] == '+' || s[0] == '-') && match_all(s + 1, n - 1, infs))
		return value_float(a, s[0] == '-' ? -INFINITY : INFINITY);
	if (match_all(s, n, infs))
		return value_float(a, INFINITY);

	const char *p = s;
	size_t m = n;
	if (m > 2 && p[0] == '0' && (p[1] == 'o' || p[1] == 'x')) {
		int base = p[1] == 'o' ? 8 : 16;
		if (all_in(p + 2, m - 2, base == 8 ? "01234567" : "0123456789abcdefABCDEF")) {
			errno = 0;
			unsigned long long u = strtoull(p + 2, NULL, base);
			if (errno == 0 && u <= (unsigned long long)LLONG_MAX)
				return value_int(a, (long long)u);
			return value_strn(a, s, n);
		}
	}
	size_t i = 0;
	if (i < m && (p[i] == '+' || p[i] == '-'))
		i++;
	size_t digits = i;
	while (i < m && is_digit(p[i]))
		i++;
	if (i == m && i > digits) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (errno == 0)
			return value_int(a, v);
		return value_float(a, strtod(s, NULL));
	}
	/* [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	size_t intdigits = i - digits, fracdigits = 0;
	if (i < m && p[i] == '.') {
		i++;
		size_t f = i;
		while (i < m && is_digit(p[i]))
			i++;
		fracdigits = i - f;
	}
	if (intdigits == 0 && fracdigits == 0)
		return NULL;
	if (i < m && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < m && (p[i] == '+' || p[i] == '-'))
			i++;
		size_t e = i;
		while (i < m && is_digit(p[i]))
			i++;
		if (i == e)
			return NULL;
	}
	if (i != m)
		return NULL;
	return value_float(a, strtod(s, NULL));
}

static struct anchor *find_anchor(struct loader *L, const char *name)
{
	/* Later anchors of the same name shadow earlier ones. */
	for (size_t i = L->nanchors; i-- > 0;)
		if (strcmp(L->anchors[i].name, name) == 0)
			return &L->anchors[i];
	return NULL;
}

static size_t open_anchor(struct loader *L, const yaml_char_t *name)
{
	if (L->nanchors == L->capanchors) {
		L->capanchors = L->capanchors ? 2 * L->capanchors : 8;
		L->anchors = xrealloc(L->anchors, L->capanchors * sizeof(*L->anchors));
	}
	struct anchor *an = &L->anchors[L->nanchors];
	an->name = xstrdup((const char *)name);
	an->val = NULL;
	an->weight = 0;
	return L->nanchors++;
}

static value *parse_node(struct loader *L, yaml_event_t *ev, unsigned depth, size_t *weight);

/* Parses the rest of a sequence or mapping whose start event was EV. */
static value *parse_collection(struct loader *L, yaml_event_t *start, unsigned depth, size_t *weight)
{
	bool is_map = start->type == YAML_MAPPING_START_EVENT;
	value *v = is_map ? value_map(L->a) : value_list(L->a);
	value_at(v, L->file, line_of(L, start->start_mark), (unsigned)start->start_mark.column + 1);
	*weight = 1;
	if (depth >= YAMLVALUE_MAX_DEPTH) {
		fail(L, start->start_mark, "nesting deeper than %d levels", YAMLVALUE_MAX_DEPTH);
		return NULL;
	}
	for (;;) {
		yaml_event_t ev;
		if (next_event(L, &ev) < 0)
			return NULL;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return v;
		}
		if (!is_map) {
			size_t w = 0;
			value *item = parse_node(L, &ev, depth + 1, &w);
			yaml_event_delete(&ev);
			if (!item)
				return NULL;
			*weight += w;
			value_list_push(L->a, v, item);
			continue;
		}
		/* A key: must be a scalar. */
		if (ev.type != YAML_SCALAR_EVENT) {
			fail(L, ev.start_mark, "mapping keys must be plain strings, not %s",
			     ev.type == YAML_ALIAS_EVENT ? "aliases" : "collections");
			yaml_event_delete(&ev);
			return NULL;
		}
		if (clean_scalar(L, &ev) < 0) {
			yaml_event_delete(&ev);
			return NULL;
		}
		size_t klen = ev.data.scalar.length;
		const char *kstr = (const char *)ev.data.scalar.value;
		if (value_map_getn(v, kstr, klen)) {
			fail(L, ev.start_mark, "duplicate key '%s'", kstr);
			yaml_event_delete(&ev);
			return NULL;
		}
		char *key = arena_strndup(L->a, kstr, klen);
		yaml_event_delete(&ev);
		if (next_event(L, &ev) < 0)
			return NULL;
		size_t w = 0;
		value *val = parse_node(L, &ev, depth + 1, &w);
		yaml_event_delete(&ev);
		if (!val)
			return NULL;
		*weight += w + 1;
		value_map_setn(L->a, v, key, klen, val);
	}
}

static value *parse_node(struct loader *L, yaml_event_t *ev, unsigned depth, size_t *weight)
{
	const yaml_char_t *anchor_name = NULL;
	value *v = NULL;

	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		struct anchor *an = find_anchor(L, name);
		if (!an) {
			fail(L, ev->start_mark, "alias '*%s' names no anchor", name);
			return NULL;
		}
		if (!an->val) {
			fail(L, ev->start_mark, "alias '*%s' refers to a node that contains it", name);
			return NULL;
		}
		L->alias_nodes += an->weight;
		if (L->alias_nodes > YAMLVALUE_MAX_ALIAS_NODES) {
			fail(L, ev->start_mark, "aliases expand to more than %d nodes (an alias bomb?)",
			     YAMLVALUE_MAX_ALIAS_NODES);
			return NULL;
		}
		*weight = an->weight;
		return an->val;   /* shared, read-only */
	}
	case YAML_SCALAR_EVENT: {
		const char *s = (const char *)ev->data.scalar.value;
		size_t n = ev->data.scalar.length;
		if (clean_scalar(L, ev) < 0)
			return NULL;
		anchor_name = ev->data.scalar.anchor;
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
			v = resolve_plain(L->a, s, n);
		if (!v)
			v = value_strn(L->a, s, n);
		value_at(v, L->file, line_of(L, ev->start_mark), (unsigned)ev->start_mark.column + 1);
		*weight = 1;
		if (anchor_name) {
			size_t i = open_anchor(L, anchor_name);
			L->anchors[i].val = v;
			L->anchors[i].weight = 1;
		}
		return v;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		anchor_name = ev->type == YAML_SEQUENCE_START_EVENT
			? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
		size_t slot = anchor_name ? open_anchor(L, anchor_name) : 0;
		v = parse_collection(L, ev, depth, weight);
		if (v && anchor_name) {
			L->anchors[slot].val = v;
			L->anchors[slot].weight = *weight;
		}
		return v;
	}
	default:
		fail(L, ev->start_mark, "unexpected YAML event");
		return NULL;
	}
}

static value *load(arena *a, const char *file, const char *text, size_t len,
		   unsigned line_offset, bool text_only, struct diags *d)
{
	struct loader L;
	memset(&L, 0, sizeof(L));
	L.text_only = text_only;
	L.a = a;
	L.file = file;
	L.line_offset = line_offset;
	L.d = d;
	L.text = text;
	L.len = len;
	if (!yaml_parser_initialize(&L.parser))
		die("cannot initialise the YAML parser");
	yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&L.parser, YAML_UTF8_ENCODING);

	value *root = NULL;
	yaml_event_t ev;
	/* Stream start, then a document start or the stream end. */
	while (!L.failed && next_event(&L, &ev) == 0) {
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (t == YAML_STREAM_END_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		size_t w = 0;
		root = parse_node(&L, &ev, 0, &w);
		yaml_event_delete(&ev);
		if (!root)
			break;
		/* Read up to the document end so trailing garbage is an error,
		 * then to the stream end: a second document ("--- !x" or
		 * "---" inside) would be dropped with its keys. */
		if (next_event(&L, &ev) == 0)
			yaml_event_delete(&ev);
		if (!L.failed && next_event(&L, &ev) == 0) {
			if (ev.type == YAML_DOCUMENT_START_EVENT)
				fail(&L, ev.start_mark,
				     "a second YAML document starts here; only one is read, so "
				     "put every key in the first");
			yaml_event_delete(&ev);
		}
		break;
	}
	if (!L.failed && !root)
		root = value_null(a);
	for (size_t i = 0; i < L.nanchors; i++)
		free(L.anchors[i].name);
	free(L.anchors);
	yaml_parser_delete(&L.parser);
	return L.failed ? NULL : root;
}

value *yamlvalue_load(arena *a, const char *file, const char *text, size_t len,
		      unsigned line_offset, struct diags *d)
{
	return load(a, file, text, len, line_offset, false, d);
}

value *yamlvalue_load_text(arena *a, const char *file, const char *text, size_t len,
			   unsigned line_offset, struct diags *d)
{
	return load(a, file, text, len, line_offset, true, d);
}
