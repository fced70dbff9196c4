// Workers of the example page: one kernel and N compute modules, all running the example Rust
// compute module (examples/web-module: inos-web plus `stepParticles`) on the page's shared memory;
// started by inos-web's spawnWorkers (workerInit instantiates the module on that memory).
//
// kernel  for each frame: holds one credit per job in the ledger (host pays), pushes the jobs
//         into each module's SPSC job ring, collects the completions from the MPSC done ring,
//         publishes the frame (frame epoch), then waits until the main thread has drawn it
//         (the kernel may block; the main thread never does).
// module  pops jobs, computes its slice of the particles from the front buffer into the back
//         buffer **in Rust** (`stepParticles`, in place in the shared region), settles the job's
//         credit hold to its own account, pushes a completion.
import { workerInit, sharedMemory, Ring, Ledger, Epoch } from '/pkg/web-module/index.js';
import { stepParticles } from '/pkg/web-module/inos_web.js';
import { LAYOUT, JOB_LEN, DONE_LEN, STOP } from './layout.mjs';

function kernel(d) {
  const i32 = new Int32Array(sharedMemory().buffer);
  const at = (off) => d.arena + off;
  const frame = new Epoch(at(LAYOUT.FRAME_EPOCH));
  const drawn = at(LAYOUT.DRAWN) >> 2, stop = at(LAYOUT.STOP) >> 2;
  const ledger = Ledger.attach(d.ledger.addr, d.ledger.len);
  const jobs = d.jobRings.map((r) => Ring.producer(r.addr, r.len));
  const done = Ring.consumer(d.doneRing.addr, d.doneRing.len);
  const jobMsg = new Uint8Array(JOB_LEN), jv = new DataView(jobMsg.buffer);
  let dispatched = 0, completed = 0, frames = 0;
  const perJob = Math.ceil(d.particles / d.jobsPerFrame);
  while (Atomics.load(i32, stop) === 0) {
    const f = frames;
    for (let j = 0; j < d.jobsPerFrame; j++) {
      const start = j * perJob, count = Math.max(0, Math.min(perJob, d.particles - start));
      const hold = ledger.hold(d.host, 1n); // throws InosError (e.g. InsufficientFunds)
      jv.setUint32(0, f, true);
      jv.setUint32(4, start, true);
      jv.setUint32(8, count, true);
      jv.setUint32(12, j, true);
      jv.setBigUint64(16, hold, true);
      if (!jobs[j % jobs.length].pushWait(jobMsg, 5000)) throw new Error('job push: no space within 5 s');
      dispatched++;
    }
    for (let j = 0; j < d.jobsPerFrame; j++) {
      const m = done.popWait(5000);
      if (m === undefined) throw new Error(`frame ${f}: a module did not finish within 5 s`);
      if (new DataView(m.buffer).getUint32(0, true) !== f) throw new Error('completion of another frame');
      completed++;
    }
    frames++;
    frame.signal(); // frame `frames` is in buffer frames % 2
    // Back-pressure: the next frame overwrites the buffer the main thread drew last; wait until it
    // has drawn this one (it never blocks: it reads the epoch in requestAnimationFrame).
    while (Atomics.load(i32, drawn) < frames && Atomics.load(i32, stop) === 0) {
      Atomics.wait(i32, drawn, Atomics.load(i32, drawn), 100);
    }
  }
  for (const p of jobs) {
    const stopMsg = new Uint8Array(JOB_LEN);
    new DataView(stopMsg.buffer).setUint32(0, STOP, true);
    if (!p.pushWait(stopMsg, 5000)) throw new Error('stop push');
    p.close();
  }
  done.close();
  return { frames, dispatched, completed };
}

function module(d) {
  const jobs = Ring.consumer(d.jobRing.addr, d.jobRing.len);
  const out = Ring.producer(d.doneRing.addr, d.doneRing.len);
  const ledger = Ledger.attach(d.ledger.addr, d.ledger.len);
  const state = d.arena + LAYOUT.STATE;
  const doneMsg = new Uint8Array(DONE_LEN), dv = new DataView(doneMsg.buffer);
  let processed = 0, settled = 0;
  for (;;) {
    const m = jobs.popWait(1000);
    if (m === undefined) continue; // idle (the page may be hidden: the kernel waits for a draw)
    const v = new DataView(m.buffer);
    const f = v.getUint32(0, true);
    if (f === STOP) break;
    const start = v.getUint32(4, true), count = v.getUint32(8, true), hold = v.getBigUint64(16, true);
    stepParticles(state, d.particles, f, start, count); // Rust, in place in the shared frame
    ledger.settle(hold, d.account, 1n);
    settled++;
    dv.setUint32(0, f, true);
    dv.setUint32(4, v.getUint32(12, true), true);
    dv.setUint32(8, d.id, true);
    if (!out.pushWait(doneMsg, 5000)) throw new Error('done push');
    processed++;
  }
  jobs.close();
  out.close();
  return { id: d.id, processed, settled };
}

const ctx = await workerInit();
const d = ctx.data;
try {
  ctx.post({ ok: true, result: d.role === 'kernel' ? kernel(d) : module(d) });
} catch (e) {
  ctx.post({ ok: false, error: `${d.role}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : e}` });
}
