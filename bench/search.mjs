// bench/search.mjs - the browser half of `make bench-search`: serves a
// built site (the 10,000-page corpus), drives headless Chromium through its
// search page and prints one figure per line, "name value unit".  The
// queries come from bench/queries.mjs (picked by rule from the corpus's
// words: common, rare, pairs, typos, prefixes).
//
//   engine_js_gzip       all search JavaScript (search-ui.js, search.js,
//                        stemmer.js), gzipped
//   phrase_js_gzip       search-phrase.js, which only phrase queries load
//   page_js_gzip         search-page.js, which only sites with
//                        search: {excerpts: page} load
//   first_query_bytes.Q  a cold /search/?q=Q in a fresh browser: the
//                        JavaScript and index files fetched to show its
//                        results, gzipped; then their p50, p95 and max
//   later_query_bytes.Q  each query typed into the same page after all the
//                        others before it; p50, p95 and max
//   typed_query_bytes    typing a word a letter at a time (a query per letter)
//   phrase_first_query_bytes.Q, phrase_later_query_bytes.Q
//                        the same for the quoted phrases of bench/queries.mjs
//                        (they also read the word-pair files); p95 and max,
//                        reported with no budget of their own
//   facets_bytes.Q       opening the first "Filter by" panel after a cold
//                        query, for the common-word and pair queries; max
//   warm_query_p50/p95   engine time of a query whose files are cached
//                        (Search.query, timed with performance.now() in the page)
//
// Each response is gzipped here (zlib, level 9) to count its bytes; the
// bytes of a query are those of the search's scripts, the index's files
// and the result pages it reads (search: {excerpts: page}), not those of
// the search page itself, its styles and images.  Exits 1
// when a figure is over its budget: first query p95 50 KB, later queries
// p95 15 KB, a filter panel 25 KB, warm p50 5 ms (1 KB = 1,000 bytes).
//
// Usage: node bench/search.mjs OUT CONTENT   (CHROMIUM overrides /usr/bin/chromium)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { percentile, pickQueries } from './queries.mjs';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(process.argv[2] || '');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!process.argv[2] || !process.argv[3] || !existsSync(join(out, 'search', 'index.html'))) {
  console.error('usage: node bench/search.mjs OUT CONTENT   (OUT: a site built by folio from CONTENT, with /search/)');
  process.exit(2);
}

const picked = pickQueries(resolve(process.argv[3]));
const QUERIES = picked.all;
const FACETS = [...picked.common.slice(0, 3), ...picked.pairs.slice(0, 3)];
const TYPED = 'throughput';
const KB = 1000;
const budgets = { first_query_bytes_p95: 50 * KB, later_query_bytes_p95: 15 * KB, facets_bytes_max: 25 * KB, warm_query_p50: 5 };

// ---- A static server that notes the gzipped size of what it sends -------------

const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };
const gz = new Map();
const gzSize = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(file), { level: 9 }).length);
  return gz.get(file);
};
let log = [];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = normalize(join(out, path));
  if (!file.startsWith(out)) return res.writeHead(400).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) return res.writeHead(404).end();
  log.push({ path, bytes: gzSize(file) });
  res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;

const figures = [];
const print = (name, value, unit) => {
  figures.push([name, value]);
  console.log(`${name} ${value} ${unit}`);
};
const sum = (entries, test) => entries.filter((e) => test(e.path)).reduce((n, e) => n + e.bytes, 0);
// What the search reads: its scripts, the index's files and, on a site with
// search: {excerpts: page}, the result pages it reads for their text.
const searchFiles = (p) => p.startsWith('/js/') || /^\/search\/.+\.json$/.test(p) || (p.endsWith('/') && p !== '/search/');

// ---- Engine size ----------------------------------------------------------------

const js = readdirSync(join(out, 'js')).filter((f) => /^(search|search-ui|stemmer)\.js$/.test(f));
print('engine_js_gzip', js.reduce((n, f) => n + gzSize(join(out, 'js', f)), 0), 'bytes');
if (existsSync(join(out, 'js', 'search-phrase.js'))) print('phrase_js_gzip', gzSize(join(out, 'js', 'search-phrase.js')), 'bytes');
if (existsSync(join(out, 'js', 'search-page.js'))) print('page_js_gzip', gzSize(join(out, 'js', 'search-page.js')), 'bytes');

// ---- The browser ----------------------------------------------------------------

