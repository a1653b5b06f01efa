// Unit tests of the search engine (assets/js/search.js): the tokenizer
// against the cases shared with the C tokenizer (tests/search/tokens.tsv),
// compact numbers, the index folio writes for tests/browser/sites/search-hostile
// (checked against doc/search-index.md), and queries against that index.
// Ends with one line "N passed, N failed".
//
// Environment: FOLIO (the folio binary, default build/folio).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Search, distance, fold, postings, terms, tokenize, varints } from '../../assets/js/search.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const folio = resolve(root, process.env.FOLIO || 'build/folio');

let passed = 0, failed = 0;
function check(ok, name, detail) {
  if (ok) return passed++;
  failed++;
  console.log(`FAIL: ${name}${detail === undefined ? '' : `\n    ${String(detail).replace(/\n/g, '\n    ')}`}`);
}
const eq = (got, want, name) => {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  check(g === w, name, `got      ${g}\nexpected ${w}`);
};

// ---- Tokenizer: the shared cases ------------------------------------------

const tsv = readFileSync(join(root, 'tests/search/tokens.tsv'), 'utf8');
let cases = 0;
for (const [n, line] of tsv.split('\n').entries()) {
  if (!line || line.startsWith('#')) continue;
  const tab = line.indexOf('\t');
  check(tab >= 0, `tokens.tsv:${n + 1}: has a tab`);
  if (tab < 0) continue;
  const input = line.slice(0, tab), want = line.slice(tab + 1);
  eq(terms(input).join(' '), want, `tokens.tsv:${n + 1}: ${input}`);
  cases++;
}
check(cases >= 10, 'tokens.tsv has cases', cases);

// Token places and forms.
const toks = tokenize('Café, Ærø!');
eq(toks.map((x) => [x.s, x.e, x.raw, x.w, x.t]), [[0, 4, 'Café', 'cafe', 'cafe'], [6, 9, 'Ærø', 'aero', 'aero']], 'tokenize: places and forms');
eq(fold('ÀÉÎÕÜÝßþÿĀćĐħĲŁŒŠŽſ'), 'aeiouyssthyacdhijloeszs', 'fold: Latin-1 and Latin Extended-A');
eq(fold('ƀΣЖ'), 'ƀΣЖ', 'fold: other letters kept as they are');
eq(terms('x'.repeat(40) + ' ' + 'x'.repeat(41)), ['x'.repeat(40)], 'tokens of 41 bytes dropped');
eq(terms('é'.repeat(21) + ' ' + 'ж'.repeat(20) + ' ' + 'ж'.repeat(21)), ['e'.repeat(21), 'ж'.repeat(20)], 'the 40-byte limit counts UTF-8 bytes after folding');
eq(terms('U+2028\u2028split\u00d7times\u00f7by'), ['u', '2028', 'split', 'time'], 'separators: U+2028, × and ÷');
eq(terms('Ȁȁ ɏ ϴ ゟ 가'), ['Ȁȁ', 'ɏ', 'ϴ', 'ゟ', '가'], 'word character ranges');
eq(terms('\u0250 \u2000 \uA000 😀'), [], 'non-word characters');

// ---- Compact numbers ------------------------------------------------------

eq(varints('g'), [0], 'varint 0');
eq(varints('_'), [31], 'varint 31');
eq(varints('Bg'), [32], 'varint 32');
eq(varints('f_'), [1023], 'varint 1023');
eq(varints('BAg'), [1024], 'varint 1024');
eq(varints('ghBgf_'), [0, 1, 32, 1023], 'varints in a row');
{
  const p = postings('hBi_Bg-');
  eq([...p.ids], [1, 3, 35], 'postings: ids from differences');
  eq([...p.scores], [1, 63, 62], 'postings: scores');
}
eq([distance('kitten', 'sitting', 3), distance('pipelni', 'pipelin', 2), distance('abc', 'abc', 1), distance('a', 'abcd', 1)], [3, 1, 0, 2],
  'edit distance (a swap counts one; over the limit gives limit + 1)');

// ---- The index folio writes -------------------------------------------------

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

