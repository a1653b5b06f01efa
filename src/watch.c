/*
 * watch.c - inotify over the site folder: one watch per folder, added as
 * folders appear, and a debounce that turns a burst of events (an
 * editor's save is often five or six) into one set of changed paths.
 */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

/* The same cap on folder depth as content discovery and asset copying. */
#define WATCH_MAX_DEPTH 32

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		    IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR | IN_EXCL_UNLINK)

/* One watched folder; REL is relative to the site ("" for the site). */
struct wdir {
	int wd;
	char *rel;
};

struct watch {
	int fd;
	char *site;
	struct wdir *dirs;      /* sorted by wd */
	size_t n, cap;
};

/* What one burst of events found. */
struct batch {
	struct watch_paths paths;
	struct watch_paths born;        /* created during the burst */
	bool relevant;                  /* an event that was not ignored */
};

void watch_paths_init(struct watch_paths *p)
{
	memset(p, 0, sizeof(*p));
}

void watch_paths_add(struct watch_paths *p, const char *path)
{
	if (strmap_get(&p->seen, path))
		return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	char *copy = xstrdup(path);
	p->v[p->n++] = copy;
	strmap_put(&p->seen, copy, copy);
}

void watch_paths_merge(struct watch_paths *p, const struct watch_paths *from)
{
	for (size_t i = 0; i < from->n; i++)
		watch_paths_add(p, from->v[i]);
	p->all |= from->all;
}

void watch_paths_clear(struct watch_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	strmap_free(&p->seen);
	p->seen = (struct strmap)STRMAP_INIT;
	p->n = 0;
	p->all = false;
}

void watch_paths_free(struct watch_paths *p)
{
	watch_paths_clear(p);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

bool watch_ignored_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || name[0] == '.')
		return true;            /* .x.swp, .#x, .goutputstream-*: folio skips them */
	if (name[n - 1] == '~')
		return true;            /* backups */
	if (n >= 2 && name[0] == '#' && name[n - 1] == '#')
		return true;            /* emacs auto-save */
	if (!strcmp(name, "4913"))
		return true;            /* vim checks it may write the folder */
	return ends_with(name, n, ".swp") || ends_with(name, n, ".swo") ||
	       ends_with(name, n, ".swx") || ends_with(name, n, "___jb_tmp___") ||
	       ends_with(name, n, "___jb_old___");
}

/* The entries of the site folder itself that matter. */
static bool top_level_name(const char *name)
{
	return !strcmp(name, "site.yaml") || !strcmp(name, "content") ||
	       !strcmp(name, "layouts") || !strcmp(name, "assets");
}

