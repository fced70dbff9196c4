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

/// A region whose loom words are all created by the model's main thread before any spawn.
///
/// The loom twin creates a word's loom atomic on first access; one first touched by a spawned
/// thread and then by another without a happens-before edge to its creation is reported by loom
/// as a causality violation (a modelling artefact of lazy creation, not a protocol race).
fn region_buf(len: usize) -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(len).unwrap());
    for off in (0..len).step_by(4) {
        buf.region().u32_at(off).unwrap();
    }
    buf
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
