//! loom models of the header protocol and of the loom twin of `Region`.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-layout
//! --test loom`.
#![cfg(loom)]

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{
    create_or_attach, header::off, AttachError, Layout, LayoutBuilder, RegionBuf, RegionKind, Role,
    WaitPolicy,
};
use loom::sync::Arc;
use loom::thread;

const TOTAL: usize = 512;

/// A small layout keeps the model small: header region (256 B), one data region, one ring.
const L: Layout = LayoutBuilder::new(TOTAL as u64)
    .region("data", 64, 8, RegionKind::DATA)
    .rest("ring", 8, RegionKind::RING)
    .build_checked();

/// A fresh zeroed region shared by the model's threads. No word needs touching before spawning:
/// the loom twin creates all its atomics when the region is built.
fn region_buf(len: usize) -> Arc<RegionBuf> {
    Arc::new(RegionBuf::new(len).unwrap())
}

type Outcome = Result<(Role, u64, u32), AttachError>;

fn party(buf: &RegionBuf) -> Outcome {
    let (a, role) = create_or_attach(buf.region(), &L, WaitPolicy::spins(64))?;
    // Whoever attached saw a complete, validated header and directory.
    assert!(a.layout().same_as(&L));
    assert_eq!(a.get("data").map(|r| r.len()), Some(64));
    Ok((role, a.layout().fingerprint(), a.generation()))
}

/// Two parties race `create_or_attach`: exactly one formats; the other attaches to the fully
/// written header (or, if its spin budget runs out first, reports `NotReady`, never a
/// half-written header).
#[test]
fn racing_create_or_attach_formats_exactly_once() {
    loom::model(|| {
        let buf = region_buf(TOTAL);
        let b2 = Arc::clone(&buf);
        let t = thread::spawn(move || party(&b2));
        let mine = party(&buf);
        let theirs = t.join().unwrap();

        let outcomes = [mine, theirs];
        let formatted = outcomes
            .iter()
            .filter(|o| matches!(o, Ok((Role::Formatted, ..))))
            .count();
        assert_eq!(formatted, 1, "{outcomes:?}");
        for o in &outcomes {
            match o {
                Ok((_, fp, generation)) => {
                    assert_eq!(*fp, L.fingerprint());
                    assert_eq!(*generation, 1);
                }
                Err(AttachError::NotReady { .. }) => {}
                Err(e) => panic!("unexpected attach error: {e:?}"),
            }
        }
        // After both are done the header is ready.
        let state = buf.region().u32_at(off::INIT_STATE).unwrap();
        assert_eq!(state.load(Ordering::Acquire), 2);
    });
}

/// The loom twin carries a Release/Acquire message through a region: payload bytes written with
/// `write` before a Release store are visible after the matching Acquire load.
#[test]
fn release_acquire_message_through_a_region() {
    loom::model(|| {
        let buf = region_buf(64);
        let b2 = Arc::clone(&buf);
        let writer = thread::spawn(move || {
            let r = b2.region();
            r.write(8, b"hello, loom!").unwrap();
            let flag: &AtomicU32 = r.u32_at(0).unwrap();
            // SYNC: Release, pairs with the Acquire load below.
            flag.store(1, Ordering::Release);
        });
        let r = buf.region();
        // SYNC: Acquire, pairs with the Release store in the writer.
        if r.u32_at(0).unwrap().load(Ordering::Acquire) == 1 {
            let mut out = [0u8; 12];
            r.read(8, &mut out).unwrap();
            assert_eq!(&out, b"hello, loom!");
        }
        writer.join().unwrap();
    });
}

/// Words first used inside spawned threads: two threads each touch a 4-byte word, an 8-byte word
/// and a partial byte range that no thread touched before spawning, then the main thread reads
/// them. With the old lazily created twin the first touch in one spawned thread created the loom
/// atomic, and the other thread's access was reported by loom as a causality violation (a panic).
#[test]
fn words_first_touched_in_spawned_threads() {
    loom::model(|| {
        let buf = Arc::new(RegionBuf::new(32).unwrap());
        let spawn = |i: u8| {
            let b = Arc::clone(&buf);
            thread::spawn(move || {
                let r = b.region();
                r.u32_at(4).unwrap().fetch_add(1, Ordering::Relaxed);
                r.u64_at(8).unwrap().fetch_add(1, Ordering::Relaxed);
                // Byte `17 + i` shares its 4-byte word with the other thread's byte.
                r.write(17 + usize::from(i), &[i + 1]).unwrap();
            })
        };
        let (a, b) = (spawn(0), spawn(1));
        a.join().unwrap();
        b.join().unwrap();
        let r = buf.region();
        assert_eq!(r.u32_at(4).unwrap().load(Ordering::Relaxed), 2);
        assert_eq!(r.u64_at(8).unwrap().load(Ordering::Relaxed), 2);
        let mut out = [9u8; 4];
        r.read(16, &mut out).unwrap();
        assert_eq!(out, [0, 1, 2, 0]);
    });
}

/// The twin starts from the bytes a region is created over, for every word width.
#[test]
fn twin_starts_from_the_initial_bytes() {
    loom::model(|| {
        #[repr(C, align(8))]
        struct A([u8; 16]);
        let a: &'static mut A = Box::leak(Box::new(A([0; 16])));
        a.0[..4].copy_from_slice(&7u32.to_le_bytes());
        a.0[8..].copy_from_slice(&(-3i64).to_le_bytes());
        let r = inos_layout::Region::new(&mut a.0).unwrap();
        let t = thread::spawn(move || {
            assert_eq!(r.u32_at(0).unwrap().load(Ordering::Relaxed), 7);
            assert_eq!(r.i64_at(8).unwrap().load(Ordering::Relaxed), -3);
        });
        t.join().unwrap();
    });
}
