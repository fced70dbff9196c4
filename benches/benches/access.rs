//! Cost of touching shared memory through `inos_layout::Region` versus raw atomics and slices.
//!
//! Run: `cargo bench -p inos-benches --bench access`. Every comparison lives in one criterion
//! group, so peers and inos run in the same process, back to back:
//!
//! - `word/{load,store,fetch_add}/{raw,checked,unchecked}`: a raw `&AtomicU32` (the peer) versus
//!   `region.u32_at(off)?` (bounds and alignment checked on every call) and
//!   `region.u32_at_unchecked(off)`. Target: checked / raw <= 1.05.
//! - `copy_in/{8,32,256}/{slice,region}` and `copy_out/...`: `copy_from_slice` on private memory
//!   (the peer) versus `Region::write` / `Region::read` (atomic relaxed copies).
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

fn copies(c: &mut Criterion) {
    let buf = RegionBuf::new(4096).unwrap();
    let region: Region<'_> = buf.region();
    let mut private = vec![0u8; 4096];
    let src = [0x5Au8; 256];
    let mut dst = [0u8; 256];

    for dir in ["copy_in", "copy_out"] {
        let mut g = c.benchmark_group(dir);
        g.measurement_time(Duration::from_secs(1))
            .warm_up_time(Duration::from_millis(300))
            .sample_size(50);
        for n in [8usize, 32, 256] {
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
    Criterion::default().configure_from_args().final_summary();
}
