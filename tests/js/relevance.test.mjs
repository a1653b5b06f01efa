// The relevance set (tests/search/relevance.tsv): reader queries on the
// career site with the pages that answer them, written before the queries
// were run.  Builds the site, runs each query through the search engine
// (assets/js/search.js) and prints success@1, success@3 (a right page
// among the first 1 or 3) and MRR (mean of 1 / rank of the first right
// page, 0 past 10); fails when success@3 is under 0.95.  Every query that
// misses its pages in the first 3 is listed.  Ends with "N passed, N failed".
//
// Environment: FOLIO (the folio binary, default build/folio).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSite, folio, localSearch, root } from './local.mjs';

const MIN_SUCCESS3 = 0.95;
let passed = 0, failed = 0;
const check = (ok, name, detail) => {
  if (ok) return passed++;
  failed++;
  console.log(`FAIL: ${name}${detail ? `\n    ${detail}` : ''}`);
};
const finish = () => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
};

const set = [];
for (const [n, line] of readFileSync(join(root, 'tests/search/relevance.tsv'), 'utf8').split('\n').entries()) {
  if (!line || line.startsWith('#')) continue;
  const [q, urls] = line.split('\t');
  check(q && urls, `relevance.tsv:${n + 1}: query<TAB>urls`);
  if (q && urls) set.push({ q, want: urls.split(' ').filter(Boolean) });
}
check(set.length >= 40, 'at least 40 queries', set.length);
if (!existsSync(folio)) check(false, `folio binary ${folio} not found (run make)`), finish();

const out = buildSite(root);
const search = localSearch(out);
let at1 = 0, at3 = 0, rr = 0;
for (const { q, want } of set) {
  const r = await search.query(q, { limit: 10 });
  const got = r.hits.map((h) => h.url);
  const rank = got.findIndex((u) => want.includes(u)) + 1;
  for (const u of want) check(existsSync(join(out, u, 'index.html')), `${q}: ${u} is a page of the site`);
  if (rank === 1) at1++;
  if (rank >= 1 && rank <= 3) at3++;
  else console.log(`miss@3: ${q} -> rank ${rank || '>10'}; want ${want.join(' ')}; got ${got.slice(0, 3).join(' ')}`);
  if (rank) rr += 1 / rank;
}
const n = set.length;
console.log(`relevance_queries ${n}`);
console.log(`relevance_success_at_1 ${(at1 / n).toFixed(3)}`);
console.log(`relevance_success_at_3 ${(at3 / n).toFixed(3)} (at least ${MIN_SUCCESS3})`);
console.log(`relevance_mrr ${(rr / n).toFixed(3)}`);
check(at3 / n >= MIN_SUCCESS3, `success@3 ${(at3 / n).toFixed(3)} >= ${MIN_SUCCESS3}`);
finish();
