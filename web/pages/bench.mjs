// The benchmark page (main thread): the seed's browser figures, measured with real module Workers
// on one shared WebAssembly.Memory. Driven by `node web/run.mjs --suite bench [--quick]`, which
// writes target/web-bench.json; `node web/bench-table.mjs` turns that into the README table.
//
// Honesty rules: every time is a round trip measured by one party with its own clock; every
// reported time is compared with the isolated timer resolution of this browser and withheld
// (null, `below_resolution`) when it is below it; medians and p99 over all rounds after warm-up.
import { RING, Epoch } from '/inos-wasm/js/reference.mjs';
import { loadModule, spawn, startRoles, toJson, errorText, requireIsolation, REGION_SIZE, EPOCH } from './lib.mjs';
import { timerResolution } from './bench-roles.mjs';

const MB5 = 5 * 1024 * 1024;

const SIZES = {
  full: { latRounds: 5000, latWarmup: 500, pollRounds: 50, handoffRounds: 30, handoffWarmup: 5, ringN: 1_000_000, ringWarmup: 100_000, ledgerN: 200_000, ledgerWarmup: 20_000 },
  quick: { latRounds: 200, latWarmup: 50, pollRounds: 5, handoffRounds: 3, handoffWarmup: 1, ringN: 20_000, ringWarmup: 2_000, ledgerN: 5_000, ledgerWarmup: 500 },
};

/**
 * The ring of the Rust row: `ring_capacity(32)` of the native bench `ring/spsc_single/32B`
 * (benches/benches/ring.rs: 4096 records of 40 bytes, rounded down to a power of two).
 */
const RUST_RING_CAP = 128 * 1024;
/** The Rust row's sleep per attempt after 64 spins on a full / empty ring (µs). */
const RUST_SLEEP_US = 1;

/** The wasm-bindgen build (examples/web-module, embedding inos-web), initialised once. */
let webModule = null;
async function loadWebModule() {
  requireIsolation();
  webModule ??= (async () => {
    const web = await import('/pkg/web-module/index.js');
    const glue = await import('/pkg/web-module/inos_web.js');
    await web.default();
    return { ...glue, ...web };
  })();
  return webModule;
}

/** The checksum of benchmark messages `from..to` (bigint): Σ i + 6·(to − from), as in Rust. */
function benchChecksum(from, to) {
  const a = BigInt(from), b = BigInt(to);
  return BigInt.asUintN(64, ((a + b - 1n) * (b - a)) / 2n + 6n * (b - a));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** `{ n, median_us, p99_us, mean_us }` of samples in ms; a value below `floorUs` becomes null. */
function stat(samplesMs, floorUs) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const us = (v) => v * 1000;
  const keep = (v) => (us(v) < floorUs ? null : us(v));
  const out = {
    n: s.length,
    median_us: keep(quantile(s, 0.5)),
    p99_us: keep(quantile(s, 0.99)),
    mean_us: keep(s.reduce((a, b) => a + b, 0) / s.length),
  };
  const below = Object.entries(out).filter(([k, v]) => k !== 'n' && v === null).map(([k]) => k);
  if (below.length) out.below_resolution = below;
  return out;
}

/** A bench region: the standard layout with room in the arena for 5 MB plus a control block. */
async function benchEnv() {
  const env = await loadModule('inos_wasm', { regionSize: REGION_SIZE + 6 * 1024 * 1024 });
  const arena = env.main.region('arena');
  const ctl = arena.addr; // control words, then payload / ring at +4096
  return {
    env, arena,
    desc: ctl, dataEpoch: ctl + 64, ackEpoch: ctl + 72, ready: ctl + 128, go: ctl + 132,
    payload: ctl + 4096, payloadRoom: arena.size - 4096,
  };
}

/** Waits (without blocking) until `n` workers registered on the ready word, then sets go. */
async function release(b, n) {
  const i32 = new Int32Array(b.env.memory.buffer);
  for (;;) {
    const v = Atomics.load(i32, b.ready >> 2);
    if (v >= n) break;
    const r = Atomics.waitAsync(i32, b.ready >> 2, v, 10_000);
    if ((r.async ? await r.value : r.value) === 'timed-out') throw new Error('workers never became ready');
  }
  Atomics.store(i32, b.go >> 2, 1);
  Atomics.notify(i32, b.go >> 2);
}

