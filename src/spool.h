/*
 * spool.h - an append-only store of byte records that keeps the newest
 * in memory and moves older ones to a temporary file past a limit.
 *
 * The search index holds what it needs of every page (and the files it
 * lays out) in spools, so its memory stays under a bound however large
 * the site: a record is added once, gets an offset, and is read back by
 * that offset, from memory or from the file.
 */
#ifndef FOLIO_SPOOL_H
#define FOLIO_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct spool {
	struct buf mem;         /* the records from FILED on */
	uint64_t filed;         /* bytes moved to the file */
	size_t limit;           /* bytes kept in memory at most, about */
	int fd;                 /* the temporary file, -1 until needed */
};

/* An empty spool keeping up to LIMIT bytes in memory (0: no limit). */
void spool_init(struct spool *sp, size_t limit);
/* Adds DATA[0..N) and returns its offset.  Dies if the temporary file
 * (in TMPDIR, default /tmp) cannot be written. */
uint64_t spool_add(struct spool *sp, const void *data, size_t n);
/* A window on a spool's file: records near each other are read with one
 * read of SPOOL_WINDOW bytes.  Zero it to start; free its B. */
struct spool_reader {
	const struct spool *sp;
	uint64_t from;          /* the window is the file's bytes from FROM on */
	struct buf b;
};
#define SPOOL_WINDOW ((size_t)256 << 10)

/* The N bytes at OFF, valid until R is used again: in memory when they
 * are there, else from R's window, read again when they are not in it.
 * Safe to call from several threads at once, each with its own R, while
 * nothing is added. */
const char *spool_get(const struct spool *sp, uint64_t off, size_t n, struct spool_reader *r);
/* Moves every record to the file and frees the memory they took, for a
 * spool that is only read for a while. */
void spool_settle(struct spool *sp);
/* Bytes added so far. */
static inline uint64_t spool_size(const struct spool *sp) { return sp->filed + sp->mem.len; }
void spool_free(struct spool *sp);
/* Bytes all spools of the process have moved to files (for tests). */
uint64_t spool_spilled(void);

#endif
