/*
 * build.h - the pipeline of folio build and folio check.
 */
#ifndef FOLIO_BUILD_H
#define FOLIO_BUILD_H

#include <stdbool.h>
#include "diag.h"
#include "markdown.h"
#include "site.h"

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

struct build_opts {
	const char *site_dir;   /* default "." */
	const char *out_dir;    /* default SITE/public */
	const char *base_url;   /* overrides site.yaml, or NULL */
	bool drafts;
	bool strict;            /* warnings are errors */
	bool force;             /* replace a non-empty folder folio did not write */
	bool check_only;        /* folio check: write nothing */
	bool no_wait;           /* another build writing the output is an error */
	void (*waiting)(const char *out);       /* told when waiting for one; may be NULL */
	/* Told while the build runs when a page's Markdown passes 5 s
	 * (FOLIO_SLOW_PAGE_MS): FILE and the time so far.  May be NULL. */
	void (*slow_page)(const char *file, double ms);
	/* Told how the build goes, for a progress line, always on the thread
	 * that runs the build: when STAGE starts (DONE and TOTAL 0, OVER
	 * false); while a loop of the stage runs over the pages on several
	 * threads, DONE of TOTAL at its start, about every 100 ms and at its
	 * end; and when STAGE is over (OVER true).  May be NULL. */
	void (*progress)(enum build_stage stage, size_t done, size_t total, bool over);
	unsigned threads;       /* 0: one per core */
	/* Leave the output as it is when the last build that wrote it read
	 * the same inputs and gave no warnings (inputs.h). */
	bool reuse;
};

struct build_stats {
	size_t pages;           /* pages rendered */
	size_t files;           /* files written, assets included */
	double ms[STAGE_COUNT]; /* wall time of each stage */
	size_t peak_kb[STAGE_COUNT]; /* the process's peak memory (resident, KiB)
				 * at the end of each stage */
	size_t broken_links;    /* internal links that lead nowhere */
	bool unchanged;         /* nothing built: the output was built from the same inputs */
	char *skipped;          /* content paths not built, "PATH\tWHY\n" each,
				 * or NULL; malloc'd, the caller frees it */
};

extern const char *const build_stage_names[STAGE_COUNT];

/* Runs the whole build.  Diagnostics go to D; returns 0 on success, -1
 * on content or template errors. */
int build_run(const struct build_opts *o, struct diags *d, struct build_stats *st);


/*
 * folio serve keeps the built site in memory and updates it in place.
 *
 * build_live_full() runs a whole build (into o->out_dir, swapped in as
 * folio build does) and keeps the site: it returns 0 with *LV replaced,
 * or -1 with *LV NULL.  build_live_update() takes the paths that changed,
 * relative to the site folder ("content/roles/x.md", "layouts/page.mustache"), and
 * re-renders only the pages they touch, writing into the output folder in
 * place: a page whose text changed, and the pages that list it; every page
 * that used an edited template; assets.  It returns BUILD_LIVE_FULL when
 * the change needs a whole build (site.yaml, front matter, files added or
 * removed), BUILD_LIVE_ERRORS when the change has errors (nothing is
 * written then), and BUILD_LIVE_OK when it is done.  build_live_search() brings the search index up to date
 * afterwards, so the page itself is shown first: it returns BUILD_LIVE_OK
 * when it rewrote the index, BUILD_LIVE_UNCHANGED when the index was up
 * to date, BUILD_LIVE_ERRORS after errors.
 */
struct build_live;
enum live_result { BUILD_LIVE_OK, BUILD_LIVE_ERRORS, BUILD_LIVE_FULL, BUILD_LIVE_UNCHANGED };
int build_live_full(struct build_live **lv, const struct build_opts *o, struct diags *d,
		    struct build_stats *st);
enum live_result build_live_update(struct build_live *lv, const char *const *paths, size_t n,
				   struct diags *d, struct build_stats *st);
enum live_result build_live_search(struct build_live *lv, struct diags *d);
void build_live_free(struct build_live *lv);

#endif
