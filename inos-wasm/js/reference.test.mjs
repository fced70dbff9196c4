// The pure-JS reference party against Rust-formatted rings and hostile bytes (single thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import {
  RING, RingConsumer, RingProducer, RingObserver, Epoch, ProtocolError, FixedRingConsumer, FixedRingProducer,
  fixedSlot,
} from './reference.mjs';

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
  for (const off of [60, 124, 136, 200, 252, 260, 508]) {
    Atomics.store(i32, (addr + off) >> 2, 1);
    for (const Party of [RingConsumer, RingProducer]) {
      assert.throws(() => new Party(sab, addr, len),
        (e) => e instanceof ProtocolError && e.code === 'reserved' && e.offset === off, `byte ${off}`);
    }
    assert.equal(env.main.x.inos_ring_consumer(addr, len), -12, `Rust refuses byte ${off} too (NOT_FORMATTED)`);
    assert.equal(env.main.x.inos_ring_producer(addr, len), -12);
    Atomics.store(i32, (addr + off) >> 2, 0);
  }
  // MESSAGE_SIZE (byte 56, reserved before version 6) is 0 on an MPSC ring (ring.md §2, §3.3).
  Atomics.store(i32, (addr + RING.OFF_MESSAGE_SIZE) >> 2, 8);
  for (const Party of [RingConsumer, RingProducer, RingObserver]) {
    assert.throws(() => new Party(sab, addr, len),
      (e) => e instanceof ProtocolError && e.code === 'bad-message-size' && e.found === 8, Party.name);
  }
  assert.equal(env.main.x.inos_ring_consumer(addr, len), -12, 'Rust refuses MESSAGE_SIZE on MPSC (NOT_FORMATTED)');
  assert.equal(env.main.x.inos_ring_producer(addr, len), -12);
  Atomics.store(i32, (addr + RING.OFF_MESSAGE_SIZE) >> 2, 0);
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

// ---- SPSC runs (ring.md §3.1.1, version 5) on rings built by hand: no wasm -------------------

/**
 * An SPSC ring formatted as ring.md §2.0 says (VERSION `version`, MESSAGE_SIZE `messageSize`,
 * positions at `p0`), in a buffer that ends where the data area ends: a read past the data area
 * throws a RangeError (Atomics) or comes back short (a slice) instead of returning someone else's
 * bytes. Its methods write records as a producer would (header words with Atomics, payloads
 * through a Uint8Array) at the hand producer's position `pos`, and `publish` stores TAIL.
 */
function handRing(cap, p0 = 0, version = RING.VERSION, messageSize = 0) {
  const len = RING.HEADER_LEN + cap;
  const sab = new SharedArrayBuffer(len);
  const i32 = new Int32Array(sab), u8 = new Uint8Array(sab);
  const store = (off, v) => Atomics.store(i32, off >> 2, v | 0);
  store(RING.OFF_MAGIC, 0);
  store(RING.OFF_VERSION, version);
  store(RING.OFF_CAPACITY, cap);
  store(RING.OFF_KIND, RING.KIND_SPSC);
  store(RING.OFF_MESSAGE_SIZE, messageSize);
  for (const off of [RING.OFF_HEAD, RING.OFF_RELEASE_TO, RING.OFF_TAIL]) store(off, p0);
  store(RING.OFF_MAGIC, RING.MAGIC); // last
  const r = {
    sab, i32, u8, cap, len, pos: p0 >>> 0,
    /** Byte offset in the buffer of position `pos`. */
    at: (pos) => RING.HEADER_LEN + (pos & (cap - 1)),
    put(pos, v) { Atomics.store(i32, r.at(pos) >> 2, v | 0); },
    get(pos) { return Atomics.load(i32, r.at(pos) >> 2) >>> 0; },
    head: () => Atomics.load(i32, RING.OFF_HEAD >> 2) >>> 0,
    taken: (runPos) => r.get(runPos + RING.SPSC_RUN_TAKEN),
    /** A message record (header word = its length). */
    message(bytes) {
      const p = r.pos;
      u8.set(bytes, r.at(p) + 4);
      r.put(p, bytes.length);
      r.pos = (p + ((bytes.length + 7) & ~3)) >>> 0;
      return p;
    },
    /** Wrap padding to the end of the data area. */
    pad() {
      const toEnd = cap - (r.pos & (cap - 1));
      r.put(r.pos, RING.SPSC_PADDING | (toEnd - 4));
      r.pos = (r.pos + toEnd) >>> 0;
    },
    /** A run of `msgs` (all of one length): L, TAKEN = 0, the messages, then the header word. */
    run(msgs) {
      const p = r.pos, L = msgs[0].length, stride = (L + 3) & ~3;
      r.put(p + 4, L);
      r.put(p + 8, 0);
      msgs.forEach((m, i) => {
        assert.equal(m.length, L);
        const b = r.at(p) + 12 + i * stride;
        u8.fill(0xee, b, b + stride); // the padding after each message is unspecified
        u8.set(m, b);
      });
      r.put(p, RING.SPSC_RUN | msgs.length);
      r.pos = (p + 12 + msgs.length * stride) >>> 0;
      return p;
    },
    publish(t = r.pos) { store(RING.OFF_TAIL, t); },
    consumer: () => new RingConsumer(sab, 0, len),
  };
  return r;
}

