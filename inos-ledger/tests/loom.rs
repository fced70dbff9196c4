//! loom models of the ledger's lock-free algorithms, run on the code that ships (the region is
//! backed by loom's atomics under `cfg(loom)`).
//!
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-ledger --test loom`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, HoldId, Ledger, LedgerError};

const A: AccountId = AccountId::from_index(0);
const B: AccountId = AccountId::from_index(1);

/// A ledger with two open accounts, `a_funds` minted into A.
fn setup(holds: u32, a_funds: i64) -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(required_len(2, holds).unwrap()).unwrap());
    let l = Ledger::init(buf.region(), 2, holds).unwrap();
    assert_eq!(l.open().unwrap(), A);
    assert_eq!(l.open().unwrap(), B);
    if a_funds > 0 {
        l.mint(A, a_funds).unwrap();
    }
    buf
}

fn ledger(buf: &RegionBuf) -> Ledger<'_> {
    Ledger::attach(buf.region()).unwrap()
}

/// Every field of both accounts is readable and not negative (`account` refuses negatives).
fn no_negative(l: &Ledger<'_>) {
    for id in [A, B] {
        let i = l.account(id).expect("no money field is ever negative");
        assert!(i.balance >= 0 && i.held >= 0 && i.pending >= 0);
    }
}

/// Format 2 (ledger.md §4): a payee spends a credit it has just received while a third party
/// reads the payee's derived balance. The payee's debit was checked against a `credited` that
/// includes the credit; a reader that loads `debited` and then `credited` therefore never sees
/// `debited > credited` (which `account` would report as corruption), in any interleaving.
#[test]
fn a_reader_never_sees_a_debit_before_the_credit_it_spent() {
    loom::model(|| {
        let buf = setup(0, 10);
        let b2 = buf.clone();
        let t = thread::spawn(move || ledger(&b2).transfer(A, B, 5));
        let b3 = buf.clone();
        let u = thread::spawn(move || ledger(&b3).transfer(B, A, 3));
        let l = ledger(&buf);
        let seen = l
            .account(B)
            .expect("debited never above credited for a reader");
        assert!(seen.balance >= 0 && seen.balance <= 5);
        t.join().unwrap().unwrap();
        let back = u.join().unwrap();
        assert!(back.is_ok() || back == Err(LedgerError::InsufficientFunds));
        let (a, b) = (l.account(A).unwrap(), l.account(B).unwrap());
        assert_eq!(b.balance, if back.is_ok() { 2 } else { 5 });
        assert_eq!(a.balance + b.balance, 10);
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// Two threads mix a transfer, a hold and a settle on the same accounts: each observes no
/// negative field at any point it looks, and at the end the books balance.
#[test]
fn transfers_holds_and_settles_conserve_money() {
    loom::model(|| {
        let buf = setup(1, 10);
        let b2 = buf.clone();
        let t = thread::spawn(move || {
            let l = ledger(&b2);
            let r = l.transfer(A, B, 6);
            no_negative(&l);
            r
        });
        let b3 = buf.clone();
        let u = thread::spawn(move || {
            let l = ledger(&b3);
            match l.hold(A, 7) {
                Ok(h) => {
                    no_negative(&l);
                    l.settle(h, B, 3).unwrap();
                    true
                }
                Err(LedgerError::InsufficientFunds) => false,
                Err(e) => panic!("{e}"),
            }
        });
        let moved = t.join().unwrap();
        let held = u.join().unwrap();
        let l = ledger(&buf);
        // The hold can only be refused because the transfer came first.
        assert!(held || moved.is_ok());
        let (a, b) = (l.account(A).unwrap(), l.account(B).unwrap());
        let expect_b = if moved.is_ok() { 6 } else { 0 } + if held { 3 } else { 0 };
        assert_eq!(b.balance, expect_b);
        assert_eq!(a.balance + b.balance, 10);
        assert_eq!(a.held + b.held, 0);
        let r = l.audit().unwrap();
        assert!(r.is_balanced(), "{r:?}");
    });
}

/// settle and void race for one hold: exactly one wins, and the money lands where it sent it.
#[test]
fn settle_void_race_resolves_exactly_once() {
    loom::model(|| {
        let buf = setup(1, 10);
        let h = ledger(&buf).hold(A, 10).unwrap();
        let b2 = buf.clone();
        let b3 = buf.clone();
        let t = thread::spawn(move || ledger(&b2).void(h));
        let u = thread::spawn(move || ledger(&b3).settle(h, B, 4));
        let v = t.join().unwrap();
        let s = u.join().unwrap();
        let l = ledger(&buf);
        let (a, b) = (l.account(A).unwrap(), l.account(B).unwrap());
        match (s, v) {
            (Ok(()), Err(LedgerError::HoldNotPending)) => {
                assert_eq!((a.balance, b.balance), (6, 4))
            }
            (Err(LedgerError::HoldNotPending), Ok(())) => {
                assert_eq!((a.balance, b.balance), (10, 0))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(a.held, 0);
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// A stale id races the recycling of its slot: it may resolve its own hold (if it gets there
/// first) but never the new one.
#[test]
fn stale_hold_id_never_acts_on_a_recycled_slot() {
    loom::model(|| {
        let buf = setup(1, 10);
        let old = ledger(&buf).hold(A, 5).unwrap();
        let b2 = buf.clone();
        let t = thread::spawn(move || {
            let l = ledger(&b2);
            // Resolve the old hold (unless the other thread did) and reuse the slot.
            let _ = l.void(old);
            l.hold(A, 2)
        });
        let b3 = buf.clone();
        let u = thread::spawn(move || ledger(&b3).settle(old, B, 5));
        let new: Result<HoldId, _> = t.join().unwrap();
        let s = u.join().unwrap();
        let l = ledger(&buf);
        assert!(matches!(
            s,
            Ok(()) | Err(LedgerError::HoldNotPending | LedgerError::HoldStale)
        ));
        if let Ok(new) = new {
            assert_ne!(new, old);
            // The new hold is intact: exactly its amount is held.
            assert_eq!(l.pending_hold(new).unwrap(), (A, 2));
            assert_eq!(l.account(A).unwrap().held, 2);
            l.void(new).unwrap();
        }
        let b = l.account(B).unwrap().balance;
        assert!(b == 0 || (b == 5 && s.is_ok()));
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// Two parties open accounts at once in a table with one free slot: one gets it, the other gets
/// a capacity error, and nobody writes past the table (defect 24).
#[test]
fn concurrent_open_never_overflows_the_table() {
    loom::model(|| {
        let buf = Arc::new(RegionBuf::new(required_len(1, 0).unwrap()).unwrap());
        Ledger::init(buf.region(), 1, 0).unwrap();
        let b2 = buf.clone();
        let b3 = buf.clone();
        let t = thread::spawn(move || ledger(&b2).open());
        let u = thread::spawn(move || ledger(&b3).open());
        let theirs = t.join().unwrap();
        let mine = u.join().unwrap();
        match (mine, theirs) {
            (Ok(a), Err(LedgerError::AccountCapacityExhausted))
            | (Err(LedgerError::AccountCapacityExhausted), Ok(a)) => assert_eq!(a.index(), 0),
            other => panic!("{other:?}"),
        }
    });
}

/// accrue and claim race: the claimed amount plus what is still pending is all that accrued.
#[test]
fn accrue_and_claim_lose_nothing() {
    loom::model(|| {
        let buf = setup(0, 0);
        ledger(&buf).accrue(A, 3).unwrap();
        let b2 = buf.clone();
        let b3 = buf.clone();
        let t = thread::spawn(move || ledger(&b2).accrue(A, 4));
        let u = thread::spawn(move || ledger(&b3).claim(A));
        t.join().unwrap().unwrap();
        let claimed = u.join().unwrap().unwrap();
        let l = ledger(&buf);
        let a = l.account(A).unwrap();
        assert!(claimed == 3 || claimed == 7);
        assert_eq!(a.balance, claimed);
        assert_eq!(a.balance + a.pending, 7);
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// A pure observer (account reads and a full audit) runs against a thread that transfers,
/// holds and settles: it never sees a negative field or a corrupt record, in any interleaving.
#[test]
fn concurrent_observer_never_sees_negative_money() {
    loom::model(|| {
        let buf = setup(1, 10);
        let b2 = buf.clone();
        let observer = thread::spawn(move || {
            let l = ledger(&b2);
            no_negative(&l);
            let r = l
                .audit()
                .expect("a concurrent audit never reports corruption");
            assert!(r.balance >= 0 && r.held >= 0 && r.pending >= 0);
            // No sum bound here: a scan is not a snapshot (spec §4), and loom finds the
            // interleaving where the transfer's 4 is counted in both A and B.
        });
        let l = ledger(&buf);
        l.transfer(A, B, 4).unwrap();
        let h = l.hold(A, 3).unwrap();
        l.settle(h, B, 1).unwrap();
        observer.join().unwrap();
        let (a, b) = (l.account(A).unwrap(), l.account(B).unwrap());
        assert_eq!((a.balance, b.balance, a.held), (5, 5, 0));
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// Both threads pay and resolve on both accounts at once: one hold is raced by a settle and a
/// void, and each side also moves money the other side's operation depends on.
#[test]
fn mixed_payments_and_resolutions_balance() {
    loom::model(|| {
        let buf = setup(2, 10);
        let l = ledger(&buf);
        l.transfer(A, B, 5).unwrap();
        let h = l.hold(A, 4).unwrap();
        let b2 = buf.clone();
        let t = thread::spawn(move || {
            let l = ledger(&b2);
            let moved = l.transfer(B, A, 5);
            (moved, l.void(h))
        });
        let b3 = buf.clone();
        let u = thread::spawn(move || ledger(&b3).settle(h, B, 4));
        let (moved, voided) = t.join().unwrap();
        let settled = u.join().unwrap();
        moved.unwrap();
        assert!(settled.is_ok() != voided.is_ok(), "exactly one resolution");
        let (a, b) = (l.account(A).unwrap(), l.account(B).unwrap());
        assert_eq!(a.held, 0);
        assert_eq!(a.balance + b.balance, 10);
        assert_eq!(b.balance, if settled.is_ok() { 4 } else { 0 });
        assert!(l.audit().unwrap().is_balanced());
    });
}

/// ledger.md §2 "Undo": a hostile party lowers A's `debited` while a transfer that is about to be
/// refused (`EarnedOverflow` at the payee) has added to it. In every interleaving no word becomes
/// negative (an unchecked undo would store -5), A's balance is restored, and the transfer reports
/// either the refusal or, when its undo of `debited` was refused, `CorruptAccount` of A.
#[test]
fn a_refused_undo_step_stores_nothing_and_reports_corruption() {
    use inos_layout::sync::Ordering;
    use inos_ledger::layout::{A_CREDITED, A_DEBITED};
    const HEADER: usize = 128;
    const ACCOUNT: usize = 64;
    loom::model(|| {
        let buf = setup(0, 10);
        // B's lifetime `credited` is at the top: any credit to B is refused with EarnedOverflow.
        let b_credited = buf.region().i64_at(HEADER + ACCOUNT + A_CREDITED).unwrap();
        b_credited.store(i64::MAX - 2, Ordering::Relaxed);
        let a_spent_off = HEADER + A_DEBITED;
        // Touch A's `debited` on this thread before spawning (loom twin rule).
        assert_eq!(
            buf.region()
                .i64_at(a_spent_off)
                .unwrap()
                .load(Ordering::Relaxed),
            0
        );
        let b2 = buf.clone();
        let t = thread::spawn(move || ledger(&b2).transfer(A, B, 5));
        let b3 = buf.clone();
        let hostile = thread::spawn(move || {
            b3.region()
                .i64_at(a_spent_off)
                .unwrap()
                .store(0, Ordering::Relaxed);
        });
        let r = t.join().unwrap();
        hostile.join().unwrap();
        let spent = buf
            .region()
            .i64_at(a_spent_off)
            .unwrap()
            .load(Ordering::Relaxed);
        assert!(spent >= 0, "an undo stored a negative debited: {spent}");
        assert!(
            r == Err(LedgerError::EarnedOverflow)
                || r == Err(LedgerError::CorruptAccount { index: 0 }),
            "{r:?}"
        );
        let l = ledger(&buf);
        assert_eq!(l.account(A).unwrap().balance, 10);
        assert_eq!(l.account(B).unwrap().balance, i64::MAX - 2);
    });
}
