// Drives the browser pages with puppeteer-core (pinned in package.json) in Debian's Chromium and
// Firefox ESR, against web/server.mjs on 127.0.0.1 (a random free port).
//
//   node web/run.mjs                                  # tests, both browsers
//   node web/run.mjs --browser firefox                # one browser (chromium | firefox | all)
//   node web/run.mjs --suite bench [--quick]          # benchmark page -> target/web-bench.json
//   node web/run.mjs --suite bench --only ringRust --out /tmp/x.json  # some benches (bench.mjs keys)
//   node web/run.mjs --suite example                  # the example page reaches its final state
//
// Every test runs in a fresh page, bounded by a timeout; pages return JSON strings (Firefox
// loses repeated objects in structured results), and the assertions are made here, exactly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { startServer, ROOT, MODULES, PACKAGES } from './server.mjs';
import { CHECKS, PLAIN_CHECKS, checkExample } from './checks.mjs';

export const BROWSERS = {
  chromium: {
    browser: 'chrome',
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // --no-sandbox: CI runs as root. The rest keeps a headless run quiet and offline.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-default-apps', '--disable-sync'],
  },
  firefox: {
    browser: 'firefox', // WebDriver BiDi: Debian's Firefox ESR needs no preferences
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    args: [],
  },
};

function parseArgs(argv) {
  const o = { browser: 'all', suite: 'tests', quick: false, out: path.join(ROOT, 'target', 'web-bench.json'), timeoutMs: 90_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--browser') o.browser = argv[++i];
    else if (a === '--suite') o.suite = argv[++i];
    else if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = argv[++i].split(',');
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else if (a === '--timeout') o.timeoutMs = Number(argv[++i]) * 1000;
    else throw new Error(`unknown argument ${a}`);
  }
  o.browsers = o.browser === 'all' ? Object.keys(BROWSERS) : o.browser.split(',');
  for (const b of o.browsers) if (!BROWSERS[b]) throw new Error(`unknown browser ${b}`);
  return o;
}

