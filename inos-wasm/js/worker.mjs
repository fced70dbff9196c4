// Worker entry for the tests: one role per worker, chosen by workerData.role. Every worker
// instantiates nothing it does not need: the pure-JS roles never touch the wasm module.
import { parentPort, workerData } from 'node:worker_threads';
import { instantiate, STATUS, statusName, FOREVER } from './inos.mjs';
import { RingConsumer, RingProducer, RingObserver, Epoch, FixedRingConsumer, FixedRingProducer } from './reference.mjs';
import { makeMessage, checkMessage } from './messages.mjs';
import { ledgerWorkload } from './ledger-workload.mjs';
import { arenaWorkload, arenaChurn, rustParty, jsParty } from './arena-workload.mjs';

const d = workerData;
// Blocking calls wait without a timeout: a lost wake-up hangs the worker, and the harness then
// terminates it (Atomics.wait is interruptible) and fails the test. Nothing can hang for good.
const deadline = Date.now() + d.budgetMs;
const timeLeft = () => deadline - Date.now();
const expire = (what) => {
  throw new Error(`${what}: worker budget of ${d.budgetMs} ms exhausted`);
};

/** Waits (blocking, this is a worker) until the epoch slot's waiter count is at least `n`. */
function awaitRegistered(sab, addr, n) {
  const i32 = new Int32Array(sab);
  while (Atomics.load(i32, (addr >> 2) + 1) < n) {
    if (timeLeft() <= 0) expire('awaitRegistered');
    Atomics.wait(i32, (addr >> 2) + 1, Atomics.load(i32, (addr >> 2) + 1), 1); // brief poll
  }
}

