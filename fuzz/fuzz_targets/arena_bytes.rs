//! Fuzz the arena over hostile bytes and forged references: attach, allocate, open, send,
//! share, free, release, reclaim and stats on a region another party may have scribbled over
//! must give typed errors, never a panic, UB, an out-of-region access or an endless loop; and a
//! block the arena hands out always lies inside the data area.
//!
//! The input's first byte selects a mode: 0 = the raw input is the region; otherwise a valid
//! arena (256-byte chunks, with blocks of several classes, a large block, a sent and a shared
//! block in it) is formatted and the rest of the input is XOR-ed over it at an offset chosen by
//! the second byte. Then a script derived from the input runs operations with forged refs.
#![no_main]
use core::num::NonZeroU8;

use inos_arena::{required_len, Arena, BlockRef};
use inos_layout::RegionBuf;
use inos_ring::PartyId;
use libfuzzer_sys::fuzz_target;

const SHIFT: u32 = 8;
const CHUNKS: u32 = 6;

fn populate(a: &Arena<'_>) -> Vec<BlockRef> {
    let mut refs = Vec::new();
    for len in [10usize, 64, 100, 600] {
        if let Ok(b) = a.alloc(len) {
            refs.push(b.leak());
        }
    }
    if let Ok(b) = a.alloc(64) {
        refs.push(b.into_ref().unwrap());
    }
    if let Ok(b) = a.alloc(64) {
        refs.push(b.share(NonZeroU8::new(3).unwrap()).unwrap());
    }
    refs
}

fn run(a: Arena<'_>, script: &[u8], refs: &[BlockRef]) {
    let data = a.geometry().data_offset();
    let end = a.region().len();
    let _ = a.stats();
    for c in script.chunks(6) {
        let g = |i: usize| *c.get(i).unwrap_or(&0);
        let base = refs
            .get(g(1) as usize % refs.len().max(1))
            .copied()
            .unwrap_or_default();
        let r = match g(2) % 5 {
            0 => base,
            1 => BlockRef {
                offset: base.offset.wrapping_add(u32::from(g(3)) * 8),
                ..base
            },
            2 => BlockRef {
                len: u32::from_le_bytes([g(3), g(4), g(5), 0]),
                ..base
            },
            3 => BlockRef {
                generation: base.generation ^ u32::from(g(3)),
                ..base
            },
            _ => BlockRef {
                offset: u32::from_le_bytes([g(3), g(4), 0, 0]),
                len: u32::from(g(5)) * 16,
                generation: u32::from(g(3)),
                reserved: u32::from(g(4) & 1),
            },
        };
        let party = a.with_party(PartyId::new(u32::from(g(5) % 3) + 1).unwrap());
        let check = |b: &inos_arena::Block<'_>| {
            assert!(b.offset() >= data && b.offset() + b.len() <= end);
            let _ = b.bytes().get(0);
        };
        match g(0) % 10 {
            0 => {
                if let Ok(b) = party.alloc(u32::from_le_bytes([g(3), g(4), 0, 0]) as usize) {
                    check(&b);
                    b.leak();
                }
            }
            1 => {
                if let Ok(b) = party.open(r) {
                    check(&b);
                    b.leak();
                }
            }
            2 => {
                let _ = party.send(r);
            }
            3 => {
                let _ = party.share(r, u32::from(g(3)));
            }
            4 => {
                let _ = party.free(r);
            }
            5 => {
                let _ = party.release(r);
            }
            6 => {
                let _ = party.reclaim_party(party.party());
            }
            7 => {
                let _ = a.stats();
            }
            8 => {
                if let Ok(b) = party.alloc(600) {
                    check(&b);
                    let _ = b.free();
                }
            }
            _ => {
                if let Ok(b) = party.alloc(u32::from(g(3)) as usize) {
                    check(&b);
                    let _ = b.into_ref();
                }
            }
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let len = required_len(SHIFT, CHUNKS).unwrap();
    let buf = RegionBuf::new(len).unwrap();
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let refs;
    let script;
    if mode == 0 {
        let n = rest.len().min(len);
        buf.region().write(0, &rest[..n]).unwrap();
        refs = Vec::new();
        script = &rest[n..];
    } else {
        let a = Arena::init(buf.region(), SHIFT)
            .unwrap()
            .with_party(PartyId::new(2).unwrap());
        refs = populate(&a);
        let Some((&at, rest)) = rest.split_first() else {
            return;
        };
        let (noise, s) = rest.split_at(rest.len().min(256));
        let off = (at as usize * 8).min(len - noise.len().min(len));
        let mut cur = vec![0u8; noise.len()];
        buf.region().read(off, &mut cur).unwrap();
        for (c, n) in cur.iter_mut().zip(noise) {
            *c ^= n;
        }
        buf.region().write(off, &cur).unwrap();
        script = s;
    }
    if let Ok(a) = Arena::attach(buf.region()) {
        run(a, script, &refs);
    }
});
