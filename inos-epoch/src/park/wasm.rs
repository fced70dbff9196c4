//! [`WasmPark`]: `Atomics.wait` / `Atomics.notify` imported from the JavaScript host.

use core::time::Duration;

use inos_layout::sync::AtomicU32;

use super::Park;

#[link(wasm_import_module = "inos_env")]
extern "C" {
    /// `Atomics.wait(i32view, addr >>> 2, expected, timeout_ns < 0 ? Infinity : timeout_ns / 1e6)`
    /// mapped to 0 = "ok", 1 = "not-equal", 2 = "timed-out".
    fn wait32(addr: *const u32, expected: u32, timeout_ns: i64) -> i32;
    /// `Atomics.notify(i32view, addr >>> 2, count)`, where a count of `u32::MAX` (which arrives in
    /// JS as `-1`) means all waiters; returns the number woken.
    fn notify(addr: *const u32, count: u32) -> u32;
}

/// Waits with the host's `Atomics.wait` and wakes with `Atomics.notify`, imported from the JS
/// module `inos_env` as `wait32(addr, expected, timeout_ns: i64) -> i32` and
/// `notify(addr, count) -> u32` (see `docs/protocol/epoch.md` for the loader snippet).
///
/// Imports are used rather than the `memory.atomic.wait32` instruction because its intrinsic is
/// unstable on stable Rust, and because the JS call works around a V8 11.3 (Node 20) Liftoff
/// miscompilation of the instruction. A wake-up reaches every worker sharing the memory, and the
/// JS main thread, which cannot block, waits on the same word with `Atomics.waitAsync`.
/// `Atomics.wait` throws on the main thread: call blocking waits from workers only.
///
/// ```ignore
/// use inos_epoch::park::{Park, WasmPark};
/// let w = inos_layout::sync::AtomicU32::new(1);
/// WasmPark.park(&w, 0, None); // "not-equal" at once
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WasmPark;

impl Park for WasmPark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let ns = timeout.map_or(-1, |t| i64::try_from(t.as_nanos()).unwrap_or(i64::MAX));
        // SAFETY: the host only reads the aligned word at this address, atomically
        // (`Atomics.wait`), in the shared memory this module runs on; the pointer is valid for
        // the call because `word` is borrowed for its duration.
        let _ = unsafe { wait32(word.as_ptr(), expected, ns) };
    }

    fn unpark_all(&self, word: &AtomicU32) {
        // SAFETY: as above; `Atomics.notify` does not access the word's bytes at all.
        let _ = unsafe { notify(word.as_ptr(), u32::MAX) };
    }
}
