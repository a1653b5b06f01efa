// tests/lighthouse/run.mjs - make lighthouse: builds the career site, serves
// it on 127.0.0.1 and runs Lighthouse (npm, pinned in package.json) with
// Debian's Chromium on each main page type.  Prints the four category
// scores of each page, then one line "N passed, N failed": a check fails
// when accessibility, best practices or SEO is below 100.  Performance is
// reported only: on a shared 2-core machine it is too noisy to gate on.
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, check, chromium, finish, needTools, root, serve } from '../browser/lib.mjs';

const pages = [
  ['home', '/'],
  ['role', '/roles/python-backend-developer/'],
  ['role without figures', '/roles/devops-engineer/'],
  ['roles list', '/roles/'],
  ['skill', '/skills/django/'],
  ['skills list', '/skills/'],
  ['guide', '/guides/building-a-portfolio/'],
  ['tag', '/tags/backend/'],
  ['matrix', '/matrix/'],
  ['career map', '/career-map/'],
  ['about', '/about/'],
  ['search', '/search/?q=django'],
];
const gated = ['accessibility', 'best-practices', 'seo'];

needTools();
const { default: lighthouse } = await import('lighthouse');
const chromeLauncher = await import('chrome-launcher');
const out = mkdtempSync(join(tmpdir(), 'folio-lighthouse-'));
const site = join(out, 'site');
if (!build(root, site))
  finish();
const server = await serve(site);
const base = `http://127.0.0.1:${server.address().port}`;
const chrome = await chromeLauncher.launch({
  chromePath: chromium,
  chromeFlags: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  console.log(`${'page'.padEnd(22)} perf  a11y  best  seo`);
  for (const [name, path] of pages) {
    const r = await lighthouse(base + path, { port: chrome.port, output: 'json', logLevel: 'error' },
      { extends: 'lighthouse:default', settings: { formFactor: 'desktop', screenEmulation: { disabled: true } } });
    const c = r.lhr.categories;
    const score = (k) => Math.round((c[k].score ?? 0) * 100);
    console.log(`${name.padEnd(22)} ${['performance', ...gated].map((k) => String(score(k)).padStart(4)).join('  ')}`);
    for (const k of gated) {
      const failing = Object.values(r.lhr.audits)
        .filter((a) => c[k].auditRefs.some((ref) => ref.id === a.id && ref.weight > 0) && a.score !== null && a.score < 1)
        .map((a) => a.id);
      check(score(k) === 100, `${name}: ${k} is 100`, `${score(k)}: ${failing.join(', ')}`);
    }
  }
} finally {
  await chrome.kill();
  server.close();
  rmSync(out, { recursive: true, force: true });
}
finish();
