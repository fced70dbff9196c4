//! loom models of the arena's lock-free algorithms, run on the code that ships (the region is
//! backed by loom's atomics under `cfg(loom)`). Tiny arenas: 256-byte chunks of four 64-byte
//! blocks.
//!
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-arena --test loom`
#![cfg(loom)]
#![allow(missing_docs)]

use core::num::NonZeroU8;

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::sync::Arc;
use loom::thread;

use inos_arena::{required_len, Arena, BlockRef, Error};
use inos_layout::RegionBuf;
use inos_ring::PartyId;

fn setup(chunks: u32) -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(required_len(8, chunks).unwrap()).unwrap());
    Arena::init(buf.region(), 8).unwrap();
    buf
}

fn arena(buf: &RegionBuf, party: u32) -> Arena<'_> {
    Arena::attach(buf.region())
        .unwrap()
        .with_party(PartyId::new(party).unwrap())
}

fn pack(r: BlockRef) -> u64 {
    (r.offset as u64) << 32 | r.generation as u64
}

/// Two parties allocate from one chunk at once: different blocks, both intact, all given back.
#[test]
fn concurrent_allocations_never_overlap() {
    loom::model(|| {
        let buf = setup(1);
        let hs: Vec<_> = (2..4)
            .map(|p| {
                let b = buf.clone();
                thread::spawn(move || {
                    let a = arena(&b, p);
                    let blk = a.alloc(64).unwrap();
                    blk.write(0, &[p as u8; 64]).unwrap();
                    blk.leak()
                })
            })
            .collect();
        let refs: Vec<BlockRef> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        assert_ne!(refs[0].offset, refs[1].offset);
        let a = arena(&buf, 2);
        for (i, r) in refs.iter().enumerate() {
            assert!(a
                .region()
                .bytes(r.offset as usize, 64)
                .unwrap()
                .eq_slice(&[i as u8 + 2; 64]));
        }
        assert_eq!(a.stats().bytes_in_use, 128);
        arena(&buf, 2).free(refs[0]).unwrap();
        arena(&buf, 3).free(refs[1]).unwrap();
        assert_eq!(a.stats().bytes_in_use, 0);
    });
}

/// The last free of a chunk races an allocation of another size class that needs the chunk
/// rebound: the rebind (a CAS from `(class, 0)`) and the count reservation exclude each other, so
/// either the allocation fails (it came first) or it gets the chunk after the free; no block is
/// ever inside another, and the arena ends empty.
#[test]
fn chunk_rebind_races_the_last_free() {
    loom::model(|| {
        let buf = setup(1);
        let x = arena(&buf, 2).alloc(64).unwrap().leak();
        let b1 = buf.clone();
        let t = thread::spawn(move || arena(&b1, 2).free(x));
        let b2 = buf.clone();
        let u = thread::spawn(move || {
            let a = arena(&b2, 3);
            let r = a.alloc(128).map(|b| {
                b.write(0, &[9; 128]).unwrap();
                b.leak()
            });
            // A 64-byte allocation fits unless the chunk now holds the 128-byte class.
            let s = a.alloc(64).map(|b| b.leak());
            assert_eq!(s.is_err(), r.is_ok());
            (r, s)
        });
        t.join().unwrap().unwrap();
        let (r, s) = u.join().unwrap();
        let a = arena(&buf, 3);
        match r {
            Ok(r) => {
                assert!(a
                    .region()
                    .bytes(r.offset as usize, 128)
                    .unwrap()
                    .eq_slice(&[9; 128]));
                a.free(r).unwrap();
            }
            Err(e) => assert_eq!(e, Error::OutOfMemory),
        }
        if let Ok(s) = s {
            a.free(s).unwrap();
        }
        assert_eq!(a.stats().bytes_in_use, 0);
        assert_eq!(a.stats().free_chunks, 1);
    });
}

/// ABA with one slot: a ref is sent, its receiver frees the block and reallocates the same slot
/// (same offset, next generation) while a second party tries the old ref: exactly one party ever
/// opens the old ref, and the old ref never opens the new block.
#[test]
fn a_stale_ref_never_opens_the_reused_slot() {
    loom::model(|| {
        let buf = setup(1);
        let r = arena(&buf, 2).alloc(64).unwrap().into_ref().unwrap();
        let b1 = buf.clone();
        let t = thread::spawn(move || {
            let a = arena(&b1, 3);
            match a.open(r) {
                Ok(b) => {
                    b.free().unwrap();
                    let again = a.alloc(64).unwrap();
                    let n = again.into_ref().unwrap();
                    (true, Some(n))
                }
                Err(_) => (false, None),
            }
        });
        let b2 = buf.clone();
        let u = thread::spawn(move || {
            let a = arena(&b2, 4);
            a.open(r).map(|b| b.leak())
        });
        let (t_opened, new) = t.join().unwrap();
        let u_res = u.join().unwrap();
        assert!(
            t_opened ^ u_res.is_ok(),
            "exactly one open of the sent ref wins"
        );
        if let Ok(got) = u_res {
            assert_eq!(got, r);
        }
        if let Some(n) = new {
            assert_ne!((n.offset, n.generation), (r.offset, r.generation));
            assert!(matches!(
                arena(&buf, 4).open(r).err(),
                Some(Error::Stale | Error::NotSent)
            ));
        }
    });
}

/// Hand-off through a word published with Release: the receiver reads in place exactly what the
/// sender wrote, and frees.
#[test]
fn hand_off_publishes_the_payload() {
    loom::model(|| {
        let buf = setup(1);
        let mailbox = Arc::new(AtomicU64::new(0));
        let (b1, m1) = (buf.clone(), mailbox.clone());
        let t = thread::spawn(move || {
            let b = arena(&b1, 2).alloc(8).unwrap();
            b.write(0, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
            let r = b.into_ref().unwrap();
            m1.store(pack(r) | 1 << 31, Ordering::Release);
        });
        let a = arena(&buf, 3);
        let w = loop {
            let w = mailbox.load(Ordering::Acquire);
            if w != 0 {
                break w;
            }
            thread::yield_now();
        };
        t.join().unwrap();
        let r = BlockRef {
            offset: (w >> 32) as u32,
            len: 8,
            generation: (w as u32) & !(1 << 31),
            reserved: 0,
        };
        let b = a.open(r).unwrap();
        assert!(b.bytes().eq_slice(&[1, 2, 3, 4, 5, 6, 7, 8]));
        b.free().unwrap();
        assert_eq!(a.stats().bytes_in_use, 0);
    });
}

/// A shared block released by two readers at once: exactly one release frees it, once.
#[test]
fn shared_releases_free_exactly_once() {
    loom::model(|| {
        let buf = setup(1);
        let r = arena(&buf, 2)
            .alloc(64)
            .unwrap()
            .share(NonZeroU8::new(2).unwrap())
            .unwrap();
        let hs: Vec<_> = (3..5)
            .map(|p| {
                let b = buf.clone();
                thread::spawn(move || arena(&b, p).open(r).unwrap().free())
            })
            .collect();
        for h in hs {
            h.join().unwrap().unwrap();
        }
        let a = arena(&buf, 2);
        assert_eq!(a.stats().bytes_in_use, 0);
        assert_eq!(a.release(r), Err(Error::Stale));
        // the slot is reusable, with a new generation
        let again = a.alloc(64).unwrap();
        assert_eq!(again.generation(), r.generation + 1);
    });
}

/// A two-chunk run races a small allocation on a two-chunk arena: at least one succeeds, a failed
/// run leaves nothing claimed, and the arena ends empty.
#[test]
fn a_failed_run_rolls_back() {
    loom::model(|| {
        let buf = setup(2);
        let b1 = buf.clone();
        let t = thread::spawn(move || arena(&b1, 2).alloc(512).map(|b| b.leak()));
        let b2 = buf.clone();
        let u = thread::spawn(move || arena(&b2, 3).alloc(64).map(|b| b.leak()));
        let (big, small) = (t.join().unwrap(), u.join().unwrap());
        assert!(big.is_ok() || small.is_ok());
        assert!(big.is_err() || small.is_err(), "they cannot both fit");
        let a = arena(&buf, 2);
        assert_eq!(a.stats().claiming_bytes, 0);
        if let Ok(r) = big {
            a.free(r).unwrap();
        }
        if let Ok(r) = small {
            arena(&buf, 3).free(r).unwrap();
        }
        let st = a.stats();
        assert_eq!((st.bytes_in_use, st.free_chunks), (0, 2));
    });
}

/// A supervisor reclaims a dead party's sent block while a receiver opens it: one of them wins,
/// never both.
#[test]
fn reclaim_races_open() {
    loom::model(|| {
        let buf = setup(1);
        let r = arena(&buf, 2).alloc(64).unwrap().into_ref().unwrap();
        let b1 = buf.clone();
        let t = thread::spawn(move || arena(&b1, 3).open(r).map(|b| b.leak()));
        let n = arena(&buf, 9)
            .reclaim_party(PartyId::new(2).unwrap())
            .unwrap();
        let opened = t.join().unwrap();
        assert_eq!(n == 1, opened.is_err());
        let a = arena(&buf, 3);
        if let Ok(r) = opened {
            assert_eq!(a.stats().bytes_in_use, 64);
            a.free(r).unwrap();
        }
        assert_eq!(a.stats().bytes_in_use, 0);
    });
}
