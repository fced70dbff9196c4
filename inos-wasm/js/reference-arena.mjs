// A pure-JS arena party written from docs/protocol/arena.md alone (no wasm): it formats or
// attaches to an arena in a SharedArrayBuffer and allocates, hands off, shares and frees blocks
// with Atomics on the shared words, exactly as a TypeScript host would. arena.test.mjs runs it
// against the Rust party (inos-arena through the wasm module) on one SharedArrayBuffer.
//
// Word widths (arena.md §2.4): chunk state, bitmap, header and hint words are u32 (Int32Array /
// Uint32Array Atomics); block words are u64 (BigUint64Array Atomics), each accessed only as a
// 64-bit word. Atomics are sequentially consistent, which covers every Acquire / Release / AcqRel
// the spec asks for (§4).
//
// Errors are thrown as ArenaError { name, code } with the names and codes of arena.md §7.
// Every loop is bounded by the geometry or by RETRIES (§6): hostile bytes give a typed error.

/** Format constants (arena.md §2). */
export const ARENA = Object.freeze({
  MAGIC: 0x52414e49, // "INAR"
  VERSION: 1,
  HEADER_LEN: 128,
  MIN_BLOCK: 64,
  MIN_CHUNK_SHIFT: 8,
  MAX_CHUNK_SHIFT: 20,
  DEFAULT_CHUNK_SHIFT: 16,
  MAX_CHUNKS: 2 ** 24 - 1,
  MAX_REFS: 255,
  BLOCK_REF_LEN: 16,
  // Header (§2.1).
  H_MAGIC: 0, H_VERSION: 4, H_CHUNK_SHIFT: 8, H_CHUNK_COUNT: 12, H_DESCRIPTOR_LEN: 16,
  H_DATA_OFFSET: 20, H_RESERVED: 24, H_HINTS: 64, HINT_FREE: 15,
  // Chunk descriptor (§2.2).
  D_STATE: 0, D_BITMAP: 64,
  // Chunk state tags (§2.3).
  FREE: 0, TAG_SMALL: 0x01, TAG_LARGE_HEAD: 0x80, TAG_LARGE_TAIL: 0x81, TAG_CLAIMING: 0x82,
  TAG_SHIFT: 24, VALUE_MASK: 0xff_ffff,
  // Block word (§2.4).
  W_REFS_SHIFT: 32n, W_SENT: 1n << 40n, W_SHARED: 1n << 41n, W_GEN_SHIFT: 42n, GEN_MASK: 2 ** 22 - 1,
});

/** arena.md §7. */
export const ERROR_CODES = Object.freeze({
  RegionTooSmall: 1, Access: 2, BadMagic: 3, UnsupportedVersion: 4, CorruptHeader: 5,
  CorruptChunk: 6, TooLarge: 7, OutOfMemory: 8, RefOutOfRange: 9, RefMisaligned: 10, Stale: 11,
  NotSent: 12, NotOwner: 13, TooManyRefs: 14, AnonymousParty: 15, Contended: 16,
});

export class ArenaError extends Error {
  constructor(name, detail) {
    super(detail === undefined ? name : `${name} (${detail})`);
    this.name = name;
    this.code = ERROR_CODES[name];
  }
}
const fail = (name, detail) => { throw new ArenaError(name, detail); };

/** CAS retries on one word before `Contended` (§6). */
const RETRIES = 4096;
/** CAS attempts per bitmap word (§6). */
const BIT_RETRIES = 64;
const GEN_LIMIT = 2 ** 22;

const roundUp = (n, a) => Math.ceil(n / a) * a;
const u32 = (x) => x >>> 0;

/**
 * The derived geometry of `(chunkShift, chunks)` (§2), or null if out of range or longer than
 * `2^32 - 1` bytes.
 */
