// tests/browser/lib.mjs - what the browser tests share: the paths, the
// check/finish counters (each test ends with "N passed, N failed"), a
// static server for a built site, folio build, and launching Debian's
// Chromium through playwright-core.
//
// Whatever a test fails at, it leaves nothing behind: the temporary
// folders made with tempDir and the processes given to track are removed
// and stopped when the process exits, finish() and crashes included.
//
// Environment: FOLIO (the folio binary), CHROMIUM (default /usr/bin/chromium).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const folio = resolve(root, process.env.FOLIO || 'build/folio');
export const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
export const shots = join(root, 'tests', 'out', 'screenshots');

const leftovers = { dirs: [], procs: [] };
process.on('exit', () => {
  for (const p of leftovers.procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const d of leftovers.dirs) rmSync(d, { recursive: true, force: true });
});

// A new temporary folder, removed when the test exits.
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  leftovers.dirs.push(dir);
  return dir;
}

// Stops the child process PROC when the test exits, if it still runs.
export function track(proc) {
  leftovers.procs.push(proc);
  return proc;
}

let passed = 0;
let failed = 0;
export function check(ok, name, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL: ${name}${detail !== undefined && detail !== '' ? `\n    ${String(detail).replace(/\n/g, '\n    ')}` : ''}`);
  }
}
// How many checks have failed so far.
export const failures = () => failed;

export function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// Ends the test with a failure when folio or Chromium is missing.
export function needTools() {
  if (!existsSync(folio)) {
    check(false, `folio binary ${folio} not found (run make)`);
    finish();
  }
  if (!existsSync(chromium)) {
    check(false, `Chromium not found at ${chromium} (apt-get install chromium)`);
    finish();
  }
}

export const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript',
  '.xml': 'application/xml', '.json': 'application/json', '.svg': 'image/svg+xml', '.txt': 'text/plain' };

// Serves the built site DIR on a free port of 127.0.0.1, its 404.html for
// missing files; resolves to the server.
export function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(400); res.end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': types['.html'] });
      res.end(existsSync(join(dir, '404.html')) ? readFileSync(join(dir, '404.html')) : '');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// folio build SITE into OUT; a failed build is a failed check.
export function build(site, out) {
  try {
    execFileSync(folio, ['build', '-s', site, '-o', out, '--quiet'], { stdio: 'inherit' });
    return true;
  } catch (e) {
    check(false, `folio build of ${site}`, e.message);
    return false;
  }
}

export async function launch() {
  const { chromium: pw } = await import('playwright-core');
  return pw.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
