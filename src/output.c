/*
 * output.c - the temporary folder, file writes and the atomic swap.
 */
#define _GNU_SOURCE
#include "output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/file.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

/* Absolute, normalised form of PATH, which need not exist: the longest
 * existing prefix goes through realpath, the rest is appended. */
static char *abs_path(const char *path)
{
	char real[PATH_MAX];
	struct buf rest = BUF_INIT, cur = BUF_INIT;
	buf_puts(&cur, path);
	while (cur.len > 1 && cur.ptr[cur.len - 1] == '/')
		buf_truncate(&cur, cur.len - 1);
	for (;;) {
		if (realpath(cur.len ? cur.ptr : ".", real))
			break;
		char *slash = strrchr(cur.ptr, '/');
		struct buf r = BUF_INIT;
		buf_printf(&r, "/%s%s", slash ? slash + 1 : cur.ptr, rest.ptr);
		buf_free(&rest);
		rest = r;
		if (!slash) {
			buf_reset(&cur);
		} else if (slash == cur.ptr) {
			buf_truncate(&cur, 1);
		} else {
			buf_truncate(&cur, (size_t)(slash - cur.ptr));
		}
	}
	struct buf out = BUF_INIT;
	buf_puts(&out, real);
	if (out.len == 1 && rest.len)
		buf_reset(&out);
	buf_put(&out, rest.ptr, rest.len);
	buf_free(&rest);
	buf_free(&cur);
	return buf_detach(&out, NULL);
}

/* Is A equal to B or inside it? */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (n == 1 && b[0] == '/')
		return true;
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Does PATH hold nothing (or not exist)? */
static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return true;
	struct dirent *e;
	bool empty = true;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			empty = false;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* Removes whatever in a recycled tree is neither a regular file nor a
 * folder, so no write can follow a link out of it. */
static int drop_odd(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_F && !S_ISREG(st->st_mode))
		return unlink(path);
	if (flag == FTW_SL || flag == FTW_SLN)
		return unlink(path);
	return 0;
}

static int sanitize_tree(const char *path)
{
	return nftw(path, drop_odd, 32, FTW_PHYS);
}

/* The walk that removes what this build did not write. */
static struct output *prune_o;
static size_t prune_root;

static int prune_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	if (ftw->level == 0)
		return 0;
	const char *rel = path + prune_root;
	if (flag == FTW_DP) {
		rmdir(path);   /* fails, harmlessly, unless empty */
		return 0;
	}
	if (!strmap_get(&prune_o->written, rel))
		unlink(path);
	return 0;
}

/* Takes the lock on the output OUT.  Returns the open lock file, or -1
 * after an error. */
static int take_lock(const char *out, const struct output_wait *w, struct diags *d)
{
	struct buf path = BUF_INIT;
	output_beside(&path, out, "lock");
	int fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot create the lock file '%s': %s", path.ptr,
			   util_strerror(errno));
		buf_free(&path);
		return -1;
	}
	int rc = flock(fd, LOCK_EX | LOCK_NB);
	if (rc != 0 && errno == EWOULDBLOCK) {
		if (w && w->no_wait) {
			diag_error(d, NULL, 0, 0, "another build is writing '%s' (it holds %s); "
				   "not waiting (--no-wait)", out, path.ptr);
		} else {
			if (w && w->waiting)
				w->waiting(out);
			do
				rc = flock(fd, LOCK_EX);
			while (rc != 0 && errno == EINTR);
		}
	}
	if (rc != 0) {
		if (!(w && w->no_wait && errno == EWOULDBLOCK))
			diag_error(d, NULL, 0, 0, "cannot lock '%s': %s", path.ptr, util_strerror(errno));
		close(fd);
		fd = -1;
	}
	buf_free(&path);
	return fd;
}

void output_beside(struct buf *path, const char *out, const char *what)
{
	char *a = abs_path(out);
	const char *slash = strrchr(a, '/');    /* a starts with '/' */
	buf_printf(path, "%.*s/.%s.folio-%s", (int)(slash - a), a, slash + 1, what);
	free(a);
}

/* What builds into OUT left beside it when they were killed: their
 * temporary folders (".NAME.folio-tmp.PID", and ".NAME.folio-tmp.PID.old"
 * of the swap without an atomic exchange).  Returns how many there are;
 * REMOVE removes them, which only a build holding the lock may do, as
 * then no build is using any of them. */
static size_t find_debris(const char *out, bool remove)
{
	struct buf dir = BUF_INIT, path = BUF_INIT;
	output_beside(&dir, out, "tmp.");
	char *slash = strrchr(dir.ptr, '/');
	char *stem = xstrdup(slash + 1);
	size_t n = strlen(stem), found = 0;
	buf_truncate(&dir, slash == dir.ptr ? 1 : (size_t)(slash - dir.ptr));
	DIR *dp = opendir(dir.ptr);
	struct dirent *e;
	while (dp && (e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, stem, n))
			continue;
		found++;
		if (!remove)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir.ptr, e->d_name);
		output_remove_tree(path.ptr);
	}
	if (dp)
		closedir(dp);
	free(stem);
	buf_free(&dir);
	buf_free(&path);
	return found;
}

