//! A region written by a buggy or hostile party: every bad value gives a typed error, never a
//! panic or an access outside the region.

use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ledger::layout::{A_CREDITED, A_DEBITED, A_RESERVED, A_STATUS};
use inos_ledger::{
    required_len, AccountId, HoldId, Ledger, LedgerError as E, ACCOUNT_LEN, HEADER_LEN, VERSION,
};
use proptest::prelude::*;

const A: AccountId = AccountId::from_index(0);
const B: AccountId = AccountId::from_index(1);

fn fresh(accounts: u32, holds: u32) -> RegionBuf {
    let buf = RegionBuf::new(required_len(accounts, holds).unwrap()).unwrap();
    let l = Ledger::init(buf.region(), accounts, holds).unwrap();
    for _ in 0..accounts {
        l.open().unwrap();
    }
    buf
}

fn acct_off(i: usize) -> usize {
    HEADER_LEN + i * ACCOUNT_LEN
}

#[test]
fn attach_rejects_bad_headers() {
    let buf = fresh(2, 2);
    let r = buf.region();
    let short = r.sub(0, 64).unwrap();
    assert!(matches!(
        Ledger::attach(short),
        Err(E::RegionTooSmall { .. })
    ));
    let trunc = r.sub(0, required_len(2, 2).unwrap() - 8).unwrap();
    assert!(matches!(
        Ledger::attach(trunc),
        Err(E::RegionTooSmall { .. })
    ));

    // Format 1 (stored balances) is not format 2 (derived balances): refused, never misread.
    r.u32_at(4).unwrap().store(1, Ordering::Relaxed);
    assert_eq!(Ledger::attach(r).unwrap_err(), E::UnsupportedVersion(1));
    r.u32_at(4).unwrap().store(3, Ordering::Relaxed);
    assert_eq!(Ledger::attach(r).unwrap_err(), E::UnsupportedVersion(3));
    r.u32_at(4).unwrap().store(VERSION, Ordering::Relaxed);

    r.u32_at(8).unwrap().store(u32::MAX, Ordering::Relaxed); // capacity past the region
    assert!(matches!(Ledger::attach(r), Err(E::RegionTooSmall { .. })));
    r.u32_at(8).unwrap().store(2, Ordering::Relaxed);

    // A reserved word (written whole: Miri cannot model mixed-width atomic stores).
    r.write(16, &[0, 0, 0, 0, 1, 0, 0, 0]).unwrap();
    assert_eq!(Ledger::attach(r).unwrap_err(), E::CorruptHeader);
    r.write(16, &[0; 8]).unwrap();

    r.i64_at(64).unwrap().store(-1, Ordering::Relaxed); // minted < 0
    assert_eq!(Ledger::attach(r).unwrap_err(), E::CorruptHeader);
    r.i64_at(64).unwrap().store(0, Ordering::Relaxed);

    r.u32_at(0).unwrap().store(0xdead_beef, Ordering::Relaxed);
    assert_eq!(Ledger::attach(r).unwrap_err(), E::BadMagic(0xdead_beef));
}

#[test]
fn corrupt_account_fields_are_reported_not_used() {
    let buf = fresh(2, 2);
    let r = buf.region();
    let l = Ledger::attach(r).unwrap();
    l.mint(A, 10).unwrap();
    // A negative `credited` written by someone else.
    r.i64_at(acct_off(0) + A_CREDITED)
        .unwrap()
        .store(-5, Ordering::Relaxed);
    let c = E::CorruptAccount { index: 0 };
    assert_eq!(l.transfer(A, B, 1), Err(c));
    assert_eq!(l.transfer(B, A, 1), Err(E::InsufficientFunds));
    assert_eq!(l.mint(A, 1), Err(c));
    assert_eq!(l.account(A), Err(c));
    assert_eq!(l.audit(), Err(c));
    // `debited` above `credited`: a negative balance, which no conforming party can produce.
    r.i64_at(acct_off(0) + A_CREDITED)
        .unwrap()
        .store(10, Ordering::Relaxed);
    r.i64_at(acct_off(0) + A_DEBITED)
        .unwrap()
        .store(11, Ordering::Relaxed);
    assert_eq!(l.account(A), Err(c));
    assert_eq!(l.audit(), Err(c));
    assert_eq!(l.transfer(A, B, 1), Err(E::InsufficientFunds));
    r.i64_at(acct_off(0) + A_DEBITED)
        .unwrap()
        .store(0, Ordering::Relaxed);
    // An unknown state.
    r.u32_at(acct_off(0) + A_STATUS)
        .unwrap()
        .store(0x1_07, Ordering::Relaxed);
    assert_eq!(l.transfer(A, B, 1), Err(c));
    assert_eq!(l.freeze(A), Err(c));
    assert_eq!(l.audit(), Err(c));
    // A free slot holding money.
    r.u32_at(acct_off(0) + A_STATUS)
        .unwrap()
        .store(0, Ordering::Relaxed);
    assert_eq!(l.audit(), Err(c));
    assert_eq!(l.open(), Err(c));
}

