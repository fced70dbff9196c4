// Module Web Worker for the browser tests and benchmarks: one role per worker, chosen by the
// first message `{ role, d }` (d carries the WebAssembly.Module, the shared WebAssembly.Memory and
// the plan from lib.mjs). Replies `{ ok: true, result }` or `{ ok: false, error }`.
//
// Workers may block (Atomics.wait, the module's blocking exports); the main thread never does.
// Roles that do not need the wasm module never instantiate it (the JS reference parties).
import { instantiate, STATUS, statusName, FOREVER } from '/inos-wasm/js/inos.mjs';
import { RingConsumer, RingProducer, Epoch } from '/inos-wasm/js/reference.mjs';
import { Ledger, LedgerError } from '/inos-wasm/js/reference-ledger.mjs';
import { makeMessage } from '/inos-wasm/js/messages.mjs';
import { ledgerWorkload, lcg, pickPair } from '/inos-wasm/js/ledger-workload.mjs';
import { benchRoles } from './bench-roles.mjs';
import { errorText } from './lib.mjs';

let d;
let deadline = 0;
const timeLeft = () => deadline - performance.now();
const expire = (what) => {
  throw new Error(`${what}: worker budget of ${d.budgetMs} ms exhausted`);
};
const wasm = () => instantiate(d.module, d.memory, d.plan, d.slot);

const roles = {
  // Rust (wasm) producer: n messages tagged `tag`, blocking in inos_ring_push_wait when full.
  'rust-producer'() {
    const inos = wasm();
    const h = inos.ringProducer(d.ring, d.ringLen);
    for (let seq = 0; seq < d.n; seq++) {
      const msg = makeMessage(d.tag, seq, d.maxBody);
      for (;;) {
        const r = inos.push(h, msg, 1000);
        if (r === STATUS.OK) break;
        if (r !== STATUS.TIMED_OUT) throw new Error(`push: ${statusName(r)}`);
        if (timeLeft() <= 0) expire(`rust-producer at seq ${seq}`);
      }
    }
    inos.ringClose(h);
    return { sent: d.n };
  },

  // Pure-JS producer (reference.mjs): no wasm in this worker.
  'js-producer'() {
    const p = new RingProducer(d.memory.buffer, d.ring, d.ringLen);
    for (let seq = 0; seq < d.n; seq++) {
      const msg = makeMessage(d.tag, seq, d.maxBody);
      while (!p.push(msg, 1000)) {
        if (timeLeft() <= 0) expire(`js-producer at seq ${seq}`);
      }
    }
    p.close();
    return { sent: d.n };
  },

  // Epoch ping-pong, wasm side: signal `ping`, block in the module's wait until `pong` moves.
  'wasm-pinger'() {
    const inos = wasm();
    const seen = [];
    let pong = d.pongStart;
    for (let i = 0; i < d.rounds; i++) {
      inos.epochSignal(d.ping);
      let v;
      while ((v = inos.epochWaitChanged(d.pong, pong, 1000)) === null) {
        if (timeLeft() <= 0) expire(`wasm-pinger round ${i}`);
      }
      seen.push(v);
      pong = v;
    }
    return { seen };
  },

  // Epoch ping-pong, JS reference side: block in Atomics.wait until `ping` moves, signal `pong`.
  'js-ponger'() {
    const ping = new Epoch(d.memory.buffer, d.ping);
    const pong = new Epoch(d.memory.buffer, d.pong);
    const seen = [];
    let last = d.pingStart; // not ping.load(): the pinger may already have signalled
    for (let i = 0; i < d.rounds; i++) {
      let v;
      while ((v = ping.waitChanged(last, 1000)) === null) {
        if (timeLeft() <= 0) expire(`js-ponger round ${i}`);
      }
      seen.push(v);
      last = v;
      pong.signal();
    }
    return { seen, waits: ping.stats.waits };
  },

  // Ledger through the wasm exports: random transfers, holds, settles and voids (the workload
  // of the Node tests).
  'wasm-ledger'() {
    return ledgerWorkload(wasm(), d);
  },

  // Ledger through the pure-JS reference party (reference-ledger.mjs): transfers only.
  'js-ledger'() {
    const l = Ledger.attach(d.memory.buffer, d.ledger, d.ledgerLen);
    const rnd = lcg(d.seed);
    const counts = { transfers: 0, refused: 0 };
    for (let i = 0; i < d.ops; i++) {
      const [a, b] = pickPair(d.accounts, rnd);
      try {
        l.transfer(a, b, BigInt(1 + rnd(50)));
        counts.transfers++;
      } catch (e) {
        if (!(e instanceof LedgerError) || e.name !== 'InsufficientFunds') throw e;
        counts.refused++;
      }
    }
    return counts;
  },

  // A consumer in a worker (used by the benchmarks' ring throughput and by later pages).
  'js-consumer-count'() {
    const c = new RingConsumer(d.memory.buffer, d.ring, d.ringLen);
    let got = 0;
    while (got < d.total) {
      if (c.pop(1000) !== null) got++;
      else if (timeLeft() <= 0) expire(`js-consumer-count after ${got}`);
    }
    c.close();
    return { got };
  },

  ...benchRoles,
};

self.onmessage = async (ev) => {
  d = ev.data;
  deadline = performance.now() + d.budgetMs;
  try {
    const fn = roles[d.role];
    if (!fn) throw new Error(`unknown role ${d.role}`);
    const ctx = { d, wasm, timeLeft, expire, FOREVER };
    const result = await fn.call(ctx, ctx);
    self.postMessage({ ok: true, result });
  } catch (e) {
    self.postMessage({ ok: false, error: `${d.role}: ${errorText(e)}` });
  }
};
