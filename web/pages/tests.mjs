// The browser tests (main thread). Each test returns plain counts; web/run.mjs asserts them
// exactly (the page never decides pass/fail itself, so a result can always be inspected).
// `window.inosPage = { kind, names, run(name) -> Promise<JSON string> }`.
import { STATUS, MainThreadError } from '/inos-wasm/js/inos.mjs';
import { RingConsumer, Epoch, RING } from '/inos-wasm/js/reference.mjs';
import { Ledger } from '/inos-wasm/js/reference-ledger.mjs';
import { checkMessage } from '/inos-wasm/js/messages.mjs';
import { loadModule, errorText, spawn, popAsync, heartbeat, toJson, IsolationError, EPOCH, requireIsolation, startRoles } from './lib.mjs';

/** Sizes of the tests (web/run.mjs asserts against the same numbers, returned in each result). */
const N = { mpsc: 10_000, maxBody: 400, rounds: 2_000, ledgerOps: 20_000, jsLedgerOps: 10_000 };

/**
 * The wasm-bindgen build: the example Rust compute module (examples/web-module, which embeds
 * inos-web), loaded on the main thread (`init()` creates the shared memory). inos-web's API plus
 * the module's own export `produceTestMessages`.
 */
async function loadWebModule() {
  requireIsolation();
  const web = await import('/pkg/web-module/index.js');
  const { produceTestMessages } = await import('/pkg/web-module/inos_web.js');
  await web.default();
  return { ...web, produceTestMessages };
}

/** A call's outcome as JSON-safe data: its value, or the error's class, `code` and message. */
function attempt(web, fn) {
  const t0 = performance.now();
  try {
    const v = fn();
    return { threw: false, value: v === undefined ? 'undefined' : v, ms: performance.now() - t0 };
  } catch (e) {
    return {
      threw: true, name: e?.name, code: e?.code ?? null, inosError: e instanceof web.InosError,
      message: String(e?.message ?? e), ms: performance.now() - t0,
    };
  }
}

