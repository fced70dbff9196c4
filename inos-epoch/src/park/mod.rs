//! Waiting backends: how a party sleeps on a shared `u32` word and how it is woken.
//!
//! All backends implement one small trait, [`Park`], with futex semantics: `park(word, expected,
//! timeout)` sleeps only if `word` still holds `expected` *at the moment it goes to sleep*
//! (atomically with respect to [`Park::unpark_all`]), and may return early or spuriously. The
//! callers in this crate always re-check the word after `park` returns.
//!
//! | backend | where | reach of a wake-up |
//! |---|---|---|
//! | `FutexPark` | Linux with `std` (the default there) | every process mapping the memory (non-private futex) |
//! | [`TablePark`] | any `std` target (the default off Linux) | this process, the same mapping |
//! | `WasmPark` | wasm32 with `atomics` (the default there) | every worker sharing the memory (`Atomics.wait`/`notify` imported from JS) |
//! | `WebPark` | wasm32 with `atomics` and the `wasm-bindgen` feature (the default then) | every worker sharing the memory (`Atomics.wait`/`notify` on `wasm_bindgen::memory()` via js-sys; typed main-thread check and `waitAsync` future in `park::web`) |
//! | [`SpinPark`] | everywhere (the default without `std`) | anyone: it never sleeps, it polls with backoff |
//!
//! "wasm32 with `atomics`" is detected by the build script, because stable rustc withholds
//! `cfg(target_feature = "atomics")`: any `wasm32-*-threads` target (e.g.
//! `wasm32-wasip1-threads`), or `-C target-feature=+atomics` in `RUSTFLAGS`.
//!
//! [`DefaultPark`] picks the row for the target; under `cfg(loom)` it is a model of a futex built
//! on loom's `Mutex` and `Condvar`, so loom explores lost wake-ups in the shipped wait loop.
//!
//! Implement [`Park`] yourself to plug in an executor, an RTOS primitive or a custom host call:
//!
//! ```
//! use core::time::Duration;
//! use inos_epoch::{park::{Park, SpinPark}, Deadline, Epoch};
//! use inos_layout::sync::AtomicU32;
//!
//! /// Counts parks, then delegates to spinning.
//! struct Counting(std::sync::atomic::AtomicUsize);
//! impl Park for Counting {
//!     fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
//!         self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
//!         SpinPark.park(word, expected, timeout)
//!     }
//!     fn unpark_all(&self, word: &AtomicU32) {
//!         SpinPark.unpark_all(word)
//!     }
//! }
//!
//! let buf = inos_layout::RegionBuf::new(8).unwrap();
//! let epoch = Epoch::new(buf.region(), 0).unwrap();
//! let hook = Counting(Default::default());
//! let mut w = epoch.watch().with_spins(0);
//! assert!(w.wait_changed_with(&hook, Deadline::after_parks(2)).is_err());
//! assert_eq!(hook.0.into_inner(), 2);
//! ```

use core::time::Duration;

use inos_layout::sync::AtomicU32;

#[cfg(all(target_os = "linux", feature = "std", not(loom)))]
mod futex;
#[cfg(loom)]
mod loom_model;
mod spin;
#[cfg(all(feature = "std", not(loom)))]
mod table;
#[cfg(all(target_arch = "wasm32", inos_wasm_raw, not(loom)))]
mod wasm;
#[cfg(all(target_arch = "wasm32", inos_wasm_bindgen, not(loom)))]
pub mod web;

#[cfg(all(target_os = "linux", feature = "std", not(loom)))]
pub use futex::FutexPark;
pub use spin::SpinPark;
#[cfg(all(feature = "std", not(loom)))]
pub use table::TablePark;
#[cfg(all(target_arch = "wasm32", inos_wasm_raw, not(loom)))]
pub use wasm::WasmPark;
#[cfg(all(target_arch = "wasm32", inos_wasm_bindgen, not(loom)))]
pub use web::{can_block, wait_changed_async, WebPark, WorkerPark, WouldBlock};

