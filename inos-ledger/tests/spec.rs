//! The tables in `docs/protocol/ledger.md` match the bytes the crate actually writes: each
//! documented field is read back at its documented offset from a ledger in a known state.

use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_ledger::{required_len, Ledger, ACCOUNT_LEN, HEADER_LEN, HOLD_LEN, MAGIC, VERSION};

const SPEC: &str = include_str!("../../docs/protocol/ledger.md");

/// Asserts that the spec has a table row `| off | size | field |`.
fn documented(off: usize, size: &str, field: &str) {
    let row = format!("| {off} | {size} | {field} |");
    assert!(SPEC.contains(&row), "spec lacks the row `{row}`");
}

#[test]
fn spec_tables_match_the_bytes() {
    let (accounts, holds) = (2u32, 2u32);
    let buf = RegionBuf::new(required_len(accounts, holds).unwrap()).unwrap();
    let r = buf.region();
    let l = Ledger::init(r, accounts, holds).unwrap();
    let (a, b) = (l.open().unwrap(), l.open().unwrap());
    l.mint(a, 100).unwrap();
    l.transfer(a, b, 30).unwrap();
    l.accrue(a, 7).unwrap();
    l.burn(b, 5).unwrap();
    let h = l.hold(a, 20).unwrap();
    l.freeze(b).unwrap();
    l.audit().unwrap();

    assert_eq!((HEADER_LEN, ACCOUNT_LEN, HOLD_LEN), (128, 64, 64));
    assert!(SPEC.contains("`128 + 64 × (account_capacity + hold_capacity)`"));

    let u32_at = |o: usize| r.u32_at(o).unwrap().load(Ordering::Relaxed);
    let i64_at = |o: usize| r.i64_at(o).unwrap().load(Ordering::Relaxed);
    let u64_at = |o: usize| r.u64_at(o).unwrap().load(Ordering::Relaxed);

    documented(0, "u32", "magic");
    assert_eq!(u32_at(0), MAGIC);
    assert!(SPEC.contains(&format!("`{MAGIC:#010X}`").replace("0X", "0x")));
    documented(4, "u32", "version");
    assert_eq!(u32_at(4), VERSION);
    documented(8, "u32", "account_capacity");
    assert_eq!(u32_at(8), accounts);
    documented(12, "u32", "hold_capacity");
    assert_eq!(u32_at(12), holds);
    documented(64, "i64", "minted");
    assert_eq!(i64_at(64), 107);
    documented(72, "i64", "burned");
    assert_eq!(i64_at(72), 5);
    documented(80, "u64", "audits");
    assert_eq!(u64_at(80), 1);
    documented(88, "u64", "audits_unbalanced");
    assert_eq!(u64_at(88), 0);

    let acct = |i: usize, f: usize| HEADER_LEN + i * ACCOUNT_LEN + f;
    documented(0, "i64", "balance");
    assert_eq!((i64_at(acct(0, 0)), i64_at(acct(1, 0))), (50, 25));
    documented(8, "i64", "held");
    assert_eq!(i64_at(acct(0, 8)), 20);
    documented(16, "i64", "pending");
    assert_eq!(i64_at(acct(0, 16)), 7);
    documented(24, "i64", "earned");
    assert_eq!((i64_at(acct(0, 24)), i64_at(acct(1, 24))), (100, 30));
    documented(32, "i64", "spent");
    assert_eq!((i64_at(acct(0, 32)), i64_at(acct(1, 32))), (30, 5));
    documented(40, "u32", "status");
    // a: opened (generation 1, OPEN); b: opened then frozen (generation 2, FROZEN).
    assert_eq!(
        (u32_at(acct(0, 40)), u32_at(acct(1, 40))),
        (1 << 8 | 1, 2 << 8 | 2)
    );

    let hold = |f: usize| HEADER_LEN + (accounts as usize + h.index() as usize) * HOLD_LEN + f;
    documented(0, "u64", "state");
    assert_eq!(u64_at(hold(0)), (h.generation() as u64) << 32 | 2);
    documented(8, "i64", "amount");
    assert_eq!(i64_at(hold(8)), 20);
    documented(16, "u32", "payer");
    assert_eq!(u32_at(hold(16)), a.index());
}
