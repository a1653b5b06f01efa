#!/usr/bin/env python3
"""careercheck.py - checks what the career site promises its readers.

Usage: careercheck.py CHECK OUTPUT_DIR CONTENT_DIR

CHECK is one of:
  jsonld       every JSON-LD block parses and has its type's required
               properties: Occupation (name, description,
               occupationalCategory, occupationLocation, education and
               experience requirements; estimatedSalary as a
               MonetaryAmountDistribution exactly when the role's front
               matter has a median_pay, with that median) and
               BreadcrumbList (one ListItem per visible breadcrumb and the
               page, positions 1..n, absolute URLs, the last the canonical)
  facts        every role page shows its quick facts with the source link
               beside them, the figures as the front matter gives them,
               and says so when a figure is missing
  metadata     every page has a description of 1..160 characters without
               straight quotes or apostrophes, og:image (a file the site
               has) and twitter:card; the 404 page is noindex without a
               canonical link; the favicon files exist
  listings     no listing shows dates or "Page 1 of 1", no numbered page
               repeats a listing without pages, /skills/ groups every skill
               by category with labelled counts, tag pages have an intro
  trust        every content page shows its last-reviewed date, skill
               pages with official_docs link to it, the About page exists
  careermap    the career map links every role once, and every role page
               shows the roles it leads to and comes from, as front
               matter's career_paths says

Prints each problem as FILE: problem and exits 1 if there is any.
"""
import html
import json
import os
import re
import sys

problems = []


def bad(where, what):
    problems.append(f"{where}: {what}")


def pages(out):
    for dirpath, _, files in os.walk(out):
        for f in sorted(files):
            if f.endswith(".html"):
                yield os.path.join(dirpath, f)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def front_matter(path):
    """The flat `key: value` lines of a content file's front matter."""
    text = read(path)
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    fm = {}
    for line in (m.group(1) if m else "").splitlines():
        km = re.match(r"([a-z_]+):\s*(.*)$", line)
        if not km:
            continue
        v = km.group(2).strip()
        if v.startswith('"') and v.endswith('"'):
            v = json.loads(v)
        elif v.startswith("[") and v.endswith("]"):
            v = [x.strip().strip('"') for x in v[1:-1].split(",") if x.strip()]
        fm[km.group(1)] = v
    return fm


def roles(content):
    d = os.path.join(content, "roles")
    return sorted(f[:-3] for f in os.listdir(d) if f.endswith(".md") and f != "_index.md")


def meta(page, attr, name):
    m = re.search(r'<meta %s="%s" content="([^"]*)">' % (attr, re.escape(name)), page)
    return html.unescape(m.group(1)) if m else None


def jsonld_blocks(page):
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)


