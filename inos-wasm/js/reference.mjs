// A pure-JS reference party of the inos protocol: no wasm, no Rust, only the bytes.
//
// Written against docs/PROTOCOL.md §2, docs/protocol/epoch.md §1-2 and docs/protocol/ring.md
// §2-7 (ring wire format version 6: variable-length rings of both kinds, and fixed-size SPSC
// rings, §3.3, through FixedRingProducer / FixedRingConsumer). Both positions of a live ring are read TAIL first, then
// HEAD, re-reading TAIL while the pair does not validate and TAIL moved (ring.md §2.1): reading
// HEAD first does not work, since producers may claim space the consumer freed after that read,
// and contention is never reported as corruption.
//
// It attaches to the region header and reads the directory (docs/PROTOCOL.md §2: `attachAny`
// runs every check of the §2.3 attach table, in order), waits on and signals epoch
// slots (docs/protocol/epoch.md) and consumes / produces ring messages (docs/protocol/ring.md),
// with one cached Int32Array and one Uint8Array over the SharedArrayBuffer and Atomics only.
// Every value read from shared memory is validated before use; bad bytes throw a ProtocolError.
//
// All addresses are absolute byte offsets into the SharedArrayBuffer (region base + offset).
// All positions and counters are u32 and wrap: arithmetic on them is done `>>> 0`.

/**
 * A value in shared memory that no correct party writes, or a protocol refusal. A 'corrupt' ring
 * error also says what was found wrong in `corruption`: 'positions' (HEAD, TAIL or RELEASE_TO),
 * 'bad-state' (a record state word) or 'bad-length' (a record length), ring.md §5.4. Ring
 * message-size refusals carry the sizes: 'message-size' (`expected`: the size the party works
 * with, 0 for variable-length; `found`: the ring's MESSAGE_SIZE), 'bad-message-size' (`found`),
 * 'size-mismatch' (`expected`, `found`: a fixed-size push of a message of another length).
 */
export class ProtocolError extends Error {
  constructor(code, message, corruption) {
    super(message);
    this.code = code;
    if (corruption !== undefined) this.corruption = corruption;
  }
}

/** One pair of views per SharedArrayBuffer (views are cheap, but cache them anyway). */
const VIEWS = new WeakMap();
export function views(sab) {
  let v = VIEWS.get(sab);
  if (!v) {
    v = { i32: new Int32Array(sab), u8: new Uint8Array(sab) };
    VIEWS.set(sab, v);
  }
  return v;
}

const u32 = (x) => x >>> 0;

// ---- Region header and directory (PROTOCOL.md §2) ---------------------------------------------

export const HEADER = Object.freeze({
  MAGIC: 0x534f4e49, // "INOS"
  VERSION_MAJOR: 1,
  VERSION_MINOR: 0, // the minor this reader implements: reserved words are checked up to it
  HEADER_LEN: 128, MAX_HEADER_LEN: 4096,
  OFF_MAGIC: 0x00, OFF_MAJOR: 0x04, OFF_MINOR: 0x08, OFF_HEADER_LEN: 0x0c, OFF_TOTAL_SIZE: 0x10,
  OFF_FEATURES: 0x18, OFF_FINGERPRINT: 0x20,
  OFF_INIT_STATE: 0x28, OFF_GENERATION: 0x2c, OFF_REGION_COUNT: 0x30, OFF_DIR_OFFSET: 0x34,
  OFF_DIR_ENTRY_LEN: 0x38, RESERVED: Object.freeze([0x3c, 0x80]),
  UNINITIALISED: 0, INITIALISING: 1, READY: 2, DIR_ENTRY_LEN: 32, MAX_REGIONS: 32,
  MIN_ALIGN: 8, MAX_ALIGN: 65536, KIND_HEADER: 1,
  // Feature bits known to this reader (version 1.0 defines none); bits 32-63 are incompatible.
  FEATURES_SUPPORTED: 0n, FEATURES_INCOMPAT_MASK: 0xffffffff00000000n,
});

const FNV_OFFSET = 0xcbf29ce484222325n, FNV_PRIME = 0x100000001b3n, U64 = (1n << 64n) - 1n;

/** FNV-1a 64 over the little-endian bytes of u32 `words` (PROTOCOL.md §2.4). */
function fnv1a64Words(words) {
  let h = FNV_OFFSET;
  for (const x of words) {
    for (let s = 0; s < 32; s += 8) h = ((h ^ BigInt((x >>> s) & 0xff)) * FNV_PRIME) & U64;
  }
  return h;
}

/**
 * Attaches to the region header at `base` without an expected layout (PROTOCOL.md §2.3,
 * `attach_any`): runs the checks of the attach table in the table's order and returns
 * `{ generation, minor, regionCount, totalSize, fingerprint }` (`fingerprint` a BigInt), or
 * throws a ProtocolError whose code names the failed row:
 *
 *   'too-small' TooSmall, 'misaligned' MisalignedBase, 'not-ready' NotReady,
 *   'bad-init-state' BadInitState, 'bad-magic' BadMagic, 'version' IncompatibleVersion,
 *   'bad-header-len' BadHeaderLen, 'region-too-small' RegionTooSmall,
 *   'reserved' NonZeroReserved (with `offset`), 'unsupported-features' UnsupportedFeatures,
 *   'bad-directory' BadDirectory, 'directory-fingerprint' DirectoryFingerprint.
 *
 * `len` is the region length (default: the rest of the buffer); nothing outside
 * `[base, base + len)` is read and nothing is written. `init_state` 0 or 1 is polled: re-loaded
 * up to `spins` more times (default 0: the vectors attach without waiting), then 'not-ready'.
 * Also returns the validated directory entries in `entries` (non-enumerable).
 */
