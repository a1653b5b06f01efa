# tests/cli/serve.sh - folio serve: what is served after each change to
# the site, the reload events, the errors of a failed build, the output
# folder staying byte-identical to folio build, and the path and Host
# attacks, each with its expected status.
. tests/cli/lib

command -v curl >/dev/null 2>&1 || { fail "curl is needed (apt-get install curl)"; finish; exit 1; }
command -v python3 >/dev/null 2>&1 || { fail "python3 is needed"; finish; exit 1; }

# The servers and streams started here are stopped on exit, by pid.
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT
export TMPDIR="$TMP"

# A raw HTTP client, for requests curl would normalise: tests/tools/raw_http.py.
RAW=tests/tools/raw_http.py

# Polls COMMAND every 50 ms for 15 s at most.
wait_ok() {
	_name=$1
	shift
	_i=0
	while [ $_i -lt 300 ]; do
		if "$@" >/dev/null 2>&1; then
			pass
			return 0
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	fail "$_name (timed out)"
	return 1
}

# get PATH [CURL ARGS...]: the body in $TMP/body, headers in $TMP/headers,
# prints the status.
get() {
	_path=$1
	shift
	curl -s -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' "$@" "$URL$_path"
}

served() { # PATH TEXT: does PATH serve TEXT?
	curl -s "$URL$1" | grep -qF -- "$2"
}

not_served() { # PATH: does PATH answer 404?
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL$1")" = 404 ]
}

header() { # NAME: the value of header NAME in $TMP/headers
	grep -i "^$1:" "$TMP/headers" | head -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'
}

expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$3', want '$2'"; fi
}

raw() { # WANT|HOST|PATH lines on standard input: checks each status
	python3 "$RAW" "$PORT" > "$TMP/raw.out"
	while IFS='|' read -r got want host path; do
		expect "GET $path with Host '$host'" "$want" "$got"
	done < "$TMP/raw.out"
}

rebuilds() { grep -c '^folio: rebuilt' "$TMP/serve.log"; }

# The site: its own layouts, a stylesheet, a 404 page.
S="$TMP/site"
mkdir -p "$S/content/notes" "$S/layouts" "$S/assets/css"
printf 'title: Serve test\nbase_url: https://example.org\ntheme: none\n' > "$S/site.yaml"
for k in page section home term terms 404; do
	printf '<!DOCTYPE html>\n<html><head><title>{{page.title}}</title><link rel="stylesheet" href="/css/site.css"></head>\n<body><h1>{{page.title}}</h1>\n{{{page.content}}}\n</body></html>\n' > "$S/layouts/$k.mustache"
done
printf 'body { color: black; }\n' > "$S/assets/css/site.css"
printf 'plain text\n' > "$S/assets/notes.txt"
page "$S/content/_index.md" Home "Welcome home."
page "$S/content/a.md" A "First version of a."
page "$S/content/b.md" B "Page b."
page "$S/content/c.md" C "Page c."
page "$S/content/notes/n.md" N "A note."
printf -- '---\ntitle: Draft\ndraft: true\n---\nDraft text.\n' > "$S/content/draft.md"

# Usage errors.
fail_with "a port out of range is a usage error" 2 "--port needs a number" "$FOLIO" serve -s "$S" --port 70000
fail_with "an unknown option is a usage error" 2 "unknown option" "$FOLIO" serve -s "$S" --nope
fail_with "a missing site folder is an error" 1 "site folder '$TMP/none': No such file or directory" \
	"$FOLIO" serve -s "$TMP/none" --port 0
: > "$TMP/a-file"
fail_with "a file is not a site folder" 1 "site folder '$TMP/a-file': not a folder" \
	"$FOLIO" serve -s "$TMP/a-file" --port 0

ok "folio serve starts" start_server "$TMP/serve.log" -s "$S" --port 0
if [ -z "$URL" ]; then
	sed 's/^/    /' "$TMP/serve.log"
	finish
	exit 1
fi
SERVER=$PID
ok "it listens on 127.0.0.1" grep -q '^folio: serving .* at http://127\.0\.0\.1:[0-9][0-9]*/' "$TMP/serve.log"
ok "the output is a private folder, not the site's public/" test -f "$OUT/.folio-output"
ok "nothing written into the site" test ! -e "$S/public"