def check_jsonld(out, content):
    base = None
    for path in pages(out):
        rel = os.path.relpath(path, out)
        page = read(path)
        canon = re.search(r'<link rel="canonical" href="([^"]+)">', page)
        found = {}
        for block in jsonld_blocks(page):
            try:
                data = json.loads(block)
            except ValueError as e:
                bad(rel, f"JSON-LD does not parse: {e}")
                continue
            if data.get("@context") != "https://schema.org":
                bad(rel, "JSON-LD without the schema.org @context")
            found.setdefault(data.get("@type"), []).append(data)
        crumbs = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', page, re.S)
        lists = found.get("BreadcrumbList", [])
        if crumbs:
            names = [html.unescape(x) for x in re.findall(r"<li>(?:<a [^>]*>|<span [^>]*>)(.*?)</", crumbs.group(1))]
            if len(lists) != 1:
                bad(rel, f"breadcrumbs show but {len(lists)} BreadcrumbList blocks")
            else:
                items = lists[0].get("itemListElement", [])
                if [i.get("name") for i in items] != names:
                    bad(rel, f"BreadcrumbList names {[i.get('name') for i in items]} differ from the visible {names}")
                for k, item in enumerate(items, 1):
                    if item.get("@type") != "ListItem" or item.get("position") != k:
                        bad(rel, f"BreadcrumbList item {k} is not ListItem at position {k}")
                    if not str(item.get("item", "")).startswith("https://"):
                        bad(rel, f"BreadcrumbList item {k} has no absolute URL")
                if items and canon and items[-1].get("item") != canon.group(1):
                    bad(rel, "the last breadcrumb is not the page's canonical URL")
        elif lists:
            bad(rel, "BreadcrumbList without visible breadcrumbs")
    for slug in roles(content):
        fm = front_matter(os.path.join(content, "roles", slug + ".md"))
        rel = f"roles/{slug}/index.html"
        occ = jsonld_blocks(read(os.path.join(out, rel)))
        occ = [json.loads(b) for b in occ]
        occ = [d for d in occ if d.get("@type") == "Occupation"]
        if len(occ) != 1:
            bad(rel, f"{len(occ)} Occupation blocks")
            continue
        o = occ[0]
        for key in ("name", "description", "occupationalCategory", "educationRequirements",
                    "experienceRequirements", "skills"):
            if not o.get(key):
                bad(rel, f"Occupation lacks {key}")
        if o.get("occupationalCategory") != fm.get("occupational_category"):
            bad(rel, "occupationalCategory differs from the front matter")
        loc = o.get("occupationLocation")
        if not (isinstance(loc, list) and loc and all(x.get("@type") == "Country" and x.get("name") for x in loc)):
            bad(rel, f"occupationLocation is not a list of Country: {loc!r}")
        sal = o.get("estimatedSalary")
        if "median_pay" in fm:
            ok = (isinstance(sal, list) and len(sal) == 1 and
                  sal[0].get("@type") == "MonetaryAmountDistribution" and
                  sal[0].get("name") and sal[0].get("currency") == fm.get("pay_currency") and
                  re.fullmatch(r"P(T?)\d+[YMWDH]", str(sal[0].get("duration", ""))) and
                  sal[0].get("median") == int(fm["median_pay"]))
            if not ok:
                bad(rel, f"estimatedSalary is not the front matter's median as a MonetaryAmountDistribution: {sal!r}")
        elif sal is not None:
            bad(rel, "estimatedSalary without a median_pay in the front matter")


def section(page, cls):
    m = re.search(r'<section class="%s"[^>]*>(.*?)</section>' % cls, page, re.S)
    return m.group(1) if m else None


def check_facts(out, content):
    for slug in roles(content):
        fm = front_matter(os.path.join(content, "roles", slug + ".md"))
        rel = f"roles/{slug}/index.html"
        qf = section(read(os.path.join(out, rel)), "quick-facts")
        if qf is None:
            bad(rel, "no quick facts")
            continue
        text = html.unescape(re.sub(r"<[^>]+>", "", qf))
        if f'href="{fm["facts_source_url"]}"' not in qf:
            bad(rel, "the quick facts do not link their source")
        for key in ("facts_source", "education", "experience", "facts_occupation", "location"):
            if fm[key] not in text:
                bad(rel, f"the quick facts do not show {key}: {fm[key]!r}")
        if str(fm["facts_year"]) not in text:
            bad(rel, "the quick facts do not show the data year")
        for t in fm["other_titles"]:
            if t not in text:
                bad(rel, f"other title {t!r} missing")
        if "median_pay" in fm:
            shown = f"{int(fm['median_pay']):,}"
            if f"{fm['pay_currency']} {shown}" not in text or f"per {fm['pay_period']}" not in text:
                bad(rel, f"median pay {shown} not shown with currency and period")
        if "growth" in fm and f"{fm['growth']} over {fm['growth_period']}" not in text:
            bad(rel, "growth not shown with its period")
        missing = ("median_pay" not in fm) + ("growth" not in fm)
        if text.count("No reliable public figure") != missing:
            bad(rel, f"{missing} figures missing but the page says so {text.count('No reliable public figure')} times")
        if missing and not fm.get("facts_note"):
            bad(rel, "figures missing without a facts_note saying why")


