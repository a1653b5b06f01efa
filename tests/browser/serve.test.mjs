// Browser tests of folio serve in headless Chromium: a page shows the new
// text when its Markdown changes (in place, or by reloading when its
// <head> changed or it has scripts); a stylesheet change swaps the
// stylesheet without a reload; a broken template shows the errors over
// every page (opened before or after), as text; the fix makes them go.
// Ends with one line "N passed, N failed".
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check, failures, finish, folio, launch, needTools, tempDir, track } from './lib.mjs';

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const layout = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{{page.title}}</title>\n' +
  '<link rel="icon" href="data:,"><link rel="stylesheet" href="/css/site.css"></head>\n' +
  '<body><h1>{{page.title}}</h1>\n<main>{{{page.content}}}</main>\n</body></html>\n';

function makeSite(dir) {
  write(join(dir, 'site.yaml'), 'title: Browser serve test\nbase_url: https://example.org\ntheme: none\n');
  for (const k of ['page', 'section', 'home', 'term', 'terms', '404']) write(join(dir, 'layouts', `${k}.mustache`), layout);
  write(join(dir, 'assets', 'css', 'site.css'), 'h1 { color: rgb(0, 0, 0); }\n');
  write(join(dir, 'content', '_index.md'), '---\ntitle: Home\n---\nWelcome.\n');
  write(join(dir, 'content', 'a.md'), '---\ntitle: A\n---\nFirst version.\n');
  write(join(dir, 'content', 'b.md'), '---\ntitle: B\n---\nPage b.\n');
  write(join(dir, 'layouts', 'scripted.mustache'), layout.replace('</body>', '<script>window.folioScripted = 1;</script>\n</body>'));
  write(join(dir, 'content', 'c.md'), '---\ntitle: C\nlayout: scripted\n---\nScripted.\n');
}

// Starts folio serve; resolves with the server and its URL.
function startServer(site, tmp) {
  const proc = track(spawn(folio, ['serve', '-s', site, '--port', '0'], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let log = '';
  proc.stdout.on('data', (d) => { log += d; });
  proc.stderr.on('data', (d) => { log += d; });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`folio serve did not start:\n${log}`)), 30000);
    proc.on('exit', (code) => fail(new Error(`folio serve exited with ${code}:\n${log}`)));
    proc.stdout.on('data', () => {
      const m = /^folio: serving .* at (http:\/\/\S+?)\/? /m.exec(log);
      if (m) {
        clearTimeout(timer);
        ok({ proc, url: m[1], log: () => log });
      }
    });
  });
}

