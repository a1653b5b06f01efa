# tests/cli/modules.sh - no cycles between modules: link the objects of
# src/*.c by the functions and variables one defines and another uses,
# and the modules sort into an order (tsort finds no loop), so each can be
# read, tested and changed knowing only the ones below it.
. tests/cli/lib
: "${TEST_BIN:=build/tests}"
OBJ=$(dirname "$TEST_BIN")/obj

# "USER DEFINER" for each symbol a module uses from another, once.
for c in src/*.c; do
	m=$(basename "$c" .c)
	[ -f "$OBJ/$m.o" ] || { echo "FAIL: no object $OBJ/$m.o"; exit 1; }
	nm "$OBJ/$m.o" | awk -v m="$m" '$2 ~ /^[TDBR]$/ { print "D", $3, m } $1 == "U" { print "U", $2, m }'
done | awk '$1 == "D" { def[$2] = $3; next }
	{ n++; sym[n] = $2; user[n] = $3 }
	END { for (i = 1; i <= n; i++)
		if ((sym[i] in def) && def[sym[i]] != user[i]) print user[i], def[sym[i]] }' |
	sort -u > "$TMP/edges"

ok "the pipeline calls its stages" grep -qx "build render" "$TMP/edges"
ok "the views read the model" grep -qx "view site" "$TMP/edges"
ok "no cycle between modules" tsort "$TMP/edges"
# The same check finds a cycle when there is one.
{ cat "$TMP/edges"; echo "site build"; } > "$TMP/looped"
fail_with "a cycle is found" 1 "loop" tsort "$TMP/looped"
finish
