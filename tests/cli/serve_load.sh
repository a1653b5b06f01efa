# tests/cli/serve_load.sh - folio serve under load, on loopback: 500
# connections trickling their request heads and 200 open event streams,
# while a page must still answer within a second (tests/tools/serve_load.py).
# SERVE_LOAD_SECONDS makes it run longer (make soak).
. tests/cli/lib

command -v python3 >/dev/null 2>&1 || { fail "python3 is needed"; finish; exit 1; }
export TMPDIR="$TMP"
S="$TMP/site"
make_site "$S"
page "$S/content/_index.md" Home
for i in $(seq 1 20); do page "$S/content/p$i.md" "Page $i"; done

trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
start_server "$TMP/serve.log" -s "$S" --port 0
server=$PID
port=$PORT
ok "folio serve starts" [ -n "$URL" ]

python3 tests/tools/serve_load.py "$port" --trickle "${SERVE_LOAD_TRICKLE:-500}" \
	--streams "${SERVE_LOAD_STREAMS:-200}" --seconds "${SERVE_LOAD_SECONDS:-14}" >"$TMP/load.out" 2>&1
grep '^FAIL' "$TMP/load.out"
last=$(tail -n 1 "$TMP/load.out")
case $last in
*" passed, "*" failed")
	PASS=$((PASS + ${last%% passed*}))
	f=${last#*passed, }
	FAIL=$((FAIL + ${f%% failed*})) ;;
*) fail "the load script ended without its summary: $last" ;;
esac

ok "the server is still running" kill -0 "$server"
kill -TERM "$server"
wait "$server"
ok "and stops cleanly on SIGTERM (exit $?)" [ $? -eq 0 ]
finish
