# tests/cli/career-site.sh - the career site of this repository builds
# with --strict, every internal link and fragment resolves, every XML file
# parses, every page has its description, canonical link and Open Graph
# tags, and tests/tools/careercheck.py's checks hold: JSON-LD with each
# type's required properties, quick facts beside their sources, metadata,
# listings, review dates and outbound links, the career map; the matrix
# has a row per role and a grouped column per skill, with totals.
. tests/cli/lib

out="$TMP/site"
ok "career site builds with --strict" "$FOLIO" build -s . -o "$out" --strict --quiet
ok "every internal link resolves" python3 tests/tools/linkcheck.py "$out"
for x in $(cd "$out" && find . -name '*.xml' | sort); do
	ok "XML parses: $x" xmllint --noout "$out/$x"
done
missing=""
for f in $(cd "$out" && find . -name 'index.html' | sort); do
	grep -q '<meta name="description" content="' "$out/$f" &&
	grep -q '<link rel="canonical" href="https://' "$out/$f" &&
	grep -q '<meta property="og:title"' "$out/$f" &&
	grep -q '<meta property="og:description"' "$out/$f" || missing="$missing $f"
done
ok "description, canonical and Open Graph on every page${missing:+ (missing:$missing)}" test -z "$missing"

roles=$(ls content/roles/*.md | grep -v _index | wc -l)
ok "one role page per role file" test "$(ls -d "$out"/roles/*/index.html | grep -v '/page/' | wc -l)" -eq "$roles"
for check in jsonld facts metadata listings trust careermap; do
	ok "career checks: $check" python3 tests/tools/careercheck.py "$check" "$out" content
done
skills=$(ls content/skills/*.md | grep -v _index | wc -l)
body=$(sed -n '/<tbody>/,/<\/tbody>/p' "$out/matrix/index.html")
ok "the matrix has a row per role" test "$(printf '%s\n' "$body" | grep -c '<th scope="row">')" -eq "$roles"
ok "the matrix has a column per skill, grouped" test "$(grep -c '<th scope="col"><a href="/skills/' "$out/matrix/index.html")" -eq "$skills"
ok "the matrix has a group header per skill category" test "$(grep -c 'scope="colgroup"' "$out/matrix/index.html")" -eq "$(sed -n 's/^category: //p' content/skills/*.md | sort -u | wc -l)"
ok "the matrix totals every row" test "$(printf '%s\n' "$body" | grep -c '<td class="total">')" -eq "$roles"
ok "skill pages list the roles that need them" grep -q 'href="/roles/python-backend-developer/"' "$out/skills/django/index.html"

finish
