/*
 * config.h - site.yaml: the site's settings.
 *
 * Every key of site.yaml is visible to templates as site.KEY; the keys
 * folio itself reads are checked for their type here, with errors at
 * their line.
 */
#ifndef FOLIO_CONFIG_H
#define FOLIO_CONFIG_H

#include <stdbool.h>
#include "diag.h"
#include "value.h"

struct taxonomy_conf {
	const char *name;       /* URL segment and template key: "skills" */
	const char *key;        /* front-matter key listing a page's terms */
};

struct config {
	value *raw;             /* the whole site.yaml mapping */
	const char *file;       /* "SITE/site.yaml" */
	const char *title;
	const char *base_url;   /* absolute, without a trailing slash */
	const char *language;
	long long paginate;     /* items per listing page */
	bool unsafe;            /* markdown.unsafe: keep raw HTML */
	bool smart;             /* markdown.smart: smart punctuation */
	bool gfm;               /* markdown.gfm: GFM extensions and alerts */
	int toc_min, toc_max;   /* toc.levels: heading levels in page.toc */
	bool search;            /* search: false turns the index off */
	bool search_page_excerpts;      /* search.excerpts: page */
	long long related_limit;
	struct taxonomy_conf *tax;
	size_t ntax;
	unsigned tax_line, tax_col;     /* where taxonomies: is, for messages */
	value *schema;          /* schema: section -> key -> rule, or NULL */
	const char **ignore;    /* ignore: globs of content paths to skip */
	size_t nignore;
	bool lowercase;         /* urls.lowercase: URLs from file names in lowercase */
	bool links_warn;        /* links: warn: broken internal links are warnings */
};

/*
 * Loads SITE_DIR/site.yaml into a config allocated from A.  BASE_URL, when
 * not NULL, replaces base_url (folio build --base-url).  Returns NULL after
 * adding errors to D.
 */
struct config *config_load(arena *a, const char *site_dir, const char *base_url,
			   struct diags *d);

#endif
