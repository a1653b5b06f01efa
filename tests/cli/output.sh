# tests/cli/output.sh - the output folder across builds: the replaced site
# is reused as the next build's start, and nothing stale survives.
. tests/cli/lib

S="$TMP/site"
make_site "$S"
page "$S/content/_index.md" Home
page "$S/content/a.md" A
page "$S/content/b.md" B
out="$TMP/out"
old="$TMP/.out.folio-old"

ok "first build" "$FOLIO" build -s "$S" -o "$out"
page "$S/content/a.md" A 'Changed.'
ok "second build" "$FOLIO" build -s "$S" -o "$out"
ok "the replaced site is kept for reuse" test -f "$old/.folio-output"
rm "$S/content/b.md"
page "$S/content/c.md" C
ok "build after removing a page" "$FOLIO" build -s "$S" -o "$out"
ok "the new page is there" test -f "$out/c/index.html"
if [ -e "$out/b/index.html" ] || [ -e "$out/b" ]; then fail "a removed page survived in the output"; else pass; fi

# Output equals a build into a fresh folder.
ok "fresh build" "$FOLIO" build -s "$S" -o "$TMP/fresh"
ok "reused and fresh output are identical" diff -r "$out" "$TMP/fresh"

# A symbolic link planted in the reused tree is removed, never followed.
mkdir -p "$TMP/victim"
rm -rf "$old/c"
ln -s "$TMP/victim" "$old/c"
ok "build with a planted link" "$FOLIO" build -s "$S" -o "$out"
ok "link not followed" test ! -e "$TMP/victim/index.html"
ok "reused and fresh output still identical" diff -r "$out" "$TMP/fresh"

# A failed build keeps both the site and the reusable tree.
page "$S/content/a.md" A '[x](nope.md)'
"$FOLIO" build -s "$S" -o "$out" 2>/dev/null
ok "failed build: site untouched" diff -r "$out" "$TMP/fresh"
if ls -a "$TMP" | grep -q folio-tmp; then fail "temporary folder left behind"; else pass; fi

page "$S/content/a.md" A
ok "build after the fix" "$FOLIO" build -s "$S" -o "$out"

# --base-url changes permalinks only; site-relative links stay as they are.
ok "preview build" "$FOLIO" build -s "$S" -o "$TMP/preview" --base-url https://preview.example.net/x/
ok "permalinks use --base-url" grep -q 'https://preview.example.net/x/c/' "$TMP/preview/sitemap.xml"
ok "site-relative URLs unchanged" cmp "$TMP/preview/c/index.html" "$out/c/index.html"
fail_with "a relative --base-url is a usage error of its own" 1 "--base-url 'preview' must be an absolute http(s) URL" \
	"$FOLIO" build -s "$S" -o "$TMP/preview" --base-url preview

# SOURCE_DATE_EPOCH is the time of a feed without dated pages.
SOURCE_DATE_EPOCH=86400 "$FOLIO" build -s "$S" -o "$TMP/sde" --quiet
ok "SOURCE_DATE_EPOCH dates the feed" grep -q '<updated>1970-01-02T00:00:00Z</updated>' "$TMP/sde/feed.xml"

# A site without layouts/ gets the default theme; a site's own file
# replaces the default one of the same name and keeps the others.
D="$TMP/plain"
mkdir -p "$D/content"
printf 'title: Plain\nbase_url: https://example.org\n' > "$D/site.yaml"
page "$D/content/_index.md" Home
page "$D/content/notes/a.md" "A note"
ok "default theme build" "$FOLIO" build -s "$D" -o "$TMP/plain-out"
ok "default theme: page rendered" grep -q '<h1>A note</h1>' "$TMP/plain-out/notes/a/index.html"
ok "default theme: stylesheet copied" test -s "$TMP/plain-out/css/site.css"
mkdir -p "$D/layouts/partials"
printf '<footer>Our own footer</footer>\n' > "$D/layouts/partials/footer.mustache"
ok "override build" "$FOLIO" build -s "$D" -o "$TMP/plain-out"
ok "the site's partial replaces the default" grep -q 'Our own footer' "$TMP/plain-out/notes/a/index.html"
ok "the other default layouts stay" grep -q '<h1>A note</h1>' "$TMP/plain-out/notes/a/index.html"

# Search: the default theme's /search/ page and index, and search: false.
ok "default theme: a search page" test -s "$TMP/plain-out/search/index.html"
ok "default theme: the index root it names exists" sh -c \
	'r=$(sed -n "s/.*data-index=\"\/search\/\([^\"]*\)\".*/\1/p" "$1/search/index.html"); test -n "$r" && test -s "$1/search/$r"' sh "$TMP/plain-out"
