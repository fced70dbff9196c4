// The example page (main thread): loads the example Rust compute module (examples/web-module:
// inos-web plus `stepParticles`) on one shared memory, starts a kernel worker and module workers
// on it, and draws each frame to a canvas straight from the shared region in
// requestAnimationFrame. It never blocks: it only loads words, stores, notifies, and runs the
// module's non-blocking calls (balances, audits). `node web/server.mjs` serves it.
import init, { allocRegion, sharedMemory, Ring, Ledger, Epoch, spawnWorkers, onMessage } from '/pkg/web-module/index.js';
import { toJson, errorText, requireIsolation } from '/web/pages/lib.mjs';
import { LAYOUT, ringPlan, stateView, arenaLen } from './layout.mjs';

const PARTICLES = 4000, JOBS_PER_FRAME = 8, MODULES = 2;
const WORKER = new URL('./worker.mjs', import.meta.url);

const $ = (id) => document.getElementById(id);

async function start() {
  requireIsolation();
  await init(); // creates the module's shared memory
  const arena = allocRegion(arenaLen(PARTICLES));
  const ledgerLen = Number(Ledger.requiredLength(1 + MODULES, 64));
  const ledger = { addr: allocRegion(ledgerLen), len: ledgerLen };
  const { doneRing, jobRings } = ringPlan(arena, MODULES, (c) => Ring.requiredLength(c));
  Ring.init(doneRing.addr, doneRing.len, doneRing.cap, 'mpsc');
  for (const r of jobRings) Ring.init(r.addr, r.len, r.cap, 'spsc');
  const l = Ledger.init(ledger.addr, ledger.len, 1 + MODULES, 64);
  const host = l.open();
  l.mint(host, 1_000_000_000n);
  const accounts = jobRings.map(() => l.open());
  // Views over the memory as it is now: the regions above never move, so these stay valid
  // when workers grow the memory later.
  const sab = sharedMemory().buffer;

  // Frame 0: random particles in buffer 0.
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const s0 = stateView(sab, arena, 0, PARTICLES);
  for (let i = 0; i < PARTICLES; i++) s0.set([rnd(), rnd(), (rnd() - 0.5) * 0.2, (rnd() - 0.5) * 0.2], i * 4);
  const initial = s0.slice(); // a private copy, for the final check only (the Rust step moved them)

  const common = { arena, particles: PARTICLES, ledger, doneRing };
  const roles = [
    { role: 'kernel', jobRings, host, jobsPerFrame: JOBS_PER_FRAME, ...common },
    ...jobRings.map((jobRing, i) => ({ role: 'module', id: i, jobRing, account: accounts[i], ...common })),
  ];
  const spawned = await spawnWorkers(WORKER, roles.length, { data: (i) => roles[i], name: 'inos-example' });
  const workers = Promise.all(spawned.map((w) => new Promise((resolve, reject) => {
    onMessage(w, (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    w.addEventListener('error', (e) => reject(new Error(`worker error: ${e.message ?? e}`)));
  })));
  workers.catch((e) => { $('error').textContent = String(e.message); });

  const i32 = new Int32Array(sab);
  const frameEpoch = new Epoch(arena + LAYOUT.FRAME_EPOCH);
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
      st.audit = l.audit(); // non-blocking
      $('frames').textContent = f;
      $('jobs').textContent = Math.round(st.jobsPerS);
      $('credits').textContent = credits();
      const a = $('audit');
      a.textContent = st.audit.balanced ? 'balanced' : `${st.audit.holdsInProgress} in flight`;
      a.className = st.audit.balanced || st.audit.holdsInProgress > 0 ? '' : 'bad';
    }
    if (!st.stopped) requestAnimationFrame(draw);
  }
  const credits = () => accounts.reduce((sum, a) => sum + Number(l.balance(a)), 0);
  requestAnimationFrame(draw);

  /** The check the CI runs: draw at least `frames` frames, stop, and report the final state. */
  async function check({ frames = 60, timeoutMs = 30_000 } = {}) {
    const t0 = performance.now();
    while (st.framesRendered < frames && performance.now() - t0 < timeoutMs) await new Promise((r) => setTimeout(r, 50));
    Atomics.store(i32, (arena + LAYOUT.STOP) >> 2, 1);
    Atomics.notify(i32, drawnWord);
    const [k, ...m] = await workers;
    spawned.forEach((w) => w.terminate());
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))); // the last frame drawn
    st.stopped = true;
    const audit = l.audit();
    const pixels = ctx.getImageData(0, 0, W, H).data;
    let lit = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] | pixels[i + 1] | pixels[i + 2]) lit++;
    const last = views[k.frames % 2];
    let moved = 0, inside = 0;
    for (let i = 0; i < PARTICLES; i++) {
      if (last[i * 4] !== initial[i * 4] || last[i * 4 + 1] !== initial[i * 4 + 1]) moved++;
      if (last[i * 4] >= 0 && last[i * 4] <= 1 && last[i * 4 + 1] >= 0 && last[i * 4 + 1] <= 1) inside++;
    }
    return {
      crossOriginIsolated, framesRendered: st.framesRendered, kernelFrames: k.frames,
      jobsDispatched: k.dispatched, jobsCompleted: k.completed,
      jobsProcessed: m.reduce((a, x) => a + x.processed, 0), settled: m.reduce((a, x) => a + x.settled, 0),
      credits: credits(), auditBalanced: audit.balanced && audit.holdsInProgress === 0,
      nonBackgroundPixels: lit, particles: PARTICLES, particlesMoved: moved, particlesInside: inside,
      summary: { frames: k.frames, jobs: k.dispatched, credits: credits(), litPixels: lit, moved },
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
