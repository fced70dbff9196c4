// Epochs across threads: a Rust worker signals, the main thread observes with Atomics.waitAsync
// (it must never block), and a pure-JS worker blocks in Atomics.wait on a Rust-signalled epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, runWorker } from './harness.mjs';
import { Epoch, readDirectory } from './reference.mjs';

// Standard epoch slots (PROTOCOL.md §3.3): word offsets from the region base.
const KERNEL_READY = 0x400, PULSE = 0x438, SYSTEM = 0x430;

test('the JS reference reads the region directory the Rust formatter wrote', () => {
  const env = setup();
  const dir = readDirectory(env.memory.buffer, env.plan.regionBase);
  for (const name of ['header', 'epochs', 'ledger', 'inbox', 'outbox_host', 'outbox_kernel', 'arena']) {
    const mine = dir.get(name), theirs = env.main.region(name);
    assert.deepEqual([mine.offset, mine.size, mine.kind], [theirs.offset, theirs.size, theirs.kind], name);
  }
  assert.equal(new Epoch(env.memory.buffer, env.plan.regionBase + KERNEL_READY).load(), 1, 'kernel_ready set last');
  assert.ok(env.main.attachStandard() > 0);
});

test('(d) the main thread observes a Rust-signalled epoch with Atomics.waitAsync', { timeout: 30_000 }, async () => {
  const env = setup();
  const base = env.plan.regionBase;
  const ping = new Epoch(env.memory.buffer, base + PULSE);
  const pong = new Epoch(env.memory.buffer, base + SYSTEM);
  const rounds = 20;
  const worker = runWorker(env, { role: 'epoch-signaller', slot: 1, ping: base + PULSE, pong: base + SYSTEM, rounds });
  const observed = [];
  let last = 0;
  for (let i = 0; i < rounds; i++) {
    const v = await ping.waitChangedAsync(last, 10_000);
    assert.notEqual(v, null, `round ${i}: no signal within the budget`);
    observed.push(v);
    last = v;
    pong.signal(); // let the worker (blocked in the wasm wait import) signal again
  }
  const { seen } = await worker;
  assert.deepEqual(observed, Array.from({ length: rounds }, (_, i) => i + 1), 'every change seen, in order');
  assert.deepEqual(seen, observed, 'the values the signaller produced');
  assert.ok(ping.stats.waits >= 1, 'the main thread waited asynchronously at least once');
});

test('a pure-JS worker blocks in Atomics.wait on an epoch the main thread signals through wasm', { timeout: 30_000 }, async () => {
  const env = setup();
  const addr = env.plan.regionBase + PULSE;
  const rounds = 10;
  const waiter = runWorker(env, { role: 'js-epoch-waiter', epoch: addr, rounds });
  const e = new Epoch(env.memory.buffer, addr);
  for (let i = 0; i < rounds; i++) {
    // Signal only while the waiter is registered (asleep or about to be): the wake must arrive.
    while (Atomics.load(e.i32, e.waiters) === 0) await new Promise((r) => setImmediate(r));
    assert.equal(env.main.epochSignal(addr), i + 1);
  }
  const { values, stats } = await waiter;
  assert.equal(values.at(-1), rounds, 'the last signal was seen');
  assert.ok(values.every((v, i) => i === 0 || v > values[i - 1]), 'monotonic (signals may coalesce)');
  assert.ok(stats.waits >= 1);
});
