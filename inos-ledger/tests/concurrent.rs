//! Truly concurrent tests: several threads released together by a barrier, counting everything.
#![cfg(not(loom))]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as StdOrdering};
use std::sync::{Barrier, Mutex};
use std::thread;

use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, HoldId, Ledger, LedgerError};

fn ledger_buf(accounts: u32, holds: u32) -> RegionBuf {
    let buf = RegionBuf::new(required_len(accounts, holds).unwrap()).unwrap();
    Ledger::init(buf.region(), accounts, holds).unwrap();
    buf
}

/// The seed's "100 concurrent increments of 10 credits ends at 1000" (inos-reference §4.4 ran it
/// on one thread); here 4 threads each mint 25 × 10 into the same account at once, and 4 more
/// move 25 × 10 from their own funded accounts into a second one.
#[test]
fn hundred_concurrent_increments_of_ten_end_at_1000() {
    const THREADS: u32 = 4;
    let buf = ledger_buf(2 + THREADS, 0);
    let ledger = Ledger::attach(buf.region()).unwrap();
    let minted_into = ledger.open().unwrap();
    let transferred_into = ledger.open().unwrap();
    let sources: Vec<AccountId> = (0..THREADS).map(|_| ledger.open().unwrap()).collect();
    for &s in &sources {
        ledger.mint(s, 250).unwrap();
    }
    let start = Barrier::new(2 * THREADS as usize);
    thread::scope(|sc| {
        for &src in &sources {
            let start = &start;
            sc.spawn(move || {
                start.wait();
                for _ in 0..25 {
                    ledger.mint(minted_into, 10).unwrap();
                }
            });
            sc.spawn(move || {
                start.wait();
                for _ in 0..25 {
                    ledger.transfer(src, transferred_into, 10).unwrap();
                }
            });
        }
    });
    assert_eq!(ledger.account(minted_into).unwrap().balance, 1000);
    assert_eq!(ledger.account(transferred_into).unwrap().balance, 1000);
    assert_eq!(ledger.account(transferred_into).unwrap().earned, 1000);
    for &s in &sources {
        assert_eq!(ledger.account(s).unwrap().balance, 0);
    }
    assert!(ledger.audit().unwrap().is_balanced());
}

/// Settle and void race for the same hold many times; exactly one wins every time and the money
/// ends up where the winner sent it.
#[test]
fn settle_and_void_race_resolves_exactly_once() {
    let rounds = if cfg!(miri) { 20 } else { 2000 };
    let buf = ledger_buf(2, 1);
    let ledger = Ledger::attach(buf.region()).unwrap();
    let (payer, payee) = (ledger.open().unwrap(), ledger.open().unwrap());
    ledger.mint(payer, 10 * rounds).unwrap();
    let (mut settled, mut voided) = (0i64, 0i64);
    for _ in 0..rounds {
        let h = ledger.hold(payer, 10).unwrap();
        let start = Barrier::new(2);
        let (s, v) = thread::scope(|sc| {
            let a = sc.spawn(|| {
                start.wait();
                ledger.settle(h, payee, 7)
            });
            let b = sc.spawn(|| {
                start.wait();
                ledger.void(h)
            });
            (a.join().unwrap(), b.join().unwrap())
        });
        match (s, v) {
            (Ok(()), Err(LedgerError::HoldNotPending)) => settled += 1,
            (Err(LedgerError::HoldNotPending), Ok(())) => voided += 1,
            other => panic!("hold resolved {other:?}"),
        }
        assert_eq!(ledger.void(h), Err(LedgerError::HoldNotPending));
    }
    assert_eq!(settled + voided, rounds);
    assert_eq!(ledger.account(payee).unwrap().balance, 7 * settled);
    assert_eq!(
        ledger.account(payer).unwrap().balance,
        10 * rounds - 7 * settled
    );
    assert_eq!(ledger.account(payer).unwrap().held, 0);
    assert!(ledger.audit().unwrap().is_balanced());
}

