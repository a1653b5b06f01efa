// Quoted phrases for the folio search engine (search.js), loaded only when
// a query has a phrase of two words or more: the pages in which the
// phrase's words are next to each other, in order, from the word-pair
// files (doc/search-index.md, "Word pairs").
import { DENSE, fnv1a, varints } from './search.js';

// The word pairs of each quoted phrase of a query's tokens: the phrase's
// terms next to each other, stop words left out, as [first, second] keys.
// A word in a script without spaces ends the run (its character pairs are
// terms of their own).  [[pairs of phrase 0], [pairs of phrase 1], ...].
export function phrasePairs(toks) {
  const out = [];
  let prev = null;
  toks.forEach((x, i) => {
    if (x.phrase < 0) return;
    out[x.phrase] ??= [];
    if (i && toks[i - 1].phrase !== x.phrase) prev = null;
    if (DENSE.test(x.raw)) return void (prev = null);
    if (!x.t) return;
    if (prev !== null) out[x.phrase].push([prev, x.t]);
    prev = x.t;
  });
  return out.filter(Boolean);
}

// The bucket of the pair of terms a and b: 16 bits from their FNV-1a
// hashes (the same as folio's).
export const pairBucket = (a, b) => Math.imul(Math.imul(fnv1a(a), 2654435761) ^ fnv1a(b), 2246822507) >>> 16;

// The ids of the pages with the terms a and b next to each other; null
// when the index does not list the pair: it has no pairs, or both terms
// are common (in more than table.most pages), and then any page with both
// has the phrase.  search: the Search whose files to read.
async function pairIds(search, a, b) {
  const root = await search.root();
  if (!root.pairs) return null;
  const [table, ea, eb] = await Promise.all([search.file(root.pairs), search.entry(a), search.entry(b)]);
  if (ea && eb && ea.df > table.most && eb.df > table.most) return null;
  if (!table.starts) {
    table.starts = varints(table.from);
    for (let k = 1; k < table.starts.length; k++) table.starts[k] += table.starts[k - 1];
  }
  // The last file whose first bucket is at most the pair's.
  const key = `${a} ${b}`, bucket = pairBucket(a, b);
  let lo = 0, hi = table.starts.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (table.starts[mid] <= bucket) lo = mid; else hi = mid;
  }
  const ids = varints((await search.file(`${table.files}${lo}.json`))[key] || '');
  for (let k = 1; k < ids.length; k++) ids[k] += ids[k - 1];
  return ids;
}

// Per quoted phrase with a listed pair of neighbouring words, the pages
// (of N) that have each of its listed pairs: a Uint8Array by id, 1 = has
// them.  A phrase whose pairs are all unlisted asks only for its words.
export async function phrasePages(search, toks, N) {
  const phrases = phrasePairs(toks).filter((p) => p.length);
  const lists = await Promise.all(phrases.map(async (p) =>
    (await Promise.all(p.map(([a, b]) => pairIds(search, a, b)))).filter(Boolean)));
  return lists.filter((pairs) => pairs.length).map((pairs) => {
    const n = new Uint8Array(N);
    for (const ids of pairs) for (const id of ids) if (id < N) n[id]++;
    return n.map((c) => (c === pairs.length ? 1 : 0));
  });
}
