/*
 * content.c - from content/ Markdown files to pages with front matter and URLs.
 */
#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "paths.h"
#include "pool.h"
#include "slug.h"
#include "yamlvalue.h"

/* Files larger than this are refused rather than parsed. */
#define CONTENT_MAX_FILE (64u * 1024 * 1024)
#define CONTENT_MAX_DEPTH 32

static int cmp_dirent(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

struct walk {
	struct site *s;
	char *site_real;        /* realpath of the site folder */
	struct buf *found;      /* "p" or "r" then the rel path, NUL-separated */
	size_t nfound;
	char *open[CONTENT_MAX_DEPTH + 2];      /* real paths of the folders being walked */
	unsigned nopen;
};

/* Is NAME[0..LEN) a Markdown file name?  Returns the extension's length. */
static size_t markdown_ext(const char *name, size_t len)
{
	if (len > 3 && !strcmp(name + len - 3, ".md"))
		return 3;
	if (len > 9 && !strcmp(name + len - 9, ".markdown"))
		return 9;
	return 0;
}

static bool is_index_name(const char *name, const char *stem)
{
	size_t n = strlen(stem);
	return !strncmp(name, stem, n) && (!strcmp(name + n, ".md") || !strcmp(name + n, ".markdown"));
}

/* Records that content/REL is not built, and why (folio check --verbose). */
static void skip(struct site *s, const char *rel, bool dir, const char *why)
{
	buf_printf(&s->skipped, "%s%s\t%s\n", rel, dir ? "/" : "", why);
}

/* Does an ignore: pattern of site.yaml match REL? */
static const char *ignored(const struct site *s, const char *rel)
{
	for (size_t i = 0; i < s->config->nignore; i++)
		if (fnmatch(s->config->ignore[i], rel, FNM_PATHNAME | FNM_PERIOD) == 0)
			return s->config->ignore[i];
	return NULL;
}

/* Is REAL (the real path of a link to a folder) one of the folders being
 * walked, so that following it would walk the same files again, deeper
 * and deeper? */
static bool walking(const struct walk *w, const char *real)
{
	for (unsigned i = 0; i < w->nopen; i++)
		if (w->open[i] && !strcmp(w->open[i], real))
			return true;
	return false;
}

/* Inside the site folder?  REAL: PATH's real path. */
static bool inside_site(struct walk *w, const char *real)
{
	size_t n = strlen(w->site_real);
	if (strcmp(w->site_real, "/") == 0)
		return true;
	return strncmp(real, w->site_real, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* How many Markdown files with front matter (a first line "---") DIR and
 * its folders hold, a few levels down: pages someone may expect built. */
static size_t count_pages(const char *dir, unsigned depth)
{
	struct dirent **names;
	int n = depth > 4 ? -1 : scandir(dir, &names, NULL, cmp_dirent);
	size_t pages = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		struct buf path = BUF_INIT;
		struct stat st;
		buf_put_path(&path, dir, nm);
		if (nm[0] != '.' && lstat(path.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				pages += count_pages(path.ptr, depth + 1);
			} else if (S_ISREG(st.st_mode) && markdown_ext(nm, strlen(nm))) {
				char head[4] = { 0 };
				FILE *f = fopen(path.ptr, "rb");
				if (f) {
					pages += fread(head, 1, 3, f) == 3 && !memcmp(head, "---", 3);
					fclose(f);
				}
			}
		}
		buf_free(&path);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return pages;
}

static void walk_dir(struct walk *w, const char *rel, unsigned depth)
{
	struct site *s = w->s;
	struct buf dir = BUF_INIT;
	buf_puts(&dir, s->content_dir);
	if (*rel)
		buf_printf(&dir, "/%s", rel);
	if (depth > CONTENT_MAX_DEPTH) {
		diag_error(s->d, dir.ptr, 0, 0, "folders nested deeper than %d levels", CONTENT_MAX_DEPTH);
		buf_free(&dir);
		return;
	}
	struct dirent **names;
	int n = scandir(dir.ptr, &names, NULL, cmp_dirent);
	if (n < 0) {
		diag_error(s->d, dir.ptr, 0, 0, "cannot read folder: %s", util_strerror(errno));
		buf_free(&dir);
		return;
	}
	char here[PATH_MAX];
	w->open[w->nopen++] = realpath(dir.ptr, here) ? xstrdup(here) : NULL;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		struct buf path = BUF_INIT, sub = BUF_INIT;
		struct stat lst, st;
		char real[PATH_MAX];
		const char *pattern;
		if (nm[0] == '.')
			goto next;      /* hidden, and . and .. */
		buf_put_path(&path, dir.ptr, nm);
		if (*rel)
			buf_put_path(&sub, rel, nm);
		else
			buf_puts(&sub, nm);
		if (lstat(path.ptr, &lst) != 0)
			goto next;
		if (S_ISLNK(lst.st_mode)) {
			if (stat(path.ptr, &st) != 0 || !realpath(path.ptr, real)) {
				diag_warning(s->d, path.ptr, 0, 0, "broken symbolic link skipped");
				goto next;
			}
			if (!inside_site(w, real)) {
				diag_warning(s->d, path.ptr, 0, 0,
					     "symbolic link leads out of the site; not followed");
				goto next;
			}
			if (S_ISDIR(st.st_mode) && walking(w, real)) {
				diag_warning(s->d, path.ptr, 0, 0,
					     "symbolic link leads to a folder it is inside (a loop); not followed");
				goto next;
			}
			if (S_ISDIR(st.st_mode) && walking(w, path.ptr)) {
				diag_warning(s->d, path.ptr, 0, 0,
					     "symbolic link leads to a folder it is inside (a loop); not followed");
				goto next;
			}
		} else {
			st = lst;
		}
		bool is_dir = S_ISDIR(st.st_mode);
		if ((pattern = ignored(s, sub.ptr))) {
			struct buf why = BUF_INIT;
			buf_printf(&why, "site.yaml ignores %s", pattern);
			skip(s, sub.ptr, is_dir, why.ptr);
			buf_free(&why);
			goto next;
		}
		if (nm[0] == '_' && !(!is_dir && is_index_name(nm, "_index"))) {
			skip(s, sub.ptr, is_dir, "its name starts with '_': partials and data are not pages");
			size_t pages = is_dir ? count_pages(path.ptr, 0) : 0;
			if (pages)
				diag_warning(s->d, path.ptr, 0, 0,
					     "not built: names starting with '_' are partials and data, but "
					     "this folder holds %zu Markdown file%s with front matter (Jekyll's "
					     "_posts?); rename it to build them, or add it to ignore: in "
					     "site.yaml to say it is meant", pages, pages == 1 ? "" : "s");
			goto next;
		}
		if (is_dir) {
			walk_dir(w, sub.ptr, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			buf_putc(w->found, markdown_ext(nm, strlen(nm)) ? 'p' : 'r');
			buf_put(w->found, sub.ptr, sub.len + 1);
			w->nfound++;
		}
next:
		buf_free(&path);
		buf_free(&sub);
		free(names[i]);
	}
	free(names);
	free(w->open[--w->nopen]);
	buf_free(&dir);
}

/* The line and column (in characters) of TO in the text starting at FROM. */
static void place_of(const char *from, const char *to, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = from; p < to; p++) {
		if (*p == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			++*col;
		}
	}
}

int content_check_encoding(const char *file, const char *text, size_t len, struct diags *d)
{
	const char *wide = text_wide_encoding(text, len);
	if (!wide)
		return 0;
	diag_error(d, file, 1, 1, "file is %s text; folio reads UTF-8 (convert it, e.g. "
		   "iconv -f %s -t UTF-8)", wide, wide);
	return -1;
}

size_t content_fold_crlf(char *text, size_t len)
{
	/* Most files have no CR: the bytes before the first one stay. */
	const char *cr = memchr(text, '\r', len);
	size_t o = cr ? (size_t)(cr - text) : len;
	for (size_t i = o; i < len; i++) {
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
			continue;
		/* A lone CR ends a line too (old Mac files), as in CommonMark. */
		text[o++] = text[i] == '\r' ? '\n' : text[i];
	}
	text[o] = '\0';
	return o;
}

/* A NUL byte or invalid UTF-8 in TEXT[0..N), a part of FILE whose first
 * line is line LINE: an error at its place, and -1. */
static int check_text(const char *file, const char *text, size_t n, unsigned line,
		      struct diags *d)
{
	const char *z = memchr(text, '\0', n);
	size_t good = z ? 0 : utf8_valid_prefix(text, n);
	if (!z && good == n)
		return 0;
	unsigned l, col;
	place_of(text, z ? z : text + good, &l, &col);
	if (!d)
		return -1;
	if (z)
		diag_error(d, file, line + l - 1, col, "file contains a NUL byte");
	else
		diag_error(d, file, line + l - 1, col, "invalid UTF-8 (byte 0x%02X)",
			   (unsigned char)text[good]);
	return -1;
}

int content_check_body(const char *file, const char *text, size_t n, unsigned line,
		       struct diags *d)
{
	return check_text(file, text, n, line, d);
}

int content_split(const char *file, char *text, size_t *len, const char **fm,
		  size_t *fmlen, size_t *body_off, unsigned *body_line, struct diags *d)
{
	/* A whole text never needs more. */
	return content_split_head(file, text, len, false, fm, fmlen, body_off, body_line, d) ==
	       SPLIT_DONE ? 0 : -1;
}

enum split_result content_split_head(const char *file, char *text, size_t *len, bool partial,
				     const char **fm, size_t *fmlen, size_t *body_off,
				     unsigned *body_line, struct diags *d)
{
	if (content_check_encoding(file, text, *len, d) < 0)
		return SPLIT_FAILED;
	size_t n = *len = content_fold_crlf(text, *len);
	size_t start = 0;
	if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		start = 3;
	/* A whole file is checked before it is split (a NUL would hide the
	 * rest from the string functions below); a head, up to its body. */
	if (!partial && check_text(file, text + start, n - start, 1, d) < 0)
		return SPLIT_FAILED;
	if (partial && memchr(text + start, '\0', n - start)) {
		/* Up to the NUL, then the whole file decides. */
		n = (size_t)((char *)memchr(text + start, '\0', n - start) - text);
	}

	/* The first line must be "---". */
	const char *p = text + start;
	const char *eol = memchr(p, '\n', n - start);
	size_t l1 = eol ? (size_t)(eol - p) : n - start;
	while (l1 > 3 && (p[l1 - 1] == ' ' || p[l1 - 1] == '\t'))
		l1--;
	if (!eol && partial)
		return SPLIT_NEED_MORE;
	if (l1 == 3 && !memcmp(p, "+++", 3)) {
		diag_error(d, file, 1, 1,
			   "front matter in TOML ('+++') is not read: folio reads YAML front matter "
			   "between '---' lines (title: \"...\" instead of title = \"...\")");
		return SPLIT_FAILED;
	}
	if (l1 != 3 || memcmp(p, "---", 3) != 0) {
		diag_error(d, file, 1, 1,
			   "missing front matter: the file must start with a '---' line, "
			   "YAML with at least 'title:', and a closing '---' line");
		return SPLIT_FAILED;
	}
	if (!eol) {
		diag_error(d, file, 1, 1, "front matter opened here is never closed (no closing '---' line)");
		return SPLIT_FAILED;
	}
	const char *yaml = eol + 1;
	const char *q = yaml, *end = text + n;
	unsigned line = 2;
	for (;;) {
		const char *e = memchr(q, '\n', (size_t)(end - q));
		size_t ll = e ? (size_t)(e - q) : (size_t)(end - q);
		size_t t = ll;
		while (t > 3 && (q[t - 1] == ' ' || q[t - 1] == '\t'))
			t--;
		if (!e && partial)
			return SPLIT_NEED_MORE;       /* the closing line may go on in the file */
		if (t == 3 && (!memcmp(q, "---", 3) || !memcmp(q, "...", 3))) {
			*fm = yaml;
			*fmlen = (size_t)(q - yaml);
			*body_off = e ? (size_t)(e + 1 - text) : n;
			*body_line = line + 1;
			if (partial && check_text(file, text + start, *body_off - start, 1, d) < 0)
				return SPLIT_FAILED;
			return SPLIT_DONE;
		}
		if (!e)
			break;
		q = e + 1;
		line++;
	}
	diag_error(d, file, 1, 1, "front matter opened here is never closed (no closing '---' line)");
	return SPLIT_FAILED;
}

const char *content_bad_slug(const char *s, size_t n)
{
	if (n == 0)
		return "it is empty";
	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return "'.' and '..' would leave the page's folder";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '/' || c == '\\')
			return "it may not contain '/' or '\\'";
		if (c < 0x20 || c == 0x7f)
			return "it may not contain control characters or NUL";
		if (c == '?' || c == '#' || c == '%' || c == '"' || c == '<' || c == '>')
			return "it may not contain ?, #, %, quotes or angle brackets";
	}
	return NULL;
}

