//! Cost of touching shared memory through `inos_layout::Region` versus raw atomics and slices.
//!
//! Run: `cargo bench -p inos-benches --bench access`. Every comparison lives in one criterion
//! group, so peers and inos run in the same process, back to back:
//!
//! - `word/{load,store,fetch_add}/{raw,checked,unchecked}`: a raw `&AtomicU32` (the peer) versus
//!   `region.u32_at(off)?` (bounds and alignment checked on every call) and
//!   `region.u32_at_unchecked(off)`. Target: checked / raw <= 1.05.
//! - `copy_in/{8,32,256,4096,65536}/{slice,region}` and `copy_out/...`: `copy_from_slice` on
//!   private memory (the peer) versus `Region::write` / `Region::read` (relaxed atomic copies in
//!   4-byte words, the one access width of every shared structure).
//!
//! The paired summary also times the copies in alternating rounds against `u64words`: the copy
//! inos-layout used before issue 8 (relaxed 8-byte words, bytes at the edges), kept here only as
//! the baseline the 4-byte copy must not fall behind.
//!
//! Each word access passes exactly one value through `black_box` per iteration: the `&AtomicU32`
//! for the peer, the offset for inos (so the bounds and alignment check runs on every iteration
//! and cannot be hoisted out of the loop). Both the `&AtomicU32` and the `Region` are held by
//! value in the closure, as a protocol struct holds them.
//!
//! A full run (or the filter `paired`) ends with a paired summary that times raw, checked and
//! unchecked word accesses in alternating rounds and prints median ratios: the figure to quote on
//! a shared, noisy machine. There the offset (and the peer's `&AtomicU32`) are hidden from the
//! optimiser with a volatile read instead of `black_box`, so that the `Region` can stay in
//! registers as it does in real code.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use inos_benches::median;
use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{AccessError, Region, RegionBuf};

const OFF: usize = 128;

/// Runs a checked access the way protocol code does (`?` inside a function returning `Result`)
/// and hands the caller a plain value, as a caller that handles the error would.
#[inline(always)]
fn checked(f: impl FnOnce() -> Result<u32, AccessError>) -> u32 {
    f().unwrap_or(u32::MAX)
}

fn word(c: &mut Criterion) {
    let buf = RegionBuf::new(4096).unwrap();
    let region = buf.region();
    let raw: &AtomicU32 = region.u32_at(OFF).unwrap();
    let mut g = c.benchmark_group("word");
    g.measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(60);

    g.bench_function("load/raw", |b| {
        b.iter(move || black_box(raw).load(Ordering::Relaxed))
    });
    g.bench_function("load/checked", |b| {
        b.iter(move || checked(|| Ok(region.u32_at(black_box(OFF))?.load(Ordering::Relaxed))))
    });
    g.bench_function("load/unchecked", |b| {
        // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
        b.iter(move || unsafe { region.u32_at_unchecked(black_box(OFF)) }.load(Ordering::Relaxed))
    });

    g.bench_function("store/raw", |b| {
        b.iter(move || black_box(raw).store(black_box(7), Ordering::Release))
    });
    g.bench_function("store/checked", |b| {
        b.iter(move || {
            checked(|| {
                region
                    .u32_at(black_box(OFF))?
                    .store(black_box(7), Ordering::Release);
                Ok(0)
            })
        })
    });
    g.bench_function("store/unchecked", |b| {
        b.iter(move || {
            // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
            unsafe { region.u32_at_unchecked(black_box(OFF)) }
                .store(black_box(7), Ordering::Release)
        })
    });

    g.bench_function("fetch_add/raw", |b| {
        b.iter(move || black_box(raw).fetch_add(1, Ordering::AcqRel))
    });
    g.bench_function("fetch_add/checked", |b| {
        b.iter(move || {
            checked(|| {
                Ok(region
                    .u32_at(black_box(OFF))?
                    .fetch_add(1, Ordering::AcqRel))
            })
        })
    });
    g.bench_function("fetch_add/unchecked", |b| {
        b.iter(move || {
            // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
            unsafe { region.u32_at_unchecked(black_box(OFF)) }.fetch_add(1, Ordering::AcqRel)
        })
    });
    g.finish();
}

