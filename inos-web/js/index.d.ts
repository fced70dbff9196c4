export {
  allocRegion, regionCount, canBlock, sharedMemory, compiledModule,
  Ring, RingProducer, RingConsumer, Epoch, Ledger, AuditReport,
} from './inos_web.js';
export { InosError, InosErrorCode } from './errors.js';
export { spawnWorkers, workerInit, onMessage, SpawnOptions, WorkerContext, AnyWorker } from './workers.js';
export { default, default as init, InitOptions } from './init.js';
