// A pure-JS credit ledger party written from docs/protocol/ledger.md alone (no wasm): it reads
// and writes the shared words with Atomics, exactly as a TypeScript host would. The conformance
// test replays docs/conformance/ledger.json (generated from the Rust code) against it.
//
// Errors are thrown as LedgerError { name, code } with the names and codes of ledger.md §7.

const MAGIC = 0x474c4e49; // "INLG"
const VERSION = 2;
const HEADER_LEN = 128;
const RECORD_LEN = 64;
const MAX = (1n << 63n) - 1n;
// Header, account and hold field offsets (ledger.md §1).
const H = { MAGIC: 0, VERSION: 4, ACCOUNTS: 8, HOLDS: 12, MINTED: 64, BURNED: 72, AUDITS: 80, AUDITS_UNBALANCED: 88 };
// Format 2: no balance word; balance = credited - debited (ledger.md §1.2).
const A = { CREDITED: 0, DEBITED: 8, HELD: 16, PENDING: 24, STATUS: 32, RESERVED: 36 };
const HO = { STATE: 0, AMOUNT: 8, PAYER: 16, RESERVED: 20 };
const ST = { FREE: 0, OPEN: 1, FROZEN: 2, CLOSED: 3 };
const HS = { FREE: 0n, RESERVING: 1n, PENDING: 2n, SETTLED: 3n, VOIDED: 4n };
// ledger.md §7.
export const ERROR_CODES = Object.freeze({
  RegionTooSmall: 1, Access: 2, BadMagic: 3, UnsupportedVersion: 4, CorruptHeader: 5,
  CorruptAccount: 6, CorruptHold: 7, AccountCapacityExhausted: 8, HoldCapacityExhausted: 9,
  NoSuchAccount: 10, AccountNotOpen: 11, AccountFrozen: 12, AccountClosed: 13,
  AccountNotFrozen: 14, AmountNotPositive: 15, SameAccount: 16, InsufficientFunds: 17,
  NothingToClaim: 18, BalanceOverflow: 19, HeldOverflow: 20, PendingOverflow: 21,
  EarnedOverflow: 22, SpentOverflow: 23, MintedOverflow: 24, BurnedOverflow: 25, NoSuchHold: 26,
  HoldStale: 27, HoldNotPending: 28, SettleExceedsHold: 29,
});

export class LedgerError extends Error {
  constructor(name, index) {
    super(index === undefined ? name : `${name} (record ${index})`);
    this.name = name;
    this.code = ERROR_CODES[name];
    this.index = index;
  }
}
const fail = (name, index) => { throw new LedgerError(name, index); };

export class Ledger {
  /** Validates the ledger at `byteOffset` (8-aligned) of `buffer`, `len` bytes (ledger.md §1.1). */
  static attach(buffer, byteOffset, len) {
    if (byteOffset % 8 !== 0) fail('Access');
    if (len < HEADER_LEN) fail('RegionTooSmall');
    const l = new Ledger(buffer, byteOffset, len);
    const magic = l.u32(H.MAGIC); // Acquire: Atomics are sequentially consistent.
    if (magic !== MAGIC) fail('BadMagic');
    if (l.u32(H.VERSION) !== VERSION) fail('UnsupportedVersion');
    for (let o = 16; o < 64; o += 4) if (l.u32(o) !== 0) fail('CorruptHeader');
    for (let o = 96; o < 128; o += 4) if (l.u32(o) !== 0) fail('CorruptHeader');
    if (l.i64(H.MINTED) < 0n || l.i64(H.BURNED) < 0n) fail('CorruptHeader');
    l.accounts = l.u32(H.ACCOUNTS);
    l.holds = l.u32(H.HOLDS);
    if (HEADER_LEN + RECORD_LEN * (l.accounts + l.holds) > len) fail('RegionTooSmall');
    return l;
  }

  constructor(buffer, byteOffset, len) {
    this.w32 = new Int32Array(buffer, byteOffset, len >> 2);
    this.w64 = new BigInt64Array(buffer, byteOffset, len >> 3);
    this.u64w = new BigUint64Array(buffer, byteOffset, len >> 3);
  }