const COPY_SIZES: [usize; 5] = [8, 32, 256, 4096, 65536];
const COPY_BUF: usize = 65536 + 128;

fn copies(c: &mut Criterion) {
    let buf = RegionBuf::new(COPY_BUF).unwrap();
    let region: Region<'_> = buf.region();
    let mut private = vec![0u8; COPY_BUF];
    let src = vec![0x5Au8; 65536];
    let mut dst = vec![0u8; 65536];

    for dir in ["copy_in", "copy_out"] {
        let mut g = c.benchmark_group(dir);
        g.measurement_time(Duration::from_secs(1))
            .warm_up_time(Duration::from_millis(300))
            .sample_size(50);
        for n in COPY_SIZES {
            g.throughput(Throughput::Bytes(n as u64));
            if dir == "copy_in" {
                g.bench_function(format!("{n}/slice"), |b| {
                    b.iter(|| {
                        let off = black_box(OFF);
                        black_box(&mut private[off..off + n]).copy_from_slice(&src[..n]);
                    })
                });
                g.bench_function(format!("{n}/region"), |b| {
                    b.iter(|| black_box(&region).write(black_box(OFF), &src[..n]))
                });
            } else {
                g.bench_function(format!("{n}/slice"), |b| {
                    b.iter(|| {
                        let off = black_box(OFF);
                        dst[..n].copy_from_slice(black_box(&private[off..off + n]));
                        black_box(&dst);
                    })
                });
                g.bench_function(format!("{n}/region"), |b| {
                    b.iter(|| {
                        let r = black_box(&region).read(black_box(OFF), &mut dst[..n]);
                        black_box(&dst);
                        r
                    })
                });
            }
        }
        g.finish();
    }
}

/// Measures the contenders of each word comparison in alternation (rounds of `N` operations,
/// `ROUNDS` rounds) and prints the median time per operation and the median of the per-round
/// ratios: robust to the load drifts of a shared machine, unlike criterion groups run one after
/// the other.
fn paired_summary() {
    let buf = RegionBuf::new(4096).unwrap();
    let region = buf.region();
    let raw: &AtomicU32 = region.u32_at(OFF).unwrap();
    println!("paired word-access summary ({ROUNDS} alternating rounds of {N} ops; medians):");
    paired(
        "load",
        || opaque(&raw).load(Ordering::Relaxed),
        || checked(|| Ok(region.u32_at(opaque(&OFF_CELL))?.load(Ordering::Relaxed))),
        || {
            // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
            let w = unsafe { region.u32_at_unchecked(opaque(&OFF_CELL)) };
            w.load(Ordering::Relaxed)
        },
    );
    paired(
        "store",
        || {
            opaque(&raw).store(opaque(&SEVEN), Ordering::Release);
            0
        },
        || {
            checked(|| {
                let w = region.u32_at(opaque(&OFF_CELL))?;
                w.store(opaque(&SEVEN), Ordering::Release);
                Ok(0)
            })
        },
        || {
            // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
            let w = unsafe { region.u32_at_unchecked(opaque(&OFF_CELL)) };
            w.store(opaque(&SEVEN), Ordering::Release);
            0
        },
    );
    paired(
        "fetch_add",
        || opaque(&raw).fetch_add(1, Ordering::AcqRel),
        || {
            checked(|| {
                Ok(region
                    .u32_at(opaque(&OFF_CELL))?
                    .fetch_add(1, Ordering::AcqRel))
            })
        },
        || {
            // SAFETY: OFF + 4 <= 4096 and OFF is 4-aligned.
            let w = unsafe { region.u32_at_unchecked(opaque(&OFF_CELL)) };
            w.fetch_add(1, Ordering::AcqRel)
        },
    );
}

/// The copy inos-layout used before issue 8 (relaxed 8-byte atomic words, single bytes up to
/// the first 8-byte boundary and after the last): the baseline of `paired_copies`.
mod u64words {
    use std::sync::atomic::{AtomicU64, AtomicU8, Ordering::Relaxed};

