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

function padLap(i32, addr, kind) {
  const data = (addr + RING.HEADER_LEN) >> 2;
  // Two 32-byte padding records fill a 64-byte ring (SPSC: a flagged header word; MPSC: length
  // and PADDING state, as abandoned records leave them).
  for (const off of [0, 32]) {
    if (kind === RING.KIND_SPSC) {
      Atomics.store(i32, data + off / 4, (RING.SPSC_PADDING | 28) | 0);
    } else {
      Atomics.store(i32, data + off / 4, 24);
      Atomics.store(i32, data + off / 4 + 1, RING.STATE_PADDING);
    }
  }
  Atomics.store(i32, (addr + RING.OFF_TAIL) >> 2, 64);
  return data;
}

test('JS consumer releases a whole lap of padding (SPSC: without zeroing), then reads what Rust pushed', () => {
  for (const kind of [RING.KIND_SPSC, RING.KIND_MPSC]) {
    const env = setup();
    const { addr, len, i32 } = smallRing(env, 64, kind);
    const data = padLap(i32, addr, kind);
    const c = new RingConsumer(env.memory.buffer, addr, len);
    assert.equal(c.tryPop(), null);
    assert.equal(c.head, 64, 'the padding lap was released');
    assert.equal(Atomics.load(i32, (addr + RING.OFF_HEAD) >> 2), 64);
    if (kind === RING.KIND_MPSC) {
      assert.equal(Atomics.load(i32, data + 1), 0, 'MPSC: the state words of released space are zeroed');
      assert.equal(Atomics.load(i32, data), 24, 'MPSC v3: the length words are left as they were');
      assert.equal(Atomics.load(i32, (addr + RING.OFF_RELEASE_TO) >> 2), 64, 'MPSC: the release was announced');
    } else {
      assert.equal(Atomics.load(i32, data), (RING.SPSC_PADDING | 28) | 0, 'SPSC: nobody zeroes released space');
      assert.equal(Atomics.load(i32, (addr + RING.OFF_RELEASE_TO) >> 2), 0, 'SPSC: RELEASE_TO keeps its init value');
    }
    const p = env.main.ringProducer(addr, len);
    assert.equal(env.main.push(p, Uint8Array.of(1, 2, 3)), 0);
    assert.deepEqual([...c.tryPop()], [1, 2, 3]);
    assert.equal(c.tryPop(), null);
    c.close();
    env.main.ringClose(p);
  }
});

test('SPSC v3: a record is published by the TAIL store only; the consumer reads nothing past TAIL (JS and Rust consumers agree)', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 128, RING.KIND_SPSC);
  const sab = env.memory.buffer;
  const data = (addr + RING.HEADER_LEN) >> 2;
  const iTail = (addr + RING.OFF_TAIL) >> 2;
  const p = new RingProducer(sab, addr, len);
  // Record 1, fully written (header and payload) but not published.
  const r = p.reserve(5);
  r.bytes.set([1, 2, 3, 4, 5]);
  p.commit(r, false);
  assert.equal(Atomics.load(i32, data), 5, 'the header word says a 5-byte message ...');
  assert.equal(Atomics.load(i32, iTail), 0, '... but TAIL has not moved');
  let c = new RingConsumer(sab, addr, len);
  assert.equal(c.tryPop(), null, 'JS consumer: nothing below TAIL');
  c.close();
  let h = env.main.ringConsumer(addr, len);
  assert.equal(env.main.pop(h), null, 'Rust consumer: nothing below TAIL either');
  env.main.ringClose(h);
  // Record 2 in the same batch; one TAIL store publishes both.
  p.tryPush(Uint8Array.of(9)); // tryPush publishes: the batch goes out with it
  assert.equal(Atomics.load(i32, iTail), 20, 'TAIL covers both records (12 + 8 bytes)');
  c = new RingConsumer(sab, addr, len);
  assert.deepEqual([...c.tryPop()], [1, 2, 3, 4, 5]);
  assert.deepEqual([...c.tryPop()], [9]);
  assert.equal(c.tryPop(), null);
  assert.equal(Atomics.load(i32, data), 5, 'the SPSC consumer zeroed nothing');
  // A stale message header past TAIL (a previous lap's bytes) is never read.
  Atomics.store(i32, data + 5, 3);
  assert.equal(c.tryPop(), null, 'stale bytes past TAIL are not a record');
  c.close();
  // And the other direction: batch written, Rust consumer sees it only after flush().
  const r3 = p.reserve(2);
  r3.bytes.set([7, 7]);
  p.commit(r3, false);
  h = env.main.ringConsumer(addr, len);
  assert.equal(env.main.pop(h), null);
  p.flush();
  assert.deepEqual([...env.main.pop(h)], [7, 7]);
  assert.equal(env.main.pop(h), null);
  env.main.ringClose(h);
  p.close();
});

