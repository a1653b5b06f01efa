/*
 * cmd_new.c - folio new [-s SITE] PATH: starts a content file from an
 * archetype (see archetype.h), never overwriting one.
 *
 * PATH is relative to SITE/content ("roles/data-analyst.md"); a leading
 * "content/" is dropped and a missing ".md" added.  The file is created
 * with O_EXCL, so a file made meanwhile by someone else is never replaced,
 * and its path is printed on standard output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archetype.h"
#include "buf.h"
#include "cmd.h"
#include "diag.h"

/* The names a new file's path gives. */
struct new_names {
	struct buf rel;         /* "roles/data-analyst.md", under content/ */
	struct buf section;     /* "roles", "" at the top */
	struct buf slug;        /* "data-analyst" */
	struct buf title;       /* "Data analyst" */
};

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "folio: %s%s%s%s\n", msg, arg ? " '" : "", arg ? arg : "", arg ? "'" : "");
	fputs("usage: folio new [-s SITE] PATH   (PATH under SITE/content, e.g. roles/data-analyst.md)\n",
	      stderr);
	return 2;
}

/* Says why the characters of PATH[0..N) cannot name a content file, or
 * returns NULL. */
static const char *bad_chars(const char *path, size_t n)
{
	if (n == 0)
		return "the path is empty";
	if (path[0] == '/')
		return "absolute paths are not allowed: give a path under content/, "
		       "e.g. roles/data-analyst.md";
	if (utf8_valid_prefix(path, n) != n)
		return "the path is not valid UTF-8";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c < 0x20 || c == 0x7F)
			return "the path contains a control character";
		if (c == '\\')
			return "the path contains a backslash: separate folders with '/'";
	}
	const char *last = strrchr(path, '/');
	last = last ? last + 1 : path;
	if (!*last || !strcmp(last, ".") || !strcmp(last, ".."))
		return "that is a folder: add a file name, e.g. roles/data-analyst.md";
	return NULL;
}

/*
 * Turns PATH, relative to content/, into REL: empty and "." components
 * and one leading "content/" dropped, ".md" added.  Returns NULL when
 * fine, else why PATH cannot name a content file.
 */
static const char *clean_path(const char *path, struct buf *rel)
{
	size_t n = strlen(path);
	const char *why = bad_chars(path, n);
	const char *p = path, *end = path + n;
	bool first = true;
	if (why)
		return why;
	while (p < end) {
		const char *e = memchr(p, '/', (size_t)(end - p));
		size_t len;
		if (!e)
			e = end;
		len = (size_t)(e - p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return "'..' is not allowed: the file must stay inside content/";
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (p[0] == '.')
				return "names starting with '.' are hidden, and folio skips them";
			if (!(first && e < end && len == 7 && !memcmp(p, "content", 7))) {
				if (rel->len)
					buf_putc(rel, '/');
				buf_put(rel, p, len);
			}
			first = false;
		}
		p = e + 1;
	}
	if (!rel->len)
		return "that is a folder: add a file name, e.g. roles/data-analyst.md";
	if (rel->len < 3 || strcmp(rel->ptr + rel->len - 3, ".md"))
		buf_puts(rel, ".md");
	return NULL;
}

/* Fills the section, slug and title from NM->rel.  The title of a
 * section's _index.md comes from its folder ("Home" at the top). */
static void name_parts(struct new_names *nm)
{
	const char *rel = nm->rel.ptr;
	const char *slash = strchr(rel, '/');
	const char *name = strrchr(rel, '/');
	name = name ? name + 1 : rel;
	if (slash)
		buf_put(&nm->section, rel, (size_t)(slash - rel));
	buf_put(&nm->slug, name, strlen(name) - 3);
	if (strcmp(nm->slug.ptr, "_index")) {
		archetype_title(&nm->title, nm->slug.ptr, nm->slug.len);
	} else if (name == rel) {
		buf_puts(&nm->title, "Home");
	} else {
		const char *folder = name - 1;
		while (folder > rel && folder[-1] != '/')
			folder--;
		archetype_title(&nm->title, folder, (size_t)(name - 1 - folder));
	}
}

/*
 * Does the deepest folder on the way to DIR that exists lie outside the
 * folder CONTENT, once symbolic links are resolved?  A missing CONTENT is
 * fine: everything under it will be made.
 */
static bool leads_outside(const char *content, const char *dir)
{
	char *root = realpath(content, NULL), *real = NULL;
	struct buf b = BUF_INIT;
	size_t n;
	bool outside = false;
	if (!root)
		return false;
	buf_puts(&b, dir);
	while (!(real = realpath(b.ptr, NULL)) && b.len > strlen(content)) {
		char *slash = strrchr(b.ptr, '/');
		if (!slash)
			break;
		buf_truncate(&b, (size_t)(slash - b.ptr));
	}
	n = strcmp(root, "/") ? strlen(root) : 0;
	if (real)
		outside = strncmp(real, root, n) || (real[n] && real[n] != '/');
	free(real);
	free(root);
	buf_free(&b);
	return outside;
}

