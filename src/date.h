/*
 * date.h - the dates of front matter: YYYY-MM-DD or RFC 3339.
 * Formatting is locale-independent.
 */
#ifndef FOLIO_DATE_H
#define FOLIO_DATE_H

#include <stdbool.h>
#include "buf.h"

struct date {
	long long epoch;      /* seconds since 1970-01-01T00:00:00Z */
	int offset;           /* minutes east of UTC as written */
	bool has_time;        /* false for a plain YYYY-MM-DD */
};

/* Parses S into *OUT; returns -1 if it is neither form (or out of range). */
int date_parse(const char *s, struct date *out);
/* RFC 3339: 2026-11-21T00:00:00Z, or with the written offset. */
void date_iso(const struct date *d, struct buf *out);
/* 21 November 2026 (in the written offset). */
void date_human(const struct date *d, struct buf *out);
/* 2026-11-21 */
void date_ymd(const struct date *d, struct buf *out);
/* An epoch (UTC) as RFC 3339 with Z. */
void date_iso_epoch(long long epoch, struct buf *out);

#endif
