//! Hostile bytes: a header, chunk states, bitmaps and block words scribbled by another party give
//! typed errors or are skipped, never a panic, an access outside the region or an endless loop.
#![allow(missing_docs)]

use inos_arena::layout::*;
use inos_arena::{required_len, Arena, BlockRef, Error};
use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;

fn fresh(chunks: u32) -> RegionBuf {
    let buf = RegionBuf::new(required_len(8, chunks).unwrap()).unwrap();
    Arena::init(buf.region(), 8).unwrap();
    buf
}

#[test]
fn a_bad_header_is_refused() {
    let buf = fresh(2);
    let w = |off: usize, v: u32| {
        buf.region()
            .u32_at(off)
            .unwrap()
            .store(v, Ordering::Relaxed)
    };
    let attach = || Arena::attach(buf.region()).err();
    w(H_VERSION, 2);
    assert_eq!(attach(), Some(Error::UnsupportedVersion(2)));
    w(H_VERSION, VERSION);
    for (off, bad) in [
        (H_CHUNK_SHIFT, 7),
        (H_CHUNK_SHIFT, 21),
        (H_CHUNK_COUNT, 0),
        (H_DESCRIPTOR_LEN, 64),
        (H_DATA_OFFSET, 0),
        (H_RESERVED, 1),
    ] {
        let old = buf.region().u32_at(off).unwrap().load(Ordering::Relaxed);
        w(off, bad);
        assert_eq!(attach(), Some(Error::CorruptHeader), "offset {off} = {bad}");
        w(off, old);
    }
    w(H_CHUNK_COUNT, 3); // more chunks than the region holds (descriptors then disagree too)
    assert!(matches!(
        attach(),
        Some(Error::CorruptHeader | Error::RegionTooSmall { .. })
    ));
    w(H_CHUNK_COUNT, 2);
    // Hints may hold anything.
    for k in 0..HINTS {
        w(H_HINTS + 4 * k, u32::MAX);
    }
    let a = Arena::attach(buf.region()).unwrap();
    assert!(a.alloc(64).is_ok());
    assert!(a.alloc(200).is_ok());
    assert_eq!(
        Arena::attach(buf.region().sub(0, 512).unwrap()).err(),
        Some(Error::RegionTooSmall {
            needed: 1024,
            len: 512
        })
    );
}

#[test]
fn corrupt_chunks_are_skipped_and_reported() {
    let buf = fresh(2);
    let a = Arena::attach(buf.region()).unwrap();
    let g = a.geometry();
    let state = |i: usize| buf.region().u32_at(128 + i * g.descriptor_len()).unwrap();
    // Chunk 0: an unknown tag. Chunk 1: class 0 with a count beyond its blocks.
    state(0).store(0x7F << 24, Ordering::Relaxed);
    state(1).store(state_word(TAG_SMALL, 9), Ordering::Relaxed);
    assert_eq!(a.alloc(64).err(), Some(Error::OutOfMemory));
    assert_eq!(a.alloc(256).err(), Some(Error::OutOfMemory));
    let st = a.stats();
    assert_eq!(st.corrupt_chunks, 1);
    assert_eq!(a.reclaim_party(inos_ring::PartyId::new(5).unwrap()), Ok(0));
    // A full bitmap behind a low count: the reservation is given back, nothing is handed out.
    state(0).store(CHUNK_FREE, Ordering::Relaxed);
    state(1).store(state_word(TAG_SMALL, 1), Ordering::Relaxed);
    buf.region()
        .u32_at(128 + g.descriptor_len() + DESC_BITMAP)
        .unwrap()
        .store(0b1111, Ordering::Relaxed);
    let b = a.alloc(64).unwrap(); // from chunk 0, after chunk 1 gave its count back
    assert_eq!(b.offset(), g.data_offset());
    assert_eq!(state(1).load(Ordering::Relaxed), state_word(TAG_SMALL, 1));
    // A large block whose head was scribbled: its ref is stale, freeing it is refused.
    drop(b);
    buf.region()
        .u32_at(128 + g.descriptor_len() + DESC_BITMAP)
        .unwrap()
        .store(0, Ordering::Relaxed);
    state(1).store(CHUNK_FREE, Ordering::Relaxed);
    let big = a.alloc(300).unwrap().leak();
    state(0).store(state_word(TAG_LARGE_HEAD, 7), Ordering::Relaxed);
    assert_eq!(a.open(big).err(), Some(Error::Stale));
    assert_eq!(a.free(big), Err(Error::Stale));
}

#[test]
fn forged_refs_never_reach_outside_their_block() {
    let buf = fresh(4);
    let a = Arena::attach(buf.region()).unwrap();
    let g = a.geometry();
    let r = a.alloc(100).unwrap().into_ref().unwrap();
    let end = g.data_offset() as u32 + 4 * 256;
    for (forged, want) in [
        (BlockRef { offset: 0, ..r }, Error::RefOutOfRange),
        (BlockRef { offset: end, ..r }, Error::RefOutOfRange),
        (
            BlockRef {
                offset: u32::MAX,
                ..r
            },
            Error::RefOutOfRange,
        ),
        (
            BlockRef {
                offset: r.offset + 64,
                ..r
            },
            Error::RefMisaligned,
        ),
        (BlockRef { reserved: 1, ..r }, Error::RefMisaligned),
        (
            BlockRef {
                generation: 1 << 22,
                ..r
            },
            Error::RefMisaligned,
        ),
        (BlockRef { generation: 5, ..r }, Error::Stale),
        (BlockRef { len: 64, ..r }, Error::Stale), // another class
        (BlockRef { len: 1000, ..r }, Error::Stale),
        (
            BlockRef {
                offset: g.data_offset() as u32 + 3 * 256,
                len: 600,
                ..r
            },
            Error::RefOutOfRange,
        ),
    ] {
        // (len 1000: a 4-chunk run from chunk 0 would fit, but chunk 0 is not a run's head.)
        assert_eq!(a.open(forged).err(), Some(want), "{forged:?}");
        assert!(a.free(forged).is_err());
        assert!(a.release(forged).is_err());
        assert!(a.send(forged).is_err());
    }
    assert!(a.open(r).is_ok());
}
