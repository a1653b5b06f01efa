/*
 * build.c - the pipeline: config, content, Markdown, index, render, write.
 *
 *   config_load -> theme_load -> content_load -> site_check_urls
 *     -> Markdown pass (parallel) -> fragment checks -> site_index
 *     -> taxonomy_build -> site_finish -> render_pages (parallel)
 *     -> render_assets -> output_commit
 *
 * Any error anywhere means nothing is written: the temporary output folder
 * is removed and the previous site stays as it was.
 */
#include "build.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "content.h"
#include "feeds.h"
#include "output.h"
#include "pool.h"
#include "render.h"
#include "schema.h"
#include "search.h"
#include "views.h"
#include "taxonomy.h"
#include "theme.h"

/* Rendered Markdown kept between the Markdown pass and rendering, in
 * bytes; past it, pages are parsed again when rendered. */
#define HTML_CACHE_DEFAULT (64u << 20)

struct link_ctx {
	struct site *s;
	struct page *p;
	arena *a;
	bool report;    /* first pass: report errors and record fragment checks */
};

static bool has_scheme(const char *s)
{
	if (!is_alpha(*s))
		return false;
	for (s++; *s; s++) {
		if (*s == ':')
			return true;
		if (!is_alnum(*s) && *s != '+' && *s != '-' && *s != '.')
			return false;
	}
	return false;
}

static void add_check(struct link_ctx *lc, struct page *target, const char *dest,
		      const char *frag, unsigned line, unsigned col)
{
	struct page *p = lc->p;
	p->checks = arena_grow(lc->a, p->checks, p->nchecks * sizeof(*p->checks),
			       (p->nchecks + 1) * sizeof(*p->checks));
	struct link_check *c = &p->checks[p->nchecks++];
	c->target = target;
	c->dest = arena_strdup(lc->a, dest);
	c->fragment = arena_strdup(lc->a, frag);
	c->line = line;
	c->col = col;
}

static const char *resolve_link(void *arg, const char *dest, unsigned line, unsigned col)
{
	struct link_ctx *lc = arg;
	struct site *s = lc->s;
	if (!*dest || has_scheme(dest) || (dest[0] == '/' && dest[1] == '/'))
		return NULL;
	if (dest[0] == '#') {
		if (lc->report && dest[1])
			add_check(lc, lc->p, dest, dest + 1, line, col);
		return NULL;
	}
	size_t plen = strcspn(dest, "?#");
	if (plen < 3 || memcmp(dest + plen - 3, ".md", 3) != 0)
		return NULL;
	const char *rest = dest + plen;     /* "?q#frag" or "#frag" or "" */
	const char *frag = strchr(rest, '#');

	struct buf rel = BUF_INIT;
	const char *result = NULL;
	if (!content_join_path(&rel, lc->p->dir, dest, plen)) {
		if (lc->report)
			diag_error(s->d, lc->p->src, line, col,
				   "link '%s' leads out of the content folder", dest);
		goto out;
	}
	struct page *t = site_find_rel(s, rel.ptr);
	if (!t) {
		if (strmap_get(&s->broken, rel.ptr))
			goto out;   /* that file has errors of its own */
		if (lc->report && strmap_get(&s->draft_rels, rel.ptr))
			diag_error(s->d, lc->p->src, line, col,
				   "link '%s' leads to a draft (content/%s); build with --drafts or link elsewhere",
				   dest, rel.ptr);
		else if (lc->report)
			diag_error(s->d, lc->p->src, line, col,
				   "link '%s' leads to no content file (looked for %s/%s)",
				   dest, s->content_dir, rel.ptr);
		goto out;
	}
	if (frag && frag[1] && lc->report)
		add_check(lc, t, dest, frag + 1, line, col);
	struct buf u = BUF_INIT;
	buf_puts(&u, t->url);
	buf_puts(&u, rest);
	result = arena_strndup(lc->a, u.ptr, u.len);
	buf_free(&u);
out:
	buf_free(&rel);
	return result;
}