/** Message `k` of 8 bytes, each byte distinct. */
const m8 = (k) => Uint8Array.from({ length: 8 }, (_, i) => (k * 8 + i) & 0xff);
const isCorruptLength = (e) => e instanceof ProtocolError && e.code === 'corrupt' && e.corruption === 'bad-length';

test('ring v6: attach accepts VERSION 6 only (JS consumer, producer and observer)', () => {
  for (const version of [3, 4, 5, 7]) {
    const r = handRing(64, 0, version);
    for (const Party of [RingConsumer, RingProducer, RingObserver]) {
      assert.throws(() => new Party(r.sab, 0, r.len), (e) => e instanceof ProtocolError && e.code === 'version', `version ${version}`);
    }
  }
  const r = handRing(64);
  assert.equal(RING.VERSION, 6);
  new RingConsumer(r.sab, 0, r.len).close();
  new RingProducer(r.sab, 0, r.len).close();
  new RingObserver(r.sab, 0, r.len);
});

test('SPSC v5 run: a run of 8-byte messages is delivered in order by tryPop, pop and drain', () => {
  const msgs = [0, 1, 2, 3, 4].map(m8);
  for (const how of ['tryPop', 'pop', 'drain']) {
    const r = handRing(128);
    const run = r.run(msgs);
    r.publish();
    assert.equal(r.pos, 52, '12-byte header + 5 x 8 bytes');
    const c = r.consumer();
    const got = [];
    if (how === 'drain') {
      assert.equal(c.drain((m) => got.push(m)), 5);
      assert.equal(r.taken(run), 0, 'a drain that takes the whole run stores no TAKEN');
    } else {
      assert.throws(() => c.tryPop(7), (e) => e.code === 'buffer-too-small' && e.needed === 8);
      assert.equal(r.taken(run), 0, 'a message too long for the buffer stays');
      for (let i = 0; i < 5; i++) {
        got.push(how === 'tryPop' ? c.tryPop() : c.pop(0));
        if (i < 4) {
          assert.equal(r.taken(run), i + 1, `TAKEN counts the messages consumed (${how})`);
          assert.equal(r.head(), run, 'HEAD stays at the run while messages of it are left');
        }
      }
    }
    assert.deepEqual(got, msgs, how);
    assert.equal(r.head(), 52, 'the last message releases the whole run');
    assert.equal(c.head, 52);
    assert.equal(c.tryPop(), null);
    assert.equal(c.pop(0), null);
    c.close();
  }
});

test('SPSC v5 run: runs mixed with single messages and wrap padding, positions wrapping 2^32', () => {
  const p0 = 2 ** 32 - 96, cap = 256; // data offset 160
  const build = () => {
    const r = handRing(cap, p0);
    const want = [];
    const add = (m) => (want.push(m), m);
    r.message(add(Uint8Array.of(1, 2, 3))); // 8 bytes, to offset 168
    const run1 = r.run([0, 1, 2, 3].map((k) => add(m8(k).subarray(0, 5)))); // stride 8: 44 bytes, to 212
    r.pad(); // 44 bytes of padding: the next run (60 bytes) does not fit before the end
    const run2 = r.run([10, 11, 12, 13, 14, 15].map((k) => add(m8(k)))); // at offset 0, 60 bytes
    r.message(add(new Uint8Array(0))); // a zero-length message, 4 bytes
    r.run([7, 8, 9].map((k) => add(Uint8Array.of(k)))); // three 1-byte messages: 12 + 3 x 4 bytes
    r.message(add(m8(20))); // 12 bytes, to offset 100
    r.publish();
    assert.equal(r.pos, 100, 'TAIL wrapped past 2^32');
    return { r, want, run1, run2 };
  };
  {
    const { r, want, run1, run2 } = build();
    const c = r.consumer();
    const got = [];
    for (let i = 0; i < 5; i++) got.push(c.tryPop());
    assert.equal(r.head(), (run1 + 44) >>> 0, 'the first run released, the padding after it not yet read');
    got.push(c.tryPop());
    assert.equal(r.head(), run2, 'the padding released up to the second run; HEAD is not inside it');
    assert.equal(r.taken(run2), 1);
    for (let m = c.tryPop(); m !== null; m = c.tryPop()) got.push(m);
    assert.deepEqual(got, want);
    assert.equal(r.head(), 100);
    c.close();
  }
  {
    const { r, want } = build();
    const c = r.consumer();
    const got = [];
    assert.equal(c.drain((m) => got.push(m)), want.length);
    assert.deepEqual(got, want);
    assert.equal(r.head(), 100, 'one drain took everything below TAIL');
    c.close();
  }
});