export function attachAny(sab, base, len = sab.byteLength - base, { spins = 0 } = {}) {
  if (!Number.isInteger(base) || !Number.isInteger(len) || base < 0 || len < 0 || base + len > sab.byteLength) {
    throw new RangeError(`region [${base}, ${base}+${len}) is not inside the buffer`);
  }
  if (len < HEADER.HEADER_LEN) throw new ProtocolError('too-small', `region of ${len} bytes, a header needs ${HEADER.HEADER_LEN}`);
  if (base % 8 !== 0) throw new ProtocolError('misaligned', 'region base is not 8-aligned');
  const { i32 } = views(sab);
  // Only offsets already known to be inside the region (the 128-byte header, then the directory
  // once it is known to end inside total_size <= len) are ever passed to w().
  const w = (off) => u32(Atomics.load(i32, (base + off) >> 2));

  // init_state: SeqCst loads, at least the Acquire the spec asks for (pairs with the Release "ready").
  let state = w(HEADER.OFF_INIT_STATE);
  for (let k = 0; k < spins && (state === HEADER.UNINITIALISED || state === HEADER.INITIALISING); k++) {
    state = w(HEADER.OFF_INIT_STATE);
  }
  if (state === HEADER.UNINITIALISED || state === HEADER.INITIALISING) {
    throw new ProtocolError('not-ready', `init_state ${state}`);
  }
  if (state !== HEADER.READY) throw new ProtocolError('bad-init-state', `init_state ${state}`);

  const magic = w(HEADER.OFF_MAGIC);
  if (magic !== HEADER.MAGIC) throw new ProtocolError('bad-magic', `magic 0x${magic.toString(16)}, not an inos region`);
  const major = w(HEADER.OFF_MAJOR), minor = w(HEADER.OFF_MINOR);
  if (major !== HEADER.VERSION_MAJOR) throw new ProtocolError('version', `version ${major}.${minor}`);

  const total = (BigInt(w(HEADER.OFF_TOTAL_SIZE + 4)) << 32n) | BigInt(w(HEADER.OFF_TOTAL_SIZE));
  const headerLen = w(HEADER.OFF_HEADER_LEN);
  // §2.1: 128 <= header_len <= 4096, a multiple of 8, not past total_size.
  if (headerLen < HEADER.HEADER_LEN || headerLen > HEADER.MAX_HEADER_LEN || headerLen % 8 !== 0
      || BigInt(headerLen) > total) {
    throw new ProtocolError('bad-header-len', `header_len ${headerLen}`);
  }
  // No upper bound on total_size beyond the region length: PROTOCOL.md §2 states none (the Rust
  // layout also refuses total_size > 2^32 as BadDirectory(TotalTooLarge); a spec gap, reported).
  if (total > BigInt(len)) throw new ProtocolError('region-too-small', `total_size ${total} > region length ${len}`);
  const totalSize = Number(total); // <= len: exact

  if (minor <= HEADER.VERSION_MINOR) {
    for (let off = HEADER.RESERVED[0]; off < HEADER.RESERVED[1]; off += 4) {
      const v = w(off);
      if (v !== 0) {
        const e = new ProtocolError('reserved', `reserved header word at byte ${off} is 0x${v.toString(16)}`);
        e.offset = off; // the first non-zero reserved word
        throw e;
      }
    }
  }

  const features = (BigInt(w(HEADER.OFF_FEATURES + 4)) << 32n) | BigInt(w(HEADER.OFF_FEATURES));
  const unknown = features & HEADER.FEATURES_INCOMPAT_MASK & ~HEADER.FEATURES_SUPPORTED;
  if (unknown !== 0n) throw new ProtocolError('unsupported-features', `incompatible feature bits 0x${unknown.toString(16)}`);

  const { entries, words } = readEntries(w, headerLen, totalSize);

  const stored = (BigInt(w(HEADER.OFF_FINGERPRINT + 4)) << 32n) | BigInt(w(HEADER.OFF_FINGERPRINT));
  const count = entries.length;
  const computed = fnv1a64Words([major, totalSize >>> 0, Math.floor(totalSize / 2 ** 32), count, ...words]);
  if (stored !== computed) {
    throw new ProtocolError('directory-fingerprint',
      `header fingerprint 0x${stored.toString(16)}, directory 0x${computed.toString(16)}`);
  }
  const r = { generation: w(HEADER.OFF_GENERATION), minor, regionCount: count, totalSize, fingerprint: stored };
  Object.defineProperty(r, 'entries', { value: entries });
  return r;
}

const NAME_RE = /^[a-z][a-z0-9_]{0,14}$/;

/** The directory validity rules of §2.2 (all 'bad-directory'); `total` is already <= the region length. */
function readEntries(w, headerLen, total) {
  const bad = (why) => new ProtocolError('bad-directory', why);
  const entryLen = w(HEADER.OFF_DIR_ENTRY_LEN), count = w(HEADER.OFF_REGION_COUNT);
  const dirOff = w(HEADER.OFF_DIR_OFFSET);
  // 1.
  if (entryLen !== HEADER.DIR_ENTRY_LEN) throw bad(`directory_entry_len ${entryLen}`);
  if (count < 1 || count > HEADER.MAX_REGIONS) throw bad(`region_count ${count}`);
  // 2. (the end inside the first region is checked with entry 0 below; first inside total_size,
  // so that reading the entries stays inside the region)
  const dirEnd = dirOff + count * HEADER.DIR_ENTRY_LEN;
  if (dirOff % 8 !== 0 || dirOff < headerLen || dirEnd > total) throw bad(`directory at ${dirOff}..${dirEnd}`);
  const words = [];
  for (let off = dirOff; off < dirEnd; off += 4) words.push(w(off));
  const entries = [];
  const names = new Set();
  for (let k = 0; k < count; k++) {
    const e = words.slice(k * 8, k * 8 + 8);
    const bytes = [];
    for (let b = 0; b < 16; b++) bytes.push((e[b >> 2] >>> (8 * (b & 3))) & 0xff);
    const n = bytes.indexOf(0);
    const name = String.fromCharCode(...bytes.slice(0, n < 0 ? 16 : n));
    const [offset, size, align, kind] = e.slice(4);
    // 5. names: [a-z][a-z0-9_]*, 1 to 15 bytes, NUL-padded (every byte after the name is 0), unique.
    if (n < 0 || !NAME_RE.test(name) || bytes.slice(n).some((b) => b !== 0)) throw bad(`entry ${k}: bad name`);
    if (names.has(name)) throw bad(`entry ${k}: duplicate name ${name}`);
    names.add(name);
    // 4.
    if (align < HEADER.MIN_ALIGN || align > HEADER.MAX_ALIGN || (align & (align - 1)) !== 0) throw bad(`entry ${k}: align ${align}`);
    if (offset % align !== 0) throw bad(`entry ${k}: offset ${offset} not a multiple of ${align}`);
    if (size === 0) throw bad(`entry ${k}: size 0`);
    if (offset + size > total) throw bad(`entry ${k}: past total_size`);
    // 3.
    if (k > 0 && offset < entries[k - 1].offset + entries[k - 1].size) throw bad(`entries ${k - 1} and ${k} unsorted or overlapping`);
    // Kind 0 is invalid (§2.2, "Region kinds"); 6. entry 0, and only entry 0, is the header region,
    // at offset 0, holding the directory (this also ends the directory inside the first region, 2.).
    if (kind === 0) throw bad(`entry ${k}: kind 0`);
    if ((k === 0) !== (kind === HEADER.KIND_HEADER)) throw bad(`entry ${k}: kind ${kind}`);
    if (k === 0 && (offset !== 0 || size < dirEnd)) throw bad('entry 0 does not hold the directory');
    entries.push({ name, offset, size, align, kind });
  }
  return { entries, words };
}

/**
 * Attaches (`attachAny`, every check of §2.3) to the region at `base`, which must be `ready`, and
 * returns its directory: a Map from name to `{ offset, size, align, kind, addr }`.
 */
export function readDirectory(sab, base, len = sab.byteLength - base) {
  const dir = new Map();
  for (const e of attachAny(sab, base, len).entries) dir.set(e.name, { ...e, addr: base + e.offset });
  return dir;
}

// ---- Epoch slots (epoch.md) ---------------------------------------------------------------------

/**
 * An epoch slot: u32 counter at +0, u32 waiter count at +4. A waiter registers in the count
 * before its final check and sleeps on the counter; a signaller bumps the counter, then wakes only
 * if the count is non-zero. JS Atomics are sequentially consistent, which is what both sides of
 * that handshake need.
 */
