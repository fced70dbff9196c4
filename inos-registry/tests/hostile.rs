//! Hostile bytes: whatever another party writes into a table, attach and every operation give a
//! value or a typed error, never a panic, an out-of-region access or an unbounded loop; and the
//! specific breaks of the format are reported as the error the spec names.
#![allow(missing_docs)]

use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_registry::layout::*;
use inos_registry::{
    Handle, Liveness, ModuleFields, ModuleRegistry, Modules, PartyId, RegistryError,
    SupervisorFields, SupervisorTable,
};
use proptest::prelude::*;

const COUNT: u32 = 6;

fn populated() -> (RegionBuf, Vec<Handle<Modules>>) {
    let buf = RegionBuf::new(ModuleRegistry::required_len(COUNT).unwrap()).unwrap();
    let reg = ModuleRegistry::init(buf.region(), COUNT).unwrap();
    let hs = (0..4u32)
        .map(|i| {
            let f = ModuleFields {
                memory_kib: i,
                ring: Some(i),
                ..Default::default()
            };
            reg.register(PartyId::new(2 + i).unwrap(), format!("m{i}").as_bytes(), &f)
                .unwrap()
        })
        .collect();
    (buf, hs)
}

fn word(buf: &RegionBuf, off: usize) -> &inos_layout::sync::AtomicU32 {
    buf.region().u32_at(off).unwrap()
}

fn entry(slot: u32) -> usize {
    HEADER_LEN + slot as usize * MODULE_ENTRY_LEN
}

/// Runs every operation; each must return (any value or error) without panicking.
fn exercise(buf: &RegionBuf, hs: &[Handle<Modules>]) {
    let Ok(reg) = ModuleRegistry::attach(buf.region()) else {
        return;
    };
    for i in 0..6u32 {
        let _ = reg.lookup(format!("m{i}").as_bytes());
    }
    for &h in hs {
        let _ = reg.get(h);
        let _ = reg.beat(h);
        let _ = reg.update(h, &ModuleFields::default());
    }
    let _ = reg.live().count();
    let _ = reg.register(PartyId::ANONYMOUS, b"new", &ModuleFields::default());
    for &h in hs {
        let _ = reg.unregister(h);
    }
    let all_dead = |_: PartyId| Liveness::Dead;
    let _ = reg.reclaim_dead(&all_dead, PartyId::ANONYMOUS);
    let _ = reg.register(PartyId::ANONYMOUS, b"after", &ModuleFields::default());
    let _ = reg.live().count();
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Random words written over a populated table.
    #[test]
    fn scribbled_tables_give_typed_errors(
        patches in proptest::collection::vec((0..ModuleRegistry::required_len(COUNT).unwrap() / 4, any::<u32>(), 0..4u8), 1..12),
    ) {
        let (buf, hs) = populated();
        for (w, v, how) in patches {
            let v = match how {
                0 => v,
                1 => v & 0xFF,           // small values: lengths, phases, counts
                2 => v | 1,              // odd: a sequence stuck mid-write
                _ => v & !PHASE_MASK | PHASE_LIVE,
            };
            word(&buf, w * 4).store(v, Ordering::Relaxed);
        }
        exercise(&buf, &hs);
    }

    /// Entirely random bytes: attach refuses them or the operations cope.
    #[test]
    fn random_regions_give_typed_errors(bytes in proptest::collection::vec(any::<u8>(), 0..700), valid_header in any::<bool>()) {
        let buf = RegionBuf::new(bytes.len().max(4)).unwrap();
        buf.region().write(0, &bytes).unwrap();
        if valid_header && bytes.len() >= HEADER_LEN {
            for (off, v) in [(H_MAGIC, MAGIC), (H_VERSION, VERSION), (H_KIND, KIND_MODULE),
                             (H_ENTRY_LEN, MODULE_ENTRY_LEN as u32), (H_ENTRY_COUNT, 4), (H_PROBE_LIMIT, 4)] {
                word(&buf, off).store(v, Ordering::Relaxed);
            }
            for off in (H_RESERVED..HEADER_LEN).step_by(4) {
                word(&buf, off).store(0, Ordering::Relaxed);
            }
        }
        let hs: Vec<_> = (0..6u64).map(|i| Handle::from_u64(i << 32 | i)).collect();
        exercise(&buf, &hs);
        if let Ok(s) = SupervisorTable::attach(buf.region()) {
            let _ = s.lookup(b"x");
        }
    }
}

