/*
 * inputs.c - the fingerprint of what a build reads.
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "util.h"

/* Folders deeper than this are not followed (symbolic link loops). */
#define INPUTS_MAX_DEPTH 32

struct fp {
	uint64_t h;
	const char *site_real;  /* the site folder's real path */
	char *open[INPUTS_MAX_DEPTH + 2];       /* real paths of the folders being walked */
	unsigned nopen;
};

/* Eight bytes at a time: the fingerprint only has to change when the
 * bytes do. */
static void mix(struct fp *f, const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = f->h ^ (n * 0x9E3779B97F4A7C15ULL);
	for (; n >= 8; n -= 8, c += 8) {
		uint64_t w;
		memcpy(&w, c, 8);
		h = (h ^ w) * 0x100000001B3ULL;
		h ^= h >> 29;
	}
	for (; n > 0; n--, c++)
		h = (h ^ *c) * 0x100000001B3ULL;
	f->h = h;
}

static void mix_str(struct fp *f, const char *s)
{
	mix(f, s, strlen(s) + 1);
}

/* A file as its status says: size, inode, and modification and change
 * times to the nanosecond.  Any write changes the change time, which no
 * program can set back, so the file's bytes need not be read: a build
 * reads them once, in its own stages. */
static void mix_stat(struct fp *f, const struct stat *st)
{
	long long v[] = { (long long)st->st_dev, (long long)st->st_ino, (long long)st->st_size,
			  (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
			  (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
	mix(f, v, sizeof(v));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Whether REAL lies in the site folder, and is no folder being walked:
 * the build follows such links only (content.c), with a warning
 * otherwise, and a build with warnings records no fingerprint. */
static bool followed(const struct fp *f, const char *real)
{
	size_t n = strlen(f->site_real);
	if (strcmp(f->site_real, "/") && (strncmp(real, f->site_real, n) ||
					  (real[n] != '/' && real[n] != '\0')))
		return false;
	for (unsigned i = 0; i < f->nopen; i++)
		if (!strcmp(f->open[i], real))
			return false;
	return true;
}

/* PATH, shown as REL: a file's bytes, a folder's entries in name order. */
static void mix_tree(struct fp *f, const char *path, const char *rel, unsigned depth)
{
	struct stat st;
	char real[PATH_MAX];
	mix_str(f, rel);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!realpath(path, real) || stat(path, &st) != 0) {
			mix_str(f, "broken link");
			return;
		}
		mix_str(f, real);
		if (S_ISDIR(st.st_mode) && !followed(f, real))
			return;
	} else if (stat(path, &st) != 0) {
		mix_str(f, "missing");
		return;
	}
	if (S_ISREG(st.st_mode)) {
		mix_str(f, "file");
		mix_stat(f, &st);
		return;
	}
	if (!S_ISDIR(st.st_mode) || depth > INPUTS_MAX_DEPTH || !realpath(path, real)) {
		mix_str(f, "other");
		return;
	}
	mix_str(f, "folder");
	f->open[f->nopen++] = xstrdup(real);
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	struct buf sub = BUF_INIT, subrel = BUF_INIT;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (strcmp(nm, ".") && strcmp(nm, "..")) {
			buf_reset(&sub);
			buf_reset(&subrel);
			buf_printf(&sub, "%s/%s", path, nm);
			buf_printf(&subrel, "%s/%s", rel, nm);
			mix_tree(f, sub.ptr, subrel.ptr, depth + 1);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	buf_free(&sub);
	buf_free(&subrel);
	free(f->open[--f->nopen]);
}

uint64_t inputs_fingerprint(const char *site_dir, bool drafts, const char *base_url)
{
	static const char *const parts[] = { "site.yaml", "content", "layouts", "assets" };
	struct fp f = { .h = 0x6A09E667F3BCC908ULL };
	char site_real[PATH_MAX];
	f.site_real = realpath(site_dir, site_real) ? site_real : "/";
	struct stat self;
	if (stat("/proc/self/exe", &self) == 0)
		mix_stat(&f, &self);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	mix_str(&f, sde ? sde : "");
	mix_str(&f, drafts ? "drafts" : "");
	mix_str(&f, base_url ? base_url : "");
	struct buf path = BUF_INIT;
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", site_dir, parts[i]);
		mix_tree(&f, path.ptr, parts[i], 0);
	}
	buf_free(&path);
	return f.h;
}

void inputs_record(const char *out, uint64_t fingerprint, size_t pages, size_t files)
{
	struct buf path = BUF_INIT, text = BUF_INIT;
	output_beside(&path, out, "inputs");
	if (fingerprint) {
		buf_printf(&text, "inputs %016llx\npages %zu\nfiles %zu\n",
			   (unsigned long long)fingerprint, pages, files);
		FILE *f = fopen(path.ptr, "w");
		if (!f || fwrite(text.ptr, 1, text.len, f) != text.len)
			unlink(path.ptr);
		if (f && fclose(f) != 0)
			unlink(path.ptr);
	} else {
		unlink(path.ptr);
	}
	buf_free(&path);
	buf_free(&text);
}

/* Takes the lock a build holds on OUT (output_beside's "lock") without
 * waiting.  Returns its file, or -1 when it is held or there
 * is none: then the build goes the usual way, which waits or fails. */
static int try_lock(const char *out)
{
	struct buf path = BUF_INIT;
	output_beside(&path, out, "lock");
	int fd = open(path.ptr, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	buf_free(&path);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

bool inputs_unchanged(const char *out, uint64_t fingerprint, size_t *pages, size_t *files)
{
	int lock = try_lock(out);
	if (lock < 0)
		return false;
	if (output_has_debris(out)) {
		close(lock);
		return false;
	}
	struct buf path = BUF_INIT, marker = BUF_INIT;
	output_beside(&path, out, "inputs");
	buf_printf(&marker, "%s/%s", out, OUTPUT_MARKER);
	size_t len;
	char *text = access(marker.ptr, F_OK) == 0 ? file_read(path.ptr, &len) : NULL;
	buf_free(&path);
	buf_free(&marker);
	close(lock);
	if (!text)
		return false;
	unsigned long long fp = 0;
	bool same = sscanf(text, "inputs %llx\npages %zu\nfiles %zu", &fp, pages, files) == 3 &&
		    fp == (unsigned long long)fingerprint;
	free(text);
	return same;
}
