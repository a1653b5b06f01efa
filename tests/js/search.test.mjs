// Unit tests of the search engine (assets/js/search.js): the tokenizer
// against the cases shared with the C tokenizer (tests/search/tokens.tsv),
// compact numbers, the index folio writes for tests/browser/sites/search-hostile
// (checked against doc/search-index.md), and queries against that index.
// Ends with one line "N passed, N failed".
//
// Environment: FOLIO (the folio binary, default build/folio).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildSite, folio, localSearch, root, rootName as rootFile } from './local.mjs';
import { Search, denseWords, distance, fnv1a, fold, formHash, postings, queryTokens, simpleId, terms, tokenize, varints } from '../../assets/js/search.js';
import { pageSections } from '../../assets/js/search-page.js';
import { pairBucket, phrasePairs } from '../../assets/js/search-phrase.js';


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

// Queries in scripts without spaces: with Intl.Segmenter (words) and
// without it (the whole run), every term of a query taken from a text is a
// term of that text, so the page is found either way.
for (const [text, q] of [['東京都に住む', '東京都'], ['中文搜索测试 search', '搜索'], ['データの開発者として働く', '開発者'], ['日本', '日本']]) {
  const have = new Set(terms(text));
  for (const seg of [true, false]) {
    const qt = queryTokens(q, seg).map((x) => x.t);
    check(qt.length > 0 && qt.every((t) => have.has(t)), `query ${q} (${seg ? 'segmented' : 'whole run'}) finds ${text}`, `${qt} not all in ${[...have]}`);
  }
}
eq(queryTokens('東京都', false).map((x) => x.t), ['東京', '京都'], 'a dense query word without a segmenter: its pairs');
eq(queryTokens('に', false).map((x) => x.t), ['に'], 'a dense query word of one character: itself');
eq(denseWords('東京都に住む', false), [['東京都に住む', 0]], 'denseWords without the segmenter: the whole run');
check(denseWords('東京都に住む').every(([w, at]) => '東京都に住む'.slice(at, at + w.length) === w), 'denseWords: words at their places');
eq(queryTokens('a "remote work" b “x y”').map((x) => [x.w, x.phrase]), [['a', -1], ['remote', 0], ['work', 0], ['b', -1], ['x', 1], ['y', 1]], 'phrases in straight and curly quotes');
eq(queryTokens('"remote work').map((x) => x.phrase), [-1, -1], 'an unclosed quote is no phrase');
eq(phrasePairs(queryTokens('a "remote and work" b "x" "y z w"')), [[['remot', 'work']], [], [['y', 'z'], ['z', 'w']]], 'phrase pairs: neighbours, stop words left out');
eq(phrasePairs(queryTokens('"東京 remote work"')), [[['remot', 'work']]], 'phrase pairs: none with a word of a script without spaces');
eq([fnv1a('remot'), fnv1a('work')], [0x84768124, 0x5b98d260], 'FNV-1a of the terms of a pair');
eq(pairBucket('remot', 'work'), 0xb11b, 'the bucket of a pair: ((A × 2654435761) xor B) × 2246822507, top 16 bits');

// ---- Compact numbers ------------------------------------------------------

eq(varints('g'), [0], 'varint 0');
eq(varints('_'), [31], 'varint 31');
eq(varints('Bg'), [32], 'varint 32');
eq(varints('f_'), [1023], 'varint 1023');
eq(varints('BAg'), [1024], 'varint 1024');
eq(varints('ghBgf_'), [0, 1, 32, 1023], 'varints in a row');
{
  // ids 1, 3 (in the title: place 2, its last term, form hash 5), 35.
  const p = postings('iBl_iFCg-');
  eq([...p.ids], [1, 3, 35], 'postings: ids from halved differences');
  eq([...p.scores], [1, 63, 62], 'postings: scores');
  eq([...p.titles], [-1, 34 | (5 << 6), -1], 'postings: title place, last-term flag and form hash');
}
eq([formHash('django'), formHash('deploying'), formHash('café')], [0xb78d25de >>> 26, 0xe6a2e9d2 >>> 26, 0xa82b5049 >>> 26], 'form hash: FNV-1a of the UTF-8 bytes, top 6 bits');
eq([distance('kitten', 'sitting', 3), distance('pipelni', 'pipelin', 2), distance('abc', 'abc', 1), distance('a', 'abcd', 1)], [3, 1, 0, 2],
  'edit distance (a swap counts one; over the limit gives limit + 1)');

// ---- Ties, on a made-up index ------------------------------------------------

