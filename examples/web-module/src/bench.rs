//! The ring benchmark with **both loops in Rust** (the page `web/pages/bench.mjs`, row
//! `ring_spsc_32b_two_rust_workers`): two Web Workers run this module on the same memory; one
//! calls [`BenchProducer::push`] once to push `n` messages, the other calls
//! [`BenchConsumer::pop`] to pop them and gets their checksum back. No JS runs per message.
//!
//! It reproduces the native bench `ring/spsc_single/32B`, contender `inos`
//! (`benches/benches/ring.rs`): an SPSC ring formatted in [`Mode::Poll`] (nobody sleeps; the
//! progress stores are plain Release stores), 32-byte messages `[i, 1, 2, 3]` as little-endian
//! `u64` pushed with [`Producer::push_pod`] and popped with [`Consumer::try_pop`], the consumer
//! summing the four words of every message, and both sides retrying a full / empty ring with the
//! native bench's `Backoff`: 64 spins, then `yield_now`. A wasm worker has no `yield_now`; the
//! exports take `sleepUs`: after the 64 spins, keep spinning (undefined) or sleep that many µs
//! in `Atomics.wait` per attempt (gives up the core, as a yield does, but for at least the
//! timeout). The page measures both.

use core::hint::spin_loop;

use inos_layout::Region;
use inos_ring::{Consumer, Error, Mode, Producer, Ring, Spsc};
use inos_web::{inos_error, shared_region, Code};
use wasm_bindgen::prelude::*;

/// Bytes of one benchmark message: `[i, 1, 2, 3]` as little-endian `u64`s.
pub const BENCH_MSG_LEN: usize = 32;

/// Failed attempts between two looks at the clock (the timeout check is off the fast path).
pub const CLOCK_EVERY: u32 = 1 << 16;

/// Message `i` of the benchmark (the native bench's `[u64; 4]::make`).
#[inline(always)]
pub fn bench_message(i: u64) -> [u64; 4] {
    [i, 1, 2, 3]
}

/// What the consumer adds to its checksum for a message: the wrapping sum of its four words.
#[inline(always)]
pub fn bench_key(m: &[u64; 4]) -> u64 {
    m[0].wrapping_add(m[1])
        .wrapping_add(m[2])
        .wrapping_add(m[3])
}

/// The checksum of messages `from..to` (what [`BenchConsumer::pop`] must return for them).
///
/// ```
/// use inos_web_module::bench::{bench_checksum, bench_key, bench_message};
/// let sum = (5..9).fold(0u64, |s, i| s.wrapping_add(bench_key(&bench_message(i))));
/// assert_eq!(bench_checksum(5, 9), sum);
/// assert_eq!(bench_checksum(0, 0), 0);
/// ```
pub fn bench_checksum(from: u64, to: u64) -> u64 {
    let n = to.saturating_sub(from);
    // Σ i over from..to = (from + to - 1)·n / 2, computed without overflow for any n we use.
    let (a, b) = if n % 2 == 0 {
        (n / 2, from.wrapping_add(to).wrapping_sub(1))
    } else {
        (n, from.wrapping_add(to).wrapping_sub(1) / 2)
    };
    a.wrapping_mul(b).wrapping_add(n.wrapping_mul(6))
}

/// Failed attempts in a row that spin before `snooze` is called instead (the native `Backoff`'s
/// spin phase).
pub const SPINS: u32 = 64;

