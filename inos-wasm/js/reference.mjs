// A pure-JS reference party of the inos protocol: no wasm, no Rust, only the bytes.
//
// Written against docs/PROTOCOL.md §2, docs/protocol/epoch.md §1-2 and docs/protocol/ring.md
// §2-7. An MPSC producer validates (HEAD, TAIL) only as a consistent pair (HEAD read before and
// after TAIL agree, ring.md §4.1): a HEAD read before a later TAIL read can legitimately be more
// than a capacity behind it when the consumer frees space and other producers claim it between
// the two reads.
//
// It reads the region header and directory (docs/PROTOCOL.md §2), waits on and signals epoch
// slots (docs/protocol/epoch.md) and consumes / produces ring messages (docs/protocol/ring.md),
// with one cached Int32Array and one Uint8Array over the SharedArrayBuffer and Atomics only.
// Every value read from shared memory is validated before use; bad bytes throw a ProtocolError.
//
// All addresses are absolute byte offsets into the SharedArrayBuffer (region base + offset).
// All positions and counters are u32 and wrap: arithmetic on them is done `>>> 0`.

/** A value in shared memory that no correct party writes, or a protocol refusal. */
export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
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
  OFF_MAGIC: 0x00, OFF_MAJOR: 0x04, OFF_HEADER_LEN: 0x0c, OFF_TOTAL_SIZE: 0x10,
  OFF_INIT_STATE: 0x28, OFF_GENERATION: 0x2c, OFF_REGION_COUNT: 0x30, OFF_DIR_OFFSET: 0x34,
  OFF_DIR_ENTRY_LEN: 0x38, READY: 2, DIR_ENTRY_LEN: 32, MAX_REGIONS: 32,
});

/**
 * Reads the directory of the region at `base` (which must be `ready`): a Map from name to
 * `{ offset, size, align, kind, addr }`. Validates what it uses (not the full §2.3 checklist:
 * the fingerprint is left to parties that compare layouts).
 */
