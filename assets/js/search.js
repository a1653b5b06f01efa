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

// Runs of word characters; kana and CJK ideographs (written without spaces)
// form runs of their own.
const WORD = /[0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0370-\u1FFF\uAC00-\uD7AF]+|[\u3040-\u9FFF]+/g;
export const DENSE = /^[\u3040-\u9FFF]/;
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

const token = (raw, s) => {
  const w = fold(raw);
  return { s, e: s + raw.length, raw, w, t: stemOf(w) };
};

// The terms of a run of dense characters at s: each character, then it and
// the next one (the rule folio's index follows).
function dense(run, s, out) {
  for (let i = 0; i < run.length; i++) {
    out.push(token(run[i], s + i));
    if (i + 1 < run.length) out.push(token(run.slice(i, i + 2), s + i));
  }
}

// Every token of text: { s, e } its place, raw its text, w folded, t the
// term ('' for stop words and tokens over 40 bytes).
export function tokenize(text) {
  const out = [];
  for (const m of text.matchAll(WORD)) {
    if (DENSE.test(m[0])) dense(m[0], m.index, out);
    else out.push(token(m[0], m.index));
  }
  return out;
}

// The dictionary keys of a text, in order.
export const terms = (text) => tokenize(text).map((x) => x.t).filter(Boolean);

// Words of a dense run as a reader means them: Intl.Segmenter's words where
// the browser has it, else the whole run.  [text, offset] pairs.
const segmenter = typeof Intl === 'object' && Intl.Segmenter ? new Intl.Segmenter('ja', { granularity: 'word' }) : null;
export function denseWords(run, useSegmenter = true) {
  if (!segmenter || !useSegmenter) return [[run, 0]];
  return [...segmenter.segment(run)].filter((x) => x.isWordLike !== false).map((x) => [x.segment, x.index]);
}

