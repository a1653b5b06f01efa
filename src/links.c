/*
 * links.c - resolving and checking the site's internal links.
 */
#define _GNU_SOURCE     /* memmem */
#include "links.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "paths.h"
#include "html.h"
#include "pool.h"

/* A link a layout wrote: the first page (by URL) it was seen on. */
struct tpl_link {
	const char *href;       /* as written */
	const char *page;       /* URL of the page */
	const char *layout;     /* the layout's file */
};

static pthread_mutex_t tpl_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* Links that leave the site or are not paths: nothing to check. */
static bool is_external(const char *s, size_t n)
{
	return n == 0 || has_scheme(s) || (n >= 2 && s[0] == '/' && s[1] == '/');
}

static bool is_markdown_file(const char *s, size_t n)
{
	return (n > 3 && !memcmp(s + n - 3, ".md", 3)) ||
	       (n > 9 && !memcmp(s + n - 9, ".markdown", 9));
}

/*
 * The output path a link leads to, as a browser on the page at PAGE_URL
 * would resolve HREF[0..N) (the part before '?' and '#'): "/docs/x/" ->
 * "docs/x/", "../y" from /docs/x/ -> "docs/y".  Returns -1 when it
 * climbs above the site's root.
 */
static int resolve_path(struct buf *out, const char *page_url, const char *href, size_t n)
{
	/* The folder of the page's URL, without its leading '/'. */
	const char *base = "";
	size_t blen = 0;
	if (n == 0 || href[0] != '/') {
		const char *last = strrchr(page_url, '/');
		base = page_url + 1;
		blen = last ? (size_t)(last - page_url) : 0;
		blen = blen ? blen - 1 : 0;
	}
	struct buf joined = BUF_INIT;
	buf_put(&joined, base, blen);
	int rc = paths_join(out, joined.ptr, href, n);
	buf_free(&joined);
	/* A trailing '/' (or "." / "..") names a folder: keep it. */
	if (rc == 0 && out->len && n > 0 &&
	    (href[n - 1] == '/' || (n >= 2 && href[n - 1] == '.' && href[n - 2] == '/') ||
	     (n == 1 && href[0] == '.') || (n >= 2 && href[n - 1] == '.' && href[n - 2] == '.')))
		buf_putc(out, '/');
	return rc;
}

/* Whether a page is at output path PATH: *PAGE is set to it, or left
 * NULL for a numbered listing page, which like every page folio makes has
 * no ids known before rendering. */
static bool page_at(struct site *s, const char *path, struct page **page)
{
	struct page *p = site_page_at(s, path, NULL);
	*page = p && !strcmp(p->out_path, path) ? p : NULL;
	return p != NULL;
}

/* The page or file at output path PATH ("" is the home page): *PAGE is set
 * when it is a page.  Folders are looked for as FOLDER/index.html.  Returns
 * -1 when nothing is there. */
static int find_target(struct site *s, const char *path, struct page **page)
{
	struct buf k = BUF_INIT;
	bool found = false;
	*page = NULL;
	size_t n = strlen(path);
	if (n == 0 || path[n - 1] == '/') {
		buf_printf(&k, "%sindex.html", path);
		found = page_at(s, k.ptr, page) || strmap_get(&s->written, k.ptr);
	} else {
		found = page_at(s, path, page) || strmap_get(&s->written, path);
		if (!found) {
			buf_printf(&k, "%s/index.html", path);
			found = page_at(s, k.ptr, page);
		}
	}
	buf_free(&k);
	return found ? 0 : -1;
}

/* S with %XX decoded, as browsers read a fragment (#caf%C3%A9 is #café). */
static const char *decoded(arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	paths_unescape(&b, s, strlen(s));
	const char *r = arena_strndup(a, b.ptr, b.len);
	buf_free(&b);
	return r;
}

