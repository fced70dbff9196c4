// The arena (docs/protocol/arena.md) with two independent parties on one SharedArrayBuffer: the
// Rust party (inos-arena in the wasm module, through the inos_arena_* exports) and the pure-JS
// reference party (reference-arena.mjs, written from the spec alone).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup, runWorker } from './harness.mjs';
import { STATUS, statusName } from './inos.mjs';
import { RING } from './reference.mjs';
import { Arena, ArenaError, ARENA, ERROR_CODES, geometry, requiredLen } from './reference-arena.mjs';

const alignUp = (n, a) => Math.ceil(n / a) * a;

/** Runs `jsOp` (throws ArenaError or returns) and `rustOp` (returns a status): same outcome. */
function both(what, expected, jsOp, rustOp) {
  let jsCode = 0;
  try {
    jsOp();
  } catch (e) {
    if (!(e instanceof ArenaError)) throw e;
    jsCode = e.code;
  }
  const rust = rustOp();
  const want = expected === 'ok' ? 0 : ERROR_CODES[expected];
  assert.equal(jsCode, want, `${what}: JS party gave ${jsCode}, expected ${expected}`);
  assert.equal(rust < 0 ? -200 - rust : rust === 0 ? 0 : -1, want, `${what}: Rust party gave ${statusName(rust)}, expected ${expected}`);
}

/** Two arenas in the standard layout's arena region: `a` and `b`, 128-aligned. */
function twoArenas(env, first, second) {
  const region = env.main.region('arena');
  const aAddr = alignUp(region.addr, 128);
  const aLen = requiredLen(...first);
  const bAddr = alignUp(aAddr + aLen, 128);
  const bLen = requiredLen(...second);
  assert.ok(bAddr + bLen <= region.addr + region.size);
  return { aAddr, aLen, bAddr, bLen };
}

