// What each browser test must have returned (web/pages/tests.mjs): exact counts, asserted in Node.
import assert from 'node:assert/strict';

/** Tests on the cross-origin-isolated server, by name. `(result, browserName)`. */
export const CHECKS = {
  isolation(r) {
    assert.equal(r.crossOriginIsolated, true, 'crossOriginIsolated');
    assert.equal(r.sharedArrayBuffer, 'function', 'SharedArrayBuffer exists');
    assert.equal(r.setupError, null, 'the module loads');
    assert.equal(r.memoryShared, true, 'the memory is a SharedArrayBuffer');
    assert.equal(r.postError, null, 'a shared memory can be posted to a worker');
  },

  mpsc(r) {
    assert.deepEqual(r.sent, [r.n, r.n], 'each producer sent n');
    assert.equal(r.got, 2 * r.n, 'every message exactly once (length, checksum and bytes checked per message)');
    assert.deepEqual(r.perTag, { 10: r.n, 11: r.n }, 'each producer\'s messages all arrived');
    assert.equal(r.outOfOrder, 0, 'each producer\'s messages in its order');
    assert.equal(r.extra, false, 'nothing after the last message');
    assert.equal(r.ringKind, 'mpsc');
    assert.ok(r.asyncWaits >= 1, 'the main thread awaited Atomics.waitAsync at least once');
    assert.ok(r.heartbeatTicks >= 1, 'the main thread kept running tasks while consuming');
  },

  rustMpsc(r) {
    assert.deepEqual(r.sent, [r.n, r.n], 'the Rust worker and the JS worker each sent n');
    assert.equal(r.got, 2 * r.n, 'every message exactly once (length, checksum and bytes checked per message)');
    assert.deepEqual(r.perTag, { 10: r.n, 11: r.n }, 'each producer\'s messages all arrived');
    assert.equal(r.outOfOrder, 0, 'each producer\'s messages in its order');
    assert.equal(r.extra, false, 'nothing after the last message');
    assert.equal(r.rustWorkerCanBlock, true, 'a worker may block');
    assert.equal(r.mainCanBlock, false, 'the main thread may not');
    assert.ok(r.awaitedEmpty >= 1, 'the main thread awaited popAsync on an empty ring');
    assert.ok(r.heartbeatTicks >= 1, 'the main thread kept running tasks while consuming');
  },

  rustMainThread(r, browser) {
    assert.equal(r.canBlock, false, 'canBlock() is false on the main thread');
    if (browser === 'chromium') assert.equal(r.atomicsWait.threw, true, `Atomics.wait on main: ${JSON.stringify(r.atomicsWait)}`);
    assert.ok(r.filled >= 1, 'the small ring was filled');
    for (const k of ['epochWait', 'popWait', 'pushWait', 'rustLoop']) {
      assert.equal(r[k].threw, true, `${k} refused on the main thread: ${JSON.stringify(r[k])}`);
      assert.equal(r[k].inosError, true, `${k}: an InosError: ${JSON.stringify(r[k])}`);
      assert.equal(r[k].name, 'InosError', k);
      assert.equal(r[k].code, 'WouldBlock', `${k}: ${JSON.stringify(r[k])}`);
    }
    assert.deepEqual([r.tryPopEmpty.threw, r.tryPopEmpty.value], [false, 'undefined'], 'tryPop on an empty ring');
    assert.deepEqual([r.tryPushFull.threw, r.tryPushFull.value], [false, false], 'tryPush on a full ring');
    assert.deepEqual([r.epochLoad.threw, r.epochLoad.value], [false, 0], 'Epoch.load');
    assert.equal(r.waitAsyncTimeout, 'undefined', 'waitAsync resolves undefined on a timeout');
    assert.equal(r.waitAsyncWoken, '1', 'waitAsync resolves with the value a worker signalled');
    assert.deepEqual(r.signaller, { signalled: 1, canBlock: true }, 'the worker blocked on go, then signalled');
  },

  epochs(r) {
    assert.equal(r.pingerSaw, r.rounds);
    assert.equal(r.pongerSaw, r.rounds);
    assert.equal(r.pingerInOrder, true, 'the wasm worker saw 1..rounds');
    assert.equal(r.pongerInOrder, true, 'the JS worker saw 1..rounds');
    assert.equal(r.pingFinal, r.rounds);
    assert.equal(r.pongFinal, r.rounds);
    assert.ok(r.pongerBlocked >= 1, 'the JS worker really slept in Atomics.wait');
    assert.ok(r.heartbeatTicks >= 1, 'the main thread kept running');
  },

  mainThread(r, browser) {
    // The platform: Chromium throws on Atomics.wait on the main thread. Firefox lets a wasm
    // wait instruction block there (browser-route.md pitfall 2); its plain Atomics.wait is
    // reported, and our own API is what the test relies on in both browsers.
    if (browser === 'chromium') assert.equal(r.atomicsWait.threw, true, `Atomics.wait on main: ${JSON.stringify(r.atomicsWait)}`);
    for (const k of ['epochWaitChanged', 'ringPopWait', 'rawExport', 'rawRingWait']) {
      assert.equal(r[k].threw, true, `${k} refused on the main thread: ${JSON.stringify(r[k])}`);
      assert.equal(r[k].name, 'MainThreadError', `${k}: ${JSON.stringify(r[k])}`);
    }
    assert.equal(r.handleAfterRawWait, r.status.BUSY, 'a raw wait export refused mid-call leaves its handle checked out (documented)');
    assert.equal(r.referenceWait.threw, r.atomicsWait.threw, 'the reference wait is a plain Atomics.wait');
    assert.equal(r.nonBlockingPop.threw, false, 'non-blocking calls work on the main thread');
    assert.equal(r.nonBlockingPop.value, null, 'an empty ring pops nothing');
    assert.equal(r.waitAsync.value, 'timed-out', 'Atomics.waitAsync on the main thread resolves');
  },

  ledger(r) {
    assert.equal(r.workers.length, 3);
    const [w1, w2, js] = r.workers;
    for (const w of [w1, w2]) {
      assert.ok(w.transfers > 0 && w.settled > 0 && w.voided > 0, JSON.stringify(w));
      assert.equal(w.lostRace, w.holds, 'a resolved hold can never be resolved again');
    }
    assert.ok(js.transfers > 0, 'the JS reference party transferred');
    assert.equal(r.audit.ok, true, `audit: ${JSON.stringify(r.audit)}`);
    for (const a of [r.audit, r.referenceAudit]) {
      assert.equal(String(a.minted), String(r.minted));
      assert.equal(String(a.balance), String(r.minted), 'Σ balance = minted');
      assert.equal(String(a.burned), '0');
      assert.equal(String(a.held), '0');
      assert.equal(String(a.pending), '0');
      assert.equal(a.holdsInProgress, 0);
      assert.equal(a.accountsInUse, r.accounts);
    }
    assert.equal(r.referenceAudit.balanced, true, 'the JS reference audit balances too');
    assert.equal(String(r.sumOfBalances), String(r.minted), 'every transfer conserved money');
    assert.equal(r.negativeBalances, 0);
    assert.equal(r.overdraft, true, 'an overdraft is a typed refusal');
    assert.ok(r.heartbeatTicks >= 1);
  },
};