test('SPSC v3: attach repairs nothing, an abort publishes nothing and counts ABORTED', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 64, RING.KIND_SPSC);
  const sab = env.memory.buffer;
  const data = (addr + RING.HEADER_LEN) >> 2;
  // A dead producer's unpublished, half-written record past TAIL: left alone by the next one.
  Atomics.store(i32, data, 0xdead);
  Atomics.store(i32, data + 1, 0xbeef);
  const p = new RingProducer(sab, addr, len);
  assert.equal(Atomics.load(i32, data), 0xdead, 'a v3 producer does not zero free space at attach');
  const r = p.reserve(4);
  assert.equal(p.abort(r), true);
  assert.equal(p.counter(RING.OFF_ABORTED), 1);
  assert.equal(Atomics.load(i32, (addr + RING.OFF_TAIL) >> 2), 0, 'nothing published');
  const h = env.main.ringConsumer(addr, len);
  assert.equal(env.main.pop(h), null);
  assert.equal(p.tryPush(Uint8Array.of(4, 2)), true, 'the aborted space is reused');
  assert.deepEqual([...env.main.pop(h)], [4, 2]);
  env.main.ringClose(h);
  p.close();
});

test('MPSC v3: a JS consumer finishes a release its predecessor died in (RELEASE_TO ahead of HEAD); Rust agrees', () => {
  for (const consumer of ['js', 'rust']) {
    const env = setup();
    const { addr, len, i32 } = smallRing(env, 128, RING.KIND_MPSC);
    const sab = env.memory.buffer;
    const data = addr + RING.HEADER_LEN;
    const iHead = (addr + RING.OFF_HEAD) >> 2, iRel = (addr + RING.OFF_RELEASE_TO) >> 2;
    const p = env.main.ringProducer(addr, len);
    for (const b of [1, 2, 3]) assert.equal(env.main.push(p, new Uint8Array(8).fill(b)), 0); // 16 B each
    // The dead consumer announced [0, 32) and zeroed it, but never stored HEAD.
    Atomics.store(i32, iRel, 32);
    new Uint8Array(sab).fill(0, data, data + 32);
    if (consumer === 'js') {
      const c = new RingConsumer(sab, addr, len);
      assert.equal(c.head, 32);
      assert.equal(Atomics.load(i32, iHead), 32, 'HEAD moved to RELEASE_TO at attach');
      assert.deepEqual([...c.tryPop()], new Array(8).fill(3), 'the record after the release');
      assert.equal(c.tryPop(), null);
      // The ring is usable: wrap it several times.
      for (let i = 0; i < 20; i++) {
        assert.equal(env.main.push(p, new Uint8Array(40).fill(i)), 0);
        assert.deepEqual(c.tryPop(), new Uint8Array(40).fill(i));
      }
      assert.equal(Atomics.load(i32, iRel), Atomics.load(i32, iHead), 'RELEASE_TO == HEAD between releases');
      c.close();
    } else {
      const h = env.main.ringConsumer(addr, len);
      assert.equal(Atomics.load(i32, iHead), 32, 'the Rust consumer finishes the release too');
      assert.deepEqual([...env.main.pop(h)], new Array(8).fill(3));
      env.main.ringClose(h);
    }
    env.main.ringClose(p);
  }
});

test('MPSC v3: an impossible RELEASE_TO is corruption, and the failed attach frees the role', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 128, RING.KIND_MPSC);
  const sab = env.memory.buffer;
  const iRel = (addr + RING.OFF_RELEASE_TO) >> 2;
  const p = new RingProducer(sab, addr, len);
  assert.equal(p.tryPush(new Uint8Array(8)), true); // TAIL = 16
  for (const bad of [4, 24]) { // misaligned; beyond TAIL
    Atomics.store(i32, iRel, bad);
    assert.throws(() => new RingConsumer(sab, addr, len), (e) => e instanceof ProtocolError && e.code === 'corrupt');
    assert.equal(env.main.x.inos_ring_consumer(addr, len), -8, 'Rust: CORRUPT as well');
  }
  Atomics.store(i32, iRel, 0);
  const c = new RingConsumer(sab, addr, len); // the role was released by the failed attaches
  assert.equal(c.tryPop().length, 8);
  c.close();
  p.close();
});

