# tests/cli/hostile.sh - hostile and careless input: nothing is lost or
# overwritten in silence.  Each case here once built with exit 0.
. tests/cli/lib

S="$TMP/site"
fresh() { rm -rf "$S" "$TMP/out"; make_site "$S"; page "$S/content/_index.md" Home; }
tax_site() {
	fresh
	printf 'title: T\nbase_url: https://example.org\ntheme: none\ntaxonomies: [tags]\npaginate: 1\n' > "$S/site.yaml"
	printf -- '---\ntitle: A\ntags: [x]\n---\nA\n' > "$S/content/a.md"
	printf -- '---\ntitle: A2\ntags: [x]\n---\nA\n' > "$S/content/a2.md"
}

# --- every output path has one owner ------------------------------------
tax_site
printf -- '---\ntitle: B\nurl: /tags/x/\n---\nB\n' > "$S/content/b.md"
fail_with "a url: on a term page" 1 \
	"content/b.md:3:6: error: URL /tags/x/ is also the URL of the term page /tags/x/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: B\nurl: /tags/\n---\nB\n' > "$S/content/b.md"
fail_with "a url: on a taxonomy page" 1 \
	"content/b.md:3:6: error: URL /tags/ is also the URL of the taxonomy page /tags/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: B\nurl: /tags/x/page/2/\n---\nB\n' > "$S/content/b.md"
fail_with "a url: on a term's second listing page" 1 \
	"content/b.md:3:6: error: URL /tags/x/page/2/ is also the URL of the term page /tags/x/page/2/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# Numbered listing pages are made only while rendering: what stands at
# their paths, or links to them, is still checked against them.
tax_site
printf -- '---\ntitle: B\naliases: [/tags/x/page/2/]\n---\nB\n' > "$S/content/b.md"
fail_with "an alias on a term's second listing page" 1 \
	"content/b.md:3:11: error: alias '/tags/x/page/2/' is the URL of the term page /tags/x/page/2/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
mkdir -p "$S/assets/tags/x/page/2"
echo mine > "$S/assets/tags/x/page/2/index.html"
fail_with "an asset on a term's second listing page" 1 \
	"error: asset would overwrite the URL /tags/x/page/2/ of the term page /tags/x/page/2/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
printf -- '---\ntitle: B\n---\n[two](/tags/x/page/2/) [three](/tags/x/page/3/) [zero](/tags/x/page/02/)\n' > "$S/content/b.md"
fail_with "a link past a listing's last page" 1 \
	"content/b.md:4:24: error: link '/tags/x/page/3/' leads to no page" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "... and a numbered page's number written otherwise" 1 \
	"content/b.md:4:49: error: link '/tags/x/page/02/' leads to no page" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
printf -- '---\ntitle: B\n---\n[two](/tags/x/page/2/#top)\n' > "$S/content/b.md"
printf '<h1 id="top">{{page.title}}</h1>{{{page.content}}}\n' > "$S/layouts/term.mustache"
ok "a link to a listing's second page" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... which is written" grep -q '<h1 id="top">x' "$TMP/out/tags/x/page/2/index.html"
# A listing written as a file (url: /r.html) has its numbered pages in
# the folder of that name, and its pagination links lead there.
tax_site
mkdir -p "$S/content/roles"
printf -- '---\ntitle: Roles\nurl: /r.html\n---\nRoles.\n' > "$S/content/roles/_index.md"
page "$S/content/roles/r1.md" R1
page "$S/content/roles/r2.md" R2
printf '<h1>{{page.title}}</h1>{{#page.pagination}}<a href="{{next_url}}">next</a>{{/page.pagination}}\n' > "$S/layouts/section.mustache"
ok "a listing written as a file, split into pages" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... has its second page in its own folder" test -s "$TMP/out/r/page/2/index.html"
ok "... and links to it" grep -q 'href="/r/page/2/"' "$TMP/out/r.html"

# A section page with a file of its own: its numbered pages take any
# fragment, as pages folio makes do, not only its file's ids.
tax_site
page "$S/content/roles/_index.md" Roles "Roles text."
page "$S/content/roles/r1.md" R1
page "$S/content/roles/r2.md" R2 "[two](/roles/page/2/#top)"
printf '<h1 id="top">{{page.title}}</h1>{{{page.content}}}\n' > "$S/layouts/section.mustache"
ok "a link to a fragment of a section's second page" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... which is written" test -s "$TMP/out/roles/page/2/index.html"

