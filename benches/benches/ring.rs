//! inos-ring against rtrb, crossbeam `ArrayQueue`, crossbeam-channel and `memcpy`, paired.
//!
//! Run: `cargo bench -p inos-benches --bench ring` (optionally a name filter after `--`, e.g.
//! `-- spsc_batch`). The harness ([`inos_benches::Suite`]) runs ours and the peers alternately,
//! round by round, in this one process, with the same `n` for every contender, checks every
//! run, prints the median ns per unit and the median / min / max of the per-round ratios
//! (ours speed / peer speed), and merges them into `target/inos-bench.json`.
//!
//! Our rings are formatted in `Mode::Poll` (spec ring.md §7.1): none of the peers can put a
//! thread to sleep in these loops, and a polling ring is the one that pays no wake handshake.
//! The `inos_wake_mode` rows run the same code on a `Mode::Wake` ring (a SeqCst store and a
//! waiter check per commit and per release, so that `push_wait` / `pop_wait` can park): context,
//! with no target, the ratio being poll speed / wake speed.
//!
//! Fairness rules (issue 9 §1), applied to every comparison:
//! - **The same message type** on both sides: 8 B is a `u64`, 32 B is `[u64; 4]` = `[i, 1, 2, 3]`
//!   and the consumer reads all four words. Each contender is a generic function monomorphised
//!   per message type ([`Msg`]): direct calls only, no `fn` pointers, no `dyn` per message.
//! - **The same capacity handling**: runtime capacities on both sides, 4096 slots for the peers;
//!   our ring's byte capacity is `4096 × record size` rounded *down* to a power of two (so we
//!   never get more slots than the peer).
//! - **The same wait strategy**: [`Backoff`] (64 × `spin_loop`, then `yield_now`) wherever a
//!   queue is full or empty, including crossbeam-channel (driven with `try_send`/`try_recv`: its
//!   blocking `send`/`recv` would park on a futex, a cost ours does not pay, which would flatter
//!   us). The ping-pong spins with `spin_loop` only, on both sides.
//! - **The same thread set-up**: [`race`] spawns the workers before the clock starts, releases
//!   them with a flag and stops the clock when the consumer (on the calling thread) is done and
//!   the workers are joined. Nothing is pinned unless `INOS_BENCH_PIN=1`.
//! - **The same `black_box` discipline**: two-thread runs sink every message into a checksum
//!   that is checked after the run; the one-thread pair passes the pushed value and the popped
//!   value through `black_box` on both sides.
//!
//! Each peer is driven as its documentation shows: rtrb `Producer::push` / `Consumer::pop`
//! (retrying with the value handed back in `PushError::Full`), and for batches
//! `write_chunk_uninit(k).fill_from_iter(..)` with `k = min(slots(), 64, left)` and
//! `read_chunk(slots())` + `as_slices()` + `commit_all()` (row `rtrb_chunks`; row
//! `rtrb_chunks_read64` reads `min(slots(), 64)`); crossbeam-queue `ArrayQueue::push`
//! (which hands the value back on full) / `pop`; crossbeam-channel `bounded(4096)` with
//! `try_send` / `try_recv`. Ours, in the rows against rtrb (a typed queue of `T`): a
//! **fixed-size ring** of `T` (ring.md §3.3, records without a length word), driven with
//! `FixedProducer::try_push` / `FixedConsumer::try_pop` (single, pair, ping-pong) and
//! `push_with` (≤ 64 per call, each value made in place from its index, as rtrb's
//! `fill_from_iter`) / `pop_with` (≤ 64 per call, each value handed to a closure that sums it:
//! the counterpart of rtrb's `rtrb_chunks_read64` row; row `rtrb_chunks` reads everything
//! available). Context rows `inos_variable` run a ring of variable-length messages on the same
//! loops: `push_pod` / `pop_pod`, and for batches `push_pods_with` / `pop_pods_with` (one run
//! record per batch, ring.md §3.1.1); `inos_drain` takes the variable-length records as `Bytes`
//! views through `drain`, which takes everything available. Large messages:
//! `reserve` + `copy_from_slice` + `commit` / `read` +
//! `copy_to_slice` + `release` (4 KiB and 64 KiB messages, two threads), measured against a
//! one-thread `copy_from_slice` of the same size (the bandwidth baseline, with source and
//! destination half a page apart: see [`bulk_buffers`]). A context row without a target moves
//! the same bytes between the same two threads through an rtrb `u8` ring (`push_entire_slice` /
//! `pop_entire_slice`), to separate the cost of our grants from the cost of the hand-off.
//!
//! Method, settings and the JSON/README pipeline: `benches/README.md`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::mem::size_of;
use std::time::{Duration, Instant};

