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

finish
