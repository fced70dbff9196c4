//! Bounded waits on the platform's park backend.
//!
//! In the wasm module the backend is `inos_epoch::park::WasmPark` (`inos_epoch::DefaultPark`
//! there): `Atomics.wait` and `Atomics.notify` imported from the JS module `inos_env`
//! (`wait32(addr, expected, timeout_ns: i64) -> i32`, `notify(addr, count) -> u32`), which the
//! loader provides. Every signal made inside the protocol crates (a ring commit, a release of
//! space, a flag) wakes sleepers in any worker and JS waiters through it.
//!
//! Without a clock in `no_std`, a bounded wait parks **once** for at most the timeout ([`Timed`]
//! passes it to every park) and then reports a timeout if nothing changed; it may report it
//! early on a spurious wake-up, so callers loop. On the host (tests only) the backend is the
//! host's `DefaultPark` (a futex on Linux).

use core::time::Duration;

use inos_epoch::park::Park;
use inos_epoch::{Deadline, DefaultPark};
use inos_layout::sync::AtomicU32;

/// `timeout_ms` value meaning "no timeout" (`-1` as seen from JS).
///
/// ```
/// assert_eq!(inos_wasm::FOREVER as i32, -1);
/// ```
pub const FOREVER: u32 = u32::MAX;

/// The platform's park backend with the same timeout for every park.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timed(Option<Duration>);

impl Park for Timed {
    fn park(&self, word: &AtomicU32, expected: u32, _: Option<Duration>) {
        DefaultPark.park(word, expected, self.0)
    }
    fn unpark_all(&self, word: &AtomicU32) {
        DefaultPark.unpark_all(word)
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
