# tests/cli/content.sh - content trees as other generators' users have
# them: page bundles and their files, every internal link checked, files
# that are not pages, lenient front matter, URLs, aliases, the layout
# lookup, and every error of a build in one round.
. tests/cli/lib

S="$TMP/site"
fresh() { rm -rf "$S" "$TMP/out"; make_site "$S"; page "$S/content/_index.md" Home; }
errors_in() { grep -c ': error: ' "$1"; }

# --- the Hugo-shaped fixture, broken three ways ------------------------------
# tests/sites/hugo-docs builds cleanly (tests/cli/sites.sh); a copy with one
# broken link, one missing image and one missing fragment reports exactly
# those three, each at its place.
cp -R tests/sites/hugo-docs "$TMP/hd"
rm -rf "$TMP/hd/expected"
sed -i 's|\[the spec\](spec.pdf)|[the spec](spek.pdf)|' "$TMP/hd/content/docs/collector/index.md"
sed -i 's|!\[graph\](graph.png)|![graph](grahp.png)|' "$TMP/hd/content/docs/concepts/sampling/index.md"
sed -i 's|#head-sampling|#hed-sampling|' "$TMP/hd/content/docs/configuration/receivers.markdown"
"$FOLIO" build -s "$TMP/hd" -o "$TMP/hd-out" 2>"$TMP/hd.err" >/dev/null
ok "broken copy: the build fails" test $? -eq 1
ok "broken copy: the broken link, at its place" grep -qF "content/docs/collector/index.md:11:44: error: link 'spek.pdf' leads to no page or file of this site (looked for /docs/collector/spek.pdf)" "$TMP/hd.err"
ok "broken copy: the missing image, at its place" grep -qF "content/docs/concepts/sampling/index.md:12:1: error: link 'grahp.png' leads to no page or file of this site (looked for /docs/concepts/sampling/grahp.png)" "$TMP/hd.err"
ok "broken copy: the missing fragment, at its place" grep -qF "content/docs/configuration/receivers.markdown:4:50: error: link '../../concepts/sampling/#hed-sampling': $TMP/hd/content/docs/concepts/sampling/index.md has no heading or anchor with id 'hed-sampling'" "$TMP/hd.err"
ok "broken copy: exactly those three" test "$(errors_in "$TMP/hd.err")" -eq 3
ok "broken copy: a summary line counts them" grep -qF "folio: 3 internal links lead nowhere" "$TMP/hd.err"
ok "broken copy: nothing written" test ! -e "$TMP/hd-out"
printf 'links: warn\n' >> "$TMP/hd/site.yaml"
"$FOLIO" build -s "$TMP/hd" -o "$TMP/hd-out" 2>"$TMP/hd.err" >/dev/null
ok "links: warn builds" test $? -eq 0
ok "links: warn: three warnings" test "$(grep -c ': warning: link' "$TMP/hd.err")" -eq 3
fail_with "links: warn, --strict: errors again" 1 "error: link 'spek.pdf'" \
	"$FOLIO" build -s "$TMP/hd" -o "$TMP/hd-out2" --strict

