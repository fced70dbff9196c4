//! `docs/conformance/arena.json`: arena vectors produced by running the Rust arena
//! (`inos-arena`).
//!
//! A vector is an arena (`chunk_shift`, `chunks`, the region `len`), the **initial** non-zero
//! metadata words (`[offset, width, value]`: width 4 for header, hint, state and bitmap words,
//! width 8 for block words, whose values are decimal strings of the `u64`), one **operation** of
//! one party (`party`, which attaches first), its **result** (a value, or the error name and code
//! of arena.md §7) and the **expected** non-zero metadata words after it. Only the metadata
//! (`0 .. data_offset`) is listed: no operation touches block bytes. `setup` only says how
//! `initial` was made (honest operations from a fresh format, then `patch`: words written by a
//! hostile party).

use std::fmt::Write as _;

use inos_arena::{required_len, Arena, BlockRef, Error, Geometry};
use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_ring::PartyId;

const SHIFT: u32 = 8;
const CHUNKS: u32 = 4;
const P: u32 = 7;
const Q: u32 = 8;

/// One operation of party `party` (arena.md §3).
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Validate the header; result `{chunks}`.
    Attach,
    /// `alloc(len)`; result the reference.
    Alloc(u32),
    /// `validate(ref)`; result null.
    Validate(BlockRef),
    /// `send(ref)`; result null.
    Send(BlockRef),
    /// `open(ref)`; result `{shared}`.
    Open(BlockRef),
    /// `free(ref)`; result null.
    Free(BlockRef),
    /// `share(ref, refs)`; result null.
    Share(BlockRef, u32),
    /// `release(ref)`; result null.
    Release(BlockRef),
    /// `reclaim_party(p)`; result the number given back.
    Reclaim(u32),
}

fn ref_json(r: BlockRef) -> String {
    format!(
        "{{\"offset\": {}, \"len\": {}, \"generation\": {}, \"reserved\": {}}}",
        r.offset, r.len, r.generation, r.reserved
    )
}

fn op_json(op: Op) -> String {
    match op {
        Op::Attach => "{\"op\": \"attach\"}".into(),
        Op::Alloc(n) => format!("{{\"op\": \"alloc\", \"len\": {n}}}"),
        Op::Validate(r) => format!("{{\"op\": \"validate\", \"ref\": {}}}", ref_json(r)),
        Op::Send(r) => format!("{{\"op\": \"send\", \"ref\": {}}}", ref_json(r)),
        Op::Open(r) => format!("{{\"op\": \"open\", \"ref\": {}}}", ref_json(r)),
        Op::Free(r) => format!("{{\"op\": \"free\", \"ref\": {}}}", ref_json(r)),
        Op::Share(r, n) => format!(
            "{{\"op\": \"share\", \"ref\": {}, \"refs\": {n}}}",
            ref_json(r)
        ),
        Op::Release(r) => format!("{{\"op\": \"release\", \"ref\": {}}}", ref_json(r)),
        Op::Reclaim(p) => format!("{{\"op\": \"reclaim\", \"dead\": {p}}}"),
    }
}

fn err_json(e: Error) -> String {
    format!("{{\"error\": \"{}\", \"code\": {}}}", e.name(), e.code())
}

fn run(buf: &RegionBuf, len: usize, party: u32, op: Op) -> String {
    let region = buf.region().sub(0, len).expect("in bounds");
    let a = match Arena::attach(region) {
        Ok(a) => a.with_party(PartyId::new(party).expect("non-zero")),
        Err(e) => return err_json(e),
    };
    let ok = |r: Result<String, Error>| match r {
        Ok(v) => format!("{{\"ok\": {v}}}"),
        Err(e) => err_json(e),
    };
    let null = |r: Result<(), Error>| ok(r.map(|()| "null".into()));
    match op {
        Op::Attach => ok(Ok(format!("{{\"chunks\": {}}}", a.geometry().chunks()))),
        Op::Alloc(n) => ok(a.alloc(n as usize).map(|b| ref_json(b.leak()))),
        Op::Validate(r) => null(a.validate(r)),
        Op::Send(r) => null(a.send(r)),
        Op::Open(r) => ok(a.open(r).map(|b| {
            let shared = b.is_shared();
            b.leak();
            format!("{{\"shared\": {shared}}}")
        })),
        Op::Free(r) => null(a.free(r)),
        Op::Share(r, n) => null(a.share(r, n)),
        Op::Release(r) => null(a.release(r)),
        Op::Reclaim(p) => match PartyId::new(p) {
            Some(p) => ok(a.reclaim_party(p).map(|n| n.to_string())),
            None => "{\"error\": \"InvalidParty\"}".into(),
        },
    }
}

