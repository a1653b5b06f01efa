/*
 * feeds.c - XML written by hand, escaped with the same tables as HTML.
 */
#include "feeds.h"

#include "links.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mdstage.h"
#include "pool.h"
#include "taxonomy.h"

static void put_xml(struct buf *b, const char *s)
{
	buf_put_xml(b, s, strlen(s));
}

/* Pages that belong in the sitemap and feeds: real pages, first pages of
 * listings, not redirects. */
static bool listed(const struct page *p)
{
	return p->kind != PAGE_ALIAS && p->kind != PAGE_404 && p->kind != PAGE_SEARCH &&
	       p->pagenum <= 1;
}

/* "roles/index.html" -> "roles/feed.xml" into B; -1 for pages written
 * as a file of their own (url: /x.html), which have no feed. */
static int feed_path(struct buf *b, const char *out_path)
{
	size_t n = strlen(out_path), k = strlen("index.html");
	buf_reset(b);
	if (n < k || strcmp(out_path + n - k, "index.html") || (n > k && out_path[n - k - 1] != '/'))
		return -1;
	buf_printf(b, "%.*sfeed.xml", (int)(n - k), out_path);
	return 0;
}

static int cmp_url(const void *pa, const void *pb)
{
	const struct page *a = *(struct page *const *)pa, *b = *(struct page *const *)pb;
	return strcmp(a->url, b->url);
}

static int cmp_newest(const void *pa, const void *pb)
{
	const struct page *a = *(struct page *const *)pa, *b = *(struct page *const *)pb;
	if (a->date.epoch != b->date.epoch)
		return a->date.epoch > b->date.epoch ? -1 : 1;
	return strcmp(a->url, b->url);
}

/* Claims REL for WHAT, a file folio writes that links may lead to.
 * Returns 0, or -1 after an error in s->d. */
static int claim(struct site *s, const char *rel, const char *what)
{
	if (site_claim_file(s, rel, what) < 0)
		return -1;
	links_file(s, rel);
	return 0;
}

/* Claims REL for WHAT and writes B there (through O, when not NULL).
 * Returns 0, or -1 after an error in s->d. */
static int emit(struct site *s, struct output *o, const char *rel, const char *what,
		struct buf *b)
{
	if (claim(s, rel, what) < 0)
		return -1;
	if (o)
		return output_write(o, rel, b->ptr, b->len, s->d);
	return 0;
}

static void sitemap_urls(struct site *s, struct buf *b, struct page **pages, size_t n)
{
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t i = 0; i < n; i++) {
		struct page *p = pages[i];
		buf_puts(b, "<url><loc>");
		put_xml(b, s->config->base_url);
		put_xml(b, p->url);
		buf_puts(b, "</loc>");
		if (p->has_date) {
			buf_puts(b, "<lastmod>");
			date_iso(&p->date, b);
			buf_puts(b, "</lastmod>");
		}
		buf_puts(b, "</url>\n");
	}
	buf_puts(b, "</urlset>\n");
}

