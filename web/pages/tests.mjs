// The browser tests (main thread). Each test returns plain counts; web/run.mjs asserts them
// exactly (the page never decides pass/fail itself, so a result can always be inspected).
// `window.inosPage = { kind, names, run(name) -> Promise<JSON string> }`.
import { STATUS, MainThreadError } from '/inos-wasm/js/inos.mjs';
import { RingConsumer, Epoch, RING } from '/inos-wasm/js/reference.mjs';
import { Ledger } from '/inos-wasm/js/reference-ledger.mjs';
import { checkMessage } from '/inos-wasm/js/messages.mjs';
import { loadModule, errorText, spawn, popAsync, heartbeat, toJson, IsolationError, EPOCH } from './lib.mjs';

/** Sizes of the tests (web/run.mjs asserts against the same numbers, returned in each result). */
const N = { mpsc: 10_000, maxBody: 400, rounds: 2_000, ledgerOps: 20_000, jsLedgerOps: 10_000 };

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
