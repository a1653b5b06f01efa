// Browser tests of search (/search/, assets/js/search-ui.js) in headless
// Chromium, on the career site and on tests/browser/sites/search-hostile:
// `django` lists the roles that need Django with the Django skill page
// first; `kubernets` finds Kubernetes; results follow typing, filters,
// keyboard and "more results"; the header box leads to /search/;
// /search/?q=backend has a fallback without JavaScript; a hostile page
// title is shown as text.  axe-core checks the results page.  Ends with one
// line "N passed, N failed".
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, check, finish, launch, needTools, root, serve, shots, tempDir } from './lib.mjs';
import { pageSections } from '../../assets/js/search-page.js';

// The roles whose front matter lists Django among their skills.
function rolesWith(skill) {
  const dir = join(root, 'content', 'roles');
  return readdirSync(dir).filter((f) => f.endsWith('.md') && f !== '_index.md')
    .filter((f) => /^skills:.*$/m.exec(readFileSync(join(dir, f), 'utf8'))?.[0].split(/[[\],]/).some((s) => s.trim() === skill))
    .map((f) => `/roles/${f.slice(0, -3)}/`).sort();
}

// Waits until the search page has shown the results of q.
const settled = (page, q) => page.waitForFunction((want) => {
  const box = document.querySelector('[data-index]');
  return box && box.dataset.done === want && !box.hasAttribute('aria-busy');
}, q, { timeout: 10000 });
const hrefs = (page) => page.$$eval('.search-results .search-hit-link', (a) => a.map((x) => x.getAttribute('href')));