// Sixteen pages with the same score for "x" (page 3 a section page): equal
// scores are not ordered by page id (so not by section), the order is the
// same every time, and the section page comes last.
async function ties() {
  const files = {
    'r.json': { version: 2, pages: 16, score: 15, pack: 5, packs: 'g.', chunk: 12, terms: null, dict: [['', 'd.json']],
      sections: [['', 'T', '/', 0, 16]], taxonomies: [], lists: [3] },
    'd.json': { p: ['p.json'], t: [['x', 16, 0, 10000]] },
    'p.json': { x: 'gP' + 'iP'.repeat(15) },      // ids 0..15, each delta 1, score 15
  };
  for (let k = 0; k < 4; k++) files[`g.${k}.json`] = Array.from({ length: Math.min(5, 16 - 5 * k) }, (_, i) => [`p${5 * k + i}/`, 'P', 0]);
  const fetch = async (url) => ({ ok: true, status: 200, json: async () => structuredClone(files[url.split('/').pop()]) });
  const order = async () => (await new Search('http://x/r.json', { fetch }).query('x', { limit: 16 })).hits.map((h) => h.id);
  const a = await order(), b = await order();
  eq(a.length, 16, 'ties: every page found');
  check(JSON.stringify(a.slice(0, 15)) !== JSON.stringify([...a.slice(0, 15)].sort((x, y) => x - y)), 'ties: not in page id order', a.join(' '));
  eq(a, b, 'ties: the same order every time');
  eq(a[15], 3, 'ties: the section page last');
}
await ties().catch((e) => check(false, 'ties crashed', e.stack));

// ---- Excerpts, on a made-up index ----------------------------------------------

// One page: "alpha" in its summary, "zebra" (and "alpha") only in the piece
// of text kept under its second heading.  A result's excerpt is the text
// with the most of the query's words, the summary when as many; the
// heading whose piece became the excerpt is a sub-result without text.
async function pieces() {
  const files = {
    'r.json': { version: 2, pages: 1, score: 15, pack: 5, packs: 'g.', chunk: 12, terms: null, dict: [['', 'd.json']],
      sections: [['', 'T', '/', 0, 1]], taxonomies: [], lists: [] },
    'd.json': { p: ['p.json'], t: [['alpha', 1, 0, 10000], ['zebra', 1, 0, 10000]] },
    'p.json': { alpha: 'gP', zebra: 'gP' },
    'g.0.json': [['page/', 'Page', 0, 'Alpha is in the summary.',
      [['', 'Intro', ''], ['', 'Deep', '… where the zebra meets alpha at last …']]]],
  };
  const fetch = async (url) => ({ ok: true, status: 200, json: async () => structuredClone(files[url.split('/').pop()]) });
  const search = new Search('http://x/r.json', { fetch });
  const first = async (q) => (await search.query(q)).hits[0];
  const z = await first('zebra');
  eq(z.url, '/page/', 'pieces: the url after its section\'s');
  check(z.text.includes('zebra') && z.marks.some(([a, b]) => z.text.slice(a, b) === 'zebra'), 'pieces: a word only in a piece is shown in the excerpt, marked', JSON.stringify(z));
  eq(z.subs.map((x) => [x.url, x.text]), [['/page/#deep', '']], 'pieces: its heading a sub-result, without the text shown above');
  const a = await first('alpha');
  eq(a.text, 'Alpha is in the summary.', 'pieces: the summary when it has as many of the words');
  eq(a.subs.map((x) => [x.url, x.text]), [['/page/#deep', '… where the zebra meets alpha at last …']], 'pieces: a heading whose piece has the word, with it');
  const both = await first('alpha zebra');
  check(both.text.includes('zebra') && both.text.includes('alpha'), 'pieces: the piece when it has more of the words', both.text);
}
await pieces().catch((e) => check(false, 'pieces crashed', e.stack));

// ---- The index folio writes -------------------------------------------------

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