// The words of a query: like tokenize, but a run of dense characters is cut
// into the reader's words first; a word of one character is looked up as
// itself, a longer one as its pairs of neighbours (all of them required).
// Words inside straight or curly double quotes get the number of their
// phrase in .phrase (else -1).
export function queryTokens(q, useSegmenter = true) {
  const out = [];
  const quotes = [...q.matchAll(/["\u201C\u201D]/g)].map((m) => m.index);
  const phraseAt = (i) => {
    for (let k = 0; k + 1 < quotes.length; k += 2) if (i > quotes[k] && i < quotes[k + 1]) return k >> 1;
    return -1;
  };
  for (const m of q.matchAll(WORD)) {
    const phrase = phraseAt(m.index);
    if (!DENSE.test(m[0])) {
      out.push({ ...token(m[0], m.index), phrase });
      continue;
    }
    for (const [w, at] of denseWords(m[0], useSegmenter)) {
      const s = m.index + at;
      if (w.length === 1) out.push({ ...token(w, s), phrase });
      for (let i = 0; i + 1 < w.length; i++) out.push({ ...token(w.slice(i, i + 2), s + i), phrase });
    }
  }
  return out;
}

// The 32-bit FNV-1a hash of a string's UTF-8 bytes (the same as folio's).
const utf8 = new TextEncoder();
export function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const b of utf8.encode(s)) h = Math.imul(h ^ b, 16777619);
  return h >>> 0;
}

// The exact-form hash of a folded word: the top 6 bits of its FNV-1a hash.
export const formHash = (w) => fnv1a(w) >>> 26;

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

// A postings string: { ids, scores, titles } in increasing id order;
// titles[k] is -1 when the term is not in page ids[k]'s title, else its
// place | 32 if it is the title's last term | form hash << 6.
export function postings(s) {
  const cap = s.length >> 1;
  const ids = new Int32Array(cap), scores = new Uint8Array(cap), titles = new Int16Array(cap);
  let n = 0, id = -1;
  for (let i = 0; i < s.length;) {
    let v = 0, d;
    do v = v * 32 + ((d = VAL[s.charCodeAt(i++)]) & 31); while (d < 32 && i < s.length);
    const delta = Math.floor(v / 2);
    id = n ? id + delta : delta;
    ids[n] = id;
    scores[n] = VAL[s.charCodeAt(i++)];
    titles[n] = v & 1 ? VAL[s.charCodeAt(i)] | (VAL[s.charCodeAt(i + 1)] << 6) : -1;
    if (v & 1) i += 2;
    n++;
  }
  return { ids: ids.subarray(0, n), scores: scores.subarray(0, n), titles: titles.subarray(0, n) };
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

// Expansion weights: a word as typed, the words it starts (the last word
// while typed), corrections of a word the dictionary lacks (one or two
// edits), and of a word it has when no page has every word.
const EXACT = 1, PREFIX = 0.6, FIX1 = 0.8, FIX2 = 0.6, TYPO1 = 0.4, TYPO2 = 0.25;
// Bonuses, on the scale of one word's best score (63).  They come from the
// title places in the postings, so they count for every page, not only
// the ones on screen.
const IN_TITLE = 12;    // a query word is in the title
const FORM = 4;         // ... written as in the query (not only the same stem)
const NEAR_TITLE = 12;  // two query words next to each other in the title
const TITLE = 40;       // the title is the query's words and nothing else
const PHRASE = 20;      // a quoted phrase is the title's words in order
const LISTING = 0.6;    // section and home pages: their score is scaled
const PREFIXES = 8;     // prefix expansions kept, most frequent first
const TYPOS = 6;        // typo expansions kept per word
const FEW = 5;          // words in fewer pages may be corrected when nothing matches
const PARTIAL = 10;     // fewer full matches than this: show all-but-one matches too
const SPAN = 3;         // dictionary shards read at most for one prefix

// A fixed shuffle of page ids: equal scores are ordered by it, so that no
// section comes first because of where its pages are numbered.
const mix = (id) => {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

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
  // pageWait: how long a result page may take to arrive for its excerpt
  // (ms; excerpts: page).
  constructor(root, { fetch = globalThis.fetch.bind(globalThis), base = globalThis.location?.href, pageWait = 3000 } = {}) {
    this.url = new URL(root, base);
    this.pageWait = pageWait;
    this.fetch = fetch;
    this.files = new Map();  // URL -> Promise of parsed JSON
    this.lists = new Map();  // key -> decoded postings
    this.runs = new Map();   // query text -> ranked run
    this.pages = new Map();  // page URL -> Promise of its sections (excerpts: page)
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

  // The dictionary entry of key, { key, df, file: its postings file, m: its
  // largest score }, or undefined.
  async entry(key) {
    const i = await this.shardOf(key);
    const sh = await this.shard(i);
    const e = sh.map.get(key);
    return e && { key, df: e[1], file: sh.p[e[2]], m: e[3] };
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

  // Entries whose keys start with one of prefixes, most frequent first.
  async withPrefix(prefixes, limit) {
    const root = await this.root(), found = new Map();
    for (const pre of prefixes) {
      let i = await this.shardOf(pre);
      for (let n = 0; i < root.dict.length && n < SPAN; i++, n++) {
        if (n && !root.dict[i][0].startsWith(pre)) break;
        const sh = await this.shard(i);
        let j = lowerBound(sh.t, pre, first);
        for (; j < sh.t.length && sh.t[j][0].startsWith(pre); j++) {
          const [key, df, f, m] = sh.t[j];
          found.set(key, { key, df, file: sh.p[f], m });
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
      for (const [key, df, f, m] of sh.t) {
        if (key === t) continue;
        const d = Math.min(distance(t, key, max), distance(w, key, max));
        if (d <= max) found.push({ key, df, file: sh.p[f], m, d });
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
    const toks = queryTokens(q);
    const run = { q, words: [], ids: new Int32Array(0), score: null, group: null, missing: null, status: 'ok', root, phrases: [] };
    if (!toks.length) return (run.status = 'empty'), run;
    // The last word grows as the reader types, unless followed by a space
    // or closing a phrase.
    const open = !/[\s\p{P}]$/u.test(q);
    const last = toks[toks.length - 1];
    const seen = new Set();
    for (const x of toks) {
      // Stop words are left out, even while being typed, and so are
      // repeated words.
      if (!x.t || seen.has(x.t)) continue;
      seen.add(x.t);
      // Numbers are not prefixes either: "17" is rarely the start of "1703".
      const prefix = open && x === last && x.phrase < 0 && x.w.length >= 2 && !NUMBER.test(x.w);
      if (run.words.length === 32) break;       // (the word masks have 32 bits)
      run.words.push({ raw: x.raw, w: x.w, t: x.t, form: formHash(x.w), phrase: x.phrase, prefix, exps: [], fixed: false });
    }
    if (!run.words.length) return (run.status = toks.some((x) => bytes(x.w) > 40) ? 'long' : 'stop'), run;

    // Each word's exact stem and, for the last, its prefix expansions; the
    // pages with each quoted phrase's words together.
    // (search-phrase.js, loaded only for a phrase of two words or more).
    const phrasesP = toks.filter((x) => x.phrase >= 0 && x.t).length < 2 ? [] :
      import('./search-phrase.js').then((m) => m.phrasePages(this, toks, N));
    await Promise.all(run.words.map(async (word) => {
      const [e, pre] = await Promise.all([this.entry(word.t),
        word.prefix ? this.withPrefix(new Set([word.t, word.w]), PREFIXES + 1) : []]);
      if (e) word.exps.push({ ...e, weight: EXACT, kind: 'exact' });
      for (const x of pre.filter((x) => x.key !== word.t).slice(0, PREFIXES))
        word.exps.push({ ...x, weight: PREFIX, kind: 'prefix' });
      word.df = e ? e.df : 0;
    }));
    // Words the dictionary lacks are corrected; words it has are not,
    // unless no page has every word.
    const correct = async (which, w1, w2) => {
      const typos = await Promise.all(run.words.map((word, i) =>
        which(word, i) && word.w.length >= 4 && !NUMBER.test(word.w) && word.phrase < 0 ? this.typos(word) : []));
      let more = false;
      run.words.forEach((word, i) => {
        for (const e of typos[i]) {
          if (word.exps.some((x) => x.key === e.key)) continue;
          word.exps.push({ ...e, weight: e.d > 1 ? w2 : w1, kind: 'typo' });
          word.fixed = more = true;
        }
      });
      return more;
    };
    run.phrases = await phrasesP;
    await correct((word) => !word.exps.length, FIX1, FIX2);
    await this.combine(run, N);
    if (!run.full && await correct((word) => !word.fixed && word.df < FEW, TYPO1, TYPO2))
      await this.combine(run, N);
    if (!run.ids.length) run.status = 'none';
    return run;
  }

  // Scores every page: each word's best expansion (its BM25F score and
  // title bonuses), the bonuses of word pairs and the whole title.  Keeps
  // the pages with every word, then (when they are few) those missing one
  // word, then, when no page has every word, those with any; phrase words
  // are never the missing ones.
  async combine(run, N) {
    const words = run.words, need = words.length;
    const lists = await Promise.all(words.map((word) => Promise.all(word.exps.map((e) => this.list(e)))));
    const total = new Float32Array(N), hits = new Uint8Array(N), missing = new Int8Array(N).fill(-1);
    const best = new Float32Array(N), place = words.map(() => new Int16Array(N).fill(-1));
    const lastOf = new Uint8Array(N), inTitle = new Uint8Array(N), has = new Uint32Array(N);
    words.forEach((word, w) => {
      best.fill(0);
      const pl = place[w];
      word.exps.forEach((e, x) => {
        const { ids, scores, titles } = lists[w][x];
        const scale = (e.weight * 63 * e.m) / (10000 * run.root.score);
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k];
          let s = scores[k] * scale;
          const ti = titles[k];
          if (ti >= 0) s += IN_TITLE + (e.kind !== 'prefix' && ti >> 6 === word.form ? FORM : 0);
          if (s > best[id]) {
            best[id] = s;
            if (ti >= 0) pl[id] = ti & 63;
          }
        }
      });
      for (let id = 0; id < N; id++) {
        if (!best[id]) continue;
        total[id] += best[id];
        hits[id]++;
        has[id] |= 1 << w;
        if (pl[id] >= 0) inTitle[id]++, (lastOf[id] |= (pl[id] & 32) ? 1 : 0);
      }
    });
    // Pairs of query words next to each other in the title, phrases whose
    // words are there in order, and whole titles.
    const pos = (w, id) => place[w][id] & 31;
    for (let id = 0; id < N; id++) {
      if (inTitle[id] < 2 && !(inTitle[id] === 1 && need === 1)) continue;
      let near = 0, phraseOk = new Map();
      for (let w = 0; w + 1 < need; w++) {
        if (place[w][id] < 0 || place[w + 1][id] < 0) continue;
        const next = pos(w + 1, id) === pos(w, id) + 1;
        if (next) near++;
        const p = words[w].phrase;
        if (p >= 0 && words[w + 1].phrase === p) phraseOk.set(p, (phraseOk.get(p) ?? true) && next);
      }
      total[id] += near * NEAR_TITLE;
      for (const ok of phraseOk.values()) if (ok) total[id] += PHRASE;
      // The whole title: every query word in it, at places 0..need-1, the
      // one at need-1 being its last term.
      if (inTitle[id] === need && lastOf[id]) {
        let mask = 0;
        for (let w = 0; w < need; w++) mask |= 1 << pos(w, id);
        let lastAt = -1;
        for (let w = 0; w < need; w++) if (place[w][id] & 32) lastAt = pos(w, id);
        if (need < 31 && mask === (2 ** need) - 1 && lastAt === need - 1) total[id] += TITLE;
      }
    }
    for (const id of run.root.lists || []) if (id < N) total[id] *= LISTING;
    // Who is in: pages with every word and each quoted phrase's words
    // together, in order; when fewer than PARTIAL are, those missing one
    // word (not a phrase word), then those with every word but a phrase's
    // words apart; when none has every word, any word (phrases together).
    const together = (id) => run.phrases.every((ok) => ok[id]);
    const group = new Uint8Array(N).fill(255);
    let full = 0, apart = 0, one = 0;
    for (let id = 0; id < N; id++) if (hits[id] === need && together(id)) (group[id] = 0), full++;
    let phrases = 0;
    words.forEach((word, w) => { if (word.phrase >= 0) phrases |= 1 << w; });
    if (full < PARTIAL) {
      for (let id = 0; id < N; id++) {
        if (hits[id] === need && !together(id)) {
          (group[id] = 2), apart++;
          continue;
        }
        if (need < 2 || hits[id] !== need - 1 || (has[id] & phrases) !== phrases || !together(id)) continue;
        (group[id] = 1), one++;
        missing[id] = 31 - Math.clz32(~has[id] & ((2 ** need) - 1));
      }
    }
    let status = 'ok';
    let ids = [];
    for (let id = 0; id < N; id++) if (group[id] !== 255) ids.push(id);
    if (!full && ids.length) status = one ? 'partial' : 'apart';
    if (!ids.length && need > 1) {
      for (let id = 0; id < N; id++) if (hits[id] && (has[id] & phrases) === phrases && together(id)) ids.push(id), (group[id] = 3);
      if (ids.length) status = 'or';
    }
    ids = Int32Array.from(ids);
    ids.sort((a, b) => group[a] - group[b] || total[b] - total[a] || mix(a) - mix(b));
    Object.assign(run, { ids, score: total, group, missing, status, full, apart });
  }

  async names(t) {
    const root = await this.root();
    return this.file(root.taxonomies[t][2]);
  }

  // Taxonomy t's terms by number of pages, most first (ties by index): the
  // order of the term-list chunks.  { order, rank }.
  async termOrder(t) {
    const names = await this.names(t);
    names.order ??= names.map((_, j) => j).sort((a, b) => names[b][2] - names[a][2] || a - b);
    if (!names.rank) {
      names.rank = new Int32Array(names.length);
      names.order.forEach((j, r) => (names.rank[j] = r));
    }
    return names;
  }

  // Chunk c of taxonomy t's term lists: Map term index -> its page ids.
  async chunk(t, c) {
    const root = await this.root();
    const data = await this.file(`${root.terms}${root.taxonomies[t][3] + c}.json`);
    data.lists ??= new Map(data.map(([j, s]) => {
      const ids = varints(s);
      for (let k = 1; k < ids.length; k++) ids[k] += ids[k - 1];
      return [j, ids];
    }));
    return data.lists;
  }

  // The page ids of term j of taxonomy t.
  async termList(t, j) {
    const root = await this.root(), { rank } = await this.termOrder(t);
    return (await this.chunk(t, Math.floor(rank[j] / root.chunk))).get(j) || [];
  }

  // The results of q: filters { section: key, terms: { taxonomy key: term
  // index } }, hits start..start+limit-1; facets: the keys of the
  // taxonomies whose terms to count over the results (true: all), reading
  // the lists of their most common terms until 12 of them have results
  // (all of them for the keys in allTerms).
  //
  // status: 'ok' (pages have every word), 'partial' (none has every word,
  // some have all but one), 'apart' (none has a quoted phrase's words
  // together, some have them apart), 'or' (only some of the words), 'none', 'stop'
  // (only stop words), 'long' (only words over 40 bytes), 'empty' (no
  // letters or digits).  Each hit of a page missing a word has
  // .missing = that word as typed; each hit of a page with a phrase's words
  // apart has .apart = true.
  //
  // Returns { q, status, words, full (pages with every word, phrases
  // together), apart (pages with every word, a phrase's apart), total (after
  // filters), all (before), sections: [{ key, title, url, count }],
  // taxonomies: [{ key, title, selected, terms: [{ name, url, count,
  // index }] or null when not counted, more: whether it has terms not
  // counted }], hits, start, more }.
  async query(q, { section = null, terms = {}, start = 0, limit = 10, facets = [], allTerms = [] } = {}) {
    const run = await this.run(q);
    const { root } = run, N = root.pages;
    const sec = root.sections.findIndex((s) => s[0] === section);
    const taxSel = root.taxonomies.map((t) => terms[t[0]] ?? null);
    const count = root.taxonomies.map(([key]) => facets === true || facets.includes(key));
    // Pages with each selected term.
    const marked = await Promise.all(taxSel.map(async (j, t) => {
      if (j === null) return null;
      const m = new Uint8Array(N);
      for (const id of await this.termList(t, j)) m[id] = 1;
      return m;
    }));
    const taxOk = (id, skip) => marked.every((m, t) => !m || t === skip || m[id]);
    const inSec = (id, s) => id >= root.sections[s][3] && id < root.sections[s][4];

    // Section counts ignore the section filter; term counts ignore their
    // own taxonomy's filter.
    const secCount = root.sections.map(() => 0);
    const base = count.map((c) => (c ? new Uint8Array(N) : null));
    const shown = [];
    for (const id of run.ids) {
      const tOk = taxOk(id, -1);
      if (tOk) for (let s = 0; s < secCount.length; s++) if (inSec(id, s)) { secCount[s]++; break; }
      if (sec >= 0 && !inSec(id, sec)) continue;
      base.forEach((b, t) => { if (b && taxOk(id, t)) b[id] = 1; });
      if (tOk) shown.push(id);
    }

    const res = {
      q, status: run.status, words: run.words.map(({ raw, w, t, prefix, phrase }) => ({ raw, w, t, prefix, phrase })),
      full: run.full || 0, apart: run.apart || 0,
      all: run.ids.length, total: shown.length, start,
      sections: root.sections.map(([key, title, url], s) => ({ key, title, url, count: secCount[s] })),
      taxonomies: [], hits: [], more: false,
    };
    res.taxonomies = await Promise.all(root.taxonomies.map(async ([key, title], t) => {
      if (!base[t]) return { key, title, selected: taxSel[t], terms: null, more: false };
      const names = await this.termOrder(t), chunks = Math.ceil(names.length / root.chunk);
      const list = [];
      let c = 0;
      for (; c < chunks && (list.length < 12 || allTerms.includes(key)); c++) {
        for (const [index, ids] of await this.chunk(t, c)) {
          let n = 0;
          for (const id of ids) n += base[t][id];
          if (n || index === taxSel[t]) list.push({ index, count: n, name: names[index][0], url: names[index][1] });
        }
      }
      list.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
      return { key, title, selected: taxSel[t], terms: list, more: c < chunks };
    }));
    const page = shown.slice(start, start + limit);
    res.hits = await this.hits(run, page);
    res.more = start + limit < shown.length;
    return res;
  }

  // The taxonomy terms whose names are made of query words (at most 12),
  // with their pages: [{ term: { taxonomy, name, marks }, ids: Set }].
  async matchingTerms(run, match) {
    const root = await this.root(), found = [];
    for (let t = 0; t < root.taxonomies.length && found.length < 12; t++) {
      const names = await this.names(t);
      for (let j = 0; j < names.length && found.length < 12; j++) {
        const toks = tokenize(names[j][0]).filter((x) => x.t);
        if (!toks.length || !toks.every((x) => match(x) >= 0)) continue;
        found.push({ term: { taxonomy: root.taxonomies[t][1], name: names[j][0], marks: marks(tokenize(names[j][0]), match) }, ids: new Set(await this.termList(t, j)) });
      }
    }
    return found;
  }

  // Page data and excerpts for the ids of one page of results, in the
  // order given (the ranking is already final).
  async hits(run, ids) {
    const root = await this.root();
    const packs = await Promise.all(ids.map((id) => this.file(`${root.packs}${Math.floor(id / root.pack)}.json`)));
    const match = matcher(run.words);
    const terms = await this.matchingTerms(run, match);
    const from = new Map();  // hit -> the sub-result its excerpt is from
    const hits = ids.map((id, k) => {
      // [url, title, section, summary, headings]; the url after its
      // section's when it does not start with "/".
      const [rel, title, s, summaryText = '', heads = []] = packs[k][id % root.pack];
      const sec = root.sections[s];
      const url = rel.startsWith('/') ? rel : (sec?.[2] ?? '/') + rel;
      const hit = { id, url, title, section: sec?.[1] ?? '', terms: [], score: run.score[id] };
      if (run.missing[id] >= 0) hit.missing = run.words[run.missing[id]].raw;
      if (run.group[id] === 2) hit.apart = true;
      // The page's taxonomy terms named by the query, e.g. Skills: Django.
      for (const x of terms) if (hit.terms.length < 4 && x.ids.has(id)) hit.terms.push(x.term);
      hit.titleMarks = marks(tokenize(title), match);
      const summary = tokenize(summaryText);
      hit.subs = [];
      const parts = [];
      for (const [anchor, head, text] of heads) {
        const ht = tokenize(head), bt = tokenize(text);
        const n = count(ht, match) + count(bt, match);
        const sub = { url: `${url}#${anchor || simpleId(head)}`, title: head, titleMarks: marks(ht, match), ...excerpt(text, bt, match), n };
        if (n) hit.subs.push(sub);
        if (count(bt, match)) parts.push([text, bt, sub]);
      }
      // The excerpt: of the summary and the pieces of text kept under the
      // headings, the one with the most of the query's words (the summary
      // when as many), around them; its heading's sub-result then shows
      // only the heading.  Else the summary's beginning.
      let best = null, most = distinct(summary, match);
      for (const part of parts) {
        const n = distinct(part[1], match);
        if (n > most) best = part, most = n;
      }
      if (!best) {
        Object.assign(hit, excerpt(summaryText, summary, match));
      } else {
        const [text, toks, sub] = best;
        Object.assign(hit, excerpt(text, toks, match));
        sub.text = '';
        sub.marks = [];
        from.set(hit, sub.url);
      }
      hit.subs = hit.subs.sort((a, b) => b.n - a.n).slice(0, 3);
      return hit;
    });
    if (root.excerpts === 'page') await Promise.all(hits.map((hit) => this.fromPage(hit, match, from.get(hit))));
    return hits;
  }

  // The text of a page of the site (its URL as the pack has it) as its
  // sections, each with its tokens (pageSections), read once and kept
  // with the 63 pages used last; null when it cannot be read in
  // this.pageWait ms or is not HTML: then it is asked for again next time.
  pageText(url) {
    const href = new URL(url.replace(/^\//, ''), new URL('../', this.url)).href;
    let p = this.pages.get(href);
    if (p) {
      this.pages.delete(href);  // the most recently used last
    } else {
      const stop = globalThis.AbortController ? new AbortController() : null;
      const read = this.fetch(href, { signal: stop?.signal }).then((r) => {
        const type = r.headers?.get?.('content-type');
        return r.ok && (!type || /^text\/html\b/i.test(type)) ? r.text() : null;
      }).then(async (html) => {
        if (html === null) return null;
        const { pageSections } = await import('./search-page.js');
        return pageSections(html).map((x) => ({ ...x, toks: tokenize(x.text), htoks: tokenize(x.head) }));
      });
      p = new Promise((done) => {
        const timer = setTimeout(() => {
          stop?.abort();
          done(null);
        }, this.pageWait);
        read.then((secs) => done(secs), () => done(null)).finally(() => clearTimeout(timer));
      });
      p.then((secs) => secs === null && this.pages.get(href) === p && this.pages.delete(href));
      if (this.pages.size >= 64) this.pages.delete(this.pages.keys().next().value);
    }
    this.pages.set(href, p);
    return p;
  }

  // With root.excerpts "page", a result's excerpt and sub-results come
  // from the page itself: the excerpt is the index's when it shows a query
  // word, else the text around the first in the section that has the most
  // of them; each heading (but the page's title) whose text or section has
  // a query word is a sub-result, with the text around the first, the
  // three with the most kept; the excerpt's own section shows only its
  // heading.  Left as the index has them when the page cannot be read, and
  // the index's sub-results kept when the page gives none.
  // FROM: the URL of the sub-result whose piece the index's excerpt is.
  async fromPage(hit, match, from) {
    const secs = await this.pageText(hit.url);
    if (!secs) return;
    const subs = [];
    for (const x of secs) {
      if (!x.head || x.head === hit.title) continue;
      const n = count(x.htoks, match) + count(x.toks, match);
      if (n) subs.push({ url: `${hit.url}#${x.id}`, title: x.head, titleMarks: marks(x.htoks, match), ...excerpt(x.text, x.toks, match), n });
    }
    let shown = hit.marks.length ? subs.find((x) => x.url === from) : null;
    if (!hit.marks.length) {
      let best = null, most = 0;
      for (const x of secs) {
        const d = distinct(x.toks, match);
        if (d > most) best = x, most = d;
      }
      if (best) Object.assign(hit, excerpt(best.text, best.toks, match)), shown = subs.find((x) => x.url === `${hit.url}#${best.id}`);
    }
    // The excerpt's own section shows only its heading.
    if (shown) shown.text = '', shown.marks = [];
    if (subs.length) hit.subs = subs.sort((a, b) => b.n - a.n).slice(0, 3);
  }
}

// ---- Highlights and excerpts ---------------------------------------------

// A heading's id when the pack leaves it out: its ASCII letters (lowercased)
// and digits, each run of anything else one "-" (doc/search-index.md).
export const simpleId = (text) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).join('-').toLowerCase();

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

// [start, end) ranges, sorted and with overlaps (pairs of dense
// characters) merged.
function merge(ranges) {
  const out = [];
  for (const [s, e] of ranges.sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}
const marks = (toks, match) => merge(toks.filter((x) => match(x) >= 0).map((x) => [x.s, x.e]));
const count = (toks, match) => toks.reduce((n, x) => n + (match(x) >= 0), 0);
// How many of the query's words the tokens hold.
const distinct = (toks, match) => new Set(toks.map(match).filter((i) => i >= 0)).size;

// { text, marks }: at most about len characters of text around its first
// match, cut at word boundaries, "…" where cut.
export function excerpt(text, toks, match, len = 150) {
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
    marks: merge(toks.filter((x) => x.s >= from && x.e <= to && match(x) >= 0).map((x) => [x.s + off, x.e + off])),
  };
}
