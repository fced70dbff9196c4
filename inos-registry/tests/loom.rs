//! loom models of the shipped registry code: two registrants racing for one entry, two
//! registrations of one id racing (the duplicate check's Dekker handshake), a reader racing an
//! update (never a torn record), and a stale handle racing unregister + re-register of its slot
//! (never the newer entry).
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-registry --test loom`
//!
//! Under `cfg(loom)` the region's words are loom atomics (the loom twin in inos-layout), so the
//! orderings of every claim, state, sequence and record access are checked as written. Tables
//! are tiny (1-2 entries) to keep the state space small.
#![cfg(loom)]
#![allow(missing_docs)]

use loom::sync::Arc;
use loom::thread;

use inos_layout::RegionBuf;
use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError, Version};

fn table(count: u32) -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(ModuleRegistry::required_len(count).unwrap()).unwrap());
    ModuleRegistry::init(buf.region(), count).unwrap();
    buf
}

fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut b = loom::model::Builder::new();
    b.max_branches = 20_000;
    b.check(f);
}

fn fields(stamp: u32) -> ModuleFields {
    ModuleFields {
        version: Version::from_u32(stamp),
        capabilities: (stamp as u64) << 32 | stamp as u64,
        memory_kib: stamp,
        ..Default::default()
    }
}

fn whole(f: &ModuleFields) -> bool {
    let s = f.version.to_u32();
    *f == fields(s)
}

/// Two registrants race for the only entry: exactly one wins it, the other gets `Full`.
#[test]
fn two_registrants_race_for_one_entry() {
    model(|| {
        let buf = table(1);
        let spawn = |party: u32, id: &'static [u8]| {
            let buf = buf.clone();
            thread::spawn(move || {
                let reg = ModuleRegistry::attach(buf.region()).unwrap();
                reg.register(PartyId::new(party).unwrap(), id, &fields(party))
                    .map(|h| h.slot())
            })
        };
        let a = spawn(2, b"a");
        let b = spawn(3, b"b");
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let wins = [a, b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{a:?} {b:?}");
        assert!(a == Err(RegistryError::Full) || b == Err(RegistryError::Full));
        let reg = ModuleRegistry::attach(buf.region()).unwrap();
        let winner = if a.is_ok() { 2 } else { 3 };
        assert_eq!(reg.holder(0).unwrap().get(), winner);
        let e = reg.lookup(if a.is_ok() { b"a" } else { b"b" }).unwrap();
        assert_eq!(e.fields, fields(winner));
    });
}

/// Two registrations of the same id race for two entries: exactly one succeeds (the duplicate
/// check is a Dekker handshake on the state words through SeqCst fences), the other backs off
/// and leaves its entry free.
#[test]
fn two_registrations_of_one_id() {
    model(|| {
        let buf = table(2);
        let spawn = |party: u32| {
            let buf = buf.clone();
            thread::spawn(move || {
                let reg = ModuleRegistry::attach(buf.region()).unwrap();
                reg.register(PartyId::new(party).unwrap(), b"same", &fields(party))
            })
        };
        let a = spawn(2);
        let b = spawn(3);
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        let ok: Vec<_> = [a, b].into_iter().filter_map(Result::ok).collect();
        assert_eq!(ok.len(), 1, "{a:?} {b:?}");
        for r in [a, b] {
            assert!(
                matches!(r, Ok(_) | Err(RegistryError::AlreadyRegistered { .. })),
                "{r:?}"
            );
        }
        let reg = ModuleRegistry::attach(buf.region()).unwrap();
        assert_eq!(reg.lookup(b"same").unwrap().handle, ok[0]);
        let claimed = (0..2).filter(|&s| reg.holder(s).is_some()).count();
        assert_eq!(claimed, 1, "the loser released its entry");
    });
}

/// A reader racing the owner's update sees the old record or the new one, whole.
#[test]
fn reader_never_sees_a_torn_record() {
    model(|| {
        let buf = table(1);
        let reg = ModuleRegistry::attach(buf.region()).unwrap();
        let h = reg
            .register(PartyId::new(2).unwrap(), b"m", &fields(1))
            .unwrap();
        let writer = {
            let buf = buf.clone();
            thread::spawn(move || {
                let reg = ModuleRegistry::attach(buf.region()).unwrap();
                reg.update(h, &fields(2)).unwrap();
            })
        };
        match reg.lookup(b"m") {
            Ok(e) => assert!(whole(&e.fields), "torn: {:?}", e.fields),
            Err(RegistryError::WriterStalled { .. }) => {}
            Err(e) => panic!("{e}"),
        }
        writer.join().unwrap();
        assert_eq!(reg.get(h).unwrap().fields, fields(2));
    });
}

/// A stale handle racing unregister + re-register of its slot gets the old entry or `Stale`,
/// never the newer registration.
///
/// One preemption is enough for the interleaving that matters (the reader stops anywhere in its
/// read, the owner unregisters and re-registers, the reader goes on), and loom still explores
/// every value each load may see; with two, the model does not finish in CI time.
#[test]
fn stale_handle_never_reads_the_next_registration() {
    let mut b = loom::model::Builder::new();
    b.max_branches = 20_000;
    b.preemption_bound = Some(1);
    b.check(|| {
        let buf = table(1);
        let reg = ModuleRegistry::attach(buf.region()).unwrap();
        let old = reg
            .register(PartyId::new(2).unwrap(), b"old", &fields(1))
            .unwrap();
        let owner = {
            let buf = buf.clone();
            thread::spawn(move || {
                let reg = ModuleRegistry::attach(buf.region()).unwrap();
                reg.unregister(old).unwrap();
                reg.register(PartyId::new(3).unwrap(), b"new", &fields(2))
                    .unwrap()
            })
        };
        match reg.get(old) {
            Ok(e) => {
                assert_eq!(e.id.as_bytes(), b"old");
                assert_eq!(e.fields, fields(1));
                assert_eq!(e.owner.get(), 2);
            }
            Err(RegistryError::Stale) | Err(RegistryError::WriterStalled { .. }) => {}
            Err(e) => panic!("{e}"),
        }
        let new = owner.join().unwrap();
        assert_eq!(new.slot(), old.slot());
        assert_ne!(new.generation(), old.generation());
        assert_eq!(reg.get(old), Err(RegistryError::Stale));
    });
}