ok "default theme: a search box in the header" grep -q 'role="search"' "$TMP/plain-out/notes/a/index.html"
printf 'search: false\n' >> "$D/site.yaml"
ok "search: false build" "$FOLIO" build -s "$D" -o "$TMP/plain-out"
ok "search: false: no search folder" test ! -e "$TMP/plain-out/search"
ok "search: false: no search box" sh -c '! grep -q "role=\"search\"" "$1"' sh "$TMP/plain-out/notes/a/index.html"

# --- a site that has not changed is not built again (inputs.h) -------------
# Each kind of change builds again, and the result equals a clean build.
U="$TMP/u"
rm -rf "$U" && make_site "$U"
page "$U/content/_index.md" Home
page "$U/content/a.md" A
page "$U/content/b.md" B
mkdir -p "$U/assets" && printf 'body{}' > "$U/assets/s.css"
uo="$TMP/u-out"
"$FOLIO" build -s "$U" -o "$uo" >"$TMP/u.log" 2>&1
ok "unchanged: first build writes" grep -q "folio: wrote" "$TMP/u.log"
ok "unchanged: the inputs are recorded beside the output" grep -q "^inputs [0-9a-f]\{16\}$" "$TMP/.u-out.folio-inputs"
"$FOLIO" build -s "$U" -o "$uo" >"$TMP/u.log" 2>&1
ok "unchanged: a second build says so" grep -q "folio: nothing changed since the last build of 3 pages" "$TMP/u.log"
# Through a symbolic link to the output folder, the lock file and the
# record are the ones beside the folder itself (output_beside).
ln -s u-out "$TMP/u-link"
"$FOLIO" build -s "$U" -o "$TMP/u-link" >"$TMP/u.log" 2>&1
ok "unchanged: also through a link to the output folder" grep -q "folio: nothing changed" "$TMP/u.log"
same_as_clean() { # WHAT: build into $uo, then compare with a fresh folder
	"$FOLIO" build -s "$U" -o "$uo" >"$TMP/u.log" 2>&1
	ok "unchanged: after $1, it builds" grep -q "folio: wrote" "$TMP/u.log"
	rm -rf "$TMP/u-clean"
	"$FOLIO" build -s "$U" -o "$TMP/u-clean" >/dev/null 2>&1
	ok "unchanged: after $1, equal to a clean build" diff -r "$uo" "$TMP/u-clean"
	"$FOLIO" build -s "$U" -o "$uo" >"$TMP/u.log" 2>&1
	ok "unchanged: after $1, then unchanged" grep -q "nothing changed" "$TMP/u.log"
}
page "$U/content/a.md" A 'A new body.'
same_as_clean "a body edit"
page "$U/content/a.md" A 'A new bodY.'
same_as_clean "an edit that keeps the size"
printf -- '---\ntitle: A renamed\n---\nA new body.\n' > "$U/content/a.md"
same_as_clean "a front-matter edit"
printf '<h2>{{page.title}}</h2>{{{page.content}}}\n' > "$U/layouts/page.mustache"
same_as_clean "a template edit"
printf 'title: T2\nbase_url: https://example.org\ntheme: none\n' > "$U/site.yaml"
same_as_clean "a site.yaml edit"
printf 'body{color:red}' > "$U/assets/s.css"
same_as_clean "an asset edit"
rm "$U/content/b.md"
same_as_clean "a deleted page"
printf 'x' > "$U/content/img.png"
same_as_clean "a file added beside the pages"
"$FOLIO" build -s "$U" -o "$uo" --drafts >"$TMP/u.log" 2>&1
ok "unchanged: --drafts builds again" grep -q "folio: wrote" "$TMP/u.log"
"$FOLIO" build -s "$U" -o "$uo" --verbose >"$TMP/u.log" 2>&1
ok "unchanged: --verbose builds again, to list what it skips" grep -q "folio: wrote" "$TMP/u.log"
page "$U/content/c.md" C '[gone](/nowhere/)'
printf 'links: warn\n' >> "$U/site.yaml"
"$FOLIO" build -s "$U" -o "$uo" >/dev/null 2>&1
"$FOLIO" build -s "$U" -o "$uo" >"$TMP/u.log" 2>&1
ok "unchanged: a build with warnings is built again, to show them" grep -q "warning: link" "$TMP/u.log"
ok "unchanged: and records no inputs" test ! -e "$TMP/.u-out.folio-inputs"

finish