test('attach refuses a non-zero reserved header word (JS producer and consumer; Rust agrees)', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 64, RING.KIND_MPSC);
  const sab = env.memory.buffer;
  for (const off of [56, 124, 136, 200, 252, 260, 508]) {
    Atomics.store(i32, (addr + off) >> 2, 1);
    for (const Party of [RingConsumer, RingProducer]) {
      assert.throws(() => new Party(sab, addr, len),
        (e) => e instanceof ProtocolError && e.code === 'reserved' && e.offset === off, `byte ${off}`);
    }
    assert.equal(env.main.x.inos_ring_consumer(addr, len), -12, `Rust refuses byte ${off} too (NOT_FORMATTED)`);
    assert.equal(env.main.x.inos_ring_producer(addr, len), -12);
    Atomics.store(i32, (addr + off) >> 2, 0);
  }
  // MODE (byte 36) is 0 (wake) or 1 (poll); anything else is refused.
  Atomics.store(i32, (addr + RING.OFF_MODE) >> 2, 2);
  assert.throws(() => new RingConsumer(sab, addr, len), (e) => e.code === 'bad-mode');
  assert.equal(env.main.x.inos_ring_consumer(addr, len), -12, 'Rust refuses mode 2 too');
  Atomics.store(i32, (addr + RING.OFF_MODE) >> 2, RING.MODE_POLL);
  const polling = new RingConsumer(sab, addr, len);
  assert.equal(polling.poll, true);
  polling.close();
  Atomics.store(i32, (addr + RING.OFF_MODE) >> 2, RING.MODE_WAKE);
  assert.equal(Atomics.load(i32, (addr + RING.OFF_CONSUMER_ROLE) >> 2), 0, 'no role was claimed');
  const c = new RingConsumer(sab, addr, len); // all zero again: accepted
  c.close();
});

test('MPSC v3: unblock and abort race on the state word; a record is counted once', () => {
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 128, RING.KIND_MPSC);
  const sab = env.memory.buffer;
  const p = new RingProducer(sab, addr, len);
  const c = new RingConsumer(sab, addr, len);
  // The consumer unblocks first: the producer's late abort loses and does not count.
  let r = p.reserve(10);
  assert.equal(c.tryPop(), null, 'BUSY: in progress');
  assert.equal(c.unblock(), true);
  assert.equal(p.abort(r), false, 'the abort lost to unblock');
  assert.equal(c.counter(RING.OFF_UNBLOCKED), 1);
  assert.equal(c.counter(RING.OFF_ABORTED), 0, 'not counted as aborted as well');
  // A late commit loses too, and corrupts nothing.
  r = p.reserve(10);
  assert.equal(c.unblock(), true);
  assert.throws(() => p.commit(r), (e) => e.code === 'unblocked');
  assert.equal(c.counter(RING.OFF_UNBLOCKED), 2);
  // The producer aborts first: counted once, and unblock finds nothing.
  r = p.reserve(10);
  assert.equal(p.abort(r), true);
  assert.equal(c.unblock(), false);
  assert.equal(c.counter(RING.OFF_ABORTED), 1);
  assert.equal(c.counter(RING.OFF_UNBLOCKED), 2);
  // A committed record is not unblocked; everything in between was skipped and zeroed.
  assert.equal(p.tryPush(Uint8Array.of(5, 6)), true);
  assert.equal(c.unblock(), false);
  assert.deepEqual([...c.tryPop()], [5, 6]);
  assert.equal(c.tryPop(), null);
  const data = new Int32Array(sab, addr + RING.HEADER_LEN, 32);
  assert.ok(data.every((w, i) => i % 2 === 0 || w === 0), 'MPSC free space: every state word is zero again');
  assert.ok(data.some((w, i) => i % 2 === 0 && w !== 0), 'v3: length and payload words keep stale bytes');
  // The Rust consumer reads past padding a JS abort and a JS unblock left.
  c.close();
  r = p.reserve(3);
  p.abort(r);
  assert.equal(p.tryPush(Uint8Array.of(8)), true);
  const h = env.main.ringConsumer(addr, len);
  assert.deepEqual([...env.main.pop(h)], [8]);
  env.main.ringClose(h);
  p.close();
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
