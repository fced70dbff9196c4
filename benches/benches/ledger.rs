//! The shared-memory ledger's `transfer` against a `Mutex<Vec<i64>>` and a bare CAS ledger,
//! paired.
//!
//! Run: `cargo bench -p inos-benches --bench ledger`. The harness ([`inos_benches::Suite`]) runs
//! the contenders alternately, round by round, in this one process, with the same number of
//! transfers each, and reports the median ns per transfer and the median / min / max of the
//! per-round ratios (ours speed / peer speed); figures are merged into `target/inos-bench.json`.
//!
//! Workload (as in peer-baselines §5): 1024 accounts starting at 10,000; each transfer takes a
//! pseudo-random `from`, a different pseudo-random `to` and an amount 1..=100 from a fixed
//! xorshift sequence (one sequence per thread, the same for every contender), and is refused if
//! it would overdraw `from`. Every run starts from a fresh ledger built outside the clock.
//!
//! Peers, balances only, written as a user would write them:
//! - `mutex`: `Mutex<Vec<i64>>`; lock, refuse if `balance[from] < amount`, debit, credit.
//! - `cas` (two threads only): `Vec<AtomicI64>`; debit by a `compare_exchange` loop that refuses
//!   an overdraft, then `fetch_add` the credit (not one atomic transaction: money is briefly in
//!   flight, a weaker guarantee than ours).
//!
//! Ours does more per transfer (account state gates, earned/spent totals with overflow checks,
//! undo on failure): that is the price of its semantics, and the comparison charges it to us.
//! Every contender's result is passed through `black_box`.
//!
//! Checks: with one thread, every contender must accept exactly as many transfers as a plain
//! reference simulation of the same sequence; with two threads (interleavings differ), the sum
//! of the balances must be conserved and no balance negative (ours: `audit().is_balanced()`).
//!
//! Threads: one thread runs on the calling thread; two threads use [`race_pinned`] (one spawned
//! worker released by a flag plus the calling thread, pinned to CPU 1 and CPU 0 as in the
//! peer-baselines note: unpinned, a 2-vCPU scheduler can run both on one vCPU for a whole run and
//! measure no contention), each doing half of the transfers on its own sequence.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use inos_benches::{contender, race_pinned, Spec, Suite};
use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, Ledger};

const ACCOUNTS: u32 = 1024;
const HOLDS: u32 = 0;
const START: i64 = 10_000;
const SEQ: usize = 1 << 16;

type Seq = Vec<(u32, u32, i64)>;

/// xorshift64*: a fixed pseudo-random sequence of (from, to, amount).
fn sequence(seed: u64) -> Seq {
    let mut s = seed | 1;
    let mut next = || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    (0..SEQ)
        .map(|_| {
            let a = (next() % u64::from(ACCOUNTS)) as u32;
            let mut b = (next() % u64::from(ACCOUNTS)) as u32;
            if b == a {
                b = (b + 1) % ACCOUNTS;
            }
            (a, b, 1 + (next() % 100) as i64)
        })
        .collect()
}

/// How many of the first `n` transfers of `seq` a correct ledger accepts (plain `Vec`, untimed).
fn reference_accepted(seq: &Seq, n: u64) -> u64 {
    let mut bal = vec![START; ACCOUNTS as usize];
    let mut ok = 0;
    for i in 0..n {
        let (a, b, x) = seq[i as usize & (SEQ - 1)];
        if bal[a as usize] >= x {
            bal[a as usize] -= x;
            bal[b as usize] += x;
            ok += 1;
        }
    }
    ok
}

// ---------- the contenders ----------

fn fresh_inos(buf: &RegionBuf) -> Ledger<'_> {
    let l = Ledger::init(buf.region(), ACCOUNTS, HOLDS).unwrap();
    for _ in 0..ACCOUNTS {
        let a = l.open().unwrap();
        l.mint(a, START).unwrap();
    }
    l
}

#[inline(always)]
fn inos_transfer(l: &Ledger<'_>, (a, b, x): (u32, u32, i64)) -> bool {
    black_box(l.transfer(AccountId::from_index(a), AccountId::from_index(b), x)).is_ok()
}

#[inline(always)]
fn mutex_transfer(m: &Mutex<Vec<i64>>, (a, b, x): (u32, u32, i64)) -> bool {
    let mut bal = m.lock().unwrap();
    let ok = if bal[a as usize] < x {
        false
    } else {
        bal[a as usize] -= x;
        bal[b as usize] += x;
        true
    };
    drop(bal);
    black_box(ok)
}

