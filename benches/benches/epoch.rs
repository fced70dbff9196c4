//! inos-epoch against its peers, in one run (`cargo bench -p inos-benches --bench epoch`).
//!
//! Groups (compare medians within a group; the ratio targets are from the inos-epoch issue):
//! - `epoch_signal_no_waiter`: `Epoch::signal` with nobody waiting vs an unconditional futex wake
//!   (atomic-wait's `wake_all`, and inos' own non-private `FutexPark::unpark_all`). Target: the
//!   signal is at least 50x cheaper.
//! - `epoch_pingpong_spin`: a round trip between two threads whose waits are still in their spin
//!   phase, vs two threads spinning on plain `AtomicU32`s. Target ratio <= 1.3.
//! - `epoch_pingpong_parked`: a round trip where both sides park every time (spin budget 0), vs
//!   atomic-wait's futex wait/wake and std `Mutex` + `Condvar`. Target ratio <= 1.1.
//!
//! Round-trip benches time `iters` round trips per sample with a peer thread spawned before the
//! clock starts. A full run (no filter) ends with a paired summary that measures the contenders
//! of each comparison in alternation and prints median ratios, which is more robust to the load
//! drifts of a shared machine than comparing criterion groups run one after the other.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Barrier, Condvar, Mutex};
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion};
use inos_benches::median;
use inos_epoch::{park::Park, Deadline, DefaultPark, Epoch};
use inos_layout::RegionBuf;

fn signal_no_waiter(c: &mut Criterion) {
    let mut g = c.benchmark_group("epoch_signal_no_waiter");
    g.sample_size(30);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(3));

    let buf = RegionBuf::new(64).unwrap();
    let epoch = Epoch::new(buf.region(), 0).unwrap();
    g.bench_function("inos_epoch_signal", |b| {
        b.iter(|| black_box(epoch.signal()))
    });

    let word = AtomicU32::new(0);
    g.bench_function("atomic_wait_wake_all_unconditional", |b| {
        b.iter(|| atomic_wait::wake_all(black_box(&word)))
    });

    #[cfg(target_os = "linux")]
    {
        use inos_epoch::park::{FutexPark, Park};
        let w = buf.region().u32_at(8).unwrap();
        g.bench_function("futex_wake_shared_unconditional", |b| {
            b.iter(|| FutexPark.unpark_all(black_box(w)))
        });
    }
    g.finish();
}

/// Untimed round trips made before the clock starts, so that a sample never includes the peer
/// thread's start-up or its wake-up from the start barrier.
const WARM: u32 = 64;

/// Times `iters` round trips: `ping` on this thread, `pong` on a peer thread; both first make
/// [`WARM`] untimed round trips.
fn round_trips(iters: u64, ping: impl Fn(u32) + Sync, pong: impl Fn(u32) + Sync) -> Duration {
    let n = u32::try_from(iters).expect("iters fits u32") + WARM;
    let start = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            start.wait();
            for i in 1..=n {
                pong(i);
            }
        });
        start.wait();
        for i in 1..=WARM {
            ping(i);
        }
        let t = Instant::now();
        for i in WARM + 1..=n {
            ping(i);
        }
        t.elapsed()
    })
}

const LONG: Duration = Duration::from_secs(30);

fn pingpong_spin(c: &mut Criterion) {
    let mut g = c.benchmark_group("epoch_pingpong_spin");
    g.sample_size(20);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(4));

    g.bench_function("pure_spin_atomic_u32", |b| {
        b.iter_custom(|iters| {
            let (ping, pong) = (AtomicU32::new(0), AtomicU32::new(0));
            round_trips(
                iters,
                |i| {
                    ping.store(i, Ordering::Release);
                    while pong.load(Ordering::Acquire) != i {
                        std::hint::spin_loop();
                    }
                },
                |i| {
                    while ping.load(Ordering::Acquire) != i {
                        std::hint::spin_loop();
                    }
                    pong.store(i, Ordering::Release);
                },
            )
        })
    });
    // A spin budget far above one round trip: both waits stay in the spin phase.
    g.bench_function("inos_epoch_spin_phase", |b| {
        b.iter_custom(|iters| spin_budget_round_trips(iters, 1 << 20))
    });
    g.bench_function("inos_epoch_default_spins", |b| {
        b.iter_custom(|iters| spin_budget_round_trips(iters, inos_epoch::DEFAULT_SPINS))
    });
    g.finish();
}

