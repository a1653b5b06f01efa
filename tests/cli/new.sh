# tests/cli/new.sh - folio new: a content file from an archetype (the
# site's archetypes/SECTION.md, else archetypes/default.md, else the
# built-in one), never overwriting a file, never writing outside content/.
. tests/cli/lib

# has FILE TEXT: FILE contains the fixed line TEXT.
has() { grep -qxF -- "$2" "$1"; }

export SOURCE_DATE_EPOCH=1700000000     # 2023-11-14T22:13:20Z

# ---- the built-in archetype (a site without archetypes/) ----
P="$TMP/plain"
make_site "$P"
page "$P/content/_index.md" Home
fail_with "no path is a usage error" 2 "usage: folio new" "$FOLIO" new -s "$P"
fail_with "two paths are a usage error" 2 "unexpected argument 'b.md'" "$FOLIO" new -s "$P" a.md b.md
fail_with "unknown option" 2 "unknown option '--bogus'" "$FOLIO" new -s "$P" --bogus a.md
fail_with "a folder without site.yaml is no site" 2 "has no site.yaml" "$FOLIO" new -s "$TMP" a.md

ok "built-in archetype" "$FOLIO" new -s "$P" notes/first-post.md
ok "prints the path it created" test "$(cat "$TMP/.stdout")" = "$P/content/notes/first-post.md"
f="$P/content/notes/first-post.md"
ok "built-in: title from the file name" has "$f" 'title: "First post"'
ok "built-in: date from SOURCE_DATE_EPOCH" has "$f" 'date: 2023-11-14'
ok "built-in: a draft" has "$f" 'draft: true'
ok "built-in: front matter closed, body follows" test "$(sed -n 5p "$f")" = "---"
ok "the draft is left out of a normal build" "$FOLIO" build -s "$P" -o "$TMP/plain-out" --strict --quiet
ok "draft not written" test ! -e "$TMP/plain-out/notes/first-post/index.html"
ok "the draft builds with --drafts" "$FOLIO" build -s "$P" -o "$TMP/plain-out" --drafts --strict --quiet
ok "draft page title" grep -qF '<h1>First post</h1>' "$TMP/plain-out/notes/first-post/index.html"

# ---- title, date, content/ prefix, .md, folders ----
ok "content/ prefix and missing .md" "$FOLIO" new -s "$P" content/notes/my_long--name
ok "content/ prefix dropped, .md added" test -f "$P/content/notes/my_long--name.md"
ok "no content/content folder" test ! -e "$P/content/content"
ok "title: separators become one space, first letter capitalised" \
	has "$P/content/notes/my_long--name.md" 'title: "My long name"'
ok "top-level file, ./ in the path" "$FOLIO" new -s "$P" ./about
ok "top-level file created" has "$P/content/about.md" 'title: "About"'
ok "missing folders are made" "$FOLIO" new -s "$P" notes/a/b/deep.md
ok "deep file created" test -f "$P/content/notes/a/b/deep.md"
ok "a section's _index.md is titled after its folder" "$FOLIO" new -s "$P" data-teams/_index.md
ok "_index title" has "$P/content/data-teams/_index.md" 'title: "Data teams"'
ok "without -s the site is the current folder" sh -c 'cd "$1" && "$FOLIO" new notes/here.md' sh "$P"
ok "path printed relative to the site folder" test "$(cat "$TMP/.stdout")" = "content/notes/here.md"
SOURCE_DATE_EPOCH=86400 "$FOLIO" new -s "$P" notes/epoch.md >/dev/null 2>&1
ok "date is the UTC day of SOURCE_DATE_EPOCH" has "$P/content/notes/epoch.md" 'date: 1970-01-02'
before=$(date +%Y-%m-%d)
env -u SOURCE_DATE_EPOCH "$FOLIO" new -s "$P" notes/today.md >/dev/null 2>&1
after=$(date +%Y-%m-%d)
got=$(sed -n 's/^date: //p' "$P/content/notes/today.md")
ok "without SOURCE_DATE_EPOCH the date is today" test "$got" = "$before" -o "$got" = "$after"