const benches = {
  async wakeWorkerWorker(z) {
    const { env } = await benchEnv();
    const base = env.plan.regionBase;
    const common = { ping: base + EPOCH.PULSE, pong: base + EPOCH.SYSTEM, rounds: z.latRounds, warmup: z.latWarmup };
    const [p] = await Promise.all([
      spawn(env, { role: 'lat-pinger', slot: 1, ...common }),
      spawn(env, { role: 'lat-ponger', slot: 2, ...common }),
    ]);
    return { rtt: p.rtt, workerResolutionMs: p.resolutionMs };
  },

  async wakeWorkerMain(z) {
    const { env } = await benchEnv();
    const base = env.plan.regionBase;
    const ping = new Epoch(env.memory.buffer, base + EPOCH.PULSE), pong = new Epoch(env.memory.buffer, base + EPOCH.SYSTEM);
    const rounds = z.latRounds, warmup = z.latWarmup;
    const worker = spawn(env, { role: 'lat-pinger', slot: 1, ping: ping.word * 4, pong: pong.word * 4, rounds, warmup });
    let last = 0, asyncWaits = 0;
    for (let i = 0; i < rounds + warmup; i++) {
      const before = ping.stats.waits;
      const v = await ping.waitChangedAsync(last, 10_000);
      if (v === null) throw new Error(`worker -> main: no signal in round ${i}`);
      asyncWaits += ping.stats.waits - before;
      last = v;
      pong.signal();
    }
    const p = await worker;
    return { rtt: p.rtt, asyncWaits };
  },

  async pollWorkerMain(z) {
    const { env } = await benchEnv();
    const base = env.plan.regionBase;
    const ping = new Epoch(env.memory.buffer, base + EPOCH.PULSE), pong = new Epoch(env.memory.buffer, base + EPOCH.SYSTEM);
    const rounds = z.pollRounds, warmup = 1;
    const worker = spawn(env, { role: 'lat-pinger', slot: 1, ping: ping.word * 4, pong: pong.word * 4, rounds, warmup });
    let last = 0, polls = 0;
    await new Promise((resolve) => {
      const id = setInterval(() => {
        polls++;
        const v = ping.load();
        if (v === last) return;
        last = v;
        pong.signal();
        if (v >= rounds + warmup) { clearInterval(id); resolve(); }
      }, 4);
    });
    const p = await worker;
    return { rtt: p.rtt, polls };
  },

  async handoff(z) {
    const out = {};
    for (const e2e of [false, true]) {
      for (const mode of ['sab', 'clone', 'transfer']) {
        const key = `${mode}${e2e ? '_e2e' : '_alone'}`;
        const b = await benchEnv();
        if (b.payloadRoom < MB5) throw new Error(`arena too small for 5 MB (${b.payloadRoom})`);
        const common = { rounds: z.handoffRounds, warmup: z.handoffWarmup, bytes: MB5, e2e };
        let r;
        if (mode === 'sab') {
          const at = { desc: b.desc, payload: b.payload, dataEpoch: b.dataEpoch, ackEpoch: b.ackEpoch };
          [r] = await Promise.all([
            spawn(b.env, { role: 'handoff-sab-sender', ...common, ...at }, 60_000),
            spawn(b.env, { role: 'handoff-sab-receiver', ...common, ...at }, 60_000),
          ]);
        } else {
          const ch = new MessageChannel();
          const viaTransfer = mode === 'transfer';
          [r] = await Promise.all([
            spawn(b.env, { role: 'handoff-post-sender', ...common, viaTransfer, port: ch.port1, transfer: [ch.port1] }, 60_000),
            spawn(b.env, { role: 'handoff-post-receiver', ...common, viaTransfer, port: ch.port2, transfer: [ch.port2] }, 60_000),
          ]);
        }
        if (r.badSums !== 0) throw new Error(`${key}: ${r.badSums} wrong checksums`);
        out[key] = r.times;
      }
    }
    return out;
  },

  ring: (z) => ringBench(z, false),
  ringSpin: (z) => ringBench(z, true),
  ringJs: (z) => ringBench(z, false, '-js'),

  /**
   * SPSC ring, 32-byte messages, between two workers running the Rust module, both loops in Rust:
   * one `BenchProducer.push(n)` call, `BenchConsumer.pop` calls for the warm-up and the timed
   * rest. A `Mode::Poll` ring of the native bench's capacity (native: row
   * `ring/spsc_single/32B` `inos`); while full / empty both sides spin 64 times, then sleep 1 µs
   * per attempt in `Atomics.wait` (`sleepUs`; the nearest a wasm worker has to the native
   * `yield_now`), or keep spinning (`ringRustSpin`).
   */
  ringRust: (z) => ringRustBench(z, RUST_SLEEP_US),
  ringRustSpin: (z) => ringRustBench(z, undefined),

  async ringPair(z) {
    const b = await benchEnv();
    const cap = 64 * 1024, size = 8;
    const len = b.env.main.x.inos_ring_required_len(cap);
    b.env.main.ringInit(b.payload, len, cap, RING.KIND_SPSC);
    const r = await spawn(b.env, { role: 'ring-pair', slot: 1, ring: b.payload, ringLen: len, size, n: z.ringN, warmup: z.ringWarmup }, 60_000);
    if (r.bad !== 0) throw new Error(`ring pair: ${r.bad} bad pops`);
    return { ...r, size, capacity: cap };
  },

  async ledger(z) {
    const { env } = await benchEnv();
    const { main } = env;
    const l = main.region('ledger');
    const payer = main.ledgerOpen(l.addr, l.size), payee = main.ledgerOpen(l.addr, l.size);
    main.ledgerMint(l.addr, l.size, payer, 1_000_000_000);
    const r = await spawn(env, { role: 'ledger-bench', slot: 1, ledger: l.addr, ledgerLen: l.size, payer, payee, n: z.ledgerN, warmup: z.ledgerWarmup }, 60_000);
    const audit = main.ledgerAudit(l.addr, l.size);
    if (audit.status !== 0 || audit.held !== 0n) throw new Error(`ledger audit after the bench: ${toJson(audit)}`);
    return r;
  },
};

