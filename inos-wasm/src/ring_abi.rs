//! Exports for message rings: format, claim a producer or consumer handle, push and pop (copying
//! from / to a caller-private scratch buffer in linear memory), with optional blocking waits.
//!
//! Fixed-size SPSC rings (ring.md §3.3, [`inos_ring_init_fixed`]) use the same calls: a handle
//! claimed on one pushes and pops messages of exactly the ring's message size.

use inos_epoch::Epoch;
use inos_layout::sync::{fence, Ordering};
use inos_layout::Region;
use inos_ring::layout::{DATA_EPOCH, KIND, KIND_MPSC, KIND_SPSC, SPACE_EPOCH};
use inos_ring::{Consumer, Error, FixedConsumer, FixedProducer, Kind, Mpsc, Producer, Ring, Spsc};

use crate::handles::Table;
use crate::status::{self, INVALID, NOT_FORMATTED, OK, TIMED_OUT};
use crate::{mem, wait};

/// How many ring ends (producers plus consumers) the module can hold at once.
///
/// A handle is an opaque positive `i32` (`slot | generation << 8`, see `inos_ring_close`).
pub const MAX_RING_HANDLES: usize = 64;

/// A claimed ring end.
enum End {
    SpscProducer(Producer<'static, Spsc>),
    MpscProducer(Producer<'static, Mpsc>),
    SpscConsumer(Consumer<'static, Spsc>),
    MpscConsumer(Consumer<'static, Mpsc>),
    /// An end of a fixed-size ring (its messages are byte slices of the ring's message size).
    FixedProducer(FixedProducer<'static, [u8]>),
    FixedConsumer(FixedConsumer<'static, [u8]>),
}

static ENDS: Table<End, MAX_RING_HANDLES> = Table::new();

/// Bytes a ring with `capacity` data bytes occupies (header included), or a negative status if
/// `capacity` is not a power of two from 64 to 2^30.
///
/// ```
/// assert_eq!(inos_wasm::inos_ring_required_len(4096), 512 + 4096);
/// assert_eq!(inos_wasm::inos_ring_required_len(1000), inos_wasm::status::INVALID);
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub extern "C" fn inos_ring_required_len(capacity: u32) -> i32 {
    if !capacity.is_power_of_two() || !(64..=1 << 30).contains(&capacity) {
        return INVALID;
    }
    inos_ring::layout::required_len(capacity) as i32
}

/// Formats an empty ring at `addr` (a region of `len` bytes) with `capacity` data bytes and kind
/// `kind` (1 SPSC, 2 MPSC). Only the ring's owner calls it, before anyone attaches.
///
/// # Safety
/// `addr..addr + len` must be memory only protocol parties access (see
/// [`inos_format_standard`](crate::inos_format_standard)).
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_ring_init(addr, 576, 64, 1), 0);
///     assert_eq!(inos_wasm::inos_ring_init(addr, 576, 128, 1), inos_wasm::status::TOO_SMALL);
///     assert_eq!(inos_wasm::inos_ring_init(addr, 576, 64, 3), inos_wasm::status::INVALID);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_init(addr: usize, len: u32, capacity: u32, kind: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    let region = match unsafe { mem::region(addr, len as usize) } {
        Ok(r) => r,
        Err(e) => return e,
    };
    let r = match kind {
        KIND_SPSC => Ring::<Spsc>::init(region, capacity).map(drop),
        KIND_MPSC => Ring::<Mpsc>::init(region, capacity).map(drop),
        _ => return INVALID,
    };
    r.map_or_else(status::ring, |()| OK)
}

/// Formats an empty **fixed-size** SPSC ring (ring.md §3.3) at `addr` (a region of `len` bytes)
/// with `capacity` data bytes, whose every message is `message_size` bytes: records carry no
/// length word, so an 8-byte message takes 8 bytes of the ring. [`inos_ring_producer`] and
/// [`inos_ring_consumer`] claim its ends as for any ring; its pushes must be exactly
/// `message_size` bytes long ([`INVALID`](crate::status::INVALID) otherwise), and its pops return
/// `message_size`. Only the ring's owner calls it, before anyone attaches.
///
/// Returns 0, [`INVALID`](crate::status::INVALID) for a `message_size` of 0 or above the ring's
/// maximum message (`capacity / 2 - 8`) or a bad capacity, or another negative status.
///
/// # Safety
/// As for [`inos_ring_init`].
///
/// ```
/// use inos_wasm::status::{INVALID, OK};
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let (msg, mut out) = (*b"12345678", [0u8; 16]);
/// // SAFETY: the ring is only accessed through the protocol; `msg` and `out` are private.
/// unsafe {
///     assert_eq!(inos_wasm::inos_ring_init_fixed(addr, 576, 64, 0), INVALID);
///     assert_eq!(inos_wasm::inos_ring_init_fixed(addr, 576, 64, 25), INVALID);
///     assert_eq!(inos_wasm::inos_ring_init_fixed(addr, 576, 64, 8), OK);
///     let (p, c) = (inos_wasm::inos_ring_producer(addr, 576), inos_wasm::inos_ring_consumer(addr, 576));
///     assert_eq!(inos_wasm::inos_ring_push(p, msg.as_ptr() as usize, 7), INVALID); // not 8 bytes
///     for _ in 0..8 {
///         assert_eq!(inos_wasm::inos_ring_push(p, msg.as_ptr() as usize, 8), OK); // 8 bytes each
///     }
///     assert_eq!(inos_wasm::inos_ring_push(p, msg.as_ptr() as usize, 8), inos_wasm::status::FULL);
///     assert_eq!(inos_wasm::inos_ring_pop(c, out.as_mut_ptr() as usize, 16), 8);
///     inos_wasm::inos_ring_close(p);
///     inos_wasm::inos_ring_close(c);
/// }
/// assert_eq!(&out[..8], b"12345678");
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_init_fixed(
    addr: usize,
    len: u32,
    capacity: u32,
    message_size: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    let region = match unsafe { mem::region(addr, len as usize) } {
        Ok(r) => r,
        Err(e) => return e,
    };
    match Ring::<Spsc>::init_fixed(region, capacity, message_size as usize) {
        Ok(_) => OK,
        // An argument no ring may have (not a framing found in memory, as on attach).
        Err(Error::BadMessageSize { .. }) => INVALID,
        Err(e) => status::ring(e),
    }
}

/// # Safety
/// As for [`inos_ring_init`].
unsafe fn ring_region(addr: usize, len: u32) -> Result<(Region<'static>, u32), i32> {
    // SAFETY: forwarded to the caller.
    let region = unsafe { mem::region(addr, len as usize) }?;
    let kind = region
        .u32_at(KIND)
        .map_err(status::access)?
        .load(Ordering::Relaxed);
    Ok((region, kind))
}

fn claim(r: Result<End, Error>) -> i32 {
    match r {
        Ok(end) => ENDS.insert(end).unwrap_or_else(|e| e),
        Err(e) => status::ring(e),
    }
}

/// Attaches to the ring at `addr` (a region of `len` bytes, either kind, variable-length or
/// fixed-size) and claims a producer role. Returns a handle (> 0) for [`inos_ring_push`], or a
/// negative status ([`ROLE_TAKEN`](crate::status::ROLE_TAKEN) if an SPSC ring already has its
/// producer).
///
/// # Safety
/// As for [`inos_ring_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ring_init(addr, 576, 64, 1);
///     let p = inos_wasm::inos_ring_producer(addr, 576);
///     assert!(p > 0);
///     assert_eq!(inos_wasm::inos_ring_producer(addr, 576), inos_wasm::status::ROLE_TAKEN);
///     assert_eq!(inos_wasm::inos_ring_close(p), 0);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_producer(addr: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { ring_region(addr, len) } {
        Ok((r, KIND_SPSC)) => claim(
            Ring::<Spsc>::attach(r).and_then(|r| match r.message_size() {
                Some(n) => r.fixed_producer_bytes(n).map(End::FixedProducer),
                None => r.producer().map(End::SpscProducer),
            }),
        ),
        Ok((r, KIND_MPSC)) => claim(
            Ring::<Mpsc>::attach(r)
                .and_then(|r| r.producer())
                .map(End::MpscProducer),
        ),
        Ok(_) => NOT_FORMATTED,
        Err(e) => e,
    }
}

/// Attaches to the ring at `addr` (a region of `len` bytes, either kind, variable-length or
/// fixed-size) and claims its consumer role. Returns a handle (> 0) for [`inos_ring_pop`], or a
/// negative status.
///
/// # Safety
/// As for [`inos_ring_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_ring_consumer(addr, 576), inos_wasm::status::NOT_FORMATTED);
///     inos_wasm::inos_ring_init(addr, 576, 64, 2);
///     let c = inos_wasm::inos_ring_consumer(addr, 576);
///     assert!(c > 0);
///     inos_wasm::inos_ring_close(c);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_consumer(addr: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { ring_region(addr, len) } {
        Ok((r, KIND_SPSC)) => claim(
            Ring::<Spsc>::attach(r).and_then(|r| match r.message_size() {
                Some(n) => r.fixed_consumer_bytes(n).map(End::FixedConsumer),
                None => r.consumer().map(End::SpscConsumer),
            }),
        ),
        Ok((r, KIND_MPSC)) => claim(
            Ring::<Mpsc>::attach(r)
                .and_then(|r| r.consumer())
                .map(End::MpscConsumer),
        ),
        Ok(_) => NOT_FORMATTED,
        Err(e) => e,
    }
}