export class Epoch {
  constructor(sab, addr) {
    if (addr % 8 !== 0 || addr + 8 > sab.byteLength) throw new ProtocolError('misaligned', 'epoch slot');
    this.i32 = views(sab).i32;
    this.word = addr >> 2;
    this.waiters = this.word + 1;
    this.stats = { waits: 0, ok: 0, notEqual: 0, timedOut: 0 };
  }
  load() { return u32(Atomics.load(this.i32, this.word)); }
  /** Advances the counter, wakes every sleeper if one is registered; returns the new value. */
  signal() {
    const v = u32(Atomics.add(this.i32, this.word, 1) + 1);
    if (Atomics.load(this.i32, this.waiters) !== 0) Atomics.notify(this.i32, this.word);
    return v;
  }
  /**
   * Sleeps (Atomics.wait: workers only) until the counter differs from `lastSeen`; returns the
   * new value, or null after `timeoutMs`.
   */
  waitChanged(lastSeen, timeoutMs = Infinity) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let v = this.load();
      if (v !== u32(lastSeen)) return v;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      Atomics.add(this.i32, this.waiters, 1); // register, then re-check (no lost wake-up)
      v = this.load();
      if (v === u32(lastSeen)) this.#count(Atomics.wait(this.i32, this.word, lastSeen | 0, left));
      Atomics.sub(this.i32, this.waiters, 1);
    }
  }
  /** Like waitChanged, for a thread that must not block (a browser's main thread): waitAsync. */
  async waitChangedAsync(lastSeen, timeoutMs = Infinity) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let v = this.load();
      if (v !== u32(lastSeen)) return v;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      Atomics.add(this.i32, this.waiters, 1);
      try {
        v = this.load();
        if (v === u32(lastSeen)) {
          const r = Atomics.waitAsync(this.i32, this.word, lastSeen | 0, left);
          this.#count(r.async ? await r.value : r.value);
        }
      } finally {
        Atomics.sub(this.i32, this.waiters, 1);
      }
    }
  }
  #count(r) {
    this.stats.waits++;
    if (r === 'ok') this.stats.ok++;
    else if (r === 'not-equal') this.stats.notEqual++;
    else this.stats.timedOut++;
  }
}

// ---- Rings (ring.md, version 6) ---------------------------------------------------------------

export const RING = Object.freeze({
  MAGIC: 0x474e5249, // "IRNG"
  VERSION: 6,
  OFF_MAGIC: 0, OFF_VERSION: 4, OFF_CAPACITY: 8, OFF_KIND: 12, OFF_MODE: 36, OFF_CONSUMER_ROLE: 16,
  OFF_PRODUCER_ROLE: 20, OFF_DROPPED: 24, OFF_ABORTED: 28, OFF_UNBLOCKED: 32,
  OFF_DATA_EPOCH: 40, OFF_SPACE_EPOCH: 48, OFF_MESSAGE_SIZE: 56, OFF_HEAD: 128, OFF_RELEASE_TO: 132,
  OFF_TAIL: 256, HEADER_LEN: 512,
  /** Reserved header bytes [from, to): zero at init, refused by attach if not (ring.md §2). */
  RESERVED: Object.freeze([[60, 128], [136, 256], [260, 512]]),
  /**
   * MESSAGE_SIZE (ring.md §2, §3.3): 0 on a ring of variable-length messages; otherwise the one
   * length of every message of a fixed-size SPSC ring (1 ..= max_message).
   */
  MESSAGE_SIZE_VARIABLE: 0,
  /** MODE values (ring.md §7, §7.1): parties may sleep, or nobody sleeps (poll). */
  MODE_WAKE: 0, MODE_POLL: 1,
  KIND_SPSC: 1, KIND_MPSC: 2, MIN_CAPACITY: 64, MAX_CAPACITY: 2 ** 31,
  /** MPSC records (ring.md §3.2): length + state words, 8-aligned. */
  /** STATE_COMMITTED and STATE_BUSY are tag bits: the low 29 bits are `pos >>> 3` (ring.md §3.2). */
  RECORD_HEADER: 8, STATE_EMPTY: 0, STATE_COMMITTED: 0x40000000, STATE_PADDING: 2, STATE_BUSY: 0x80000000,
  TAG_POSITION_MASK: 0x1fffffff,
  /** SPSC records (ring.md §3.1): one header word, 4-aligned; bit 31 flags padding. */
  SPSC_RECORD_HEADER: 4, SPSC_PADDING: 0x80000000,
  /**
   * SPSC runs (ring.md §3.1.1): bit 30 of a header word without the padding flag starts a run of
   * `word & SPSC_RUN_COUNT_MASK` messages; then the messages' length L (+4), the consumer's TAKEN
   * (+8), and the messages from +12, each padded to 4.
   */
  SPSC_RUN: 0x40000000, SPSC_RUN_COUNT_MASK: 0x3fffffff, SPSC_RUN_HEADER: 12, SPSC_RUN_LEN: 4,
  SPSC_RUN_TAKEN: 8,
});

/** Bytes an MPSC record with a `len`-byte payload occupies (header + payload, rounded up to 8). */
export const recordSize = (len) => (len + RING.RECORD_HEADER + 7) & ~7;
/** Bytes an SPSC record occupies: the header word + `len` bytes, rounded up to 4 (ring.md §3.1). */
export const spscRecordSize = (len) => (len + RING.SPSC_RECORD_HEADER + 3) & ~3;
/** Bytes a record of a fixed-size ring of `size`-byte messages occupies: no header, padded to 4 (§3.3). */
export const fixedStride = (size) => (size + 3) & ~3;
/**
 * Where the record of the next message at position `pos` of a fixed-size ring starts (ring.md
 * §3.3): `pos` if its `stride` bytes fit before the end of the data area, else the start of the
 * next lap. Both sides compute it; the skipped bytes are never written or read.
 */
export function fixedSlot(cap, stride, pos) {
  const toEnd = cap - (pos & (cap - 1));
  return stride <= toEnd ? u32(pos) : u32(pos + toEnd);
}
/** The in-progress state an MPSC producer writes for its record at `pos`. */
export const busyTag = (pos) => u32(RING.STATE_BUSY | (pos >>> 3));
/** The committed state an MPSC producer stores for its message at `pos` (ring.md §4.2). */
export const committedTag = (pos) => u32(RING.STATE_COMMITTED | (pos >>> 3));

