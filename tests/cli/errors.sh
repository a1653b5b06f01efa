# tests/cli/errors.sh - every error of folio build names its place, and a
# failed build writes nothing (the previous site survives).
. tests/cli/lib

S="$TMP/site"
fresh() { rm -rf "$S" "$TMP/out"; make_site "$S"; page "$S/content/_index.md" Home; }

# --- front matter --------------------------------------------------------
fresh
printf -- '---\ntitle: Open\nno closing line\n' > "$S/content/open.md"
fail_with "unterminated front matter" 1 \
	"content/open.md:1:1: error: front matter opened here is never closed" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'Just text.\n' > "$S/content/none.md"
fail_with "no front matter" 1 "content/none.md:1:1: error: missing front matter" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\n- a\n- b\n---\nx\n' > "$S/content/list.md"
fail_with "front matter not a mapping" 1 \
	"content/list.md:2:1: error: front matter must be a mapping of keys to values, not list" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\nsummary: s\n---\nx\n' > "$S/content/untitled.md"
fail_with "missing title: an error under --strict" 1 "content/untitled.md:1:1: error: front matter has no 'title'; the page is titled 'Untitled' after its file" \
	"$FOLIO" build -s "$S" -o "$TMP/out" --strict

fresh
printf -- '---\ntitle: [a, b]\n---\nx\n' > "$S/content/t.md"
fail_with "title of the wrong type" 1 "content/t.md:2:8: error: 'title' must be a string, not list" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: D\ndate: 2026-02-30\n---\nx\n' > "$S/content/d.md"
fail_with "impossible date" 1 "content/d.md:3:7: error: 'date' must be a date" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: W\nweight: heavy\ndraft: maybe\n---\nx\n' > "$S/content/w.md"
fail_with "weight of the wrong type" 1 "content/w.md:3:9: error: 'weight' must be an integer, not string" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "draft of the wrong type (same build)" 1 "content/w.md:4:8: error: 'draft' must be true or false" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: U\n---\nline two\ncaf\351 on line five\n' > "$S/content/u.md"
fail_with "invalid UTF-8" 1 "content/u.md:5:4: error: invalid UTF-8" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: Bomb\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\nx\n' > "$S/content/bomb.md"
fail_with "alias bomb in front matter" 1 "content/bomb.md:7:" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: Dup\ntitle: Again\n---\nx\n' > "$S/content/dup.md"
fail_with "duplicate key" 1 "content/dup.md:3:1: error: duplicate key 'title'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- URLs ----------------------------------------------------------------
fresh
printf -- '---\ntitle: S\nslug: ../../etc\n---\nx\n' > "$S/content/s.md"
fail_with "slug leaving the output" 1 "content/s.md:3:7: error: 'slug' is not valid" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: U\nurl: /a/../../b/\n---\nx\n' > "$S/content/u.md"
fail_with "url leaving the output" 1 "content/u.md:3:6: error: 'url' is not valid" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: U\nurl: "a\\\\b"\n---\nx\n' > "$S/content/u.md"
fail_with "url with a backslash" 1 "content/u.md:3:6: error: 'url' is not valid" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: U\nurl: "a\\0b"\n---\nx\n' > "$S/content/u.md"
fail_with "url with NUL" 1 "content/u.md:3:6: error: string holds a NUL character" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/a/x.md" X
printf -- '---\ntitle: Y\nurl: /a/x/\n---\nx\n' > "$S/content/b.md"
fail_with "two pages on one URL" 1 "content/b.md:3:6: error: URL /a/x/ is also the URL of $S/content/a/x.md" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- links ---------------------------------------------------------------
fresh
page "$S/content/a.md" A 'Text.

See [b](missing.md) here.'
fail_with "link to a missing file" 1 "content/a.md:6:5: error: link 'missing.md' leads to no content file" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/a.md" A '[b](b.md#nowhere)'
page "$S/content/b.md" B '## Somewhere'
fail_with "link to a missing anchor" 1 "content/a.md:4:1: error: link 'b.md#nowhere': $S/content/b.md has no heading or anchor with id 'nowhere'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/a.md" A '[up](../../x.md)'
fail_with "link leaving content" 1 "content/a.md:4:1: error: link '../../x.md' leads out of the content folder" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: Later\ndraft: true\n---\nx\n' > "$S/content/later.md"
page "$S/content/a.md" A '[later](later.md)'
fail_with "link to a draft" 1 "content/a.md:4:1: error: link 'later.md' leads to a draft" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
ok "the same link builds with --drafts" "$FOLIO" build -s "$S" -o "$TMP/out" --drafts

