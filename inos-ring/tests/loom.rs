//! loom models of the shipped ring code (SPSC across the wrap, MPSC with two producers, abort,
//! and `unblock` racing a late commit).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-ring --test loom`
//!
//! Under `cfg(loom)` the region's words are loom atomics (the loom twin in inos-layout), so the
//! orderings of every state, length, position and payload access are checked as written. The
//! rings are tiny (64 data bytes) to keep the state space small.
#![cfg(loom)]
#![allow(missing_docs)]

use loom::sync::Arc;
use loom::thread;

use inos_layout::sync::spin_loop;
use inos_layout::RegionBuf;
use inos_ring::{layout, Error, Mpsc, Ring, Spsc};

/// A formatted ring whose loom words were all created by the model's main thread (see the note
/// in inos-epoch's loom tests: first-touch in a spawned thread is a modelling artefact).
fn ring_buf<K: inos_ring::Kind>(cap: u32, start: u32) -> Arc<RegionBuf> {
    let len = layout::required_len(cap);
    let buf = Arc::new(RegionBuf::new(len).unwrap());
    for off in (0..len).step_by(4) {
        buf.region().u32_at(off).unwrap();
    }
    Ring::<K>::init_at(buf.region(), cap, start).unwrap();
    buf
}

fn pop_blocking<K: inos_ring::Kind>(c: &mut inos_ring::Consumer<'_, K>) -> Vec<u8> {
    let mut out = [0u8; 32];
    loop {
        match c.try_pop(&mut out) {
            Ok(n) => return out[..n].to_vec(),
            Err(Error::Empty) => spin_loop(),
            Err(e) => panic!("{e}"),
        }
    }
}

/// SPSC across the wrap: the second message needs wrap padding, the third needs space the
/// consumer frees (zeroed, then published by the head store). Every message arrives intact.
#[test]
fn spsc_across_the_wrap() {
    loom::model(|| {
        // 64-byte ring starting at offset 32: A at 32..48, B wraps (padding 48..64, record
        // 0..16), C at 16..32 needs A's space back.
        let buf = ring_buf::<Spsc>(64, 32);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            for msg in [
                &[1u8, 2, 3, 4, 5, 6][..],
                &[7, 8, 9, 10, 11, 12],
                &[13, 14, 15, 16],
            ] {
                loop {
                    match p.try_push(msg) {
                        Ok(()) => break,
                        Err(Error::Full) => spin_loop(),
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        assert_eq!(pop_blocking(&mut c), [1, 2, 3, 4, 5, 6]);
        assert_eq!(pop_blocking(&mut c), [7, 8, 9, 10, 11, 12]);
        assert_eq!(pop_blocking(&mut c), [13, 14, 15, 16]);
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// Two MPSC producers claim space concurrently (one claim wraps); the consumer gets both
/// messages exactly once, intact.
#[test]
fn mpsc_two_producers() {
    loom::model(|| {
        let buf = ring_buf::<Mpsc>(64, 40);
        let handles: Vec<_> = (0..2u8)
            .map(|id| {
                let b = buf.clone();
                thread::spawn(move || {
                    let ring = Ring::<Mpsc>::attach(b.region()).unwrap();
                    let mut p = ring.producer().unwrap();
                    p.try_push(&[id; 5]).unwrap();
                })
            })
            .collect();
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut got = [pop_blocking(&mut c), pop_blocking(&mut c)];
        got.sort();
        assert_eq!(got, [vec![0u8; 5], vec![1u8; 5]]);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
    });
}

/// An aborted reservation becomes padding the consumer skips, whatever the interleaving with
/// another producer's push; `aborted` counts it.
#[test]
fn mpsc_abort_becomes_padding() {
    loom::model(|| {
        let buf = ring_buf::<Mpsc>(64, 0);
        let b2 = buf.clone();
        let aborter = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            let g = p.reserve(4).unwrap();
            g.bytes().copy_from_slice(&[9; 4]);
            g.abort();
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut p = ring.producer().unwrap();
        p.try_push(&[1, 2]).unwrap();
        let mut c = ring.consumer().unwrap();
        assert_eq!(pop_blocking(&mut c), [1, 2]);
        aborter.join().unwrap();
        assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
        assert_eq!(ring.stats().aborted, 1);
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// `unblock` races a late commit: exactly one compare-and-swap wins. If the commit wins the
/// message is delivered once; if the unblock wins the commit reports `Unblocked`, nothing is
/// delivered, and `unblocked` counts it (defect 8).
#[test]
fn unblock_races_late_commit() {
    loom::model(|| {
        let buf = ring_buf::<Mpsc>(64, 56);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            let g = p.reserve(4).unwrap();
            g.bytes().copy_from_slice(&[5, 6, 7, 8]);
            g.commit()
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 8];
        let mut delivered = Vec::new();
        let unblocked = loop {
            match c.try_pop(&mut out) {
                Ok(n) => {
                    delivered.push(out[..n].to_vec());
                    break false;
                }
                Err(Error::Empty) => {}
                Err(e) => panic!("{e}"),
            }
            if c.unblock().unwrap() {
                break true;
            }
            spin_loop();
        };
        let committed = producer.join().unwrap();
        if unblocked {
            assert_eq!(committed, Err(Error::Unblocked));
            assert_eq!(ring.stats().unblocked, 1);
        } else {
            assert_eq!(committed, Ok(()));
            assert_eq!(delivered, [vec![5u8, 6, 7, 8]]);
            assert_eq!(ring.stats().unblocked, 0);
        }
        assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}
