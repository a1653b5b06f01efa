/*
 * markdown.c - one walk over cmark's tree does everything folio needs.
 */
#include "markdown.h"

#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "slug.h"

#define MORE_MARKER "<!--more-->"
#define TOC_MAX_LEVEL 6

/* Appends the plain text of NODE's inline content to B. */
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

static unsigned count_words(const char *s, size_t n)
{
	unsigned w = 0;
	bool in = false;
	for (size_t i = 0; i < n; i++) {
		bool sp = is_space(s[i]);
		if (!sp && !in)
			w++;
		in = !sp;
	}
	return w;
}

/* Collapses runs of white space and trims. */
static const char *squeeze(arena *a, const char *s, size_t n)
{
	char *o = arena_alloc(a, n + 1);
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
	const char *id;
	const char *title;
};

/* Builds the nested table of contents from the flat heading list. */
static value *build_toc(arena *a, struct heading *h, size_t n)
{
	value *root = value_list(a);
	value *stack_list[TOC_MAX_LEVEL + 2];
	int stack_level[TOC_MAX_LEVEL + 2];
	int depth = 0;
	stack_list[0] = root;
	stack_level[0] = 0;
	for (size_t i = 0; i < n; i++) {
		while (depth > 0 && stack_level[depth] >= h[i].level)
			depth--;
		value *e = value_map(a);
		value_map_set(a, e, "level", value_int(a, h[i].level));
		value_map_set(a, e, "id", value_str(a, h[i].id));
		value_map_set(a, e, "title", value_str(a, h[i].title));
		value *kids = value_list(a);
		value_map_set(a, e, "children", kids);
		value_list_push(a, stack_list[depth], e);
		depth++;
		stack_list[depth] = kids;
		stack_level[depth] = h[i].level;
	}
	return root;
}

static bool id_taken(struct heading *h, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].id, id))
			return true;
	return false;
}

/*
 * cmark writes a custom block as ON_ENTER "\n" children "\n" ON_EXIT;
 * a heading reads better as <h2 id="x">Text</h2>.  Walks the headings in
 * order and drops those two newlines, in place.  Returns the new length.
 */