tax_site
printf -- '---\ntitle: B\naliases: [/tags/x/]\n---\nB\n' > "$S/content/b.md"
fail_with "an alias on a term page" 1 \
	"content/b.md:3:11: error: alias '/tags/x/' is the URL of the term page /tags/x/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# A page that sits at a term's URL by its place is that term's page.
tax_site
page "$S/content/tags/x.md" "About x" "Words about x."
ok "a content page in place is the term page" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... and shows its own text" grep -q "Words about x" "$TMP/out/tags/x/index.html"

# A section page in a term's folder is that term's page: it lists the
# term's pages, split into numbered pages, not its empty section.
tax_site
page "$S/content/tags/x/_index.md" "About x" "Words about x."
printf '<h1>{{page.title}}</h1>{{#page.pages}}<li>{{title}}</li>{{/page.pages}}\n' > "$S/layouts/term.mustache"
printf '<h1>{{page.title}}</h1>{{#page.pages}}<li>{{title}}</li>{{/page.pages}}\n' > "$S/layouts/section.mustache"
ok "a section page in place is the term page" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... and lists the term's first page" grep -q "<li>A</li>" "$TMP/out/tags/x/index.html"
ok "... and its second page" grep -q "<li>A2</li>" "$TMP/out/tags/x/page/2/index.html"

fresh
printf '<h1>{{page.title}}</h1>\n' > "$S/layouts/search.mustache"
printf -- '---\ntitle: C\nurl: /search/index.html\n---\nC\n' > "$S/content/c.md"
fail_with "a url: on the search page" 1 \
	"content/c.md:3:6: error: URL /search/index.html is also the URL of the search page" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf '<h1>{{page.title}}</h1>\n' > "$S/layouts/search.mustache"
printf -- '---\ntitle: C\naliases: [/search/]\n---\nC\n' > "$S/content/c.md"
fail_with "an alias on the search page" 1 \
	"content/c.md:3:11: error: alias '/search/' is the URL of the search page" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: R\nurl: /robots.txt\n---\nR\n' > "$S/content/r.md"
fail_with "a url: on robots.txt" 1 \
	"content/r.md:3:6: error: URL /robots.txt is also a file folio writes: robots.txt" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: R\naliases: [/sitemap.xml]\n---\nR\n' > "$S/content/r.md"
fail_with "an alias on the sitemap" 1 \
	"content/r.md:3:11: error: alias '/sitemap.xml' is also a file folio writes: the sitemap" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

for f in robots.txt sitemap.xml feed.xml; do
	fresh
	mkdir -p "$S/assets"
	echo mine > "$S/assets/$f"
	fail_with "an asset at /$f" 1 \
		"assets/$f: error: asset would overwrite a file folio writes" \
		"$FOLIO" build -s "$S" -o "$TMP/out"
done

fresh
mkdir -p "$S/assets/search"
printf '<h1>{{page.title}}</h1>\n' > "$S/layouts/search.mustache"
"$FOLIO" build -s "$S" -o "$TMP/out" >/dev/null 2>&1
idx=$(cd "$TMP/out/search" && ls *.json | head -n 1)
echo '{}' > "$S/assets/search/$idx"
fail_with "an asset at a search index file" 1 \
	"assets/search/$idx: error: asset would overwrite a file folio writes: the search index" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

tax_site
mkdir -p "$S/assets/tags/x"
echo mine > "$S/assets/tags/x/index.html"
fail_with "an asset at a term page" 1 \
	"assets/tags/x/index.html: error: asset would overwrite the URL /tags/x/ of the term page /tags/x/" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

# --- templates -------------------------------------------------------------
fresh
printf '<h1>{{page.title}}</h1>\n  {{> foooter}}\n' > "$S/layouts/page.mustache"
page "$S/content/a.md" A
fail_with "a missing partial in build" 1 \
	"layouts/page.mustache:2:3: error: partial 'foooter' is no template" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "a missing partial in check" 1 \
	"layouts/page.mustache:2:3: error: partial 'foooter' is no template" \
	"$FOLIO" check -s "$S"