use crossbeam_channel::{TryRecvError, TrySendError};
use inos_benches::{contender, race, Backoff, Spec, Suite};
use inos_layout::RegionBuf;
use inos_ring::{layout, Error, Mode, Mpsc, Ring, Spsc};

const SLOTS: usize = 4096;
const CHUNK: usize = 64;

/// A benchmark message: built from its index, summed into the checksum by reading every word.
trait Msg: bytemuck::Pod + Send {
    fn make(i: u64) -> Self;
    fn key(&self) -> u64;
}

impl Msg for u64 {
    #[inline(always)]
    fn make(i: u64) -> Self {
        i
    }
    #[inline(always)]
    fn key(&self) -> u64 {
        *self
    }
}

impl Msg for [u64; 4] {
    #[inline(always)]
    fn make(i: u64) -> Self {
        [i, 1, 2, 3]
    }
    #[inline(always)]
    fn key(&self) -> u64 {
        self[0]
            .wrapping_add(self[1])
            .wrapping_add(self[2])
            .wrapping_add(self[3])
    }
}

/// The checksum of messages `0..n`.
fn expected<T: Msg>(n: u64) -> u64 {
    (n * n.saturating_sub(1) / 2).wrapping_add(n.wrapping_mul(T::make(0).key()))
}

/// Our ring's byte capacity for `SLOTS` records of `payload` bytes, rounded down to a power of 2.
fn ring_capacity(payload: usize) -> u32 {
    let bytes = SLOTS * layout::record_size(payload as u32) as usize;
    let p = bytes.next_power_of_two();
    (if p == bytes { p } else { p / 2 }) as u32
}

/// The ring mode of our contenders: `Mode::Poll` when `POLL` (nobody sleeps, as with every peer
/// here, none of which can sleep in these loops), `Mode::Wake` otherwise (the SeqCst handshake
/// that lets `push_wait` / `pop_wait` park is paid on every commit and release).
fn mode(poll: bool) -> Mode {
    if poll {
        Mode::Poll
    } else {
        Mode::Wake
    }
}

/// Our fixed-size ring's byte capacity for `SLOTS` messages of `T`: exactly `SLOTS` records when
/// the stride is a power of two (8 B and 32 B messages), never more.
fn fixed_capacity<T>() -> u32 {
    let bytes = SLOTS * layout::fixed_stride(size_of::<T>() as u32) as usize;
    let p = bytes.next_power_of_two();
    (if p == bytes { p } else { p / 2 }) as u32
}

/// A fixed-size ring of `T` (ring.md §3.3): the typed queue of `T` that rtrb's `RingBuffer<T>`
/// is, in shared memory.
fn fixed_ring<T>(poll: bool) -> RegionBuf {
    let cap = fixed_capacity::<T>();
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    Ring::<Spsc>::init_fixed_with(buf.region(), cap, mode(poll), 0, size_of::<T>()).unwrap();
    buf
}

fn spsc_ring(cap: u32, poll: bool) -> RegionBuf {
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    Ring::<Spsc>::init_with(buf.region(), cap, mode(poll), 0).unwrap();
    buf
}

// ---------- SPSC, one message per call ----------

