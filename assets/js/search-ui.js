// The search page (/search/, layouts/search.mustache): reads ?q=, searches
// as the reader types, filters by section and taxonomy, and shows results.
// Index data only ever reaches the page as text nodes (never as HTML).
import { Search } from './search.js';

const box = document.querySelector('[data-index]');
const form = box && box.querySelector('form');
const input = form && form.elements.q;
if (input) start();

// An element with properties and children (strings become text nodes).
function h(tag, props, ...kids) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...kids.filter((k) => k !== null && k !== undefined && k !== false));
  return e;
}

// text with the [start, end) ranges wrapped in <mark>.
function marked(text, ranges = []) {
  const f = document.createDocumentFragment();
  let at = 0;
  for (const [s, e] of ranges) {
    if (s < at) continue;
    f.append(text.slice(at, s), h('mark', {}, text.slice(s, e)));
    at = e;
  }
  f.append(text.slice(at));
  return f;
}

const plural = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

// A query as the status line and the page title show it: at most 60
// characters (whole code points), "…" when cut.
const SHORT = 60;
function shortQuery(q) {
  const cps = [...q.trim().replace(/\s+/g, ' ')];
  return cps.length > SHORT ? `${cps.slice(0, SHORT - 1).join('').trimEnd()}…` : cps.join('');
}

