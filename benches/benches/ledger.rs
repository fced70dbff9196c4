//! The shared-memory ledger versus a `Mutex<Vec<Account>>` ledger doing the same checks.
//!
//! Run: `cargo bench -p inos-benches --bench ledger`. Every comparison lives in one criterion
//! group, so both ledgers run in the same process, back to back:
//!
//! - `ledger_transfer/{1,2}thread/{inos,mutex}`: random pair of 1024 accounts, amount 1..=100,
//!   starting balance 10,000 (as in peer-baselines §5); state gates, overdraft and overflow checks,
//!   earned/spent totals on both sides.
//! - `ledger_hold_settle/{1,2}thread/{inos,mutex}`: one hold of 1..=100 on a random payer, then a
//!   partial settle of half of it to a random payee (the rest is refunded). One element = the pair.
//! - `ledger_audit/{1,2}thread/{inos,mutex}`: a full audit (1024 accounts, 1024 hold slots).
//!
//! With 2 threads, each thread does half of the iterations on its own pseudo-random sequence; the
//! clock runs from a start flag both threads are already spinning on until both are done
//! (spawning is outside it). Throughput is total operations per second. Nothing is pinned: the machine has 2 shared
//! vCPUs, so "2 threads" means both vCPUs, and noise from other tenants shows up as outliers;
//! quote medians. After each benchmark both ledgers are audited, so a bench that broke the books
//! would panic.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use inos_layout::RegionBuf;
use inos_ledger::{required_len, AccountId, HoldId, Ledger, LedgerError};

const ACCOUNTS: u32 = 1024;
const HOLDS: u32 = 1024;
const START: i64 = 10_000;
const SEQ: usize = 1 << 16;

