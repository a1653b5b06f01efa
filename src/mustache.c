/*
 * mustache.c - compiling and rendering Mustache templates.
 *
 * A template is compiled once, in four passes over its text:
 *
 *   lex()     splits the text into text and tag tokens, following
 *             delimiter changes;
 *   pair()    matches sections, parents and blocks with their closing
 *             tags, marks the blocks that are arguments of a parent and
 *             caps the nesting;
 *   layout()  decides which tags stand alone on their line, trims the
 *             whitespace that removes, and works out the indentation of
 *             partials, parents and blocks;
 *   emit()    writes a flat array of ops.  Text ops are slices of the
 *             template's one copy of its source; names are split at their
 *             dots; a section's op holds the index just past its body.
 *
 * Rendering walks the op array.  All render state (context stack,
 * indentation stack, parent arguments in scope) lives in a struct render
 * on the caller's stack, so one compiled set can serve many threads.
 *
 * Indentation.  A standalone partial prepends its indentation to every
 * line it renders (except empty lines, and except lines that only continue
 * an interpolated value).  The renderer tracks whether the output is at
 * the start of a template line (r->bol) and writes the stack of
 * indentations there.
 *
 * Inheritance whitespace follows mustache/spec#131:
 *   - a parent or block pair is standalone when its opening tag starts its
 *     line and its closing tag ends its line, even when both share a line;
 *   - an argument block (one directly inside a parent) whose opening tag
 *     ends its line starts on the next line, and one whose closing tag
 *     starts its line ends before that line;
 *   - the "intrinsic indentation" of a block, the leading whitespace of
 *     the first non-blank line after an opening tag that ends its line, is
 *     removed from every line of its body when it is compiled, and a
 *     standalone parameter block adds its own (intrinsic, else the
 *     indentation of its tag) to the body that replaces it;
 *   - a standalone parameter block keeps its line's newline when what
 *     replaces it does not end with one.
 */
#include "mustache.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "strmap.h"
#include "util.h"

enum op_kind {
	OP_TEXT,        /* text */
	OP_ETAG,        /* {{name}}: HTML-escaped */
	OP_UTAG,        /* {{{name}}}, {{&name}} */
	OP_SECTION,     /* {{#name}}: body up to end */
	OP_INVERTED,    /* {{^name}}: body up to end */
	OP_PARTIAL,     /* {{>name}} */
	OP_PARENT,      /* {{<name}}: arguments (OPF_ARG blocks) up to end */
	OP_BLOCK,       /* {{$name}}: default body up to end */
};

enum {
	OPF_STANDALONE = 1,     /* indent is pushed while rendering it */
	OPF_DYNAMIC = 2,        /* {{>*name}}: the name is looked up */
	OPF_ARG = 4,            /* a block passed to the enclosing parent */
};

struct op {
	unsigned char kind, flags;
	size_t nparts;          /* dotted name: parts; 0 for "." */
	size_t end;             /* sections, parents, blocks: index past the body */
	size_t next;            /* parent: first argument; argument: the next; 0: none */
	const struct slice *parts;
	struct slice text;      /* text; for tags the name as written */
	struct slice indent;    /* OPF_STANDALONE: indentation to push */
	struct slice nl;        /* standalone block: the newline of its line */
	const char *name;       /* partials, parents: NUL-terminated name */
	unsigned line, col;     /* of the tag, for mustache_tpl_tags() */
};

struct mustache_tpl {
	char *name;
	char *file;
	const char *src;        /* the one copy of the source (in mem) */
	size_t len;
	struct op *ops;
	size_t nops;
	arena *mem;
};

struct set_entry {
	char *name;             /* the key of the map: lives as long as the set */
	mustache_tpl *tpl;
};

struct mustache_set {
	struct strmap map;      /* name -> struct set_entry */
	struct set_entry **entries;
	size_t n, cap;
};

/* ---------------------------------------------------------------- compiling */

enum { TK_TEXT = 0, TK_VAR = 'v' };

struct tok {
	char kind;              /* TK_TEXT, TK_VAR or the sigil: # ^ / ! = > < $ & { */
	bool dynamic;           /* > < /: name after '*' */
	bool arg;               /* $: directly inside a parent */
	bool cs, ce;            /* only blanks before it / after it on its line */
	bool alone;             /* standalone: its whole line goes */
	bool site;              /* < and parameter $: standalone pair, indent pushed */
	bool strips;            /* $: its body loses `strip` from each line */
	size_t start, end;      /* tag: delimiters included; text: what remains */
	size_t after;           /* ce: position after the blanks and the newline */
	size_t partner;         /* open <-> closing tag */
	struct slice name;
	struct slice indent;    /* cs: the blanks before the tag */
	struct slice strip;     /* strips: intrinsic indentation */
	struct slice nl;        /* ce: the newline ending the line (empty at the end) */
	unsigned line, col;
};

