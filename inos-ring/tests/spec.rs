//! The tables in `docs/protocol/ring.md` match the constants in `inos_ring::layout`.
#![allow(missing_docs)]

use inos_ring::layout::*;

const SPEC: &str = include_str!("../../docs/protocol/ring.md");

/// `(offset, name)` rows of the region-layout table.
fn rows() -> Vec<(usize, String)> {
    SPEC.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            if cells.len() < 4 {
                return None;
            }
            let off = cells[1].parse::<usize>().ok()?;
            let name = cells[2].trim_matches('`').to_string();
            Some((off, name))
        })
        .collect()
}

#[test]
fn region_layout_table_matches_constants() {
    let rows = rows();
    let expect = [
        ("MAGIC", MAGIC),
        ("VERSION", VERSION),
        ("CAPACITY", CAPACITY),
        ("KIND", KIND),
        ("MODE", MODE),
        ("MESSAGE_SIZE", MESSAGE_SIZE),
        ("CONSUMER_ROLE", CONSUMER_ROLE),
        ("PRODUCER_ROLE", PRODUCER_ROLE),
        ("DROPPED", DROPPED),
        ("ABORTED", ABORTED),
        ("UNBLOCKED", UNBLOCKED),
        ("DATA_EPOCH", DATA_EPOCH),
        ("SPACE_EPOCH", SPACE_EPOCH),
        ("HEAD", HEAD),
        ("RELEASE_TO", RELEASE_TO),
        ("TAIL", TAIL),
    ];
    for (name, off) in expect {
        assert!(
            rows.iter().any(|(o, n)| n == name && *o == off),
            "ring.md has no row `{off} | {name}`"
        );
    }
    assert!(rows.iter().any(|(o, n)| *o == HEADER_LEN && n == "data"));
    assert!(rows.iter().any(|(o, n)| *o == RESERVED0 && n == "reserved"));
    assert!(
        SPEC.contains(&format!("`{MODE_WAKE}` wake"))
            && SPEC.contains(&format!("`{MODE_POLL}` poll"))
    );
}

#[test]
fn constants_in_prose_match() {
    assert!(SPEC.contains(&format!("`{:#X}`", MAGIC_VALUE).replace("0X", "0x")));
    assert!(SPEC.contains("| `0` | EMPTY |"));
    assert_eq!(STATE_EMPTY, 0);
    assert!(SPEC.contains("| `0x40000000 \\| (p >> 3)` | COMMITTED(p) |"));
    assert_eq!(committed_tag(8), 0x4000_0001);
    assert!(SPEC.contains("`TAG_POSITION_MASK = 0x1FFFFFFF`"));
    assert_eq!(TAG_POSITION_MASK, 0x1FFF_FFFF);
    assert_eq!(committed_tag(!7) & TAG_POSITION_MASK, TAG_POSITION_MASK);
    assert!(SPEC.contains("| `2` | PADDING |"));
    assert_eq!(STATE_PADDING, 2);
    assert!(SPEC.contains("`0x80000000 \\| (p >> 3)`"));
    assert_eq!(busy_tag(8), 0x8000_0001);
    assert!(SPEC.contains("capacity / 2 - 8"));
    // SPSC records (§3.1): one header word, the padding flag, 4-byte alignment.
    assert!(SPEC.contains("(`PADDING = 0x80000000`)"));
    assert_eq!(SPSC_PADDING, 0x8000_0000);
    assert!(SPEC.contains("`spsc_size(n) = (n + 4 + 3) & ~3`"));
    assert_eq!(
        (
            spsc_record_size(0),
            spsc_record_size(8),
            spsc_record_size(9)
        ),
        (4, 12, 16)
    );
    assert!(SPEC.contains("**4 on SPSC rings and 8\n  on MPSC rings**"));
    // SPSC runs (§3.1.1): the flag, the header's words, the size.
    assert!(SPEC.contains("(`RUN = 0x40000000`)"));
    assert_eq!((SPSC_RUN, SPSC_RUN_COUNT_MASK), (0x4000_0000, 0x3FFF_FFFF));
    assert!(SPEC.contains("| +0 | u32 | producer | `RUN \\| count` (`RUN = 0x40000000`, `1 <= count <= 0x3FFFFFFF`) |"));
    assert!(SPEC.contains("| +4 | u32 `L` |"));
    assert!(SPEC.contains("| +8 | u32 `TAKEN` |"));
    assert!(SPEC.contains("| +12 | `count × stride` bytes |"));
    assert_eq!((SPSC_RUN_LEN, SPSC_RUN_TAKEN, SPSC_RUN_HEADER), (4, 8, 12));
    assert!(SPEC.contains("`run_size(count, L) = 12 + count · ((L + 3) & ~3)`"));
    assert_eq!(spsc_run_size(3, 5), Some(12 + 3 * 8));
    assert_eq!((SPSC_RECORD_ALIGN, RECORD_ALIGN), (4, 8));
    // Fixed-size rings (§3.3): the stride and the slot rule.
    assert!(SPEC.contains("`stride = (S + 3) & ~3`"));
    assert_eq!(
        (fixed_stride(1), fixed_stride(8), fixed_stride(13)),
        (4, 8, 16)
    );
    assert!(SPEC
        .contains("slot(p) = p                      if stride <= capacity - (p & (capacity - 1))"));
    assert_eq!((fixed_slot(64, 12, 48), fixed_slot(64, 12, 56)), (48, 64));
    assert_eq!(MESSAGE_SIZE_VARIABLE, 0);
    assert_eq!(max_message(64), 24);
    assert_eq!(MAGIC_VALUE, 0x474E_5249);
    assert!(SPEC.contains(&format!(
        "| {VERSION} | `VERSION` | u32 | owner | `{VERSION_VALUE}` |"
    )));
    // The reserved ranges named in the prose are the ones `attach` checks.
    let ranges: Vec<String> = RESERVED.iter().map(|(a, b)| format!("{a}..{b}")).collect();
    let prose = format!(
        "Bytes {}, {} and {} are reserved",
        ranges[0], ranges[1], ranges[2]
    );
    assert!(SPEC.contains(&prose), "ring.md lacks: {prose}");
    // Hot words on their own 128-byte lines, epoch slots 8-aligned.
    assert_eq!(
        (HEAD % 128, TAIL % 128, DATA_EPOCH % 8, SPACE_EPOCH % 8),
        (0, 0, 0, 0)
    );
}