# A title that needs quoting in YAML round-trips to the page.
ok "title with a quote and a colon" "$FOLIO" new -s "$P" 'notes/say-"hi":-now'
ok "title escaped for YAML" has "$P/content/notes/say-\"hi\":-now.md" 'title: "Say \"hi\": now"'
ok "build with the quoted title" "$FOLIO" build -s "$P" -o "$TMP/plain-out" --drafts --strict --quiet
# The site has smart punctuation on, so the title's quotes become curly.
ok "the page shows the title, with curly quotes" \
	grep -qF '<h1>Say “hi”: now</h1>' "$TMP/plain-out/notes/say-\"hi\":-now/index.html"

# ---- never overwrite, never leave content/ ----
printf 'keep me\n' > "$TMP/keep"
cp "$TMP/keep" "$P/content/notes/taken.md"
fail_with "an existing file is refused" 1 "content/notes/taken.md: error: already exists" \
	"$FOLIO" new -s "$P" notes/taken.md
ok "the existing file is unchanged" cmp "$TMP/keep" "$P/content/notes/taken.md"
fail_with "an existing file named without .md" 1 "already exists" "$FOLIO" new -s "$P" notes/taken
ok "still unchanged" cmp "$TMP/keep" "$P/content/notes/taken.md"
ln -s "$TMP/victim.md" "$P/content/notes/link.md"
fail_with "a dangling symbolic link is an existing file" 1 "already exists" "$FOLIO" new -s "$P" notes/link.md
ok "the link's target is not created" test ! -e "$TMP/victim.md"

for bad in ../x.md /etc/x.md roles/../../x.md content/../x.md; do
	fail_with "bad path $bad" 2 "folio: cannot create '$bad'" "$FOLIO" new -s "$P" "$bad"
done
fail_with "'..' is named" 2 "'..' is not allowed" "$FOLIO" new -s "$P" roles/../../x.md
fail_with "absolute path is named" 2 "absolute paths are not allowed" "$FOLIO" new -s "$P" /etc/x.md
fail_with "empty path" 2 "the path is empty" "$FOLIO" new -s "$P" ""
fail_with "a folder is no file name" 2 "that is a folder" "$FOLIO" new -s "$P" notes/
fail_with "content/ alone is no file name" 2 "that is a folder" "$FOLIO" new -s "$P" content/
fail_with "hidden file" 2 "hidden" "$FOLIO" new -s "$P" notes/.secret.md
fail_with ".md alone" 2 "hidden" "$FOLIO" new -s "$P" notes/.md
ok "nothing written outside content/" test ! -e "$TMP/x.md" -a ! -e "$P/x.md" -a ! -e /etc/x.md
mkdir "$TMP/outside"
ln -s "$TMP/outside" "$P/content/away"
fail_with "a symbolic link out of content/" 2 "leads out of" "$FOLIO" new -s "$P" away/x.md
ok "nothing written through the link" test -z "$(ls -A "$TMP/outside")"
touch "$P/content/plainfile"
fail_with "a file where a folder should be" 1 "plainfile: error: is not a folder" \
	"$FOLIO" new -s "$P" plainfile/x.md

# ---- the site's archetypes: SECTION.md, else default.md ----
A="$TMP/arch"
make_site "$A"
mkdir -p "$A/archetypes"
printf -- '---\ntitle: "{{{title}}}"\ndate: {{date}}\nkind: default\nslug: "{{slug}}"\nsection: "{{section}}"\n---\n' \
	> "$A/archetypes/default.md"
printf -- '---\ntitle: "{{{title}}}"\nkind: roles\n---\nA role called {{slug}} in {{section}}.\n' \
	> "$A/archetypes/roles.md"