/** The Rust ring rows (`benches.ringRust`): `sleepUs` undefined spins only. */
async function ringRustBench(z, sleepUs) {
  const web = await loadWebModule();
  const cap = RUST_RING_CAP;
  const ringLen = web.Ring.requiredLength(cap);
  const ring = web.allocRegion(ringLen);
  web.benchRingInit(ring, ringLen, cap);
  const ctl = web.allocRegion(64); // ready at +0, go at +4
  const common = { ring, ringLen, sleepUs, n: z.ringN, warmup: z.ringWarmup, ready: ctl, go: ctl + 4 };
  const { results, stop } = await startRoles(web, [
    { role: 'bench-ring-consumer', ...common },
    { role: 'bench-ring-producer', ...common },
  ], 60_000);
  try {
    const i32 = new Int32Array(web.sharedMemory().buffer);
    let failed = null;
    results.catch((e) => { failed = e; });
    for (;;) {
      if (failed) throw failed;
      const v = Atomics.load(i32, ctl >> 2);
      if (v >= 2) break;
      const r = Atomics.waitAsync(i32, ctl >> 2, v, 1000);
      if (r.async) await r.value;
    }
    Atomics.store(i32, (ctl + 4) >> 2, 1);
    Atomics.notify(i32, (ctl + 4) >> 2);
    const [c, p] = await results;
    if (p.sent !== z.ringN) throw new Error(`rust ring: producer pushed ${p.sent} of ${z.ringN}`);
    const want = [benchChecksum(0, z.ringWarmup), benchChecksum(z.ringWarmup, z.ringN)];
    if (c.warmSum !== want[0] || c.sum !== want[1]) {
      throw new Error(`rust ring: checksums ${c.warmSum}, ${c.sum}; expected ${want[0]}, ${want[1]}`);
    }
    return { size: 32, capacity: cap, timed: c.timed, ms: c.ms, workerResolutionMs: c.resolutionMs, checksum: String(c.sum) };
  } finally {
    stop();
  }
}

/**
 * SPSC ring, 32-byte messages, between two wasm workers; `spin`: nobody sleeps. `roleSuffix`
 * '-js': the JS reference party on both sides instead (no wasm).
 */
async function ringBench(z, spin, roleSuffix = '') {
  const b = await benchEnv();
  const cap = 64 * 1024, size = 32;
  const len = b.env.main.x.inos_ring_required_len(cap);
  b.env.main.ringInit(b.payload, len, cap, RING.KIND_SPSC);
  const common = { ring: b.payload, ringLen: len, n: z.ringN, warmup: z.ringWarmup, size, ready: b.ready, go: b.go, spin };
  const both = Promise.all([
    spawn(b.env, { role: `ring-consumer${roleSuffix}`, slot: 1, ...common }, 60_000),
    spawn(b.env, { role: `ring-producer${roleSuffix}`, slot: 2, ...common }, 60_000),
  ]);
  await release(b, 2);
  const [c] = await both;
  if (c.got !== z.ringN || c.outOfOrder !== 0) throw new Error(`ring: got ${c.got}, ${c.outOfOrder} out of order`);
  return { size, capacity: cap, timed: c.timed, ms: c.ms };
}

