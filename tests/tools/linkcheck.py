#!/usr/bin/env python3
"""linkcheck.py - checks every internal link of a built site.

Usage: linkcheck.py OUTPUT_DIR

Every href and src in every .html file that points inside the site must
resolve to a written file (a folder URL to its index.html), and every
#fragment to an id on the target page.  External URLs (with a scheme or
starting with //) are not fetched.  Prints each broken link as
FILE: LINK: problem, then a summary, and exits 1 if any is broken.
"""
import os
import sys
import urllib.parse
from html.parser import HTMLParser


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.add(value)
            elif tag == "a" and name == "name":
                self.ids.add(value)
            elif name in ("href", "src") and tag not in ("base",):
                self.links.append((tag, value))


def target_file(root, page_rel, link):
    parsed = urllib.parse.urlsplit(link)
    path = urllib.parse.unquote(parsed.path)
    if path == "":
        return os.path.join(root, page_rel), parsed.fragment
    if path.startswith("/"):
        full = os.path.normpath(os.path.join(root, path.lstrip("/")))
    else:
        full = os.path.normpath(os.path.join(root, os.path.dirname(page_rel), path))
    if os.path.isdir(full):
        full = os.path.join(full, "index.html")
    return full, parsed.fragment


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    pages = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html"):
                full = os.path.join(dirpath, f)
                c = Collector()
                with open(full, encoding="utf-8") as fh:
                    c.feed(fh.read())
                pages[full] = c
    broken = 0
    checked = 0
    for full, c in sorted(pages.items()):
        rel = os.path.relpath(full, root)
        for tag, link in c.links:
            parsed = urllib.parse.urlsplit(link)
            if parsed.scheme or link.startswith("//"):
                continue
            checked += 1
            target, frag = target_file(root, rel, link)
            if not (target + os.sep).startswith(root + os.sep):
                print(f"{rel}: {link}: leads out of the site")
                broken += 1
            elif not os.path.isfile(target):
                print(f"{rel}: {link}: no file {os.path.relpath(target, root)}")
                broken += 1
            elif frag and target.endswith(".html"):
                ids = pages[target].ids if target in pages else set()
                if urllib.parse.unquote(frag) not in ids:
                    print(f"{rel}: {link}: no id '{frag}' on the target page")
                    broken += 1
    print(f"linkcheck: {len(pages)} pages, {checked} internal links, {broken} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
