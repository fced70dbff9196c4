// The arena hand-off workload of arena.test.mjs, run in worker threads by two kinds of party on
// one SharedArrayBuffer: the Rust party (inos-arena through the wasm exports, rings through the
// ring exports) and the pure-JS party (reference-arena.mjs, rings through reference.mjs).
//
// Each worker allocates `n` blocks of random sizes (small classes and every 16th a large run of
// chunks), fills each with a pattern derived from (sender, seq), marks the block's granules live
// in a shared tracker (a CAS from 0 per granule: two live blocks that overlap fail it), sends the
// block and pushes its reference through an MPSC ring to a worker of the *other* party. Meanwhile
// it drains its own ring: opens each reference, checks every byte, clears the tracker and frees
// the block. It returns every (sender, seq) it received, for the exactly-once count.
import { STATUS, statusName } from './inos.mjs';
import { RingConsumer, RingProducer } from './reference.mjs';
import { Arena, ArenaError, classOf, geometry, encodeRef, decodeRef } from './reference-arena.mjs';
import { lcg } from './ledger-workload.mjs';

/** Message: the 16-byte block reference, then u32 sender, u32 seq. */
export const MESSAGE_LEN = 24;

/** Byte `i` of block (sender, seq): the first 8 bytes are sender and seq, then a pattern. */
export function fill(bytes, sender, seq) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  dv.setUint32(0, sender, true);
  dv.setUint32(4, seq, true);
  const seed = (sender * 7919 + seq * 31) & 0xff;
  for (let i = 8; i < bytes.length; i++) bytes[i] = (seed + i * 131) & 0xff;
}
export function checkFill(bytes, sender, seq) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== sender || dv.getUint32(4, true) !== seq) {
    throw new Error(`block of (${sender}, ${seq}) holds (${dv.getUint32(0, true)}, ${dv.getUint32(4, true)})`);
  }
  const seed = (sender * 7919 + seq * 31) & 0xff;
  for (let i = 8; i < bytes.length; i++) {
    if (bytes[i] !== ((seed + i * 131) & 0xff)) throw new Error(`block of (${sender}, ${seq}): byte ${i} overwritten`);
  }
}

/** The Rust party: every arena and ring operation through the wasm exports of `inos`. */
export function rustParty(inos, d) {
  const { arena: A, arenaLen: L, party } = d;
  const ok = (r, what) => {
    if (r !== STATUS.OK) throw new Error(`rust ${what}: ${statusName(r)}`);
  };
  const producers = d.rings ? d.targets.map((t) => inos.ringProducer(d.rings[t].addr, d.rings[t].len)) : [];
  const consumer = d.rings ? inos.ringConsumer(d.rings[d.me].addr, d.rings[d.me].len) : null;
  return {
    alloc(size) {
      const r = inos.arenaAlloc(A, L, party, size);
      if (r === STATUS.ARENA_OUT_OF_MEMORY) return null;
      if (typeof r === 'number') throw new Error(`rust alloc(${size}): ${statusName(r)}`);
      return r;
    },
    write(ref, bytes) { ok(inos.arenaWrite(A, L, ref, 0, bytes), 'write'); },
    read(ref) {
      const b = inos.arenaRead(A, L, ref, 0, ref.len);
      if (typeof b === 'number') throw new Error(`rust read: ${statusName(b)}`);
      return b;
    },
    send(ref) { ok(inos.arenaSend(A, L, party, ref), 'send'); },
    open(ref) { ok(inos.arenaOpen(A, L, party, ref), 'open'); },
    free(ref) { ok(inos.arenaFree(A, L, party, ref), 'free'); },
    push(k, msg) { return inos.push(producers[k], msg) === STATUS.OK; },
    pop() { return inos.pop(consumer); },
    close() {
      for (const p of producers) inos.ringClose(p);
      if (consumer !== null) inos.ringClose(consumer);
    },
  };
}

/** The JS party: reference-arena.mjs and reference.mjs on the raw SharedArrayBuffer. */
export function jsParty(sab, d) {
  const arena = Arena.attach(sab, d.arena, d.arenaLen, { party: d.party });
  const producers = d.rings ? d.targets.map((t) => new RingProducer(sab, d.rings[t].addr, d.rings[t].len)) : [];
  const consumer = d.rings ? new RingConsumer(sab, d.rings[d.me].addr, d.rings[d.me].len) : null;
  return {
    alloc(size) {
      try {
        return arena.alloc(size);
      } catch (e) {
        if (e instanceof ArenaError && e.name === 'OutOfMemory') return null;
        throw e;
      }
    },
    write(ref, bytes) { arena.validate(ref); arena.bytes(ref).set(bytes); },
    read(ref) { arena.validate(ref); return arena.bytes(ref).slice(); },
    send(ref) { arena.send(ref); },
    open(ref) { if (arena.open(ref).shared) throw new Error('js open: an exclusive block opened as shared'); },
    free(ref) { arena.free(ref); },
    push(k, msg) { return producers[k].tryPush(msg); },
    pop() { return consumer.tryPop(); },
    close() {
      for (const p of producers) p.close();
      consumer?.close();
    },
  };
}

