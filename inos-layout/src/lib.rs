//! # inos-layout
//!
//! The foundation of the INOS shared-memory protocol: one shared byte region (a JavaScript
//! `SharedArrayBuffer`, an `mmap`, wasm linear memory) in which a Go kernel, Rust/wasm modules and
//! a TypeScript host share state without copying.
//!
//! This crate provides:
//! - [`Region`]: a `Send + Sync`, bounds- and alignment-checked handle to shared bytes. Every access
//!   is atomic (typed words or atomic byte copies through [`Bytes`]); no `&[u8]` is ever formed over
//!   bytes another party may write. Under `cfg(loom)` the same API is backed by loom's atomics, so
//!   the protocol crates (`inos-ring`, `inos-epoch`, `inos-ledger`) are model-checked as shipped.
//! - [`RegionBuf`]: an owned, zeroed, 128-byte-aligned region (`alloc` feature).
//! - [`sync`]: the atomic types protocol code must use (swapped for loom's under `cfg(loom)`).
//!
//! ```
//! use inos_layout::{RegionBuf, sync::Ordering};
//!
//! let buf = RegionBuf::new(4096).unwrap();
//! let region = buf.region();
//! let counter = region.u32_at(64).unwrap();
//! counter.fetch_add(1, Ordering::AcqRel);
//! region.write(128, b"payload").unwrap();
//! assert_eq!(counter.load(Ordering::Acquire), 1);
//! assert!(region.bytes(128, 7).unwrap().eq_slice(b"payload"));
//! ```
//!
//! ## Features
//! - `std` (default): implies `alloc`; `std::error::Error` impls and time-based waits.
//! - `alloc`: [`RegionBuf`].
//! - `portable-atomic`: 64-bit atomics from portable-atomic (lock-free only) where `core` lacks them.
//!
//! The wire format is specified in `docs/PROTOCOL.md` at the repository root.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;

mod attach;
mod buf;
mod copy;
mod error;
#[cfg(feature = "alloc")]
pub mod export;
pub mod header;
mod layout;
mod loom_mem;
mod region;
pub mod standard;
pub mod sync;

pub use attach::{
    attach, attach_any, create, create_or_attach, reformat, AttachError, Attachment,
    DirectoryError, RegionId, Role, WaitPolicy,
};
#[cfg(any(feature = "alloc", loom))]
pub use buf::RegionBuf;
pub use error::AccessError;
pub use header::InitState;
pub use layout::{
    Layout, LayoutBuilder, LayoutError, RegionEntry, RegionKind, RegionName, RegionSpec, MAX_ALIGN,
    MAX_NAME_LEN, MAX_REGIONS, MAX_TOTAL_SIZE, MIN_ALIGN,
};
pub use region::{Bytes, Region, CACHE_LINE_PAIR, REGION_ALIGN};
