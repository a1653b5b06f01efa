/*
 * diag.c - collecting, sorting and printing diagnostics.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
}

void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       unsigned line, unsigned col, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	pthread_mutex_lock(&d->lock);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->items = xrealloc(d->items, d->cap * sizeof(*d->items));
	}
	struct diag *g = &d->items[d->n];
	g->level = level;
	g->file = file ? xstrdup(file) : NULL;
	g->line = line;
	g->col = col;
	g->msg = buf_detach(&msg, NULL);
	g->seq = d->n++;
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
	pthread_mutex_unlock(&d->lock);
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, level, file, line, col, fmt, ap);
	va_end(ap);
}

void diags_promote_warnings(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->items[i].level == DIAG_WARNING) {
			d->items[i].level = DIAG_ERROR;
			d->warnings--;
			d->errors++;
		}
	}
}

static int diag_cmp(const void *pa, const void *pb)
{
	const struct diag *a = pa, *b = pb;
	int c;
	if (!a->file != !b->file)
		return a->file ? 1 : -1;   /* placeless ones first */
	if (a->file && (c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diags_sort(struct diags *d)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof(*d->items), diag_cmp);
}

/* GitHub annotations end at a newline and treat % specially. */
static void put_github_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else
			fputc(*s, f);
	}
}

void diags_print(const struct diags *d, FILE *f, enum diag_format fmt)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *g = &d->items[i];
		const char *lvl = g->level == DIAG_ERROR ? "error" : "warning";
		if (fmt == DIAG_FORMAT_GITHUB) {
			fprintf(f, "::%s", lvl);
			if (g->file) {
				fprintf(f, " file=%s", g->file);
				if (g->line)
					fprintf(f, ",line=%u", g->line);
				if (g->col)
					fprintf(f, ",col=%u", g->col);
			}
			fputs("::", f);
			put_github_escaped(f, g->msg);
			fputc('\n', f);
			continue;
		}
		if (g->file) {
			fputs(g->file, f);
			if (g->line) {
				fprintf(f, ":%u", g->line);
				if (g->col)
					fprintf(f, ":%u", g->col);
			}
			fputs(": ", f);
		} else {
			fputs("folio: ", f);
		}
		fprintf(f, "%s: %s\n", lvl, g->msg);
	}
}
