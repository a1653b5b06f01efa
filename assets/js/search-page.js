// The text of a result page, for the folio search engine (search.js) when
// a site reads its excerpts from its pages (search: {excerpts: page}),
// loaded only then: pageSections() cuts a page's HTML into its sections'
// text (doc/search-index.md, "Excerpts from the page").

// Named character references a theme is likely to write (a name in
// capitals gives the capital letter); numeric ones are decoded as browsers
// do, 0x80-0x9F as Windows-1252, and those of no character are left as
// written.
const ENTITIES = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '', ensp: ' ', emsp: ' ', thinsp: ' ',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»',
  bull: '•', middot: '·', copy: '©', reg: '®', trade: '™', deg: '°', times: '×', divide: '÷', euro: '€',
  pound: '£', sect: '§', para: '¶', rarr: '→', larr: '←', harr: '↔', check: '✓',
  aacute: 'á', eacute: 'é', iacute: 'í', oacute: 'ó', uacute: 'ú', agrave: 'à', egrave: 'è', ccedil: 'ç',
  auml: 'ä', ouml: 'ö', uuml: 'ü', szlig: 'ß', ntilde: 'ñ',
};
const CP1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
function decode(s) {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z][a-zA-Z0-9]{0,31});/g, (m, e) => {
    if (e[0] !== '#') return ENTITIES[e] ?? ENTITIES[e.toLowerCase()]?.toUpperCase() ?? m;
    const c = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    if (c >= 0x80 && c <= 0x9f) return CP1252[c - 0x80];
    return c > 0 && c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) ? String.fromCodePoint(c) : m;
  });
}

