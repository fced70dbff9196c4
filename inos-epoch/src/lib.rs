//! # inos-epoch
//!
//! The "nervous system" of the INOS shared-memory protocol: epoch counters, flags and values in
//! shared memory, wait/notify that never loses a wake-up, seqlock snapshots and ping-pong frames.
//!
//! A writer mutates shared state, calls [`Epoch::signal`], and every party waiting on that epoch
//! wakes up: within nanoseconds if it was still spinning, within microseconds if it was parked in
//! the kernel. Idle parties burn no CPU, and a signal that nobody waits for costs one atomic
//! read-modify-write and one load, not a system call.
//!
//! ```
//! use inos_epoch::{Deadline, Epoch};
//! use inos_layout::RegionBuf;
//! use std::time::Duration;
//!
//! let buf = RegionBuf::new(64).unwrap();
//! let epoch = Epoch::new(buf.region(), 0).unwrap();
//! let mut watcher = epoch.watch();
//!
//! std::thread::scope(|s| {
//!     s.spawn(|| epoch.signal());
//!     // Blocks (spin, then park) until the signal lands; never misses it.
//!     let seen = watcher.wait_changed(Deadline::after(Duration::from_secs(10))).unwrap();
//!     assert_eq!(seen, 1);
//! });
//! ```
//!
//! ## What lives where
//! - [`Epoch`], [`Watcher`], [`is_newer`]: monotonic wrapping counters and the waiters on them.
//! - [`Flag`] and [`Value`]: one word, one meaning (INOS defect 20).
//! - [`Seqlock`]: consistent multi-word snapshots of a record with one writer.
//! - [`PingPong`]: a double-buffered frame whose readers never return a torn frame (defect 31).
//! - [`park`]: the waiting backends (Linux futex, in-process table, wasm `Atomics.wait`, spin) and
//!   the [`Park`] trait for your own.
//!
//! ## Slot format
//! Every waitable word is an 8-byte slot at an 8-aligned offset of a [`Region`]:
//! the little-endian `u32` at `+0` is the counter (or flag, or seqlock/ping-pong state) and the
//! `u32` at `+4` is the number of parties registered as sleeping on it. The full wire format is in
//! `docs/protocol/epoch.md`.
//!
//! ## Features
//! - `std` (default): futex waits on Linux (non-private, so they work across processes mapping the
//!   same memory), a process-local wait table elsewhere, and [`Deadline`]s measured with
//!   [`std::time::Instant`]. Without `std` (and outside wasm with atomics) waiting spins with
//!   backoff, or uses a [`Park`] you supply.
//! - `wasm-bindgen`: for crates built into a wasm-bindgen module with shared memory (wasm32 with
//!   `+atomics`): waits and wakes through `Atomics.wait` / `Atomics.notify` on
//!   `wasm_bindgen::memory()` instead of the `inos_env` import module, with a typed main-thread
//!   rule (`park::WorkerPark`, `park::WouldBlock`) and `park::wait_changed_async`
//!   (`Atomics.waitAsync` as a `Future`). No effect on other targets. (Use the crates without
//!   `std` there: `std::time::Instant` panics on `wasm32-unknown-unknown`.)
//!
//! [`Region`]: inos_layout::Region
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(test)]
mod assertions;
mod deadline;
mod epoch;
mod error;
mod flag;
mod order;
mod owned;
pub mod park;
mod pingpong;
mod seqlock;
mod size;
mod slot;
mod value;
mod watcher;

pub use deadline::Deadline;
pub use epoch::{Epoch, WithAggregate};
pub use error::{ReadError, TimedOut, WriteError};
pub use flag::Flag;
pub use order::{distance, is_newer};
pub use park::{DefaultPark, Park};
pub use pingpong::{Frame, PingPong, PingPongWriter};
pub use seqlock::{Seqlock, SeqlockWriter, Snapshot};
pub use size::{region_size, REGION_ALIGN};
pub use slot::SLOT_SIZE;
pub use value::Value;
pub use watcher::{Watcher, DEFAULT_SPINS};
