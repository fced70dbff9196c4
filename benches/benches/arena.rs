//! The shared arena against the system allocator and a `Mutex` free list (allocate + free
//! pairs), and a 5 MiB frame handed from one thread to another: by reference through the arena,
//! copied through an inos ring, and `memcpy` (the physical floor of a copy).
//!
//! Run: `cargo bench -p inos-benches --bench arena`. The paired harness
//! ([`inos_benches::Suite`]) runs the contenders alternately, round by round, in this one process,
//! with the same `n`, and merges median ns per unit and per-round ratios into
//! `target/inos-bench.json`.
//!
//! Allocate + free pairs (256-byte blocks, 64-aligned, each block touched once through
//! `black_box`):
//! - `inos`: `Arena::alloc(256)` then `Block::free` (a 64 KiB-chunk arena of 12 MiB);
//! - `system`: `std::alloc::alloc` / `dealloc` with `Layout::from_size_align(256, 64)`;
//! - `mutex`: a `Mutex<Vec<usize>>` free list of 256-byte slots (lock, pop; lock, push).
//!
//! Two threads: [`race_pinned`], each thread doing half of the pairs on the same allocator.
//!
//! Hand-off of a 5 MiB frame (unit: frame; the producer writes every byte, the consumer reads
//! every byte and checks one byte per 64 KiB):
//! - `inos`: producer `alloc` + `fill` + `into_ref`, the 16-byte ref through an SPSC inos ring
//!   (`push_pod`); consumer `pop_pod` + `open` + read in place + `free`;
//! - `ring`: the producer fills a private 5 MiB buffer and pushes it through an SPSC inos ring of
//!   2 MiB in 512 KiB messages; the consumer pops them into its own 5 MiB buffer;
//! - `memcpy`: one thread fills a 5 MiB buffer and copies it into another (`copy_from_slice`),
//!   then reads it: the floor of any copying hand-off.
#![allow(missing_docs)]

use std::alloc::{alloc, dealloc, Layout};
use std::hint::black_box;
use std::sync::Mutex;
use std::time::Instant;

use inos_arena::{required_len, Arena, BlockRef, Error};
use inos_benches::{contender, race_pinned, Backoff, Spec, Suite};
use inos_layout::RegionBuf;
use inos_ring::{layout, Ring, Spsc};

const BLOCK: usize = 256;
const FRAME: usize = 5 << 20;
const PIECE: usize = 512 << 10;
const CHUNK_READ: usize = 64 << 10;
const MUTEX_CONTEXT: &str =
    "context: a process-local free list of fixed slots (no sizes, not shareable)";

fn inos_pairs(arena: Arena<'_>, n: u64) {
    for _ in 0..n {
        let b = arena.alloc(BLOCK).unwrap();
        black_box(b.offset());
        b.free().unwrap();
    }
}

fn system_pairs(n: u64) {
    let l = Layout::from_size_align(BLOCK, 64).unwrap();
    for _ in 0..n {
        // SAFETY: the layout has a non-zero size; the pointer is freed with the same layout.
        unsafe {
            let p = alloc(l);
            assert!(!p.is_null());
            black_box(p);
            dealloc(p, l);
        }
    }
}

fn mutex_pairs(list: &Mutex<Vec<usize>>, n: u64) {
    for _ in 0..n {
        let slot = list.lock().unwrap().pop().unwrap();
        black_box(slot);
        list.lock().unwrap().push(slot);
    }
}

/// Reads every byte of a frame 64 KiB at a time through `read`, checking one byte per piece.
fn read_all(mut read: impl FnMut(usize, &mut [u8]), tag: u8, buf: &mut [u8]) {
    for at in (0..FRAME).step_by(CHUNK_READ) {
        read(at, buf);
        assert_eq!(buf[CHUNK_READ / 2], tag);
        black_box(&buf);
    }
}