static void add_check(struct link_ctx *lc, struct page *target, const char *path,
		      const char *dest, const char *frag, unsigned line, unsigned col)
{
	struct page *p = lc->p;
	p->checks = arena_grow(lc->a, p->checks, p->nchecks * sizeof(*p->checks),
			       (p->nchecks + 1) * sizeof(*p->checks));
	struct link_check *c = &p->checks[p->nchecks++];
	c->target = target;
	c->path = path ? arena_strdup(lc->a, path) : NULL;
	c->dest = arena_strdup(lc->a, dest);
	c->fragment = frag && *frag ? decoded(lc->a, frag) : NULL;
	c->line = line;
	c->col = col;
}

/* A link to another content file: rewritten to its page's URL. */
static const char *markdown_file_link(struct link_ctx *lc, const char *dest, size_t plen,
				      unsigned line, unsigned col)
{
	struct site *s = lc->s;
	const char *rest = dest + plen;     /* "?q#frag", "#frag" or "" */
	const char *frag = strchr(rest, '#');
	struct buf rel = BUF_INIT;
	const char *result = NULL;
	if (paths_join(&rel, lc->p->src_dir, dest, plen) < 0) {
		if (lc->report)
			diag_error(s->d, lc->p->src, line, col,
				   "link '%s' leads out of the content folder", dest);
		goto out;
	}
	struct page *t = site_find_rel(s, rel.ptr);
	const struct resource *res = t ? NULL : strmap_get(&s->by_resource, rel.ptr);
	if (res && res->out) {
		/* Markdown inside a page bundle: one of its files, not a page. */
		struct buf u = BUF_INIT;
		buf_printf(&u, "/%s%s", res->out, dest + plen);
		result = arena_strndup(lc->a, u.ptr, u.len);
		buf_free(&u);
		goto out;
	}
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
		add_check(lc, t, NULL, dest, frag + 1, line, col);
	struct buf u = BUF_INIT;
	buf_puts(&u, t->url);
	buf_puts(&u, rest);
	result = arena_strndup(lc->a, u.ptr, u.len);
	buf_free(&u);
out:
	buf_free(&rel);
	return result;
}

const char *links_markdown(void *arg, const char *dest, unsigned line, unsigned col)
{
	struct link_ctx *lc = arg;
	struct site *s = lc->s;
	size_t plen = strcspn(dest, "?#");
	if (is_external(dest, strlen(dest)))
		return NULL;
	if (dest[0] == '#') {
		if (lc->report && dest[1])
			add_check(lc, lc->p, NULL, dest, dest + 1, line, col);
		return NULL;
	}
	if (strstr(dest, "{{") || strstr(dest, "{%")) {
		/* [x]({{< ref "y" >}}), href="{{ '/x/' | relative_url }}" */
		if (lc->report)
			diag_warning(s->d, lc->p->src, line, col,
				     "link '%s' holds template syntax (a shortcode or Liquid) that folio "
				     "does not run; it is not checked", dest);
		return NULL;
	}
	if (is_markdown_file(dest, plen))
		return markdown_file_link(lc, dest, plen, line, col);

	/* A file of content/ (beside the page, or from content/'s root):
	 * rewritten to where it is written. */
	struct buf rel = BUF_INIT;
	const char *result = NULL;
	if (paths_join(&rel, lc->p->src_dir, dest, plen) == 0) {
		const struct resource *r = strmap_get(&s->by_resource, rel.ptr);
		if (r) {
			buf_reset(&rel);
			buf_printf(&rel, "/%s%s", r->out, dest + plen);
			result = arena_strndup(lc->a, rel.ptr, rel.len);
			buf_free(&rel);
			return result;
		}
	}
	buf_free(&rel);
	return links_by_url(arg, dest, line, col);
}

