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
