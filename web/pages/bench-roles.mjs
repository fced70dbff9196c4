// Worker roles of the benchmark page (web/pages/bench.mjs); loaded by worker.mjs. Every role
// times itself with its own performance.now() (clocks of different workers are never compared:
// latencies are round trips measured by one party), and each transport has its own fill/sum
// functions (a shared JIT-warmed loop would favour whichever ran first).
import { STATUS, statusName } from '/inos-wasm/js/inos.mjs';
import { Epoch, RingProducer, RingConsumer } from '/inos-wasm/js/reference.mjs';

/**
 * The smallest non-zero step of performance.now() seen in `samples` steps (ms): the clock's
 * resolution in this context (coarsened by the browser; finer under cross-origin isolation).
 */
export function timerResolution(samples = 200) {
  let min = Infinity;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    let t1;
    do t1 = performance.now(); while (t1 === t0);
    min = Math.min(min, t1 - t0);
  }
  return min;
}

/** Waits (blocking: workers only) until `epoch` moves past `last`, within the role's budget. */
function waitEpoch(ctx, epoch, last, what) {
  let v;
  while ((v = epoch.waitChanged(last, 1000)) === null) {
    if (ctx.timeLeft() <= 0) ctx.expire(what);
  }
  return v;
}

// Descriptor words of the shared-region hand-off (in the bench's control block, see bench.mjs):
// [seq, offset, length, checksum]
const DESC = { SEQ: 0, OFF: 1, LEN: 2, SUM: 3 };

function fillShared(u32, from, words, seed) {
  for (let i = 0; i < words; i++) u32[from + i] = (seed + i) | 0;
}
function sumShared(u32, from, words) {
  let s = 0;
  for (let i = 0; i < words; i++) s = (s + u32[from + i]) | 0;
  return s;
}
function fillPrivate(u32, seed) {
  for (let i = 0; i < u32.length; i++) u32[i] = (seed + i) | 0;
}
function sumPrivate(u32) {
  let s = 0;
  for (let i = 0; i < u32.length; i++) s = (s + u32[i]) | 0;
  return s;
}
function sumTransferred(u32) {
  let s = 0;
  for (let i = 0; i < u32.length; i++) s = (s + u32[i]) | 0;
  return s;
}
function fillTransferred(u32, seed) {
  for (let i = 0; i < u32.length; i++) u32[i] = (seed + i) | 0;
}
/** The checksum `fill*(…, seed)` produces over `words` words. */
function expectedSum(words, seed) {
  let s = 0;
  for (let i = 0; i < words; i++) s = (s + ((seed + i) | 0)) | 0;
  return s;
}

