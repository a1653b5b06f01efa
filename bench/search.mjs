// bench/search.mjs - the browser half of `make bench-search`: serves a
// built site (the 10,000-page corpus), drives headless Chromium through its
// search page and prints one figure per line, "name value unit":
//
//   engine_js_gzip       all search JavaScript (search-ui.js, search.js,
//                        stemmer.js), gzipped
//   first_query_bytes.Q  a cold /search/?q=Q : the JavaScript and index
//                        files fetched to show its results, gzipped
//   first_query_page_bytes.Q  the HTML and CSS of that visit (not counted)
//   first_query_bytes    the largest of them
//   later_query_bytes.Q  each later query in the same page
//   typed_query_bytes    typing a word a letter at a time (a query per letter)
//   facets_bytes         opening a "Filter by" panel the first time
//   warm_query_p50/p95   engine time of a query whose files are cached
//                        (Search.query, timed with performance.now() in the page)
//
// Each response is gzipped here (zlib, level 6) to count its bytes.  Exits 1
// when a figure is over its budget (doc/search-index.md, the search issue):
// engine JS 15 KB, first query 50 KB, later queries 15 KB, p50 5 ms.
//
// Usage: node bench/search.mjs OUT     (CHROMIUM overrides /usr/bin/chromium)
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(process.argv[2] || '');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!process.argv[2] || !existsSync(join(out, 'search', 'index.html'))) {
  console.error('usage: node bench/search.mjs OUT   (OUT: a site built by folio, with /search/)');
  process.exit(2);
}

// Cold first queries: one whose best pages sit together (one page pack),
// one whose best pages are spread over the site (ten packs).
const FIRST = ['python', 'tag 17'];
const LATER = ['deploy pipeline', 'pipelnie', 'dep', 'cache latency', 'monitr', 'senior mentor', 'data'];
const TYPED = 'throughput';
const KB = 1000;
const budgets = { engine_js_gzip: 15 * KB, first_query_bytes: 50 * KB, later_query_bytes_max: 15 * KB, warm_query_p50: 5 };

// ---- A static server that notes the gzipped size of what it sends -------------

const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json' };
const gz = new Map();
const gzSize = (file) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(file), { level: 6 }).length);
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
const searchFiles = (p) => p.startsWith('/js/') || /^\/search\/.+\.json$/.test(p);

// ---- Engine size ----------------------------------------------------------------

const js = readdirSync(join(out, 'js')).filter((f) => /^(search|search-ui|stemmer)\.js$/.test(f));
print('engine_js_gzip', js.reduce((n, f) => n + gzSize(join(out, 'js', f)), 0), 'bytes');

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
  let ctx, page, first = 0;
  for (const q of FIRST) {
    await ctx?.close();
    ctx = await browser.newContext();
    await ctx.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
    page = await ctx.newPage();
    log = [];
    await page.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
    await settled(page, q);
    const b = sum(log, searchFiles);
    first = Math.max(first, b);
    print(`first_query_bytes.${name(q)}`, b, 'bytes');
    print(`first_query_files.${name(q)}`, log.filter((e) => searchFiles(e.path)).length, 'files');
    print(`first_query_page_bytes.${name(q)}`, sum(log, (p) => !searchFiles(p)), 'bytes');
  }
  print('first_query_bytes', first, 'bytes');

  // Later queries in the same page.
  let max = 0;
  for (const q of LATER) {
    log = [];
    await page.fill('#search-q', q);
    await page.press('#search-q', 'Enter');
    await settled(page, q);
    const b = sum(log, searchFiles);
    max = Math.max(max, b);
    print(`later_query_bytes.${name(q)}`, b, 'bytes');
  }
  print('later_query_bytes_max', max, 'bytes');

  // Typing a new word slowly enough that every letter is a query.
  await page.fill('#search-q', '');
  await page.press('#search-q', 'Escape');
  log = [];
  for (let i = 1; i <= TYPED.length; i++) {
    await page.type('#search-q', TYPED[i - 1]);
    await settled(page, TYPED.slice(0, i));
  }
  print('typed_query_bytes', sum(log, searchFiles), 'bytes');

  // Opening a taxonomy filter loads the facet blocks of the results.
  log = [];
  const summary = page.locator('details.search-facet summary').first();
  if (await summary.count()) {
    await summary.click();
    await page.waitForSelector('details.search-facet[open] input[type=radio]', { timeout: 30000 });
    print('facets_bytes', sum(log, searchFiles), 'bytes');
  }

  // Warm query time: the engine alone, files cached, each query ranked anew.
  const times = await page.evaluate(async (queries) => {
    const { Search } = await import('/js/search.js');
    const s = new Search(document.querySelector('[data-index]').dataset.index);
    for (const q of queries) await s.query(q);
    const t = [];
    for (let round = 0; round < 30; round++) {
      for (const q of queries) {
        s.runs.clear();
        const t0 = performance.now();
        await s.query(q);
        t.push(performance.now() - t0);
      }
    }
    return t.sort((a, b) => a - b);
  }, [...FIRST, ...LATER]);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
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
