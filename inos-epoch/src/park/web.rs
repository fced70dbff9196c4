//! [`WebPark`] and the main-thread rule, for crates built into a wasm-bindgen module whose memory
//! is shared (feature `wasm-bindgen`, wasm32 with `+atomics`).
//!
//! Waiting and waking go through the JS host's `Atomics.wait` / `Atomics.notify` on an
//! `Int32Array` over [`wasm_bindgen::memory()`] (the module's own shared memory), called through
//! `js-sys`: no custom import module, so any wasm-bindgen module can embed the crates. The
//! `memory.atomic.wait32` instruction is deliberately not used: its Rust intrinsic is unstable,
//! Node 20's V8 (Liftoff) miscompiles code around it, and Firefox lets it block the browser main
//! thread where Chromium traps. `Atomics.wait` instead *throws* on a thread that may not block
//! (a browser main thread, in both Chromium and Firefox), which this module turns into a typed
//! [`WouldBlock`] error.
//!
//! The main-thread rule, by type:
//! - [`WorkerPark::new`] succeeds only on a thread that may block (a worker; Node's main
//!   thread); a blocking wait takes it as its [`Park`], so it cannot be called by mistake on the
//!   browser main thread;
//! - [`wait_changed_async`] is the main thread's wait: `Atomics.waitAsync` as a Rust `Future`
//!   (via `wasm-bindgen-futures`), taking part in the same no-lost-wake-up handshake.
//!
//! [`WebPark`] (the [`DefaultPark`](crate::DefaultPark) with this feature) checks nothing in
//! advance: on a thread that may not block, its `park` returns at once (a spurious wake-up the
//! [`Park`] contract allows), so a bounded wait times out instead of trapping; a wait with no
//! deadline would spin, which is why blocking code should hold a [`WorkerPark`].

use core::time::Duration;

use js_sys::{Atomics, Int32Array, WebAssembly};
use wasm_bindgen::JsCast;

use inos_layout::sync::{AtomicU32, Ordering};

use super::Park;
use crate::slot::store_load_barrier;
use crate::{Epoch, TimedOut};

/// A blocking wait was asked for on a thread that may not block (the browser main thread):
/// use [`wait_changed_async`] there.
///
/// ```ignore
/// // In a browser's main thread:
/// assert_eq!(inos_epoch::park::WorkerPark::new().unwrap_err(), inos_epoch::park::WouldBlock);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WouldBlock;

impl core::fmt::Display for WouldBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("blocking wait on a thread that may not block (use the async wait)")
    }
}

/// An `Int32Array` over the module's whole shared memory (made per call: `memory.grow` replaces
/// the buffer).
fn view() -> Int32Array {
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    Int32Array::new(&memory.buffer())
}

/// The `Int32Array` index of `word`: its byte address in linear memory divided by 4 (a wasm
/// pointer *is* the byte offset; `AtomicU32` is 4-aligned).
fn index(word: &AtomicU32) -> u32 {
    (word.as_ptr() as usize / 4) as u32
}

/// A word nobody writes: probing `Atomics.wait(…, 1, 0)` on it returns "not-equal" at once where
/// blocking is allowed and throws where it is not.
static PROBE: AtomicU32 = AtomicU32::new(0);

/// Whether this thread may block in `Atomics.wait` (false on a browser main thread).
///
/// ```ignore
/// if inos_epoch::park::can_block() { /* a worker */ }
/// ```
pub fn can_block() -> bool {
    Atomics::wait_with_timeout(&view(), index(&PROBE), 1, 0.0).is_ok()
}

/// Waits with `Atomics.wait` and wakes with `Atomics.notify` on the module's shared memory
/// (`wasm_bindgen::memory()`); see the [module docs](self).
///
/// ```ignore
/// use inos_epoch::park::{Park, WebPark};
/// let w = inos_layout::sync::AtomicU32::new(1);
/// WebPark.park(&w, 0, None); // "not-equal" at once
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebPark;

impl WebPark {
    /// [`Park::park`], reporting a thread that may not block as [`WouldBlock`].
    ///
    /// ```ignore
    /// let w = inos_layout::sync::AtomicU32::new(1);
    /// assert!(inos_epoch::park::WebPark.try_park(&w, 0, None).is_ok());
    /// ```
    pub fn try_park(
        &self,
        word: &AtomicU32,
        expected: u32,
        timeout: Option<Duration>,
    ) -> Result<(), WouldBlock> {
        let (view, i, v) = (view(), index(word), expected as i32);
        let r = match timeout {
            None => Atomics::wait(&view, i, v),
            Some(t) => Atomics::wait_with_timeout(&view, i, v, t.as_secs_f64() * 1e3),
        };
        r.map(drop).map_err(|_| WouldBlock)
    }
}