# --- templates -----------------------------------------------------------
fresh
rm "$S/layouts/page.mustache"
page "$S/content/roles/a.md" A
fail_with "missing layout" 1 "content/roles/a.md:1:1: error: no layout for this page (tried layouts/roles/page.mustache, layouts/page.mustache)" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf '<ul>\n{{#page.tags}}\n<li>{{.}}</li>\n' > "$S/layouts/page.mustache"
page "$S/content/a.md" A
fail_with "unclosed section in a layout" 1 "layouts/page.mustache:2:1: error: section 'page.tags' opened here is never closed" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: A\nlayout: fancy\n---\nx\n' > "$S/content/a.md"
fail_with "layout: naming no template, under --strict" 1 "content/a.md:3:9: error: no layout 'fancy' (tried layouts/fancy.mustache); using $S/layouts/page.mustache" \
	"$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "layout: naming no template is a warning, and the usual layout is used" "$FOLIO" build -s "$S" -o "$TMP/out"

# --- site.yaml -----------------------------------------------------------
fresh
printf 'title: T\nbase_url: 5\ntheme: none\n' > "$S/site.yaml"
fail_with "base_url of the wrong type" 1 "site.yaml:2:11: error: 'base_url' must be a string, not integer" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\nsearch: maybe\n' > "$S/site.yaml"
fail_with "search of the wrong type" 1 "site.yaml:4:9: error: 'search' must be true, false or a mapping" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\nsearch:\n  excerpts: text\n' > "$S/site.yaml"
fail_with "search.excerpts neither index nor page" 1 "site.yaml:5:13: error: 'excerpts' must be index or page, not 'text'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\nsearch:\n  excerpt: page\nmarkdown: {unsafe: true, smrt: false}\n' > "$S/site.yaml"
fail_with "a misspelt setting of search warns" 0 "site.yaml:5:12: warning: 'excerpt' is not a setting of 'search' (its settings: excerpts); it is ignored" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "a misspelt setting of markdown warns" 0 "site.yaml:6:32: warning: 'smrt' is not a setting of 'markdown' (its settings: unsafe, smart, gfm)" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\nsearch: {excerpts: [page]}\n' > "$S/site.yaml"
fail_with "search.excerpts of the wrong type" 1 "site.yaml:4:20: error: 'excerpts' must be a string, not list" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: example.org\ntheme: none\n' > "$S/site.yaml"
fail_with "relative base_url" 1 "site.yaml:2:11: error: 'base_url' must be an absolute" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
rm "$S/site.yaml"
fail_with "no site.yaml" 1 "site.yaml: error: cannot read the site configuration" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- all errors are reported, sorted -------------------------------------
fresh
printf -- '---\ntitle: [x]\n---\n' > "$S/content/b.md"
printf -- '---\ntitle: A\nweight: x\n---\n' > "$S/content/a.md"
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/.stderr"
if [ "$(grep -c ': error: ' "$TMP/.stderr")" -eq 2 ] &&
   grep -n 'error' "$TMP/.stderr" | head -1 | grep -q 'content/a.md' &&
   tail -n 1 "$TMP/.stderr" | grep -q 'folio: build failed: 2 errors'; then pass; else fail "errors collected and sorted"; cat "$TMP/.stderr"; fi

fail_with "GitHub annotations" 1 "::error file=$S/content/a.md,line=3,col=9::'weight' must be an integer" \
	"$FOLIO" build -s "$S" -o "$TMP/out" --error-format github

# --- the previous site survives a failed build ---------------------------
fresh
page "$S/content/a.md" A 'First version.'
ok "good build" "$FOLIO" build -s "$S" -o "$TMP/out"
cp -r "$TMP/out" "$TMP/before"
page "$S/content/a.md" A 'Second version with [a broken link](nope.md).'
page "$S/content/b.md" B 'A new page.'
fail_with "broken build" 1 "error: link 'nope.md'" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "previous output untouched after a failed build" diff -r "$TMP/before" "$TMP/out"
if ls -a "$TMP" | grep -q 'folio-tmp'; then fail "temporary folder left behind"; else pass; fi

# --- output folder safety ------------------------------------------------
fresh
fail_with "output = site folder" 1 "may not be the site folder" "$FOLIO" build -s "$S" -o "$S"
fail_with "output = content" 1 "may not be, contain, or lie inside the content folder" \
	"$FOLIO" build -s "$S" -o "$S/content"
fail_with "output inside content" 1 "may not be, contain, or lie inside the content folder" \
	"$FOLIO" build -s "$S" -o "$S/content/public"
fail_with "output containing the site" 1 "may not be the site folder or contain it" \
	"$FOLIO" build -s "$S" -o "$TMP"
mkdir -p "$TMP/mine" && echo precious > "$TMP/mine/keep.txt"
fail_with "refuses a folder folio did not write" 1 "refusing to replace it (use --force)" \
	"$FOLIO" build -s "$S" -o "$TMP/mine"
