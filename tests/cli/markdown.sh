# tests/cli/markdown.sh - Markdown as editors write it, in folio build: the
# default theme's table of contents, the markdown and toc settings, and
# the errors and warnings Markdown text can cause, each at its place.
. tests/cli/lib

S="$TMP/site"
fresh() { rm -rf "$S" "$TMP/out"; make_site "$S"; page "$S/content/_index.md" Home; }

# --- the default theme's table of contents nests h2 > h3 > h4 -------------
rm -rf "$S" && mkdir -p "$S/content"
printf 'title: T\nbase_url: https://example.org/\ntoc: {levels: [2, 4]}\n' > "$S/site.yaml"
page "$S/content/_index.md" Home
page "$S/content/deep.md" Deep '## One

### One A

#### One A i

### One B

## Two

#### Two skipped a level'
ok "default theme: build with h3 and h4" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
toc=$(sed -n '/<nav class="toc"/,/<\/nav>/p' "$TMP/out/deep/index.html" | tr -d '\n')
want='<nav class="toc" aria-labelledby="toc-title"><h2 id="toc-title">On this page</h2><ol><li><a href="#one">One</a><ol><li><a href="#one-a">One A</a><ol><li><a href="#one-a-i">One A i</a></li></ol></li><li><a href="#one-b">One B</a></li></ol></li><li><a href="#two">Two</a><ol><li><a href="#two-skipped-a-level">Two skipped a level</a></li></ol></li></ol></nav>'
if [ "$toc" = "$want" ]; then pass; else fail "default theme: toc nests every level"; echo "    got:  $toc"; echo "    want: $want"; fi
if grep -q '<ol>[[:space:]]*</ol>' "$TMP/out/deep/index.html"; then
	fail "default theme: an empty list in the toc"
else
	pass
fi
# The default levels are 2 to 3: h4 leaves the toc but keeps its id.
printf 'title: T\nbase_url: https://example.org/\n' > "$S/site.yaml"
ok "default toc levels" "$FOLIO" build -s "$S" -o "$TMP/out" --strict
ok "default toc levels: no h4 in the toc" sh -c "! sed -n '/<nav class=\"toc\"/,/<\\/nav>/p' '$TMP/out/deep/index.html' | grep -q one-a-i"
ok "default toc levels: h4 keeps its id" grep -q '<h4 id="one-a-i">' "$TMP/out/deep/index.html"
ok "default theme: alerts are styled" grep -q 'alert-warning' "$TMP/out/css/site.css"

# --- settings ------------------------------------------------------------
fresh
printf 'toc: {levels: [4, 2]}\n' >> "$S/site.yaml"
fail_with "toc levels out of order" 1 "site.yaml:4:15: error: 'toc' must be a mapping like {levels: [2, 4]}" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fresh
printf 'markdown: {gfm: maybe}\n' >> "$S/site.yaml"
fail_with "gfm must be a boolean" 1 "site.yaml:4:" "$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/t.md" Table '| a | b |
|---|---|
| 1 | 2 |

~~gone~~ www.example.com'
ok "gfm on by default" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "gfm: a table" grep -q '<td>1</td>' "$TMP/out/t/index.html"
ok "gfm: strikethrough" grep -q '<del>gone</del>' "$TMP/out/t/index.html"
ok "gfm: autolink" grep -q '<a href="http://www.example.com">' "$TMP/out/t/index.html"
printf 'markdown: {gfm: false}\n' >> "$S/site.yaml"
ok "gfm: false" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "gfm: false: no table" sh -c "! grep -q '<table' '$TMP/out/t/index.html'"
ok "gfm: false: no strikethrough" grep -q '~~gone~~' "$TMP/out/t/index.html"
ok "gfm: false: no autolink" sh -c "! grep -q '<a href=\"http://www.example.com\">' '$TMP/out/t/index.html'"

# --- errors and warnings at their place ------------------------------------
fresh
page "$S/content/ids.md" Ids 'Intro.

## First {#same}

Text.

## Second {#same}'
fail_with "duplicate explicit heading id" 1 "content/ids.md:10:1: error: heading id 'same' is already used by the heading on line 6" \
	"$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/a.md" A '[to b](b.md#custom) [raw](b.md#raw) [note](b.md#fn-1) [bad](b.md#nope)'
page "$S/content/b.md" B '## Heading {#custom}

<a id="raw"></a> text[^1]

[^1]: a note'
fail_with "fragment to a missing id on another page" 1 "content/a.md:4:55: error: link 'b.md#nope'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
fail_with "raw HTML ids count only when raw HTML is kept" 1 "content/a.md:4:21: error: link 'b.md#raw'" \
	"$FOLIO" build -s "$S" -o "$TMP/out"
