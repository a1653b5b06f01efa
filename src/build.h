/*
 * build.h - the pipeline of folio build and folio check.
 */
#ifndef FOLIO_BUILD_H
#define FOLIO_BUILD_H

#include <stdbool.h>
#include "diag.h"
#include "markdown.h"
#include "site.h"

struct build_opts {
	const char *site_dir;   /* default "." */
	const char *out_dir;    /* default SITE/public */
	const char *base_url;   /* overrides site.yaml, or NULL */
	bool drafts;
	bool strict;            /* warnings are errors */
	bool force;             /* replace a non-empty folder folio did not write */
	bool check_only;        /* folio check: write nothing */
	unsigned threads;       /* 0: one per core */
};

/* The stages of a build, for --timings. */
enum build_stage {
	STAGE_LOAD,             /* config, templates, content and front matter */
	STAGE_MARKDOWN,         /* Markdown to HTML, links */
	STAGE_INDEX,            /* sections, orders */
	STAGE_TAXONOMY,         /* terms, related pages, lists */
	STAGE_SEARCH,           /* the search index */
	STAGE_RENDER,           /* templates, writing pages */
	STAGE_SITE_FILES,       /* sitemap, robots.txt, feeds */
	STAGE_FINISH,           /* assets, swap */
	STAGE_COUNT
};

struct build_stats {
	size_t pages;           /* pages rendered */
	size_t files;           /* files written, assets included */
	double ms[STAGE_COUNT]; /* wall time of each stage */
};

extern const char *const build_stage_names[STAGE_COUNT];

/* Runs the whole build.  Diagnostics go to D; returns 0 on success, 1 on
 * content or template errors. */
int build_run(const struct build_opts *o, struct diags *d, struct build_stats *st);

/*
 * Runs the Markdown stage for content page P: reads its body, rewrites
 * links to other content files (errors for missing targets), and fills R
 * (with the plain text too when WANT_TEXT).
 * Strings and values come from A.  Thread-safe.
 */
void build_page_markdown(struct site *s, struct page *p, arena *a, bool want_html,
			 bool want_text, struct md_result *r);

#endif
