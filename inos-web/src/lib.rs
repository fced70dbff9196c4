//! # inos-web
//!
//! The inos protocol crates ([`inos_layout`], [`inos_epoch`], [`inos_ring`], [`inos_ledger`]) as
//! a **wasm-bindgen** module with a typed JS/TS API, for browsers and Node: the protocol regions
//! are byte ranges of the module's own shared memory (`WebAssembly.Memory({shared: true})`, whose
//! buffer is a `SharedArrayBuffer`), so JS, Rust and every worker read and write the same bytes
//! with no copies.
//!
//! The package (`inos-web/build.sh` → `target/inos-web/pkg`) is an ES module with TypeScript
//! declarations; its README shows the JS side. The Rust side of each JS call:
//!
//! | JS | Rust |
//! |---|---|
//! | `allocRegion(len)` | a zeroed, 64-byte-aligned allocation that lives for the program; its offset. Only such ranges are accepted as regions |
//! | `Ring.init` / `Ring.producer` / `Ring.consumer` | [`inos_ring::Ring`] over `offset..offset+len` |
//! | `RingProducer.tryPush` / `pushWait` | [`inos_ring::Producer::try_push`], blocking with the ring's wake handshake |
//! | `RingConsumer.tryPop` / `popWait` / `popAsync` / `peek` + `release` | [`inos_ring::Consumer::try_pop`] / [`read`](inos_ring::Consumer::read) + [`skip`](inos_ring::Consumer::skip) |
//! | `Epoch` `load` / `signal` / `wait` / `waitAsync` | [`inos_epoch::Epoch`], `inos_epoch::park::WorkerPark`, `inos_epoch::park::wait_changed_async` (wasm32 only) |
//! | `Ledger` | [`inos_ledger::Ledger`] and its audit |
//!
//! Every failure is thrown as the JS class `InosError` (`js/errors.js`) with a `code` string, never
//! a trap: offsets and lengths are checked against the allocated regions, closed handles and
//! detached buffers are refused, blocking calls on a thread that may not block (the browser main
//! thread) throw `WouldBlock` before waiting.
//!
//! Off wasm32 the crate compiles (so the workspace builds everywhere) but its functions are only
//! meaningful inside the module.
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod epoch;
mod error;
mod ledger;
mod region;
mod ring;
mod wait;

pub use epoch::Epoch;
pub use error::{inos_error, Code};
pub use ledger::{AuditReport, Ledger};
pub use region::{alloc_region, region_count, shared_region, MAX_REGIONS};
pub use ring::{Ring, RingConsumer, RingProducer};
pub use wait::can_block;

use wasm_bindgen::prelude::*;

/// The module's shared `WebAssembly.Memory` (hand it to workers; `spawnWorkers` does).
#[wasm_bindgen(js_name = sharedMemory, unchecked_return_type = "WebAssembly.Memory")]
pub fn shared_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// The compiled `WebAssembly.Module` (hand it to workers; `spawnWorkers` does).
#[wasm_bindgen(js_name = compiledModule, unchecked_return_type = "WebAssembly.Module")]
pub fn wasm_module() -> JsValue {
    wasm_bindgen::module()
}
