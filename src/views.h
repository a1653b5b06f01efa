/*
 * views.h - precomputed views for logic-less templates, declared in
 * site.yaml:
 *
 *   jsonld:                 # page.jsonld: a JSON-LD object, safe in <script>
 *     roles:                # for the regular pages of this section
 *       "@type": Occupation
 *       name: title         # property: the page field it comes from
 *       skills: skills
 *       occupationLocation: # a list: a JSON array
 *         - "@type": Country  # a mapping with "@type": a nested object,
 *           name: location    # left out unless all its fields are there
 *       estimatedSalary:
 *         "@type": MonetaryAmountDistribution
 *         name: {value: base}                  # a value as written
 *         duration: {field: pay_period, map: {year: P1Y}}  # translated
 *
 *   matrix:                 # site.matrix: which pages list which terms
 *     rows: roles           # a section
 *     columns: skills       # a taxonomy
 *     group_by: category    # optional: a front-matter key of the term pages
 *
 *   groups:                 # site.groups.NAME: a section's pages grouped
 *     roles_by_level: {section: roles, by: seniority}
 */
#ifndef FOLIO_VIEWS_H
#define FOLIO_VIEWS_H

#include "site.h"

/* Checks the jsonld: and matrix: settings (errors at their lines, in
 * s->d). */
void views_check(struct site *s);
/* site.matrix and site.groups, made from the sections and taxonomies
 * when a template reads them (view.c), in A; NULL when site.yaml does
 * not ask for them (site.yaml's own value then shows).  Thread-safe. */
value *views_matrix(struct site *s, arena *a);
value *views_groups(struct site *s, arena *a);
/* Whether site.matrix or site.groups shows P: a page of their sections,
 * or a term page of the matrix's columns (folio serve). */
bool views_shows(struct site *s, const struct page *p);

/* Appends the JSON-LD object SPEC (one section's jsonld: setting) makes
 * of the page whose view is META (view.c: page.jsonld). */
struct buf;
void views_page_jsonld(struct buf *b, const value *spec, const value *meta);

#endif