bool output_has_debris(const char *out)
{
	return find_debris(out, false) > 0;
}

int output_begin(struct output *o, const char *out, const char *site_dir,
		 const char *content_dir, bool force, const struct output_wait *w,
		 struct diags *d)
{
	memset(o, 0, sizeof(*o));
	o->lock_fd = -1;
	char *aout = abs_path(out), *asite = abs_path(site_dir), *acontent = abs_path(content_dir);
	int rc = -1;
	struct stat st;
	if (within(asite, aout)) {
		diag_error(d, NULL, 0, 0, "output folder '%s' may not be the site folder or contain it", out);
		goto out;
	}
	if (within(acontent, aout) || within(aout, acontent)) {
		diag_error(d, NULL, 0, 0, "output folder '%s' may not be, contain, or lie inside the content folder", out);
		goto out;
	}
	if (lstat(out, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			diag_error(d, NULL, 0, 0, "output '%s' exists and is not a folder", out);
			goto out;
		}
		struct buf marker = BUF_INIT;
		buf_printf(&marker, "%s/%s", out, OUTPUT_MARKER);
		bool ours = access(marker.ptr, F_OK) == 0;
		buf_free(&marker);
		if (!ours && !force && !dir_is_empty(out)) {
			diag_error(d, NULL, 0, 0,
				   "output folder '%s' is not empty and was not written by folio; "
				   "refusing to replace it (use --force)", out);
			goto out;
		}
	}
	/* The temporary folder sits beside OUT, on the same file system. */
	struct buf tmp = BUF_INIT, old = BUF_INIT;
	char tmp_name[32];
	snprintf(tmp_name, sizeof(tmp_name), "tmp.%ld", (long)getpid());
	output_beside(&tmp, out, tmp_name);
	output_beside(&old, out, "old");
	const char *slash = strrchr(aout, '/');
	/* Make the parent folders of OUT. */
	for (size_t i = 1; i < (size_t)(slash - aout); i++) {
		if (aout[i] == '/') {
			aout[i] = '\0';
			mkdir(aout, 0755);
			aout[i] = '/';
		}
	}
	if (slash != aout) {
		aout[slash - aout] = '\0';
		mkdir(aout, 0755);
		aout[slash - aout] = '/';
	}
	o->lock_fd = take_lock(out, w, d);
	if (o->lock_fd < 0) {
		buf_free(&tmp);
		buf_free(&old);
		goto out;
	}
	find_debris(out, true);
	/* Reuse the site the last build replaced, if it is ours. */
	struct buf oldmark = BUF_INIT;
	buf_printf(&oldmark, "%s/%s", old.ptr, OUTPUT_MARKER);
	if (lstat(old.ptr, &st) == 0 && S_ISDIR(st.st_mode) && access(oldmark.ptr, F_OK) == 0 &&
	    sanitize_tree(old.ptr) == 0 && rename(old.ptr, tmp.ptr) == 0) {
		o->recycled = true;
	} else {
		output_remove_tree(old.ptr);
	}
	buf_free(&oldmark);
	if (!o->recycled && mkdir(tmp.ptr, 0755) != 0) {
		diag_error(d, NULL, 0, 0, "cannot create '%s': %s", tmp.ptr, util_strerror(errno));
		buf_free(&tmp);
		buf_free(&old);
		close(o->lock_fd);
		o->lock_fd = -1;
		goto out;
	}
	o->tmp = buf_detach(&tmp, NULL);
	o->old = buf_detach(&old, NULL);
	o->out = xstrdup(out);
	o->a = arena_new();
	pthread_mutex_init(&o->lock, NULL);
	rc = 0;
out:
	free(aout);
	free(asite);
	free(acontent);
	return rc;
}

static int make_parents(const char *root, const char *rel)
{
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/%s", root, rel);
	size_t start = strlen(root) + 1;
	for (size_t i = start; i < p.len; i++) {
		if (p.ptr[i] != '/')
			continue;
		p.ptr[i] = '\0';
		if (mkdir(p.ptr, 0755) != 0 && errno != EEXIST) {
			buf_free(&p);
			return -1;
		}
		p.ptr[i] = '/';
	}
	buf_free(&p);
	return 0;
}

/* Makes the folder PATH is in, when its own parent exists (the common
 * case: "roles/x/" in "roles/").  Anything else is left to the caller's
 * fallback, make_parents. */
static void make_parent(const char *root, char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) <= strlen(root))
		return;
	*slash = '\0';
	(void)mkdir(path, 0755);
	*slash = '/';
}

/* Does the file at PATH hold exactly DATA?  Rewriting a file with the same
 * bytes costs the file system an allocation and a journal entry. */
static bool same_content(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len) {
		char chunk[65536];
		const char *p = data;
		size_t left = len;
		same = true;
		while (left > 0 && same) {
			ssize_t r = read(fd, chunk, left < sizeof chunk ? left : sizeof chunk);
			if (r <= 0) {
				same = false;
				break;
			}
			same = memcmp(chunk, p, (size_t)r) == 0;
			p += r;
			left -= (size_t)r;
		}
	}
	close(fd);
	return same;
}

