# tests/cli/mustache.sh - folio mustache DATA TEMPLATE [--partials DIR].
. tests/cli/lib

printf 'name: World\nitems: [a, b]\nhtml: "<b>"\n' > "$TMP/data.yaml"
printf 'Hello {{name}}!{{#items}} {{.}}{{/items}} {{html}} {{{html}}}{{>part}}' > "$TMP/t.mustache"
mkdir -p "$TMP/partials/sub"
printf ' [partial {{name}}]' > "$TMP/partials/part.mustache"
printf 'nested' > "$TMP/partials/sub/deep.mustache"

"$FOLIO" mustache "$TMP/data.yaml" "$TMP/t.mustache" --partials "$TMP/partials" > "$TMP/got"
printf 'Hello World! a b &lt;b&gt; <b> [partial World]' > "$TMP/want"
ok "renders exactly, no newline added" cmp "$TMP/got" "$TMP/want"

printf '{{#items.0}}first={{items.0}} second={{items.1}}{{/items.0}}[{{items.7}}]{{#none.0}}x{{/none.0}}' > "$TMP/idx.mustache"
"$FOLIO" mustache "$TMP/data.yaml" "$TMP/idx.mustache" > "$TMP/got"
printf 'first=a second=b[]' > "$TMP/want"
ok "list items by index" cmp "$TMP/got" "$TMP/want"

printf '{{>sub/deep}}' > "$TMP/t2.mustache"
"$FOLIO" mustache "$TMP/data.yaml" "$TMP/t2.mustache" --partials "$TMP/partials" > "$TMP/got"
printf 'nested' > "$TMP/want"
ok "partials in subfolders" cmp "$TMP/got" "$TMP/want"

"$FOLIO" mustache "$TMP/data.yaml" "$TMP/t.mustache" > "$TMP/got"
printf 'Hello World! a b &lt;b&gt; <b>' > "$TMP/want"
ok "missing partials render empty" cmp "$TMP/got" "$TMP/want"

printf 'line one\n{{#items}}\n{{.}}\n' > "$TMP/bad.mustache"
fail_with "template error with its place" 1 "bad.mustache:2:1: error: section 'items' opened here is never closed" \
	"$FOLIO" mustache "$TMP/data.yaml" "$TMP/bad.mustache"

printf 'a: [1, 2\n' > "$TMP/bad.yaml"
fail_with "data error with its place" 1 "bad.yaml:2:1: error:" \
	"$FOLIO" mustache "$TMP/bad.yaml" "$TMP/t.mustache"

fail_with "missing file" 1 "nothere.yaml: error: cannot read" \
	"$FOLIO" mustache "$TMP/nothere.yaml" "$TMP/t.mustache"
fail_with "usage" 2 "usage: folio mustache" "$FOLIO" mustache "$TMP/data.yaml"
fail_with "unknown option" 2 "unknown option '--x'" "$FOLIO" mustache --x a b

printf '{{>self}}' > "$TMP/partials/self.mustache"
printf '{{>self}}' > "$TMP/loop.mustache"
fail_with "partial recursion is an error" 1 "nested too deeply" \
	"$FOLIO" mustache "$TMP/data.yaml" "$TMP/loop.mustache" --partials "$TMP/partials"

finish