export function geometry(chunkShift, chunks) {
  if (!Number.isInteger(chunkShift) || chunkShift < ARENA.MIN_CHUNK_SHIFT || chunkShift > ARENA.MAX_CHUNK_SHIFT) return null;
  if (!Number.isInteger(chunks) || chunks < 1 || chunks > ARENA.MAX_CHUNKS) return null;
  const granules = 2 ** (chunkShift - 6);
  const bitmapWords = Math.max(1, granules / 32);
  const wordsOffset = 64 + roundUp(4 * bitmapWords, 64);
  const descriptorLen = roundUp(wordsOffset + 8 * granules, 64);
  const dataOffset = roundUp(ARENA.HEADER_LEN + chunks * descriptorLen, 128);
  const chunkLen = 2 ** chunkShift;
  const total = dataOffset + chunks * chunkLen;
  if (total > 2 ** 32 - 1) return null;
  return {
    chunkShift, chunks, chunkLen, granules, bitmapWords, wordsOffset, descriptorLen, dataOffset, total,
    classes: chunkShift - 6,
  };
}

/** Bytes an arena of `chunks` chunks of `2^chunkShift` bytes needs, or null. */
export const requiredLen = (chunkShift, chunks) => geometry(chunkShift, chunks)?.total ?? null;

/** How many chunks of `2^chunkShift` bytes fit in `len` bytes (0 if none). */
export function chunksFor(len, chunkShift) {
  const one = geometry(chunkShift, 1);
  if (one === null || len < one.total) return 0;
  // Each chunk costs its bytes plus its descriptor; the 128-rounding may cost one less.
  let n = Math.min(ARENA.MAX_CHUNKS, Math.floor((len - 128) / (one.chunkLen + one.descriptorLen)));
  while (n > 0 && (geometry(chunkShift, n) === null || geometry(chunkShift, n).total > len)) n--;
  return n;
}

/**
 * The size class of a length (§3.1): `{ small: c, blockLen }` or `{ large: k, blockLen }`.
 * Throws TooLarge for a length that can never fit.
 */
export function classOf(geo, len) {
  if (!Number.isInteger(len) || len < 0 || len > 2 ** 32 - 1) fail('TooLarge', `length ${len}`);
  if (len <= geo.chunkLen / 2) {
    let c = 0;
    while (64 * 2 ** c < len) c++;
    return { small: c, blockLen: 64 * 2 ** c };
  }
  const k = Math.ceil(len / geo.chunkLen);
  if (k > geo.chunks) fail('TooLarge', `length ${len}`);
  return { large: k, blockLen: k * geo.chunkLen };
}

// ---- block words (§2.4) ------------------------------------------------------------------------
const blockWord = (g, refs, flags, owner) =>
  (BigInt(g) << ARENA.W_GEN_SHIFT) | flags | (BigInt(refs) << ARENA.W_REFS_SHIFT) | BigInt(u32(owner));
const splitWord = (w) => ({
  g: Number(w >> ARENA.W_GEN_SHIFT),
  refs: Number((w >> ARENA.W_REFS_SHIFT) & 0xffn),
  sent: (w & ARENA.W_SENT) !== 0n,
  shared: (w & ARENA.W_SHARED) !== 0n,
  owner: Number(w & 0xffff_ffffn),
});
const nextGen = (g) => (g + 1) % GEN_LIMIT;

// ---- chunk state words (§2.3) ------------------------------------------------------------------
const stateWord = (tag, value) => u32(tag * 2 ** ARENA.TAG_SHIFT + value);
const tagOf = (s) => s >>> ARENA.TAG_SHIFT;
const valueOf = (s) => s & ARENA.VALUE_MASK;

/** A block reference (§2.5) as its 16 wire bytes. */
export function encodeRef(ref, out = new Uint8Array(16), at = 0) {
  const dv = new DataView(out.buffer, out.byteOffset + at, 16);
  dv.setUint32(0, ref.offset, true);
  dv.setUint32(4, ref.len, true);
  dv.setUint32(8, ref.generation, true);
  dv.setUint32(12, ref.reserved ?? 0, true);
  return out;
}
/** The block reference in 16 wire bytes at `at` of `bytes`. */
export function decodeRef(bytes, at = 0) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 16);
  return { offset: dv.getUint32(0, true), len: dv.getUint32(4, true), generation: dv.getUint32(8, true), reserved: dv.getUint32(12, true) };
}

