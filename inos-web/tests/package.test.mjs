// Node tests of the built inos-web package (installed by path: ../../target/inos-web/pkg).
// Run with Node >= 22 (Node 20's Liftoff miscompiles code around wasm atomic waits, which std's
// own locks contain): `node --test`. Every wait is bounded; workers are terminated at the end.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import init, {
  allocRegion, canBlock, sharedMemory, Ring, Epoch, Ledger, InosError, spawnWorkers, onMessage,
} from 'inos-web';

await init();
const workerUrl = new URL('./worker.mjs', import.meta.url);
const live = [];
after(() => Promise.all(live.map((w) => w.terminate())));

/** Starts workers with per-worker data and resolves to their results (rejects on a failure). */
async function run(datas) {
  const ws = await spawnWorkers(workerUrl, datas.length, { data: (i) => datas[i] });
  live.push(...ws);
  return Promise.all(ws.map((w) => new Promise((resolve, reject) => {
    onMessage(w, (m) => {
      if (m && m.ok === true) resolve(m.result);
      else if (m && m.ok === false) reject(new Error(`${m.code}: ${m.error}`));
    });
    w.on('error', reject);
    w.on('exit', (code) => reject(new Error(`worker exited (${code}) before reporting`)));
  })));
}

function throwsInos(fn, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof InosError, `not an InosError: ${e}`);
    assert.equal(e.name, 'InosError');
    assert.equal(e.code, code, e.message);
    return true;
  });
}

test('the memory is a SharedArrayBuffer and regions live in it', () => {
  assert.ok(sharedMemory().buffer instanceof SharedArrayBuffer);
  const off = allocRegion(4096);
  assert.equal(off % 64, 0);
  assert.ok(off + 4096 <= sharedMemory().buffer.byteLength);
  assert.ok(new Uint8Array(sharedMemory().buffer, off, 4096).every((b) => b === 0));
  assert.equal(canBlock(), true, "Node's main thread may block");
});

test('ring: push from JS, pop a copy and a view valid until release', () => {
  const len = Ring.requiredLength(256);
  const off = allocRegion(len);
  Ring.init(off, len, 256, 'spsc');
  const p = Ring.producer(off, len), c = Ring.consumer(off, len);
  assert.equal(c.tryPop(), undefined);
  assert.equal(p.tryPush(new Uint8Array([1, 2, 3])), true);
  assert.equal(p.tryPush(new Uint8Array([4, 5])), true);
  const copy = c.tryPop();
  assert.deepEqual([...copy], [1, 2, 3]);
  assert.ok(!(copy.buffer instanceof SharedArrayBuffer), 'tryPop returns a copy');
  const view = c.peek();
  assert.ok(view.buffer instanceof SharedArrayBuffer, 'peek returns a view of the shared memory');
  assert.deepEqual([...view], [4, 5]);
  throwsInos(() => c.peek(), 'NoView');
  throwsInos(() => c.tryPop(), 'NoView');
  c.release();
  throwsInos(() => c.release(), 'NoView');
  assert.equal(c.peek(), undefined);
  // Fill it: tryPush says false, nothing is written.
  let n = 0;
  while (p.tryPush(new Uint8Array(40))) n++;
  assert.ok(n > 0);
  assert.equal(p.pushWait(new Uint8Array(40), 0), false, 'a zero timeout on a full ring');
  for (let i = 0; i < n; i++) assert.equal(c.tryPop().length, 40);
  assert.equal(c.popWait(0), undefined);
  p.close(); c.close();
});

