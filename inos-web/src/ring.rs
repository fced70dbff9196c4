//! Ring producers and consumers over a region of the module's memory.

use std::cell::RefCell;
use std::rc::Rc;

use inos_epoch::Epoch;
use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::Region;
use inos_ring::layout::{DATA_EPOCH, KIND, KIND_MPSC, KIND_SPSC, SPACE_EPOCH};
use inos_ring::{Consumer, Error, FixedConsumer, FixedProducer, Mpsc, Producer, Spsc};
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::error::{err, protocol, Code};
use crate::region::{base, region};
use crate::wait::{blocking, timeout};

/// Static helpers to size and format rings (JS: `Ring.requiredLength`, `Ring.init`,
/// `Ring.initFixed`, `Ring.producer`, `Ring.consumer`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Ring(());

#[wasm_bindgen]
impl Ring {
    /// Bytes a ring with `capacity` data bytes occupies, header included (`capacity`: a power
    /// of two from 64 to 2^30, else `InosError` `Invalid`).
    #[wasm_bindgen(js_name = requiredLength)]
    pub fn required_length(capacity: u32) -> Result<u32, JsValue> {
        if !capacity.is_power_of_two() || !(64..=1 << 30).contains(&capacity) {
            return Err(err(
                Code::Invalid,
                format_args!("capacity must be a power of two in 64..=2^30, got {capacity}"),
            ));
        }
        Ok(inos_ring::layout::required_len(capacity) as u32)
    }

    /// Formats an empty ring of `kind` (`"spsc"` or `"mpsc"`) with `capacity` data bytes at
    /// `offset..offset + length` (inside an allocated region, 8-aligned). Only the ring's owner
    /// calls it, before anyone attaches.
    pub fn init(
        offset: f64,
        length: f64,
        capacity: u32,
        #[wasm_bindgen(unchecked_param_type = "'spsc' | 'mpsc'")] kind: &str,
    ) -> Result<(), JsValue> {
        let r = region(offset, length, 8)?;
        match kind {
            "spsc" => inos_ring::Ring::<Spsc>::init(r, capacity).map(drop),
            "mpsc" => inos_ring::Ring::<Mpsc>::init(r, capacity).map(drop),
            _ => {
                return Err(err(
                    Code::Invalid,
                    format_args!("ring kind must be \"spsc\" or \"mpsc\", got {kind:?}"),
                ))
            }
        }
        .map_err(protocol)
    }

    /// Formats an empty **fixed-size** SPSC ring (ring.md §3.3) whose every message is
    /// `messageSize` bytes, with `capacity` data bytes, at `offset..offset + length`: records
    /// carry no length word, so an 8-byte message takes 8 bytes of the ring. `Ring.producer` /
    /// `Ring.consumer` claim its ends; its pushes take exactly `messageSize` bytes (else
    /// `InosError` `SizeMismatch`) and its pops return that many (`peek` / `release` too).
    /// `InosError` `BadMessageSize` for a size no ring may have (0, or above `capacity / 2 - 8`).
    /// Only the ring's owner calls it.
    #[wasm_bindgen(js_name = initFixed)]
    pub fn init_fixed(
        offset: f64,
        length: f64,
        capacity: u32,
        message_size: u32,
    ) -> Result<(), JsValue> {
        let r = region(offset, length, 8)?;
        inos_ring::Ring::<Spsc>::init_fixed(r, capacity, message_size as usize)
            .map(drop)
            .map_err(protocol)
    }

    /// Attaches to the ring at `offset..offset + length` (either kind, variable-length or
    /// fixed-size) and claims a producer role.
    pub fn producer(offset: f64, length: f64) -> Result<RingProducer, JsValue> {
        let r = region(offset, length, 8)?;
        let end = match kind(&r)? {
            KIND_SPSC => inos_ring::Ring::<Spsc>::attach(r)
                .and_then(|r| match r.message_size() {
                    Some(n) => r.fixed_producer_bytes(n).map(ProducerEnd::Fixed),
                    None => r.producer().map(ProducerEnd::Spsc),
                })
                .map_err(protocol)?,
            _ => ProducerEnd::Mpsc(
                inos_ring::Ring::<Mpsc>::attach(r)
                    .and_then(|r| r.producer())
                    .map_err(protocol)?,
            ),
        };
        Ok(RingProducer {
            end: Some(end),
            region: r,
        })
    }