struct compiler {
	const char *file;
	const char *src;
	size_t len;
	struct diags *d;
	int errors;
	bool truncated;         /* lexing stopped at an unclosed tag */
	struct tok *toks;
	size_t ntoks, tokcap;
	size_t lpos, lcol;      /* line counting: position, column there */
	unsigned lno;
	struct op *ops;
	size_t nops, opcap;
	arena *mem;
};

static void error_at(struct compiler *c, unsigned line, unsigned col,
		     const char *fmt, ...) FOLIO_PRINTF(4, 5);

static void error_at(struct compiler *c, unsigned line, unsigned col,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(c->d, DIAG_ERROR, c->file, line, col, fmt, ap);
	va_end(ap);
	c->errors++;
}

/* Line and column (1-based, in characters) of POS; positions must not
 * decrease from call to call. */
static void locate(struct compiler *c, size_t pos, unsigned *line, unsigned *col)
{
	for (; c->lpos < pos; c->lpos++) {
		unsigned char ch = (unsigned char)c->src[c->lpos];
		if (ch == '\n') {
			c->lno++;
			c->lcol = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c->lcol++;
		}
	}
	*line = c->lno;
	*col = (unsigned)c->lcol;
}

static bool is_blank(int ch) { return ch == ' ' || ch == '\t'; }

static struct slice slice_of(const char *s, size_t from, size_t to)
{
	struct slice sl = { s + from, to - from };
	return sl;
}

