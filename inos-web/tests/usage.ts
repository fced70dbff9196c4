// Type-checked with `tsc --noEmit --strict` against the built package's declarations
// (inos-web/run-tests.sh); never run. It shows a TS host's use of the whole API.
import init, {
  allocRegion, canBlock, sharedMemory, Ring, RingProducer, RingConsumer, Epoch, Ledger, AuditReport,
  InosError, spawnWorkers, onMessage, type InosErrorCode, type AnyWorker,
} from 'inos-web';
import { workerInit, type WorkerContext } from 'inos-web/worker';

export async function host(): Promise<void> {
  await init();
  const shared: SharedArrayBuffer | ArrayBuffer = sharedMemory().buffer;
  const len: number = Ring.requiredLength(4096);
  const at: number = allocRegion(len);
  Ring.init(at, len, 4096, 'mpsc');
  const c: RingConsumer = Ring.consumer(at, len);
  const msg: Uint8Array | undefined = await c.popAsync(100);
  const view: Uint8Array | undefined = c.peek();
  if (view) c.release();
  const p: RingProducer = Ring.producer(at, len);
  const ok: boolean = p.tryPush(new Uint8Array([1, 2, 3]));
  const fixedAt: number = allocRegion(len);
  Ring.initFixed(fixedAt, len, 4096, 16); // every message 16 bytes
  const fp: RingProducer = Ring.producer(fixedAt, len);
  const fixedOk: boolean = fp.tryPush(new Uint8Array(16));
  void fixedOk;
  const e = new Epoch(allocRegion(8));
  const v: number = e.signal();
  const next: number | undefined = await e.waitAsync(v, 1000);
  if (canBlock()) {
    const w: number | undefined = e.wait(v, 10);
    void w;
  }
  const l: Ledger = Ledger.init(allocRegion(Ledger.requiredLength(4, 4)), Ledger.requiredLength(4, 4), 4, 4);
  const a: number = l.open();
  l.mint(a, 10n);
  const hold: bigint = l.hold(a, 5n);
  l.void(hold);
  const bal: bigint = l.balance(a);
  const r: AuditReport = l.audit();
  const balanced: boolean = r.balanced;
  const minted: bigint = r.minted;
  try {
    p.tryPush(new Uint8Array(1 << 20));
  } catch (err) {
    if (err instanceof InosError) {
      const code: InosErrorCode = err.code;
      void code;
    }
  }
  const workers: AnyWorker[] = await spawnWorkers(new URL('./worker.js', import.meta.url), 4, {
    data: (i: number) => ({ ring: at, len, i }),
  });
  for (const w of workers) onMessage(w, (m: unknown) => void m);
  p.close();
  void [shared, msg, ok, next, bal, balanced, minted];
}

export async function worker(): Promise<void> {
  const ctx: WorkerContext<{ ring: number; len: number }> = await workerInit();
  const p = Ring.producer(ctx.data.ring, ctx.data.len);
  const sent: boolean = p.pushWait(new Uint8Array([ctx.index]), 1000);
  ctx.post({ sent });
}
