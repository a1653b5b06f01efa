// bench/queries.mjs - the queries of `make bench-search`, picked by rule
// from the benchmark corpus's own words so that none is chosen by hand:
// every 50th article (in file name order) is read, and from the words of
// those pages (letters and digits, two characters or more, no stop words)
// come
//
//   common   the 8 words in the most of those pages
//   rare     8 words in the fewest of them (one page), spread over the list
//   pairs    8 pairs of words that share a title, from spread-out pages
//   typos    6 common words of five letters or more with their 2nd and 3rd
//            letters swapped
//   prefixes the first 4 letters of 6 common words of seven letters or more
//   phrases  8 quoted pairs of words next to each other in the text, the
//            first such pair after the first heading of spread-out pages
//            (measured apart from the others: they read the pair files)
//
// Ties are broken by the word, so the same corpus gives the same queries.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const STOP = new Set(('a an and are as at be but by for from has have he her his i if in into ' +
  'is it its me my no not of on or our s she so t than that the their them then there these ' +
  'they this to was we were what when which who will with you your').split(' '));

function articles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...articles(p));
    else if (name.endsWith('.md') && name !== '_index.md') out.push(p);
  }
  return out;
}

const spread = (list, n) => Array.from({ length: Math.min(n, list.length) }, (_, i) => list[Math.floor((i * list.length) / Math.min(n, list.length))]);

// { common, rare, pairs, typos, prefixes, all }: lists of query strings.
export function pickQueries(content) {
  const files = articles(content).sort();
  const df = new Map(), titles = [], firsts = [];
  for (let i = 0; i < files.length; i += 50) {
    const text = readFileSync(files[i], 'utf8').toLowerCase().replace(/\]\([^)]*\)/g, ']');
    const title = /^title:\s*"?(.*?)"?$/m.exec(text)?.[1] ?? '';
    titles.push(title.split(/[^a-z]+/).filter((w) => w.length > 1 && !STOP.has(w)));
    const body = text.split(/^## .*$/m).slice(1).join(' ');
    const m = [...body.matchAll(/(?<![a-z0-9])([a-z]{2,}) ([a-z]{2,})(?![a-z0-9])/g)].find((x) => !STOP.has(x[1]) && !STOP.has(x[2]));
    if (m) firsts.push(`"${m[1]} ${m[2]}"`);
    for (const w of new Set(text.split(/[^a-z0-9]+/))) {
      if (w.length < 2 || STOP.has(w)) continue;
      df.set(w, (df.get(w) || 0) + 1);
    }
  }
  const words = [...df].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const common = words.slice(0, 8);
  const rare = spread(words.filter((w) => df.get(w) === 1), 8);
  const pairs = spread(titles.filter((t) => t.length >= 2).map((t) => `${t[t.length - 2]} ${t[t.length - 1]}`), 8);
  const long5 = words.filter((w) => w.length >= 5 && /^[a-z]+$/.test(w));
  const typos = spread(long5.slice(0, 30), 6).map((w) => w[0] + w[2] + w[1] + w.slice(3));
  const prefixes = spread(words.filter((w) => w.length >= 7 && /^[a-z]+$/.test(w)).slice(0, 30), 6).map((w) => w.slice(0, 4));
  const all = [...new Set([...common, ...rare, ...pairs, ...typos, ...prefixes])];
  const phrases = [...new Set(spread(firsts, 8))];
  return { common, rare, pairs, typos, prefixes, all, phrases };
}

// The p-th percentile (0..1) of numbers, nearest rank.
export function percentile(values, p) {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))] : 0;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const q = pickQueries(process.argv[2]);
  for (const k of ['common', 'rare', 'pairs', 'typos', 'prefixes', 'phrases']) console.log(`${k}: ${q[k].join(' | ')}`);
}