const char *content_bad_url(const char *s, size_t n)
{
	if (n == 0)
		return "it is empty";
	size_t i = 0;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		if (j > i) {
			const char *why = content_bad_slug(s + i, j - i);
			if (why)
				return why;
			if (i == 0 && memchr(s, ':', j))
				return "it must be a path on this site, not a scheme or a drive";
		}
		i = j;
	}
	if (n >= 2 && s[0] == '/' && s[1] == '/')
		return "'//' starts another host's URL";
	return NULL;
}

/* An alias is a path like a url:, where "." and ".." segments are
 * allowed (they are resolved, and the result must stay in the site). */
static const char *bad_alias(const char *s, size_t n)
{
	if (n == 0)
		return "it is empty";
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		bool dots = (j - i == 1 && s[i] == '.') || (j - i == 2 && s[i] == '.' && s[i + 1] == '.');
		if (j > i && !dots) {
			const char *why = content_bad_slug(s + i, j - i);
			if (why)
				return why;
			if (i == 0 && memchr(s, ':', j))
				return "it must be a path on this site, not a scheme or a drive";
		}
		i = j + 1;
	}
	if (n >= 2 && s[0] == '/' && s[1] == '/')
		return "'//' starts another host's URL";
	return NULL;
}



/* "/a//b/" -> "a/b" */
static char *trim_path(arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	for (const char *p = s; *p; p++) {
		if (*p == '/' && (b.len == 0 || b.ptr[b.len - 1] == '/'))
			continue;
		buf_putc(&b, *p);
	}
	while (b.len && b.ptr[b.len - 1] == '/')
		b.len--;
	char *r = arena_strndup(a, b.ptr, b.len);
	buf_free(&b);
	return r;
}