/// Both directions wait with the given spin budget and deadline (via `DefaultPark`).
fn spin_budget_round_trips(iters: u64, spins: u32) -> Duration {
    epoch_round_trips(iters, spins, &DefaultPark, || Deadline::after(LONG))
}

/// inos epochs: `a` carries pings, `b` pongs; both sides wait with `spins` then park on `park`.
fn epoch_round_trips<P: Park + Sync>(
    iters: u64,
    spins: u32,
    park: &P,
    deadline: impl Fn() -> Deadline + Sync,
) -> Duration {
    let buf = RegionBuf::new(64).unwrap();
    let a = Epoch::new(buf.region(), 0).unwrap();
    let b = Epoch::new(buf.region(), 8).unwrap();
    round_trips(
        iters,
        |i| {
            a.signal_with(park);
            b.watch_from(i - 1)
                .with_spins(spins)
                .wait_changed_with(park, deadline())
                .expect("peer stalled");
        },
        |i| {
            a.watch_from(i - 1)
                .with_spins(spins)
                .wait_changed_with(park, deadline())
                .expect("peer stalled");
            b.signal_with(park);
        },
    )
}

/// Diagnostic only: the inos handshake over a *private* futex (atomic-wait), to separate the
/// cost of the handshake from the cost of a shared (cross-process) futex.
struct PrivateFutex;

impl Park for PrivateFutex {
    fn park(&self, word: &AtomicU32, expected: u32, _timeout: Option<Duration>) {
        atomic_wait::wait(word, expected);
    }
    fn unpark_all(&self, word: &AtomicU32) {
        atomic_wait::wake_all(word);
    }
}

fn pingpong_parked(c: &mut Criterion) {
    let mut g = c.benchmark_group("epoch_pingpong_parked");
    g.sample_size(20);
    g.warm_up_time(Duration::from_millis(500));
    g.measurement_time(Duration::from_secs(5));

    g.bench_function("inos_epoch_parked", |b| {
        b.iter_custom(|iters| epoch_round_trips(iters, 0, &DefaultPark, Deadline::never))
    });
    g.bench_function("inos_epoch_parked_with_deadline", |b| {
        b.iter_custom(|iters| spin_budget_round_trips(iters, 0))
    });
    g.bench_function("inos_epoch_parked_private_futex", |b| {
        b.iter_custom(|iters| epoch_round_trips(iters, 0, &PrivateFutex, Deadline::never))
    });

    g.bench_function("atomic_wait_futex", |b| {
        b.iter_custom(atomic_wait_round_trips)
    });
    g.bench_function("std_mutex_condvar", |b| b.iter_custom(condvar_round_trips));
    g.finish();
}

/// Peer: atomic-wait's futex wait / wake (wake on every send), as in peer-baselines.md §3 (a).
fn atomic_wait_round_trips(iters: u64) -> Duration {
    let (ping, pong) = (AtomicU32::new(0), AtomicU32::new(0));
    let wait_for = |w: &AtomicU32, i: u32| loop {
        let v = w.load(Ordering::Acquire);
        if v == i {
            break;
        }
        atomic_wait::wait(w, v);
    };
    round_trips(
        iters,
        |i| {
            ping.store(i, Ordering::Release);
            atomic_wait::wake_one(&ping);
            wait_for(&pong, i);
        },
        |i| {
            wait_for(&ping, i);
            pong.store(i, Ordering::Release);
            atomic_wait::wake_one(&pong);
        },
    )
}