test('SPSC v5 run: partial consumption stores TAKEN; a consumer that attaches resumes at TAKEN', () => {
  const r = handRing(128);
  r.message(Uint8Array.of(9, 9, 9));
  const run = r.run([0, 1, 2, 3, 4, 5].map(m8));
  r.message(Uint8Array.of(7));
  r.publish();
  let c = r.consumer();
  assert.deepEqual(c.tryPop(), Uint8Array.of(9, 9, 9));
  assert.deepEqual(c.tryPop(), m8(0));
  assert.deepEqual(c.tryPop(), m8(1));
  assert.equal(r.taken(run), 2, 'TAKEN stored in the run header');
  assert.equal(r.head(), run, 'HEAD at the run, not inside it');
  c.close(); // the consumer leaves (or dies) inside the run
  c = r.consumer();
  assert.deepEqual(c.tryPop(), m8(2), 'the next consumer resumes at message TAKEN');
  assert.equal(r.taken(run), 3);
  c.close();
  r.put(run + RING.SPSC_RUN_TAKEN, 5); // what a consumer of another language leaves after message 4
  c = r.consumer();
  const got = [];
  assert.equal(c.drain((m) => got.push(m)), 2);
  assert.deepEqual(got, [m8(5), Uint8Array.of(7)]);
  assert.equal(r.head(), r.pos);
  c.close();
});

test('SPSC v5 run: a drain that takes the rest of a run releases it with HEAD (TAKEN untouched)', () => {
  const r = handRing(128);
  const run = r.run([0, 1, 2, 3, 4, 5].map(m8));
  r.publish();
  let c = r.consumer();
  assert.deepEqual(c.tryPop(), m8(0));
  assert.equal(r.taken(run), 1);
  // A callback that throws on the third message: the messages handed out are consumed.
  let seen = 0;
  assert.throws(() => c.drain(() => {
    if (++seen === 3) throw new Error('stop');
  }), /stop/);
  assert.equal(r.taken(run), 4, 'TAKEN counts the messages handed out');
  assert.equal(r.head(), run, 'the run is not released while messages of it are left');
  const got = [];
  assert.equal(c.drain((m) => got.push(m)), 2);
  assert.deepEqual(got, [m8(4), m8(5)]);
  assert.equal(r.head(), 12 + 6 * 8, 'HEAD moved to the end of the run');
  assert.equal(r.taken(run), 4, 'the release wrote no TAKEN');
  assert.equal(c.drain(() => assert.fail('nothing left')), 0);
  c.close();
});