/** Validated view of a ring's header (shared by the producer and the consumer). */
class RingBase {
  /**
   * `options.expectKind` ('spsc' or 'mpsc', optional): refuse a ring of the other kind with
   * 'wrong-kind' (Rust's typed `Ring::<Spsc>` / `Ring::<Mpsc>` always expects one); without it
   * the party adapts to the KIND it reads.
   */
  constructor(sab, addr, len, options = {}) {
    const { i32, u8 } = views(sab);
    this.sab = sab;
    this.i32 = i32;
    this.u8 = u8;
    if (addr % 8 !== 0) throw new ProtocolError('misaligned', 'ring base');
    this.addr = addr;
    // The checks of ring.md §5.1 in its order (magic, version, kind, mode, reserved words,
    // capacity, MESSAGE_SIZE, region length: the Rust order, so that a header wrong in two ways is
    // refused with the same error); a word outside the region is 'too-small' when it is reached.
    const limit = Math.min(len ?? Infinity, sab.byteLength - addr);
    const w = (off) => {
      if (off + 4 > limit) throw new ProtocolError('too-small', `ring header word ${off} outside the region`);
      return u32(Atomics.load(i32, (addr + off) >> 2));
    };
    // SYNC: SeqCst load of MAGIC = the Acquire that pairs with init's Release store of it.
    if (w(RING.OFF_MAGIC) !== RING.MAGIC) throw new ProtocolError('bad-magic', 'not a ring');
    if (w(RING.OFF_VERSION) !== RING.VERSION) throw new ProtocolError('version', 'ring version');
    const kind = w(RING.OFF_KIND);
    if (kind !== RING.KIND_SPSC && kind !== RING.KIND_MPSC) throw new ProtocolError('bad-kind', `kind ${kind}`);
    if (options.expectKind !== undefined) {
      const want = options.expectKind === 'spsc' ? RING.KIND_SPSC : RING.KIND_MPSC;
      if (kind !== want) {
        throw new ProtocolError('wrong-kind', `the ring is ${kind === RING.KIND_SPSC ? 'SPSC' : 'MPSC'}, not ${options.expectKind.toUpperCase()}`);
      }
    }
    const mode = w(RING.OFF_MODE);
    if (mode !== RING.MODE_WAKE && mode !== RING.MODE_POLL) throw new ProtocolError('bad-mode', `mode ${mode}`);
    for (const [from, to] of RING.RESERVED) {
      for (let off = from; off < to; off += 4) {
        const v = w(off);
        if (v !== 0) {
          const e = new ProtocolError('reserved', `reserved header word at byte ${off} is 0x${v.toString(16)}`);
          e.offset = off;
          throw e;
        }
      }
    }
    const cap = w(RING.OFF_CAPACITY);
    if (cap < RING.MIN_CAPACITY || cap > RING.MAX_CAPACITY || (cap & (cap - 1)) !== 0) {
      throw new ProtocolError('bad-capacity', `capacity ${cap}`);
    }
    // MESSAGE_SIZE: 0 (variable-length), or on SPSC rings 1 ..= max_message (ring.md §2, §3.3).
    const messageSize = w(RING.OFF_MESSAGE_SIZE);
    if (messageSize !== RING.MESSAGE_SIZE_VARIABLE && (kind !== RING.KIND_SPSC || messageSize > cap / 2 - 8)) {
      const e = new ProtocolError('bad-message-size',
        `MESSAGE_SIZE ${messageSize} on ${kind === RING.KIND_SPSC ? `an SPSC ring of capacity ${cap}` : 'an MPSC ring'}`);
      e.found = messageSize;
      throw e;
    }
    const needed = RING.HEADER_LEN + cap;
    if ((len !== undefined && len < needed) || addr + needed > sab.byteLength) {
      throw new ProtocolError('too-small', 'ring region shorter than its capacity');
    }
    this.kind = kind;
    this.poll = mode === RING.MODE_POLL;
    this.multi = kind === RING.KIND_MPSC;
    this.cap = cap;
    this.mask = cap - 1;
    this.maxMessage = cap / 2 - 8; // both kinds (ring.md §3)
    this.messageSize = messageSize; // 0: variable-length records (§3.1, §3.2); else §3.3
    // Record framing of this kind: header bytes, alignment of records and positions, size.
    this.hdr = this.multi ? RING.RECORD_HEADER : RING.SPSC_RECORD_HEADER;
    this.align = this.multi ? 8 : 4;
    this.sizeOf = this.multi ? recordSize : spscRecordSize;
    this.data = addr + RING.HEADER_LEN;
    this.iHead = (addr + RING.OFF_HEAD) >> 2;
    this.iReleaseTo = (addr + RING.OFF_RELEASE_TO) >> 2;
    this.iTail = (addr + RING.OFF_TAIL) >> 2;
    this.dataEpoch = new Epoch(sab, addr + RING.OFF_DATA_EPOCH);
    this.spaceEpoch = new Epoch(sab, addr + RING.OFF_SPACE_EPOCH);
    this.positionRetries = 0;
  }
  word(off) { return (this.addr + off) >> 2; }
  rec(off, plus) { return (this.data + off + plus) >> 2; }
  /**
   * Refuses a ring whose MESSAGE_SIZE is not `expected` (0: this party reads and writes
   * variable-length records) with 'message-size' (Rust `MessageSize`, ring.md §2), before any
   * role is claimed: the framings of the two kinds of ring cannot be mixed.
   */
  expectMessageSize(expected) {
    if (this.messageSize === expected) return;
    const name = (n) => (n === RING.MESSAGE_SIZE_VARIABLE ? 'variable-length' : `${n}-byte`);
    const e = new ProtocolError('message-size',
      `the ring holds ${name(this.messageSize)} messages, this party works with ${name(expected)} messages`);
    e.expected = expected;
    e.found = this.messageSize;
    throw e;
  }
  /** The fill level of a live ring in bytes (`TAIL - HEAD` of a validated pair, ring.md §2.1). */
  used() {
    const [h, t] = this.positions();
    return u32(t - h);
  }
  /** A header counter (DROPPED, ABORTED, UNBLOCKED) as a u32. */
  counter(off) { return u32(Atomics.load(this.i32, this.word(off))); }
  /**
   * A validated (head, tail) pair of a live ring (ring.md §2.1): TAIL first, then HEAD. Whoever
   * stored that tail validated it against a head it had read before, and head only moves
   * forward, so a pair that does not validate (head ahead of the tail we read) means the tail
   * moved on: re-read it and retry while it keeps moving (each retry is another party's
   * progress); a pair that fails with an unmoved tail is corrupt.
   */
  positions() {
    let t = u32(Atomics.load(this.i32, this.iTail));
    for (;;) {
      const h = u32(Atomics.load(this.i32, this.iHead));
      if (h % this.align === 0 && t % this.align === 0 && u32(t - h) <= this.cap) return [h, t];
      const t2 = u32(Atomics.load(this.i32, this.iTail));
      if (t2 === t) throw new ProtocolError('corrupt', `positions head ${h} tail ${t}`, 'positions');
      t = t2;
      this.positionRetries++; // contention, not corruption (a statistic for the tests)
    }
  }
  /** After progress: signal `epoch` only if the other side registered as sleeping on it. */
  static notify(epoch) {
    if (Atomics.load(epoch.i32, epoch.waiters) !== 0) epoch.signal();
  }
  /**
   * Register on `epoch`, re-run `attempt`, sleep until the epoch moves; null on timeout. On a
   * polling ring (MODE 1) nobody signals the epochs, so it polls `attempt` until the deadline.
   */
  static block(epoch, attempt, timeoutMs, poll = false) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let r = attempt();
      if (r !== null) return r;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      if (poll) continue;
      const seen = epoch.load(); // before the re-check, so progress after it moves the epoch
      Atomics.add(epoch.i32, epoch.waiters, 1);
      try {
        r = attempt();
        if (r !== null) return r;
        epoch.waitChanged(seen, left);
      } finally {
        Atomics.sub(epoch.i32, epoch.waiters, 1);
      }
    }
  }
}

/**
 * A party that only observes a ring (fill level, counters): validates the header, claims no role
 * and writes nothing.
 */
export class RingObserver extends RingBase {}

/**
 * The consumer of a ring of variable-length messages (either kind; a fixed-size ring is refused
 * with 'message-size'). Claims the consumer role; `close()` releases it.
 */
