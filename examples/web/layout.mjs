// Where the example keeps its state in its arena, a region of the module's shared memory from
// `allocRegion` (byte offsets from the arena). Shared by the page (examples/web/main.mjs) and
// its workers (examples/web/worker.mjs).

export const LAYOUT = Object.freeze({
  FRAME_EPOCH: 0, // epoch slot: the number of the newest complete frame
  DRAWN: 16, // u32: the newest frame the main thread has drawn (the kernel waits on it)
  STOP: 20, // u32: non-zero asks the kernel to stop
  RINGS: 4096, // the done ring, then one job ring per module, each at a 4 KiB boundary
  STATE: 0x10000, // two particle buffers (double-buffered frames), 16 bytes per particle
});
/** Bytes of the arena for `particles` particles. */
export const arenaLen = (particles) => LAYOUT.STATE + 2 * particles * 16;
export const JOB_LEN = 24; // [frame u32][start u32][count u32][job u32][credit hold id u64]
export const DONE_LEN = 12; // [frame u32][job u32][module u32]
export const STOP = 0xffffffff; // a job whose frame is STOP ends a module

/** The x, y, vx, vy (f32) of every particle in buffer `b` (frame f lives in buffer f % 2). */
export const stateView = (sab, arena, b, particles) => new Float32Array(sab, arena + LAYOUT.STATE + b * particles * 16, particles * 4);

/** Ring addresses for `modules` job rings and one done ring; `requiredLen(cap)` from the module. */
export function ringPlan(arena, modules, requiredLen) {
  const up = (n) => Math.ceil(n / 4096) * 4096;
  let at = arena + LAYOUT.RINGS;
  const ring = (cap) => {
    const r = { addr: at, len: requiredLen(cap), cap };
    at += up(r.len);
    return r;
  };
  const doneRing = ring(8192);
  const jobRings = Array.from({ length: modules }, () => ring(4096));
  if (at > arena + LAYOUT.STATE) throw new Error('too many modules for the ring area');
  return { doneRing, jobRings };
}
