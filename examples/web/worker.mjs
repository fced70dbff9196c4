// Workers of the example page: one kernel and N compute modules, all on one shared memory.
//
// kernel  for each frame: holds one credit per job in the ledger (host pays), pushes the jobs
//         into each module's SPSC job ring, collects the completions from the MPSC done ring,
//         publishes the frame (frame epoch), then waits until the main thread has drawn it
//         (the kernel may block; the main thread never does).
// module  pops jobs, computes its slice of the particles from the front buffer into the back
//         buffer, settles the job's credit hold to its own account, pushes a completion.
//
// Ring and ledger calls go through the inos wasm module (raw ABI); the particle arithmetic is JS.
import { instantiate, STATUS, statusName } from '/inos-wasm/js/inos.mjs';
import { Epoch } from '/inos-wasm/js/reference.mjs';
import { LAYOUT, stateView, JOB_LEN, DONE_LEN, STOP } from './layout.mjs';

const STEP = 1 / 60;

function kernel(d, inos) {
  const sab = d.memory.buffer;
  const i32 = new Int32Array(sab);
  const at = (off) => d.arena + off;
  const frame = new Epoch(sab, at(LAYOUT.FRAME_EPOCH));
  const drawn = at(LAYOUT.DRAWN) >> 2, stop = at(LAYOUT.STOP) >> 2;
  const jobs = d.jobRings.map((r) => inos.ringProducer(r.addr, r.len));
  const done = inos.ringConsumer(d.doneRing.addr, d.doneRing.len);
  const jobMsg = new Uint8Array(JOB_LEN), jv = new DataView(jobMsg.buffer);
  let dispatched = 0, completed = 0, frames = 0;
  const perJob = Math.ceil(d.particles / d.jobsPerFrame);
  while (Atomics.load(i32, stop) === 0) {
    const f = frames;
    for (let j = 0; j < d.jobsPerFrame; j++) {
      const start = j * perJob, count = Math.max(0, Math.min(perJob, d.particles - start));
      const hold = inos.ledgerHold(d.ledger.addr, d.ledger.len, d.host, 1);
      if (typeof hold === 'number') throw new Error(`hold: ${statusName(hold)}`);
      jv.setUint32(0, f, true);
      jv.setUint32(4, start, true);
      jv.setUint32(8, count, true);
      jv.setUint32(12, j, true);
      jv.setBigUint64(16, hold, true);
      const r = inos.push(jobs[j % jobs.length], jobMsg, 5000);
      if (r !== STATUS.OK) throw new Error(`job push: ${statusName(r)}`);
      dispatched++;
    }
    for (let j = 0; j < d.jobsPerFrame; j++) {
      const m = inos.pop(done, 5000);
      if (m === null) throw new Error(`frame ${f}: a module did not finish within 5 s`);
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
  for (const h of jobs) {
    const stopMsg = new Uint8Array(JOB_LEN);
    new DataView(stopMsg.buffer).setUint32(0, STOP, true);
    if (inos.push(h, stopMsg, 5000) !== STATUS.OK) throw new Error('stop push');
    inos.ringClose(h);
  }
  inos.ringClose(done);
  return { frames, dispatched, completed };
}

function module(d, inos) {
  const sab = d.memory.buffer;
  const h = inos.ringConsumer(d.jobRing.addr, d.jobRing.len);
  const out = inos.ringProducer(d.doneRing.addr, d.doneRing.len);
  const bufs = [stateView(sab, d.arena, 0, d.particles), stateView(sab, d.arena, 1, d.particles)];
  const doneMsg = new Uint8Array(DONE_LEN), dv = new DataView(doneMsg.buffer);
  let processed = 0, settled = 0;
  for (;;) {
    const m = inos.pop(h, 1000);
    if (m === null) continue; // idle (the page may be hidden: the kernel waits for a draw)
    const v = new DataView(m.buffer);
    const f = v.getUint32(0, true);
    if (f === STOP) break;
    const start = v.getUint32(4, true), count = v.getUint32(8, true), hold = v.getBigUint64(16, true);
    step(bufs[f % 2], bufs[(f + 1) % 2], start, count, f);
    const r = inos.ledgerSettle(d.ledger.addr, d.ledger.len, hold, d.account, 1);
    if (r !== STATUS.OK) throw new Error(`settle: ${statusName(r)}`);
    settled++;
    dv.setUint32(0, f, true);
    dv.setUint32(4, v.getUint32(12, true), true);
    dv.setUint32(8, d.id, true);
    if (inos.push(out, doneMsg, 5000) !== STATUS.OK) throw new Error('done push');
    processed++;
  }
  inos.ringClose(h);
  inos.ringClose(out);
  return { id: d.id, processed, settled };
}

/** Particles pulled toward an attractor circling the centre, bouncing off the walls. */
function step(src, dst, start, count, f) {
  const t = f * STEP;
  const ax = 0.5 + 0.3 * Math.cos(t * 0.9), ay = 0.5 + 0.3 * Math.sin(t * 1.3);
  for (let i = start; i < start + count; i++) {
    const k = i * 4;
    let x = src[k], y = src[k + 1], vx = src[k + 2], vy = src[k + 3];
    const dx = ax - x, dy = ay - y;
    const r2 = dx * dx + dy * dy + 0.01;
    vx = (vx + (dx / r2) * 0.02 * STEP) * 0.999;
    vy = (vy + (dy / r2) * 0.02 * STEP) * 0.999;
    x += vx * STEP;
    y += vy * STEP;
    if (x < 0 || x > 1) { vx = -vx; x = Math.min(1, Math.max(0, x)); }
    if (y < 0 || y > 1) { vy = -vy; y = Math.min(1, Math.max(0, y)); }
    dst[k] = x; dst[k + 1] = y; dst[k + 2] = vx; dst[k + 3] = vy;
  }
}

self.onmessage = (ev) => {
  const d = ev.data;
  try {
    const inos = instantiate(d.module, d.memory, d.plan, d.slot);
    const result = d.role === 'kernel' ? kernel(d, inos) : module(d, inos);
    self.postMessage({ ok: true, result });
  } catch (e) {
    self.postMessage({ ok: false, error: `${d.role}: ${e instanceof Error ? `${e.message}\n${e.stack}` : e}` });
  }
};