# An event stream open for the whole run.
curl -sN "$URL/_folio/events" > "$TMP/events" 2>/dev/null &
PIDS="$PIDS $!"

# Serving.
expect "home page" 200 "$(get /)"
expect "home page type" "text/html; charset=utf-8" "$(header Content-Type)"
expect "home page caching" "no-cache" "$(header Cache-Control)"
ok "home page text" grep -q 'Welcome home.' "$TMP/body"
ok "the reload script is in the page, before </body>" grep -q '<script src="/_folio/live.js" data-build="[0-9]*"></script></body>' "$TMP/body"
ok "but not in the file on disk" sh -c "! grep -q _folio '$OUT/index.html'"
ok "otherwise the page is the file" sh -c "sed 's|<script src=\"/_folio/live.js\" data-build=\"[0-9]*\"></script>||' '$TMP/body' | cmp -s - '$OUT/index.html'"
expect "folder URL" 200 "$(get /a/)"
ok "folder URL serves its index.html" grep -q 'First version of a.' "$TMP/body"
expect "folder URL without its slash redirects" 301 "$(get /a)"
expect "to the folder" "/a/" "$(header Location)"
expect "index.html by name" 200 "$(get /a/index.html)"
expect "stylesheet" 200 "$(get /css/site.css)"
expect "stylesheet type" "text/css; charset=utf-8" "$(header Content-Type)"
ok "stylesheet unchanged" cmp -s "$TMP/body" "$S/assets/css/site.css"
ETAG=$(header ETag)
ok "stylesheet has an ETag" test -n "$ETAG"
expect "a matching If-None-Match is 304" 304 "$(get /css/site.css -H "If-None-Match: $ETAG")"
expect "sitemap type" "application/xml" "$(get /sitemap.xml >/dev/null; header Content-Type)"
expect "text type" "text/plain; charset=utf-8" "$(get /notes.txt >/dev/null; header Content-Type)"
expect "HEAD" 200 "$(get / -I)"
expect "missing file" 404 "$(get /nope/)"
ok "missing file gets the site's 404 page" grep -q '<h1>Page not found</h1>' "$TMP/body"
ok "with the reload script" grep -q '/_folio/live.js' "$TMP/body"
expect "the script" 200 "$(get /_folio/live.js)"
expect "the script's type" "text/javascript; charset=utf-8" "$(header Content-Type)"
ok "the script writes text with textContent, never innerHTML" sh -c "grep -q textContent '$TMP/body' && ! grep -q 'innerHTML *=' '$TMP/body'"
expect "drafts are left out" 404 "$(get /draft/)"
expect "POST is refused" 405 "$(get / -X POST -d x=1)"
expect "405 names the methods" "GET, HEAD" "$(header Allow)"

# Editing a page.
page "$S/content/a.md" A "Second version of a."
wait_ok "an edited page is served" served /a/ "Second version of a."
wait_ok "the terminal shows the rebuild and its time" grep -q '^folio: rebuilt .* in [0-9]* ms (content/a.md)' "$TMP/serve.log"
wait_ok "open pages are told to reload" grep -q '^event: reload' "$TMP/events"

# A stylesheet alone: pages swap stylesheets, no reload.
printf 'body { color: navy; }\n' > "$S/assets/css/site.css"
wait_ok "an edited stylesheet is served" served /css/site.css navy
wait_ok "open pages are told to swap stylesheets" grep -q '^event: css' "$TMP/events"

# New folders, and pages in them, are seen.
mkdir -p "$S/content/new/deep"
page "$S/content/new/deep/x.md" X "In a new folder."
wait_ok "a page in a new folder is served" served /new/deep/x/ "In a new folder."
page "$S/content/new/deep/y.md" Y "Second in the new folder."
wait_ok "the new folder is watched" served /new/deep/y/ "Second in the new folder."

# Editor temporary files change nothing.
n=$(rebuilds)
for f in .a.md.swp a.md.swp a.md~ '#a.md#' .#a.md 4913 a.md___jb_tmp___; do
	echo junk > "$S/content/$f"
done
sleep 0.4
expect "editor temporary files start no rebuild" "$n" "$(rebuilds)"
rm -f "$S/content/.a.md.swp" "$S/content/a.md.swp" "$S/content/a.md~" "$S/content/#a.md#" \
	"$S/content/.#a.md" "$S/content/4913" "$S/content/a.md___jb_tmp___"

