//! inos-ring against rtrb, crossbeam `ArrayQueue` and crossbeam-channel, in one run.
//!
//! Method (mirrors `/work/shared/notes/peer-baselines.md`): one producer thread and one consumer
//! thread (MPSC: two producers), `N` messages per measured iteration, peers with 4096 slots and
//! our rings with data capacity `next_pow2(4096 * record size)` rounded *down* for 32-byte
//! payloads (so we never get more slots than the peers), and the same wait strategy everywhere:
//! `spin_loop` for 64 failed tries, then `yield_now` on each further failure. Every run checks
//! the consumer's checksum. 8-byte messages are a `u64`; 32-byte messages are `[i, 1, 2, 3]`
//! (`u64`s) and the consumer reads all four words.
//!
//! Run: `cargo bench -p inos-benches --bench ring` (about 1.5 minutes). Compare peers by the
//! median of each benchmark (`target/criterion/ring_*/*/*/new/estimates.json`, `median`), as
//! ratios within one run: single-message SPSC is bimodal on a shared VM (see the baselines note).
//! `ring_spsc_1thread` (push one, pop one, same thread) isolates the instruction cost per
//! operation pair, without cache-line transfers.
#![allow(missing_docs)]

use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use inos_layout::RegionBuf;
use inos_ring::{layout, Mpsc, Ring, Spsc};

const N: u64 = 1_000_000;
const SLOTS: usize = 4096;
const CHUNK: usize = 256;

/// Spin 64 times, then yield on every further failure.
struct Backoff(u32);
impl Backoff {
    fn new() -> Self {
        Backoff(0)
    }
    #[inline]
    fn snooze(&mut self) {
        if self.0 < 64 {
            std::hint::spin_loop();
            self.0 += 1;
        } else {
            thread::yield_now();
        }
    }
    #[inline]
    fn reset(&mut self) {
        self.0 = 0;
    }
}

fn expected_sum(n: u64, words: u64) -> u64 {
    let base = n * (n - 1) / 2;
    if words == 1 {
        base
    } else {
        base + n * 6
    }
}

fn ring_capacity(payload: usize) -> u32 {
    let bytes = SLOTS * layout::record_size(payload as u32) as usize;
    let p = bytes.next_power_of_two();
    (if p == bytes { p } else { p / 2 }) as u32
}

fn msg32(i: u64) -> [u8; 32] {
    let mut m = [0u8; 32];
    m[..8].copy_from_slice(&i.to_le_bytes());
    m[8..16].copy_from_slice(&1u64.to_le_bytes());
    m[16..24].copy_from_slice(&2u64.to_le_bytes());
    m[24..].copy_from_slice(&3u64.to_le_bytes());
    m
}

fn sum32(m: &[u8; 32]) -> u64 {
    m.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .sum()
}

// ---------- SPSC, one message per call ----------

