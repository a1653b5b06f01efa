// tests/js/local.mjs - what the JavaScript search tests share: folio build
// into a temporary folder, and a Search over the built index that reads
// files from disk (fetch() stand-in), noting each URL it reads.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Search } from '../../assets/js/search.js';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const folio = resolve(root, process.env.FOLIO || 'build/folio');

// Builds SITE into a fresh temporary folder (removed on exit); returns the
// output folder.  Throws when folio fails.
export function buildSite(site) {
  const tmp = mkdtempSync(join(tmpdir(), 'folio-search-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const out = join(tmp, 'site');
  execFileSync(folio, ['build', '-s', site, '-o', out, '--quiet'], { stdio: 'inherit' });
  return out;
}

// The name of the index root in OUT/search, or undefined.
export const rootName = (out) => readdirSync(join(out, 'search')).find((f) => /^r\.[^.]+\.json$/.test(f));

// A Search over OUT's index (and its pages, for excerpts: page);
// search.fetched lists the URLs read.
export function localSearch(out) {
  const fetched = [];
  const fetch = async (url) => {
    fetched.push(url);
    try {
      // A folder's URL is its index.html, as a web server serves it.
      const text = readFileSync(fileURLToPath(url.endsWith('/') ? url + 'index.html' : url), 'utf8');
      return { ok: true, status: 200, json: async () => JSON.parse(text), text: async () => text };
    } catch {
      return { ok: false, status: 404, json: async () => null, text: async () => '' };
    }
  };
  const s = new Search(`search/${rootName(out)}`, { fetch, base: pathToFileURL(out + '/').href });
  s.fetched = fetched;
  return s;
}