export class RingConsumer extends RingBase {
  constructor(sab, addr, len, options = {}) {
    super(sab, addr, len, options);
    this.expectMessageSize(RING.MESSAGE_SIZE_VARIABLE); // fixed-size rings: FixedRingConsumer
    if (Atomics.compareExchange(this.i32, this.word(RING.OFF_CONSUMER_ROLE), 0, 1) !== 0) {
      throw new ProtocolError('role-taken', 'the ring already has a consumer');
    }
    try {
      [this.head, this.tailCache] = this.positions();
      if (this.multi) {
        // A previous consumer may have died inside a release (ring.md §5.1): finish it.
        const to = u32(Atomics.load(this.i32, this.iReleaseTo));
        if (to !== this.head) {
          if (to % 8 !== 0 || u32(to - this.head) > u32(this.tailCache - this.head)) {
            throw new ProtocolError('corrupt', `release_to ${to} (head ${this.head}, tail ${this.tailCache})`, 'positions');
          }
          this.#freeTo(to);
        }
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }
  close() { Atomics.store(this.i32, this.word(RING.OFF_CONSUMER_ROLE), 0); }

  /**
   * Validates a record at position `pos` (data offset `off`) of payload length `len` (ring.md
   * §5.2: at most `limit`, inside the data area; SPSC: inside the loaded tail, which covers every
   * record it published; MPSC: TAIL is not consulted).
   */
  #checkLen(pos, off, len, limit) {
    const size = this.sizeOf(len);
    if (len <= limit && size <= this.cap - off && (this.multi || size <= u32(this.tailCache - pos))) {
      return size;
    }
    throw new ProtocolError('corrupt', `record at ${pos} has length ${len}`, 'bad-length');
  }

  /**
   * Releases [head, to) (read already), then wakes a producer waiting for space. SPSC: only the
   * HEAD store. MPSC: announce in RELEASE_TO, zero the state words of the space (the words at
   * positions 4 mod 8, where a later record's state can land), then publish HEAD (ring.md §5.3).
   */
  #freeTo(to) {
    const n = u32(to - this.head);
    if (n === 0) return;
    if (this.multi) {
      Atomics.store(this.i32, this.iReleaseTo, to | 0);
      // At most one lap: a longer release follows only a corrupt length (ring.md §5.2, §5.3).
      for (let i = 0; i < Math.min(n, this.cap); i += 8) {
        Atomics.store(this.i32, this.rec(u32(this.head + i) & this.mask, 4), 0);
      }
    }
    this.head = to;
    Atomics.store(this.i32, this.iHead, to | 0); // SeqCst: the wake handshake of ring.md §7
    RingBase.notify(this.spaceEpoch);
  }

  /**
   * The first record at or after `pos` that is not padding: { pos, off, state } with the state
   * COMMITTED (then also len, size: the record's bytes, and at: the data offset of the message's
   * payload), EMPTY or BUSY(pos) (MPSC). An SPSC run is COMMITTED with `run: { count, taken,
   * stride }`: the message is the run's message `taken`, `size` the whole run's. Padding is
   * skipped (and a whole lap of it released first, MPSC). Throws on corruption, after releasing
   * the padding skipped.
   */
  #next(pos) {
    for (;;) {
      if (!this.multi && pos === this.tailCache) {
        // The cached tail is used up: read records below a freshly loaded TAIL only (§5.2).
        const t = u32(Atomics.load(this.i32, this.iTail)); // SYNC: pairs with the producer's TAIL store
        if (t % 4 !== 0 || u32(t - this.head) > this.cap || u32(t - pos) > u32(t - this.head)) {
          this.#freeTo(pos);
          throw new ProtocolError('corrupt', `tail ${t} (head ${this.head}, read position ${pos})`, 'positions');
        }
        this.tailCache = t;
        if (pos === t) return { pos, state: RING.STATE_EMPTY };
      }
      if (!this.multi) {
        // One header word (ring.md §3.1): a message length, the padding flag + bytes to skip, or
        // the run flag + a count of messages (§3.1.1).
        const off = pos & this.mask;
        const word = u32(Atomics.load(this.i32, this.rec(off, 0)));
        const padding = (word & RING.SPSC_PADDING) !== 0;
        const run = !padding && (word & RING.SPSC_RUN) !== 0;
        const len = padding ? word & 0x7fffffff : word;
        let size;
        try {
          if (run) return this.#run(pos, off, word & RING.SPSC_RUN_COUNT_MASK);
          size = this.#checkLen(pos, off, len, padding ? this.cap - 8 : this.maxMessage);
        } catch (e) {
          this.#freeTo(pos);
          throw e;
        }
        if (!padding) return { pos, off, state: RING.STATE_COMMITTED, len, size, at: off + this.hdr };
        pos = u32(pos + size);
        continue;
      }
      if (this.multi && u32(pos - this.head) === this.cap) this.#freeTo(pos); // a lap of padding
      const off = pos & this.mask;
      const raw = u32(Atomics.load(this.i32, this.rec(off, 4)));
      // COMMITTED(pos) is reported as STATE_COMMITTED; a committed tag a whole number of laps
      // behind pos is a late commit's leftover (ring.md §6): nothing written here yet.
      const state = raw === committedTag(pos) ? RING.STATE_COMMITTED : this.#staleCommit(pos, raw) ? RING.STATE_EMPTY : raw;
      if (state === RING.STATE_COMMITTED || state === RING.STATE_PADDING) {
        const len = u32(Atomics.load(this.i32, this.rec(off, 0)));
        const limit = state === RING.STATE_COMMITTED ? this.maxMessage : this.cap - 16;
        let size;
        try {
          size = this.#checkLen(pos, off, len, limit);
        } catch (e) {
          this.#freeTo(pos);
          throw e;
        }
        if (state === RING.STATE_COMMITTED) return { pos, off, state, len, size, at: off + this.hdr };
        pos = u32(pos + size);
        continue;
      }
      if (this.multi && (state === RING.STATE_EMPTY || state === busyTag(pos))) return { pos, off, state };
      this.#freeTo(pos);
      throw new ProtocolError('corrupt', `record at ${pos} has state 0x${state.toString(16)}`, 'bad-state');
    }
  }

  /**
   * The SPSC run of `count` messages at position `pos` (data offset `off`), validated as ring.md
   * §5.2 says: its 12-byte header inside the data area and the loaded tail before L and TAKEN
   * are read, then 1 <= L <= max_message (empty messages never go into runs), TAKEN < count, and
   * the whole run inside both (no product is formed before the count is known to fit, so nothing
   * overflows). Any violation is a corrupt length, like a message's.
   */
  #run(pos, off, count) {
    const bad = (why) => new ProtocolError('corrupt', `run at ${pos}: ${why}`, 'bad-length');
    const room = Math.min(this.cap - off, u32(this.tailCache - pos)); // where the run must end
    if (count === 0) throw bad('count 0');
    if (RING.SPSC_RUN_HEADER > room) throw bad('header past the end of the data area or TAIL');
    const len = u32(Atomics.load(this.i32, this.rec(off, RING.SPSC_RUN_LEN)));
    const taken = u32(Atomics.load(this.i32, this.rec(off, RING.SPSC_RUN_TAKEN)));
    if (len === 0 || len > this.maxMessage) throw bad(`length ${len}`);
    if (taken >= count) throw bad(`taken ${taken} of ${count}`);
    const stride = (len + 3) & ~3; // 1 <= len <= max_message < 2^30: 4 <= stride, no wrap
    if (count > Math.floor((room - RING.SPSC_RUN_HEADER) / stride)) {
      throw bad(`${count} messages of ${len} bytes past the end of the data area or TAIL`);
    }
    const size = RING.SPSC_RUN_HEADER + count * stride; // <= room: exact
    const at = off + RING.SPSC_RUN_HEADER + taken * stride;
    return { pos, off, state: RING.STATE_COMMITTED, len, size, at, run: { count, taken, stride } };
  }

  /**
   * Consumes the run `r` up to message `taken` (ring.md §3.1.1): all of it releases it (HEAD
   * moves to its end; TAKEN is not written), fewer stores TAKEN (and releases the padding before
   * the run: HEAD never points inside a run).
   */
  #takeRun(r, taken) {
    if (taken === r.run.count) {
      this.#freeTo(u32(r.pos + r.size));
      return;
    }
    if (taken !== r.run.taken) Atomics.store(this.i32, this.rec(r.off, RING.SPSC_RUN_TAKEN), taken);
    this.#freeTo(r.pos);
  }

  /** Whether `state` at the record starting at `pos` is COMMITTED(q) for q = pos - k·capacity, k ≥ 1. */
  #staleCommit(pos, state) {
    // Exactly the committed bit above the position bits (bit 29 is never set in a tag).
    if (((state & ~RING.TAG_POSITION_MASK) >>> 0) !== RING.STATE_COMMITTED) return false;
    const laps = ((pos >>> 3) - (state & RING.TAG_POSITION_MASK)) & RING.TAG_POSITION_MASK;
    return laps !== 0 && laps % (this.cap >>> 3) === 0;
  }

  /**
   * The next message (a copy), or null if none is committed yet. With `maxLen`, a longer message
   * throws 'buffer-too-small' (with `needed`) and stays in the ring (the padding before it is
   * released), like a pop into a buffer of `maxLen` bytes.
   */
  tryPop(maxLen = Infinity) {
    const r = this.#next(this.head);
    if (r.state !== RING.STATE_COMMITTED) {
      this.#freeTo(r.pos); // padding skipped so far
      return null;
    }
    if (r.len > maxLen) {
      this.#freeTo(r.pos);
      const e = new ProtocolError('buffer-too-small', `message of ${r.len} bytes`);
      e.needed = r.len;
      throw e;
    }
    const start = this.data + r.at;
    const msg = this.u8.slice(start, start + r.len); // read BEFORE releasing (defect 5)
    if (r.run) this.#takeRun(r, r.run.taken + 1);
    else this.#freeTo(u32(r.pos + r.size));
    return msg;
  }

  /**
   * Hands every message available now to `onMessage` (a copy each), in order, and consumes them;
   * returns the count. At most one lap (`capacity` bytes of positions) per call, so it returns
   * while producers keep the ring busy. On corruption, the messages before it were delivered and
   * released. The rest of an SPSC run is taken whole and released with one HEAD store (TAKEN is
   * not written); a message handed to `onMessage` is consumed even if it throws (inside a run,
   * TAKEN then counts it).
   */
  drain(onMessage) {
    const start = this.head;
    let n = 0;
    while (u32(this.head - start) < this.cap) {
      const r = this.#next(this.head);
      if (r.state !== RING.STATE_COMMITTED) {
        this.#freeTo(r.pos); // padding skipped so far
        break;
      }
      if (!r.run) {
        const at = this.data + r.at;
        const msg = this.u8.slice(at, at + r.len); // read BEFORE releasing (defect 5)
        this.#freeTo(u32(r.pos + r.size));
        n++;
        onMessage(msg);
        continue;
      }
      let taken = r.run.taken;
      try {
        while (taken < r.run.count) {
          const at = this.data + r.at + (taken - r.run.taken) * r.run.stride;
          const msg = this.u8.slice(at, at + r.len);
          taken++;
          n++;
          onMessage(msg);
        }
      } finally {
        this.#takeRun(r, taken);
      }
    }
    return n;
  }

  /** The next message, sleeping in Atomics.wait (workers only) while the ring is empty. */
  pop(timeoutMs = Infinity) {
    return RingBase.block(this.dataEpoch, () => this.tryPop(), timeoutMs, this.poll);
  }

  /**
   * MPSC crash recovery (ring.md §6): skips and releases padding at the head, then turns a
   * BUSY record there into padding. True if this call unblocked it (counted in UNBLOCKED); false
   * if there is no reservation at the head (or its producer committed or aborted meanwhile).
   */
  unblock() {
    if (!this.multi) throw new ProtocolError('bad-kind', 'unblock is for MPSC rings');
    const r = this.#next(this.head);
    this.#freeTo(r.pos);
    if (r.state === RING.STATE_COMMITTED || r.state === RING.STATE_EMPTY) return false;
    const tag = busyTag(r.pos);
    const was = u32(Atomics.compareExchange(this.i32, this.rec(r.off, 4), tag | 0, RING.STATE_PADDING));
    if (was !== tag) return false; // the producer's commit or abort won the race
    Atomics.add(this.i32, this.word(RING.OFF_UNBLOCKED), 1);
    // Release the record's space now (ring.md §6): it is padding, so skipping to the next
    // non-padding position frees it (and wakes a producer waiting for space, §7).
    this.#freeTo(this.#next(this.head).pos);
    return true;
  }
}

