// Replays docs/conformance/layout.json (generated from the Rust inos-layout code by
// `cargo run -p inos-export`) against the pure-JS attach of reference.mjs (`attachAny`, written
// from PROTOCOL.md §2.3): the same result (the header's values, or the same error of the attach
// table, named through one table) and no word written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { attachAny, readDirectory, ProtocolError, HEADER } from './reference.mjs';

const doc = JSON.parse(readFileSync(new URL('../../docs/conformance/layout.json', import.meta.url), 'utf8'));
const exported = JSON.parse(readFileSync(new URL('../../exports/inos_layout.json', import.meta.url), 'utf8'));

/** The one table from JS ProtocolError codes to the Rust `inos_layout` attach errors (§2.3). */
const ERROR_NAMES = Object.freeze({
  'too-small': 'TooSmall',
  misaligned: 'MisalignedBase',
  'not-ready': 'NotReady',
  'bad-init-state': 'BadInitState',
  'bad-magic': 'BadMagic',
  version: 'IncompatibleVersion',
  'bad-header-len': 'BadHeaderLen',
  'region-too-small': 'RegionTooSmall',
  reserved: 'NonZeroReserved',
  'unsupported-features': 'UnsupportedFeatures',
  'bad-directory': 'BadDirectory',
  'directory-fingerprint': 'DirectoryFingerprint',
});

/**
 * Vectors where the JS attach (written from PROTOCOL.md §2) and the Rust one disagree: name ->
 * `{ rust, js }` results. Empty: every vector agrees. A disagreement is listed here (and
 * reported), never silently skipped; the test checks both sides of every entry.
 */
const KNOWN_DISAGREEMENTS = Object.freeze({});

function bufferOf(len, words) {
  const sab = new SharedArrayBuffer(Math.ceil(len / 8) * 8);
  const dv = new DataView(sab);
  for (const [o, width, v] of words) {
    assert.equal(width, 4, `initial word at ${o} is not a u32`);
    dv.setUint32(o, v, true);
  }
  return sab;
}

/** The vector's result shape: ok fields (fingerprint a BigInt), or the Rust error name. */
function resultOf(sab, v) {
  try {
    const r = attachAny(sab, 0, v.len);
    return {
      ok: {
        generation: r.generation, minor: r.minor, region_count: r.regionCount,
        total_size: r.totalSize, fingerprint: r.fingerprint,
      },
    };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    const name = ERROR_NAMES[e.code];
    assert.ok(name, `${v.name}: JS error code ${e.code} has no Rust name`);
    return { error: name };
  }
}

function wanted(result) {
  if ('error' in result) return { error: result.error };
  assert.match(result.ok.fingerprint, /^0x[0-9a-f]{1,16}$/);
  return { ok: { ...result.ok, fingerprint: BigInt(result.ok.fingerprint) } };
}

test('the JS header constants equal PROTOCOL.md §2 as exported', () => {
  const p = exported.protocol;
  assert.equal(HEADER.MAGIC, p.magic);
  assert.equal(HEADER.VERSION_MAJOR, p.version_major);
  assert.equal(HEADER.VERSION_MINOR, p.version_minor);
  assert.equal(HEADER.HEADER_LEN, p.header_len);
  assert.equal(HEADER.MAX_HEADER_LEN, p.max_header_len);
  assert.equal(HEADER.DIR_ENTRY_LEN, p.directory_entry_len);
  assert.equal(HEADER.MAX_REGIONS, p.max_regions);
  assert.equal(HEADER.MIN_ALIGN, p.min_align);
  assert.equal(HEADER.MAX_ALIGN, p.max_align);
  assert.equal(HEADER.FEATURES_SUPPORTED, BigInt(p.features_supported));
  assert.equal(HEADER.FEATURES_INCOMPAT_MASK, BigInt(p.features_incompat_mask));
  const f = Object.fromEntries(exported.header_fields.map((x) => [x.name, x.offset]));
  for (const [k, off] of [['magic', 'OFF_MAGIC'], ['version_major', 'OFF_MAJOR'], ['version_minor', 'OFF_MINOR'],
    ['header_len', 'OFF_HEADER_LEN'], ['total_size', 'OFF_TOTAL_SIZE'], ['features', 'OFF_FEATURES'],
    ['fingerprint', 'OFF_FINGERPRINT'], ['init_state', 'OFF_INIT_STATE'], ['boot_generation', 'OFF_GENERATION'],
    ['region_count', 'OFF_REGION_COUNT'], ['directory_offset', 'OFF_DIR_OFFSET'],
    ['directory_entry_len', 'OFF_DIR_ENTRY_LEN'], ['reserved', 'RESERVED']]) {
    assert.equal(off === 'RESERVED' ? HEADER.RESERVED[0] : HEADER[off], f[k], k);
  }
  const reserved = exported.header_fields.find((x) => x.name === 'reserved');
  assert.equal(HEADER.RESERVED[1], reserved.offset + reserved.size);
  assert.equal(HEADER.UNINITIALISED, exported.init_states.uninitialised);
  assert.equal(HEADER.INITIALISING, exported.init_states.initialising);
  assert.equal(HEADER.READY, exported.init_states.ready);
  assert.equal(HEADER.KIND_HEADER, exported.region_kinds.header);
});

