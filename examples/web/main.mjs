// The example page (main thread): sets up one shared memory with the inos module, starts a kernel
// worker and module workers, and draws each frame to a canvas straight from the shared region
// in requestAnimationFrame. It never blocks: it only loads words, stores, notifies, and runs the
// module's non-blocking calls (balances, audits). `node web/server.mjs` serves it.
import { RING, Epoch } from '/inos-wasm/js/reference.mjs';
import { STATUS } from '/inos-wasm/js/inos.mjs';
import { loadModule, spawn, toJson, errorText } from '/web/pages/lib.mjs';
import { LAYOUT, ringPlan, stateView } from './layout.mjs';

const PARTICLES = 4000, JOBS_PER_FRAME = 8, MODULES = 2, BUDGET_MS = 3_600_000;
const WORKER = new URL('./worker.mjs', import.meta.url);

const $ = (id) => document.getElementById(id);

async function start() {
  const env = await loadModule();
  const { main, memory } = env;
  const sab = memory.buffer;
  const arena = main.region('arena').addr, l = main.region('ledger');
  const ledger = { addr: l.addr, len: l.size };
  const { doneRing, jobRings } = ringPlan(arena, MODULES, (c) => main.x.inos_ring_required_len(c));
  main.ringInit(doneRing.addr, doneRing.len, doneRing.cap, RING.KIND_MPSC);
  for (const r of jobRings) main.ringInit(r.addr, r.len, r.cap, RING.KIND_SPSC);
  const host = main.ledgerOpen(ledger.addr, ledger.len);
  main.ledgerMint(ledger.addr, ledger.len, host, 1_000_000_000);
  const accounts = jobRings.map(() => main.ledgerOpen(ledger.addr, ledger.len));

  // Frame 0: random particles in buffer 0.
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const s0 = stateView(sab, arena, 0, PARTICLES);
  for (let i = 0; i < PARTICLES; i++) s0.set([rnd(), rnd(), (rnd() - 0.5) * 0.2, (rnd() - 0.5) * 0.2], i * 4);

  const common = { arena, particles: PARTICLES, ledger, doneRing };
  const modules = jobRings.map((jobRing, i) => spawn(env,
    { role: 'module', slot: 2 + i, id: i, jobRing, account: accounts[i], ...common }, BUDGET_MS, WORKER));
  const kernel = spawn(env, { role: 'kernel', slot: 1, jobRings, host, jobsPerFrame: JOBS_PER_FRAME, ...common }, BUDGET_MS, WORKER);
  const workers = Promise.all([kernel, ...modules]);
  workers.catch((e) => { $('error').textContent = String(e.message); });

  const i32 = new Int32Array(sab);
  const frameEpoch = new Epoch(sab, arena + LAYOUT.FRAME_EPOCH);
  const drawnWord = (arena + LAYOUT.DRAWN) >> 2;
  const ctx = $('view').getContext('2d');
  const W = ctx.canvas.width, H = ctx.canvas.height;
  const image = ctx.createImageData(W, H);
  const px = new Uint32Array(image.data.buffer);
  const views = [stateView(sab, arena, 0, PARTICLES), stateView(sab, arena, 1, PARTICLES)];
  const st = { drawn: -1, framesRendered: 0, last: { t: performance.now(), frame: 0 }, jobsPerS: 0, audit: null };

  function draw() {
    const f = frameEpoch.load();
    if (f !== st.drawn) {
      const s = views[f % 2]; // read in place: no copy of the frame
      px.fill(0xff000000);
      for (let i = 0; i < PARTICLES; i++) {
        const x = (s[i * 4] * (W - 1)) | 0, y = (s[i * 4 + 1] * (H - 1)) | 0;
        const speed = Math.min(255, (Math.abs(s[i * 4 + 2]) + Math.abs(s[i * 4 + 3])) * 600) | 0;
        if (x >= 0 && x < W && y >= 0 && y < H) px[y * W + x] = 0xff000000 | (255 - speed) << 16 | 200 << 8 | (80 + (speed >> 1));
      }
      ctx.putImageData(image, 0, 0);
      st.drawn = f;
      st.framesRendered++;
      Atomics.store(i32, drawnWord, f); // the kernel may now overwrite the other buffer
      Atomics.notify(i32, drawnWord);
    }
    const now = performance.now();
    if (now - st.last.t >= 500) {
      st.jobsPerS = ((f - st.last.frame) * JOBS_PER_FRAME) / ((now - st.last.t) / 1000);
      st.last = { t: now, frame: f };
      st.audit = main.ledgerAudit(ledger.addr, ledger.len); // non-blocking
      $('frames').textContent = f;
      $('jobs').textContent = Math.round(st.jobsPerS);
      $('credits').textContent = credits();
      const a = $('audit');
      a.textContent = st.audit.status === STATUS.OK ? 'balanced' : `${st.audit.holdsInProgress} in flight`;
      a.className = st.audit.status === STATUS.OK || st.audit.holdsInProgress > 0 ? '' : 'bad';
    }
    if (!st.stopped) requestAnimationFrame(draw);
  }
  const credits = () => accounts.reduce((sum, a) => sum + Number(main.ledgerBalance(ledger.addr, ledger.len, a)), 0);
  requestAnimationFrame(draw);

  /** The check the CI runs: draw at least `frames` frames, stop, and report the final state. */
  async function check({ frames = 60, timeoutMs = 30_000 } = {}) {
    const t0 = performance.now();
    while (st.framesRendered < frames && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 50));
    Atomics.store(i32, (arena + LAYOUT.STOP) >> 2, 1);
    Atomics.notify(i32, drawnWord);
    const [k, ...m] = await workers;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // the last frame drawn
    st.stopped = true;
    const audit = main.ledgerAudit(ledger.addr, ledger.len);
    const pixels = ctx.getImageData(0, 0, W, H).data;
    let lit = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] | pixels[i + 1] | pixels[i + 2]) lit++;
    return {
      crossOriginIsolated, framesRendered: st.framesRendered, kernelFrames: k.frames,
      jobsDispatched: k.dispatched, jobsCompleted: k.completed,
      jobsProcessed: m.reduce((a, x) => a + x.processed, 0), settled: m.reduce((a, x) => a + x.settled, 0),
      credits: credits(), auditBalanced: audit.status === STATUS.OK && audit.holdsInProgress === 0,
      nonBackgroundPixels: lit, summary: { frames: k.frames, jobs: k.dispatched, credits: credits(), litPixels: lit },
    };
  }
  return { check };
}

const started = start().catch((e) => {
  $('error').textContent = errorText(e);
  throw e;
});
window.inosPage = {
  kind: 'example',
  names: ['check'],
  async run(name, options) {
    try {
      const page = await started;
      return toJson({ ok: true, result: await page.check(options) });
    } catch (e) {
      return toJson({ ok: false, error: errorText(e) });
    }
  },
};