/**
 * A producer of a ring of variable-length messages: the one SPSC producer, or one of any number
 * of MPSC producers (a fixed-size ring is refused with 'message-size').
 *
 * `tryPush` copies a message in; `reserve` / `commit` / `abort` expose the steps (the payload is
 * written through the reservation's `bytes` view). On an SPSC ring `commit(r, false)` writes the
 * record without publishing it: `flush()` publishes every record written so far with one TAIL
 * store (a batch, ring.md §4.4).
 */
export class RingProducer extends RingBase {
  constructor(sab, addr, len, options = {}) {
    super(sab, addr, len, options);
    this.expectMessageSize(RING.MESSAGE_SIZE_VARIABLE); // fixed-size rings: FixedRingProducer
    const role = this.word(RING.OFF_PRODUCER_ROLE);
    if (this.multi) Atomics.add(this.i32, role, 1);
    else if (Atomics.compareExchange(this.i32, role, 0, 1) !== 0) {
      throw new ProtocolError('role-taken', 'the SPSC ring already has a producer');
    }
    try {
      [this.headCache, this.tail] = this.positions();
    } catch (e) {
      this.close();
      throw e;
    }
    // SPSC: whatever a previous producer wrote beyond TAIL was never published; nothing to
    // repair. `written` is where the next record goes; `tail` what TAIL says (published).
    this.written = this.tail;
    this.open = null; // SPSC: the reservation not yet committed or aborted
  }
  close() {
    const role = this.word(RING.OFF_PRODUCER_ROLE);
    if (this.multi) Atomics.sub(this.i32, role, 1);
    else Atomics.store(this.i32, role, 0);
  }