    /// Attaches to the ring at `offset..offset + length` (either kind, variable-length or
    /// fixed-size) and claims its consumer role.
    pub fn consumer(offset: f64, length: f64) -> Result<RingConsumer, JsValue> {
        let r = region(offset, length, 8)?;
        let end = match kind(&r)? {
            KIND_SPSC => inos_ring::Ring::<Spsc>::attach(r)
                .and_then(|r| match r.message_size() {
                    Some(n) => r.fixed_consumer_bytes(n).map(ConsumerEnd::Fixed),
                    None => r.consumer().map(ConsumerEnd::Spsc),
                })
                .map_err(protocol)?,
            _ => ConsumerEnd::Mpsc(
                inos_ring::Ring::<Mpsc>::attach(r)
                    .and_then(|r| r.consumer())
                    .map_err(protocol)?,
            ),
        };
        Ok(RingConsumer {
            inner: Rc::new(RefCell::new(ConsumerState {
                end: Some(end),
                view: None,
            })),
            region: r,
        })
    }
}

/// The ring's kind word, or `NotFormatted`-style protocol errors from attach.
fn kind(r: &Region<'static>) -> Result<u32, JsValue> {
    let k = r.u32_at(KIND).map_err(protocol)?.load(Ordering::Relaxed);
    if k == KIND_SPSC || k == KIND_MPSC {
        Ok(k)
    } else {
        // Let attach report it precisely.
        inos_ring::Ring::<Mpsc>::attach(*r).map_err(protocol)?;
        Err(err(Code::Invalid, "unknown ring kind"))
    }
}

enum ProducerEnd {
    Spsc(Producer<'static, Spsc>),
    Mpsc(Producer<'static, Mpsc>),
    /// A fixed-size ring's producer (messages of exactly its message size).
    Fixed(FixedProducer<'static, [u8]>),
}

impl ProducerEnd {
    fn try_push(&mut self, msg: &[u8]) -> Result<(), Error> {
        match self {
            ProducerEnd::Spsc(p) => p.try_push(msg),
            ProducerEnd::Mpsc(p) => p.try_push(msg),
            ProducerEnd::Fixed(p) => p.try_push_bytes(msg),
        }
    }
}

/// The bytes of a JS `Uint8Array`, copied; `InosError` `Detached` if its buffer was detached.
fn bytes_of(msg: &Uint8Array) -> Result<Vec<u8>, JsValue> {
    let buffer = msg.buffer();
    let detached = js_sys::Reflect::get(&buffer, &"detached".into())
        .ok()
        .and_then(|d| d.as_bool())
        .unwrap_or(false);
    if detached {
        return Err(err(Code::Detached, "the message's ArrayBuffer is detached"));
    }
    Ok(msg.to_vec())
}

/// A producer end of a ring (JS class `RingProducer`): `tryPush`, `pushWait` (workers), `close`.
#[wasm_bindgen]
pub struct RingProducer {
    end: Option<ProducerEnd>,
    region: Region<'static>,
}

impl core::fmt::Debug for RingProducer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RingProducer")
            .field("open", &self.end.is_some())
            .finish()
    }
}

#[wasm_bindgen]
impl RingProducer {
    fn end(&mut self) -> Result<&mut ProducerEnd, JsValue> {
        self.end
            .as_mut()
            .ok_or_else(|| err(Code::Closed, "producer is closed"))
    }

    /// Copies `msg` into the ring as one message; `false` if the ring is full (nothing written).
    /// Throws `InosError` (`TooLarge`, `Closed`, `Detached`, …) otherwise.
    #[wasm_bindgen(js_name = tryPush)]
    pub fn try_push(&mut self, msg: &Uint8Array) -> Result<bool, JsValue> {
        self.try_push_slice(&bytes_of(msg)?)
    }

    /// Like `tryPush`, but while the ring is full sleeps until the consumer frees space (only
    /// where blocking is allowed: `InosError` `WouldBlock` on the browser main thread) or
    /// `timeoutMs` passes (`false`; `undefined`: no limit).
    #[wasm_bindgen(js_name = pushWait)]
    pub fn push_wait(
        &mut self,
        msg: &Uint8Array,
        timeout_ms: Option<f64>,
    ) -> Result<bool, JsValue> {
        self.push_slice_wait(&bytes_of(msg)?, timeout_ms)
    }