    fn head(p: *const u8, len: usize) -> usize {
        let mis = (p as usize) % 8;
        if mis == 0 {
            0
        } else {
            (8 - mis).min(len)
        }
    }

    /// # Safety
    /// `dst..dst + src.len()` is valid for writes and accessed by others only atomically.
    pub unsafe fn copy_in(dst: *mut u8, src: &[u8]) {
        let len = src.len();
        let h = head(dst, len);
        let mut i = 0;
        while i < h {
            // SAFETY: in bounds per the caller.
            unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(src[i], Relaxed);
            i += 1;
        }
        while i + 8 <= len {
            let mut b = [0u8; 8];
            b.copy_from_slice(&src[i..i + 8]);
            // SAFETY: 8-aligned after the head, in bounds.
            unsafe { AtomicU64::from_ptr(dst.add(i).cast()) }.store(u64::from_ne_bytes(b), Relaxed);
            i += 8;
        }
        while i < len {
            // SAFETY: in bounds per the caller.
            unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(src[i], Relaxed);
            i += 1;
        }
    }

    /// # Safety
    /// `src..src + dst.len()` is valid for reads and accessed by others only atomically.
    pub unsafe fn copy_out(src: *const u8, dst: &mut [u8]) {
        let len = dst.len();
        let h = head(src, len);
        let mut i = 0;
        while i < h {
            // SAFETY: in bounds per the caller.
            dst[i] = unsafe { AtomicU8::from_ptr(src.add(i).cast_mut()) }.load(Relaxed);
            i += 1;
        }
        while i + 8 <= len {
            // SAFETY: 8-aligned after the head, in bounds.
            let v = unsafe { AtomicU64::from_ptr(src.add(i).cast_mut().cast()) }.load(Relaxed);
            dst[i..i + 8].copy_from_slice(&v.to_ne_bytes());
            i += 8;
        }
        while i < len {
            // SAFETY: in bounds per the caller.
            dst[i] = unsafe { AtomicU8::from_ptr(src.add(i).cast_mut()) }.load(Relaxed);
            i += 1;
        }
    }
}

/// Times `Region::write`/`read` (4-byte words), the pre-issue-8 8-byte-word copy and
/// `copy_from_slice` on private memory in alternating rounds, for every size; prints median
/// ns per copy, GB/s and the median per-round ratios (region / u64words, region / slice).
fn paired_copies() {
    let buf = RegionBuf::new(COPY_BUF).unwrap();
    let region = buf.region();
    // The baseline copies into a second buffer of the same size and alignment, which the bench
    // accesses only through the baseline's atomic copies.
    let old = RegionBuf::new(COPY_BUF).unwrap();
    let old_ptr = old_base(&old);
    let src = vec![0x5Au8; 65536];
    let mut dst = vec![0u8; 65536];
    let mut private = vec![0u8; COPY_BUF];
    println!("paired copy summary ({ROUNDS} alternating rounds; medians):");
    for dir in ["copy_in", "copy_out"] {
        for n in COPY_SIZES {
            let reps = (4_000_000 / n).clamp(200, 2_000_000) as u32;
            let mut t: [Vec<f64>; 3] = Default::default();
            let mut ratio: [Vec<f64>; 2] = Default::default();
            for _ in 0..ROUNDS {
                let r = if dir == "copy_in" {
                    [
                        time_n(reps, || {
                            region.write(opaque(&OFF_CELL), &src[..n]).unwrap();
                        }),
                        time_n(reps, || {
                            // SAFETY: OFF + n <= COPY_BUF, inside `old`'s allocation.
                            unsafe { u64words::copy_in(old_ptr.add(opaque(&OFF_CELL)), &src[..n]) }
                        }),
                        time_n(reps, || {
                            let off = opaque(&OFF_CELL);
                            private[off..off + n].copy_from_slice(&src[..n]);
                            black_box(&private);
                        }),
                    ]
                } else {
                    [
                        time_n(reps, || {
                            region.read(opaque(&OFF_CELL), &mut dst[..n]).unwrap();
                            black_box(&dst);
                        }),
                        time_n(reps, || {
                            // SAFETY: OFF + n <= COPY_BUF, inside `old`'s allocation.
                            unsafe {
                                u64words::copy_out(old_ptr.add(opaque(&OFF_CELL)), &mut dst[..n])
                            };
                            black_box(&dst);
                        }),
                        time_n(reps, || {
                            let off = opaque(&OFF_CELL);
                            dst[..n].copy_from_slice(&private[off..off + n]);
                            black_box(&dst);
                        }),
                    ]
                };
                for k in 0..3 {
                    t[k].push(r[k]);
                }
                ratio[0].push(r[0] / r[1]);
                ratio[1].push(r[0] / r[2]);
            }
            let ns = median(t[0].clone());
            println!(
                "  {dir}/{n:<6} region {:>9.1} ns ({:>5.1} GB/s)  u64words {:>9.1} ns  slice {:>9.1} ns  region/u64words {:.3}  region/slice {:.3}",
                ns,
                n as f64 / ns,
                median(t[1].clone()),
                median(t[2].clone()),
                median(ratio[0].clone()),
                median(ratio[1].clone()),
            );
        }
    }
}

