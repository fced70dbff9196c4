// Replays docs/conformance/arena.json (generated from the Rust arena by `cargo run -p
// inos-export`) against the pure-JS arena party (reference-arena.mjs, written from
// docs/protocol/arena.md): same result or error name and code, same metadata words after every
// operation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Arena, ArenaError, geometry, requiredLen } from './reference-arena.mjs';

const doc = JSON.parse(readFileSync(new URL('../../docs/conformance/arena.json', import.meta.url), 'utf8'));

/** The non-zero metadata words (0 .. data_offset) as [offset, width, value] (8-byte: string). */
function words(sab, geo) {
  const w32 = new Uint32Array(sab, 0, geo.dataOffset >> 2);
  const w64 = new BigUint64Array(sab, 0, geo.dataOffset >> 3);
  const out = [];
  for (let o = 0; o < geo.dataOffset;) {
    const rel = o - 128;
    if (rel >= 0 && rel < geo.chunks * geo.descriptorLen && rel % geo.descriptorLen >= geo.wordsOffset) {
      const v = Atomics.load(w64, o >> 3);
      if (v !== 0n) out.push([o, 8, String(v)]);
      o += 8;
    } else {
      const v = Atomics.load(w32, o >> 2);
      if (v !== 0) out.push([o, 4, v]);
      o += 4;
    }
  }
  return out;
}

function run(sab, v) {
  let a;
  try {
    a = Arena.attach(sab, 0, v.len, { party: v.party });
    const op = v.op;
    switch (op.op) {
      case 'attach': return { ok: { chunks: a.geo.chunks } };
      case 'alloc': return { ok: a.alloc(op.len) };
      case 'validate': a.validate(op.ref); return { ok: null };
      case 'send': a.send(op.ref); return { ok: null };
      case 'open': return { ok: a.open(op.ref) };
      case 'free': a.free(op.ref); return { ok: null };
      case 'share': a.share(op.ref, op.refs); return { ok: null };
      case 'release': a.release(op.ref); return { ok: null };
      case 'reclaim': return { ok: a.reclaimParty(op.dead) };
      default: throw new Error(`unknown op ${op.op}`);
    }
  } catch (e) {
    if (!(e instanceof ArenaError)) throw e;
    return { error: e.name, code: e.code };
  }
}

test('pure-JS arena party replays every conformance vector (results and metadata words)', () => {
  const geo = geometry(doc.chunk_shift, doc.chunks);
  assert.ok(doc.vectors.length >= 40);
  for (const v of doc.vectors) {
    const sab = new SharedArrayBuffer(requiredLen(doc.chunk_shift, doc.chunks));
    const w32 = new Uint32Array(sab), w64 = new BigUint64Array(sab);
    for (const [o, width, value] of v.initial) {
      if (width === 8) w64[o >> 3] = BigInt(value);
      else w32[o >> 2] = value;
    }
    assert.deepEqual(words(sab, geo), v.initial, `${v.name}: initial words`);
    assert.deepEqual(run(sab, v), v.result, `${v.name}: result`);
    assert.deepEqual(words(sab, geo), v.expected, `${v.name}: words after the operation`);
  }
});