export const benchRoles = {
  'timer-resolution'() {
    return { ms: timerResolution() };
  },

  /**
   * Round trips through two epochs with the module's calls: signal `ping`, block in the wasm wait
   * until `pong` moves. The partner is another worker (wasm-ponger) or the main thread
   * (waitAsync, or setInterval polling). Returns every round trip after `warmup`, in ms.
   */
  'lat-pinger'({ d, wasm, timeLeft, expire }) {
    const inos = wasm();
    const rtt = [];
    let pong = 0;
    for (let i = 0; i < d.warmup + d.rounds; i++) {
      const t0 = performance.now();
      inos.epochSignal(d.ping);
      let v;
      while ((v = inos.epochWaitChanged(d.pong, pong, 1000)) === null) {
        if (timeLeft() <= 0) expire(`lat-pinger round ${i}`);
      }
      const t1 = performance.now();
      pong = v;
      if (i >= d.warmup) rtt.push(t1 - t0);
    }
    return { rtt, resolutionMs: timerResolution() };
  },

  /** The worker partner of lat-pinger: wait for `ping` (wasm wait), signal `pong`. */
  'lat-ponger'({ d, wasm, timeLeft, expire }) {
    const inos = wasm();
    let ping = 0;
    for (let i = 0; i < d.warmup + d.rounds; i++) {
      let v;
      while ((v = inos.epochWaitChanged(d.ping, ping, 1000)) === null) {
        if (timeLeft() <= 0) expire(`lat-ponger round ${i}`);
      }
      ping = v;
      inos.epochSignal(d.pong);
    }
    return { rounds: d.warmup + d.rounds };
  },

  /**
   * 5 MB hand-off through the shared region: write the descriptor (offset, length), signal the
   * `data` epoch, block until the receiver signals `ack`. `e2e`: the sender writes the 5 MB first
   * and the receiver reads all of it (checksum) before acknowledging.
   */
  'handoff-sab-sender'(ctx) {
    const { d } = ctx;
    const u32 = new Uint32Array(d.memory.buffer);
    const desc = d.desc >> 2, from = d.payload >> 2, words = d.bytes >> 2;
    const data = new Epoch(d.memory.buffer, d.dataEpoch), ack = new Epoch(d.memory.buffer, d.ackEpoch);
    const times = [];
    let acked = 0, badSums = 0;
    for (let i = 0; i < d.warmup + d.rounds; i++) {
      const t0 = performance.now();
      if (d.e2e) fillShared(u32, from, words, i);
      Atomics.store(u32, desc + DESC.OFF, d.payload);
      Atomics.store(u32, desc + DESC.LEN, d.bytes);
      Atomics.store(u32, desc + DESC.SEQ, i + 1);
      data.signal();
      acked = waitEpoch(ctx, ack, acked, `handoff-sab-sender round ${i}`);
      const t1 = performance.now();
      if (d.e2e && (Atomics.load(u32, desc + DESC.SUM) | 0) !== expectedSum(words, i)) badSums++;
      if (i >= d.warmup) times.push(t1 - t0);
    }
    return { times, badSums };
  },

  'handoff-sab-receiver'(ctx) {
    const { d } = ctx;
    const u32 = new Uint32Array(d.memory.buffer);
    const desc = d.desc >> 2;
    const data = new Epoch(d.memory.buffer, d.dataEpoch), ack = new Epoch(d.memory.buffer, d.ackEpoch);
    let seen = 0, views = 0;
    for (let i = 0; i < d.warmup + d.rounds; i++) {
      seen = waitEpoch(ctx, data, seen, `handoff-sab-receiver round ${i}`);
      const off = Atomics.load(u32, desc + DESC.OFF), len = Atomics.load(u32, desc + DESC.LEN);
      if (off % 4 !== 0 || len % 4 !== 0 || off + len > d.memory.buffer.byteLength) throw new Error('bad descriptor');
      const view = new Uint32Array(d.memory.buffer, off, len >> 2); // the hand-off: a view, no copy
      views += view.length > 0 ? 1 : 0;
      if (d.e2e) Atomics.store(u32, desc + DESC.SUM, sumShared(u32, off >> 2, len >> 2));
      ack.signal();
    }
    return { views };
  },

  /** 5 MB hand-off by postMessage to the receiver's port: a structured clone, or a transfer. */
  async 'handoff-post-sender'({ d }) {
    const port = d.port;
    const words = d.bytes >> 2;
    const acks = [];
    let wake = null;
    port.onmessage = (ev) => {
      acks.push(ev.data);
      if (wake) { const w = wake; wake = null; w(); }
    };
    const nextAck = () => (acks.length ? Promise.resolve() : new Promise((r) => { wake = r; }));
    const times = [];
    let badSums = 0;
    let reused = d.viaTransfer ? null : new Uint32Array(words);
    for (let i = 0; i < d.warmup + d.rounds; i++) {
      // A transferred buffer is gone after the send: allocate the next one before the clock starts.
      const buf = d.viaTransfer ? new Uint32Array(words) : reused;
      const t0 = performance.now();
      if (d.e2e) (d.viaTransfer ? fillTransferred(buf, i) : fillPrivate(buf, i));
      if (d.viaTransfer) port.postMessage(buf, [buf.buffer]);
      else port.postMessage(buf);
      await nextAck();
      const t1 = performance.now();
      const a = acks.shift();
      if (a.length !== d.bytes) throw new Error(`receiver saw ${a.length} bytes`);
      if (d.e2e && a.sum !== expectedSum(words, i)) badSums++;
      if (i >= d.warmup) times.push(t1 - t0);
    }
    port.postMessage(null); // done
    return { times, badSums };
  },

  async 'handoff-post-receiver'({ d }) {
    const port = d.port;
    let n = 0;
    await new Promise((resolve) => {
      port.onmessage = (ev) => {
        const buf = ev.data;
        if (buf === null) { resolve(); return; }
        n++;
        const sum = d.e2e ? (d.viaTransfer ? sumTransferred(buf) : sumPrivate(buf)) : 0;
        port.postMessage({ length: buf.byteLength, sum });
      };
    });
    return { received: n };
  },

  /** SPSC ring throughput, producer: `n` messages of `size` bytes through the module's push. */
  'ring-producer'({ d, wasm, timeLeft, expire }) {
    const inos = wasm();
    const h = inos.ringProducer(d.ring, d.ringLen);
    const msg = new Uint8Array(d.size).fill(7);
    const seq = new DataView(msg.buffer);
    startLine(d);
    for (let i = 0; i < d.n; i++) {
      seq.setUint32(0, i, true);
      for (let k = 0; ; k++) {
        // `spin`: the non-blocking push, retried (nobody sleeps); else the blocking push_wait.
        const r = d.spin ? inos.push(h, msg) : inos.push(h, msg, 1000);
        if (r === STATUS.OK) break;
        if (r !== STATUS.TIMED_OUT && r !== STATUS.FULL) throw new Error(`push: ${statusName(r)}`);
        if ((k & 0xfff) === 0xfff && timeLeft() <= 0) expire(`ring-producer at ${i}`);
      }
    }
    inos.ringClose(h);
    return { sent: d.n };
  },

  /** SPSC ring throughput, consumer: times messages warmup..n with its own clock. */
  'ring-consumer'({ d, wasm, timeLeft, expire }) {
    const inos = wasm();
    const h = inos.ringConsumer(d.ring, d.ringLen);
    startLine(d);
    let got = 0, t0 = performance.now(), outOfOrder = 0;
    let empty = 0;
    while (got < d.n) {
      const m = d.spin ? inos.pop(h) : inos.pop(h, 1000);
      if (m === null) {
        if ((++empty & 0xfff) === 0 && timeLeft() <= 0) expire(`ring-consumer after ${got}`);
        continue;
      }
      if (m.length !== d.size || ((m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0) !== got) outOfOrder++;
      got++;
      if (got === d.warmup) t0 = performance.now();
    }
    const t1 = performance.now();
    inos.ringClose(h);
    return { got, outOfOrder, timed: d.n - d.warmup, ms: t1 - t0 };
  },

  /** The same SPSC producer as the JS reference party (no wasm): for context. */
  'ring-producer-js'({ d, timeLeft, expire }) {
    const p = new RingProducer(d.memory.buffer, d.ring, d.ringLen, { expectKind: 'spsc' });
    const msg = new Uint8Array(d.size).fill(7);
    const seq = new DataView(msg.buffer);
    startLine(d);
    for (let i = 0; i < d.n; i++) {
      seq.setUint32(0, i, true);
      while (!p.push(msg, 1000)) if (timeLeft() <= 0) expire(`ring-producer-js at ${i}`);
    }
    p.close();
    return { sent: d.n };
  },

  'ring-consumer-js'({ d, timeLeft, expire }) {
    const c = new RingConsumer(d.memory.buffer, d.ring, d.ringLen, { expectKind: 'spsc' });
    startLine(d);
    let got = 0, t0 = performance.now(), outOfOrder = 0;
    while (got < d.n) {
      const m = c.pop(1000);
      if (m === null) {
        if (timeLeft() <= 0) expire(`ring-consumer-js after ${got}`);
        continue;
      }
      if (m.length !== d.size || ((m[0] | (m[1] << 8) | (m[2] << 16) | (m[3] << 24)) >>> 0) !== got) outOfOrder++;
      got++;
      if (got === d.warmup) t0 = performance.now();
    }
    const t1 = performance.now();
    c.close();
    return { got, outOfOrder, timed: d.n - d.warmup, ms: t1 - t0 };
  },

  /** One worker pushes and pops alternately (no other party): the cost of the calls alone. */
  'ring-pair'({ d, wasm }) {
    const inos = wasm();
    const p = inos.ringProducer(d.ring, d.ringLen), c = inos.ringConsumer(d.ring, d.ringLen);
    const msg = new Uint8Array(d.size).fill(7);
    let bad = 0, t0 = 0;
    for (let i = 0; i < d.warmup + d.n; i++) {
      if (i === d.warmup) t0 = performance.now();
      if (inos.push(p, msg) !== STATUS.OK) throw new Error('push refused');
      const m = inos.pop(c);
      if (m === null || m.length !== d.size) bad++;
    }
    const ms = performance.now() - t0;
    inos.ringClose(p);
    inos.ringClose(c);
    return { timed: d.n, ms, bad };
  },

  /** Ledger throughput in one worker: hold + settle pairs, then transfers, through the module. */
  'ledger-bench'({ d, wasm }) {
    const inos = wasm();
    const { ledger: at, ledgerLen: len, payer, payee } = d;
    const settle = () => {
      const hold = inos.ledgerHold(at, len, payer, 3);
      if (typeof hold === 'number') throw new Error(`hold: ${statusName(hold)}`);
      const r = inos.ledgerSettle(at, len, hold, payee, 2);
      if (r !== STATUS.OK) throw new Error(`settle: ${statusName(r)}`);
    };
    const transfer = (i) => {
      const r = i & 1 ? inos.ledgerTransfer(at, len, payee, payer, 1) : inos.ledgerTransfer(at, len, payer, payee, 1);
      if (r !== STATUS.OK) throw new Error(`transfer: ${statusName(r)}`);
    };
    for (let i = 0; i < d.warmup; i++) { settle(); transfer(i); }
    let t0 = performance.now();
    for (let i = 0; i < d.n; i++) settle();
    const settleMs = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < d.n; i++) transfer(i);
    const transferMs = performance.now() - t0;
    return { n: d.n, settleMs, transferMs, settlements: d.warmup + d.n };
  },
};

/** Registers as ready (a word the main thread watches), then blocks until it sets the go word. */
function startLine(d) {
  const i32 = new Int32Array(d.memory.buffer);
  Atomics.add(i32, d.ready >> 2, 1);
  Atomics.notify(i32, d.ready >> 2);
  while (Atomics.load(i32, d.go >> 2) === 0) Atomics.wait(i32, d.go >> 2, 0, 1000);
}
