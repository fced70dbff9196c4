//! The atomics every protocol crate uses on shared memory, swapped for loom's under `cfg(loom)`.
//!
//! Protocol code (rings, epochs, the ledger) imports its atomic types, `Ordering`, `fence` and
//! `spin_loop` from here and nowhere else, so the code that ships is the code loom model-checks.
//!
//! Every atomic re-exported here is lock-free: `core` only provides lock-free atomics, and the
//! optional `portable-atomic` path is built without its lock-based fallback and asserted lock-free
//! at compile time. A lock-based atomic could not synchronise with another process or with
//! JavaScript, which see only the bytes.
//!
//! ```
//! use inos_layout::sync::{AtomicU32, Ordering};
//! let a = AtomicU32::new(1);
//! assert_eq!(a.fetch_add(1, Ordering::AcqRel), 1);
//! ```

#[cfg(not(loom))]
pub use core::sync::atomic::{fence, AtomicU32, AtomicU8, Ordering};

#[cfg(all(not(loom), target_has_atomic = "64"))]
pub use core::sync::atomic::{AtomicI64, AtomicU64};

#[cfg(all(not(loom), not(target_has_atomic = "64"), feature = "portable-atomic"))]
pub use portable_atomic::{AtomicI64, AtomicU64};

#[cfg(all(not(loom), not(target_has_atomic = "64"), feature = "portable-atomic"))]
const _: () = assert!(
    AtomicU64::is_always_lock_free() && AtomicI64::is_always_lock_free(),
    "64-bit atomics on shared memory must be lock-free"
);

#[cfg(loom)]
pub use loom::sync::atomic::{fence, AtomicI64, AtomicU32, AtomicU64, AtomicU8, Ordering};

/// Hint that the caller is spinning on a shared word.
///
/// `core::hint::spin_loop` in normal builds; under loom it yields to the model's scheduler so
/// that spin loops terminate during model checking.
///
/// ```
/// inos_layout::sync::spin_loop();
/// ```
#[inline(always)]
pub fn spin_loop() {
    #[cfg(not(loom))]
    core::hint::spin_loop();
    #[cfg(loom)]
    loom::hint::spin_loop();
}
