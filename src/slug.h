/*
 * slug.h - URL- and id-safe names from text.
 *
 * Lowercase ASCII letters and digits are kept; Latin letters with accents
 * fold to their base letter (é -> e, ß -> ss); every other run of
 * characters becomes one '-', with none at either end.  Other scripts
 * (Greek, CJK, ...) are kept as UTF-8.  "Django", "django" and "DJANGO "
 * all give "django"; "REST APIs" gives "rest-apis".
 */
#ifndef FOLIO_SLUG_H
#define FOLIO_SLUG_H

#include <stddef.h>
#include "buf.h"

/* Appends the slug of S[0..N) to OUT. */
void slug_append(struct buf *out, const char *s, size_t n);

/*
 * Appends the heading id of S[0..N) to OUT, by GitHub's rule (the one Hugo
 * and most Markdown previews use, so links written against them keep
 * working): letters are lowercased, letters, digits, '-' and '_' are kept,
 * each space becomes '-' (runs are not collapsed), and everything else,
 * punctuation and symbols, is dropped.  "Migrating from v1.18.0" gives
 * "migrating-from-v1180", "Smileys & Emotion" gives "smileys--emotion",
 * "Café" gives "café".  The caller makes ids unique (-1, -2, ...).
 */
void slug_heading_id(struct buf *out, const char *s, size_t n);

/* Appends S[0..N) lowercased (ASCII, Latin, Greek and Cyrillic letters;
 * the rest as it is): URLs made from file and folder names. */
void slug_lower(struct buf *out, const char *s, size_t n);

/*
 * Appends a key under which two paths that would name the same file on a
 * case-insensitive or normalising file system (macOS, Windows) are equal:
 * lowercased, with accents folded and combining marks dropped, so "QR",
 * "qr", "Café" written precomposed and "Café" written with a combining
 * accent each meet their twin.
 */
void slug_fold_key(struct buf *out, const char *s, size_t n);

#endif
