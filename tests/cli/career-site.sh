# tests/cli/career-site.sh - the career site of this repository builds
# with --strict, every internal link and fragment resolves, every XML file
# parses, every page has its description, canonical link and Open Graph
# tags, and role pages carry Occupation JSON-LD that parses as JSON.
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
cat > "$TMP/jsonld.py" <<'PY'
import json, re, sys
bad = 0
for path in sys.argv[1:]:
    html = open(path, encoding="utf-8").read()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    if len(blocks) != 1:
        print(f"{path}: {len(blocks)} JSON-LD blocks"); bad += 1; continue
    data = json.loads(blocks[0])
    if data.get("@type") != "Occupation" or not data.get("name") or not data.get("skills"):
        print(f"{path}: not an Occupation with name and skills"); bad += 1
sys.exit(1 if bad else 0)
PY
ok "role pages carry Occupation JSON-LD" python3 "$TMP/jsonld.py" $(ls "$out"/roles/*/index.html | grep -v '/page/')
ok "the matrix links every role" test "$(grep -c '<th scope="row">' "$out/matrix/index.html")" -eq "$roles"
ok "skill pages list the roles that need them" grep -q 'href="/roles/python-backend-developer/"' "$out/skills/django/index.html"

finish