export class Arena {
  /**
   * Formats `len` bytes at `byteOffset` (8-aligned) of `buffer` as an empty arena (§2.1) of
   * `chunks` chunks (default: as many as fit) of `2^chunkShift` bytes, `magic` last. Call once,
   * before anyone attaches.
   */
  static init(buffer, byteOffset, len, { chunkShift = ARENA.DEFAULT_CHUNK_SHIFT, chunks, party = 1 } = {}) {
    if (byteOffset % 8 !== 0 || byteOffset + len > buffer.byteLength) fail('Access');
    const n = chunks ?? chunksFor(len, chunkShift);
    const geo = geometry(chunkShift, n);
    if (geo === null) {
      if (chunks === undefined && geometry(chunkShift, 1) !== null) fail('RegionTooSmall');
      fail('CorruptHeader', `chunk_shift ${chunkShift}, ${n} chunks`);
    }
    if (len < geo.total) fail('RegionTooSmall', `${geo.total} > ${len}`);
    const a = new Arena(buffer, byteOffset, len, geo, party);
    // Every word of the header and the descriptors: zero (each with the width the spec uses for it).
    for (let o = 0; o < ARENA.HEADER_LEN; o += 4) Atomics.store(a.w32, o >> 2, 0);
    for (let i = 0; i < n; i++) {
      const d = a.desc(i);
      for (let o = 0; o < geo.wordsOffset; o += 4) Atomics.store(a.w32, (d + o) >> 2, 0);
      for (let j = 0; j < geo.granules; j++) Atomics.store(a.w64, (d + geo.wordsOffset + 8 * j) >> 3, 0n);
    }
    a.store(ARENA.H_VERSION, ARENA.VERSION);
    a.store(ARENA.H_CHUNK_SHIFT, chunkShift);
    a.store(ARENA.H_CHUNK_COUNT, n);
    a.store(ARENA.H_DESCRIPTOR_LEN, geo.descriptorLen);
    a.store(ARENA.H_DATA_OFFSET, geo.dataOffset);
    a.store(ARENA.H_MAGIC, ARENA.MAGIC); // Release: last.
    return a;
  }

  /** Validates the arena at `byteOffset` (8-aligned) of `buffer`, `len` bytes (§2.1). */
  static attach(buffer, byteOffset, len, { party = 1 } = {}) {
    if (byteOffset % 8 !== 0 || byteOffset + len > buffer.byteLength) fail('Access');
    if (len < ARENA.HEADER_LEN) fail('RegionTooSmall', `${len} < ${ARENA.HEADER_LEN}`);
    const h = new Uint32Array(buffer, byteOffset, ARENA.HEADER_LEN / 4);
    const word = (o) => Atomics.load(h, o >> 2);
    const magic = word(ARENA.H_MAGIC); // Acquire: first.
    if (magic !== ARENA.MAGIC) fail('BadMagic', `0x${magic.toString(16)}`);
    const version = word(ARENA.H_VERSION);
    if (version !== ARENA.VERSION) fail('UnsupportedVersion', `${version}`);
    const geo = geometry(word(ARENA.H_CHUNK_SHIFT), word(ARENA.H_CHUNK_COUNT));
    if (geo === null) fail('CorruptHeader', 'geometry');
    if (word(ARENA.H_DESCRIPTOR_LEN) !== geo.descriptorLen || word(ARENA.H_DATA_OFFSET) !== geo.dataOffset) {
      fail('CorruptHeader', 'derived field');
    }
    for (let o = ARENA.H_RESERVED; o < ARENA.H_HINTS; o += 4) if (word(o) !== 0) fail('CorruptHeader', `reserved byte at ${o}`);
    if (len < geo.total) fail('RegionTooSmall', `${geo.total} > ${len}`);
    return new Arena(buffer, byteOffset, len, geo, party);
  }

  constructor(buffer, byteOffset, len, geo, party) {
    if (!Number.isInteger(party) || party < 1 || party > 0xffff_ffff) throw new RangeError(`party ${party}: a non-zero u32`);
    this.buffer = buffer;
    this.base = byteOffset;
    this.len = len;
    this.geo = geo;
    this.party = party;
    // Views over exactly the validated geometry: no index computed from it leaves the region.
    this.w32 = new Uint32Array(buffer, byteOffset, geo.total >> 2);
    this.w64 = new BigUint64Array(buffer, byteOffset, geo.total >> 3);
    this.u8 = new Uint8Array(buffer, byteOffset, geo.total);
  }

