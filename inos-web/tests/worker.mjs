// Worker for package.test.mjs: started by spawnWorkers(), one role per worker (data.role).
import { workerInit, Ring, Epoch, Ledger, canBlock } from 'inos-web';

const ctx = await workerInit();
const d = ctx.data;

const roles = {
  // A Rust ring producer (the module's RingProducer) pushing `count` tagged messages, blocking
  // while the ring is full.
  produce() {
    const p = Ring.producer(d.ring, d.ringLen);
    const msg = new Uint8Array(d.size);
    for (let i = 0; i < d.count; i++) {
      new DataView(msg.buffer).setUint32(0, ctx.index, true);
      new DataView(msg.buffer).setUint32(4, i, true);
      if (!p.pushWait(msg, 10_000)) throw new Error(`push ${i} timed out`);
    }
    p.close();
    return d.count;
  },
  // Worker ↔ worker ping-pong on two epochs: `ping` waits on `a` and signals `b`, or the other
  // way round; every round is a real wake-up (the peer does not signal before it was woken).
  pingpong() {
    const mine = new Epoch(d.wait), theirs = new Epoch(d.signal);
    let seen = 0, woken = 0; // both epochs start at 0 (fresh region)
    for (let r = 0; r < d.rounds; r++) {
      if (d.first && r === 0) theirs.signal();
      const v = mine.wait(seen, 10_000);
      if (v === undefined) throw new Error(`round ${r} timed out`);
      seen = v; woken++;
      if (!(d.first && r === d.rounds - 1)) theirs.signal();
    }
    return woken;
  },
  // Transfers between random accounts, and holds settled or voided; counts what succeeded.
  ledger() {
    const l = Ledger.attach(d.ledger, d.ledgerLen);
    let transfers = 0, refused = 0, settled = 0, voided = 0, seed = ctx.index * 7919 + 1;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 16) % n; };
    for (let i = 0; i < d.ops; i++) {
      const a = d.accounts[rnd(d.accounts.length)], b = d.accounts[rnd(d.accounts.length)];
      const amount = BigInt(1 + rnd(50));
      try {
        if (i % 5 === 4) {
          const h = l.hold(a, amount);
          if (rnd(2)) { l.settle(h, b, (amount + 1n) / 2n); settled++; }
          else { l.void(h); voided++; }
        } else if (a !== b) {
          l.transfer(a, b, amount); transfers++;
        }
      } catch (e) {
        if (e.name !== 'InosError' || !['InsufficientFunds', 'SameAccount'].includes(e.code)) throw e;
        refused++;
      }
    }
    return { transfers, refused, settled, voided };
  },
  // Signals an epoch after the main thread started awaiting it.
  signalLater() {
    const e = new Epoch(d.epoch);
    const go = new Epoch(d.go);
    if (go.wait(d.goSeen, 10_000) === undefined) throw new Error('go timed out');
    return e.signal();
  },
  canBlock() {
    return canBlock();
  },
};

try {
  ctx.post({ ok: true, result: roles[d.role]() });
} catch (e) {
  ctx.post({ ok: false, error: String((e && e.stack) || e), code: e && e.code });
}