/// Releases a ring end's role and frees its handle. Returns 0 or a negative status.
///
/// A closed handle stays dead: handles carry their slot's generation, which closing bumps, so
/// using or closing it again gives [`BAD_HANDLE`](crate::status::BAD_HANDLE) even after the slot
/// is reused for another ring end.
///
/// ```
/// use inos_wasm::status::{BAD_HANDLE, OK};
/// assert_eq!(inos_wasm::inos_ring_close(12345), BAD_HANDLE);
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ring_init(addr, 576, 64, 1);
///     let old = inos_wasm::inos_ring_producer(addr, 576);
///     assert_eq!(inos_wasm::inos_ring_close(old), OK);
///     let new = inos_wasm::inos_ring_producer(addr, 576);
///     assert_ne!(new, old);
///     assert_eq!(inos_wasm::inos_ring_close(old), BAD_HANDLE);
///     assert_eq!(inos_wasm::inos_ring_close(new), OK);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub extern "C" fn inos_ring_close(handle: i32) -> i32 {
    status::code(ENDS.remove(handle))
}

/// The non-blocking push or pop of a ring end, as a status / length.
trait Side {
    fn attempt(&mut self, buf: &mut [u8]) -> Result<usize, Error>;
    /// The epoch slot the side sleeps on when it cannot make progress.
    const SLOT: usize;
    const BLOCKED: Error;
}

