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
    // Format 2: no balance word; balance = credited − debited.
    documented(0, "i64", "credited");
    assert_eq!((i64_at(acct(0, 0)), i64_at(acct(1, 0))), (100, 30));
    documented(8, "i64", "debited");
    // a: transfer out 30 + hold 20; b: burn 5.
    assert_eq!((i64_at(acct(0, 8)), i64_at(acct(1, 8))), (50, 5));
    documented(16, "i64", "held");
    assert_eq!(i64_at(acct(0, 16)), 20);
    documented(24, "i64", "pending");
    assert_eq!(i64_at(acct(0, 24)), 7);
    let (ia, ib) = (l.account(a).unwrap(), l.account(b).unwrap());
    assert_eq!((ia.balance, ib.balance), (50, 25));
    assert_eq!((ia.earned, ia.spent, ib.earned, ib.spent), (100, 30, 30, 5));
    documented(32, "u32", "status");
    // a: opened (generation 1, OPEN); b: opened then frozen (generation 2, FROZEN).
    assert_eq!(
        (u32_at(acct(0, 32)), u32_at(acct(1, 32))),
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

/// ledger.md §2 "Hold slots": the scan start is a wrapping 32-bit product (the test vectors in
/// the spec), and the scan goes upwards from it, wrapping to 0.
#[test]
fn hold_slot_scan_matches_the_spec() {
    use inos_ledger::hold_scan_start;
    assert!(SPEC.contains("payer 3, `hold_capacity` 1000 → start 11"));
    assert_eq!(hold_scan_start(3, 1000), Some(11));
    assert!(SPEC.contains("payer 1, capacity 7 → 2654435769 mod 7 = 6"));
    assert_eq!(hold_scan_start(1, 7), Some(6));
    // What a 32-bit party computes (JS `Math.imul(p, 0x9E3779B9) >>> 0`), for many payers.
    for p in [0u32, 1, 2, 3, 7, 1000, 65_535, 1 << 20, u32::MAX] {
        let imul = (u64::from(p) * 0x9E37_79B9) as u32;
        assert_eq!(hold_scan_start(p, 13), Some(imul % 13));
    }

    // The ledger takes exactly those slots: payer 3 in a 1000-slot table starts at 11, then 12.
    let buf = RegionBuf::new(required_len(4, 1000).unwrap()).unwrap();
    let l = Ledger::init(buf.region(), 4, 1000).unwrap();
    let ids: Vec<_> = (0..4).map(|_| l.open().unwrap()).collect();
    l.mint(ids[3], 10).unwrap();
    assert_eq!(l.hold(ids[3], 1).unwrap().index(), 11);
    assert_eq!(l.hold(ids[3], 1).unwrap().index(), 12);
    // Upwards with wrap-around: payer 1 in a 7-slot table starts at 6, then wraps to 0.
    let buf = RegionBuf::new(required_len(2, 7).unwrap()).unwrap();
    let l = Ledger::init(buf.region(), 2, 7).unwrap();
    let (_, b) = (l.open().unwrap(), l.open().unwrap());
    l.mint(b, 10).unwrap();
    assert_eq!(l.hold(b, 1).unwrap().index(), 6);
    assert_eq!(l.hold(b, 1).unwrap().index(), 0);
    assert_eq!(l.hold(b, 1).unwrap().index(), 1);
}

/// ledger.md §7 lists exactly the crate's error table: every `(code, name)` with its wasm status
/// `-(100 + code)`, and no other row.
#[test]
fn spec_error_table_matches_the_code() {
    use inos_ledger::{LedgerError, ERROR_CODES};
    let section = &SPEC[SPEC.find("## 7. Errors").expect("spec has §7 Errors")..];
    let rows: Vec<&str> = section
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(u8::is_ascii_digit))
        .collect();
    assert_eq!(rows.len(), ERROR_CODES.len(), "spec rows vs ERROR_CODES");
    for ((code, name), row) in ERROR_CODES.iter().zip(&rows) {
        let status = -(100 + *code as i32);
        let want = format!("| {code} | `{name}` | {status} | ");
        assert!(
            row.starts_with(&want),
            "spec row `{row}` should start with `{want}`"
        );
    }
    assert_eq!(LedgerError::SameAccount.code(), 16);
    assert_eq!(LedgerError::CorruptHeader.name(), "CorruptHeader");
}

/// ledger.md §1.1: the audit counters belong to whoever audits, including a foreign auditor
/// attached on its own; they accumulate across parties and count unbalanced reports.
#[test]
fn audit_counters_are_shared_by_every_auditor() {
    assert!(SPEC.contains("**any** party that runs a complete audit"));
    assert!(SPEC.contains("No party ever stores to them except the formatter (zero)"));
    let buf = RegionBuf::new(required_len(2, 1).unwrap()).unwrap();
    let owner = Ledger::init(buf.region(), 2, 1).unwrap();
    let foreign = Ledger::attach(buf.region()).unwrap();
    let a = owner.open().unwrap();
    owner.mint(a, 10).unwrap();
    assert!(owner.audit().unwrap().is_balanced());
    assert!(foreign.audit().unwrap().is_balanced());
    assert_eq!(owner.audit_counts(), (2, 0));
    // A word scribbled by someone else: the foreign auditor's unbalanced report is counted too.
    let r = buf.region();
    r.i64_at(HEADER_LEN).unwrap().store(11, Ordering::Relaxed); // credited: 10 → 11
    assert!(!foreign.audit().unwrap().is_balanced());
    assert_eq!(owner.audit_counts(), (3, 1));
    // Offsets 80 / 88, as the header table says.
    assert_eq!(r.u64_at(80).unwrap().load(Ordering::Relaxed), 3);
    assert_eq!(r.u64_at(88).unwrap().load(Ordering::Relaxed), 1);
}
