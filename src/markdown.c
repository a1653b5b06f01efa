/*
 * markdown.c - Markdown to HTML with cmark-gfm.
 *
 * Three steps over the tree cmark-gfm parses:
 *   1. rewrite: GitHub alerts become callouts, {#id .class} leave the
 *      heading text (before anything reads the text);
 *   2. one walk: the plain text (summary, word count, search), headings,
 *      <!--more--> markers, link destinations, unknown template syntax;
 *   3. ids: explicit ones first, then GitHub's rule made unique; the toc;
 *      headings are rendered with their ids and the tree to HTML.
 */
#include "markdown.h"

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "html.h"
#include "slug.h"
#include "strmap.h"

#define MORE_MARKER "<!--more-->"
#define TOC_MIN_DEFAULT 2
#define TOC_MAX_DEFAULT 3

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

const char *markdown_library_version(void)
{
	return cmark_version_string();
}

/* ---- Step 1: rewrites ---------------------------------------------- */

struct alert_kind {
	const char *word;       /* as written between [! and ], any case */
	const char *cls;
	const char *title;
};

static const struct alert_kind alert_kinds[] = {
	{ "NOTE", "note", "Note" },
	{ "TIP", "tip", "Tip" },
	{ "IMPORTANT", "important", "Important" },
	{ "WARNING", "warning", "Warning" },
	{ "CAUTION", "caution", "Caution" },
};

/* The alert a block quote starts with ("[!NOTE]" alone on its first line,
 * with something after it), or NULL.  *END is the first node after the
 * marker line (NULL when the marker is the whole paragraph). */
static const struct alert_kind *alert_of(cmark_node *quote, cmark_node **end)
{
	cmark_node *para = cmark_node_first_child(quote);
	if (!para || cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH)
		return NULL;
	char line[16];
	size_t n = 0;
	cmark_node *c = cmark_node_first_child(para);
	for (; c; c = cmark_node_next(c)) {
		cmark_node_type t = cmark_node_get_type(c);
		if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
			break;
		if (t != CMARK_NODE_TEXT)
			return NULL;
		const char *lit = cmark_node_get_literal(c);
		size_t k = strlen(lit);
		if (n + k >= sizeof line)
			return NULL;
		memcpy(line + n, lit, k);
		n += k;
	}
	while (n > 0 && is_space(line[n - 1]))
		n--;
	if (n < 4 || line[0] != '[' || line[1] != '!' || line[n - 1] != ']')
		return NULL;
	*end = c ? cmark_node_next(c) : NULL;
	if (!*end && !cmark_node_next(para))
		return NULL;    /* nothing but the marker: a quote */
	for (size_t i = 0; i < sizeof alert_kinds / sizeof *alert_kinds; i++) {
		const char *w = alert_kinds[i].word;
		if (strlen(w) != n - 3)
			continue;
		size_t j = 0;
		while (j < n - 3 && to_upper(line[2 + j]) == w[j])
			j++;
		if (j == n - 3)
			return &alert_kinds[i];
	}
	return NULL;
}

/*
 * cmark allocates each node, string and buffer on its own: with malloc,
 * that was a sixth of a build's time.  Its memory comes from the page's
 * arena instead, freed whole when the page is done; a block keeps its
 * size before it for realloc.  cmark's allocator functions take no
 * argument, so the arena is the calling thread's, set for the span of
 * markdown_process.
 */
static _Thread_local arena *cm_arena;

#define CM_HEAD sizeof(max_align_t)

static void *cm_take(size_t n)
{
	if (n > SIZE_MAX - CM_HEAD)
		die("out of memory (%zu bytes for the Markdown parser)", n);
	unsigned char *p = arena_alloc(cm_arena, CM_HEAD + n);
	memcpy(p, &n, sizeof(n));
	return p + CM_HEAD;
}

static void *cm_calloc(size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		die("out of memory (%zu x %zu bytes for the Markdown parser)", nmemb, size);
	void *p = cm_take(nmemb * size);
	memset(p, 0, nmemb * size);
	return p;
}

static void *cm_realloc(void *old, size_t n)
{
	if (!old)
		return cm_take(n);
	size_t had;
	memcpy(&had, (unsigned char *)old - CM_HEAD, sizeof(had));
	if (n <= had)
		return old;
	void *p = cm_take(n);
	memcpy(p, old, had);
	return p;
}

static void cm_free(void *p)
{
	(void)p;        /* freed with the arena */
}

static cmark_mem cm_mem = { cm_calloc, cm_realloc, cm_free };

