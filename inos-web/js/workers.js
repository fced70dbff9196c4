// Starting N workers on the same module and memory, in browsers (Web Workers) and Node
// (worker_threads), with one protocol: the parent posts {inosInit: {module, memory, index, data}},
// the worker instantiates the module on that memory and answers {inosReady: index}.
import init from './init.js';
import { sharedMemory, compiledModule } from './inos_web.js';

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node) &&
  typeof self === 'undefined';

function listen(worker, handler) {
  if (typeof worker.on === 'function') worker.on('message', handler);
  else worker.addEventListener('message', (e) => handler(e.data));
}

// Workers started by spawnWorkers: messages that arrive before the caller's first onMessage()
// are queued, so a worker that reports before its siblings are ready loses nothing.
const mailboxes = new WeakMap();

/**
 * Calls `handler(data)` for every message `worker` (a Web Worker or a Node Worker) sends; for a
 * worker from spawnWorkers, first for the messages that arrived before this call.
 */
export function onMessage(worker, handler) {
  const box = mailboxes.get(worker);
  if (!box) return listen(worker, handler);
  box.handlers.push(handler);
  const queued = box.queue.splice(0);
  for (const d of queued) handler(d);
}

function onError(worker, handler) {
  if (typeof worker.on === 'function') worker.on('error', handler);
  else worker.addEventListener('error', (e) => handler(e.error || new Error(e.message)));
}

export async function spawnWorkers(url, count, options = {}) {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('count must be an integer ≥ 0');
  await init();
  const module = compiledModule();
  const mem = sharedMemory();
  const NodeWorker = isNode ? (await import('node:worker_threads')).Worker : null;
  const workers = [];
  const ready = [];
  for (let index = 0; index < count; index++) {
    const name = options.name ? `${options.name}-${index}` : undefined;
    const worker = NodeWorker
      ? new NodeWorker(url, { name })
      : new Worker(url, { type: options.type || 'module', name });
    const box = { queue: [], handlers: [] };
    mailboxes.set(worker, box);
    ready.push(new Promise((resolve, reject) => {
      listen(worker, (d) => {
        if (d && d.inosReady === index) return resolve();
        if (box.handlers.length === 0) box.queue.push(d);
        else for (const h of box.handlers) h(d);
      });
      onError(worker, reject);
    }));
    const data = typeof options.data === 'function' ? options.data(index) : options.data;
    worker.postMessage({ inosInit: { module, memory: mem, index, data } });
    workers.push(worker);
  }
  await Promise.all(ready);
  return workers;
}

export async function workerInit() {
  let port;
  if (isNode) {
    port = (await import('node:worker_threads')).parentPort;
    if (!port) throw new Error('workerInit() must run in a worker started by spawnWorkers()');
  } else {
    port = self;
  }
  const first = await new Promise((resolve) => {
    const handler = (d) => {
      if (d && d.inosInit) {
        if (port.off) port.off('message', handler);
        resolve(d.inosInit);
      }
    };
    if (port.on) port.on('message', handler);
    else port.addEventListener('message', function h(e) {
      if (e.data && e.data.inosInit) { port.removeEventListener('message', h); resolve(e.data.inosInit); }
    });
  });
  await init({ module: first.module, memory: first.memory });
  port.postMessage({ inosReady: first.index });
  return {
    index: first.index,
    data: first.data,
    post: (value, transfer) => port.postMessage(value, transfer),
    onMessage: (handler) => listen(port, handler),
  };
}