test('(b) JS formats, Rust attaches and the reverse; blocks cross both ways; stats agree', () => {
  const env = setup();
  const m = env.main;
  const sab = env.memory.buffer;
  const { aAddr, aLen, bAddr, bLen } = twoArenas(env, [8, 8], [12, 6]);

  // Rust formats A (256-byte chunks), JS attaches; JS formats B (4 KiB chunks), Rust attaches.
  assert.equal(m.arenaInit(aAddr, aLen, 8, 0), 8);
  const ja = Arena.attach(sab, aAddr, aLen, { party: 9 });
  assert.equal(ja.geo.chunks, 8);
  const jb = Arena.init(sab, bAddr, bLen, { chunkShift: 12, party: 9 });
  assert.equal(jb.geo.chunks, 6);
  assert.equal(m.arenaAttach(bAddr, bLen), 6);
  for (const [addr, len, j] of [[aAddr, aLen, ja], [bAddr, bLen, jb]]) {
    const rs = m.arenaStats(addr, len), js = j.stats();
    assert.equal(rs.freeBytes, j.geo.chunks * j.geo.chunkLen);
    for (const k of ['chunks', 'chunkLen', 'freeChunks', 'bytesInUse', 'freeBytes', 'claimingBytes']) assert.equal(js[k], rs[k], k);
  }

  // Rust allocates (party 7) and writes, sends; JS opens (party 9), reads in place, frees.
  for (const size of [1, 64, 65, 100, 2048, 2049, 9000]) {
    const r = m.arenaAlloc(bAddr, bLen, 7, size);
    assert.equal(typeof r, 'object', `rust alloc(${size}): ${statusName(r)}`);
    assert.equal(r.offset % 64, 0);
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) & 0xff);
    assert.equal(m.arenaWrite(bAddr, bLen, r, 0, bytes), STATUS.OK);
    jb.validate(r);
    both('open before send', 'NotSent', () => jb.open(r), () => m.arenaOpen(bAddr, bLen, 9, r));
    both('free by another party', 'NotOwner', () => jb.free(r), () => m.arenaFree(bAddr, bLen, 9, r));
    assert.equal(m.arenaSend(bAddr, bLen, 7, r), STATUS.OK);
    assert.deepEqual(jb.open(r), { shared: false });
    assert.deepEqual(jb.bytes(r), bytes);
    both('free by the old owner', 'NotOwner', () => jb.withParty(7).free(r), () => m.arenaFree(bAddr, bLen, 7, r));
    jb.free(r);
    both('validate after free', 'Stale', () => jb.validate(r), () => m.arenaValidate(bAddr, bLen, r));
    both('free twice', 'Stale', () => jb.free(r), () => m.arenaFree(bAddr, bLen, 9, r));
  }
  // JS allocates and fills; Rust reads, opens after the send and frees.
  for (const size of [3, 500, 4096, 4097]) {
    const r = jb.alloc(size);
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 1) & 0xff);
    jb.bytes(r).set(bytes);
    assert.deepEqual(m.arenaRead(bAddr, bLen, r, 0, size), bytes);
    jb.send(r);
    assert.equal(m.arenaOpen(bAddr, bLen, 7, r), 0);
    both('open twice', 'NotSent', () => jb.open(r), () => m.arenaOpen(bAddr, bLen, 7, r));
    assert.equal(m.arenaFree(bAddr, bLen, 7, r), STATUS.OK);
    both('open after free', 'Stale', () => jb.open(r), () => m.arenaOpen(bAddr, bLen, 7, r));
  }
  // Shared blocks: JS shares with 3 references, Rust releases two, JS the last one.
  const s = jb.alloc(1000);
  jb.share(s, 3);
  assert.equal(m.arenaOpen(bAddr, bLen, 7, s), 1);
  assert.deepEqual(jb.open(s), { shared: true });
  both('free of a shared block', 'NotOwner', () => jb.free(s), () => m.arenaFree(bAddr, bLen, 9, s));
  assert.equal(m.arenaRelease(bAddr, bLen, 7, s), STATUS.OK);
  assert.equal(m.arenaRelease(bAddr, bLen, 7, s), STATUS.OK);
  jb.release(s);
  both('release after the last', 'Stale', () => jb.release(s), () => m.arenaRelease(bAddr, bLen, 7, s));
  const e = m.arenaAlloc(bAddr, bLen, 7, 10);
  both('release of an exclusive block', 'NotOwner', () => jb.release(e), () => m.arenaRelease(bAddr, bLen, 7, e));
  both('share with 0 references', 'TooManyRefs', () => jb.withParty(7).share(e, 0), () => m.arenaShare(bAddr, bLen, 7, e, 0));
  both('share with 256 references', 'TooManyRefs', () => jb.withParty(7).share(e, 256), () => m.arenaShare(bAddr, bLen, 7, e, 256));
  // Reclaim across parties: JS reclaims what the Rust party left, Rust what the JS party left.
  m.arenaAlloc(bAddr, bLen, 7, 5000);
  assert.equal(jb.reclaimParty(7), 2);
  jb.withParty(11).alloc(64);
  jb.withParty(11).alloc(3000);
  assert.equal(m.arenaReclaim(bAddr, bLen, 11), 2);
  both('reclaim the anonymous party', 'AnonymousParty', () => jb.reclaimParty(1), () => m.arenaReclaim(bAddr, bLen, 1));
  for (const [addr, len, j] of [[aAddr, aLen, ja], [bAddr, bLen, jb]]) {
    assert.equal(m.arenaStats(addr, len).bytesInUse, 0);
    assert.equal(j.stats().freeBytes, j.geo.chunks * j.geo.chunkLen);
  }
});

