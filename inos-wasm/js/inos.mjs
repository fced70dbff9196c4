// inos-wasm loader: instantiate the inos module once per worker on one shared WebAssembly.Memory.
//
// Memory plan (all offsets are byte addresses in the shared memory, see README.md):
//
//   0 .. heapBase                 the module's main shadow stack and statics (never handed out)
//   slotBase + i * slotSize       slot i: a private shadow stack (stackSize, grows down from its
//                                 top) followed by a private scratch buffer (scratchSize)
//   regionBase .. + regionSize    the protocol region (64 KiB-aligned)
//
// Every instance starts with the same __stack_pointer, so each one gets its own slot and sets its
// own stack pointer (two workers sharing one shadow stack corrupt each other's frames).
//
// Works in Node (worker_threads) and in browsers (module Web Workers on a cross-origin-isolated
// page: web/ runs it in Chromium and Firefox). On a browser's main thread every blocking call is
// refused with a MainThreadError (see `mayBlock`); wait there with Atomics.waitAsync.

/** Status codes of the ABI (inos_wasm::status). */
export const STATUS = Object.freeze({
  OK: 0, INVALID: -1, EMPTY: -2, FULL: -3, TIMED_OUT: -4, TOO_LARGE: -5, BUFFER_TOO_SMALL: -6,
  ROLE_TAKEN: -7, CORRUPT: -8, BAD_HANDLE: -9, BUSY: -10, NO_HANDLES: -11, NOT_FORMATTED: -12,
  NOT_READY: -13, TOO_SMALL: -14, NOT_FOUND: -15, UNBLOCKED: -16, OVERLAP: -17, UNBALANCED: -27, OTHER: -99,
  // Ledger errors: -(100 + code), codes from docs/protocol/ledger.md §7 (checked against
  // exports/inos_ledger.json by ledger.test.mjs).
  LEDGER_REGION_TOO_SMALL: -101, LEDGER_ACCESS: -102, LEDGER_BAD_MAGIC: -103,
  LEDGER_UNSUPPORTED_VERSION: -104, LEDGER_CORRUPT_HEADER: -105, LEDGER_CORRUPT_ACCOUNT: -106,
  LEDGER_CORRUPT_HOLD: -107, LEDGER_ACCOUNT_CAPACITY_EXHAUSTED: -108,
  LEDGER_HOLD_CAPACITY_EXHAUSTED: -109, LEDGER_NO_SUCH_ACCOUNT: -110,
  LEDGER_ACCOUNT_NOT_OPEN: -111, LEDGER_ACCOUNT_FROZEN: -112, LEDGER_ACCOUNT_CLOSED: -113,
  LEDGER_ACCOUNT_NOT_FROZEN: -114, LEDGER_AMOUNT_NOT_POSITIVE: -115, LEDGER_SAME_ACCOUNT: -116,
  LEDGER_INSUFFICIENT_FUNDS: -117, LEDGER_NOTHING_TO_CLAIM: -118, LEDGER_BALANCE_OVERFLOW: -119,
  LEDGER_HELD_OVERFLOW: -120, LEDGER_PENDING_OVERFLOW: -121, LEDGER_EARNED_OVERFLOW: -122,
  LEDGER_SPENT_OVERFLOW: -123, LEDGER_MINTED_OVERFLOW: -124, LEDGER_BURNED_OVERFLOW: -125,
  LEDGER_NO_SUCH_HOLD: -126, LEDGER_HOLD_STALE: -127, LEDGER_HOLD_NOT_PENDING: -128,
  LEDGER_SETTLE_EXCEEDS_HOLD: -129,
  // Arena errors: -(200 + code), codes from docs/protocol/arena.md §7 (checked against
  // exports/inos_arena.json by arena.test.mjs).
  ARENA_REGION_TOO_SMALL: -201, ARENA_ACCESS: -202, ARENA_BAD_MAGIC: -203,
  ARENA_UNSUPPORTED_VERSION: -204, ARENA_CORRUPT_HEADER: -205, ARENA_CORRUPT_CHUNK: -206,
  ARENA_TOO_LARGE: -207, ARENA_OUT_OF_MEMORY: -208, ARENA_REF_OUT_OF_RANGE: -209,
  ARENA_REF_MISALIGNED: -210, ARENA_STALE: -211, ARENA_NOT_SENT: -212, ARENA_NOT_OWNER: -213,
  ARENA_TOO_MANY_REFS: -214, ARENA_ANONYMOUS_PARTY: -215, ARENA_CONTENDED: -216,
});