function start() {
  const engine = new Search(box.dataset.index);
  const status = box.querySelector('[role=status]');
  const filters = box.querySelector('.search-filters');
  const list = box.querySelector('.search-results');
  const more = box.querySelector('.search-more');
  const baseTitle = document.title;
  const PAGE = 10;
  // section: key or null; terms: taxonomy key -> term index; open: the
  // taxonomies whose filter is open (their counts need the facet blocks).
  const ui = { q: '', section: null, terms: {}, names: {}, open: new Set(), all: new Set(), seq: 0, shown: 0, res: null };
  let timer = 0;

  function setURL() {
    const p = new URLSearchParams();
    if (ui.q) p.set('q', ui.q);
    if (ui.section !== null) p.set('section', ui.section);
    for (const key of Object.keys(ui.terms)) p.set(key, ui.names[key]);
    const qs = p.toString();
    history.replaceState(history.state, '', location.pathname + (qs ? `?${qs}` : '') + location.hash);
    document.title = ui.q ? `${shortQuery(ui.q)} – ${baseTitle}` : baseTitle;
  }

  function clear() {
    ui.seq++;
    ui.res = null;
    list.replaceChildren();
    list.hidden = more.hidden = filters.hidden = true;
    status.textContent = '';
    box.removeAttribute('aria-busy');
    box.dataset.done = '';
  }

  // Runs the query in the box; drops answers to queries typed over since.
  async function update() {
    clearTimeout(timer);
    ui.q = input.value.trim() ? input.value : '';
    if (!ui.q) {
      clear();
      setURL();
      return;
    }
    const seq = ++ui.seq;
    box.setAttribute('aria-busy', 'true');
    try {
      const res = await engine.query(ui.q, {
        section: ui.section, terms: ui.terms, limit: PAGE, facets: [...ui.open], allTerms: [...ui.all],
      });
      if (seq !== ui.seq) return;
      ui.res = res;
      ui.shown = res.hits.length;
      render(res);
      setURL();
    } catch (e) {
      if (seq !== ui.seq) return;
      status.textContent = 'Search is not available right now. Please try again later.';
      console.warn('search:', e);
    }
    box.removeAttribute('aria-busy');
    box.dataset.done = ui.q;
  }

  function announce(res) {
    const quoted = `“${shortQuery(res.q)}”`;
    const filtered = res.total !== res.all ? ` (${plural(res.all, 'result', 'results')} without filters)` : '';
    const some = res.all - res.full;
    switch (res.status) {
      case 'empty':
        return `${quoted} has no letters or digits to search for. Try a word.`;
      case 'long':
        return `${quoted} has no words search can use: words over 40 letters are left out. Try a shorter word.`;
      case 'stop':
        return `${quoted} has only very common words, which search leaves out. Try a more specific word.`;
      case 'none':
        return `No results for ${quoted}.`;
      case 'partial':
        return `No page has all of the words of ${quoted}; ${plural(res.total, 'page has', 'pages have')} all but one${filtered}.`;
      case 'apart':
        return `No page has the quoted words of ${quoted} together; ${plural(res.total, 'page has', 'pages have')} them apart${filtered}.`;
      case 'or':
        return `No page has all of the words of ${quoted}; ${plural(res.total, 'page has', 'pages have')} some of them${filtered}.`;
      default: {
        const head = `${plural(res.total, 'result', 'results')} for ${quoted}${filtered}`;
        const one = some - res.apart;
        if (!some) return `${head}.`;
        if (!res.apart) return `${head}: ${plural(res.full, 'page has', 'pages have')} every word, the others miss one.`;
        return `${head}: ${plural(res.full, 'page has', 'pages have')} the quoted words together, ` +
          (one ? `${plural(one, 'page misses', 'pages miss')} a word, ` : '') + 'the others have them apart.';
      }
    }
  }

  function render(res) {
    status.textContent = announce(res);
    list.replaceChildren(...res.hits.map(item));
    list.hidden = !res.hits.length;
    more.hidden = !res.more;
    renderFilters(res);
  }

  function item(hit) {
    const li = h('li', { className: 'search-hit' },
      h('h2', { className: 'search-hit-title' },
        h('a', { href: hit.url, className: 'search-hit-link' }, marked(hit.title, hit.titleMarks))),
      h('p', { className: 'search-hit-meta' }, hit.section,
        ...hit.terms.flatMap((t) => [' · ', `${t.taxonomy}: `, marked(t.name, t.marks)])),
      hit.missing && h('p', { className: 'search-hit-missing' }, 'Missing: ', h('s', {}, hit.missing)),
      hit.apart && h('p', { className: 'search-hit-missing' }, 'The quoted words are apart on this page.'),
      hit.text && h('p', { className: 'search-hit-text' }, marked(hit.text, hit.marks)));
    if (hit.subs.length) {
      li.append(h('ul', { className: 'search-subs' }, ...hit.subs.map((s) =>
        h('li', {},
          h('a', { href: s.url }, marked(s.title, s.titleMarks)),
          s.text && h('span', { className: 'search-sub-text' }, ' ', marked(s.text, s.marks))))));
    }
    return li;
  }

  // One radio button of a filter.
  function radio(name, value, checked, label, count) {
    const r = h('input', { type: 'radio', name, value, checked });
    r.dataset.name = label;
    return h('label', { className: 'search-option' }, r, ' ', label,
      count === null ? null : h('span', { className: 'count' }, ` (${count.toLocaleString('en')})`));
  }

  function renderFilters(res) {
    const focused = filters.contains(document.activeElement) ? document.activeElement : null;
    const refocus = focused && [focused.name, focused.value, focused.tagName, focused.dataset.tax];
    const parts = [];
    const secs = res.sections.filter((s) => s.count || s.key === ui.section);
    if (secs.length > 1 || ui.section !== null) {
      const all = res.sections.reduce((n, s) => n + s.count, 0);
      parts.push(h('fieldset', { className: 'search-facet' }, h('legend', {}, 'Section'),
        radio('section', '', ui.section === null, 'All', all),
        ...secs.map((s) => radio('section', `=${s.key}`, s.key === ui.section, s.title, s.count))));
    }
    for (const info of res.taxonomies) {
      const { key, title } = info;
      const d = h('details', { className: 'search-facet', open: ui.open.has(key) });
      d.dataset.tax = key;
      d.append(h('summary', {}, `Filter by ${title}`));
      if (!info.terms) {
        d.append(h('p', { className: 'search-loading' }, 'Counting…'));
      } else {
        const showAll = ui.all.has(key), terms = info.terms;
        const visible = showAll ? terms : terms.slice(0, 12);
        if (info.selected !== null && !visible.some((x) => x.index === info.selected))
          visible.push(terms.find((x) => x.index === info.selected) || { index: info.selected, name: ui.names[key] ?? '', count: 0 });
        const fs = h('fieldset', {}, h('legend', { className: 'visually-hidden' }, title),
          radio(`tax-${key}`, '', info.selected === null, 'Any', null),
          ...visible.map((x) => radio(`tax-${key}`, String(x.index), x.index === info.selected, x.name, x.count)));
        d.append(fs);
        if (!terms.length) d.append(h('p', {}, 'None among these results.'));
        if (terms.length > visible.length || info.more) {
          const b = h('button', { type: 'button', className: 'search-all' }, info.more ? 'Show all' : `Show all ${terms.length}`);
          b.dataset.tax = key;
          d.append(b);
        }
      }
      d.addEventListener('toggle', () => {
        const was = ui.open.has(key);
        if (d.open) ui.open.add(key); else ui.open.delete(key);
        if (d.open && !was && !info.terms) update();
      });
      parts.push(d);
    }
    filters.replaceChildren(...parts);
    const filtered = ui.section !== null || Object.keys(ui.terms).length > 0;
    filters.hidden = !parts.length || (res.status !== 'ok' && res.status !== 'or' && !filtered);
    if (refocus) {
      const [name, value, tag, tax] = refocus;
      const again = [...filters.querySelectorAll(tag)].find((e) =>
        (name ? e.name === name && e.value === value : e.dataset.tax === tax));
      (again || filters.querySelector('input'))?.focus();
    }
  }

  async function showMore() {
    const seq = ui.seq, first = ui.shown;
    const res = await engine.query(ui.q, { section: ui.section, terms: ui.terms, start: first, limit: PAGE });
    if (seq !== ui.seq) return;
    list.append(...res.hits.map(item));
    ui.shown += res.hits.length;
    more.hidden = !res.more;
    status.textContent = `Showing ${plural(ui.shown, 'result', 'results')} of ${res.total.toLocaleString('en')}.`;
    list.children[first]?.querySelector('a')?.focus();
  }

  // Events.
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    update();
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value) {
      e.preventDefault();
      input.value = '';
      update();
    } else if (e.key === 'ArrowDown' && !list.hidden) {
      e.preventDefault();
      list.querySelector('a')?.focus();
    }
  });
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const links = [...list.querySelectorAll('.search-hit-link')];
    const i = links.indexOf(document.activeElement.closest('.search-hit')?.querySelector('.search-hit-link'));
    if (i < 0) return;
    e.preventDefault();
    const to = e.key === 'ArrowDown' ? links[i + 1] : links[i - 1];
    (to || (e.key === 'ArrowUp' ? input : null))?.focus();
  });
  filters.addEventListener('change', (e) => {
    const r = e.target;
    if (r.name === 'section') ui.section = r.value ? r.value.slice(1) : null;
    else if (r.name.startsWith('tax-')) {
      const key = r.name.slice(4);
      if (r.value === '') delete ui.terms[key];
      else (ui.terms[key] = Number(r.value)), (ui.names[key] = r.dataset.name);
    }
    update();
  });
  filters.addEventListener('click', async (e) => {
    const b = e.target.closest('.search-all');
    if (!b) return;
    const key = b.dataset.tax, before = b.closest('details').querySelectorAll('input').length;
    ui.all.add(key);
    if (!ui.res) return;
    if (ui.res.taxonomies.find((x) => x.key === key)?.more) await update();
    else renderFilters(ui.res);
    // Focus the first term that was not shown before.
    const d = [...filters.querySelectorAll('details')].find((x) => x.dataset.tax === key);
    d?.querySelectorAll('input')[before]?.focus();
  });
  more.addEventListener('click', showMore);

  // The query and filters in the URL (a submitted form, or a shared link).
  (async () => {
    const p = new URLSearchParams(location.search);
    input.value = p.get('q') || '';
    ui.section = p.get('section');
    try {
      const root = await engine.root();
      for (const [t, [key]] of root.taxonomies.entries()) {
        const name = p.get(key);
        if (!name) continue;
        const i = (await engine.names(t)).findIndex((x) => x[0] === name);
        if (i >= 0) (ui.terms[key] = i), (ui.names[key] = name);
      }
    } catch {
      // update() reports it.
    }
    if (input.value) update();
  })();
}
