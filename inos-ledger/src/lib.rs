//! # inos-ledger
//!
//! An atomic credit ledger that lives in a shared region (a `SharedArrayBuffer`, an `mmap`, wasm
//! linear memory), so a Go kernel, Rust/wasm modules and a TypeScript host all read and write the
//! same balances, with no lock and no copy.
//!
//! - Accounts ([`Ledger::open`], [`freeze`](Ledger::freeze), [`close`](Ledger::close)) each on
//!   their own cache line (format 2): lifetime `credited` and `debited` totals — the balance is
//!   `credited − debited`, derived — held (escrow), pending rewards, a state word.
//! - Supply: [`mint`](Ledger::mint) and [`burn`](Ledger::burn) against lifetime totals.
//! - [`transfer`](Ledger::transfer): two read-modify-writes — a CAS on the payer's `debited`
//!   that refuses overdraft (checked against its `credited`, which only grows), then a credit of
//!   the payee's `credited`.
//! - Escrow: [`hold`](Ledger::hold) moves balance → held and returns a [`HoldId`] carrying the
//!   slot generation; [`settle`](Ledger::settle) (partial settles refund the rest) and
//!   [`void`](Ledger::void) resolve each hold exactly once, even when they race.
//! - Rewards: [`accrue`](Ledger::accrue) into pending, [`claim`](Ledger::claim) into balance.
//! - [`audit`](Ledger::audit): `Σ balance + Σ held + Σ pending = minted − burned`.
//!
//! Money is `i64`, never negative and never wrapping; every refusal is a typed [`LedgerError`]
//! with its own variant per overflow.
//!
//! **Audit guarantee, in one sentence:** whenever no ledger operation is in progress,
//! `Σ balance + Σ held + Σ pending = minted − burned` and `Σ held = Σ pending hold amounts`
//! exactly, and at every instant, quiescent or not, every money word any party reads is in
//! `0..=i64::MAX` and every balance it derives (`credited` loaded after `debited`) too.
//!
//! ```
//! use inos_layout::RegionBuf;
//! use inos_ledger::{required_len, Ledger, LedgerError};
//!
//! let buf = RegionBuf::new(required_len(16, 16).unwrap()).unwrap();
//! let ledger = Ledger::init(buf.region(), 16, 16).unwrap();
//! let (alice, bob) = (ledger.open().unwrap(), ledger.open().unwrap());
//! ledger.mint(alice, 100).unwrap();
//!
//! let hold = ledger.hold(alice, 60).unwrap();
//! assert_eq!(ledger.transfer(alice, bob, 50), Err(LedgerError::InsufficientFunds));
//! ledger.settle(hold, bob, 45).unwrap(); // 15 returns to alice
//! assert_eq!(ledger.void(hold), Err(LedgerError::HoldNotPending));
//!
//! assert_eq!(ledger.account(alice).unwrap().balance, 55);
//! assert_eq!(ledger.account(bob).unwrap().balance, 45);
//! assert!(ledger.audit().unwrap().is_balanced());
//! ```
//!
//! ## Targets
//! Money words are 64-bit atomics, so the crate builds only where they are lock-free
//! (`target_has_atomic = "64"`: x86_64, aarch64, wasm32 with threads, …) or under `cfg(loom)`.
//! Elsewhere (e.g. `thumbv7em`) it fails to compile with a message rather than fall back to
//! locks, which could not synchronise with other processes or JavaScript.
//!
//! The wire format and the full semantics are in `docs/protocol/ledger.md`.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(not(any(target_has_atomic = "64", loom)))]
compile_error!(
    "inos-ledger needs lock-free 64-bit atomics (money is i64); this target does not have them"
);

#[cfg(any(target_has_atomic = "64", loom))]
#[cfg(test)]
mod assertions;
mod audit;
#[cfg(any(target_has_atomic = "64", loom))]
mod error;
#[cfg(any(target_has_atomic = "64", loom))]
mod holds;
#[cfg(any(target_has_atomic = "64", loom))]
mod ids;
#[cfg(any(target_has_atomic = "64", loom))]
pub mod layout;
#[cfg(any(target_has_atomic = "64", loom))]
mod ledger;
#[cfg(any(target_has_atomic = "64", loom))]
mod owned;
#[cfg(any(target_has_atomic = "64", loom))]
mod words;

#[cfg(any(target_has_atomic = "64", loom))]
pub use audit::AuditReport;
#[cfg(any(target_has_atomic = "64", loom))]
pub use error::{LedgerError, ERROR_CODES};
#[cfg(any(target_has_atomic = "64", loom))]
pub use ids::{AccountId, AccountInfo, AccountState, HoldId};
#[cfg(any(target_has_atomic = "64", loom))]
pub use layout::{
    hold_scan_start, region_size, required_len, ACCOUNT_LEN, HEADER_LEN, HOLD_LEN,
    HOLD_SCAN_MULTIPLIER, MAGIC, REGION_ALIGN, VERSION,
};
#[cfg(any(target_has_atomic = "64", loom))]
pub use ledger::Ledger;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
