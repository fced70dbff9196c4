//! Fuzz the registry over hostile bytes: attach and every operation on a table another party
//! may have scribbled over must give typed errors, never a panic, UB, an out-of-region access or
//! an unbounded loop.
//!
//! The input's first byte selects a mode: 0 = the raw input is the table; otherwise a valid
//! module registry (6 entries, 4 of them live) is formatted and the rest of the input is XOR-ed
//! over it at an offset chosen by the second byte. Then a script derived from the input runs
//! operations, including forged handles.
#![no_main]
use inos_layout::RegionBuf;
use inos_registry::{
    Handle, Liveness, ModuleFields, ModuleRegistry, Modules, PartyId, SupervisorFields,
    SupervisorTable,
};
use libfuzzer_sys::fuzz_target;

const COUNT: u32 = 6;

fn run(reg: &ModuleRegistry<'_>, script: &[u8], handles: &mut Vec<Handle<Modules>>) {
    for c in script.chunks(3) {
        let [op, x, y] = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let id = [b'm', b'0' + x % 8];
        let h = if handles.is_empty() || y & 0x80 != 0 {
            Handle::from_u64(((y as u64) << 32) | (x as u64 % 8))
        } else {
            handles[x as usize % handles.len()]
        };
        let party = PartyId::new(2 + (y as u32 % 3)).unwrap();
        match op % 8 {
            0 => {
                if let Ok(h) = reg.register(party, &id, &ModuleFields::default()) {
                    handles.push(h);
                }
            }
            1 => {
                let _ = reg.lookup(&id);
            }
            2 => {
                let _ = reg.get(h);
            }
            3 => {
                let _ = reg.update(h, &ModuleFields { memory_kib: y as u32, ..Default::default() });
            }
            4 => {
                let _ = reg.beat(h);
            }
            5 => {
                let _ = reg.unregister(h);
            }
            6 => {
                let probe = |p: PartyId| if p == party { Liveness::Dead } else { Liveness::Alive };
                let _ = reg.reclaim_dead(&probe, PartyId::ANONYMOUS);
            }
            _ => {
                let _ = reg.live().count();
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let len = ModuleRegistry::required_len(COUNT).unwrap();
    let (mode, rest) = match data.split_first() {
        Some((&m, r)) => (m, r),
        None => return,
    };
    let buf = RegionBuf::new(len).unwrap();
    let mut handles = Vec::new();
    let script;
    if mode == 0 {
        let n = rest.len().min(len);
        buf.region().write(0, &rest[..n]).unwrap();
        script = &rest[n..];
    } else {
        let reg = ModuleRegistry::init(buf.region(), COUNT).unwrap();
        for i in 0..4u8 {
            let party = PartyId::new(2 + i as u32).unwrap();
            handles.push(reg.register(party, &[b'm', b'0' + i], &ModuleFields::default()).unwrap());
        }
        let (&at, patch) = match rest.split_first() {
            Some(x) => x,
            None => return,
        };
        let n = patch.len().min(64);
        let start = (at as usize * 4) % len;
        for (i, &b) in patch[..n].iter().enumerate() {
            let off = (start + i) % len;
            let mut cur = [0u8];
            buf.region().read(off, &mut cur).unwrap();
            buf.region().write(off, &[cur[0] ^ b]).unwrap();
        }
        script = &patch[n..];
    }
    if let Ok(reg) = ModuleRegistry::attach(buf.region()) {
        run(&reg, script, &mut handles);
    }
    if let Ok(sup) = SupervisorTable::attach(buf.region()) {
        let _ = sup.lookup(b"s");
        let _ = sup.register(PartyId::ANONYMOUS, b"s", &SupervisorFields::default());
    }
});
