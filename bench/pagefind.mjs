// bench/pagefind.mjs - the same figures as bench/search.mjs for Pagefind, on
// the same built site after `pagefind --site OUT` indexed it: the bytes a
// cold first query downloads (Pagefind's JS, WebAssembly and index files,
// and the fragments of the ten results shown), each later query, and the
// warm query time, timed with performance.now() around pagefind.search()
// and the ten results' data().
//
// Pagefind's index files are compressed already; each response counts as
// the smaller of its size and its gzipped size.
//
// The queries are bench/search.mjs's (bench/queries.mjs, from CONTENT).
//
// Usage: node bench/pagefind.mjs OUT CONTENT   (CHROMIUM overrides /usr/bin/chromium)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { percentile, pickQueries } from './queries.mjs';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const out = resolve(process.argv[2] || '');
if (!process.argv[2] || !process.argv[3] || !existsSync(join(out, 'pagefind', 'pagefind.js'))) {
  console.error('usage: node bench/pagefind.mjs OUT CONTENT   (OUT indexed by pagefind --site OUT)');
  process.exit(2);
}
const QUERIES = pickQueries(resolve(process.argv[3])).all;

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
const size = (file) => {
  const raw = readFileSync(file);
  return Math.min(raw.length, gzipSync(raw, { level: 9 }).length);
};
let log = [];
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file = normalize(join(out, path));
  if (!file.startsWith(out)) return res.writeHead(400).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) return res.writeHead(404).end();
  log.push({ path, bytes: size(file) });
  res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
const pfBytes = () => log.filter((e) => e.path.startsWith('/pagefind/')).reduce((n, e) => n + e.bytes, 0);

const { chromium: pw } = await import(pathToFileURL(join(repo, 'tests/node_modules/playwright-core/index.mjs')).href);
const browser = await pw.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const run = (page, q) => page.evaluate(async (q) => {
  window.pf ||= await import('/pagefind/pagefind.js');
  const t = performance.now();
  const r = await window.pf.search(q);
  await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
  return { ms: performance.now() - t, n: r.results.length };
}, q);
try {
  let page, ctx;
  const firsts = [];
  for (const q of QUERIES) {
    await ctx?.close();
    ctx = await browser.newContext();
    page = await ctx.newPage();
    await page.goto(`${base}/404.html`);
    log = [];
    const r = await run(page, q);
    firsts.push(pfBytes());
    console.log(`pagefind_first_query_bytes.${q.replace(/\W+/g, '_')} ${pfBytes()} bytes (${r.n} results)`);
  }
  console.log(`pagefind_first_query_bytes_p50 ${percentile(firsts, 0.5)} bytes`);
  console.log(`pagefind_first_query_bytes_p95 ${percentile(firsts, 0.95)} bytes`);
  const laters = [];
  for (const q of QUERIES) {
    log = [];
    await run(page, q);
    laters.push(pfBytes());
    console.log(`pagefind_later_query_bytes.${q.replace(/\W+/g, '_')} ${pfBytes()} bytes`);
  }
  console.log(`pagefind_later_query_bytes_p50 ${percentile(laters, 0.5)} bytes`);
  console.log(`pagefind_later_query_bytes_p95 ${percentile(laters, 0.95)} bytes`);
  const times = [];
  for (let i = 0; i < 2; i++)
    for (const q of QUERIES) times.push((await run(page, q)).ms);
  console.log(`pagefind_warm_query_p50 ${percentile(times, 0.5).toFixed(2)} ms`);
} finally {
  await browser.close();
  server.close();
}
