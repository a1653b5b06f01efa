/*
 * site.h - the site in memory: pages, sections, and the build's state.
 *
 * The build runs in stages, one module each, in the order build.c calls
 * them:
 *   content.c   discover content files, read front matter   (parallel)
 *   mdstage.c   the Markdown stage: markdown.c on each page,
 *               links resolved through links.c              (parallel)
 *   site.c      the index: URLs, sections, orders, lists    (global)
 *   taxonomy.c  terms, related pages     (global; sorts and related parallel)
 *   view.c      what templates see of each page and of the site,
 *               computed when read
 *   search.c    the search index                            (global)
 *   render.c    templates to HTML files                     (parallel)
 *   feeds.c     feeds, sitemap, robots.txt
 *   links.c     every internal link checked, once every output path is known
 *   output.c    the temporary folder and the atomic swap
 * A page holds what it needs for the whole build in compact form (packed
 * front matter, its summary, headings and terms); its HTML is kept
 * between the Markdown stage and rendering in memory up to a budget, past
 * it in a temporary file (mdstage.h).
 */
#ifndef FOLIO_SITE_H
#define FOLIO_SITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "config.h"
#include "date.h"
#include "diag.h"
#include "mustache.h"
#include "strmap.h"
#include "value.h"

enum page_kind {
	PAGE_REGULAR,   /* content/roles/backend.md */
	PAGE_SECTION,   /* content/roles/_index.md, or a folder without one */
	PAGE_HOME,      /* content/_index.md, or made up */
	PAGE_TERMS,     /* /tags/ */
	PAGE_TERM,      /* /tags/django/ */
	PAGE_404,       /* /404.html */
	PAGE_SEARCH,    /* /search/, when the theme has a search layout */
	PAGE_ALIAS,     /* a redirect from an old path */
};

struct section;
struct term;
struct search_doc;
struct toc_item;
struct search_index;
struct view_state;

/* A link to another page's #fragment, checked once every page's headings
 * are known. */
struct link_check {
	struct page *target;    /* a content file's page; NULL for links by URL */
	const char *path;       /* links by URL: the output path it leads to */
	const char *dest;       /* as written */
	const char *fragment;
	unsigned line, col;
};

/* A page's fragment targets: its heading ids (ids[0..n), in order), then
 * the other ids links may point at, footnotes and raw HTML
 * (ids[n..n_all)). */
struct anchor_list {
	const char **ids;
	uint32_t n;
	uint32_t n_all;
};

struct page {
	/* Pointers first, then 32-bit numbers, then flags: a site of a
	 * million pages holds a million of these for the whole build. */
	const char *src;        /* path for diagnostics: "SITE/content/roles/x.md"; NULL if made up */
	const char *rel;        /* path under content/: "roles/x.md" ("" if made up) */
	const char *dir;        /* its section's folder under content/: "roles", "" at the top */
	const char *src_dir;    /* the folder of its file, which relative links and
				 * aliases start from: dir, or the bundle's folder */
	const char *top;        /* its top-level section: "roles" for roles/data */
	const char *fm_packed;  /* its front matter, packed (value_pack); NULL: none */

	const char *title;
	const char *layout;     /* front matter layout:, or NULL */
	const char *url;        /* "/roles/x/" */
	const char *out_path;   /* "roles/x/index.html" */
	struct date date;       /* when has_date */
	long long weight;       /* when has_weight */
	const char *summary;    /* front matter, <!--more-->, or first paragraph;
				 * read it with mdstage_summary */

	/* From the Markdown pass. */
	struct anchor_list anchors;
	struct toc_item *toc;   /* the headings of its table of contents (ntoc);
				 * read them with mdstage_toc */
	char *html;             /* the rendered Markdown, malloc'd; NULL once written */
	size_t html_len;
	uint64_t html_off;      /* or in spill file html_spill - 1 (mdstage.h), at this offset */
	struct link_check *checks;