#[test]
fn corrupt_holds_are_reported_not_used() {
    let buf = fresh(2, 2);
    let r = buf.region();
    let l = Ledger::attach(r).unwrap();
    l.mint(A, 10).unwrap();
    let h = l.hold(A, 4).unwrap();
    let off = HEADER_LEN + (2 + h.index() as usize) * ACCOUNT_LEN;
    let c = E::CorruptHold { index: h.index() };
    // Payer out of range.
    r.u32_at(off + 16).unwrap().store(7, Ordering::Relaxed);
    assert_eq!(l.void(h), Err(c));
    assert_eq!(l.settle(h, B, 1), Err(c));
    assert_eq!(l.audit(), Err(c));
    r.u32_at(off + 16).unwrap().store(0, Ordering::Relaxed);
    // Amount not positive.
    r.i64_at(off + 8).unwrap().store(0, Ordering::Relaxed);
    assert_eq!(l.void(h), Err(c));
    r.i64_at(off + 8).unwrap().store(4, Ordering::Relaxed);
    // Amount larger than what the payer holds: the resolve is refused and the hold stays.
    r.i64_at(off + 8).unwrap().store(9, Ordering::Relaxed);
    assert_eq!(l.void(h), Err(E::CorruptAccount { index: 0 }));
    assert_eq!(l.pending_hold(h), Ok((A, 9)));
    r.i64_at(off + 8).unwrap().store(4, Ordering::Relaxed);
    // Unknown state value.
    let st = r.u64_at(off).unwrap();
    let good = st.load(Ordering::Relaxed);
    st.store(good | 0xff, Ordering::Relaxed);
    assert_eq!(l.void(h), Err(c));
    // The slot scan meets the corrupt slot first (payer 0 starts at slot 0) and says so.
    assert_eq!(l.hold(A, 1), Err(c));
    st.store(good, Ordering::Relaxed);
    l.void(h).unwrap();
    assert_eq!(l.void(HoldId::from_u64(99)), Err(E::NoSuchHold));
}

/// PROTOCOL.md §1 / ledger.md §5: reserved record bytes are zero. `audit` checks every record's,
/// `open` the record it claims; a non-zero one is corruption of that record.
#[test]
fn non_zero_reserved_record_bytes_are_corruption() {
    let buf = fresh(2, 2);
    let r = buf.region();
    let l = Ledger::attach(r).unwrap();
    l.mint(A, 10).unwrap();
    let h = l.hold(A, 4).unwrap();
    assert!(l.audit().unwrap().is_balanced());
    // Every reserved word of an account record (36..64), one at a time.
    for o in (A_RESERVED..ACCOUNT_LEN).step_by(4) {
        let w = r.u32_at(acct_off(1) + o).unwrap();
        w.store(1 << 24, Ordering::Relaxed);
        assert_eq!(l.audit(), Err(E::CorruptAccount { index: 1 }), "offset {o}");
        w.store(0, Ordering::Relaxed);
    }
    // Every reserved word of a (pending) hold record (20..64).
    let hold_off = HEADER_LEN + (2 + h.index() as usize) * ACCOUNT_LEN;
    for o in (20..64).step_by(4) {
        let w = r.u32_at(hold_off + o).unwrap();
        w.store(1, Ordering::Relaxed);
        assert_eq!(
            l.audit(),
            Err(E::CorruptHold { index: h.index() }),
            "offset {o}"
        );
        w.store(0, Ordering::Relaxed);
    }
    assert!(l.audit().unwrap().is_balanced());
    // A FREE account record with a reserved word set is not claimed by `open`.
    let buf = RegionBuf::new(required_len(1, 0).unwrap()).unwrap();
    let r = buf.region();
    let l = Ledger::init(r, 1, 0).unwrap();
    r.u32_at(acct_off(0) + 60)
        .unwrap()
        .store(2, Ordering::Relaxed);
    assert_eq!(l.open(), Err(E::CorruptAccount { index: 0 }));
    r.u32_at(acct_off(0) + 60)
        .unwrap()
        .store(0, Ordering::Relaxed);
    assert_eq!(l.open(), Ok(A));
}

