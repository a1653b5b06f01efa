// folio search engine: reads the index that `folio build` writes
// (doc/search-index.md) and answers queries.  No DOM: the page part is
// search-ui.js, and Node tests pass their own fetch.
//
//   const s = new Search('/search/r.HASH.json');
//   const r = await s.query('django', { limit: 10 });
//   r.hits -> [{ url, title, titleMarks, section, text, marks, subs }]
//
// Highlights are returned as [start, end) ranges of UTF-16 units into the
// strings they belong to; the caller makes the <mark> elements.
import { stem } from './stemmer.js';

// ---- Text to terms: doc/search-index.md steps 1-5 --------------------------

const WORD = /[0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u1FFF\u3040-\u9FFF\uAC00-\uD7AF]+/g;
const FOLD = (
  'a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th ss ' +
  'a a a a a a ae c e e e e i i i i d n o o o o o - o u u u u y th y ' +
  'a a a a a a c c c c c c c c d d d d e e e e e e e e e e g g g g ' +
  'g g g g h h h h i i i i i i i i i i ij ij j j k k k l l l l l l l ' +
  'l l l n n n n n n n n n o o o o o o oe oe r r r r r r s s s s s s ' +
  's s t t t t t t u u u u u u u u u u u u w w y y y z z z z z z s').split(' ');
const STOP = new Set(('a an and are as at be but by for from has have he her his i if in into ' +
  'is it its me my no not of on or our s she so t than that the their them then there these ' +
  'they this to was we were what when which who will with you your').split(' '));

export const fold = (w) => w.replace(/[A-Z\u00C0-\u017F]/g,
  (c) => (c < 'a' ? c.toLowerCase() : FOLD[c.charCodeAt(0) - 0xc0]));

// UTF-8 length of a string of word characters (all in the BMP).
const bytes = (s) => s.length + s.replace(/[\0-\x7f]/g, '').length + s.replace(/[\0-\u07ff]/g, '').length;

const stems = new Map();
function stemOf(w) {
  let t = stems.get(w);
  if (t === undefined) {
    t = bytes(w) > 40 || STOP.has(w) ? '' : stem(w);
    if (stems.size > 50000) stems.clear();
    stems.set(w, t);
  }
  return t;
}

// Every token of text: { s, e } its place, raw its text, w folded, t the
// term ('' for stop words and tokens over 40 bytes).
export function tokenize(text) {
  const out = [];
  for (const m of text.matchAll(WORD)) {
    const w = fold(m[0]);
    out.push({ s: m.index, e: m.index + m[0].length, raw: m[0], w, t: stemOf(w) });
  }
  return out;
}

// The dictionary keys of a text, in order.
export const terms = (text) => tokenize(text).map((x) => x.t).filter(Boolean);

// ---- Compact numbers ------------------------------------------------------

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VAL = new Uint8Array(128);
for (let i = 0; i < 64; i++) VAL[DIGITS.charCodeAt(i)] = i;

// All varints of s.
export function varints(s) {
  const out = [];
  for (let i = 0, v = 0; i < s.length; i++) {
    const d = VAL[s.charCodeAt(i)];
    v = v * 32 + (d & 31);
    if (d >= 32) out.push(v), (v = 0);
  }
  return out;
}

// A postings string: { ids, scores } in increasing id order.
export function postings(s) {
  const ids = new Int32Array(s.length >> 1), scores = new Uint8Array(s.length >> 1);
  let n = 0, id = -1;
  for (let i = 0; i < s.length;) {
    let v = 0, d;
    do v = v * 32 + ((d = VAL[s.charCodeAt(i++)]) & 31); while (d < 32 && i < s.length);
    id = n ? id + v : v;
    ids[n] = id;
    scores[n++] = VAL[s.charCodeAt(i++)];
  }
  return { ids: ids.subarray(0, n), scores: scores.subarray(0, n) };
}

// ---- Edit distance --------------------------------------------------------

// Optimal string alignment distance (a swap of neighbours counts 1), or
// max + 1 once it is certain to exceed max.
export function distance(a, b, max) {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let pp = [], p = [], c = [];
  for (let j = 0; j <= b.length; j++) p[j] = j;
  for (let i = 1; i <= a.length; i++) {
    c = [i];
    let low = i;
    for (let j = 1; j <= b.length; j++) {
      const x = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(p[j] + 1, c[j - 1] + 1, p[j - 1] + x);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, pp[j - 2] + 1);
      c[j] = d;
      if (d < low) low = d;
    }
    if (low > max) return max + 1;
    [pp, p] = [p, c];
  }
  return p[b.length];
}

