// The pure-JS reference party against Rust-formatted rings and hostile bytes (single thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { RING, RingConsumer, RingProducer, RingObserver, Epoch, ProtocolError } from './reference.mjs';

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

// ---- SPSC runs (ring.md §3.1.1, version 5) on rings built by hand: no wasm -------------------

/**
 * An SPSC ring formatted as ring.md §2.0 says (VERSION `version`, positions at `p0`), in a buffer
 * that ends where the data area ends: a read past the data area throws a RangeError instead of
 * returning someone else's bytes. Its methods write records as a producer would (header words
 * with Atomics, payloads through a Uint8Array) at the hand producer's position `pos`, and
 * `publish` stores TAIL.
 */
function handRing(cap, p0 = 0, version = 5) {
  const len = RING.HEADER_LEN + cap;
  const sab = new SharedArrayBuffer(len);
  const i32 = new Int32Array(sab), u8 = new Uint8Array(sab);
  const store = (off, v) => Atomics.store(i32, off >> 2, v | 0);
  store(RING.OFF_MAGIC, 0);
  store(RING.OFF_VERSION, version);
  store(RING.OFF_CAPACITY, cap);
  store(RING.OFF_KIND, RING.KIND_SPSC);
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

test('ring v5: attach accepts VERSION 5 only (JS consumer, producer and observer)', () => {
  for (const version of [3, 4, 6]) {
    const r = handRing(64, 0, version);
    for (const Party of [RingConsumer, RingProducer, RingObserver]) {
      assert.throws(() => new Party(r.sab, 0, r.len), (e) => e instanceof ProtocolError && e.code === 'version', `version ${version}`);
    }
  }
  const r = handRing(64);
  assert.equal(RING.VERSION, 5);
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
