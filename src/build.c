/*
 * build.c - the pipeline: config, content, Markdown, index, render, write.
 *
 *   config_load -> theme_load -> content_load -> site_check_urls
 *     -> mdstage_run (parallel) -> site_index -> taxonomy_build
 *     -> listings_make -> view_begin -> search_build
 *     -> render_pages (parallel)
 *     -> feeds_write -> search_write -> render_assets -> links_check
 *     -> output_commit
 *
 * The stages go on after errors, so one run reports every error it can
 * find; any error means nothing is written: the temporary output folder is
 * removed and the previous site stays as it was.
 */
#include "build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "content.h"
#include "feeds.h"
#include "inputs.h"
#include "links.h"
#include "listings.h"
#include "mdstage.h"
#include "output.h"
#include "pool.h"
#include "render.h"
#include "schema.h"
#include "search.h"
#include "view.h"
#include "views.h"
#include "taxonomy.h"
#include "theme.h"

/* Rendered Markdown kept between the Markdown stage and rendering, in
 * bytes; past it, pages are parsed again when rendered. */
#define HTML_CACHE_DEFAULT (64u << 20)

const char *const build_stage_names[STAGE_COUNT] = {
	"load", "markdown", "index", "taxonomies", "search", "render", "site files", "finish",
};


/* The clock of the stages, and the progress hook o->progress (NULL: none). */
struct stage_clock {
	double ms;
	const struct build_opts *o;
	enum build_stage stage;         /* the stage running */
};

/* The pool's progress in the stage running (pool_set_progress). */
static void stage_progress(void *ctx, size_t done, size_t total)
{
	struct stage_clock *c = ctx;
	c->o->progress(c->stage, done, total, false);
}

/* Charges the time since T's start to stage K, restarts the clock and
 * tells the progress hook that K is over and the next stage starts. */
static void lap(struct build_stats *st, enum build_stage k, struct stage_clock *t)
{
	double n = util_now_ms();
	st->ms[k] += n - t->ms;
	st->peak_kb[k] = util_peak_rss_kb();
	t->ms = n;
	if (t->o->progress) {
		t->o->progress(k, 0, 0, true);
		if (k + 1 < STAGE_COUNT)
			t->o->progress(t->stage = k + 1, 0, 0, false);
	}
}

/* Frees everything the pipeline built. */
static void site_release(struct site *s)
{
	for (size_t i = 0; i < s->npages; i++) {
		free(s->pages[i]->html);
		s->pages[i]->html = NULL;
		arena_free(s->pages[i]->text_mem);
	}
	for (size_t i = 0; i < s->nsections; i++) {
		free(s->sections[i]->pages);
		free(s->sections[i]->children);
	}
	free(s->sections);
	free(s->pages);
	free(s->walk_names);
	strmap_free(&s->by_rel);
	strmap_free(&s->by_resource);
	strmap_free(&s->written);
	strmap_free(&s->tpl_links);
	strmap_free(&s->layout_ids);
	free(s->resources);
	buf_free(&s->skipped);
	strmap_free(&s->by_out);
	strmap_free(&s->listings);
	strmap_free(&s->files);
	strmap_free(&s->draft_rels);
	strmap_free(&s->broken);
	strmap_free(&s->tpl_files);
	if (s->templates)
		mustache_set_free(s->templates);
	taxonomy_free(s);
	view_end(s);
	mdstage_free(s);
	search_free(s);
	arenas_free(s->thread_arenas, s->threads);
	arena_free(s->a);
}

/* A new, empty site for the options O, reporting to D. */
static void site_open(struct site *s, const struct build_opts *o, struct diags *d, bool track)
{
	struct buf buf = BUF_INIT;
	memset(s, 0, sizeof(*s));
	s->track = track;
	s->a = arena_new();
	s->d = d;
	s->dir = o->site_dir ? o->site_dir : ".";
	s->drafts = o->drafts;
	s->threads = o->threads ? o->threads : pool_cpus();
	s->thread_arenas = arenas_new(s->threads);
	buf_printf(&buf, "%s/content", s->dir);
	s->content_dir = arena_strdup(s->a, !strncmp(buf.ptr, "./", 2) ? buf.ptr + 2 : buf.ptr);
	buf_free(&buf);
}