fresh
printf 'x\n{{<base}}{{$main}}m{{/main}}{{/base}}\n' > "$S/layouts/page.mustache"
page "$S/content/a.md" A
fail_with "a missing parent" 1 \
	"layouts/page.mustache:2:1: error: parent 'base' is no template" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf '{{<base}}{{$main}}m{{/main}}{{/base}}{{>*page.part}}\n' > "$S/layouts/page.mustache"
printf '[{{$main}}{{/main}}]{{>foot}}\n' > "$S/layouts/base.mustache"
printf 'F\n' > "$S/layouts/partials/foot.mustache"
page "$S/content/a.md" A
ok "parents, partials and a dynamic partial naming nothing build" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\ntitle: A\nseniority: senior\n---\nx\n' > "$S/content/a.md"
printf 'title: T\nbase_url: https://example.org\ntheme: none\nowner: me\n' > "$S/site.yaml"
printf '<h1>{{page.title}}</h1>\n{{#page.pages}}{{title}}{{/page.pages}}{{page.seniority}}{{site.owner}}\n  {{page.titel}}\n' \
	> "$S/layouts/page.mustache"
fail_with "check warns about a name nothing supplies" 0 \
	"layouts/page.mustache:3:3: warning: nothing supplies 'titel' in {{page.titel}}" \
	"$FOLIO" check -s "$S"
n=$(grep -c "nothing supplies" "$TMP/.stderr")
ok "... and only about that one (got $n)" [ "$n" -eq 1 ]
fail_with "--strict makes it an error" 1 \
	"layouts/page.mustache:3:3: error: nothing supplies 'titel' in {{page.titel}}" \
	"$FOLIO" check -s "$S" --strict

# --- front matter ----------------------------------------------------------
fresh
printf -- '---\ntitle: B\n--- !x\nsecret: kept?\n---\nB\n' > "$S/content/b.md"
fail_with "a second YAML document in front matter" 1 \
	"content/b.md:3:1: error: a second YAML document starts here" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\n---\nmore: 1\n' > "$S/site.yaml"
fail_with "a second YAML document in site.yaml" 1 \
	"site.yaml:4:1: error: a second YAML document starts here" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

for esc in '\0' '\x01' '\e' '\x7f' '\u0085' '\N'; do
	fresh
	printf -- '---\ntitle: ok\nsummary: "a%sb"\n---\nB\n' "$esc" > "$S/content/c.md"
	fail_with "the escape $esc in a front-matter string" 1 "content/c.md:3:10: error: string holds" \
		"$FOLIO" build -s "$S" -o "$TMP/out"
done
fresh
printf -- '---\ntitle: ok\nlist: [a, "b\\x02"]\n---\nB\n' > "$S/content/c.md"
fail_with "a control character in a list item" 1 \
	"content/c.md:3:11: error: string holds the control character U+0002" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fresh
printf -- '---\ntitle: ok\n"k\\x03": 1\n---\nB\n' > "$S/content/c.md"
fail_with "a control character in a key" 1 \
	"content/c.md:3:1: error: string holds the control character U+0003" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fresh
printf -- '---\ntitle: "tab\\there"\nsummary: "two\\nlines"\n---\nB\n' > "$S/content/c.md"
ok "tab and newline escapes are fine" "$FOLIO" build -s "$S" -o "$TMP/out"

# U+2028 and U+2029 may appear, but never raw inside JSON or a script.
fresh
printf 'title: T\nbase_url: https://example.org\ntheme: none\njsonld: {roles: {"@type": Occupation, name: title}}\n' > "$S/site.yaml"
printf '{{{page.jsonld}}}|{{page.title}}\n' > "$S/layouts/page.mustache"
printf '<h1>{{page.title}}</h1>\n' > "$S/layouts/search.mustache"
mkdir -p "$S/content/roles"
printf -- '---\ntitle: "Line\\Lsep\\Pend"\n---\nWords here.\n' > "$S/content/roles/x.md"
ok "U+2028 and U+2029 in a title build" "$FOLIO" build -s "$S" -o "$TMP/out"
jsonld=$(sed 's/|.*//' "$TMP/out/roles/x/index.html")
case $jsonld in
*'Line\u2028sep\u2029end'*) pass ;;
*) fail "JSON-LD escapes U+2028/U+2029: $jsonld" ;;
esac
sep=$(printf '\342\200\250')
if grep -l "$sep" "$TMP/out/search/"*.json "$TMP/out/roles/x/index.html" | grep -q json; then
	fail "a raw U+2028 in the search index"