fn inos_fixed_single<T: Msg, const POLL: bool>(n: u64) -> Duration {
    let buf = fixed_ring::<T>(POLL);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.fixed_producer::<T>().unwrap();
    let mut c = ring.fixed_consumer::<T>().unwrap();
    let producer = move || {
        let mut b = Backoff::new();
        for i in 0..n {
            let v = T::make(i);
            loop {
                match p.try_push(v) {
                    Ok(()) => break,
                    Err(Error::Full) => b.snooze(),
                    Err(e) => panic!("push: {e}"),
                }
            }
            b.reset();
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            let v = loop {
                match c.try_pop() {
                    Ok(v) => break v,
                    Err(Error::Empty) => b.snooze(),
                    Err(e) => panic!("pop: {e}"),
                }
            };
            b.reset();
            sum = sum.wrapping_add(v.key());
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

fn inos_single<T: Msg, const POLL: bool>(n: u64) -> Duration {
    let buf = spsc_ring(ring_capacity(size_of::<T>()), POLL);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let producer = move || {
        let mut b = Backoff::new();
        for i in 0..n {
            let v = T::make(i);
            loop {
                match p.push_pod(&v) {
                    Ok(()) => break,
                    Err(Error::Full) => b.snooze(),
                    Err(e) => panic!("push: {e}"),
                }
            }
            b.reset();
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            let v: T = loop {
                match c.pop_pod() {
                    Ok(v) => break v,
                    Err(Error::Empty) => b.snooze(),
                    Err(e) => panic!("pop: {e}"),
                }
            };
            b.reset();
            sum = sum.wrapping_add(v.key());
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

fn rtrb_single<T: Msg>(n: u64) -> Duration {
    let (mut p, mut c) = rtrb::RingBuffer::<T>::new(SLOTS);
    let producer = move || {
        let mut b = Backoff::new();
        for i in 0..n {
            let mut v = T::make(i);
            loop {
                match p.push(v) {
                    Ok(()) => break,
                    Err(rtrb::PushError::Full(back)) => {
                        v = back;
                        b.snooze();
                    }
                }
            }
            b.reset();
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            loop {
                match c.pop() {
                    Ok(v) => {
                        sum = sum.wrapping_add(v.key());
                        break;
                    }
                    Err(rtrb::PopError::Empty) => b.snooze(),
                }
            }
            b.reset();
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

// ---------- SPSC, batched (≤ 64 per producer call) ----------

fn inos_fixed_batch<T: Msg>(n: u64) -> Duration {
    let buf = fixed_ring::<T>(true);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.fixed_producer::<T>().unwrap();
    let mut c = ring.fixed_consumer::<T>().unwrap();
    let producer = move || {
        let mut b = Backoff::new();
        let mut i = 0u64;
        while i < n {
            let k = ((n - i) as usize).min(CHUNK);
            match p.push_with(k, |j| T::make(i + j as u64)) {
                Ok(0) => b.snooze(),
                Ok(m) => {
                    b.reset();
                    i += m as u64;
                }
                Err(e) => panic!("push_with: {e}"),
            }
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut got = 0u64;
        let mut b = Backoff::new();
        while got < n {
            match c.pop_with(CHUNK, |v| sum = sum.wrapping_add(v.key())) {
                Ok(0) => b.snooze(),
                Ok(k) => {
                    b.reset();
                    got += k as u64;
                }
                Err(e) => panic!("pop_with: {e}"),
            }
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

/// How the variable-length context rows take a batch.
const WITH: u8 = 0; // pop_pods_with: values taken in place
const DRAIN: u8 = 1; // drain (views)

fn inos_batch<T: Msg, const API: u8>(n: u64) -> Duration {
    let buf = spsc_ring(ring_capacity(size_of::<T>()), true);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let producer = move || {
        let mut b = Backoff::new();
        let mut i = 0u64;
        while i < n {
            let k = ((n - i) as usize).min(CHUNK);
            match p.push_pods_with(k, |j| T::make(i + j as u64)) {
                Ok(0) => b.snooze(),
                Ok(m) => {
                    b.reset();
                    i += m as u64;
                }
                Err(e) => panic!("push_pods_with: {e}"),
            }
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut got = 0u64;
        let mut b = Backoff::new();
        while got < n {
            let k = if API == WITH {
                c.pop_pods_with(CHUNK, |v: T| sum = sum.wrapping_add(v.key()))
                    .unwrap()
            } else {
                c.drain(|m| {
                    let mut v = T::zeroed();
                    m.copy_to_slice(bytemuck::bytes_of_mut(&mut v));
                    sum = sum.wrapping_add(v.key());
                })
                .unwrap()
            };
            if k == 0 {
                b.snooze();
            } else {
                b.reset();
                got += k as u64;
            }
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

fn rtrb_batch<T: Msg, const READ: usize>(n: u64) -> Duration {
    let (mut p, mut c) = rtrb::RingBuffer::<T>::new(SLOTS);
    let producer = move || {
        let mut b = Backoff::new();
        let mut i = 0u64;
        while i < n {
            let k = p.slots().min(CHUNK).min((n - i) as usize);
            if k == 0 {
                b.snooze();
                continue;
            }
            b.reset();
            let chunk = p.write_chunk_uninit(k).unwrap();
            i += chunk.fill_from_iter((i..i + k as u64).map(T::make)) as u64;
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut got = 0u64;
        let mut b = Backoff::new();
        while got < n {
            let k = c.slots().min(READ);
            if k == 0 {
                b.snooze();
                continue;
            }
            b.reset();
            let chunk = c.read_chunk(k).unwrap();
            let (first, second) = chunk.as_slices();
            for v in first {
                sum = sum.wrapping_add(v.key());
            }
            for v in second {
                sum = sum.wrapping_add(v.key());
            }
            chunk.commit_all();
            got += k as u64;
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

// ---------- One thread: push one, pop one (8 B) ----------

fn inos_fixed_pair<const POLL: bool>(n: u64) -> Duration {
    let buf = fixed_ring::<u64>(POLL);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.fixed_producer::<u64>().unwrap();
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    let mut sum = 0u64;
    let t0 = Instant::now();
    for i in 0..n {
        p.try_push(black_box(i)).unwrap();
        let v = c.try_pop().unwrap();
        sum = sum.wrapping_add(black_box(v));
    }
    let t = t0.elapsed();
    assert_eq!(sum, expected::<u64>(n));
    t
}

fn inos_pair<const POLL: bool>(n: u64) -> Duration {
    let buf = spsc_ring(ring_capacity(8), POLL);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let mut sum = 0u64;
    let t0 = Instant::now();
    for i in 0..n {
        p.push_pod(&black_box(i)).unwrap();
        let v: u64 = c.pop_pod().unwrap();
        sum = sum.wrapping_add(black_box(v));
    }
    let t = t0.elapsed();
    assert_eq!(sum, expected::<u64>(n));
    t
}

fn rtrb_pair(n: u64) -> Duration {
    let (mut p, mut c) = rtrb::RingBuffer::<u64>::new(SLOTS);
    let mut sum = 0u64;
    let t0 = Instant::now();
    for i in 0..n {
        p.push(black_box(i)).unwrap();
        let v = c.pop().unwrap();
        sum = sum.wrapping_add(black_box(v));
    }
    let t = t0.elapsed();
    assert_eq!(sum, expected::<u64>(n));
    t
}

// ---------- Ping-pong through two SPSC rings (8 B), spinning ----------

fn inos_pingpong<const POLL: bool>(n: u64) -> Duration {
    let (ab, ba) = (fixed_ring::<u64>(POLL), fixed_ring::<u64>(POLL));
    let (ab, ba) = (
        Ring::<Spsc>::attach(ab.region()).unwrap(),
        Ring::<Spsc>::attach(ba.region()).unwrap(),
    );
    let (mut ping_tx, mut pong_rx) = (ab.fixed_producer().unwrap(), ab.fixed_consumer().unwrap());
    let (mut pong_tx, mut ping_rx) = (ba.fixed_producer().unwrap(), ba.fixed_consumer().unwrap());
    let ponger = move || {
        for _ in 0..n {
            let v: u64 = loop {
                match pong_rx.try_pop() {
                    Ok(v) => break v,
                    Err(Error::Empty) => std::hint::spin_loop(),
                    Err(e) => panic!("pop: {e}"),
                }
            };
            pong_tx.try_push(v + 1).unwrap();
        }
    };
    let (t, sum) = race(vec![ponger], || {
        let mut sum = 0u64;
        for i in 0..n {
            ping_tx.try_push(i).unwrap();
            let v: u64 = loop {
                match ping_rx.try_pop() {
                    Ok(v) => break v,
                    Err(Error::Empty) => std::hint::spin_loop(),
                    Err(e) => panic!("pop: {e}"),
                }
            };
            sum = sum.wrapping_add(v);
        }
        sum
    });
    assert_eq!(sum, expected::<u64>(n) + n);
    t
}

fn rtrb_pingpong(n: u64) -> Duration {
    let (mut ping_tx, mut pong_rx) = rtrb::RingBuffer::<u64>::new(SLOTS);
    let (mut pong_tx, mut ping_rx) = rtrb::RingBuffer::<u64>::new(SLOTS);
    let ponger = move || {
        for _ in 0..n {
            let v = loop {
                match pong_rx.pop() {
                    Ok(v) => break v,
                    Err(rtrb::PopError::Empty) => std::hint::spin_loop(),
                }
            };
            pong_tx.push(v + 1).unwrap();
        }
    };
    let (t, sum) = race(vec![ponger], || {
        let mut sum = 0u64;
        for i in 0..n {
            ping_tx.push(i).unwrap();
            let v = loop {
                match ping_rx.pop() {
                    Ok(v) => break v,
                    Err(rtrb::PopError::Empty) => std::hint::spin_loop(),
                }
            };
            sum = sum.wrapping_add(v);
        }
        sum
    });
    assert_eq!(sum, expected::<u64>(n) + n);
    t
}

// ---------- Large messages through grants vs memcpy ----------

/// A source and a destination of `len` bytes (a multiple of 4096) in one allocation: the
/// source page-aligned, the destination half a page after its end, so `(dst - src) mod 4096 =
/// 2048`. Two separate `Vec`s can land 16 bytes apart modulo 4 KiB; on the AMD EPYC dev VM a
/// `copy_from_slice` at that distance measured 1.6 GB/s (4 KiB) and 1.9 GB/s (64 KiB) against
/// 42–74 GB/s at 0, 64 or 2048 bytes: an unlucky baseline that would flatter us 25×. The source
/// is filled with 0x5A.
fn bulk_buffers(len: usize) -> Vec<u8> {
    vec![0x5Au8; 2 * len + 2048 + 4096]
}

fn split_bulk(buf: &mut [u8], len: usize) -> (&mut [u8], &mut [u8]) {
    let a = buf.as_ptr().align_offset(4096);
    let (src, rest) = buf[a..].split_at_mut(len);
    let dst = &mut rest[2048..2048 + len];
    dst.fill(0);
    (&mut src[..len], dst)
}

/// 4 KiB or 64 KiB messages through `reserve`/`read` grants, producer and consumer threads. The
/// first 8 bytes carry the message index (stamped into the source before each copy).
fn inos_bulk<const LEN: usize, const POLL: bool>(n: u64) -> Duration {
    let cap = (16 * LEN).next_power_of_two() as u32;
    assert!(layout::max_message(cap) as usize >= LEN);
    let buf = spsc_ring(cap, POLL);
    let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let mut buf = bulk_buffers(LEN);
    let (src, dst) = split_bulk(&mut buf, LEN);
    let producer = move || {
        let mut b = Backoff::new();
        for i in 0..n {
            src[..8].copy_from_slice(&i.to_le_bytes());
            loop {
                match p.reserve(LEN) {
                    Ok(mut g) => {
                        g.copy_from_slice(src);
                        g.commit().unwrap();
                        break;
                    }
                    Err(Error::Full) => b.snooze(),
                    Err(e) => panic!("reserve: {e}"),
                }
            }
            b.reset();
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            loop {
                match c.read() {
                    Ok(g) => {
                        g.copy_to_slice(dst);
                        g.release();
                        break;
                    }
                    Err(Error::Empty) => b.snooze(),
                    Err(e) => panic!("read: {e}"),
                }
            }
            b.reset();
            sum = sum.wrapping_add(u64::from_le_bytes(dst[..8].try_into().unwrap()));
        }
        assert_eq!(dst[LEN - 1], 0x5A);
        sum
    });
    assert_eq!(sum, expected::<u64>(n));
    t
}

/// The bandwidth baseline: one thread copying a message of the same size with
/// `copy_from_slice` (glibc `memcpy`), same stamp and checksum.
fn memcpy_bulk<const LEN: usize>(n: u64) -> Duration {
    let mut buf = bulk_buffers(LEN);
    let (src, dst) = split_bulk(&mut buf, LEN);
    let mut sum = 0u64;
    let t0 = Instant::now();
    for i in 0..n {
        src[..8].copy_from_slice(&i.to_le_bytes());
        black_box(&mut *src);
        dst.copy_from_slice(src);
        black_box(&mut *dst);
        sum = sum.wrapping_add(u64::from_le_bytes(dst[..8].try_into().unwrap()));
    }
    let t = t0.elapsed();
    assert_eq!(sum, expected::<u64>(n));
    assert_eq!(dst[LEN - 1], 0x5A);
    t
}

/// Context for the bulk rows: the same bytes, threads and checks through an rtrb `u8` ring of
/// the same byte capacity, with rtrb's slice API (`push_entire_slice` / `pop_entire_slice`), so
/// the cost of moving 4 KiB between two threads through *a* ring is visible next to `memcpy`.
fn rtrb_bulk<const LEN: usize>(n: u64) -> Duration {
    let (mut p, mut c) = rtrb::RingBuffer::<u8>::new((16 * LEN).next_power_of_two());
    let mut buf = bulk_buffers(LEN);
    let (src, dst) = split_bulk(&mut buf, LEN);
    let producer = move || {
        let mut b = Backoff::new();
        for i in 0..n {
            src[..8].copy_from_slice(&i.to_le_bytes());
            while p.push_entire_slice(src).is_err() {
                b.snooze();
            }
            b.reset();
        }
    };
    let (t, sum) = race(vec![producer], || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            while c.pop_entire_slice(dst).is_err() {
                b.snooze();
            }
            b.reset();
            sum = sum.wrapping_add(u64::from_le_bytes(dst[..8].try_into().unwrap()));
        }
        assert_eq!(dst[LEN - 1], 0x5A);
        sum
    });
    assert_eq!(sum, expected::<u64>(n));
    t
}

// ---------- MPSC: 2 producers, 1 consumer ----------

fn inos_mpsc<T: Msg, const POLL: bool>(n: u64) -> Duration {
    let cap = ring_capacity(size_of::<T>());
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<Mpsc>::init_with(buf.region(), cap, mode(POLL), 0).unwrap();
    let mut c = ring.consumer().unwrap();
    let producers = (0..2u64)
        .map(|id| {
            let mut p = ring.producer().unwrap();
            move || {
                let mut b = Backoff::new();
                for i in (id..n).step_by(2) {
                    let v = T::make(i);
                    loop {
                        match p.push_pod(&v) {
                            Ok(()) => break,
                            Err(Error::Full) => b.snooze(),
                            Err(e) => panic!("push: {e}"),
                        }
                    }
                    b.reset();
                }
            }
        })
        .collect();
    let (t, sum) = race(producers, || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            let v: T = loop {
                match c.pop_pod() {
                    Ok(v) => break v,
                    Err(Error::Empty) => b.snooze(),
                    Err(e) => panic!("pop: {e}"),
                }
            };
            b.reset();
            sum = sum.wrapping_add(v.key());
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

fn arrayqueue_mpsc<T: Msg>(n: u64) -> Duration {
    let q = crossbeam_queue::ArrayQueue::<T>::new(SLOTS);
    let producers = (0..2u64)
        .map(|id| {
            let q = &q;
            move || {
                let mut b = Backoff::new();
                for i in (id..n).step_by(2) {
                    let mut v = T::make(i);
                    while let Err(back) = q.push(v) {
                        v = back;
                        b.snooze();
                    }
                    b.reset();
                }
            }
        })
        .collect();
    let (t, sum) = race(producers, || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            loop {
                if let Some(v) = q.pop() {
                    sum = sum.wrapping_add(v.key());
                    break;
                }
                b.snooze();
            }
            b.reset();
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

fn channel_mpsc<T: Msg>(n: u64) -> Duration {
    let (tx, rx) = crossbeam_channel::bounded::<T>(SLOTS);
    let producers = (0..2u64)
        .map(|id| {
            let tx = tx.clone();
            move || {
                let mut b = Backoff::new();
                for i in (id..n).step_by(2) {
                    let mut v = T::make(i);
                    loop {
                        match tx.try_send(v) {
                            Ok(()) => break,
                            Err(TrySendError::Full(back)) => {
                                v = back;
                                b.snooze();
                            }
                            Err(TrySendError::Disconnected(_)) => panic!("disconnected"),
                        }
                    }
                    b.reset();
                }
            }
        })
        .collect();
    let (t, sum) = race(producers, || {
        let mut sum = 0u64;
        let mut b = Backoff::new();
        for _ in 0..n {
            loop {
                match rx.try_recv() {
                    Ok(v) => {
                        sum = sum.wrapping_add(v.key());
                        break;
                    }
                    Err(TryRecvError::Empty) => b.snooze(),
                    Err(TryRecvError::Disconnected) => panic!("disconnected"),
                }
            }
            b.reset();
        }
        sum
    });
    assert_eq!(sum, expected::<T>(n));
    t
}

// ---------- The suite ----------

fn spec(name: &'static str, unit: &'static str, target_ratio: f64, target: &'static str) -> Spec {
    Spec {
        name,
        unit,
        bytes_per_unit: None,
        target_ratio,
        target,
        multiple: 2,
    }
}

/// The context rows that run a ring of variable-length messages (records with a length word).
const VARIABLE: &str =
    "context: a variable-length ring (`push_pod` / `pop_pod`, 4-byte record headers)";

fn main() {
    let mut s = Suite::from_env();
    let single = "≥ 1.0× rtrb";
    s.compare(
        spec("ring/spsc_single/8B", "msg", 1.0, single),
        vec![
            contender("inos", inos_fixed_single::<u64, true>),
            contender("inos_wake_mode", inos_fixed_single::<u64, false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("rtrb", rtrb_single::<u64>),
            contender("inos_variable", inos_single::<u64, true>).with_target(f64::NAN, VARIABLE),
        ],
    );
    s.compare(
        spec("ring/spsc_single/32B", "msg", 1.0, single),
        vec![
            contender("inos", inos_fixed_single::<[u64; 4], true>),
            contender("inos_wake_mode", inos_fixed_single::<[u64; 4], false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("rtrb", rtrb_single::<[u64; 4]>),
            contender("inos_variable", inos_single::<[u64; 4], true>)
                .with_target(f64::NAN, VARIABLE),
        ],
    );
    let batch = "≥ 1.0× rtrb chunks";
    s.compare(
        spec("ring/spsc_batch64/8B", "msg", 1.0, batch),
        vec![
            contender("inos", inos_fixed_batch::<u64>),
            contender("rtrb_chunks", rtrb_batch::<u64, { usize::MAX }>),
            contender("rtrb_chunks_read64", rtrb_batch::<u64, CHUNK>),
            contender("inos_variable", inos_batch::<u64, WITH>).with_target(
                f64::NAN,
                "context: a variable-length ring (`push_pods_with` / `pop_pods_with`: run records)",
            ),
            contender("inos_drain", inos_batch::<u64, DRAIN>)
                .with_target(f64::NAN, "context: a variable-length ring, `drain` (views)"),
        ],
    );
    s.compare(
        spec("ring/spsc_batch64/32B", "msg", 1.0, batch),
        vec![
            contender("inos", inos_fixed_batch::<[u64; 4]>),
            contender("rtrb_chunks", rtrb_batch::<[u64; 4], { usize::MAX }>),
            contender("rtrb_chunks_read64", rtrb_batch::<[u64; 4], CHUNK>),
            contender("inos_variable", inos_batch::<[u64; 4], WITH>).with_target(
                f64::NAN,
                "context: a variable-length ring (`push_pods_with` / `pop_pods_with`: run records)",
            ),
            contender("inos_drain", inos_batch::<[u64; 4], DRAIN>)
                .with_target(f64::NAN, "context: a variable-length ring, `drain` (views)"),
        ],
    );
    s.compare(
        spec(
            "ring/1thread_pair/8B",
            "pair",
            1.0 / 1.5,
            "time ≤ 1.5× rtrb (ratio ≥ 0.667)",
        ),
        vec![
            contender("inos", inos_fixed_pair::<true>),
            contender("inos_wake_mode", inos_fixed_pair::<false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("rtrb", rtrb_pair),
            contender("inos_variable", inos_pair::<true>).with_target(f64::NAN, VARIABLE),
        ],
    );
    s.compare(
        spec(
            "ring/pingpong/8B",
            "round trip",
            1.0,
            "round trip ≤ 1.0× rtrb",
        ),
        vec![
            contender("inos", inos_pingpong::<true>),
            contender("inos_wake_mode", inos_pingpong::<false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("rtrb", rtrb_pingpong),
        ],
    );
    let bulk = "≥ 0.8× memcpy bandwidth";
    s.compare(
        Spec {
            bytes_per_unit: Some(4096),
            ..spec("ring/grant/4KiB", "msg", 0.8, bulk)
        },
        vec![
            contender("inos", inos_bulk::<4096, true>),
            contender("memcpy", memcpy_bulk::<4096>),
            contender("rtrb_slices", rtrb_bulk::<4096>)
                .with_target(f64::NAN, "context (no target)"),
        ],
    );
    s.compare(
        Spec {
            bytes_per_unit: Some(65536),
            ..spec("ring/grant/64KiB", "msg", 0.8, bulk)
        },
        vec![
            contender("inos", inos_bulk::<65536, true>),
            contender("memcpy", memcpy_bulk::<65536>),
            contender("rtrb_slices", rtrb_bulk::<65536>)
                .with_target(f64::NAN, "context (no target)"),
        ],
    );
    let mpsc = "≥ 1.5× peer";
    s.compare(
        spec("ring/mpsc_2p1c/8B", "msg", 1.5, mpsc),
        vec![
            contender("inos", inos_mpsc::<u64, true>),
            contender("inos_wake_mode", inos_mpsc::<u64, false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("arrayqueue", arrayqueue_mpsc::<u64>),
            contender("crossbeam_channel", channel_mpsc::<u64>),
        ],
    );
    s.compare(
        spec("ring/mpsc_2p1c/32B", "msg", 1.5, mpsc),
        vec![
            contender("inos", inos_mpsc::<[u64; 4], true>),
            contender("inos_wake_mode", inos_mpsc::<[u64; 4], false>)
                .with_target(f64::NAN, "context: the same ring in Mode::Wake"),
            contender("arrayqueue", arrayqueue_mpsc::<[u64; 4]>),
            contender("crossbeam_channel", channel_mpsc::<[u64; 4]>),
        ],
    );
    s.finish();
}