/// A tiny deterministic PRNG (xorshift64*), so the stress needs no extra dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Operations per worker thread: the 2 threads × 1,000,000, in debug builds too (about
/// 5 s on 2 vCPUs). `INOS_LEDGER_STRESS_OPS` overrides it (the test is skipped under Miri).
fn stress_ops() -> u64 {
    if let Some(n) = std::env::var("INOS_LEDGER_STRESS_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    1_000_000
}

/// Workers mix every operation on a small set of shared accounts (so they collide), settle and
/// void each other's holds, while an observer checks that no money field is ever negative and
/// that concurrent audits never report corruption. At the end: every hold resolved exactly
/// once, the supply totals match what the workers counted, and the audit is balanced.
#[test]
#[cfg_attr(miri, ignore)]
fn stress_random_ops_keep_the_books() {
    const WORKERS: u64 = 2;
    const ACCOUNTS: u32 = 16;
    const HOLDS: u32 = 64;
    let ops = stress_ops();
    let buf = ledger_buf(ACCOUNTS, HOLDS);
    let ledger = Ledger::attach(buf.region()).unwrap();
    let ids: Vec<AccountId> = (0..ACCOUNTS).map(|_| ledger.open().unwrap()).collect();
    for &a in &ids {
        ledger.mint(a, 1_000).unwrap();
    }
    let minted = AtomicU64::new(1_000 * ACCOUNTS as u64);
    let burned = AtomicU64::new(0);
    // Every credit each account received (mint, transfer in, settle in, claim), counted by the
    // workers: at the end it must equal the account's `credited` (earned) word exactly.
    let credits: Vec<AtomicU64> = (0..ACCOUNTS).map(|_| AtomicU64::new(1_000)).collect();
    let credit = |a: AccountId, x: i64| {
        credits[a.index() as usize].fetch_add(x as u64, StdOrdering::Relaxed);
    };
    let pool: Mutex<Vec<HoldId>> = Mutex::new(Vec::new());
    let issued = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let start = Barrier::new(WORKERS as usize + 1);

    let wins: Vec<HashMap<u64, u32>> = thread::scope(|sc| {
        let observer = sc.spawn(|| {
            start.wait();
            let mut reads = 0u64;
            while !done.load(StdOrdering::Acquire) {
                for &a in &ids {
                    // `account` refuses (Corrupt) a negative field: this is the check.
                    let info = ledger.account(a).expect("no field is ever negative");
                    assert!(info.balance >= 0 && info.held >= 0 && info.pending >= 0);
                    reads += 1;
                }
                let r = ledger
                    .audit()
                    .expect("a concurrent audit never sees corruption");
                assert!(r.balance >= 0 && r.held >= 0 && r.pending >= 0);
            }
            reads
        });
        let workers: Vec<_> = (0..WORKERS)
            .map(|w| {
                let (ids, pool, minted, burned, issued) = (&ids, &pool, &minted, &burned, &issued);
                let credit = &credit;
                let start = &start;
                sc.spawn(move || {
                    start.wait();
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (w + 1));
                    let mut wins: HashMap<u64, u32> = HashMap::new();
                    for _ in 0..ops {
                        let a = ids[rng.below(ACCOUNTS as u64) as usize];
                        let b = ids[rng.below(ACCOUNTS as u64) as usize];
                        let x = 1 + rng.below(60) as i64;
                        match rng.below(100) {
                            0..=44 => match ledger.transfer(a, b, x) {
                                Ok(()) => credit(b, x),
                                Err(LedgerError::InsufficientFunds | LedgerError::SameAccount) => {}
                                Err(e) => panic!("transfer: {e}"),
                            },
                            45..=59 => match ledger.hold(a, x) {
                                Ok(h) => {
                                    issued.fetch_add(1, StdOrdering::Relaxed);
                                    pool.lock().unwrap().push(h);
                                }
                                Err(
                                    LedgerError::InsufficientFunds
                                    | LedgerError::HoldCapacityExhausted,
                                ) => {}
                                Err(e) => panic!("hold: {e}"),
                            },
                            60..=79 => {
                                // Pick any pooled hold (possibly one the other worker is also
                                // resolving right now) without removing it.
                                let h = {
                                    let p = pool.lock().unwrap();
                                    if p.is_empty() {
                                        continue;
                                    }
                                    p[rng.below(p.len() as u64) as usize]
                                };
                                let settled = 1 + rng.below(x as u64) as i64;
                                let settle = rng.below(2) == 0;
                                let r = if settle {
                                    ledger.settle(h, b, settled)
                                } else {
                                    ledger.void(h)
                                };
                                match r {
                                    Ok(()) => {
                                        if settle {
                                            credit(b, settled);
                                        }
                                        *wins.entry(h.to_u64()).or_default() += 1;
                                        pool.lock().unwrap().retain(|&p| p != h);
                                    }
                                    Err(
                                        LedgerError::HoldNotPending
                                        | LedgerError::HoldStale
                                        | LedgerError::SettleExceedsHold,
                                    ) => {}
                                    Err(e) => panic!("resolve: {e}"),
                                }
                            }
                            80..=87 => {
                                ledger.accrue(a, x).unwrap();
                                minted.fetch_add(x as u64, StdOrdering::Relaxed);
                            }
                            88..=93 => match ledger.claim(a) {
                                Ok(p) => credit(a, p),
                                Err(LedgerError::NothingToClaim) => {}
                                Err(e) => panic!("claim: {e}"),
                            },
                            94..=96 => {
                                ledger.mint(a, x).unwrap();
                                minted.fetch_add(x as u64, StdOrdering::Relaxed);
                                credit(a, x);
                            }
                            _ => match ledger.burn(a, x) {
                                Ok(()) => {
                                    burned.fetch_add(x as u64, StdOrdering::Relaxed);
                                }
                                Err(LedgerError::InsufficientFunds) => {}
                                Err(e) => panic!("burn: {e}"),
                            },
                        }
                    }
                    wins
                })
            })
            .collect();
        // Join every worker before unwrapping, so a panicking worker still stops the observer
        // (the test then fails instead of hanging).
        let joined: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        done.store(true, StdOrdering::Release);
        assert!(observer.join().unwrap() > 0);
        joined.into_iter().map(|w| w.unwrap()).collect::<Vec<_>>()
    });

    // Resolve what is left, then check every hold resolved exactly once.
    let mut all: HashMap<u64, u32> = HashMap::new();
    for w in wins {
        for (h, n) in w {
            *all.entry(h).or_default() += n;
        }
    }
    for h in pool.into_inner().unwrap() {
        ledger.void(h).unwrap();
        *all.entry(h.to_u64()).or_default() += 1;
    }
    assert!(all.values().all(|&n| n == 1), "a hold resolved twice");
    assert_eq!(all.len() as u64, issued.load(StdOrdering::Relaxed));

    let r = ledger.audit().unwrap();
    assert!(r.is_balanced(), "{r:?}");
    assert_eq!(r.held, 0);
    assert_eq!(r.minted as u64, minted.into_inner());
    assert_eq!(r.burned as u64, burned.into_inner());
    // Format 2: each account's `credited` word holds exactly the credits counted for it, and
    // its balance is what it received minus `debited` (outflow; no escrow is left).
    for &a in &ids {
        let info = ledger.account(a).unwrap();
        assert_eq!(
            info.earned as u64,
            credits[a.index() as usize].load(StdOrdering::Relaxed),
            "credits of account {}",
            a.index()
        );
        assert_eq!(info.credited - info.debited, info.balance);
        assert_eq!(info.spent, info.debited);
    }
}