  /** The same arena, acting for `party` (a non-zero u32; 1 is anonymous). */
  withParty(party) { return new Arena(this.buffer, this.base, this.len, this.geo, party); }

  // ---- words -----------------------------------------------------------------------------------
  load(o) { return Atomics.load(this.w32, o >> 2); }
  store(o, v) { Atomics.store(this.w32, o >> 2, v); }
  cas(o, expect, next) { return Atomics.compareExchange(this.w32, o >> 2, expect, next); }
  desc(i) { return ARENA.HEADER_LEN + i * this.geo.descriptorLen; }
  stateAt(i) { return this.desc(i) + ARENA.D_STATE; }
  bitmapAt(i, w) { return this.desc(i) + ARENA.D_BITMAP + 4 * w; }
  wordIndex(i, granule) { return (this.desc(i) + this.geo.wordsOffset + 8 * granule) >> 3; }
  loadWord(i, granule) { return Atomics.load(this.w64, this.wordIndex(i, granule)); }
  storeWord(i, granule, w) { Atomics.store(this.w64, this.wordIndex(i, granule), w); }
  casWord(i, granule, expect, next) { return Atomics.compareExchange(this.w64, this.wordIndex(i, granule), expect, next); }
  hint(k) {
    const v = this.load(ARENA.H_HINTS + 4 * k);
    return v < this.geo.chunks ? v : 0;
  }
  setHint(k, i) { if (this.load(ARENA.H_HINTS + 4 * k) !== i) this.store(ARENA.H_HINTS + 4 * k, i); }
  /** Blocks of class `c` in one chunk. */
  cap(c) { return this.geo.granules / 2 ** c; }
  /** Byte offset (from the arena base) of granule `j` of chunk `i`. */
  offsetOf(i, j) { return this.geo.dataOffset + i * this.geo.chunkLen + 64 * j; }

  /** `{ free, small: c, count }` for a FREE or SMALL state word, `{ tag, value }` otherwise; null: invalid. */
  decodeState(s) {
    if (s === 0) return { free: true, count: 0 };
    const tag = tagOf(s), v = valueOf(s);
    if (tag >= ARENA.TAG_SMALL && tag < ARENA.TAG_SMALL + this.geo.classes) {
      const c = tag - ARENA.TAG_SMALL;
      return v <= this.cap(c) ? { small: c, count: v } : null;
    }
    if (tag === ARENA.TAG_LARGE_HEAD || tag === ARENA.TAG_LARGE_TAIL || tag === ARENA.TAG_CLAIMING) return { tag, value: v };
    return null;
  }
  /** FREE, or SMALL(any class) with count 0 (§2.3: empty). */
  claimable(s) {
    const d = this.decodeState(s);
    return d !== null && (d.free || (d.small !== undefined && d.count === 0));
  }

  // ---- allocate (§3.2) -------------------------------------------------------------------------
  /** Allocates `len` bytes for this party: the block's reference `{ offset, len, generation, reserved }`. */
  alloc(len) {
    const cls = classOf(this.geo, len);
    if (cls.large !== undefined) {
      const { chunk, generation } = this.#allocLarge(cls.large);
      return { offset: this.offsetOf(chunk, 0), len, generation, reserved: 0 };
    }
    const { chunk, granule, generation } = this.#allocSmall(cls.small);
    return { offset: this.offsetOf(chunk, granule), len, generation, reserved: 0 };
  }