const STATUS_NAMES = new Map(Object.entries(STATUS).map(([k, v]) => [v, k]));
/** The name of a status code (for messages). */
export const statusName = (code) => STATUS_NAMES.get(Number(code)) ?? `status ${code}`;

/** `timeout_ms` meaning "no timeout" (u32::MAX). */
export const FOREVER = -1;
export const PAGE = 65536;
const KIB = 1024;

const alignUp = (n, a) => Math.ceil(n / a) * a;

function leb(bytes, pos) {
  let result = 0, shift = 0, b;
  do {
    b = bytes[pos.i++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return result;
}

/**
 * The limits of the module's imported memory, read from its import section:
 * `{ initial, maximum, shared }` in 64 KiB pages.
 */
export function memoryImport(wasmBytes) {
  const bytes = new Uint8Array(wasmBytes);
  const pos = { i: 8 };
  while (pos.i < bytes.length) {
    const id = bytes[pos.i++];
    const size = leb(bytes, pos);
    const end = pos.i + size;
    if (id === 2) {
      const count = leb(bytes, pos);
      for (let k = 0; k < count; k++) {
        for (let s = 0; s < 2; s++) { const n = leb(bytes, pos); pos.i += n; } // module and field names
        const kind = bytes[pos.i++];
        if (kind === 0) leb(bytes, pos);
        else if (kind === 1) { pos.i++; const f = bytes[pos.i++]; leb(bytes, pos); if (f & 1) leb(bytes, pos); }
        else if (kind === 3) pos.i += 2;
        else if (kind === 2) {
          const flags = bytes[pos.i++];
          const initial = leb(bytes, pos);
          const maximum = flags & 1 ? leb(bytes, pos) : undefined;
          return { initial, maximum, shared: (flags & 2) !== 0 };
        }
      }
    }
    pos.i = end;
  }
  throw new Error('inos: the module imports no memory');
}

/**
 * False on a browser's main thread (a window with a document), where no call may block: Chromium
 * throws on `Atomics.wait` there, and Firefox lets a wasm wait instruction block it. Workers and
 * Node threads may block.
 */
export const mayBlock = () => !(typeof window !== 'undefined' && typeof document !== 'undefined');

/** Thrown by a blocking call on a thread that must not block (a browser's main thread). */
export class MainThreadError extends Error {
  constructor(what) {
    super(`inos: ${what} would block, and this thread must not block (a browser's main thread): `
      + 'call it in a worker, or use the non-blocking call with Atomics.waitAsync');
    this.name = 'MainThreadError';
  }
}

function refuseBlocking(what, timeoutMs) {
  if (timeoutMs !== undefined && timeoutMs !== 0 && !mayBlock()) throw new MainThreadError(what);
}

/** The `inos_env` imports: Atomics.wait / Atomics.notify on the shared memory. */
export function envImports(memory) {
  // One view, re-created only for an address past its end (after a grow). Reading
  // `memory.buffer` of a shared memory costs about as much as a whole ring push, so it is not
  // read on every call.
  let i32 = new Int32Array(memory.buffer);
  const view = (addr) => {
    if ((addr >>> 2) >= i32.length) i32 = new Int32Array(memory.buffer); // grown
    return i32;
  };
  return {
    // wait32(addr, expected, timeout_ns: i64 as BigInt) -> 0 ok, 1 not-equal, 2 timed-out.
    // Refused on a browser's main thread (the Inos methods refuse before reaching it; this is
    // the last line for a raw export called there): block in workers.
    wait32(addr, expected, timeoutNs) {
      if (timeoutNs !== 0n && !mayBlock()) throw new MainThreadError('a wait');
      const ms = timeoutNs < 0n ? Infinity : Number(timeoutNs) / 1e6;
      const r = Atomics.wait(view(addr), addr >>> 2, expected | 0, ms);
      return r === 'ok' ? 0 : r === 'not-equal' ? 1 : 2;
    },
    // notify(addr, count) -> woken; count u32::MAX arrives as -1 and means everyone.
    notify(addr, count) {
      return Atomics.notify(view(addr), addr >>> 2, count === -1 ? Infinity : count >>> 0);
    },
  };
}

/**
 * Plans the shared memory for `module` (a WebAssembly.Module compiled from `wasmBytes`): where
 * each worker's slot and the protocol region go. Call once (main thread), pass the plan (plain
 * numbers) to every worker.
 */
export function planMemory(module, wasmBytes, {
  regionSize, slots = 8, stackSize = 64 * KIB, scratchSize = 64 * KIB,
} = {}) {
  if (!(regionSize > 0)) throw new Error('inos: regionSize is required');
  const limits = memoryImport(wasmBytes);
  // Read __heap_base from a throw-away instance on a memory of the module's minimum size.
  const probe = new WebAssembly.Memory({ initial: limits.initial, maximum: limits.initial, shared: true });
  const inst = new WebAssembly.Instance(module, { env: { memory: probe }, inos_env: envImports(probe) });
  const heapBase = inst.exports.__heap_base.value >>> 0;
  const slotSize = alignUp(stackSize + scratchSize, 16);
  const slotBase = alignUp(heapBase, PAGE);
  const regionBase = alignUp(slotBase + slots * slotSize, PAGE);
  const pages = Math.max(limits.initial, Math.ceil((regionBase + regionSize) / PAGE));
  if (limits.maximum !== undefined && pages > limits.maximum) {
    throw new Error(`inos: ${pages} pages exceed the module's maximum of ${limits.maximum}`);
  }
  return { heapBase, slotBase, slotSize, stackSize, scratchSize, slots, regionBase, regionSize, pages };
}

/** The shared memory for a plan (fixed size: nothing in the module grows it). */
export function createMemory(plan) {
  return new WebAssembly.Memory({ initial: plan.pages, maximum: plan.pages, shared: true });
}

/**
 * Instantiates the module on `memory` for slot `slot` (one slot per concurrently running
 * instance: per worker, plus one for the main thread if it calls exports) and sets this
 * instance's shadow stack pointer. Returns an `Inos` wrapper.
 */
export function instantiate(module, memory, plan, slot) {
  if (!(slot >= 0 && slot < plan.slots)) throw new Error(`inos: slot ${slot} outside 0..${plan.slots}`);
  const instance = new WebAssembly.Instance(module, { env: { memory }, inos_env: envImports(memory) });
  const slotStart = plan.slotBase + slot * plan.slotSize;
  instance.exports.__stack_pointer.value = slotStart + plan.stackSize; // grows down, 16-aligned
  return new Inos(instance, memory, plan, slotStart + plan.stackSize);
}

function check(code, what) {
  if (code < 0) {
    const e = new Error(`inos: ${what} failed: ${statusName(code)}`);
    e.status = code;
    throw e;
  }
  return code;
}

/** One instance: the raw exports (`.x`) plus thin helpers that use this worker's scratch buffer. */
export class Inos {
  constructor(instance, memory, plan, scratch) {
    this.x = instance.exports;
    this.memory = memory;
    this.plan = plan;
    this.scratch = scratch;
    this.scratchSize = plan.scratchSize;
    this.base = plan.regionBase;
    this.len = plan.regionSize;
    // Views for the scratch buffer. It lies below the region, inside the memory this instance
    // was created on, and a memory never shrinks, so these views always cover it: the hot paths
    // (push, pop, ledger results) use them without reading `memory.buffer` (costly on a shared
    // memory) on every call.
    this._u8 = new Uint8Array(memory.buffer);
    this._dv = new DataView(memory.buffer);
  }
  /** A Uint8Array over the whole memory as it is now (re-created after a grow). */
  get u8() {
    if (this._u8.byteLength !== this.memory.buffer.byteLength) this._u8 = new Uint8Array(this.memory.buffer);
    return this._u8;
  }
  /** A DataView over the whole memory as it is now (re-created after a grow). */
  get dv() {
    if (this._dv.byteLength !== this.memory.buffer.byteLength) this._dv = new DataView(this.memory.buffer);
    return this._dv;
  }

  /** Formats the standard layout in the plan's region (or attaches): 0 formatted, 1 attached. */
  formatStandard() { return check(this.x.inos_format_standard(this.base, this.len), 'format_standard'); }
  /** Attaches to the standard layout; returns the boot generation. */
  attachStandard() { return check(this.x.inos_attach_standard(this.base, this.len), 'attach_standard'); }
  /** `{ addr, offset, size, kind }` of a named region (addr = absolute address in memory). */
  region(name) {
    const bytes = new TextEncoder().encode(name);
    if (bytes.length + 12 > this.scratchSize) throw new Error('inos: name too long');
    const out = this.scratch, namePtr = this.scratch + 16;
    this._u8.set(bytes, namePtr);
    check(this.x.inos_region_find(this.base, this.len, namePtr, bytes.length, out), `region_find(${name})`);
    const dv = this._dv;
    const offset = dv.getUint32(out, true);
    return { addr: this.base + offset, offset, size: dv.getUint32(out + 4, true), kind: dv.getUint32(out + 8, true) };
  }

  epochLoad(addr) { return Number(check(this.x.inos_epoch_load(addr), 'epoch_load')); }
  epochSignal(addr) { return Number(check(this.x.inos_epoch_signal(addr), 'epoch_signal')); }
  /** Blocks (worker only) until the epoch differs from lastSeen; returns it, or null on timeout. */
  epochWaitChanged(addr, lastSeen, timeoutMs = FOREVER) {
    refuseBlocking('epochWaitChanged', timeoutMs);
    const r = Number(this.x.inos_epoch_wait_changed(addr, lastSeen | 0, timeoutMs));
    if (r === STATUS.TIMED_OUT) return null;
    return check(r, 'epoch_wait_changed');
  }

  ringInit(addr, len, capacity, kind) { return check(this.x.inos_ring_init(addr, len, capacity, kind), 'ring_init'); }
  /**
   * Formats a fixed-size SPSC ring (ring.md §3.3) whose every message is `messageSize` bytes;
   * `ringProducer` / `ringConsumer` claim its ends, `push` then takes exactly that many bytes.
   */
  ringInitFixed(addr, len, capacity, messageSize) {
    return check(this.x.inos_ring_init_fixed(addr, len, capacity, messageSize), 'ring_init_fixed');
  }
  ringProducer(addr, len) { return check(this.x.inos_ring_producer(addr, len), 'ring_producer'); }
  ringConsumer(addr, len) { return check(this.x.inos_ring_consumer(addr, len), 'ring_consumer'); }
  ringClose(h) { return check(this.x.inos_ring_close(h), 'ring_close'); }
  /** Copies `bytes` through scratch into the ring. Returns STATUS.OK, FULL or TIMED_OUT. */
  push(h, bytes, timeoutMs) {
    if (bytes.length > this.scratchSize) throw new Error('inos: message larger than scratch');
    refuseBlocking('push with a timeout', timeoutMs);
    this._u8.set(bytes, this.scratch);
    const r = timeoutMs === undefined
      ? this.x.inos_ring_push(h, this.scratch, bytes.length)
      : this.x.inos_ring_push_wait(h, this.scratch, bytes.length, timeoutMs);
    return r === STATUS.FULL || r === STATUS.TIMED_OUT ? r : check(r, 'ring_push');
  }
  /** Pops into scratch; returns a copy of the message, or null if empty / timed out. */
  pop(h, timeoutMs) {
    refuseBlocking('pop with a timeout', timeoutMs);
    const r = timeoutMs === undefined
      ? this.x.inos_ring_pop(h, this.scratch, this.scratchSize)
      : this.x.inos_ring_pop_wait(h, this.scratch, this.scratchSize, timeoutMs);
    if (r === STATUS.EMPTY || r === STATUS.TIMED_OUT) return null;
    check(r, 'ring_pop');
    return this._u8.slice(this.scratch, this.scratch + r);
  }

  ledgerInit(addr, len, accounts, holds) { return check(this.x.inos_ledger_init(addr, len, accounts, holds), 'ledger_init'); }
  ledgerOpen(addr, len) { return check(this.x.inos_ledger_open(addr, len), 'ledger_open'); }
  ledgerMint(addr, len, account, amount) { return check(this.x.inos_ledger_mint(addr, len, account, BigInt(amount)), 'ledger_mint'); }
  /** Returns STATUS.OK or a refusal code (LEDGER_INSUFFICIENT_FUNDS, ...); throws only on CORRUPT / INVALID. */
  ledgerTransfer(addr, len, from, to, amount) {
    return this.x.inos_ledger_transfer(addr, len, from, to, BigInt(amount));
  }
  /** Returns the hold id (BigInt) or a negative status (number). */
  ledgerHold(addr, len, payer, amount) {
    const out = this.scratch; // 64 KiB-aligned slot + stackSize: 8-aligned
    const r = this.x.inos_ledger_hold(addr, len, payer, BigInt(amount), out);
    return r < 0 ? r : this._dv.getBigUint64(out, true);
  }
  ledgerSettle(addr, len, hold, payee, amount) {
    return this.x.inos_ledger_settle(addr, len, BigInt.asIntN(64, hold), payee, BigInt(amount));
  }
  ledgerVoid(addr, len, hold) { return this.x.inos_ledger_void(addr, len, BigInt.asIntN(64, hold)); }
  ledgerBalance(addr, len, account) { return check(this.x.inos_ledger_balance(addr, len, account), 'ledger_balance'); }
  /** `{ status, balance, held, pending, minted, burned, pendingHolds, holdsInProgress, accountsInUse }` */
  ledgerAudit(addr, len) {
    const out = this.scratch;
    const status = this.x.inos_ledger_audit(addr, len, out);
    if (status !== STATUS.OK && status !== STATUS.UNBALANCED) check(status, 'ledger_audit');
    const dv = this._dv, w = (i) => dv.getBigInt64(out + 8 * i, true);
    return {
      status, balance: w(0), held: w(1), pending: w(2), minted: w(3), burned: w(4), pendingHolds: w(5),
      holdsInProgress: dv.getUint32(out + 48, true), accountsInUse: dv.getUint32(out + 52, true),
    };
  }

  // Arena (docs/protocol/arena.md). A block reference is `{ offset, len, generation, reserved }`
  // (its 16 wire bytes go through the scratch buffer); `party` is a non-zero u32. Refusals come
  // back as negative STATUS codes (ARENA_*); only the address checks throw.
  #putRef(ref) {
    const dv = this._dv, at = this.scratch;
    dv.setUint32(at, ref.offset, true);
    dv.setUint32(at + 4, ref.len, true);
    dv.setUint32(at + 8, ref.generation, true);
    dv.setUint32(at + 12, ref.reserved ?? 0, true);
    return at;
  }
  /** Formats an arena; returns its chunk count. */
  arenaInit(addr, len, chunkShift, chunks = 0) { return check(this.x.inos_arena_init(addr, len, chunkShift, chunks), 'arena_init'); }
  /** Validates an arena header: its chunk count, or a negative status. */
  arenaAttach(addr, len) { return this.x.inos_arena_attach(addr, len); }
  /** Allocates `size` bytes for `party`: the reference, or a negative status (number). */
  arenaAlloc(addr, len, party, size) {
    const out = this.scratch;
    const r = this.x.inos_arena_alloc(addr, len, party, size, out);
    if (r < 0) return r;
    const dv = this._dv;
    return { offset: dv.getUint32(out, true), len: dv.getUint32(out + 4, true), generation: dv.getUint32(out + 8, true), reserved: 0 };
  }
  arenaValidate(addr, len, ref) { return this.x.inos_arena_validate(addr, len, this.#putRef(ref)); }
  arenaSend(addr, len, party, ref) { return this.x.inos_arena_send(addr, len, party, this.#putRef(ref)); }
  /** 0: the sent block is `party`'s now; 1: one reference of a shared block; else a status. */
  arenaOpen(addr, len, party, ref) { return this.x.inos_arena_open(addr, len, party, this.#putRef(ref)); }
  arenaShare(addr, len, party, ref, refs) { return this.x.inos_arena_share(addr, len, party, this.#putRef(ref), refs); }
  arenaFree(addr, len, party, ref) { return this.x.inos_arena_free(addr, len, party, this.#putRef(ref)); }
  arenaRelease(addr, len, party, ref) { return this.x.inos_arena_release(addr, len, party, this.#putRef(ref)); }
  /** Copies `bytes` into the block from byte `at` (through scratch). Returns a status. */
  arenaWrite(addr, len, ref, at, bytes) {
    if (bytes.length + 64 > this.scratchSize) throw new Error('inos: write larger than scratch');
    this._u8.set(bytes, this.scratch + 64);
    return this.x.inos_arena_write(addr, len, this.#putRef(ref), at, this.scratch + 64, bytes.length);
  }
  /** `n` bytes of the block from byte `at` (a copy), or a negative status (number). */
  arenaRead(addr, len, ref, at, n) {
    if (n + 64 > this.scratchSize) throw new Error('inos: read larger than scratch');
    const r = this.x.inos_arena_read(addr, len, this.#putRef(ref), at, this.scratch + 64, n);
    return r < 0 ? r : this._u8.slice(this.scratch + 64, this.scratch + 64 + n);
  }
  arenaReclaim(addr, len, party) { return this.x.inos_arena_reclaim(addr, len, party); }
  /** `{ chunks, chunkLen, freeChunks, largeBlocks, largeChunks, corruptChunks, bytesInUse, freeBytes, claimingBytes }` */
  arenaStats(addr, len) {
    const out = this.scratch;
    check(this.x.inos_arena_stats(addr, len, out), 'arena_stats');
    const dv = this._dv, w = (i) => dv.getUint32(out + 4 * i, true), q = (i) => Number(dv.getBigUint64(out + 24 + 8 * i, true));
    return {
      chunks: w(0), chunkLen: w(1), freeChunks: w(2), largeBlocks: w(3), largeChunks: w(4), corruptChunks: w(5),
      bytesInUse: q(0), freeBytes: q(1), claimingBytes: q(2),
    };
  }
}