impl Park for WebPark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let _ = self.try_park(word, expected, timeout);
    }

    fn unpark_all(&self, word: &AtomicU32) {
        // `Atomics.notify` never blocks and is allowed on every thread; it does not touch the
        // word's bytes.
        let _ = Atomics::notify(&view(), index(word));
    }
}

/// A [`Park`] that exists only on a thread that may block: the typed way to call blocking waits
/// (see the [module docs](self)).
///
/// ```ignore
/// use inos_epoch::{park::WorkerPark, Deadline, Epoch};
/// let park = WorkerPark::new()?; // Err(WouldBlock) on the browser main thread
/// # let epoch: Epoch<'_> = todo!();
/// let v = epoch.watch().wait_changed_with(&park, Deadline::never());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerPark(());

impl WorkerPark {
    /// Checks that this thread may block ([`can_block`]).
    ///
    /// ```ignore
    /// assert!(inos_epoch::park::WorkerPark::new().is_ok()); // in a worker
    /// ```
    pub fn new() -> Result<Self, WouldBlock> {
        if can_block() {
            Ok(Self(()))
        } else {
            Err(WouldBlock)
        }
    }
}

impl Park for WorkerPark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        WebPark.park(word, expected, timeout)
    }
    fn unpark_all(&self, word: &AtomicU32) {
        WebPark.unpark_all(word)
    }
}

/// Unregisters a waiter when the async wait ends (or its future is dropped).
struct Registered<'a>(&'a AtomicU32);

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        // SYNC: Relaxed: the count is only a hint for the signaller's wake call.
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Waits without blocking until `epoch` differs from `last_seen` (`Atomics.waitAsync`, allowed on
/// the browser main thread), for at most about `timeout` (`None`: no limit); resolves to the new
/// value or [`TimedOut`].
///
/// It registers as a waiter exactly like a blocking wait (the slot handshake in
/// `docs/protocol/epoch.md`), so a signal from any worker wakes it; a signal that lands before
/// it sleeps is seen by its re-check. If `Atomics.waitAsync` is missing (older engines) it
/// reports [`TimedOut`] after one re-check rather than spinning.
///
/// ```ignore
/// let v = inos_epoch::park::wait_changed_async(&epoch, seen, None).await?;
/// ```
pub async fn wait_changed_async(
    epoch: &Epoch<'_>,
    last_seen: u32,
    timeout: Option<Duration>,
) -> Result<u32, TimedOut> {
    let slot = epoch.slot;
    loop {
        // SYNC: Acquire, pairs with the signaller's SeqCst (Release) RMW.
        let v = slot.word.load(Ordering::Acquire);
        if v != last_seen {
            return Ok(v);
        }
        // SYNC: SeqCst registration (W1), pairs with the signaller's SeqCst waiter-count load
        // (S2), as in the blocking wait.
        slot.waiters.fetch_add(1, Ordering::SeqCst);
        let guard = Registered(slot.waiters);
        store_load_barrier();
        // SYNC: SeqCst re-check (W2), pairs with the signaller's SeqCst RMW (S1).
        let v = slot.word.load(Ordering::SeqCst);
        if v != last_seen {
            return Ok(v);
        }
        let (view, i, expected) = (view(), index(slot.word), v as i32);
        let r = match timeout {
            None => Atomics::wait_async(&view, i, expected),
            Some(t) => Atomics::wait_async_with_timeout(&view, i, expected, t.as_secs_f64() * 1e3),
        };
        let Ok(result) = r else {
            return Err(TimedOut);
        };
        let is_async = js_sys::Reflect::get(&result, &"async".into())
            .ok()
            .and_then(|a| a.as_bool())
            .unwrap_or(false);
        let value = js_sys::Reflect::get(&result, &"value".into()).unwrap_or_default();
        let outcome = if is_async {
            let promise: js_sys::Promise = value.unchecked_into();
            wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .unwrap_or_default()
        } else {
            value
        };
        drop(guard);
        if outcome.as_string().as_deref() == Some("timed-out") {
            // SYNC: Acquire, as above: one last look so a signal racing the timeout is kept.
            let v = slot.word.load(Ordering::Acquire);
            return if v != last_seen { Ok(v) } else { Err(TimedOut) };
        }
    }
}
