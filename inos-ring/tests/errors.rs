//! Errors that say what went wrong and what to do (issue 13 §4).

use inos_layout::RegionBuf;
use inos_ring::layout::{required_len, KIND};
use inos_ring::{Error, Mpsc, Ring, RingKind, Spsc};

/// An MPSC ring attached as SPSC names both kinds and the type to attach it as; an unknown kind
/// word stays a distinct error.
#[test]
fn wrong_kind_names_expected_and_found() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    let e = Ring::<Spsc>::attach(buf.region()).unwrap_err();
    assert_eq!(
        e,
        Error::WrongKind {
            expected: RingKind::Spsc,
            found: RingKind::Mpsc
        }
    );
    assert_eq!(
        e.to_string(),
        "the ring is MPSC, not SPSC: attach it as Ring::<Mpsc>"
    );
    assert_eq!(
        format!("{e:?}"),
        "WrongKind { expected: Spsc, found: Mpsc }"
    );
    assert!(!e.to_string().contains("reserved"));

    buf.region()
        .u32_at(KIND)
        .unwrap()
        .store(7, inos_layout::sync::Ordering::Relaxed);
    let e = Ring::<Spsc>::attach(buf.region()).unwrap_err();
    assert_eq!(e, Error::BadKind { found: 7 });
    assert_eq!(
        e.to_string(),
        "unknown ring kind word 7 (SPSC is 1, MPSC 2)"
    );
}

/// Issue 13 §5: a ring sized by `layout::region_size` goes into a layout without casts (the
/// README's example).
#[test]
fn ring_in_a_fitted_layout() {
    use inos_layout::{create, Layout, LayoutBuilder, RegionKind, RegionSize};
    use inos_ring::layout;
    const LAYOUT: Layout = LayoutBuilder::fitted()
        .sized(
            "jobs",
            layout::region_size(4096),
            layout::REGION_ALIGN,
            RegionKind::RING,
        )
        .build_checked();
    let buf = RegionBuf::for_layout(&LAYOUT).unwrap();
    let shared = create(buf.region(), &LAYOUT).unwrap();
    let jobs = shared.require("jobs").unwrap();
    assert_eq!(jobs.len(), layout::required_len(4096));
    let ring = Ring::<Mpsc>::init(jobs, 4096).unwrap();
    assert_eq!(ring.capacity(), 4096);
    assert_eq!(
        layout::region_size(layout::MAX_CAPACITY).bytes(),
        Some(layout::MAX_CAPACITY + 512)
    );
    assert_eq!(
        layout::region_size(layout::MAX_CAPACITY + 1),
        RegionSize::TOO_BIG
    );
}
