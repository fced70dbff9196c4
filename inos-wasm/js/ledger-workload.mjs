// A random ledger workload through the module's exports, shared by the Node workers (worker.mjs)
// and the browser workers (web/pages/worker.mjs): transfers, and every tenth operation a hold
// that is settled or voided, then resolved again (which must lose). Returns the counts.
import { STATUS, statusName } from './inos.mjs';

/** A deterministic generator: `rnd(n)` in [0, n). */
export function lcg(seed) {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** Two different accounts drawn from `accounts`. */
export function pickPair(accounts, rnd) {
  const a = accounts[rnd(accounts.length)];
  let b = accounts[rnd(accounts.length)];
  if (b === a) b = accounts[(accounts.indexOf(a) + 1) % accounts.length];
  return [a, b];
}

/** `ops` operations on the ledger at `ledger` (`ledgerLen` bytes) with the instance `inos`. */
export function ledgerWorkload(inos, { ledger, ledgerLen, accounts, ops, seed }) {
  const rnd = lcg(seed);
  const counts = { transfers: 0, refused: 0, holds: 0, settled: 0, voided: 0, lostRace: 0 };
  for (let i = 0; i < ops; i++) {
    const [a, b] = pickPair(accounts, rnd);
    const amount = 1 + rnd(50);
    if (i % 10 === 9) {
      const hold = inos.ledgerHold(ledger, ledgerLen, a, amount);
      if (typeof hold === 'number') {
        if (hold !== STATUS.LEDGER_INSUFFICIENT_FUNDS && hold !== STATUS.LEDGER_HOLD_CAPACITY_EXHAUSTED) throw new Error(`hold: ${statusName(hold)}`);
        counts.refused++;
        continue;
      }
      counts.holds++;
      const r = i % 20 === 19
        ? inos.ledgerVoid(ledger, ledgerLen, hold)
        : inos.ledgerSettle(ledger, ledgerLen, hold, b, 1 + rnd(amount));
      if (r === STATUS.OK) (i % 20 === 19 ? counts.voided++ : counts.settled++);
      else throw new Error(`resolve hold: ${statusName(r)}`);
      // Nobody else knows this hold id: a second resolution must lose.
      // Not pending, or stale once the other worker has reused the slot (ledger.md §2).
      const again = inos.ledgerVoid(ledger, ledgerLen, hold);
      if (again === STATUS.LEDGER_HOLD_NOT_PENDING || again === STATUS.LEDGER_HOLD_STALE) counts.lostRace++;
      continue;
    }
    const r = inos.ledgerTransfer(ledger, ledgerLen, a, b, amount);
    if (r === STATUS.OK) counts.transfers++;
    else if (r === STATUS.LEDGER_INSUFFICIENT_FUNDS) counts.refused++;
    else throw new Error(`transfer: ${statusName(r)}`);
  }
  return counts;
}
