// Shared setup for the Node tests: compile the module, plan and create one shared memory, format
// the standard layout from the main thread, and run workers with a hard time budget.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { planMemory, createMemory, instantiate } from './inos.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WASM = process.env.INOS_WASM
  ?? path.join(here, '..', '..', 'target', 'wasm32-wasip1-threads', 'release', 'inos_wasm.wasm');

/** Standard layout: the smallest size plus 1 MiB of arena for custom rings. */
export const REGION_SIZE = 0x16_0000 + (1 << 20);

/** Compiles the module and builds a formatted region; slot 0 is the main thread's. */
export function setup({ regionSize = REGION_SIZE, slots = 8 } = {}) {
  const bytes = fs.readFileSync(WASM);
  const module = new WebAssembly.Module(bytes);
  const plan = planMemory(module, bytes, { regionSize, slots });
  const memory = createMemory(plan);
  const main = instantiate(module, memory, plan, 0);
  const role = main.formatStandard();
  return { module, plan, memory, main, role };
}

/**
 * Runs `worker.mjs` with `data` and resolves with its result. Rejects if the worker reports an
 * error, exits early, or has not finished after `budgetMs` (then it is terminated): no test can
 * hang.
 */
export function runWorker(env, data, budgetMs = 20_000) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { module: env.module, memory: env.memory, plan: env.plan, budgetMs, ...data },
    });
    let done = false;
    const finish = (f, v) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      w.terminate().finally(() => f(v));
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`${data.role}: no result after ${budgetMs + 5000} ms, terminated`)),
      budgetMs + 5000,
    );
    w.on('message', (m) => (m.ok ? finish(resolve, m.result) : finish(reject, new Error(`${data.role}: ${m.error}`))));
    w.on('error', (e) => finish(reject, e));
    w.on('exit', (code) => finish(reject, new Error(`${data.role}: exited (${code}) without a result`)));
  });
}