/// xorshift64*: a fixed pseudo-random sequence of (a, b, amount) per thread.
fn sequence(seed: u64) -> Vec<(u32, u32, i64)> {
    let mut s = seed | 1;
    let mut next = || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    (0..SEQ)
        .map(|_| {
            let a = (next() % ACCOUNTS as u64) as u32;
            let mut b = (next() % ACCOUNTS as u64) as u32;
            if b == a {
                b = (b + 1) % ACCOUNTS;
            }
            (a, b, 1 + (next() % 100) as i64)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The peer: the same ledger semantics behind one mutex.

#[derive(Clone, Copy, Default)]
struct Account {
    balance: i64,
    held: i64,
    pending: i64,
    earned: i64,
    spent: i64,
    state: u8, // 1 open, 2 frozen, 3 closed
}

#[derive(Clone, Copy, Default)]
struct Hold {
    generation: u32,
    pending: bool,
    payer: u32,
    amount: i64,
}

struct Books {
    accounts: Vec<Account>,
    holds: Vec<Hold>,
    minted: i64,
    burned: i64,
}

struct MutexLedger(Mutex<Books>);

impl MutexLedger {
    fn new() -> Self {
        let accounts = vec![
            Account {
                balance: START,
                earned: START,
                state: 1,
                ..Account::default()
            };
            ACCOUNTS as usize
        ];
        Self(Mutex::new(Books {
            accounts,
            holds: vec![Hold::default(); HOLDS as usize],
            minted: START * ACCOUNTS as i64,
            burned: 0,
        }))
    }

    fn transfer(&self, from: u32, to: u32, amount: i64) -> Result<(), LedgerError> {
        if amount <= 0 {
            return Err(LedgerError::AmountNotPositive);
        }
        if from == to {
            return Err(LedgerError::SameAccount);
        }
        let mut b = self.0.lock().unwrap();
        let (f, t) = (from as usize, to as usize);
        if f >= b.accounts.len() || t >= b.accounts.len() {
            return Err(LedgerError::NoSuchAccount);
        }
        match b.accounts[f].state {
            1 => {}
            2 => return Err(LedgerError::AccountFrozen),
            _ => return Err(LedgerError::AccountClosed),
        }
        if b.accounts[t].state == 3 {
            return Err(LedgerError::AccountClosed);
        }
        if b.accounts[f].balance < amount {
            return Err(LedgerError::InsufficientFunds);
        }
        let spent = b.accounts[f]
            .spent
            .checked_add(amount)
            .ok_or(LedgerError::SpentOverflow)?;
        let earned = b.accounts[t]
            .earned
            .checked_add(amount)
            .ok_or(LedgerError::EarnedOverflow)?;
        let bal = b.accounts[t]
            .balance
            .checked_add(amount)
            .ok_or(LedgerError::BalanceOverflow)?;
        b.accounts[f].balance -= amount;
        b.accounts[f].spent = spent;
        b.accounts[t].earned = earned;
        b.accounts[t].balance = bal;
        Ok(())
    }

    fn hold(&self, payer: u32, amount: i64) -> Result<(u32, u32), LedgerError> {
        if amount <= 0 {
            return Err(LedgerError::AmountNotPositive);
        }
        let mut b = self.0.lock().unwrap();
        let p = payer as usize;
        if p >= b.accounts.len() {
            return Err(LedgerError::NoSuchAccount);
        }
        if b.accounts[p].state != 1 {
            return Err(LedgerError::AccountFrozen);
        }
        let n = b.holds.len() as u64;
        let start = u64::from(payer.wrapping_mul(0x9E37_79B9)) % n;
        let slot = (0..n)
            .map(|k| ((start + k) % n) as usize)
            .find(|&i| !b.holds[i].pending)
            .ok_or(LedgerError::HoldCapacityExhausted)?;
        if b.accounts[p].balance < amount {
            return Err(LedgerError::InsufficientFunds);
        }
        let held = b.accounts[p]
            .held
            .checked_add(amount)
            .ok_or(LedgerError::HeldOverflow)?;
        b.accounts[p].balance -= amount;
        b.accounts[p].held = held;
        let h = &mut b.holds[slot];
        h.generation = h.generation.wrapping_add(1);
        h.pending = true;
        h.payer = payer;
        h.amount = amount;
        Ok((slot as u32, h.generation))
    }

    fn settle(&self, (slot, gen): (u32, u32), payee: u32, amount: i64) -> Result<(), LedgerError> {
        if amount <= 0 {
            return Err(LedgerError::AmountNotPositive);
        }
        let mut b = self.0.lock().unwrap();
        let h = *b.holds.get(slot as usize).ok_or(LedgerError::NoSuchHold)?;
        if h.generation != gen {
            return Err(LedgerError::HoldStale);
        }
        if !h.pending {
            return Err(LedgerError::HoldNotPending);
        }
        if amount > h.amount {
            return Err(LedgerError::SettleExceedsHold);
        }
        let (p, t) = (h.payer as usize, payee as usize);
        if t >= b.accounts.len() {
            return Err(LedgerError::NoSuchAccount);
        }
        if b.accounts[t].state == 3 {
            return Err(LedgerError::AccountClosed);
        }
        let spent = b.accounts[p]
            .spent
            .checked_add(amount)
            .ok_or(LedgerError::SpentOverflow)?;
        b.accounts[p].held -= h.amount;
        b.accounts[p].spent = spent;
        b.accounts[p].balance += h.amount - amount;
        let earned = b.accounts[t]
            .earned
            .checked_add(amount)
            .ok_or(LedgerError::EarnedOverflow)?;
        b.accounts[t].earned = earned;
        b.accounts[t].balance = b.accounts[t]
            .balance
            .checked_add(amount)
            .ok_or(LedgerError::BalanceOverflow)?;
        b.holds[slot as usize].pending = false;
        Ok(())
    }

    fn audit(&self) -> bool {
        let b = self.0.lock().unwrap();
        let mut sum = 0i128;
        let mut held = 0i128;
        for a in &b.accounts {
            if a.balance < 0 || a.held < 0 || a.pending < 0 || a.earned < 0 || a.spent < 0 {
                return false;
            }
            sum += (a.balance + a.held + a.pending) as i128;
            held += a.held as i128;
        }
        let holds: i128 = b
            .holds
            .iter()
            .filter(|h| h.pending)
            .map(|h| h.amount as i128)
            .sum();
        sum == (b.minted - b.burned) as i128 && held == holds
    }
}

// ---------------------------------------------------------------------------------------------

fn inos_ledger(buf: &RegionBuf) -> Ledger<'_> {
    let l = Ledger::init(buf.region(), ACCOUNTS, HOLDS).unwrap();
    for _ in 0..ACCOUNTS {
        let a = l.open().unwrap();
        l.mint(a, START).unwrap();
    }
    l
}

/// Runs `op(thread_index, i)` `iters` times split over `threads` threads and returns the time
/// from the start signal to the last thread's end.
///
/// Workers announce themselves and then spin on a start flag (a `Barrier` wakes them through the
/// futex one after the other, and on a loaded 2-vCPU machine the first could finish its share
/// before the second ran, which would measure no contention at all). The main thread yields
/// until both are spinning, takes the time, and raises the flag.
fn timed<F>(threads: usize, iters: u64, op: F) -> Duration
where
    F: Fn(usize, u64) + Sync,
{
    if threads == 1 {
        let t0 = Instant::now();
        for i in 0..iters {
            op(0, i);
        }
        return t0.elapsed();
    }
    let ready = AtomicUsize::new(0);
    let go = AtomicBool::new(false);
    thread::scope(|s| {
        let per = iters / threads as u64 + 1;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (ready, go, op) = (&ready, &go, &op);
                s.spawn(move || {
                    ready.fetch_add(1, Ordering::AcqRel);
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    for i in 0..per {
                        op(t, i);
                    }
                })
            })
            .collect();
        while ready.load(Ordering::Acquire) < threads {
            thread::yield_now();
        }
        let t0 = Instant::now();
        go.store(true, Ordering::Release);
        for h in handles {
            h.join().unwrap();
        }
        t0.elapsed()
    })
}