    /// Releases the producer role; later calls throw `InosError` `Closed`.
    pub fn close(&mut self) {
        self.end = None;
    }
}

/// The Rust side of a producer, for a wasm-bindgen module that embeds this crate and produces
/// from Rust (no `Uint8Array` and no JS call per message; `examples/web-module` does this). Not
/// exported to JS.
///
/// ```no_run
/// # fn main() -> Result<(), wasm_bindgen::JsValue> {
/// # let (offset, length) = (0.0, 0.0);
/// let mut p = inos_web::Ring::producer(offset, length)?; // checked like the JS call
/// let pushed = p.push_slice_wait(b"hello", Some(1000.0))?; // workers only
/// p.close();
/// # let _ = pushed; Ok(()) }
/// ```
impl RingProducer {
    /// [`tryPush`](Self::try_push) of a Rust slice: `false` if the ring is full (nothing
    /// written); the same errors as JS sees.
    pub fn try_push_slice(&mut self, msg: &[u8]) -> Result<bool, JsValue> {
        match self.end()?.try_push(msg) {
            Ok(()) => Ok(true),
            Err(Error::Full) => Ok(false),
            Err(e) => Err(protocol(e)),
        }
    }

    /// [`pushWait`](Self::push_wait) of a Rust slice: while the ring is full, sleeps until the
    /// consumer frees space (`InosError` `WouldBlock` on a thread that may not block, such as
    /// the browser main thread) or `timeout_ms` passes (`Ok(false)`; `None`: no limit).
    pub fn push_slice_wait(
        &mut self,
        msg: &[u8],
        timeout_ms: Option<f64>,
    ) -> Result<bool, JsValue> {
        let t = timeout(timeout_ms)?;
        let region = self.region;
        let (epoch, waiters) = slot(&region, SPACE_EPOCH)?;
        let end = self.end()?;
        let pushed = blocking(epoch, waiters, t, || match end.try_push(msg) {
            Ok(()) => Ok(Some(())),
            Err(Error::Full) => Ok(None),
            Err(e) => Err(protocol(e)),
        })?;
        Ok(pushed.is_some())
    }
}

/// The epoch slot at `at` of a ring region and its waiter count.
fn slot(
    region: &Region<'static>,
    at: usize,
) -> Result<(Epoch<'static>, &'static AtomicU32), JsValue> {
    let epoch = Epoch::new(*region, at).map_err(protocol)?;
    let waiters = region.u32_at(at + 4).map_err(protocol)?;
    Ok((epoch, waiters))
}

enum ConsumerEnd {
    Spsc(Consumer<'static, Spsc>),
    Mpsc(Consumer<'static, Mpsc>),
    /// A fixed-size ring's consumer (every message is its message size).
    Fixed(FixedConsumer<'static, [u8]>),
}

impl ConsumerEnd {
    /// Pops the next message as a fresh `Vec` (`None` if empty).
    fn pop(&mut self) -> Result<Option<Vec<u8>>, Error> {
        fn one<K: inos_ring::Kind>(c: &mut Consumer<'static, K>) -> Result<Option<Vec<u8>>, Error> {
            match c.read() {
                Ok(g) => {
                    let mut v = vec![0; g.len()];
                    g.copy_to_slice(&mut v);
                    g.release();
                    Ok(Some(v))
                }
                Err(Error::Empty) => Ok(None),
                Err(e) => Err(e),
            }
        }
        match self {
            ConsumerEnd::Spsc(c) => one(c),
            ConsumerEnd::Mpsc(c) => one(c),
            ConsumerEnd::Fixed(c) => {
                let mut v = vec![0; c.ring().message_size().unwrap_or(0)];
                match c.try_pop_bytes(&mut v) {
                    Ok(_) => Ok(Some(v)),
                    Err(Error::Empty) => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }

    /// The next message's position in memory (absolute offset, length), not consumed.
    fn peek(&mut self) -> Result<Option<(usize, usize)>, Error> {
        fn one<K: inos_ring::Kind>(
            c: &mut Consumer<'static, K>,
        ) -> Result<Option<(usize, usize)>, Error> {
            let ring = base(&c.ring().region());
            match c.read() {
                // Dropping the grant without `release` leaves the message in the ring.
                Ok(g) => Ok(Some((ring + g.bytes().offset(), g.len()))),
                Err(Error::Empty) => Ok(None),
                Err(e) => Err(e),
            }
        }
        match self {
            ConsumerEnd::Spsc(c) => one(c),
            ConsumerEnd::Mpsc(c) => one(c),
            ConsumerEnd::Fixed(c) => {
                let ring = base(&c.ring().region());
                Ok(c.peek()?.map(|b| (ring + b.offset(), b.len())))
            }
        }
    }

    fn skip(&mut self) -> Result<bool, Error> {
        match self {
            ConsumerEnd::Spsc(c) => c.skip(),
            ConsumerEnd::Mpsc(c) => c.skip(),
            ConsumerEnd::Fixed(c) => c.skip(),
        }
    }
}

struct ConsumerState {
    end: Option<ConsumerEnd>,
    /// A message handed out by `peek` and not yet released.
    view: Option<(usize, usize)>,
}

impl ConsumerState {
    fn end(&mut self) -> Result<&mut ConsumerEnd, JsValue> {
        self.end
            .as_mut()
            .ok_or_else(|| err(Code::Closed, "consumer is closed"))
    }

    fn pop(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        if self.view.is_some() {
            return Err(err(Code::NoView, "release() the peeked message first"));
        }
        Ok(self
            .end()?
            .pop()
            .map_err(protocol)?
            .map(|v| Uint8Array::from(&v[..])))
    }
}

/// The consumer end of a ring (JS class `RingConsumer`).
///
/// - `tryPop()`: the next message **copied** into a new `Uint8Array` (yours to keep), or
///   `undefined` if the ring is empty;
/// - `popWait(timeoutMs?)` (workers) and `popAsync(timeoutMs?)` (anywhere, a `Promise`): the
///   same, waiting for a message;
/// - `peek()`: the next message as a **view** (`Uint8Array` over the shared memory, no copy),
///   valid until `release()`, which consumes it; the producer cannot overwrite it before. Do not
///   keep the view after `release()` (its bytes will be reused for later messages), and re-call
///   `peek()` after `memory.grow` (a grown memory has a new buffer).
#[wasm_bindgen]
pub struct RingConsumer {
    inner: Rc<RefCell<ConsumerState>>,
    region: Region<'static>,
}

impl core::fmt::Debug for RingConsumer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RingConsumer").finish_non_exhaustive()
    }
}

#[wasm_bindgen]
impl RingConsumer {
    fn state(&self) -> Result<std::cell::RefMut<'_, ConsumerState>, JsValue> {
        self.inner
            .try_borrow_mut()
            .map_err(|_| err(Code::Invalid, "consumer busy in popAsync"))
    }

    /// The next message, copied (`undefined` if the ring is empty).
    #[wasm_bindgen(js_name = tryPop)]
    pub fn try_pop(&self) -> Result<Option<Uint8Array>, JsValue> {
        self.state()?.pop()
    }

    /// Like `tryPop`, but sleeps while the ring is empty (only where blocking is allowed:
    /// `InosError` `WouldBlock` on the browser main thread), at most `timeoutMs`
    /// (`undefined`: no limit); `undefined` on timeout.
    #[wasm_bindgen(js_name = popWait)]
    pub fn pop_wait(&self, timeout_ms: Option<f64>) -> Result<Option<Uint8Array>, JsValue> {
        let t = timeout(timeout_ms)?;
        let (epoch, waiters) = slot(&self.region, DATA_EPOCH)?;
        let mut st = self.state()?;
        blocking(epoch, waiters, t, || st.pop())
    }

    /// A `Promise` of the next message (copied), waiting without blocking
    /// (`Atomics.waitAsync`): the main thread's pop. Resolves to `undefined` after `timeoutMs`
    /// (`undefined`: no limit); rejects with `InosError` as `tryPop` does.
    #[wasm_bindgen(js_name = popAsync, unchecked_return_type = "Promise<Uint8Array | undefined>")]
    pub fn pop_async(&self, timeout_ms: Option<f64>) -> Result<js_sys::Promise, JsValue> {
        let t = timeout(timeout_ms)?;
        let (epoch, waiters) = slot(&self.region, DATA_EPOCH)?;
        let inner = self.inner.clone();
        let pop = move || -> Result<Option<Uint8Array>, JsValue> {
            inner
                .try_borrow_mut()
                .map_err(|_| err(Code::Invalid, "consumer busy"))?
                .pop()
        };
        Ok(wasm_bindgen_futures::future_to_promise(async move {
            let found = pop_async(epoch, waiters, t, pop).await?;
            Ok(found.map_or(JsValue::UNDEFINED, JsValue::from))
        }))
    }

    /// The next message as a view into the shared memory (no copy), valid until `release()`;
    /// `undefined` if the ring is empty. Throws `InosError` `NoView` if a view is already out.
    pub fn peek(&self) -> Result<Option<Uint8Array>, JsValue> {
        let mut st = self.state()?;
        if st.view.is_some() {
            return Err(err(Code::NoView, "release() the peeked message first"));
        }
        let Some((at, len)) = st.end()?.peek().map_err(protocol)? else {
            return Ok(None);
        };
        st.view = Some((at, len));
        Ok(Some(view(at, len)))
    }

    /// Consumes the message the last `peek()` returned (its view must not be used after).
    pub fn release(&self) -> Result<(), JsValue> {
        let mut st = self.state()?;
        if st.view.take().is_none() {
            return Err(err(Code::NoView, "no peeked message to release"));
        }
        st.end()?.skip().map_err(protocol)?;
        Ok(())
    }

    /// Releases the consumer role; later calls throw `InosError` `Closed`.
    pub fn close(&self) -> Result<(), JsValue> {
        let mut st = self.state()?;
        st.view = None;
        st.end = None;
        Ok(())
    }
}

/// A `Uint8Array` over `len` bytes at `at` of the module's memory (no copy).
fn view(at: usize, len: usize) -> Uint8Array {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), at as u32, len as u32)
}

/// The async pop loop: try, register, re-check, `waitAsync` on the data epoch.
async fn pop_async(
    epoch: Epoch<'static>,
    waiters: &'static AtomicU32,
    timeout_ms: Option<f64>,
    mut pop: impl FnMut() -> Result<Option<Uint8Array>, JsValue>,
) -> Result<Option<Uint8Array>, JsValue> {
    let end = timeout_ms.map(|t| js_sys::Date::now() + t);
    loop {
        if let Some(m) = pop()? {
            return Ok(Some(m));
        }
        let seen = epoch.load();
        // SYNC: SeqCst registration + fence, as in `wait::blocking` (the ring's handshake).
        waiters.fetch_add(1, Ordering::SeqCst);
        inos_layout::sync::fence(Ordering::SeqCst);
        let again = pop();
        if !matches!(again, Ok(None)) {
            // SYNC: Relaxed: a hint for the signaller.
            waiters.fetch_sub(1, Ordering::Relaxed);
            return again;
        }
        let left = match end {
            None => None,
            Some(end) => {
                let left = end - js_sys::Date::now();
                if left <= 0.0 {
                    waiters.fetch_sub(1, Ordering::Relaxed);
                    return pop();
                }
                Some(core::time::Duration::from_secs_f64(left / 1e3))
            }
        };
        let r = wait_async(&epoch, seen, left).await;
        // SYNC: Relaxed, as above.
        waiters.fetch_sub(1, Ordering::Relaxed);
        let _ = r;
    }
}

#[cfg(target_arch = "wasm32")]
async fn wait_async(
    epoch: &Epoch<'static>,
    seen: u32,
    left: Option<core::time::Duration>,
) -> Result<u32, inos_epoch::TimedOut> {
    inos_epoch::park::wait_changed_async(epoch, seen, left).await
}

#[cfg(not(target_arch = "wasm32"))]
async fn wait_async(
    _: &Epoch<'static>,
    _: u32,
    _: Option<core::time::Duration>,
) -> Result<u32, inos_epoch::TimedOut> {
    Err(inos_epoch::TimedOut)
}
