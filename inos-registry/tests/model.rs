//! The registry against a sequential model: a `HashMap` from id to registration plus the slot
//! table that linear probing fills (so the model predicts every slot, generation, `Full` and
//! `AlreadyRegistered`), for random sequences of register, lookup, get, update, beat,
//! unregister and reclaim, on small tables with short probe windows.
#![allow(missing_docs)]

use std::collections::HashMap;

use inos_layout::RegionBuf;
use inos_registry::layout::{fnv1a, probe_slot};
use inos_registry::{
    Entry, Handle, Label, Liveness, ModuleFields, ModuleRegistry, Modules, PartyId, RegistryError,
    Version,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Register { id: u8, party: u32, mem: u32 },
    Lookup { id: u8 },
    Get { handle: usize },
    Update { handle: usize, mem: u32 },
    Beat { handle: usize },
    Unregister { handle: usize },
    Reclaim { party: u32 },
    Forged { slot: u32, generation: u32 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..12u8, 2..5u32, any::<u32>()).prop_map(|(id, party, mem)| Op::Register { id, party, mem }),
        3 => (0..12u8).prop_map(|id| Op::Lookup { id }),
        2 => any::<usize>().prop_map(|handle| Op::Get { handle }),
        1 => (any::<usize>(), any::<u32>()).prop_map(|(handle, mem)| Op::Update { handle, mem }),
        1 => any::<usize>().prop_map(|handle| Op::Beat { handle }),
        3 => any::<usize>().prop_map(|handle| Op::Unregister { handle }),
        1 => (2..5u32).prop_map(|party| Op::Reclaim { party }),
        1 => (0..8u32, 0..4u32).prop_map(|(slot, generation)| Op::Forged { slot, generation }),
    ]
}

fn id_bytes(id: u8) -> Vec<u8> {
    format!("mod-{id}").into_bytes()
}

fn fields(id: u8, mem: u32) -> ModuleFields {
    ModuleFields {
        name: Label::new(format!("Module {id}").as_bytes()).unwrap(),
        version: Version::new(id, 1, mem as u16),
        capabilities: (mem as u64) << 32 | id as u64,
        ring: (id % 3 != 0).then_some(id as u32),
        epoch: (id % 2 == 0).then_some(16),
        memory_kib: mem,
    }
}

#[derive(Debug, Clone)]
struct Reg {
    id: Vec<u8>,
    owner: u32,
    fields: ModuleFields,
    heartbeat: u32,
}

/// The sequential model: what every slot holds and its generation.
struct Model {
    count: u32,
    probes: u32,
    slots: Vec<Option<Reg>>,
    gens: Vec<u32>,
    /// id → slot of its live registration: what lookups answer from.
    by_id: HashMap<Vec<u8>, u32>,
}

impl Model {
    fn window(&self, id: &[u8]) -> Vec<u32> {
        let h = fnv1a(id);
        (0..self.probes)
            .map(|p| probe_slot(h, p, self.count).unwrap())
            .collect()
    }

    fn entry(&self, slot: u32) -> Entry<Modules> {
        let r = self.slots[slot as usize].as_ref().unwrap();
        Entry {
            handle: Handle::from_u64((self.gens[slot as usize] as u64) << 32 | slot as u64),
            id: Label::new(&r.id).unwrap(),
            owner: PartyId::new(r.owner).unwrap(),
            heartbeat: r.heartbeat,
            fields: r.fields,
        }
    }

    fn register(
        &mut self,
        id: &[u8],
        owner: u32,
        f: ModuleFields,
    ) -> Result<Handle<Modules>, RegistryError> {
        let w = self.window(id);
        for &s in &w {
            if self.slots[s as usize].as_ref().is_some_and(|r| r.id == id) {
                return Err(RegistryError::AlreadyRegistered { slot: s });
            }
        }
        let s = *w
            .iter()
            .find(|&&s| self.slots[s as usize].is_none())
            .ok_or(RegistryError::Full)?;
        self.gens[s as usize] += 1;
        self.by_id.insert(id.to_vec(), s);
        self.slots[s as usize] = Some(Reg {
            id: id.to_vec(),
            owner,
            fields: f,
            heartbeat: 0,
        });
        Ok(Handle::from_u64(
            (self.gens[s as usize] as u64) << 32 | s as u64,
        ))
    }

    fn live(&self, h: Handle<Modules>) -> Result<u32, RegistryError> {
        let s = h.slot();
        if s >= self.count {
            return Err(RegistryError::NoSuchSlot);
        }
        if self.slots[s as usize].is_some() && self.gens[s as usize] == h.generation() {
            Ok(s)
        } else {
            Err(RegistryError::Stale)
        }
    }

    fn lookup(&self, id: &[u8]) -> Result<Entry<Modules>, RegistryError> {
        self.by_id
            .get(id)
            .map(|&s| self.entry(s))
            .ok_or(RegistryError::NotFound)
    }

    fn free(&mut self, s: u32) {
        if let Some(r) = self.slots[s as usize].take() {
            self.by_id.remove(&r.id);
        }
    }
}