  #padding(off, toEnd) {
    if (!this.multi) {
      Atomics.store(this.i32, this.rec(off, 0), (RING.SPSC_PADDING | (toEnd - 4)) | 0);
      return;
    }
    Atomics.store(this.i32, this.rec(off, 0), toEnd - RING.RECORD_HEADER);
    Atomics.store(this.i32, this.rec(off, 4), RING.STATE_PADDING);
  }

  /** Space check at tail position `t` against the cached head. */
  #fits(t, size) {
    const off = t & this.mask;
    const toEnd = this.cap - off;
    const need = size <= toEnd ? size : toEnd + size;
    return { off, toEnd, need, free: this.cap - u32(t - this.headCache) };
  }

  /** SPSC: re-reads HEAD (validated against our own tail position `t`, ring.md §4.1). */
  #reloadHead(t) {
    const h = u32(Atomics.load(this.i32, this.iHead)); // SYNC: pairs with the consumer's HEAD store
    if (h % 4 !== 0 || u32(t - h) > this.cap) throw new ProtocolError('corrupt', `head ${h} tail ${t}`, 'positions');
    this.headCache = h;
  }

  /**
   * Claims space for a `len`-byte message: { pos, off, len, size, bytes } (`bytes`: the payload
   * view to fill), or null if the ring is full now. MPSC: the record is BUSY(pos) until
   * commit / abort.
   */
  reserve(len) {
    if (len > this.maxMessage) throw new ProtocolError('too-large', `${len} > ${this.maxMessage}`);
    const size = this.sizeOf(len);
    let pos;
    if (!this.multi) {
      if (this.open) throw new ProtocolError('in-use', 'an SPSC producer has one reservation at a time');
      const t = this.written;
      let f = this.#fits(t, size);
      if (f.need > f.free) {
        this.#reloadHead(t);
        f = this.#fits(t, size);
        if (f.need > f.free) return null;
      }
      pos = t;
      if (size > f.toEnd) {
        this.#padding(f.off, f.toEnd); // published by the TAIL store of the commit
        pos = u32(t + f.toEnd);
      }
    } else {
      let t = u32(Atomics.load(this.i32, this.iTail));
      let f;
      for (;;) {
        f = this.#fits(t, size);
        if (t % 8 !== 0 || f.free < 0 || f.need > f.free) {
          let h;
          [h, t] = this.positions();
          this.headCache = h;
          f = this.#fits(t, size);
          if (f.need > f.free) return null;
        }
        const seen = u32(Atomics.compareExchange(this.i32, this.iTail, t | 0, u32(t + f.need) | 0));
        if (seen === t) break;
        t = seen;
      }
      pos = t;
      if (f.need !== size) {
        this.#padding(f.off, f.toEnd);
        pos = u32(t + f.toEnd);
      }
    }
    const off = pos & this.mask;
    if (this.multi) {
      Atomics.store(this.i32, this.rec(off, 0), len);
      Atomics.store(this.i32, this.rec(off, 4), busyTag(pos) | 0); // after the length
    }
    const start = this.data + off + this.hdr;
    const r = { pos, off, len, size, bytes: this.u8.subarray(start, start + len) };
    if (!this.multi) this.open = r;
    return r;
  }

  /**
   * Commits a reservation (ring.md §4.2). SPSC: writes the header word (the length), then stores TAIL
   * unless `publish` is false (then `flush()` does). MPSC: checks that the state still holds
   * BUSY(pos), then stores COMMITTED(pos); throws 'unblocked' if the consumer unblocked the record
   * first (the message is lost; an unblock between the check and the store wins silently, §6).
   */
  commit(r, publish = true) {
    if (!this.multi) {
      if (this.open !== r) throw new ProtocolError('in-use', 'not the open reservation');
      this.open = null;
      Atomics.store(this.i32, this.rec(r.off, 0), r.len);
      this.written = u32(r.pos + r.size);
      if (publish) this.flush();
      return;
    }
    const state = this.rec(r.off, 4);
    if (u32(Atomics.load(this.i32, state)) !== busyTag(r.pos)) {
      throw new ProtocolError('unblocked', 'the consumer unblocked this record');
    }
    Atomics.store(this.i32, state, committedTag(r.pos) | 0);
    RingBase.notify(this.dataEpoch);
  }

  /** SPSC: publishes every record committed so far with one TAIL store (the commit, §4.2). */
  flush() {
    if (this.multi || this.written === this.tail) return;
    this.tail = this.written;
    Atomics.store(this.i32, this.iTail, this.tail | 0); // SeqCst: publishes, then the handshake
    RingBase.notify(this.dataEpoch);
  }

  /**
   * Abandons a reservation (ring.md §4.3). SPSC: publishes nothing, counts ABORTED. MPSC: CAS
   * BUSY(pos) -> PADDING; counts ABORTED and returns true only if it won (false: the consumer
   * had unblocked the record and counted it in UNBLOCKED).
   */
  abort(r) {
    if (!this.multi) {
      if (this.open !== r) throw new ProtocolError('in-use', 'not the open reservation');
      this.open = null;
      Atomics.add(this.i32, this.word(RING.OFF_ABORTED), 1);
      return true;
    }
    const tag = busyTag(r.pos);
    const was = u32(Atomics.compareExchange(this.i32, this.rec(r.off, 4), tag | 0, RING.STATE_PADDING));
    if (was !== tag) return false;
    Atomics.add(this.i32, this.word(RING.OFF_ABORTED), 1);
    RingBase.notify(this.dataEpoch);
    return true;
  }

  /** Copies `bytes` into the ring as one message; false if the ring is full now. */
  tryPush(bytes) {
    const r = this.reserve(bytes.length);
    if (r === null) {
      this.flush(); // nothing written stays unpublished while the caller waits for space
      return false;
    }
    r.bytes.set(bytes);
    this.commit(r);
    return true;
  }

  /** Pushes, sleeping in Atomics.wait (workers only) while the ring is full; false on timeout. */
  push(bytes, timeoutMs = Infinity) {
    return RingBase.block(this.spaceEpoch, () => (this.tryPush(bytes) ? true : null), timeoutMs, this.poll) ?? false;
  }
}

// ---- Fixed-size SPSC rings (ring.md §3.3, version 6) ------------------------------------------

/**
 * What the two parties of a fixed-size ring share: the header checks of RingBase on an SPSC ring
 * ('wrong-kind' otherwise: fixed-size rings are SPSC only, like Rust's `Ring::<Spsc>`), then the
 * party's message size against MESSAGE_SIZE. `messageSize` is the one length in bytes of every
 * message this party works with: a whole number >= 1 ('bad-message-size' otherwise, like a
 * zero-sized Rust type); a ring of another MESSAGE_SIZE, or a variable-length ring, is refused
 * with 'message-size' before any role is claimed.
 */
class FixedRingBase extends RingBase {
  constructor(sab, addr, len, messageSize, options = {}) {
    super(sab, addr, len, { ...options, expectKind: 'spsc' });
    if (!Number.isInteger(messageSize) || messageSize < 1 || messageSize > 0xffffffff) {
      const e = new ProtocolError('bad-message-size', `message size ${messageSize}`);
      e.found = messageSize;
      throw e;
    }
    this.expectMessageSize(messageSize);
    this.size = messageSize; // <= max_message: RingBase validated MESSAGE_SIZE
    this.stride = fixedStride(messageSize); // <= capacity / 2: a record always fits a lap
  }
  /** Where the record of the message at position `pos` starts (ring.md §3.3). */
  slot(pos) { return fixedSlot(this.cap, this.stride, pos); }
}

/**
 * The producer of a fixed-size SPSC ring (ring.md §3.3): records are the bare payload padded to
 * 4 bytes, no header word; a record that would cross the end of the data area goes to the start
 * of the next lap (the skipped bytes are not written). Claims the producer role; `close()`
 * releases it. Like the variable-length SPSC producer it continues at TAIL: whatever a previous
 * producer wrote past it was never published.
 */
export class FixedRingProducer extends FixedRingBase {
  constructor(sab, addr, len, messageSize, options = {}) {
    super(sab, addr, len, messageSize, options);
    if (Atomics.compareExchange(this.i32, this.word(RING.OFF_PRODUCER_ROLE), 0, 1) !== 0) {
      throw new ProtocolError('role-taken', 'the SPSC ring already has a producer');
    }
    try {
      [this.headCache, this.tail] = this.positions();
    } catch (e) {
      this.close();
      throw e;
    }
  }
  close() { Atomics.store(this.i32, this.word(RING.OFF_PRODUCER_ROLE), 0); }

