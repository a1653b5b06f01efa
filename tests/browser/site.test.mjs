// Browser tests of the career site: every page type loads in headless
// Chromium without console errors, axe-core finds no violations,
// html-validate finds no errors in any generated page, and screenshots at
// phone and desktop widths are written to tests/out/screenshots/ for people
// to look at.  Ends with one line "N passed, N failed".
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, check, chromium, finish, folio, launch, root, serve, shots, tempDir } from './lib.mjs';

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
  const out = tempDir('folio-browser-');
  const site = join(out, 'site');
  if (!build(root, site))
    finish();
  check(true);

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
  const axeSource = readFileSync(join(root, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const server = await serve(site);
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launch();
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