if (!existsSync(folio)) {
  check(false, `folio binary ${folio} not found (run make)`);
  finish();
}
let out;
try {
  out = buildSite(join(root, 'tests/browser/sites/search-hostile'));
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

check(idx.version === 2 && idx.score === 15, 'root: version 2, scores of 15 levels', JSON.stringify([idx.version, idx.score]));
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
const lists = new Map(); // key -> decoded postings
let listsOk = true, listsDetail = '';
for (const [i, [from, name]] of idx.dict.entries()) {
  const sh = read(name);
  const to = idx.dict[i + 1]?.[0];
  const sorted = sh.t.every((e, k) => !k || sh.t[k - 1][0] < e[0]);
  const inRange = sh.t.every((e) => e[0] >= from && (to === undefined || e[0] < to));
  check(sorted && inRange, `shard ${name}: keys sorted and within [${JSON.stringify(from)}, ${JSON.stringify(to ?? '')})`);
  const files = sh.p.map(read);
  for (const [key, df, f, m] of sh.t) {
    keys.set(key, df);
    const s = files[f]?.[key];
    if (typeof s !== 'string' || !DIGITS.test(s)) {
      listsOk = false, (listsDetail ||= `${key}: no postings string in ${sh.p[f]}`);
      continue;
    }
    const p = postings(s);
    lists.set(key, p);
    const incr = [...p.ids].every((id, k) => id < idx.pages && (!k || id > p.ids[k - 1]));
    const scores = [...p.scores].every((x) => x >= 1 && x <= idx.score) && p.scores.includes(idx.score);
    if (p.ids.length !== df || !incr || !scores || !(m >= 1 && m <= 10000)) listsOk = false, (listsDetail ||= `${key}: df ${df}, m ${m}, ids ${[...p.ids]}, scores ${[...p.scores]}`);
  }
}
check(listsOk, 'postings: df entries, increasing ids below pages, scores 1..root.score with the top one used, m 1..10000', listsDetail);

// Packs, term lists and names.
const raw = [];
for (let k = 0; k * idx.pack < idx.pages; k++) raw.push(...read(`${idx.packs}${k}.json`));
check(raw.length === idx.pages, 'packs hold every page', `${raw.length} of ${idx.pages}`);
check(raw.every((p) => Array.isArray(p) && p.length >= 3 && p.length <= 5 && typeof p[0] === 'string' && typeof p[1] === 'string' &&
  Number.isInteger(p[2]) && (p.length < 4 || typeof p[3] === 'string') && (p.length < 5 || Array.isArray(p[4]))),
'packs: each page [url, title, section, summary, headings], the last two left out when empty');
// The url after its section's, or whole when it starts with "/".
const pages = raw.map(([u, t, s, e, h]) => ({ u: u.startsWith('/') ? u : idx.sections[s][2] + u, rel: u, t, s, e, h }));
check(pages.every((p) => p.rel !== p.u || !p.u.startsWith(idx.sections[p.s][2])),
  'packs: a url that starts with its section\'s is written after it');
const byUrl = new Map(pages.map((p, id) => [p.u, { ...p, id }]));
check(pages.every((p, id) => idx.sections[p.s] && id >= idx.sections[p.s][3] && id < idx.sections[p.s][4]), 'packs: s is the section of the id');
// (folio cuts at the limit, then adds "…": not counted here.)
const fits = (s, max) => Buffer.byteLength(s.replace(/…$/, '')) <= max;
check(pages.every((p) => fits(p.e ?? '', 160) && (p.h ?? []).length <= 20 &&
  (p.h ?? []).every((x) => x.length === 3 && fits(x[2], 160)) && (p.h ?? []).filter((x) => x[2]).length <= 1),
'packs: summary ≤ 160 bytes, ≤ 20 headings, text under at most 1 of them, ≤ 160 bytes');
const names = idx.taxonomies.map((t) => read(t[2]));
// Term lists: each taxonomy's terms by number of pages (most first, ties
// by index), root.chunk a file, each term's pages as increasing ids, the
// counts those of the names files; checked against the front matter below.
const termPages = idx.taxonomies.map(() => new Map());
check(raw.every((p) => p.length <= 5), 'packs hold no taxonomy terms (the term lists do)');
idx.taxonomies.forEach(([key, , , first], t) => {
  const order = names[t].map((_, j) => j).sort((a, b) => names[t][b][2] - names[t][a][2] || a - b);
  const got = [];
  for (let c = 0; c * idx.chunk < names[t].length; c++) {
    const chunk = read(`${idx.terms}${first + c}.json`);
    check(chunk.length === Math.min(idx.chunk, names[t].length - c * idx.chunk), `${key} chunk ${c}: ${idx.chunk} terms or the rest`);
    for (const [j, s] of chunk) {
      const ids = varints(s);
      for (let k = 1; k < ids.length; k++) ids[k] += ids[k - 1];
      got.push(j);
      termPages[t].set(names[t][j][0], ids.map((id) => pages[id].u));
      check(ids.length === names[t][j][2] && ids.every((id, k) => id < idx.pages && (!k || id > ids[k - 1])), `${key} ${names[t][j][0]}: ids increasing, as many as counted`);
    }
  }
  eq(got, order, `${key}: term lists in order of page counts`);
});
eq(termPages[1].get('Django')?.sort(), ['/guides/django-deployment/', '/roles/backend/'], 'skills: Django\'s pages');
eq(termPages[0].get('Web')?.sort(), ['/guides/django-deployment/', '/roles/backend/', '/skills/django/'], 'tags: Web\'s pages');
check(pages.every((p) => (p.h || []).every(([id, text]) => id === '' || id !== simpleId(text))),
  'packs: heading ids left out exactly when they are the simple form of the text');
eq(simpleId('Part 1: Stream'), 'part-1-stream', 'simple heading id');
eq(simpleId('<i>Escaped</i> heading'), 'i-escaped-i-heading', 'simple heading id of markup-like text');

// Word pairs: the table lists the first bucket of each pair file; every
// key of a file is two terms of the dictionary whose bucket is in the
// file's range, with increasing page ids.
{
  check(typeof idx.pairs === 'string', 'root: pairs names the pair table', idx.pairs);
  const table = read(idx.pairs), starts = varints(table.from);
  for (let k = 1; k < starts.length; k++) starts[k] += starts[k - 1];
  check(starts[0] === 0 && starts.every((b, k) => !k || b > starts[k - 1]), 'pair table: buckets from 0, increasing', starts.join(' '));
  let ok = true, detail = '', n = 0;
  const pairs = new Map();
  starts.forEach((from, k) => {
    const to = starts[k + 1] ?? 65536;
    for (const [key, s] of Object.entries(read(`${table.files}${k}.json`))) {
      const [a, b, more] = key.split(' '), bucket = pairBucket(a, b);
      const ids = varints(s);
      for (let i = 1; i < ids.length; i++) ids[i] += ids[i - 1];
      pairs.set(key, ids.map((id) => pages[id]?.u));
      n++;
      if (more !== undefined || !keys.has(a) || !keys.has(b) || bucket < from || bucket >= to || !ids.length || !ids.every((id, i) => id < idx.pages && (!i || id > ids[i - 1])))
        ok = false, (detail ||= `${key} in file ${k}: bucket ${bucket}, ids ${ids}`);
    }
  });
  check(ok && n > 10, 'pair files: keys of two terms in their bucket range, increasing ids', detail || n);
  eq(pairs.get('remot work'), ['/guides/remote-work/'], 'pairs: remote work (title)');
  eq(pairs.get('work remot'), ['/guides/promoted/'], 'pairs: work remote (across a comma)');
  eq(pairs.get('remot team'), ['/guides/remote-work/'], 'pairs: remote team (body, stop word left out)');
  check(!pairs.has('work remot') || !pairs.get('work remot').includes('/guides/remote-work/'), 'pairs: none across the title and the text');
  check(![...pairs.keys()].some((k) => /[\u3040-\u9fff]/.test(k)), 'pairs: none in scripts without spaces');
}

// Which pages are in.
check(byUrl.has('/roles/backend/') && byUrl.has('/skills/django/') && byUrl.has('/roles/'), 'indexed: pages and sections with a file');
check(!byUrl.has('/guides/hidden/'), 'not indexed: search: false');
check(!byUrl.has('/tags/') && !byUrl.has('/tags/web/') && !byUrl.has('/guides/'), 'not indexed: listings and sections without a file');
check(!keys.has('zanzibar'), 'terms of a search: false page are not in the dictionary');
{
  // Title places: "Deploying a Django application" is deploy 0, django 1,
  // applic 2 (the last); the form hash is that of the word as written.
  const titleOf = (key, url) => {
    const p = lists.get(key), id = byUrl.get(url).id, k = p ? p.ids.indexOf(id) : -1;
    return k < 0 ? null : p.titles[k];
  };
  const g = '/guides/django-deployment/';
  eq([titleOf('deploy', g), titleOf('django', g), titleOf('applic', g)], [0 | (formHash('deploying') << 6), 1 | (formHash('django') << 6), (2 | 32) | (formHash('application') << 6)],
    'title places, last-term flag and form hashes');
  eq(titleOf('django', '/roles/backend/'), -1, 'a term outside the title has no title place');
  check(![...keys.keys()].some((k) => k[0] === '='), 'no whole-title keys (title places replace them)');
  eq(idx.lists.map((id) => pages[id].u), ['/', '/roles/'], 'root: lists names the section and home pages');
}
{
  const ids = pages.map((p) => p.u);
  const order = pages.map((p) => idx.sections[p.s][0]);
  check(order.every((s, i) => !i || order[i - 1] <= s), 'ids ordered by section', order.join(' '));
  check(ids.indexOf('/roles/') < ids.indexOf('/roles/backend/'), 'within a section, by content path (_index.md first)', ids.join(' '));
}

// ---- Queries --------------------------------------------------------------

const search = localSearch(out);
const fetched = search.fetched;
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

  fetched.length = 0;
  r = await search.query('django', { facets: true });
  check(fetched.some((u) => u.includes(idx.terms)), 'facets: term lists loaded when asked');
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
  eq(urls(r)[0], '/guides/django-deployment/', 'two words: the page with both first');
  {
    const firstPartial = r.hits.findIndex((h) => h.missing);
    check(r.full === 1 && firstPartial === 1 && r.hits.slice(1).every((h) => h.missing), 'two words, few pages with both: pages with one follow them, each naming the word it misses',
      JSON.stringify(r.hits.map((h) => [h.url, h.missing])));
    const sk = r.hits.find((h) => h.url === '/skills/django/');
    eq(sk?.missing, 'deploy', 'the missing word as typed');
  }
  r = await search.query('django zzyzx');
  check(r.status === 'partial' && urls(r).includes('/skills/django/') && r.hits.every((h) => h.missing === 'zzyzx'), 'no page with every word: pages with all but one', JSON.stringify([r.status, r.hits.map((h) => h.missing)]));
  r = await search.query('zzyzx qqqqq django kubernetes');
  check(r.status === 'or' && urls(r).includes('/skills/django/'), 'no page with all but one word: any word', r.status);

  // Typos are corrected only in words the dictionary lacks.
  r = await search.query('promoted');
  eq(urls(r), ['/guides/promoted/'], 'a word the dictionary has is not expanded (promoted does not find remote)');
  r = await search.query('promotd');
  check(urls(r)[0] === '/guides/promoted/' && r.hits.every((h) => !h.missing), 'a word it lacks is corrected', urls(r));
  r = await search.query('pipelnie enginer');
  eq(urls(r)[0], '/roles/data-engineer/', 'two corrected words: the page with both in its title first');

  // Rank, then cut: the first results are the same whatever the page size.
  for (const q of ['engineer', 'data engineer', 'django', 'deploy kubernetes', 'backend developers', 'kubernetes django']) {
    const all = urls(await search.query(q, { limit: 20 }));
    let same = true;
    for (const n of [1, 2, 3, 5]) same &&= JSON.stringify(urls(await search.query(q, { limit: n }))) === JSON.stringify(all.slice(0, n));
    check(same, `${q}: the first n results do not depend on how many are asked for`, all.join(' '));
  }
  r = await search.query('engineer', { limit: 2 });
  check(r.hits.every((h) => /Engineer/.test(h.title)), 'engineer, two results: the pages with it in their title', urls(r));

  // Section and home pages rank below content pages that match as well.
  r = await search.query('listed');
  eq(urls(r), ['/guides/promoted/', '/roles/'], 'a section page below a content page with the same words');

  // Phrases.
  // (remote-work.md: title "Remote work", text "A remote team writes...";
  // promoted.md: "...from good work, remote or not.")
  r = await search.query('remote work');
  check(urls(r).includes('/guides/remote-work/') && urls(r).includes('/guides/promoted/'), 'without quotes: the words anywhere', urls(r));
  fetched.length = 0;
  r = await search.query('"remote work"');
  eq(urls(r), ['/guides/remote-work/', '/guides/promoted/'], 'a phrase: the page with the words together, in order, then the page with them apart');
  check(r.status === 'ok' && r.full === 1 && r.apart === 1 && !r.hits[0].apart && r.hits[1].apart === true, 'a phrase: the page with its words apart is marked', JSON.stringify([r.status, r.full, r.apart, r.hits.map((h) => h.apart)]));
  check(fetched.filter((u) => /\/x\.[^/]*\.json$/.test(u)).length === 1 && fetched.filter((u) => /\/w\.[^/]*\.json$/.test(u)).length === 1,
    'a phrase of two words reads the pair table and one pair file', fetched.join('\n'));
  r = await search.query('"work remote"');
  eq(urls(r), ['/guides/promoted/', '/guides/remote-work/'], 'a phrase in the other order: the page with that order (across a comma) first');
  r = await search.query('"remote team"');
  eq(urls(r), ['/guides/remote-work/'], 'a phrase in body text');
  r = await search.query('"team remote"');
  check(r.status === 'apart' && r.full === 0 && r.hits.length === 1 && r.hits[0].apart, 'body words in the other order: no page has them together, the page with them apart follows', JSON.stringify([r.status, urls(r)]));
  r = await search.query('"remote and the team"');
  eq(urls(r), ['/guides/remote-work/'], 'stop words in a phrase are left out, as in the text');
  r = await search.query('"writes team"');
  check(r.status === 'apart' && r.hits.every((h) => h.apart), 'words of the same sentence, not next to each other: apart', JSON.stringify([r.status, urls(r)]));
  r = await search.query('"team remote" writes');
  check(r.status === 'apart' && r.hits.length === 1, 'a phrase apart and a word: apart', JSON.stringify([r.status, urls(r)]));
  r = await search.query('"remote work" zzyzx');
  check(r.status === 'partial' && r.hits.length === 1 && r.hits.every((h) => h.missing === 'zzyzx'), 'a phrase and a word no page has: the pages with the phrase', JSON.stringify([r.status, r.hits.map((h) => [h.url, h.missing])]));
  r = await search.query('"remote work" team');
  eq(urls(r), ['/guides/remote-work/'], 'a phrase and a word: pages with both');
  fetched.length = 0;
  await search.query('remote team');
  check(!fetched.some((u) => /\/[wx]\.[^/]*\.json$/.test(u)), 'a query without a phrase reads no pair files', fetched.join('\n'));
  r = await search.query('"remote zzyzx" django');
  check(r.status === 'none', 'a phrase\'s words are never the missing one', JSON.stringify([r.status, r.hits.map((h) => [h.url, h.missing])]));
  r = await search.query('"remote zzyzx"');
  check(r.status === 'none', 'a phrase with a word nowhere matches nothing', r.status);

  // Scripts without spaces.
  r = await search.query('開発者');
  eq(urls(r), ['/guides/tokyo/'], 'a Japanese word inside a sentence');
  r = await search.query('東京');
  check(urls(r)[0] === '/guides/tokyo/' && r.hits[0].titleMarks.length === 1, 'a Japanese word in the title, highlighted once', JSON.stringify(r.hits[0]?.titleMarks));
  r = await search.query('大阪');
  check(r.status === 'none', 'a Japanese word the site lacks', r.status);
  r = await search.query('the of and');
  check(r.status === 'stop' && !r.hits.length, 'stop words only', r.status);
  r = await search.query('   ');
  check(r.status === 'empty', 'empty query', r.status);
  for (const q of ['😀🎉', '?!… — ***', '“”']) {
    r = await search.query(q);
    check(r.status === 'empty', `no letters or digits: ${q}`, r.status);
  }
  r = await search.query('x'.repeat(2000));
  check(r.status === 'long', 'a 2,000-character word', r.status);
  r = await search.query('the ' + 'y'.repeat(50));
  check(r.status === 'long', 'a stop word and a word over 40 bytes', r.status);
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
  const ro = await search.query('onerror alert src img x 1');
  check(r.hits[0]?.score >= 40 + ro.hits[0]?.score - 1e-3, 'a whole title of six terms earns the title bonus (not the same words in another order)', `${r.hits[0]?.score} ${ro.hits[0]?.score}`);

  // Paging, and later queries reuse what is cached.
  r = await search.query('roles', { limit: 1 });
  check(r.hits.length === 1 && r.more, 'limit and more');
  const r2 = await search.query('roles', { start: 1, limit: 1 });
  check(r2.hits.length === 1 && r2.hits[0].url !== r.hits[0].url, 'the next page of results');
  fetched.length = 0;
  await search.query('django');
  check(fetched.length === 0, 'a repeated query fetches nothing', fetched.join('\n'));
}