/**
 * Runs the workload for party `p` (rustParty / jsParty). `d`: { me, party, targets (ring indices
 * of the other party's workers), rings, n, expect, tracker (SharedArrayBuffer, one i32 per
 * granule of the data area), chunkShift, chunks, seed }. `timeLeft()` bounds every wait.
 */
export function arenaWorkload(p, d, timeLeft) {
  const geo = geometry(d.chunkShift, d.chunks);
  const live = new Int32Array(d.tracker);
  const rnd = lcg(d.seed);
  const granules = (ref) => [(ref.offset - geo.dataOffset) / 64, classOf(geo, ref.len).blockLen / 64];
  const mark = (ref, from, to, what) => {
    const [g0, n] = granules(ref);
    for (let g = g0; g < g0 + n; g++) {
      const seen = Atomics.compareExchange(live, g, from, to);
      if (seen !== from) throw new Error(`${what}: granule ${g} of block at ${ref.offset} (${ref.len} B) is ${seen}, expected ${from}: overlapping blocks`);
    }
  };
  const received = [];
  const counts = { sent: 0, small: 0, large: 0, oom: 0, full: 0 };
  const msg = new Uint8Array(MESSAGE_LEN);
  const mdv = new DataView(msg.buffer);
  let pending = null; // allocated and sent, not yet in a ring
  const drain = () => {
    for (let m = p.pop(); m !== null; m = p.pop()) {
      const ref = decodeRef(m, 0);
      const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
      const sender = dv.getUint32(16, true), seq = dv.getUint32(20, true);
      p.open(ref);
      checkFill(p.read(ref), sender, seq);
      mark(ref, 1, 0, 'free');
      p.free(ref);
      received.push(sender, seq);
    }
  };
  while (counts.sent < d.n || received.length / 2 < d.expect) {
    if (timeLeft() <= 0) throw new Error(`arena workload: budget exhausted (${JSON.stringify(counts)}, received ${received.length / 2} of ${d.expect})`);
    drain();
    if (counts.sent >= d.n) continue;
    if (pending === null) {
      const seq = counts.sent;
      const large = seq % 16 === 15;
      const size = large ? (1 << d.chunkShift) / 2 + 1 + rnd(2 << d.chunkShift) : 8 + rnd((1 << d.chunkShift) / 2 - 8);
      const ref = p.alloc(size);
      if (ref === null) {
        counts.oom++;
        continue; // others are freeing: drain and retry
      }
      mark(ref, 0, 1, 'alloc');
      const bytes = new Uint8Array(size);
      fill(bytes, d.party, seq);
      p.write(ref, bytes);
      p.send(ref);
      if (large) counts.large++;
      else counts.small++;
      pending = { ref, seq };
    }
    encodeRef(pending.ref, msg, 0);
    mdv.setUint32(16, d.party, true);
    mdv.setUint32(20, pending.seq, true);
    if (p.push(pending.seq % d.targets.length, msg)) {
      counts.sent++;
      pending = null;
    } else counts.full++;
  }
  p.close();
  return { ...counts, received };
}

/**
 * Churn: `ops` random allocations and frees of small blocks (at most `live` held at once), no
 * hand-off, so that every worker of both parties counts in and claims bits in the same few chunks
 * at the same time. The shared tracker catches two live blocks that overlap.
 */
export function arenaChurn(p, d, timeLeft) {
  const geo = geometry(d.chunkShift, d.chunks);
  const tracker = new Int32Array(d.tracker);
  const rnd = lcg(d.seed);
  const held = [];
  const counts = { allocs: 0, frees: 0, oom: 0 };
  const span = (ref) => [(ref.offset - geo.dataOffset) / 64, classOf(geo, ref.len).blockLen / 64];
  const mark = (ref, from, to) => {
    const [g0, n] = span(ref);
    for (let g = g0; g < g0 + n; g++) {
      const seen = Atomics.compareExchange(tracker, g, from, to);
      if (seen !== from) throw new Error(`granule ${g} of block at ${ref.offset} (${ref.len} B) is ${seen}, expected ${from}: overlapping blocks`);
    }
  };
  const free = (k) => {
    const ref = held[k];
    held[k] = held[held.length - 1];
    held.pop();
    const bytes = p.read(ref);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
    if (dv.getUint32(0, true) !== d.party || dv.getUint32(4, true) !== ref.offset) throw new Error(`block at ${ref.offset} overwritten`);
    mark(ref, 1, 0);
    p.free(ref);
    counts.frees++;
  };
  const stamp = new Uint8Array(8);
  const sdv = new DataView(stamp.buffer);
  for (let i = 0; i < d.ops; i++) {
    if ((i & 255) === 0 && timeLeft() <= 0) throw new Error(`arena churn: budget exhausted at ${i} (${JSON.stringify(counts)})`);
    if (held.length > 0 && (held.length >= d.live || rnd(2) === 0)) {
      free(rnd(held.length));
      continue;
    }
    const ref = p.alloc(8 + rnd(248));
    if (ref === null) {
      counts.oom++;
      continue;
    }
    mark(ref, 0, 1);
    sdv.setUint32(0, d.party, true);
    sdv.setUint32(4, ref.offset, true);
    p.write(ref, stamp);
    held.push(ref);
    counts.allocs++;
  }
  while (held.length > 0) free(held.length - 1);
  p.close();
  return counts;
}
