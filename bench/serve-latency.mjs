// bench/serve-latency.mjs - how long folio serve takes from saving a page
// to the browser showing it.
//
// Starts folio serve on SITE, opens one article in headless Chromium, and
// ROUNDS times appends a new line of text to that article's Markdown.
// For each save it reports, in milliseconds from the write:
//   event  the "reload" Server-Sent Event reaching a client (Node)
//   shown  the page showing the new text in Chromium: updated in place,
//          the first frame after the text entered the document; reloaded,
//          the new document's first contentful paint.  Times in the page
//          are performance.timeOrigin + performance.now(), the same clock
//          (Unix epoch, ms) as the write's timestamp in Node.
//   build  the rebuild time folio printed
// then the medians.  The article is restored afterwards.
//
// Usage: node bench/serve-latency.mjs [SITE] [ROUNDS]
//        SITE defaults to build/bench/corpus-10000 (make bench makes it;
//        build/bench/gencorpus 10000 DIR makes one anywhere).
// Environment: FOLIO (default build/folio), CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const folio = resolve(root, process.env.FOLIO || 'build/folio');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const site = resolve(process.argv[2] || join(root, 'build/bench/corpus-10000'));
const rounds = Number(process.argv[3] || 5);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The first article of the first section, and its URL.
function pickArticle() {
  const content = join(site, 'content');
  for (const sec of readdirSync(content, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const md = readdirSync(join(content, sec)).filter((f) => f.endsWith('.md') && f !== '_index.md').sort()[0];
    if (md) return { file: join(content, sec, md), path: `/${sec}/${md.slice(0, -3)}/` };
  }
  throw new Error(`no article in ${content}`);
}

function startServer(tmp) {
  const proc = spawn(folio, ['serve', '-s', site, '--port', '0'], {
    env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s = { proc, log: '' };
  proc.stdout.on('data', (d) => { s.log += d; });
  proc.stderr.on('data', (d) => { s.log += d; });
  return new Promise((ok, fail) => {
    proc.on('exit', (c) => fail(new Error(`folio serve exited with ${c}:\n${s.log}`)));
    const poll = setInterval(() => {
      const m = /^folio: serving .* at (http:\/\/\S+?)\/? /m.exec(s.log);
      if (m) {
        clearInterval(poll);
        s.url = m[1];
        ok(s);
      }
    }, 20);
  });
}

// A Server-Sent Events client that records when each event arrives.
function listen(url) {
  const events = [];
  get(`${url}/_folio/events`, (res) => {
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      const t = now();
      pending += chunk;
      let end;
      while ((end = pending.indexOf('\n\n')) >= 0) {
        const m = /^event: (\S+)/m.exec(pending.slice(0, end));
        if (m) events.push({ name: m[1], t });
        pending = pending.slice(end + 2);
      }
    });
  });
  return events;
}

async function waitFor(fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // navigating
    }
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  if (!existsSync(join(site, 'content'))) throw new Error(`no site at ${site} (make bench, or build/bench/gencorpus 10000 DIR)`);
  const article = pickArticle();
  const original = readFileSync(article.file, 'utf8');
  const pages = readdirSync(join(site, 'content'), { recursive: true }).filter((f) => String(f).endsWith('.md')).length;
  const tmp = mkdtempSync(join(tmpdir(), 'folio-latency-'));
  const t0 = now();
  const server = await startServer(tmp);
  console.log(`site ${site}: ${pages} Markdown files; first build and start ${(now() - t0).toFixed(0)} ms`);
  const events = listen(server.url);
  const require = createRequire(join(root, 'tests', 'package.json'));
  const { chromium: pw } = require('playwright-core');
  const browser = await pw.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    await page.goto(server.url + article.path, { waitUntil: 'load' });
    await sleep(500);
    console.log(`page ${article.path}`);
    console.log('round   event ms   shown ms   build ms');
    for (let i = 1; i <= rounds; i++) {
      const marker = `latency-mark-${i}-${Date.now()}`;
      const builds = (server.log.match(/^folio: rebuilt/gm) || []).length;
      const seen = events.length;
      // In the page: when the text is in the document and a frame has
      // been made of it (an update in place), or the new document's first
      // contentful paint (a reload).
      await page.evaluate((m) => {
        window.folioShown = null;
        const obs = new MutationObserver(() => {
          if (window.folioShown === null && document.body && document.body.textContent.includes(m)) {
            window.folioShown = 0;
            obs.disconnect();
            requestAnimationFrame(() => setTimeout(() => { window.folioShown = performance.timeOrigin + performance.now(); }, 0));
          }
        });
        obs.observe(document.documentElement, { childList: true, subtree: true });
      }, marker);
      const start = now();
      writeFileSync(article.file, `${original}\n${marker}\n`);
      const ev = await waitFor(() => events.slice(seen).find((e) => e.name === 'reload'));
      const shown = await waitFor(() => page.evaluate((m) => {
        if (!document.body || !document.body.textContent.includes(m)) return null;
        if (window.folioShown) return { how: 'in place', t: window.folioShown };
        if (window.folioShown !== undefined) return null;
        const p = performance.getEntriesByName('first-contentful-paint')[0];
        return p ? { how: 'reload', t: performance.timeOrigin + p.startTime } : null;
      }, marker));
      await waitFor(() => (server.log.match(/^folio: rebuilt/gm) || []).length > builds);
      const build = Number([...server.log.matchAll(/^folio: rebuilt \d+ pages in (\d+) ms/gm)].pop()[1]);
      const r = { event: ev.t - start, shown: shown.t - start, build };
      results.push(r);
      console.log(`${String(i).padStart(5)} ${r.event.toFixed(0).padStart(10)} ${r.shown.toFixed(0).padStart(10)} ${String(build).padStart(10)}   ${shown.how}`);
      await sleep(300);
    }
    console.log(`median ${median(results.map((r) => r.event)).toFixed(0).padStart(10)} ${median(results.map((r) => r.shown)).toFixed(0).padStart(10)} ${String(median(results.map((r) => r.build))).padStart(10)}`);
  } finally {
    writeFileSync(article.file, original);
    await browser.close();
    server.proc.removeAllListeners('exit');
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.on('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((e) => { console.error(e.stack || e); process.exit(1); });