/// Peer: std `Mutex` + `Condvar`, as in peer-baselines.md §3 (b).
fn condvar_round_trips(iters: u64) -> Duration {
    let state = Mutex::new(0u32);
    let cv = Condvar::new();
    round_trips(
        iters,
        |i| {
            let mut s = state.lock().unwrap();
            *s = 2 * i - 1;
            cv.notify_all();
            while *s != 2 * i {
                s = cv.wait(s).unwrap();
            }
        },
        |i| {
            let mut s = state.lock().unwrap();
            while *s != 2 * i - 1 {
                s = cv.wait(s).unwrap();
            }
            *s = 2 * i;
            cv.notify_all();
        },
    )
}

/// Paired summary: the contenders of each comparison measured in alternation (11 rounds), so
/// that slow drifts in machine load hit all of them alike; prints per-contender medians and the
/// ratios against the targets. Runs after the criterion groups (skipped when a filter is given).
fn paired_summary() {
    fn per_op(d: Duration, n: u64) -> f64 {
        d.as_secs_f64() * 1e9 / n as f64
    }
    const ROUNDS: usize = 11;

    let buf = RegionBuf::new(64).unwrap();
    let epoch = Epoch::new(buf.region(), 0).unwrap();
    let word = AtomicU32::new(0);
    let (mut sig, mut wake) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let n = 200_000u64;
        let t = Instant::now();
        for _ in 0..n {
            black_box(epoch.signal());
        }
        sig.push(per_op(t.elapsed(), n));
        let n = 20_000u64;
        let t = Instant::now();
        for _ in 0..n {
            atomic_wait::wake_all(black_box(&word));
        }
        wake.push(per_op(t.elapsed(), n));
    }
    let (sig, wake) = (median(sig), median(wake));
    println!(
        "paired: signal (no waiter) {sig:.2} ns vs unconditional futex wake {wake:.1} ns: \
         {:.0}x cheaper (target >= 50x)",
        wake / sig
    );

    let (mut ours, mut spin) = (Vec::new(), Vec::new());
    for _ in 0..3 * ROUNDS {
        let n = 2_000;
        ours.push(per_op(spin_budget_round_trips(n, 1 << 20), n));
        let (ping, pong) = (AtomicU32::new(0), AtomicU32::new(0));
        let d = round_trips(
            n,
            |i| {
                ping.store(i, Ordering::Release);
                while pong.load(Ordering::Acquire) != i {
                    std::hint::spin_loop();
                }
            },
            |i| {
                while ping.load(Ordering::Acquire) != i {
                    std::hint::spin_loop();
                }
                pong.store(i, Ordering::Release);
            },
        );
        spin.push(per_op(d, n));
    }
    // On a loaded 2-vCPU machine a spinning pair is often split by the scheduler; the best
    // round (minimum) shows the undisturbed spin phase, the median what the load left of it.
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (ours_min, spin_min) = (min(&ours), min(&spin));
    let (ours, spin) = (median(ours), median(spin));
    println!(
        "paired: spin-phase round trip {ours:.0} ns vs pure spin {spin:.0} ns: ratio {:.2} \
         (best rounds {ours_min:.0} vs {spin_min:.0} ns: ratio {:.2}) (target <= 1.3)",
        ours / spin,
        ours_min / spin_min
    );

    let (mut ours, mut aw, mut cv) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let n = 1_000;
        ours.push(per_op(
            epoch_round_trips(n, 0, &DefaultPark, Deadline::never),
            n,
        ));
        aw.push(per_op(atomic_wait_round_trips(n), n));
        cv.push(per_op(condvar_round_trips(n), n));
    }
    let (ours, aw, cv) = (median(ours), median(aw), median(cv));
    println!(
        "paired: parked round trip {ours:.0} ns vs atomic-wait {aw:.0} ns (ratio {:.2}) and \
         std Mutex+Condvar {cv:.0} ns (ratio {:.2}) (target <= 1.1)",
        ours / aw,
        ours / cv
    );
}

criterion_group!(benches, signal_no_waiter, pingpong_spin, pingpong_parked);

fn main() {
    benches();
    // On a full run (`cargo bench --bench epoch`) or with the filter `paired` (which matches no
    // criterion benchmark), not when criterion is given another filter.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if filters.is_empty() || filters.iter().any(|f| f == "paired") {
        paired_summary();
    }
    Criterion::default().configure_from_args().final_summary();
}