/* Creates the missing folders on the way to the file PATH. */
static int make_dirs(const char *path, struct diags *d)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int rc = 0;
	buf_puts(&b, path);
	for (char *p = strchr(b.ptr + 1, '/'); p && rc == 0; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(b.ptr, 0777) != 0 && errno != EEXIST) {
			diag_error(d, b.ptr, 0, 0, "cannot create folder: %s", util_strerror(errno));
			rc = -1;
		} else if (stat(b.ptr, &st) != 0 || !S_ISDIR(st.st_mode)) {
			diag_error(d, b.ptr, 0, 0, "is not a folder");
			rc = -1;
		}
		*p = '/';
	}
	buf_free(&b);
	return rc;
}

static void exists_error(const char *path, struct diags *d)
{
	diag_error(d, path, 0, 0, "already exists; folio new does not overwrite files");
}

/* Writes TEXT to PATH, which must not exist yet (O_EXCL: never replaces
 * a file, even one made a moment ago).  Removes what it wrote on failure. */
static int write_new(const char *path, const struct buf *text, struct diags *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	size_t off = 0;
	int err;
	if (fd < 0) {
		if (errno == EEXIST)
			exists_error(path, d);
		else
			diag_error(d, path, 0, 0, "cannot create: %s", util_strerror(errno));
		return -1;
	}
	while (off < text->len) {
		ssize_t w = write(fd, text->ptr + off, text->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		off += (size_t)w;
	}
	if (close(fd) == 0)
		return 0;
	fd = -1;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	unlink(path);
	diag_error(d, path, 0, 0, "cannot write: %s", util_strerror(err));
	return -1;
}

/* Renders the archetype for NM into a new file in SITE (prefix PRE:
 * "" or "SITE/").  Returns the exit status. */
static int new_file(const char *pre, struct new_names *nm, struct diags *d)
{
	struct buf target = BUF_INIT, content = BUF_INIT, dir = BUF_INIT;
	struct buf date = BUF_INIT, text = BUF_INIT;
	struct archetype_vars vars;
	char *used = NULL;
	struct stat st;
	int rc = 1;

	buf_printf(&target, "%scontent/%s", pre, nm->rel.ptr);
	buf_printf(&content, "%scontent", pre);
	if (lstat(target.ptr, &st) == 0) {
		exists_error(target.ptr, d);
		goto out;
	}
	buf_put(&dir, target.ptr, (size_t)(strrchr(target.ptr, '/') - target.ptr));
	if (leads_outside(content.ptr, dir.ptr)) {
		fprintf(stderr, "folio: cannot create '%s': a symbolic link on the way leads "
			"out of %s/\n", target.ptr, content.ptr);
		rc = 2;
		goto out;
	}
	archetype_today(&date);
	vars.title = nm->title.ptr;
	vars.date = date.ptr;
	vars.slug = nm->slug.ptr;
	vars.section = nm->section.ptr;
	buf_reset(&dir);
	buf_printf(&dir, "%sarchetypes", pre);
	if (archetype_render(dir.ptr, &vars, target.ptr, &text, &used, d) < 0)
		goto out;
	if (make_dirs(target.ptr, d) < 0 || write_new(target.ptr, &text, d) < 0)
		goto out;
	printf("%s\n", target.ptr);
	if (fflush(stdout) != 0) {
		diag_error(d, NULL, 0, 0, "cannot write standard output: %s", util_strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(used);
	buf_free(&target);
	buf_free(&content);
	buf_free(&dir);
	buf_free(&date);
	buf_free(&text);
	return rc;
}

/* Checks SITE and PATH, then makes the file.  Returns the exit status. */
static int new_page(const char *site, const char *path)
{
	struct new_names nm = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	struct buf pre = BUF_INIT, conf = BUF_INIT;
	struct diags d;
	struct stat st;
	const char *why;
	int rc = 2;

	diags_init(&d);
	if (strcmp(site, "."))
		buf_printf(&pre, "%s%s", site, site[strlen(site) - 1] == '/' ? "" : "/");
	buf_printf(&conf, "%ssite.yaml", pre.ptr);
	if ((why = clean_path(path, &nm.rel))) {
		fprintf(stderr, "folio: cannot create '%s': %s\n", path, why);
		goto out;
	}
	if (stat(conf.ptr, &st) != 0) {
		fprintf(stderr, "folio: %s is not a site folder (it has no site.yaml); "
			"give the site with -s SITE\n", site);
		goto out;
	}
	name_parts(&nm);
	rc = new_file(pre.ptr, &nm, &d);
out:
	diags_sort(&d);
	diags_print(&d, stderr, DIAG_FORMAT_TEXT);
	diags_free(&d);
	buf_free(&nm.rel);
	buf_free(&nm.section);
	buf_free(&nm.slug);
	buf_free(&nm.title);
	buf_free(&pre);
	buf_free(&conf);
	return rc;
}

int cmd_new(int argc, char **argv)
{
	const char *site = ".", *path = NULL;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		int missing = 0;
		if (options && !strcmp(a, "--")) {
			options = false;
		} else if (options && (v = cmd_option(argc, argv, &i, "--site", "-s", &missing))) {
			if (!*v)
				return usage("-s needs a site folder", NULL);
			site = v;
		} else if (missing) {
			return usage("missing value after", a);
		} else if (options && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
			usage(NULL, NULL);
			return 0;
		} else if (options && a[0] == '-' && a[1]) {
			return usage("unknown option", a);
		} else if (!path) {
			path = a;
		} else {
			return usage("unexpected argument", a);
		}
	}
	if (!path)
		return usage("which file? give its path under content/", NULL);
	return new_page(site, path);
}