fn main() {
    let mut s = Suite::from_env();
    let abuf = RegionBuf::new(required_len(16, 192).unwrap()).unwrap();
    let arena = Arena::init(abuf.region(), 16).unwrap();
    let free_list = Mutex::new((0..4096usize).map(|i| i * BLOCK).collect::<Vec<_>>());
    let fl = &free_list;

    s.compare(
        Spec {
            name: "arena/alloc_free/1thread",
            unit: "pair",
            bytes_per_unit: None,
            target_ratio: 0.5,
            target: "≥ 0.5× the system allocator",
            multiple: 1,
        },
        vec![
            contender("inos", move |n| {
                let t = Instant::now();
                inos_pairs(arena, n);
                let t = t.elapsed();
                assert_eq!(arena.stats().bytes_in_use, 0);
                t
            }),
            contender("system", move |n| {
                let t = Instant::now();
                system_pairs(n);
                t.elapsed()
            }),
            contender("mutex", move |n| {
                let t = Instant::now();
                mutex_pairs(fl, n);
                t.elapsed()
            })
            .with_target(f64::NAN, MUTEX_CONTEXT),
        ],
    );
    s.compare(
        Spec {
            name: "arena/alloc_free/2threads",
            unit: "pair",
            bytes_per_unit: None,
            target_ratio: 0.5,
            target: "≥ 0.5× the system allocator",
            multiple: 2,
        },
        vec![
            contender("inos", move |n| {
                let (t, ()) = race_pinned(vec![move || inos_pairs(arena, n / 2)], move || {
                    inos_pairs(arena, n / 2)
                });
                assert_eq!(arena.stats().bytes_in_use, 0);
                t
            }),
            contender("system", move |n| {
                race_pinned(vec![move || system_pairs(n / 2)], move || {
                    system_pairs(n / 2)
                })
                .0
            }),
            contender("mutex", move |n| {
                race_pinned(vec![move || mutex_pairs(fl, n / 2)], move || {
                    mutex_pairs(fl, n / 2)
                })
                .0
            })
            .with_target(f64::NAN, MUTEX_CONTEXT),
        ],
    );

    let rbuf = RegionBuf::new(layout::required_len(2 << 20)).unwrap();
    let rbuf = &rbuf;
    s.compare(
        Spec {
            name: "arena/handoff/5MiB",
            unit: "frame",
            bytes_per_unit: Some(FRAME as u64),
            target_ratio: 2.0,
            target: "≥ 2× copying through a ring",
            multiple: 1,
        },
        vec![
            contender("inos", move |n| {
                let ring = Ring::<Spsc>::init(rbuf.region(), 4096).unwrap();
                let (mut tx, mut rx) = (ring.producer().unwrap(), ring.consumer().unwrap());
                let producer = move || {
                    let mut bo = Backoff::new();
                    for i in 0..n {
                        let f = loop {
                            match arena.alloc(FRAME) {
                                Ok(f) => break f,
                                Err(Error::OutOfMemory) => bo.snooze(),
                                Err(e) => panic!("{e}"),
                            }
                        };
                        bo.reset();
                        f.bytes().fill(i as u8);
                        let r = f.into_ref().unwrap();
                        while tx.push_pod(&r).is_err() {
                            bo.snooze();
                        }
                        bo.reset();
                    }
                };
                let (t, ()) = race_pinned(vec![producer], move || {
                    let mut bo = Backoff::new();
                    let mut buf = vec![0u8; CHUNK_READ];
                    for i in 0..n {
                        let r: BlockRef = loop {
                            match rx.pop_pod() {
                                Ok(r) => break r,
                                Err(_) => bo.snooze(),
                            }
                        };
                        bo.reset();
                        let f = arena.open(r).unwrap();
                        let bytes = f.bytes();
                        read_all(|at, b| bytes.read_at(at, b).unwrap(), i as u8, &mut buf);
                        f.free().unwrap();
                    }
                });
                assert_eq!(arena.stats().bytes_in_use, 0);
                t
            }),
            contender("ring", move |n| {
                let ring = Ring::<Spsc>::init(rbuf.region(), 2 << 20).unwrap();
                let (mut tx, mut rx) = (ring.producer().unwrap(), ring.consumer().unwrap());
                let mut src = vec![0u8; FRAME];
                let mut dst = vec![0u8; FRAME];
                let producer = move || {
                    let mut bo = Backoff::new();
                    for i in 0..n {
                        src.fill(i as u8);
                        for piece in src.chunks(PIECE) {
                            while tx.try_push(piece).is_err() {
                                bo.snooze();
                            }
                            bo.reset();
                        }
                    }
                };
                let (t, ()) = race_pinned(vec![producer], move || {
                    let mut bo = Backoff::new();
                    let mut buf = vec![0u8; CHUNK_READ];
                    for i in 0..n {
                        for piece in dst.chunks_mut(PIECE) {
                            loop {
                                match rx.try_pop(piece) {
                                    Ok(len) => {
                                        assert_eq!(len, PIECE);
                                        break;
                                    }
                                    Err(_) => bo.snooze(),
                                }
                            }
                            bo.reset();
                        }
                        let d = &dst;
                        read_all(
                            |at, b| b.copy_from_slice(&d[at..at + CHUNK_READ]),
                            i as u8,
                            &mut buf,
                        );
                    }
                });
                t
            }),
            contender("memcpy", move |n| {
                let mut src = vec![0u8; FRAME];
                let mut dst = vec![0u8; FRAME];
                let mut buf = vec![0u8; CHUNK_READ];
                let t = Instant::now();
                for i in 0..n {
                    src.fill(i as u8);
                    dst.copy_from_slice(black_box(&src));
                    let d = &dst;
                    read_all(
                        |at, b| b.copy_from_slice(&d[at..at + CHUNK_READ]),
                        i as u8,
                        &mut buf,
                    );
                }
                t.elapsed()
            })
            .with_target(f64::NAN, "context: the floor of any copying hand-off"),
        ],
    );
    s.finish();
}
