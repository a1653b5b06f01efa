/*
 * diag.h - diagnostics: errors and warnings with a place.
 *
 * Library modules never print: they add diagnostics to a struct diags,
 * and the command-line layer prints them, sorted by file and line, in one
 * format (FILE:LINE:COL: error: MESSAGE, or GitHub annotations).
 * Adding is thread-safe.
 */
#ifndef FOLIO_DIAG_H
#define FOLIO_DIAG_H

#include <pthread.h>
#include <stdio.h>
#include "util.h"

enum diag_level { DIAG_WARNING, DIAG_ERROR };

struct diag {
	enum diag_level level;
	char *file;             /* may be NULL for diagnostics without a place */
	unsigned line, col;     /* 1-based; 0 when unknown */
	char *msg;
	size_t seq;             /* order of arrival, for stable sorting */
};

struct diags {
	struct diag *items;
	size_t n, cap;
	size_t errors, warnings;
	pthread_mutex_t lock;
};

enum diag_format { DIAG_FORMAT_TEXT, DIAG_FORMAT_GITHUB };

void diags_init(struct diags *d);
void diags_free(struct diags *d);
void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, unsigned col, const char *fmt, ...) FOLIO_PRINTF(6, 7);
void diag_vadd(struct diags *d, enum diag_level level, const char *file,
	       unsigned line, unsigned col, const char *fmt, va_list ap);
#define diag_error(d, file, line, col, ...) diag_add(d, DIAG_ERROR, file, line, col, __VA_ARGS__)
#define diag_warning(d, file, line, col, ...) diag_add(d, DIAG_WARNING, file, line, col, __VA_ARGS__)
/* Turns every warning into an error (--strict). */
void diags_promote_warnings(struct diags *d);
/* Sorts by file, line, column, then arrival. */
void diags_sort(struct diags *d);
void diags_print(const struct diags *d, FILE *f, enum diag_format fmt);

#endif
