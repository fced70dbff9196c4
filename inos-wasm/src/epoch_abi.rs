//! Exports for epoch slots: load, signal, wait for a change.
//!
//! An epoch slot is 8 bytes at an 8-aligned address: the `u32` counter, then the `u32` waiter
//! count (see `docs/protocol/epoch.md`). The value-returning calls return an `i64` (a `BigInt` in
//! JS): the `u32` value when non-negative, a status when negative.

use inos_epoch::Epoch;

use crate::status::TIMED_OUT;
use crate::{mem, wait};

/// # Safety
/// As for [`inos_epoch_signal`].
unsafe fn epoch(addr: usize) -> Result<Epoch<'static>, i32> {
    // SAFETY: forwarded to the caller.
    let region = unsafe { mem::region(addr, inos_epoch::SLOT_SIZE) }?;
    Epoch::new(region, 0).map_err(crate::status::access)
}

fn value(r: Result<u32, i32>) -> i64 {
    match r {
        Ok(v) => i64::from(v),
        Err(e) => i64::from(e),
    }
}

/// The epoch counter at `addr` (Acquire), or a negative status.
///
/// # Safety
/// `addr..addr + 8` must be an epoch slot that parties access only atomically.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the slot is only accessed atomically.
/// unsafe {
///     assert_eq!(inos_wasm::inos_epoch_load(addr), 0);
///     assert_eq!(inos_wasm::inos_epoch_load(addr + 4), i64::from(inos_wasm::status::INVALID));
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_epoch_load(addr: usize) -> i64 {
    // SAFETY: forwarded to the caller.
    value(unsafe { epoch(addr) }.map(|e| e.load()))
}

/// Advances the epoch at `addr` and wakes every waiter (in any worker, and JS waiters that
/// registered in the waiter count); returns the new value or a negative status.
///
/// # Safety
/// As for [`inos_epoch_load`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the slot is only accessed atomically.
/// unsafe {
///     assert_eq!(inos_wasm::inos_epoch_signal(addr), 1);
///     assert_eq!(inos_wasm::inos_epoch_signal(addr), 2);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_epoch_signal(addr: usize) -> i64 {
    // SAFETY: forwarded to the caller.
    value(unsafe { epoch(addr) }.map(|e| e.signal()))
}

/// Blocks until the epoch at `addr` differs from `last_seen` and returns the new value, or
/// returns [`TIMED_OUT`] after about `timeout_ms` milliseconds (`u32::MAX`, i.e. `-1` from JS:
/// no timeout; 0: spin briefly, never sleep). It may time out early on a spurious wake-up.
///
/// Blocks in `Atomics.wait`: call it from a worker, never from a browser's main thread (which
/// uses `Atomics.waitAsync` on the same word instead, see the JS loader).
///
/// # Safety
/// As for [`inos_epoch_load`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the slot is only accessed atomically.
/// unsafe {
///     assert_eq!(inos_wasm::inos_epoch_wait_changed(addr, 0, 0), i64::from(inos_wasm::status::TIMED_OUT));
///     inos_wasm::inos_epoch_signal(addr);
///     assert_eq!(inos_wasm::inos_epoch_wait_changed(addr, 0, u32::MAX), 1);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_epoch_wait_changed(
    addr: usize,
    last_seen: u32,
    timeout_ms: u32,
) -> i64 {
    // SAFETY: forwarded to the caller.
    let r = unsafe { epoch(addr) }.and_then(|e| {
        let (park, deadline) = wait::budget(timeout_ms);
        e.watch_from(last_seen)
            .wait_changed_with(&park, deadline)
            .map_err(|_| TIMED_OUT)
    });
    value(r)
}
