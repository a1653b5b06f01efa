/*
 * output.h - writing the site: a temporary folder beside OUT, swapped in
 * only when the whole build succeeded, so a failed build leaves the
 * previous site untouched.
 *
 * The site replaced by a swap is kept beside OUT as .NAME.folio-old and
 * becomes the next build's temporary folder: files are overwritten in
 * place and only what the new build did not write is removed.  Creating
 * every file and folder anew costs far more on most file systems than
 * overwriting them.
 */
#ifndef FOLIO_OUTPUT_H
#define FOLIO_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include "diag.h"
#include "strmap.h"
#include "util.h"

/* The marker file that says "folio wrote this folder". */
#define OUTPUT_MARKER ".folio-output"

struct output {
	char *out;      /* the output folder as given */
	char *tmp;      /* the temporary folder being written */
	char *old;      /* where the replaced site is kept for reuse */
	bool recycled;  /* tmp started as a previous site */
	bool live;      /* writing a served site: temporary name, then rename */
	struct strmap written;  /* paths written by this build */
	int lock_fd;    /* holds the lock on OUT; -1 for none */
	arena *a;
	pthread_mutex_t lock;
};

/* How output_begin() treats another build holding OUT's lock. */
struct output_wait {
	bool no_wait;   /* fail at once instead of waiting */
	void (*waiting)(const char *out);       /* told once before waiting; may be NULL */
};

/*
 * Checks OUT against the site folder and its content folder (OUT may not
 * be either, contain either, or lie inside content/), refuses a non-empty
 * OUT without the marker unless FORCE, takes the lock on OUT (the file
 * .NAME.folio-lock beside it; another build holding it is waited for, or
 * is an error with W->no_wait), removes the temporary folders of builds
 * killed before they finished, and creates the temporary folder.
 * Returns 0, or -1 after adding an error.
 */
int output_begin(struct output *o, const char *out, const char *site_dir,
		 const char *content_dir, bool force, const struct output_wait *w,
		 struct diags *d);
/* Writes DATA to REL (a relative path) inside the temporary folder,
 * creating folders.  Thread-safe.  Returns 0, or -1 after an error. */
int output_write(struct output *o, const char *rel, const void *data, size_t len,
		 struct diags *d);
/* Writes into the site DIR that a build committed, for folio serve's
 * updates: each file under a temporary name (NAME.folio-new), renamed
 * into place; a file whose bytes did not change is left alone; nothing
 * is pruned or swapped.  Close with output_close_live(). */
void output_open_live(struct output *o, const char *dir);
void output_close_live(struct output *o);
/* Swaps the temporary folder in as OUT.  Returns 0 or -1. */
int output_commit(struct output *o, struct diags *d);
/* Removes the temporary folder (after a failed build). */
void output_abort(struct output *o);
/* rm -rf PATH without following symbolic links, as far as it can: what
 * cannot be removed stays. */
void output_remove_tree(const char *path);

/* Appends to PATH the hidden file .NAME.folio-WHAT beside the output
 * folder OUT, where builds into OUT keep what is theirs: "lock" (the lock
 * a build holds), "old" (the site a swap replaced), "tmp.PID" (a build's
 * temporary folder), "inputs" (inputs.h).  OUT is made absolute first, as
 * realpath gives it, so that every name of one folder finds the same
 * files. */
struct buf;
void output_beside(struct buf *path, const char *out, const char *what);
/* Whether a build into OUT was killed and left its temporary folder
 * beside OUT (the next build removes it). */
bool output_has_debris(const char *out);

#endif