const { chromium: pw } = await import(pathToFileURL(join(repo, 'tests/node_modules/playwright-core/index.mjs')).href);
const browser = await pw.launch({
  executablePath: chromium,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const settled = (page, q) => page.waitForFunction((want) => {
  const box = document.querySelector('[data-index]');
  return box && box.dataset.done === want && !box.hasAttribute('aria-busy');
}, q, { timeout: 30000 });

const name = (q) => q.replace(/\W+/g, '_');
try {
  // First query, cold: the reader arrives with ?q= (the header box, or a
  // link), in a fresh browser context each time.
  let ctx, page;
  const cold = async (q) => {
    await ctx?.close();
    ctx = await browser.newContext();
    await ctx.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
    page = await ctx.newPage();
    log = [];
    await page.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
    await settled(page, q);
  };
  const firsts = [];
  for (const q of QUERIES) {
    await cold(q);
    const b = sum(log, searchFiles);
    firsts.push(b);
    print(`first_query_bytes.${name(q)}`, b, 'bytes');
  }
  print('first_query_page_bytes', sum(log, (p) => !searchFiles(p)), 'bytes');
  print('first_query_bytes_p50', percentile(firsts, 0.5), 'bytes');
  print('first_query_bytes_p95', percentile(firsts, 0.95), 'bytes');
  print('first_query_bytes_max', Math.max(...firsts), 'bytes');

  // Later queries in the same page, each after all the ones before it.
  const laters = [];
  await cold('search');
  for (const q of QUERIES) {
    log = [];
    await page.fill('#search-q', q);
    await page.press('#search-q', 'Enter');
    await settled(page, q);
    const b = sum(log, searchFiles);
    laters.push(b);
    print(`later_query_bytes.${name(q)}`, b, 'bytes');
  }
  print('later_query_bytes_p50', percentile(laters, 0.5), 'bytes');
  print('later_query_bytes_p95', percentile(laters, 0.95), 'bytes');
  print('later_query_bytes_max', Math.max(...laters), 'bytes');

  // Typing a new word slowly enough that every letter is a query.
  await page.fill('#search-q', '');
  await page.press('#search-q', 'Escape');
  log = [];
  for (let i = 1; i <= TYPED.length; i++) {
    await page.type('#search-q', TYPED[i - 1]);
    await settled(page, TYPED.slice(0, i));
  }
  print('typed_query_bytes', sum(log, searchFiles), 'bytes');

  // Quoted phrases, cold and then one after another in the same page.
  const pfirst = [], plater = [];
  for (const q of picked.phrases) {
    await cold(q);
    pfirst.push(sum(log, searchFiles));
    print(`phrase_first_query_bytes.${name(q)}`, pfirst[pfirst.length - 1], 'bytes');
  }
  await cold('search');
  for (const q of picked.phrases) {
    log = [];
    await page.fill('#search-q', q);
    await page.press('#search-q', 'Enter');
    await settled(page, q);
    plater.push(sum(log, searchFiles));
    print(`phrase_later_query_bytes.${name(q)}`, plater[plater.length - 1], 'bytes');
  }
  if (pfirst.length) {
    print('phrase_first_query_bytes_p95', percentile(pfirst, 0.95), 'bytes');
    print('phrase_first_query_bytes_max', Math.max(...pfirst), 'bytes');
    print('phrase_later_query_bytes_p95', percentile(plater, 0.95), 'bytes');
    print('phrase_later_query_bytes_max', Math.max(...plater), 'bytes');
  }

  // Opening a taxonomy filter after a cold query.
  const facets = [];
  for (const q of FACETS) {
    await cold(q);
    log = [];
    const summary = page.locator('details.search-facet summary').first();
    if (!(await summary.count())) continue;
    await summary.click();
    await page.waitForSelector('details.search-facet[open] input[type=radio]', { timeout: 30000 });
    facets.push(sum(log, searchFiles));
    print(`facets_bytes.${name(q)}`, facets[facets.length - 1], 'bytes');
  }
  if (facets.length) print('facets_bytes_max', Math.max(...facets), 'bytes');

  // Warm query time: the engine alone, files cached, each query ranked anew.
  const times = await page.evaluate(async (queries) => {
    const { Search } = await import('/js/search.js');
    const s = new Search(document.querySelector('[data-index]').dataset.index);
    for (const q of queries) await s.query(q);
    const t = [];
    for (let round = 0; round < 10; round++) {
      for (const q of queries) {
        s.runs.clear();
        const t0 = performance.now();
        await s.query(q);
        t.push(performance.now() - t0);
      }
    }
    return t.sort((a, b) => a - b);
  }, QUERIES);
  const pct = (p) => percentile(times, p).toFixed(2);
  print('warm_query_p50', pct(0.5), 'ms');
  print('warm_query_p95', pct(0.95), 'ms');
  print('warm_queries', times.length, 'queries');
  await ctx.close();
} finally {
  await browser.close();
  server.close();
}

let over = 0;
for (const [name, limit] of Object.entries(budgets)) {
  const f = figures.find(([n]) => n === name);
  if (f && Number(f[1]) > limit) {
    console.error(`over budget: ${name} ${f[1]} > ${limit}`);
    over++;
  }
}
process.exit(over ? 1 : 0);