  #allocSmall(c) {
    const n = this.geo.chunks, cap = this.cap(c), want = stateWord(ARENA.TAG_SMALL + c, 0);
    // Pass 1: count into a chunk of the class with room; remember the first FREE or empty one.
    let firstFree = null;
    const start = this.hint(c);
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      let s = this.load(this.stateAt(i));
      for (let t = 0; t < RETRIES; t++) {
        const d = this.decodeState(s);
        if (d === null) break; // unknown tag or impossible count: skip the chunk (§6)
        if (d.small === c && d.count < cap) {
          const seen = this.cas(this.stateAt(i), s, s + 1); // AcqRel
          if (seen === s) {
            const got = this.#claimBit(i, c, d.count);
            if (got !== null) return got;
            break;
          }
          s = seen;
          continue;
        }
        if (firstFree === null && (d.free || (d.small !== undefined && d.count === 0))) firstFree = i;
        break;
      }
    }
    // Pass 2: bind a FREE or empty chunk to the class (or count into one that gained room).
    const start2 = firstFree ?? this.hint(ARENA.HINT_FREE);
    for (let k = 0; k < n; k++) {
      const i = (start2 + k) % n;
      let s = this.load(this.stateAt(i));
      for (let t = 0; t < RETRIES; t++) {
        const d = this.decodeState(s);
        if (d === null) break;
        let next, count;
        if (d.small === c && d.count < cap) [next, count] = [s + 1, d.count];
        else if (d.free || (d.small !== undefined && d.count === 0)) [next, count] = [want + 1, 0];
        else break;
        const seen = this.cas(this.stateAt(i), s, next); // AcqRel (Acquire: a rebind sees a zero bitmap, §4)
        if (seen === s) {
          const got = this.#claimBit(i, c, count);
          if (got !== null) return got;
          break;
        }
        s = seen;
      }
    }
    fail('OutOfMemory', `class ${c}`);
  }

  /**
   * Step 2 and 3 of §3.2 in chunk `i`, counted in with `count` blocks before us: claims a zero
   * bit and publishes the block word. Null (count given back) if the bitmap has no zero bit.
   */
  #claimBit(i, c, count) {
    const cap = this.cap(c), words = Math.ceil(cap / 32), first = Math.floor(count / 32) % words;
    for (let pass = 0; pass < 2 * words; pass++) {
      const w = (first + pass) % words;
      const bits = Math.min(32, cap - 32 * w);
      const mask = bits === 32 ? 0xffff_ffff : 2 ** bits - 1;
      let v = this.load(this.bitmapAt(i, w));
      for (let t = 0; t < BIT_RETRIES; t++) {
        const free = u32(~v & mask);
        if (free === 0) break;
        const bit = 31 - Math.clz32(free & -free);
        const seen = this.cas(this.bitmapAt(i, w), v, u32(v | (1 << bit))); // AcqRel (§4: after the previous owner's AND)
        if (seen === v) return this.#publish(i, (32 * w + bit) * 2 ** c);
        v = seen;
      }
    }
    // Only a corrupt bitmap gets here: give the count back and let the caller move on.
    this.#uncount(i);
    return null;
  }

  /** Step 3 of §3.2: the block word of granule `j` of chunk `i` becomes `(g, 1, 0, party)`. */
  #publish(i, j) {
    const { g, refs } = splitWord(this.loadWord(i, j)); // Acquire
    const generation = refs !== 0 ? nextGen(g) : g; // refs != 0: corruption, move on
    this.storeWord(i, j, blockWord(generation, 1, 0n, this.party)); // Release
    const c = tagOf(this.load(this.stateAt(i))) - ARENA.TAG_SMALL;
    if (c >= 0 && c < this.geo.classes) this.setHint(c, i);
    return { chunk: i, granule: j, generation };
  }

  /** Gives one count of chunk `i` back (§3.6 step 2): CAS `s -> s - 1`, bounded. */
  #uncount(i) {
    let s = this.load(this.stateAt(i));
    for (let t = 0; t < RETRIES; t++) {
      const d = this.decodeState(s);
      if (d === null || d.small === undefined || d.count === 0) fail('CorruptChunk', `chunk ${i}`);
      const seen = this.cas(this.stateAt(i), s, s - 1); // AcqRel (Release: after the bit clear, §4)
      if (seen === s) return;
      s = seen;
    }
    fail('Contended', `chunk ${i}`);
  }

  #allocLarge(k) {
    const n = this.geo.chunks;
    let i = 0;
    while (i + k <= n) {
      const s = this.load(this.stateAt(i));
      if (!this.claimable(s) || this.cas(this.stateAt(i), s, stateWord(ARENA.TAG_CLAIMING, 0)) !== s) {
        i++;
        continue;
      }
      const { g, refs } = splitWord(this.loadWord(i, 0));
      const generation = refs !== 0 ? nextGen(g) : g;
      this.storeWord(i, 0, blockWord(generation, 0, 0n, this.party)); // "being claimed by P"
      let d = 1;
      for (; d < k; d++) {
        const sd = this.load(this.stateAt(i + d));
        if (!this.claimable(sd) || this.cas(this.stateAt(i + d), sd, stateWord(ARENA.TAG_CLAIMING, d)) !== sd) break;
      }
      if (d < k) {
        // Roll back: tails (last first), the block word, the head (all Release).
        for (let e = d - 1; e >= 1; e--) this.store(this.stateAt(i + e), ARENA.FREE);
        this.storeWord(i, 0, blockWord(generation, 0, 0n, 0));
        this.store(this.stateAt(i), ARENA.FREE);
        i += d + 1;
        continue;
      }
      for (let e = 1; e < k; e++) this.store(this.stateAt(i + e), stateWord(ARENA.TAG_LARGE_TAIL, e));
      this.storeWord(i, 0, blockWord(generation, 1, 0n, this.party));
      this.store(this.stateAt(i), stateWord(ARENA.TAG_LARGE_HEAD, k)); // Release: last
      return { chunk: i, generation };
    }
    fail('OutOfMemory', `${k} chunks`);
  }

  // ---- references (§3.3) -----------------------------------------------------------------------
  /** The shape checks of §3.3 (no shared word read): `{ chunk, granule, cls }`. */
  locate(ref) {
    const { offset, len, generation, reserved = 0 } = ref;
    if (reserved !== 0 || !(generation >= 0 && generation < GEN_LIMIT)) fail('RefMisaligned', 'reserved word or generation');
    const geo = this.geo;
    if (!(offset >= geo.dataOffset && offset < geo.dataOffset + geo.chunks * geo.chunkLen)) fail('RefOutOfRange', `offset ${offset}`);
    const rel = offset - geo.dataOffset;
    const chunk = Math.floor(rel / geo.chunkLen), w = rel % geo.chunkLen;
    let cls;
    try {
      cls = classOf(geo, len);
    } catch {
      fail('RefOutOfRange', `length ${len}`); // more chunks than the arena has
    }
    if (cls.small !== undefined) {
      if (w % cls.blockLen !== 0) fail('RefMisaligned', `offset ${offset} in class ${cls.small}`);
    } else {
      if (w !== 0) fail('RefMisaligned', `large block at ${offset}`);
      if (chunk + cls.large > geo.chunks) fail('RefOutOfRange', `${cls.large} chunks from ${chunk}`);
    }
    return { chunk, granule: w / 64, cls };
  }

  /** True if chunk `loc.chunk` is still bound the way the reference's class needs (§3.3). */
  classCurrent(loc) {
    const s = this.load(this.stateAt(loc.chunk)); // Acquire
    if (loc.cls.small !== undefined) {
      const d = this.decodeState(s);
      return d !== null && d.small === loc.cls.small && d.count >= 1;
    }
    return s === stateWord(ARENA.TAG_LARGE_HEAD, loc.cls.large);
  }

  /** Validates `ref` (§3.3): `{ chunk, granule, cls, word }`, or throws its typed error. */
  validate(ref) {
    const loc = this.locate(ref);
    if (!this.classCurrent(loc)) fail('Stale', 'chunk rebound');
    const word = this.loadWord(loc.chunk, loc.granule); // Acquire
    const { g, refs } = splitWord(word);
    if (g !== ref.generation || refs === 0) fail('Stale', `generation ${g}, refs ${refs}`);
    return { ...loc, word };
  }

  /** The block's bytes, in place (a view; JS reads and writes are data races only for a misbehaving party). */
  bytes(ref) {
    this.locate(ref);
    return new Uint8Array(this.buffer, this.base + ref.offset, ref.len);
  }

  // ---- hand-off (§3.4) -------------------------------------------------------------------------
  /** CAS of the exclusive word `(g, 1, 0, party)` to `next`, with §3.4's failure names. */
  #casExclusive(ref, next) {
    const loc = this.locate(ref);
    if (!this.classCurrent(loc)) fail('Stale', 'chunk rebound');
    const expect = blockWord(ref.generation, 1, 0n, this.party);
    const seen = this.casWord(loc.chunk, loc.granule, expect, next); // AcqRel
    if (seen === expect) return loc;
    const now = splitWord(seen);
    if (now.g !== ref.generation || now.refs === 0) fail('Stale', `generation ${now.g}, refs ${now.refs}`);
    fail('NotOwner', `owner ${now.owner}${now.sent ? ', sent' : ''}${now.shared ? ', shared' : ''}`);
  }

  /** Marks this party's exclusive block as in transit (then put `ref` in a ring message). */
  send(ref) { this.#casExclusive(ref, blockWord(ref.generation, 1, ARENA.W_SENT, this.party)); }

  /**
   * Takes a sent block (it becomes this party's), or holds one reference of a shared block:
   * returns `{ shared }`.
   */
  open(ref) {
    const loc = this.validate(ref);
    let w = loc.word;
    for (let t = 0; t < RETRIES; t++) {
      const d = splitWord(w);
      if (d.g !== ref.generation || d.refs === 0) fail('Stale', `generation ${d.g}, refs ${d.refs}`);
      if (d.shared) return { shared: true };
      if (!d.sent) fail('NotSent');
      const seen = this.casWord(loc.chunk, loc.granule, w, blockWord(d.g, 1, 0n, this.party)); // AcqRel
      if (seen === w) return { shared: false };
      w = seen;
    }
    fail('Contended', 'open');
  }

  /** Frees this party's exclusive block (§3.4). */
  free(ref) {
    const loc = this.#casExclusive(ref, blockWord(nextGen(ref.generation), 0, 0n, 0));
    this.#giveBack(loc);
  }

  // ---- shared blocks (§3.5) --------------------------------------------------------------------
  /** Turns this party's exclusive block into a shared one with `refs` (1..=255) references. */
  share(ref, refs) {
    if (!Number.isInteger(refs) || refs < 1 || refs > ARENA.MAX_REFS) fail('TooManyRefs', `${refs}`);
    this.#casExclusive(ref, blockWord(ref.generation, refs, ARENA.W_SHARED, 0));
  }

  /** Releases one reference of a shared block; the last one frees it. */
  release(ref) {
    const loc = this.locate(ref);
    if (!this.classCurrent(loc)) fail('Stale', 'chunk rebound');
    let w = this.loadWord(loc.chunk, loc.granule);
    for (let t = 0; t < RETRIES; t++) {
      const d = splitWord(w);
      if (d.g !== ref.generation || d.refs === 0) fail('Stale', `generation ${d.g}, refs ${d.refs}`);
      if (!d.shared) fail('NotOwner', 'exclusive block');
      const last = d.refs === 1;
      const next = last ? blockWord(nextGen(d.g), 0, 0n, 0) : w - (1n << ARENA.W_REFS_SHIFT);
      const seen = this.casWord(loc.chunk, loc.granule, w, next); // AcqRel: a chain of RMWs (§4)
      if (seen === w) {
        if (last) this.#giveBack(loc);
        return;
      }
      w = seen;
    }
    fail('Contended', 'release');
  }

  // ---- give the storage back (§3.6) ------------------------------------------------------------
  #giveBack(loc) {
    const i = loc.chunk, s = this.load(this.stateAt(i)); // Acquire
    const d = this.decodeState(s);
    if (d !== null && d.small !== undefined && d.count >= 1) {
      const b = loc.granule / 2 ** d.small;
      Atomics.and(this.w32, this.bitmapAt(i, Math.floor(b / 32)) >> 2, u32(~(1 << (b % 32)))); // AcqRel
      this.#uncount(i);
      return;
    }
    if (d !== null && d.tag === ARENA.TAG_LARGE_HEAD && d.value >= 1 && i + d.value <= this.geo.chunks) {
      for (let e = d.value - 1; e >= 1; e--) this.store(this.stateAt(i + e), ARENA.FREE);
      this.store(this.stateAt(i), ARENA.FREE); // Release: last
      return;
    }
    fail('CorruptChunk', `chunk ${i}`);
  }

  // ---- reclaim (§3.7) --------------------------------------------------------------------------
  /** Frees every exclusive block and rolls back every claim of the dead party `party`; returns the count. */
  reclaimParty(party) {
    if (party === 1) fail('AnonymousParty');
    let n = 0;
    const take = (i, j) => {
      const w = this.loadWord(i, j), d = splitWord(w);
      if (d.refs !== 1 || d.shared || d.owner !== party) return false;
      if (this.casWord(i, j, w, blockWord(nextGen(d.g), 0, 0n, 0)) !== w) return false;
      return true;
    };
    for (let i = 0; i < this.geo.chunks; i++) {
      const s = this.load(this.stateAt(i)), d = this.decodeState(s);
      if (d === null) continue;
      if (d.small !== undefined && d.count >= 1) {
        const size = 2 ** d.small;
        for (let j = 0; j < this.geo.granules; j += size) {
          if (take(i, j)) {
            this.#giveBack({ chunk: i, granule: j });
            n++;
          }
        }
      } else if (d.tag === ARENA.TAG_LARGE_HEAD) {
        if (take(i, 0)) {
          this.#giveBack({ chunk: i, granule: 0 });
          n++;
        }
      } else if (d.tag === ARENA.TAG_CLAIMING && d.value === 0) {
        const w = this.loadWord(i, 0), b = splitWord(w);
        if (b.refs === 0 && !b.sent && !b.shared && b.owner === party) {
          for (let e = 1; i + e < this.geo.chunks && this.load(this.stateAt(i + e)) === stateWord(ARENA.TAG_CLAIMING, e); e++) {
            this.store(this.stateAt(i + e), ARENA.FREE);
          }
          this.storeWord(i, 0, blockWord(b.g, 0, 0n, 0));
          this.store(this.stateAt(i), ARENA.FREE);
          n++;
        }
      }
    }
    return n;
  }

  // ---- statistics (§3.8) -----------------------------------------------------------------------
  /** One pass over the chunk states (not a snapshot under concurrency). */
  stats() {
    const geo = this.geo, clen = geo.chunkLen;
    const st = {
      chunks: geo.chunks, chunkLen: clen, freeChunks: 0, largeBlocks: 0, largeChunks: 0,
      bytesInUse: 0, freeBytes: 0, claimingBytes: 0, corruptChunks: 0,
      classes: Array.from({ length: geo.classes }, (_, c) => ({ blockLen: 64 * 2 ** c, chunks: 0, blocks: 0, capacity: 0 })),
    };
    for (let i = 0; i < geo.chunks; i++) {
      const s = this.load(this.stateAt(i));
      let d = this.decodeState(s);
      // A SMALL count beyond the class's blocks counts as a full chunk (§3.8).
      const c = tagOf(s) - ARENA.TAG_SMALL;
      if (d === null && c >= 0 && c < geo.classes) d = { small: c, count: this.cap(c) };
      if (d === null) st.corruptChunks++;
      else if (d.free) {
        st.freeChunks++;
        st.freeBytes += clen;
      } else if (d.small !== undefined) {
        const cl = st.classes[d.small], cap = this.cap(d.small);
        cl.chunks++;
        cl.blocks += d.count;
        cl.capacity += cap;
        st.bytesInUse += d.count * cl.blockLen;
        st.freeBytes += (cap - d.count) * cl.blockLen;
        if (d.count === 0) st.freeChunks++;
      } else if (d.tag === ARENA.TAG_LARGE_HEAD) {
        st.largeBlocks++;
        st.largeChunks++;
        st.bytesInUse += clen;
      } else if (d.tag === ARENA.TAG_LARGE_TAIL) {
        st.largeChunks++;
        st.bytesInUse += clen;
      } else st.claimingBytes += clen;
    }
    return st;
  }
}