const char *links_by_url(void *arg, const char *dest, unsigned line, unsigned col)
{
	struct link_ctx *lc = arg;
	struct site *s = lc->s;
	size_t plen = strcspn(dest, "?#");
	if (!lc->report || is_external(dest, strlen(dest)) || strstr(dest, "{{") || strstr(dest, "{%"))
		return NULL;
	if (dest[0] == '#') {
		if (dest[1])
			add_check(lc, lc->p, NULL, dest, dest + 1, line, col);
		return NULL;
	}
	/* A link by URL, checked when every output path is known. */
	struct buf rel = BUF_INIT;
	const char *frag = strchr(dest + plen, '#');
	if (resolve_path(&rel, lc->p->url, dest, plen) < 0)
		diag_error(s->d, lc->p->src, line, col, "link '%s' leads out of the site", dest);
	else
		add_check(lc, NULL, rel.ptr, dest, frag ? frag + 1 : NULL, line, col);
	buf_free(&rel);
	return NULL;
}

void links_file(struct site *s, const char *path)
{
	if (!strmap_get(&s->written, path)) {
		const char *k = arena_strdup(s->a, path);
		strmap_put(&s->written, k, (void *)k);
	}
}

/* Is the attribute NAME[0..N) one that holds a URL to check? */
static bool is_link_attr(const char *name, size_t n)
{
	return (n == 4 && !strncasecmp(name, "href", 4)) || (n == 3 && !strncasecmp(name, "src", 3));
}

/*
 * Records a link a layout wrote.  The map is keyed by the path from the
 * site's root as written ("/docs/x/"): a menu link is the same key on
 * every page, found without resolving it again.  Relative links are
 * resolved against the page first.
 */
static void add_tpl_link(struct site *s, const struct page *p, const char *layout,
			 const char *href, size_t n)
{
	size_t plen = 0;
	while (plen < n && href[plen] != '?' && href[plen] != '#')
		plen++;
	if (plen == 0 || is_external(href, n))
		return;         /* "#x", "?q", another site, mailto:, tel: */
	struct buf key = BUF_INIT;
	if (href[0] == '/') {
		buf_put(&key, href, plen);
	} else {
		buf_putc(&key, '/');
		if (resolve_path(&key, p->url, href, plen) < 0) {
			buf_reset(&key);
			buf_putc(&key, '\x01');       /* leaves the site */
			buf_put(&key, href, n);
		}
	}
	if (key.ptr[0] == '/' && key.ptr[key.len - 1] == '/') {
		/* A link to a page's folder, as navigation, listings and
		 * pagination write them: every page is known by now, so one
		 * that is there needs no check, nor a place in the map. */
		buf_puts(&key, "index.html");
		bool page = site_page_at(s, key.ptr + 1, NULL) != NULL;
		buf_truncate(&key, key.len - strlen("index.html"));
		if (page) {
			buf_free(&key);
			return;
		}
	}
	pthread_mutex_lock(&tpl_lock);
	struct tpl_link *l = strmap_getn(&s->tpl_links, key.ptr, key.len);
	if (!l) {
		l = arena_alloc(s->a, sizeof(*l));
		l->href = arena_strndup(s->a, href, n);
		l->page = arena_strdup(s->a, p->url);  /* P may be made while rendering */
		l->layout = !strncmp(layout, "./", 2) ? layout + 2 : layout;
		strmap_putn(&s->tpl_links, arena_strndup(s->a, key.ptr, key.len), key.len, l);
	} else if (strcmp(p->url, l->page) < 0) {
		/* The same page names it whatever the order of the workers. */
		l->href = arena_strndup(s->a, href, n);
		l->page = arena_strdup(s->a, p->url);
		l->layout = !strncmp(layout, "./", 2) ? layout + 2 : layout;
	}
	pthread_mutex_unlock(&tpl_lock);
	buf_free(&key);
}

struct html_links {
	struct site *s;
	const struct page *p;
	const char *layout;
};

static void html_link(void *arg, const char *tag, const char *name, size_t nlen,
		      const char *v, size_t vlen)
{
	struct html_links *h = arg;
	(void)tag;
	if (is_link_attr(name, nlen) && !memchr(v, '&', vlen) && !memchr(v, '{', vlen))
		add_tpl_link(h->s, h->p, h->layout, v, vlen);
}