/* Replaces the block quote Q with a callout of kind K; END as alert_of. */
static void make_alert(cmark_node *q, const struct alert_kind *k, cmark_node *end)
{
	cmark_node *para = cmark_node_first_child(q);
	cmark_node *c;
	while ((c = cmark_node_first_child(para)) != end) {
		cmark_node_unlink(c);
		cmark_node_free(c);
	}
	if (!cmark_node_first_child(para)) {
		cmark_node_unlink(para);
		cmark_node_free(para);
	}
	cmark_node *box = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, &cm_mem);
	char open[128];
	snprintf(open, sizeof open,
		 "<div class=\"alert alert-%s\" role=\"note\">\n<p class=\"alert-title\">%s</p>\n",
		 k->cls, k->title);
	cmark_node_set_on_enter(box, open);
	cmark_node_set_on_exit(box, "</div>");
	while ((c = cmark_node_first_child(q)) != NULL)
		cmark_node_append_child(box, c);
	cmark_node_insert_before(q, box);
	cmark_node_free(q);
}

static bool is_attr_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == ':' || c == '.';
}

/* The length of a quote mark at P: ", ' or their curly forms (smart
 * punctuation has turned them so by the time the text is read), else 0. */
static size_t quote_len(const char *p)
{
	if (*p == '"' || *p == '\'')
		return 1;
	if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
	    ((unsigned char)p[2] >= 0x98 && (unsigned char)p[2] <= 0x9D))
		return 3;
	return 0;
}

/*
 * Reads one attribute of "{#id .class id=x class="a b"}" at *P (before
 * END), into *ID and CLS.  Returns -1 for anything else: other keys
 * and other syntax stay text.
 */
static int read_attribute(const char **p, const char *end, const char **id, size_t *idn,
			  struct buf *cls)
{
	const char *q = *p;
	const char *v, *e;
	bool is_id;
	if ((*q == '#' || *q == '.') && q + 1 < end && is_attr_char(q[1]) && q[1] != '.' && q[1] != ':') {
		is_id = *q == '#';
		v = e = q + 1;
		while (e < end && is_attr_char(*e))
			e++;
		q = e;
	} else if ((!strncmp(q, "id=", 3) || !strncmp(q, "class=", 6)) && q + 3 < end) {
		is_id = q[0] == 'i';
		q += is_id ? 3 : 6;
		size_t open = quote_len(q);
		v = e = q + open;
		if (open) {
			while (e < end && !quote_len(e))
				e++;
			if (e >= end)
				return -1;
			q = e + quote_len(e);
		} else {
			while (e < end && is_attr_char(*e))
				e++;
			q = e;
		}
		if (e == v)
			return -1;
	} else {
		return -1;
	}
	if (q < end && !is_space(*q))
		return -1;
	if (is_id) {
		*id = v;
		*idn = (size_t)(e - v);
	} else {
		if (cls->len)
			buf_putc(cls, ' ');
		buf_put(cls, v, (size_t)(e - v));
	}
	*p = q;
	return 0;
}

/*
 * Takes a trailing "{#id .class}" (or Hugo's "{id="x" class="y"}") off
 * heading H's text.  Only ids and classes are attributes; braces holding
 * anything else stay text.  Sets *ID and *CLASSES (space-separated) from
 * A, or leaves them NULL.  Returns -1 when the braces hold key=value
 * attributes folio does not read (they stay in the text).
 */
static int take_attributes(cmark_node *h, arena *a, const char **id, const char **classes)
{
	cmark_node *last = cmark_node_last_child(h);
	if (!last || cmark_node_get_type(last) != CMARK_NODE_TEXT)
		return 0;
	const char *lit = cmark_node_get_literal(last);
	size_t n = strlen(lit);
	while (n > 0 && is_space(lit[n - 1]))
		n--;
	if (n < 3 || lit[n - 1] != '}')
		return 0;
	const char *open = NULL;
	for (size_t i = n - 1; i-- > 0;)
		if (lit[i] == '{') {
			open = lit + i;
			break;
		}
	if (!open)
		return 0;
	struct buf cls = BUF_INIT;
	const char *idp = NULL, *end = lit + n - 1;
	size_t idn = 0;
	int rc = -1;
	for (const char *p = open + 1; p < end;) {
		if (is_space(*p)) {
			p++;
			continue;
		}
		rc = read_attribute(&p, end, &idp, &idn, &cls);
		if (rc < 0)
			break;
	}
	if (rc == 0) {
		if (idp)
			*id = arena_strndup(a, idp, idn);
		if (cls.len)
			*classes = arena_strndup(a, cls.ptr, cls.len);
		size_t keep = (size_t)(open - lit);
		while (keep > 0 && is_space(lit[keep - 1]))
			keep--;
		char *t = arena_strndup(a, lit, keep);
		cmark_node_set_literal(last, t);
	}
	buf_free(&cls);
	/* {key=value} with another key: Hugo would read it, folio shows it. */
	return rc == 0 || !memchr(open, '=', (size_t)(lit + n - open)) ? 0 : -1;
}

/* ---- Step 2: the walk ---------------------------------------------- */