def check_metadata(out, content):
    for name in ("favicon.ico", "favicon.svg"):
        if not os.path.isfile(os.path.join(out, name)):
            bad(name, "missing")
    with open(os.path.join(out, "favicon.ico"), "rb") as f:
        if f.read(4) != b"\x00\x00\x01\x00":
            bad("favicon.ico", "not an ICO file")
    for path in pages(out):
        rel = os.path.relpath(path, out)
        page = read(path)
        if 'http-equiv="refresh"' in page:
            continue
        d = meta(page, "name", "description")
        if d is None or not d.strip():
            bad(rel, "empty or missing description")
        elif len(d) > 160:
            bad(rel, f"description of {len(d)} characters")
        for label, value in (("description", d), ("og:description", meta(page, "property", "og:description")),
                             ("og:title", meta(page, "property", "og:title"))):
            if value and re.search(r"['\"]", value):
                bad(rel, f"straight quote in {label}: {value}")
        img = meta(page, "property", "og:image")
        if not img or not os.path.isfile(os.path.join(out, re.sub(r"^https?://[^/]+/", "", img))):
            bad(rel, f"og:image missing or not a file of the site: {img}")
        if meta(page, "name", "twitter:card") not in ("summary", "summary_large_image"):
            bad(rel, "no twitter:card")
        if 'rel="icon"' not in page:
            bad(rel, "no icon link")
        is404 = rel == "404.html"
        has_canon = '<link rel="canonical"' in page
        noindex = meta(page, "name", "robots") == "noindex"
        if is404 and (has_canon or not noindex):
            bad(rel, "the 404 page must be noindex without a canonical link")
        if not is404 and (not has_canon or noindex):
            bad(rel, "a page without its canonical link, or noindex")


def check_listings(out, content):
    for path in pages(out):
        rel = os.path.relpath(path, out)
        page = read(path)
        kind = re.search(r'<body class="[^"]*kind-(\w+)', page)
        kind = kind.group(1) if kind else ""
        if "Page 1 of 1" in page:
            bad(rel, "says Page 1 of 1")
        if kind in ("section", "terms", "term", "home"):
            listing = re.search(r'<ul class="page-list">(.*?)</ul>\n', page, re.S)
            if listing and "<time" in listing.group(1):
                bad(rel, "a listing shows dates")
        if "/page/" in rel and '<ul class="page-list">\n</ul>' in page:
            bad(rel, "a numbered page with nothing on it")
        if kind == "term" and not re.search(r"<p class=\"lead\">[^<\s]", page):
            bad(rel, "a term page without an intro")
    if os.path.exists(os.path.join(out, "skills", "page")):
        bad("skills/page/", "the skills list is split into numbered pages")
    page = read(os.path.join(out, "skills", "index.html"))
    skills = sorted(f[:-3] for f in os.listdir(os.path.join(content, "skills"))
                    if f.endswith(".md") and f != "_index.md")
    groups = re.findall(r'<section class="skill-group" aria-labelledby="group-([a-z-]+)">(.*?)</section>', page, re.S)
    listed = []
    for slug, body in groups:
        for s in re.findall(r'<li><a href="/skills/([a-z0-9-]+)/">', body):
            listed.append(s)
            cat = front_matter(os.path.join(content, "skills", s + ".md"))["category"]
            if slug != cat.replace(" ", "-"):
                bad("skills/index.html", f"{s} (category {cat}) listed under {slug}")
        n = len(re.findall(r"<li>", body))
        if not re.search(r"\(%d of \d+ skills\)" % n, body):
            bad("skills/index.html", f"group {slug} does not say it has {n} skills")
    if sorted(listed) != skills:
        bad("skills/index.html", f"lists {sorted(listed)}, not every skill {skills}")
    if len(re.findall(r'<span class="count">needed by \d+ of \d+ roles</span>', page)) != len(skills):
        bad("skills/index.html", "not every skill has a labelled count")
    roles_page = read(os.path.join(out, "roles", "index.html"))
    for slug in roles(content):
        fm = front_matter(os.path.join(content, "roles", slug + ".md"))
        item = re.search(r'<li>\n<h3><a href="/roles/%s/">.*?</li>' % slug, roles_page, re.S)
        if not item or f"level-{fm['seniority']}" not in item.group(0) or \
                not all(k in item.group(0) for k in fm["key_skills"]):
            bad("roles/index.html", f"{slug} listed without its level and key skills")