impl<K: Kind> Side for Producer<'static, K> {
    fn attempt(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.try_push(buf).map(|()| 0)
    }
    const SLOT: usize = SPACE_EPOCH;
    const BLOCKED: Error = Error::Full;
}

impl<K: Kind> Side for Consumer<'static, K> {
    fn attempt(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.try_pop(buf)
    }
    const SLOT: usize = DATA_EPOCH;
    const BLOCKED: Error = Error::Empty;
}

impl Side for FixedProducer<'static, [u8]> {
    fn attempt(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.try_push_bytes(buf).map(|()| 0)
    }
    const SLOT: usize = SPACE_EPOCH;
    const BLOCKED: Error = Error::Full;
}

impl Side for FixedConsumer<'static, [u8]> {
    fn attempt(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.try_pop_bytes(buf)
    }
    const SLOT: usize = DATA_EPOCH;
    const BLOCKED: Error = Error::Empty;
}

/// Tries `side`; while it is blocked (full / empty) and `timeout_ms` allows, sleeps on the ring's
/// epoch with the register → re-check → wait handshake of `docs/protocol/ring.md`. A bounded
/// wait sleeps at most once; an unbounded one sleeps until it makes progress.
fn run<S: Side>(
    side: &mut S,
    ring: Region<'static>,
    buf: &mut [u8],
    timeout_ms: Option<u32>,
) -> i32 {
    let done = |r: Result<usize, Error>| match r {
        Ok(n) => Some(n as i32),
        Err(e) if e == S::BLOCKED => None,
        Err(e) => Some(status::ring(e)),
    };
    if let Some(r) = done(side.attempt(buf)) {
        return r;
    }
    let Some(timeout_ms) = timeout_ms else {
        return status::ring(S::BLOCKED);
    };
    let Ok(epoch) = Epoch::new(ring, S::SLOT) else {
        return status::CORRUPT;
    };
    let Ok(waiters) = ring.u32_at(S::SLOT + 4) else {
        return status::CORRUPT;
    };
    let (park, deadline) = wait::budget(timeout_ms);
    loop {
        let mut watcher = epoch.watch();
        // SYNC: SeqCst RMW + SeqCst fence, pairs with the other side's SeqCst progress store and
        // waiter-count load (inos-ring's wake handshake): either it sees us registered and
        // signals, or our re-check below sees its progress.
        waiters.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let again = done(side.attempt(buf));
        let woke = match again {
            Some(_) => true,
            None => watcher.wait_changed_with(&park, deadline).is_ok(),
        };
        // SYNC: Relaxed: the count is only a hint for the other side's signal.
        waiters.fetch_sub(1, Ordering::Relaxed);
        if let Some(r) = again {
            return r;
        }
        if !woke {
            // One last look, so that progress that raced the timeout is not missed.
            return done(side.attempt(buf)).unwrap_or(TIMED_OUT);
        }
        if let Some(r) = done(side.attempt(buf)) {
            return r;
        }
        if timeout_ms != wait::FOREVER {
            // A bounded wait sleeps once (there is no clock in no_std); the caller loops.
            return TIMED_OUT;
        }
    }
}

