export interface InitOptions {
  /** The compiled module, its bytes, or its URL (default: `inos_web_bg.wasm` beside this file). */
  module?: WebAssembly.Module | BufferSource | URL | string | Response;
  /** A shared memory to instantiate on (workers); omitted on the main thread, which creates it. */
  memory?: WebAssembly.Memory;
}
/** Loads the module once per thread (later calls return the first load). */
export default function init(options?: InitOptions): Promise<unknown>;