test('pure-JS attach replays every layout conformance vector (result, nothing written)', () => {
  assert.ok(doc.vectors.length >= 21);
  const seen = new Set();
  const failures = [];
  for (const v of doc.vectors) {
    assert.deepEqual(v.op, { op: 'attach_any' }, v.name);
    const sab = bufferOf(v.len, v.initial);
    const before = new Uint8Array(sab.slice(0));
    const result = resultOf(sab, v);
    if ('error' in result) seen.add(result.error);
    const want = wanted(v.result);
    try {
      if (v.name in KNOWN_DISAGREEMENTS) {
        assert.deepEqual(want, wanted(KNOWN_DISAGREEMENTS[v.name].rust), 'Rust result of a known disagreement');
        assert.deepEqual(result, wanted(KNOWN_DISAGREEMENTS[v.name].js), 'JS result of a known disagreement');
      } else {
        assert.deepEqual(result, want, 'result');
      }
      assert.deepEqual(new Uint8Array(sab), before, 'attach wrote nothing');
    } catch (e) {
      failures.push(`${v.name}: ${e.message.split('\n').slice(0, 12).join('\n')}`);
    }
  }
  assert.deepEqual(failures, []);
  for (const name of Object.keys(KNOWN_DISAGREEMENTS)) assert.ok(doc.vectors.some((v) => v.name === name), name);
  // Every error a vector produces in Rust was also produced by the JS party, and the vectors
  // cover every row of the attach table but the three `not_covered` names.
  const rust = new Set(doc.vectors.filter((v) => 'error' in v.result).map((v) => v.result.error));
  assert.deepEqual([...seen].sort(), [...rust].sort());
  assert.deepEqual([...rust, ...Object.keys(doc.not_covered)].sort(), Object.values(ERROR_NAMES)
    .concat(['FingerprintMismatch', 'LayoutMismatch']).sort());
});

// The rows the vectors do not cover (`not_covered`) or cover only once, on a formatted region.
test('attachAny: misaligned base, waiting, out-of-range arguments, readDirectory', () => {
  const ok = doc.vectors.find((v) => v.name === 'a formatted region');
  const fmt = bufferOf(ok.len, ok.initial);
  // The same region at base 8 and 4 of a bigger buffer.
  const big = new SharedArrayBuffer(ok.len + 8);
  new Uint8Array(big).set(new Uint8Array(fmt), 8);
  assert.equal(attachAny(big, 8, ok.len).fingerprint, BigInt(ok.result.ok.fingerprint));
  const shifted = new SharedArrayBuffer(ok.len + 8);
  new Uint8Array(shifted).set(new Uint8Array(fmt), 4);
  assert.throws(() => attachAny(shifted, 4, ok.len), (e) => e instanceof ProtocolError && e.code === 'misaligned');
  // TooSmall comes before the alignment check (§2.3 table order).
  assert.throws(() => attachAny(shifted, 4, 64), (e) => e.code === 'too-small');
  assert.throws(() => attachAny(big, 8, ok.len + 8), RangeError);
  // A spin budget does not turn "initialising" into "ready"; it does not accept init_state 7 either.
  const dv = new DataView(fmt);
  dv.setUint32(HEADER.OFF_INIT_STATE, 1, true);
  assert.throws(() => attachAny(fmt, 0, ok.len, { spins: 1000 }), (e) => e.code === 'not-ready');
  dv.setUint32(HEADER.OFF_INIT_STATE, 2, true);
  // readDirectory runs the same checks and returns the entries.
  const dir = readDirectory(fmt, 0);
  assert.deepEqual([...dir.keys()], ['header', 'flags', 'ring', 'arena']);
  assert.equal(dir.get('ring').addr, 384);
  dv.setUint32(HEADER.OFF_FINGERPRINT, 1, true);
  assert.throws(() => readDirectory(fmt, 0), (e) => e.code === 'directory-fingerprint');
});