/// Runs a push (`producer`) or pop on handle `handle` with the caller-private buffer
/// `addr..addr + len`, which is checked against the ring's own region (and the recorded protocol
/// regions) before a slice is formed over it.
///
/// # Safety
/// As for [`mem::scratch`].
unsafe fn dispatch(handle: i32, addr: usize, len: usize, producer: bool, t: Option<u32>) -> i32 {
    /// # Safety
    /// As for [`mem::scratch`].
    unsafe fn buffer<'b>(addr: usize, len: usize, ring: &Region<'_>) -> Result<&'b mut [u8], i32> {
        // SAFETY: forwarded to the caller.
        unsafe { mem::scratch(addr, len, mem::span(ring)) }
    }
    let r = ENDS.with(handle, |end| {
        match end {
            End::SpscProducer(p) if producer => {
                let ring = p.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(p, ring, buf, t))
            }
            End::MpscProducer(p) if producer => {
                let ring = p.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(p, ring, buf, t))
            }
            End::SpscConsumer(c) if !producer => {
                let ring = c.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(c, ring, buf, t))
            }
            End::MpscConsumer(c) if !producer => {
                let ring = c.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(c, ring, buf, t))
            }
            End::FixedProducer(p) if producer => {
                let ring = p.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(p, ring, buf, t))
            }
            End::FixedConsumer(c) if !producer => {
                let ring = c.ring().region();
                // SAFETY: forwarded to the caller.
                unsafe { buffer(addr, len, &ring) }.map_or_else(|e| e, |buf| run(c, ring, buf, t))
            }
            _ => status::BAD_HANDLE,
        }
    });
    r.unwrap_or_else(|e| e)
}

