/*
 * archetype.c - finding, rendering and checking the archetype of a new
 * content file (folio new).
 */
#include "archetype.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "content.h"
#include "mustache.h"
#include "value.h"
#include "yamlvalue.h"

#define BUILTIN_NAME "(built-in archetype)"

const char archetype_builtin[] =
	"---\n"
	"title: \"{{{title}}}\"\n"
	"date: {{date}}\n"
	"draft: true\n"
	"---\n"
	"\n"
	"Write the page here in Markdown. It stays out of the site until you\n"
	"remove `draft: true` above (`folio build --drafts` shows it).\n";

void archetype_title(struct buf *out, const char *name, size_t n)
{
	size_t start = out->len;
	int gap = 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '-' || name[i] == '_') {
			gap = 1;
			continue;
		}
		if (gap && out->len > start)
			buf_putc(out, ' ');
		gap = 0;
		buf_putc(out, name[i]);
	}
	if (out->len == start) {
		buf_put(out, name, n);
		return;
	}
	if (out->ptr[start] >= 'a' && out->ptr[start] <= 'z')
		out->ptr[start] = (char)(out->ptr[start] - 'a' + 'A');
}

/* Is U[0..N) at a character YAML must see escaped (beyond ASCII)?
 * Returns its length in bytes, 0 if not. */
static size_t yaml_special(const unsigned char *u, size_t n)
{
	if (n >= 2 && u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F)
		return 2;       /* C1 controls, U+0080..U+009F */
	if (n >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;       /* line and paragraph separators: read as line breaks */
	if (n >= 3 && u[0] == 0xEF && ((u[1] == 0xBB && u[2] == 0xBF) || (u[1] == 0xBF && u[2] >= 0xBE)))
		return 3;       /* U+FEFF, U+FFFE, U+FFFF */
	return 0;
}

void archetype_yaml_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		unsigned c = u[i];
		size_t k = c >= 0x80 ? yaml_special(u + i, n - i) : 0;
		if (c == '\\' || c == '"') {
			buf_putc(out, '\\');
			buf_putc(out, (int)c);
		} else if (c < 0x20 || c == 0x7F) {
			buf_printf(out, "\\x%02X", c);
		} else if (k == 2) {
			buf_printf(out, "\\x%02X", (unsigned)u[i + 1]);
		} else if (k == 3) {
			unsigned cp = ((c & 0x0Fu) << 12) | ((u[i + 1] & 0x3Fu) << 6) | (u[i + 2] & 0x3Fu);
			if (cp == 0x2028 || cp == 0x2029)
				buf_puts(out, cp == 0x2028 ? "\\L" : "\\P");
			else
				buf_printf(out, "\\u%04X", cp);
		} else {
			buf_putc(out, (int)c);
		}
		if (k)
			i += k - 1;
	}
}

/* SOURCE_DATE_EPOCH as a UTC time into *TM; -1 when it is not set to a
 * usable number. */
static int source_date(struct tm *tm)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	if (!sde || !*sde)
		return -1;
	errno = 0;
	long long e = strtoll(sde, &end, 10);
	if (*end || errno || (long long)(time_t)e != e)
		return -1;
	time_t t = (time_t)e;
	return gmtime_r(&t, tm) ? 0 : -1;
}

void archetype_today(struct buf *out)
{
	struct tm tm;
	if (source_date(&tm) < 0 || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		time_t now = time(NULL);
		if (!localtime_r(&now, &tm))
			gmtime_r(&now, &tm);
	}
	buf_printf(out, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Is PATH a file?  Something else there is an error in D. */
enum archetype_at { ARCHETYPE_BAD = -1, ARCHETYPE_NONE = 0, ARCHETYPE_FILE = 1 };
static enum archetype_at archetype_exists(const char *path, struct diags *d)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return ARCHETYPE_NONE;
		diag_error(d, path, 0, 0, "cannot read archetype: %s", util_strerror(errno));
		return ARCHETYPE_BAD;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_error(d, path, 0, 0, "archetype is not a file");
		return ARCHETYPE_BAD;
	}
	return ARCHETYPE_FILE;
}

