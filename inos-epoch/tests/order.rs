//! Property tests of the wrap-aware ordering against a 64-bit sequential reference.

use inos_epoch::{distance, is_newer};
use proptest::prelude::*;

/// The reference: two epochs as positions on an unbounded line, `base` and `base + delta`, with
/// `|delta| < 2^31`; the u32 values are those positions modulo 2^32.
fn reference(base: u64, delta: i64) -> (u32, u32) {
    let a = base as u32;
    let b = (base as i64).wrapping_add(delta) as u64 as u32;
    (a, b)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 4096 },
        failure_persistence: None, // no file access (Miri isolation)
        ..ProptestConfig::default()
    })]

    /// Over the whole u32 range: `is_newer` and `distance` agree with the unbounded reference.
    #[test]
    fn agrees_with_unbounded_reference(base in any::<u64>(), delta in -(i32::MAX as i64)..=(i32::MAX as i64)) {
        let (a, b) = reference(base, delta);
        prop_assert_eq!(distance(a, b) as i64, delta);
        prop_assert_eq!(is_newer(b, a), delta > 0);
        prop_assert_eq!(is_newer(a, b), delta < 0);
    }

    /// Across the wrap: values just below u32::MAX and just above 0.
    #[test]
    fn across_the_wrap(below in 0u32..1_000_000, above in 0u32..1_000_000) {
        let old = u32::MAX - below;
        let new = above;
        prop_assert!(is_newer(new, old));
        prop_assert!(!is_newer(old, new));
        prop_assert_eq!(distance(old, new) as i64, below as i64 + above as i64 + 1);
    }

    /// Antisymmetric and irreflexive for every pair except the antipodal one.
    #[test]
    fn strict_order_on_every_pair(a in any::<u32>(), b in any::<u32>()) {
        prop_assert!(!is_newer(a, a));
        if a.wrapping_sub(b) != 1 << 31 {
            prop_assert!(!(is_newer(a, b) && is_newer(b, a)));
            prop_assert_eq!(a == b, !is_newer(a, b) && !is_newer(b, a));
        }
    }

    /// A run of signals from any start (including right before the wrap) is strictly increasing
    /// under `is_newer`, as seen through a real epoch slot.
    #[test]
    fn signals_are_newer_through_a_slot(start in any::<u32>(), n in 1u32..64) {
        let buf = inos_layout::RegionBuf::new(8).unwrap();
        buf.region().write(0, &start.to_le_bytes()).unwrap();
        let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
        let mut w = e.watch();
        prop_assert_eq!(w.last_seen(), start);
        let mut prev = start;
        for _ in 0..n {
            let v = e.signal();
            prop_assert!(is_newer(v, prev));
            prop_assert_eq!(w.changed(), Some(v));
            prev = v;
        }
        prop_assert_eq!(distance(start, e.load()), n as i32);
    }
}

#[test]
fn wrap_edges() {
    assert!(is_newer(0, u32::MAX));
    assert!(is_newer(i32::MAX as u32, 0));
    assert!(!is_newer(1 << 31, 0)); // the antipode is not newer either way
    assert!(!is_newer(0, 1 << 31));
}