int output_write(struct output *o, const char *rel, const void *data, size_t len,
		 struct diags *d)
{
	if (o->recycled) {
		pthread_mutex_lock(&o->lock);
		char *key = arena_strdup(o->a, rel);
		strmap_put(&o->written, key, key);
		pthread_mutex_unlock(&o->lock);
	}
	struct buf path = BUF_INIT, name = BUF_INIT;
	buf_put_path(&path, o->tmp, rel);
	if (o->recycled && same_content(path.ptr, data, len)) {
		buf_free(&path);
		return 0;
	}
	/* A site being served is written under a temporary name and renamed
	 * into place, so a request never reads half a file. */
	if (o->live)
		buf_printf(&name, "%s.folio-new", path.ptr);
	else
		buf_puts(&name, path.ptr);
	/* In a new folder, a page's own folder is new too: making it first
	 * saves the open that would fail and the walk down from the root. */
	if (!o->recycled && !o->live)
		make_parent(o->tmp, path.ptr);
	int fd = open(name.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno == ENOENT && make_parents(o->tmp, rel) == 0)
		fd = open(name.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		diag_error(d, NULL, 0, 0, "cannot write '%s': %s", rel, util_strerror(errno));
		buf_free(&path);
		buf_free(&name);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			diag_error(d, NULL, 0, 0, "cannot write '%s': %s", rel, util_strerror(errno));
			close(fd);
			if (o->live)
				unlink(name.ptr);
			buf_free(&path);
			buf_free(&name);
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	int rc = close(fd);
	if (rc == 0 && o->live)
		rc = rename(name.ptr, path.ptr);
	if (rc != 0) {
		diag_error(d, NULL, 0, 0, "cannot write '%s': %s", rel, util_strerror(errno));
		if (o->live)
			unlink(name.ptr);
	}
	buf_free(&path);
	buf_free(&name);
	return rc == 0 ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

void output_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode))
		unlink(path);
	else
		nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static void output_release(struct output *o)
{
	if (o->lock_fd >= 0)
		close(o->lock_fd);      /* lets a waiting build go on */
	free(o->tmp);
	free(o->out);
	free(o->old);
	if (o->a) {
		arena_free(o->a);
		strmap_free(&o->written);
		pthread_mutex_destroy(&o->lock);
	}
	memset(o, 0, sizeof(*o));
}

void output_open_live(struct output *o, const char *dir)
{
	memset(o, 0, sizeof(*o));
	o->lock_fd = -1;
	o->out = xstrdup(dir);
	o->tmp = xstrdup(dir);
	o->recycled = true;
	o->live = true;
	o->a = arena_new();
	pthread_mutex_init(&o->lock, NULL);
}

void output_close_live(struct output *o)
{
	output_release(o);
}

int output_commit(struct output *o, struct diags *d)
{
	static const char marker[] =
		"This folder was written by folio; the next build replaces it whole.\n";
	if (output_write(o, OUTPUT_MARKER, marker, sizeof(marker) - 1, d) < 0)
		return -1;
	if (o->recycled) {
		/* Single-threaded here: nftw's callback has no argument. */
		prune_o = o;
		prune_root = strlen(o->tmp) + 1;
		nftw(o->tmp, prune_entry, 32, FTW_DEPTH | FTW_PHYS);
		prune_o = NULL;
	}
	struct stat st;
	if (lstat(o->out, &st) == 0) {
		if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->out, RENAME_EXCHANGE) == 0) {
			/* The previous site, now at tmp, is the next build's start. */
			output_remove_tree(o->old);
			if (rename(o->tmp, o->old) != 0)
				output_remove_tree(o->tmp);
		} else {
			/* No atomic exchange here: move the old one aside first. */
			struct buf old = BUF_INIT;
			buf_printf(&old, "%s.old", o->tmp);
			if (rename(o->out, old.ptr) != 0 || rename(o->tmp, o->out) != 0) {
				diag_error(d, NULL, 0, 0, "cannot replace '%s': %s", o->out, util_strerror(errno));
				buf_free(&old);
				return -1;
			}
			output_remove_tree(old.ptr);
			buf_free(&old);
		}
	} else if (rename(o->tmp, o->out) != 0) {
		diag_error(d, NULL, 0, 0, "cannot create '%s': %s", o->out, util_strerror(errno));
		return -1;
	}
	output_release(o);
	return 0;
}

void output_abort(struct output *o)
{
	if (o->tmp) {
		/* Still a usable start for the next build, if it is whole. */
		struct buf mark = BUF_INIT;
		buf_printf(&mark, "%s/%s", o->tmp, OUTPUT_MARKER);
		bool keep = o->recycled && access(mark.ptr, F_OK) == 0 && o->old &&
			    rename(o->tmp, o->old) == 0;
		if (!keep)
			output_remove_tree(o->tmp);
		buf_free(&mark);
	}
	output_release(o);
}