test('SPSC v5 run: hostile runs are corrupt lengths, never read out of bounds, and consume nothing', () => {
  // Each case writes a run header at the ring's start position (and whatever else it needs)
  // and publishes TAIL. Capacity 128: max_message 56.
  const RUN = RING.SPSC_RUN;
  const header = (r, p, word, L, taken) => { r.put(p, word); r.put(p + 4, L); r.put(p + 8, taken); };
  const cases = [
    ['count 0', 0, (r) => { header(r, 0, RUN | 0, 8, 0); r.publish(52); }],
    ['L = 0 (empty messages never go into runs)', 0, (r) => { header(r, 0, RUN | 3, 0, 0); r.publish(12); }],
    ['L > max_message', 0, (r) => { header(r, 0, RUN | 1, 57, 0); r.publish(72); }],
    ['L near 2^32 (its stride is 0 in 32-bit arithmetic)', 0, (r) => { header(r, 0, RUN | 2, 0xfffffffd, 0); r.publish(20); }],
    ['run past the end of the data area (within TAIL)', 96, (r) => { header(r, 96, RUN | 4, 8, 0); r.publish(96 + 64); }],
    ['run past TAIL', 0, (r) => { header(r, 0, RUN | 4, 8, 0); r.publish(40); }],
    ['header crossing TAIL', 0, (r) => { header(r, 0, RUN | 1, 0, 0); r.publish(8); }],
    // The data area ends the buffer: loading L or TAKEN past it would throw a RangeError.
    ['header crossing the end of the data area (8 bytes before it)', 120, (r) => { r.put(120, RUN | 1); r.put(124, 0); r.publish(128); }],
    ['header crossing the end of the data area (4 bytes before it)', 124, (r) => { r.put(124, RUN | 1); r.publish(128); }],
    ['TAKEN == count', 0, (r) => { header(r, 0, RUN | 3, 8, 3); r.publish(36); }],
    ['TAKEN = 0xFFFFFFFF (negative as an Int32)', 0, (r) => { header(r, 0, RUN | 3, 8, -1); r.publish(36); }],
    ['count x stride overflows 32 bits (12 + 8 x 0x20000002 = 28 mod 2^32)', 0, (r) => { header(r, 0, RUN | 0x20000002, 8, 0); r.publish(28); }],
    ['count x stride overflows 32 bits, TAKEN 1', 0, (r) => { header(r, 0, RUN | 0x20000002, 8, 1); r.publish(28); }],
    ['count x stride overflows 32 bits (12 + 16 x 0x10000001 = 28 mod 2^32)', 0, (r) => { header(r, 0, RUN | 0x10000001, 16, 0); r.publish(28); }],
  ];
  const ops = {
    tryPop: (c) => c.tryPop(),
    'tryPop(maxLen)': (c) => c.tryPop(64),
    pop: (c) => c.pop(0),
    drain: (c) => c.drain(() => assert.fail('a message was delivered')),
  };
  for (const [name, p0, write] of cases) {
    for (const [opName, op] of Object.entries(ops)) {
      const r = handRing(128, p0);
      r.u8.fill(0x11, RING.HEADER_LEN); // plausible bytes everywhere else
      write(r);
      const before = r.u8.slice();
      const c = r.consumer();
      assert.throws(() => op(c), isCorruptLength, `${name}: ${opName}`);
      assert.throws(() => op(c), isCorruptLength, `${name}: ${opName} again`);
      c.close();
      assert.deepEqual(r.u8, before, `${name}: ${opName} wrote nothing (no TAKEN, HEAD unmoved)`);
    }
  }
  // Behind a message and wrap padding: the message is delivered, the padding released, the run refused.
  for (const opName of ['tryPop', 'drain']) {
    const r = handRing(128, 96);
    r.message(Uint8Array.of(5, 6, 7));
    r.pad();
    assert.equal(r.pos, 128);
    header(r, 128, RUN | 3, 8, 3);
    r.publish(128 + 36);
    const c = r.consumer();
    const got = [];
    if (opName === 'drain') {
      assert.throws(() => c.drain((m) => got.push(m)), isCorruptLength);
    } else {
      got.push(c.tryPop());
      assert.throws(() => c.tryPop(), isCorruptLength);
    }
    assert.deepEqual(got, [Uint8Array.of(5, 6, 7)]);
    assert.equal(r.head(), 128, `${opName}: HEAD past the message and the padding, at the run`);
    assert.equal(r.taken(128), 3);
    c.close();
  }
});

// ---- Fixed-size SPSC rings (ring.md §3.3, version 6) on rings built by hand --------------------

/** Message `k` of `n` bytes, each byte distinct (wrapping). */
const msg = (n, k) => Uint8Array.from({ length: n }, (_, i) => (k * 16 + i + 1) & 0xff);
const isCorruptPositions = (e) => e instanceof ProtocolError && e.code === 'corrupt' && e.corruption === 'positions';
const headOf = (r) => Atomics.load(r.i32, RING.OFF_HEAD >> 2) >>> 0;
const tailOf = (r) => Atomics.load(r.i32, RING.OFF_TAIL >> 2) >>> 0;