// Polls FN (which may throw while a page reloads) until it returns true.
async function waitFor(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return true;
    } catch {
      // The page is navigating: try again.
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const overlayText = (page) => page.evaluate(() => {
  const box = document.getElementById('folio-errors');
  return box ? box.textContent : null;
});

async function main() {
  needTools();
  const tmp = tempDir('folio-serve-browser-');
  const site = join(tmp, 'site');
  makeSite(site);
  const server = await startServer(site, tmp);
  const browser = await launch();
  const errors = [];
  try {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const resp = await page.goto(`${server.url}/a/`, { waitUntil: 'load' });
    check(resp && resp.status() === 200, 'page loads', resp && resp.status());
    check((await page.textContent('main')).includes('First version.'), 'page shows its text');
    // Let the page's event stream connect before the first edit.
    await page.waitForTimeout(200);

    // Editing the Markdown updates the page with the new text; a page
    // without scripts gets its new <body> in place (no reload).
    await page.evaluate(() => { window.folioMark = 1; });
    write(join(site, 'content', 'a.md'), '---\ntitle: A\n---\nSecond version.\n');
    check(await waitFor(async () => (await page.textContent('main')).includes('Second version.')),
      'the page shows the new text', await page.textContent('main').catch(() => ''));
    check(await page.evaluate(() => window.folioMark === 1), 'in place');
    check(await page.evaluate(() => document.querySelectorAll('script[src="/_folio/live.js"]').length === 1 &&
      performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/_folio/live.js')).length === 1),
      'with the reload script once, not run again');
    write(join(site, 'content', 'a.md'), '---\ntitle: A again\n---\nSecond version.\n');
    check(await waitFor(async () => (await page.title()) === 'A again'),
      'a changed <head> reloads the page', await page.title().catch(() => ''));
    check(await page.evaluate(() => window.folioMark === undefined), 'by reloading');

    // A page with scripts of its own reloads.
    const page3 = await ctx.newPage();
    page3.on('pageerror', (e) => errors.push(e.message));
    await page3.goto(`${server.url}/c/`, { waitUntil: 'load' });
    check(await page3.evaluate(() => window.folioScripted === 1), 'a page with a script runs it');
    await page3.evaluate(() => { window.folioMark = 3; });
    write(join(site, 'content', 'c.md'), '---\ntitle: C\nlayout: scripted\n---\nScripted, edited.\n');
    check(await waitFor(async () => (await page3.textContent('main')).includes('Scripted, edited.')),
      'a page with a script shows the new text');
    check(await page3.evaluate(() => window.folioMark === undefined && window.folioScripted === 1),
      'by reloading, so its scripts run again');
    await page3.close();

    // A stylesheet alone: swapped in place, no reload.
    await page.evaluate(() => { window.folioMark = 2; });
    write(join(site, 'assets', 'css', 'site.css'), 'h1 { color: rgb(200, 0, 0); }\n');
    check(await waitFor(async () => (await page.evaluate(() => getComputedStyle(document.querySelector('h1')).color)) === 'rgb(200, 0, 0)'),
      'the new stylesheet applies');
    check(await page.evaluate(() => window.folioMark === 2), 'without reloading the page');
    check(await page.evaluate(() => document.querySelectorAll('link[rel="stylesheet"]').length === 1),
      'the old stylesheet is removed');

    // A broken template: the errors show over the page, which stays.
    write(join(site, 'layouts', 'page.mustache'), '<h1>{{#page.title}}</h1>\n');
    check(await waitFor(async () => (await overlayText(page)) !== null), 'a failed build shows the errors');
    const text = await overlayText(page);
    check(/layouts\/page\.mustache:1:5: error: section 'page\.title' opened here is never closed/.test(text || ''),
      'with file:line:col and the message', text);
    check(await page.isVisible('#folio-errors'), 'visible');
    check((await page.textContent('main')).includes('Second version.'), 'over the last good page');

    // A page opened while the build is broken shows the errors at once.
    const page2 = await ctx.newPage();
    page2.on('pageerror', (e) => errors.push(e.message));
    await page2.goto(`${server.url}/b/`, { waitUntil: 'load' });
    check(await waitFor(async () => (await overlayText(page2)) !== null, 5000), 'a page opened now shows the errors');

    // The fix: the errors go, the pages show the fixed build.
    write(join(site, 'layouts', 'page.mustache'), layout.replace('<main>', '<main class="fixed">'));
    check(await waitFor(async () => (await overlayText(page)) === null && (await page.$('main.fixed')) !== null),
      'the errors go when the build is fixed');
    check(await waitFor(async () => (await overlayText(page2)) === null && (await page2.$('main.fixed')) !== null),
      'on every page');

    // Error text is text: HTML in a message is not interpreted.
    write(join(site, 'content', 'b.md'), '---\ntitle: B\n---\n[x](x<img/src=y>.md)\n');
    check(await waitFor(async () => ((await overlayText(page2)) || '').includes("link 'x<img/src=y>.md' leads to no content file")),
      'HTML in an error shows as text', await overlayText(page2));
    check(await page2.evaluate(() => !document.querySelector('#folio-errors img')),
      'and is never made into elements');
    write(join(site, 'content', 'b.md'), '---\ntitle: B\n---\nPage b, fixed.\n');
    check(await waitFor(async () => (await overlayText(page2)) === null && (await page2.textContent('main')).includes('Page b, fixed.')),
      'fixing the page makes the errors go');
    check(errors.length === 0, 'no console errors', errors.join('\n'));
    await ctx.close();
  } catch (e) {
    check(false, 'browser test crashed', `${e.stack}\n${server.log()}`);
  } finally {
    await browser.close();
    server.proc.kill('SIGTERM');
    const code = await new Promise((ok) => {
      if (server.proc.exitCode !== null) ok(server.proc.exitCode);
      else server.proc.on('exit', (c) => ok(c));
    });
    check(code === 0, 'folio serve stops on SIGTERM', `exit ${code}\n${server.log()}`);
    rmSync(tmp, { recursive: true, force: true });
  }
  if (failures()) console.log(server.log());
  finish();
}

main().catch((e) => { check(false, 'browser tests crashed', e.stack); finish(); });
