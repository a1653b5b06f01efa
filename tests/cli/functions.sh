# tests/cli/functions.sh - no function in src/ runs much over 100 lines
# (scripts/function-lengths measures them), so each reads on one screen
# or two; a longer one is split along the phases it goes through.
. tests/cli/lib
LIMIT=100

# The measure itself: a function of known length, in folio's style.
{
	printf 'static int f(int x)\n{\n'
	i=0
	while [ $i -lt 116 ]; do printf '\tx++;\n'; i=$((i + 1)); done
	printf '\treturn x;\n}\n'
} > "$TMP/f.c"
sh scripts/function-lengths "$TMP/f.c" > "$TMP/f.len"
ok "a function is counted from its name to its closing brace" grep -qx "120 $TMP/f.c:1 f" "$TMP/f.len"

sh scripts/function-lengths > "$TMP/lengths"
ok "every file of src/ is read" grep -q " src/build.c:[0-9]* run_pipeline$" "$TMP/lengths"
awk -v max=$LIMIT '$1 > max' "$TMP/lengths" > "$TMP/long"
if [ -s "$TMP/long" ]; then
	fail "functions over $LIMIT lines:"
	sed 's/^/    /' "$TMP/long"
else
	pass
fi
finish