void links_html(struct site *s, const struct page *p, const char *layout, const char *html,
		size_t len, const char *content, size_t content_len)
{
	/* Where the page's content lies in it: found by its first bytes
	 * (a long needle costs memmem far more), then compared whole. */
	const char *skip_from = NULL, *skip_to = NULL;
	size_t head = content_len < 64 ? content_len : 64;
	for (const char *at = html; head && at < html + len; at++) {
		at = memmem(at, len - (size_t)(at - html), content, head);
		if (!at)
			break;
		if ((size_t)(html + len - at) >= content_len && !memcmp(at, content, content_len)) {
			skip_from = at;
			skip_to = at + content_len;
			break;
		}
	}
	struct html_links h = { s, p, layout };
	html_attrs(html, len, skip_from, skip_to, html_link, &h);
}

/* A link that leads nowhere: an error, or with links: warn a warning. */
static void report(struct site *s, const char *file, unsigned line, unsigned col, const char *fmt, ...)
	FOLIO_PRINTF(5, 6);

static void report(struct site *s, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(s->d, s->config->links_warn ? DIAG_WARNING : DIAG_ERROR, file, line, col, fmt, ap);
	va_end(ap);
}

/* Does TARGET have the id FRAG?  Pages folio makes (lists, terms) have
 * no ids known before rendering: every fragment is taken for them. */
static bool has_fragment(const struct page *target, const char *frag)
{
	if (!target->src || !target->anchors.ids)
		return true;
	for (size_t j = 0; j < target->anchors.n_all; j++)
		if (!strcmp(target->anchors.ids[j], frag))
			return true;
	return false;
}

static size_t check_page(struct site *s, struct page *p)
{
	size_t broken = 0;
	for (size_t k = 0; k < p->nchecks; k++) {
		struct link_check *c = &p->checks[k];
		struct page *t = c->target;
		if (c->path && find_target(s, c->path, &t) < 0) {
			report(s, p->src, c->line, c->col,
			       "link '%s' leads to no page or file of this site (looked for /%s)",
			       c->dest, c->path);
			broken++;
			continue;
		}
		if (c->fragment && t && !has_fragment(t, c->fragment)) {
			report(s, p->src, c->line, c->col, "link '%s': %s has no heading or anchor with id '%s'",
			       c->dest, t == p ? "this page" : t->src, c->fragment);
			broken++;
		}
	}
	return broken;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct check_job {
	struct site *s;
	_Atomic size_t broken;
};

static void check_one(void *arg, size_t i, unsigned worker)
{
	struct check_job *job = arg;
	(void)worker;
	size_t n = check_page(job->s, job->s->pages[i]);
	if (n)
		atomic_fetch_add_explicit(&job->broken, n, memory_order_relaxed);
}

size_t links_check(struct site *s)
{
	/* Pages on every core: the checks only read the site, and the
	 * messages are sorted by file and line when they are printed. */
	struct check_job job = { .s = s };
	atomic_init(&job.broken, 0);
	pool_run(s->threads, s->ncontent, check_one, &job);
	size_t broken = atomic_load(&job.broken);
	/* The layouts' links, in the order of their paths. */
	size_t n = 0;
	const char **keys = xmalloc((s->tpl_links.n + 1) * sizeof(*keys));
	strmap_keys(&s->tpl_links, keys, &n);
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		const struct tpl_link *l = strmap_get(&s->tpl_links, keys[i]);
		struct page *t;
		struct buf path = BUF_INIT;
		if (keys[i][0] == '\x01' || resolve_path(&path, "/", keys[i], strlen(keys[i])) < 0) {
			report(s, l->layout, 0, 0, "link '%s' (on the page %s) leads out of the site",
			       l->href, l->page);
			broken++;
		} else if (find_target(s, path.ptr, &t) < 0) {
			report(s, l->layout, 0, 0,
			       "link '%s' (on the page %s) leads to no page or file of this site (looked for /%s)",
			       l->href, l->page, path.ptr);
			broken++;
		}
		buf_free(&path);
	}
	free(keys);
	return broken;
}