/* Whether the site gets a search page: a content page at /search/ by its
 * place, or one folio makes when the theme has a search layout. */
static bool has_search_page(struct site *s)
{
	struct page *at = strmap_get(&s->by_out, "search/index.html");
	return search_enabled(s) && ((at && site_in_place(at)) || theme_layout(s, "search"));
}

/* The pages folio makes besides sections and taxonomies: 404 and search.
 * A content page at /search/ by its place is the search page; anything
 * else there (a url: or an alias) is an error naming both. */
static void add_made_pages(struct site *s, bool search_page)
{
	if (theme_layout(s, "404")) {
		struct page *nf = site_new_page(s, PAGE_404, "404.html", "Page not found");
		site_add_page(s, nf);
		site_claim(s, nf);
	}
	struct page *at = strmap_get(&s->by_out, "search/index.html");
	if (search_page && (!at || !site_in_place(at))) {
		struct page *sp = site_new_page(s, PAGE_SEARCH, "search", "Search");
		site_add_page(s, sp);
		site_claim(s, sp);
	}
}

/* Opens the temporary output folder beside OUT (default SITE/public). */
static int open_output(struct site *s, const struct build_opts *o, struct output *out)
{
	struct buf buf = BUF_INIT;
	const char *dir = o->out_dir;
	if (!dir) {
		buf_printf(&buf, "%s/public", s->dir);
		dir = buf.ptr;
	}
	struct output_wait w = { o->no_wait, o->waiting };
	int rc = output_begin(out, dir, s->dir, s->content_dir, o->force, &w, s->d);
	buf_free(&buf);
	return rc;
}

/* Swaps the finished output OUT into place and records the inputs it was
 * built from (FINGERPRINT, inputs.h), unless the build had warnings,
 * which the next build would have to show again.  Returns 0, or -1 after
 * an error in D. */
static int commit_output(struct output *out, uint64_t fingerprint, const struct build_stats *st,
			 struct diags *d)
{
	char *dir = xstrdup(out->out);
	int rc = output_commit(out, d);
	if (rc == 0 && fingerprint)
		inputs_record(dir, d->warnings ? 0 : fingerprint, st->pages, st->files);
	free(dir);
	return rc;
}

/*
 * The whole pipeline into S, stage by stage in this order.  TRACK: record
 * what each page's render used (folio serve).  *WANT_SEARCH tells whether
 * the site has a search index.  Errors so far leave the pages that have
 * them out and the stages go on, so that one run reports every error it
 * can find; only a run without errors writes anything.  Returns 0, or -1
 * after errors.
 */
static int run_pipeline(struct site *s, const struct build_opts *o, struct diags *d,
			struct build_stats *st, bool track, bool *want_search_out, uint64_t fingerprint)
{
	struct output out = { 0 };
	bool opened = false;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	struct stage_clock t = { util_now_ms(), o, STAGE_LOAD };
	if (o->progress) {
		o->progress(STAGE_LOAD, 0, 0, false);
		pool_set_progress(stage_progress, &t);
	}
	site_open(s, o, d, track);
	s->config = config_load(s->a, s->dir, o->base_url, d);
	if (!s->config)
		goto out;
	theme_load(s);
	size_t errors = d->errors;
	content_load(s);
	if (d->errors > errors && s->npages == 0)
		goto out;
	site_check_urls(s);
	schema_check(s);
	views_check(s);
	lap(st, STAGE_LOAD, &t);

	/* folio check makes the search page too, so links to it are checked,
	 * but builds no index. */
	bool search_page = has_search_page(s);
	bool want_search = !o->check_only && search_page;
	*want_search_out = want_search;
	mdstage_run(s, want_search, HTML_CACHE_DEFAULT, o->slow_page);
	lap(st, STAGE_MARKDOWN, &t);

	site_index(s);
	add_made_pages(s, search_page);
	lap(st, STAGE_INDEX, &t);
	size_t before = d->errors;
	taxonomy_build(s);
	if (d->errors > before)
		goto out;       /* terms are wrong: lists and pages would be too */
	/* The pages each section and term page lists, split into numbered
	 * pages; then what templates see: every page's view and the site's. */
	listings_make(s);
	view_begin(s);
	lap(st, STAGE_TAXONOMY, &t);
	if (want_search && !d->errors)
		search_build(s);
	if (o->check_only)
		theme_check_names(s);
	lap(st, STAGE_SEARCH, &t);