/// Copies the `len` bytes at `src` into the ring as one message. Returns 0, or
/// [`FULL`](crate::status::FULL) (nothing written; retry), or another negative status
/// ([`INVALID`](crate::status::INVALID) on a fixed-size ring if `len` is not its message size).
///
/// # Safety
/// `src..src + len` must be private to the calling worker for the call (its scratch buffer).
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let (msg, mut out) = (*b"hello", [0u8; 16]);
/// // SAFETY: the ring is only accessed through the protocol; `msg` and `out` are private.
/// unsafe {
///     inos_wasm::inos_ring_init(addr, 576, 64, 1);
///     let (p, c) = (inos_wasm::inos_ring_producer(addr, 576), inos_wasm::inos_ring_consumer(addr, 576));
///     assert_eq!(inos_wasm::inos_ring_push(p, msg.as_ptr() as usize, 5), 0);
///     assert_eq!(inos_wasm::inos_ring_pop(c, out.as_mut_ptr() as usize, 16), 5);
///     assert_eq!(inos_wasm::inos_ring_pop(c, out.as_mut_ptr() as usize, 16), inos_wasm::status::EMPTY);
///     inos_wasm::inos_ring_close(p);
///     inos_wasm::inos_ring_close(c);
/// }
/// assert_eq!(&out[..5], b"hello");
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_push(handle: i32, src: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { dispatch(handle, src, len as usize, true, None) }
}

/// Like [`inos_ring_push`], but while the ring is full sleeps (in `Atomics.wait`, so only in a
/// worker) until the consumer frees space, or about `timeout_ms` milliseconds pass
/// ([`TIMED_OUT`]; `u32::MAX` / `-1`: no timeout).
///
/// # Safety
/// As for [`inos_ring_push`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let msg = [7u8; 24];
/// // SAFETY: the ring is only accessed through the protocol; `msg` is private.
/// unsafe {
///     inos_wasm::inos_ring_init(addr, 576, 64, 2);
///     let p = inos_wasm::inos_ring_producer(addr, 576);
///     let src = msg.as_ptr() as usize;
///     assert_eq!(inos_wasm::inos_ring_push_wait(p, src, 24, 0), 0);
///     assert_eq!(inos_wasm::inos_ring_push_wait(p, src, 24, 0), 0);
///     assert_eq!(inos_wasm::inos_ring_push_wait(p, src, 24, 0), inos_wasm::status::TIMED_OUT);
///     inos_wasm::inos_ring_close(p);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_push_wait(
    handle: i32,
    src: usize,
    len: u32,
    timeout_ms: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { dispatch(handle, src, len as usize, true, Some(timeout_ms)) }
}

/// Copies the next message into `dst..dst + cap` and consumes it; returns its length (≥ 0), or
/// [`EMPTY`](crate::status::EMPTY), [`BUFFER_TOO_SMALL`](crate::status::BUFFER_TOO_SMALL) (the
/// message stays), or another negative status.
///
/// # Safety
/// `dst..dst + cap` must be private to the calling worker for the call (its scratch buffer).
///
/// ```
/// let mut out = [0u8; 4];
/// // SAFETY: `out` is private.
/// let st = unsafe { inos_wasm::inos_ring_pop(99, out.as_mut_ptr() as usize, 4) };
/// assert_eq!(st, inos_wasm::status::BAD_HANDLE);
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_pop(handle: i32, dst: usize, cap: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { dispatch(handle, dst, cap as usize, false, None) }
}

/// Like [`inos_ring_pop`], but while the ring is empty sleeps (in `Atomics.wait`, so only in a
/// worker) until a producer commits, or about `timeout_ms` milliseconds pass ([`TIMED_OUT`];
/// `u32::MAX` / `-1`: no timeout).
///
/// # Safety
/// As for [`inos_ring_pop`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(512 + 64).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut out = [0u8; 8];
/// // SAFETY: the ring is only accessed through the protocol; `out` is private.
/// unsafe {
///     inos_wasm::inos_ring_init(addr, 576, 64, 1);
///     let c = inos_wasm::inos_ring_consumer(addr, 576);
///     let st = inos_wasm::inos_ring_pop_wait(c, out.as_mut_ptr() as usize, 8, 0);
///     assert_eq!(st, inos_wasm::status::TIMED_OUT);
///     inos_wasm::inos_ring_close(c);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ring_pop_wait(
    handle: i32,
    dst: usize,
    cap: u32,
    timeout_ms: u32,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe { dispatch(handle, dst, cap as usize, false, Some(timeout_ms)) }
}
