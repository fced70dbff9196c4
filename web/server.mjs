// A tiny static server for the browser tests, on 127.0.0.1 only.
//
// Isolated mode (the default) sends, on every response:
//   Cross-Origin-Opener-Policy: same-origin
//   Cross-Origin-Embedder-Policy: require-corp
//   Cross-Origin-Resource-Policy: same-origin
// which is all a page needs to be `crossOriginIsolated` (SharedArrayBuffer, shared
// WebAssembly.Memory across workers). `isolated: false` sends none of them: the negative test.
//
// Only a few folders of the repository are served (see SERVED); wasm modules are served under
// /modules/<name>.wasm from the MODULES table, and built wasm-bindgen packages under
// /pkg/<name>/ from the PACKAGES table, so a page using another module is one entry there.
//
//   node web/server.mjs [--plain] [--port N]     # prints the URL, serves until killed
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = process.env.CARGO_TARGET_DIR ? path.resolve(process.env.CARGO_TARGET_DIR) : path.join(ROOT, 'target');

/** Wasm modules by name: /modules/<name>.wasm. Add a module here to use it from a page. */
export const MODULES = {
  // The raw-ABI module built by inos-wasm/run-tests.sh (stable, wasm32-wasip1-threads).
  inos_wasm: process.env.INOS_WASM ?? path.join(TARGET, 'wasm32-wasip1-threads', 'release', 'inos_wasm.wasm'),
};

/**
 * Built npm-style packages, by URL prefix: /pkg/<name>/<file> from the folder (a build output
 * under target/, not the repository). Add a package here to import it from a page.
 */
export const PACKAGES = {
  // The wasm-bindgen module with the typed JS/TS API (inos-web/build.sh).
  'inos-web': process.env.INOS_WEB_PKG ?? path.join(TARGET, 'inos-web', 'pkg'),
  // inos-web plus the example Rust compute module's exports (examples/web-module/build.sh).
  'web-module': process.env.INOS_WEB_MODULE_PKG ?? path.join(TARGET, 'web-module', 'pkg'),
};

/** URL prefixes served from the repository (anything else is 404). */
const SERVED = ['/web/pages/', '/inos-wasm/js/', '/examples/web/'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function resolve(urlPath) {
  const m = /^\/modules\/([A-Za-z0-9_-]+)\.wasm$/.exec(urlPath);
  if (m) return Object.hasOwn(MODULES, m[1]) ? MODULES[m[1]] : null;
  const pkg = /^\/pkg\/([A-Za-z0-9_-]+)\/(.+)$/.exec(urlPath);
  if (pkg) {
    if (!Object.hasOwn(PACKAGES, pkg[1])) return null;
    const dir = path.resolve(PACKAGES[pkg[1]]);
    const file = path.resolve(dir, pkg[2]);
    return file.startsWith(dir + path.sep) ? file : null; // no way out of the package
  }
  if (urlPath === '/' || urlPath === '/favicon.ico') return null;
  if (!SERVED.some((p) => urlPath.startsWith(p))) return null;
  const file = path.resolve(ROOT, '.' + urlPath);
  if (!file.startsWith(ROOT + path.sep)) return null; // no way out of the repository
  return file;
}

/**
 * Starts a server on 127.0.0.1 (port 0 = a random free port). Resolves with
 * `{ url, port, close() }`.
 */
export function startServer({ isolated = true, port = 0, log = false } = {}) {
  const server = http.createServer((req, res) => {
    const headers = { 'Cache-Control': 'no-store', ...(isolated ? ISOLATION_HEADERS : {}) };
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    if (urlPath.endsWith('/')) urlPath += 'index.html';
    const file = resolve(urlPath);
    if (log) console.log(`${req.method} ${urlPath} -> ${file ?? '404'}`);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const p = server.address().port;
      ok({
        url: `http://127.0.0.1:${p}`,
        port: p,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const { url } = await startServer({
    isolated: !args.includes('--plain'),
    port: portAt >= 0 ? Number(args[portAt + 1]) : 0,
    log: args.includes('--log'),
  });
  console.log(`serving ${ROOT} (${args.includes('--plain') ? 'no isolation headers' : 'cross-origin isolated'}) at ${url}`);
  console.log(`  tests:   ${url}/web/pages/tests.html`);
  console.log(`  bench:   ${url}/web/pages/bench.html`);
  console.log(`  example: ${url}/examples/web/`);
  console.log(`  packages: ${Object.keys(PACKAGES).map((p) => `${url}/pkg/${p}/index.js`).join(" ")}`);
}
