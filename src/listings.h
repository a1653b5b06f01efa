/*
 * listings.h - the listing stage: what each section page and each term
 * page lists, split into numbered pages.
 *
 * Reads the sections and their ordered pages (site_index) and the terms
 * with their pages (taxonomy_build).  Writes, on each section and term
 * page, list, nlist, listing and pagetotal, and the site's numbered-page
 * index (s->listings, s->nnumbered) through site_paginate.  Its outputs
 * are valid once listings_make returns; run it after taxonomy_build and
 * before anything reads a listing (views, search, render).  It runs on
 * one thread: it sets a few fields of each listing page and reads no
 * page's content.
 */
#ifndef FOLIO_LISTINGS_H
#define FOLIO_LISTINGS_H

#include "site.h"

void listings_make(struct site *s);

#endif
