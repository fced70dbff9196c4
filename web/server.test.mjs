// The static server's contract (node --test web/server.test.mjs): isolation headers on every
// response in isolated mode and none in plain mode, MIME types, and nothing served outside the
// listed folders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, MODULES, PACKAGES } from './server.mjs';

const HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

test('isolated mode: COOP/COEP/CORP and MIME types on every response; 127.0.0.1 only', async () => {
  const s = await startServer();
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const cases = [
      ['/web/pages/tests.html', 200, 'text/html; charset=utf-8'],
      ['/web/pages/lib.mjs', 200, 'text/javascript; charset=utf-8'],
      ['/inos-wasm/js/inos.mjs', 200, 'text/javascript; charset=utf-8'],
      ['/examples/web/', 200, 'text/html; charset=utf-8'],
      ['/nothing-here.js', 404, 'text/plain'],
    ];
    if (fs.existsSync(MODULES.inos_wasm)) cases.push(['/modules/inos_wasm.wasm', 200, 'application/wasm']);
    for (const [name, dir] of Object.entries(PACKAGES)) {
      if (!fs.existsSync(path.join(dir, 'index.js'))) continue;
      cases.push([`/pkg/${name}/index.js`, 200, 'text/javascript; charset=utf-8']);
      cases.push([`/pkg/${name}/inos_web_bg.wasm`, 200, 'application/wasm']);
      cases.push([`/pkg/${name}/nothing.js`, 404, 'text/plain']);
    }
    for (const [p, status, type] of cases) {
      const r = await fetch(s.url + p);
      await r.arrayBuffer();
      assert.equal(r.status, status, p);
      assert.equal(r.headers.get('content-type'), type, p);
      for (const [k, v] of Object.entries(HEADERS)) assert.equal(r.headers.get(k), v, `${p}: ${k}`);
    }
  } finally {
    await s.close();
  }
});

test('nothing outside the served folders: the repository, .., unknown modules', async () => {
  const s = await startServer();
  try {
    for (const p of ['/', '/Cargo.toml', '/web/package.json', '/web/../Cargo.toml', '/web/pages/%2e%2e/%2e%2e/Cargo.toml',
      '/inos-wasm/js/../../Cargo.toml', '/modules/nope.wasm', '/modules/../Cargo.toml', '/target/',
      '/pkg/nope/index.js', '/pkg/inos-web/../../../Cargo.toml', '/pkg/inos-web/%2e%2e/%2e%2e/%2e%2e/Cargo.toml',
      '/pkg/inos-web/', '/pkg/web-module/..%2f..%2f..%2fCargo.toml']) {
      const r = await fetch(s.url + p);
      await r.arrayBuffer();
      assert.equal(r.status, 404, p);
    }
  } finally {
    await s.close();
  }
});

test('plain mode sends none of the isolation headers (the negative test)', async () => {
  const s = await startServer({ isolated: false });
  try {
    const r = await fetch(`${s.url}/web/pages/tests.html`);
    await r.arrayBuffer();
    assert.equal(r.status, 200);
    for (const k of Object.keys(HEADERS)) assert.equal(r.headers.get(k), null, k);
  } finally {
    await s.close();
  }
});
