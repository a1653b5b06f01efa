# tests/cli/pathological.sh - cmark's pathological inputs, each within a
# time budget; the shapes the linked Markdown library is slow on are
# listed in tests/tools/pathological.py as its known limitations
# (PATHOLOGICAL_FULL=1, as in make soak, runs those at full size).
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed"; echo "0 passed, 1 failed"; exit 1; }
: "${FOLIO:=build/folio}"
exec python3 tests/tools/pathological.py "$FOLIO" ${PATHOLOGICAL_FULL:+--full}