fn run(count: u32, probes: u32, ops: Vec<Op>) {
    let buf = RegionBuf::new(ModuleRegistry::required_len(count).unwrap()).unwrap();
    let reg = ModuleRegistry::init_with(buf.region(), count, probes).unwrap();
    let mut m = Model {
        count,
        probes,
        slots: vec![None; count as usize],
        gens: vec![0; count as usize],
        by_id: HashMap::new(),
    };
    let mut handles: Vec<Handle<Modules>> = Vec::new();
    let pick = |handles: &Vec<Handle<Modules>>, i: usize| {
        (!handles.is_empty()).then(|| handles[i % handles.len()])
    };
    for op in ops {
        match op {
            Op::Register { id, party, mem } => {
                let f = fields(id, mem);
                let got = reg.register(PartyId::new(party).unwrap(), &id_bytes(id), &f);
                let want = m.register(&id_bytes(id), party, f);
                assert_eq!(got, want, "register {id}");
                if let Ok(h) = got {
                    handles.push(h);
                }
            }
            Op::Lookup { id } => {
                assert_eq!(
                    reg.lookup(&id_bytes(id)),
                    m.lookup(&id_bytes(id)),
                    "lookup {id}"
                );
            }
            Op::Get { handle } => {
                if let Some(h) = pick(&handles, handle) {
                    assert_eq!(reg.get(h), m.live(h).map(|s| m.entry(s)));
                }
            }
            Op::Update { handle, mem } => {
                if let Some(h) = pick(&handles, handle) {
                    let want = m.live(h);
                    let f = want.map(|s| {
                        let r = m.slots[s as usize].as_ref().unwrap();
                        fields(r.fields.version.major, mem)
                    });
                    let got = reg.update(h, &f.unwrap_or_default());
                    assert_eq!(got, want.map(|_| ()));
                    if let (Ok(s), Ok(f)) = (want, f) {
                        m.slots[s as usize].as_mut().unwrap().fields = f;
                    }
                }
            }
            Op::Beat { handle } => {
                if let Some(h) = pick(&handles, handle) {
                    let want = m.live(h).map(|s| {
                        let r = m.slots[s as usize].as_mut().unwrap();
                        r.heartbeat += 1;
                        r.heartbeat
                    });
                    assert_eq!(reg.beat(h), want);
                }
            }
            Op::Unregister { handle } => {
                if let Some(h) = pick(&handles, handle) {
                    let want = m.live(h).map(|s| m.free(s));
                    assert_eq!(reg.unregister(h), want);
                }
            }
            Op::Reclaim { party } => {
                let dead = PartyId::new(party).unwrap();
                let probe = |p: PartyId| {
                    if p == dead {
                        Liveness::Dead
                    } else {
                        Liveness::Alive
                    }
                };
                let mut want = 0;
                for s in 0..count {
                    if m.slots[s as usize]
                        .as_ref()
                        .is_some_and(|r| r.owner == party)
                    {
                        m.free(s);
                        want += 1;
                    }
                }
                assert_eq!(reg.reclaim_dead(&probe, PartyId::new(9).unwrap()), want);
            }
            Op::Forged { slot, generation } => {
                let h = Handle::<Modules>::from_u64((generation as u64) << 32 | slot as u64);
                assert_eq!(reg.get(h), m.live(h).map(|s| m.entry(s)));
            }
        }
        // The whole table agrees with the model after every step.
        let live: Vec<_> = reg.live().map(Result::unwrap).collect();
        let want: Vec<_> = (0..count)
            .filter(|&s| m.slots[s as usize].is_some())
            .map(|s| m.entry(s))
            .collect();
        assert_eq!(live, want);
        for s in 0..count {
            let holder = m.slots[s as usize]
                .as_ref()
                .map(|r| PartyId::new(r.owner).unwrap());
            assert_eq!(reg.holder(s), holder);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn registry_matches_the_model(
        (count, probes) in (1..8u32).prop_flat_map(|c| (Just(c), 1..=c)),
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 12 } else { 80 }),
    ) {
        run(count, probes, ops);
    }
}

#[test]
fn a_full_window_refuses_while_other_slots_are_free() {
    // Probe limit 1: an id may only use its home slot.
    let buf = RegionBuf::new(ModuleRegistry::required_len(8).unwrap()).unwrap();
    let reg = ModuleRegistry::init_with(buf.region(), 8, 1).unwrap();
    let mut m = Model {
        count: 8,
        probes: 1,
        slots: vec![None; 8],
        gens: vec![0; 8],
        by_id: HashMap::new(),
    };
    let mut full = 0;
    for id in 0..12u8 {
        let f = fields(id, 1);
        let got = reg.register(PartyId::ANONYMOUS, &id_bytes(id), &f);
        assert_eq!(got, m.register(&id_bytes(id), 1, f));
        full += usize::from(got == Err(RegistryError::Full));
    }
    assert!(full > 0, "12 ids in 8 home slots collide");
    assert!(reg.live().count() < 8 || full == 4);
}