/**
 * Throughput of `r.timed` messages in `r.ms`: withheld (null, `below_resolution`) if the run took
 * less than the timer floor — never the case at these sizes, but never reported if it were.
 */
function throughput(r, floorUs) {
  const ok = r.ms * 1000 >= floorUs;
  return {
    msgs_per_s: ok ? r.timed / (r.ms / 1000) : null,
    ns_per_msg: ok ? (r.ms * 1e6) / r.timed : null,
    n: r.timed, ms: r.ms, capacity: r.capacity,
    ...(ok ? {} : { below_resolution: ['msgs_per_s', 'ns_per_msg'] }),
  };
}

/** Runs every bench, or only those named in `only` (keys of `benches`, for a partial run). */
async function runAll({ quick = false, only = null } = {}) {
  const z = quick ? SIZES.quick : SIZES.full;
  const mainRes = timerResolution();
  const raw = {};
  for (const k of only ?? []) if (!(k in benches)) throw new Error(`unknown bench ${k}`);
  for (const [k, f] of Object.entries(benches)) if (!only || only.includes(k)) raw[k] = await f(z);
  const workerRes = raw.wakeWorkerWorker?.workerResolutionMs ?? raw.ringRust?.workerResolutionMs ?? raw.ringRustSpin?.workerResolutionMs ?? 0;
  const resUs = Math.max(mainRes, workerRes, raw.ringRust?.workerResolutionMs ?? 0, raw.ringRustSpin?.workerResolutionMs ?? 0) * 1000;
  const rtt = (k) => stat(raw[k].rtt, resUs);
  const half = (k) => stat(raw[k].rtt.map((x) => x / 2), resUs);
  const results = {
    timer_resolution_us: { main: mainRes * 1000, worker: workerRes * 1000, floor: resUs },
  };
  if (raw.wakeWorkerWorker) {
    results.wake_worker_worker_rtt = rtt('wakeWorkerWorker');
    results.wake_worker_worker_oneway = half('wakeWorkerWorker');
  }
  if (raw.wakeWorkerMain) {
    results.wake_worker_main_rtt = { ...rtt('wakeWorkerMain'), async_waits: raw.wakeWorkerMain.asyncWaits };
    results.wake_worker_main_oneway = half('wakeWorkerMain');
  }
  if (raw.pollWorkerMain) results.poll_setinterval_rtt = { ...rtt('pollWorkerMain'), polls: raw.pollWorkerMain.polls };
  for (const [k, times] of Object.entries(raw.handoff ?? {})) results[`handoff_5mb_${k}`] = stat(times, resUs);
  for (const [k, r] of [
    ['ring_spsc_32b_two_wasm_workers', raw.ring], ['ring_spsc_32b_two_wasm_workers_spin', raw.ringSpin],
    ['ring_spsc_32b_two_rust_workers', raw.ringRust], ['ring_spsc_32b_two_rust_workers_spin', raw.ringRustSpin],
    ['ring_spsc_32b_two_js_reference_workers', raw.ringJs], ['ring_spsc_8b_one_worker_pair', raw.ringPair],
  ]) {
    if (r) results[k] = throughput(r, resUs);
  }
  if (raw.ringRust) Object.assign(results.ring_spsc_32b_two_rust_workers, { checksum: raw.ringRust.checksum, sleep_us: RUST_SLEEP_US });
  if (raw.ringRustSpin) results.ring_spsc_32b_two_rust_workers_spin.checksum = raw.ringRustSpin.checksum;
  if (raw.ledger) {
    results.ledger_one_worker = {
      settlements_per_s: raw.ledger.n / (raw.ledger.settleMs / 1000),
      transfers_per_s: raw.ledger.n / (raw.ledger.transferMs / 1000),
      n: raw.ledger.n,
    };
  }
  return {
    userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency,
    sizes: z, results,
  };
}

window.inosPage = {
  kind: 'bench',
  names: ['all'],
  async run(name, options = {}) {
    try {
      if (name !== 'all') throw new Error(`unknown bench ${name}`);
      return toJson({ ok: true, result: await runAll(options) });
    } catch (e) {
      return toJson({ ok: false, error: errorText(e) });
    }
  },
};