export function readDirectory(sab, base) {
  const { i32, u8 } = views(sab);
  if (base % 8 !== 0) throw new ProtocolError('misaligned', 'region base is not 8-aligned');
  const w = (off) => u32(Atomics.load(i32, (base + off) >> 2));
  const state = w(HEADER.OFF_INIT_STATE); // SYNC: SeqCst load = Acquire of the Release "ready"
  if (state !== HEADER.READY) throw new ProtocolError('not-ready', `init_state ${state}`);
  if (w(HEADER.OFF_MAGIC) !== HEADER.MAGIC) throw new ProtocolError('bad-magic', 'not an inos region');
  if (w(HEADER.OFF_MAJOR) !== HEADER.VERSION_MAJOR) throw new ProtocolError('version', 'major version');
  const totalLo = w(HEADER.OFF_TOTAL_SIZE), totalHi = w(HEADER.OFF_TOTAL_SIZE + 4);
  const total = totalHi * 2 ** 32 + totalLo;
  if (base + total > sab.byteLength) throw new ProtocolError('too-small', 'total_size exceeds the buffer');
  const count = w(HEADER.OFF_REGION_COUNT), dirOff = w(HEADER.OFF_DIR_OFFSET);
  if (w(HEADER.OFF_DIR_ENTRY_LEN) !== HEADER.DIR_ENTRY_LEN || count < 1 || count > HEADER.MAX_REGIONS
      || dirOff % 8 !== 0 || dirOff + count * HEADER.DIR_ENTRY_LEN > total) {
    throw new ProtocolError('bad-directory', 'directory out of range');
  }
  const dir = new Map();
  for (let k = 0; k < count; k++) {
    const e = dirOff + k * HEADER.DIR_ENTRY_LEN;
    let name = '';
    for (let c = 0; c < 16; c++) {
      const b = u8[base + e + c];
      if (b === 0) break;
      name += String.fromCharCode(b);
    }
    const offset = w(e + 16), size = w(e + 20), align = w(e + 24), kind = w(e + 28);
    if (offset + size > total || align < 8 || (align & (align - 1)) !== 0 || offset % align !== 0) {
      throw new ProtocolError('bad-directory', `entry ${k} (${name}) out of range`);
    }
    dir.set(name, { offset, size, align, kind, addr: base + offset });
  }
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

// ---- Rings (ring.md) ----------------------------------------------------------------------------

export const RING = Object.freeze({
  MAGIC: 0x474e5249, // "IRNG"
  VERSION: 1,
  OFF_MAGIC: 0, OFF_VERSION: 4, OFF_CAPACITY: 8, OFF_KIND: 12, OFF_CONSUMER_ROLE: 16,
  OFF_PRODUCER_ROLE: 20, OFF_DROPPED: 24, OFF_ABORTED: 28, OFF_UNBLOCKED: 32, OFF_RESERVED0: 36,
  OFF_DATA_EPOCH: 40, OFF_SPACE_EPOCH: 48, OFF_HEAD: 128, OFF_TAIL: 256, HEADER_LEN: 512,
  KIND_SPSC: 1, KIND_MPSC: 2, MIN_CAPACITY: 64, MAX_CAPACITY: 2 ** 31,
  RECORD_HEADER: 8, STATE_EMPTY: 0, STATE_COMMITTED: 1, STATE_PADDING: 2, STATE_BUSY: 0x80000000,
});

/** Bytes a record with a `len`-byte payload occupies (header + payload, rounded up to 8). */
export const recordSize = (len) => (len + RING.RECORD_HEADER + 7) & ~7;
/** The in-progress state an MPSC producer writes for its record at `pos`. */
export const busyTag = (pos) => u32(RING.STATE_BUSY | (pos >>> 3));

/** Validated view of a ring's header (shared by the producer and the consumer). */
class RingBase {
  constructor(sab, addr, len) {
    const { i32, u8 } = views(sab);
    this.sab = sab;
    this.i32 = i32;
    this.u8 = u8;
    if (addr % 128 !== 0 && addr % 8 !== 0) throw new ProtocolError('misaligned', 'ring base');
    this.addr = addr;
    const w = (off) => u32(Atomics.load(i32, (addr + off) >> 2));
    if (w(RING.OFF_MAGIC) !== RING.MAGIC) throw new ProtocolError('bad-magic', 'not a ring');
    if (w(RING.OFF_VERSION) !== RING.VERSION) throw new ProtocolError('version', 'ring version');
    const kind = w(RING.OFF_KIND);
    if (kind !== RING.KIND_SPSC && kind !== RING.KIND_MPSC) throw new ProtocolError('bad-kind', `kind ${kind}`);
    if (w(RING.OFF_RESERVED0) !== 0) throw new ProtocolError('bad-kind', 'reserved word');
    const cap = w(RING.OFF_CAPACITY);
    if (cap < RING.MIN_CAPACITY || cap > RING.MAX_CAPACITY || (cap & (cap - 1)) !== 0) {
      throw new ProtocolError('bad-capacity', `capacity ${cap}`);
    }
    const needed = RING.HEADER_LEN + cap;
    if ((len !== undefined && len < needed) || addr + needed > sab.byteLength) {
      throw new ProtocolError('too-small', 'ring region shorter than its capacity');
    }
    this.kind = kind;
    this.multi = kind === RING.KIND_MPSC;
    this.cap = cap;
    this.mask = cap - 1;
    this.maxMessage = cap / 2 - RING.RECORD_HEADER;
    this.data = addr + RING.HEADER_LEN;
    this.iHead = (addr + RING.OFF_HEAD) >> 2;
    this.iTail = (addr + RING.OFF_TAIL) >> 2;
    this.dataEpoch = new Epoch(sab, addr + RING.OFF_DATA_EPOCH);
    this.spaceEpoch = new Epoch(sab, addr + RING.OFF_SPACE_EPOCH);
  }
  word(off) { return (this.addr + off) >> 2; }
  rec(off, plus) { return (this.data + off + plus) >> 2; }
  /**
   * A consistent, validated (head, tail) pair (ring.md §2): head, tail, head again, retried until
   * both head reads agree. A head read *before* a tail read that other producers keep moving is
   * not enough: the consumer may free space and producers claim it in between, so
   * `tail - staleHead` can legitimately exceed the capacity. Corrupt if head keeps moving for
   * 1024 attempts (as the Rust side).
   */
  positions() {
    for (let i = 0; i < 1024; i++) {
      const h = u32(Atomics.load(this.i32, this.iHead));
      const t = u32(Atomics.load(this.i32, this.iTail));
      if (u32(Atomics.load(this.i32, this.iHead)) !== h) continue; // the consumer moved: retry
      if (h % 8 !== 0 || t % 8 !== 0 || u32(t - h) > this.cap) {
        throw new ProtocolError('corrupt', `positions head ${h} tail ${t}`);
      }
      return [h, t];
    }
    throw new ProtocolError('corrupt', 'head kept moving while the positions were read');
  }
  /** After progress: signal `epoch` only if the other side registered as sleeping on it. */
  static notify(epoch) {
    if (Atomics.load(epoch.i32, epoch.waiters) !== 0) epoch.signal();
  }
  /** Register on `epoch`, re-run `attempt`, sleep until the epoch moves; null on timeout. */
  static block(epoch, attempt, timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      let r = attempt();
      if (r !== null) return r;
      const left = deadline - performance.now();
      if (left <= 0) return null;
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

/** The consumer of a ring (either kind). Claims the consumer role; `close()` releases it. */
export class RingConsumer extends RingBase {
  constructor(sab, addr, len) {
    super(sab, addr, len);
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
   * Validates a record at position `pos` (data offset `off`) of payload length `len` (ring.md
   * §5.2: at most `limit`, inside the data area, inside the tail).
   */
  #checkLen(pos, off, len, limit) {
    const size = recordSize(len);
    if (len <= limit && size <= this.cap - off) {
      if (size <= u32(this.tailCache - pos)) return size;
      const t = u32(Atomics.load(this.i32, this.iTail));
      if (t % 8 !== 0 || u32(t - pos) > this.cap) throw new ProtocolError('corrupt', `tail ${t}`);
      this.tailCache = t;
      if (size <= u32(t - pos)) return size;
    }
    throw new ProtocolError('corrupt', `record at ${pos} has length ${len}`);
  }

  /** Zeroes [head, to) and publishes `to` as the head, then wakes a producer waiting for space. */
  #freeTo(to) {
    const n = u32(to - this.head);
    if (n === 0) return;
    const off = this.head & this.mask;
    const first = Math.min(n, this.cap - off);
    this.u8.fill(0, this.data + off, this.data + off + first);
    if (n > first) this.u8.fill(0, this.data, this.data + (n - first));
    this.head = to;
    Atomics.store(this.i32, this.iHead, to | 0);
    RingBase.notify(this.spaceEpoch);
  }

  /** The next message (a copy), or null if none is committed yet. */
  tryPop() {
    let pos = this.head;
    for (;;) {
      if (u32(pos - this.head) === this.cap) this.#freeTo(pos); // a whole lap of padding
      const off = pos & this.mask;
      const state = u32(Atomics.load(this.i32, this.rec(off, 4)));
      if (state === RING.STATE_COMMITTED || state === RING.STATE_PADDING) {
        const len = u32(Atomics.load(this.i32, this.rec(off, 0)));
        const limit = state === RING.STATE_COMMITTED ? this.maxMessage : this.cap - 16;
        const size = this.#checkLen(pos, off, len, limit);
        if (state === RING.STATE_PADDING) {
          pos = u32(pos + size);
          continue;
        }
        const start = this.data + off + RING.RECORD_HEADER;
        const msg = this.u8.slice(start, start + len);
        this.#freeTo(u32(pos + size));
        return msg;
      }
      if (state === RING.STATE_EMPTY || (this.multi && state === busyTag(pos))) {
        this.#freeTo(pos); // padding skipped so far
        return null;
      }
      this.#freeTo(pos);
      throw new ProtocolError('corrupt', `record at ${pos} has state 0x${state.toString(16)}`);
    }
  }

  /** The next message, sleeping in Atomics.wait (workers only) while the ring is empty. */
  pop(timeoutMs = Infinity) {
    return RingBase.block(this.dataEpoch, () => this.tryPop(), timeoutMs);
  }
}

/** A producer of a ring: the one SPSC producer, or one of any number of MPSC producers. */
export class RingProducer extends RingBase {
  constructor(sab, addr, len) {
    super(sab, addr, len);
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
    if (!this.multi) {
      // A previous producer may have died mid-record: free space must be zero.
      const free = this.cap - u32(this.tail - this.headCache);
      const off = this.tail & this.mask;
      const first = Math.min(free, this.cap - off);
      this.u8.fill(0, this.data + off, this.data + off + first);
      this.u8.fill(0, this.data, this.data + (free - first));
    }
  }
  close() {
    const role = this.word(RING.OFF_PRODUCER_ROLE);
    if (this.multi) Atomics.sub(this.i32, role, 1);
    else Atomics.store(this.i32, role, 0);
  }

  #padding(off, toEnd) {
    Atomics.store(this.i32, this.rec(off, 0), toEnd - RING.RECORD_HEADER);
    Atomics.store(this.i32, this.rec(off, 4), RING.STATE_PADDING);
  }

  /** Space check; returns [need, off, toEnd] or null if full. */
  #fits(t, size) {
    const off = t & this.mask;
    const toEnd = this.cap - off;
    const need = size <= toEnd ? size : toEnd + size;
    return { off, toEnd, need, free: this.cap - u32(t - this.headCache) };
  }

  /** Copies `bytes` into the ring as one message; false if the ring is full now. */
  tryPush(bytes) {
    const len = bytes.length;
    if (len > this.maxMessage) throw new ProtocolError('too-large', `${len} > ${this.maxMessage}`);
    const size = recordSize(len);
    let pos;
    if (!this.multi) {
      const t = this.tail;
      let f = this.#fits(t, size);
      if (f.need > f.free) {
        const [h] = this.positions();
        this.headCache = h;
        f = this.#fits(t, size);
        if (f.need > f.free) return false;
      }
      pos = t;
      if (size > f.toEnd) {
        pos = u32(t + f.toEnd);
        this.tail = pos;
        Atomics.store(this.i32, this.iTail, pos | 0); // the tail covers the padding first
        this.#padding(f.off, f.toEnd);
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
          if (f.need > f.free) return false;
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
    Atomics.store(this.i32, this.rec(off, 0), len);
    if (this.multi) Atomics.store(this.i32, this.rec(off, 4), busyTag(pos) | 0);
    this.u8.set(bytes, this.data + off + RING.RECORD_HEADER);
    if (this.multi) {
      const was = u32(Atomics.compareExchange(this.i32, this.rec(off, 4), busyTag(pos) | 0, RING.STATE_COMMITTED));
      if (was !== busyTag(pos)) throw new ProtocolError('unblocked', 'the consumer unblocked this record');
    } else {
      const end = u32(pos + size);
      this.tail = end;
      Atomics.store(this.i32, this.iTail, end | 0);
      Atomics.store(this.i32, this.rec(off, 4), RING.STATE_COMMITTED);
    }
    RingBase.notify(this.dataEpoch);
    return true;
  }

  /** Pushes, sleeping in Atomics.wait (workers only) while the ring is full; false on timeout. */
  push(bytes, timeoutMs = Infinity) {
    return RingBase.block(this.spaceEpoch, () => (this.tryPush(bytes) ? true : null), timeoutMs) ?? false;
  }
}