test('fixed-size ring: 12-byte messages in a 64-byte ring (a stride that does not divide it), positions wrapping 2^32', () => {
  const p0 = 2 ** 32 - 200; // data offset 56: the first record skips 8 bytes
  const r = handRing(64, p0, RING.VERSION, 12);
  r.u8.fill(0xee, RING.HEADER_LEN); // never overwritten where records are skipped
  const p = new FixedRingProducer(r.sab, 0, r.len, 12);
  const c = new FixedRingConsumer(r.sab, 0, r.len, 12);
  assert.equal(p.stride, 12);
  let k = 0, got = 0, wrapped = false;
  const want = (i) => msg(12, i);
  for (let round = 0; round < 60; round++) {
    // Push a batch of 1..5 (5 records fill a lap), one by one or with one TAIL store.
    const n = 1 + (round % 5);
    const before = tailOf(r);
    if (round % 2 === 0) {
      for (let i = 0; i < n; i++) assert.equal(p.tryPush(want(k + i)), true, `push ${k + i}`);
    } else {
      assert.equal(p.pushBatch(Array.from({ length: n }, (_, i) => want(k + i))), n);
    }
    // Where each record went: the slot rule, position by position.
    let t = before;
    for (let i = 0; i < n; i++) t = (fixedSlot(64, 12, t) + 12) >>> 0;
    assert.equal(tailOf(r), t, 'TAIL = the end of the last record');
    k += n;
    if (tailOf(r) < p0) wrapped = true;
    // Pop them: one by one or in one drain (one HEAD store).
    if (round % 3 === 0) {
      const out = [];
      assert.equal(c.drain((m) => out.push(m)), n);
      for (const m of out) assert.deepEqual(m, want(got++));
    } else {
      for (let i = 0; i < n; i++) assert.deepEqual(c.tryPop(), want(got++));
    }
    assert.equal(c.tryPop(), null);
    assert.equal(headOf(r), tailOf(r), 'everything consumed is released');
  }
  assert.equal(got, k);
  assert.ok(wrapped, 'the u32 positions wrapped');
  // Records start at data offsets 0, 12, 24, 36, 48 only (after the first skip): bytes 60..64
  // are skipped every lap, and never written.
  assert.deepEqual([...r.u8.subarray(RING.HEADER_LEN + 60)], [0xee, 0xee, 0xee, 0xee]);
  assert.equal(p.counter(RING.OFF_DROPPED) + p.counter(RING.OFF_ABORTED) + p.counter(RING.OFF_UNBLOCKED), 0);
  p.close();
  c.close();
});

test('fixed-size ring: 8-byte messages (a dividing stride), 5-byte messages (stride 8), interleaved with a Rust-like layout', () => {
  for (const size of [8, 5]) {
    const r = handRing(64, 2 ** 32 - 16, RING.VERSION, size);
    const p = new FixedRingProducer(r.sab, 0, r.len, size);
    const c = new FixedRingConsumer(r.sab, 0, r.len, size);
    for (let i = 0; i < 40; i++) {
      assert.equal(p.tryPush(msg(size, i)), true);
      assert.equal(tailOf(r), (2 ** 32 - 16 + 8 * (i + 1)) >>> 0, 'nothing is ever skipped');
      // The record is the bare payload at the position's data offset: no header word.
      const at = r.at(tailOf(r) - 8);
      assert.deepEqual(r.u8.subarray(at, at + size), msg(size, i));
      assert.deepEqual(c.tryPop(), msg(size, i));
    }
    p.close();
    c.close();
  }
});

test('fixed-size ring: full and empty (the record and the bytes skipped before it must be free)', () => {
  {
    const r = handRing(64, 0, RING.VERSION, 8);
    const p = new FixedRingProducer(r.sab, 0, r.len, 8);
    const c = new FixedRingConsumer(r.sab, 0, r.len, 8);
    assert.equal(c.tryPop(), null, 'empty');
    assert.equal(c.pop(0), null);
    assert.equal(c.drain(() => assert.fail('empty')), 0);
    assert.equal(p.pushBatch(Array.from({ length: 10 }, (_, i) => msg(8, i))), 8, 'eight 8-byte records fill 64 bytes');
    assert.equal(p.tryPush(msg(8, 9)), false, 'full');
    assert.equal(p.push(msg(8, 9), 0), false, 'full (blocking, timeout 0)');
    assert.equal(p.pushBatch([msg(8, 9)]), 0);
    assert.deepEqual(c.tryPop(), msg(8, 0));
    assert.equal(p.pushBatch([msg(8, 8), msg(8, 9)]), 1, 'one slot freed: the batch re-reads HEAD once');
    const out = [];
    assert.equal(c.drain((m) => out.push(m), 3), 3, 'drain up to max');
    assert.equal(c.drain((m) => out.push(m)), 5);
    assert.deepEqual(out, Array.from({ length: 8 }, (_, i) => msg(8, i + 1)));
    assert.equal(headOf(r), 72);
    p.close();
    c.close();
  }
  {
    // 12-byte records from position 8: 8..20, 20..32, 32..44, 44..56. 16 bytes are free, but the
    // next record does not fit in the 8 before the end, and the lap's start is not free yet.
    const r = handRing(64, 8, RING.VERSION, 12);
    const p = new FixedRingProducer(r.sab, 0, r.len, 12);
    for (let i = 0; i < 4; i++) assert.equal(p.tryPush(msg(12, i)), true);
    assert.equal(p.tryPush(msg(12, 4)), false, 'full with 16 bytes free');
    const c = new FixedRingConsumer(r.sab, 0, r.len, 12);
    assert.deepEqual(c.tryPop(), msg(12, 0));
    assert.equal(p.tryPush(msg(12, 4)), true, 'the skipped bytes and the record are free now');
    assert.equal(tailOf(r), 76, 'the record went to the next lap (64..76)');
    const out = [];
    assert.equal(c.drain((m) => out.push(m)), 4);
    assert.deepEqual(out, [1, 2, 3, 4].map((i) => msg(12, i)));
    assert.equal(headOf(r), 76);
    p.close();
    c.close();
  }
});