fn inos_spsc_single(payload: usize, n: u64) -> Duration {
    let cap = ring_capacity(payload);
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), cap).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let start = Instant::now();
    let sum = thread::scope(|s| {
        s.spawn(move || {
            let mut b = Backoff::new();
            for i in 0..n {
                if payload == 8 {
                    while p.try_push(&i.to_le_bytes()).is_err() {
                        b.snooze();
                    }
                } else {
                    let m = msg32(i);
                    while p.try_push(&m).is_err() {
                        b.snooze();
                    }
                }
                b.reset();
            }
        });
        let mut sum = 0u64;
        let mut b = Backoff::new();
        let mut out = [0u8; 32];
        for _ in 0..n {
            loop {
                match c.try_pop(&mut out) {
                    Ok(_) => break,
                    Err(_) => b.snooze(),
                }
            }
            b.reset();
            sum += if payload == 8 {
                u64::from_le_bytes(out[..8].try_into().unwrap())
            } else {
                sum32(&out)
            };
        }
        sum
    });
    let el = start.elapsed();
    assert_eq!(sum, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

fn rtrb_single(payload: usize, n: u64) -> Duration {
    fn run<T: Send + Copy>(n: u64, make: fn(u64) -> T, sum: fn(&T) -> u64) -> (Duration, u64) {
        let (mut p, mut c) = rtrb::RingBuffer::<T>::new(SLOTS);
        let start = Instant::now();
        let s = thread::scope(|s| {
            s.spawn(move || {
                let mut b = Backoff::new();
                for i in 0..n {
                    let mut v = make(i);
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
            });
            let mut total = 0u64;
            let mut b = Backoff::new();
            for _ in 0..n {
                loop {
                    match c.pop() {
                        Ok(v) => {
                            total += sum(&v);
                            break;
                        }
                        Err(_) => b.snooze(),
                    }
                }
                b.reset();
            }
            total
        });
        (start.elapsed(), s)
    }
    let (el, s) = if payload == 8 {
        run::<u64>(n, |i| i, |v| *v)
    } else {
        run::<[u64; 4]>(n, |i| [i, 1, 2, 3], |v| v.iter().sum())
    };
    assert_eq!(s, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

// ---------- SPSC, batched ----------

fn inos_spsc_batch(payload: usize, n: u64) -> Duration {
    let cap = ring_capacity(payload);
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), cap).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let start = Instant::now();
    let sum = thread::scope(|s| {
        s.spawn(move || {
            let mut b = Backoff::new();
            let mut i = 0u64;
            let mut chunk8 = [0u64; CHUNK];
            let mut chunk32 = [[0u64; 4]; CHUNK];
            while i < n {
                let k = ((n - i) as usize).min(CHUNK);
                let pushed = if payload == 8 {
                    for (j, v) in chunk8[..k].iter_mut().enumerate() {
                        *v = i + j as u64;
                    }
                    p.push_pods(&chunk8[..k]).unwrap()
                } else {
                    for (j, v) in chunk32[..k].iter_mut().enumerate() {
                        *v = [i + j as u64, 1, 2, 3];
                    }
                    p.push_pods(&chunk32[..k]).unwrap()
                };
                if pushed == 0 {
                    b.snooze();
                } else {
                    b.reset();
                    i += pushed as u64;
                }
            }
        });
        let mut sum = 0u64;
        let mut got = 0u64;
        let mut b = Backoff::new();
        while got < n {
            let k = c
                .drain(|m| {
                    if payload == 8 {
                        let mut w = [0u8; 8];
                        m.copy_to_slice(&mut w);
                        sum += u64::from_le_bytes(w);
                    } else {
                        let mut w = [0u8; 32];
                        m.copy_to_slice(&mut w);
                        sum += sum32(&w);
                    }
                })
                .unwrap();
            if k == 0 {
                b.snooze();
            } else {
                b.reset();
                got += k as u64;
            }
        }
        sum
    });
    let el = start.elapsed();
    assert_eq!(sum, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

fn rtrb_batch(payload: usize, n: u64) -> Duration {
    fn run<T: Send + Copy>(n: u64, make: fn(u64) -> T, sum: fn(&T) -> u64) -> (Duration, u64) {
        let (mut p, mut c) = rtrb::RingBuffer::<T>::new(SLOTS);
        let start = Instant::now();
        let s = thread::scope(|s| {
            s.spawn(move || {
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
                    let base = i;
                    let w = chunk.fill_from_iter((0..k as u64).map(|j| make(base + j)));
                    i += w as u64;
                }
            });
            let mut total = 0u64;
            let mut got = 0u64;
            let mut b = Backoff::new();
            while got < n {
                let k = c.slots().min(CHUNK);
                if k == 0 {
                    b.snooze();
                    continue;
                }
                b.reset();
                let chunk = c.read_chunk(k).unwrap();
                let (a, bb) = chunk.as_slices();
                for v in a.iter().chain(bb) {
                    total += sum(v);
                }
                chunk.commit_all();
                got += k as u64;
            }
            total
        });
        (start.elapsed(), s)
    }
    let (el, s) = if payload == 8 {
        run::<u64>(n, |i| i, |v| *v)
    } else {
        run::<[u64; 4]>(n, |i| [i, 1, 2, 3], |v| v.iter().sum())
    };
    assert_eq!(s, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

// ---------- MPSC, 2 producers + 1 consumer ----------

fn inos_mpsc(payload: usize, n: u64) -> Duration {
    let cap = ring_capacity(payload);
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), cap).unwrap();
    let mut c = ring.consumer().unwrap();
    let start = Instant::now();
    let sum = thread::scope(|s| {
        for id in 0..2u64 {
            let mut p = ring.producer().unwrap();
            s.spawn(move || {
                let mut b = Backoff::new();
                let mut i = id;
                while i < n {
                    if payload == 8 {
                        while p.try_push(&i.to_le_bytes()).is_err() {
                            b.snooze();
                        }
                    } else {
                        let m = msg32(i);
                        while p.try_push(&m).is_err() {
                            b.snooze();
                        }
                    }
                    b.reset();
                    i += 2;
                }
            });
        }
        let mut sum = 0u64;
        let mut b = Backoff::new();
        let mut out = [0u8; 32];
        for _ in 0..n {
            loop {
                match c.try_pop(&mut out) {
                    Ok(_) => break,
                    Err(_) => b.snooze(),
                }
            }
            b.reset();
            sum += if payload == 8 {
                u64::from_le_bytes(out[..8].try_into().unwrap())
            } else {
                sum32(&out)
            };
        }
        sum
    });
    let el = start.elapsed();
    assert_eq!(sum, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

fn arrayqueue_mpsc(payload: usize, n: u64) -> Duration {
    fn run<T: Send + Copy>(n: u64, make: fn(u64) -> T, sum: fn(&T) -> u64) -> (Duration, u64) {
        let q = crossbeam_queue::ArrayQueue::<T>::new(SLOTS);
        let start = Instant::now();
        let s = thread::scope(|s| {
            for id in 0..2u64 {
                let q = &q;
                s.spawn(move || {
                    let mut b = Backoff::new();
                    let mut i = id;
                    while i < n {
                        let mut v = make(i);
                        while let Err(back) = q.push(v) {
                            v = back;
                            b.snooze();
                        }
                        b.reset();
                        i += 2;
                    }
                });
            }
            let mut total = 0u64;
            let mut b = Backoff::new();
            for _ in 0..n {
                loop {
                    if let Some(v) = q.pop() {
                        total += sum(&v);
                        break;
                    }
                    b.snooze();
                }
                b.reset();
            }
            total
        });
        (start.elapsed(), s)
    }
    let (el, s) = if payload == 8 {
        run::<u64>(n, |i| i, |v| *v)
    } else {
        run::<[u64; 4]>(n, |i| [i, 1, 2, 3], |v| v.iter().sum())
    };
    assert_eq!(s, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

fn channel_mpsc(payload: usize, n: u64) -> Duration {
    fn run<T: Send + Copy>(n: u64, make: fn(u64) -> T, sum: fn(&T) -> u64) -> (Duration, u64) {
        let (tx, rx) = crossbeam_channel::bounded::<T>(SLOTS);
        let start = Instant::now();
        let s = thread::scope(|s| {
            for id in 0..2u64 {
                let tx = tx.clone();
                s.spawn(move || {
                    let mut i = id;
                    while i < n {
                        tx.send(make(i)).unwrap();
                        i += 2;
                    }
                });
            }
            let mut total = 0u64;
            for _ in 0..n {
                total += sum(&rx.recv().unwrap());
            }
            total
        });
        (start.elapsed(), s)
    }
    let (el, s) = if payload == 8 {
        run::<u64>(n, |i| i, |v| *v)
    } else {
        run::<[u64; 4]>(n, |i| [i, 1, 2, 3], |v| v.iter().sum())
    };
    assert_eq!(s, expected_sum(n, if payload == 8 { 1 } else { 4 }));
    el
}

type Runner = fn(usize, u64) -> Duration;

fn group(c: &mut Criterion, name: &str, peers: &[(&str, Runner)]) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(N));
    g.sample_size(10);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));
    for payload in [8usize, 32] {
        for (peer, f) in peers {
            g.bench_with_input(BenchmarkId::new(*peer, payload), &payload, |b, &p| {
                b.iter_custom(|iters| (0..iters).map(|_| f(p, N)).sum())
            });
        }
    }
    g.finish();
}

fn spsc_single(c: &mut Criterion) {
    group(
        c,
        "ring_spsc_single",
        &[("inos", inos_spsc_single), ("rtrb", rtrb_single)],
    );
}

fn spsc_batch(c: &mut Criterion) {
    group(
        c,
        "ring_spsc_batch",
        &[("inos", inos_spsc_batch), ("rtrb_chunks", rtrb_batch)],
    );
}

fn mpsc(c: &mut Criterion) {
    group(
        c,
        "ring_mpsc_2p1c",
        &[
            ("inos", inos_mpsc),
            ("arrayqueue", arrayqueue_mpsc),
            ("crossbeam_channel", channel_mpsc),
        ],
    );
}

/// One thread, push one then pop one: the instruction cost of an operation pair, without
/// cache-line transfers (far less noisy than the two-thread runs on a shared VM).
fn spsc_one_thread(c: &mut Criterion) {
    let mut g = c.benchmark_group("ring_spsc_1thread");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.warm_up_time(Duration::from_millis(300));
    g.measurement_time(Duration::from_secs(1));
    let cap = ring_capacity(8);
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), cap).unwrap();
    let mut p = ring.producer().unwrap();
    let mut cons = ring.consumer().unwrap();
    let mut i = 0u64;
    g.bench_function("inos/8", |b| {
        b.iter(|| {
            i += 1;
            p.try_push(&i.to_le_bytes()).unwrap();
            let mut out = [0u8; 8];
            cons.try_pop(&mut out).unwrap();
            std::hint::black_box(out);
        })
    });
    let (mut rp, mut rc) = rtrb::RingBuffer::<u64>::new(SLOTS);
    g.bench_function("rtrb/8", |b| {
        b.iter(|| {
            i += 1;
            rp.push(i).unwrap();
            std::hint::black_box(rc.pop().unwrap());
        })
    });
    g.finish();
}

criterion_group!(benches, spsc_one_thread, spsc_single, spsc_batch, mpsc);
criterion_main!(benches);