# --- page bundles and their files ------------------------------------------
fresh
page "$S/content/docs/x/index.md" Bundle '![d](d.png) [pdf](files/spec.pdf) [up](../y.md)'
page "$S/content/docs/y.md" Y '![shared](shared/logo.svg) ![abs](/docs/shared/logo.svg)'
mkdir -p "$S/content/docs/x/files" "$S/content/docs/shared"
printf 'png' > "$S/content/docs/x/d.png"
printf 'pdf' > "$S/content/docs/x/files/spec.pdf"
printf 'svg' > "$S/content/docs/shared/logo.svg"
printf 'secret' > "$S/content/docs/x/.env"
ok "bundle: builds" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "bundle: the page is at /docs/x/" test -f "$TMP/out/docs/x/index.html"
ok "bundle: no /docs/x/index/" test ! -e "$TMP/out/docs/x/index"
ok "bundle: not a section listing" grep -q '<h1>Bundle</h1>' "$TMP/out/docs/x/index.html"
ok "bundle: its image copied beside it" test -f "$TMP/out/docs/x/d.png"
ok "bundle: files in its subfolders too" test -f "$TMP/out/docs/x/files/spec.pdf"
ok "bundle: hidden files are not copied" test ! -e "$TMP/out/docs/x/.env"
ok "bundle: links to its files rewritten" grep -qF 'href="/docs/x/files/spec.pdf"' "$TMP/out/docs/x/index.html"
ok "files beside a plain page: copied, links rewritten" grep -qF 'src="/docs/shared/logo.svg"' "$TMP/out/docs/y/index.html"
ok "files beside a plain page: the file" test -f "$TMP/out/docs/shared/logo.svg"
page "$S/content/docs/x/_index.md" Both
fail_with "bundle and section in one folder" 1 "content/docs/x/index.md:1:1: error: a folder holds both index.md (a page bundle) and _index.md (a section); keep one" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# Bundles inside bundles, Markdown in a bundle, drafts, a url: naming a file.
fresh
mkdir -p "$S/content/docs/nest/inner" "$S/content/docs/coll" "$S/content/secret" "$S/content/docs/file"
page "$S/content/docs/nest/index.md" Nest '[notes](notes.md) [inner](inner/index.md)'
page "$S/content/docs/nest/inner/index.md" Inner
page "$S/content/docs/nest/notes.md" Notes
printf -- '---\ntitle: Secret\ndraft: true\n---\nx\n' > "$S/content/secret/index.md"
printf 'pdf' > "$S/content/secret/plan.pdf"
printf -- '---\ntitle: File\nurl: /file.html\n---\n![d](d.png)\n' > "$S/content/docs/file/index.md"
printf 'png' > "$S/content/docs/file/d.png"
ok "bundles: build" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "a bundle inside a bundle is one of its files" test -f "$TMP/out/docs/nest/inner/index.md"
ok "Markdown in a bundle is copied" test -f "$TMP/out/docs/nest/notes.md"
ok "a link to Markdown in a bundle leads to the file" grep -qF 'href="/docs/nest/notes.md"' "$TMP/out/docs/nest/index.html"
ok "a draft bundle's files are left out with it" test ! -e "$TMP/out/secret/plan.pdf"
ok "a bundle at a file URL: its files beside the file" test -f "$TMP/out/d.png"
ok "a bundle at a file URL: the link follows" grep -qF 'src="/d.png"' "$TMP/out/file.html"

fresh
mkdir -p "$S/content/Docs" "$S/content/docs"
printf 'a' > "$S/content/Docs/a.png"
printf 'b' > "$S/content/docs/a.png"
fail_with "two files of content/ on one path: both named" 1 "content/docs/a.png: error: this file and $S/content/Docs/a.png are both written to /docs/a.png" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/f.md" F '## Café au lait