  /** A message must be a Uint8Array of exactly the ring's message size ('size-mismatch'). */
  #check(bytes) {
    if (bytes instanceof Uint8Array && bytes.length === this.size) return;
    const e = new ProtocolError('size-mismatch',
      `a fixed-size ring of ${this.size}-byte messages takes a Uint8Array of ${this.size} bytes`);
    e.expected = this.size;
    e.found = bytes?.length;
    throw e;
  }

  /** Re-reads HEAD, validated against the published tail (ring.md §4.1: 4-aligned, tail - head <= capacity). */
  #reloadHead() {
    const h = u32(Atomics.load(this.i32, this.iHead)); // SYNC: pairs with the consumer's HEAD store
    if (h % 4 !== 0 || u32(this.tail - h) > this.cap) {
      throw new ProtocolError('corrupt', `head ${h} tail ${this.tail}`, 'positions');
    }
    this.headCache = h;
  }

  /**
   * Where the record of the next message at position `t` ends, or null if the ring is full (the
   * record and the bytes skipped before it must be free: `end - HEAD <= capacity`, exact in u32
   * since `end - HEAD < 2 · capacity`). Re-reads HEAD at most once per call (`reload.done`).
   */
  #end(t, reload) {
    const end = u32(this.slot(t) + this.stride);
    if (u32(end - this.headCache) <= this.cap) return end;
    if (reload.done) return null;
    reload.done = true;
    this.#reloadHead();
    return u32(end - this.headCache) <= this.cap ? end : null;
  }

  /** Publishes every record below `end` with one TAIL store, then wakes a sleeping consumer. */
  #publish(end) {
    this.tail = end;
    Atomics.store(this.i32, this.iTail, end | 0); // SeqCst: publishes, then the handshake (§7)
    RingBase.notify(this.dataEpoch);
  }

  /** Copies `bytes` (exactly the message size) into the ring as one message; false if full now. */
  tryPush(bytes) {
    this.#check(bytes);
    const end = this.#end(this.tail, { done: false });
    if (end === null) return false;
    this.u8.set(bytes, this.data + (u32(end - this.stride) & this.mask));
    this.#publish(end);
    return true;
  }

  /**
   * Pushes as many of `messages` (an array of Uint8Arrays of the message size, all checked
   * before anything is written) as fit now and publishes them with one TAIL store (a batch,
   * ring.md §4.4). Returns how many were pushed (0 if the ring is full).
   */
  pushBatch(messages) {
    for (const m of messages) this.#check(m);
    const reload = { done: false };
    let t = this.tail, n = 0;
    while (n < messages.length) {
      const end = this.#end(t, reload);
      if (end === null) break;
      this.u8.set(messages[n], this.data + (u32(end - this.stride) & this.mask));
      t = end;
      n++;
    }
    if (n > 0) this.#publish(t);
    return n;
  }

  /** Pushes, sleeping in Atomics.wait (workers only) while the ring is full; false on timeout. */
  push(bytes, timeoutMs = Infinity) {
    this.#check(bytes);
    return RingBase.block(this.spaceEpoch, () => (this.tryPush(bytes) ? true : null), timeoutMs, this.poll) ?? false;
  }
}

/**
 * The consumer of a fixed-size SPSC ring (ring.md §3.3). Claims the consumer role; `close()`
 * releases it. It reads records below a TAIL it loaded only, and a TAIL that does not end on a
 * record boundary (a correct producer publishes whole records), is not 4-aligned, or is more than
 * a capacity ahead of HEAD is corruption ('corrupt', 'positions'): the record at `slot(HEAD)` is
 * checked to lie below the loaded tail before a byte of it is read, and `slot` keeps every record
 * inside the data area.
 */
export class FixedRingConsumer extends FixedRingBase {
  constructor(sab, addr, len, messageSize, options = {}) {
    super(sab, addr, len, messageSize, options);
    if (Atomics.compareExchange(this.i32, this.word(RING.OFF_CONSUMER_ROLE), 0, 1) !== 0) {
      throw new ProtocolError('role-taken', 'the ring already has a consumer');
    }
    try {
      [this.head, this.tailCache] = this.positions();
    } catch (e) {
      this.close();
      throw e;
    }
  }
  close() { Atomics.store(this.i32, this.word(RING.OFF_CONSUMER_ROLE), 0); }

  /**
   * Loads TAIL (SYNC: pairs with the producer's TAIL store) for the read position `h` (at or past
   * `head`, not yet released), validated: 4-aligned, `tail - head <= capacity`, `h` not past it.
   */
  #loadTail(h) {
    const t = u32(Atomics.load(this.i32, this.iTail));
    if (t % 4 !== 0 || u32(t - this.head) > this.cap || u32(t - h) > u32(t - this.head)) {
      throw new ProtocolError('corrupt', `tail ${t} (head ${this.head}, read position ${h})`, 'positions');
    }
    this.tailCache = t;
    return t;
  }

  /** Where the record at read position `h` starts; it must end within the loaded tail (§3.3). */
  #recordAt(h) {
    const at = this.slot(h);
    // at - h < stride <= capacity / 2: the sum is exact.
    if (u32(at - h) + this.stride > u32(this.tailCache - h)) {
      throw new ProtocolError('corrupt',
        `tail ${this.tailCache} falls short of the ${this.stride}-byte record at ${at} (read position ${h})`, 'positions');
    }
    return at;
  }

  /** Releases [head, to) (read already) with one HEAD store, then wakes a producer waiting for space. */
  #release(to) {
    if (to === this.head) return;
    this.head = to;
    Atomics.store(this.i32, this.iHead, to | 0); // SeqCst: the wake handshake of ring.md §7
    RingBase.notify(this.spaceEpoch);
  }

  /** The next message (a copy of the message size), or null if none is published yet. */
  tryPop() {
    const h = this.head;
    if (h === this.tailCache && this.#loadTail(h) === h) return null;
    const at = this.#recordAt(h);
    const start = this.data + (at & this.mask);
    const msg = this.u8.slice(start, start + this.size); // read BEFORE releasing (defect 5)
    this.#release(u32(at + this.stride));
    return msg;
  }

  /**
   * Hands up to `max` messages available now to `onMessage` (a copy each), in order, and releases
   * them with one HEAD store at the end; returns the count. TAIL is loaded at most once per call,
   * so it takes at most one lap. A message handed to `onMessage` is consumed even if it throws;
   * on corruption, the messages before it were delivered and are released.
   */
  drain(onMessage, max = Infinity) {
    let h = this.head, n = 0, loaded = false;
    try {
      while (n < max) {
        if (h === this.tailCache) {
          if (loaded) break;
          loaded = true;
          if (this.#loadTail(h) === h) break;
        }
        const at = this.#recordAt(h);
        const start = this.data + (at & this.mask);
        const msg = this.u8.slice(start, start + this.size);
        h = u32(at + this.stride);
        n++;
        onMessage(msg);
      }
    } finally {
      this.#release(h);
    }
    return n;
  }

  /** The next message, sleeping in Atomics.wait (workers only) while the ring is empty. */
  pop(timeoutMs = Infinity) {
    return RingBase.block(this.dataEpoch, () => this.tryPop(), timeoutMs, this.poll);
  }
}
