#!/usr/bin/env python3
"""cmark's pathological inputs through folio build, each with a time budget.

    pathological.py FOLIO [--full]

The 25 shapes of cmark's test/pathological_tests.py (its 24 HTML cases and
its "nested inlines"), each the body of a one-page site built with
`folio build -j 1`.  A shape must build (or, for U+0000, fail with folio's
own error) within BUDGET seconds.

Some shapes are quadratic in the Markdown library Debian 12 ships; those
are listed in KNOWN with the time a full-size run took, as a limitation of
that library version.  `make test` runs them at an eighth of their size
(1/64 of the time, as they are quadratic); --full (make soak) runs them at
full size and checks they are no slower than measured, with slack.
"""
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

BUDGET = 4.0            # seconds per shape; cmark's own test allows 5
SLACK = 1.5             # full-size known limitations: measured time times this

# Full-size times measured with cmark_markdown_to_html on the 2-core
# machine this was written on (README, "Slow pages").
KNOWN = {
    "libcmark 0.30.2": {
        "pattern ![[]() repeated": 47.1,
        "emph in deep blockquote": 29.2,
        "empty lines in deeply nested lists": 20.9,
        "empty lines in deeply nested lists in blockquote": 20.1,
    },
    "cmark-gfm 0.29.0.gfm.6": {
        "pattern ![[]() repeated": 134.7,
        "emph in deep blockquote": 135.5,
        "empty lines in deeply nested lists": 16.9,
        "empty lines in deeply nested lists in blockquote": 24.1,
    },
}


def collisions(count):
    """Reference labels that all fall in one bucket of cmark's old
    16-bucket reference hash, each defined and then used."""
    def same_bucket(label):
        h = 0
        for c in label:
            h = (ord(c) + ((h << 6) & 0xFFFFFFFF) + ((h << 16) & 0xFFFFFFFF) - h) & 0xFFFFFFFF
        return h % 16 == 0
    labels = itertools.islice((k for k in ("x%d" % i for i in itertools.count())
                               if same_bucket(k)), count)
    first = next(labels)
    return "".join("[%s]: /url\n\n[%s]\n\n" % (k, first) for k in labels)


def shapes(k):
    """Name -> Markdown text; K scales the repeat counts (1: full size)."""
    n = lambda x: max(1, int(x * k))
    return {
        "nested strong emph": "*a **a " * n(32500) + "b" + " a** a*" * n(32500),
        "many emph closers with no openers": "a_ " * n(32500),
        "many emph openers with no closers": "_a " * n(32500),
        "many link closers with no openers": "a]" * n(32500),
        "many link openers with no closers": "[a" * n(32500),
        "mismatched openers and closers": "*a_ " * n(25000),
        "issue #389": "*a " * n(20000) + "_a*_ " * n(20000),
        "openers and closers multiple of 3": "a**b" + "c* " * n(25000),
        "link openers and emph closers": "[ a_" * n(25000),
        "pattern [ (]( repeated": "[ (](" * n(40000),
        "pattern ![[]() repeated": "![[]()" * n(160000),
        "hard link/emph case": "**x [a*b**c*](d)",
        "nested brackets": "[" * n(25000) + "a" + "]" * n(25000),
        "nested block quotes": "> " * n(25000) + "a",
        "deeply nested lists": "".join("  " * i + "* a\n" for i in range(n(500))),
        "U+0000 in input": "abc\0de\0",
        "backticks": "".join("e" + "`" * i for i in range(1, n(2500))),
        "unclosed links A": "[a](<b" * n(30000),
        "unclosed links B": "[a](b" * n(30000),
        "unclosed <!--": "</" + "<!--" * n(300000),
        "empty lines in deeply nested lists": "- " * n(30000) + "x" + "\n" * n(30000),
        "empty lines in deeply nested lists in blockquote":
            "> " + "- " * n(30000) + "x\n" + ">\n" * n(30000),
        "emph in deep blockquote": ">" * n(100000) + "a*" * n(100000),
        "reference collisions": collisions(n(25000)),
        "nested inlines": "*" * n(20000) + "a" + "*" * n(20000),
    }


def main():
    folio = sys.argv[1]
    full = "--full" in sys.argv[2:]
    version = subprocess.run([folio, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"^(\S+ \S+) \(Markdown\)$", version, re.M)
    library = m.group(1) if m else "unknown"
    known = KNOWN.get(library, {})
    print("Markdown library: %s (%d known slow shapes)" % (library, len(known)))
    passed = failed = 0
    every = shapes(1)
    small = shapes(1 / 8)
    tmp = tempfile.mkdtemp(prefix="folio-patho-")
    try:
        for i, name in enumerate(every):
            limited = name in known
            text = every[name] if full or not limited else small[name]
            site = os.path.join(tmp, "s%d" % i)
            os.makedirs(os.path.join(site, "content"))
            with open(os.path.join(site, "site.yaml"), "w") as f:
                # The shapes hold links to nothing (cmark's "[a](b)" cases):
                # they are timed here, not link-checked.
                f.write("title: T\nbase_url: https://example.org\nlinks: warn\n")
            with open(os.path.join(site, "content", "p.md"), "w") as f:
                f.write("---\ntitle: Shape\n---\n" + text + "\n")
            budget = known[name] * SLACK if full and limited else BUDGET
            start = time.monotonic()
            try:
                r = subprocess.run([folio, "build", "-q", "-j", "1", "-s", site, "-o",
                                    os.path.join(tmp, "o%d" % i)], capture_output=True,
                                   text=True, timeout=budget + 5)
                took = time.monotonic() - start
                code, err = r.returncode, r.stderr
            except subprocess.TimeoutExpired:
                took, code, err = time.monotonic() - start, "timeout", ""
            if name == "U+0000 in input":
                good = code == 1 and "content/p.md:4:4: error: file contains a NUL byte" in err
            else:
                good = code == 0 and os.path.exists(os.path.join(tmp, "o%d" % i, "p", "index.html"))
            size = "full size" if full or not limited else "1/8 size"
            line = "%-50s %7.2f s  (%s, budget %.1f s)" % (name, took, size, budget)
            if limited:
                line += "  known limitation of %s: %.1f s at full size" % (library, known[name])
            if good and took <= budget:
                passed += 1
                print(line)
            else:
                failed += 1
                print("FAIL: " + line + " exit %s %s" % (code, err.strip()[:200]))
            shutil.rmtree(site)
            shutil.rmtree(os.path.join(tmp, "o%d" % i), ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