void build_page_markdown(struct site *s, struct page *p, arena *a, bool want_html,
			 bool want_text, struct md_result *r)
{
	struct md_opts opts = { .unsafe = s->config->unsafe, .smart = s->config->smart,
				.text = want_text };
	/* Only the first pass over a page reports; a second (a page parsed
	 * again at render time) stays quiet. */
	struct link_ctx lc = { .s = s, .p = p, .a = a, .report = p->anchors.ids == NULL };
	size_t len;
	memset(r, 0, sizeof(*r));
	char *text = file_read(p->src, &len);
	if (!text) {
		diag_error(s->d, p->src, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	/* The front matter was checked when it was read: fold line ends the
	 * same way and start at the body found then.  A file edited since is
	 * read as it is now, within its bounds. */
	len = content_fold_crlf(text, len);
	size_t off = p->body_off < len ? p->body_off : len;
	markdown_process(text + off, len - off, p->body_line - 1, &opts, resolve_link, &lc, a,
			 want_html, r);
	free(text);
}

struct md_job {
	struct site *s;
	struct search_tokenizer **tk;   /* one per worker when the site has search */
	atomic_size_t cached;
	size_t budget;
};

static void markdown_one(void *arg, size_t i, unsigned worker)
{
	struct md_job *job = arg;
	struct site *s = job->s;
	struct page *p = s->pages[i];
	struct md_result r;
	build_page_markdown(s, p, s->thread_arenas[worker], true, job->tk != NULL, &r);
	p->anchors = r.anchors;
	if (!p->anchors.ids)
		p->anchors.ids = arena_alloc(s->thread_arenas[worker], sizeof(char *));
	p->toc = r.toc;
	p->word_count = r.words;
	if (!p->fm_summary)
		p->summary = r.summary;
	if (job->tk && r.text) {
		if (!job->tk[worker])
			job->tk[worker] = search_tokenizer_new();
		search_page_doc(job->tk[worker], s, p, r.text, r.text_len, r.heads_at,
				s->thread_arenas[worker]);
	}
	free(r.text);
	free(r.heads_at);
	if (r.html) {
		size_t before = atomic_fetch_add(&job->cached, r.html_len);
		if (before + r.html_len <= job->budget) {
			p->html = r.html;
			p->html_len = r.html_len;
		} else {
			atomic_fetch_sub(&job->cached, r.html_len);
			free(r.html);
		}
	}
}

static void check_fragments(struct site *s)
{
	for (size_t i = 0; i < s->ncontent; i++) {
		struct page *p = s->pages[i];
		for (size_t k = 0; k < p->nchecks; k++) {
			struct link_check *c = &p->checks[k];
			bool found = false;
			for (size_t j = 0; j < c->target->anchors.n && !found; j++)
				found = !strcmp(c->target->anchors.ids[j], c->fragment);
			if (!found)
				diag_error(s->d, p->src, c->line, c->col,
					   "link '%s': %s has no heading with id '%s'", c->dest,
					   c->target == p ? "this page" : c->target->src, c->fragment);
		}
	}
}

const char *const build_stage_names[STAGE_COUNT] = {
	"load", "markdown", "index", "taxonomies", "search", "render", "site files", "finish",
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Charges the time since *T to stage K and restarts the clock. */
static void lap(struct build_stats *st, enum build_stage k, double *t)
{
	double n = now_ms();
	st->ms[k] += n - *t;
	*t = n;
}

int build_run(const struct build_opts *o, struct diags *d, struct build_stats *st)
{
	struct site site, *s = &site;
	struct output out = { 0 };
	struct buf buf = BUF_INIT;
	bool opened = false;
	int rc = 1;

	memset(s, 0, sizeof(*s));
	memset(st, 0, sizeof(*st));
	double t = now_ms();
	s->a = arena_new();
	s->d = d;
	s->dir = o->site_dir ? o->site_dir : ".";
	s->drafts = o->drafts;
	s->threads = o->threads ? o->threads : pool_cpus();
	s->thread_arenas = xcalloc(s->threads, sizeof(arena *));
	for (unsigned t = 0; t < s->threads; t++)
		s->thread_arenas[t] = arena_new();
	buf_printf(&buf, "%s/content", s->dir);
	if (!strncmp(buf.ptr, "./", 2))
		s->content_dir = arena_strdup(s->a, buf.ptr + 2);
	else
		s->content_dir = arena_strdup(s->a, buf.ptr);

	s->config = config_load(s->a, s->dir, o->base_url, d);
	if (!s->config)
		goto out;
	theme_load(s);
	if (content_load(s) < 0 && s->npages == 0)
		goto out;
	site_check_urls(s);
	schema_check(s);
	views_check(s);
	lap(st, STAGE_LOAD, &t);

	/* The search page: a content page at /search/, or one folio makes
	 * when the theme has a search layout. */
	bool want_search = !o->check_only && search_enabled(s) &&
			   (strmap_get(&s->by_out, "search/index.html") || theme_layout(s, "search"));
	struct md_job job = { .s = s, .budget = HTML_CACHE_DEFAULT };
	if (want_search)
		job.tk = xcalloc(s->threads, sizeof(*job.tk));
	atomic_init(&job.cached, 0);
	const char *env = getenv("FOLIO_HTML_CACHE_MB");
	if (env && *env)
		job.budget = (size_t)strtoull(env, NULL, 10) << 20;
	pool_run(s->threads, s->ncontent, markdown_one, &job);
	if (job.tk) {
		for (unsigned w = 0; w < s->threads; w++)
			search_tokenizer_free(job.tk[w]);
		free(job.tk);
	}
	check_fragments(s);
	lap(st, STAGE_MARKDOWN, &t);

	if (d->errors)
		goto out;
	site_index(s);
	if (theme_layout(s, "404")) {
		struct page *nf = site_new_page(s, PAGE_404, "404.html", "Page not found");
		site_add_page(s, nf);
		site_claim(s, nf);
	}
	if (want_search && !strmap_get(&s->by_out, "search/index.html")) {
		struct page *sp = site_new_page(s, PAGE_SEARCH, "search", "Search");
		site_add_page(s, sp);
		site_claim(s, sp);
	}
	lap(st, STAGE_INDEX, &t);
	taxonomy_build(s);
	if (d->errors)
		goto out;
	site_finish(s);
	lap(st, STAGE_TAXONOMY, &t);
	if (d->errors)
		goto out;
	if (want_search)
		search_build(s);
	lap(st, STAGE_SEARCH, &t);

	if (!o->check_only) {
		const char *dir = o->out_dir;
		if (!dir) {
			buf_reset(&buf);
			buf_printf(&buf, "%s/public", s->dir);
			dir = buf.ptr;
		}
		if (output_begin(&out, dir, s->dir, s->content_dir, o->force, d) < 0)
			goto out;
		opened = true;
	}
	render_pages(s, opened ? &out : NULL);
	lap(st, STAGE_RENDER, &t);
	st->pages = s->npages;
	int feeds = feeds_write(s, opened ? &out : NULL);
	lap(st, STAGE_SITE_FILES, &t);
	st->files = s->npages + (feeds > 0 ? (size_t)feeds : 0);
	if (opened && s->search && search_write(s, &out) == 0)
		st->files += search_files(s);
	if (opened)
		st->files += render_assets(s, &out);
	if (o->strict)
		diags_promote_warnings(d);
	if (d->errors)
		goto out;
	if (opened && output_commit(&out, d) < 0)
		goto out;
	opened = false;
	lap(st, STAGE_FINISH, &t);
	rc = 0;
out:
	if (o->strict)
		diags_promote_warnings(d);
	if (opened)
		output_abort(&out);
	for (size_t i = 0; i < s->npages; i++) {
		free(s->pages[i]->html);
		s->pages[i]->html = NULL;
	}
	for (size_t i = 0; i < s->nsections; i++) {
		free(s->sections[i]->pages);
		free(s->sections[i]->children);
	}
	free(s->sections);
	free(s->pages);
	free(s->walk_names);
	strmap_free(&s->by_rel);
	strmap_free(&s->by_out);
	strmap_free(&s->draft_rels);
	strmap_free(&s->broken);
	if (s->templates)
		mustache_set_free(s->templates);
	taxonomy_free(s);
	search_free(s);
	for (unsigned t = 0; t < s->threads; t++)
		arena_free(s->thread_arenas[t]);
	free(s->thread_arenas);
	arena_free(s->a);
	buf_free(&buf);
	return d->errors ? 1 : rc;
}