# vim's save: 4913, the original renamed to a backup, a new file.
n=$(rebuilds)
python3 - "$S/content" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
open("4913", "w").close()
os.unlink("4913")
os.rename("b.md", "b.md~")
with open("b.md", "w") as f:
    f.write("---\ntitle: B\n---\nSaved by vim.\n")
os.unlink("b.md~")
EOF
wait_ok "vim's save is seen" served /b/ "Saved by vim."
wait_ok "as one rebuild, naming only the page" sh -c "[ \$(grep -c '^folio: rebuilt' '$TMP/serve.log') = $((n + 1)) ] &&
	tail -n 1 '$TMP/serve.log' | grep -q '^folio: rebuilt .* (content/b.md)\$'"

# A save by rename from a temporary file.
printf -- '---\ntitle: C\n---\nSaved by rename.\n' > "$S/content/c.md.tmp123"
mv "$S/content/c.md.tmp123" "$S/content/c.md"
wait_ok "a save by rename is seen" served /c/ "Saved by rename."

# site.yaml, removals, layouts.
printf 'title: Serve test renamed\nbase_url: https://example.org\ntheme: none\n' > "$S/site.yaml"
wait_ok "site.yaml is watched" served /feed.xml "Serve test renamed"
rm "$S/content/notes/n.md"
wait_ok "a removed page goes" not_served /notes/n/
rm -r "$S/content/new"
wait_ok "a removed folder goes" not_served /new/deep/x/

# A broken template: the last good site stays, the errors are everywhere.
printf '<h1>{{#page.title}}</h1>\n' > "$S/layouts/page.mustache"
wait_ok "a failed build is reported on the terminal" grep -q 'layouts/page.mustache:1:5: error:' "$TMP/serve.log"
wait_ok "and says the last good site is served" grep -q 'serving the last good site' "$TMP/serve.log"
wait_ok "open pages get the errors" grep -q '^data: {"errors":\[{"file":".*layouts/page.mustache","line":1,"col":5,"message":"' "$TMP/events"
expect "the last good page is still served" 200 "$(get /a/)"
ok "with its text" grep -q 'Second version of a.' "$TMP/body"
curl -sN --max-time 1 "$URL/_folio/events" > "$TMP/late" 2>/dev/null
ok "a page opened now gets the errors at once" grep -q '^event: error' "$TMP/late"
printf '<h1>{{page.title}}</h1>\n{{{page.content}}}\n' > "$S/layouts/page.mustache"
wait_ok "the fixed template is used" sh -c "curl -s '$URL/a/' | grep -q '^<h1>A</h1>'"
wait_ok "open pages are told the errors are gone" grep -q '^event: ok' "$TMP/events"
curl -sN --max-time 1 "$URL/_folio/events" > "$TMP/late" 2>/dev/null
ok "a page opened now gets no errors" sh -c "! grep -q '^event: error' '$TMP/late'"
curl -sN --max-time 1 "$URL/_folio/events?since=1" > "$TMP/late" 2>/dev/null
ok "a page from an older build reloads at once" grep -q '^event: reload' "$TMP/late"

# The output folder equals a clean build of the same site.
page "$S/content/a.md" A "Last version of a."
wait_ok "the last edit is served" served /a/ "Last version of a."
ok "clean build" "$FOLIO" build -s "$S" -o "$TMP/clean" --quiet
ok "served output is byte-identical to a clean build" diff -r "$OUT" "$TMP/clean"

# Paths: decoded once; "..", encoded separators, NUL: 400; links out: 404.
mkdir -p "$TMP/secret"
echo secret > "$TMP/secret/passwd"
ln -s "$TMP/secret" "$OUT/out-link"
ln -s "$TMP/secret/passwd" "$OUT/leak.txt"
ln -s a "$OUT/in-link"
H="127.0.0.1:$PORT"
raw <<EOF
400|$H|/../../../etc/passwd
400|$H|/a/../../secret/passwd
400|$H|/%2e%2e/%2e%2e/etc/passwd
400|$H|/%2E%2E/secret/passwd
400|$H|/.%2e/secret/passwd
400|$H|/./a/
400|$H|/a/%2e/
400|$H|/a%2f..%2f..%2fsecret%2fpasswd
400|$H|/a%2Findex.html
400|$H|/..%5c..%5csecret
400|$H|/a%5cindex.html
400|$H|/a\\index.html
400|$H|/a/index.html%00.css
400|$H|/%00
400|$H|/a/%0d%0aX:y
400|$H|/%
400|$H|/%2
400|$H|/%zz
400|$H|http://127.0.0.1/a/
404|$H|/%252e%252e/secret/passwd
404|$H|/..%252fsecret
404|$H|/out-link/passwd
404|$H|/leak.txt
404|$H|/nope.html
200|$H|/in-link/
200|$H|/a//
200|$H|/%61/
200|$H|/a/?x=../../etc/passwd
EOF