/// Pushes messages `first..first + count` ([`bench_message`]) while the ring is full: the
/// first [`SPINS`] failed attempts in a row spin, later ones call `snooze` (the native bench's
/// `yield_now`; pass `|| spin_loop()` to spin only). Every [`CLOCK_EVERY`] failed attempts it
/// asks `expired` and stops early if it says so. Returns how many it pushed.
pub fn produce(
    p: &mut Producer<'_, Spsc>,
    first: u64,
    count: u64,
    mut snooze: impl FnMut(),
    mut expired: impl FnMut() -> bool,
) -> Result<u64, Error> {
    for i in first..first + count {
        let v = bench_message(i);
        let mut misses = 0u32;
        loop {
            match p.push_pod(&v) {
                Ok(()) => break,
                Err(Error::Full) => {
                    if misses < SPINS {
                        spin_loop();
                    } else {
                        snooze();
                    }
                    misses = misses.wrapping_add(1);
                    if misses % CLOCK_EVERY == 0 && expired() {
                        return Ok(i - first);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(count)
}

/// Why [`consume`] stopped before `count` messages.
#[derive(Debug, PartialEq, Eq)]
pub enum ConsumeError {
    /// A ring error (the ring is corrupt or closed).
    Ring(Error),
    /// `expired` said so after this many messages.
    Expired(u64),
    /// Message `.0` had `.1` bytes instead of [`BENCH_MSG_LEN`].
    BadLength(u64, usize),
}

/// Pops `count` messages, waiting while the ring is empty as [`produce`] does, and returns the
/// checksum of their keys ([`bench_key`]); every [`CLOCK_EVERY`] failed attempts it asks
/// `expired`.
pub fn consume(
    c: &mut Consumer<'_, Spsc>,
    count: u64,
    mut snooze: impl FnMut(),
    mut expired: impl FnMut() -> bool,
) -> Result<u64, ConsumeError> {
    let mut sum = 0u64;
    for k in 0..count {
        let mut v = [0u64; 4];
        let mut misses = 0u32;
        loop {
            match c.try_pop(bytemuck::bytes_of_mut(&mut v)) {
                Ok(BENCH_MSG_LEN) => break,
                Ok(len) => return Err(ConsumeError::BadLength(k, len)),
                Err(Error::Empty) => {
                    if misses < SPINS {
                        spin_loop();
                    } else {
                        snooze();
                    }
                    misses = misses.wrapping_add(1);
                    if misses % CLOCK_EVERY == 0 && expired() {
                        return Err(ConsumeError::Expired(k));
                    }
                }
                Err(e) => return Err(ConsumeError::Ring(e)),
            }
        }
        // Little-endian on the wire; wasm32 and every host we test are little-endian too.
        sum = sum.wrapping_add(bench_key(&v.map(u64::from_le)));
    }
    Ok(sum)
}

/// The ring range `offset..offset + length` (inside an `allocRegion` region, 8-aligned).
fn ring_region(offset: f64, length: f64) -> Result<Region<'static>, JsValue> {
    shared_region(offset, length, 8)
}

fn ring_error(e: Error) -> JsValue {
    inos_error(Code::Invalid, format_args!("ring: {e}"))
}

/// A clock check for `timeout_ms` from now (`Date.now()`; never expires for `None`).
fn deadline(timeout_ms: Option<f64>) -> impl FnMut() -> bool {
    let end = timeout_ms.map(|t| js_sys::Date::now() + t);
    move || end.is_some_and(|end| js_sys::Date::now() >= end)
}

/// A word nobody writes or notifies: a timed `Atomics.wait` on it always sleeps the timeout.
static NAP_WORD: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// The backoff after [`SPINS`] failed attempts: spin (`None`), or sleep `sleep_us` µs in
/// `Atomics.wait` on [`NAP_WORD`] — a wasm worker's nearest to the native `yield_now` (wasm has
/// no yield): it gives up the core, for at least the timeout. `InosError` `WouldBlock` where
/// blocking is not allowed (the browser main thread).
fn snoozer(sleep_us: Option<f64>) -> Result<impl FnMut(), JsValue> {
    let nap = match sleep_us {
        None => None,
        Some(us) if us.is_finite() && us > 0.0 => {
            if !inos_web::can_block() {
                return Err(inos_error(
                    Code::WouldBlock,
                    "sleepUs: this thread may not block (browser main thread)",
                ));
            }
            let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
            let view = js_sys::Int32Array::new(&memory.buffer());
            Some((view, (NAP_WORD.as_ptr() as usize / 4) as u32, us / 1000.0))
        }
        Some(us) => {
            return Err(inos_error(
                Code::Invalid,
                format_args!("sleepUs must be a positive number, got {us}"),
            ))
        }
    };
    Ok(move || match &nap {
        None => spin_loop(),
        // Times out: nobody changes or notifies the word (a growing memory keeps this view's
        // buffer valid for the word, which was in memory before the growth).
        Some((view, index, ms)) => {
            let _ = js_sys::Atomics::wait_with_timeout(view, *index, 0, *ms);
        }
    })
}

/// Formats an empty SPSC ring in `Mode::Poll` with `capacity` data bytes at `offset..offset +
/// length` (JS: `benchRingInit`), as the native bench does (inos-web's `Ring.init` formats
/// `Mode::Wake` rings, whose parties may sleep). Throws `InosError` `BadRange` / `Invalid`.
#[wasm_bindgen(js_name = benchRingInit)]
pub fn bench_ring_init(offset: f64, length: f64, capacity: u32) -> Result<(), JsValue> {
    Ring::<Spsc>::init_with(ring_region(offset, length)?, capacity, Mode::Poll, 0)
        .map(drop)
        .map_err(ring_error)
}

/// The benchmark's producer (JS class `BenchProducer`): holds the SPSC producer role of the
/// ring until `free()`.
#[wasm_bindgen]
pub struct BenchProducer {
    p: Producer<'static, Spsc>,
    next: u64,
}

impl core::fmt::Debug for BenchProducer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BenchProducer")
            .field("next", &self.next)
            .finish()
    }
}

#[wasm_bindgen]
impl BenchProducer {
    /// Attaches to the SPSC ring at `offset..offset + length` and claims its producer role.
    #[wasm_bindgen(constructor)]
    pub fn new(offset: f64, length: f64) -> Result<BenchProducer, JsValue> {
        let p = Ring::<Spsc>::attach(ring_region(offset, length)?)
            .and_then(|r| r.producer())
            .map_err(ring_error)?;
        Ok(BenchProducer { p, next: 0 })
    }

    /// Pushes the next `count` messages (`[i, 1, 2, 3]`, `i` counting on from the last call),
    /// all in Rust. While the ring is full it spins 64 times, then keeps spinning (`sleepUs`
    /// undefined) or sleeps `sleepUs` µs per further attempt (workers only: `InosError`
    /// `WouldBlock` on the main thread). Returns how many it pushed: `count`, or fewer if
    /// `timeoutMs` passed.
    pub fn push(
        &mut self,
        count: u32,
        timeout_ms: Option<f64>,
        sleep_us: Option<f64>,
    ) -> Result<u32, JsValue> {
        let snooze = snoozer(sleep_us)?;
        let pushed = produce(
            &mut self.p,
            self.next,
            u64::from(count),
            snooze,
            deadline(timeout_ms),
        )
        .map_err(ring_error)?;
        self.next += pushed;
        Ok(pushed as u32)
    }
}

/// The benchmark's consumer (JS class `BenchConsumer`): holds the SPSC consumer role of the
/// ring until `free()`.
#[wasm_bindgen]
pub struct BenchConsumer {
    c: Consumer<'static, Spsc>,
    popped: u64,
}

impl core::fmt::Debug for BenchConsumer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BenchConsumer")
            .field("popped", &self.popped)
            .finish()
    }
}