// Directory rules of §2.2 the vectors do not exercise, each on the formatted vector region with
// the fingerprint recomputed so that only the directory rule can fail.
test('attachAny refuses every invalid directory of §2.2 (BadDirectory before the fingerprint)', () => {
  const ok = doc.vectors.find((v) => v.name === 'a formatted region');
  const mutate = (f) => {
    const sab = bufferOf(ok.len, ok.initial);
    f(new DataView(sab));
    return sab;
  };
  const E = (k) => 128 + 32 * k; // directory entry k (directory_offset 128)
  const cases = {
    'directory_offset not 8-aligned': [(d) => d.setUint32(HEADER.OFF_DIR_OFFSET, 132, true), /directory at 132\.\./],
    'directory_offset before header_len': [(d) => { d.setUint32(HEADER.OFF_HEADER_LEN, 136, true); }, /directory at 128\.\./],
    'region_count 33': [(d) => d.setUint32(HEADER.OFF_REGION_COUNT, 33, true), /region_count 33/],
    'unsorted entries': [(d) => d.setUint32(E(1) + 16, 1408, true), /entries 1 and 2 unsorted/], // 1408..1472: no overlap, out of order
    'align 4': [(d) => d.setUint32(E(1) + 24, 4, true), /entry 1: align 4$/],
    'align 3': [(d) => d.setUint32(E(1) + 24, 3, true), /entry 1: align 3$/],
    'align 131072': [(d) => d.setUint32(E(1) + 24, 131072, true), /entry 1: align 131072/],
    'offset not a multiple of align': [(d) => d.setUint32(E(3) + 24, 2048, true), /entry 3: offset 1536 not a multiple/],
    'size 0': [(d) => d.setUint32(E(2) + 20, 0, true), /entry 2: size 0/],
    'name starts with a digit': [(d) => d.setUint8(E(1), 0x31), /entry 1: bad name/],
    'name with an upper-case letter': [(d) => d.setUint8(E(1) + 1, 0x50), /entry 1: bad name/],
    'empty name': [(d) => { d.setUint32(E(1), 0, true); d.setUint32(E(1) + 4, 0, true); }, /entry 1: bad name/],
    '16-byte name': [(d) => { for (let b = 0; b < 16; b++) d.setUint8(E(1) + b, 0x61); }, /entry 1: bad name/],
    'garbage after the NUL': [(d) => d.setUint8(E(1) + 14, 0x61), /entry 1: bad name/],
    'duplicate name': [(d) => { d.setUint32(E(2), d.getUint32(E(1), true), true); d.setUint32(E(2) + 4, d.getUint32(E(1) + 4, true), true); }, /entry 2: duplicate name flags/],
    'entry 0 not a header': [(d) => d.setUint32(E(0) + 28, 7, true), /entry 0: kind 7/],
    'second header entry': [(d) => d.setUint32(E(3) + 28, 1, true), /entry 3: kind 1/],
    'kind 0': [(d) => d.setUint32(E(3) + 28, 0, true), /entry 3: kind 0/],
    'header region too small for the directory': [(d) => d.setUint32(E(0) + 20, 248, true), /entry 0 does not hold the directory/],
  };
  const fix = (sab) => {
    // Recompute the fingerprint over the mutated directory (§2.4), so that only §2.2 can refuse it.
    const dv = new DataView(sab);
    const count = Math.min(dv.getUint32(HEADER.OFF_REGION_COUNT, true), 32);
    const dirOff = dv.getUint32(HEADER.OFF_DIR_OFFSET, true);
    const bytes = [];
    const push = (o, n) => { for (let b = 0; b < n; b++) bytes.push(dv.getUint8(o + b)); };
    push(HEADER.OFF_MAJOR, 4); push(HEADER.OFF_TOTAL_SIZE, 8); push(HEADER.OFF_REGION_COUNT, 4);
    push(dirOff, 32 * count);
    let h = 0xcbf29ce484222325n;
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    dv.setBigUint64(HEADER.OFF_FINGERPRINT, h, true);
    return sab;
  };
  // The recomputation itself is right: it reproduces the vector's fingerprint, which attaches.
  assert.equal(attachAny(fix(mutate(() => {})), 0, ok.len).fingerprint, BigInt(ok.result.ok.fingerprint));
  // Each case fails for its own rule (the message says which), not for a side effect of the mutation.
  for (const [name, [f, why]] of Object.entries(cases)) {
    assert.throws(() => attachAny(fix(mutate(f)), 0, ok.len),
      (e) => e instanceof ProtocolError && e.code === 'bad-directory' && why.test(e.message), name);
  }
  // A valid variation still attaches: a gap between regions, an unknown non-zero kind (opaque).
  const gap = fix(mutate((d) => { d.setUint32(E(3) + 20, 1024, true); d.setUint32(E(2) + 28, 99, true); }));
  assert.equal(attachAny(gap, 0, ok.len).regionCount, 4);
});

