// Address and handle checks of the wasm exports (single thread, the main instance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { STATUS } from './inos.mjs';

test('a scratch buffer inside the protocol region or the statics is refused with OVERLAP', () => {
  const env = setup();
  const m = env.main;
  const outbox = m.region('outbox_host');
  const inbox = m.region('inbox');
  const p = m.ringProducer(outbox.addr, outbox.size);
  const c = m.ringConsumer(outbox.addr, outbox.size);
  // The call works on `outbox_host`, but `inbox` and the header are part of the protocol region
  // the module formatted: using their bytes as a message source or destination is refused.
  assert.equal(m.x.inos_ring_push(p, inbox.addr + 1024, 8), STATUS.OVERLAP);
  assert.equal(m.x.inos_ring_push(p, env.plan.regionBase + 16, 8), STATUS.OVERLAP);
  assert.equal(m.x.inos_ring_push(p, outbox.addr + 600, 8), STATUS.OVERLAP);
  // Below __heap_base: the module's own stack and statics (the ring-handle table).
  assert.equal(m.x.inos_ring_push(p, 1024, 8), STATUS.OVERLAP);
  // A destination that ends inside the region.
  assert.equal(m.x.inos_ring_pop(c, env.plan.regionBase - 8, 64), STATUS.OVERLAP);
  // The instance's own scratch buffer is fine, and nothing was pushed by the refused calls.
  assert.equal(m.pop(c), null);
  assert.equal(m.push(p, Uint8Array.of(1, 2, 3)), STATUS.OK);
  assert.deepEqual([...m.pop(c)], [1, 2, 3]);
  m.ringClose(p);
  m.ringClose(c);
});

test('a closed ring handle is refused after its slot is reused', () => {
  const env = setup();
  const m = env.main;
  const outbox = m.region('outbox_host');
  const c = m.ringConsumer(outbox.addr, outbox.size);
  const stale = m.ringProducer(outbox.addr, outbox.size);
  m.ringClose(stale);
  const p = m.ringProducer(outbox.addr, outbox.size);
  assert.notEqual(p, stale);
  m.u8.set([9], m.scratch);
  assert.equal(m.x.inos_ring_push(stale, m.scratch, 1), STATUS.BAD_HANDLE);
  assert.equal(m.x.inos_ring_close(stale), STATUS.BAD_HANDLE);
  assert.equal(m.pop(c), null);
  m.ringClose(p);
  m.ringClose(c);
});