const tests = {
  /** Cross-origin isolation and what fails without it (run on both servers). */
  async isolation() {
    const r = {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer,
      setupError: null,
      setupErrorName: null,
      memoryShared: null,
      postError: null,
    };
    try {
      const env = await loadModule();
      r.memoryShared = env.memory.buffer instanceof SharedArrayBuffer;
    } catch (e) {
      r.setupError = String(e.message);
      r.setupErrorName = e instanceof IsolationError ? 'IsolationError' : e.name;
    }
    // Without the loader's check: hand a shared memory to a worker directly.
    try {
      const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const w = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
      try {
        w.postMessage({ role: 'none', budgetMs: 1, memory: mem });
      } finally {
        w.terminate();
      }
    } catch (e) {
      r.postError = `${e.name}: ${e.message}`;
    }
    return r;
  },

  /**
   * A Rust (wasm) worker and a pure-JS reference worker produce into the MPSC inbox ring; the main
   * thread consumes with Atomics.waitAsync, never blocking, and checks every message.
   */
  async mpsc() {
    const env = await loadModule();
    const ring = env.main.region('inbox');
    const consumer = new RingConsumer(env.memory.buffer, ring.addr, ring.size, { expectKind: 'mpsc' });
    const beat = heartbeat();
    const producers = Promise.all([
      spawn(env, { role: 'rust-producer', slot: 1, ring: ring.addr, ringLen: ring.size, tag: 11, n: N.mpsc, maxBody: N.maxBody }),
      spawn(env, { role: 'js-producer', ring: ring.addr, ringLen: ring.size, tag: 10, n: N.mpsc, maxBody: N.maxBody }),
    ]);
    let failed = null;
    producers.catch((e) => { failed = e; });
    const next = { 10: 0, 11: 0 };
    const stats = { asyncWaits: 0 };
    let got = 0, outOfOrder = 0;
    while (got < 2 * N.mpsc) {
      if (failed) throw failed;
      const m = await popAsync(consumer, 1000, stats);
      if (m === null) continue;
      const { tag, seq } = checkMessage(m, N.maxBody); // length, checksum, every byte
      if (next[tag] !== seq) outOfOrder++;
      next[tag] = seq + 1;
      got++;
    }
    const sent = await producers;
    const extra = consumer.tryPop() !== null;
    consumer.close();
    const ticks = beat.stop();
    return {
      n: N.mpsc, sent: sent.map((s) => s.sent), got, perTag: next, outOfOrder, extra,
      asyncWaits: stats.asyncWaits, heartbeatTicks: ticks, ringKind: consumer.kind === RING.KIND_MPSC ? 'mpsc' : 'spsc',
    };
  },

  /**
   * The wasm-bindgen build: a Rust worker (examples/web-module: the producing loop is Rust, one
   * call from JS) and a pure-JS reference worker (reference.mjs on the module's memory) produce
   * into one MPSC ring allocated with `allocRegion`; the main thread consumes with inos-web's
   * `await consumer.popAsync()` only (plus the non-blocking `tryPop`) and checks every message.
   */
  async rustMpsc() {
    const web = await loadWebModule();
    const cap = 16 * 1024; // small: both producers often find it full and sleep in workers
    const ringLen = web.Ring.requiredLength(cap);
    const ring = web.allocRegion(ringLen);
    web.Ring.init(ring, ringLen, cap, 'mpsc');
    const go = web.allocRegion(8); // an epoch slot: the producers start when the main thread waits
    const consumer = web.Ring.consumer(ring, ringLen);
    const beat = heartbeat();
    const common = { ring, ringLen, go, n: N.mpsc, maxBody: N.maxBody };
    const { results, stop } = await startRoles(web, [
      { role: 'rust-producer', tag: 11, ...common },
      { role: 'js-producer', tag: 10, ...common },
    ], 30_000);
    let failed = null;
    results.catch((e) => { failed = e; });
    const next = { 10: 0, 11: 0 };
    let got = 0, outOfOrder = 0, awaitedEmpty = 0, timeouts = 0, started = false, sent, extra;
    try {
      while (got < 2 * N.mpsc) {
        if (failed) throw failed;
        let m = consumer.tryPop();
        if (m === undefined) {
          awaitedEmpty++;
          const p = consumer.popAsync(1000);
          if (!started) {
            started = true; // the first wait is certainly on an empty ring: nobody produced yet
            new web.Epoch(go).signal();
          }
          m = await p;
          if (m === undefined) {
            if (++timeouts > 30) throw new Error(`no message for 30 s after ${got}`);
            continue;
          }
        }
        const { tag, seq } = checkMessage(m, N.maxBody); // length, checksum, every byte
        if (next[tag] !== seq) outOfOrder++;
        next[tag] = seq + 1;
        got++;
      }
      sent = await results;
      extra = consumer.tryPop() !== undefined;
    } finally {
      stop();
    }
    consumer.close();
    return {
      n: N.mpsc, sent: sent.map((s) => s.sent), rustWorkerCanBlock: sent[0].canBlock, mainCanBlock: web.canBlock(),
      got, perTag: next, outOfOrder, extra, awaitedEmpty, heartbeatTicks: beat.stop(),
    };
  },

  /**
   * The wasm-bindgen build on the main thread: every blocking call through inos-web — JS API or
   * the Rust module's own loop — is refused with `InosError` `WouldBlock` (in Firefox too, where a
   * wasm wait would block), the non-blocking calls work, and `waitAsync` resolves, on a timeout
   * and on a worker's signal.
   */
  async rustMainThread() {
    const web = await loadWebModule();
    const slots = web.allocRegion(64); // epoch slots: idle at +0, target at +8, go at +16
    const idle = new web.Epoch(slots), target = new web.Epoch(slots + 8), go = new web.Epoch(slots + 16);
    const ringLen = web.Ring.requiredLength(64);
    const full = web.allocRegion(ringLen), empty = web.allocRegion(ringLen);
    web.Ring.init(full, ringLen, 64, 'mpsc');
    web.Ring.init(empty, ringLen, 64, 'spsc');
    const producer = web.Ring.producer(full, ringLen);
    let filled = 0;
    while (producer.tryPush(new Uint8Array(8))) filled++;
    const consumer = web.Ring.consumer(empty, ringLen);
    const i32 = new Int32Array(web.sharedMemory().buffer);
    const r = {
      canBlock: web.canBlock(),
      filled,
      // The platform: a plain Atomics.wait on the main thread (reported).
      atomicsWait: attempt(web, () => Atomics.wait(i32, slots >> 2, 0, 200)),
      epochWait: attempt(web, () => idle.wait(0, 200)),
      popWait: attempt(web, () => consumer.popWait(200)),
      pushWait: attempt(web, () => producer.pushWait(new Uint8Array(8), 200)),
      // The Rust module's own producing loop (Rust code calling inos-web's blocking push).
      rustLoop: attempt(web, () => web.produceTestMessages(full, ringLen, 1, 10, 8, 200)),
      // Non-blocking calls work here.
      tryPopEmpty: attempt(web, () => consumer.tryPop()),
      tryPushFull: attempt(web, () => producer.tryPush(new Uint8Array(8))),
      epochLoad: attempt(web, () => idle.load()),
    };
    // Promise-based waits: a timeout, then a worker's signal.
    r.waitAsyncTimeout = String(await idle.waitAsync(0, 20));
    const { results, stop } = await startRoles(web, [{ role: 'signaller', go: slots + 16, target: slots + 8 }], 20_000);
    try {
      const woken = target.waitAsync(0, 15_000);
      go.signal();
      r.waitAsyncWoken = String(await woken);
      r.signaller = (await results)[0];
    } finally {
      stop();
    }
    producer.close();
    consumer.close();
    return r;
  },

  /** Worker ↔ worker epoch wake-ups: a wasm worker and a JS worker ping-pong on two epochs. */
  async epochs() {
    const env = await loadModule();
    const base = env.plan.regionBase;
    const ping = base + EPOCH.PULSE, pong = base + EPOCH.SYSTEM;
    const beat = heartbeat();
    const [pinger, ponger] = await Promise.all([
      spawn(env, { role: 'wasm-pinger', slot: 1, ping, pong, rounds: N.rounds, pongStart: 0 }),
      spawn(env, { role: 'js-ponger', ping, pong, rounds: N.rounds, pingStart: 0 }),
    ]);
    const inOrder = (xs) => xs.length === N.rounds && xs.every((v, i) => v === i + 1);
    return {
      rounds: N.rounds,
      pingerSaw: pinger.seen.length, pongerSaw: ponger.seen.length,
      pingerInOrder: inOrder(pinger.seen), pongerInOrder: inOrder(ponger.seen),
      pongerBlocked: ponger.waits, pingFinal: new Epoch(env.memory.buffer, ping).load(),
      pongFinal: new Epoch(env.memory.buffer, pong).load(), heartbeatTicks: beat.stop(),
    };
  },

  /** The main thread never blocks: every blocking path refuses there (and waitAsync works). */
  async mainThread() {
    const env = await loadModule();
    const addr = env.plan.regionBase + EPOCH.PULSE;
    const i32 = new Int32Array(env.memory.buffer);
    const cur = Atomics.load(i32, addr >> 2);
    const attempt = (fn) => {
      const t0 = performance.now();
      try {
        const value = fn();
        return { threw: false, value: typeof value === 'bigint' ? String(value) : value, ms: performance.now() - t0 };
      } catch (e) {
        return { threw: true, name: e instanceof MainThreadError ? 'MainThreadError' : e.name, message: String(e.message), ms: performance.now() - t0 };
      }
    };
    const r0 = {};
    const r = {
      // The platform: a plain Atomics.wait on the main thread.
      atomicsWait: attempt(() => Atomics.wait(i32, addr >> 2, cur, 200)),
      // Our API refuses before reaching the module.
      epochWaitChanged: attempt(() => env.main.epochWaitChanged(addr, cur, 200)),
      ringPopWait: attempt(() => {
        const ring = env.main.region('outbox_host');
        const h = env.main.ringConsumer(ring.addr, ring.size);
        try {
          return env.main.pop(h, 200);
        } finally {
          env.main.ringClose(h);
        }
      }),
      // The raw export called directly: its wait import refuses (and the module sees an exception).
      rawExport: attempt(() => env.main.x.inos_epoch_wait_changed(env.plan.regionBase + 0x440, 0, 200)),
      // The same for a raw ring wait export; the call never finishes, so the handle it had
      // checked out stays BUSY (inos-wasm/README.md): the status of a later non-blocking pop.
      rawRingWait: attempt(() => {
        const ring = env.main.region('outbox_kernel');
        const h = env.main.ringConsumer(ring.addr, ring.size);
        try {
          return env.main.x.inos_ring_pop_wait(h, env.main.scratch, 64, 200);
        } finally {
          r0.handleAfterRawWait = env.main.x.inos_ring_pop(h, env.main.scratch, 64);
        }
      }),
      // The JS reference party's blocking wait (plain Atomics.wait inside).
      referenceWait: attempt(() => new Epoch(env.memory.buffer, addr).waitChanged(cur, 200)),
      // The non-blocking calls work on the main thread.
      nonBlockingPop: attempt(() => {
        const ring = env.main.region('outbox_host');
        const h = env.main.ringConsumer(ring.addr, ring.size);
        try {
          return env.main.pop(h);
        } finally {
          env.main.ringClose(h);
        }
      }),
    };
    const wa = Atomics.waitAsync(i32, addr >> 2, cur, 20);
    r.waitAsync = { async: wa.async, value: wa.async ? await wa.value : wa.value };
    r.status = { EMPTY: STATUS.EMPTY, BUSY: STATUS.BUSY };
    r.handleAfterRawWait = r0.handleAfterRawWait;
    return r;
  },

  /**
   * The ledger: two wasm workers (transfers, holds, settles, voids) and one pure-JS reference
   * worker (transfers) at once; then audits by the module and by the JS reference.
   */
  async ledger() {
    const env = await loadModule();
    const { main } = env;
    const l = main.region('ledger');
    const accounts = [];
    for (let i = 0; i < 8; i++) accounts.push(main.ledgerOpen(l.addr, l.size));
    for (const a of accounts) main.ledgerMint(l.addr, l.size, a, 1_000);
    const beat = heartbeat();
    const common = { ledger: l.addr, ledgerLen: l.size, accounts };
    const results = await Promise.all([
      spawn(env, { role: 'wasm-ledger', slot: 1, ops: N.ledgerOps, seed: 7919, ...common }),
      spawn(env, { role: 'wasm-ledger', slot: 2, ops: N.ledgerOps, seed: 15838, ...common }),
      spawn(env, { role: 'js-ledger', ops: N.jsLedgerOps, seed: 31, ...common }),
    ]);
    const audit = main.ledgerAudit(l.addr, l.size);
    const ref = Ledger.attach(env.memory.buffer, l.addr, l.size).audit();
    let sum = 0n, negative = 0;
    for (const a of accounts) {
      const b = main.ledgerBalance(l.addr, l.size, a);
      if (b < 0n) negative++;
      sum += BigInt(b);
    }
    return {
      accounts: accounts.length, minted: 8_000, workers: results, sumOfBalances: sum,
      audit: { ...audit, ok: audit.status === STATUS.OK }, referenceAudit: ref, negativeBalances: negative,
      overdraft: main.ledgerTransfer(l.addr, l.size, accounts[0], accounts[1], 1_000_000) === STATUS.LEDGER_INSUFFICIENT_FUNDS,
      heartbeatTicks: beat.stop(),
    };
  },
};

window.inosPage = {
  kind: 'tests',
  names: Object.keys(tests),
  async run(name) {
    try {
      return toJson({ ok: true, result: await tests[name]() });
    } catch (e) {
      return toJson({ ok: false, error: errorText(e) });
    }
  },
};