#[inline(always)]
fn cas_transfer(bal: &[AtomicI64], (a, b, x): (u32, u32, i64)) -> bool {
    let from = &bal[a as usize];
    let mut cur = from.load(Ordering::Acquire);
    let ok = loop {
        if cur < x {
            break false;
        }
        match from.compare_exchange(cur, cur - x, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                bal[b as usize].fetch_add(x, Ordering::AcqRel);
                break true;
            }
            Err(now) => cur = now,
        }
    };
    black_box(ok)
}

// ---------- one thread ----------

fn one_thread<L>(
    seq: &Seq,
    n: u64,
    ledger: &L,
    op: impl Fn(&L, (u32, u32, i64)) -> bool,
) -> Duration {
    let mut ok = 0u64;
    let t0 = Instant::now();
    for i in 0..n {
        ok += u64::from(op(ledger, seq[i as usize & (SEQ - 1)]));
    }
    let t = t0.elapsed();
    assert_eq!(ok, reference_accepted(seq, n), "accepted transfers differ");
    t
}

// ---------- two threads ----------

fn two_threads<L: Sync + ?Sized>(
    seqs: &[Seq; 2],
    n: u64,
    ledger: &L,
    op: impl Fn(&L, (u32, u32, i64)) -> bool + Sync,
) -> Duration {
    let per = n / 2;
    let work = |t: usize| {
        let seq = &seqs[t];
        let mut ok = 0u64;
        for i in 0..per {
            ok += u64::from(op(ledger, seq[i as usize & (SEQ - 1)]));
        }
        black_box(ok);
    };
    let (t, ()) = race_pinned(vec![|| work(1)], || work(0));
    t
}

fn check_sum(balances: impl Iterator<Item = i64>) {
    let mut sum = 0i64;
    for b in balances {
        assert!(b >= 0, "negative balance");
        sum += b;
    }
    assert_eq!(sum, START * i64::from(ACCOUNTS), "money not conserved");
}

fn main() {
    let mut s = Suite::from_env();
    let seq1 = sequence(0x5EED);
    let seqs = [sequence(0x5EED), sequence(0x5EED + 1)];
    let buf = RegionBuf::new(required_len(ACCOUNTS, HOLDS).unwrap()).unwrap();
    let buf = &buf;
    let fresh_mutex = || Mutex::new(vec![START; ACCOUNTS as usize]);
    let fresh_cas = || {
        (0..ACCOUNTS)
            .map(|_| AtomicI64::new(START))
            .collect::<Vec<_>>()
    };

    let (seq1, seqs) = (&seq1, &seqs);
    s.compare(
        Spec {
            name: "ledger/transfer/1thread",
            unit: "transfer",
            bytes_per_unit: None,
            target_ratio: 0.8,
            target: "≥ 0.8× Mutex<Vec<i64>>",
            multiple: 2,
        },
        vec![
            contender("inos", move |n| {
                let l = fresh_inos(buf);
                let t = one_thread(seq1, n, &l, inos_transfer);
                assert!(l.audit().unwrap().is_balanced());
                t
            }),
            contender("mutex", move |n| {
                let m = fresh_mutex();
                let t = one_thread(seq1, n, &m, mutex_transfer);
                check_sum(m.into_inner().unwrap().into_iter());
                t
            }),
        ],
    );
    s.compare(
        Spec {
            name: "ledger/transfer/2threads",
            unit: "transfer",
            bytes_per_unit: None,
            target_ratio: 1.0,
            target: "≥ 1.0× bare CAS ledger (and the mutex)",
            multiple: 2,
        },
        vec![
            contender("inos", move |n| {
                let l = fresh_inos(buf);
                let t = two_threads(seqs, n, &l, inos_transfer);
                assert!(l.audit().unwrap().is_balanced());
                t
            }),
            contender("cas", move |n| {
                let v = fresh_cas();
                let t = two_threads(seqs, n, &v[..], |v: &[AtomicI64], tr| cas_transfer(v, tr));
                check_sum(v.iter().map(|a| a.load(Ordering::Relaxed)));
                t
            }),
            contender("mutex", move |n| {
                let m = fresh_mutex();
                let t = two_threads(seqs, n, &m, mutex_transfer);
                check_sum(m.into_inner().unwrap().into_iter());
                t
            }),
        ],
    );
    s.finish();
}
