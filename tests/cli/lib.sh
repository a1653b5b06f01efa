# tests/cli/lib.sh - helpers for the command-line tests (sourced).
#
#   ok NAME COMMAND...     passes when COMMAND exits 0
#   fail_with NAME STATUS PATTERN COMMAND...
#                          passes when COMMAND exits STATUS and its standard
#                          error contains the fixed string PATTERN
#   finish                 prints "N passed, N failed" and sets the status
set -u
: "${FOLIO:=build/folio}"
case $FOLIO in /*) ;; *) FOLIO=$(pwd)/$FOLIO ;; esac
export FOLIO
PASS=0
FAIL=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass() { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

ok() {
	name=$1
	shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		pass
	else
		fail "$name (exit $?)"
		sed 's/^/    /' "$TMP/err" | head -20
	fi
}

fail_with() {
	name=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	status=$?
	if [ "$status" -ne "$want" ]; then
		fail "$name: exit $status, want $want"
		sed 's/^/    /' "$TMP/err" | head -20
	elif ! grep -qF -- "$pattern" "$TMP/err"; then
		fail "$name: stderr lacks: $pattern"
		sed 's/^/    /' "$TMP/err" | head -20
	else
		pass
	fi
}

# Makes a site folder DIR with a site.yaml and one layout for every kind.
make_site() {
	dir=$1
	mkdir -p "$dir/content" "$dir/layouts/partials"
	printf 'title: T\nbase_url: https://example.org\ntheme: none\n' > "$dir/site.yaml"
	for k in page section home term terms; do
		printf '<h1>{{page.title}}</h1>{{{page.content}}}\n' > "$dir/layouts/$k.mustache"
	done
}

# Writes FILE with front matter TITLE and BODY.
page() {
	mkdir -p "$(dirname "$1")"
	printf -- '---\ntitle: %s\n---\n%s\n' "$2" "${3:-Body.}" > "$1"
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
}