// ---- Ranking constants ----------------------------------------------------

const EXACT = 1, PREFIX = 0.6, TYPO1 = 0.4, TYPO2 = 0.25; // expansion weights
const TITLE = 63;       // the whole title is the query ("=" keys, or seen in the pack)
const FORM = 8;         // a query word as typed (not only its stem) is in the title
const NEAR_TITLE = 12;  // two query words next to each other in the title
const NEAR_HEAD = 6;    // ... in a heading
const TERM = 10;        // a taxonomy term of the page is the query
const PREFIXES = 8;     // prefix expansions kept, most frequent first
const TYPOS = 6;        // typo expansions kept per word
const FEW = 5;          // typo expansion when exact and prefix give fewer results
const SPAN = 3;         // dictionary shards read at most for one prefix

// ---- The index ------------------------------------------------------------

const lowerBound = (list, key, get) => {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (get(list[mid]) < key) lo = mid + 1; else hi = mid;
  }
  return lo;
};
const first = (x) => x[0];
const NUMBER = /^[0-9]+$/;

export class Search {
  // root: URL of the root file, relative to base (the page's URL in a
  // browser).  fetch: a function like window.fetch (Node tests pass theirs).
  constructor(root, { fetch = globalThis.fetch.bind(globalThis), base = globalThis.location?.href } = {}) {
    this.url = new URL(root, base);
    this.fetch = fetch;
    this.files = new Map();  // URL -> Promise of parsed JSON
    this.lists = new Map();  // key -> decoded postings
    this.runs = new Map();   // query text -> ranked run
  }