#[wasm_bindgen]
impl BenchConsumer {
    /// Attaches to the SPSC ring at `offset..offset + length` and claims its consumer role.
    #[wasm_bindgen(constructor)]
    pub fn new(offset: f64, length: f64) -> Result<BenchConsumer, JsValue> {
        let c = Ring::<Spsc>::attach(ring_region(offset, length)?)
            .and_then(|r| r.consumer())
            .map_err(ring_error)?;
        Ok(BenchConsumer { c, popped: 0 })
    }

    /// Pops `count` messages, all in Rust, waiting while the ring is empty as `push` does
    /// (`sleepUs`), and returns the wrapping sum of their four words (a `bigint`; messages
    /// `a..b` give `Σ i + 6·(b − a)`). Throws `InosError` `Invalid` if `timeoutMs` passes first, a message
    /// is not 32 bytes, or the ring is corrupt.
    pub fn pop(
        &mut self,
        count: u32,
        timeout_ms: Option<f64>,
        sleep_us: Option<f64>,
    ) -> Result<u64, JsValue> {
        let snooze = snoozer(sleep_us)?;
        match consume(&mut self.c, u64::from(count), snooze, deadline(timeout_ms)) {
            Ok(sum) => {
                self.popped += u64::from(count);
                Ok(sum)
            }
            Err(ConsumeError::Ring(e)) => Err(ring_error(e)),
            Err(ConsumeError::Expired(k)) => Err(inos_error(
                Code::Invalid,
                format_args!("timed out after {} messages", self.popped + k),
            )),
            Err(ConsumeError::BadLength(k, len)) => Err(inos_error(
                Code::Invalid,
                format_args!("message {} has {len} bytes", self.popped + k),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inos_layout::RegionBuf;

    /// `ring_capacity(32)` of the native bench: 4096 records of 40 bytes, rounded down to 2^k.
    const CAP: u32 = 128 * 1024;

    #[test]
    fn checksum_formula_matches_the_sum() {
        for (a, b) in [(0, 0), (0, 1), (0, 7), (3, 10), (1000, 100_000), (7, 8)] {
            let sum = (a..b).fold(0u64, |s, i| s.wrapping_add(bench_key(&bench_message(i))));
            assert_eq!(bench_checksum(a, b), sum, "{a}..{b}");
        }
    }

    #[test]
    fn two_threads_move_every_message_once() {
        let n = if cfg!(miri) { 300 } else { 200_000 };
        let buf = RegionBuf::new(inos_ring::layout::required_len(CAP)).unwrap();
        Ring::<Spsc>::init_with(buf.region(), CAP, Mode::Poll, 0).unwrap();
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut p = ring.producer().unwrap();
        let mut c = ring.consumer().unwrap();
        let (warm, rest) = std::thread::scope(|s| {
            let producer = s.spawn(move || {
                // Two calls, as the page's role might: numbering continues.
                let a = produce(&mut p, 0, n / 2, spin_loop, || false).unwrap();
                a + produce(&mut p, n / 2, n - n / 2, std::thread::yield_now, || false).unwrap()
            });
            let warm = consume(&mut c, n / 10, spin_loop, || false).unwrap();
            let rest = consume(&mut c, n - n / 10, std::thread::yield_now, || false).unwrap();
            assert_eq!(producer.join().unwrap(), n);
            (warm, rest)
        });
        assert_eq!(warm, bench_checksum(0, n / 10));
        assert_eq!(rest, bench_checksum(n / 10, n));
        // Nothing left over.
        assert_eq!(
            consume(&mut c, 1, spin_loop, || true),
            Err(ConsumeError::Expired(0))
        );
    }

    #[test]
    fn full_ring_and_wrong_lengths_stop_the_loops() {
        let buf = RegionBuf::new(inos_ring::layout::required_len(128)).unwrap();
        Ring::<Spsc>::init_with(buf.region(), 128, Mode::Poll, 0).unwrap();
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut p = ring.producer().unwrap();
        let mut c = ring.consumer().unwrap();
        // 128 data bytes hold a few 36-byte records: a later push finds the ring full and the
        // loop returns what it pushed when `expired` says so.
        let pushed = produce(&mut p, 0, 10, spin_loop, || true).unwrap();
        assert!((1..10).contains(&pushed), "{pushed}");
        assert_eq!(
            consume(&mut c, pushed, spin_loop, || true),
            Ok(bench_checksum(0, pushed))
        );
        assert_eq!(
            consume(&mut c, 1, spin_loop, || true),
            Err(ConsumeError::Expired(0))
        );
        p.try_push(&[1, 2, 3]).unwrap();
        assert_eq!(
            consume(&mut c, 1, spin_loop, || true),
            Err(ConsumeError::BadLength(0, 3))
        );
    }
}
