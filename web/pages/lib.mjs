// Main-thread helpers shared by the test, benchmark and example pages: load a wasm module onto one
// shared WebAssembly.Memory, start module Web Workers on it with a hard time budget, and consume a
// ring without ever blocking (Atomics.waitAsync).
import { planMemory, createMemory, instantiate } from '/inos-wasm/js/inos.mjs';

/** Standard layout: the smallest size plus 1 MiB of arena (as inos-wasm/js/harness.mjs). */
export const REGION_SIZE = 0x16_0000 + (1 << 20);
/** Standard epoch slots (PROTOCOL.md §3.3), byte offsets from the region base. */
export const EPOCH = Object.freeze({ KERNEL_READY: 0x400, SYSTEM: 0x430, PULSE: 0x438 });

/** Thrown when the page is not cross-origin isolated (served without COOP/COEP). */
export class IsolationError extends Error {
  constructor() {
    super('inos: this page is not cross-origin isolated (crossOriginIsolated is false: the server sent '
      + 'no Cross-Origin-Opener-Policy / Cross-Origin-Embedder-Policy headers), so there is no '
      + 'SharedArrayBuffer to share with workers');
    this.name = 'IsolationError';
  }
}

/** Throws an IsolationError unless SharedArrayBuffer can be shared with workers here. */
export function requireIsolation() {
  if (!globalThis.crossOriginIsolated || typeof SharedArrayBuffer === 'undefined') throw new IsolationError();
}

/**
 * Fetches and compiles `/modules/<name>.wasm` (see web/server.mjs MODULES), plans and creates
 * one shared memory, instantiates slot 0 for the main thread (non-blocking calls only) and formats
 * the standard layout. Returns `{ module, plan, memory, main }`.
 */
export async function loadModule(name = 'inos_wasm', { regionSize = REGION_SIZE, slots = 8, format = true } = {}) {
  requireIsolation();
  const res = await fetch(`/modules/${name}.wasm`);
  if (!res.ok) throw new Error(`inos: /modules/${name}.wasm: HTTP ${res.status}`);
  const bytes = await res.arrayBuffer();
  const module = await WebAssembly.compile(bytes);
  const plan = planMemory(module, bytes, { regionSize, slots });
  const memory = createMemory(plan);
  const main = instantiate(module, memory, plan, 0);
  if (format) main.formatStandard();
  return { name, module, plan, memory, main };
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

/**
 * Runs one role in a new module Worker (web/pages/worker.mjs) with the module, memory and plan of
 * `env`, and resolves with its result. Rejects on the worker's error, or after `budgetMs` + 5 s
 * (the worker is then terminated): nothing can hang.
 */
export function spawn(env, data, budgetMs = 20_000, workerUrl = WORKER_URL) {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { type: 'module' });
    let done = false;
    const finish = (f, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      w.terminate();
      f(v);
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`${data.role}: no result after ${budgetMs + 5000} ms, terminated`)),
      budgetMs + 5000,
    );
    w.onmessage = (ev) => (ev.data.ok ? finish(resolve, ev.data.result) : finish(reject, new Error(ev.data.error)));
    w.onerror = (ev) => {
      ev.preventDefault?.();
      finish(reject, new Error(`${data.role}: worker error: ${ev.message ?? ev}`));
    };
    w.onmessageerror = () => finish(reject, new Error(`${data.role}: message could not be deserialised`));
    const { transfer = [], ...rest } = data;
    w.postMessage({ module: env.module, memory: env.memory, plan: env.plan, budgetMs, ...rest }, transfer);
  });
}

/**
 * Starts one worker per entry of `roles` (web/pages/rust-worker.mjs) on the module and memory of
 * the page with inos-web's `spawnWorkers`; `results` resolves with their results in order, or
 * rejects on a worker's error or after `budgetMs` + 5 s. `stop()` terminates them all.
 */
export async function startRoles(web, roles, budgetMs) {
  const url = new URL('./rust-worker.mjs', import.meta.url);
  const workers = await web.spawnWorkers(url, roles.length, { data: (i) => ({ ...roles[i], budgetMs }) });
  let timer;
  const all = Promise.all(workers.map((w, i) => new Promise((resolve, reject) => {
    web.onMessage(w, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    w.addEventListener('error', (e) => {
      e.preventDefault?.();
      reject(new Error(`${roles[i].role}: worker error: ${e.message ?? e}`));
    });
  })));
  const results = Promise.race([all, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`workers: no result after ${budgetMs + 5000} ms`)), budgetMs + 5000);
  })]).finally(() => clearTimeout(timer));
  return { results, stop: () => workers.forEach((w) => w.terminate()) };
}

/**
 * The next message of a reference `RingConsumer` (inos-wasm/js/reference.mjs) without blocking:
 * registers as a sleeper on the ring's data epoch (so producers signal it), re-checks, then
 * `await`s `Atomics.waitAsync` on the epoch word. Resolves with a copy of the message, or null
 * after `timeoutMs`. `stats.asyncWaits` counts the waits that really went asynchronous.
 */
export async function popAsync(consumer, timeoutMs, stats = { asyncWaits: 0 }) {
  const deadline = performance.now() + timeoutMs;
  const e = consumer.dataEpoch;
  for (;;) {
    let m = consumer.tryPop();
    if (m !== null) return m;
    const seen = e.load(); // before the re-check: progress after it moves the epoch
    Atomics.add(e.i32, e.waiters, 1);
    try {
      m = consumer.tryPop();
      if (m !== null) return m;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      const r = Atomics.waitAsync(e.i32, e.word, seen | 0, left);
      if (r.async) {
        stats.asyncWaits++;
        await r.value;
      }
    } finally {
      Atomics.sub(e.i32, e.waiters, 1);
    }
  }
}

/** Counts macrotask turns of the main thread until stopped: proof that it kept running. */
export function heartbeat() {
  const ch = new MessageChannel();
  let ticks = 0, running = true;
  ch.port1.onmessage = () => {
    ticks++;
    if (running) setTimeout(() => ch.port2.postMessage(0), 0);
  };
  ch.port2.postMessage(0);
  return {
    stop() {
      running = false;
      ch.port1.close();
      return ticks;
    },
  };
}

/** JSON with BigInts as strings (results cross into puppeteer as strings: Firefox pitfall). */
export const toJson = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? String(x) : x));

/** Name, message and stack (Firefox's `stack` has no message line). */
export const errorText = (e) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e));
