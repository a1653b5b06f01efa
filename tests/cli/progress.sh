# tests/cli/progress.sh - the progress line of folio build on a terminal:
# one line per stage, rewritten in place with pages done of total and
# finished with the stage's time; nothing of it without a terminal, with
# --quiet, on a dumb terminal, or for a build shorter than the threshold.
. tests/cli/lib
command -v python3 >/dev/null 2>&1 || { fail "python3 is needed"; finish; exit 1; }
on_tty() { python3 tests/tools/pty_run.py "$@"; }

S="$TMP/site"
mkdir -p "$S/content/s0" "$S/content/s1" "$S/content/s2"
printf 'title: T\nbase_url: https://example.org\ntaxonomies:\n  tags: {}\n' > "$S/site.yaml"
page "$S/content/_index.md" Home
i=0
while [ $i -lt 40 ]; do
	printf -- '---\ntitle: Page %d\ntags: [t%d]\n---\n## Part\n\nBody %d.\n' $i $((i % 7)) $i \
		> "$S/content/s$((i % 3))/p$i.md"
	i=$((i + 1))
done
md=$(find "$S/content" -name '*.md' | wc -l)

# The stages, in order, as --timings names them.
"$FOLIO" build -s "$S" -o "$TMP/t" --quiet --timings 2>"$TMP/timings" >/dev/null
stages=$(sed -n 's/^folio: \(.*[a-z]\) *[0-9.]* ms .*/\1/p' "$TMP/timings")
nstages=$(echo "$stages" | wc -l)
ok "--timings names the stages" test "$nstages" -gt 3

# On a terminal, with the threshold at 0 ms: every stage's line.
FOLIO_PROGRESS_MS=0 TERM=xterm on_tty "$FOLIO" build -s "$S" -o "$TMP/out" -j 2 > "$TMP/raw"
ok "build on a terminal" test $? -eq 0
# What the terminal shows, one write a line: \r starts a rewrite.
tr '\r' '\n' < "$TMP/raw" | sed 's/^\x1b\[K//' | grep -v '^$' > "$TMP/shown"
grep -E '^folio: .* \([0-9]+\.[0-9] s\)$' "$TMP/shown" | sed -E 's/ \([0-9.]+ s\)$//; s/ [0-9]+\/[0-9]+$//; s/^folio: //' \
	> "$TMP/finished"
if [ "$(cat "$TMP/finished")" = "$stages" ]; then pass; else
	fail "finished progress lines are not one per stage in order:"; diff "$TMP/finished" - <<EOF2
$stages
EOF2
fi
pages=$(sed -n 's/^folio: wrote \([0-9]*\) pages.*/\1/p' "$TMP/shown")
first=$(echo "$stages" | head -n 1)
ok "the load stage counts the Markdown files" grep -qxE "folio: $first $md/$md \([0-9.]+ s\)" "$TMP/shown"
ok "the markdown stage counts them too" grep -qxE "folio: markdown $md/$md \([0-9.]+ s\)" "$TMP/shown"
ok "the render stage counts the pages written ($pages)" grep -qxE "folio: render $pages/$pages \([0-9.]+ s\)" "$TMP/shown"
ok "a counted stage starts at 0 of its total" grep -qx "folio: render 0/$pages" "$TMP/shown"
# In place: each write of the line starts by returning and clearing it.
writes=$(grep -c '^folio: ' "$TMP/shown")
clears=$(grep -o "$(printf '\r\033')\[K" "$TMP/raw" | wc -l)
ok "every progress write clears the line first ($clears of $((writes - 1)))" test "$clears" -eq $((writes - 1))
ok "the summary comes last, on a line of its own" sh -c "tail -n 1 '$TMP/shown' | grep -q '^folio: wrote $pages pages'"
ok "same site as without a terminal" diff -r "$TMP/out" "$TMP/t"

# Each build below writes a new folder: a build into the last one would
# find nothing changed (inputs.h) and build nothing.
# Nothing extra without a terminal, whatever the threshold.
FOLIO_PROGRESS_MS=0 "$FOLIO" build -s "$S" -o "$TMP/out1" -j 2 >"$TMP/stdout" 2>"$TMP/stderr"
ok "no terminal: nothing on standard error" test ! -s "$TMP/stderr"
ok "no terminal: only the summary on standard output" sh -c "[ \$(wc -l < '$TMP/stdout') -eq 1 ] && grep -q '^folio: wrote' '$TMP/stdout'"

# --quiet on a terminal: nothing at all.
FOLIO_PROGRESS_MS=0 TERM=xterm on_tty "$FOLIO" build -s "$S" -o "$TMP/out2" --quiet > "$TMP/raw"
ok "--quiet on a terminal prints nothing" test ! -s "$TMP/raw"

# A dumb terminal cannot clear a line: no progress.
FOLIO_PROGRESS_MS=0 TERM=dumb on_tty "$FOLIO" build -s "$S" -o "$TMP/out3" > "$TMP/raw"
ok "TERM=dumb: only the summary" sh -c "[ \$(tr -d '\r' < '$TMP/raw' | wc -l) -eq 1 ] && grep -q '^folio: wrote' '$TMP/raw'"

# The default threshold (a second): this small build is over long before.
env -u FOLIO_PROGRESS_MS TERM=xterm python3 tests/tools/pty_run.py "$FOLIO" build -s "$S" -o "$TMP/out4" > "$TMP/raw"
ok "a short build shows no progress" sh -c "[ \$(tr -d '\r' < '$TMP/raw' | wc -l) -eq 1 ] && grep -q '^folio: wrote' '$TMP/raw'"

# A threshold that is no number is said, and the default used.
FOLIO_PROGRESS_MS=soon TERM=xterm on_tty "$FOLIO" build -s "$S" -o "$TMP/out5" > "$TMP/raw"
ok "a bad FOLIO_PROGRESS_MS is named" grep -q "FOLIO_PROGRESS_MS is a number of milliseconds, not 'soon'; using 1000" "$TMP/raw"
ok "and the build goes on" grep -q '^folio: wrote' "$TMP/raw"

# A build that fails: the unfinished line is cleared before the errors.
page "$S/content/s0/p0.md" "Page 0" '[x](nope.md)'
FOLIO_PROGRESS_MS=0 TERM=xterm on_tty "$FOLIO" build -s "$S" -o "$TMP/out6" > "$TMP/raw"
ok "the broken build fails" test $? -eq 1
tr '\r' '\n' < "$TMP/raw" | sed 's/^\x1b\[K//' | grep -v '^$' > "$TMP/shown"
ok "the error is on a line of its own" grep -q "^$S/content/s0/p0.md:[0-9]*:[0-9]*: error" "$TMP/shown"
# Right before it, the terminal's line was cleared or ended.
ok "the unfinished line was cleared before the error" python3 -c '
import sys
raw = open(sys.argv[1], "rb").read()
at = raw.find(sys.argv[2].encode())
sys.exit(0 if at > 0 and (raw[:at].endswith(b"\r\x1b[K") or raw[:at].endswith(b"\n")) else 1)
' "$TMP/raw" "$S/content/s0/p0.md:"
finish