  // A file of the index, relative to the root, fetched once.
  file(name) {
    const url = new URL(name, this.url).href;
    let p = this.files.get(url);
    if (!p) {
      p = this.fetch(url).then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.json();
      });
      p.catch(() => this.files.delete(url));
      this.files.set(url, p);
    }
    return p;
  }

  root() {
    return (this.rootP ??= this.file(this.url.href));
  }

  // Dictionary shard i, with its keys' postings files.
  async shard(i) {
    const root = await this.root();
    const sh = await this.file(root.dict[i][1]);
    sh.map ??= new Map(sh.t.map((e) => [e[0], e]));
    return sh;
  }

  async shardOf(key) {
    const root = await this.root();
    return Math.max(0, lowerBound(root.dict, key + '\0', first) - 1);
  }

  // The dictionary entry of key, { key, df, file: its postings file }, or
  // undefined.
  async entry(key) {
    const i = await this.shardOf(key);
    const sh = await this.shard(i);
    const e = sh.map.get(key);
    return e && { key, df: e[1], file: sh.p[e[2]] };
  }

  // Decoded postings of a dictionary entry.
  async list(e) {
    let l = this.lists.get(e.key);
    if (!l) {
      const p = await this.file(e.file);
      l = postings(p[e.key] || '');
      this.lists.set(e.key, l);
    }
    return l;
  }

  // Entries whose keys start with one of prefixes (title keys excluded),
  // most frequent first.
  async withPrefix(prefixes, limit) {
    const root = await this.root(), found = new Map();
    for (const pre of prefixes) {
      let i = await this.shardOf(pre);
      for (let n = 0; i < root.dict.length && n < SPAN; i++, n++) {
        if (n && !root.dict[i][0].startsWith(pre)) break;
        const sh = await this.shard(i);
        let j = lowerBound(sh.t, pre, first);
        for (; j < sh.t.length && sh.t[j][0].startsWith(pre); j++) {
          const [key, df, f] = sh.t[j];
          found.set(key, { key, df, file: sh.p[f] });
        }
        if (j < sh.t.length) break;
      }
    }
    return [...found.values()].sort((a, b) => b.df - a.df).slice(0, limit);
  }

  // Entries within edit distance 1 (2 for words of 8 characters or more) of
  // a word or its stem, from the shards that would hold them.
  async typos(word) {
    const { w, t } = word, max = w.length >= 8 ? 2 : 1;
    const places = new Set([t, w, w.slice(1), w[1] + w[0] + w.slice(2)]);
    const shards = new Set();
    for (const p of places) shards.add(await this.shardOf(p));
    const found = [];
    for (const i of shards) {
      const sh = await this.shard(i);
      for (const [key, df, f] of sh.t) {
        if (key[0] === '=' || key === t) continue;
        const d = Math.min(distance(t, key, max), distance(w, key, max));
        if (d <= max) found.push({ key, df, file: sh.p[f], d });
      }
    }
    return found.sort((a, b) => a.d - b.d || b.df - a.df).slice(0, TYPOS);
  }

  // Ranks every page for the query text q.  Cached per text.
  run(q) {
    let r = this.runs.get(q);
    if (!r) {
      r = this.rank(q);
      r.catch(() => this.runs.delete(q));
      if (this.runs.size > 50) this.runs.delete(this.runs.keys().next().value);
      this.runs.set(q, r);
    }
    return r;
  }

  async rank(q) {
    const root = await this.root(), N = root.pages;
    const toks = tokenize(q);
    const run = { q, words: [], ids: new Int32Array(0), score: null, status: 'ok', root };
    if (!toks.length) return (run.status = 'empty'), run;
    // The last word grows as the reader types, unless followed by a space.
    const open = !/[\s\p{P}]$/u.test(q);
    const last = toks[toks.length - 1];
    const seen = new Set();
    for (const x of toks) {
      // Stop words are left out, even while being typed, and so are
      // repeated words.
      if (!x.t || seen.has(x.t)) continue;
      seen.add(x.t);
      // Numbers are not prefixes either: "17" is rarely the start of "1703".
      const prefix = open && x === last && x.w.length >= 2 && !NUMBER.test(x.w);
      run.words.push({ raw: x.raw, w: x.w, t: x.t, prefix, exps: [] });
    }
    if (!run.words.length) return (run.status = 'stop'), run;

    // Each word's exact stem and, for the last, its prefix expansions.
    await Promise.all(run.words.map(async (word) => {
      const [e, pre] = await Promise.all([this.entry(word.t),
        word.prefix ? this.withPrefix(new Set([word.t, word.w]), PREFIXES + 1) : []]);
      if (e) word.exps.push({ ...e, weight: EXACT, kind: 'exact' });
      for (const x of pre.filter((x) => x.key !== word.t).slice(0, PREFIXES))
        word.exps.push({ ...x, weight: PREFIX, kind: 'prefix' });
      word.df = e ? e.df : 0;
    }));
    await this.combine(run, N);

    // Few results: words in few pages or none may be typos.
    if (run.status === 'or' || run.ids.length < FEW) {
      const typos = await Promise.all(run.words.map((word) =>
        word.df < FEW && word.w.length >= 4 && !NUMBER.test(word.w) ? this.typos(word) : []));
      let more = false;
      run.words.forEach((word, i) => {
        for (const e of typos[i]) {
          if (word.exps.some((x) => x.key === e.key)) continue;
          word.exps.push({ ...e, weight: e.d > 1 ? TYPO2 : TYPO1, kind: 'typo' });
          more = true;
        }
      });
      if (more) await this.combine(run, N);
    }
    if (!run.ids.length) run.status = 'none';
    return run;
  }

  // Sums the words' scores (each word: its best expansion), keeps the pages
  // with every word (else any word: status 'or'), adds the whole-title bonus
  // and sorts.
  async combine(run, N) {
    // Whole-title matches: the query's terms, the last one also as each of
    // its first two expansions (only titles of 1-3 terms have "=" keys).
    const keys = run.words.map((x) => x.t);
    const titles = new Set(keys.length > 3 ? [] : ['=' + keys.join(' ')]);
    if (keys.length <= 3) {
      for (const e of run.words[keys.length - 1].exps.filter((x) => x.kind !== 'exact').slice(0, 2))
        titles.add('=' + [...keys.slice(0, -1), e.key].join(' '));
    }
    const [lists, titleLists] = await Promise.all([
      Promise.all(run.words.map((word) => Promise.all(word.exps.map((e) => this.list(e))))),
      Promise.all([...titles].map(async (key) => {
        const e = await this.entry(key);
        return e ? this.list(e) : null;
      })),
    ]);

    const total = new Float32Array(N), hits = new Uint8Array(N), best = new Float32Array(N);
    run.words.forEach((word, w) => {
      best.fill(0);
      word.exps.forEach((e, x) => {
        const { ids, scores } = lists[w][x];
        for (let k = 0; k < ids.length; k++) {
          const s = scores[k] * e.weight;
          if (s > best[ids[k]]) best[ids[k]] = s;
        }
      });
      for (let id = 0; id < N; id++) if (best[id]) (total[id] += best[id]), hits[id]++;
    });
    for (const l of titleLists) if (l) for (const id of l.ids) if (hits[id]) total[id] += TITLE;

    const need = run.words.length;
    let ids = [];
    for (let id = 0; id < N; id++) if (hits[id] === need) ids.push(id);
    run.status = 'ok';
    if (!ids.length && need > 1) {
      for (let id = 0; id < N; id++) if (hits[id]) ids.push(id);
      if (ids.length) run.status = 'or';
    }
    ids = Int32Array.from(ids);
    ids.sort((a, b) => total[b] - total[a] || a - b);
    run.ids = ids;
    run.score = total;
  }

  // Facet data of every page in ids: { block -> facet block }.
  async facetBlocks(ids) {
    const root = await this.root(), blocks = new Map();
    if (!root.facets) return blocks;
    const want = new Set();
    for (const id of ids) want.add(Math.floor(id / root.block));
    await Promise.all([...want].map(async (k) => blocks.set(k, await this.file(`${root.facets}${k}.json`))));
    return blocks;
  }

  async names(t) {
    const root = await this.root();
    return this.file(root.taxonomies[t][2]);
  }

  // The results of q: filters { section: key, terms: { taxonomy key: term
  // index } }, hits start..start+limit-1, facets: true to count the terms
  // of each taxonomy (loads the facet blocks of all results).
  //
  // Returns { q, status: 'ok' | 'or' | 'none' | 'stop' | 'empty', words,
  // total (after filters), all (before), sections: [{ key, title, url,
  // count }], taxonomies: [{ key, title, selected, terms: [{ name, url,
  // count, index }] or null without facets }], hits, start, more }.
  async query(q, { section = null, terms = {}, start = 0, limit = 10, facets = false } = {}) {
    const run = await this.run(q);
    const { root } = run;
    const sec = root.sections.findIndex((s) => s[0] === section);
    const taxSel = root.taxonomies.map((t) => terms[t[0]] ?? null);
    const needFacets = facets || taxSel.some((x) => x !== null);
    const blocks = needFacets ? await this.facetBlocks(run.ids) : null;
    const termsOf = (id, t) => {
      const b = blocks.get(Math.floor(id / root.block));
      return (b && b[id % root.block] && b[id % root.block][t]) || [];
    };
    const taxOk = (id, skip) => taxSel.every((x, t) => x === null || t === skip || termsOf(id, t).includes(x));
    const inSec = (id, s) => id >= root.sections[s][3] && id < root.sections[s][4];

    // Section counts ignore the section filter; term counts ignore their
    // own taxonomy's filter.
    const secCount = root.sections.map(() => 0);
    const taxCount = root.taxonomies.map(() => new Map());
    const shown = [];
    for (const id of run.ids) {
      const tOk = !needFacets || taxOk(id, -1);
      if (tOk) for (let s = 0; s < secCount.length; s++) if (inSec(id, s)) { secCount[s]++; break; }
      if (sec >= 0 && !inSec(id, sec)) continue;
      if (needFacets) {
        for (let t = 0; t < taxCount.length; t++) {
          if (!taxOk(id, t)) continue;
          for (const x of termsOf(id, t)) taxCount[t].set(x, (taxCount[t].get(x) || 0) + 1);
        }
      }
      if (tOk) shown.push(id);
    }

    const res = {
      q, status: run.status, words: run.words.map(({ raw, w, t, prefix }) => ({ raw, w, t, prefix })),
      all: run.ids.length, total: shown.length, start,
      sections: root.sections.map(([key, title, url], s) => ({ key, title, url, count: secCount[s] })),
      taxonomies: [], hits: [], more: false,
    };
    res.taxonomies = await Promise.all(root.taxonomies.map(async ([key, title], t) => {
      if (!needFacets) return { key, title, selected: taxSel[t], terms: null };
      const names = await this.names(t);
      const list = [...taxCount[t]].map(([index, count]) => ({ index, count, name: names[index][0], url: names[index][1] }));
      list.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
      return { key, title, selected: taxSel[t], terms: list };
    }));
    const page = shown.slice(start, start + limit);
    res.hits = await this.hits(run, page);
    res.more = start + limit < shown.length;
    return res;
  }

  // Page data, bonuses and excerpts for the ids of one page of results.
  async hits(run, ids) {
    const root = await this.root();
    const packs = await Promise.all(ids.map((id) => this.file(`${root.packs}${Math.floor(id / root.pack)}.json`)));
    const match = matcher(run.words);
    const hits = ids.map((id, k) => {
      const p = packs[k][id % root.pack];
      const hit = { id, url: p.u, title: p.t, section: root.sections[p.s]?.[1] ?? '', terms: [] };
      // The page's taxonomy terms that match, e.g. Skills: Django; a term
      // that is the whole query earns a bonus.
      let bonus = 0;
      (p.x || []).forEach((names, t) => {
        for (const name of names) {
          const nt = tokenize(name), m = marks(nt, match);
          if (!m.length) continue;
          if (hit.terms.length < 4) hit.terms.push({ taxonomy: root.taxonomies[t]?.[1] ?? '', name, marks: m });
          if (whole(nt, match, run.words.length)) bonus += TERM;
        }
      });
      const tt = tokenize(p.t);
      hit.titleMarks = marks(tt, match);
      for (const word of run.words) {
        if (tt.some((x) => x.raw === word.raw)) bonus += FORM;
        else if (tt.some((x) => x.w === word.w)) bonus += FORM / 2;
      }
      bonus += near(tt, match) * NEAR_TITLE;
      // Titles of more than three terms have no "=" key: the whole title
      // is matched here.
      if (tt.filter((x) => x.t).length > 3 && whole(tt, match, run.words.length)) bonus += TITLE;
      const summary = tokenize(p.e || '');
      hit.subs = [];
      const parts = [];
      for (const [anchor, head, text] of p.h || []) {
        const ht = tokenize(head), bt = tokenize(text);
        bonus += near(ht, match) * NEAR_HEAD;
        const n = count(ht, match) + count(bt, match);
        const sub = { url: `${p.u}#${anchor}`, title: head, titleMarks: marks(ht, match), ...excerpt(text, bt, match), n };
        if (n) hit.subs.push(sub);
        if (count(bt, match)) parts.push([text, bt, sub]);
      }
      // The excerpt: the summary if it has a match, else the text under the
      // first matching heading (its sub-result then shows only the heading),
      // else the summary's beginning.
      if (count(summary, match) || !parts.length) {
        Object.assign(hit, excerpt(p.e || '', summary, match));
      } else {
        const [text, toks, sub] = parts[0];
        Object.assign(hit, excerpt(text, toks, match));
        sub.text = '';
        sub.marks = [];
      }
      hit.subs = hit.subs.sort((a, b) => b.n - a.n).slice(0, 3);
      hit.score = run.score[id] + bonus;
      return hit;
    });
    // Bonuses only known from the packs reorder this page of results.
    return hits.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}