ok "... and left it alone" grep -q precious "$TMP/mine/keep.txt"
ok "--force replaces it" "$FOLIO" build -s "$S" -o "$TMP/mine" --force
if [ -f "$TMP/mine/keep.txt" ]; then fail "--force kept the old file"; else pass; fi

# --- symbolic links ------------------------------------------------------
fresh
mkdir -p "$TMP/outside"
page "$TMP/outside/secret.md" Secret
ln -s "$TMP/outside" "$S/content/linked"
fail_with "symlink out of the site is a warning" 0 "symbolic link leads out of the site; not followed" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
if [ -e "$TMP/out/linked/secret/index.html" ]; then fail "followed a symlink out of the site"; else pass; fi
fail_with "--strict makes the warning an error" 1 "error: symbolic link leads out of the site" \
	"$FOLIO" build -s "$S" -o "$TMP/out" --strict

# --- taxonomies and aliases ----------------------------------------------
tax_site() { fresh; printf 'title: T\nbase_url: https://example.org\ntheme: none\ntaxonomies: [tags]\n' > "$S/site.yaml"; }
tax_site
printf -- '---\ntitle: A\ntags: Django\n---\nx\n' > "$S/content/a.md"
fail_with "a single string for a taxonomy" 1 "content/a.md:3:7: error: 'tags' must be a list of strings, not string" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: A\ntags:\n  - Django\n  - {name: x}\n---\nx\n' > "$S/content/a.md"
fail_with "a non-string term" 1 "content/a.md:5:5: error: 'tags' must be a list of strings: this item is map" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: A\ntags: ["!!!"]\n---\nx\n' > "$S/content/a.md"
fail_with "a term without letters" 1 "content/a.md:3:8: error: tags term '!!!' has no letters or digits" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: A\ntags: [CSS]\n---\nx\n' > "$S/content/a.md"
printf -- '---\ntitle: B\ntags: [css]\n---\nx\n' > "$S/content/b.md"
fail_with "differing spellings warn" 0 "content/b.md:3:8: warning: tags term 'css' is written 'css' in b.md but 'CSS' in a.md; using 'CSS'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "... and fail under --strict" 1 "content/b.md:3:8: error: tags term 'css'" \
	"$FOLIO" check -s "$S" --strict
ok "the display name is never re-cased" grep -q '<h1>CSS</h1>' "$TMP/out/tags/css/index.html"

tax_site
printf -- '---\ntitle: A\naliases: [/b/]\n---\nx\n' > "$S/content/a.md"
page "$S/content/b.md" B
fail_with "an alias on a page's URL" 1 "content/a.md:3:11: error: alias '/b/' is the URL of $S/content/b.md" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: A\naliases: [../../etc/x]\n---\nx\n' > "$S/content/a.md"
fail_with "an alias leaving the output" 1 "content/a.md:3:11: error: alias '../../etc/x' leads out of the site" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
page "$S/content/tags/kotlin.md" Kotlin
fail_with "check warns about a page in a taxonomy folder matching no term" 0 \
	"content/tags/kotlin.md:1:1: warning: this page is in the tags folder but no page lists it" \
	"$FOLIO" check -s "$S"

tax_site
printf -- '---\ntitle: A\nurl: /feed.xml\n---\nx\n' > "$S/content/a.md"
fail_with "a page on a file folio writes" 1 "content/a.md:3:6: error: URL /feed.xml is also a file folio writes: the feed of /" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- front-matter schemas -----------------------------------------------
schema_site() {
	fresh
	cat > "$S/site.yaml" <<'YAML'
title: T
base_url: https://example.org
theme: none
schema:
  roles:
    skills: list
    seniority: {enum: [junior, mid, senior, lead]}
    since: {type: date, required: false}
    paths: {type: pages, required: false}
YAML
}
schema_site
mkdir -p "$S/content/roles"; printf -- '---\ntitle: A\nskills: Django\nseniority: mid\n---\nx\n' > "$S/content/roles/a.md"
fail_with "schema: a string where a list is needed" 1 "content/roles/a.md:3:9: error: 'skills' must be a list of strings, not a string (write [Django] for a list of one)" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

schema_site
mkdir -p "$S/content/roles"
printf -- '---\ntitle: A\nskills: [Django]\nseniority: senoir\n---\nx\n' > "$S/content/roles/a.md"
fail_with "schema: a value outside the enum" 1 "content/roles/a.md:4:12: error: 'seniority' must be one of: junior, mid, senior, lead (not 'senoir')" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

schema_site
mkdir -p "$S/content/roles"
printf -- '---\ntitle: A\nskills: [Django]\n---\nx\n' > "$S/content/roles/a.md"
fail_with "schema: a required key missing" 1 "content/roles/a.md:1:1: error: roles pages need 'seniority' (one of: junior, mid, senior, lead)" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