// A site large enough for common terms (in more than an eighth of the
// pages and in 1,000 or more): alpha and beta are in every page, next to
// each other in the even ones only; each page has a word of its own, wK.
// The pair of two common terms is not listed, so a phrase of them finds
// every page with both words, none marked apart; other pairs are listed.
async function commonPairs() {
  const site = mkdtempSync(join(tmpdir(), 'folio-common-'));
  process.on('exit', () => rmSync(site, { recursive: true, force: true }));
  const N = 1200;
  mkdirSync(join(site, 'layouts'));
  mkdirSync(join(site, 'content/notes'), { recursive: true });
  writeFileSync(join(site, 'site.yaml'), 'title: Common\nbase_url: https://example.org/\ntheme: none\n');
  for (const l of ['home', 'page', 'search', 'section'])
    copyFileSync(join(root, `tests/sites/search/layouts/${l}.mustache`), join(site, `layouts/${l}.mustache`));
  writeFileSync(join(site, 'content/search.md'), '---\ntitle: Search\nlayout: search\nsearch: false\n---\n');
  for (let k = 0; k < N; k++) {
    const w = `w${String(k).padStart(4, '0')}`;
    writeFileSync(join(site, `content/notes/${w}.md`), `---\ntitle: Note ${k}\n---\n${k % 2 ? '' : 'Alpha '}beta ${w}, alpha.\n`);
  }
  const out = buildSite(site), s = localSearch(out);
  const table = JSON.parse(readFileSync(join(out, 'search', JSON.parse(readFileSync(join(out, 'search', rootFile(out)), 'utf8')).pairs), 'utf8'));
  eq(table.most, 999, 'pair table: terms in more than 999 pages are common');
  let r = await s.query('"alpha beta"', { limit: 10 });
  check(r.status === 'ok' && r.total === N && r.full === N && !r.hits.some((h) => h.apart),
    'a phrase of two common words: every page with both, none apart', JSON.stringify([r.status, r.total, r.full, r.apart]));
  r = await s.query('"beta w0003"');
  eq(urls(r), ['/notes/w0003/'], 'a phrase with a word of one page: its listed pair');
  r = await s.query('"w0003 beta"');
  check(r.status === 'apart' && r.full === 0 && urls(r).join() === '/notes/w0003/' && r.hits[0].apart, 'the words of a listed pair in the other order: apart', JSON.stringify([r.status, urls(r)]));
}

