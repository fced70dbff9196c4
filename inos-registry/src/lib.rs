//! # inos-registry
//!
//! A typed module registry and supervisor table that live in a shared region (a
//! `SharedArrayBuffer`, an `mmap`, wasm linear memory), so a Go kernel, Rust/wasm modules and a
//! TypeScript host register, find and watch modules on the same bytes, with no lock.
//!
//! - **Claimed by compare-and-swap, never find-then-write** (INOS defect 30): a registration
//!   claims an entry by a CAS of its claim word from 0 to its [`PartyId`], so two registrants
//!   can never take the same entry, and a claimed entry always names its holder.
//! - **Published under a per-entry seqlock**: the record (id, name, version, capabilities, ring
//!   and epoch references, memory requirement) is written while the entry's sequence word is odd
//!   and read with a bounded number of retries; a reader gets a consistent copy or a typed error
//!   ([`RegistryError::WriterStalled`] when a writer seems dead mid-write), never a mix.
//! - **Unique ids**: after writing, a registration checks the id's probe window for a racing
//!   registration of the same id (a Dekker handshake on the state words); exactly one wins.
//! - **Lookup by id hash**: FNV-1a over the id bytes, linear probing over a bounded window
//!   ([`Registry::probe_limit`], at most 64 entries), no early stop, no unbounded loop.
//! - **Generations**: each registration of an entry gets the next generation; a [`Handle`] whose
//!   entry was unregistered or re-registered gets [`RegistryError::Stale`], never the newer
//!   entry.
//! - **Changes signal an epoch** ([`Registry::with_epoch`]; the standard layout's `registry`
//!   epoch through [`standard`]), so watchers re-read the table when it moves.
//! - **Dead owners**: [`Registry::reclaim_dead`] frees every entry whose holder a [`Probe`] says
//!   is dead (process ids by default, like `inos-ring`'s role words), including registrations
//!   that died half-way and writes left mid-record.
//! - **Supervisor headers** ([`SupervisorTable`]) use the same machinery with their own record:
//!   supervisor id, status, epoch, and the module entries supervised, as generation-checked
//!   handles.
//! - **Hostile bytes** give typed errors: every header field, phase, length, hash and padding
//!   byte is checked; every shared word is a 4-byte atomic for its whole life.
//!
//! ```
//! use inos_layout::RegionBuf;
//! use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError, Version};
//!
//! let buf = RegionBuf::new(ModuleRegistry::required_len(64).unwrap()).unwrap();
//! let kernel = ModuleRegistry::init(buf.region(), 64).unwrap();
//!
//! // A module (another thread, process or language) attaches and registers itself.
//! let module = ModuleRegistry::attach(buf.region()).unwrap();
//! let fields = ModuleFields { version: Version::new(2, 1, 0), capabilities: 0b11, ..Default::default() };
//! let handle = module.register(PartyId::current(), b"physics", &fields).unwrap();
//! module.beat(handle).unwrap();
//!
//! // The kernel finds it by id.
//! let entry = kernel.lookup(b"physics").unwrap();
//! assert_eq!((entry.fields.version, entry.heartbeat), (Version::new(2, 1, 0), 1));
//!
//! module.unregister(handle).unwrap();
//! assert_eq!(kernel.get(entry.handle), Err(RegistryError::Stale));
//! ```
//!
//! The wire format, the state machine, the seqlock and duplicate-check protocols and what each
//! rule prevents are in `docs/protocol/registry.md`; [`layout`] holds its constants.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

#[cfg(test)]
mod assertions;
mod error;
mod kind;
pub mod layout;
mod owned;
pub mod standard;
mod table;

pub use error::{RegistryError, ERROR_CODES};
/// Party identity and liveness, shared with `inos-ring`: the value a registrant writes into the
/// claim word, and the probes that tell whether it lives.
pub use inos_ring::{Liveness, PartyId, Probe, ProcessProbe};
pub use kind::{
    Entry, Handle, Kind, Label, ModuleFields, Modules, SupervisorFields, Supervisors, Version,
};
pub use table::{
    ModuleRegistry, Registry, SupervisorTable, READ_ATTEMPTS, STATE_RETRIES, WAIT_SPINS,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