test('(b) forged and stale references give the same typed error in both parties', () => {
  const env = setup();
  const m = env.main;
  const sab = env.memory.buffer;
  const { aAddr: A, aLen: L } = twoArenas(env, [8, 8], [8, 1]);
  const j = Arena.init(sab, A, L, { chunkShift: 8, party: 5 });
  const geo = geometry(8, 8);
  const small = j.alloc(100); // class 1: 128-byte blocks
  const large = j.alloc(600); // 3 chunks
  const cases = [
    ['a live small block', 'ok', small],
    ['a live large block', 'ok', large],
    ['wrong generation', 'Stale', { ...small, generation: small.generation + 1 }],
    ['generation out of range', 'RefMisaligned', { ...small, generation: 2 ** 22 }],
    ['reserved word', 'RefMisaligned', { ...small, reserved: 1 }],
    ['offset in the header', 'RefOutOfRange', { ...small, offset: 0 }],
    ['offset past the data area', 'RefOutOfRange', { ...small, offset: geo.dataOffset + 8 * 256 }],
    ['misaligned by 8', 'RefMisaligned', { ...small, offset: small.offset + 8 }],
    ['misaligned for its class', 'RefMisaligned', { ...small, offset: small.offset + 64 }],
    ['another class at the offset', 'Stale', { ...small, len: 10 }],
    ['large block not at a chunk start', 'RefMisaligned', { ...large, offset: large.offset + 64 }],
    ['large run past the end', 'RefOutOfRange', { ...large, offset: geo.dataOffset + 7 * 256 }],
    ['longer than the arena', 'RefOutOfRange', { ...large, len: 9 * 256 }],
    ['large block of another length', 'Stale', { ...large, len: 300 }],
    ['a free chunk', 'Stale', { offset: geo.dataOffset + 6 * 256, len: 64, generation: 0, reserved: 0 }],
  ];
  for (const [what, expected, ref] of cases) {
    both(what, expected, () => j.validate(ref), () => m.arenaValidate(A, L, ref));
    if (expected !== 'ok') {
      both(`${what} (free)`, expected, () => j.free(ref), () => m.arenaFree(A, L, 5, ref));
      both(`${what} (open)`, expected, () => j.open(ref), () => m.arenaOpen(A, L, 5, ref));
      both(`${what} (send)`, expected, () => j.send(ref), () => m.arenaSend(A, L, 5, ref));
    }
  }
  // Freed twice, across parties: the generation moved on.
  assert.equal(m.arenaFree(A, L, 5, small), STATUS.OK);
  both('freed twice', 'Stale', () => j.free(small), () => m.arenaFree(A, L, 5, small));
  j.free(large);
  both('large freed twice', 'Stale', () => j.free(large), () => m.arenaFree(A, L, 5, large));
  // Reused: the slot's next block has the next generation; the old reference stays stale.
  const again = j.alloc(100);
  assert.equal(again.offset, small.offset);
  assert.equal(again.generation, small.generation + 1);
  both('stale after reuse', 'Stale', () => j.validate(small), () => m.arenaValidate(A, L, small));
  // Each party frees in turn and the other reallocates the slot: the generation moves on by one
  // per free, whoever frees, and every older reference stays stale in both parties.
  const olds = [small];
  let prev = again;
  for (let k = 0; k < 4; k++) {
    if (k % 2 === 0) j.free(prev);
    else assert.equal(m.arenaFree(A, L, 5, prev), STATUS.OK);
    const next = k % 2 === 0 ? m.arenaAlloc(A, L, 5, 100) : j.alloc(100);
    assert.equal(next.offset, prev.offset);
    assert.equal(next.generation, prev.generation + 1);
    olds.push(prev);
    for (const old of olds) both(`stale after reuse ${k}`, 'Stale', () => j.validate(old), () => m.arenaValidate(A, L, old));
    prev = next;
  }
  j.free(prev);
  const again2 = j.alloc(100);
  assert.equal(again2.generation, small.generation + 6);
  // Chunk 0 holds `again2`, chunks 1..7 are free: 7 chunks fit, 8 never, 9 is too large.
  both('too large', 'TooLarge', () => j.alloc(9 * 256), () => m.arenaAlloc(A, L, 5, 9 * 256));
  both('no run of 8 free chunks', 'OutOfMemory', () => j.alloc(8 * 256), () => m.arenaAlloc(A, L, 5, 8 * 256));
  const mid = j.alloc(256); // a one-chunk large block: chunk 1
  const big = j.alloc(3 * 256); // chunks 2..4
  assert.equal((mid.offset - geo.dataOffset) / 256, 1);
  assert.equal((big.offset - geo.dataOffset) / 256, 2);
  j.free(mid);
  // Chunks 1 and 5..7 are free: a run of 4 claims chunk 1, fails on chunk 2 and rolls back.
  const before = m.arenaStats(A, L);
  const jsBefore = j.stats();
  for (const k of Object.keys(before)) assert.equal(jsBefore[k], before[k], `stats.${k}`);
  both('no run of 4 free chunks (rolled back)', 'OutOfMemory', () => j.alloc(4 * 256), () => m.arenaAlloc(A, L, 5, 4 * 256));
  assert.deepEqual(m.arenaStats(A, L), before, 'OutOfMemory left nothing claimed');
  const three = m.arenaAlloc(A, L, 5, 3 * 256);
  assert.equal((three.offset - geo.dataOffset) / 256, 5, 'the run after the rolled-back claim');
  for (const r of [again2, big, three]) j.free(r);
  assert.equal(m.arenaStats(A, L).bytesInUse, 0);
});

