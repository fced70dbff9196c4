//! Property tests: `attach` over hostile bytes never panics, reads out of bounds or allocates, and
//! accepts a mutated header only when every mutated byte is one a reader is allowed to ignore.
#![cfg(all(feature = "std", not(loom)))]

use inos_layout::header::{off, PROTOCOL_MINOR};
use inos_layout::sync::Ordering;
use inos_layout::{
    attach, attach_any, create, Layout, LayoutBuilder, RegionBuf, RegionKind, WaitPolicy,
};
use proptest::prelude::*;

const TOTAL: usize = 4096;

const SMALL: Layout = LayoutBuilder::new(TOTAL as u64)
    .region("flags", 64, 8, RegionKind::EPOCHS)
    .region("ring", 1024, 128, RegionKind::RING)
    .rest("arena", 512, RegionKind::ARENA)
    .build_checked();

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn formatted() -> RegionBuf {
    let buf = RegionBuf::new(TOTAL).unwrap();
    create(buf.region(), &SMALL).unwrap();
    buf
}

/// Checks everything a successful attach promises.
fn check_attachment(a: &inos_layout::Attachment<'_>, len: usize) {
    assert!(a.region().len() <= len);
    for (i, e) in a.layout().entries().iter().enumerate() {
        let r = a.get(i).expect("every entry is a valid sub-region");
        assert_eq!(r.len(), e.size as usize);
        assert!(e.end() <= a.region().len() as u64);
    }
}

proptest! {
    #![proptest_config(config())]

    /// Random bytes: never a panic; whatever is accepted is internally consistent.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024), ready in any::<bool>()) {
        let buf = RegionBuf::new(bytes.len()).unwrap();
        buf.region().write(0, &bytes).unwrap();
        if ready && bytes.len() >= 48 {
            // Make it past the init_state check so the rest of the validation runs.
            buf.region().u32_at(off::INIT_STATE).unwrap().store(2, Ordering::Relaxed);
        }
        if let Ok(a) = attach_any(buf.region(), WaitPolicy::NO_WAIT) {
            check_attachment(&a, bytes.len());
        }
        if let Ok(a) = attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT) {
            check_attachment(&a, bytes.len());
        }
    }

    /// A valid header with a few bytes flipped is accepted exactly when the only changed bytes
    /// are `version_minor`, the compatible feature word or `boot_generation` (plus the reserved
    /// words when the minor became newer than ours).
    #[test]
    fn mutated_headers_are_accepted_only_if_still_valid(
        muts in proptest::collection::vec((0usize..(128 + 4 * 32), 1u8..=255), 1..4)
    ) {
        let buf = formatted();
        let r = buf.region();
        let mut changed = std::collections::BTreeSet::new();
        for (o, x) in &muts {
            let b = r.load_u8(*o).unwrap() ^ x;
            r.write(*o, &[b]).unwrap();
        }
        let orig = formatted();
        for o in 0..(128 + 4 * 32) {
            if r.load_u8(o).unwrap() != orig.region().load_u8(o).unwrap() {
                changed.insert(o);
            }
        }
        let minor = r.u32_at(off::VERSION_MINOR).unwrap().load(Ordering::Relaxed);
        let ignorable = |o: usize| {
            (off::VERSION_MINOR..off::VERSION_MINOR + 4).contains(&o)
                || (off::FEATURES..off::FEATURES + 4).contains(&o)
                || (off::BOOT_GENERATION..off::BOOT_GENERATION + 4).contains(&o)
                || (minor > PROTOCOL_MINOR && (off::RESERVED..128).contains(&o))
        };
        let should_accept = changed.iter().all(|&o| ignorable(o));
        let got = attach(r, &SMALL, WaitPolicy::NO_WAIT);
        prop_assert_eq!(got.is_ok(), should_accept, "changed {:?}: {:?}", changed, got.err());
        if let Ok(a) = got {
            prop_assert!(a.layout().same_as(&SMALL));
            check_attachment(&a, TOTAL);
        }
    }

    /// Any layout the builder accepts round-trips through create and attach.
    #[test]
    fn built_layouts_round_trip(
        sizes in proptest::collection::vec((1u32..600, 3u32..8), 0..6),
        rest in any::<bool>(),
    ) {
        const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
        let mut b = LayoutBuilder::new(TOTAL as u64);
        for (i, (size, align_log)) in sizes.iter().enumerate() {
            b = b.region(NAMES[i], *size, 1 << align_log, RegionKind::DATA);
        }
        if rest {
            b = b.rest("rest", 8, RegionKind::ARENA);
        }
        if let Ok(layout) = b.build() {
            let buf = RegionBuf::new(TOTAL).unwrap();
            create(buf.region(), &layout).unwrap();
            let a = attach(buf.region(), &layout, WaitPolicy::NO_WAIT).unwrap();
            prop_assert_eq!(a.layout().fingerprint(), layout.fingerprint());
            check_attachment(&a, TOTAL);
        }
    }
}

/// PROTOCOL.md §2.2 rule 6, exactly: entry 0 must hold `directory_offset + 32 × region_count`
/// bytes (not just `128 + 32 × region_count`). SMALL's header region is 256 bytes with four
/// entries: the directory fits at 128 (ends at 256) but not at 136 (ends at 264).
#[test]
fn directory_must_end_inside_the_header_region() {
    use inos_layout::{AttachError, DirectoryError};
    let spec = include_str!("../../docs/PROTOCOL.md");
    assert!(spec.contains("`size >= directory_offset + 32 × region_count`"));
    let buf = formatted();
    let r = buf.region();
    assert_eq!(SMALL.entries()[0].size, 256);
    let mut dir = [0u8; 128];
    r.read(128, &mut dir).unwrap();
    r.write(136, &dir).unwrap();
    r.u32_at(off::DIRECTORY_OFFSET)
        .unwrap()
        .store(136, Ordering::Relaxed);
    assert_eq!(
        attach_any(r, WaitPolicy::NO_WAIT).unwrap_err(),
        AttachError::BadDirectory(DirectoryError::OutOfBounds)
    );
    // The same directory 8 bytes lower ends exactly at the header region's end: accepted.
    let buf = formatted();
    let r = buf.region();
    r.u32_at(off::DIRECTORY_OFFSET)
        .unwrap()
        .store(128, Ordering::Relaxed);
    assert!(attach_any(r, WaitPolicy::NO_WAIT).is_ok());
}