/* Index of the first entry whose wd is >= WD. */
static size_t dir_lower(const watch *w, int wd)
{
	size_t lo = 0, hi = w->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->dirs[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct wdir *dir_find(watch *w, int wd)
{
	size_t i = dir_lower(w, wd);
	return i < w->n && w->dirs[i].wd == wd ? &w->dirs[i] : NULL;
}

/* Records WD as folder REL (inotify gives a folder already watched its
 * old wd back: then only its name is updated). */
static void dir_set(watch *w, int wd, const char *rel)
{
	size_t i = dir_lower(w, wd);
	if (i < w->n && w->dirs[i].wd == wd) {
		free(w->dirs[i].rel);
		w->dirs[i].rel = xstrdup(rel);
		return;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->dirs = xrealloc(w->dirs, w->cap * sizeof(*w->dirs));
	}
	memmove(&w->dirs[i + 1], &w->dirs[i], (w->n - i) * sizeof(*w->dirs));
	w->dirs[i].wd = wd;
	w->dirs[i].rel = xstrdup(rel);
	w->n++;
}

static void dir_remove_at(watch *w, size_t i)
{
	free(w->dirs[i].rel);
	memmove(&w->dirs[i], &w->dirs[i + 1], (w->n - i - 1) * sizeof(*w->dirs));
	w->n--;
}

/* Stops watching folder REL and everything below it (it moved away). */
static void dir_drop_tree(watch *w, const char *rel)
{
	size_t n = strlen(rel);
	for (size_t i = w->n; i-- > 0;) {
		const char *r = w->dirs[i].rel;
		if (!strncmp(r, rel, n) && (r[n] == '\0' || r[n] == '/')) {
			inotify_rm_watch(w->fd, w->dirs[i].wd);
			dir_remove_at(w, i);
		}
	}
}

static unsigned depth_of(const char *rel)
{
	unsigned d = 0;
	for (; *rel; rel++)
		d += *rel == '/';
	return d;
}

/*
 * Watches folder REL and the folders below it.  When FOUND is given (a
 * folder that appeared while folio was running), the files already in it
 * are added there, since their own events came before the watch did.
 * Symbolic links are not followed.
 */
static void add_tree(watch *w, const char *rel, struct batch *found, struct diags *d)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/%s", w->site, rel);
	int wd = inotify_add_watch(w->fd, path.ptr, WATCH_MASK);
	if (wd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			diag_warning(d, path.ptr, 0, 0, "cannot watch folder: %s%s", util_strerror(errno),
				     errno == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
		buf_free(&path);
		return;
	}
	dir_set(w, wd, rel);
	DIR *dir = depth_of(rel) < WATCH_MAX_DEPTH ? opendir(path.ptr) : NULL;
	struct dirent *e;
	while (dir && (e = readdir(dir)) != NULL) {
		if (watch_ignored_name(e->d_name))
			continue;
		struct buf sub = BUF_INIT;
		buf_printf(&sub, "%s/%s", rel, e->d_name);
		bool is_dir = e->d_type == DT_DIR;
		if (e->d_type == DT_UNKNOWN) {
			struct stat st;
			struct buf abs = BUF_INIT;
			buf_printf(&abs, "%s/%s", w->site, sub.ptr);
			is_dir = lstat(abs.ptr, &st) == 0 && S_ISDIR(st.st_mode);
			buf_free(&abs);
		}
		if (found) {
			watch_paths_add(&found->paths, sub.ptr);
			watch_paths_add(&found->born, sub.ptr);
		}
		if (is_dir)
			add_tree(w, sub.ptr, found, d);
		buf_free(&sub);
	}
	if (dir)
		closedir(dir);
	buf_free(&path);
}

/* Watches the site folder and its three source folders (again, after
 * events were lost: inotify hands back the wds of folders it knows). */
static int add_all(watch *w, struct batch *found, struct diags *d)
{
	int wd = inotify_add_watch(w->fd, w->site, WATCH_MASK);
	if (wd < 0) {
		diag_error(d, w->site, 0, 0, "cannot watch the site folder: %s", util_strerror(errno));
		return -1;
	}
	dir_set(w, wd, "");
	add_tree(w, "content", found, d);
	add_tree(w, "layouts", found, d);
	add_tree(w, "assets", found, d);
	return 0;
}

watch *watch_new(const char *site_dir, struct diags *d)
{
	watch *w = xcalloc(1, sizeof(*w));
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	w->site = xstrdup(site_dir);
	if (w->fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot watch files: inotify: %s", util_strerror(errno));
		watch_free(w);
		return NULL;
	}
	if (add_all(w, NULL, d) < 0) {
		watch_free(w);
		return NULL;
	}
	return w;
}

void watch_free(watch *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	for (size_t i = 0; i < w->n; i++)
		free(w->dirs[i].rel);
	free(w->dirs);
	free(w->site);
	free(w);
}

static void handle_event(watch *w, const struct inotify_event *ev, struct batch *b,
			 struct diags *d)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		/* Events were lost: rebuild everything, and watch any folder
		 * whose creation went missing. */
		b->paths.all = true;
		b->relevant = true;
		/* A failure is an error in D, shown at once; the folders
		 * still watched go on. */
		(void)add_all(w, NULL, d);
		return;
	}
	struct wdir *dir = dir_find(w, ev->wd);
	if (!dir)
		return;         /* a watch already dropped */
	if (ev->mask & IN_IGNORED) {
		dir_remove_at(w, (size_t)(dir - w->dirs));
		return;
	}
	if (ev->len == 0 || watch_ignored_name(ev->name))
		return;         /* the folder itself, or an editor's file */
	if (!*dir->rel && !top_level_name(ev->name))
		return;         /* public/, README and the like */
	struct buf rel = BUF_INIT;
	if (*dir->rel)
		buf_printf(&rel, "%s/%s", dir->rel, ev->name);
	else
		buf_puts(&rel, ev->name);
	b->relevant = true;
	watch_paths_add(&b->paths, rel.ptr);
	if (ev->mask & (IN_CREATE | IN_MOVED_TO))
		watch_paths_add(&b->born, rel.ptr);
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO))
			add_tree(w, rel.ptr, b, d);
		else if (ev->mask & IN_MOVED_FROM)
			dir_drop_tree(w, rel.ptr);
	}
	buf_free(&rel);
}

