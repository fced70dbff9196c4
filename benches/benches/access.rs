//! Cost of touching shared memory through `inos_layout::Region` versus raw atomics and slices,
//! paired (`cargo bench -p inos-benches --bench access`).
//!
//! The harness ([`inos_benches::Suite`]) runs the contenders of each comparison alternately, round
//! by round, in this one process, and merges the medians and per-round ratios (ours speed / peer
//! speed) into `target/inos-bench.json`, from which `bench-table` renders the README table.
//!
//! - `access/u32_{load,store,fetch_add}/checked`: `region.u32_at(off)?` (bounds and alignment
//!   checked on every call) vs a raw `&AtomicU32` (the peer). Target: ours ≤ 1.05× the raw
//!   atomic's time.
//! - `access/u32_{load,store,fetch_add}/unchecked`: `region.u32_at_unchecked(off)` (an offset
//!   validated once, as protocol code keeps it) vs the same raw atomic; same target.
//! - `access/copy_{in,out}/{8,32,256,4096,65536}B`: `Region::write` / `Region::read` (relaxed
//!   atomic copies in 4-byte words, the one access width of every shared structure) vs
//!   `copy_from_slice` on private memory, and vs `u64words`: the copy inos-layout used before
//!   issue 8 (relaxed 8-byte words, bytes at the edges), kept here only as a baseline. Both are
//!   context rows: a shared region cannot be copied with `copy_from_slice` without a data race.
//!
//! Every unit passes one value through the optimiser's blind spot: the `&AtomicU32` for the peer,
//! the offset for ours (so the bounds and alignment check runs on every call and cannot be hoisted
//! out of the loop). That is a volatile read ([`opaque`]) rather than `black_box`, whose memory
//! clobber would also force the `Region`'s pointer and length to be reloaded on every iteration,
//! a cost real code does not pay. Both the `&AtomicU32` and the `Region` are held by value in the
//! closure, as a protocol struct holds them. The loop folds the results into one value that is
//! `black_box`ed once, after the loop, and checks the word's final value.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use inos_benches::{contender, Contender, Spec, Suite};
use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{AccessError, Region, RegionBuf};

const OFF: usize = 128;

/// The offset, hidden from the optimiser without `black_box`'s memory clobber.
static OFF_CELL: usize = OFF;
static SEVEN: u32 = 7;

/// A volatile read: the compiler cannot know the value, but may keep everything else in
/// registers.
#[inline(always)]
fn opaque<T: Copy>(v: &T) -> T {
    // SAFETY: `v` is a valid, aligned reference to an initialised `T`.
    unsafe { std::ptr::read_volatile(v) }
}

/// Runs a checked access the way protocol code does (`?` inside a function returning `Result`)
/// and hands the caller a plain value, as a caller that handles the error would.
#[inline(always)]
fn checked(f: impl FnOnce() -> Result<u32, AccessError>) -> u32 {
    f().unwrap_or(u32::MAX)
}

/// Times `n` calls of `f` (monomorphised: no indirect call in the loop); the results are folded
/// into one value that is `black_box`ed once, after the loop.
#[inline(never)]
fn timed(n: u64, mut f: impl FnMut() -> u32) -> Duration {
    let t = Instant::now();
    let mut acc = 0u32;
    for _ in 0..n {
        acc ^= f();
    }
    black_box(acc);
    t.elapsed()
}

/// The word comparisons of one operation: checked and unchecked, each against the raw atomic.
/// `op` is a closure type of its own per call, so every loop is monomorphised for its operation.
fn words<F>(s: &mut Suite, region: Region<'_>, raw: &AtomicU32, op: F, names: [&'static str; 2])
where
    F: Fn(&AtomicU32) -> u32 + Copy,
{
    let target = 1.0 / 1.05;
    let text = "≤ 1.05× a raw AtomicU32's time";
    let spec = |name| Spec {
        name,
        unit: "op",
        bytes_per_unit: None,
        target_ratio: target,
        target: text,
        multiple: 1,
    };
    let peer = move || contender("raw_atomic", move |n| timed(n, || op(opaque(&raw))));
    s.compare(
        spec(names[0]),
        vec![
            contender("inos", move |n| {
                timed(n, || checked(|| Ok(op(region.u32_at(opaque(&OFF_CELL))?))))
            }),
            peer(),
        ],
    );
    s.compare(
        spec(names[1]),
        vec![
            contender("inos", move |n| {
                timed(n, || {
                    // SAFETY: OFF + 4 <= the region's length and OFF is 4-aligned.
                    let w = unsafe { region.u32_at_unchecked(opaque(&OFF_CELL)) };
                    op(w)
                })
            }),
            peer(),
        ],
    );
}

/// The copy inos-layout used before issue 8 (relaxed 8-byte atomic words, single bytes up to
/// the first 8-byte boundary and after the last): the `u64words` context rows of `copies`.
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

/// The base address of a `RegionBuf` the bench owns (the address of its first word), for the
/// baseline copy.
fn old_base(buf: &RegionBuf) -> *mut u8 {
    let w: &AtomicU32 = buf.region().u32_at(0).unwrap();
    (w as *const AtomicU32).cast_mut().cast()
}