[here](#caf%C3%A9-au-lait)'
ok "a percent-encoded fragment is read as the browser reads it" "$FOLIO" build -s "$S" -o "$TMP/out" --strict

# --- files that are not pages ------------------------------------------------
fresh
mkdir -p "$S/content/_includes" "$S/content/docs/_common" "$S/content/drafts"
printf 'No front matter: a partial.\n' > "$S/content/_includes/note.md"
printf 'Also a partial.\n' > "$S/content/docs/_common/x.md"
printf 'Not ready.\n' > "$S/content/drafts/wip.md"
page "$S/content/docs/a.md" A
printf 'ignore: ["drafts"]\n' >> "$S/site.yaml"
ok "'_' folders and ignore: are not pages" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "'_' folders: not built" test ! -e "$TMP/out/_includes"
ok "check --verbose names them" sh -c "'$FOLIO' check -s '$S' --verbose > '$TMP/v.out'"
ok "check --verbose: _includes" grep -qF "folio: not built: content/_includes/ (its name starts with '_'" "$TMP/v.out"
ok "check --verbose: _common" grep -qF "folio: not built: content/docs/_common/" "$TMP/v.out"
ok "check --verbose: ignore:" grep -qF "folio: not built: content/drafts/ (site.yaml ignores drafts)" "$TMP/v.out"
page "$S/content/docs/b.markdown" Markdown
ok ".markdown is a page" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok ".markdown: at /docs/b/" test -f "$TMP/out/docs/b/index.html"

# --- lenient front matter --------------------------------------------------
fresh
printf -- '---\ntitle: 2019\ndate: 2018-01-02 11:21:40 +0100\n---\nx\n' > "$S/content/y.md"
printf -- '---\ntitle: 1.10\n---\nx\n' > "$S/content/v.md"
printf -- '---\ndate: 2018-01-02T11:21:40\n---\nx\n' > "$S/content/getting-started.md"
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/err" >/dev/null
ok "lenient: builds" test $? -eq 0
ok "title: 2019 as written" grep -q '<h1>2019</h1>' "$TMP/out/y/index.html"
ok "title: 1.10 as written" grep -q '<h1>1.10</h1>' "$TMP/out/v/index.html"
ok "no title: from the file name" grep -q '<h1>Getting started</h1>' "$TMP/out/getting-started/index.html"
ok "no title: a warning" grep -qF "content/getting-started.md:1:1: warning: front matter has no 'title'; the page is titled 'Getting started' after its file" "$TMP/err"
printf -- '+++\ntitle = "T"\n+++\nx\n' > "$S/content/toml.md"
fail_with "TOML front matter" 1 "content/toml.md:1:1: error: front matter in TOML ('+++') is not read: folio reads YAML front matter" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- URLs --------------------------------------------------------------------
fresh
page "$S/content/Functions/Images/QR.md" QR
ok "lowercase URLs" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "lowercase URLs: /functions/images/qr/" test -f "$TMP/out/functions/images/qr/index.html"
printf 'urls: {lowercase: false}\n' >> "$S/site.yaml"
ok "urls.lowercase: false" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "urls.lowercase: false keeps case" test -f "$TMP/out/Functions/Images/QR/index.html"
page "$S/content/Functions/Images/qr.md" qr
fail_with "URLs that differ only in case" 1 "differ only in case or accents" "$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/docs/configuration.md" Configuration 'The folder page.'
page "$S/content/docs/configuration/sub.md" Sub
ok "a page beside a same-named folder" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "a page beside a same-named folder: is its section page" grep -q 'The folder page.' "$TMP/out/docs/configuration/index.html"
page "$S/content/docs/configuration/_index.md" Index
fail_with "a page and _index.md for one folder" 1 "content/docs/configuration.md:1:1: error: this page and $S/content/docs/configuration/_index.md are both the page of the folder docs/configuration/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- aliases, as Hugo reads them -------------------------------------------
fresh
mkdir -p "$S/content/docs"
printf -- '---\ntitle: X\naliases: [manual, /top/, ../old/]\n---\nx\n' > "$S/content/docs/x.md"
mkdir -p "$S/content/docs/b"
printf -- '---\ntitle: B\naliases: [manual]\n---\nx\n' > "$S/content/docs/b/index.md"
ok "aliases" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "relative alias: beside the file" grep -q 'url=/docs/x/' "$TMP/out/docs/manual/index.html"
ok "relative alias of a bundle: inside its folder" grep -q 'url=/docs/b/' "$TMP/out/docs/b/manual/index.html"
ok "'/' alias: from the root" test -f "$TMP/out/top/index.html"
ok "'..' alias" test -f "$TMP/out/old/index.html"

# --- the site's layouts win -------------------------------------------------
rm -rf "$S" && mkdir -p "$S/content/roles" "$S/layouts"
printf 'title: T\nbase_url: https://example.org/\n' > "$S/site.yaml"
page "$S/content/_index.md" Home
page "$S/content/roles/r.md" Role
printf '<!DOCTYPE html><html lang="en"><head><title>{{page.title}}</title></head><body>site page layout</body></html>\n' > "$S/layouts/page.mustache"
ok "site layouts first" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "site's page.mustache over the theme's roles/page.mustache" grep -q 'site page layout' "$TMP/out/roles/r/index.html"

# --- a layout's link ---------------------------------------------------------
fresh
printf '<a href="/missing/">m</a><a href="/">home</a>{{{page.content}}}\n' > "$S/layouts/page.mustache"
page "$S/content/a.md" A
fail_with "a layout's broken link names the layout" 1 "layouts/page.mustache: error: link '/missing/' (on the page /a/) leads to no page or file of this site" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- one round: errors of every stage together --------------------------------
fresh
printf -- '---\ntitle: [bad]\n---\nx\n' > "$S/content/fm.md"
page "$S/content/links.md" Links '[gone](/nowhere/) [file](nothing.md)'
printf -- '---\ntitle: L\nlayout: fancy\n---\nx\n' > "$S/content/lay.md"
printf '{{#open}}\n' > "$S/layouts/broken.mustache"
"$FOLIO" check -s "$S" --strict 2>"$TMP/err" >/dev/null
ok "one round: front matter" grep -qF "content/fm.md:2:8: error: 'title' must be a string" "$TMP/err"
ok "one round: a link to a missing file" grep -qF "content/links.md:4:19: error: link 'nothing.md' leads to no content file" "$TMP/err"
ok "one round: a link by URL" grep -qF "content/links.md:4:1: error: link '/nowhere/' leads to no page or file" "$TMP/err"
ok "one round: a layout" grep -qF "content/lay.md:3:9: error: no layout 'fancy'" "$TMP/err"
ok "one round: a template" grep -qF "layouts/broken.mustache:1:1: error:" "$TMP/err"

# --- what real Hugo and Jekyll content holds ----------------------------------
fresh
mkdir -p "$S/content/_posts" "$S/content/_data"
printf -- '---\ntitle: P\n---\nx\n' > "$S/content/_posts/2016-10-06-p.md"
printf 'a: 1\n' > "$S/content/_data/x.yml"
"$FOLIO" check -s "$S" 2>"$TMP/err" >/dev/null
ok "a '_' folder of pages: warned" grep -qF "content/_posts: warning: not built: names starting with '_' are partials and data, but this folder holds 1 Markdown file with front matter" "$TMP/err"
ok "a '_' folder of data: quiet" sh -c "! grep -q '_data' '$TMP/err'"
printf 'ignore: ["_posts"]\n' >> "$S/site.yaml"
"$FOLIO" check -s "$S" 2>"$TMP/err" >/dev/null
ok "a '_' folder in ignore: is meant, so quiet" sh -c "! grep -q '_posts' '$TMP/err'"

fresh
printf 'markdown: {unsafe: true}\n' >> "$S/site.yaml"
page "$S/content/raw.md" Raw '<div class="note"><a href="/nowhere/">x</a> <a href="/">home</a></div>

Also {{ page.title }} and [x]({{< ref "a" >}}).'
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/err" >/dev/null
ok "raw HTML links are checked (unsafe)" grep -qF "content/raw.md:4:28: error: link '/nowhere/' leads to no page or file of this site" "$TMP/err"
ok "raw HTML: the good link passes" test "$(errors_in "$TMP/err")" -eq 1
ok "Liquid output {{ }}: warned" grep -qF "content/raw.md:6:6: warning: '{{' starts a Liquid or template expression" "$TMP/err"

fresh
page "$S/content/attrs.md" Attrs '## Install {id="setup" class="wide big"}

## Two {style="x"}'
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/err" >/dev/null
ok "Hugo's id= and class= heading attributes" grep -qF '<h2 id="setup" class="wide big">Install</h2>' "$TMP/out/attrs/index.html"
ok "other heading attributes: warned" grep -qF "content/attrs.md:6:1: warning: heading attributes other than #id, .class, id= and class= are not read" "$TMP/err"

fresh
printf -- '---\ntitle: B\npermalink: /about-us/\ndescription: "Who we are"\n---\nThe first paragraph.\n' > "$S/content/b.md"
printf -- '---\ntitle: C\npermalink: /:categories/:title/\n---\n[about](/about-us/)\n' > "$S/content/c.md"
printf '<head><meta name="description" content="{{page.description}}"></head>{{{page.content}}}\n' > "$S/layouts/page.mustache"
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/err" >/dev/null
ok "Jekyll's permalink: a plain path is the URL" test -f "$TMP/out/about-us/index.html"
ok "Jekyll's permalink: placeholders are warned" grep -qF "content/c.md:3:12: warning: permalink '/:categories/:title/' has Jekyll placeholders" "$TMP/err"
ok "description: from front matter wins" grep -qF 'content="Who we are"' "$TMP/out/about-us/index.html"

# A heading never takes an id the layout writes: no id twice on a page.
fresh
printf '<main id="main">{{{page.content}}}</main>\n' > "$S/layouts/page.mustache"
page "$S/content/m.md" M '## Main'
ok "layout ids: build" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "layout ids: the heading's id keeps clear of the layout's" grep -qF '<h2 id="main-1">Main</h2>' "$TMP/out/m/index.html"
page "$S/content/m.md" M '## Main {#main}'
fail_with "layout ids: {#id} taking one is an error" 1 "content/m.md:4:1: error: heading id 'main' is already an id the layouts write" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# Settings of the rules above: wrong types are errors at their line.
fresh
printf 'links: maybe\n' >> "$S/site.yaml"
fail_with "links: neither error nor warn" 1 "site.yaml:4:8: error: 'links' must be error (the default) or warn" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fresh
printf 'ignore: drafts\n' >> "$S/site.yaml"
fail_with "ignore: not a list" 1 "site.yaml:4:9: error: 'ignore' must be a list of path patterns" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fresh
printf 'urls: {lowercase: sometimes}\n' >> "$S/site.yaml"
fail_with "urls.lowercase: not a boolean" 1 "site.yaml:4:" "$FOLIO" build -s "$S" -o "$TMP/out"

# assets/_folio/ is folio serve's own (the live-reload client): never copied.
fresh
mkdir -p "$S/assets/_folio" "$S/assets/css"
printf 'x' > "$S/assets/_folio/live.js"
printf 'x' > "$S/assets/css/a.css"
ok "assets: build" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "assets/_folio/ is not copied" test ! -e "$TMP/out/_folio"
ok "other assets are" test -f "$TMP/out/css/a.css"

# Pages folio makes without a layout: each error names what made the page.
rm -rf "$S" && mkdir -p "$S/content/docs" "$S/layouts"
printf 'title: T\ntheme: none\ntaxonomies: [tags]\n' > "$S/site.yaml"
printf -- '---\ntitle: A\ntags: [x]\n---\nx\n' > "$S/content/docs/a.md"
printf '{{page.title}}' > "$S/layouts/page.mustache"
"$FOLIO" check -s "$S" 2>"$TMP/err" >/dev/null
ok "no layout for a section: names its folder" grep -qF "content/docs: error: no layout for /docs/" "$TMP/err"
ok "no layout for a term: names site.yaml's taxonomies" grep -qF "site.yaml:3:13: error: no layout for /tags/x/" "$TMP/err"
ok "every diagnostic names a file" sh -c "! grep -q '^error:\|^warning:' '$TMP/err'"

# --- front matter and body read apart -----------------------------------------
# The load stage reads a file's first 4 KB, the Markdown stage the body
# after the front matter: front matter longer than that, CRLF files, a
# file of exactly 4096 bytes and errors in the body all read as whole.
rm -rf "$S" && make_site "$S"
python3 - "$S/content" <<'PY'
import sys
d = sys.argv[1]
open(d + '/long.md', 'w').write('---\ntitle: Long\ndescription: ' + 'x' * 5000 + '\n---\n\nLONG BODY [c](crlf.md)\n')
open(d + '/crlf.md', 'w', newline='').write('---\r\ntitle: Crlf\r\n---\r\n\r\n' + 'Para\r\n\r\n' * 900 + 'CRLF END\r\n')
open(d + '/exact.md', 'w').write(('---\ntitle: Exact\n---\n\n' + 'y' * 4200)[:4095] + 'Z')
PY
ok "split reads: build" "$FOLIO" build -s "$S" -o "$TMP/out" --quiet
ok "split reads: a body after 5 KB of front matter" grep -q "LONG BODY" "$TMP/out/long/index.html"
ok "split reads: a CRLF file's body, to its end" grep -q "CRLF END" "$TMP/out/crlf/index.html"
ok "split reads: a file of exactly 4096 bytes, to its last byte" grep -q "yZ</p>" "$TMP/out/exact/index.html"
printf -- '---\ntitle: N\n---\n\n%5000s\n\nwor\0ld\n' x > "$S/content/nul.md"
fail_with "split reads: a NUL far in the body, at its place" 1 "content/nul.md:7:4: error: file contains a NUL byte" \
	"$FOLIO" build -s "$S" -o "$TMP/out2"

finish
