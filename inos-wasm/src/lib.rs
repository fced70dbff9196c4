//! # inos-wasm
//!
//! The inos protocol crates ([`inos_layout`], [`inos_epoch`], [`inos_ring`], [`inos_ledger`],
//! [`inos_arena`]) bound to a real `SharedArrayBuffer`: a `no_std` wasm module whose linear memory
//! **is** the shared region, instantiated once per worker thread on one shared
//! `WebAssembly.Memory`, with a small JS loader (`js/inos.mjs`) and a pure-JS reference party
//! (`js/reference.mjs`).
//!
//! ## The ABI
//! Plain `extern "C"` functions: integer addresses in, integers out. In the wasm module an
//! address is an offset into linear memory, so the host computes `base + offset` itself. Results
//! are `0`/non-negative on success and a negative [`status`] code on failure; calls that return a
//! `u32` value or money return `i64` (a JS `BigInt`). Money and hold ids are `i64` parameters
//! (`BigInt`). Timeouts are `u32` milliseconds, `u32::MAX` (`-1` from JS) meaning none.
//!
//! | Export | Arguments | Returns |
//! |---|---|---|
//! | [`inos_abi_version`] | | [`ABI_VERSION`] |
//! | [`inos_standard_min_size`] | | smallest standard region |
//! | [`inos_format_standard`] | base, len | 0 formatted / 1 attached / status |
//! | [`inos_attach_standard`] | base, len | boot generation / status |
//! | [`inos_region_find`] | base, len, name_ptr, name_len, out(12 B) | status; out = offset, size, kind |
//! | [`inos_epoch_load`] | slot addr | `i64` value / status |
//! | [`inos_epoch_signal`] | slot addr | `i64` new value / status |
//! | [`inos_epoch_wait_changed`] | slot addr, last_seen, timeout_ms | `i64` value / status |
//! | [`inos_ring_required_len`] | capacity | bytes / status |
//! | [`inos_ring_init`] | addr, len, capacity, kind (1 SPSC, 2 MPSC) | status |
//! | [`inos_ring_init_fixed`] | addr, len, capacity, message_size (a fixed-size SPSC ring) | status |
//! | [`inos_ring_producer`] / [`inos_ring_consumer`] | addr, len | handle (> 0) / status |
//! | [`inos_ring_push`] / [`inos_ring_push_wait`] | handle, src, len (, timeout_ms) | status |
//! | [`inos_ring_pop`] / [`inos_ring_pop_wait`] | handle, dst, cap (, timeout_ms) | length / status |
//! | [`inos_ring_close`] | handle | status |
//! | [`inos_ledger_init`] | addr, len, accounts, holds | status |
//! | [`inos_ledger_open`] | addr, len | account index / status |
//! | [`inos_ledger_mint`] | addr, len, account, amount | status |
//! | [`inos_ledger_transfer`] | addr, len, from, to, amount | status |
//! | [`inos_ledger_hold`] | addr, len, payer, amount, out(8 B) | status; out = hold id |
//! | [`inos_ledger_settle`] | addr, len, hold, payee, amount | status |
//! | [`inos_ledger_void`] | addr, len, hold | status |
//! | [`inos_ledger_balance`] | addr, len, account | `i64` balance / status |
//! | [`inos_ledger_audit`] | addr, len, out(64 B) | 0 balanced / [`status::UNBALANCED`] / status |
//! | [`inos_arena_required_len`] | chunk_shift, chunks | `i64` bytes / status |
//! | [`inos_arena_init`] | addr, len, chunk_shift, chunks (0: as many as fit) | chunk count / status |
//! | [`inos_arena_attach`] | addr, len | chunk count / status |
//! | [`inos_arena_alloc`] | addr, len, party, size, out(16 B) | status; out = block reference |
//! | [`inos_arena_validate`] | addr, len, ref(16 B) | status |
//! | [`inos_arena_send`] / [`inos_arena_free`] / [`inos_arena_release`] | addr, len, party, ref | status |
//! | [`inos_arena_open`] | addr, len, party, ref | 0 exclusive / 1 shared / status |
//! | [`inos_arena_share`] | addr, len, party, ref, refs | status |
//! | [`inos_arena_write`] / [`inos_arena_read`] | addr, len, ref, at, src / dst, n | status |
//! | [`inos_arena_reclaim`] | addr, len, party | blocks given back / status |
//! | [`inos_arena_stats`] | addr, len, out(48 B) | status; out = [`ARENA_STATS_LEN`] bytes |
//!
//! The module also exports `memory` (imported, shared), `__heap_base` and `__stack_pointer`, and
//! imports `inos_env.wait32(addr, expected, timeout_ns: i64) -> i32` and
//! `inos_env.notify(addr, count) -> u32` (`Atomics.wait` / `Atomics.notify`, provided by the
//! loader; see `inos_epoch::park`).
//!
//! The same functions are ordinary Rust functions on the host (that is how this crate's tests and
//! doc examples run them); the `raw-exports` feature adds `#[no_mangle]` and the panic handler
//! for the `.wasm` build.
//!
//! ## Memory plan (who owns which bytes)
//! `0 .. __heap_base`: the module's main shadow stack and statics (including the ring-handle
//! table), never handed out. Above it the loader places one **slot per worker**: a private shadow
//! stack (each instance sets its own `__stack_pointer`, because every instance starts with the
//! same one) and a private scratch buffer for message bytes. Above the slots, 64 KiB-aligned, the
//! protocol region. Every address an export receives is checked: non-null, at or above
//! `__heap_base`, inside the current memory, aligned; a caller-private buffer (scratch, name,
//! `out`) that overlaps the protocol region the call works on, a protocol region the module was
//! handed before, or the module's stack and statics gets [`status::OVERLAP`].
//!
//! ## Why raw exports and not wasm-bindgen
//! The ABI is integer offsets in and integers out, which needs no glue; wasm-bindgen with shared
//! memory needs nightly `-Z build-std` (its stable prebuilt-std build aborts at start-up) and a
//! CLI that takes about four minutes to install and must match the crate version exactly. This
//! route builds on stable for `wasm32-wasip1-threads`, whose prebuilt `core` already has atomics,
//! in seconds:
//!
//! ```text
//! cargo rustc -p inos-wasm --release --target wasm32-wasip1-threads --features raw-exports \
//!   --crate-type cdylib -- -C link-arg=--export=__heap_base -C link-arg=--export=__stack_pointer
//! ```
//!
//! (`inos-wasm/run-tests.sh` runs exactly this, then the Node tests.)
//!
//! ```
//! // The exports are plain functions on the host too:
//! let buf = inos_layout::RegionBuf::new(512 + 256).unwrap();
//! let ring = buf.region().u32_at(0).unwrap().as_ptr() as usize;
//! let mut out = [0u8; 8];
//! // Sound: the buffer is only accessed through the protocol; `out` is private.
//! unsafe {
//!     assert_eq!(inos_wasm::inos_ring_init(ring, 768, 256, 2), inos_wasm::status::OK);
//!     let p = inos_wasm::inos_ring_producer(ring, 768);
//!     let c = inos_wasm::inos_ring_consumer(ring, 768);
//!     assert_eq!(inos_wasm::inos_ring_push(p, b"ping".as_ptr() as usize, 4), 0);
//!     assert_eq!(inos_wasm::inos_ring_pop(c, out.as_mut_ptr() as usize, 8), 4);
//!     inos_wasm::inos_ring_close(p);
//!     inos_wasm::inos_ring_close(c);
//! }
//! assert_eq!(&out[..4], b"ping");
//! ```
#![no_std]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod arena_abi;
mod epoch_abi;
mod handles;
mod layout_abi;
mod ledger_abi;
mod mem;
mod ring_abi;
pub mod status;
mod wait;