static void plain_text(cmark_node *node, struct buf *b)
{
	cmark_iter *it = cmark_iter_new(node);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		cmark_node *n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			buf_puts(b, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(b, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

static bool is_more_marker(const char *lit)
{
	if (!lit)
		return false;
	while (is_space(*lit))
		lit++;
	size_t n = strlen(MORE_MARKER);
	if (strncmp(lit, MORE_MARKER, n) != 0)
		return false;
	for (lit += n; *lit; lit++)
		if (!is_space(*lit))
			return false;
	return true;
}

/* The bytes of X that are white space (' ', '\t', '\n', '\v', '\f',
 * '\r'), each marked by its top bit; the others 0. */
static inline uint64_t space_bytes(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t low = x & ~high;                     /* each byte below 0x80 */
	uint64_t sp = low ^ (ones * ' ');
	sp = ~((sp + ~high) | sp) & high;             /* the byte is ' ' */
	uint64_t ge9 = (low + ones * (0x80 - '\t')) & high;
	uint64_t ge14 = (low + ones * (0x80 - '\r' - 1)) & high;
	return (sp | (ge9 & ~ge14)) & ~x;             /* ASCII bytes only */
}

/* Counts where a byte that is not white space follows one that is (or
 * starts the text), eight bytes at a time: this reads every byte of
 * every page. */
static unsigned count_words(const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t before = 1;    /* the byte before is white space: top bit */
	unsigned w = 0;
	size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* Byte k of X is S[i + k], so byte k - 1 is the one before it. */
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		uint64_t sp = space_bytes(x);
		uint64_t starts = ((sp << 8) | (before << 7)) & ~sp & high;
		w += (unsigned)(((starts >> 7) * 0x0101010101010101ULL) >> 56);
		before = sp >> 63;
	}
#endif
	for (; i < n; i++) {
		unsigned sp = is_space(s[i]);
		w += before && !sp;
		before = sp;
	}
	return w;
}

/* Collapses runs of white space and trims. */
static const char *squeeze(arena *a, const char *s, size_t n)
{
	char *o = arena_bytes(a, n + 1);
	size_t k = 0;
	bool sp = false;
	for (size_t i = 0; i < n; i++) {
		if (is_space(s[i])) {
			sp = k > 0;
			continue;
		}
		if (sp)
			o[k++] = ' ';
		sp = false;
		o[k++] = s[i];
	}
	o[k] = '\0';
	return o;
}

struct heading {
	cmark_node *node;
	int level;
	unsigned line;
	const char *id;         /* from {#id}, then the one it gets */
	const char *classes;    /* from {.class}, or NULL */
	const char *title;
};

struct walk {
	const struct md_opts *o;
	const char *text;       /* the Markdown, for places in the source */
	size_t len;
	md_link_fn link;
	void *link_arg;
	arena *a;
	unsigned line_offset;
	struct buf plain, tmp;
	struct heading *heads;
	size_t nheads, capheads;
	size_t *at;             /* md_opts.text: heading text bounds in plain */
	cmark_node **mores;
	size_t nmores, capmores;
	const char **notes;     /* footnote ids cmark-gfm will write */
	size_t nnotes, capnotes;
	size_t para_start, para_end, more_at;
	bool have_para, have_more;
	bool have_html;         /* raw HTML is written out (unsafe): it may hold ids */
};

/* The place in the source of the next PAT at or after *AT: smart
 * punctuation and entities make a text node's literal differ from what was
 * typed, so positions are found in the text itself.  Moves *AT past it;
 * -1 when there is none. */
static int source_place(const char *text, size_t len, size_t *at, const char *pat,
			unsigned *line, unsigned *col)
{
	size_t k = strlen(pat);
	for (size_t i = *at; i + k <= len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
			continue;
		}
		if (!memcmp(text + i, pat, k)) {
			*at = i + k;
			return 0;
		}
		++*col;
	}
	return -1;
}

/*
 * Hugo shortcodes ({{< >}}, {{% %}}), Liquid tags ({% %}) and template
 * expressions ({{ page.title }}) written in the text: folio runs none of
 * them, so they would be shown as typed.  Warns
 * at each one's place in the source.  cmark may split text before '<', so
 * "{{" can end one text node and "<" start the next.
 */
static void check_template_syntax(const struct walk *w, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	const char *p = strchr(lit, '{');
	if (!p)
		return;
	/* The node's first line and column, as an offset into the text. */
	unsigned line = (unsigned)cmark_node_get_start_line(n);
	unsigned col = (unsigned)cmark_node_get_start_column(n);
	size_t at = 0;
	for (unsigned l = 1; l < line && at < w->len; at++)
		if (w->text[at] == '\n')
			l++;
	at += col > 0 ? col - 1 : 0;
	for (; p; p = strchr(p + 1, '{')) {
		const char *what = NULL;
		/* p[2] is read only when p[1] is not the literal's end. */
		char pat[4] = { p[0], p[1], p[1] ? p[2] : 0, 0 };
		if (!p[1])
			break;
		if (p[1] == '{' && (p[2] == '<' || p[2] == '%')) {
			what = "a Hugo shortcode";
		} else if (p[1] == '%' && (p == lit || p[-1] != '{')) {
			what = "a Liquid tag";
			pat[2] = 0;
		} else if (p[1] == '{' && (p[2] == ' ' || is_alpha(p[2])) && strstr(p + 2, "}}")) {
			what = "a Liquid or template expression";
			pat[2] = 0;
		} else if (p[1] == '{' && !p[2]) {
			cmark_node *next = cmark_node_next(n);
			const char *nl = next ? cmark_node_get_literal(next) : NULL;
			if (nl && (nl[0] == '<' || nl[0] == '%')) {
				what = "a Hugo shortcode";
				pat[2] = nl[0];
			}
		}
		if (!what)
			continue;
		if (source_place(w->text, w->len, &at, pat, &line, &col) < 0)
			break;
		diag_warning(w->o->d, w->o->src, line ? line + w->line_offset : 0, col,
			     "'%s' starts %s; folio does not run them, so it appears as text", pat, what);
		col += (unsigned)strlen(pat);
		p++;
	}
}

static void add_heading(struct walk *w, cmark_node *n)
{
	if (w->nheads == w->capheads) {
		w->capheads = w->capheads ? 2 * w->capheads : 8;
		w->heads = xrealloc(w->heads, w->capheads * sizeof(*w->heads));
		if (w->o->text)
			w->at = xrealloc(w->at, 2 * w->capheads * sizeof(*w->at));
	}
	if (w->at)
		w->at[2 * w->nheads] = w->at[2 * w->nheads + 1] = w->plain.len;
	struct heading *h = &w->heads[w->nheads++];
	memset(h, 0, sizeof(*h));
	h->node = n;
	h->level = cmark_node_get_heading_level(n);
	unsigned line = (unsigned)cmark_node_get_start_line(n);
	h->line = line ? line + w->line_offset : 0;
	if (!w->o->plain && take_attributes(n, w->a, &h->id, &h->classes) < 0 && w->o->d)
		diag_warning(w->o->d, w->o->src, h->line, 1,
			     "heading attributes other than #id, .class, id= and class= are not read; "
			     "the braces stay in the heading's text");
	buf_reset(&w->tmp);
	plain_text(n, &w->tmp);
	h->title = squeeze(w->a, w->tmp.ptr, w->tmp.len);
}

static void add_more(struct walk *w, cmark_node *n)
{
	if (!w->have_more) {
		w->have_more = true;
		w->more_at = w->plain.len;
	}
	if (w->nmores == w->capmores) {
		w->capmores = w->capmores ? 2 * w->capmores : 4;
		w->mores = xrealloc(w->mores, w->capmores * sizeof(*w->mores));
	}
	w->mores[w->nmores++] = n;
}

/* Footnote LABEL's ids, "fn-LABEL" and "fnref-LABEL", kept from the
 * headings' ids. */
static void add_note(struct walk *w, const char *label, size_t n)
{
	if (w->nnotes + 2 > w->capnotes) {
		w->capnotes = w->capnotes ? 2 * w->capnotes : 8;
		w->notes = xrealloc(w->notes, w->capnotes * sizeof(*w->notes));
	}
	struct buf b = BUF_INIT;
	buf_printf(&b, "fn-%.*s", (int)n, label);
	w->notes[w->nnotes++] = arena_strndup(w->a, b.ptr, b.len);
	buf_reset(&b);
	buf_printf(&b, "fnref-%.*s", (int)n, label);
	w->notes[w->nnotes++] = arena_strndup(w->a, b.ptr, b.len);
	buf_free(&b);
}

/* The footnote labels of the text: lines "[^label]: ...".  The parsed
 * tree numbers footnotes, but their ids are made from the labels. */
static void find_notes(struct walk *w)
{
	const char *t = w->text, *end = w->text + w->len;
	while (t < end) {
		const char *eol = memchr(t, '\n', (size_t)(end - t));
		if (!eol)
			eol = end;
		const char *p = t;
		while (p < eol && p - t < 3 && *p == ' ')
			p++;
		if (eol - p > 4 && p[0] == '[' && p[1] == '^') {
			const char *l = p + 2, *e = l;
			while (e < eol && *e != ']' && !is_space(*e))
				e++;
			if (e > l && e + 1 < eol && e[0] == ']' && e[1] == ':')
				add_note(w, l, (size_t)(e - l));
		}
		t = eol + 1;
	}
}

static void visit_link(struct walk *w, cmark_node *n)
{
	const char *dest = cmark_node_get_url(n);
	unsigned line = (unsigned)cmark_node_get_start_line(n);
	unsigned col = (unsigned)cmark_node_get_start_column(n);
	const char *rep = w->link(w->link_arg, dest ? dest : "",
				  line ? line + w->line_offset : 0, col);
	if (rep)
		cmark_node_set_url(n, rep);
}

/* Block ends: a line break in the plain text, and for tables a space
 * between cells. */
static void leave(struct walk *w, cmark_node *n, cmark_node_type t)
{
	switch (t) {
	case CMARK_NODE_PARAGRAPH:
		if (!w->have_para) {
			w->have_para = true;
			w->para_end = w->plain.len;
		}
		buf_putc(&w->plain, '\n');
		break;
	case CMARK_NODE_HEADING:
		if (w->at)
			w->at[2 * (w->nheads - 1) + 1] = w->plain.len;
		buf_putc(&w->plain, '\n');
		break;
	case CMARK_NODE_ITEM:
	case CMARK_NODE_BLOCK_QUOTE:
		buf_putc(&w->plain, '\n');
		break;
	default:
		if (cmark_node_get_syntax_extension(n)) {
			const char *ts = cmark_node_get_type_string(n);
			if (!strcmp(ts, "table_cell"))
				buf_putc(&w->plain, ' ');
			else if (!strcmp(ts, "table_row") || !strcmp(ts, "table_header"))
				buf_putc(&w->plain, '\n');
		}
		break;
	}
}

struct raw_link {
	const struct walk *w;
	const char *lit;
	unsigned line, col;     /* of the node in the file */
};

static void raw_attr(void *arg, const char *tag, const char *name, size_t nlen,
		     const char *v, size_t vlen)
{
	struct raw_link *r = arg;
	(void)tag;
	if (!((nlen == 4 && !strncasecmp(name, "href", 4)) || (nlen == 3 && !strncasecmp(name, "src", 3))))
		return;
	/* The attribute's place: lines and columns counted from the node's. */
	unsigned line = r->line, col = r->col;
	for (const char *c = r->lit; c < v; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	char *dest = xstrndup(v, vlen);
	r->w->o->html_link(r->w->link_arg, dest, line, col);
	free(dest);
}

/* The links of raw HTML (kept with unsafe), checked as the browser will
 * read them: they are not rewritten. */
static void raw_links(struct walk *w, cmark_node *n)
{
	const char *lit = cmark_node_get_literal(n);
	unsigned line = (unsigned)cmark_node_get_start_line(n);
	struct raw_link r = { w, lit, line ? line + w->line_offset : 0,
			      (unsigned)cmark_node_get_start_column(n) };
	html_attrs(lit, strlen(lit), NULL, NULL, raw_attr, &r);
}

static void walk_tree(struct walk *w, cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_EXIT) {
			leave(w, n, t);
			continue;
		}
		switch (t) {
		case CMARK_NODE_PARAGRAPH:
			if (!w->have_para)
				w->para_start = w->plain.len;
			break;
		case CMARK_NODE_TEXT:
			if (w->o->d)
				check_template_syntax(w, n);
			buf_puts(&w->plain, cmark_node_get_literal(n));
			break;
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			buf_puts(&w->plain, cmark_node_get_literal(n));
			if (t == CMARK_NODE_CODE_BLOCK)
				buf_putc(&w->plain, '\n');
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(&w->plain, ' ');
			break;
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if (is_more_marker(cmark_node_get_literal(n)))
				add_more(w, n);
			else if (w->o->unsafe && w->o->html_link)
				raw_links(w, n);
			w->have_html |= w->o->unsafe;
			break;
		case CMARK_NODE_HEADING:
			add_heading(w, n);
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (w->link)
				visit_link(w, n);
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

/* ---- Step 3: ids, toc, HTML ---------------------------------------- */

/* The id of a heading titled TITLE.  Smart punctuation turned "--" and
 * "---" into dashes that GitHub's rule would drop, so they are read back
 * as typed first: "A -- B" is "a----b" as on GitHub. */
static void heading_id(struct buf *id, const char *title, bool smart, struct buf *tmp)
{
	if (!smart || !strstr(title, "\xe2\x80")) {
		slug_heading_id(id, title, strlen(title));
		return;
	}
	buf_reset(tmp);
	for (const char *p = title; *p; p++) {
		if (!strncmp(p, "\xe2\x80\x93", 3)) {
			buf_puts(tmp, "--");
			p += 2;
		} else if (!strncmp(p, "\xe2\x80\x94", 3)) {
			buf_puts(tmp, "---");
			p += 2;
		} else {
			buf_putc(tmp, *p);
		}
	}
	slug_heading_id(id, tmp->ptr, tmp->len);
}

/* The heading that stands for the ids the layouts write. */
static struct heading layout;

static void reserve(void *taken, const char *id, void *val)
{
	(void)val;
	strmap_put(taken, id, &layout);
}

/* Gives every heading its id: explicit {#id} first (a second use of one
 * is an error), then GitHub's rule for the rest, made unique. */
static void assign_ids(struct walk *w, struct strmap *taken)
{
	static struct heading footnote;     /* marks the footnotes' ids */
	for (size_t i = 0; i < w->nnotes; i++)
		strmap_put(taken, w->notes[i], &footnote);
	if (w->o->reserved)
		strmap_each(w->o->reserved, reserve, taken);
	for (size_t i = 0; i < w->nheads; i++) {
		struct heading *h = &w->heads[i];
		if (!h->id)
			continue;
		struct heading *first = strmap_put(taken, h->id, h);
		if (first == &footnote && w->o->d)
			diag_error(w->o->d, w->o->src, h->line, 1,
				   "heading id '%s' is already the id of a footnote", h->id);
		else if (first == &layout && w->o->d)
			diag_error(w->o->d, w->o->src, h->line, 1,
				   "heading id '%s' is already an id the layouts write", h->id);
		else if (first && w->o->d)
			diag_error(w->o->d, w->o->src, h->line, 1,
				   "heading id '%s' is already used by the heading on line %u",
				   h->id, first->line);
	}
	struct buf id = BUF_INIT;
	for (size_t i = 0; i < w->nheads; i++) {
		struct heading *h = &w->heads[i];
		if (h->id)
			continue;
		buf_reset(&id);
		heading_id(&id, h->title, w->o->smart, &w->tmp);
		if (id.len == 0)
			buf_puts(&id, "section");
		size_t base = id.len;
		for (int k = 1; strmap_getn(taken, id.ptr, id.len); k++) {
			buf_truncate(&id, base);
			buf_printf(&id, "-%d", k);
		}
		h->id = arena_strndup(w->a, id.ptr, id.len);
		strmap_put(taken, h->id, h);
	}
	buf_free(&id);
}

static value *toc_entry(arena *a, const struct toc_item *h)
{
	value *e = value_map(a);
	value_map_set(a, e, "level", value_int(a, h->level));
	value_map_set(a, e, "id", value_str_ref(a, h->id, strlen(h->id)));
	value_map_set(a, e, "title", value_str_ref(a, h->title, strlen(h->title)));
	value_map_set(a, e, "children", value_list(a));
	return e;
}

value *markdown_toc(arena *a, const struct toc_item *items, size_t n)
{
	value *root = value_list(a);
	value *lists[8];
	int levels[8];
	int depth = 0;
	lists[0] = root;
	levels[0] = 0;
	for (size_t i = 0; i < n; i++) {
		while (depth > 0 && levels[depth] >= items[i].level)
			depth--;
		value *e = toc_entry(a, &items[i]);
		value_list_push(a, lists[depth], e);
		depth++;
		lists[depth] = value_map_get(e, "children");
		levels[depth] = items[i].level;
	}
	return root;
}

/* The headings between levels LO and HI, for the table of contents. */
static void list_toc(arena *a, const struct heading *h, size_t n, int lo, int hi,
		     struct md_result *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += h[i].level >= lo && h[i].level <= hi;
	out->toc = arena_alloc(a, (k ? k : 1) * sizeof(*out->toc));
	out->ntoc = 0;
	for (size_t i = 0; i < n; i++)
		if (h[i].level >= lo && h[i].level <= hi)
			out->toc[out->ntoc++] = (struct toc_item){ h[i].id, h[i].title, h[i].level };
}

/* Heading H as "<hN id=.. class=..>inner</hN>", rendered on its own and
 * put in place as a block that cmark writes as it is. */
static void render_heading(const struct heading *h, int options, cmark_llist *exts,
			   struct buf *tmp)
{
	char *inner = cmark_render_html(h->node, options, exts);
	size_t n = strlen(inner);
	/* "<hN>" ... "</hN>\n" */
	size_t from = n >= 4 ? 4 : n, to = n >= 10 ? n - 6 : from;
	buf_reset(tmp);
	buf_puts(tmp, "<h");
	buf_put_uint(tmp, (unsigned)h->level);
	buf_puts(tmp, " id=\"");
	buf_put_html(tmp, h->id, strlen(h->id));
	buf_putc(tmp, '"');
	if (h->classes) {
		buf_puts(tmp, " class=\"");
		buf_put_html(tmp, h->classes, strlen(h->classes));
		buf_putc(tmp, '"');
	}
	buf_putc(tmp, '>');
	buf_put(tmp, inner + from, to - from);
	buf_puts(tmp, "</h");
	buf_put_uint(tmp, (unsigned)h->level);
	buf_putc(tmp, '>');
	cm_free(inner);
	cmark_node *c = cmark_node_new_with_mem(CMARK_NODE_CUSTOM_BLOCK, &cm_mem);
	cmark_node_set_on_enter(c, tmp->ptr);
	cmark_node_set_on_exit(c, "");
	cmark_node_insert_before(h->node, c);
	cmark_node_unlink(h->node);
	cmark_node_free(h->node);
}

/* The fragment targets in HTML besides the headings: id attributes of any
 * element and name attributes of <a> (footnotes; raw HTML when allowed). */
struct targets {
	arena *a;
	struct strmap *seen;
	const char **ids;
	size_t n, cap;
};

static void html_target(void *arg, const char *tag, const char *name, size_t nlen,
			const char *v, size_t vlen)
{
	struct targets *t = arg;
	bool anchor = (tag[0] == 'a' || tag[0] == 'A') && (is_space(tag[1]) || tag[1] == '>');
	bool is_id = nlen == 2 && (name[0] | 0x20) == 'i' && (name[1] | 0x20) == 'd';
	bool is_name = anchor && nlen == 4 && !strncasecmp(name, "name", 4);
	if ((!is_id && !is_name) || !vlen || strmap_getn(t->seen, v, vlen))
		return;
	const char *id = arena_strndup(t->a, v, vlen);
	strmap_put(t->seen, id, (void *)id);
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->ids = xrealloc(t->ids, t->cap * sizeof(*t->ids));
	}
	t->ids[t->n++] = id;
}

/* What the text holds that could start a GFM extension's syntax. */
enum {
	HAS_LINK = 1,           /* "www.", "://" or "@": autolinks */
	HAS_NOTE = 2,           /* "[^": footnotes */
	HAS_TILDE = 4,          /* strikethrough */
	HAS_PIPE = 8,           /* tables */
};

/* Is there a C in TEXT[0..LEN) for which OK(TEXT, LEN, AT) holds? */
static bool has_char(const char *text, size_t len, char c,
		      bool (*ok)(const char *, size_t, size_t))
{
	for (const char *p = text; (p = memchr(p, c, len - (size_t)(p - text))) != NULL; p++)
		if (!ok || ok(text, len, (size_t)(p - text)))
			return true;
	return false;
}

static bool is_scheme_sep(const char *s, size_t len, size_t i)  /* "://" */
{
	return i + 2 < len && s[i + 1] == '/' && s[i + 2] == '/';
}

static bool is_www_dot(const char *s, size_t len, size_t i)     /* "www." */
{
	(void)len;
	return i >= 3 && (s[i - 1] | 0x20) == 'w' && (s[i - 2] | 0x20) == 'w' &&
	       (s[i - 3] | 0x20) == 'w';
}

static bool is_note_open(const char *s, size_t len, size_t i)   /* "[^" */
{
	(void)len;
	return i > 0 && s[i - 1] == '[';
}

/* memchr runs over the text a word or more at a time, so a few of
 * them cost less than one loop over the bytes. */
static unsigned gfm_triggers(const char *text, size_t len)
{
	unsigned has = 0;
	if (has_char(text, len, '@', NULL) || has_char(text, len, ':', is_scheme_sep) ||
	    has_char(text, len, '.', is_www_dot))
		has |= HAS_LINK;
	if (has_char(text, len, '^', is_note_open))
		has |= HAS_NOTE;
	if (has_char(text, len, '~', NULL))
		has |= HAS_TILDE;
	if (has_char(text, len, '|', NULL))
		has |= HAS_PIPE;
	return has;
}

/*
 * A parser with the GFM extensions.  An extension is attached only when
 * the text holds what could start its syntax: without it the output is
 * the same, and autolinks (which look at every "w" and ":") and
 * footnotes cost a fifth of the parse on text that has none.
 */
/*
 * cmark-gfm 0.29 keeps the characters that start an inline extension
 * (strikethrough's '~', autolinks' ':' and 'w') in one table for the whole
 * process: each parser adds its extensions' characters when it parses
 * inlines and removes them when done, so a worker that finishes would take
 * them away from another still parsing, and pages would lose strikethrough
 * and links depending on timing.  Parsers with those extensions finish one
 * at a time; the others may run alongside (an extra special character
 * only splits text that is joined again).  Adding the characters for good
 * and leaving the extensions none to remove would let them all run side
 * by side, but cmark-gfm 0.29 cannot: strikethrough matches its closing
 * "~~" through its own list (without it the parse never ends), and an
 * extension's list cannot be read back to free, so replacing it leaks.
 */
static pthread_mutex_t inline_table = PTHREAD_MUTEX_INITIALIZER;

static cmark_parser *new_parser(const struct md_opts *o, const char *text, size_t len,
				int *options, bool *serial)
{
	*serial = false;
	if (!o->gfm)
		return cmark_parser_new_with_mem(*options, &cm_mem);
	pthread_once(&registered, register_extensions);
	unsigned has = gfm_triggers(text, len);
	*serial = (has & (HAS_LINK | HAS_TILDE)) != 0;
	if (has & HAS_NOTE)
		*options |= CMARK_OPT_FOOTNOTES;
	cmark_parser *parser = cmark_parser_new_with_mem(*options, &cm_mem);
	static const struct {
		const char *name;
		unsigned when;
	} exts[] = {
		{ "table", HAS_PIPE }, { "strikethrough", HAS_TILDE },
		{ "autolink", HAS_LINK }, { "tasklist", 0 },
	};
	for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
		if (exts[i].when && !(has & exts[i].when))
			continue;
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i].name);
		if (e)
			cmark_parser_attach_syntax_extension(parser, e);
	}
	return parser;
}

