// inos-web: the inos protocol crates as a wasm-bindgen module. See README.md.
export {
  allocRegion, regionCount, canBlock, sharedMemory, compiledModule,
  Ring, RingProducer, RingConsumer, Epoch, Ledger, AuditReport,
} from './inos_web.js';
export { InosError } from './errors.js';
export { spawnWorkers, workerInit, onMessage } from './workers.js';
export { default, default as init } from './init.js';