test('(b) header validation: both parties refuse the same corruptions', () => {
  const env = setup();
  const m = env.main;
  const sab = env.memory.buffer;
  const { aAddr: A, aLen: L } = twoArenas(env, [8, 4], [8, 1]);
  const w32 = new Uint32Array(sab, A, 32);
  const attach = (what, expected, len = L) => both(what, expected, () => Arena.attach(sab, A, len), () => {
    const r = m.arenaAttach(A, len);
    return r > 0 ? 0 : r;
  });
  attach('not formatted', 'BadMagic');
  Arena.init(sab, A, L, { chunkShift: 8, chunks: 4 });
  attach('formatted by JS', 'ok');
  attach('region shorter than the geometry', 'RegionTooSmall', L - 64);
  attach('region shorter than the header', 'RegionTooSmall', 64);
  const poke = (word, value, what, expected) => {
    const old = Atomics.load(w32, word);
    Atomics.store(w32, word, value);
    attach(what, expected);
    Atomics.store(w32, word, old);
  };
  poke(0, 0x52414e4a, 'bad magic', 'BadMagic');
  poke(1, 2, 'version 2', 'UnsupportedVersion');
  poke(2, 7, 'chunk_shift 7', 'CorruptHeader');
  poke(2, 21, 'chunk_shift 21', 'CorruptHeader');
  poke(3, 0, 'no chunks', 'CorruptHeader');
  poke(3, 2 ** 24, 'too many chunks', 'CorruptHeader');
  poke(3, 3, 'chunk_count disagrees with data_offset', 'CorruptHeader');
  poke(4, 64, 'descriptor_len', 'CorruptHeader');
  poke(5, 0, 'data_offset', 'CorruptHeader');
  poke(9, 1, 'reserved byte', 'CorruptHeader');
  poke(16 + 3, 0xffff_ffff, 'a hint out of range (advisory: fine)', 'ok');
  attach('restored', 'ok');
  // A hostile hint and a corrupt chunk state: allocation skips it, never leaves the arena.
  Atomics.store(w32, 16, 0xffff_ffff);
  const desc1 = new Uint32Array(sab, A + 128 + geometry(8, 4).descriptorLen, 1);
  Atomics.store(desc1, 0, 0x7f00_0001); // unknown tag
  const got = [];
  for (;;) {
    let r;
    try {
      r = Arena.attach(sab, A, L, { party: 3 }).alloc(64);
    } catch (e) {
      assert.equal(e.name, 'OutOfMemory');
      break;
    }
    got.push(r);
    assert.ok(got.length <= 4 * 4);
  }
  assert.equal(got.length, 3 * 4, 'three good chunks of four 64-byte blocks');
  assert.ok(got.every((r) => Math.floor((r.offset - geometry(8, 4).dataOffset) / 256) !== 1));
  assert.equal(m.arenaAlloc(A, L, 3, 64), STATUS.ARENA_OUT_OF_MEMORY);
  assert.equal(m.arenaStats(A, L).corruptChunks, 1);
  assert.equal(new Arena(sab, A, L, geometry(8, 4), 1).stats().corruptChunks, 1);
  // A count beyond the class's blocks: a full chunk for both parties' statistics (§3.8).
  const desc3 = new Uint32Array(sab, A + 128 + 3 * geometry(8, 4).descriptorLen, 1);
  Atomics.store(desc3, 0, 0x0100_0063); // SMALL(0), count 99 of 4
  const rs = m.arenaStats(A, L), js = new Arena(sab, A, L, geometry(8, 4), 1).stats();
  for (const k of Object.keys(rs)) assert.equal(js[k], rs[k], `stats.${k}`);
  assert.equal(rs.bytesInUse + rs.freeBytes, 3 * 256);
});