const roles = {
  // Rust (wasm) producer: pushes n messages tagged `tag` through inos_ring_push_wait (all of
  // `fixedSize` bytes if given: a fixed-size ring).
  'rust-producer'() {
    const inos = instantiate(d.module, d.memory, d.plan, d.slot);
    const h = inos.ringProducer(d.ring, d.ringLen);
    if (d.waitForConsumerAt !== undefined) awaitRegistered(d.memory.buffer, d.waitForConsumerAt, 1);
    let timeouts = 0;
    for (let seq = 0; seq < d.n; seq++) {
      const msg = makeMessage(d.tag, seq, d.maxBody, d.fixedSize);
      for (;;) {
        const r = inos.push(h, msg, FOREVER);
        if (r === STATUS.OK) break;
        if (r !== STATUS.TIMED_OUT) throw new Error(`push: ${statusName(r)}`);
        timeouts++;
        if (timeLeft() <= 0) expire(`rust-producer at seq ${seq}`);
      }
    }
    inos.ringClose(h);
    return { sent: d.n, timeouts };
  },

  // Pure-JS producer (reference.mjs): no wasm in this worker at all. With `fixedSize`, the
  // fixed-size ring producer (ring.md §3.3).
  'js-producer'() {
    const sab = d.memory.buffer;
    const p = d.fixedSize === undefined
      ? new RingProducer(sab, d.ring, d.ringLen)
      : new FixedRingProducer(sab, d.ring, d.ringLen, d.fixedSize);
    if (d.waitForConsumerAt !== undefined) awaitRegistered(sab, d.waitForConsumerAt, 1);
    for (let seq = 0; seq < d.n; seq++) {
      const msg = makeMessage(d.tag, seq, d.maxBody, d.fixedSize);
      while (!p.push(msg)) {
        if (timeLeft() <= 0) expire(`js-producer at seq ${seq}`);
      }
    }
    p.close();
    return { sent: d.n, spaceWaits: p.spaceEpoch.stats };
  },

  // Pure-JS consumer (reference.mjs): blocks in Atomics.wait on the ring's data epoch. With
  // `fixedSize`, the fixed-size ring consumer (ring.md §3.3).
  'js-consumer'() {
    const sab = d.memory.buffer;
    const c = d.fixedSize === undefined
      ? new RingConsumer(sab, d.ring, d.ringLen)
      : new FixedRingConsumer(sab, d.ring, d.ringLen, d.fixedSize);
    const next = new Map(d.expect.map(([tag]) => [tag, 0]));
    const total = d.expect.reduce((a, [, n]) => a + n, 0);
    let got = 0, bytes = 0;
    while (got < total) {
      const msg = c.pop();
      if (msg === null) {
        if (timeLeft() <= 0) expire(`js-consumer after ${got}/${total}`);
        continue;
      }
      const { tag, seq } = checkMessage(msg, d.maxBody, d.fixedSize);
      if (next.get(tag) !== seq) throw new Error(`tag ${tag}: got seq ${seq}, expected ${next.get(tag)}`);
      next.set(tag, seq + 1);
      got++;
      bytes += msg.length;
    }
    const extra = c.tryPop();
    c.close();
    if (d.doneFlag !== undefined) Atomics.store(new Int32Array(sab), d.doneFlag >> 2, 1);
    return { got, bytes, extra: extra !== null, waits: c.dataEpoch.stats };
  },

  // A fill-level observer (ring.md §2.1): reads the (TAIL, HEAD) pair of a busy ring until the
  // consumer sets the word at `doneFlag`. Contention must never be reported as corruption.
  'js-positions-reader'() {
    const sab = d.memory.buffer;
    const i32 = new Int32Array(sab);
    const r = new RingObserver(sab, d.ring, d.ringLen);
    let reads = 0, maxUsed = 0;
    while (Atomics.load(i32, d.doneFlag >> 2) === 0) {
      const used = r.used();
      if (used > r.cap) throw new Error(`used ${used} > capacity`);
      maxUsed = Math.max(maxUsed, used);
      reads++;
      if ((reads & 0xffff) === 0 && timeLeft() <= 0) expire('js-positions-reader');
    }
    return { reads, maxUsed, retries: r.positionRetries };
  },

  // Rust (wasm) consumer: inos_ring_pop_wait, checking order and checksums in JS.
  'rust-consumer'() {
    const inos = instantiate(d.module, d.memory, d.plan, d.slot);
    const h = inos.ringConsumer(d.ring, d.ringLen);
    const next = new Map(d.expect.map(([tag]) => [tag, 0]));
    const total = d.expect.reduce((a, [, n]) => a + n, 0);
    let got = 0;
    while (got < total) {
      const msg = inos.pop(h, FOREVER);
      if (msg === null) {
        if (timeLeft() <= 0) expire(`rust-consumer after ${got}/${total}`);
        continue;
      }
      const { tag, seq } = checkMessage(msg, d.maxBody, d.fixedSize);
      if (next.get(tag) !== seq) throw new Error(`tag ${tag}: got seq ${seq}, expected ${next.get(tag)}`);
      next.set(tag, seq + 1);
      got++;
    }
    const extra = inos.pop(h);
    inos.ringClose(h);
    return { got, extra: extra !== null };
  },

  // Ledger worker: random transfers, holds and settles through the wasm exports.
  'ledger'() {
    return ledgerWorkload(instantiate(d.module, d.memory, d.plan, d.slot), d);
  },

  // Arena hand-off (arena-workload.mjs): the Rust party through the wasm exports...
  'arena-rust'() {
    return arenaWorkload(rustParty(instantiate(d.module, d.memory, d.plan, d.slot), d), d, timeLeft);
  },
  // ...and the pure-JS party (reference-arena.mjs): no wasm in this worker.
  'arena-js'() {
    return arenaWorkload(jsParty(d.memory.buffer, d), d, timeLeft);
  },

  // Arena churn (no hand-off): both parties allocate and free in the same chunks at once.
  'arena-churn-rust'() {
    return arenaChurn(rustParty(instantiate(d.module, d.memory, d.plan, d.slot), d), d, timeLeft);
  },
  'arena-churn-js'() {
    return arenaChurn(jsParty(d.memory.buffer, d), d, timeLeft);
  },

  // Epoch ping-pong with the main thread: signal `ping`, then wait (wasm, blocking) for `pong`.
  'epoch-signaller'() {
    const inos = instantiate(d.module, d.memory, d.plan, d.slot);
    const seen = [];
    let pong = inos.epochLoad(d.pong);
    for (let i = 0; i < d.rounds; i++) {
      seen.push(inos.epochSignal(d.ping));
      let v;
      do {
        v = inos.epochWaitChanged(d.pong, pong, FOREVER);
        if (v === null && timeLeft() <= 0) expire(`epoch-signaller round ${i}`);
      } while (v === null);
      pong = v;
    }
    return { seen };
  },

  // A pure-JS waiter on an epoch signalled by Rust (the reference Epoch class).
  'js-epoch-waiter'() {
    const e = new Epoch(d.memory.buffer, d.epoch);
    const values = [];
    let last = 0;
    while (last < d.rounds) {
      const v = e.waitChanged(last);
      if (v === null) {
        if (timeLeft() <= 0) expire('js-epoch-waiter');
        continue;
      }
      values.push(v);
      last = v;
    }
    return { values, stats: e.stats };
  },
};

try {
  const fn = roles[d.role];
  if (!fn) throw new Error(`unknown role ${d.role}`);
  parentPort.postMessage({ ok: true, result: fn() });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
}