/* Finds the archetype for SECTION in DIR and reads it into *TEXT (malloc'd;
 * NULL for the built-in one).  Returns 0, or -1 after adding an error. */
static int archetype_find(const char *dir, const char *section, struct buf *path,
			  char **text, size_t *len, struct diags *d)
{
	enum archetype_at found = ARCHETYPE_NONE;
	*text = NULL;
	if (*section) {
		buf_printf(path, "%s/%s.md", dir, section);
		found = archetype_exists(path->ptr, d);
	}
	if (found == ARCHETYPE_NONE) {
		buf_reset(path);
		buf_printf(path, "%s/default.md", dir);
		found = archetype_exists(path->ptr, d);
	}
	if (found == ARCHETYPE_BAD)
		return -1;
	if (found == ARCHETYPE_NONE) {
		buf_reset(path);
		buf_puts(path, BUILTIN_NAME);
		*len = sizeof(archetype_builtin) - 1;
		return 0;
	}
	*text = file_read(path->ptr, len);
	if (!*text) {
		diag_error(d, path->ptr, 0, 0, "cannot read archetype: %s", util_strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads TEXT[0..LEN) the way folio build reads TARGET.  Returns 0 if it
 * would load, else -1 after adding errors under TARGET. */
static int archetype_check(const char *target, const char *text, size_t len, struct diags *d)
{
	char *copy = xstrndup(text, len);
	arena *a = arena_new();
	const char *fm;
	size_t n = len, fmlen, body_off;
	unsigned body_line;
	int rc = -1;

	if (content_split(target, copy, &n, &fm, &fmlen, &body_off, &body_line, d) < 0)
		goto out;
	value *v = yamlvalue_load_text(a, target, fm, fmlen, 1, d);
	if (!v)
		goto out;
	if (v->type != V_MAP) {
		diag_error(d, target, 2, 1, "front matter must be a mapping of keys to values, not %s",
			   value_type_name(v->type));
		goto out;
	}
	rc = 0;
out:
	arena_free(a);
	free(copy);
	return rc;
}

/* The context an archetype is rendered with. */
static value *archetype_context(arena *a, const struct archetype_vars *vars)
{
	struct buf title = BUF_INIT;
	value *ctx = value_map(a);
	archetype_yaml_escape(&title, vars->title, strlen(vars->title));
	value_map_set(a, ctx, "title", value_strn(a, title.ptr, title.len));
	value_map_set(a, ctx, "date", value_str(a, vars->date));
	value_map_set(a, ctx, "slug", value_str(a, vars->slug));
	value_map_set(a, ctx, "section", value_str(a, vars->section));
	buf_free(&title);
	return ctx;
}

int archetype_render(const char *dir, const struct archetype_vars *vars, const char *target,
		     struct buf *out, char **used, struct diags *d)
{
	struct buf path = BUF_INIT;
	arena *a = arena_new();
	mustache_set *set = mustache_set_new();
	char *text = NULL;
	size_t len;
	int rc = -1;

	*used = NULL;
	if (archetype_find(dir, vars->section, &path, &text, &len, d) < 0)
		goto out;
	*used = xstrdup(path.ptr);
	if (mustache_set_add(set, "archetype", path.ptr, text ? text : archetype_builtin, len, d) < 0)
		goto out;
	if (mustache_render(set, mustache_set_get(set, "archetype"), archetype_context(a, vars),
			    out, d, NULL, NULL) < 0)
		goto out;
	if (archetype_check(target, out->ptr, out->len, d) < 0) {
		const char *t = text ? text : archetype_builtin;
		bool escaped = strstr(t, "{{title}}") || strstr(t, "{{ title }}");
		diag_error(d, path.ptr, 0, 0, "rendered for %s, this archetype does not give "
			   "a valid content file; nothing was written%s", target,
			   escaped ? " (write title: \"{{{title}}}\": {{title}} escapes for HTML)" : "");
		goto out;
	}
	rc = 0;
out:
	mustache_set_free(set);
	arena_free(a);
	buf_free(&path);
	free(text);
	return rc;
}