test('fixed-size ring: tryPush takes a Uint8Array of exactly the message size; roles are exclusive', () => {
  const r = handRing(64, 0, RING.VERSION, 12);
  const p = new FixedRingProducer(r.sab, 0, r.len, 12);
  const isMismatch = (e) => e instanceof ProtocolError && e.code === 'size-mismatch' && e.expected === 12;
  for (const bad of [new Uint8Array(11), new Uint8Array(13), new Uint8Array(0), [1, 2, 3], new Uint32Array(3), null]) {
    assert.throws(() => p.tryPush(bad), isMismatch);
  }
  assert.throws(() => p.pushBatch([msg(12, 0), new Uint8Array(8)]), isMismatch);
  assert.equal(tailOf(r), 0, 'nothing pushed, not even the good message before the bad one');
  assert.throws(() => new FixedRingProducer(r.sab, 0, r.len, 12), (e) => e.code === 'role-taken');
  const c = new FixedRingConsumer(r.sab, 0, r.len, 12);
  assert.throws(() => new FixedRingConsumer(r.sab, 0, r.len, 12), (e) => e.code === 'role-taken');
  assert.equal(p.tryPush(Buffer.from(msg(12, 1))), true, 'a Buffer is a Uint8Array');
  assert.equal(p.tryPush(msg(12, 2)), true);
  assert.deepEqual(c.tryPop(), msg(12, 1));
  c.close(); // leaves (or dies) with a message unread
  p.close();
  const c2 = new FixedRingConsumer(r.sab, 0, r.len, 12);
  assert.deepEqual(c2.tryPop(), msg(12, 2), 'a new consumer resumes at HEAD');
  const p2 = new FixedRingProducer(r.sab, 0, r.len, 12);
  assert.equal(p2.tail, 24, 'a new producer continues at TAIL');
  c2.close();
  p2.close();
  assert.equal(Atomics.load(r.i32, RING.OFF_CONSUMER_ROLE >> 2), 0);
  assert.equal(Atomics.load(r.i32, RING.OFF_PRODUCER_ROLE >> 2), 0);
});

