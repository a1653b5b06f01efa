// Browser tests of the career site: every page type loads in headless
// Chromium without console errors, axe-core finds no violations,
// html-validate finds no errors in any generated page, and screenshots at
// phone and desktop widths are written to tests/out/screenshots/ for people
// to look at.  Ends with one line "N passed, N failed".
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const folio = resolve(root, process.env.FOLIO || 'build/folio');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = join(root, 'tests', 'out', 'screenshots');

let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL: ${name}${detail ? `\n    ${String(detail).replace(/\n/g, '\n    ')}` : ''}`);
  }
}
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// The page types of the career site, with a path of each.
const pageTypes = [
  ['home', '/'],
  ['section', '/roles/'],
  ['role', '/roles/python-backend-developer/'],
  ['skill (term page)', '/skills/django/'],
  ['skills (taxonomy page)', '/skills/'],
  ['skills, page 2', '/skills/page/2/'],
  ['environment', '/environments/startups/'],
  ['guide', '/guides/building-a-portfolio/'],
  ['tags', '/tags/'],
  ['tag', '/tags/backend/'],
  ['matrix', '/matrix/'],
  ['404', '/404.html'],
];

const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.xml': 'application/xml', '.json': 'application/json', '.svg': 'image/svg+xml', '.txt': 'text/plain' };

function serve(dir) {
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(400); res.end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': types['.html'] });
      res.end(readFileSync(join(dir, '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

function htmlFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out.sort();
}

async function main() {
  if (!existsSync(folio)) {
    check(false, `folio binary ${folio} not found (run make)`);
    finish();
  }
  const out = mkdtempSync(join(tmpdir(), 'folio-browser-'));
  const site = join(out, 'site');
  try {
    execFileSync(folio, ['build', '-s', root, '-o', site, '--quiet'], { stdio: 'inherit' });
    check(true);
  } catch (e) {
    check(false, 'folio build of the career site', e.message);
    finish();
  }

  // html-validate over every generated page.
  const { HtmlValidate, FileSystemConfigLoader } = await import('html-validate');
  const validator = new HtmlValidate(new FileSystemConfigLoader({
    extends: ['html-validate:recommended'],
    rules: {
      // The theme writes one element per line; the spec allows both.
      'no-trailing-whitespace': 'off',
    },
  }));
  for (const file of htmlFiles(site)) {
    const report = await validator.validateFile(file);
    const msgs = report.results.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}: ${m.message}`));
    check(report.valid, `html-validate ${relative(site, file)}`, msgs.slice(0, 8).join('\n'));
  }

  if (!existsSync(chromium)) {
    check(false, `Chromium not found at ${chromium} (apt-get install chromium)`);
    rmSync(out, { recursive: true, force: true });
    finish();
  }
  const { chromium: pw } = await import('playwright-core');
  const axeSource = readFileSync(join(root, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await pw.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(shots, { recursive: true });
  try {
    for (const [name, path] of pageTypes) {
      for (const scheme of ['light', 'dark']) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
        const page = await ctx.newPage();
        const errors = [];
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        page.on('pageerror', (e) => errors.push(e.message));
        const resp = await page.goto(base + path, { waitUntil: 'load' });
        const wantStatus = path === '/404.html' ? 200 : 200;
        check(resp && resp.status() === wantStatus, `${name} (${scheme}): loads`, resp && resp.status());
        check(errors.length === 0, `${name} (${scheme}): no console errors`, errors.join('\n'));
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () => await window.axe.run(document));
        const v = result.violations.map((x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        check(v.length === 0, `${name} (${scheme}): axe finds no violations`, v.join('\n'));
        if (scheme === 'light') {
          const file = name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
          await page.screenshot({ path: join(shots, `${file}-1280.png`), fullPage: true });
          await page.setViewportSize({ width: 375, height: 800 });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          check(overflow <= 0, `${name}: no horizontal scrolling at 375 px`, `${overflow} px too wide`);
          await page.screenshot({ path: join(shots, `${file}-375.png`), fullPage: true });
        }
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
  finish();
}

main().catch((e) => { check(false, 'browser tests crashed', e.stack); finish(); });
