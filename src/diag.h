/*
 * diag.h - diagnostics: errors and warnings with a place.
 *
 * Library modules never print: they add diagnostics to a struct diags,
 * and the command-line layer prints them, sorted by file and line, in one
 * format (FILE:LINE:COL: error: MESSAGE, or GitHub annotations).
 * Adding is thread-safe.
 *
 * How folio's functions return.  The diagnostics are the real signal of
 * a failure; a return value only tells the caller what it must act on.
 * Every function returns in one of these ways:
 *
 *  - A stage (a step run_pipeline in build.c calls on the whole site)
 *    returns void and reports through diagnostics.  A caller that must
 *    know whether it failed compares d->errors before and after.  A stage
 *    whose caller needs a count (files written, links broken) returns it
 *    as a size_t, and still reports failure only through diagnostics.
 *  - A helper that can fail returns int: 0 on success, -1 on failure.
 *    Its header says where the failure is told: a diagnostic (when it
 *    takes a struct diags or a site), an error buffer, or errno.
 *  - A function that makes or finds something returns a pointer, NULL
 *    when there is nothing or on failure (told as above).
 *  - A function that cannot fail returns its value (a count, a length, an
 *    offset, a hash; a digit's value or a file descriptor, -1 for none)
 *    or void.
 *  - A function with more than two outcomes that the caller tells apart,
 *    or a callback that tells a loop to go on or stop, returns a named
 *    enum (enum split_result, enum watch_result, enum live_result).
 *  - bool only for a predicate: a question with nothing to report and no
 *    side effect (beyond, for a yes, its details in out parameters, as
 *    inputs_unchanged), named so that "if (name(x))" reads as that
 *    question (is_.., has_.., within, search_enabled).  A function whose
 *    job is to find or parse something is not a question: 0/-1.
 *  - Where a library fixes the shape, its shape: comparison functions for
 *    qsort and scandir return <0, 0 or >0; callbacks of nftw, libyaml and
 *    libmicrohttpd return what those libraries ask.  main and the cmd_*
 *    functions return the exit status.
 *
 * A caller never ignores a return that can tell a failure: it checks it,
 * or the function returns void.  The one exception is marked: a caller
 * that goes on past a failure on purpose (a stage, so that one run reports
 * every error) casts the call to (void) and says why, and does so only
 * when the failure is already in the diagnostics it reports to.
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
