import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import fs from 'node:fs';
const WASM = process.argv[2];
const BASE = 0x180000, ROUNDS = 200;
function instantiate(module, memory, stackTop) {
  const i32 = () => new Int32Array(memory.buffer);
  const R = { ok: 0, 'not-equal': 1, 'timed-out': 2 };
  const inos_env = {
    wait32: (a, e, t) => R[Atomics.wait(i32(), a >>> 2, e, t < 0n ? Infinity : Number(t) / 1e6)],
    notify: (a, n) => Atomics.notify(i32(), a >>> 2, n === -1 ? Infinity : n >>> 0),
  };
  const x = new WebAssembly.Instance(module, { env: { memory }, inos_env }).exports;
  x.__stack_pointer.value = stackTop;
  return x;
}
if (isMainThread) {
  const module = new WebAssembly.Module(fs.readFileSync(WASM));
  console.log('imports', JSON.stringify(WebAssembly.Module.imports(module)));
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 16384, shared: true });
  const done = [];
  for (const role of ['waiter', 'signaller']) {
    const w = new Worker(new URL(import.meta.url), { workerData: { module, memory, role } });
    done.push(new Promise((res, rej) => { w.on('message', res); w.on('error', rej); }));
  }
  // Main thread: waitAsync on the same word (registered in the waiter count as the spec says).
  const i32 = new Int32Array(memory.buffer);
  let mainSeen = 0;
  const mainWatch = (async () => {
    while (mainSeen < ROUNDS) {
      Atomics.add(i32, (BASE + 4) >> 2, 1);
      const v = Atomics.load(i32, BASE >> 2);
      if (v === mainSeen) {
        const r = Atomics.waitAsync(i32, BASE >> 2, v, 20000);
        if (r.async) { const res = await r.value; if (res === 'timed-out') throw new Error('main timed out'); }
      }
      Atomics.sub(i32, (BASE + 4) >> 2, 1);
      mainSeen = Atomics.load(i32, BASE >> 2);
    }
  })();
  const timer = setTimeout(() => { console.error('TIMEOUT'); process.exit(2); }, 30000);
  const res = await Promise.all([...done, mainWatch]);
  clearTimeout(timer);
  console.log('results', JSON.stringify(res), 'epoch', Atomics.load(i32, BASE >> 2), 'main saw', mainSeen);
  process.exit(0);
} else {
  const { module, memory, role } = workerData;
  const x = instantiate(module, memory, role === 'waiter' ? 0x140000 : 0x160000);
  if (role === 'waiter') {
    let last = 0, n = 0;
    while (last < ROUNDS) { const v = x.wait(BASE, last); if (v <= last) throw new Error('bad ' + v); last = v; n++; }
    parentPort.postMessage({ role, last, wakes: n });
  } else {
    let parkedSignals = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = Date.now();
      while (x.waiters(BASE) === 0 && Date.now() - t0 < 100) {}
      if (x.waiters(BASE) > 0) parkedSignals++;
      x.sig(BASE);
    }
    parentPort.postMessage({ role, parkedSignals });
  }
}
