/*
 * archetype.h - the templates folio new starts a content file from.
 *
 * An archetype is a Mustache template (archetypes/SECTION.md, else
 * archetypes/default.md, else one built into folio) rendered with:
 *
 *   title    the title from the file name, escaped for the inside of a
 *            YAML double-quoted string: write title: "{{{title}}}"
 *   date     today, YYYY-MM-DD
 *   slug     the file name without .md
 *   section  the first folder under content/, "" at the top
 *
 * Like every library module this one prints nothing: errors go to a
 * struct diags.
 */
#ifndef FOLIO_ARCHETYPE_H
#define FOLIO_ARCHETYPE_H

#include <stddef.h>
#include "buf.h"
#include "diag.h"

/* The archetype used when a site has neither archetypes/SECTION.md nor
 * archetypes/default.md. */
extern const char archetype_builtin[];

/* What an archetype is rendered with; every string is plain text. */
struct archetype_vars {
	const char *title;      /* "Data analyst" (escaped by archetype_render) */
	const char *date;       /* "2026-11-21" */
	const char *slug;       /* "data-analyst" */
	const char *section;    /* "roles", or "" at the top */
};

/*
 * Appends the title for the file name NAME[0..N) to OUT: every run of '-'
 * and '_' becomes one space, none at either end, and a lowercase ASCII
 * first letter is capitalised; the rest is kept as written
 * ("data-analyst" -> "Data analyst", "ci_cd" -> "Ci cd").  A name of
 * nothing but separators is kept as it is.
 */
void archetype_title(struct buf *out, const char *name, size_t n);

/*
 * Appends S[0..N) (UTF-8) escaped for the inside of a YAML double-quoted
 * scalar: '\\' and '"' get a backslash; control characters, DEL, C1
 * controls, U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF become escapes, so
 * the string reads back exactly.
 */
void archetype_yaml_escape(struct buf *out, const char *s, size_t n);

/*
 * Appends today's date as YYYY-MM-DD to OUT: the UTC day of
 * SOURCE_DATE_EPOCH when it is set to a number of seconds (as in folio
 * build), else the local day of the system clock.
 */
void archetype_today(struct buf *out);

/*
 * Renders the archetype for a page of VARS->section, looked up in the
 * folder DIR ("archetypes", "SITE/archetypes"): DIR/SECTION.md, else
 * DIR/default.md, else archetype_builtin.  Appends the result to OUT and
 * sets *USED to the archetype's path (malloc'd, the caller frees it;
 * "(built-in archetype)" for the built-in one).
 *
 * The result is checked the way folio build reads a content file (front
 * matter present, YAML valid and a mapping); errors in it are reported
 * under TARGET, the file it is meant for.  Template errors are reported
 * at the archetype's line and column.
 * Returns 0 on success, -1 after adding errors to D.
 */
int archetype_render(const char *dir, const struct archetype_vars *vars, const char *target,
		     struct buf *out, char **used, struct diags *d);

#endif
