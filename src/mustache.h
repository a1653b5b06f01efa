/*
 * mustache.h - a Mustache template engine (spec v1.4.2: core modules,
 * inheritance and dynamic names; no lambdas).
 *
 * Templates live in a set, keyed by name.  Each template is compiled once,
 * when it is added; partials and parents are looked up in the set by name
 * while rendering, so the order of adding does not matter.  A set is
 * immutable after the last add: mustache_render() only reads it and may run
 * from many threads at once on the same set.
 */
#ifndef FOLIO_MUSTACHE_H
#define FOLIO_MUSTACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "buf.h"
#include "diag.h"
#include "value.h"

typedef struct mustache_set mustache_set;
typedef struct mustache_tpl mustache_tpl;

/* Maximum depth of nested partials and parents while rendering. */
#define MUSTACHE_MAX_DEPTH 64
/* Maximum nesting of sections, parents and blocks within one template;
 * deeper is a syntax error. */
#define MUSTACHE_MAX_NESTING 128
/* Maximum nesting of sections, parents, blocks and partials together
 * while rendering (keeps the C stack small on any thread). */
#define MUSTACHE_MAX_RENDER_NESTING 1024

mustache_set *mustache_set_new(void);
void mustache_set_free(mustache_set *set);

/*
 * Compiles TEXT[0..LEN) and stores it under NAME, replacing any template
 * of that name.  FILE is the path used in diagnostics (e.g.
 * "layouts/page.mustache"); both strings are copied.  Syntax errors
 * (unclosed section, mismatched closing tag, unclosed tag, bad delimiter
 * change, empty or malformed tag name, nesting deeper than
 * MUSTACHE_MAX_NESTING, ...) are added to D at their line and column
 * (1-based; columns count characters).  All errors are reported, up to an
 * unclosed tag, which ends the template.
 * Returns 0 on success, -1 if TEXT has errors (nothing is stored then, and
 * a template already stored under NAME stays).
 */
int mustache_set_add(mustache_set *set, const char *name, const char *file,
		     const char *text, size_t len, struct diags *d);

/* Returns the template called NAME, or NULL. */
const mustache_tpl *mustache_set_get(const mustache_set *set, const char *name);
/* The FILE the template was added with. */
const char *mustache_tpl_file(const mustache_tpl *tpl);

/* The templates of SET, in the order they were first added. */
size_t mustache_set_size(const mustache_set *set);
const mustache_tpl *mustache_set_at(const mustache_set *set, size_t i);

/* A tag of a compiled template, for checks of a whole set. */
struct mustache_tag {
	char kind;              /* 'v' (a variable), '#', '^', '>', '<' or '$' */
	bool dynamic;           /* {{>*name}}: NAME is looked up, not a template */
	const char *name;       /* as written, LEN bytes; "." for the current item */
	size_t len;
	unsigned line, col;     /* of the tag in its file */
};
typedef void (*mustache_tag_fn)(void *arg, const mustache_tpl *t, const struct mustache_tag *tag);
/* Calls FN for every tag of T in order (comments and delimiter changes
 * left out). */
void mustache_tpl_tags(const mustache_tpl *t, mustache_tag_fn fn, void *arg);

/*
 * Called once for every partial or parent a render looks up, found or not
 * (for dependency tracking), with the name looked up.  A dynamic name
 * ({{>*name}}) that resolves to nothing looks nothing up.  May be NULL.
 */
typedef void (*mustache_use_fn)(void *arg, const char *name);

/*
 * Renders TPL with CTX as the bottom of the context stack, appending to
 * OUT.  Missing names render as empty; missing partials as empty.  Errors
 * found while rendering (partials and parents nested deeper than
 * MUSTACHE_MAX_DEPTH, or everything together deeper than
 * MUSTACHE_MAX_RENDER_NESTING) are added to D under the FILE of TPL, with the chain
 * of template names ("page -> a -> b -> a -> ..."); rendering stops there.
 * Allocates nothing but OUT's growth (and a larger context stack for
 * very deep data).
 * Returns 0 on success, -1 on error (OUT then holds partial output).
 */
int mustache_render(const mustache_set *set, const mustache_tpl *tpl,
		    const value *ctx, struct buf *out, struct diags *d,
		    mustache_use_fn on_use, void *use_arg);

#endif
