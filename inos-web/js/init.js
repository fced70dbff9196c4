// Loads the wasm module: on the main thread it creates the shared memory; in a worker it
// instantiates the same module on the memory the main thread sent (see workers.js).
import wbgInit from './inos_web.js';

let loaded;

export default async function init(options = {}) {
  if (loaded) return loaded;
  let { module, memory } = options;
  if (module === undefined) {
    const url = new URL('./inos_web_bg.wasm', import.meta.url);
    if (url.protocol === 'file:') {
      // Node: fetch() does not read file: URLs.
      const { readFile } = await import('node:fs/promises');
      module = await WebAssembly.compile(await readFile(url));
    } else {
      module = url;
    }
  }
  loaded = wbgInit({ module_or_path: module, memory });
  return loaded;
}