pub use arena_abi::{
    inos_arena_alloc, inos_arena_attach, inos_arena_free, inos_arena_init, inos_arena_open,
    inos_arena_read, inos_arena_reclaim, inos_arena_release, inos_arena_required_len,
    inos_arena_send, inos_arena_share, inos_arena_stats, inos_arena_validate, inos_arena_write,
    ARENA_STATS_LEN, BLOCK_REF_LEN,
};
pub use epoch_abi::{inos_epoch_load, inos_epoch_signal, inos_epoch_wait_changed};
pub use layout_abi::{
    inos_abi_version, inos_attach_standard, inos_format_standard, inos_region_find,
    inos_standard_min_size, ABI_VERSION, STANDARD_LEDGER_ACCOUNTS, STANDARD_LEDGER_HOLDS,
};
pub use ledger_abi::{
    inos_ledger_audit, inos_ledger_balance, inos_ledger_hold, inos_ledger_init, inos_ledger_mint,
    inos_ledger_open, inos_ledger_settle, inos_ledger_transfer, inos_ledger_void, AUDIT_REPORT_LEN,
};
pub use ring_abi::{
    inos_ring_close, inos_ring_consumer, inos_ring_init, inos_ring_init_fixed, inos_ring_pop,
    inos_ring_pop_wait, inos_ring_producer, inos_ring_push, inos_ring_push_wait,
    inos_ring_required_len, MAX_RING_HANDLES,
};
pub use wait::FOREVER;

/// A panic in the module traps (`unreachable`): the calling worker's JS sees a `RuntimeError`.
/// Only in the `.wasm` build; library users bring their own handler (or `std`).
#[cfg(all(target_arch = "wasm32", feature = "raw-exports"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
