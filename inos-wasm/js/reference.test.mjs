// The pure-JS reference party against Rust-formatted rings and hostile bytes (single thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { RING, RingConsumer, RingProducer, Epoch, ProtocolError } from './reference.mjs';

function smallRing(env, cap, kind) {
  const arena = env.main.region('arena');
  const len = env.main.x.inos_ring_required_len(cap);
  env.main.ringInit(arena.addr, len, cap, kind);
  return { addr: arena.addr, len, i32: new Int32Array(env.memory.buffer) };
}

test('JS consumer frees a whole lap of padding, then reads what Rust pushed', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 64, RING.KIND_SPSC);
  const data = (addr + RING.HEADER_LEN) >> 2;
  // Two aborted 32-byte records fill the ring: all padding.
  for (const off of [0, 32]) {
    Atomics.store(i32, data + off / 4, 24);
    Atomics.store(i32, data + off / 4 + 1, RING.STATE_PADDING);
  }
  Atomics.store(i32, (addr + RING.OFF_TAIL) >> 2, 64);
  const c = new RingConsumer(env.memory.buffer, addr, len);
  assert.equal(c.tryPop(), null);
  assert.equal(c.head, 64, 'the padding lap was released');
  assert.equal(Atomics.load(i32, data + 1), 0, 'and zeroed');
  const p = env.main.ringProducer(addr, len);
  assert.equal(env.main.push(p, Uint8Array.of(1, 2, 3)), 0);
  assert.deepEqual([...c.tryPop()], [1, 2, 3]);
  assert.equal(c.tryPop(), null);
  c.close();
  env.main.ringClose(p);
});

test('JS parties refuse hostile bytes with typed errors', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 128, RING.KIND_MPSC);
  const sab = env.memory.buffer;
  const c = new RingConsumer(sab, addr, len);
  assert.throws(() => new RingConsumer(sab, addr, len), (e) => e instanceof ProtocolError && e.code === 'role-taken');
  const data = (addr + RING.HEADER_LEN) >> 2;
  Atomics.store(i32, data + 1, 7); // an undefined state
  assert.throws(() => c.tryPop(), (e) => e.code === 'corrupt');
  Atomics.store(i32, data + 1, RING.STATE_COMMITTED);
  Atomics.store(i32, data, 1000); // longer than max_message and the tail
  assert.throws(() => c.tryPop(), (e) => e.code === 'corrupt');
  c.close();
  Atomics.store(i32, (addr + RING.OFF_CAPACITY) >> 2, 100);
  assert.throws(() => new RingProducer(sab, addr, len), (e) => e.code === 'bad-capacity');
  Atomics.store(i32, addr >> 2, 0);
  assert.throws(() => new RingConsumer(sab, addr, len), (e) => e.code === 'bad-magic');
  // And the Rust side agrees that these bytes are not a ring.
  assert.equal(env.main.x.inos_ring_consumer(addr, len), -12);
});

test('JS producer on an SPSC ring: role, wrap padding, full, zero-length messages', () => {
  const env = setup();
  const { addr, len } = smallRing(env, 64, RING.KIND_SPSC);
  const sab = env.memory.buffer;
  const p = new RingProducer(sab, addr, len);
  assert.throws(() => new RingProducer(sab, addr, len), (e) => e.code === 'role-taken');
  assert.throws(() => p.tryPush(new Uint8Array(25)), (e) => e.code === 'too-large');
  const h = env.main.ringConsumer(addr, len);
  for (let i = 0; i < 50; i++) {
    const msg = new Uint8Array(i % 25).fill(i); // every length 0..24, wrapping with padding
    assert.equal(p.tryPush(msg), true);
    assert.deepEqual(env.main.pop(h), msg);
  }
  assert.equal(p.tryPush(new Uint8Array(24).fill(1)), true);
  assert.equal(p.tryPush(new Uint8Array(24).fill(2)), true);
  assert.equal(p.tryPush(new Uint8Array(1)), false, 'full');
  assert.deepEqual(env.main.pop(h), new Uint8Array(24).fill(1));
  assert.deepEqual(env.main.pop(h), new Uint8Array(24).fill(2));
  assert.equal(env.main.pop(h), null);
  p.close();
  env.main.ringClose(h);
});

test('epoch counters wrap and compare as u32 in JS', () => {
  const env = setup();
  const addr = env.plan.regionBase + 0x438; // pulse
  const e = new Epoch(env.memory.buffer, addr);
  Atomics.store(e.i32, e.word, -1); // 0xFFFFFFFF
  assert.equal(e.load(), 0xffffffff);
  assert.equal(env.main.epochSignal(addr), 0);
  assert.equal(e.waitChanged(0xffffffff, 0), 0);
  assert.equal(e.signal(), 1);
  assert.equal(env.main.epochLoad(addr), 1);
});