/* Finds GitHub alerts among the document's own block quotes and turns
 * them into callouts. */
static void rewrite_alerts(cmark_node *doc)
{
	cmark_node *next;
	for (cmark_node *c = cmark_node_first_child(doc); c; c = next) {
		next = cmark_node_next(c);
		cmark_node *end;
		const struct alert_kind *k;
		if (cmark_node_get_type(c) == CMARK_NODE_BLOCK_QUOTE && (k = alert_of(c, &end)))
			make_alert(c, k, end);
	}
}

static void render_html(struct walk *w, cmark_node *doc, cmark_parser *parser, int options,
			struct md_result *out)
{
	for (size_t i = 0; i < w->nmores; i++) {
		cmark_node_unlink(w->mores[i]);
		cmark_node_free(w->mores[i]);
	}
	cmark_llist *exts = cmark_parser_get_syntax_extensions(parser);
	if (!w->o->plain)
		for (size_t i = 0; i < w->nheads; i++)
			render_heading(&w->heads[i], options, exts, &w->tmp);
	/* cmark's HTML lives in the page's memory; the caller owns a copy. */
	const char *cm_html = cmark_render_html(doc, options, exts);
	out->html_len = strlen(cm_html);
	char *html = xmalloc(out->html_len + 1);
	memcpy(html, cm_html, out->html_len + 1);
	out->html = html;
	/* The ids the HTML holds besides the headings' come from raw HTML
	 * and footnotes; without them, there is nothing to look for. */
	if (!w->have_html && !(options & CMARK_OPT_FOOTNOTES))
		return;