static int check_string(struct diags *d, const char *file, value *v, const char *key)
{
	if (v->type == V_STRING)
		return 0;
	diag_error(d, file, v->line, v->col, "'%s' must be a string, not %s", key,
		   value_type_name(v->type));
	return -1;
}

static int check_string_list(struct diags *d, const char *file, value *v, const char *key)
{
	if (v->type != V_LIST) {
		diag_error(d, file, v->line, v->col, "'%s' must be a list of strings, not %s%s", key,
			   value_type_name(v->type),
			   v->type == V_STRING ? " (write [\"...\"] for a list of one)" : "");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < v->u.list.n; i++) {
		value *it = v->u.list.items[i];
		if (it->type != V_STRING) {
			diag_error(d, file, it->line, it->col, "'%s' must be a list of strings: this item is %s",
				   key, value_type_name(it->type));
			rc = -1;
		}
	}
	return rc;
}

/* A title from P's file name: "getting-started.md" -> "Getting started";
 * a section or bundle is named after its folder. */
static const char *title_from_name(arena *a, const struct page *p)
{
	const char *name = p->rel;
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	size_t n = strcspn(base, ".");
	if (p->kind != PAGE_REGULAR || p->bundle) {
		const char *d = p->src_dir;
		const char *ds = strrchr(d, '/');
		base = ds ? ds + 1 : d;
		n = strlen(base);
	}
	if (n == 0)
		return "Home";
	char *t = arena_strndup(a, base, n);
	for (char *c = t; *c; c++)
		if (*c == '-' || *c == '_')
			*c = ' ';
	t[0] = (char)to_upper(t[0]);
	return t;
}

