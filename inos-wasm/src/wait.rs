//! Sleeping and waking: `Atomics.wait` / `Atomics.notify` imported from the JS loader.
//!
//! The imports are the ones `inos_epoch::park::WasmPark` declares (module `inos_env`, functions
//! `wait32(addr, expected, timeout_ns: i64) -> i32` and `notify(addr, count) -> u32`), so one
//! loader serves both. This crate declares them itself because `inos-epoch` compiles `WasmPark`
//! only under `cfg(target_feature = "atomics")`, which **stable** rustc never sets (the
//! `atomics` target feature is unstable, so its cfg is withheld even on `wasm32-wasip1-threads`,
//! whose prebuilt `core` has atomics); there its `DefaultPark` is the spinning backend, whose
//! wake is a no-op. So:
//! - every wait in this crate parks through [`JsPark`];
//! - every signal made here goes through [`JsPark`];
//! - after every ring operation (which signals inside `inos-ring` through `DefaultPark`), the
//!   export calls [`kick`] on the ring's epoch slot, which performs the `Atomics.notify` the
//!   spinning backend skipped, if a waiter is registered.
//!
//! Without a clock in `no_std`, a bounded wait parks **once** for at most the timeout
//! ([`Timed`]) and then reports a timeout if nothing changed; it may report it early on a
//! spurious wake-up, so callers loop. On the host (tests only) [`JsPark`] is `DefaultPark`.

use core::time::Duration;

use inos_epoch::park::Park;
use inos_epoch::Deadline;
use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::Region;

/// `timeout_ms` value meaning "no timeout" (`-1` as seen from JS).
///
/// ```
/// assert_eq!(inos_wasm::FOREVER as i32, -1);
/// ```
pub const FOREVER: u32 = u32::MAX;

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "inos_env")]
extern "C" {
    /// `Atomics.wait` on the `Int32Array` index `addr >> 2`: 0 "ok", 1 "not-equal", 2 "timed-out"
    /// (`timeout_ns < 0`: no timeout).
    fn wait32(addr: *const u32, expected: u32, timeout_ns: i64) -> i32;
    /// `Atomics.notify` on index `addr >> 2`; `count == u32::MAX` wakes all.
    fn notify(addr: *const u32, count: u32) -> u32;
}

/// The host's `Atomics.wait` / `Atomics.notify` (wasm), or `inos_epoch::DefaultPark` (host).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsPark;

impl Park for JsPark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        #[cfg(target_arch = "wasm32")]
        {
            let ns = timeout.map_or(-1, |t| i64::try_from(t.as_nanos()).unwrap_or(i64::MAX));
            // SAFETY: the host only reads the aligned word at this address, atomically
            // (`Atomics.wait` on the shared memory); `word` is borrowed for the call.
            let _ = unsafe { wait32(word.as_ptr(), expected, ns) };
        }
        #[cfg(not(target_arch = "wasm32"))]
        inos_epoch::DefaultPark.park(word, expected, timeout)
    }

    fn unpark_all(&self, word: &AtomicU32) {
        #[cfg(target_arch = "wasm32")]
        {
            // SAFETY: `Atomics.notify` does not access the word's bytes; `word` is borrowed.
            let _ = unsafe { notify(word.as_ptr(), u32::MAX) };
        }
        #[cfg(not(target_arch = "wasm32"))]
        inos_epoch::DefaultPark.unpark_all(word)
    }
}

/// A [`JsPark`] that gives every park the same timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timed(Option<Duration>);

impl Park for Timed {
    fn park(&self, word: &AtomicU32, expected: u32, _: Option<Duration>) {
        JsPark.park(word, expected, self.0)
    }
    fn unpark_all(&self, word: &AtomicU32) {
        JsPark.unpark_all(word)
    }
}

/// The park backend and deadline for a `timeout_ms` argument.
pub(crate) fn budget(timeout_ms: u32) -> (Timed, Deadline) {
    if timeout_ms == FOREVER {
        (Timed(None), Deadline::never())
    } else {
        (
            Timed(Some(Duration::from_millis(u64::from(timeout_ms)))),
            Deadline::after_parks(u32::from(timeout_ms != 0)),
        )
    }
}

/// Wakes the sleepers on the epoch slot at `slot` of `region` if any is registered (the wake a
/// signal through the spinning `DefaultPark` skipped; see the module docs).
#[inline]
pub(crate) fn kick(region: Region<'_>, slot: usize) {
    if let (Ok(word), Ok(waiters)) = (region.u32_at(slot), region.u32_at(slot + 4)) {
        // SYNC: SeqCst, ordered after the signal's SeqCst RMW of the word; pairs with the
        // waiter's SeqCst registration (the same Dekker handshake as `inos_epoch`'s signal).
        if waiters.load(Ordering::SeqCst) != 0 {
            JsPark.unpark_all(word);
        }
    }
}
