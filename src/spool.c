/*
 * spool.c - records in memory up to a limit, older ones in a temporary
 * file that is removed as soon as it is made.
 */
#include "spool.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static _Atomic uint64_t spilled;        /* bytes moved to files, all spools */

uint64_t spool_spilled(void)
{
	return spilled;
}

void spool_init(struct spool *sp, size_t limit)
{
	buf_init(&sp->mem);
	sp->filed = 0;
	sp->limit = limit;
	sp->fd = -1;
}

static void spool_fail(const char *what)
{
	const char *dir = getenv("TMPDIR");
	die("cannot %s a temporary file in %s for the search index: %s", what,
	    dir && *dir ? dir : "/tmp", util_strerror(errno));
}

/* Moves the records in memory to the end of the file. */
static void spool_spill(struct spool *sp)
{
	if (sp->fd < 0) {
		const char *dir = getenv("TMPDIR");
		struct buf path = BUF_INIT;
		buf_printf(&path, "%s/folio-spool-XXXXXX", dir && *dir ? dir : "/tmp");
		sp->fd = mkstemp(path.ptr);
		if (sp->fd < 0)
			spool_fail("make");
		unlink(path.ptr);
		buf_free(&path);
	}
	for (size_t done = 0; done < sp->mem.len;) {
		ssize_t k = write(sp->fd, sp->mem.ptr + done, sp->mem.len - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			spool_fail("write");
		done += (size_t)k;
	}
	sp->filed += sp->mem.len;
	spilled += sp->mem.len;
	buf_reset(&sp->mem);
}

void spool_settle(struct spool *sp)
{
	if (sp->mem.len)
		spool_spill(sp);
	buf_free(&sp->mem);
}

uint64_t spool_add(struct spool *sp, const void *data, size_t n)
{
	if (sp->limit && sp->mem.len > 0 && sp->mem.len + n > sp->limit)
		spool_spill(sp);
	uint64_t off = sp->filed + sp->mem.len;
	buf_put(&sp->mem, data, n);
	return off;
}

const char *spool_get(const struct spool *sp, uint64_t off, size_t n, struct spool_reader *r)
{
	if (off >= sp->filed)
		return sp->mem.ptr + (off - sp->filed);
	if (r->sp == sp && off >= r->from && off + n <= r->from + r->b.len)
		return r->b.ptr + (off - r->from);
	/* Records are whole in the file or in memory, never across. */
	size_t want = n > SPOOL_WINDOW ? n : SPOOL_WINDOW;
	if (want > sp->filed - off)
		want = (size_t)(sp->filed - off);
	buf_reset(&r->b);
	buf_grow(&r->b, want + 1);
	r->sp = NULL;
	for (size_t done = 0; done < want;) {
		ssize_t k = pread(sp->fd, r->b.ptr + done, want - done, (off_t)(off + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			spool_fail("read");
		done += (size_t)k;
	}
	r->b.len = want;
	r->b.ptr[want] = '\0';
	r->sp = sp;
	r->from = off;
	return r->b.ptr;
}

void spool_free(struct spool *sp)
{
	buf_free(&sp->mem);
	if (sp->fd >= 0)
		close(sp->fd);
	sp->fd = -1;
	sp->filed = 0;
}
