/*
 * render.c - each page through its layout, on every core.
 */
#include "render.h"

#include "links.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "mdstage.h"
#include "pool.h"
#include "search.h"
#include "theme.h"
#include "view.h"

struct render_job {
	struct site *s;
	struct page **list;     /* the pages to render; NULL: all */
	struct output *o;
	arena **scratch;        /* one per worker, reset per page */
	struct buf *bufs;       /* one per worker */
};

/*
 * Finds P's layout; on failure adds an error listing the names tried.
 * Order: layout: from front matter (missing: a warning, then the usual
 * order); for term pages TAX/term, term; for taxonomy pages TAX/terms,
 * terms; then SECTION/KIND, KIND.  The site's own layouts/ is searched
 * for every name before the default theme is, so the theme only fills
 * the names a site lacks.
 */
static const mustache_tpl *pick_layout(struct site *s, struct page *p)
{
	struct buf b[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	int n = 0;
	const char *tax = p->term || p->terms_page ? s->config->tax[p->tax].name : NULL;
	const char *kind = NULL;
	switch (p->kind) {
	case PAGE_REGULAR: case PAGE_TERM: kind = "page"; break;
	case PAGE_SECTION: case PAGE_TERMS: kind = "section"; break;
	case PAGE_HOME: kind = "home"; break;
	case PAGE_404: kind = "404"; break;
	case PAGE_SEARCH: kind = "search"; break;
	case PAGE_ALIAS: break;
	}
	if (p->layout) {
		const mustache_tpl *t = theme_layout(s, p->layout);
		if (t)
			return t;
	}
	if (p->terms_page || p->term) {
		const char *k = p->term ? "term" : "terms";
		buf_put_path(&b[n++], tax, k);
		buf_puts(&b[n++], k);
	}
	if (p->kind == PAGE_REGULAR || p->kind == PAGE_SECTION) {
		if (*p->dir) {
			size_t top = strcspn(p->dir, "/");
			buf_printf(&b[n++], "%.*s/%s", (int)top, p->dir, kind);
		}
		buf_puts(&b[n++], kind);
	} else if (p->kind == PAGE_HOME) {
		buf_puts(&b[n++], "home");
		buf_puts(&b[n++], "section");
	} else if (p->kind == PAGE_404 || p->kind == PAGE_SEARCH) {
		buf_puts(&b[n++], kind);
	}
	const mustache_tpl *t = NULL;
	for (int i = 0; i < n && !t; i++)
		t = theme_site_layout(s, b[i].ptr);
	for (int i = 0; i < n && !t; i++)
		t = theme_layout(s, b[i].ptr);
	struct buf tried = BUF_INIT;
	if (p->layout)
		buf_printf(&tried, "layouts/%s.mustache", p->layout);
	for (int i = 0; i < n; i++)
		buf_printf(&tried, "%slayouts/%s.mustache", tried.len ? ", " : "", b[i].ptr);
	if (p->layout && p->src && t) {
		arena *tmp = arena_new();
		value *lv = page_fm_get(p, tmp, "layout");
		diag_warning(s->d, p->src, lv ? lv->line : 1, lv ? lv->col : 1,
			     "no layout '%s' (tried layouts/%s.mustache); using %s", p->layout,
			     p->layout, mustache_tpl_file(t));
		arena_free(tmp);
	} else if (!t && p->src) {
		diag_error(s->d, p->src, 1, 1, "no layout for this page (tried %s)", tried.ptr);
	} else if (!t) {
		/* A page folio made: blame what made it, the taxonomies: of
		 * site.yaml or the content folder. */
		struct buf where = BUF_INIT;
		bool tax = p->term || p->terms_page;
		if (tax)
			buf_puts(&where, s->config->file);
		else
			buf_printf(&where, "%s%s%s", s->content_dir, *p->dir ? "/" : "", p->dir);
		diag_error(s->d, where.ptr, tax ? s->config->tax_line : 0, tax ? s->config->tax_col : 0,
			   "no layout for %s (tried %s)", p->url, tried.ptr);
		buf_free(&where);
	}
	buf_free(&tried);
	for (int i = 0; i < 4; i++)
		buf_free(&b[i]);
	return t;
}

static void redirect_html(struct site *s, struct page *p, struct buf *out)
{
	struct buf abs = BUF_INIT;
	buf_printf(&abs, "%s%s", s->config->base_url, p->alias->redirect);
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
	buf_put_html(out, s->config->language, strlen(s->config->language));
	buf_puts(out, "\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moved</title>\n"
		 "<link rel=\"canonical\" href=\"");
	buf_put_html(out, abs.ptr, abs.len);
	buf_puts(out, "\">\n<meta name=\"robots\" content=\"noindex\">\n"
		 "<meta http-equiv=\"refresh\" content=\"0; url=");
	buf_put_html(out, p->alias->redirect, strlen(p->alias->redirect));
	buf_puts(out, "\">\n</head>\n<body>\n<p>This page has moved to <a href=\"");
	buf_put_html(out, p->alias->redirect, strlen(p->alias->redirect));
	buf_puts(out, "\">");
	buf_put_html(out, p->alias->redirect, strlen(p->alias->redirect));
	buf_puts(out, "</a>.</p>\n</body>\n</html>\n");
	buf_free(&abs);
}

/* The template files a page's render used, as bits of s->tpl_files
 * (folio serve re-renders the pages that use an edited template). */
struct use_ctx {
	const struct site *s;
	struct page *p;
};

static void note_file(const struct site *s, struct page *p, const mustache_tpl *t)
{
	void *bit = t ? strmap_get(&s->tpl_files, mustache_tpl_file(t)) : NULL;
	if (bit)
		p->uses |= 1ULL << ((uintptr_t)bit - 1);
	else
		p->uses = ~0ULL;        /* untracked: depends on every template */
}

static void note_use(void *arg, const char *name)
{
	struct use_ctx *u = arg;
	note_file(u->s, u->p, mustache_set_get(u->s->templates, name));
}

/* Renders P and writes it, with WORKER's buffer, and its scratch arena
 * (reset by the caller). */
static void render_page(struct render_job *job, struct page *p, unsigned worker)
{
	struct site *s = job->s;
	arena *a = job->scratch[worker];
	struct buf *out = &job->bufs[worker];
	buf_reset(out);
	view_scratch(a);

	if (p->kind == PAGE_ALIAS) {
		redirect_html(s, p, out);
	} else {
		const mustache_tpl *t = pick_layout(s, p);
		if (!t) {
			view_scratch(NULL);
			return;
		}
		size_t html_len = 0;
		char *html = p->pagenum <= 1 ? mdstage_html(s, p, &html_len) : NULL;
		if (p->src && !html && p->pagenum <= 1) {
			struct md_result r;
			mdstage_parse(s, p, a, true, false, &r);
			html = r.html;
			html_len = r.html_len;
		}
		value *page = view_render_root(s, p, html, html_len, a);
		value *ctx = value_map(a);
		value_map_set(a, ctx, "site", s->site_value);
		value_map_set(a, ctx, "page", page);
		struct use_ctx use = { s, p };
		if (s->tpl_files.n) {
			p->uses = 0;
			note_file(s, p, t);
		}
		/* An error is in s->d, and the page is written as far as it
		 * rendered: the build is not committed (folio serve builds
		 * whole at the next change). */
		(void)mustache_render(s->templates, t, ctx, out, s->d,
				      s->tpl_files.n ? note_use : NULL, &use);
		links_html(s, p, mustache_tpl_file(t), out->ptr, out->len, html, html ? html_len : 0);
		if (html != p->html)
			free(html);
		if (p->html) {
			free(p->html);
			p->html = NULL;
		}
	}
	view_scratch(NULL);
	if (job->o)     /* a failure is an error in s->d */
		(void)output_write(job->o, p->out_path, out->ptr, out->len, s->d);
}

static void render_one(void *arg, size_t i, unsigned worker)
{
	struct render_job *job = arg;
	struct site *s = job->s;
	struct page *p = job->list ? job->list[i] : s->pages[i];
	arena *a = job->scratch[worker];
	arena_reset(a);
	render_page(job, p, worker);
	/* A listing's numbered pages are made here, one at a time, and
	 * forgotten once written. */
	for (unsigned k = 2; p->pagenum <= 1 && k <= p->pagetotal; k++) {
		struct page q;
		arena_reset(a);
		site_numbered_page(p, k, a, &q);
		render_page(job, &q, worker);
		p->uses |= q.uses;
	}
}

void render_pages(struct site *s, struct output *o)
{
	render_some(s, NULL, s->npages, o);
}

void render_some(struct site *s, struct page **list, size_t n, struct output *o)
{
	struct render_job job = { .s = s, .o = o, .list = list };
	job.scratch = arenas_new(s->threads);
	job.bufs = xcalloc(s->threads, sizeof(struct buf));
	for (unsigned t = 0; t < s->threads; t++)
		buf_init(&job.bufs[t]);
	pool_run(s->threads, n, render_one, &job);
	for (unsigned t = 0; t < s->threads; t++)
		buf_free(&job.bufs[t]);
	arenas_free(job.scratch, s->threads);
	free(job.bufs);
}

/* assets/_folio/ is folio serve's own, served at /_folio/ (the
 * live-reload client): never copied into a site. */
static bool is_serve_only(const char *rel)
{
	return !strncmp(rel, "_folio", 6) && (rel[6] == '\0' || rel[6] == '/');
}

/* Checks that REL is free for an asset: a page or a file folio writes
 * there is an error, and -1. */
static int asset_path_free(struct site *s, const char *rel, const char *src)
{
	arena *tmp = arena_new();
	struct page *p = site_page_at(s, rel, tmp);
	const char *file = site_file_owner(s, rel);
	if (!file && search_has_file(s, rel))
		file = "the search index";
	if (!p && !file) {
		arena_free(tmp);
		return 0;
	}
	if (file) {
		diag_error(s->d, src, 0, 0, "asset would overwrite a file folio writes: %s (/%s)",
			   file, rel);
	} else {
		struct buf w = BUF_INIT;
		site_describe(&w, p);
		diag_error(s->d, src, 0, 0, "asset would overwrite the URL %s of %s", p->url, w.ptr);
		buf_free(&w);
	}
	arena_free(tmp);
	return -1;
}

static int cmp_dirent(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static size_t copy_dir(struct site *s, struct output *o, struct strmap *done,
		       const char *dir, const char *rel, unsigned depth)
{
	struct dirent **names;
	size_t files = 0;
	int n = scandir(dir, &names, NULL, cmp_dirent);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		struct buf path = BUF_INIT, sub = BUF_INIT;
		struct stat st;
		if (nm[0] == '.')
			goto next;
		buf_printf(&path, "%s/%s", dir, nm);
		buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", nm);
		if (lstat(path.ptr, &st) != 0 || is_serve_only(sub.ptr))
			goto next;
		if (S_ISLNK(st.st_mode)) {
			diag_warning(s->d, path.ptr, 0, 0, "symbolic link in assets/ not copied");
			goto next;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth < 32)
				files += copy_dir(s, o, done, path.ptr, sub.ptr, depth + 1);
		} else if (S_ISREG(st.st_mode) && asset_path_free(s, sub.ptr, path.ptr) == 0) {
			size_t len;
			char *data = file_read(path.ptr, &len);
			if (!data) {
				diag_error(s->d, path.ptr, 0, 0, "cannot read: %s", util_strerror(errno));
			} else {
				if (o)  /* a failure is an error in s->d */
					(void)output_write(o, sub.ptr, data, len, s->d);
				links_file(s, sub.ptr);
				free(data);
				char *key = arena_strndup(s->a, sub.ptr, sub.len);
				strmap_put(done, key, arena_strndup(s->a, path.ptr, path.len));
				files++;
			}
		}
next:
		buf_free(&path);
		buf_free(&sub);
		free(names[i]);
	}
	free(names);
	return files;
}