  // --- words -----------------------------------------------------------------------------------
  u32(o) { return Atomics.load(this.w32, o >> 2) >>> 0; }
  casU32(o, expect, next) { return Atomics.compareExchange(this.w32, o >> 2, expect | 0, next | 0) >>> 0; }
  i64(o) { return Atomics.load(this.w64, o >> 3); }
  u64(o) { return Atomics.load(this.u64w, o >> 3); }
  storeU64(o, v) { Atomics.store(this.u64w, o >> 3, v); }

  /** Checked add of `x > 0` to a money word (ledger.md §2: never stores a negative or wrapped value). */
  add(o, x, overflow, corrupt) {
    for (let cur = this.i64(o); ;) {
      if (cur < 0n) throw corrupt();
      const next = cur + x;
      if (next > MAX) throw overflow();
      const seen = Atomics.compareExchange(this.w64, o >> 3, cur, next);
      if (seen === cur) return;
      cur = seen;
    }
  }
  sub(o, x, short, corrupt) {
    for (let cur = this.i64(o); ;) {
      if (cur < 0n) throw corrupt();
      if (cur < x) throw short();
      const seen = Atomics.compareExchange(this.w64, o >> 3, cur, cur - x);
      if (seen === cur) return;
      cur = seen;
    }
  }
  /** "Debit" (ledger.md §2): `credited` loaded once, then a CAS on `debited` kept `<= credited`. */
  debit(a, x) {
    const credited = this.i64(a.base + A.CREDITED);
    for (let cur = this.i64(a.base + A.DEBITED); ;) {
      if (cur < 0n || credited < 0n) throw a.corrupt();
      const next = cur + x;
      if (next > MAX || next > credited) fail('InsufficientFunds');
      const seen = Atomics.compareExchange(this.w64, (a.base + A.DEBITED) >> 3, cur, next);
      if (seen === cur) return;
      cur = seen;
    }
  }
  /** Reads an account as ledger.md §4 says: `debited` before `credited`; derived fields. */
  account(i) {
    const a = this.acct(i);
    const [s, st] = this.state(a);
    const word = (o) => { const v = this.i64(a.base + o); if (v < 0n) throw a.corrupt(); return v; };
    const held = word(A.HELD);
    const debited = word(A.DEBITED);
    const credited = word(A.CREDITED);
    if (debited > credited) throw a.corrupt();
    const spent = debited - held;
    return {
      balance: credited - debited, held, pending: word(A.PENDING), earned: credited,
      spent: spent < 0n ? 0n : spent, credited, debited, state: st, generation: s >>> 8,
    };
  }
  takeAll(o, empty, corrupt) {
    for (let cur = this.i64(o); ;) {
      if (cur < 0n) throw corrupt();
      if (cur === 0n) throw empty();
      const seen = Atomics.compareExchange(this.w64, o >> 3, cur, 0n);
      if (seen === cur) return cur;
      cur = seen;
    }
  }
  // "Undo" (ledger.md §2): every undo step runs; the first refused one's error wins.
  undone(e, ...steps) {
    let first = null;
    for (const step of steps) {
      try { step(); } catch (u) { first ??= u; }
    }
    return first ?? e;
  }
  undoAdd(o, x, corrupt) { return () => this.sub(o, x, corrupt, corrupt); }
  undoSub(o, x, corrupt) { return () => this.add(o, x, corrupt, corrupt); }
  /** Runs `step`; on refusal, runs the undo steps and throws. */
  step(step, ...undos) {
    try { step(); } catch (e) { throw this.undone(e, ...undos); }
  }