/** The rows of the §2.3 attach table in the spec's order (the ones attach_any can report). */
const TABLE_ORDER = Object.freeze(['TooSmall', 'MisalignedBase', 'NotReady', 'BadInitState', 'BadMagic',
  'IncompatibleVersion', 'BadHeaderLen', 'RegionTooSmall', 'NonZeroReserved', 'UnsupportedFeatures', 'BadDirectory',
  'DirectoryFingerprint']);

// The vectors change one thing each; two of them together (on different words) must fail with the
// earlier row of the table ("In order", §2.3). JS only: the vectors do not pin this order.
test('a header wrong in two ways fails with the earlier row of the §2.3 table', () => {
  assert.deepEqual([...TABLE_ORDER].sort(), Object.values(ERROR_NAMES).sort());
  const ok = doc.vectors.find((v) => v.name === 'a formatted region');
  const baseWords = new Map(ok.initial.map(([o, , x]) => [o, x]));
  const diffOf = (v) => {
    const cur = new Map(v.initial.map(([o, , x]) => [o, x]));
    const d = new Map();
    for (const o of new Set([...baseWords.keys(), ...cur.keys()])) {
      if (baseWords.get(o) !== cur.get(o)) d.set(o, cur.get(o) ?? 0);
    }
    return d;
  };
  const vs = doc.vectors.filter((v) => v.len === ok.len && v !== ok).map((v) => ({ v, d: diffOf(v) }));
  let pairs = 0;
  for (let i = 0; i < vs.length; i++) {
    for (let j = i + 1; j < vs.length; j++) {
      const [a, b] = [vs[i], vs[j]];
      if ([...a.d.keys()].some((o) => b.d.has(o))) continue; // the same word: not two faults
      const errs = [a, b].filter((x) => 'error' in x.v.result).map((x) => x.v.result.error);
      if (errs.length === 0) continue;
      const want = errs.sort((x, y) => TABLE_ORDER.indexOf(x) - TABLE_ORDER.indexOf(y))[0];
      const words = new Map([...baseWords, ...a.d, ...b.d]);
      const sab = bufferOf(ok.len, [...words].map(([o, x]) => [o, 4, x]));
      assert.deepEqual(resultOf(sab, { name: `${a.v.name} + ${b.v.name}` }), { error: want }, `${a.v.name} + ${b.v.name}`);
      pairs++;
    }
  }
  assert.ok(pairs >= 150, `${pairs} pairs`);
});