#[test]
fn header_checks() {
    let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
    ModuleRegistry::init(buf.region(), 4).unwrap();
    let attach = || ModuleRegistry::attach(buf.region()).map(|_| ());
    assert_eq!(attach(), Ok(()));
    word(&buf, H_RESERVED + 8).store(1, Ordering::Relaxed);
    assert_eq!(attach(), Err(RegistryError::CorruptHeader));
    word(&buf, H_RESERVED + 8).store(0, Ordering::Relaxed);
    word(&buf, H_PROBE_LIMIT).store(5, Ordering::Relaxed);
    assert_eq!(attach(), Err(RegistryError::CorruptHeader));
    word(&buf, H_PROBE_LIMIT).store(4, Ordering::Relaxed);
    word(&buf, H_ENTRY_COUNT).store(5, Ordering::Relaxed);
    assert!(matches!(
        attach(),
        Err(RegistryError::RegionTooSmall { .. })
    ));
    word(&buf, H_ENTRY_COUNT).store(u32::MAX, Ordering::Relaxed);
    assert_eq!(attach(), Err(RegistryError::CorruptHeader));
    word(&buf, H_ENTRY_COUNT).store(4, Ordering::Relaxed);
    word(&buf, H_ENTRY_LEN).store(96, Ordering::Relaxed);
    assert!(matches!(attach(), Err(RegistryError::WrongKind { .. })));
    word(&buf, H_ENTRY_LEN).store(MODULE_ENTRY_LEN as u32, Ordering::Relaxed);
    word(&buf, H_VERSION).store(2, Ordering::Relaxed);
    assert_eq!(attach(), Err(RegistryError::UnsupportedVersion(2)));
    assert_eq!(
        ModuleRegistry::init(buf.region(), 0).unwrap_err(),
        RegistryError::InvalidCapacity
    );
    let small = RegionBuf::new(32).unwrap();
    assert!(matches!(
        ModuleRegistry::attach(small.region()),
        Err(RegistryError::RegionTooSmall { .. })
    ));
}

#[test]
fn entry_breaks_are_reported() {
    let (buf, hs) = populated();
    let reg = ModuleRegistry::attach(buf.region()).unwrap();
    let h = hs[0];
    let e = entry(h.slot());

    // A wrong id hash.
    let hash = word(&buf, e + E_ID_HASH).load(Ordering::Relaxed);
    word(&buf, e + E_ID_HASH).store(hash ^ 1, Ordering::Relaxed);
    assert_eq!(
        reg.get(h),
        Err(RegistryError::CorruptEntry { slot: h.slot() })
    );
    word(&buf, e + E_ID_HASH).store(hash, Ordering::Relaxed);
    assert!(reg.get(h).is_ok());

    // A live entry without a claim holder.
    let claim = word(&buf, e + E_CLAIM).load(Ordering::Relaxed);
    word(&buf, e + E_CLAIM).store(0, Ordering::Relaxed);
    assert_eq!(
        reg.get(h),
        Err(RegistryError::CorruptEntry { slot: h.slot() })
    );
    word(&buf, e + E_CLAIM).store(claim, Ordering::Relaxed);

    // A non-zero reserved word, a name length past 16.
    word(&buf, e + M_RESERVED).store(7, Ordering::Relaxed);
    assert_eq!(
        reg.get(h),
        Err(RegistryError::CorruptEntry { slot: h.slot() })
    );
    word(&buf, e + M_RESERVED).store(0, Ordering::Relaxed);
    word(&buf, e + E_ID_LEN).store(17, Ordering::Relaxed);
    assert_eq!(
        reg.get(h),
        Err(RegistryError::CorruptEntry { slot: h.slot() })
    );
}