async function main() {
  needTools();
  const tmp = tempDir('folio-search-browser-');
  const career = join(tmp, 'career'), hostile = join(tmp, 'hostile');
  if (!build(root, career) || !build(join(root, 'tests/browser/sites/search-hostile'), hostile)) {
    rmSync(tmp, { recursive: true, force: true });
    finish();
  }
  check(existsSync(join(career, 'search', 'index.html')), 'the career site has /search/');

  const axeSource = readFileSync(join(root, 'tests', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const s1 = await serve(career), s2 = await serve(hostile);
  const base = `http://127.0.0.1:${s1.address().port}`;
  const baseHostile = `http://127.0.0.1:${s2.address().port}`;
  const browser = await launch();
  mkdirSync(shots, { recursive: true });

  // A fresh page that records errors and dialogs.
  async function open(opts = {}) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
    await ctx.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
    const page = await ctx.newPage();
    page.errors = [];
    page.dialogs = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') page.errors.push(m.text()); });
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    return page;
  }
  async function axe(page, name) {
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document));
    const v = result.violations.map((x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    check(v.length === 0, `${name}: axe finds no violations`, v.join('\n'));
  }

  try {
    // /search/?q=django: the form submitted, JavaScript on.
    for (const scheme of ['light', 'dark']) {
      const page = await open({ colorScheme: scheme });
      await page.goto(`${base}/search/?q=django`);
      await settled(page, 'django');
      const got = await hrefs(page);
      check(got[0] === '/skills/django/', `django (${scheme}): the Django skill page first`, got.join(' '));
      const roles = rolesWith('Django');
      check(roles.length >= 2 && roles.every((r) => got.slice(0, 10).includes(r)),
        `django (${scheme}): the roles that need Django in the first ten`, `want ${roles.join(' ')}\ngot ${got.join(' ')}`);
      check(await page.inputValue('#search-q') === 'django', `django (${scheme}): the box shows the query`);
      const status = await page.textContent('[role=status]');
      check(/\d+ results? for “django”/.test(status), `django (${scheme}): the live region announces the count`, status);
      check(await page.$$eval('.search-hit-title mark', (m) => m.some((x) => x.textContent === 'Django')), `django (${scheme}): title highlighted`);
      check(await page.$$eval('.search-subs a', (a) => a.some((x) => /^\/skills\/django\/#[\w-]+$/.test(x.getAttribute('href')))),
        `django (${scheme}): sub-results link to headings`);
      check(page.errors.length === 0, `django (${scheme}): no console errors`, page.errors.join('\n'));
      await axe(page, `search results (${scheme})`);
      if (scheme === 'light') {
        await page.screenshot({ path: join(shots, 'search-1280.png'), fullPage: true });
        await page.setViewportSize({ width: 375, height: 800 });
        await page.click('.search-facet summary');
        await settled(page, 'django');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        check(overflow <= 0, 'search: no horizontal scrolling at 375 px', `${overflow} px too wide`);
        await page.screenshot({ path: join(shots, 'search-375.png'), fullPage: true });
      }
      await page.context().close();
    }

    // A word deep in a page, in the piece of text its entry keeps under a
    // heading (and not in its title, summary or headings): the result of
    // that page shows it, highlighted, in its excerpt.
    {
      const dir = join(career, 'search');
      const rootFile = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => /^r\..*\.json$/.test(f))), 'utf8'));
      const words = (s) => new Set((s || '').toLowerCase().match(/[a-z]{7,}/g) || []);
      const cases = [];
      for (const f of readdirSync(dir).filter((f) => f.startsWith(rootFile.packs)).sort()) {
        for (const [u, t, s, e, h = []] of JSON.parse(readFileSync(join(dir, f), 'utf8'))) {
          const seen = new Set([...words(t), ...words(e), ...h.flatMap((x) => [...words(x[1])])]);
          const piece = h.find((x) => x[2]);
          const w = piece && [...words(piece[2])].find((x) => !seen.has(x));
          if (w) cases.push({ url: u.startsWith('/') ? u : rootFile.sections[s][2] + u, w });
        }
      }
      const page = await open();
      let shown = 0, tried = 0, exact = 0;
      for (const { url, w } of cases.slice(0, 12)) {
        tried++;
        await page.goto(`${base}/search/?q=${w}`);
        await settled(page, w);
        const got = await page.$$eval('.search-hit', (li) => li.map((x) => ({
          href: x.querySelector('.search-hit-link').getAttribute('href'),
          marks: [...x.querySelectorAll('.search-hit-text mark')].map((m) => m.textContent.toLowerCase()),
        })));
        const hit = got.find((x) => x.href === url);
        if (!hit) continue;
        shown++;
        exact += hit.marks.includes(w);
        // (Another form of the word, in the summary, may be the one shown.)
        check(hit.marks.length > 0, `${w}: the result ${url} shows the word in its excerpt`, JSON.stringify(hit));
      }
      check(shown >= 3, `words only in a piece of text: their pages found and shown (${shown} of ${tried})`);
      check(exact >= 2, `words only in a piece of text: shown as written from the piece (${exact} of ${shown})`);
      await page.context().close();
    }

    // A word in a page's text that its index entry does not show (not in
    // its title, summary, headings or piece): the career site reads its
    // excerpts from the pages (search.excerpts: page), so the result still
    // shows the word, highlighted, and a heading of a section with it.
    {
      const dir = join(career, 'search');
      const rootFile = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => /^r\..*\.json$/.test(f))), 'utf8'));
      check(rootFile.excerpts === 'page', 'the career site reads excerpts from its pages', rootFile.excerpts);
      const words = (s) => new Set((s || '').toLowerCase().match(/[a-z]{8,}/g) || []);
      // Each page's text, and in how many pages each word is: a word of
      // three pages or fewer puts its page among the first results.
      const pages = [], df = new Map();
      for (const f of readdirSync(dir).filter((f) => f.startsWith(rootFile.packs)).sort()) {
        for (const [u, t, s, e, h = []] of JSON.parse(readFileSync(join(dir, f), 'utf8'))) {
          const url = u.startsWith('/') ? u : rootFile.sections[s][2] + u;
          const seen = new Set([...words(t), ...words(e), ...h.flatMap((x) => [...words(x[1]), ...words(x[2])])]);
          const secs = pageSections(readFileSync(join(career, url, 'index.html'), 'utf8'));
          pages.push({ url, seen, secs });
          for (const w of new Set(secs.flatMap((x) => [...words(x.text)]))) df.set(w, (df.get(w) || 0) + 1);
        }
      }
      const cases = [];
      for (const { url, seen, secs } of pages) {
        const rare = (x) => !seen.has(x) && df.get(x) <= 3;
        const sec = secs.find((x) => x.head && [...words(x.text)].some(rare));
        if (!sec) continue;
        const w = [...words(sec.text)].find(rare);
        cases.push({ url, w, heads: secs.filter((x) => x.head && words(x.text).has(w)).map((x) => x.head) });
      }
      const page = await open();
      let shown = 0;
      for (const { url, w, heads } of cases.slice(0, 10)) {
        await page.goto(`${base}/search/?q=${w}`);
        await settled(page, w);
        const got = await page.$$eval('.search-hit', (li) => li.map((x) => ({
          href: x.querySelector('.search-hit-link').getAttribute('href'),
          marks: [...x.querySelectorAll('.search-hit-text mark')].map((m) => m.textContent.toLowerCase()),
          title: x.querySelector('.search-hit-link').textContent,
          subs: [...x.querySelectorAll('.search-subs a')].map((a) => a.textContent),
          links: [...x.querySelectorAll('.search-subs a')].map((a) => a.getAttribute('href')),
        })));
        const hit = got.find((x) => x.href === url);
        if (!hit) continue;
        shown++;
        check(hit.marks.length > 0, `${w}: the result ${url} shows the word from the page`, JSON.stringify(hit));
        check(hit.subs.some((x) => heads.includes(x)), `${w}: the result ${url} has a section with the word as a sub-result`, JSON.stringify([heads, hit]));
        // Every sub-result of every result is a heading of its own page.
        for (const x of got) {
          const html = readFileSync(join(career, x.href, 'index.html'), 'utf8');
          const bad = x.links.filter((l) => !l.startsWith(`${x.href}#`) || !html.includes(` id="${l.slice(x.href.length + 1)}"`));
          check(!bad.length && !x.subs.includes(x.title), `${w}: the sub-results of ${x.href} link to its own headings`, JSON.stringify([bad, x]));
        }
      }
      check(shown >= 5, `words the index does not show: their pages found (${shown} of ${Math.min(10, cases.length)})`);
      await page.context().close();
    }

    // Typing: results follow the box, the URL follows the results.
    {
      const page = await open();
      await page.goto(`${base}/search/`);
      await page.focus('#search-q');
      await page.keyboard.type('kubernets', { delay: 20 });
      await settled(page, 'kubernets');
      const got = await hrefs(page);
      check(got[0] === '/skills/kubernetes/', 'kubernets (a typo) finds Kubernetes', got.join(' '));
      check(new URL(page.url()).search === '?q=kubernets', 'the URL follows the query', page.url());
      check((await page.title()).startsWith('kubernets'), 'the title names the query', await page.title());

      await page.fill('#search-q', '');
      await page.keyboard.type('djan', { delay: 20 });
      await settled(page, 'djan');
      check((await hrefs(page))[0] === '/skills/django/', 'prefix of the last word as you type: djan');

      // Keyboard: arrows move through results, Escape clears.
      await page.keyboard.press('ArrowDown');
      check(await page.evaluate(() => document.activeElement.getAttribute('href')) === '/skills/django/', 'ArrowDown from the box: the first result');
      await page.keyboard.press('ArrowDown');
      check(await page.evaluate(() => document.activeElement.classList.contains('search-hit-link')) &&
        await page.evaluate(() => document.activeElement.getAttribute('href')) !== '/skills/django/', 'ArrowDown: the next result');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowUp');
      check(await page.evaluate(() => document.activeElement.id) === 'search-q', 'ArrowUp from the first result: the box');
      await page.keyboard.press('Escape');
      await settled(page, '');
      check(await page.inputValue('#search-q') === '' && await page.isHidden('.search-results'), 'Escape clears the box and the results');
      check(new URL(page.url()).search === '', 'Escape clears the URL', page.url());

      // Enter submits without leaving the page.
      await page.keyboard.type('the of', { delay: 10 });
      await page.keyboard.press('Enter');
      await settled(page, 'the of');
      check(/common words/.test(await page.textContent('[role=status]')), 'stop words only: said so', await page.textContent('[role=status]'));
      await page.fill('#search-q', 'django qqqqzzzz');
      await page.keyboard.press('Enter');
      await settled(page, 'django qqqqzzzz');
      check(/No page has all/.test(await page.textContent('[role=status]')) && (await hrefs(page)).length > 0,
        'no page with every word: pages with some, and said so', await page.textContent('[role=status]'));
      check(page.errors.length === 0, 'typing: no console errors', page.errors.join('\n'));
      await page.context().close();
    }

    // Filters and more results.
    {
      const page = await open();
      await page.goto(`${base}/search/?q=python`);
      await settled(page, 'python');
      const total = Number((await page.textContent('[role=status]')).match(/^([\d,]+)/)[1].replace(/,/g, ''));
      check(total > 20 && (await hrefs(page)).length === 10, 'python: ten results of many', total);
      await page.click('.search-more');
      await page.waitForFunction(() => document.querySelectorAll('.search-results > li').length > 10);
      check((await hrefs(page)).length === 20, 'more results: ten more');
      check(await page.evaluate(() => document.activeElement === document.querySelectorAll('.search-hit-link')[10]), 'more results: focus on the first new one');

      const label = page.locator('.search-facet label', { hasText: 'Roles' });
      const count = Number((await label.textContent()).match(/\((\d+)\)/)[1]);
      await label.click();
      await settled(page, 'python');
      const got = await hrefs(page);
      check(got.length === Math.min(count, 10) && got.every((u) => u.startsWith('/roles/')), 'section filter: only roles, as many as counted', got.join(' '));
      check(new URL(page.url()).searchParams.get('section') === 'roles', 'section filter in the URL', page.url());

      await page.click('details[data-tax=skills] summary');
      await page.waitForSelector('details[data-tax=skills] input[value]:not([value=""])');
      if (await page.isVisible('details[data-tax=skills] .search-all')) {
        await page.click('details[data-tax=skills] .search-all');
        check(await page.evaluate(() => document.activeElement.closest('details')?.dataset.tax) === 'skills', 'show all: focus stays in the filter');
      }
      const opt = page.locator('details[data-tax=skills] label', { hasText: 'Django' });
      const n = Number((await opt.textContent()).match(/\((\d+)\)/)[1]);
      await opt.click();
      await settled(page, 'python');
      const got2 = await hrefs(page);
      check(n >= 2 && got2.length === n && got2.every((u) => rolesWith('Django').includes(u)), 'skills filter: the roles with Django', `${n}: ${got2.join(' ')}`);
      check(new URL(page.url()).searchParams.get('skills') === 'Django', 'taxonomy filter in the URL', page.url());
      await axe(page, 'search with filters open');

      // A shared link with filters.
      await page.goto(page.url());
      await settled(page, 'python');
      check(JSON.stringify(await hrefs(page)) === JSON.stringify(got2), 'a link with filters shows the same results');
      check(page.errors.length === 0, 'filters: no console errors', page.errors.join('\n'));
      await page.context().close();
    }

    // Messages for queries search cannot use, long queries cut short in
    // the status and the title, and pages missing a word marked.
    {
      const page = await open();
      const cases = [
        ['😀🎉', /has no letters or digits/],
        ['?!… — ***', /has no letters or digits/],
        ['the of', /only very common words/],
        ['x'.repeat(2000), /words over 40 letters/],
      ];
      for (const [q, want] of cases) {
        await page.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
        await settled(page, q);
        const status = await page.textContent('[role=status]');
        check(want.test(status), `message for ${q.slice(0, 12)}${q.length > 12 ? '…' : ''}`, status);
        check(status.length < 200 && (await page.title()).length < 120, `${q.slice(0, 12)}: the status and the title stay short`, `${status.length} ${(await page.title()).length}`);
      }
      const title = await page.title();     // of the last case
      check(title.startsWith('x'.repeat(50)) && title.includes('…'), 'a long query is cut with … in the title', title.slice(0, 80));
      await page.goto(`${base}/search/?q=${encodeURIComponent('machine learning engineer salary')}`);
      await settled(page, 'machine learning engineer salary');
      const missing = await page.$$eval('.search-hit', (li) => li.map((x) => x.querySelector('.search-hit-missing s')?.textContent ?? null));
      const firstMissing = missing.findIndex((x) => x !== null);
      const words = ['machine', 'learning', 'engineer', 'salary'];
      check(firstMissing >= 1 && missing.slice(firstMissing).every((x) => words.includes(x)),
        'pages missing a word follow those with every word, the word struck through', JSON.stringify(missing));
      check(/every word, the others miss one/.test(await page.textContent('[role=status]')), 'the status says some results miss a word', await page.textContent('[role=status]'));
      // A quoted phrase few pages have: those pages, then the pages with
      // its words apart, each marked.
      await page.goto(`${base}/search/?q=${encodeURIComponent('"remote work"')}`);
      await settled(page, '"remote work"');
      const apart = await page.$$eval('.search-hit', (li) => li.map((x) => /apart/.test(x.querySelector('.search-hit-missing')?.textContent ?? '')));
      const firstApart = apart.indexOf(true);
      check(firstApart >= 1 && apart.slice(firstApart).every(Boolean), 'a phrase: pages with its words together first, then those with them apart, marked', JSON.stringify(apart));
      check(/together, the others have them apart/.test(await page.textContent('[role=status]')), 'the status says some results have the words apart', await page.textContent('[role=status]'));
      check(page.errors.length === 0, 'messages: no console errors', page.errors.join('\n'));
      await page.context().close();
    }

    // Results arriving do not move what is on screen (cumulative layout
    // shift under 0.1), at a desktop and a phone width.
    for (const viewport of [{ width: 1280, height: 900 }, { width: 375, height: 700 }]) {
      const page = await open({ viewport });
      await page.addInitScript(() => {
        window.__cls = 0;
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
      });
      for (const q of ['python', 'machine learning engineer salary', 'qqqqzzzz']) {
        await page.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
        await settled(page, q);
        await page.waitForTimeout(300);
        const cls = await page.evaluate(() => window.__cls);
        check(cls < 0.1, `layout shift when results of ${q} arrive (${viewport.width} px): ${cls.toFixed(4)} < 0.1`, cls);
      }
      await page.context().close();
    }

    // The header box leads to /search/.
    {
      const page = await open();
      await page.goto(`${base}/roles/`);
      await page.fill('.site-search input[name=q]', 'backend');
      await Promise.all([page.waitForURL(/\/search\/\?q=backend$/), page.press('.site-search input[name=q]', 'Enter')]);
      await settled(page, 'backend');
      const got = await hrefs(page);
      check(got.includes('/roles/python-backend-developer/'), 'header search: /search/?q=backend finds the backend role', got.join(' '));
      await page.context().close();
    }

    // Without JavaScript: the noscript fallback.
    {
      const page = await open({ javaScriptEnabled: false });
      await page.goto(`${base}/search/?q=backend`);
      check(await page.isVisible('.search-noscript'), 'no JavaScript: the fallback is shown');
      for (const href of ['/roles/', '/skills/', '/skills/django/']) {
        check(await page.locator(`.search-noscript a[href="${href}"]`).first().isVisible(), `no JavaScript: a link to ${href}`);
      }
      check(await page.isVisible('#search-q'), 'no JavaScript: the form is there');
      await page.context().close();
    }

    // A hostile title is text.
    {
      const page = await open();
      await page.goto(`${baseHostile}/search/?q=onerror`);
      await settled(page, 'onerror');
      const titles = await page.$$eval('.search-hit-link', (a) => a.map((x) => x.textContent));
      check(titles.length === 1 && titles[0] === '<img src=x onerror=alert(1)>', 'hostile title shown as text', JSON.stringify(titles));
      await page.fill('#search-q', 'hostile');
      await page.keyboard.press('Enter');
      await settled(page, 'hostile');
      check(/<script>alert\(2\)<\/script>/.test(await page.textContent('.search-hit-text')), 'hostile summary shown as text');
      await page.click('details[data-tax=tags] summary');
      await page.waitForSelector('details[data-tax=tags] input[value]:not([value=""])');
      check(await page.locator('details[data-tax=tags] label', { hasText: '<svg onload=alert(3)>' }).count() === 1, 'hostile tag shown as text');
      await page.waitForTimeout(200);
      check(await page.$$eval('main img, main svg, main script:not([src]), main b, main i', (x) => x.length) === 0, 'no element made from index data');
      check(page.dialogs.length === 0, 'no dialog opened', page.dialogs.join('\n'));
      check(page.errors.length === 0, 'hostile: no console errors', page.errors.join('\n'));
      await page.context().close();
    }
  } finally {
    await browser.close();
    s1.close();
    s2.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  finish();
}

main().catch((e) => { check(false, 'browser tests crashed', e.stack); finish(); });
