//! Blocking waits (workers only, typed) and timeouts measured with the JS clock
//! (`std::time::Instant` panics on `wasm32-unknown-unknown`).

use core::cell::Cell;
use core::time::Duration;

use inos_epoch::park::Park;
use inos_epoch::Epoch;
use inos_layout::sync::{fence, AtomicU32, Ordering};
use wasm_bindgen::prelude::*;

use crate::error::{err, Code};

thread_local! {
    /// 0 unknown, 1 may block, 2 may not (a thread's answer never changes).
    static CAN_BLOCK: Cell<u8> = const { Cell::new(0) };
}

/// Whether this thread may block in `Atomics.wait` (JS: `canBlock()`): false on the browser main
/// thread, where only the `…Async` calls may wait.
#[wasm_bindgen(js_name = canBlock)]
pub fn can_block() -> bool {
    CAN_BLOCK.with(|c| {
        if c.get() == 0 {
            c.set(if probe() { 1 } else { 2 });
        }
        c.get() == 1
    })
}

#[cfg(target_arch = "wasm32")]
fn probe() -> bool {
    inos_epoch::park::can_block()
}

#[cfg(not(target_arch = "wasm32"))]
fn probe() -> bool {
    true
}

/// The park of a blocking call: `InosError` `WouldBlock` on a thread that may not block.
#[cfg(target_arch = "wasm32")]
pub(crate) fn worker_park() -> Result<impl Park, JsValue> {
    if !can_block() {
        return Err(err(
            Code::WouldBlock,
            "blocking wait on a thread that may not block: use the …Async call",
        ));
    }
    inos_epoch::park::WorkerPark::new().map_err(|e| err(Code::WouldBlock, e))
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn worker_park() -> Result<impl Park, JsValue> {
    Ok(inos_epoch::DefaultPark)
}

/// Milliseconds on the JS clock.
fn now_ms() -> f64 {
    if cfg!(target_arch = "wasm32") {
        js_sys::Date::now()
    } else {
        0.0
    }
}

/// A timeout in milliseconds from JS (`undefined`: none), checked.
pub(crate) fn timeout(ms: Option<f64>) -> Result<Option<f64>, JsValue> {
    match ms {
        None => Ok(None),
        Some(t) if t.is_nan() || t < 0.0 => Err(err(
            Code::Invalid,
            format_args!("timeout must be ≥ 0 ms, got {t}"),
        )),
        Some(t) if t.is_infinite() => Ok(None),
        Some(t) => Ok(Some(t)),
    }
}

/// Runs `attempt` until it gives `Some`, sleeping on the epoch slot at `slot` of the ring region
/// between tries with the ring's wake handshake (register in the waiter count, re-check, sleep):
/// a wake-up is never lost. `None` once `timeout_ms` (`None`: never) has passed.
pub(crate) fn blocking<T>(
    epoch: Epoch<'_>,
    waiters: &AtomicU32,
    timeout_ms: Option<f64>,
    mut attempt: impl FnMut() -> Result<Option<T>, JsValue>,
) -> Result<Option<T>, JsValue> {
    if let Some(v) = attempt()? {
        return Ok(Some(v));
    }
    let park = worker_park()?;
    let end = timeout_ms.map(|t| now_ms() + t);
    loop {
        let left = match end {
            None => None,
            Some(end) => {
                let left = end - now_ms();
                if left <= 0.0 {
                    return attempt();
                }
                Some(Duration::from_secs_f64(left / 1e3))
            }
        };
        let seen = epoch.load();
        // SYNC: SeqCst RMW + SeqCst fence, pairs with the other side's SeqCst progress store and
        // waiter-count load (inos-ring's wake handshake): either it sees us registered and
        // signals, or our re-check below sees its progress.
        waiters.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let again = attempt();
        if !matches!(again, Ok(None)) {
            // SYNC: Relaxed: the count is only a hint for the other side's signal.
            waiters.fetch_sub(1, Ordering::Relaxed);
            return again;
        }
        let _ = epoch
            .watch_from(seen)
            .with_spins(0)
            .wait_changed_with(&Bounded(&park, left), inos_epoch::Deadline::after_parks(1));
        // SYNC: Relaxed, as above.
        waiters.fetch_sub(1, Ordering::Relaxed);
        if let Some(v) = attempt()? {
            return Ok(Some(v));
        }
    }
}

/// A park that sleeps at most `1` timeout (the caller loops and measures time itself).
struct Bounded<'p, P>(&'p P, Option<Duration>);

impl<P: Park> Park for Bounded<'_, P> {
    fn park(&self, word: &AtomicU32, expected: u32, _: Option<Duration>) {
        self.0.park(word, expected, self.1)
    }
    fn unpark_all(&self, word: &AtomicU32) {
        self.0.unpark_all(word)
    }
}