// ---- Excerpts from the page (search: {excerpts: page}) ----------------------

// The text of a page: the element marked data-search-body, else <main>, else
// <body>; scripts, navigation and data-search-ignore left out; one section per
// heading with an id.  Each case: [html, its sections, what it shows].
const S = (text, id = '', head = '') => ({ id, head, text });
for (const [html, want, name] of [
  ['<title>T</title><nav>Menu</nav><main><p>Intro &amp; <em>more</em>text&#33;</p>' +
    '<h2 id="a-b">First <code>part</code></h2><p>One</p><ul><li>two</li><li>three</li></ul>' +
    '<script>var x = "<h2>";</script><div data-search-ignore><h3 id="x">Hidden</h3><div><p>gone</p></div></div>' +
    '<h3 id=\'c\'>Second</h3>last<br>word</main><footer>Footer</footer>',
    [S('Intro & moretext!'), S('One two three', 'a-b', 'First part'), S('last word', 'c', 'Second')], '<main>, skipped parts, headings'],
  ['<main>Not this</main><article data-search-body class="x"><h2 id="h">Head</h2>Body</article><p>after</p>',
    [S(''), S('Body', 'h', 'Head')], 'data-search-body comes first'],
  ['<body><div><div>In <b>nested</b></div></div> tail</body>', [S('In nested tail')], '<body> without <main>'],
  ['<main><div data-search-body>a<div>b</div>c</div>d</main>', [S('a b c')], 'the body element ends at its own end tag'],
  // Scripts and styles end only at their own end tag, whatever they hold.
  ['<main><p>a</p><script>for (i = 0; i<n; i++) {}</script><p>b</p><h2 id=h>H</h2>c</main>',
    [S('a b'), S('c', 'h', 'H')], 'a script holding "<"'],
  ['<main>x<script>document.write("<script src=a><\\/script>")</script>y<style>p::after{content:"<style>"}</style>z</main>',
    [S('x y z')], 'a script writing a script, a style naming <style>'],
  // The body element is found among tags, not in comments or scripts.
  ['<!-- <main> --><html><head><title>T</title></head><body><p>real</p></body>', [S('real')],
    '<main> in a comment; <body> read, not its head and title'],
  ['<head><script>x.innerHTML = "<main>fake</main>"</script></head><body><main>real</main>', [S('real')], '<main> in a script'],
  ['<!doctype html><title>Trip</title><h1>Trip</h1><p>text</p>', [S('text')],
    'no <main> or <body>: no doctype, title or h1 (the result shows the title)'],
  ['<html><head><meta charset=utf-8><title>T</title><p>Body text<h2 id=s>S</h2>more</html>', [S('Body text'), S('more', 's', 'S')],
    'a head that is never closed ends where body content starts'],
  ['<template><main>fake</main></template><noscript><main>no</main></noscript><main>real</main>', [S('real')],
    '<main> inside a template or noscript is not the page\'s'],
  ['<main>Donau<wbr>dampf<!-->x<!--->y &Uuml;ber &#150; &#x80;</main>', [S('Donaudampfxy Über – €')],
    '<wbr>, empty comments, a reference in capitals, Windows-1252 numbers'],
  ['<main><h2 id="a">Install <a class="anchor" href="#a">¶</a></h2>one<h2 id="logo"><img alt=Logo src=l.png></h2>two' +
    '<h2 id="a">Again</h2>three</main>',
    [S(''), S('one two Again three', 'a', 'Install')], 'a heading\'s anchor link; a heading with no text or a repeated id is text'],
  ['<main>A&hellip;B &mdash; caf&eacute; &#x1F600; &#65; &bogus; &#0;</main>', [S('A…B — café 😀 A &bogus; &#0;')],
    'character references'],
  ['<MAIN><H2 ID="x">Up</H2>t<DIV DATA-SEARCH-IGNORE>no</DIV>yes<h3>No id</h3>more</MAIN>',
    [S(''), S('t yes No id more', 'x', 'Up')], 'names in capitals; a heading without an id is text'],
  ["<main><img alt=Don't src=a.png>after<embed data-search-ignore src=x>b<h2 id=z>Z</h2>z</main>",
    [S('after b'), S('z', 'z', 'Z')], 'an unquoted value with an apostrophe; an ignored void element'],
]) eq(pageSections(html), want, `pageSections: ${name}`);