test('(a) Rust and JS workers allocate, hand off through MPSC rings and free concurrently: every block once, no overlap, all free at the end', { timeout: 120_000 }, async () => {
  const env = setup();
  const m = env.main;
  const region = m.region('arena');
  // Four MPSC rings (one per worker: its inbox), then the arena (4 KiB chunks).
  const cap = 4096;
  const ringLen = Number(m.x.inos_ring_required_len(cap));
  const rings = [];
  let at = alignUp(region.addr, 128);
  for (let i = 0; i < 4; i++) {
    m.ringInit(at, ringLen, cap, RING.KIND_MPSC);
    rings.push({ addr: at, len: ringLen });
    at = alignUp(at + ringLen, 128);
  }
  // A small arena (48 chunks of 1 KiB: 64 B..512 B classes, runs of up to 3 chunks) that the
  // blocks in flight overfill: allocations meet OutOfMemory, chunks are rebound between classes
  // and large runs, and every bitmap word is shared by both parties.
  const chunkShift = 10;
  const chunks = 48;
  const arenaLen = requiredLen(chunkShift, chunks);
  assert.ok(at + arenaLen <= region.addr + region.size);
  assert.equal(m.arenaInit(at, arenaLen, chunkShift, chunks), chunks);
  const geo = geometry(chunkShift, chunks);
  const tracker = new SharedArrayBuffer(4 * (chunks << (chunkShift - 6)));
  const n = 1200;
  // Workers 0, 1: Rust (wasm); 2, 3: JS. Each sends to the other party's two workers
  // alternately, so each receives n blocks.
  const workers = [0, 1, 2, 3].map((i) => ({
    role: i < 2 ? 'arena-rust' : 'arena-js',
    slot: i + 1,
    me: i,
    party: i < 2 ? 100 + i : 200 + i,
    targets: i < 2 ? [2, 3] : [0, 1],
    rings, arena: at, arenaLen, chunkShift, chunks, tracker, n, expect: n, seed: 17 + i * 101,
  }));
  const results = await Promise.all(workers.map((w) => runWorker(env, w, 60_000)));
  if (process.env.ARENA_DEBUG) console.log(results.map((r) => ({ ...r, received: r.received.length / 2 })));

  // Exactly once: every (sender, seq) arrived at one worker of the other party, once.
  const seen = new Map(workers.map((w) => [w.party, new Uint8Array(n)]));
  let oom = 0;
  results.forEach((r, i) => {
    assert.equal(r.sent, n);
    assert.ok(r.small > 0 && r.large > 0, JSON.stringify({ ...r, received: undefined }));
    oom += r.oom;
    for (let k = 0; k < r.received.length; k += 2) {
      const [sender, seq] = [r.received[k], r.received[k + 1]];
      assert.ok(workers[i].targets.some((t) => workers[t].party === sender), `worker ${i} got a block of ${sender}`);
      seen.get(sender)[seq]++;
    }
  });
  assert.ok(oom > 0, 'the arena ran out of memory under load (and recovered)');
  for (const [party, s] of seen) assert.ok(s.every((c) => c === 1), `party ${party}: every block received exactly once`);
  // Everything is free again, as both parties see it; no granule is still marked live.
  const rs = m.arenaStats(at, arenaLen);
  const js = Arena.attach(env.memory.buffer, at, arenaLen).stats();
  for (const st of [rs, js]) {
    assert.equal(st.bytesInUse, 0);
    assert.equal(st.claimingBytes, 0);
    assert.equal(st.freeBytes, chunks * geo.chunkLen);
    assert.equal(st.corruptChunks, 0);
  }
  assert.equal(js.freeChunks, chunks);
  assert.ok(new Int32Array(tracker).every((v) => v === 0));
  // The whole data area is one block again, for either party.
  const whole = Arena.attach(env.memory.buffer, at, arenaLen, { party: 5 }).alloc(chunks * geo.chunkLen);
  assert.equal(m.arenaFree(at, arenaLen, 5, whole), STATUS.OK);
  const r = m.arenaAlloc(at, arenaLen, 5, chunks * geo.chunkLen);
  assert.equal(typeof r, 'object');
  assert.equal(m.arenaFree(at, arenaLen, 5, r), STATUS.OK);
});