test('fixed-size ring: a hostile TAIL is Corrupt(positions), never read out of bounds, and consumes nothing', () => {
  // Each case: a 64-byte ring of 12-byte messages ending its buffer, positions from `p0`,
  // `honest` messages pushed and consumed (HEAD = the honest TAIL), then TAIL = `tail`. The
  // consumer either attaches after that (the pair of §2.1 may already fail) or was attached and
  // has consumed everything below its cached tail, so its next call loads the hostile TAIL.
  const cases = [
    ['TAIL short of a record (8 of 12 bytes)', 0, 0, 8],
    ['TAIL covering only the bytes skipped before the end', 48, 1, 64],
    ['TAIL 4 bytes into the record after the skipped bytes', 48, 1, 68],
    ['TAIL not 4-aligned', 0, 0, 14],
    ['TAIL not 4-aligned, near the end of the data area', 48, 0, 63],
    ['TAIL more than a capacity ahead', 0, 1, 80],
    ['TAIL 2^31 ahead', 0, 0, 2 ** 31],
    ['TAIL behind HEAD', 0, 3, 12],
    ['TAIL past the u32 wrap, short of the record after the skipped bytes', 2 ** 32 - 8, 0, 8],
  ];
  const ops = {
    tryPop: (c) => c.tryPop(),
    pop: (c) => c.pop(0),
    drain: (c) => c.drain(() => assert.fail('a message was delivered')),
  };
  for (const [name, p0, honest, tail] of cases) {
    for (const when of ['at attach', 'after attach']) {
      for (const [opName, op] of Object.entries(ops)) {
        const r = handRing(64, p0, RING.VERSION, 12);
        r.u8.fill(0x11, RING.HEADER_LEN); // plausible bytes everywhere
        let c = new FixedRingConsumer(r.sab, 0, r.len, 12);
        const p = new FixedRingProducer(r.sab, 0, r.len, 12);
        for (let i = 0; i < honest; i++) {
          assert.equal(p.tryPush(msg(12, i)), true);
          assert.deepEqual(c.tryPop(), msg(12, i));
        }
        p.close();
        const head = headOf(r);
        if (when === 'at attach') c.close();
        r.publish(tail);
        const before = r.u8.slice();
        const label = `${name}, ${when}: ${opName}`;
        if (when === 'at attach') {
          try {
            c = new FixedRingConsumer(r.sab, 0, r.len, 12);
          } catch (e) {
            // The pair of §2.1 does not validate: refused at attach, the role released again.
            assert.ok(isCorruptPositions(e), `${label}: ${e}`);
            assert.equal(Atomics.load(r.i32, RING.OFF_CONSUMER_ROLE >> 2), 0, `${label}: role released`);
            assert.deepEqual(r.u8, before, `${label}: nothing written`);
            continue;
          }
        }
        assert.throws(() => op(c), isCorruptPositions, label);
        assert.throws(() => op(c), isCorruptPositions, `${label} again`);
        c.close();
        assert.equal(headOf(r), head, `${label}: HEAD unmoved`);
        before.fill(0, RING.OFF_CONSUMER_ROLE, RING.OFF_CONSUMER_ROLE + 4); // the role, released
        assert.deepEqual(r.u8, before, `${label}: nothing written`);
      }
    }
  }
  // A drain delivers and releases the records below a TAIL that falls short of the third one.
  const r = handRing(64, 0, RING.VERSION, 12);
  const p = new FixedRingProducer(r.sab, 0, r.len, 12);
  assert.equal(p.pushBatch([0, 1, 2].map((i) => msg(12, i))), 3);
  r.publish(32);
  const c = new FixedRingConsumer(r.sab, 0, r.len, 12);
  const out = [];
  assert.throws(() => c.drain((m) => out.push(m)), isCorruptPositions);
  assert.deepEqual(out, [msg(12, 0), msg(12, 1)]);
  assert.equal(headOf(r), 24, 'the two records delivered are released');
  c.close();
  p.close();
});

test('fixed-size ring: a hostile HEAD is Corrupt(positions) for the producer; hostile MESSAGE_SIZE words are refused', () => {
  {
    const r = handRing(64, 0, RING.VERSION, 8);
    const p = new FixedRingProducer(r.sab, 0, r.len, 8);
    assert.equal(p.pushBatch(Array.from({ length: 8 }, (_, i) => msg(8, i))), 8);
    for (const head of [2, 72, 0xfffffff8]) { // unaligned; ahead of TAIL; more than a capacity behind
      Atomics.store(r.i32, RING.OFF_HEAD >> 2, head | 0);
      assert.throws(() => p.tryPush(msg(8, 9)), isCorruptPositions, `HEAD ${head}`);
      assert.throws(() => p.pushBatch([msg(8, 9)]), isCorruptPositions, `HEAD ${head} (batch)`);
    }
    assert.equal(tailOf(r), 64, 'nothing published');
    p.close();
  }
  // MESSAGE_SIZE above max_message (24 for a 64-byte ring), or 2^31: refused by every party.
  for (const size of [25, 2 ** 31, 0xffffffff]) {
    const r = handRing(64, 0, RING.VERSION, size);
    for (const make of [
      () => new FixedRingConsumer(r.sab, 0, r.len, 8), () => new FixedRingProducer(r.sab, 0, r.len, 8),
      () => new RingConsumer(r.sab, 0, r.len), () => new RingProducer(r.sab, 0, r.len),
      () => new RingObserver(r.sab, 0, r.len),
    ]) {
      assert.throws(make, (e) => e instanceof ProtocolError && e.code === 'bad-message-size' && e.found === size >>> 0, `${size}`);
    }
  }
  // max_message itself is valid: two 24-byte records per lap, the rest skipped.
  const r = handRing(64, 0, RING.VERSION, 24);
  const p = new FixedRingProducer(r.sab, 0, r.len, 24);
  const c = new FixedRingConsumer(r.sab, 0, r.len, 24);
  for (let i = 0; i < 9; i++) {
    assert.equal(p.tryPush(msg(24, i)), true);
    assert.deepEqual(c.tryPop(), msg(24, i));
  }
  assert.equal(tailOf(r), 4 * 64 + 24, 'two records a lap: 24 + 24, 16 bytes skipped');
  p.close();
  c.close();
  // A fixed-size party's own size: a whole number of bytes, 1 or more.
  for (const bad of [0, -8, 1.5, NaN, '8']) {
    assert.throws(() => new FixedRingConsumer(r.sab, 0, r.len, bad), (e) => e.code === 'bad-message-size', `${bad}`);
  }
  // VERSION other than 6: refused by the fixed-size parties too.
  for (const version of [5, 7]) {
    const old = handRing(64, 0, version, 8);
    assert.throws(() => new FixedRingConsumer(old.sab, 0, old.len, 8), (e) => e.code === 'version');
    assert.throws(() => new FixedRingProducer(old.sab, 0, old.len, 8), (e) => e.code === 'version');
  }
});