	struct strmap seen = STRMAP_INIT;
	struct targets t = { .a = w->a, .seen = &seen, .n = out->anchors.n, .cap = out->anchors.n };
	t.ids = xmalloc((t.cap ? t.cap : 1) * sizeof(*t.ids));
	memcpy(t.ids, out->anchors.ids, t.n * sizeof(*t.ids));
	for (size_t i = 0; i < t.n; i++)
		strmap_put(&seen, t.ids[i], (void *)t.ids[i]);
	html_attrs(html, out->html_len, NULL, NULL, html_target, &t);
	strmap_free(&seen);
	out->anchors.ids = arena_alloc(w->a, (t.n ? t.n : 1) * sizeof(*t.ids));
	memcpy(out->anchors.ids, t.ids, t.n * sizeof(*t.ids));
	out->anchors.n_all = t.n;
	free(t.ids);
}

void markdown_process(const char *text, size_t len, unsigned line_offset,
		      const struct md_opts *opts, md_link_fn link, void *link_arg,
		      arena *a, bool want_html, struct md_result *out)
{
	int options = CMARK_OPT_DEFAULT;
	if (opts->smart)
		options |= CMARK_OPT_SMART;
	if (opts->unsafe)
		options |= CMARK_OPT_UNSAFE;
	if (opts->gfm && !opts->plain)
		options |= CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES;
	memset(out, 0, sizeof(*out));
	cm_arena = a;

	bool serial;
	cmark_parser *parser = new_parser(opts, text, len, &options, &serial);
	cmark_parser_feed(parser, text, len);
	if (serial)
		pthread_mutex_lock(&inline_table);
	cmark_node *doc = cmark_parser_finish(parser);
	if (serial)
		pthread_mutex_unlock(&inline_table);
	if (opts->gfm)
		rewrite_alerts(doc);

	struct walk w = { .o = opts, .text = text, .len = len, .link = link, .link_arg = link_arg, .a = a,
			  .line_offset = line_offset, .plain = BUF_INIT, .tmp = BUF_INIT };
	if (options & CMARK_OPT_FOOTNOTES)
		find_notes(&w);
	walk_tree(&w, doc);

	out->words = count_words(w.plain.ptr, w.plain.len);
	if (w.have_more)
		out->summary = squeeze(a, w.plain.ptr, w.more_at);
	else if (w.have_para)
		out->summary = squeeze(a, w.plain.ptr + w.para_start, w.para_end - w.para_start);
	else
		out->summary = "";

	struct strmap taken = STRMAP_INIT;
	if (!opts->plain)
		assign_ids(&w, &taken);
	out->anchors.n = opts->plain ? 0 : w.nheads;
	out->anchors.n_all = out->anchors.n;
	out->anchors.ids = arena_alloc(a, (w.nheads ? w.nheads : 1) * sizeof(char *));
	for (size_t i = 0; i < out->anchors.n; i++)
		out->anchors.ids[i] = w.heads[i].id;
	int lo = opts->toc_min ? opts->toc_min : TOC_MIN_DEFAULT;
	int hi = opts->toc_max ? opts->toc_max : TOC_MAX_DEFAULT;
	list_toc(a, w.heads, out->anchors.n, lo, hi, out);

	if (want_html)
		render_html(&w, doc, parser, options, out);
	strmap_free(&taken);
	free(w.heads);
	free(w.mores);
	free(w.notes);
	if (opts->text) {
		out->text = buf_detach(&w.plain, &out->text_len);
		out->heads_at = w.at;
	} else {
		free(w.at);
	}
	buf_free(&w.plain);
	buf_free(&w.tmp);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	cm_arena = NULL;
}