/* The plain scalar V as written in TEXT (the whole file), for a number or
 * boolean read where text is wanted: "2019", "1.10", "yes". */
static const char *scalar_as_written(arena *a, const char *text, const value *v)
{
	const char *p = text;
	for (unsigned l = 1; l < v->line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return "";
	for (unsigned c = 1; c < v->col && *p && *p != '\n'; c++)
		p++;
	size_t n = strcspn(p, "\n#");
	while (n > 0 && is_space(p[n - 1]))
		n--;
	return arena_strndup(a, p, n);
}

/* title, date, summary, draft, weight, layout.  Returns -1 on errors. */
static int read_page_fields(struct site *s, struct page *p, value *fm, arena *a,
			    const char *text)
{
	struct diags *d = s->d;
	const char *f = p->src;
	int rc = 0;
	value *v;

	v = value_map_get(fm, "title");
	if (!v || v->type == V_NULL) {
		p->title = title_from_name(a, p);
		diag_warning(d, f, 1, 1, "front matter has no 'title'; the page is titled '%s' after its file",
			     p->title);
	} else if (v->type == V_INT || v->type == V_FLOAT || v->type == V_BOOL) {
		/* title: 2019 is the text 2019, as written. */
		p->title = scalar_as_written(a, text, v);
	} else if (check_string(d, f, v, "title") == 0) {
		p->title = v->u.str.s;
	} else {
		rc = -1;
	}
	if ((v = value_map_get(fm, "date")) && v->type != V_NULL) {
		if (v->type != V_STRING || date_parse(v->u.str.s, &p->date) < 0) {
			diag_error(d, f, v->line, v->col,
				   "'date' must be a date as YYYY-MM-DD, YYYY-MM-DD HH:MM:SS +HHMM or RFC 3339 (2026-11-21T09:30:00Z)");
			rc = -1;
		} else {
			p->has_date = true;
		}
	}
	if ((v = value_map_get(fm, "summary")) && v->type != V_NULL) {
		if (check_string(d, f, v, "summary") == 0) {
			p->summary = v->u.str.s;
			p->fm_summary = true;
		} else {
			rc = -1;
		}
	}
	if ((v = value_map_get(fm, "draft")) && v->type != V_NULL) {
		if (v->type != V_BOOL) {
			diag_error(d, f, v->line, v->col, "'draft' must be true or false, not %s",
				   value_type_name(v->type));
			rc = -1;
		} else {
			p->draft = v->u.b;
		}
	}
	if ((v = value_map_get(fm, "weight")) && v->type != V_NULL) {
		if (v->type != V_INT) {
			diag_error(d, f, v->line, v->col, "'weight' must be an integer, not %s",
				   value_type_name(v->type));
			rc = -1;
		} else {
			p->has_weight = true;
			p->weight = v->u.i;
		}
	}
	if ((v = value_map_get(fm, "layout")) && v->type != V_NULL) {
		if (check_string(d, f, v, "layout") < 0)
			rc = -1;
		else if (content_bad_url(v->u.str.s, v->u.str.len) || v->u.str.s[0] == '/') {
			diag_error(d, f, v->line, v->col, "'layout' must name a template under layouts/");
			rc = -1;
		} else {
			p->layout = v->u.str.s;
		}
	}
	return rc;
}

/* aliases, search and the taxonomies' keys.  Returns -1 on errors. */
static int read_page_lists(struct site *s, struct page *p, value *fm)
{
	struct diags *d = s->d;
	const char *f = p->src;
	int rc = 0;
	value *v;

	if ((v = value_map_get(fm, "aliases")) && v->type != V_NULL) {
		if (check_string_list(d, f, v, "aliases") < 0)
			rc = -1;
		else {
			for (size_t i = 0; i < v->u.list.n; i++) {
				value *it = v->u.list.items[i];
				const char *why = bad_alias(it->u.str.s, it->u.str.len);
				if (why) {
					diag_error(d, f, it->line, it->col, "alias '%s' is not a valid path: %s",
						   it->u.str.s, why);
					rc = -1;
				}
			}
		}
	}
	if ((v = value_map_get(fm, "search")) && v->type != V_NULL && v->type != V_BOOL) {
		diag_error(d, f, v->line, v->col, "'search' must be true or false");
		rc = -1;
	}
	for (size_t t = 0; t < s->config->ntax; t++) {
		v = value_map_get(fm, s->config->tax[t].key);
		if (v && v->type != V_NULL && check_string_list(d, f, v, s->config->tax[t].key) < 0)
			rc = -1;
	}

	return rc;
}

/* P's URL and output path: from its file's path, then slug:, then url:
 * (or Jekyll's permalink:).  Returns -1 on errors. */
static int read_page_url(struct site *s, struct page *p, value *fm, arena *a)
{
	struct diags *d = s->d;
	const char *f = p->src;
	int rc = 0;

	value *slug = value_map_get(fm, "slug");
	value *url = value_map_get(fm, "url");
	value *perm = value_map_get(fm, "permalink");
	if ((!url || url->type == V_NULL) && perm && perm->type == V_STRING) {
		/* Jekyll's permalink: a plain path is url:; one with
		 * placeholders (/:categories/:title/) is not read. */
		if (strchr(perm->u.str.s, ':'))
			diag_warning(d, f, perm->line, perm->col,
				     "permalink '%s' has Jekyll placeholders folio does not fill; "
				     "the page is at the URL its file gives (write url: to choose one)",
				     perm->u.str.s);
		else
			url = perm;
	}
	if (slug && slug->type != V_NULL) {
		const char *why = NULL;
		if (check_string(d, f, slug, "slug") < 0)
			rc = -1;
		else if ((why = content_bad_slug(slug->u.str.s, slug->u.str.len))) {
			diag_error(d, f, slug->line, slug->col, "'slug' is not valid: %s", why);
			rc = -1;
		} else if (p->kind == PAGE_HOME) {
			diag_error(d, f, slug->line, slug->col, "the home page cannot have a 'slug'");
			rc = -1;
		}
	}
	if (url && url->type != V_NULL) {
		const char *why = NULL;
		if (check_string(d, f, url, "url") < 0)
			rc = -1;
		else if ((why = content_bad_url(url->u.str.s, url->u.str.len))) {
			diag_error(d, f, url->line, url->col, "'url' is not valid: %s", why);
			rc = -1;
		}
	}
	if (rc < 0)
		return -1;

	struct buf path = BUF_INIT;
	if (url && url->type == V_STRING) {
		buf_puts(&path, trim_path(a, url->u.str.s));
	} else {
		/* roles/x.md -> roles/x; roles/_index.md and bundles
		 * roles/x/index.md -> the folder; lowercase unless
		 * urls.lowercase is false. */
		const char *rel = p->rel;
		size_t n = strlen(rel) - markdown_ext(rel, strlen(rel));
		if (p->kind != PAGE_REGULAR || p->bundle)
			n = strlen(p->src_dir);
		const char *seg = rel + n;
		while (seg > rel && seg[-1] != '/')
			seg--;
		bool has_slug = slug && slug->type == V_STRING;
		size_t keep = has_slug ? (size_t)(seg - rel) : n;
		if (s->config->lowercase)
			slug_lower(&path, rel, keep);
		else
			buf_put(&path, rel, keep);
		if (has_slug)
			buf_puts(&path, slug->u.str.s);
	}
	paths_set_page(a, p, path.ptr);
	buf_free(&path);
	return 0;
}

/* Reads the known keys of P's front matter (TEXT: the file).  Returns -1
 * on errors. */
static int read_known_keys(struct site *s, struct page *p, value *fm, arena *a,
			   const char *text)
{
	int rc = read_page_fields(s, p, fm, a, text);
	if (read_page_lists(s, p, fm) < 0)
		rc = -1;
	return rc < 0 ? -1 : read_page_url(s, p, fm, a);
}

struct load_job {
	struct site *s;
	const char **rels;
	struct page **pages;
	const struct strmap *bundles;   /* leaf bundle folder -> its index file */
	arena **scratch;                /* per worker: a page's front matter tree */
};

/* The load stage reads this much of a file first: front matter is
 * rarely longer, and the Markdown stage reads the body after it. */
#define CONTENT_HEAD 4096

/* Reads the head of P's file (NUL-terminated, malloc'd): its first
 * CONTENT_HEAD bytes, or all of it; *WHOLE tells which.  NULL after an
 * error. */
static char *read_head(struct site *s, struct page *p, size_t *len, bool *whole)
{
	int fd = open(p->src, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		diag_error(s->d, p->src, 0, 0, "cannot read: %s", util_strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (st.st_size > (off_t)CONTENT_MAX_FILE) {
		diag_error(s->d, p->src, 0, 0, "file is larger than %u MiB", CONTENT_MAX_FILE >> 20);
		close(fd);
		return NULL;
	}
	char *text = xmalloc(CONTENT_HEAD + 1);
	/* The size says how much to read and whether the head is all of the
	 * file (a file that changes meanwhile is read as it was).  A size
	 * of 0 may be a file whose size is not known (as in /proc): read. */
	size_t want = st.st_size > 0 && st.st_size < CONTENT_HEAD ? (size_t)st.st_size : CONTENT_HEAD;
	size_t n = 0;
	while (n < want) {
		ssize_t r = read(fd, text + n, want - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			diag_error(s->d, p->src, 0, 0, "cannot read: %s", util_strerror(errno));
			free(text);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*whole = n < want || (st.st_size > 0 && st.st_size <= CONTENT_HEAD);
	close(fd);
	text[n] = '\0';
	*len = n;
	return text;
}

static void load_one(void *arg, size_t i, unsigned worker)
{
	struct load_job *job = arg;
	struct site *s = job->s;
	arena *a = s->thread_arenas[worker];
	struct page *p = arena_zalloc(a, sizeof(*p));
	const char *rel = job->rels[i];
	struct buf src = BUF_INIT;
	buf_put_path(&src, s->content_dir, rel);
	p->src = arena_strndup(a, src.ptr, src.len);
	p->rel = arena_strdup(a, rel);
	buf_free(&src);
	const char *slash = strrchr(p->rel, '/');
	p->src_dir = arena_strndup(a, p->rel, slash ? (size_t)(slash - p->rel) : 0);
	p->dir = p->src_dir;
	const char *base = slash ? slash + 1 : p->rel;
	if (is_index_name(base, "_index")) {
		p->kind = *p->dir ? PAGE_SECTION : PAGE_HOME;
	} else {
		p->kind = PAGE_REGULAR;
		/* DIR/index.md: the page of the bundle DIR, in DIR's parent section. */
		p->bundle = *p->src_dir && is_index_name(base, "index") &&
			    strmap_get(job->bundles, p->src_dir) == rel;
		if (p->bundle) {
			const char *up = strrchr(p->src_dir, '/');
			p->dir = arena_strndup(a, p->src_dir, up ? (size_t)(up - p->src_dir) : 0);
		}
	}
	p->top = arena_strndup(a, p->dir, strcspn(p->dir, "/"));

	size_t len;
	bool whole;
	char *text = read_head(s, p, &len, &whole);
	if (!text)
		return;
	const char *fm;
	size_t fmlen, body_off;
	unsigned body_line;
	/* Whether the body starts where the file says: no CR before it, so
	 * the Markdown stage can read the body alone. */
	p->body_raw = !memchr(text, '\r', len);
	enum split_result rc = content_split_head(p->src, text, &len, !whole, &fm, &fmlen,
						  &body_off, &body_line, s->d);
	if (rc == SPLIT_NEED_MORE) {
		/* Front matter longer than the head: the whole file, then. */
		free(text);
		text = file_read(p->src, &len);
		if (!text) {
			diag_error(s->d, p->src, 0, 0, "cannot read: %s", util_strerror(errno));
			return;
		}
		p->body_raw = !memchr(text, '\r', len);
		rc = content_split_head(p->src, text, &len, false, &fm, &fmlen, &body_off,
					&body_line, s->d);
	}
	/* Files are at most CONTENT_MAX_FILE bytes: the offset fits. */
	p->body_off = (uint32_t)body_off;
	p->body_line = body_line;
	if (rc == SPLIT_DONE) {
		p->fm_hash = hash64(text, p->body_off);
		arena *tmp = job->scratch[worker];
		arena_reset(tmp);
		value *tree = yamlvalue_load_text(tmp, p->src, fm, fmlen, 1, s->d);
		if (tree && tree->type == V_NULL)
			tree = value_at(value_map(tmp), p->src, 1, 1);
		if (tree && tree->type != V_MAP) {
			diag_error(s->d, p->src, tree->line, tree->col,
				   "front matter must be a mapping of keys to values, not %s",
				   value_type_name(tree->type));
		} else if (tree) {
			/* Kept packed for the whole build; the fields read now
			 * point into the packed bytes. */
			struct buf packed = BUF_INIT;
			value_pack(&packed, tree);
			char *blob = arena_bytes(a, packed.len);
			memcpy(blob, packed.ptr, packed.len);
			buf_free(&packed);
			p->fm_packed = blob;
			if (read_known_keys(s, p, value_unpack(tmp, blob, p->src), a, text) == 0)
				job->pages[i] = p;
		}
	}
	free(text);
}




/* The folder part of REL ("" at the top), from A. */
static const char *dir_of(arena *a, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return arena_strndup(a, rel, slash ? (size_t)(slash - rel) : 0);
}

/* The index file of the leaf bundle REL lies in (the outermost folder
 * above it in BUNDLES, folder -> index file), or NULL. */
static const char *bundle_of(const struct strmap *bundles, const char *rel)
{
	struct buf d = BUF_INIT;
	buf_puts(&d, rel);
	const char *index = NULL, *found;
	char *slash;
	/* The outermost one: a bundle inside a bundle is its resource. */
	while ((slash = strrchr(d.ptr, '/')) != NULL) {
		buf_truncate(&d, (size_t)(slash - d.ptr));
		if ((found = strmap_get(bundles, d.ptr)))
			index = found;
	}
	buf_free(&d);
	return index;
}

/*
 * Sorts what the walk found into pages and resources.  DIR/index.md is a
 * leaf bundle: the page at /DIR/; the other files under DIR are its
 * resources, Markdown ones included (as with Hugo, not pages).  A folder
 * with both index.md and _index.md is an error naming both.
 */
static void classify(struct site *s, const char **entries, size_t n, const char **rels,
		     size_t *npages, struct strmap *bundles)
{
	for (size_t i = 0; i < n; i++) {
		const char *rel = entries[i] + 1;
		const char *base = strrchr(rel, '/');
		if (entries[i][0] == 'p' && base && is_index_name(base + 1, "index"))
			strmap_put(bundles, dir_of(s->a, rel), (void *)rel);
	}
	for (size_t i = 0; i < n; i++) {
		const char *rel = entries[i] + 1;
		const char *base = strrchr(rel, '/');
		base = base ? base + 1 : rel;
		const char *index = bundle_of(bundles, rel);
		if (entries[i][0] == 'p' && is_index_name(base, "_index")) {
			const char *leaf = strmap_get(bundles, dir_of(s->a, rel));
			if (leaf) {
				struct buf a = BUF_INIT;
				buf_printf(&a, "%s/%s", s->content_dir, leaf);
				diag_error(s->d, a.ptr, 1, 1,
					   "a folder holds both %s (a page bundle) and %s (a section); keep one",
					   strrchr(leaf, '/') + 1, base);
				buf_free(&a);
				continue;
			}
		}
		if (entries[i][0] == 'p' && (!index || index == rel)) {
			rels[(*npages)++] = rel;
			continue;
		}
		if (entries[i][0] == 'p')
			skip(s, rel, false, "Markdown inside a page bundle is one of its resources, not a page");
		struct resource r = { .rel = rel, .out = NULL };
		s->resources = xrealloc(s->resources, (s->nresources + 1) * sizeof(*s->resources));
		s->resources[s->nresources++] = r;
	}
}

/* Where each resource is written: beside its bundle page's output (the
 * page's URL folder and the path inside the bundle), else at its folder's
 * URL, named as it is. */
static void place_resources(struct site *s, const struct strmap *bundles)
{
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < s->nresources; i++) {
		struct resource *r = &s->resources[i];
		const char *index = bundle_of(bundles, r->rel);
		struct page *owner = index ? site_find_rel(s, index) : NULL;
		buf_reset(&out);
		if (index && !owner) {
			/* The bundle's page is a draft or has errors: its files
			 * are left out with it. */
			r->out = NULL;
			continue;
		}
		if (owner) {
			size_t dlen = (size_t)(strrchr(index, '/') - index);
			/* Beside the page: in its URL's folder (a url: naming a
			 * file, /x.html, puts them beside that file). */
			const char *u = owner->url + 1;
			const char *cut = strrchr(u, '/');
			buf_put(&out, u, cut ? (size_t)(cut - u + 1) : 0);
			buf_puts(&out, r->rel + dlen + 1);
		} else {
			const char *slash = strrchr(r->rel, '/');
			size_t dlen = slash ? (size_t)(slash - r->rel) : 0;
			if (s->config->lowercase)
				slug_lower(&out, r->rel, dlen);
			else
				buf_put(&out, r->rel, dlen);
			if (dlen)
				buf_putc(&out, '/');
			buf_puts(&out, slash ? slash + 1 : r->rel);
		}
		r->out = arena_strndup(s->a, out.ptr, out.len);
		strmap_put(&s->by_resource, r->rel, r);
	}
	buf_free(&out);
}

void content_load(struct site *s)
{
	struct walk w = { .s = s };
	struct buf found = BUF_INIT;
	char real[PATH_MAX];
	struct stat st;

	if (stat(s->content_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		diag_error(s->d, s->content_dir, 0, 0, "no content folder");
		return;
	}
	if (!realpath(s->dir, real)) {
		diag_error(s->d, s->dir, 0, 0, "cannot resolve the site folder: %s", util_strerror(errno));
		return;
	}
	w.site_real = real;
	w.found = &found;
	walk_dir(&w, "", 0);

	const char **entries = xmalloc((w.nfound + 1) * sizeof(*entries));
	const char *q = found.ptr;
	for (size_t i = 0; i < w.nfound; i++) {
		entries[i] = q;
		q += strlen(q) + 1;
	}
	const char **rels = arena_alloc(s->a, (w.nfound + 1) * sizeof(*rels));
	size_t npages = 0;
	struct strmap bundles = STRMAP_INIT;
	classify(s, entries, w.nfound, rels, &npages, &bundles);
	free(entries);

	struct load_job job = { .s = s, .rels = rels, .bundles = &bundles };
	job.pages = arena_zalloc(s->a, (npages + 1) * sizeof(*job.pages));
	job.scratch = arenas_new(s->threads);
	pool_run(s->threads, npages, load_one, &job);
	arenas_free(job.scratch, s->threads);
	for (size_t i = 0; i < npages; i++) {
		struct page *p = job.pages[i];
		if (!p) {
			strmap_put(&s->broken, rels[i], rels);
			continue;
		}
		if (p->draft && !s->drafts) {
			strmap_put(&s->draft_rels, p->rel, p);
			continue;
		}
		site_add_page(s, p);
	}
	s->ncontent = s->npages;
	place_resources(s, &bundles);
	strmap_free(&bundles);
	s->walk_names = buf_detach(&found, NULL);
}
