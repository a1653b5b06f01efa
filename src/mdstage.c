/*
 * mdstage.c - the Markdown stage: parse, resolve links, keep what the
 * templates, the link check and the search index need.
 */
#include "mdstage.h"

#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "buf.h"
#include "content.h"
#include "links.h"
#include "pool.h"
#include "search.h"

/* P's body (malloc'd, NUL-terminated): the file from p->body_off on,
 * read alone when the load stage found no CR before it; else the whole
 * file, its line ends folded, with *OFF where the body starts.  The
 * front matter was checked when it was read; a file edited since is read
 * as it is now, within its bounds. */
static char *read_body(const struct page *p, size_t *len, size_t *off)
{
	*off = 0;
	if (!p->body_raw) {
		char *text = file_read(p->src, len);
		if (text) {
			*len = content_fold_crlf(text, *len);
			*off = p->body_off < *len ? p->body_off : *len;
		}
		return text;
	}
	int fd = open(p->src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	size_t size = st.st_size > (off_t)p->body_off ? (size_t)st.st_size - p->body_off : 0;
	char *text = xmalloc(size + 1);
	size_t n = 0;
	while (n < size) {
		ssize_t r = pread(fd, text + n, size - n, (off_t)(p->body_off + n));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	text[n] = '\0';
	/* CRs in a body read alone (a file edited since) are folded too. */
	*len = memchr(text, '\r', n) ? content_fold_crlf(text, n) : n;
	return text;
}

void mdstage_parse(struct site *s, struct page *p, arena *a, bool want_html, bool want_text,
		   struct md_result *r)
{
	/* Only the first pass over a page reports; a second (a page parsed
	 * again at render time) stays quiet. */
	struct link_ctx lc = { .s = s, .p = p, .a = a, .report = p->anchors.ids == NULL };
	struct md_opts opts = { .unsafe = s->config->unsafe, .smart = s->config->smart,
				.gfm = s->config->gfm, .text = want_text,
				.toc_min = s->config->toc_min, .toc_max = s->config->toc_max,
				.d = lc.report ? s->d : NULL, .src = p->src,
				.html_link = links_by_url, .reserved = &s->layout_ids };
	size_t len, off;
	memset(r, 0, sizeof(*r));
	char *text = read_body(p, &len, &off);
	if (!text) {
		diag_error(s->d, p->src, 0, 0, "cannot read: %s", util_strerror(errno));
		return;
	}
	if (content_check_body(p->src, text + off, len - off, p->body_line,
			       lc.report ? s->d : NULL) < 0) {
		free(text);
		return;
	}
	markdown_process(text + off, len - off, p->body_line - 1, &opts, links_markdown, &lc, a,
			 want_html, r);
	free(text);
}

/* Pages whose Markdown takes long (cmark is quadratic on some inputs):
 * named while the build runs and listed at its end. */
#define SLOW_PAGE_MS_DEFAULT 5000.0

struct slow_slot {
	const char *src;        /* the page a worker is on, or NULL */
	double start;
	bool told;
};

struct slow_watch {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct slow_slot *slots;        /* one per worker */
	unsigned nslots;
	double limit_ms;
	bool done;
	void (*tell)(const char *file, double ms);
	struct slow_page { const char *src; double ms; } *pages;
	size_t npages;
};


struct md_job {
	struct site *s;
	struct slow_watch *slow;
	struct search_tokenizer **tk;   /* one per worker when the site has search */
	atomic_size_t cached;
	size_t budget;
	arena **scratch;                /* one per worker: what a page's parse makes */
};

/* Writes HTML[0..LEN) to the end of WORKER's spill file (made on first
 * use: an unlinked file in TMPDIR) and sets *AT to where it starts.
 * Returns 0, or -1 when it cannot. */
static int spill_write(struct site *s, unsigned worker, const char *html, size_t len,
		       uint64_t *at)
{
	struct md_spill *sp = &s->spill[worker];
	if (sp->fd < 0) {
		const char *dir = getenv("TMPDIR");
		struct buf path = BUF_INIT;
		buf_printf(&path, "%s/folio-html-XXXXXX", dir && *dir ? dir : "/tmp");
		sp->fd = mkstemp(path.ptr);
		if (sp->fd >= 0)
			unlink(path.ptr);
		buf_free(&path);
		if (sp->fd < 0)
			return -1;
	}
	*at = sp->len;
	for (size_t done = 0; done < len;) {
		ssize_t w = pwrite(sp->fd, html + done, len - done, (off_t)(sp->len + done));
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	sp->len += len;
	return 0;
}

/* Reads N bytes at AT of P's spill file into DST and ends them with a
 * NUL.  Returns 0, or -1 when it cannot. */
static int spill_read(struct site *s, const struct page *p, uint64_t at, char *dst, size_t n)
{
	const struct md_spill *sp = &s->spill[p->html_spill - 1];
	for (size_t done = 0; done < n;) {
		ssize_t r = pread(sp->fd, dst + done, n - done, (off_t)(at + done));
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	dst[n] = '\0';
	return 0;
}

char *mdstage_html(struct site *s, const struct page *p, size_t *len)
{
	if (p->html) {
		*len = p->html_len;
		return p->html;
	}
	if (!p->html_spill || !s->spill)
		return NULL;
	char *html = xmalloc(p->html_len + 1);
	if (spill_read(s, p, p->html_off, html, p->html_len) < 0) {
		free(html);
		return NULL;
	}
	*len = p->html_len;
	return html;
}

/* N bytes at AT of P's spill file, NUL-terminated, into A; NULL when
 * reading fails. */
static char *spilled(struct site *s, const struct page *p, uint64_t at, size_t n, arena *a)
{
	if (!p->html_spill || !s->spill)
		return NULL;
	char *t = arena_bytes(a, n + 1);
	return spill_read(s, p, at, t, n) == 0 ? t : NULL;
}

const char *mdstage_summary(struct site *s, const struct page *p, arena *a)
{
	if (p->summary)
		return p->summary;
	const char *t = p->summary_len ?
			spilled(s, p, p->html_off + p->html_len, p->summary_len, a) : NULL;
	return t ? t : "";
}

/* The table of contents as spilled: per heading, its level as one byte,
 * then its id and its title, each ending in a NUL. */
static void put_toc(struct buf *b, const struct toc_item *toc, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_putc(b, (char)toc[i].level);
		buf_put(b, toc[i].id, strlen(toc[i].id) + 1);
		buf_put(b, toc[i].title, strlen(toc[i].title) + 1);
	}
}

const struct toc_item *mdstage_toc(struct site *s, const struct page *p, arena *a)
{
	if (p->toc || !p->ntoc || !p->toc_len)
		return p->toc;
	const char *t = spilled(s, p, p->html_off + p->html_len + p->summary_len, p->toc_len, a);
	if (!t)
		return NULL;
	struct toc_item *toc = arena_alloc(a, p->ntoc * sizeof(*toc));
	const char *end = t + p->toc_len;
	for (size_t i = 0; i < p->ntoc; i++) {
		if (t >= end)
			return NULL;
		toc[i].level = (unsigned char)*t++;
		toc[i].id = t;
		t += strlen(t) + 1;
		toc[i].title = t < end ? t : "";
		t += t < end ? strlen(t) + 1 : 0;
	}
	return toc;
}

/* What the build keeps of a page parsed in scratch memory: P's anchors,
 * checks, and (unless spilled with its HTML) summary and toc, copied to
 * A. */
static void keep_compact(struct page *p, arena *a, bool keep_summary, bool keep_toc)
{
	const char **ids = arena_alloc(a, (p->anchors.n_all ? p->anchors.n_all : 1) * sizeof(*ids));
	for (size_t i = 0; i < p->anchors.n_all; i++)
		ids[i] = arena_strdup(a, p->anchors.ids[i]);
	struct toc_item *toc = p->ntoc && keep_toc ? arena_alloc(a, p->ntoc * sizeof(*toc)) : NULL;
	size_t k = 0;
	for (size_t i = 0; toc && i < p->ntoc; i++) {
		toc[i] = p->toc[i];
		toc[i].title = arena_strdup(a, p->toc[i].title);
		/* The toc lists some of the headings, in order, and a heading's
		 * id is one of its anchors: shared, not copied. */
		while (k < p->anchors.n && p->anchors.ids[k] != p->toc[i].id)
			k++;
		toc[i].id = k < p->anchors.n ? ids[k] : arena_strdup(a, p->toc[i].id);
	}
	struct link_check *checks = p->nchecks ? arena_alloc(a, p->nchecks * sizeof(*checks)) : NULL;
	for (size_t i = 0; i < p->nchecks; i++) {
		const struct link_check *c = &p->checks[i];
		checks[i] = *c;
		checks[i].path = c->path ? arena_strdup(a, c->path) : NULL;
		checks[i].dest = arena_strdup(a, c->dest);
		checks[i].fragment = c->fragment ? arena_strdup(a, c->fragment) : NULL;
	}
	p->anchors.ids = ids;
	p->toc = toc;
	p->checks = checks;
	if (!p->fm_summary)
		p->summary = keep_summary ? arena_strdup(a, p->summary ? p->summary : "") : NULL;
}

void mdstage_free(struct site *s)
{
	for (unsigned w = 0; s->spill && w < s->nspill; w++)
		if (s->spill[w].fd >= 0)
			close(s->spill[w].fd);
	free(s->spill);
	s->spill = NULL;
	s->nspill = 0;
}

static void markdown_one(void *arg, size_t i, unsigned worker)
{
	struct md_job *job = arg;
	struct site *s = job->s;
	struct page *p = s->pages[i];
	struct md_result r;
	struct slow_watch *w = job->slow;
	pthread_mutex_lock(&w->lock);
	w->slots[worker] = (struct slow_slot){ p->src, util_now_ms(), false };
	pthread_mutex_unlock(&w->lock);
	arena *tmp = job->scratch[worker];
	arena_reset(tmp);
	mdstage_parse(s, p, tmp, true, job->tk != NULL, &r);
	pthread_mutex_lock(&w->lock);
	double ms = util_now_ms() - w->slots[worker].start;
	if (ms > w->limit_ms) {
		w->pages = xrealloc(w->pages, (w->npages + 1) * sizeof(*w->pages));
		w->pages[w->npages++] = (struct slow_page){ p->src, ms };
	}
	w->slots[worker].src = NULL;
	pthread_mutex_unlock(&w->lock);
	mdstage_keep(p, &r);
	if (job->tk && r.text) {
		search_page_doc(job->tk[worker], s, p, r.text, r.text_len, r.heads_at,
				s->thread_arenas[worker]);
	}
	free(r.text);
	free(r.heads_at);
	bool keep_summary = true, keep_toc = true;
	if (r.html) {
		/* Kept in memory up to the budget, then in the worker's spill
		 * file, with the summary after it: rendering reads them back
		 * instead of parsing again. */
		size_t before = atomic_fetch_add(&job->cached, r.html_len);
		p->html_len = r.html_len;
		if (before + r.html_len <= job->budget) {
			p->html = r.html;
		} else {
			atomic_fetch_sub(&job->cached, r.html_len);
			if (spill_write(s, worker, r.html, r.html_len, &p->html_off) == 0)
				p->html_spill = worker + 1;
			free(r.html);
			size_t n = p->summary ? strlen(p->summary) : 0;
			uint64_t at;
			if (p->html_spill && !p->fm_summary && n && n < UINT32_MAX &&
			    spill_write(s, worker, p->summary, n, &at) == 0) {
				p->summary_len = (uint32_t)n;
				keep_summary = false;
			}
			struct buf toc = BUF_INIT;
			put_toc(&toc, p->toc, p->ntoc);
			if (p->html_spill && toc.len && toc.len < UINT32_MAX &&
			    spill_write(s, worker, toc.ptr, toc.len, &at) == 0) {
				p->toc_len = (uint32_t)toc.len;
				keep_toc = false;
			}
			buf_free(&toc);
		}
	}
	keep_compact(p, s->thread_arenas[worker], keep_summary, keep_toc);
}

/* The watcher thread: names a page as soon as its Markdown passes the
 * limit, so a stuck build says where it is stuck. */
static void *slow_watcher(void *arg)
{
	struct slow_watch *w = arg;
	pthread_mutex_lock(&w->lock);
	while (!w->done) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->wake, &w->lock, &until);
		double now = util_now_ms();
		for (unsigned i = 0; !w->done && i < w->nslots; i++) {
			struct slow_slot *sl = &w->slots[i];
			if (sl->src && !sl->told && now - sl->start > w->limit_ms) {
				sl->told = true;
				w->tell(sl->src, now - sl->start);
			}
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int cmp_slow(const void *a, const void *b)
{
	const struct slow_page *x = a, *y = b;
	return x->ms > y->ms ? -1 : x->ms < y->ms ? 1 : strcmp(x->src, y->src);
}

/* The Markdown pass over every content page, timed per page. */
static void markdown_pass(struct md_job *job, void (*slow_page)(const char *file, double ms))
{
	struct site *s = job->s;
	struct slow_watch w = { .limit_ms = SLOW_PAGE_MS_DEFAULT, .tell = slow_page };
	const char *env = getenv("FOLIO_SLOW_PAGE_MS");
	if (env && *env)
		w.limit_ms = strtod(env, NULL);
	w.slots = xcalloc(s->threads, sizeof(*w.slots));
	w.nslots = s->threads;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.wake, NULL);
	pthread_t watcher;
	bool watching = w.tell && pthread_create(&watcher, NULL, slow_watcher, &w) == 0;
	job->slow = &w;
	pool_run(s->threads, s->ncontent, markdown_one, job);
	if (watching) {
		pthread_mutex_lock(&w.lock);
		w.done = true;
		pthread_cond_signal(&w.wake);
		pthread_mutex_unlock(&w.lock);
		pthread_join(watcher, NULL);
	}
	if (w.npages) {
		qsort(w.pages, w.npages, sizeof(*w.pages), cmp_slow);
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < w.npages; i++)
			buf_printf(&b, "%s%s (%.1f s)", i ? ", " : "", w.pages[i].src,
				   w.pages[i].ms / 1e3);
		/* Placed at the slowest page; the message names them all. */
		diag_warning(s->d, w.pages[0].src, 0, 0,
			     "Markdown took longer than %.3g s on %zu page%s: %s (the Markdown "
			     "library is slow on some inputs; see README, \"Slow pages\")",
			     w.limit_ms / 1e3, w.npages, w.npages == 1 ? "" : "s", b.ptr);
		buf_free(&b);
	}
	free(w.pages);
	free(w.slots);
	pthread_cond_destroy(&w.wake);
	pthread_mutex_destroy(&w.lock);
}

void mdstage_keep(struct page *p, const struct md_result *r)
{
	p->anchors = r->anchors;
	p->toc = r->toc;
	p->ntoc = r->ntoc;
	p->word_count = r->words;
	p->summary_len = 0;
	p->toc_len = 0;
	if (!p->fm_summary)
		p->summary = r->summary;
}

void mdstage_run(struct site *s, bool search, size_t html_budget,
		 void (*slow_page)(const char *file, double ms))
{
	struct md_job job = { .s = s, .budget = html_budget };
	if (search) {
		job.tk = xcalloc(s->threads, sizeof(*job.tk));
		for (unsigned w = 0; w < s->threads; w++)
			job.tk[w] = search_tokenizer_for(s);
	}
	atomic_init(&job.cached, 0);
	mdstage_free(s);
	s->nspill = s->threads;
	s->spill = xcalloc(s->nspill, sizeof(*s->spill));
	for (unsigned w = 0; w < s->nspill; w++)
		s->spill[w].fd = -1;
	const char *env = getenv("FOLIO_HTML_CACHE_MB");
	if (env && *env)
		job.budget = (size_t)strtoull(env, NULL, 10) << 20;
	job.scratch = arenas_new(s->threads);
	markdown_pass(&job, slow_page);
	arenas_free(job.scratch, s->threads);
	if (job.tk) {
		for (unsigned w = 0; w < s->threads; w++)
			search_tokenizer_free(job.tk[w]);
		free(job.tk);
	}
}