/// The non-zero metadata words (`0 .. data_offset`) as `[[offset, width, value], …]`.
fn words_json(buf: &RegionBuf, geo: &Geometry) -> String {
    let r = buf.region();
    let mut items = Vec::new();
    let mut o = 0;
    let (desc0, dlen, wo) = (128, geo.descriptor_len(), geo.desc_words_offset());
    while o < geo.data_offset() {
        let in_words =
            o >= desc0 && (o - desc0) % dlen >= wo && o - desc0 < geo.chunks() as usize * dlen;
        if in_words {
            let v = r.u64_at(o).expect("in bounds").load(Ordering::Relaxed);
            if v != 0 {
                items.push(format!("[{o}, 8, \"{v}\"]"));
            }
            o += 8;
        } else {
            let v = r.u32_at(o).expect("in bounds").load(Ordering::Relaxed);
            if v != 0 {
                items.push(format!("[{o}, 4, {v}]"));
            }
            o += 4;
        }
    }
    format!("[{}]", items.join(", "))
}

/// A vector: its name, the region length (`None`: the arena's), the party, and a setup that
/// runs honest operations on a fresh arena (and may patch words) and returns the operation.
struct Vector {
    name: &'static str,
    len: Option<usize>,
    party: u32,
    setup: &'static str,
    make: fn(&Arena<'_>, &RegionBuf) -> Op,
}

fn as_party<'a>(a: &Arena<'a>, p: u32) -> Arena<'a> {
    a.with_party(PartyId::new(p).expect("non-zero"))
}

fn alloc(a: &Arena<'_>, p: u32, n: usize) -> BlockRef {
    as_party(a, p).alloc(n).expect("alloc").leak()
}

fn patch32(buf: &RegionBuf, o: usize, v: u32) {
    buf.region()
        .u32_at(o)
        .expect("in bounds")
        .store(v, Ordering::Relaxed);
}

fn geo() -> Geometry {
    Geometry::new(SHIFT, CHUNKS).expect("valid")
}

fn state_at(i: u32) -> usize {
    128 + i as usize * geo().descriptor_len()
}