schema_site
mkdir -p "$S/content/roles"
printf -- '---\ntitle: A\nskills: [Django]\nseniority: mid\nsince: soon\npaths: [b.md, /roles/nope.md]\nmood: happy\n---\nx\n' > "$S/content/roles/a.md"
page "$S/content/roles/b.md" B
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/schema.err"
ok "schema: a bad date" grep -qF "content/roles/a.md:5:8: error: 'since' must be a date (YYYY-MM-DD or RFC 3339), not 'soon'" "$TMP/schema.err"
ok "schema: a page that does not exist" grep -qF "content/roles/a.md:6:15: error: 'paths' names '/roles/nope.md', which is no content file" "$TMP/schema.err"
ok "schema: an unknown key warns" grep -qF "content/roles/a.md:7:1: warning: unknown key 'mood': the roles schema in site.yaml does not list it" "$TMP/schema.err"
ok "schema: b.md (no schema keys) is reported too" grep -qF "content/roles/b.md:1:1: error: roles pages need 'skills'" "$TMP/schema.err"

schema_site
printf 'title: T\nbase_url: https://example.org\ntheme: none\nschema:\n  roles:\n    skills: lsit\n' > "$S/site.yaml"
fail_with "schema: an unknown type in site.yaml" 1 "site.yaml:6:13: error: schema type of 'skills' must be string, integer, bool, date, list, pages or {enum: [...]}, not 'lsit'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- jsonld and matrix settings -------------------------------------------
fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\njsonld:\n  roles: {name: title}\n' > "$S/site.yaml"
fail_with "jsonld without @type" 1 "site.yaml:5:10: error: jsonld of 'roles' must be a mapping with an \"@type\"" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
printf 'title: T\nbase_url: https://example.org\ntheme: none\njsonld:\n  roles:\n    "@type": Occupation\n    salary: {median: pay}\n' > "$S/site.yaml"
fail_with "jsonld: a nested mapping without @type" 1 "site.yaml:7:13: error: jsonld property 'salary' must name a page field, or be {value: ...}, {field: ...}, a mapping with an \"@type\", or a list of these" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
printf 'title: T\nbase_url: https://example.org\ntheme: none\njsonld:\n  roles:\n    "@type": Occupation\n    d: {field: [x]}\n' > "$S/site.yaml"
fail_with "jsonld: a field that is no name" 1 "site.yaml:7:8: error: jsonld property 'd': {field: NAME, map: {...}} takes a field name and an optional mapping of values" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
printf 'title: T\nbase_url: https://example.org\ntheme: none\ngroups:\n  by_level: {section: roles}\n' > "$S/site.yaml"
fail_with "groups without by:" 1 "site.yaml:5:13: error: group 'by_level' needs section: (a section) and by: (a front-matter key)" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
printf 'title: T\nbase_url: https://example.org\ntheme: none\nmatrix: {rows: roles, columns: skills}\n' > "$S/site.yaml"
fail_with "matrix over a taxonomy the site lacks" 1 "site.yaml:4:32: error: matrix columns 'skills' is not a taxonomy of this site" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
ok "--timings names every stage" sh -c '"$FOLIO" build -s "$0" -o "$1" --timings 2>&1 | grep -c "ms .*%" | grep -qx 8' "$S" "$TMP/out"
# Peak memory so far: above zero after every stage, and never lower than
# at the stage before.
ok "--timings gives the peak memory after each stage" sh -c '"$FOLIO" build -s "$0" -o "$1" --timings 2>&1 |
	awk "/ ms .*peak/ { v = \$(NF - 1) + 0; if (v <= 0 || v < last) bad = 1; last = v; n++ } END { exit bad || n != 8 }"' "$S" "$TMP/out-peak"

# --- usage ---------------------------------------------------------------
fail_with "unknown option" 2 "unknown option '--frobnicate'" "$FOLIO" build --frobnicate
fail_with "bad -j" 2 "-j needs a number" "$FOLIO" build -j zero
fail_with "unknown command" 2 "unknown command 'bulid'" "$FOLIO" bulid

# --- folio check writes nothing -------------------------------------------
fresh
page "$S/content/a.md" A
ok "check passes" "$FOLIO" check -s "$S"
if [ -e "$S/public" ]; then fail "check wrote output"; else pass; fi
page "$S/content/a.md" A '[x](y.md)'
fail_with "check reports link errors" 1 "content/a.md:4:1: error: link 'y.md'" "$FOLIO" check -s "$S"

# folio serve on a site folder that is not there says why, not "not a folder".
fail_with "serve: a missing site folder" 1 "folio: site folder '$TMP/none': No such file or directory" \
	"$FOLIO" serve -s "$TMP/none"
touch "$TMP/file"
fail_with "serve: a file as the site folder" 1 "folio: site folder '$TMP/file': not a folder" \
	"$FOLIO" serve -s "$TMP/file"

finish