// ---- Highlights and excerpts ---------------------------------------------

// matcher(words)(token) -> index of the query word the token matches, or -1.
function matcher(words) {
  const keys = new Map();
  words.forEach((word, i) => {
    keys.set(word.t, i);
    for (const e of word.exps) if (!keys.has(e.key)) keys.set(e.key, i);
  });
  // While typed, the last word also matches the words it starts.
  const last = words.length - 1, pre = words[last]?.prefix ? words[last].w : null;
  return (x) => {
    if (!x.t) return -1;
    const i = keys.get(x.t);
    if (i !== undefined) return i;
    return pre !== null && x.w.startsWith(pre) ? last : -1;
  };
}

// Whether the terms of toks are exactly the n query words.
const whole = (toks, match, n) => {
  const t = toks.filter((x) => x.t), seen = new Set(t.map(match));
  return t.length === n && seen.size === n && !seen.has(-1);
};
const marks = (toks, match) => toks.filter((x) => match(x) >= 0).map((x) => [x.s, x.e]);
const count = (toks, match) => toks.reduce((n, x) => n + (match(x) >= 0), 0);

// How many times two query words in a row appear next to each other
// (stop words between them ignored).
function near(toks, match) {
  let n = 0, prev = -2;
  for (const x of toks) {
    if (!x.t) continue;
    const i = match(x);
    if (i > 0 && i === prev + 1) n++;
    prev = i;
  }
  return n;
}

// { text, marks }: at most about len characters of text around its first
// match, cut at word boundaries, "…" where cut.
export function excerpt(text, toks, match, len = 180) {
  const hit = toks.find((x) => match(x) >= 0);
  let from = 0, to = text.length;
  if (text.length > len) {
    if (hit && hit.e > len - 20) from = toks.find((x) => x.s >= hit.s - 50)?.s ?? hit.s;
    to = from + len;
    const end = toks.filter((x) => x.e <= to).pop();
    if (end && end.e > from) to = end.e;
  }
  const head = from > 0 ? '… ' : '', tail = to < text.length ? ' …' : '';
  const off = head.length - from;
  return {
    text: head + text.slice(from, to) + tail,
    marks: toks.filter((x) => x.s >= from && x.e <= to && match(x) >= 0).map((x) => [x.s + off, x.e + off]),
  };
}