elif grep -q 'Line\\u2028sep' "$TMP/out/search/"*.json; then
	pass
else
	fail "the search index lacks the escaped title"
fi

fresh
printf -- '---\ntitle: W\n---\nWide.\n' | iconv -f UTF-8 -t UTF-16 > "$S/content/w.md"
fail_with "UTF-16 with a byte order mark" 1 "content/w.md:1:1: error: file is UTF-16" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
for enc in UTF-16LE UTF-16BE UTF-32LE UTF-32BE; do
	fresh
	printf -- '---\ntitle: W\n---\nWide.\n' | iconv -f UTF-8 -t $enc > "$S/content/w.md"
	fail_with "$enc without a byte order mark" 1 "content/w.md:1:1: error: file is $enc text" \
		"$FOLIO" build -s "$S" -o "$TMP/out"
done
fresh
printf 'title: T\nbase_url: https://example.org\n' | iconv -f UTF-8 -t UTF-16LE > "$S/site.yaml"
fail_with "a UTF-16 site.yaml" 1 "site.yaml:1:1: error: file is UTF-16LE text" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
printf -- '---\rtitle: Old Mac\rsummary: s\r---\rFirst *line*\r\rSecond.\r' > "$S/content/cr.md"
ok "a file with lone CR line ends builds" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... read like LF" grep -q '<h1>Old Mac</h1><p>First <em>line</em></p>' "$TMP/out/cr/index.html"
ok "... paragraphs split" grep -q '<p>Second.</p>' "$TMP/out/cr/index.html"

# --- walks -------------------------------------------------------------------
fresh
page "$S/content/sub/a.md" A
ln -s . "$S/content/loop"
ln -s .. "$S/content/sub/up"
ln -s ../sub "$S/content/sub/again"
fail_with "a link to the folder it is in" 0 \
	"content/loop: warning: symbolic link leads to a folder it is inside (a loop); not followed" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
cp "$TMP/.stderr" "$TMP/walk.err"
ok "... a link to a parent is one too" grep -qF "content/sub/up: warning: symbolic link leads to a folder it is inside" "$TMP/walk.err"
ok "... and a link back to its own folder" grep -qF "content/sub/again: warning: symbolic link leads to a folder it is inside" "$TMP/walk.err"
n=$(grep -c "warning" "$TMP/walk.err")
ok "... three warnings and nothing else (got $n)" [ "$n" -eq 3 ]
ok "... nothing walked through them" [ ! -e "$TMP/out/loop" ]
rm "$S/content/loop" "$S/content/sub/up" "$S/content/sub/again"
mkdir -p "$S/shared"
page "$S/shared/s.md" Shared
ln -s ../shared "$S/content/linked"
ok "a link to a folder elsewhere in the site is still followed" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "... and its pages built" [ -f "$TMP/out/linked/s/index.html" ]

# --- builds never collide or leave debris -------------------------------
fresh
for i in $(seq 1 40); do page "$S/content/p$i.md" "Page $i" "Text of page $i."; done
O="$TMP/pub"
rm -rf "$O" "$TMP"/.pub.*
ok "a first build" "$FOLIO" build -s "$S" -o "$O" -q
# The site's files and their bytes, to compare later builds with.
snapshot() { (cd "$O" && find . -type f | sort | xargs cat | cksum); }
site_sum=$(snapshot)
ok "... leaves a lock file beside the output" [ -f "$TMP/.pub.folio-lock" ]
# Hold the lock as a build would, for a while.
flock "$TMP/.pub.folio-lock" sleep 3 &
holder=$!
sleep 0.5
fail_with "--no-wait fails while another build holds the output" 1 \
	"error: another build is writing '$O'" \
	"$FOLIO" build -s "$S" -o "$O" --no-wait -q