	if (!o->check_only && !d->errors) {
		if (open_output(s, o, &out) < 0)
			goto out;
		opened = true;
	}
	render_pages(s, opened ? &out : NULL);
	lap(st, STAGE_RENDER, &t);
	st->pages = s->npages + s->nnumbered;
	size_t feeds = feeds_write(s, opened ? &out : NULL);
	lap(st, STAGE_SITE_FILES, &t);
	st->files = st->pages + feeds;
	if (opened && s->search) {
		search_write(s, &out);
		st->files += search_files(s);
	}
	size_t assets = render_assets(s, opened ? &out : NULL);
	if (opened)
		st->files += assets;
	st->broken_links = links_check(s);
	if (o->strict)
		diags_promote_warnings(d);
	if (d->errors)
		goto out;
	if (opened && commit_output(&out, fingerprint, st, d) < 0)
		goto out;       /* output_abort removes it */
	opened = false;
	lap(st, STAGE_FINISH, &t);
	rc = 0;
out:
	pool_set_progress(NULL, NULL);
	if (o->strict)
		diags_promote_warnings(d);
	if (opened)
		output_abort(&out);
	return d->errors ? -1 : rc;
}

int build_run(const struct build_opts *o, struct diags *d, struct build_stats *st)
{
	struct site s;
	bool search;
	uint64_t fingerprint = 0;
	if (o->reuse && !o->check_only) {
		const char *site_dir = o->site_dir ? o->site_dir : ".";
		struct buf out = BUF_INIT;
		if (o->out_dir)
			buf_puts(&out, o->out_dir);
		else
			buf_printf(&out, "%s/public", site_dir);
		fingerprint = inputs_fingerprint(site_dir, o->drafts, o->base_url);
		memset(st, 0, sizeof(*st));
		bool same = inputs_unchanged(out.ptr, fingerprint, &st->pages, &st->files);
		buf_free(&out);
		if (same) {
			st->unchanged = true;
			return 0;
		}
	}
	int rc = run_pipeline(&s, o, d, st, false, &search, fingerprint);
	if (s.skipped.len)
		st->skipped = xstrndup(s.skipped.ptr, s.skipped.len);
	site_release(&s);
	return rc;
}

/* ---- folio serve: a site kept in memory and updated in place ---- */

struct build_live {
	struct site s;
	struct build_opts o;
	char *out;              /* the committed output folder */
	bool search;            /* the site has a search index */
	bool search_stale;      /* pages changed since the index was written */
	bool dirty;             /* an update failed half way: rebuild whole */
};

int build_live_full(struct build_live **lvp, const struct build_opts *o, struct diags *d,
		    struct build_stats *st)
{
	build_live_free(*lvp);
	*lvp = NULL;
	struct build_live *lv = xcalloc(1, sizeof(*lv));
	int rc = run_pipeline(&lv->s, o, d, st, true, &lv->search, 0);
	if (rc != 0) {
		site_release(&lv->s);
		free(lv);
		return rc;
	}
	lv->o = *o;
	if (o->out_dir) {
		lv->out = xstrdup(o->out_dir);
	} else {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s/public", lv->s.dir);
		lv->out = buf_detach(&b, NULL);
	}
	/* Memory is kept for updates; the HTML cache is not. */
	*lvp = lv;
	return 0;
}

void build_live_free(struct build_live *lv)
{
	if (!lv)
		return;
	site_release(&lv->s);
	free(lv->out);
	free(lv);
}

struct mark {
	struct page **list;
	size_t n;
	bool *on;
};

static void mark_page(struct mark *m, struct page *p)
{
	if (m->on[p->pos])
		return;
	m->on[p->pos] = true;
	m->list[m->n++] = p;
}

/*
 * The text of P changed but not its front matter: parse it again and put
 * the results in place.  Pages that show P's summary, word count or table
 * of contents (lists, related pages, neighbours) are marked with it.
 * Returns -1 if the new text has errors (broken links).
 */