#[test]
fn init_refuses_small_regions() {
    let buf = RegionBuf::new(100).unwrap();
    assert!(matches!(
        Ledger::init(buf.region(), 1, 0),
        Err(E::RegionTooSmall {
            needed: 192,
            len: 100
        })
    ));
}

fn script(l: &Ledger<'_>, ops: &[(u8, u8, u8, i64)]) {
    for &(op, x, y, amount) in ops {
        let (a, b) = (
            AccountId::from_index(x as u32),
            AccountId::from_index(y as u32),
        );
        let h = HoldId::from_u64(((y as u64) << 32) | x as u64);
        let _ = match op % 12 {
            0 => l.open().map(|_| ()),
            1 => l.freeze(a),
            2 => l.close(a),
            3 => l.mint(a, amount),
            4 => l.burn(a, amount),
            5 => l.transfer(a, b, amount),
            6 => l.accrue(a, amount),
            7 => l.claim(a).map(|_| ()),
            8 => l.hold(a, amount).map(|_| ()),
            9 => l.settle(h, b, amount),
            10 => l.void(h),
            _ => l.audit().map(|_| ()),
        };
        if let Ok(i) = l.account(a) {
            assert!(i.balance >= 0 && i.held >= 0 && i.pending >= 0);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Scribble over a live ledger, then run operations: errors, never panics.
    ///
    /// Skipped under Miri: byte stores over 8-byte words are mixed-width atomics, which Miri's
    /// weak-memory model cannot represent (it aborts); the `ledger_bytes` fuzz target covers this
    /// natively.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn scribbled_ledger_never_panics(
        patches in proptest::collection::vec((0usize..required_len(3, 3).unwrap(), any::<u8>()), 0..16),
        ops in proptest::collection::vec((any::<u8>(), 0u8..4, 0u8..4, -2i64..40), 0..24),
    ) {
        let buf = fresh(3, 3);
        let l = Ledger::attach(buf.region()).unwrap();
        l.mint(A, 100).unwrap();
        l.hold(A, 30).unwrap();
        l.accrue(B, 5).unwrap();
        for (off, v) in patches {
            buf.region().write(off, &[v]).unwrap();
        }
        if let Ok(l) = Ledger::attach(buf.region()) {
            script(&l, &ops);
        }
    }

    /// Raw bytes as a region (skipped under Miri for the same reason as above).
    #[test]
    #[cfg_attr(miri, ignore)]
    fn raw_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let buf = RegionBuf::new(bytes.len()).unwrap();
        let r: Region<'_> = buf.region();
        r.write(0, &bytes).unwrap();
        if bytes.len() >= 4 { r.write(0, b"INLG").unwrap(); }
        if bytes.len() >= 8 { r.write(4, &VERSION.to_le_bytes()).unwrap(); }
        if let Ok(l) = Ledger::attach(r) {
            script(&l, &[(11, 0, 0, 0), (3, 0, 0, 5), (5, 0, 1, 3), (8, 1, 0, 2), (10, 0, 1, 0)]);
        }
    }
}
