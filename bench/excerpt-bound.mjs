// bench/excerpt-bound.mjs - what "text around every match" would cost.
//
// For the first N indexed pages of a built site (page ids 0..N-1, read from
// its search index), takes each page's text as the search reads it with
// search: {excerpts: page} (search-page.js pageSections), and for every
// term (assets/js/search.js tokenize) that the page's pack entry (title,
// summary, headings, piece) does not already show, the 150 characters
// around the term's first place in that text.  Overlapping windows are
// merged.  All pages' windows, and all pages' whole text, are each
// compressed as one gzip -9 stream: the best case for an index that could
// show text around the first match of any query word.  Also prints, for
// reader queries, how many results' excerpts show a query word.
//
// Prints "name value unit" lines:
//   excerpt_text_per_1000_pages     the pages' whole text, gzip -9
//   excerpt_windows_per_1000_pages  the windows above, gzip -9
//   excerpt_terms_shown             share of a page's terms its pack entry shows
//   excerpt_results_showing_word    share of the first 10 results of each
//                                   query in QUERIES (one a line) whose
//                                   excerpt marks a query word
//   excerpt_page_bytes_p50, _p95    with search.excerpts: page, the result
//                                   pages each query reads (gzip -9), the
//                                   queries run one after another
//
// Usage: node bench/excerpt-bound.mjs OUT [N] [QUERIES]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { percentile } from './queries.mjs';
import { localSearch, rootName } from '../tests/js/local.mjs';
import { tokenize } from '../assets/js/search.js';
import { pageSections } from '../assets/js/search-page.js';

const out = process.argv[2];
const want = Number(process.argv[3] || 1000);
if (!out) {
  console.error('usage: node bench/excerpt-bound.mjs OUT [N] [QUERIES]');
  process.exit(2);
}
const dir = join(out, 'search');
const root = JSON.parse(readFileSync(join(dir, rootName(out)), 'utf8'));
const n = Math.min(want, root.pages);
const WIDTH = 150;

// A page's text as the search reads it with search.excerpts: page
// (search-page.js): headings and sections, in order.
const pageText = (html) => pageSections(html).flatMap((x) => [x.head, x.text]).filter(Boolean).join(' ');
const termsOf = (text) => new Set(tokenize(text).map((x) => x.t).filter(Boolean));

const texts = [], windows = [];
let shown = 0, total = 0;
let pack = null;
for (let id = 0; id < n; id++) {
  if (id % root.pack === 0 || !pack) pack = JSON.parse(readFileSync(join(dir, `${root.packs}${Math.floor(id / root.pack)}.json`), 'utf8'));
  const [rel, title, s, summary = '', heads = []] = pack[id % root.pack];
  const url = rel.startsWith('/') ? rel : (root.sections[s]?.[2] ?? '/') + rel;
  const text = pageText(readFileSync(join(out, url, 'index.html'), 'utf8'));
  texts.push(text);
  const known = termsOf([title, summary, ...heads.flatMap((h) => [h[1], h[2]])].join(' \n '));
  const spans = [], seen = new Set();
  for (const x of tokenize(text)) {
    if (!x.t || seen.has(x.t)) continue;
    seen.add(x.t);
    total++;
    if (known.has(x.t)) shown++;
    else spans.push([Math.max(0, x.s - (WIDTH >> 1)), Math.min(text.length, x.e + (WIDTH >> 1))]);
  }
  const merged = [];
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  windows.push(merged.map(([a, b]) => text.slice(a, b)).join(' … '));
}
const per1k = (parts) => (gzipSync(parts.join('\n'), { level: 9 }).length / n).toFixed(1);
console.log(`excerpt_pages ${n} pages`);
console.log(`excerpt_text_per_1000_pages ${per1k(texts)} KB (gzip -9, one stream)`);
console.log(`excerpt_windows_per_1000_pages ${per1k(windows)} KB (gzip -9, one stream; the whole index's budget is 250 KB)`);
console.log(`excerpt_terms_shown ${(100 * shown / Math.max(1, total)).toFixed(1)} % (of each page's terms, by its pack entry)`);

if (process.argv[4]) {
  const search = localSearch(out);
  let hits = 0, marked = 0;
  const pageBytes = [];
  for (const q of readFileSync(process.argv[4], 'utf8').split('\n').filter(Boolean)) {
    const before = search.fetched.length;
    for (const h of (await search.query(q, { limit: 10 })).hits) {
      hits++;
      if (h.marks?.length) marked++;
    }
    // Pages read for their text (excerpts: page), gzip -9, by query.
    pageBytes.push(search.fetched.slice(before).filter((u) => u.endsWith('/'))
      .reduce((b, u) => b + gzipSync(readFileSync(fileURLToPath(u + 'index.html')), { level: 9 }).length, 0));
  }
  console.log(`excerpt_results_showing_word ${(100 * marked / Math.max(1, hits)).toFixed(1)} % (of ${hits} results)`);
  if (root.excerpts === 'page')
    console.log(`excerpt_page_bytes_p50 ${percentile(pageBytes, 0.5)} bytes (pages read for excerpts, by query in turn, gzip -9)\n` +
      `excerpt_page_bytes_p95 ${percentile(pageBytes, 0.95)} bytes`);
}