/* Returns the number of files written. */
static size_t write_sitemap(struct site *s, struct output *o, struct page **pages, size_t n)
{
	struct buf b = BUF_INIT;
	size_t files = 0;
	if (n <= FEEDS_SITEMAP_MAX) {
		sitemap_urls(s, &b, pages, n);
		files += emit(s, o, "sitemap.xml", "the sitemap", &b) == 0;
		buf_free(&b);
		return files;
	}
	struct buf idx = BUF_INIT, name = BUF_INIT;
	buf_puts(&idx, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	for (size_t from = 0, k = 1; from < n; from += FEEDS_SITEMAP_MAX, k++) {
		size_t cnt = n - from < FEEDS_SITEMAP_MAX ? n - from : FEEDS_SITEMAP_MAX;
		buf_reset(&b);
		buf_reset(&name);
		buf_printf(&name, "sitemap-%zu.xml", k);
		sitemap_urls(s, &b, pages + from, cnt);
		files += emit(s, o, name.ptr, "the sitemap", &b) == 0;
		buf_puts(&idx, "<sitemap><loc>");
		put_xml(&idx, s->config->base_url);
		buf_putc(&idx, '/');
		put_xml(&idx, name.ptr);
		buf_puts(&idx, "</loc></sitemap>\n");
	}
	buf_puts(&idx, "</sitemapindex>\n");
	files += emit(s, o, "sitemap.xml", "the sitemap", &idx) == 0;
	buf_free(&idx);
	buf_free(&name);
	buf_free(&b);
	return files;
}

/* One Atom feed: of PAGES[0..N) (any order), at REL, for the listing
 * page SELF. */
struct feed {
	const char *rel;
	const char *title;
	const struct page *self;
	struct page **pages;
	size_t n;
	bool claimed;           /* REL is the feed's (site_claim_file) */
	bool written;
};

/* The XML of feed F into B. */
static void feed_xml(struct site *s, const struct feed *f, struct buf *b, arena *tmp)
{
	struct page **dated = xmalloc((f->n ? f->n : 1) * sizeof(*dated));
	size_t nd = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->pages[i]->has_date && f->pages[i]->kind == PAGE_REGULAR)
			dated[nd++] = f->pages[i];
	qsort(dated, nd, sizeof(*dated), cmp_newest);
	if (nd > FEEDS_ENTRIES)
		nd = FEEDS_ENTRIES;

	const char *base = s->config->base_url;
	const char *author = value_map_str(s->config->raw, "author");
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
	put_xml(b, s->config->language);
	buf_puts(b, "\">\n<title>");
	put_xml(b, f->title);
	buf_puts(b, "</title>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"");
	put_xml(b, base);
	buf_putc(b, '/');
	put_xml(b, f->rel);
	buf_puts(b, "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
	put_xml(b, base);
	put_xml(b, f->self->url);
	buf_puts(b, "\"/>\n<id>");
	put_xml(b, base);
	put_xml(b, f->self->url);
	buf_puts(b, "</id>\n<updated>");
	date_iso_epoch(nd ? dated[0]->date.epoch : s->build_epoch, b);
	buf_puts(b, "</updated>\n<author><name>");
	put_xml(b, author && *author ? author : (*s->config->title ? s->config->title : "folio"));
	buf_puts(b, "</name></author>\n<generator>folio</generator>\n");
	for (size_t i = 0; i < nd; i++) {
		struct page *p = dated[i];
		arena_reset(tmp);
		const char *summary = mdstage_summary(s, p, tmp);
		buf_puts(b, "<entry>\n<title>");
		put_xml(b, p->title);
		buf_puts(b, "</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"");
		put_xml(b, base);
		put_xml(b, p->url);
		buf_puts(b, "\"/>\n<id>");
		put_xml(b, base);
		put_xml(b, p->url);
		buf_puts(b, "</id>\n<updated>");
		date_iso(&p->date, b);
		buf_puts(b, "</updated>\n");
		if (*summary) {
			buf_puts(b, "<summary>");
			put_xml(b, summary);
			buf_puts(b, "</summary>\n");
		}
		buf_puts(b, "</entry>\n");
	}
	buf_puts(b, "</feed>\n");
	free(dated);
}

struct feeds_job {
	struct site *s;
	struct output *o;
	struct feed *feeds;
	arena **tmp;            /* per worker */
};

/* Makes and writes feed I, on a worker of pool_run. */
static void write_feed(void *arg, size_t i, unsigned worker)
{
	struct feeds_job *job = arg;
	struct feed *f = &job->feeds[i];
	if (!f->claimed)
		return;
	struct buf b = BUF_INIT;
	feed_xml(job->s, f, &b, job->tmp[worker]);
	f->written = !job->o || output_write(job->o, f->rel, b.ptr, b.len, job->s->d) == 0;
	buf_free(&b);
}

/* Adds the feed at REL of listing page SELF, titled TITLE, of
 * PAGES[0..N), to FEEDS (room for it made by the caller), and claims
 * REL for it. */
static void add_feed(struct site *s, struct feed *feeds, size_t *nfeeds, const char *rel,
		     const char *title, const struct page *self, struct page **pages, size_t n)
{
	struct feed *f = &feeds[(*nfeeds)++];
	*f = (struct feed){ .rel = arena_strdup(s->a, rel), .title = title, .self = self,
			    .pages = pages, .n = n };
	struct buf what = BUF_INIT;
	buf_printf(&what, "the feed of %s", self->url);
	f->claimed = claim(s, f->rel, what.ptr) == 0;
	buf_free(&what);
}

size_t feeds_write(struct site *s, struct output *o)
{
	size_t files = 0;
	struct page **pages = xmalloc((s->npages ? s->npages : 1) * sizeof(*pages));
	size_t n = 0;
	for (size_t i = 0; i < s->npages; i++)
		if (listed(s->pages[i]))
			pages[n++] = s->pages[i];
	qsort(pages, n, sizeof(*pages), cmp_url);
	files += write_sitemap(s, o, pages, n);

	struct buf b = BUF_INIT;
	buf_puts(&b, "User-agent: *\nAllow: /\n\nSitemap: ");
	buf_puts(&b, s->config->base_url);
	buf_puts(&b, "/sitemap.xml\n");
	files += emit(s, o, "robots.txt", "robots.txt", &b) == 0;

	/* The feeds' paths are claimed in order, then the feeds made and
	 * written on every core. */
	size_t cap = s->nsections;
	for (size_t ti = 0; ti < s->config->ntax; ti++)
		cap += s->taxonomies[ti].nterms;
	struct feed *feeds = xmalloc((cap ? cap : 1) * sizeof(*feeds));
	size_t nfeeds = 0;
	struct page *home = s->sections[0]->page;
	add_feed(s, feeds, &nfeeds, "feed.xml",
		 *s->config->title ? s->config->title : home->title, home, pages, n);
	for (size_t i = 1; i < s->nsections; i++) {
		struct section *sec = s->sections[i];
		if (feed_path(&b, sec->page->out_path) == 0)
			add_feed(s, feeds, &nfeeds, b.ptr, sec->page->title, sec->page, sec->pages,
				 sec->npages);
	}
	for (size_t ti = 0; ti < s->config->ntax; ti++) {
		struct taxonomy *tx = &s->taxonomies[ti];
		for (size_t k = 0; k < tx->nterms; k++) {
			struct term *t = tx->terms[k];
			if (feed_path(&b, t->page->out_path) == 0)
				add_feed(s, feeds, &nfeeds, b.ptr, t->name, t->page, t->pages,
					 t->npages);
		}
	}
	buf_free(&b);
	struct feeds_job job = { .s = s, .o = o, .feeds = feeds };
	job.tmp = arenas_new(s->threads);
	pool_run(s->threads, nfeeds, write_feed, &job);
	arenas_free(job.tmp, s->threads);
	for (size_t i = 0; i < nfeeds; i++)
		files += feeds[i].written;
	free(feeds);
	free(pages);
	return files;
}
