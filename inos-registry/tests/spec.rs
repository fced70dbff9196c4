//! The tables in `docs/protocol/registry.md` match the bytes the crate writes: each documented
//! field is read back at its documented offset from entries in a known state.
#![allow(missing_docs)]

use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_registry::layout::*;
use inos_registry::{
    Label, ModuleFields, ModuleRegistry, PartyId, SupervisorFields, SupervisorTable, Version,
    ERROR_CODES,
};

const SPEC: &str = include_str!("../../docs/protocol/registry.md");

fn documented(off: usize, ty: &str, field: &str) {
    let row = format!("| {off} | {ty} | {field} |");
    assert!(SPEC.contains(&row), "spec lacks the row `{row}`");
}

#[test]
fn header_and_module_entry_match_the_bytes() {
    let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
    let r = buf.region();
    let reg = ModuleRegistry::init(r, 4).unwrap();
    let f = ModuleFields {
        name: Label::new(b"Physics").unwrap(),
        version: Version::new(1, 2, 3),
        capabilities: 0x0000_0005_0000_0009,
        ring: Some(12),
        epoch: None,
        memory_kib: 2048,
    };
    let h = reg
        .register(PartyId::new(77).unwrap(), b"physics", &f)
        .unwrap();
    reg.beat(h).unwrap();
    let u32_at = |o: usize| r.u32_at(o).unwrap().load(Ordering::Relaxed);

    documented(0, "u32", "magic");
    assert_eq!(u32_at(0), MAGIC);
    assert!(SPEC.contains(&format!("`{MAGIC:#010X}`").replace("0X", "0x")));
    documented(4, "u32", "version");
    assert_eq!(u32_at(4), VERSION);
    documented(8, "u32", "kind");
    assert_eq!(u32_at(8), KIND_MODULE);
    documented(12, "u32", "entry_len");
    assert_eq!(u32_at(12), 88);
    documented(16, "u32", "entry_count");
    assert_eq!(u32_at(16), 4);
    documented(20, "u32", "probe_limit");
    assert_eq!(u32_at(20), 4);

    let e = HEADER_LEN + h.slot() as usize * MODULE_ENTRY_LEN;
    documented(0, "u32", "claim");
    assert_eq!(u32_at(e), 77);
    documented(4, "u32", "state");
    assert_eq!(u32_at(e + 4), 1 << 2 | 3, "generation 1, LIVE");
    documented(8, "u32", "seq");
    assert_eq!(u32_at(e + 8), 4, "one completed write");
    documented(12, "u32", "seq_waiters");
    documented(16, "u32", "id_hash");
    assert_eq!(u32_at(e + 16), fnv1a(b"physics"));
    documented(20, "u16", "id_len");
    documented(22, "u16", "aux_len");
    assert_eq!(u32_at(e + 20), 7 | 7 << 16);
    documented(24, "u8 × 16", "id");
    assert_eq!(u32_at(e + 24).to_le_bytes(), *b"phys");
    documented(40, "u32", "version");
    assert_eq!(u32_at(e + 40), 0x0102_0003);
    documented(44, "u32", "memory_kib");
    assert_eq!(u32_at(e + 44), 2048);
    documented(48, "u64", "capabilities");
    assert_eq!((u32_at(e + 48), u32_at(e + 52)), (9, 5));
    documented(56, "u32", "ring");
    assert_eq!(u32_at(e + 56), 12);
    documented(60, "u32", "epoch");
    assert_eq!(u32_at(e + 60), NONE);
    documented(64, "u8 × 16", "name");
    assert_eq!(u32_at(e + 64).to_le_bytes(), *b"Phys");
    documented(80, "u32", "heartbeat");
    assert_eq!(u32_at(e + 80), 1);
    documented(84, "u32", "reserved");
    assert!(SPEC.contains("| 88 (modules), 120 (supervisors) |"));
}

#[test]
fn supervisor_entry_matches_the_bytes() {
    let buf = RegionBuf::new(SupervisorTable::required_len(2).unwrap()).unwrap();
    let r = buf.region();
    let sup = SupervisorTable::init(r, 2).unwrap();
    let m = inos_registry::Handle::from_u64(3 << 32 | 5);
    let f = SupervisorFields::new(9, Some(40), &[m]).unwrap();
    let h = sup.register(PartyId::ANONYMOUS, b"sup", &f).unwrap();
    let u32_at = |o: usize| r.u32_at(o).unwrap().load(Ordering::Relaxed);
    let e = HEADER_LEN + h.slot() as usize * SUPERVISOR_ENTRY_LEN;
    assert_eq!(u32_at(8), KIND_SUPERVISOR);
    documented(40, "u32", "status");
    assert_eq!(u32_at(e + 40), 9);
    documented(44, "u32", "epoch");
    assert_eq!(u32_at(e + 44), 40);
    documented(48, "(u32, u32) × 7", "modules");
    assert_eq!((u32_at(e + 48), u32_at(e + 52), u32_at(e + 56)), (5, 3, 0));
    assert_eq!(u32_at(e + 20) >> 16, 1, "aux_len = module count");
    documented(104, "u32", "heartbeat");
    documented(108, "u32 × 3", "reserved");
}

#[test]
fn hash_vectors_and_error_table() {
    for (s, h) in [
        ("\"\"", fnv1a(b"")),
        ("\"a\"", fnv1a(b"a")),
        ("\"foobar\"", fnv1a(b"foobar")),
    ] {
        assert!(
            SPEC.contains(&format!("{s}` → `{h:#010X}`").replace("0X", "0x")),
            "{s}"
        );
    }
    for (code, name) in ERROR_CODES {
        assert!(SPEC.contains(&format!("| {code} | {name} |")), "{name}");
    }
    assert!(SPEC.contains("`1..=min(entry_count, 64)`"));
    assert_eq!(MAX_PROBES, 64);
}