test('fixed-size ring: refused by the variable-length JS parties (MessageSize), taken as fixed-size by the module\'s ring calls; a fixed-size party refuses other rings', () => {
  const isMessageSize = (expected, found) => (e) => e instanceof ProtocolError && e.code === 'message-size'
    && e.expected === expected && e.found === found;
  // A JS-formatted fixed-size ring: the variable-length JS parties refuse it before claiming a role.
  const r = handRing(64, 0, RING.VERSION, 8);
  assert.throws(() => new RingConsumer(r.sab, 0, r.len), isMessageSize(0, 8));
  assert.throws(() => new RingProducer(r.sab, 0, r.len), isMessageSize(0, 8));
  assert.equal(Atomics.load(r.i32, RING.OFF_CONSUMER_ROLE >> 2), 0, 'no role claimed');
  assert.equal(Atomics.load(r.i32, RING.OFF_PRODUCER_ROLE >> 2), 0);
  assert.equal(new RingObserver(r.sab, 0, r.len).used(), 0, 'an observer reads any ring');
  // A fixed-size party of another size, on a variable-length ring, or on an MPSC ring.
  assert.throws(() => new FixedRingConsumer(r.sab, 0, r.len, 12), isMessageSize(12, 8));
  assert.throws(() => new FixedRingProducer(r.sab, 0, r.len, 4), isMessageSize(4, 8));
  const variable = handRing(64);
  assert.throws(() => new FixedRingConsumer(variable.sab, 0, variable.len, 8), isMessageSize(8, 0));
  assert.throws(() => new FixedRingProducer(variable.sab, 0, variable.len, 8), isMessageSize(8, 0));
  Atomics.store(variable.i32, RING.OFF_KIND >> 2, RING.KIND_MPSC);
  assert.throws(() => new FixedRingConsumer(variable.sab, 0, variable.len, 8), (e) => e.code === 'wrong-kind');

  // On the wasm module's memory: a ring the Rust party formatted, made fixed-size (MESSAGE_SIZE 8).
  const env = setup();
  const { addr, len, i32 } = smallRing(env, 64, RING.KIND_SPSC);
  const sab = env.memory.buffer;
  assert.throws(() => new FixedRingConsumer(sab, addr, len, 8), isMessageSize(8, 0), 'the Rust ring is variable-length');
  Atomics.store(i32, (addr + RING.OFF_MESSAGE_SIZE) >> 2, 8);
  // The module's ring calls claim fixed-size ends (ABI 4), closed again for the JS parties below.
  const rc = env.main.x.inos_ring_consumer(addr, len), rp = env.main.x.inos_ring_producer(addr, len);
  assert.ok(rc > 0 && rp > 0, `Rust fixed-size ends: ${rc} ${rp}`);
  env.main.ringClose(rc);
  env.main.ringClose(rp);
  assert.throws(() => new RingConsumer(sab, addr, len), isMessageSize(0, 8));
  const p = new FixedRingProducer(sab, addr, len, 8);
  const c = new FixedRingConsumer(sab, addr, len, 8);
  for (let i = 0; i < 20; i++) {
    assert.equal(p.tryPush(msg(8, i)), true);
    assert.deepEqual(c.tryPop(), msg(8, i));
  }
  p.close();
  c.close();
  // MESSAGE_SIZE above max_message: Rust refuses it too (NOT_FORMATTED).
  Atomics.store(i32, (addr + RING.OFF_MESSAGE_SIZE) >> 2, 25);
  assert.equal(env.main.x.inos_ring_consumer(addr, len), -12);
  assert.throws(() => new FixedRingConsumer(sab, addr, len, 25), (e) => e.code === 'bad-message-size');
});