/* Reads every event queued.  Returns 0, or -1 on a read error. */
static int read_events(watch *w, struct batch *b, struct diags *d)
{
	_Alignas(struct inotify_event) char chunk[65536];
	for (;;) {
		ssize_t n = read(w->fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		if (n == 0)
			return 0;
		for (char *p = chunk; p < chunk + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			handle_event(w, ev, b, d);
			p += sizeof(*ev) + ev->len;
		}
	}
}


/* Waits for one burst of events. */
static enum watch_result wait_burst(watch *w, int stop_fd, int quiet_ms, int max_ms,
				    struct batch *b, struct diags *d)
{
	double first = 0, last = 0;
	for (;;) {
		int timeout = -1;
		if (b->relevant) {
			double now = util_now_ms(), end = last + quiet_ms;
			if (end > first + max_ms)
				end = first + max_ms;
			if (now >= end)
				return WATCH_CHANGED;
			timeout = (int)(end - now) + 1;
		}
		struct pollfd p[2] = { { w->fd, POLLIN, 0 }, { stop_fd, POLLIN, 0 } };
		int r = poll(p, 2, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return WATCH_FAILED;
		if (p[1].revents)
			return WATCH_STOPPED;
		if (p[0].revents) {
			bool before = b->relevant;
			b->relevant = false;
			if (read_events(w, b, d) < 0)
				return WATCH_FAILED;
			if (b->relevant) {
				last = util_now_ms();
				if (!before)
					first = last;
			}
			b->relevant |= before;
		}
	}
}

enum watch_result watch_wait(watch *w, int stop_fd, int quiet_ms, int max_ms,
			     struct watch_paths *out, struct diags *d)
{
	for (;;) {
		struct batch b = { .relevant = false };
		watch_paths_init(&b.paths);
		watch_paths_init(&b.born);
		enum watch_result rc = wait_burst(w, stop_fd, quiet_ms, max_ms, &b, d);
		size_t added = 0;
		if (rc == WATCH_CHANGED) {
			/* A file made and removed within the burst (an editor's
			 * temporary file under another name) changed nothing. */
			for (size_t i = 0; i < b.paths.n; i++) {
				const char *rel = b.paths.v[i];
				struct stat st;
				struct buf abs = BUF_INIT;
				buf_printf(&abs, "%s/%s", w->site, rel);
				bool gone = lstat(abs.ptr, &st) != 0;
				buf_free(&abs);
				if (gone && strmap_get(&b.born.seen, rel))
					continue;
				watch_paths_add(out, rel);
				added++;
			}
			out->all |= b.paths.all;
		}
		bool all = b.paths.all;
		watch_paths_free(&b.paths);
		watch_paths_free(&b.born);
		if (rc != WATCH_CHANGED || added || all)
			return rc;
	}
}
