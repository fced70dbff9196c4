//! Multi-threaded stress with counts: registrants race for a few contested ids and for free
//! entries, owners rewrite and beat their entries, readers look everything up and check that no
//! record is ever torn, and at the end every registration is accounted for.
#![allow(missing_docs)]

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use inos_layout::RegionBuf;
use inos_registry::{Label, ModuleFields, ModuleRegistry, PartyId, RegistryError, Version};

const THREADS: u32 = 4;
const ROUNDS: u32 = if cfg!(miri) { 8 } else { 10_000 };
const CONTESTED: u32 = 3;

/// Fields whose every word derives from `(id, stamp)`, so a torn copy is detectable.
fn fields(id: u32, stamp: u32) -> ModuleFields {
    ModuleFields {
        name: Label::new(format!("n{id}-{}", stamp % 1000).as_bytes()).unwrap(),
        version: Version::from_u32(stamp),
        capabilities: (stamp as u64) << 32 | (stamp ^ id) as u64,
        ring: Some(stamp.wrapping_mul(3)),
        epoch: Some(id),
        memory_kib: stamp ^ 0x5A5A_5A5A,
    }
}

fn check(id: u32, f: &ModuleFields) {
    let stamp = f.version.to_u32();
    assert_eq!(*f, fields(id, stamp), "torn record for id {id}");
}

#[test]
fn racing_registrants_updaters_and_readers() {
    let count = 16;
    let buf = RegionBuf::new(ModuleRegistry::required_len(count).unwrap()).unwrap();
    let reg = ModuleRegistry::init(buf.region(), count).unwrap();
    // Live registrations of each contested id, as counted by their winners: never above 1.
    let holders: Vec<AtomicU32> = (0..CONTESTED).map(|_| AtomicU32::new(0)).collect();
    let registered = AtomicU64::new(0);
    let unregistered = AtomicU64::new(0);
    let lost_races = AtomicU64::new(0);
    let reads_ok = AtomicU64::new(0);
    let done = AtomicU32::new(0);

    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (reg, holders, registered, unregistered, lost_races, done) = (
                reg,
                &holders,
                &registered,
                &unregistered,
                &lost_races,
                &done,
            );
            s.spawn(move || {
                // Counted even if this thread panics, so the reader stops and the panic shows.
                struct Done<'a>(&'a AtomicU32);
                impl Drop for Done<'_> {
                    fn drop(&mut self) {
                        self.0.fetch_add(1, Ordering::Release);
                    }
                }
                let _done = Done(done);
                let party = PartyId::new(100 + t).unwrap();
                for round in 0..ROUNDS {
                    // A contested id, or this thread's own id.
                    let (id, contested) = if round % 2 == 0 {
                        (round / 2 % CONTESTED, true)
                    } else {
                        (CONTESTED + t, false)
                    };
                    let key = format!("id{id}");
                    let stamp = round.wrapping_mul(THREADS) + t;
                    match reg.register(party, key.as_bytes(), &fields(id, stamp)) {
                        Ok(h) => {
                            registered.fetch_add(1, Ordering::Relaxed);
                            if contested {
                                assert_eq!(
                                    holders[id as usize].fetch_add(1, Ordering::SeqCst),
                                    0,
                                    "two live {key}"
                                );
                            }
                            reg.update(h, &fields(id, stamp ^ 0x100)).unwrap();
                            reg.beat(h).unwrap();
                            let e = reg.get(h).unwrap();
                            check(id, &e.fields);
                            assert_eq!(e.owner, party);
                            if contested {
                                holders[id as usize].fetch_sub(1, Ordering::SeqCst);
                            }
                            reg.unregister(h).unwrap();
                            assert_eq!(reg.get(h), Err(RegistryError::Stale));
                            unregistered.fetch_add(1, Ordering::Relaxed);
                        }
                        // Lost to a racing registration of the id, or its winner's update was
                        // preempted mid-write through every read attempt (typed, retryable).
                        Err(RegistryError::AlreadyRegistered { .. })
                        | Err(RegistryError::Busy { .. })
                        | Err(RegistryError::WriterStalled { .. }) => {
                            assert!(contested, "own id {key} refused");
                            lost_races.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => panic!("{key}: {e}"),
                    }
                }
            });
        }
        // A reader: every copy it gets is whole.
        let (reads_ok, done) = (&reads_ok, &done);
        s.spawn(move || {
            while done.load(Ordering::Acquire) < THREADS {
                for id in 0..CONTESTED + THREADS {
                    match reg.lookup(format!("id{id}").as_bytes()) {
                        Ok(e) => {
                            check(id, &e.fields);
                            reads_ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(RegistryError::NotFound) => {}
                        Err(RegistryError::WriterStalled { .. }) => {}
                        Err(e) => panic!("reader: {e}"),
                    }
                }
                for e in reg.live() {
                    match e {
                        Ok(e) => check(e.fields.epoch.unwrap(), &e.fields),
                        Err(RegistryError::WriterStalled { .. }) => {}
                        Err(e) => panic!("reader: {e}"),
                    }
                }
            }
        });
    });

    let (r, u, l) = (
        registered.load(Ordering::Relaxed),
        unregistered.load(Ordering::Relaxed),
        lost_races.load(Ordering::Relaxed),
    );
    assert_eq!(r, u);
    assert_eq!(
        r + l,
        (THREADS * ROUNDS) as u64,
        "every attempt is accounted for"
    );
    assert!(
        r >= (THREADS * ROUNDS / 2) as u64,
        "own ids always register"
    );
    assert_eq!(reg.live().count(), 0);
    for s in 0..count {
        assert_eq!(reg.holder(s), None, "slot {s} left claimed");
    }
    eprintln!(
        "registered {r}, lost races {l}, whole reads {}",
        reads_ok.load(Ordering::Relaxed)
    );
}

/// Many registrants race for the entries of a small table: each entry is won by exactly one
/// party, and losers get `Full`.
#[test]
fn entries_are_claimed_once() {
    let count = 4;
    for _ in 0..if cfg!(miri) { 1 } else { 200 } {
        let buf = RegionBuf::new(ModuleRegistry::required_len(count).unwrap()).unwrap();
        let reg = ModuleRegistry::init(buf.region(), count).unwrap();
        let wins = AtomicU32::new(0);
        std::thread::scope(|s| {
            for t in 0..8u32 {
                let (reg, wins) = (reg, &wins);
                s.spawn(move || {
                    match reg.register(
                        PartyId::new(10 + t).unwrap(),
                        format!("t{t}").as_bytes(),
                        &ModuleFields::default(),
                    ) {
                        Ok(_) => {
                            wins.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(RegistryError::Full) => {}
                        Err(e) => panic!("{e}"),
                    }
                });
            }
        });
        assert_eq!(wins.load(Ordering::Relaxed), count);
        let mut owners: Vec<u32> = (0..count).map(|s| reg.holder(s).unwrap().get()).collect();
        owners.sort_unstable();
        owners.dedup();
        assert_eq!(owners.len(), count as usize, "one entry per winner");
    }
}
