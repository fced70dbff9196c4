//! # inos-layout
//!
//! The foundation of the INOS shared-memory protocol: one shared byte region (a JavaScript
//! `SharedArrayBuffer`, an `mmap`, wasm linear memory) in which a Go kernel, Rust/wasm modules and
//! a TypeScript host share state without copying.
//!
//! This crate provides:
//! - **The access layer.** [`Region`]: a `Send + Sync`, bounds- and alignment-checked handle to
//!   shared bytes. Every access is atomic (typed words or atomic byte copies through [`Bytes`]); no
//!   `&[u8]` is ever formed over bytes another party may write. Under `cfg(loom)` the same API is
//!   backed by loom's atomics, so the protocol crates (`inos-ring`, `inos-epoch`, `inos-ledger`)
//!   are model-checked as shipped. [`RegionBuf`] is an owned, zeroed, 128-byte-aligned region
//!   (`alloc`); [`sync`] holds the atomic types protocol code must use.
//! - **Region tables.** [`Layout`]: named regions (offset, size, alignment, [`RegionKind`]) checked
//!   for overlap, alignment and bounds, at compile time for `const` tables ([`Layout::checked`],
//!   [`LayoutBuilder::build_checked`]) or at run time with a typed [`LayoutError`]; a
//!   [fingerprint](Layout::fingerprint) of the table.
//! - **The header.** A self-describing [`header`] at offset 0 (magic, version, sizes, feature bits,
//!   fingerprint, init state, boot generation) and a region directory after it.
//!   [`create`] / [`create_or_attach`] format a region (exactly one party wins), [`attach`] /
//!   [`attach_any`] validate one and return an [`Attachment`] that hands out typed sub-regions,
//!   or a typed [`AttachError`]; they never panic, read out of bounds or allocate, whatever the
//!   bytes.
//! - **The standard INOS layout** ([`standard`]): the seed's memory map for the 32, 64 (default),
//!   128 and 256 MiB tiers, made consistent, and the typed table of epoch slots.
//! - **Exports** ([`export`], `alloc`): JSON, TypeScript and Go constants and the spec's tables,
//!   generated from these definitions (`cargo run -p inos-export`).
//! - **Owning the memory** (`alloc`): [`SharedRegion`], a reference-counted owner of the bytes
//!   (a [`RegionBuf`], a shared-memory file, any [`RegionOwner`]), and [`Owned<T>`](Owned), a
//!   handle built on a region (an [`Attachment`], a ring producer or consumer, an epoch, a
//!   ledger: every type implementing [`Dependent`]) stored together with the region it borrows,
//!   so that a struct can own both, soundly and without `unsafe`.
//! - **Shared-memory files** (`shm`): `shm::ShmRegion` creates or opens a region file in
//!   `/dev/shm` (or at any path) and maps it for every process that opens it.
//!
//! ```
//! use inos_layout::standard::{epochs, StandardRegion, DEFAULT};
//! use inos_layout::{attach, create_or_attach, sync::Ordering, RegionBuf, Role, WaitPolicy};
//!
//! // The kernel creates (or, if someone beat it to it, attaches to) the shared region.
//! let buf = RegionBuf::new(DEFAULT.total_size() as usize).unwrap();
//! let (kernel, role) = create_or_attach(buf.region(), &DEFAULT, WaitPolicy::default()).unwrap();
//! assert_eq!(role, Role::Formatted);
//!
//! // A module attaches: the header, version and layout fingerprint are checked first.
//! let module = attach(buf.region(), &DEFAULT, WaitPolicy::default()).unwrap();
//! let inbox = module.get(StandardRegion::Inbox).unwrap();
//! inbox.write(0, b"job").unwrap();
//!
//! // Epoch slots are plain words at fixed offsets (inos-epoch adds wait/notify on top).
//! let word = kernel.region().u32_at(epochs::INBOX.offset()).unwrap();
//! word.fetch_add(1, Ordering::Release);
//! assert_eq!(module.region().u32_at(epochs::INBOX.offset()).unwrap().load(Ordering::Acquire), 1);
//! ```
//!
//! ## Features
//! - `std` (default): implies `alloc`; time-based waits ([`WaitPolicy::timeout`]). (The error
//!   types implement `core::error::Error` with or without it.)
//! - `alloc`: [`RegionBuf`] and [`export`].
//! - `portable-atomic`: 64-bit atomics from portable-atomic (lock-free only) where `core` lacks them.
//! - `shm` (off by default): implies `std`; `shm::ShmRegion`, regions in shared-memory files
//!   mapped with `memmap2`.
//!
//! Without features the crate is `no_std` and allocation-free; the header protocol uses only
//! 32-bit atomics, so it works on targets such as `thumbv7em-none-eabihf`.
//!
//! MSRV: Rust 1.81. The wire format is specified in `docs/PROTOCOL.md` at the repository root.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

#[cfg(test)]
mod assertions;
mod attach;
mod attach_error;
mod buf;
mod builder;
mod copy;
mod dependent;
mod diff;
mod error;
#[cfg(feature = "alloc")]
pub mod export;
pub mod header;
mod layout;
mod loom_mem;
#[cfg(all(feature = "alloc", not(loom)))]
mod owned;
mod prefetch;
mod region;
#[cfg(all(feature = "shm", not(loom)))]
pub mod shm;
pub mod standard;
pub mod sync;
mod wait;

pub use attach::{
    attach, attach_any, create, create_or_attach, reformat, Attachment, RegionId, Role,
};
pub use attach_error::{AttachError, DirectoryError, RegionNotFound};
#[cfg(any(feature = "alloc", loom))]
pub use buf::RegionBuf;
pub use builder::{LayoutBuilder, RegionSize};
pub use dependent::Dependent;
pub use diff::{Fingerprint, LayoutDiff};
pub use error::AccessError;
pub use header::InitState;
pub use layout::{
    Layout, LayoutError, RegionEntry, RegionKind, RegionName, RegionSpec, MAX_ALIGN, MAX_NAME_LEN,
    MAX_REGIONS, MAX_TOTAL_SIZE, MIN_ALIGN,
};
#[cfg(all(feature = "alloc", not(loom)))]
pub use owned::{Owned, RegionOwner, SharedRegion};
pub use region::{Bytes, Region, CACHE_LINE_PAIR, REGION_ALIGN};
pub use wait::WaitPolicy;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