ok "section archetype" "$FOLIO" new -s "$A" roles/data-analyst.md
ok "roles/x.md uses archetypes/roles.md" has "$A/content/roles/data-analyst.md" "kind: roles"
ok "slug and section in the body" has "$A/content/roles/data-analyst.md" "A role called data-analyst in roles."
ok "other section" "$FOLIO" new -s "$A" skills/sql.md
ok "a section without its archetype uses default.md" has "$A/content/skills/sql.md" "kind: default"
ok "default.md: slug" has "$A/content/skills/sql.md" 'slug: "sql"'
ok "default.md: section" has "$A/content/skills/sql.md" 'section: "skills"'
ok "top-level file" "$FOLIO" new -s "$A" colophon.md
ok "a top-level file uses default.md" has "$A/content/colophon.md" "kind: default"
ok "section is empty at the top" has "$A/content/colophon.md" 'section: ""'

# Errors in an archetype point at its line and column; nothing is written.
printf -- '---\ntitle: "{{{title}}}"\n---\n\n{{#section}}Unclosed\n' > "$A/archetypes/guides.md"
fail_with "a broken archetype names file:line:col" 1 "archetypes/guides.md:5:1: error:" \
	"$FOLIO" new -s "$A" guides/x.md
ok "nothing written for a broken archetype" test ! -e "$A/content/guides/x.md" -a ! -e "$A/content/guides"
printf -- '---\ntitle: "{{title}}"\n---\n' > "$A/archetypes/bad.md"
fail_with "an archetype giving invalid YAML" 1 'write title: "{{{title}}}"' \
	"$FOLIO" new -s "$A" 'bad/a-"quoted"-title.md'
ok "nothing written for invalid YAML" test ! -e "$A/content/bad/a-\"quoted\"-title.md"
printf 'no front matter\n' > "$A/archetypes/nofm.md"
fail_with "an archetype without front matter" 1 "missing front matter" "$FOLIO" new -s "$A" nofm/x.md
mkdir "$A/archetypes/dir.md"
fail_with "an archetype that is a folder" 1 "archetypes/dir.md: error: archetype is not a file" \
	"$FOLIO" new -s "$A" dir/x.md

# ---- the career site's archetypes satisfy its schema ----
C="$TMP/career"
mkdir -p "$C"
cp -R content layouts assets archetypes site.yaml "$C/"
ok "new role" "$FOLIO" new -s "$C" roles/data-analyst.md
ok "new skill" "$FOLIO" new -s "$C" skills/apache-airflow.md
ok "new environment" "$FOLIO" new -s "$C" environments/public-sector.md
ok "new guide (default.md)" "$FOLIO" new -s "$C" guides/changing-careers.md
ok "new top-level page (default.md)" "$FOLIO" new -s "$C" contact.md
ok "role archetype used" has "$C/content/roles/data-analyst.md" 'title: "Data analyst"'
ok "new pages are drafts" test "$(grep -l '^draft: true$' "$C"/content/*/*.md "$C"/content/*.md | wc -l)" -eq 5
ok "drafts do not break the site" "$FOLIO" build -s "$C" -o "$TMP/career-out" --strict --quiet
ok "drafts left out" test ! -e "$TMP/career-out/roles/data-analyst"
# A skill or work setting page must be some role's term: the new role lists both.
sed -e 's/^skills: \[\]/skills: [Python, Apache Airflow]/' \
	-e 's/^work_environments: \[\]/work_environments: [Public sector]/' \
	"$C/content/roles/data-analyst.md" > "$TMP/role" && cat "$TMP/role" > "$C/content/roles/data-analyst.md"
ok "career site with the new drafts builds with --drafts --strict" \
	"$FOLIO" build -s "$C" -o "$TMP/career-out" --drafts --strict --quiet
ok "role page written" grep -qF '<h1>Data analyst</h1>' "$TMP/career-out/roles/data-analyst/index.html"
ok "skill page written" grep -qF '<h1>Apache airflow</h1>' "$TMP/career-out/skills/apache-airflow/index.html"
ok "environment page written" test -f "$TMP/career-out/environments/public-sector/index.html"
ok "guide written" test -f "$TMP/career-out/guides/changing-careers/index.html"
ok "the repository's content is untouched" test ! -e content/roles/data-analyst.md

finish