const tmp = mkdtempSync(join(tmpdir(), 'folio-search-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const out = join(tmp, 'site');
if (!existsSync(folio)) {
  check(false, `folio binary ${folio} not found (run make)`);
  finish();
}
try {
  execFileSync(folio, ['build', '-s', join(root, 'tests/browser/sites/search-hostile'), '-o', out, '--quiet'], { stdio: 'inherit' });
} catch (e) {
  check(false, 'folio build of tests/browser/sites/search-hostile', e.message);
  finish();
}
const dir = join(out, 'search');
const rootName = existsSync(dir) && readdirSync(dir).find((f) => /^r\.[^.]+\.json$/.test(f));
check(rootName, 'folio wrote search/r.HASH.json');
if (!rootName) finish();

const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const idx = read(rootName);
const DIGITS = /^[A-Za-z0-9_-]*$/;

check(idx.version === 1, 'root: version 1', idx.version);
check(Number.isInteger(idx.pages) && idx.pages > 0, 'root: pages', idx.pages);
check(idx.dict.length >= 1 && idx.dict.length <= 256 && idx.dict[0][0] === '', 'root: dict starts with ""', JSON.stringify(idx.dict[0]));
check(idx.dict.every((d, i) => !i || idx.dict[i - 1][0] < d[0]), 'root: dict sorted');
eq(idx.taxonomies.map((t) => t[0]), ['tags', 'skills'], 'root: taxonomies in site.yaml order');
{
  let at = 0, ok = true;
  for (const s of idx.sections) ok &&= s[3] === at && s[4] >= s[3], (at = s[4]);
  check(ok && at === idx.pages, 'root: sections are consecutive id ranges covering every page', JSON.stringify(idx.sections));
  check(idx.sections[0][0] === '' && idx.sections[0][1] === 'Search fixture', 'root: top-level section first, titled with the site title', JSON.stringify(idx.sections[0]));
}

// Every dictionary shard and postings list.
const keys = new Map(); // key -> df
let listsOk = true, listsDetail = '';
for (const [i, [from, name]] of idx.dict.entries()) {
  const sh = read(name);
  const to = idx.dict[i + 1]?.[0];
  const sorted = sh.t.every((e, k) => !k || sh.t[k - 1][0] < e[0]);
  const inRange = sh.t.every((e) => e[0] >= from && (to === undefined || e[0] < to));
  check(sorted && inRange, `shard ${name}: keys sorted and within [${JSON.stringify(from)}, ${JSON.stringify(to ?? '')})`);
  const files = sh.p.map(read);
  for (const [key, df, f] of sh.t) {
    keys.set(key, df);
    const s = files[f]?.[key];
    if (typeof s !== 'string' || !DIGITS.test(s)) {
      listsOk = false, (listsDetail ||= `${key}: no postings string in ${sh.p[f]}`);
      continue;
    }
    const p = postings(s);
    const incr = [...p.ids].every((id, k) => id < idx.pages && (!k || id > p.ids[k - 1]));
    const scores = [...p.scores].every((x) => x >= 1 && x <= 63 && (key[0] !== '=' || x === 63));
    if (p.ids.length !== df || !incr || !scores) listsOk = false, (listsDetail ||= `${key}: df ${df}, ids ${[...p.ids]}, scores ${[...p.scores]}`);
  }
}
check(listsOk, 'postings: df entries, increasing ids below pages, scores 1..63 (63 for title keys)', listsDetail);

// Packs, facet blocks and names.
const pages = [];
for (let k = 0; k * idx.pack < idx.pages; k++) pages.push(...read(`${idx.packs}${k}.json`));
check(pages.length === idx.pages, 'packs hold every page', `${pages.length} of ${idx.pages}`);
const byUrl = new Map(pages.map((p, id) => [p.u, { ...p, id }]));
check(pages.every((p, id) => idx.sections[p.s] && id >= idx.sections[p.s][3] && id < idx.sections[p.s][4]), 'packs: s is the section of the id');
// (folio cuts at the limit, then adds "…": not counted here.)
const fits = (s, max) => Buffer.byteLength(s.replace(/…$/, '')) <= max;
check(pages.every((p) => fits(p.e ?? '', 160) && (p.h ?? []).length <= 20 &&
  (p.h ?? []).every((x) => x.length === 3 && fits(x[2], 64))), 'packs: summary ≤ 160 bytes, ≤ 20 headings, text under each ≤ 64 bytes');
const names = idx.taxonomies.map((t) => read(t[2]));
const facets = [];
for (let k = 0; k * idx.block < idx.pages; k++) facets.push(...read(`${idx.facets}${k}.json`));
check(facets.length === idx.pages, 'facet blocks hold every page', `${facets.length} of ${idx.pages}`);
check(pages.every((p, id) => idx.taxonomies.every((_, t) =>
  JSON.stringify((facets[id][t] || []).map((i) => names[t][i][0]).sort()) === JSON.stringify([...(p.x?.[t] || [])].sort()))),
'facet blocks name the same terms as the packs');
check(names.every((list, t) => list.every(([name, , n]) => n === pages.filter((p) => p.x?.[t]?.includes(name)).length)),
  'names: page counts', JSON.stringify(names));

// Which pages are in.
check(byUrl.has('/roles/backend/') && byUrl.has('/skills/django/') && byUrl.has('/roles/'), 'indexed: pages and sections with a file');
check(!byUrl.has('/guides/hidden/'), 'not indexed: search: false');
check(!byUrl.has('/tags/') && !byUrl.has('/tags/web/') && !byUrl.has('/guides/'), 'not indexed: listings and sections without a file');
check(!keys.has('zanzibar'), 'terms of a search: false page are not in the dictionary');
check(keys.get('=django') === 1, 'title key =django');
check(keys.has('=deploy django applic'), 'title key of a title with a stop word', [...keys.keys()].filter((k) => k[0] === '=').join(' | '));
check(![...keys.keys()].some((k) => k[0] === '=' && k.split(' ').length > 3), 'no title keys for titles of more than three terms');
{
  const ids = pages.map((p) => p.u);
  const order = pages.map((p) => idx.sections[p.s][0]);
  check(order.every((s, i) => !i || order[i - 1] <= s), 'ids ordered by section', order.join(' '));
  check(ids.indexOf('/roles/') < ids.indexOf('/roles/backend/'), 'within a section, by content path (_index.md first)', ids.join(' '));
}

// ---- Queries --------------------------------------------------------------

let fetched = [];
const fetchFile = async (url) => {
  fetched.push(url);
  try {
    const text = readFileSync(fileURLToPath(url), 'utf8');
    return { ok: true, status: 200, json: async () => JSON.parse(text) };
  } catch {
    return { ok: false, status: 404, json: async () => null };
  }
};
const search = new Search(`search/${rootName}`, { fetch: fetchFile, base: pathToFileURL(out + '/').href });
const urls = (r) => r.hits.map((h) => h.url);
const marked = (text, marks) => marks.map(([s, e]) => text.slice(s, e));

async function queries() {
  let r = await search.query('django');
  check(r.status === 'ok', 'django: found', r.status);
  eq(urls(r)[0], '/skills/django/', 'django: the skill page first');
  check(urls(r).includes('/roles/backend/') && urls(r).includes('/guides/django-deployment/'), 'django: the role and the guide', urls(r));
  check(!urls(r).includes('/roles/data-engineer/'), 'django: not the pages without it', urls(r));
  const first = r.hits[0];
  eq(marked(first.title, first.titleMarks), ['Django'], 'django: title highlight');
  check(first.subs.some((s) => s.url === '/skills/django/#what-it-is'), 'django: sub-result links to the heading', JSON.stringify(first.subs));
  const backend = r.hits.find((h) => h.url === '/roles/backend/');
  check(marked(backend.text, backend.marks).includes('Django'), 'django: excerpt highlight', JSON.stringify(backend));
  check(backend.terms.some((t) => t.taxonomy === 'Skills' && t.name === 'Django'), 'django: the matching taxonomy term', JSON.stringify(backend.terms));
  check(r.sections.reduce((n, s) => n + s.count, 0) === r.total, 'django: section counts add up');

  r = await search.query('Django', { section: 'roles' });
  eq(urls(r), ['/roles/backend/'], 'section filter');
  check(r.all > r.total && r.sections.find((s) => s.key === 'guides').count === 1, 'section filter: counts ignore it', JSON.stringify(r.sections));

  fetched = [];
  r = await search.query('django', { facets: true });
  check(fetched.some((u) => u.includes(idx.facets)), 'facets: blocks loaded only when asked');
  const skills = r.taxonomies.find((t) => t.key === 'skills');
  check(skills.terms[0].name === 'Django' && skills.terms[0].count === 2, 'facets: skills counts', JSON.stringify(skills.terms));
  const pg = skills.terms.find((t) => t.name === 'PostgreSQL');
  r = await search.query('django', { terms: { skills: pg.index } });
  eq(urls(r), ['/roles/backend/'], 'taxonomy filter');

  r = await search.query('kubernets');
  eq(urls(r)[0], '/skills/kubernetes/', 'kubernets (a typo) finds Kubernetes');
  r = await search.query('kubernetis');
  check(urls(r).includes('/skills/kubernetes/'), 'kubernetis: typo expansion finds Kubernetes', JSON.stringify(r.words));
  r = await search.query('pipelnie');
  check(urls(r).includes('/roles/data-engineer/'), 'pipelnie: swapped letters', urls(r));
  r = await search.query('deplo');
  check(urls(r).includes('/guides/django-deployment/') && urls(r).includes('/roles/devops-engineer/'), 'deplo: prefix of the last word', urls(r));
  check(r.hits.some((h) => marked(h.text, h.marks).some((m) => /^deploy/i.test(m))), 'deplo: prefix matches highlighted', JSON.stringify(r.hits.map((h) => [h.text, h.marks])));
  r = await search.query('depl');
  check(urls(r).includes('/guides/django-deployment/'), 'depl: prefix', urls(r));
  r = await search.query('depl ');
  check(r.status === 'none', 'depl followed by a space: no prefix', urls(r));
  r = await search.query('django deploy');
  eq(urls(r)[0], '/guides/django-deployment/', 'two words: AND, the page with both first');
  check(!urls(r).includes('/skills/django/'), 'two words: pages with one word left out', urls(r));
  r = await search.query('django zzyzx');
  check(r.status === 'or' && urls(r).includes('/skills/django/'), 'no page with every word: any word', r.status);
  r = await search.query('the of and');
  check(r.status === 'stop' && !r.hits.length, 'stop words only', r.status);
  r = await search.query('   ');
  check(r.status === 'empty', 'empty query', r.status);
  r = await search.query('qqqqqqq');
  check(r.status === 'none' && r.total === 0, 'nothing found', r.status);
  r = await search.query('cafe');
  eq(urls(r), ['/guides/cafe-resume/'], 'cafe finds Café');
  eq(marked(r.hits[0].title, r.hits[0].titleMarks), ['Café'], 'folded match highlighted');
  r = await search.query('RÉSUMÉ');
  eq(urls(r), ['/guides/cafe-resume/'], 'RÉSUMÉ finds résumé');
  r = await search.query('zanzibar');
  check(r.status === 'none', 'search: false page not found', urls(r));
  r = await search.query('onerror');
  eq(r.hits.map((h) => h.title), ['<img src=x onerror=alert(1)>'], 'hostile title comes back as the same string');
  r = await search.query('IMG src=x onerror=alert(1)');
  check(r.hits[0]?.score >= 63, 'a whole title of six terms (no "=" key) earns the title bonus', r.hits[0]?.score);

  // Paging, and later queries reuse what is cached.
  r = await search.query('roles', { limit: 1 });
  check(r.hits.length === 1 && r.more, 'limit and more');
  const r2 = await search.query('roles', { start: 1, limit: 1 });
  check(r2.hits.length === 1 && r2.hits[0].url !== r.hits[0].url, 'the next page of results');
  fetched = [];
  await search.query('django');
  check(fetched.length === 0, 'a repeated query fetches nothing', fetched.join('\n'));
}

queries().catch((e) => check(false, 'queries crashed', e.stack)).then(finish);