static int update_body(struct build_live *lv, struct page *p, struct mark *m, bool *all)
{
	struct site *s = &lv->s;
	struct md_result r;
	size_t errors = s->d->errors;
	struct anchor_list old_anchors = p->anchors;
	struct link_check *old_checks = p->checks;
	size_t old_nchecks = p->nchecks;
	p->anchors.ids = NULL;          /* report link errors again */
	p->anchors.n = 0;
	p->checks = NULL;
	p->nchecks = 0;
	/* What this edit parses lives until the next edit of the page, so a
	 * long serve session does not grow with every save. */
	arena *mem = arena_new();
	mdstage_parse(s, p, mem, true, lv->search, &r);
	if (s->d->errors > errors) {
		p->anchors = old_anchors;
		p->checks = old_checks;
		p->nchecks = old_nchecks;
		free(r.html);
		free(r.text);
		free(r.heads_at);
		arena_free(mem);
		return -1;
	}
	mdstage_keep(p, &r);
	free(p->html);
	p->html = r.html;
	p->html_len = r.html_len;
	p->html_spill = 0;
	if (lv->search && r.text) {
		struct search_tokenizer *tk = search_tokenizer_new();
		search_page_doc(tk, s, p, r.text, r.text_len, r.heads_at, mem);
		search_tokenizer_free(tk);
		lv->search_stale = true;
	}
	free(r.text);
	free(r.heads_at);
	/* Views compute their fields from the pages, so every page that
	 * shows P (its summary, words or contents) sees the new text once
	 * rendered again: view.c tells which. */
	arena_free(p->text_mem);
	p->text_mem = mem;
	mark_page(m, p);
	if (view_site_shows(s, p)) {
		*all = true;
		return 0;
	}
	for (size_t i = 0; i < s->npages; i++)
		if (view_page_shows(s->pages[i], p))
			mark_page(m, s->pages[i]);
	return 0;
}

/* Whether the front matter of P's file is what was built. */
static bool same_front_matter(const struct page *p)
{
	size_t len;
	char *text = file_read(p->src, &len);
	if (!text)
		return false;
	struct diags quiet;
	diags_init(&quiet);
	const char *fm;
	size_t fmlen, off;
	unsigned line;
	bool same = content_split(p->src, text, &len, &fm, &fmlen, &off, &line, &quiet) == 0 &&
		   off == p->body_off && line == p->body_line && hash64(text, off) == p->fm_hash;
	diags_free(&quiet);
	free(text);
	return same;
}

/* Whether FILE (a template's file as given to the Mustache set) is the
 * site's layouts file REL ("layouts/partials/header.mustache"). */
static bool is_file(const char *file, const char *rel)
{
	size_t n = strlen(file), k = strlen(rel);
	return n >= k && !strcmp(file + n - k, rel) && (n == k || file[n - k - 1] == '/');
}

/* Adds to *BITS the bit of each template file that is the site's layouts
 * file REL; returns -1 when there is none (not a known template). */
static int template_bits(const struct site *s, const char *rel, uint64_t *bits)
{
	int rc = -1;
	const char **files = xmalloc((s->tpl_files.n + 1) * sizeof(*files));
	size_t nfiles;
	strmap_keys(&s->tpl_files, files, &nfiles);
	for (size_t k = 0; k < nfiles; k++) {
		if (is_file(files[k], rel)) {
			uintptr_t bit = (uintptr_t)strmap_get(&s->tpl_files, files[k]);
			*bits |= 1ULL << (bit - 1);
			rc = 0;
		}
	}
	free(files);
	return rc;
}

enum live_result build_live_update(struct build_live *lv, const char *const *paths, size_t n,
				   struct diags *d, struct build_stats *st)
{
	struct site *s = &lv->s;
	memset(st, 0, sizeof(*st));
	if (lv->dirty)
		return BUILD_LIVE_FULL;
	s->d = d;
	bool templates = false, assets = false, all = false;
	uint64_t tbits = 0;
	struct mark m = { xmalloc((s->npages + 1) * sizeof(struct page *)), 0,
			  xcalloc(s->npages + 1, sizeof(bool)) };
	enum live_result rc = BUILD_LIVE_OK;
	struct page **bodies = xmalloc((n + 1) * sizeof(*bodies));
	size_t nbodies = 0;