  // --- records ---------------------------------------------------------------------------------
  acct(i) {
    if (!(i >= 0 && i < this.accounts)) fail('NoSuchAccount');
    const base = HEADER_LEN + RECORD_LEN * i;
    return { i, base, corrupt: () => new LedgerError('CorruptAccount', i) };
  }
  state(a) {
    const s = this.u32(a.base + A.STATUS);
    const st = s & 0xff;
    if (st > ST.CLOSED) throw a.corrupt();
    return [s, st];
  }
  gateOut(a) {
    const st = this.state(a)[1];
    if (st === ST.FROZEN) fail('AccountFrozen');
    if (st === ST.CLOSED) fail('AccountClosed');
    if (st === ST.FREE) fail('AccountNotOpen');
  }
  gateIn(a) {
    const st = this.state(a)[1];
    if (st === ST.CLOSED) fail('AccountClosed');
    if (st === ST.FREE) fail('AccountNotOpen');
  }
  reservedZero(base, from) {
    for (let o = from; o < RECORD_LEN; o += 4) if (this.u32(base + o) !== 0) return false;
    return true;
  }
  static amount(x) { if (x <= 0n) fail('AmountNotPositive'); }
  static nextStatus(s, st) { return (st | (((s & ~0xff) + 0x100) >>> 0)) >>> 0; }

  // --- operations (ledger.md §2) ---------------------------------------------------------------
  open() {
    for (let i = 0; i < this.accounts; i++) {
      const a = this.acct(i);
      let [s, st] = this.state(a);
      while (st === ST.FREE) {
        const money = [A.CREDITED, A.DEBITED, A.HELD, A.PENDING].some((f) => this.i64(a.base + f) !== 0n);
        if (money || !this.reservedZero(a.base, A.RESERVED)) throw a.corrupt();
        const seen = this.casU32(a.base + A.STATUS, s, Ledger.nextStatus(s, ST.OPEN));
        if (seen === s) return i;
        s = seen;
        st = s & 0xff;
        if (st > ST.CLOSED) throw a.corrupt();
      }
    }
    fail('AccountCapacityExhausted');
  }
  transition(i, next) {
    const a = this.acct(i);
    let [s, st] = this.state(a);
    for (;;) {
      const seen = this.casU32(a.base + A.STATUS, s, Ledger.nextStatus(s, next(st)));
      if (seen === s) return;
      s = seen;
      st = s & 0xff;
      if (st > ST.CLOSED) throw a.corrupt();
    }
  }
  freeze(i) {
    this.transition(i, (st) => (st === ST.OPEN ? ST.FROZEN
      : fail(st === ST.FROZEN ? 'AccountFrozen' : st === ST.CLOSED ? 'AccountClosed' : 'AccountNotOpen')));
  }
  unfreeze(i) {
    this.transition(i, (st) => (st === ST.FROZEN ? ST.OPEN
      : fail(st === ST.OPEN ? 'AccountNotFrozen' : st === ST.CLOSED ? 'AccountClosed' : 'AccountNotOpen')));
  }
  close(i) {
    this.transition(i, (st) => (st === ST.OPEN || st === ST.FROZEN ? ST.CLOSED
      : fail(st === ST.CLOSED ? 'AccountClosed' : 'AccountNotOpen')));
  }
  mint(i, x) {
    Ledger.amount(x);
    const a = this.acct(i);
    this.gateIn(a);
    const hdr = () => new LedgerError('CorruptHeader');
    this.add(H.MINTED, x, () => new LedgerError('MintedOverflow'), hdr);
    this.step(() => this.add(a.base + A.CREDITED, x, () => new LedgerError('EarnedOverflow'), a.corrupt),
      this.undoAdd(H.MINTED, x, hdr));
  }
  burn(i, x) {
    Ledger.amount(x);
    const a = this.acct(i);
    this.gateOut(a);
    const hdr = () => new LedgerError('CorruptHeader');
    this.debit(a, x);
    this.step(() => this.add(H.BURNED, x, () => new LedgerError('BurnedOverflow'), hdr),
      this.undoAdd(a.base + A.DEBITED, x, a.corrupt));
  }
  transfer(from, to, x) {
    Ledger.amount(x);
    if (from === to) fail('SameAccount');
    const f = this.acct(from);
    const t = this.acct(to);
    this.gateOut(f);
    this.gateIn(t);
    this.debit(f, x);
    this.step(() => this.add(t.base + A.CREDITED, x, () => new LedgerError('EarnedOverflow'), t.corrupt),
      this.undoAdd(f.base + A.DEBITED, x, f.corrupt));
  }
  accrue(i, x) {
    Ledger.amount(x);
    const a = this.acct(i);
    this.gateIn(a);
    const hdr = () => new LedgerError('CorruptHeader');
    this.add(H.MINTED, x, () => new LedgerError('MintedOverflow'), hdr);
    this.step(() => this.add(a.base + A.PENDING, x, () => new LedgerError('PendingOverflow'), a.corrupt),
      this.undoAdd(H.MINTED, x, hdr));
  }
  claim(i) {
    const a = this.acct(i);
    this.gateIn(a);
    const p = this.takeAll(a.base + A.PENDING, () => new LedgerError('NothingToClaim'), a.corrupt);
    this.step(() => this.add(a.base + A.CREDITED, p, () => new LedgerError('EarnedOverflow'), a.corrupt),
      this.undoSub(a.base + A.PENDING, p, a.corrupt));
    return p;
  }