test('fixed-size ring: messages of one size, no length word; copies, views and size errors', () => {
  const cap = 64, len = Ring.requiredLength(cap), off = allocRegion(len);
  throwsInos(() => Ring.initFixed(off, len, cap, 0), 'BadMessageSize');
  throwsInos(() => Ring.initFixed(off, len, cap, 25), 'BadMessageSize'); // above capacity / 2 - 8
  Ring.initFixed(off, len, cap, 12); // 5 records a lap, the last 4 bytes skipped
  const p = Ring.producer(off, len), c = Ring.consumer(off, len);
  throwsInos(() => p.tryPush(new Uint8Array(11)), 'SizeMismatch');
  const msg = (i) => Uint8Array.from({ length: 12 }, (_, k) => (i * 13 + k + 1) & 0xff);
  let n = 0;
  while (p.tryPush(msg(n))) n++;
  assert.equal(n, 5, 'five 12-byte records fill a 64-byte ring (no length words)');
  // Record 0 is the bare payload at the start of the data area (after the 512-byte header).
  assert.deepEqual(new Uint8Array(sharedMemory().buffer, off + 512, 12).slice(), msg(0));
  for (let i = 0; i < 23; i++) {
    if (i % 2 === 0) {
      assert.deepEqual(c.tryPop(), msg(i));
    } else {
      const view = c.peek();
      assert.ok(view.buffer instanceof SharedArrayBuffer);
      assert.deepEqual([...view], [...msg(i)]);
      c.release();
    }
    assert.equal(p.tryPush(msg(i + 5)), true);
  }
  p.close(); c.close();
  // A variable-length ring claims variable-length ends: any size goes.
  const off2 = allocRegion(len);
  Ring.init(off2, len, cap, 'spsc');
  const p2 = Ring.producer(off2, len);
  assert.equal(p2.tryPush(new Uint8Array(11)), true);
  p2.close();
});

test('typed errors on bad input; the region stays intact', () => {
  const len = Ring.requiredLength(128);
  const off = allocRegion(len);
  Ring.init(off, len, 128, 'mpsc');
  throwsInos(() => allocRegion(0), 'Invalid');
  throwsInos(() => Ring.init(8, len, 128, 'spsc'), 'BadRange'); // the module's own stack/data
  throwsInos(() => Ring.init(off, len + 64, 128, 'spsc'), 'BadRange'); // past the region
  throwsInos(() => Ring.init(off + 4, len - 8, 64, 'spsc'), 'BadRange'); // misaligned
  throwsInos(() => Ring.init(off + 0.5, 64, 64, 'spsc'), 'Invalid');
  throwsInos(() => Ring.init(-8, 64, 64, 'spsc'), 'Invalid');
  throwsInos(() => Ring.init(off, len, 128, 'fifo'), 'Invalid');
  throwsInos(() => Ring.requiredLength(100), 'Invalid');
  throwsInos(() => new Epoch(off + 4), 'BadRange');
  const blank = allocRegion(len);
  throwsInos(() => Ring.consumer(blank, len), 'BadMagic');
  const p = Ring.producer(off, len), c = Ring.consumer(off, len);
  throwsInos(() => Ring.consumer(off, len), 'RoleTaken');
  throwsInos(() => p.tryPush(new Uint8Array(1000)), 'TooLarge');
  // A detached buffer.
  const ab = new ArrayBuffer(8);
  const msg = new Uint8Array(ab);
  structuredClone(ab, { transfer: [ab] });
  throwsInos(() => p.tryPush(msg), 'Detached');
  throwsInos(() => p.pushWait(new Uint8Array(1), -1), 'Invalid');
  // After all that, the ring works.
  assert.equal(p.tryPush(new Uint8Array([9])), true);
  assert.deepEqual([...c.tryPop()], [9]);
  p.close(); c.close();
  throwsInos(() => p.tryPush(new Uint8Array([1])), 'Closed');
  throwsInos(() => c.tryPop(), 'Closed');
  throwsInos(() => c.peek(), 'Closed');
  // The role was released by close: it can be claimed again.
  Ring.producer(off, len).close();
});

