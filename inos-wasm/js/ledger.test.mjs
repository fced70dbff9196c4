// The credit ledger through the wasm exports, from two workers at once, on the standard layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, runWorker } from './harness.mjs';
import { STATUS } from './inos.mjs';

test('(c) two workers transfer, hold and settle concurrently; the audit balances and totals are conserved', { timeout: 60_000 }, async () => {
  const env = setup();
  const { main } = env;
  const ledger = main.region('ledger');
  const accounts = [];
  for (let i = 0; i < 8; i++) accounts.push(main.ledgerOpen(ledger.addr, ledger.size));
  for (const a of accounts) main.ledgerMint(ledger.addr, ledger.size, a, 1_000);
  const minted = 8_000n;
  assert.equal(main.ledgerAudit(ledger.addr, ledger.size).status, STATUS.OK);

  const ops = 20_000;
  const results = await Promise.all([1, 2].map((slot) => runWorker(env, {
    role: 'ledger', slot, ledger: ledger.addr, ledgerLen: ledger.size, accounts, ops, seed: slot * 7919,
  })));

  for (const r of results) {
    assert.ok(r.transfers > 0 && r.settled > 0 && r.voided > 0, JSON.stringify(r));
    assert.equal(r.lostRace, r.holds, 'a resolved hold can never be resolved again');
  }
  const audit = main.ledgerAudit(ledger.addr, ledger.size);
  assert.equal(audit.status, STATUS.OK, JSON.stringify(audit, (k, v) => (typeof v === 'bigint' ? String(v) : v)));
  assert.equal(audit.minted, minted);
  assert.equal(audit.burned, 0n);
  assert.equal(audit.held, 0n);
  assert.equal(audit.pending, 0n);
  assert.equal(audit.holdsInProgress, 0);
  assert.equal(audit.accountsInUse, 8);
  let sum = 0n;
  for (const a of accounts) {
    const b = main.ledgerBalance(ledger.addr, ledger.size, a);
    assert.ok(b >= 0n, 'no balance is ever negative');
    sum += b;
  }
  assert.equal(sum, minted, 'Σ balance = minted: every transfer conserved money');
  assert.equal(audit.balance, minted);
  // Refusals are typed, never corruption: overdraft and unknown accounts.
  assert.equal(main.ledgerTransfer(ledger.addr, ledger.size, accounts[0], accounts[1], 1_000_000), STATUS.LEDGER_INSUFFICIENT_FUNDS);
  assert.equal(main.ledgerTransfer(ledger.addr, ledger.size, accounts[0], 100_000, 1), STATUS.LEDGER_NO_SUCH_ACCOUNT);
});

test('STATUS has one LEDGER_* code per ledger error, equal to exports/inos_ledger.json (ledger.md §7)', async () => {
  const { readFileSync } = await import('node:fs');
  const spec = JSON.parse(readFileSync(new URL('../../exports/inos_ledger.json', import.meta.url), 'utf8'));
  const entries = Object.entries(spec.ledger_status);
  assert.equal(entries.length, Object.keys(spec.ledger_error).length);
  for (const [name, status] of entries) {
    assert.equal(status, -(100 + spec.ledger_error[name]), name);
    assert.equal(STATUS[`LEDGER_${name.toUpperCase()}`], status, name);
  }
  assert.equal(Object.keys(STATUS).filter((k) => k.startsWith('LEDGER_')).length, entries.length);
});