/** Tests on the server WITHOUT the isolation headers: must fail, cleanly. */
export const PLAIN_CHECKS = {
  isolation(r) {
    assert.equal(r.crossOriginIsolated, false, 'not isolated without COOP/COEP');
    assert.equal(r.sharedArrayBuffer, 'undefined', 'no SharedArrayBuffer without COOP/COEP');
    assert.equal(r.setupErrorName, 'IsolationError', `the loader refuses with a clear error: ${r.setupError}`);
    assert.match(r.setupError, /not cross-origin isolated/);
    assert.notEqual(r.postError, null, 'the platform refuses to share a memory too');
  },
};

/** The example page's final state (examples/web). */
export function checkExample(r) {
  assert.equal(r.crossOriginIsolated, true);
  assert.ok(r.framesRendered >= 10, `frames rendered: ${r.framesRendered}`);
  assert.equal(r.jobsProcessed, r.jobsDispatched, 'every job dispatched was processed');
  assert.ok(r.jobsProcessed > 0);
  assert.equal(r.auditBalanced, true, 'the credit audit balances');
  assert.equal(r.settled, r.jobsProcessed, 'one settlement per job');
  assert.ok(r.nonBackgroundPixels > 0, 'the canvas shows particles');
  // The Rust step (examples/web-module `stepParticles`) computed the frames in the shared region.
  assert.ok(r.particlesMoved >= r.particles * 0.9, `particles moved from frame 0: ${r.particlesMoved} of ${r.particles}`);
  assert.equal(r.particlesInside, r.particles, 'every particle inside the unit square');
}