start=$(date +%s)
fail_with "a second build waits, saying so" 0 \
	"folio: another build is writing '$O'; waiting for it to finish" \
	"$FOLIO" build -s "$S" -o "$O" -q
end=$(date +%s)
ok "... until the first is done ($((end - start)) s)" [ $((end - start)) -ge 1 ]
wait $holder
# Two real builds at once: both succeed and the site is whole.
"$FOLIO" build -s "$S" -o "$O" -q -j 1 2>"$TMP/b1.err" & b1=$!
"$FOLIO" build -s "$S" -o "$O" -q -j 1 2>"$TMP/b2.err" & b2=$!
wait $b1; r1=$?
wait $b2; r2=$?
ok "two builds at once both succeed ($r1, $r2)" [ "$r1" -eq 0 ] && [ "$r2" -eq 0 ]
ok "... and leave the whole site" [ "$(snapshot)" = "$site_sum" ]

# The temporary folders of killed builds go with the next build.
mkdir -p "$TMP/.pub.folio-tmp.99999/p1" "$TMP/.pub.folio-tmp.4242.old"
echo half > "$TMP/.pub.folio-tmp.99999/p1/index.html"
mkdir -p "$TMP/.other.folio-tmp.99999"
for k in 1 2 3; do
	"$FOLIO" build -s "$S" -o "$O" -q -j 1 2>/dev/null & victim=$!
	sleep 0.0$k
	kill -9 $victim 2>/dev/null
	wait $victim 2>/dev/null
done
ok "a build after killed ones" "$FOLIO" build -s "$S" -o "$O" -q
left=$(cd "$TMP" && ls -d .pub.folio-tmp.* 2>/dev/null | wc -l)
ok "... removes their temporary folders ($left left)" [ "$left" -eq 0 ]
ok "... but not another output's" [ -d "$TMP/.other.folio-tmp.99999" ]
ok "... and the site is whole" [ "$(snapshot)" = "$site_sum" ]

# --- slow pages are named --------------------------------------------------
fresh
page "$S/content/quick.md" Quick "Nothing slow here."
# cmark is quadratic on this shape: about a second here, far over the limit.
awk 'BEGIN { printf "---\ntitle: Slow\n---\n"; for (i = 0; i < 40000; i++) printf "![[]()"; print "" }' \
	> "$S/content/slow.md"
FOLIO_SLOW_PAGE_MS=150 "$FOLIO" build -s "$S" -o "$TMP/out" -q 2>"$TMP/slow.err"
ok "a slow page still builds" [ $? -eq 0 ]
ok "... is named while the build runs" \
	grep -q "^folio: .*content/slow.md: Markdown still running after [0-9.]* s$" "$TMP/slow.err"
ok "... and listed with its time at the end" \
	grep -q "warning: Markdown took longer than 0.15 s on 1 page: .*content/slow.md ([0-9.]* s)" "$TMP/slow.err"
ok "... a quick page is not" sh -c "! grep -q quick.md '$TMP/slow.err'"
FOLIO_SLOW_PAGE_MS=150 "$FOLIO" build -s "$S" -o "$TMP/out" -q --strict 2>"$TMP/slow.err"
ok "... and --strict makes it an error" [ $? -eq 1 ]

"$FOLIO" --version > "$TMP/version"
ok "--version names folio" grep -q "^folio [0-9]" "$TMP/version"
for lib in yaml-0.1:libyaml libmicrohttpd:libmicrohttpd; do
	v=$(pkg-config --modversion "${lib%%:*}")
	ok "--version gives ${lib#*:} $v, the version pkg-config has" grep -qx "${lib#*:} $v" "$TMP/version"
done
# The Markdown library folio is linked with, and the version it was built against.
case $(ldd "$FOLIO") in
*libcmark-gfm*) md=$(pkg-config --modversion libcmark-gfm) ;;
*) md=$(pkg-config --modversion libcmark) ;;
esac
ok "--version gives the Markdown library, $md" grep -q "^[a-z-]*cmark[a-z-]* $md (Markdown)$" "$TMP/version"

finish
