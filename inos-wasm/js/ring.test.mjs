// Rings across worker threads on one shared memory: Rust (wasm) parties and the pure-JS
// reference party (reference.mjs, written from the spec) on the same bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, runWorker } from './harness.mjs';
import { RING, FixedRingConsumer, FixedRingProducer } from './reference.mjs';
import { STATUS } from './inos.mjs';

const TEST_TIMEOUT = 60_000;

test('(a) Rust producer -> pure-JS consumer on the standard outbox_host ring', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const ring = env.main.region('outbox_host');
  const n = 20_000;
  const dataEpoch = ring.addr + RING.OFF_DATA_EPOCH;
  const [consumer, producer] = await Promise.all([
    runWorker(env, { role: 'js-consumer', ring: ring.addr, ringLen: ring.size, expect: [[1, n]], maxBody: 300 }),
    // The producer starts only once the consumer sleeps on the data epoch (so the JS side blocks).
    runWorker(env, { role: 'rust-producer', slot: 1, ring: ring.addr, ringLen: ring.size, tag: 1, n, maxBody: 300, waitForConsumerAt: dataEpoch }),
  ]);
  assert.equal(producer.sent, n);
  assert.equal(consumer.got, n, 'every message exactly once, in order (checked per message)');
  assert.equal(consumer.extra, false, 'nothing after the last message');
  assert.ok(consumer.waits.waits >= 1, 'the JS consumer blocked in Atomics.wait on the data epoch');
});

test('(a) Rust producer -> pure-JS consumer on a tiny SPSC ring (constant wrap, full and empty)', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 256;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInit(arena.addr, len, cap, RING.KIND_SPSC);
  const n = 5_000;
  const [consumer, producer] = await Promise.all([
    runWorker(env, { role: 'js-consumer', ring: arena.addr, ringLen: len, expect: [[7, n]], maxBody: 100 }),
    runWorker(env, { role: 'rust-producer', slot: 1, ring: arena.addr, ringLen: len, tag: 7, n, maxBody: 100, waitForConsumerAt: arena.addr + RING.OFF_DATA_EPOCH }),
  ]);
  assert.equal(producer.sent, n);
  assert.equal(consumer.got, n);
  assert.equal(consumer.extra, false);
  assert.ok(consumer.waits.waits >= 1);
});

test('(b) pure-JS producer -> Rust consumer on a tiny SPSC ring', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 512;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInit(arena.addr, len, cap, RING.KIND_SPSC);
  const n = 5_000;
  const [consumer, producer] = await Promise.all([
    runWorker(env, { role: 'rust-consumer', slot: 1, ring: arena.addr, ringLen: len, expect: [[3, n]], maxBody: 200 }),
    runWorker(env, { role: 'js-producer', ring: arena.addr, ringLen: len, tag: 3, n, maxBody: 200, waitForConsumerAt: arena.addr + RING.OFF_DATA_EPOCH }),
  ]);
  assert.equal(producer.sent, n);
  assert.equal(consumer.got, n);
  assert.equal(consumer.extra, false);
});

test('(b) pure-JS and Rust producers together -> Rust consumer on the MPSC inbox ring', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const ring = env.main.region('inbox');
  const n = 8_000;
  const [consumer, js, rust] = await Promise.all([
    runWorker(env, { role: 'rust-consumer', slot: 1, ring: ring.addr, ringLen: ring.size, expect: [[10, n], [11, n]], maxBody: 500 }),
    runWorker(env, { role: 'js-producer', ring: ring.addr, ringLen: ring.size, tag: 10, n, maxBody: 500 }),
    runWorker(env, { role: 'rust-producer', slot: 2, ring: ring.addr, ringLen: ring.size, tag: 11, n, maxBody: 500 }),
  ]);
  assert.equal(js.sent + rust.sent, 2 * n);
  assert.equal(consumer.got, 2 * n, 'each producer\'s messages exactly once and in its order');
  assert.equal(consumer.extra, false);
});

test('(b) two pure-JS and one Rust producer -> pure-JS consumer on a tiny MPSC ring (contended claims)', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 256;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInit(arena.addr, len, cap, RING.KIND_MPSC);
  const n = 4_000;
  const [consumer] = await Promise.all([
    runWorker(env, { role: 'js-consumer', ring: arena.addr, ringLen: len, expect: [[20, n], [21, n], [22, n]], maxBody: 60 }),
    runWorker(env, { role: 'js-producer', ring: arena.addr, ringLen: len, tag: 20, n, maxBody: 60 }),
    runWorker(env, { role: 'rust-producer', slot: 1, ring: arena.addr, ringLen: len, tag: 21, n, maxBody: 60 }),
    runWorker(env, { role: 'js-producer', ring: arena.addr, ringLen: len, tag: 22, n, maxBody: 60 }),
  ]);
  assert.equal(consumer.got, 3 * n, 'each producer\'s messages exactly once and in its order');
  assert.equal(consumer.extra, false);
});