cp "$TMP/.stderr" "$TMP/frag.err"
ok "explicit ids and footnotes are targets: two errors only" sh -c "[ \$(grep -c error: '$TMP/frag.err') -eq 2 ]"
printf 'markdown: {unsafe: true}\n' >> "$S/site.yaml"
page "$S/content/a.md" A '[to b](b.md#custom) [raw](b.md#raw) [note](b.md#fn-1)'
ok "with markdown.unsafe, raw HTML ids are targets" "$FOLIO" build -s "$S" -o "$TMP/out"

fresh
page "$S/content/hugo.md" Hugo 'Text {{< tab "x" >}} more {{% param "y" %}}
and {% include z.html %}, but not in `{{< code >}}`.'
"$FOLIO" build -s "$S" -o "$TMP/out" 2>"$TMP/err" >/dev/null
ok "shortcodes: the build succeeds" test $? -eq 0
ok "shortcodes: {{< warned at its place" grep -qF "content/hugo.md:4:6: warning: '{{<' starts a Hugo shortcode" "$TMP/err"
ok "shortcodes: {{% warned at its place" grep -qF "content/hugo.md:4:27: warning: '{{%' starts a Hugo shortcode" "$TMP/err"
ok "shortcodes: {% warned at its place" grep -qF "content/hugo.md:5:5: warning: '{%' starts a Liquid tag" "$TMP/err"
ok "shortcodes: nothing warned in code" sh -c "[ \$(grep -c warning: '$TMP/err') -eq 3 ]"
fail_with "shortcodes: an error under --strict" 1 "content/hugo.md:4:6: error: '{{<' starts a Hugo shortcode" \
	"$FOLIO" build -s "$S" -o "$TMP/out" --strict

# --- footnote ids are the labels' ---------------------------------------------
fresh
page "$S/content/n.md" N 'Text[^note].

## Fn note

[^note]: The note.'
ok "footnote labels: build" "$FOLIO" build -s "$S" -o "$TMP/out"
ok "footnote labels: the heading keeps clear of fn-note" grep -qF '<h2 id="fn-note-1">Fn note</h2>' "$TMP/out/n/index.html"
ok "footnote labels: fn-note once" test "$(grep -o 'id="fn-note"' "$TMP/out/n/index.html" | wc -l)" -eq 1

# --- strikethrough and autolinks on many threads at once -----------------------
# cmark-gfm keeps the characters of inline extensions in one process-wide
# table; parsers running side by side must not lose them.
fresh
mkdir -p "$S/content/many"
line='Some ~~struck~~ text and www.example.com here.'
body=$(for k in $(seq 1 40); do printf '%s\n\n' "$line"; done)
for n in $(seq 1 120); do page "$S/content/many/p$n.md" "P$n" "$body"; done
for run in 1 2; do
	rm -rf "$TMP/many"
	"$FOLIO" build -s "$S" -o "$TMP/many" -j 8 --quiet
	ok "many threads (run $run): every strikethrough" test "$(cat "$TMP"/many/many/p*/index.html | grep -o '<del>' | wc -l)" -eq 4800
	ok "many threads (run $run): every autolink" test "$(cat "$TMP"/many/many/p*/index.html | grep -o '<a href="http://www.example.com">' | wc -l)" -eq 4800
done

# Pages with links only, with '~' only, and with neither but with 'w' and
# ':' in their text, mixed: on any number of threads, every page keeps its
# links and strikethrough, and plain text stays as written.
fresh
mkdir -p "$S/content/mix"
for n in $(seq 1 60); do
	page "$S/content/mix/l$n.md" "L$n" "$(for k in $(seq 1 40); do printf 'See https://example.org/p%s and www.example.com now.\n\n' "$k"; done)"
	page "$S/content/mix/t$n.md" "T$n" "$(for k in $(seq 1 40); do printf 'Some ~~struck~~ text.\n\n'; done)"
	page "$S/content/mix/w$n.md" "W$n" "$(for k in $(seq 1 40); do printf 'Wow: we wrote words, www and w:w.\n\n'; done)"
done
for j in 1 8; do
	rm -rf "$TMP/mix$j"
	"$FOLIO" build -s "$S" -o "$TMP/mix$j" -j $j --quiet
	ok "links alone, -j $j: every autolink" test "$(cat "$TMP"/mix$j/mix/l*/index.html | grep -o '<a href="https://example.org/p[0-9]*">' | wc -l)" -eq 2400
	ok "links alone, -j $j: every www link" test "$(cat "$TMP"/mix$j/mix/l*/index.html | grep -o '<a href="http://www.example.com">' | wc -l)" -eq 2400
	ok "tildes alone, -j $j: every strikethrough" test "$(cat "$TMP"/mix$j/mix/t*/index.html | grep -o '<del>struck</del>' | wc -l)" -eq 2400
	ok "neither, -j $j: the text as written" test "$(cat "$TMP"/mix$j/mix/w*/index.html | grep -o '<p>Wow: we wrote words, www and w:w.</p>' | wc -l)" -eq 2400
done
ok "links, tildes and neither: the same site for -j 1 and -j 8" diff -r "$TMP/mix1" "$TMP/mix8"

finish
