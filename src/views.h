/*
 * views.h - precomputed views for logic-less templates, declared in
 * site.yaml:
 *
 *   jsonld:                 # page.jsonld: a JSON-LD object, safe in <script>
 *     roles:                # for the regular pages of this section
 *       "@type": Occupation
 *       name: title         # property: the page field it comes from
 *       skills: skills
 *
 *   matrix:                 # site.matrix: which pages list which terms
 *     rows: roles           # a section
 *     columns: skills       # a taxonomy
 */
#ifndef FOLIO_VIEWS_H
#define FOLIO_VIEWS_H

#include "site.h"

/* Checks the jsonld: and matrix: settings (errors at their lines).
 * Returns -1 on errors. */
int views_check(struct site *s);
/* After page metas exist: page.jsonld and site.matrix. */
void views_finish(struct site *s);

#endif
