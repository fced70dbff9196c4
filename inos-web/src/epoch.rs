//! Epoch slots (JS class `Epoch`).

use inos_epoch::Epoch as Slot;
use wasm_bindgen::prelude::*;

use crate::error::{err, Code};
use crate::region::region;
use crate::wait::{timeout, worker_park};

/// An epoch: the 8-byte slot (`u32` counter, `u32` waiter count) at an 8-aligned offset inside
/// an allocated region (JS class `Epoch`).
///
/// `load()`, `signal()` work everywhere; `wait(lastSeen, timeoutMs?)` blocks (workers only:
/// `InosError` `WouldBlock` on the browser main thread); `waitAsync(lastSeen, timeoutMs?)` is
/// a `Promise` (`Atomics.waitAsync`), for the main thread. Both resolve to the new value, or
/// `undefined` on timeout.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Epoch {
    slot: Slot<'static>,
}

#[wasm_bindgen]
impl Epoch {
    /// The epoch slot at `offset` (8 bytes inside an allocated region, 8-aligned).
    #[wasm_bindgen(constructor)]
    pub fn new(offset: f64) -> Result<Epoch, JsValue> {
        let r = region(offset, inos_epoch::SLOT_SIZE as f64, 8)?;
        let slot = Slot::new(r, 0).map_err(|e| err(Code::BadRange, e))?;
        Ok(Epoch { slot })
    }

    /// The current value.
    pub fn load(&self) -> u32 {
        self.slot.load()
    }

    /// Advances the counter and wakes every waiter (workers and `waitAsync`); the new value.
    pub fn signal(&self) -> u32 {
        self.slot.signal()
    }

    /// Blocks until the value differs from `lastSeen` (workers only), at most `timeoutMs`
    /// (`undefined`: no limit); the new value, or `undefined` on timeout.
    pub fn wait(&self, last_seen: u32, timeout_ms: Option<f64>) -> Result<Option<u32>, JsValue> {
        let t = timeout(timeout_ms)?;
        let park = worker_park()?;
        let deadline = match t {
            None => inos_epoch::Deadline::never(),
            // One park of at most the timeout: `Deadline::after` would read `Instant`, which
            // wasm32-unknown-unknown lacks; the loop below re-parks with the time left.
            Some(_) => inos_epoch::Deadline::after_parks(1),
        };
        let end = t.map(|t| now() + t);
        loop {
            let left = end.map(|e| (e - now()).max(0.0));
            let bounded = Slice(&park, left);
            match self
                .slot
                .watch_from(last_seen)
                .wait_changed_with(&bounded, deadline)
            {
                Ok(v) => return Ok(Some(v)),
                Err(_) if left.is_some_and(|l| l <= 0.0) => return Ok(None),
                Err(_) => {}
            }
        }
    }

    /// A `Promise` of the first value that differs from `lastSeen`, waiting without blocking
    /// (`Atomics.waitAsync`; allowed on the browser main thread); `undefined` after `timeoutMs`.
    #[wasm_bindgen(js_name = waitAsync, unchecked_return_type = "Promise<number | undefined>")]
    pub fn wait_async(
        &self,
        last_seen: u32,
        timeout_ms: Option<f64>,
    ) -> Result<js_sys::Promise, JsValue> {
        let t = timeout(timeout_ms)?;
        let slot = self.slot;
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let left = t.map(|ms| core::time::Duration::from_secs_f64(ms / 1e3));
            Ok(match changed_async(&slot, last_seen, left).await {
                Some(v) => JsValue::from(v),
                None => JsValue::UNDEFINED,
            })
        }))
    }
}

#[cfg(target_arch = "wasm32")]
async fn changed_async(
    slot: &Slot<'static>,
    last_seen: u32,
    left: Option<core::time::Duration>,
) -> Option<u32> {
    inos_epoch::park::wait_changed_async(slot, last_seen, left)
        .await
        .ok()
}

#[cfg(not(target_arch = "wasm32"))]
async fn changed_async(
    slot: &Slot<'static>,
    last_seen: u32,
    _: Option<core::time::Duration>,
) -> Option<u32> {
    (slot.load() != last_seen).then(|| slot.load())
}

fn now() -> f64 {
    if cfg!(target_arch = "wasm32") {
        js_sys::Date::now()
    } else {
        0.0
    }
}

/// A park whose every sleep lasts at most `left` milliseconds (`None`: unbounded).
struct Slice<'p, P>(&'p P, Option<f64>);

impl<P: inos_epoch::Park> inos_epoch::Park for Slice<'_, P> {
    fn park(
        &self,
        word: &inos_layout::sync::AtomicU32,
        expected: u32,
        _: Option<core::time::Duration>,
    ) {
        let t = self
            .1
            .map(|ms| core::time::Duration::from_secs_f64(ms / 1e3));
        self.0.park(word, expected, t)
    }
    fn unpark_all(&self, word: &inos_layout::sync::AtomicU32) {
        self.0.unpark_all(word)
    }
}