// Elements whose text is not read (the h1 is the page's title, which a
// result shows already); of these, those whose content is raw text (it
// ends only at their end tag, and nothing in it is a tag); what may be in
// a head (anything else ends it, as in browsers); void elements; and
// elements that do not part words.
const SKIP = new Set(['head', 'h1', 'script', 'style', 'template', 'nav', 'svg', 'noscript', 'button', 'select', 'textarea', 'title']);
const RAW = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'template']);
const HEAD = new Set(['base', 'link', 'meta', 'noscript', 'script', 'style', 'template', 'title']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const INLINE = new Set(['a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'i', 'ins',
  'kbd', 'mark', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr']);

// The tokens of an HTML text, in one pass: { text } for text (references
// decoded), { tag, attrs, end, empty } for tags (names lowercased; attrs a
// Map, names lowercased).  Comments, doctypes and the content of raw-text
// elements (scripts, styles) are left out.  A "<" that starts no tag is
// text.
function htmlTokens(html) {
  const out = [], n = html.length, lower = html.toLowerCase();
  const isName = (c) => /[a-zA-Z]/.test(c);
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    const stop = lt < 0 ? n : lt;
    if (stop > i) out.push({ text: decode(html.slice(i, stop)) });
    if (lt < 0) break;
    i = lt;
    if (html.startsWith('<!--', i)) {
      // "<!-->" and "<!--->" are empty comments.
      const e = html.startsWith('>', i + 4) ? i + 2 : html.startsWith('->', i + 4) ? i + 3 : html.indexOf('-->', i + 4);
      i = e < 0 ? n : e + 3;
      continue;
    }
    const c = html[i + 1] || '';
    if (c === '!' || c === '?') {
      const e = html.indexOf('>', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    const end = c === '/';
    let j = i + (end ? 2 : 1);
    if (!isName(html[j] || '')) {
      out.push({ text: '<' });
      i++;
      continue;
    }
    const from = j;
    while (j < n && !/[\s/>]/.test(html[j])) j++;
    const tag = lower.slice(from, j);
    // Attributes: name, = and a value in quotes or not.
    const attrs = new Map();
    let empty = false;
    while (j < n && html[j] !== '>') {
      if (/[\s/]/.test(html[j])) {
        empty = html[j] === '/';
        j++;
        continue;
      }
      empty = false;
      const a = j;
      while (j < n && !/[\s/>=]/.test(html[j])) j++;
      const name = lower.slice(a, j);
      let value = '';
      while (j < n && /\s/.test(html[j])) j++;
      if (html[j] === '=') {
        j++;
        while (j < n && /\s/.test(html[j])) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const e = html.indexOf(q, j + 1);
          value = html.slice(j + 1, e < 0 ? n : e);
          j = e < 0 ? n : e + 1;
        } else {
          const v = j;
          while (j < n && !/[\s>]/.test(html[j])) j++;
          value = html.slice(v, j);
        }
      }
      if (name && !attrs.has(name)) attrs.set(name, decode(value));
    }
    i = j + 1;
    out.push({ tag, attrs, end, empty: empty || VOID.has(tag) });
    if (!end && RAW.has(tag)) {
      // Raw text: up to the end tag of the same name.
      let e = i;
      for (;;) {
        e = lower.indexOf('</' + tag, e);
        if (e < 0 || !/[a-z0-9]/.test(lower[e + 2 + tag.length] || '')) break;
        e += 2;
      }
      if (e < 0) break;
      const close = html.indexOf('>', e);
      out.push({ tag, attrs: new Map(), end: true, empty: false });
      i = close < 0 ? n : close + 1;
    }
  }
  return out;
}

// The text of a page's HTML as its sections, [{ id, head, text }]: the
// first is the text before any heading (head ""), then one per heading
// (h2-h6) with an id and some text, a link to a place in the page (its
// anchor symbol) left out; a heading without them, or with an id used
// before, is text of the section it is in.  Reads the element with a
// data-search-body attribute, else <main>, else <body>, else the whole
// page; leaves out the head, the h1 (the page's title), scripts, styles,
// navigation, SVG, buttons and elements with a data-search-ignore
// attribute.  White space is squeezed.  (doc/search-index.md, "Excerpts
// from the page")
export function pageSections(html) {
  const toks = htmlTokens(html);
  const opens = (test) => toks.findIndex((t) => t.tag && !t.end && test(t));
  let at = opens((t) => t.attrs.has('data-search-body'));
  if (at < 0) at = opens((t) => t.tag === 'main');
  if (at < 0) at = opens((t) => t.tag === 'body');
  const secs = [{ id: '', head: '', text: '' }];
  const body = at >= 0 ? { tag: toks[at].tag, depth: 0 } : null;
  let skip = null, head = null;
  const put = (t) => {
    if (head) head.text += t;
    else secs[secs.length - 1].text += t;
  };
  for (let k = Math.max(at, 0); k < toks.length; k++) {
    const t = toks[k];
    if (t.text !== undefined) {
      if (!skip) put(t.text);
      continue;
    }
    if (body && t.tag === body.tag && !t.empty) {
      body.depth += t.end ? -1 : 1;
      if (body.depth === 0) break;
    }
    if (k === at) continue;
    // A head ends where something that cannot be in it starts.
    if (skip?.tag === 'head' && !t.end && !HEAD.has(t.tag)) skip = null;
    if (skip) {
      if (t.tag === skip.tag && !t.empty) skip.depth += t.end ? -1 : 1;
      if (skip.depth === 0) skip = null;
      continue;
    }
    // In a heading, a link to a place in the page is its anchor symbol.
    const selfLink = head && t.tag === 'a' && !t.end && (t.attrs.get('href') || '').startsWith('#');
    if (!t.end && (SKIP.has(t.tag) || t.attrs.has('data-search-ignore') || selfLink)) {
      if (!t.empty) skip = { tag: t.tag, depth: 1 };
      put(' ');
      continue;
    }
    if (/^h[2-6]$/.test(t.tag)) {
      if (!t.end && t.attrs.get('id')) {
        head = { tag: t.tag, text: '', id: t.attrs.get('id') };
        continue;
      }
      if (t.end && head && t.tag === head.tag) {
        secs.push({ id: head.id, head: head.text, text: '' });
        head = null;
        continue;
      }
    }
    if (!INLINE.has(t.tag)) put(' ');
  }
  // A heading with no text, or with the id of one before it, is text of
  // the section before it.
  const squeeze = (x) => x.replace(/[\s\u00a0]+/g, ' ').trim();
  const out = [], ids = new Set();
  for (const x of secs) {
    const h = squeeze(x.head);
    if (out.length && (!h || ids.has(x.id))) {
      out[out.length - 1].text = squeeze(`${out[out.length - 1].text} ${h} ${x.text}`);
      continue;
    }
    ids.add(x.id);
    out.push({ id: x.id, head: h, text: squeeze(x.text) });
  }
  return out;
}
