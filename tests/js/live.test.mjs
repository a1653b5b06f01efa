// Checks folio serve's live-reload client (assets/_folio/live.js) in Node,
// with just enough of a browser around it: the event stream it opens, the
// error overlay, stylesheet swaps and reloads.  The browser test
// (tests/browser/serve.test.mjs) runs the same script against folio serve.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const source = readFileSync(fileURLToPath(new URL('../../assets/_folio/live.js', import.meta.url)), 'utf8');

let passed = 0, failed = 0;
function check(ok, name, detail) {
  if (ok) passed++;
  else { failed++; console.log(`FAIL: ${name}${detail === undefined ? '' : `\n    ${detail}`}`); }
}

// A small element: what live.js touches and nothing more.
class Element {
  constructor(tag) {
    this.tagName = tag; this.children = []; this.parent = null; this.attrs = {};
    this.style = {}; this.textContent = ''; this.id = ''; this.dataset = {};
  }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  appendChild(c) { c.parent = this; this.children.push(c); return c; }
  remove() { if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this); this.parent = null; }
  after(n) { const s = this.parent.children; s.splice(s.indexOf(this) + 1, 0, n); n.parent = this.parent; }
  cloneNode() { const n = new Element(this.tagName); Object.assign(n.attrs, this.attrs); n.href = this.href; n.rel = this.rel; return n; }
  replaceWith(n) { const s = this.parent.children; s[s.indexOf(this)] = n; n.parent = this.parent; }
  get text() { return [this.textContent, ...this.children.map((c) => c.text)].join('\n'); }
}

// A page with LINKS (stylesheet hrefs) and SCRIPTS (script srcs besides
// live.js); returns the sandbox and what it recorded.
function page({ links = [], scripts = [], fetched = null } = {}) {
  const rec = { streams: [], reloads: 0, fetches: 0 };
  const html = new Element('html');
  html.attributes = [{ name: 'lang', value: 'en' }];
  const head = new Element('head'); head.innerHTML = '<title>A</title>';
  const body = new Element('body');
  html.appendChild(head); html.appendChild(body);
  const sheets = links.map((href) => { const l = new Element('link'); l.rel = 'stylesheet'; l.href = href; head.appendChild(l); return l; });
  const scriptEls = [{ getAttribute: () => '/_folio/live.js', type: '' },
    ...scripts.map((src) => ({ getAttribute: () => src, type: '' }))];
  const document = {
    currentScript: { dataset: { build: '7' } },
    documentElement: html, head, body, scripts: scriptEls,
    createElement: (t) => new Element(t),
    querySelectorAll: (sel) => (sel.startsWith('link') ? head.children.filter((c) => c.tagName === 'link') : []),
    adoptNode: (n) => n,
  };
  class EventSource {
    constructor(url) { this.url = url; this.on = {}; rec.streams.push(this); }
    addEventListener(ev, fn) { this.on[ev] = fn; }
    emit(ev, data) { this.on[ev]({ data }); }
  }
  const sandbox = {
    document, EventSource, URL, JSON, Date,
    location: { href: 'http://127.0.0.1:1313/a/', origin: 'http://127.0.0.1:1313', reload() { rec.reloads++; } },
    fetch: () => { rec.fetches++; return Promise.resolve({ ok: true, headers: { get: () => 'text/html' }, text: () => Promise.resolve('') }); },
    DOMParser: class { parseFromString() { return fetched ? fetched(document) : document; } },
  };
  vm.createContext(sandbox);
  vm.runInContext(source, sandbox, { filename: 'live.js' });
  return { sandbox, rec, document, sheets, body };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

// The event stream says which build the page came from.
{
  const { rec } = page();
  check(rec.streams.length === 1 && rec.streams[0].url === '/_folio/events?since=7', 'one event stream, with the page\'s build', rec.streams[0]?.url);
}

// A failed build: an overlay with FILE:LINE:COL: error: MESSAGE; then gone.
{
  const { rec, body } = page();
  const es = rec.streams[0];
  es.emit('error', JSON.stringify({ errors: [{ file: 'content/a.md', line: 3, col: 5, message: 'link \'x.md\' leads nowhere' },
    { file: 'site.yaml', line: 0, col: 0, message: 'bad' }, { message: 'no place' }] }));
  const box = body.children.find((c) => c.id === 'folio-errors');
  check(box && box.getAttribute('role') === 'alert', 'errors: an overlay with role alert');
  const text = box ? box.text : '';
  check(text.includes('content/a.md:3:5: error: link \'x.md\' leads nowhere'), 'errors: file:line:col: error: message', text);
  check(text.includes('site.yaml: error: bad') && text.includes('\nerror: no place'), 'errors: places as far as known', text);
  es.emit('error', JSON.stringify({ errors: [{ file: 'b.md', line: 1, col: 1, message: 'again' }] }));
  check(body.children.filter((c) => c.id === 'folio-errors').length === 1, 'errors: one overlay at a time');
  es.emit('error', undefined);
  check(body.children.some((c) => c.id === 'folio-errors'), 'a stream error without data leaves the overlay');
  es.emit('ok');
  check(!body.children.some((c) => c.id === 'folio-errors'), 'ok: the overlay goes');
}

// A stylesheet change swaps this site's stylesheets, and no other site's.
{
  const { rec, sheets, document } = page({ links: ['http://127.0.0.1:1313/css/site.css', 'https://cdn.example.org/x.css'] });
  rec.streams[0].emit('css');
  const links = document.head.children.filter((c) => c.tagName === 'link');
  const fresh = links.filter((l) => /[?&]folio=\d+/.test(l.href));
  check(fresh.length === 1 && fresh[0].href.startsWith('http://127.0.0.1:1313/css/site.css?folio='), 'css: a fresh copy of the site\'s stylesheet', links.map((l) => l.href).join(' '));
  check(links.includes(sheets[1]) && !/folio=/.test(sheets[1].href), 'css: another site\'s stylesheet stays');
  fresh[0].onload();
  check(!document.head.children.includes(sheets[0]), 'css: the old stylesheet goes once the new one loaded');
  check(rec.reloads === 0, 'css: no reload');
}

// A page with scripts of its own reloads; one without gets its new body.
{
  const { rec } = page({ scripts: ['/js/search.js'] });
  rec.streams[0].emit('reload');
  check(rec.reloads === 1 && rec.fetches === 0, 'reload: a page with scripts reloads');
}
{
  const next = new Element('body'); next.textContent = 'new text';
  const { rec, document } = page({ fetched: (doc) => ({ documentElement: doc.documentElement, head: doc.head, body: next, scripts: [] }) });
  rec.streams[0].emit('reload');
  await tick(); await tick(); await tick();
  check(rec.fetches === 1 && rec.reloads === 0, 'reload: a page without scripts fetches itself, no reload', JSON.stringify(rec));
  check(document.documentElement.children.includes(next), 'reload: its body is replaced in place');
}
{
  const { rec } = page({ fetched: () => { throw new Error('changed'); } });
  rec.streams[0].emit('reload');
  await tick(); await tick(); await tick();
  check(rec.reloads === 1, 'reload: when the new page cannot be swapped in, a reload');
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