#[test]
fn a_writer_dead_mid_write_is_reported_then_reclaimed() {
    let (buf, hs) = populated();
    let reg = ModuleRegistry::attach(buf.region()).unwrap();
    let h = hs[1];
    let seq = word(&buf, entry(h.slot()) + E_SEQ);
    // The owner (party 3) died in the middle of an update: the sequence stays odd.
    seq.fetch_add(1, Ordering::Relaxed);
    assert_eq!(
        reg.get(h),
        Err(RegistryError::WriterStalled { slot: h.slot() })
    );
    assert_eq!(
        reg.lookup(b"m1"),
        Err(RegistryError::WriterStalled { slot: h.slot() })
    );
    assert_eq!(
        reg.update(h, &ModuleFields::default()),
        Err(RegistryError::WriterStalled { slot: h.slot() })
    );
    let dead = PartyId::new(3).unwrap();
    let probe = |p: PartyId| {
        if p == dead {
            Liveness::Dead
        } else {
            Liveness::Alive
        }
    };
    assert_eq!(reg.reclaim_dead(&probe, PartyId::ANONYMOUS), 1);
    assert_eq!(reg.get(h), Err(RegistryError::Stale));
    assert_eq!(reg.lookup(b"m1"), Err(RegistryError::NotFound));
    // The entry is usable again: the stuck write was abandoned by the reclaim.
    let again = reg
        .register(PartyId::ANONYMOUS, b"m1", &ModuleFields::default())
        .unwrap();
    assert_eq!(reg.get(again).unwrap().id.as_bytes(), b"m1");
    assert_ne!(again, h);
}

#[test]
fn a_registrant_dead_while_pending_blocks_nothing_after_reclaim() {
    let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
    let reg = ModuleRegistry::init(buf.region(), 4).unwrap();
    let h = reg
        .register(PartyId::new(50).unwrap(), b"dup", &ModuleFields::default())
        .unwrap();
    // Turn the entry into one whose registrant died while PENDING (after writing its record).
    let st = word(&buf, entry(h.slot()) + E_STATE);
    st.store(pack_state(h.generation(), PHASE_PENDING), Ordering::Relaxed);
    // Pending entries are invisible to lookups...
    assert_eq!(reg.lookup(b"dup"), Err(RegistryError::NotFound));
    // ...and a new registration of the id at a later probe position sees an earlier pending one:
    // it has priority, so the new one backs off.
    let r = reg.register(PartyId::ANONYMOUS, b"dup", &ModuleFields::default());
    assert_eq!(r, Err(RegistryError::AlreadyRegistered { slot: h.slot() }));
    let dead = |p: PartyId| {
        if p.get() == 50 {
            Liveness::Dead
        } else {
            Liveness::Alive
        }
    };
    assert_eq!(reg.reclaim_dead(&dead, PartyId::ANONYMOUS), 1);
    assert!(reg
        .register(PartyId::ANONYMOUS, b"dup", &ModuleFields::default())
        .is_ok());
}

#[test]
fn field_validation() {
    let buf = RegionBuf::new(ModuleRegistry::required_len(2).unwrap()).unwrap();
    let reg = ModuleRegistry::init(buf.region(), 2).unwrap();
    let p = PartyId::ANONYMOUS;
    assert_eq!(
        reg.register(p, &[b'x'; 17], &ModuleFields::default()),
        Err(RegistryError::InvalidId { len: 17 })
    );
    let bad = ModuleFields {
        ring: Some(NONE),
        ..Default::default()
    };
    assert_eq!(
        reg.register(p, b"x", &bad),
        Err(RegistryError::InvalidField)
    );
    assert_eq!(reg.lookup(b""), Err(RegistryError::InvalidId { len: 0 }));
    assert_eq!(reg.get(Handle::from_u64(2)), Err(RegistryError::NoSuchSlot));
    let sbuf = RegionBuf::new(SupervisorTable::required_len(2).unwrap()).unwrap();
    let sup = SupervisorTable::init(sbuf.region(), 2).unwrap();
    let f = SupervisorFields::new(0, Some(NONE), &[]).unwrap();
    assert_eq!(sup.register(p, b"s", &f), Err(RegistryError::InvalidField));
}
