// Module Web Worker for the tests of the wasm-bindgen build (`rustMpsc`, `rustMainThread` in
// tests.mjs) and the Rust ring benchmark (`ringRust` in bench.mjs): started by inos-web's
// spawnWorkers() (lib.mjs startRoles), it instantiates the example Rust compute module
// (examples/web-module, which embeds inos-web) on the page's shared memory, runs one role
// (data.role) and posts `{ ok: true, result }` or `{ ok: false, error }`.
//
// Workers may block (`canBlock()` is true here); the main thread never does.
import { workerInit, sharedMemory, canBlock, Epoch } from '/pkg/web-module/index.js';
import { produceTestMessages, BenchProducer, BenchConsumer } from '/pkg/web-module/inos_web.js';
import { RingProducer } from '/inos-wasm/js/reference.mjs';
import { makeMessage } from '/inos-wasm/js/messages.mjs';
import { errorText } from './lib.mjs';
import { timerResolution } from './bench-roles.mjs';

const ctx = await workerInit();
const d = ctx.data;

/** Blocks (this is a worker) until the page signals the `go` epoch: all parties start together. */
function awaitGo() {
  if (new Epoch(d.go).wait(0, d.budgetMs) === undefined) throw new Error('no go signal');
}

/** The benchmark's start line: count in on `ready`, then block until the page sets `go`. */
function startLine() {
  const i32 = new Int32Array(sharedMemory().buffer);
  Atomics.add(i32, d.ready >> 2, 1);
  Atomics.notify(i32, d.ready >> 2);
  const until = performance.now() + d.budgetMs;
  while (Atomics.load(i32, d.go >> 2) === 0) {
    if (performance.now() > until) throw new Error('no go signal');
    Atomics.wait(i32, d.go >> 2, 0, 1000);
  }
}

const roles = {
  // Rust producer: one call, and the producing loop (make, push, wait while full) runs in Rust.
  'rust-producer'() {
    awaitGo();
    const sent = produceTestMessages(d.ring, d.ringLen, d.tag, d.n, d.maxBody, d.budgetMs);
    return { sent, canBlock: canBlock() };
  },

  // Pure-JS producer (inos-wasm/js/reference.mjs, the independent party) on the same ring bytes:
  // the module's memory buffer at the region's offset. No call into the module.
  'js-producer'() {
    awaitGo();
    const p = new RingProducer(sharedMemory().buffer, d.ring, d.ringLen);
    const until = performance.now() + d.budgetMs;
    let sent = 0;
    for (let seq = 0; seq < d.n; seq++) {
      if (!p.push(makeMessage(d.tag, seq, d.maxBody), Math.max(0, until - performance.now()))) break;
      sent++;
    }
    p.close();
    return { sent };
  },

  // Ring benchmark, producer: one call pushes all `n` messages, the loop in Rust (Mode::Poll
  // ring; while full: 64 spins, then spin or sleep `sleepUs` µs per attempt). Claims the role before the start line.
  'bench-ring-producer'() {
    const p = new BenchProducer(d.ring, d.ringLen);
    try {
      startLine();
      return { sent: p.push(d.n, d.budgetMs, d.sleepUs) };
    } finally {
      p.free(); // releases the producer role
    }
  },

  // Ring benchmark, consumer: pops `warmup` messages (one call), then times one call popping the
  // rest with this worker's clock; the checksums (bigint) are checked by the page.
  'bench-ring-consumer'() {
    const c = new BenchConsumer(d.ring, d.ringLen);
    try {
      startLine();
      const warmSum = c.pop(d.warmup, d.budgetMs, d.sleepUs);
      const t0 = performance.now();
      const sum = c.pop(d.n - d.warmup, d.budgetMs, d.sleepUs);
      const t1 = performance.now();
      return { warmSum, sum, timed: d.n - d.warmup, ms: t1 - t0, resolutionMs: timerResolution() };
    } finally {
      c.free();
    }
  },

  // Wakes the main thread's `waitAsync`: waits for go, then signals `target`.
  signaller() {
    awaitGo();
    return { signalled: new Epoch(d.target).signal(), canBlock: canBlock() };
  },
};

try {
  ctx.post({ ok: true, result: roles[d.role]() });
} catch (e) {
  ctx.post({ ok: false, error: `${d.role}: ${errorText(e)}` });
}