/** Rejects after `ms` (and clears its timer either way, so Node does not linger). */
function bounded(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

export async function launch(name) {
  const b = BROWSERS[name];
  if (!fs.existsSync(b.executablePath)) throw new Error(`${name}: ${b.executablePath} not found (apt-get install -y chromium firefox-esr)`);
  return puppeteer.launch({
    browser: b.browser, executablePath: b.executablePath, headless: true, args: b.args, protocolTimeout: 180_000,
  });
}

/**
 * Opens `url` in a fresh page, waits for `window.inosPage`, calls `inosPage.run(name, options)`
 * and returns the parsed result `{ ok, result | error }` (plus the page's console errors).
 */
export async function runInPage(browser, url, name, options, timeoutMs, screenshot) {
  const page = await browser.newPage();
  const logs = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') logs.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => logs.push(`pageerror: ${e.message ?? e}`));
  try {
    return await bounded((async () => {
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction(() => window.inosPage !== undefined, { timeout: 20_000 });
      const json = await page.evaluate((n, o) => window.inosPage.run(n, o), name, options ?? {});
      if (screenshot) await page.screenshot({ path: screenshot });
      return { ...JSON.parse(json), logs };
    })(), timeoutMs, `${url} ${name}`);
  } catch (e) {
    return { ok: false, error: String(e && e.stack || e), logs };
  } finally {
    await page.close().catch(() => {});
  }
}

async function suiteTests(browser, name, servers, o, tally) {
  const cases = [
    ...Object.keys(CHECKS).map((t) => ({ t, url: `${servers.isolated.url}/web/pages/tests.html`, check: CHECKS[t], label: t })),
    ...Object.keys(PLAIN_CHECKS).map((t) => ({ t, url: `${servers.plain.url}/web/pages/tests.html`, check: PLAIN_CHECKS[t], label: `${t} (no COOP/COEP: must fail cleanly)` })),
  ];
  for (const c of cases) {
    const t0 = Date.now();
    const r = await runInPage(browser, c.url, c.t, {}, o.timeoutMs);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    try {
      if (!r.ok) throw new Error(r.error);
      c.check(r.result, name);
      tally.pass++;
      console.log(`ok   ${name} ${c.label} (${secs} s)`);
      if (process.env.VERBOSE) console.log(JSON.stringify(r.result));
    } catch (e) {
      tally.fail++;
      console.log(`FAIL ${name} ${c.label} (${secs} s)\n  ${String(e.message ?? e).split('\n').join('\n  ')}`);
      if (r.ok) console.log(`  result: ${JSON.stringify(r.result)}`);
      if (r.logs.length) console.log(`  page log:\n    ${r.logs.join('\n    ')}`);
    }
  }
}

async function suiteBench(browser, name, servers, o, tally, report) {
  const loadBefore = os.loadavg()[0];
  const r = await runInPage(browser, `${servers.isolated.url}/web/pages/bench.html`, 'all', { quick: o.quick, only: o.only ?? null }, o.timeoutMs * (o.quick ? 1 : 4));
  if (!r.ok) {
    tally.fail++;
    console.log(`FAIL ${name} bench\n  ${r.error}`);
    if (r.logs.length) console.log(`  page log:\n    ${r.logs.join('\n    ')}`);
    return;
  }
  // The machine's load around the run: figures from a busy machine are not comparable.
  const machine = { nproc: os.cpus().length, loadavg1_before: loadBefore, loadavg1_after: os.loadavg()[0] };
  report.browsers[name] = { version: await browser.version(), machine, ...r.result };
  tally.pass++;
  console.log(`ok   ${name} bench (${Object.keys(r.result.results).length} measurements)`);
}

async function suiteExample(browser, name, servers, o, tally) {
  const shot = path.join(ROOT, 'target', `web-example-${name}.png`);
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  fs.rmSync(shot, { force: true });
  const r = await runInPage(browser, `${servers.isolated.url}/examples/web/index.html`, 'check', {}, o.timeoutMs, shot);
  try {
    if (!r.ok) throw new Error(r.error);
    checkExample(r.result, name);
    // The headless screenshot: a PNG of the page, with the drawn canvas in it.
    const png = fs.readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString(), 'PNG', 'a PNG screenshot');
    assert.ok(png.length > 10_000, `screenshot of ${png.length} bytes: the canvas is not drawn`);
    tally.pass++;
    console.log(`ok   ${name} example page: ${JSON.stringify(r.result.summary)}; screenshot ${path.relative(process.cwd(), shot)}`);
  } catch (e) {
    tally.fail++;
    console.log(`FAIL ${name} example page\n  ${e.message}`);
    if (r.logs?.length) console.log(`  page log:\n    ${r.logs.join('\n    ')}`);
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  for (const [m, file] of Object.entries(MODULES)) {
    if (!fs.existsSync(file)) throw new Error(`module ${m}: ${file} is missing (build it: inos-wasm/run-tests.sh)`);
  }
  if (o.suite !== 'bench' && !fs.existsSync(path.join(PACKAGES['web-module'], 'index.js'))) {
    throw new Error(`package web-module: ${PACKAGES['web-module']} is missing (build it: examples/web-module/build.sh)`);
  }
  const servers = { isolated: await startServer({ isolated: true }), plain: await startServer({ isolated: false }) };
  const tally = { pass: 0, fail: 0 };
  const report = { generated: new Date().toISOString(), quick: o.quick, only: o.only ?? null, browsers: {} };
  try {
    for (const name of o.browsers) {
      const t0 = Date.now();
      const browser = await launch(name);
      try {
        console.log(`# ${name}: ${await browser.version()}`);
        if (o.suite === 'tests') await suiteTests(browser, name, servers, o, tally);
        else if (o.suite === 'bench') await suiteBench(browser, name, servers, o, tally, report);
        else if (o.suite === 'example') await suiteExample(browser, name, servers, o, tally);
        else throw new Error(`unknown suite ${o.suite}`);
      } finally {
        await bounded(browser.close(), 20_000, `${name} close`).catch((e) => {
          console.log(`# ${name}: close: ${e.message}; killing it`);
          browser.process()?.kill('SIGKILL');
        });
      }
      console.log(`# ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await servers.isolated.close();
    await servers.plain.close();
  }
  if (o.suite === 'bench' && tally.fail === 0) {
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, JSON.stringify(report, null, 2) + '\n');
    console.log(`# wrote ${path.relative(process.cwd(), o.out)}`);
  }
  console.log(`# pass ${tally.pass}\n# fail ${tally.fail}`);
  process.exitCode = tally.fail === 0 && tally.pass > 0 ? 0 : 1;
}

await main();