def check_trust(out, content):
    if not os.path.isfile(os.path.join(out, "about", "index.html")):
        bad("about/index.html", "no About page")
    for dirpath, _, files in os.walk(content):
        for f in files:
            if not f.endswith(".md"):
                continue
            src = os.path.join(dirpath, f)
            fm = front_matter(src)
            rel = os.path.relpath(src, content)[:-3]
            rel = re.sub(r"(^|/)_index$", "", rel)
            out_file = os.path.join(out, rel, "index.html")
            page = read(out_file)
            if not fm.get("reviewed"):
                bad(src, "no reviewed date")
            elif f'Last reviewed <time datetime="{fm["reviewed"]}">' not in page and not rel == "":
                bad(out_file, "does not show its last-reviewed date")
            if fm.get("official_docs") and f'href="{fm["official_docs"]}"' not in page:
                bad(out_file, "does not link its official documentation")
            if rel.startswith("skills/") and not re.search(r'<a href="https://[^"]+">', page):
                bad(out_file, "a skill page without an outbound link")


def check_careermap(out, content):
    page = read(os.path.join(out, "career-map", "index.html"))
    for slug in roles(content):
        fm = front_matter(os.path.join(content, "roles", slug + ".md"))
        heads = re.findall(r'<h3><a href="/roles/%s/">' % slug, page)
        if len(heads) != 1:
            bad("career-map/index.html", f"{slug} appears {len(heads)} times")
        item = re.search(r'<h3><a href="/roles/%s/">.*?</li>' % slug, page, re.S)
        nexts = [p.split("/")[-1][:-3] for p in fm["career_paths"]]
        shown = re.findall(r'<p class="map-to">.*?</p>', item.group(0) if item else "", re.S)
        shown = re.findall(r'href="/roles/([a-z-]+)/"', shown[0]) if shown else []
        if shown != nexts:
            bad("career-map/index.html", f"{slug} leads to {shown}, not {nexts}")
        role = read(os.path.join(out, "roles", slug, "index.html"))
        place = re.search(r'<section class="career-place".*?</section>', role, re.S)
        to = re.search(r'<ul class="chips chips-next">(.*?)</ul>', place.group(0) if place else "", re.S)
        to = re.findall(r'href="/roles/([a-z-]+)/"', to.group(1)) if to else []
        if to != nexts:
            bad(f"roles/{slug}/index.html", f"shows it leads to {to}, not {nexts}")
    froms = {}
    for slug in roles(content):
        for p in front_matter(os.path.join(content, "roles", slug + ".md"))["career_paths"]:
            froms.setdefault(p.split("/")[-1][:-3], []).append(slug)
    for slug in roles(content):
        role = read(os.path.join(out, "roles", slug, "index.html"))
        fr = re.search(r'<ul class="chips chips-from">(.*?)</ul>', role, re.S)
        fr = sorted(re.findall(r'href="/roles/([a-z-]+)/"', fr.group(1))) if fr else []
        if fr != sorted(froms.get(slug, [])):
            bad(f"roles/{slug}/index.html", f"comes from {fr}, not {sorted(froms.get(slug, []))}")


CHECKS = {"jsonld": check_jsonld, "facts": check_facts, "metadata": check_metadata,
          "listings": check_listings, "trust": check_trust, "careermap": check_careermap}

if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in CHECKS:
        sys.exit(__doc__)
    CHECKS[sys.argv[1]](sys.argv[2], sys.argv[3])
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)
