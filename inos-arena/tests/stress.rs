//! Multi-threaded stress: 4 threads in a ring, each allocating blocks, filling them with a
//! checksum pattern and handing them to the next thread (every 16th block shared with the next
//! two), which opens, verifies and frees them. 10⁶ hand-offs in release builds (fewer in debug,
//! a few under Miri). Any overlap between live blocks would break a pattern; at the end every
//! allocation has been freed exactly once and the arena is empty.
#![allow(missing_docs)]

use std::num::NonZeroU8;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use inos_arena::{required_len, Arena, BlockRef, Error};
use inos_layout::RegionBuf;
use inos_ring::PartyId;

const THREADS: usize = 4;

const fn per_thread() -> u32 {
    if cfg!(miri) {
        30
    } else if cfg!(debug_assertions) {
        5_000
    } else {
        250_000
    }
}

/// Mostly small blocks (below 2 KiB and half a chunk); one in 64 a run of one to three chunks.
fn len_for(seq: u32, chunk: usize) -> usize {
    let h = seq.wrapping_mul(2_654_435_761);
    if h % 64 == 0 {
        chunk / 2 + 1 + (h >> 20) as usize % (2 * chunk)
    } else {
        (h >> 21) as usize % 2048.min(chunk / 2)
    }
}

fn word(seed: u32, i: usize) -> u32 {
    (seed ^ i as u32).wrapping_mul(0x9E37_79B9)
}

fn fill(b: &inos_arena::Block<'_>, seed: u32) {
    let n = b.len() / 4;
    let mut buf = vec![0u8; n * 4];
    for i in 0..n {
        buf[4 * i..4 * i + 4].copy_from_slice(&word(seed, i).to_le_bytes());
    }
    b.write(0, &buf).unwrap();
}

fn verify(b: &inos_arena::Block<'_>, seed: u32) {
    let n = b.len() / 4;
    let mut buf = vec![0u8; n * 4];
    b.read(0, &mut buf).unwrap();
    for i in 0..n {
        let w = u32::from_le_bytes(buf[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(w, word(seed, i), "block at {} word {i}", b.offset());
    }
}

#[test]
fn four_threads_hand_off_a_million_blocks() {
    let shift = if cfg!(miri) { 10 } else { 16 };
    let chunks = if cfg!(miri) { 16 } else { 64 };
    let buf = RegionBuf::new(required_len(shift, chunks).unwrap()).unwrap();
    let base = Arena::init(buf.region(), shift).unwrap();
    let (allocs, frees, ooms) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let mut txs = Vec::new();
    let mut rxs = Vec::new();
    for _ in 0..THREADS {
        let (tx, rx) = mpsc::channel::<(BlockRef, u32)>();
        txs.push(tx);
        rxs.push(Some(rx));
    }
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let rx = rxs[t].take().unwrap();
            let next = [
                txs[(t + 1) % THREADS].clone(),
                txs[(t + 2) % THREADS].clone(),
            ];
            let (allocs, frees, ooms) = (&allocs, &frees, &ooms);
            let arena = base.with_party(PartyId::new(10 + t as u32).unwrap());
            s.spawn(move || {
                let receive = |(r, seed): (BlockRef, u32)| {
                    let b = arena.open(r).unwrap();
                    verify(&b, seed);
                    let shared = b.is_shared();
                    b.free().unwrap();
                    // A shared block is counted once, when it is shared.
                    frees.fetch_add(u64::from(!shared), Ordering::Relaxed);
                };
                for seq in 0..per_thread() {
                    let seed = (t as u32) << 28 ^ seq;
                    let len = len_for(seq.wrapping_add(t as u32 * 7919), 1 << shift);
                    let b = loop {
                        match arena.alloc(len) {
                            Ok(b) => break b,
                            Err(Error::OutOfMemory) => {
                                ooms.fetch_add(1, Ordering::Relaxed);
                                match rx.try_recv() {
                                    Ok(m) => receive(m),
                                    Err(_) => std::thread::yield_now(),
                                }
                            }
                            Err(e) => panic!("{e}"),
                        }
                    };
                    allocs.fetch_add(1, Ordering::Relaxed);
                    fill(&b, seed);
                    if seq % 16 == 0 {
                        let r = b.share(NonZeroU8::new(2).unwrap()).unwrap();
                        frees.fetch_add(1, Ordering::Relaxed); // freed by one of the two releases
                        next[0].send((r, seed)).unwrap();
                        next[1].send((r, seed)).unwrap();
                    } else {
                        next[0].send((b.into_ref().unwrap(), seed)).unwrap();
                    }
                    while let Ok(m) = rx.try_recv() {
                        receive(m);
                    }
                }
                drop(next);
                // Until both senders to this thread are done.
                while let Ok(m) = rx.recv() {
                    receive(m);
                }
            });
        }
        drop(txs);
    });
    let st = base.stats();
    let (a, f) = (
        allocs.load(Ordering::Relaxed),
        frees.load(Ordering::Relaxed),
    );
    eprintln!(
        "{a} allocations, {f} frees, {} OOM retries",
        ooms.load(Ordering::Relaxed)
    );
    assert_eq!(a, THREADS as u64 * u64::from(per_thread()));
    assert_eq!(a, f);
    assert_eq!(
        (st.bytes_in_use, st.claiming_bytes, st.corrupt_chunks),
        (0, 0, 0),
        "{st:?}"
    );
    assert_eq!(st.free_chunks, chunks);
    // Fragmentation stayed bounded: the whole data area is one block again.
    assert!(base.alloc((chunks as usize) << shift).is_ok());
}
