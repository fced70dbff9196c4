//! # inos-arena
//!
//! A lock-free allocator over a shared byte region (a `SharedArrayBuffer`, an `mmap`, wasm linear
//! memory), so that a Go kernel, Rust/wasm modules and a JavaScript host hand each other large
//! data by reference instead of copying it through a ring. The wire format is specified in
//! `docs/protocol/arena.md`; [`layout`] holds its constants.
//!
//! - **Allocation** ([`Arena::alloc`]): the region is a header, a table of chunk descriptors and
//!   equal chunks (64 KiB by default). A chunk is bound to a power-of-two size class (64 B up to
//!   half a chunk; internal fragmentation under 2×) by a compare-and-swap on its state word, which
//!   also counts its blocks; blocks are claimed by a compare-and-swap in the chunk's bitmap.
//!   Longer blocks take runs of whole chunks, claimed one by one and rolled back on failure.
//!   There are no pointers in shared memory, so no ABA; an empty chunk goes back to any class or
//!   run by a compare-and-swap from `(class, 0)`, which an allocator that counted itself in first
//!   makes fail. [`Error::OutOfMemory`] rolls back every claim: no leaked or overlapping range.
//! - **Handles that are safe to send** ([`BlockRef`]: offset, length, generation; 16 bytes,
//!   `zerocopy` and `bytemuck`): every block has a 64-bit block word (generation, reference count,
//!   flags, owner party). [`Block::into_ref`] gives a block up and marks it in transit; exactly one
//!   [`Arena::open`] takes it. A stale or forged ref is a typed [`Error`], never an access
//!   outside its block.
//! - **Shared ownership** ([`Block::share`]): one-to-many hand-off with a reference count; the
//!   last release frees.
//! - **Dead owners** ([`Arena::reclaim_party`]): every exclusive block records its owner's
//!   [`PartyId`](inos_ring::PartyId); a supervisor frees all blocks of a party that died.
//! - **Typed access in place** ([`Block::bytes`]: an [`inos_layout::Bytes`] view; word copies;
//!   `bytemuck::Pod` and `zerocopy` values), and [`Arena::stats`].
//! - **Hostile memory**: every word read from the region is validated, and every loop is bounded
//!   by the table sizes; bad bytes give typed errors, never a panic, an out-of-region access or an
//!   unbounded loop.
//!
//! ```
//! use inos_arena::{required_len, Arena};
//! use inos_layout::RegionBuf;
//!
//! let buf = RegionBuf::new(required_len(16, 96).unwrap()).unwrap(); // 6 MiB of chunks
//! let arena = Arena::init(buf.region(), 16).unwrap();
//! std::thread::scope(|s| {
//!     let (tx, rx) = std::sync::mpsc::channel(); // stands for an inos ring
//!     s.spawn(move || {
//!         let frame = arena.alloc(5 << 20).unwrap(); // 5 MiB
//!         frame.bytes().fill(7);
//!         tx.send(frame.into_ref().unwrap()).unwrap(); // 16 bytes travel, not 5 MiB
//!     });
//!     let frame = arena.open(rx.recv().unwrap()).unwrap();
//!     assert_eq!(frame.bytes().get(5 << 19), Some(7)); // read in place
//! });
//! assert_eq!(arena.stats().bytes_in_use, 0); // the receiver's drop freed it
//! ```
//!
//! ## Targets
//! Block words are 64-bit atomics, so the crate builds only where they are lock-free
//! (`target_has_atomic = "64"`) or under `cfg(loom)`.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(not(any(target_has_atomic = "64", loom)))]
compile_error!("inos-arena needs lock-free 64-bit atomics (block words are u64)");

mod arena;
mod block;
mod error;
pub mod layout;
mod owned;
mod stats;

pub use arena::Arena;
pub use block::{Block, BlockRef};
pub use error::{Error, ERROR_CODES};
pub use layout::{chunks_for, region_size, required_len, Geometry, REGION_ALIGN};
pub use stats::{ClassStats, Stats};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