# Host: the address listened on, or localhost; anything else is 403.
raw <<EOF
200|127.0.0.1:$PORT|/
200|127.0.0.1|/
200|localhost:$PORT|/
200|LOCALHOST|/
200|localhost.|/
403|evil.example|/
403|evil.example:$PORT|/
403|127.0.0.1.evil.example|/
403|localhost.evil.example:$PORT|/
403|127.0.0.1:$PORT@evil.example|/
403|127.0.0.1:x|/
403|127.0.0.1:|/
403|[::1]:$PORT|/
403|192.168.1.1|/
403|0.0.0.0|/
403||/
403|-|/
403|evil.example|/_folio/events
403|evil.example|/_folio/live.js
EOF
expect "POST with a foreign Host" 403 "$(printf 'POST / HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 1\r\n\r\nx' | python3 "$RAW" "$PORT" send)"

# Event streams are bounded: 1024 at most.  Streams of pages gone are
# counted out within a second or so.
codes=$(python3 "$RAW" "$PORT" streams 1030)
ok "event streams beyond 1024 are refused with 503" sh -c "echo '$codes' | tr ' ' '\n' | grep -qx 503"
ok "and nothing else" sh -c "! echo '$codes' | tr ' ' '\n' | grep -qvx -e 200 -e 503"
ok "1024 at most are open" test "$(echo "$codes" | tr ' ' '\n' | grep -c '^200$')" -le 1024
wait_ok "closed streams are counted out" sh -c "curl -s -o /dev/null -w '%{http_code}' --max-time 1 '$URL/_folio/events' | grep -q 200"

# A busy port is an error of its own.
fail_with "a busy port is reported" 1 "port $PORT on 127.0.0.1 is already in use" \
	"$FOLIO" serve -s "$S" --port "$PORT"
ok "and leaves no folder behind" sh -c "[ \$(ls -d '$TMP'/folio-serve.* | wc -l) = 1 ]"

# SIGTERM stops the server and removes the private folder.
stop_server "$SERVER"
expect "SIGTERM: exit status" 0 "$?"
ok "the private folder is removed" test ! -e "$(dirname "$OUT")"
ok "the site is untouched by serving" test ! -e "$S/public"

# A site that does not build yet: the pages show the errors; then it is
# fixed and served.
B="$TMP/broken"
make_site "$B"
page "$B/content/_index.md" Home
page "$B/content/a.md" A '[x](missing.md)'
ok "serve starts on a broken site" start_server "$TMP/broken.log" -s "$B" --port 0 --drafts
ok "the errors are on the terminal" grep -q 'content/a.md:4:1: error:' "$TMP/broken.log"
expect "nothing to serve yet" 404 "$(get /)"
ok "the fallback page has the script" grep -q '/_folio/live.js' "$TMP/body"
curl -sN --max-time 1 "$URL/_folio/events" > "$TMP/late" 2>/dev/null
ok "a page gets the errors at once" grep -q 'content/a.md","line":4,"col":1' "$TMP/late"
printf -- '---\ntitle: D\ndraft: true\n---\nA draft.\n' > "$B/content/d.md"
page "$B/content/a.md" A 'Fixed.'
wait_ok "the fixed site is served" served /a/ "Fixed."
ok "--drafts serves drafts" served /d/ "A draft."
kill -INT "$PID"
wait "$PID"
expect "SIGINT: exit status" 0 "$?"
ok "no private folder left" sh -c "! ls -d '$TMP'/folio-serve.* 2>/dev/null"
ok "no sanitizer reports" sh -c "! grep -l -e Sanitizer -e 'runtime error' '$TMP/serve.log' '$TMP/broken.log'"

finish