static struct slice trim(struct slice s)
{
	while (s.n && is_space((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && is_space((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool slice_eq(struct slice a, struct slice b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static bool has_space(struct slice s)
{
	for (size_t i = 0; i < s.n; i++)
		if (is_space((unsigned char)s.p[i]))
			return true;
	return false;
}

/* The first NEEDLE in HAY[0..N), or NULL (memmem is a GNU extension). */
static const char *find(const char *hay, size_t n, struct slice needle)
{
	const char *end = hay + n;
	while ((size_t)(end - hay) >= needle.n) {
		const char *p = memchr(hay, needle.p[0], (size_t)(end - hay) - needle.n + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle.p, needle.n) == 0)
			return p;
		hay = p + 1;
	}
	return NULL;
}

static struct tok *push_tok(struct compiler *c)
{
	if (c->ntoks == c->tokcap) {
		c->tokcap = c->tokcap ? c->tokcap * 2 : 64;
		c->toks = xrealloc(c->toks, c->tokcap * sizeof(*c->toks));
	}
	struct tok *t = &c->toks[c->ntoks++];
	memset(t, 0, sizeof(*t));
	return t;
}

static void push_text(struct compiler *c, size_t from, size_t to)
{
	struct tok *t = push_tok(c);
	t->kind = TK_TEXT;
	t->start = from;
	t->end = to;
}

/* Finds the closing delimiter CLOSE at or after FROM, preceded by CLOSER
 * when that is not 0 ("}" for triple mustaches, "=" for delimiter
 * changes).  Sets *CEND to the end of the tag's content and *END past the
 * delimiter.  Returns -1 when there is none. */
static int find_close(const struct compiler *c, size_t from, struct slice close,
		      char closer, size_t *cend, size_t *end)
{
	size_t pos = from;
	while (pos < c->len) {
		const char *x = find(c->src + pos, c->len - pos, close);
		if (!x)
			return -1;
		size_t at = (size_t)(x - c->src);
		if (!closer) {
			*cend = at;
			*end = at + close.n;
			return 0;
		}
		if (at > from && c->src[at - 1] == closer) {
			*cend = at - 1;
			*end = at + close.n;
			return 0;
		}
		pos = at + 1;
	}
	return -1;
}

/* "{{=OPEN CLOSE=}}": sets the new delimiters or reports why not. */
static void set_delims(struct compiler *c, const struct tok *t, struct slice content,
		       struct slice *open, struct slice *close)
{
	struct slice s = trim(content), a = s, b;
	size_t i = 0;
	while (i < s.n && !is_space((unsigned char)s.p[i]))
		i++;
	a.n = i;
	b = trim(slice_of(s.p, i, s.n));
	if (!a.n || !b.n || has_space(b)) {
		error_at(c, t->line, t->col, "bad delimiter change '%.*s': expected two "
			 "delimiters separated by whitespace", (int)s.n, s.p);
		return;
	}
	if (memchr(a.p, '=', a.n) || memchr(b.p, '=', b.n)) {
		error_at(c, t->line, t->col, "bad delimiter change '%.*s': a delimiter "
			 "cannot contain '='", (int)s.n, s.p);
		return;
	}
	*open = a;
	*close = b;
}

/* A dotted name: "." or parts separated by single dots. */
static bool dotted_ok(struct slice s)
{
	if (s.n == 1 && s.p[0] == '.')
		return true;
	if (s.p[0] == '.' || s.p[s.n - 1] == '.')
		return false;
	for (size_t i = 1; i < s.n; i++)
		if (s.p[i] == '.' && s.p[i - 1] == '.')
			return false;
	return true;
}

/* Checks and stores the name in a tag's CONTENT. */
static void tag_name(struct compiler *c, struct tok *t, struct slice content)
{
	struct slice s = trim(content);
	if ((t->kind == '>' || t->kind == '<' || t->kind == '/') && s.n && s.p[0] == '*') {
		t->dynamic = true;
		s = trim(slice_of(s.p, 1, s.n));
	}
	t->name = s;
	if (!s.n) {
		error_at(c, t->line, t->col, "empty tag name");
		return;
	}
	if (has_space(s)) {
		error_at(c, t->line, t->col, "tag name '%.*s' contains whitespace",
			 (int)s.n, s.p);
		return;
	}
	bool dotted = t->dynamic || strchr("v&{#^", t->kind) != NULL;
	if (dotted && !dotted_ok(s))
		error_at(c, t->line, t->col, "malformed name '%.*s'", (int)s.n, s.p);
}

/* Splits the text into tokens.  Returns -1 at an unclosed tag. */
static int lex(struct compiler *c)
{
	struct slice open = { "{{", 2 }, close = { "}}", 2 };
	size_t pos = 0;
	while (pos < c->len) {
		const char *o = find(c->src + pos, c->len - pos, open);
		if (!o) {
			push_text(c, pos, c->len);
			break;
		}
		size_t start = (size_t)(o - c->src);
		if (start > pos)
			push_text(c, pos, start);
		struct tok *t = push_tok(c);
		t->start = start;
		locate(c, start, &t->line, &t->col);
		size_t q = start + open.n;
		char sig = q < c->len ? c->src[q] : 0;
		if (sig && strchr("#^/!=><$&{", sig)) {
			t->kind = sig;
			q++;
		} else {
			t->kind = TK_VAR;
		}
		char closer = sig == '{' ? '}' : sig == '=' ? '=' : 0;
		size_t cend;
		if (find_close(c, q, close, closer, &cend, &t->end) < 0) {
			error_at(c, t->line, t->col, "unclosed tag: '%.*s' has no matching '%.*s%.*s'",
				 (int)open.n, open.p, closer ? 1 : 0, &closer,
				 (int)close.n, close.p);
			c->ntoks--;
			c->truncated = true;
			return -1;
		}
		struct slice content = slice_of(c->src, q, cend);
		if (t->kind == '=')
			set_delims(c, t, content, &open, &close);
		else if (t->kind != '!')
			tag_name(c, t, content);
		pos = t->end;
	}
	return 0;
}

static const char *kind_word(char kind)
{
	switch (kind) {
	case '<': return "parent";
	case '$': return "block";
	default: return "section";
	}
}

static bool opens(char kind)
{
	return kind == '#' || kind == '^' || kind == '<' || kind == '$';
}

/* Matches opening and closing tags.  Returns -1 after errors. */
static int pair(struct compiler *c)
{
	size_t stack[MUSTACHE_MAX_NESTING];
	size_t depth = 0;
	int rc = 0;
	for (size_t i = 0; i < c->ntoks; i++) {
		struct tok *t = &c->toks[i];
		if (opens(t->kind)) {
			if (depth == MUSTACHE_MAX_NESTING) {
				error_at(c, t->line, t->col, "sections nested too deeply "
					 "(more than %d levels)", MUSTACHE_MAX_NESTING);
				return -1;
			}
			t->arg = t->kind == '$' && depth && c->toks[stack[depth - 1]].kind == '<';
			stack[depth++] = i;
			continue;
		}
		if (t->kind != '/')
			continue;
		if (!depth) {
			error_at(c, t->line, t->col, "closing tag '%.*s' has no open section",
				 (int)t->name.n, t->name.p);
			rc = -1;
			continue;
		}
		size_t k = depth;
		while (k > 0 && !slice_eq(c->toks[stack[k - 1]].name, t->name))
			k--;
		if (k != depth) {
			const struct tok *top = &c->toks[stack[depth - 1]];
			error_at(c, t->line, t->col, "closing tag '%.*s' does not match open %s '%.*s'",
				 (int)t->name.n, t->name.p, kind_word(top->kind),
				 (int)top->name.n, top->name.p);
			rc = -1;
			if (k == 0)
				continue;       /* a stray closing tag: ignore it */
		}
		depth = k - 1;          /* close the match and what it encloses */
		c->toks[stack[depth]].partner = i;
		t->partner = stack[depth];
	}
	if (!c->truncated) {
		for (size_t k = 0; k < depth; k++) {
			const struct tok *t = &c->toks[stack[k]];
			error_at(c, t->line, t->col, "%s '%.*s' opened here is never closed",
				 kind_word(t->kind), (int)t->name.n, t->name.p);
			rc = -1;
		}
	}
	return rc;
}

/* Drops the blanks before tag I on its line from the text before it. */
static void trim_before(struct compiler *c, size_t i)
{
	const struct tok *t = &c->toks[i];
	if (i == 0 || c->toks[i - 1].kind != TK_TEXT)
		return;
	struct tok *p = &c->toks[i - 1];
	size_t ls = (size_t)(t->indent.p - c->src);
	if (p->end > ls)
		p->end = ls > p->start ? ls : p->start;
}

/* Drops the blanks and the newline after tag I from the text after it. */
static void trim_after(struct compiler *c, size_t i)
{
	const struct tok *t = &c->toks[i];
	if (i + 1 >= c->ntoks || c->toks[i + 1].kind != TK_TEXT)
		return;
	struct tok *n = &c->toks[i + 1];
	if (n->start < t->after)
		n->start = t->after < n->end ? t->after : n->end;
}

/* The intrinsic indentation of the block opened by O: the blanks starting
 * the first non-blank line of its body, into *OUT.  Returns -1 when the
 * body has no such line. */
static int intrinsic(const struct compiler *c, const struct tok *o, struct slice *out)
{
	size_t stop = c->toks[o->partner].start;
	size_t p = o->after;
	while (p < stop) {
		size_t q = p;
		while (q < stop && is_blank(c->src[q]))
			q++;
		if (q == stop)
			return -1;
		if (c->src[q] == '\n' || (c->src[q] == '\r' && q + 1 < c->len && c->src[q + 1] == '\n')) {
			p = q + (c->src[q] == '\r' ? 2 : 1);
			continue;
		}
		*out = slice_of(c->src, p, q);
		return 0;
	}
	return -1;
}

/* Standalone tags and the whitespace they remove. */
static void layout(struct compiler *c)
{
	for (size_t i = 0; i < c->ntoks; i++) {
		struct tok *t = &c->toks[i];
		if (t->kind == TK_TEXT)
			continue;
		size_t ls = t->start;
		while (ls > 0 && is_blank(c->src[ls - 1]))
			ls--;
		t->cs = ls == 0 || c->src[ls - 1] == '\n';
		if (t->cs)
			t->indent = slice_of(c->src, ls, t->start);
		size_t e = t->end;
		while (e < c->len && is_blank(c->src[e]))
			e++;
		if (e == c->len) {
			t->ce = true;
			t->nl = slice_of(c->src, e, e);
		} else if (c->src[e] == '\n') {
			t->ce = true;
			t->nl = slice_of(c->src, e, e + 1);
		} else if (c->src[e] == '\r' && e + 1 < c->len && c->src[e + 1] == '\n') {
			t->ce = true;
			t->nl = slice_of(c->src, e, e + 2);
		}
		t->after = e + t->nl.n;
		if (t->cs && t->ce && strchr("#^/!=><$", t->kind)) {
			t->alone = true;
			trim_before(c, i);
			trim_after(c, i);
		}
	}
	for (size_t i = 0; i < c->ntoks; i++) {
		struct tok *o = &c->toks[i];
		if (o->kind != '<' && o->kind != '$')
			continue;
		size_t k = o->partner;
		struct tok *cl = &c->toks[k];
		if (o->arg) {
			if (o->ce) {
				trim_after(c, i);
				o->strips = intrinsic(c, o, &o->strip) == 0;
			}
			if (cl->cs)
				trim_before(c, k);
			continue;
		}
		if (!o->cs || !(cl->ce || o->ce))
			continue;
		o->site = true;
		trim_before(c, i);
		o->nl = slice_of(c->src, 0, 0);
		if (cl->ce) {
			trim_after(c, k);
			o->nl = cl->nl;
		}
		if (o->kind == '$' && o->alone)
			o->strips = intrinsic(c, o, &o->strip) == 0;
	}
}

static struct op *push_op(struct compiler *c, enum op_kind kind)
{
	if (c->nops == c->opcap) {
		c->opcap = c->opcap ? c->opcap * 2 : 64;
		c->ops = xrealloc(c->ops, c->opcap * sizeof(*c->ops));
	}
	struct op *op = &c->ops[c->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = (unsigned char)kind;
	return op;
}

/* IND without the leading part it shares with STRIP. */
static struct slice unindent(struct slice ind, struct slice strip)
{
	size_t k = 0;
	while (k < ind.n && k < strip.n && ind.p[k] == strip.p[k])
		k++;
	return slice_of(ind.p, k, ind.n);
}

/* Text [FROM, TO), with STRIP removed from the start of each line. */
static void emit_text(struct compiler *c, size_t from, size_t to, struct slice strip)
{
	if (!strip.n) {
		if (to > from)
			push_op(c, OP_TEXT)->text = slice_of(c->src, from, to);
		return;
	}
	size_t p = from;
	while (p < to) {
		const char *nl = memchr(c->src + p, '\n', to - p);
		size_t le = nl ? (size_t)(nl - c->src) + 1 : to;
		if (p == 0 || c->src[p - 1] == '\n') {
			size_t k = 0;
			while (k < strip.n && p + k < le && c->src[p + k] == strip.p[k])
				k++;
			p += k;
		}
		if (le > p)
			push_op(c, OP_TEXT)->text = slice_of(c->src, p, le);
		p = le;
	}
}

/* Fills the name fields of OP from token T. */
static void op_name(struct compiler *c, struct op *op, const struct tok *t)
{
	op->text = t->name;
	op->line = t->line;
	op->col = t->col;
	if (op->kind == OP_PARTIAL || op->kind == OP_PARENT) {
		if (t->dynamic)
			op->flags |= OPF_DYNAMIC;
		else
			op->name = arena_strndup(c->mem, t->name.p, t->name.n);
	}
	bool dotted = op->kind != OP_PARTIAL && op->kind != OP_PARENT && op->kind != OP_BLOCK;
	if (!dotted && !t->dynamic)
		return;
	if (t->name.n == 1 && t->name.p[0] == '.')
		return;                 /* the implicit iterator: no parts */
	size_t n = 1;
	for (size_t i = 0; i < t->name.n; i++)
		n += t->name.p[i] == '.';
	struct slice *parts = arena_alloc(c->mem, n * sizeof(*parts));
	size_t k = 0, from = 0;
	for (size_t i = 0; i <= t->name.n; i++) {
		if (i == t->name.n || t->name.p[i] == '.') {
			parts[k++] = slice_of(t->name.p, from, i);
			from = i + 1;
		}
	}
	op->parts = parts;
	op->nparts = n;
}

struct emit_frame {
	size_t op;              /* index of the opening op */
	size_t last_arg;        /* parent: last argument linked so far */
	bool strips;
	char kind;
};

/* Writes the ops. */
static void emit(struct compiler *c)
{
	struct emit_frame stack[MUSTACHE_MAX_NESTING];
	struct slice strips[MUSTACHE_MAX_NESTING + 1];
	size_t depth = 0, nstrips = 1;
	strips[0] = slice_of(c->src, 0, 0);
	for (size_t i = 0; i < c->ntoks; i++) {
		const struct tok *t = &c->toks[i];
		struct slice strip = strips[nstrips - 1];
		struct op *op;
		switch (t->kind) {
		case TK_TEXT:
			if (!depth || stack[depth - 1].kind != '<')
				emit_text(c, t->start, t->end, strip);
			break;
		case TK_VAR:
		case '&':
		case '{':
			op = push_op(c, t->kind == TK_VAR ? OP_ETAG : OP_UTAG);
			op_name(c, op, t);
			break;
		case '>':
			op = push_op(c, OP_PARTIAL);
			op_name(c, op, t);
			if (t->alone) {
				op->flags |= OPF_STANDALONE;
				op->indent = unindent(t->indent, strip);
			}
			break;
		case '#':
		case '^':
		case '<':
		case '$':
			op = push_op(c, t->kind == '#' ? OP_SECTION : t->kind == '^' ? OP_INVERTED
				     : t->kind == '<' ? OP_PARENT : OP_BLOCK);
			op_name(c, op, t);
			if (t->site) {
				op->flags |= OPF_STANDALONE;
				op->indent = unindent(t->strips ? t->strip : t->indent, strip);
				op->nl = t->nl;
			}
			if (t->arg) {
				struct emit_frame *p = &stack[depth - 1];
				op->flags |= OPF_ARG;
				if (p->last_arg)
					c->ops[p->last_arg].next = c->nops - 1;
				else
					c->ops[p->op].next = c->nops - 1;
				p->last_arg = c->nops - 1;
			}
			stack[depth].op = c->nops - 1;
			stack[depth].last_arg = 0;
			stack[depth].kind = t->kind;
			stack[depth].strips = t->strips;
			depth++;
			if (t->strips)
				strips[nstrips++] = t->strip;
			break;
		case '/':
			depth--;
			c->ops[stack[depth].op].end = c->nops;
			if (stack[depth].strips)
				nstrips--;
			break;
		default:                /* comments, delimiter changes */
			break;
		}
	}
}

static void tpl_free(mustache_tpl *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->file);
	free(t->ops);
	arena_free(t->mem);
	free(t);
}

mustache_set *mustache_set_new(void)
{
	return xcalloc(1, sizeof(mustache_set));
}

void mustache_set_free(mustache_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		tpl_free(set->entries[i]->tpl);
		free(set->entries[i]->name);
		free(set->entries[i]);
	}
	free(set->entries);
	strmap_free(&set->map);
	free(set);
}

int mustache_set_add(mustache_set *set, const char *name, const char *file,
		     const char *text, size_t len, struct diags *d)
{
	struct compiler c;
	memset(&c, 0, sizeof(c));
	c.file = file;
	c.d = d;
	c.mem = arena_new();
	c.src = arena_strndup(c.mem, text, len);
	c.len = len;
	c.lno = 1;
	c.lcol = 1;
	int rc = -1;
	if (lex(&c) < 0) {
		(void)pair(&c); /* still report mismatched tags before the bad one */
		goto out;
	}
	if (pair(&c) < 0 || c.errors)
		goto out;
	layout(&c);
	emit(&c);

	mustache_tpl *t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	t->file = xstrdup(file);
	t->src = c.src;
	t->len = len;
	t->ops = c.ops;
	t->nops = c.nops;
	t->mem = c.mem;
	c.ops = NULL;
	c.mem = NULL;
	struct set_entry *e = strmap_get(&set->map, name);
	if (e) {
		tpl_free(e->tpl);
	} else {
		e = xcalloc(1, sizeof(*e));
		e->name = xstrdup(name);
		strmap_put(&set->map, e->name, e);
		if (set->n == set->cap) {
			set->cap = set->cap ? set->cap * 2 : 16;
			set->entries = xrealloc(set->entries, set->cap * sizeof(*set->entries));
		}
		set->entries[set->n++] = e;
	}
	e->tpl = t;
	rc = 0;
out:
	free(c.toks);
	free(c.ops);
	arena_free(c.mem);
	return rc;
}

const mustache_tpl *mustache_set_get(const mustache_set *set, const char *name)
{
	const struct set_entry *e = strmap_get(&set->map, name);
	return e ? e->tpl : NULL;
}

const char *mustache_tpl_file(const mustache_tpl *tpl)
{
	return tpl->file;
}

size_t mustache_set_size(const mustache_set *set)
{
	return set->n;
}

const mustache_tpl *mustache_set_at(const mustache_set *set, size_t i)
{
	return set->entries[i]->tpl;
}

void mustache_tpl_tags(const mustache_tpl *t, mustache_tag_fn fn, void *arg)
{
	static const char sigil[] = { [OP_ETAG] = 'v', [OP_UTAG] = 'v', [OP_SECTION] = '#',
				      [OP_INVERTED] = '^', [OP_PARTIAL] = '>', [OP_PARENT] = '<',
				      [OP_BLOCK] = '$' };
	for (size_t i = 0; i < t->nops; i++) {
		const struct op *op = &t->ops[i];
		if (op->kind == OP_TEXT)
			continue;
		struct mustache_tag tag = {
			.kind = sigil[op->kind], .dynamic = (op->flags & OPF_DYNAMIC) != 0,
			.name = op->text.p, .len = op->text.n, .line = op->line, .col = op->col,
		};
		fn(arg, t, &tag);
	}
}

/* ---------------------------------------------------------------- rendering */

/* The arguments of one parent being rendered. */
struct frame {
	const mustache_tpl *tpl;
	const struct op *parent;
	const struct frame *outer;
};

struct render {
	const mustache_set *set;
	struct buf *out;
	struct diags *d;
	mustache_use_fn on_use;
	void *use_arg;
	const mustache_tpl *top;
	const value **ctx;              /* the context stack; top last */
	size_t nctx, ctxcap;
	struct slice *ind;              /* the indentation stack */
	size_t nind, indcap;
	size_t ind_base;                /* ind[ind_base..nind) applies */
	const struct frame *frames;     /* innermost parent call in scope */
	const char *chain[MUSTACHE_MAX_DEPTH + 1];   /* top template, partials */
	unsigned depth;                 /* partials and parents entered */
	unsigned nest;                  /* render_range() recursion */
	bool bol;                       /* at the start of a template line */
	bool failed;
	const value *ctx_small[32];
	struct slice ind_small[16];
};

static void push_ctx(struct render *r, const value *v)
{
	if (r->nctx == r->ctxcap) {
		size_t cap = r->ctxcap * 2;
		const value **p = xmalloc(cap * sizeof(*p));
		memcpy(p, r->ctx, r->nctx * sizeof(*p));
		if (r->ctx != r->ctx_small)
			free(r->ctx);
		r->ctx = p;
		r->ctxcap = cap;
	}
	r->ctx[r->nctx++] = v;
}

static void push_ind(struct render *r, struct slice s)
{
	if (r->nind == r->indcap) {
		size_t cap = r->indcap * 2;
		struct slice *p = xmalloc(cap * sizeof(*p));
		memcpy(p, r->ind, r->nind * sizeof(*p));
		if (r->ind != r->ind_small)
			free(r->ind);
		r->ind = p;
		r->indcap = cap;
	}
	r->ind[r->nind++] = s;
}

static bool indenting(const struct render *r)
{
	return r->nind > r->ind_base;
}

static void put_indent(struct render *r)
{
	for (size_t i = r->ind_base; i < r->nind; i++)
		buf_put(r->out, r->ind[i].p, r->ind[i].n);
	r->bol = false;
}

static void put_text(struct render *r, struct slice t)
{
	if (!indenting(r)) {
		buf_put(r->out, t.p, t.n);
		r->bol = t.p[t.n - 1] == '\n';
		return;
	}
	const char *p = t.p, *end = t.p + t.n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		if (r->bol && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n'))
			put_indent(r);
		buf_put(r->out, p, (size_t)(le - p));
		r->bol = nl != NULL;
		p = le;
	}
}

/* A name part looked up in V: a key of a map, or a 0-based index into a
 * list ("tags.0" is the first tag, so {{#tags.0}} tests for a non-empty
 * list), an extension to the spec, which leaves lists' names undefined. */
static const value *member(const value *v, struct slice part)
{
	if (v->type == V_LIST && part.n > 0 && part.n < 10) {
		size_t idx = 0;
		for (size_t i = 0; i < part.n; i++) {
			if (part.p[i] < '0' || part.p[i] > '9')
				return NULL;
			idx = idx * 10 + (size_t)(part.p[i] - '0');
		}
		return idx < v->u.list.n ? v->u.list.items[idx] : NULL;
	}
	return value_map_getn(v, part.p, part.n);
}

static const value *lookup(const struct render *r, const struct op *op)
{
	if (!op->nparts)
		return r->ctx[r->nctx - 1];
	const struct slice *part = op->parts;
	const value *v = NULL;
	for (size_t i = r->nctx; i-- > 0;) {
		v = value_map_getn(r->ctx[i], part[0].p, part[0].n);
		if (v)
			break;
	}
	for (size_t k = 1; v && k < op->nparts; k++)
		v = member(v, part[k]);
	return v;
}

static void put_value(struct render *r, const value *v, bool escape)
{
	if (r->bol && indenting(r))
		put_indent(r);
	r->bol = false;
	if (!v)
		return;
	if (v->type == V_STRING) {
		if (escape)
			buf_put_html(r->out, v->u.str.s, v->u.str.len);
		else
			buf_put(r->out, v->u.str.s, v->u.str.len);
	} else {
		value_to_text(v, r->out);   /* numbers and booleans need no escaping */
	}
}

/* Writes the chain of templates NAMES[0..N), which went too deep: up to
 * the first repeat of a cycle if there is one. */
static void put_chain(struct buf *b, const char *const *names, size_t n)
{
	size_t show = n;
	for (size_t j = 1; j < n && show == n; j++) {
		for (size_t i = 0; i < j; i++) {
			if (!strcmp(names[i], names[j])) {
				show = j + (j - i) < n ? j + (j - i) : n;
				break;
			}
		}
	}
	if (show == n && n > 8) {
		for (size_t i = 0; i < 4; i++)
			buf_printf(b, "%s -> ", names[i]);
		buf_printf(b, "... -> %s -> %s -> ...", names[n - 2], names[n - 1]);
		return;
	}
	for (size_t i = 0; i < show; i++)
		buf_printf(b, "%s -> ", names[i]);
	buf_puts(b, "...");
}

static void too_deep(struct render *r, const char *what, const char *next)
{
	const char *names[MUSTACHE_MAX_DEPTH + 2];
	size_t n = 0;
	for (unsigned i = 0; i <= r->depth; i++)
		names[n++] = r->chain[i];
	if (next)
		names[n++] = next;
	struct buf b = BUF_INIT;
	put_chain(&b, names, n);
	diag_error(r->d, r->top->file, 0, 0, "%s nested too deeply: %s", what, b.ptr);
	buf_free(&b);
	r->failed = true;
}

static void render_range(struct render *r, const mustache_tpl *t, size_t begin, size_t end);

/* {{>name}} and {{<name}}...{{/name}}. */
static void render_partial(struct render *r, const mustache_tpl *t, const struct op *op)
{
	struct buf tmp = BUF_INIT;
	const char *name = op->name;
	size_t len;
	if (op->flags & OPF_DYNAMIC) {
		const value *v = lookup(r, op);
		if (!v || v->type == V_NULL || v->type == V_LIST || v->type == V_MAP || v->type == V_VIEW)
			return;
		if (v->type == V_STRING) {
			name = v->u.str.s;
			len = v->u.str.len;
		} else {
			value_to_text(v, &tmp);
			name = tmp.ptr;
			len = tmp.len;
		}
	} else {
		len = op->text.n;
	}
	if (r->on_use)
		r->on_use(r->use_arg, name);
	const struct set_entry *e = strmap_getn(&r->set->map, name, len);
	buf_free(&tmp);
	if (!e)
		return;
	const mustache_tpl *target = e->tpl;
	if (r->depth >= MUSTACHE_MAX_DEPTH) {
		too_deep(r, "partials", target->name);
		return;
	}
	r->chain[++r->depth] = target->name;

	size_t nind = r->nind, base = r->ind_base;
	bool inline_ = !(op->flags & OPF_STANDALONE);
	if (inline_) {
		/* The partial's lines are not the template's lines: they are
		 * not indented, and what follows the tag is mid-line. */
		if (r->bol && indenting(r))
			put_indent(r);
		r->ind_base = nind;
	} else {
		push_ind(r, op->indent);
	}
	struct frame f = { t, op, r->frames };
	const struct frame *frames = r->frames;
	if (op->kind == OP_PARENT)
		r->frames = &f;
	render_range(r, target, 0, target->nops);
	r->frames = frames;
	r->nind = nind;
	r->ind_base = base;
	if (inline_)
		r->bol = false;
	r->depth--;
}

/* {{$name}}...{{/name}} outside a parent: the outermost argument of that
 * name in scope, else the default body. */
static void render_block(struct render *r, const mustache_tpl *t, const struct op *op)
{
	const struct frame *found = NULL;
	const struct op *arg = NULL;
	for (const struct frame *f = r->frames; f; f = f->outer) {
		const struct op *ops = f->tpl->ops;
		for (size_t k = f->parent->next; k; k = ops[k].next) {
			if (slice_eq(ops[k].text, op->text)) {
				found = f;
				arg = &ops[k];
				break;
			}
		}
	}
	const struct frame *frames = r->frames;
	size_t start = r->out->len;
	if (op->flags & OPF_STANDALONE)
		push_ind(r, op->indent);
	if (found) {
		/* The argument sees only the arguments passed to its parent's
		 * caller, which also stops a block from replacing itself. */
		r->frames = found->outer;
		render_range(r, found->tpl, (size_t)(arg - found->tpl->ops) + 1, arg->end);
		r->frames = frames;
	} else {
		render_range(r, t, (size_t)(op - t->ops) + 1, op->end);
	}
	if (op->flags & OPF_STANDALONE) {
		r->nind--;
		if (op->nl.n && r->out->len > start && r->out->ptr[r->out->len - 1] != '\n') {
			buf_put(r->out, op->nl.p, op->nl.n);
			r->bol = true;
		}
	} else {
		r->bol = false;         /* what follows the tag is mid-line */
	}
}

static void render_range(struct render *r, const mustache_tpl *t, size_t begin, size_t end)
{
	if (++r->nest > MUSTACHE_MAX_RENDER_NESTING) {
		too_deep(r, "sections and partials", NULL);
		r->nest--;
		return;
	}
	const struct op *ops = t->ops;
	size_t i = begin;
	while (i < end && !r->failed) {
		const struct op *op = &ops[i];
		const value *v;
		switch ((enum op_kind)op->kind) {
		case OP_TEXT:
			put_text(r, op->text);
			i++;
			break;
		case OP_ETAG:
		case OP_UTAG:
			put_value(r, lookup(r, op), op->kind == OP_ETAG);
			i++;
			break;
		case OP_SECTION:
			v = lookup(r, op);
			if (v && v->type == V_LIST) {
				for (size_t k = 0; k < v->u.list.n && !r->failed; k++) {
					push_ctx(r, v->u.list.items[k]);
					render_range(r, t, i + 1, op->end);
					r->nctx--;
				}
			} else if (value_truthy(v)) {
				push_ctx(r, v);
				render_range(r, t, i + 1, op->end);
				r->nctx--;
			}
			i = op->end;
			break;
		case OP_INVERTED:
			if (!value_truthy(lookup(r, op)))
				render_range(r, t, i + 1, op->end);
			i = op->end;
			break;
		case OP_PARTIAL:
			render_partial(r, t, op);
			i++;
			break;
		case OP_PARENT:
			render_partial(r, t, op);
			i = op->end;
			break;
		case OP_BLOCK:
			render_block(r, t, op);
			i = op->end;
			break;
		}
	}
	r->nest--;
}

int mustache_render(const mustache_set *set, const mustache_tpl *tpl,
		    const value *ctx, struct buf *out, struct diags *d,
		    mustache_use_fn on_use, void *use_arg)
{
	struct render r;
	memset(&r, 0, sizeof(r));
	r.set = set;
	r.out = out;
	r.d = d;
	r.on_use = on_use;
	r.use_arg = use_arg;
	r.ctx = r.ctx_small;
	r.ctxcap = sizeof(r.ctx_small) / sizeof(r.ctx_small[0]);
	r.ind = r.ind_small;
	r.indcap = sizeof(r.ind_small) / sizeof(r.ind_small[0]);
	r.top = tpl;
	r.chain[0] = tpl->name;
	r.bol = true;
	push_ctx(&r, ctx);
	render_range(&r, tpl, 0, tpl->nops);
	if (r.ctx != r.ctx_small)
		free(r.ctx);
	if (r.ind != r.ind_small)
		free(r.ind);
	return r.failed ? -1 : 0;
}