  holdBase(j) { return HEADER_LEN + RECORD_LEN * (this.accounts + j); }

  /** Hold-slot scan (ledger.md §2 "Hold slots"): wrapping 32-bit product, upwards. */
  claimSlot(payer) {
    const n = this.holds;
    if (n === 0) fail('HoldCapacityExhausted');
    const start = (Math.imul(payer, 0x9e3779b9) >>> 0) % n;
    for (let k = 0; k < n; k++) {
      const j = (start + k) % n;
      const o = this.holdBase(j) + HO.STATE;
      let s = this.u64(o);
      for (;;) {
        const st = s & 0xffffffffn;
        if (st > HS.VOIDED) fail('CorruptHold', j);
        if (st !== HS.FREE) break;
        const g = ((s >> 32n) + 1n) & 0xffffffffn;
        const seen = Atomics.compareExchange(this.u64w, o >> 3, s, (g << 32n) | HS.RESERVING);
        if (seen === s) return [j, g];
        s = seen;
      }
    }
    fail('HoldCapacityExhausted');
  }
  hold(payer, x) {
    Ledger.amount(x);
    const p = this.acct(payer);
    this.gateOut(p);
    const [j, g] = this.claimSlot(payer);
    const base = this.holdBase(j);
    const release = () => this.storeU64(base + HO.STATE, (g << 32n) | HS.FREE);
    try {
      this.debit(p, x);
    } catch (e) { release(); throw e; }
    try {
      this.add(p.base + A.HELD, x, () => new LedgerError('HeldOverflow'), p.corrupt);
    } catch (e) {
      const err = this.undone(e, this.undoAdd(p.base + A.DEBITED, x, p.corrupt));
      release();
      throw err;
    }
    Atomics.store(this.w64, (base + HO.AMOUNT) >> 3, x);
    Atomics.store(this.w32, (base + HO.PAYER) >> 2, payer);
    this.storeU64(base + HO.STATE, (g << 32n) | HS.PENDING);
    return (g << 32n) | BigInt(j);
  }
  classify(j, gen, observed) {
    const st = observed & 0xffffffffn;
    if (st > HS.VOIDED) fail('CorruptHold', j);
    if ((observed >> 32n) !== gen) fail('HoldStale');
    if (st !== HS.PENDING) fail('HoldNotPending');
  }
  pending(id) {
    const j = Number(id & 0xffffffffn);
    const gen = id >> 32n;
    if (j >= this.holds) fail('NoSuchHold');
    const base = this.holdBase(j);
    const observed = this.u64(base + HO.STATE);
    this.classify(j, gen, observed);
    const total = this.i64(base + HO.AMOUNT);
    const payer = this.u32(base + HO.PAYER);
    const again = this.u64(base + HO.STATE);
    if (again !== observed) { this.classify(j, gen, again); fail('HoldNotPending'); }
    if (total <= 0n || payer >= this.accounts) fail('CorruptHold', j);
    return { j, gen, base, observed, total, p: this.acct(payer) };
  }
  resolve(h, to) {
    const seen = Atomics.compareExchange(this.u64w, (h.base + HO.STATE) >> 3, h.observed, (h.gen << 32n) | to);
    if (seen !== h.observed) { this.classify(h.j, h.gen, seen); fail('HoldNotPending'); }
  }
  settle(id, payee, x) {
    Ledger.amount(x);
    const h = this.pending(id);
    if (x > h.total) fail('SettleExceedsHold');
    const t = this.acct(payee);
    this.gateIn(t);
    this.resolve(h, HS.SETTLED);
    const { p, total } = h;
    const rem = total - x;
    // The payee's credit is the point of no return (ledger.md §2): `credited` is never lowered.
    try {
      this.sub(p.base + A.HELD, total, p.corrupt, p.corrupt);
      this.step(() => this.add(t.base + A.CREDITED, x, () => new LedgerError('EarnedOverflow'), t.corrupt),
        this.undoSub(p.base + A.HELD, total, p.corrupt));
    } catch (e) {
      this.storeU64(h.base + HO.STATE, h.observed);
      throw e;
    }
    let after = null;
    if (rem > 0n) {
      try { this.sub(p.base + A.DEBITED, rem, p.corrupt, p.corrupt); } catch (e) { after = e; }
    }
    this.storeU64(h.base + HO.STATE, (h.gen << 32n) | HS.FREE);
    if (after) throw after;
  }
  void(id) {
    const h = this.pending(id);
    this.resolve(h, HS.VOIDED);
    const { p, total } = h;
    try {
      this.sub(p.base + A.HELD, total, p.corrupt, p.corrupt);
      this.step(() => this.sub(p.base + A.DEBITED, total, p.corrupt, p.corrupt),
        this.undoSub(p.base + A.HELD, total, p.corrupt));
    } catch (e) {
      this.storeU64(h.base + HO.STATE, h.observed);
      throw e;
    }
    this.storeU64(h.base + HO.STATE, (h.gen << 32n) | HS.FREE);
  }
  audit() {
    const r = {
      balance: 0n, held: 0n, pending: 0n, minted: this.i64(H.MINTED), burned: this.i64(H.BURNED),
      pendingHolds: 0n, holdsInProgress: 0, accountsInUse: 0,
    };
    if (r.minted < 0n || r.burned < 0n) fail('CorruptHeader');
    for (let i = 0; i < this.accounts; i++) {
      const a = this.acct(i);
      const st = this.state(a)[1];
      // debited before credited (ledger.md §4).
      const f = [A.DEBITED, A.CREDITED, A.HELD, A.PENDING].map((o) => this.i64(a.base + o));
      if (f.some((v) => v < 0n) || f[0] > f[1]) throw a.corrupt();
      if (!this.reservedZero(a.base, A.RESERVED)) throw a.corrupt();
      if (st === ST.FREE) {
        if (f.some((v) => v !== 0n)) throw a.corrupt();
        continue;
      }
      r.accountsInUse++;
      r.balance += f[1] - f[0];
      r.held += f[2];
      r.pending += f[3];
    }
    for (let j = 0; j < this.holds; j++) {
      const base = this.holdBase(j);
      const s = this.u64(base + HO.STATE);
      if (!this.reservedZero(base, HO.RESERVED)) fail('CorruptHold', j);
      const st = s & 0xffffffffn;
      if (st === HS.FREE) continue;
      if (st === HS.RESERVING || st === HS.SETTLED || st === HS.VOIDED) { r.holdsInProgress++; continue; }
      if (st !== HS.PENDING) fail('CorruptHold', j);
      const amount = this.i64(base + HO.AMOUNT);
      if (amount <= 0n || this.u32(base + HO.PAYER) >= this.accounts) fail('CorruptHold', j);
      r.pendingHolds += amount;
    }
    r.balanced = r.balance + r.held + r.pending === r.minted - r.burned
      && r.held === r.pendingHolds && r.holdsInProgress === 0;
    // ledger.md §1.1: every auditor counts its audits.
    Atomics.add(this.u64w, H.AUDITS >> 3, 1n);
    if (!r.balanced) Atomics.add(this.u64w, H.AUDITS_UNBALANCED >> 3, 1n);
    return r;
  }
}