fn config<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(1));
    g
}

fn transfer(c: &mut Criterion) {
    let seqs: Vec<_> = (0..2).map(|t| sequence(0x5EED + t)).collect();
    let buf = RegionBuf::new(required_len(ACCOUNTS, HOLDS).unwrap()).unwrap();
    let inos = inos_ledger(&buf);
    let mutex = MutexLedger::new();
    let mut g = config(c, "ledger_transfer");
    for threads in [1usize, 2] {
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "inos"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |t, i| {
                    let (a, bb, x) = seqs[t][i as usize & (SEQ - 1)];
                    let _ = black_box(inos.transfer(
                        AccountId::from_index(a),
                        AccountId::from_index(bb),
                        x,
                    ));
                })
            })
        });
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "mutex"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |t, i| {
                    let (a, bb, x) = seqs[t][i as usize & (SEQ - 1)];
                    let _ = black_box(mutex.transfer(a, bb, x));
                })
            })
        });
    }
    g.finish();
    assert!(inos.audit().unwrap().is_balanced());
    assert!(mutex.audit());
}

fn hold_settle(c: &mut Criterion) {
    let seqs: Vec<_> = (0..2).map(|t| sequence(0xB0B + t)).collect();
    let buf = RegionBuf::new(required_len(ACCOUNTS, HOLDS).unwrap()).unwrap();
    let inos = inos_ledger(&buf);
    let mutex = MutexLedger::new();
    let mut g = config(c, "ledger_hold_settle");
    for threads in [1usize, 2] {
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "inos"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |t, i| {
                    let (a, bb, x) = seqs[t][i as usize & (SEQ - 1)];
                    if let Ok(h) = inos.hold(AccountId::from_index(a), x) {
                        let h: HoldId = h;
                        inos.settle(h, AccountId::from_index(bb), (x + 1) / 2)
                            .unwrap();
                    }
                })
            })
        });
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "mutex"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |t, i| {
                    let (a, bb, x) = seqs[t][i as usize & (SEQ - 1)];
                    if let Ok(h) = mutex.hold(a, x) {
                        mutex.settle(h, bb, (x + 1) / 2).unwrap();
                    }
                })
            })
        });
    }
    g.finish();
    assert!(inos.audit().unwrap().is_balanced());
    assert!(mutex.audit());
}

fn audit(c: &mut Criterion) {
    let buf = RegionBuf::new(required_len(ACCOUNTS, HOLDS).unwrap()).unwrap();
    let inos = inos_ledger(&buf);
    let mutex = MutexLedger::new();
    let mut g = config(c, "ledger_audit");
    for threads in [1usize, 2] {
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "inos"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |_, _| {
                    assert!(black_box(inos.audit().unwrap()).is_balanced());
                })
            })
        });
        g.bench_function(BenchmarkId::new(format!("{threads}thread"), "mutex"), |b| {
            b.iter_custom(|iters| {
                timed(threads, iters, |_, _| {
                    assert!(black_box(mutex.audit()));
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, transfer, hold_settle, audit);
criterion_main!(benches);
