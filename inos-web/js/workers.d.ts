/** The part of a Node `worker_threads` Worker this package uses (no @types/node needed). */
export interface NodeWorkerLike {
  postMessage(value: unknown): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  terminate(): Promise<number>;
}
/** A Web Worker in browsers, a `worker_threads` Worker in Node. */
export type AnyWorker = Worker | NodeWorkerLike;

export interface SpawnOptions<D> {
  /** Per-worker data (a function of the index) or the same value for all; structured-cloned. */
  data?: D | ((index: number) => D);
  /** Worker name prefix (`name-0`, `name-1`, …). */
  name?: string;
  /** Browser only: `'module'` (default) or `'classic'`. */
  type?: 'module' | 'classic';
}

/**
 * Starts `count` workers running `url`, each instantiating this module on the **same**
 * `WebAssembly.Module` and shared memory (the worker script must call `workerInit()`); resolves
 * once every worker is ready. Calls `init()` first if needed.
 */
export declare function spawnWorkers<D = unknown>(
  url: string | URL, count: number, options?: SpawnOptions<D>): Promise<AnyWorker[]>;

export interface WorkerContext<D> {
  /** This worker's index (0-based). */
  readonly index: number;
  /** The `data` given to `spawnWorkers` for this worker. */
  readonly data: D;
  /** Posts a message to the parent. */
  post(value: unknown, transfer?: Transferable[]): void;
  /** Listens to the parent's later messages. */
  onMessage(handler: (data: any) => void): void;
}

/** In a worker started by `spawnWorkers`: instantiate the module on the shared memory. */
export declare function workerInit<D = unknown>(): Promise<WorkerContext<D>>;

/** Listens to a worker's messages (Web Worker or Node Worker alike). */
export declare function onMessage(worker: AnyWorker, handler: (data: any) => void): void;