{
  const big = `<main><script>${'if(a<b)c++;'.repeat(50000)}</script>${'x < y '.repeat(50000)}<a'b <h2 id=e>End</h2>e</main>`;
  const t0 = Date.now(), got = pageSections(big), ms = Date.now() - t0;
  check(got.length === 1 && got[0].text.startsWith('x < y x < y') && ms < 1000,
    `pageSections: 850 KB with "<" in a script and in text, and a tag left open, in linear time (${ms} ms)`);
}

// A page whose word is far down its text, past what the index keeps: the
// excerpt shows it only when the site reads excerpts from its pages.
async function pageExcerpts() {
  const site = mkdtempSync(join(tmpdir(), 'folio-excerpts-'));
  process.on('exit', () => rmSync(site, { recursive: true, force: true }));
  mkdirSync(join(site, 'layouts'));
  mkdirSync(join(site, 'content/notes'), { recursive: true });
  for (const l of ['home', 'page', 'search', 'section'])
    copyFileSync(join(root, `tests/sites/search/layouts/${l}.mustache`), join(site, `layouts/${l}.mustache`));
  writeFileSync(join(site, 'content/search.md'), '---\ntitle: Search\nlayout: search\nsearch: false\n---\n');
  // The index keeps one piece of text: the early part's run of words of
  // their own holds more new words than any piece with "zanzibar".
  const filler = (k) => Array.from({ length: 60 }, (_, i) => `plain${(i * 7 + k) % 50} words here.`).join(' ');
  const own = Array.from({ length: 30 }, (_, i) => `q${i}`).join(' ');
  writeFileSync(join(site, 'content/notes/deep.md'), `---\ntitle: Deep note\nsummary: A note about nothing much.\n---\n${filler(1)}\n\n` +
    `## Early part\n\n${filler(2)} ${own}\n\n## Late part\n\n${filler(3)} The zanzibar harbour is here. ${filler(4)}\n`);
  writeFileSync(join(site, 'content/notes/other.md'), '---\ntitle: Other note\n---\nNothing to see.\n');
  const yaml = 'title: Excerpts\nbase_url: https://example.org/\ntheme: none\n';
  const run = async (extra) => {
    writeFileSync(join(site, 'site.yaml'), yaml + extra);
    const out = buildSite(site), s = localSearch(out);
    const rootJson = JSON.parse(readFileSync(join(out, 'search', rootFile(out)), 'utf8'));
    return { rootJson, s, r: await s.query('zanzibar', { limit: 10 }) };
  };
  let { rootJson, s, r } = await run('');
  check(rootJson.excerpts === undefined, 'excerpts from the index: the root says nothing', rootJson.excerpts);
  check(r.hits.length === 1 && !/zanzibar/.test(r.hits[0].text) && !s.fetched.some((u) => u.endsWith('/')),
    'excerpts from the index: a word past what it keeps is not shown, and no page is read', JSON.stringify(r.hits[0]));
  ({ rootJson, s, r } = await run('search:\n  excerpts: page\n'));
  eq(rootJson.excerpts, 'page', 'search.excerpts: page is in the root');
  const h = r.hits[0] || {};
  const at = (h.text || '').indexOf('zanzibar');
  check(at >= 0 && h.text.length <= 160 && h.marks.length === 1 && h.marks[0][0] === at && h.marks[0][1] === at + 8,
    'excerpts from the page: about 150 characters around the word, marked', JSON.stringify([h.text, h.marks]));
  const sub = (h.subs || []).find((x) => x.title === 'Late part');
  check(sub && sub.url === '/notes/deep/#late-part' && sub.text === '' && !(h.subs || []).some((x) => x.title === 'Early part' || x.title === 'Deep note'),
    'excerpts from the page: the excerpt\'s section is a sub-result showing only its heading; not the title', JSON.stringify(h.subs));
  check(s.fetched.filter((u) => u.endsWith('/')).length === 1, 'excerpts from the page: each result page read once', s.fetched.join(' '));
  // A word of the index's piece: its excerpt stays, and that heading shows
  // only itself; another heading with the word has its text around it.
  r = await s.query('q5 plain3', { limit: 10 });
  const early = r.hits[0]?.subs.find((x) => x.title === 'Early part'), late = r.hits[0]?.subs.find((x) => x.title === 'Late part');
  check(/q5/.test(r.hits[0]?.text) && early?.text === '' && /plain3/.test(late?.text) && late.marks.length > 0,
    'excerpts from the page: the index\'s excerpt kept, its section not shown twice', JSON.stringify(r.hits[0]));
  // A page that cannot be read, or is not HTML, leaves the index's
  // excerpt, and is asked for again by the next query.
  const out = join(s.url.pathname, '../..');
  let answer = () => ({ ok: false, status: 500 }), asked = 0;
  const s2 = new Search(`search/${rootFile(out)}`, {
    base: pathToFileURL(out + '/').href,
    fetch: async (url) => {
      if (!url.endsWith('/')) return { ok: true, status: 200, json: async () => JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) };
      asked++;
      return answer(readFileSync(fileURLToPath(url + 'index.html'), 'utf8'));
    },
  });
  const indexOnly = (hit) => hit?.text === 'A note about nothing much.' && hit.marks.length === 0;
  let r2 = await s2.query('zanzibar', { limit: 10 });
  check(indexOnly(r2.hits[0]), 'excerpts from the page: a page that cannot be read keeps the index\'s', JSON.stringify(r2.hits[0]));
  answer = (html) => ({ ok: true, status: 200, headers: new Map([['content-type', 'application/json']]), text: async () => html });
  r2 = await s2.query('zanzibar harbour', { limit: 10 });
  check(asked === 2 && indexOnly(r2.hits[0]), 'excerpts from the page: a page that is not HTML keeps the index\'s, asked for again', `${asked} ${JSON.stringify(r2.hits[0])}`);
  answer = (html) => ({ ok: true, status: 200, headers: new Map([['content-type', 'text/html; charset=utf-8']]), text: async () => html });
  r2 = await s2.query('harbour', { limit: 10 });
  check(asked === 3 && /harbour/.test(r2.hits[0]?.text), 'excerpts from the page: read once it can be', `${asked} ${JSON.stringify(r2.hits[0])}`);
  // A page that does not come in time: the results come without it.
  const s3 = new Search(`search/${rootFile(out)}`, {
    base: pathToFileURL(out + '/').href, pageWait: 50,
    fetch: async (url) => (url.endsWith('/') ? new Promise(() => {})
      : { ok: true, status: 200, json: async () => JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) }),
  });
  const t0 = Date.now(), r3 = await s3.query('zanzibar', { limit: 10 });
  check(indexOnly(r3.hits[0]) && Date.now() - t0 < 2000, 'excerpts from the page: a page that does not come in time keeps the index\'s', JSON.stringify(r3.hits[0]));
}

queries().then(commonPairs).then(pageExcerpts).catch((e) => check(false, 'queries crashed', e.stack)).then(finish);
