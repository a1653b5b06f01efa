/*
 * yamlvalue.h - loading YAML text into values (libyaml event API).
 *
 * Plain scalars resolve by the YAML 1.2 core schema (true/false, null/~/
 * empty, integers, floats); every other scalar, and every quoted one, is a
 * string.  Anchors and aliases work; alias expansion is bounded and a
 * self-referencing alias is an error.  Nesting is capped at
 * YAMLVALUE_MAX_DEPTH.  Duplicate mapping keys are errors.  Tags are inert.
 */
#ifndef FOLIO_YAMLVALUE_H
#define FOLIO_YAMLVALUE_H

#include "diag.h"
#include "value.h"

#define YAMLVALUE_MAX_DEPTH 64
/* Upper bound on values created by expanding aliases in one document. */
#define YAMLVALUE_MAX_ALIAS_NODES 100000

/*
 * Parses the document TEXT[0..LEN) into a value allocated from A (a second
 * document in it is an error).
 * FILE names the source in diagnostics and value positions (borrowed: it
 * must outlive the values).  LINE_OFFSET is added to every line (the line
 * of the file the text starts at, minus one: front matter starts at 1).
 * An empty document yields a null value.
 * Returns NULL after adding errors to D.
 */
value *yamlvalue_load(arena *a, const char *file, const char *text, size_t len,
		      unsigned line_offset, struct diags *d);
/* The same for text that ends up in pages (front matter, site.yaml): a
 * string or key holding NUL or another control character (other than tab
 * and newline), raw or escaped, is an error at its line and column. */
value *yamlvalue_load_text(arena *a, const char *file, const char *text, size_t len,
			   unsigned line_offset, struct diags *d);

#endif