static size_t tighten_headings(char *html, const struct heading *h, size_t n)
{
	size_t len = strlen(html);
	char *cur = html;
	struct buf open = BUF_INIT;
	char close[8];
	for (size_t i = 0; i < n; i++) {
		buf_reset(&open);
		buf_printf(&open, "<h%d id=\"", h[i].level);
		buf_put_html(&open, h[i].id, strlen(h[i].id));
		buf_puts(&open, "\">\n");
		char *at = strstr(cur, open.ptr);
		if (!at)
			continue;
		char *nl = at + open.len - 1;
		memmove(nl, nl + 1, len - (size_t)(nl + 1 - html) + 1);
		len--;
		snprintf(close, sizeof close, "\n</h%d>", h[i].level);
		char *end = strstr(nl, close);
		if (!end)
			continue;
		memmove(end, end + 1, len - (size_t)(end + 1 - html) + 1);
		len--;
		cur = end;
	}
	buf_free(&open);
	return len;
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
	memset(out, 0, sizeof(*out));

	cmark_node *doc = cmark_parse_document(text, len, options);
	struct heading *heads = NULL;
	size_t nheads = 0, capheads = 0;
	cmark_node **mores = NULL;
	size_t nmores = 0, capmores = 0;
	struct buf plain = BUF_INIT, tmp = BUF_INIT;
	size_t first_para_start = 0, first_para_end = 0, more_at = 0;
	size_t *at = NULL;
	bool have_para = false, have_more = false;

	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_EXIT) {
			if (t == CMARK_NODE_PARAGRAPH && !have_para) {
				have_para = true;
				first_para_end = plain.len;
			}
			if (t == CMARK_NODE_HEADING && nheads > 0 && at)
				at[2 * (nheads - 1) + 1] = plain.len;
			if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
			    t == CMARK_NODE_ITEM || t == CMARK_NODE_BLOCK_QUOTE)
				buf_putc(&plain, '\n');
			continue;
		}
		switch (t) {
		case CMARK_NODE_PARAGRAPH:
			if (!have_para)
				first_para_start = plain.len;
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			buf_puts(&plain, cmark_node_get_literal(n));
			if (t == CMARK_NODE_CODE_BLOCK)
				buf_putc(&plain, '\n');
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			buf_putc(&plain, ' ');
			break;
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			if (is_more_marker(cmark_node_get_literal(n))) {
				if (!have_more) {
					have_more = true;
					more_at = plain.len;
				}
				if (nmores == capmores) {
					capmores = capmores ? 2 * capmores : 4;
					mores = xrealloc(mores, capmores * sizeof(*mores));
				}
				mores[nmores++] = n;
			}
			break;
		case CMARK_NODE_HEADING: {
			buf_reset(&tmp);
			plain_text(n, &tmp);
			if (nheads == capheads) {
				capheads = capheads ? 2 * capheads : 8;
				heads = xrealloc(heads, capheads * sizeof(*heads));
				if (opts->text)
					at = xrealloc(at, 2 * capheads * sizeof(*at));
			}
			if (at)
				at[2 * nheads] = at[2 * nheads + 1] = plain.len;
			struct heading *h = &heads[nheads];
			h->node = n;
			h->level = cmark_node_get_heading_level(n);
			h->title = squeeze(a, tmp.ptr, tmp.len);
			struct buf id = BUF_INIT;
			slug_append(&id, tmp.ptr, tmp.len);
			if (id.len == 0)
				buf_puts(&id, "section");
			size_t base = id.len;
			for (int k = 1; id_taken(heads, nheads, id.ptr); k++) {
				buf_truncate(&id, base);
				buf_printf(&id, "-%d", k);
			}
			h->id = arena_strndup(a, id.ptr, id.len);
			buf_free(&id);
			nheads++;
			break;
		}
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (link) {
				const char *dest = cmark_node_get_url(n);
				unsigned line = (unsigned)cmark_node_get_start_line(n);
				unsigned col = (unsigned)cmark_node_get_start_column(n);
				const char *rep = link(link_arg, dest ? dest : "",
						       line ? line + line_offset : 0, col);
				if (rep)
					cmark_node_set_url(n, rep);
			}
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);

	out->words = count_words(plain.ptr, plain.len);
	if (have_more)
		out->summary = squeeze(a, plain.ptr, more_at);
	else if (have_para)
		out->summary = squeeze(a, plain.ptr + first_para_start, first_para_end - first_para_start);
	else
		out->summary = "";

	out->anchors.n = nheads;
	out->anchors.ids = arena_alloc(a, (nheads ? nheads : 1) * sizeof(char *));
	for (size_t i = 0; i < nheads; i++)
		out->anchors.ids[i] = heads[i].id;
	out->toc = build_toc(a, heads, nheads);

	if (want_html) {
		for (size_t i = 0; i < nmores; i++) {
			cmark_node_unlink(mores[i]);
			cmark_node_free(mores[i]);
		}
		/* Headings become custom blocks that carry their id. */
		for (size_t i = 0; i < nheads; i++) {
			cmark_node *h = heads[i].node;
			cmark_node *c = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
			buf_reset(&tmp);
			buf_printf(&tmp, "<h%d id=\"", heads[i].level);
			buf_put_html(&tmp, heads[i].id, strlen(heads[i].id));
			buf_puts(&tmp, "\">");
			cmark_node_set_on_enter(c, tmp.ptr);
			buf_reset(&tmp);
			buf_printf(&tmp, "</h%d>", heads[i].level);
			cmark_node_set_on_exit(c, tmp.ptr);
			cmark_node *child;
			while ((child = cmark_node_first_child(h)) != NULL)
				cmark_node_append_child(c, child);
			cmark_node_insert_before(h, c);
			cmark_node_free(h);
		}
		char *html = cmark_render_html(doc, options);
		out->html_len = tighten_headings(html, heads, nheads);
		out->html = html;
	}
	free(heads);
	free(mores);
	if (opts->text) {
		out->text = buf_detach(&plain, &out->text_len);
		out->heads_at = at;
	}
	buf_free(&plain);
	buf_free(&tmp);
	cmark_node_free(doc);
}