	/* From the index. */
	struct section *section;        /* the section this page is in (home for top) */
	struct section *own;            /* the section this page is the page of */
	struct page *prev, *next;
	value *meta;                    /* what templates see: its view (view.h) */
	struct term **terms;            /* its terms, in the order it lists them, by
					 * taxonomy (view.c makes page.taxonomies) */
	struct term *term;              /* PAGE_TERM: its term */
	struct page *first;             /* a numbered listing page (made while
					 * rendering): the first page of its listing */
	struct page_alias *alias;       /* PAGE_ALIAS: where it leads, who declares it */
	struct page_refs *refs;         /* pages-type front matter, resolved */
	struct page **related;          /* up to related_limit pages */
	struct page **list;             /* listing pages: every page listed, nlist of
					 * them (page.pages is the part shown on page
					 * pagenum); a section's or term's own array */
	struct search_doc *search;      /* what the search index keeps; NULL if left out */
	uint64_t fm_hash;               /* of the bytes before the body (front matter) */
	uint64_t uses;                  /* template files its render used (tpl_files bits) */
	arena *text_mem;                /* folio serve: what the last edit of its text parsed */

	uint32_t pos;                   /* position in site->pages (site_add_page) */
	uint32_t body_line;     /* line of the file the Markdown starts on */
	uint32_t body_off;      /* byte offset of the Markdown in the file (CRLF folded) */
	uint32_t word_count;
	uint32_t ntoc, nchecks, nterms, nrefs, nrelated;
	uint32_t html_spill;    /* HTML kept in spill file html_spill - 1, or 0 */
	uint32_t summary_len;   /* summary NULL and this set: the summary follows
				 * the HTML there (mdstage_summary) */
	uint32_t toc_len;       /* toc NULL and this set: the toc follows the
				 * summary there, in toc_len bytes (mdstage_toc) */
	uint32_t tax;                   /* PAGE_TERM/PAGE_TERMS: taxonomy index */
	uint32_t pagenum;               /* listing pages: 1-based page number */
	uint32_t pagetotal;             /* listing pages: how many numbered pages
					 * the listing has (view.c: page.pagination) */
	uint32_t nlist;                 /* listing pages: how many pages list holds */
	enum page_kind kind;
	bool bundle;            /* a leaf bundle: DIR/index.md, the page at /DIR/ */
	bool body_raw;          /* the file has no CR before the body: body_off is
				 * also where the body starts in the file itself */
	bool has_date;
	bool has_weight;
	bool draft;
	bool fm_summary;
	bool terms_page;                /* lists a taxonomy's terms (tax) */
	bool listing;                   /* lists pages: list[0..nlist) */
};

/* A redirect page's target, and the aliases: entry that asks for it. */
struct page_alias {
	const char *redirect;   /* the target URL */
	const char *src;        /* the file that declares it, */
	unsigned line, col;     /* and where */
};

/* A file in content/ that is not Markdown (an image beside its page),
 * copied to the output. */
struct resource {
	const char *rel;        /* path under content/ */
	const char *out;        /* output path: beside its bundle page's output */
};

/* A front-matter key whose value names other pages (schema type pages). */
struct page_refs {
	const char *key;
	struct page **pages;
	size_t n;
};

struct section {
	const char *dir;        /* "roles/data"; "" for the home */
	struct page *page;      /* its page (made up when no _index.md) */
	struct section *parent;
	struct page **pages;    /* regular pages directly inside, in order */
	size_t npages, cap;
	struct section **children;
	size_t nchildren, capchildren;
};

struct site {
	arena *a;               /* build-lifetime memory (single-threaded stages) */
	const char *dir;        /* the site folder */
	const char *content_dir;/* "SITE/content" */
	struct config *config;
	struct diags *d;
	bool drafts;
	unsigned threads;

	struct page **pages;    /* every page, sorted by rel (content pages first);
				 * numbered listing pages are not among them */
	size_t npages, cap;
	size_t nnumbered;       /* numbered listing pages (site_paginate) */
	size_t ncontent;        /* pages from content files (the first ones) */

	struct section **sections;  /* sorted by dir; sections[0] is the home */
	size_t nsections, capsections;

	struct strmap by_rel;   /* content path -> page */
	struct strmap by_out;   /* output path -> page */
	struct strmap listings; /* the folder of a listing split into numbered
				 * pages ("roles/") -> its first page */
	struct strmap files;    /* output path -> what else folio writes there */
	struct strmap draft_rels; /* content paths of drafts left out */
	struct strmap broken;   /* content paths of files with errors */
	char *walk_names;       /* storage of the content paths found */
	struct resource *resources;     /* non-Markdown files of content/ */
	size_t nresources;
	struct strmap by_resource;      /* content path -> resource */
	struct buf skipped;     /* content paths not built, "PATH\tWHY\n" each */
	struct strmap written;  /* output paths of every file besides pages, for
				 * the link check (links.h) */
	struct strmap tpl_links;/* links the layouts wrote (links.h) */