/* The files of content/ that are not Markdown, beside their pages. */
static size_t copy_resources(struct site *s, struct output *o, struct strmap *done)
{
	size_t files = 0;
	struct buf path = BUF_INIT;
	for (size_t i = 0; i < s->nresources; i++) {
		const struct resource *r = &s->resources[i];
		if (!r->out)
			continue;       /* its bundle's page is left out */
		buf_reset(&path);
		buf_printf(&path, "%s/%s", s->content_dir, r->rel);
		if (asset_path_free(s, r->out, path.ptr) < 0)
			continue;
		const char *other = strmap_get(done, r->out);
		if (other) {
			diag_error(s->d, path.ptr, 0, 0, "this file and %s are both written to /%s",
				   other, r->out);
			continue;
		}
		size_t len;
		char *data = file_read(path.ptr, &len);
		if (!data) {
			diag_error(s->d, path.ptr, 0, 0, "cannot read: %s", util_strerror(errno));
			continue;
		}
		if (o)          /* a failure is an error in s->d */
			(void)output_write(o, r->out, data, len, s->d);
		links_file(s, r->out);
		free(data);
		strmap_put(done, r->out, arena_strndup(s->a, path.ptr, path.len));
		files++;
	}
	buf_free(&path);
	return files;
}

size_t render_assets(struct site *s, struct output *o)
{
	struct strmap done = STRMAP_INIT;
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/assets", s->dir);
	size_t files = copy_dir(s, o, &done, dir.ptr, "", 0);
	buf_free(&dir);
	files += copy_resources(s, o, &done);
	if (theme_default_enabled(s)) {
		const size_t plen = strlen("assets/");
		for (size_t i = 0; i < theme_nfiles; i++) {
			const struct theme_file *f = &theme_files[i];
			if (strncmp(f->path, "assets/", plen) || is_serve_only(f->path + plen))
				continue;
			const char *rel = f->path + plen;
			if (strmap_get(&done, rel) || asset_path_free(s, rel, f->path) < 0)
				continue;
			if (o)  /* a failure is an error in s->d */
				(void)output_write(o, rel, f->data, f->len, s->d);
			links_file(s, rel);
			files++;
		}
	}
	strmap_free(&done);
	return files;
}
