// Browser tests of the career site: every page type loads in headless
// Chromium without console errors (the favicon included), axe-core finds
// no violations, html-validate finds no errors in any generated page, no
// page scrolls sideways at 320 px, and screenshots at phone and desktop
// widths, light and dark, are written to tests/out/screenshots/ for people
// to look at.  Then what the layout promises: role cards above the fold,
// one search box on the home page, every matrix column reachable, the
// per-role matrix on phones, the current section marked in the menu, the
// side rail on desktop.  Ends with one line "N passed, N failed".
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
  ['role without figures', '/roles/devops-engineer/'],
  ['skills (taxonomy page)', '/skills/'],
  ['environment', '/environments/startups/'],
  ['guide', '/guides/building-a-portfolio/'],
  ['tags', '/tags/'],
  ['tag', '/tags/backend/'],
  ['matrix', '/matrix/'],
  ['career map', '/career-map/'],
  ['about', '/about/'],
  ['search', '/search/?q=django'],
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

// What the layout promises, measured in the browser.
async function layoutChecks(browser, base) {
  const open = async (path, width, height) => {
    const ctx = await browser.newContext({ viewport: { width, height } });
    const page = await ctx.newPage();
    await page.goto(base + path, { waitUntil: 'load' });
    return { ctx, page };
  };
  for (const [width, height] of [[1280, 900], [375, 800]]) {
    const { ctx, page } = await open('/', width, height);
    const r = await page.evaluate(() => {
      const cards = [...document.querySelectorAll('.role-card')];
      const first = cards[0] && cards[0].getBoundingClientRect();
      const row = cards.filter((c) => c.getBoundingClientRect().top === first.top);
      return {
        cards: cards.length,
        firstBottom: first ? first.bottom : Infinity,
        rowBottom: Math.max(...row.map((c) => c.getBoundingClientRect().bottom)),
        level: cards.every((c) => c.querySelector('.level')),
        skills: cards.every((c) => c.querySelector('.key-skill')),
        searches: document.querySelectorAll('input[type="search"]').length,
      };
    });
    check(r.cards > 0 && r.level && r.skills, `home ${width}: role cards with level and key skills`, JSON.stringify(r));
    check(r.rowBottom <= height, `home ${width}: the first row of role cards is above the fold`, `ends at ${r.rowBottom} px of ${height}`);
    check(r.searches === 1, `home ${width}: one search box`, `${r.searches} search boxes`);
    await ctx.close();
  }
  for (const [width, height] of [[1280, 900], [1920, 1080], [375, 800], [320, 640]]) {
    const { ctx, page } = await open('/matrix/', width, height);
    const r = await page.evaluate(() => {
      const box = document.querySelector('.matrix-scroll');
      const heads = [...document.querySelectorAll('.matrix thead th[scope="col"] a')];
      const unreachable = [];
      for (const h of heads) {
        // Scroll the column to just right of the sticky role column; it is
        // reachable when it then shows whole inside the scroll box.
        const role = document.querySelector('.matrix tbody th').getBoundingClientRect();
        box.scrollLeft += h.parentElement.getBoundingClientRect().left - role.right;
        const a = h.parentElement.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        if (a.left < role.right - 1 || a.right > b.right + 1 || a.width === 0) unreachable.push(h.textContent);
      }
      box.scrollLeft = 0;
      const cue = document.querySelector('.scroll-cue');
      const byRole = document.querySelector('.matrix-by-role');
      return { n: heads.length, unreachable, scrolls: box.scrollWidth > box.clientWidth,
        cue: cue && cue.getBoundingClientRect().height > 0,
        byRole: byRole && getComputedStyle(byRole).display !== 'none' };
    });
    check(r.n > 0 && r.unreachable.length === 0, `matrix ${width}: every skill column can be scrolled into view`, r.unreachable.join(', '));
    check(!r.scrolls || r.cue, `matrix ${width}: a visible cue when the table scrolls`);
    check(width >= 768 || r.byRole, `matrix ${width}: the per-role view shows on phones`);
    await ctx.close();
  }
  {
    const { ctx, page } = await open('/roles/python-backend-developer/', 1280, 900);
    const r = await page.evaluate(() => {
      const cur = document.querySelector('.site-nav [aria-current]');
      const rail = document.querySelector('.rail');
      const text = document.querySelector('.rail-body');
      const rr = rail.getBoundingClientRect(), tr = text.getBoundingClientRect();
      return { current: cur && cur.getAttribute('href'), beside: rr.left >= tr.right,
        facts: !!rail.querySelector('.quick-facts'), toc: !!rail.querySelector('.toc') };
    });
    check(r.current === '/roles/', 'role page: the menu marks Roles as current', r.current);
    check(r.beside && r.facts && r.toc, 'role page at 1280: quick facts and contents in a side rail', JSON.stringify(r));
    await ctx.close();
  }
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
        page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/404.html')) errors.push(`${r.status()} ${r.url()}`); });
        const resp = await page.goto(base + path, { waitUntil: 'load' });
        // What a browser asks for by itself: the icon.
        const icon = await page.evaluate(async () => {
          const link = document.querySelector('link[rel="icon"]');
          const r = await fetch(link ? link.href : '/favicon.ico');
          const ico = await fetch('/favicon.ico');
          return r.ok && ico.ok;
        });
        check(icon, `${name} (${scheme}): the favicon loads`);
        const wantStatus = path === '/404.html' ? 200 : 200;
        check(resp && resp.status() === wantStatus, `${name} (${scheme}): loads`, resp && resp.status());
        check(errors.length === 0, `${name} (${scheme}): no console errors`, errors.join('\n'));
        await page.addScriptTag({ content: axeSource });
        const result = await page.evaluate(async () => await window.axe.run(document));
        const v = result.violations.map((x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
        check(v.length === 0, `${name} (${scheme}): axe finds no violations`, v.join('\n'));
        const file = name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
        await page.screenshot({ path: join(shots, `${file}-1280-${scheme}.png`), fullPage: true });
        await page.setViewportSize({ width: 375, height: 800 });
        await page.screenshot({ path: join(shots, `${file}-375-${scheme}.png`), fullPage: true });
        await page.setViewportSize({ width: 320, height: 640 });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, `${name} (${scheme}): no horizontal scrolling at 320 px`, `${overflow} px too wide`);
        await ctx.close();
      }
    }
    await layoutChecks(browser, base);
  } finally {
    await browser.close();
    server.close();
    rmSync(out, { recursive: true, force: true });
  }
  finish();
}

main().catch((e) => { check(false, 'browser tests crashed', e.stack); finish(); });
