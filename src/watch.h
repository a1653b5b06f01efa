/*
 * watch.h - watching a site folder for changes (Linux inotify).
 *
 * Watched: site.yaml and everything under content/, layouts/ and assets/,
 * folders created later included (and those three folders themselves
 * when they appear).  Editor temporary files are ignored: names starting
 * with '.' (vim's .x.swp, emacs's .#x, which folio skips anyway), ending
 * in '~', '#x#', vim's 4913 and JetBrains' ___jb_tmp___ / ___jb_old___.
 * A save by rename (write a temporary file, rename it over the original)
 * is seen as a change of the original.
 */
#ifndef FOLIO_WATCH_H
#define FOLIO_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"
#include "strmap.h"

/* A set of changed paths, relative to the site folder ("content/a.md",
 * "site.yaml"), in the order they were first seen. */
struct watch_paths {
	char **v;               /* owned */
	size_t n, cap;
	struct strmap seen;     /* keys borrowed from v */
	bool all;               /* events were lost: anything may have changed */
};

void watch_paths_init(struct watch_paths *p);
/* Adds PATH (copied) unless present. */
void watch_paths_add(struct watch_paths *p, const char *path);
/* Adds every path of FROM to P. */
void watch_paths_merge(struct watch_paths *p, const struct watch_paths *from);
void watch_paths_clear(struct watch_paths *p);
void watch_paths_free(struct watch_paths *p);

/* Is NAME (a file or folder name, no slash) an editor's temporary file? */
bool watch_ignored_name(const char *name);

typedef struct watch watch;

/*
 * Starts watching SITE_DIR.  Folders that cannot be watched are warnings
 * in D.  Returns NULL after an error in D when SITE_DIR itself cannot be
 * watched.  Free with watch_free().
 */
watch *watch_new(const char *site_dir, struct diags *d);
void watch_free(watch *w);

/*
 * Waits until something under the site changes, then until QUIET_MS pass
 * without another change (MAX_MS at most in all), and adds what changed
 * to OUT.  Gives up waiting as soon as STOP_FD is readable.
 * Returns WATCH_CHANGED, WATCH_STOPPED when STOP_FD became readable, or
 * WATCH_FAILED on a read error (errno set).  New warnings go to D.
 */
enum watch_result { WATCH_FAILED = -1, WATCH_STOPPED = 0, WATCH_CHANGED = 1 };
enum watch_result watch_wait(watch *w, int stop_fd, int quiet_ms, int max_ms,
			     struct watch_paths *out, struct diags *d);

#endif