fn vectors() -> Vec<Vector> {
    vec![
        Vector {
            name: "attach a fresh arena",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Attach,
        },
        Vector {
            name: "attach: bad magic",
            len: None,
            party: P,
            setup: "patch magic",
            make: |_, b| {
                patch32(b, 0, 0x5241_4E4A);
                Op::Attach
            },
        },
        Vector {
            name: "attach: version 2",
            len: None,
            party: P,
            setup: "patch version",
            make: |_, b| {
                patch32(b, 4, 2);
                Op::Attach
            },
        },
        Vector {
            name: "attach: chunk_shift 7",
            len: None,
            party: P,
            setup: "patch chunk_shift",
            make: |_, b| {
                patch32(b, 8, 7);
                Op::Attach
            },
        },
        Vector {
            name: "attach: descriptor_len disagrees",
            len: None,
            party: P,
            setup: "patch descriptor_len",
            make: |_, b| {
                patch32(b, 16, 64);
                Op::Attach
            },
        },
        Vector {
            name: "attach: reserved header byte",
            len: None,
            party: P,
            setup: "patch byte 40",
            make: |_, b| {
                patch32(b, 40, 1);
                Op::Attach
            },
        },
        Vector {
            name: "attach: region shorter than the geometry",
            len: Some(required_len(SHIFT, CHUNKS).unwrap() - 64),
            party: P,
            setup: "",
            make: |_, _| Op::Attach,
        },
        Vector {
            name: "alloc 1 byte (class 0)",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Alloc(1),
        },
        Vector {
            name: "alloc 100 bytes (class 1)",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Alloc(100),
        },
        Vector {
            name: "alloc 129 bytes (a one-chunk large block)",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Alloc(129),
        },
        Vector {
            name: "alloc 600 bytes (a three-chunk run)",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Alloc(600),
        },
        Vector {
            name: "alloc 1025 bytes: too large",
            len: None,
            party: P,
            setup: "",
            make: |_, _| Op::Alloc(1025),
        },
        Vector {
            name: "alloc into the class chunk with room (second block)",
            len: None,
            party: P,
            setup: "alloc 1",
            make: |a, _| {
                alloc(a, P, 1);
                Op::Alloc(64)
            },
        },
        Vector {
            name: "alloc when the class chunk is full binds a free chunk",
            len: None,
            party: P,
            setup: "alloc 1 four times",
            make: |a, _| {
                for _ in 0..4 {
                    alloc(a, P, 1);
                }
                Op::Alloc(64)
            },
        },
        Vector {
            name: "alloc rebinds an empty chunk of another class (generation moved on)",
            len: None,
            party: P,
            setup: "alloc 100, free it",
            make: |a, _| {
                let r = alloc(a, P, 100);
                as_party(a, P).free(r).unwrap();
                Op::Alloc(10)
            },
        },
        Vector {
            name:
                "alloc a run: the claim of chunk 1 meets chunk 2 and is rolled back; out of memory",
            len: None,
            party: P,
            setup: "alloc 1, 129, 129; free the first 129",
            make: |a, _| {
                alloc(a, P, 1);
                let r = alloc(a, P, 129);
                alloc(a, P, 129);
                as_party(a, P).free(r).unwrap();
                Op::Alloc(512)
            },
        },
        Vector {
            name: "alloc skips a chunk with an unknown tag",
            len: None,
            party: P,
            setup: "patch chunk 0 state to tag 0x7f",
            make: |_, b| {
                patch32(b, state_at(0), 0x7F00_0001);
                Op::Alloc(1)
            },
        },
        Vector {
            name: "validate a live block",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| Op::Validate(alloc(a, P, 100)),
        },
        Vector {
            name: "validate: wrong generation",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| {
                let r = alloc(a, P, 100);
                Op::Validate(BlockRef {
                    generation: r.generation + 1,
                    ..r
                })
            },
        },
        Vector {
            name: "validate: generation out of range",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| {
                let r = alloc(a, P, 100);
                Op::Validate(BlockRef {
                    generation: 1 << 22,
                    ..r
                })
            },
        },
        Vector {
            name: "validate: reserved word",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| {
                let r = alloc(a, P, 100);
                Op::Validate(BlockRef { reserved: 1, ..r })
            },
        },
        Vector {
            name: "validate: misaligned for the class",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| {
                let r = alloc(a, P, 100);
                Op::Validate(BlockRef {
                    offset: r.offset + 64,
                    ..r
                })
            },
        },
        Vector {
            name: "validate: out of range",
            len: None,
            party: P,
            setup: "",
            make: |_, _| {
                Op::Validate(BlockRef {
                    offset: 64,
                    len: 1,
                    generation: 0,
                    reserved: 0,
                })
            },
        },
        Vector {
            name: "validate: a run past the end",
            len: None,
            party: P,
            setup: "",
            make: |_, _| {
                Op::Validate(BlockRef {
                    offset: geo().data_offset() as u32 + 512,
                    len: 600,
                    generation: 0,
                    reserved: 0,
                })
            },
        },
        Vector {
            name: "validate: another class at the offset",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| {
                let r = alloc(a, P, 100);
                Op::Validate(BlockRef { len: 10, ..r })
            },
        },
        Vector {
            name: "validate: a chunk with a corrupt state",
            len: None,
            party: P,
            setup: "alloc 100, patch chunk 0 state",
            make: |a, b| {
                let r = alloc(a, P, 100);
                patch32(b, state_at(0), 0x7F00_0001);
                Op::Validate(r)
            },
        },
        Vector {
            name: "send by the owner",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| Op::Send(alloc(a, P, 100)),
        },
        Vector {
            name: "send by another party",
            len: None,
            party: Q,
            setup: "alloc 100 (party 7)",
            make: |a, _| Op::Send(alloc(a, P, 100)),
        },
        Vector {
            name: "open a sent block (the opener owns it)",
            len: None,
            party: Q,
            setup: "alloc 100, send",
            make: |a, _| {
                let r = alloc(a, P, 100);
                as_party(a, P).send(r).unwrap();
                Op::Open(r)
            },
        },
        Vector {
            name: "open a block that was not sent",
            len: None,
            party: Q,
            setup: "alloc 100",
            make: |a, _| Op::Open(alloc(a, P, 100)),
        },
        Vector {
            name: "open a shared block",
            len: None,
            party: Q,
            setup: "alloc 100, share 2",
            make: |a, _| {
                let r = alloc(a, P, 100);
                as_party(a, P).share(r, 2).unwrap();
                Op::Open(r)
            },
        },
        Vector {
            name: "free a small block",
            len: None,
            party: P,
            setup: "alloc 1, alloc 1",
            make: |a, _| {
                alloc(a, P, 1);
                Op::Free(alloc(a, P, 1))
            },
        },
        Vector {
            name: "free a large run",
            len: None,
            party: P,
            setup: "alloc 600",
            make: |a, _| Op::Free(alloc(a, P, 600)),
        },
        Vector {
            name: "free twice",
            len: None,
            party: P,
            setup: "alloc 1, free",
            make: |a, _| {
                let r = alloc(a, P, 1);
                as_party(a, P).free(r).unwrap();
                Op::Free(r)
            },
        },
        Vector {
            name: "free by another party",
            len: None,
            party: Q,
            setup: "alloc 1",
            make: |a, _| Op::Free(alloc(a, P, 1)),
        },
        Vector {
            name: "free a block in transit",
            len: None,
            party: P,
            setup: "alloc 1, send",
            make: |a, _| {
                let r = alloc(a, P, 1);
                as_party(a, P).send(r).unwrap();
                Op::Free(r)
            },
        },
        Vector {
            name: "share with 3 references",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| Op::Share(alloc(a, P, 100), 3),
        },
        Vector {
            name: "share with 0 references",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| Op::Share(alloc(a, P, 100), 0),
        },
        Vector {
            name: "release one of two references",
            len: None,
            party: Q,
            setup: "alloc 100, share 2",
            make: |a, _| {
                let r = alloc(a, P, 100);
                as_party(a, P).share(r, 2).unwrap();
                Op::Release(r)
            },
        },
        Vector {
            name: "release the last reference frees the block",
            len: None,
            party: Q,
            setup: "alloc 100, share 1",
            make: |a, _| {
                let r = alloc(a, P, 100);
                as_party(a, P).share(r, 1).unwrap();
                Op::Release(r)
            },
        },
        Vector {
            name: "release an exclusive block",
            len: None,
            party: P,
            setup: "alloc 100",
            make: |a, _| Op::Release(alloc(a, P, 100)),
        },
        Vector {
            name: "reclaim a dead party: held, sent and large blocks",
            len: None,
            party: Q,
            setup: "party 7: alloc 1, alloc 100 and send it, alloc 300",
            make: |a, _| {
                alloc(a, P, 1);
                let r = alloc(a, P, 100);
                as_party(a, P).send(r).unwrap();
                alloc(a, P, 300);
                Op::Reclaim(P)
            },
        },
        Vector {
            name: "reclaim a dead party's unfinished large claim",
            len: None,
            party: Q,
            setup: "patch chunk 1 and 2 to CLAIMING 0 / 1, chunk 1's block word to (0, 0, 0, 7)",
            make: |_, b| {
                patch32(b, state_at(1), 0x8200_0000);
                patch32(b, state_at(2), 0x8200_0001);
                b.region()
                    .u64_at(state_at(1) + geo().desc_words_offset())
                    .unwrap()
                    .store(u64::from(P), Ordering::Relaxed);
                Op::Reclaim(P)
            },
        },
        Vector {
            name: "reclaim the anonymous party",
            len: None,
            party: Q,
            setup: "",
            make: |_, _| Op::Reclaim(1),
        },
    ]
}

