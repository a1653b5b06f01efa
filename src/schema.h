/*
 * schema.h - per-section front-matter schemas declared in site.yaml.
 *
 *   schema:
 *     roles:
 *       summary: string
 *       skills: list
 *       seniority: {enum: [junior, mid, senior, lead]}
 *       weight: {type: integer, required: false}
 *       career_paths: pages
 *
 * Types: string, integer, bool, date, list (of strings), enum (one of the
 * listed values), pages (a list of paths to other content files, checked
 * and given to templates as those pages).  Keys are required unless
 * required: false.  In a section with a schema, a key that is neither in
 * the schema nor one folio knows is a warning.  A schema applies to the
 * regular pages of its top-level section.
 */
#ifndef FOLIO_SCHEMA_H
#define FOLIO_SCHEMA_H

#include "site.h"

/* Reads the schema of site.yaml (errors at its lines), then checks every
 * regular content page against its section's schema and resolves its
 * pages-type keys (p->refs; view.c shows them as page.KEY and
 * page.KEY_from).  Reports errors to s->d. */
void schema_check(struct site *s);

#endif