/// The base address of a `RegionBuf` the bench owns (the address of its first word), for the
/// baseline copy.
fn old_base(buf: &RegionBuf) -> *mut u8 {
    let w: &AtomicU32 = buf.region().u32_at(0).unwrap();
    (w as *const AtomicU32).cast_mut().cast()
}

/// Times `reps` calls of `f`, in ns per call.
#[inline(never)]
fn time_n(reps: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..reps {
        f();
    }
    t.elapsed().as_secs_f64() * 1e9 / f64::from(reps)
}

const ROUNDS: usize = 31;

/// The offset, hidden from the optimiser without `black_box`'s memory clobber (which would also
/// force the `Region`'s pointer and length to be reloaded from memory on every iteration, a cost
/// real code does not pay).
static OFF_CELL: usize = OFF;
static SEVEN: u32 = 7;

/// A volatile read: the compiler cannot know the value, but may keep everything else in
/// registers.
#[inline(always)]
fn opaque<T: Copy>(v: &T) -> T {
    // SAFETY: `v` is a valid, aligned reference to an initialised `T`.
    unsafe { std::ptr::read_volatile(v) }
}
const N: u32 = 2_000_000;

/// Times `N` calls of `f` (monomorphised: no indirect call in the loop), in ns per call. The
/// results are folded into one value that is `black_box`ed once, after the loop.
#[inline(never)]
fn time(f: &impl Fn() -> u32) -> f64 {
    let t = Instant::now();
    let mut acc = 0u32;
    for _ in 0..N {
        acc ^= f();
    }
    black_box(acc);
    t.elapsed().as_secs_f64() * 1e9 / f64::from(N)
}

/// Runs raw, checked and unchecked in alternating rounds; prints medians and median ratios.
fn paired(op: &str, raw: impl Fn() -> u32, checked: impl Fn() -> u32, unchecked: impl Fn() -> u32) {
    let mut t: [Vec<f64>; 3] = Default::default();
    let mut ratio: [Vec<f64>; 3] = Default::default();
    for _ in 0..ROUNDS {
        let r = [time(&raw), time(&checked), time(&unchecked)];
        for k in 0..3 {
            t[k].push(r[k]);
            ratio[k].push(r[k] / r[0]);
        }
    }
    for (k, name) in ["raw", "checked", "unchecked"].iter().enumerate() {
        println!(
            "  {:<20} {:>6.3} ns/op   ratio to raw {:.3}",
            format!("{op}/{name}"),
            median(t[k].clone()),
            median(ratio[k].clone())
        );
    }
}

criterion_group!(benches, word, copies);

fn main() {
    benches();
    // On a full run, or with the filter `paired` (which matches no criterion benchmark).
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if filters.is_empty() || filters.iter().any(|f| f == "paired") {
        paired_summary();
    }
    if filters.is_empty() || filters.iter().any(|f| f == "paired_copies") {
        paired_copies();
    }
    Criterion::default().configure_from_args().final_summary();
}