const COPY_SIZES: [usize; 5] = [8, 32, 256, 4096, 65536];
const COPY_BUF: usize = OFF + 65536 + 64;

/// A row without a target.
fn context<'a>(c: Contender<'a>, text: &'static str) -> Contender<'a> {
    c.with_target(f64::NAN, text)
}

/// `access/copy_in/<size>B or `access/copy_out/<size>B`.
fn copy_name(dir: &str, size: usize) -> &'static str {
    Box::leak(format!("access/{dir}/{size}B").into_boxed_str())
}

/// Region copies vs `copy_from_slice` on private memory and vs the pre-issue-8 copy.
fn copies(s: &mut Suite) {
    let buf = RegionBuf::new(COPY_BUF).unwrap();
    let region = buf.region();
    // The baseline copies into a second buffer of the same size and alignment, which the bench
    // accesses only through the baseline's atomic copies.
    let old = RegionBuf::new(COPY_BUF).unwrap();
    let old_ptr = old_base(&old);
    let src: Vec<u8> = (0..65536u32).map(|i| i as u8).collect();
    let src = &src;
    for size in COPY_SIZES {
        let spec = |dir| Spec {
            name: copy_name(dir, size),
            unit: "copy",
            bytes_per_unit: Some(size as u64),
            target_ratio: f64::NAN,
            target: "context",
            multiple: 1,
        };
        const SLICE: &str = "context: copy_from_slice on private memory (not shareable)";
        const OLD: &str = "context: the copy before issue 8 (relaxed 8-byte words)";

        let mut private = vec![0u8; COPY_BUF];
        s.compare(
            spec("copy_in"),
            vec![
                contender("inos", move |n| {
                    timed(n, || {
                        region.write(opaque(&OFF_CELL), &src[..size]).unwrap();
                        0
                    })
                }),
                context(
                    contender("slice", move |n| {
                        let t = timed(n, || {
                            let off = opaque(&OFF_CELL);
                            private[off..off + size].copy_from_slice(&src[..size]);
                            black_box(&private);
                            0
                        });
                        assert_eq!(private[OFF + size - 1], src[size - 1]);
                        t
                    }),
                    SLICE,
                ),
                context(
                    contender("u64words", move |n| {
                        timed(n, || {
                            // SAFETY: OFF + size <= COPY_BUF, inside `old`'s allocation.
                            unsafe {
                                u64words::copy_in(old_ptr.add(opaque(&OFF_CELL)), &src[..size])
                            };
                            0
                        })
                    }),
                    OLD,
                ),
            ],
        );
        if s.selected(copy_name("copy_in", size)) {
            let mut check = vec![0u8; size];
            region.read(OFF, &mut check).unwrap();
            assert_eq!(&check[..], &src[..size], "copy_in wrote the source");
        } else {
            region.write(OFF, &src[..size]).unwrap(); // what copy_out reads
        }

        let (mut d1, mut d2, mut d3) = (vec![0u8; size], vec![0u8; size], vec![0u8; size]);
        let private = src[..].to_vec();
        s.compare(
            spec("copy_out"),
            vec![
                contender("inos", move |n| {
                    let t = timed(n, || {
                        region.read(opaque(&OFF_CELL), &mut d1).unwrap();
                        black_box(&d1);
                        0
                    });
                    assert_eq!(&d1[..], &src[..size]);
                    t
                }),
                context(
                    contender("slice", move |n| {
                        timed(n, || {
                            let off = opaque(&OFF_CELL) - OFF;
                            d2.copy_from_slice(&private[off..off + size]);
                            black_box(&d2);
                            0
                        })
                    }),
                    SLICE,
                ),
                context(
                    contender("u64words", move |n| {
                        timed(n, || {
                            // SAFETY: OFF + size <= COPY_BUF, inside `old`'s allocation.
                            unsafe { u64words::copy_out(old_ptr.add(opaque(&OFF_CELL)), &mut d3) };
                            black_box(&d3);
                            0
                        })
                    }),
                    OLD,
                ),
            ],
        );
    }
}

fn main() {
    let mut s = Suite::from_env();
    let buf = RegionBuf::new(4096).unwrap();
    let region = buf.region();
    let raw: &AtomicU32 = region.u32_at(OFF).unwrap();
    let load = |w: &AtomicU32| w.load(Ordering::Relaxed);
    let store = |w: &AtomicU32| {
        w.store(opaque(&SEVEN), Ordering::Release);
        0
    };
    let fetch_add = |w: &AtomicU32| w.fetch_add(1, Ordering::AcqRel);
    let names = ["access/u32_load/checked", "access/u32_load/unchecked"];
    words(&mut s, region, raw, load, names);
    let names = ["access/u32_store/checked", "access/u32_store/unchecked"];
    words(&mut s, region, raw, store, names);
    if names.iter().any(|n| s.selected(n)) {
        assert_eq!(raw.load(Ordering::Relaxed), SEVEN, "the stores landed");
    }
    let names = [
        "access/u32_fetch_add/checked",
        "access/u32_fetch_add/unchecked",
    ];
    words(&mut s, region, raw, fetch_add, names);
    copies(&mut s);
    s.finish();
}