test('Rust ring producers in two workers, JS consumer on the main thread: every message once', async () => {
  const cap = 1024, len = Ring.requiredLength(cap), off = allocRegion(len);
  Ring.init(off, len, cap, 'mpsc');
  const c = Ring.consumer(off, len);
  const count = 2000, workers = 2;
  const results = run(Array.from({ length: workers }, () =>
    ({ role: 'produce', ring: off, ringLen: len, count, size: 24 })));
  const next = new Uint32Array(workers);
  let got = 0;
  while (got < count * workers) {
    const m = await c.popAsync(10_000);
    assert.ok(m, 'popAsync timed out');
    const dv = new DataView(m.buffer, m.byteOffset);
    const who = dv.getUint32(0, true), seq = dv.getUint32(4, true);
    assert.equal(seq, next[who], `producer ${who}: in order, none lost or repeated`);
    next[who]++; got++;
  }
  assert.deepEqual(await results, [count, count]);
  assert.equal(c.tryPop(), undefined);
  c.close();
});

test('epoch wake-ups worker ↔ worker', async () => {
  const off = allocRegion(16);
  const rounds = 200;
  const [a, b] = await run([
    { role: 'pingpong', wait: off, signal: off + 8, rounds, first: true },
    { role: 'pingpong', wait: off + 8, signal: off, rounds, first: false },
  ]);
  assert.equal(a, rounds);
  assert.equal(b, rounds);
  assert.equal(new Epoch(off).load(), rounds);
  assert.equal(new Epoch(off + 8).load(), rounds);
});

test('waitAsync on the main thread is woken by a worker', async () => {
  const off = allocRegion(16);
  const e = new Epoch(off), go = new Epoch(off + 8);
  const done = run([{ role: 'signalLater', epoch: off, go: off + 8, goSeen: go.load() }]);
  // Node does not count a pending Atomics.waitAsync as keeping the process alive (browsers need
  // nothing): hold the event loop open with a timer while the worker may already have exited.
  const keep = setInterval(() => {}, 1000);
  const pending = e.waitAsync(0, 10_000);
  go.signal();
  assert.equal(await pending, 1);
  assert.deepEqual(await done, [1]);
  assert.equal(await e.waitAsync(1, 5), undefined, 'times out with undefined');
  clearInterval(keep);
  assert.equal(e.wait(0, 0), 1, 'a blocking wait is allowed on Node\'s main thread');
});

test('ledger: concurrent transfers and holds in workers, the audit balances', async () => {
  const accountsN = 8, holds = 64;
  const len = Ledger.requiredLength(accountsN, holds), off = allocRegion(len);
  const l = Ledger.init(off, len, accountsN, holds);
  const accounts = [];
  for (let i = 0; i < accountsN; i++) { const a = l.open(); accounts.push(a); l.mint(a, 1000n); }
  throwsInos(() => l.transfer(accounts[0], accounts[1], 10_000n), 'InsufficientFunds');
  throwsInos(() => l.mint(accounts[0], -5n), 'AmountNotPositive');
  throwsInos(() => l.balance(999), 'NoSuchAccount');
  throwsInos(() => Ledger.attach(allocRegion(len), len), 'BadMagic');
  const h = l.hold(accounts[0], 100n);
  l.settle(h, accounts[1], 60n);
  throwsInos(() => l.void(h), 'HoldNotPending');
  const res = await run(Array.from({ length: 3 }, () =>
    ({ role: 'ledger', ledger: off, ledgerLen: len, accounts, ops: 3000 })));
  const r = l.audit();
  assert.equal(r.balanced, true);
  assert.equal(r.minted, 8000n);
  assert.equal(r.burned, 0n);
  assert.equal(r.held, 0n);
  assert.equal(r.holdsInProgress, 0);
  assert.equal(r.accountsInUse, accountsN);
  let sum = 0n;
  for (const a of accounts) sum += l.balance(a);
  assert.equal(sum, 8000n, 'no money created or lost');
  const total = res.reduce((t, x) => t + x.transfers + x.settled + x.voided, 0);
  assert.ok(total > 0, `workers did work: ${JSON.stringify(res)}`);
});

test('workers can block; every worker shares the one memory', async () => {
  assert.deepEqual(await run([{ role: 'canBlock' }, { role: 'canBlock' }]), [true, true]);
});