/// How a party sleeps on a shared word and how sleepers are woken (futex semantics).
///
/// # Contract
/// - `park(word, expected, timeout)` returns promptly if `word != expected`; otherwise it may
///   sleep for at most about `timeout` (`None`: no limit). It may return early or spuriously.
/// - **No lost wake-up:** if a party changes `word` and then calls `unpark_all(word)`, every
///   `park(word, expected, _)` whose `expected` differs from the new value either saw the new value
///   and returned, or is woken by that `unpark_all`. (A futex gets this from the kernel comparing
///   the word under its bucket lock; a condition-variable table by checking under the mutex.)
/// - `unpark_all` wakes **every** sleeper on `word` (broadcast, INOS defect 15).
///
/// Breaking the contract costs liveness (a waiter sleeps until its deadline), never memory
/// safety, so the trait is safe to implement. See the [module docs](self) for an example.
pub trait Park {
    /// Sleeps while `word` holds `expected`, for at most about `timeout`; may return spuriously.
    ///
    /// ```
    /// use inos_epoch::park::{Park, SpinPark};
    /// let w = inos_layout::sync::AtomicU32::new(1);
    /// SpinPark.park(&w, 0, None); // returns at once: the word is not 0
    /// ```
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>);

    /// Wakes every party sleeping in [`park`](Park::park) on `word`.
    ///
    /// ```
    /// use inos_epoch::{park::Park, DefaultPark};
    /// let w = inos_layout::sync::AtomicU32::new(0);
    /// DefaultPark.unpark_all(&w); // nobody sleeps: a no-op
    /// ```
    fn unpark_all(&self, word: &AtomicU32);
}

impl<P: Park + ?Sized> Park for &P {
    #[inline]
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        (**self).park(word, expected, timeout)
    }
    #[inline]
    fn unpark_all(&self, word: &AtomicU32) {
        (**self).unpark_all(word)
    }
}

/// The platform's backend: `FutexPark` on Linux with `std`, `WasmPark` on wasm32 with
/// atomics (`WebPark` with the `wasm-bindgen` feature), [`TablePark`] on other `std` targets
/// (and under Miri), [`SpinPark`] otherwise (and a
/// loom model of a futex under `cfg(loom)`). See the [module docs](self) for the matrix.
///
/// ```
/// use inos_epoch::{park::Park, DefaultPark};
/// let w = inos_layout::sync::AtomicU32::new(3);
/// DefaultPark.park(&w, 2, None); // word is 3, not 2: returns at once
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DefaultPark;

#[cfg(loom)]
type Platform = loom_model::LoomPark;
#[cfg(all(not(loom), target_arch = "wasm32", inos_wasm_raw))]
type Platform = WasmPark;
#[cfg(all(not(loom), target_arch = "wasm32", inos_wasm_bindgen))]
type Platform = WebPark;
#[cfg(all(
    not(loom),
    not(all(target_arch = "wasm32", inos_wasm_atomics)),
    target_os = "linux",
    feature = "std",
    not(miri)
))]
type Platform = FutexPark;
// Off Linux, and under Miri (whose strict-provenance mode rejects rustix's futex syscall
// wrapper; a Miri run is one process anyway), the process-local table.
#[cfg(all(
    not(loom),
    not(all(target_arch = "wasm32", inos_wasm_atomics)),
    any(not(target_os = "linux"), miri),
    feature = "std"
))]
type Platform = TablePark;
#[cfg(all(
    not(loom),
    not(all(target_arch = "wasm32", inos_wasm_atomics)),
    not(feature = "std")
))]
type Platform = SpinPark;

impl Park for DefaultPark {
    #[inline]
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        Platform::default().park(word, expected, timeout)
    }
    #[inline]
    fn unpark_all(&self, word: &AtomicU32) {
        Platform::default().unpark_all(word)
    }
}