test('(c) fill-level reads of a busy tiny MPSC ring never report contention as corruption (ring.md §2.1)', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 64;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInit(arena.addr, len, cap, RING.KIND_MPSC);
  const doneFlag = arena.addr + len; // a word of the arena after the ring, zero
  const n = 30_000;
  const [consumer, , , reader] = await Promise.all([
    runWorker(env, { role: 'js-consumer', ring: arena.addr, ringLen: len, expect: [[30, n], [31, n]], maxBody: 12, doneFlag }),
    runWorker(env, { role: 'js-producer', ring: arena.addr, ringLen: len, tag: 30, n, maxBody: 12 }),
    runWorker(env, { role: 'rust-producer', slot: 1, ring: arena.addr, ringLen: len, tag: 31, n, maxBody: 12 }),
    runWorker(env, { role: 'js-positions-reader', ring: arena.addr, ringLen: len, doneFlag }),
  ]);
  assert.equal(consumer.got, 2 * n);
  assert.ok(reader.reads > 0, 'the observer read the positions while the ring was busy');
  assert.ok(reader.maxUsed <= cap);
  console.log(`# positions: ${reader.reads} reads, ${reader.retries} retries (contention), max used ${reader.maxUsed}`);
});

// ---- Fixed-size SPSC rings (ring.md §3.3): the wasm module's ends and the JS reference's ----

test('(d) fixed-size ring: the wasm calls and the JS reference party read each other\'s records', () => {
  const env = setup();
  const arena = env.main.region('arena');
  const m = env.main;
  const cap = 64;
  const len = m.x.inos_ring_required_len(cap);
  const refused = (f) => assert.throws(f, (e) => e.status === STATUS.INVALID);
  refused(() => m.ringInitFixed(arena.addr, len, cap, 0));
  refused(() => m.ringInitFixed(arena.addr, len, cap, cap / 2 - 7)); // above max_message
  m.ringInitFixed(arena.addr, len, cap, 12); // 5 records a lap, the last 4 bytes skipped
  const p = m.ringProducer(arena.addr, len);
  refused(() => m.push(p, new Uint8Array(11)));
  refused(() => m.push(p, new Uint8Array(13)));
  const js = new FixedRingConsumer(m.memory.buffer, arena.addr, len, 12);
  const msg = (i) => Uint8Array.from({ length: 12 }, (_, k) => (i * 13 + k + 1) & 0xff);
  // Rust writes, JS reads, across several laps (the skipped bytes at each lap's end included).
  for (let i = 0; i < 23; i++) {
    assert.equal(m.push(p, msg(i)), STATUS.OK);
    if (i % 3 === 2) for (let k = i - 2; k <= i; k++) assert.deepEqual(js.tryPop(), msg(k));
  }
  assert.deepEqual(js.tryPop(), msg(21));
  assert.deepEqual(js.tryPop(), msg(22));
  assert.equal(js.tryPop(), null);
  m.ringClose(p);
  js.close();
  // JS writes, Rust reads.
  const jp = new FixedRingProducer(m.memory.buffer, arena.addr, len, 12);
  const c = m.ringConsumer(arena.addr, len);
  for (let i = 100; i < 123; i++) {
    assert.equal(jp.tryPush(msg(i)), true);
    assert.deepEqual(m.pop(c), msg(i));
  }
  assert.equal(m.pop(c), null);
  m.ringClose(c);
  jp.close();
  // A reference party of another message size refuses the ring.
  assert.throws(() => new FixedRingConsumer(m.memory.buffer, arena.addr, len, 8));
});

test('(d) Rust producer -> pure-JS consumer on a tiny fixed-size ring (the consumer blocks)', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 256;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInitFixed(arena.addr, len, cap, 20); // 12 records a lap, 16 bytes skipped
  const n = 20_000;
  const [consumer, producer] = await Promise.all([
    runWorker(env, { role: 'js-consumer', ring: arena.addr, ringLen: len, expect: [[40, n]], fixedSize: 20 }),
    runWorker(env, { role: 'rust-producer', slot: 1, ring: arena.addr, ringLen: len, tag: 40, n, fixedSize: 20, waitForConsumerAt: arena.addr + RING.OFF_DATA_EPOCH }),
  ]);
  assert.equal(producer.sent, n);
  assert.equal(consumer.got, n, 'every message exactly once, in order (checked per message)');
  assert.equal(consumer.extra, false);
  assert.ok(consumer.waits.waits >= 1, 'the JS consumer blocked in Atomics.wait on the data epoch');
});

test('(d) pure-JS producer -> Rust consumer on a tiny fixed-size ring', { timeout: TEST_TIMEOUT }, async () => {
  const env = setup();
  const arena = env.main.region('arena');
  const cap = 128;
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInitFixed(arena.addr, len, cap, 36); // 3 records a lap, 20 bytes skipped
  const n = 20_000;
  const [consumer, producer] = await Promise.all([
    runWorker(env, { role: 'rust-consumer', slot: 1, ring: arena.addr, ringLen: len, expect: [[41, n]], fixedSize: 36 }),
    runWorker(env, { role: 'js-producer', ring: arena.addr, ringLen: len, tag: 41, n, fixedSize: 36, waitForConsumerAt: arena.addr + RING.OFF_DATA_EPOCH }),
  ]);
  assert.equal(producer.sent, n);
  assert.equal(consumer.got, n);
  assert.equal(consumer.extra, false);
});
