//! Fuzz `attach` / `attach_any` over hostile bytes: never a panic, an out-of-region access or an
//! allocation; whatever is accepted is internally consistent and its regions are usable.
//!
//! The input's first byte selects a mode: raw bytes, or a valid formatted region with the rest of
//! the input XOR-ed over its header and directory (which reaches the deep checks far more often).
#![no_main]
use inos_layout::header::off;
use inos_layout::standard::STANDARD_32MIB;
use inos_layout::sync::Ordering;
use inos_layout::{
    attach, attach_any, create, Attachment, Layout, LayoutBuilder, RegionBuf, RegionKind,
    WaitPolicy,
};
use libfuzzer_sys::fuzz_target;

const TOTAL: usize = 4096;

const SMALL: Layout = LayoutBuilder::new(TOTAL as u64)
    .region("flags", 64, 8, RegionKind::EPOCHS)
    .region("ring", 1024, 128, RegionKind::RING)
    .rest("arena", 512, RegionKind::ARENA)
    .build_checked();

fn check(a: &Attachment<'_>, len: usize) {
    assert!(a.region().len() <= len);
    for (i, e) in a.layout().entries().iter().enumerate() {
        let r = a.get(i).expect("accepted entries are valid sub-regions");
        assert_eq!(r.len(), e.size as usize);
        // Touch both ends of every region.
        r.write(0, &[0xA5]).unwrap();
        let _ = r.load_u8(r.len() - 1).unwrap();
    }
    assert!(a.get(a.layout().len()).is_none());
}

fn run(buf: &RegionBuf, len: usize) {
    if let Ok(a) = attach_any(buf.region(), WaitPolicy::NO_WAIT) {
        check(&a, len);
    }
    if let Ok(a) = attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT) {
        assert!(a.layout().same_as(&SMALL));
        check(&a, len);
    }
    // A layout that cannot fit must be refused, never read past the end.
    assert!(attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).is_err());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // Raw hostile bytes, optionally forced past the init-state check.
        let len = rest.len().min(TOTAL);
        let buf = RegionBuf::new(len).unwrap();
        buf.region().write(0, &rest[..len]).unwrap();
        if mode & 2 != 0 && len >= off::INIT_STATE + 4 {
            let state = buf.region().u32_at(off::INIT_STATE).unwrap();
            state.store(2, Ordering::Relaxed);
        }
        run(&buf, len);
    } else {
        // A valid region, mutated.
        let buf = RegionBuf::new(TOTAL).unwrap();
        create(buf.region(), &SMALL).unwrap();
        let r = buf.region();
        for (i, &x) in rest.iter().take(256).enumerate() {
            let b = r.load_u8(i).unwrap() ^ x;
            r.write(i, &[b]).unwrap();
        }
        run(&buf, TOTAL);
    }
});