	mustache_set *templates;
	struct strmap layout_ids;       /* ids the layouts write (theme.c) */
	value *site_value;      /* what templates see as site: the site's view
				 * (view_begin) */
	long long build_epoch;  /* SOURCE_DATE_EPOCH, or the newest page date */
	arena **thread_arenas;  /* one per worker, for the parallel stages */
	struct taxonomy *taxonomies;    /* one per config->tax */
	struct search_index *search;    /* the index files, once built */
	struct view_state *view;        /* what page views share (view.c) */
	struct md_spill { int fd; uint64_t len; } *spill;       /* HTML kept on disk (mdstage.h) */
	unsigned nspill;
	bool track;                     /* record template use per page (folio serve) */
	struct strmap tpl_files;        /* template file -> bit + 1, when tracking */
};

/* P's front matter as a map, unpacked into A (see value_unpack): an
 * empty map for a page without one. */
value *page_fm(const struct page *p, arena *a);
/* The value of KEY in P's front matter, unpacked into A, or NULL. */
value *page_fm_get(const struct page *p, arena *a, const char *key);

/* Adds a page to the site's list. */
void site_add_page(struct site *s, struct page *p);
/* The page whose file is REL (relative to content/), or NULL. */
struct page *site_find_rel(const struct site *s, const char *rel);

/* Registers every page's output path; two pages on one path are an
 * error naming both, in s->d. */
void site_check_urls(struct site *s);
/* Claims OUT_PATH for P (a page made by folio); same errors. */
void site_claim(struct site *s, struct page *p);
/* Whether P sits at its URL by its place in content/ (no url: key), and
 * so may take the role of a page folio makes there (a term page, the
 * search page).  A page put there with url: is an error instead. */
bool site_in_place(const struct page *p);
/* Claims REL for a file folio writes that is not a page (WHAT: "the
 * sitemap", "the search index"): a page, alias or other such file there
 * is an error naming both, and -1.  Claiming it again for the same WHAT
 * is not. */
int site_claim_file(struct site *s, const char *rel, const char *what);
/* The same check without claiming REL, for files whose names change from
 * build to build (the search index's): 0, or -1 after an error. */
int site_check_file(struct site *s, const char *rel, const char *what);
/* What to call P in a message: its file, or "the term page /tags/x/". */
struct buf;
void site_describe(struct buf *b, const struct page *p);
/* What folio writes at REL besides pages, or NULL. */
const char *site_file_owner(const struct site *s, const char *rel);

/* Index step: sections, orders, prev/next, aliases, the build date.
 * Reports errors to s->d. */
void site_index(struct site *s);

/* A made-up page of KIND at PATH ("tags/django" or "" for the root). */
struct page *site_new_page(struct site *s, enum page_kind kind, const char *path,
			   const char *title);
/* Splits a listing (PAGES[0..N), kept as they are: a section's or
 * term's own array) of FIRST into pages of
 * config->paginate items: FIRST shows the first, numbered pages at
 * FIRST.url/page/N/ the rest; each gets page.pages and page.pagination.
 * FIRST keeps the whole LIST and the number of pages (pagetotal); the
 * numbered pages are not kept in the model but made as they are
 * rendered (site_numbered_page), and counted in s->nnumbered.  A page
 * already at one of their paths is an error. */
void site_paginate(struct site *s, struct page *first, struct page **pages, size_t n);
/* The folder of a listing's numbered pages into B, from its first page's
 * output path or URL S: "roles/index.html" -> "roles/", "/roles/" ->
 * "/roles/"; for one written as a file, "r.html" -> "r/". */
void site_listing_folder(struct buf *b, const char *s);
/* Fills *P with page K (2 or more) of FIRST's listing: its URL and output
 * path made in A (its view is FIRST's: view.c shows FIRST's fields for it,
 * but its own URL).  P lives as long as A; nothing keeps it. */
void site_numbered_page(struct page *first, unsigned k, arena *a, struct page *p);
/* The page at output path OUT_PATH ("roles/x/index.html"), or NULL.  A
 * numbered listing page is made in A (site_numbered_page); with A NULL,
 * its listing's first page stands for it (it has the same anchors). */
struct page *site_page_at(struct site *s, const char *out_path, arena *a);
/* Compares pages in listing order: weight, newest date, title, path. */
int site_page_cmp(const void *a, const void *b);

#endif