test('(a) Rust and JS workers churn small blocks in the same chunks: no overlap, counts return to zero', { timeout: 120_000 }, async () => {
  const env = setup();
  const m = env.main;
  const region = m.region('arena');
  const at = alignUp(region.addr, 128);
  // 4 chunks of 1 KiB: every worker allocates from the same chunks and bitmap words.
  const chunkShift = 10, chunks = 4;
  const arenaLen = requiredLen(chunkShift, chunks);
  assert.equal(m.arenaInit(at, arenaLen, chunkShift, chunks), chunks);
  const tracker = new SharedArrayBuffer(4 * (chunks << (chunkShift - 6)));
  const ops = 20_000;
  const results = await Promise.all([0, 1, 2, 3].map((i) => runWorker(env, {
    role: i % 2 === 0 ? 'arena-churn-rust' : 'arena-churn-js',
    slot: i + 1, party: 300 + i, arena: at, arenaLen, chunkShift, chunks, tracker, ops, live: 6, seed: 5 + i * 77,
  }, 60_000)));
  if (process.env.ARENA_DEBUG) console.log(results);
  for (const r of results) {
    assert.equal(r.allocs, r.frees);
    assert.ok(r.allocs > ops / 4, JSON.stringify(r));
  }
  const rs = m.arenaStats(at, arenaLen);
  const js = Arena.attach(env.memory.buffer, at, arenaLen).stats();
  for (const st of [rs, js]) {
    assert.equal(st.bytesInUse, 0);
    assert.equal(st.freeBytes, chunks << chunkShift);
    assert.equal(st.corruptChunks, 0);
  }
  assert.ok(js.classes.every((c) => c.blocks === 0), 'every count given back');
  // Every bitmap bit was cleared: the whole area is one block again.
  const whole = m.arenaAlloc(at, arenaLen, 5, chunks << chunkShift);
  assert.equal(typeof whole, 'object');
  assert.ok(new Int32Array(tracker).every((v) => v === 0));
});

test('STATUS has one ARENA_* code per arena error, equal to exports/inos_arena.json (arena.md §7)', () => {
  const spec = JSON.parse(readFileSync(new URL('../../exports/inos_arena.json', import.meta.url), 'utf8'));
  const entries = Object.entries(spec.arena_error);
  assert.equal(entries.length, Object.keys(ERROR_CODES).length);
  for (const [name, code] of entries) {
    assert.equal(STATUS[`ARENA_${name.toUpperCase()}`], -(200 + code), name);
    assert.equal(spec.arena_status[name], -(200 + code), name);
    const camel = name.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());
    assert.equal(ERROR_CODES[camel], code, name);
  }
  assert.equal(Object.keys(STATUS).filter((k) => k.startsWith('ARENA_')).length, entries.length);
  for (const [k, v] of Object.entries({ magic: 'MAGIC', version: 'VERSION', header_len: 'HEADER_LEN', max_refs: 'MAX_REFS', block_ref_len: 'BLOCK_REF_LEN' })) {
    assert.equal(ARENA[v], spec.arena[k], k);
  }
  assert.equal(ARENA.GEN_MASK, spec.block_word.gen_mask);
  assert.equal(ARENA.W_SENT, BigInt(spec.block_word.sent));
});
