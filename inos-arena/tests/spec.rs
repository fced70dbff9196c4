//! The tables in `docs/protocol/arena.md` match the bytes the crate actually writes: each
//! documented field is read back at its documented offset from an arena in a known state, and the
//! error table is the crate's.
#![allow(missing_docs)]

use core::num::NonZeroU8;

use inos_arena::layout::*;
use inos_arena::{required_len, Arena, Error, ERROR_CODES};
use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_ring::PartyId;

const SPEC: &str = include_str!("../../docs/protocol/arena.md");

fn documented(off: &str, size: &str, field: &str) {
    let row = format!("| {off} | {size} | {field} |");
    assert!(SPEC.contains(&row), "spec lacks the row `{row}`");
}

#[test]
fn spec_tables_match_the_bytes() {
    let buf = RegionBuf::new(required_len(10, 4).unwrap()).unwrap();
    let r = buf.region();
    let a = Arena::init(r, 10)
        .unwrap()
        .with_party(PartyId::new(77).unwrap());
    let g = a.geometry();
    let u32_at = |o: usize| r.u32_at(o).unwrap().load(Ordering::Relaxed);
    let u64_at = |o: usize| r.u64_at(o).unwrap().load(Ordering::Relaxed);

    documented("0", "u32", "magic");
    assert_eq!(u32_at(0), MAGIC);
    assert!(SPEC.contains("`0x52414E49` (`\"INAR\"`)"));
    assert_eq!(MAGIC, 0x5241_4E49);
    documented("4", "u32", "version");
    assert_eq!(u32_at(4), 1);
    documented("8", "u32", "chunk_shift");
    assert_eq!(u32_at(8), 10);
    documented("12", "u32", "chunk_count");
    assert_eq!(u32_at(12), 4);
    documented("16", "u32", "descriptor_len");
    // G = 16: bitmap 1 word → words at 128, descriptor 128 + 128 = 256.
    assert_eq!(u32_at(16), 256);
    assert_eq!(g.descriptor_len(), 256);
    documented("20", "u32", "data_offset");
    assert_eq!(u32_at(20), 128 + 4 * 256);
    documented("24", "40 B", "reserved");
    documented("64", "u32 × 16", "hints");

    // Two blocks of class 1 (128 B) in chunk 0, a large block (chunks 1-2), one shared 64 B block.
    let b0 = a.alloc(100).unwrap();
    let b1 = a.alloc(128).unwrap();
    let large = a.alloc(1500).unwrap();
    let s = a.alloc(64).unwrap();
    assert_eq!(b0.offset(), g.data_offset());
    assert_eq!(b1.offset(), g.data_offset() + 128);
    assert_eq!(large.offset(), g.data_offset() + 1024);
    assert_eq!(s.offset(), g.data_offset() + 3 * 1024);
    let desc = |i: usize| 128 + i * 256;
    documented("0", "u32", "state");
    documented("4", "60 B", "reserved");
    documented("64", "u32 × bitmap_words", "bitmap");
    documented("words_offset", "u64 × G", "block words");
    assert_eq!(u32_at(desc(0)), (0x01 + 1) << 24 | 2); // SMALL(1), count 2
    assert_eq!(u32_at(desc(0) + 64), 0b11);
    assert_eq!(u32_at(desc(1)), 0x80 << 24 | 2); // LARGE_HEAD, 2 chunks
    assert_eq!(u32_at(desc(2)), 0x81 << 24 | 1); // LARGE_TAIL, distance 1
    assert_eq!(u32_at(desc(3)), 0x01 << 24 | 1); // SMALL(0), count 1
    assert!(SPEC.contains("| `0x80` | LARGE_HEAD | k |"));
    assert!(SPEC.contains("| `0x81` | LARGE_TAIL | d |"));
    assert!(SPEC.contains("| `0x82` | CLAIMING | d |"));
    assert_eq!(
        (TAG_SMALL, TAG_LARGE_HEAD, TAG_LARGE_TAIL, TAG_CLAIMING),
        (1, 0x80, 0x81, 0x82)
    );

    // Block words: b1 at granule 2 of chunk 0 (class 1 block 1), exclusive, owner 77.
    let words = g.desc_words_offset();
    assert_eq!(words, 128);
    assert_eq!(u64_at(desc(0) + words + 8 * 2), 1 << 32 | 77);
    let r1 = b1.into_ref().unwrap();
    assert_eq!(u64_at(desc(0) + words + 8 * 2), 1 << 40 | 1 << 32 | 77); // SENT
    let r0 = b0.leak();
    a.free(r0).unwrap();
    assert_eq!(u64_at(desc(0) + words), 1 << 42); // free, generation 1
    assert_eq!(u32_at(desc(0)), (0x01 + 1) << 24 | 1);
    let rs = s.share(NonZeroU8::new(3).unwrap()).unwrap();
    assert_eq!(u64_at(desc(3) + words), 1 << 41 | 3 << 32); // SHARED, 3 refs, no owner
    assert!(SPEC.contains("| 42–63 | generation |"));
    assert_eq!((W_SENT, W_SHARED, W_GEN_SHIFT), (1 << 40, 1 << 41, 42));

    // The reference's wire form.
    documented("0", "u32", "offset");
    documented("4", "u32", "len");
    documented("8", "u32", "generation");
    documented("12", "u32", "reserved");
    let bytes = bytemuck::bytes_of(&r1);
    assert_eq!(bytes[0..4], r1.offset.to_le_bytes());
    assert_eq!(bytes[4..8], 128u32.to_le_bytes());
    assert_eq!(bytes[8..12], 0u32.to_le_bytes());
    assert_eq!(rs.len, 64);
    drop(large);
}

/// The worked example of §2: the standard 64 MiB layout's arena with 64 KiB chunks.
#[test]
fn the_standard_arena_example_holds() {
    let (_, e) = inos_layout::standard::DEFAULT.find("arena").unwrap();
    assert_eq!(e.size, 0x3EB_0000);
    let n = inos_arena::chunks_for(e.size as usize, 16);
    assert!(
        SPEC.contains(&format!("(`0x3EB0000` bytes) holds {n} chunks")),
        "the spec should say {n} chunks"
    );
    let g = Geometry::new(16, n).unwrap();
    assert_eq!(
        (
            g.granules(),
            g.bitmap_words(),
            g.desc_words_offset(),
            g.descriptor_len()
        ),
        (1024, 32, 192, 8384)
    );
    assert!(SPEC.contains(
        "`G` = 1024, `bitmap_words` = 32, `words_offset` = 192,\n`descriptor_len` = 8384"
    ));
}

/// arena.md §7 lists exactly the crate's error table.
#[test]
fn spec_error_table_matches_the_code() {
    let section = &SPEC[SPEC.find("## 7. Errors").expect("spec has §7 Errors")..];
    let section = &section[..section.find("## 8.").unwrap()];
    let rows: Vec<(u32, String)> = section
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells.get(1)?.parse().ok()?;
            Some((code, cells.get(2)?.trim_matches('`').to_string()))
        })
        .collect();
    let expect: Vec<(u32, String)> = ERROR_CODES
        .iter()
        .map(|&(c, n)| (c, n.to_string()))
        .collect();
    assert_eq!(rows, expect);
    assert_eq!(Error::Contended.code(), 16);
}