/// `docs/conformance/arena.json`.
pub(crate) fn arena() -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{{");
    let _ = writeln!(w, "  \"generated_by\": \"Generated by cargo run -p inos-export from the inos-arena code. Do not edit.\",");
    let _ = writeln!(w, "  \"spec\": \"docs/protocol/arena.md\",");
    let _ = writeln!(w, "  \"how\": \"Zero an 8-aligned buffer of the arena's length (required_len(chunk_shift, chunks)), write the initial words (offset, width 4 or 8, value; 8-byte values are decimal strings of the u64), attach to the first len bytes as party and run op; compare the result (ok value, or error name and code of arena.md section 7) and the non-zero metadata words (0 .. data_offset) after it with expected. setup only says how initial was made.\",");
    let _ = writeln!(w, "  \"chunk_shift\": {SHIFT}, \"chunks\": {CHUNKS},");
    let _ = writeln!(w, "  \"vectors\": [");
    let all = vectors();
    let full = required_len(SHIFT, CHUNKS).expect("small");
    let g = geo();
    for (i, v) in all.iter().enumerate() {
        let buf = RegionBuf::new(full).expect("small");
        let a = Arena::init_with(buf.region(), SHIFT, CHUNKS).expect("init");
        let op = (v.make)(&a, &buf);
        let len = v.len.unwrap_or(full);
        let initial = words_json(&buf, &g);
        let result = run(&buf, len, v.party, op);
        let expected = words_json(&buf, &g);
        let _ = writeln!(w, "    {{");
        let _ = writeln!(w, "      \"name\": \"{}\",", v.name);
        let _ = writeln!(w, "      \"len\": {len}, \"party\": {},", v.party);
        let _ = writeln!(w, "      \"setup\": \"{}\",", v.setup);
        let _ = writeln!(w, "      \"initial\": {initial},");
        let _ = writeln!(w, "      \"op\": {},", op_json(op));
        let _ = writeln!(w, "      \"result\": {result},");
        let _ = writeln!(w, "      \"expected\": {expected}");
        let comma = if i + 1 < all.len() { "," } else { "" };
        let _ = writeln!(w, "    }}{comma}");
    }
    let _ = writeln!(w, "  ]");
    let _ = writeln!(w, "}}");
    s
}