	/* What changed, and whether it can be done in place. */
	for (size_t i = 0; i < n && rc == BUILD_LIVE_OK; i++) {
		const char *path = paths[i];
		if (!strncmp(path, "content/", 8)) {
			struct page *p = site_find_rel(s, path + 8);
			if (!p || !p->src || access(p->src, R_OK) != 0 || !same_front_matter(p))
				rc = BUILD_LIVE_FULL;
			else
				bodies[nbodies++] = p;
		} else if (!strncmp(path, "layouts/", 8)) {
			if (template_bits(s, path, &tbits) < 0 || access(path, F_OK) != 0)
				rc = BUILD_LIVE_FULL;   /* a template added or removed */
			templates = true;
		} else if (!strncmp(path, "assets/", 7)) {
			assets = true;
		} else if (strchr(path, '/') == NULL && strcmp(path, "site.yaml") == 0) {
			rc = BUILD_LIVE_FULL;
		}
	}
	if (rc != BUILD_LIVE_OK)
		goto out;

	if (templates) {
		mustache_set *old = s->templates;
		size_t errors = d->errors;
		s->templates = NULL;
		theme_load(s);
		if (d->errors > errors) {
			if (s->templates)
				mustache_set_free(s->templates);
			s->templates = old;
			rc = BUILD_LIVE_ERRORS;
			goto out;
		}
		mustache_set_free(old);
		for (size_t i = 0; i < s->npages; i++)
			if (s->pages[i]->uses & tbits)
				mark_page(&m, s->pages[i]);
	}
	for (size_t i = 0; i < nbodies; i++)
		if (update_body(lv, bodies[i], &m, &all) < 0)
			rc = BUILD_LIVE_ERRORS;
	if (rc == BUILD_LIVE_OK && nbodies) {
		size_t errors = d->errors;
		links_check(s);
		if (d->errors > errors)
			rc = BUILD_LIVE_ERRORS;
	}
	if (rc != BUILD_LIVE_OK) {
		/* Pages may hold the new text: the next change rebuilds whole. */
		lv->dirty = nbodies > 0;
		goto out;
	}

	struct output out;
	output_open_live(&out, lv->out);
	size_t errors = d->errors;
	if (all)
		render_pages(s, &out);
	else
		render_some(s, m.list, m.n, &out);
	st->pages = all ? s->npages : m.n;
	if (nbodies)
		feeds_write(s, &out);
	if (assets)
		render_assets(s, &out);
	output_close_live(&out);
	if (d->errors > errors) {
		lv->dirty = true;
		rc = BUILD_LIVE_ERRORS;
	}
out:
	free(bodies);
	free(m.list);
	free(m.on);
	return rc;
}

enum live_result build_live_search(struct build_live *lv, struct diags *d)
{
	struct site *s = &lv->s;
	if (!lv->search_stale || lv->dirty)
		return BUILD_LIVE_UNCHANGED;
	lv->search_stale = false;
	s->d = d;
	struct strmap fresh = STRMAP_INIT;
	size_t nold = search_files(s);
	char **names = xmalloc((nold + 1) * sizeof(char *));
	for (size_t i = 0; i < nold; i++)
		names[i] = xstrdup(search_file_name(s, i));
	search_build(s);
	for (size_t i = 0; i < search_files(s); i++)
		strmap_put(&fresh, search_file_name(s, i), (void *)1);
	struct output out;
	output_open_live(&out, lv->out);
	size_t errors = d->errors;
	search_write(s, &out);
	/* The search page names the root file; it is the page at /search/. */
	struct page *sp = strmap_get(&s->by_out, "search/index.html");
	if (sp)
		render_some(s, &sp, 1, &out);
	output_close_live(&out);
	struct buf path = BUF_INIT;
	for (size_t i = 0; i < nold; i++) {
		if (!strmap_get(&fresh, names[i])) {
			buf_reset(&path);
			buf_printf(&path, "%s/search/%s", lv->out, names[i]);
			unlink(path.ptr);
		}
		free(names[i]);
	}
	free(names);
	buf_free(&path);
	strmap_free(&fresh);
	if (d->errors > errors) {
		lv->dirty = true;
		return BUILD_LIVE_ERRORS;
	}
	return BUILD_LIVE_OK;
}
