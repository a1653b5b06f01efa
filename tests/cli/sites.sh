# tests/cli/sites.sh - every fixture site under tests/sites/ is built and
# compared byte for byte with its expected/ tree; builds are repeated to
# show the output does not depend on -j, on the HTML cache, or on the run.
. tests/cli/lib

for site in tests/sites/*/; do
	name=$(basename "$site")
	if [ ! -d "$site/expected" ]; then
		fail "$name: no expected/ folder (make regress-update writes it)"
		continue
	fi
	args=""
	[ -f "$site/args" ] && args=$(cat "$site/args")
	out="$TMP/$name"
	"$FOLIO" build -s "$site" -o "$out" -j 2 --quiet $args 2>"$TMP/stderr"
	ok "$name: build" test $? -eq 0
	# Warnings are part of the expected output.
	if [ -f "$site/expected.stderr" ]; then
		ok "$name: warnings as expected" diff "$site/expected.stderr" "$TMP/stderr"
	else
		ok "$name: no warnings" test ! -s "$TMP/stderr"
	fi
	if diff -r "$site/expected" "$out" >"$TMP/diff" 2>&1; then
		pass
	else
		fail "$name: output differs from expected/"
		head -40 "$TMP/diff" | sed 's/^/    /'
	fi
	ok "$name: build -j 1" "$FOLIO" build -s "$site" -o "$out.j1" -j 1 --quiet $args
	ok "$name: -j 1 equals -j 2" diff -r "$out" "$out.j1"
	FOLIO_HTML_CACHE_MB=0 "$FOLIO" build -s "$site" -o "$out.nocache" -j 2 --quiet $args
	ok "$name: HTML kept on disk between stages gives the same bytes" diff -r "$out" "$out.nocache"
	# Without a usable TMPDIR, HTML is parsed again at render time; the
	# search index needs its temporary files and says so.
	FOLIO_HTML_CACHE_MB=0 TMPDIR=/nonexistent "$FOLIO" build -s "$site" -o "$out.reparse" -j 2 \
		--quiet $args 2>"$TMP/reparse.err"
	if [ -d "$out/search" ]; then
		ok "$name: without TMPDIR, the search index says why it stops" \
			grep -q "cannot make a temporary file in /nonexistent for the search index" "$TMP/reparse.err"
	else
		ok "$name: parsing again when HTML cannot be kept gives the same bytes" diff -r "$out" "$out.reparse"
	fi
	ok "$name: rebuild over the previous output" "$FOLIO" build -s "$site" -o "$out" --quiet $args
	ok "$name: rebuild is identical" diff -r "$site/expected" "$out"
	if command -v xmllint >/dev/null 2>&1; then
		for x in $(find "$out" -name '*.xml' | sort); do
			ok "$name: ${x#$out/} is well-formed XML" xmllint --noout "$x"
		done
	fi
	if command -v python3 >/dev/null 2>&1; then
		ok "$name: internal links resolve" python3 tests/tools/linkcheck.py "$out"
	fi
done

# make regress-update writes expected/ (and expected.stderr) only: the
# files a build keeps beside its output stay out of the site's folder.
for name in basic markdown; do
	mkdir -p "$TMP/regress"
	cp -R "tests/sites/$name" "$TMP/regress/$name"
	rm -rf "$TMP/regress/$name/expected" "$TMP/regress/$name/expected.stderr"
	ok "regress-update $name: runs" tests/tools/regress-update "$FOLIO" "$TMP/regress/$name/"
	ok "regress-update $name: expected/ as committed" diff -r "tests/sites/$name/expected" "$TMP/regress/$name/expected"
	if [ -f "tests/sites/$name/expected.stderr" ]; then
		# The warnings name the files under the folder given.
		sed "s|^$TMP/regress/$name/|tests/sites/$name/|" "$TMP/regress/$name/expected.stderr" >"$TMP/regress/stderr"
		ok "regress-update $name: warnings as committed" \
			diff "tests/sites/$name/expected.stderr" "$TMP/regress/stderr"
	fi
	(cd "tests/sites/$name" && find . | sort) >"$TMP/regress/want"
	(cd "$TMP/regress/$name" && find . | sort) >"$TMP/regress/got"
	ok "regress-update $name: no other files in the site's folder" diff "$TMP/regress/want" "$TMP/regress/got"
done

finish
