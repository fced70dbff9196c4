//! inos-epoch against its peers, paired (`cargo bench -p inos-benches --bench epoch`).
//!
//! The harness ([`inos_benches::Suite`]) runs the contenders of each comparison alternately, round
//! by round, in this one process, and merges the medians and per-round ratios (ours speed / peer
//! speed) into `target/inos-bench.json`, from which `bench-table` renders the README table.
//!
//! - `epoch/signal_no_waiter`: `Epoch::signal` with nobody waiting vs an unconditional futex wake
//!   (atomic-wait's `wake_all`, as its docs show), one call per unit. Target: the signal is at
//!   least 50× cheaper. The futex wake is about 100× slower per call, so it runs `n / 100` calls
//!   per round ([`Contender::with_divisor`](inos_benches::Contender::with_divisor)); times are
//!   compared per call.
//! - `epoch/pingpong_spin`: a round trip between two threads whose waits stay in the spin phase
//!   (spin budget far above one round trip) vs two threads spinning on plain `AtomicU32`s.
//!   Target: ours ≤ 1.3× the pure spin's time.
//! - `epoch/pingpong_parked`: a round trip where both sides park every time (spin budget 0, no
//!   deadline) vs atomic-wait's futex wait / wake (a wake on every send) and std `Mutex` +
//!   `Condvar`. Target: ours ≤ 1.1× each peer's time. The same handshake over a *private* futex
//!   (atomic-wait as the park) is a context row: it separates the handshake from the cost of a
//!   shared (cross-process) futex.
//!
//! Round trips use [`race`] (the ponger thread spawned and waiting on a start flag before the
//! clock starts), as the ring ping-pong does. Every round trip waits for the exact value the
//! other side sent, and every run checks the final counts.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use inos_benches::{contender, race, Spec, Suite};
use inos_epoch::{park::Park, Deadline, DefaultPark, Epoch};
use inos_layout::RegionBuf;

/// The round number `i` as the 32-bit value an epoch or a futex word carries (wrapping).
fn word(i: u64) -> u32 {
    i as u32
}

/// `n` calls of `Epoch::signal` with no waiter.
fn inos_signal(n: u64) -> Duration {
    let buf = RegionBuf::new(64).unwrap();
    let epoch = Epoch::new(buf.region(), 0).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        black_box(epoch.signal());
    }
    let t = t.elapsed();
    assert_eq!(epoch.load(), word(n));
    t
}

/// `n` unconditional futex wakes (atomic-wait's `wake_all`) with no waiter.
fn futex_wake_all(n: u64) -> Duration {
    let w = AtomicU32::new(0);
    let t = Instant::now();
    for _ in 0..n {
        atomic_wait::wake_all(black_box(&w));
    }
    t.elapsed()
}

/// inos epochs: `a` carries pings, `b` pongs; both sides wait with `spins` then park on `park`.
fn epoch_round_trips<P: Park + Sync>(
    n: u64,
    spins: u32,
    park: &P,
    deadline: impl Fn() -> Deadline + Sync,
) -> Duration {
    let buf = RegionBuf::new(64).unwrap();
    let a = Epoch::new(buf.region(), 0).unwrap();
    let b = Epoch::new(buf.region(), 8).unwrap();
    let (a, b, deadline) = (&a, &b, &deadline);
    let ponger = move || {
        for i in 1..=n {
            a.watch_from(word(i - 1))
                .with_spins(spins)
                .wait_changed_with(park, deadline())
                .expect("pinger stalled");
            b.signal_with(park);
        }
    };
    let (t, ()) = race(vec![ponger], || {
        for i in 1..=n {
            a.signal_with(park);
            b.watch_from(word(i - 1))
                .with_spins(spins)
                .wait_changed_with(park, deadline())
                .expect("ponger stalled");
        }
    });
    assert_eq!((a.load(), b.load()), (word(n), word(n)));
    t
}

/// Spin phase only: a spin budget far above one round trip.
fn inos_spin(n: u64) -> Duration {
    epoch_round_trips(n, 1 << 20, &DefaultPark, || {
        Deadline::after(Duration::from_secs(30))
    })
}

/// Peer: two threads spinning on plain `AtomicU32`s.
fn pure_spin(n: u64) -> Duration {
    let (ping, pong) = (AtomicU32::new(0), AtomicU32::new(0));
    let (ping, pong) = (&ping, &pong);
    let ponger = move || {
        for i in 1..=n {
            while ping.load(Ordering::Acquire) != word(i) {
                std::hint::spin_loop();
            }
            pong.store(word(i), Ordering::Release);
        }
    };
    let (t, ()) = race(vec![ponger], || {
        for i in 1..=n {
            ping.store(word(i), Ordering::Release);
            while pong.load(Ordering::Acquire) != word(i) {
                std::hint::spin_loop();
            }
        }
    });
    assert_eq!(pong.load(Ordering::Relaxed), word(n));
    t
}

/// Context: the inos handshake over a *private* futex (atomic-wait as the park).
struct PrivateFutex;

impl Park for PrivateFutex {
    fn park(&self, word: &AtomicU32, expected: u32, _timeout: Option<Duration>) {
        atomic_wait::wait(word, expected);
    }
    fn unpark_all(&self, word: &AtomicU32) {
        atomic_wait::wake_all(word);
    }
}

/// Peer: atomic-wait's futex wait / wake, a wake on every send (peer-baselines.md §3 (a)).
fn atomic_wait_round_trips(n: u64) -> Duration {
    let (ping, pong) = (AtomicU32::new(0), AtomicU32::new(0));
    let (ping, pong) = (&ping, &pong);
    let wait_for = |w: &AtomicU32, i: u32| loop {
        let v = w.load(Ordering::Acquire);
        if v == i {
            break;
        }
        atomic_wait::wait(w, v);
    };
    let ponger = move || {
        for i in 1..=n {
            wait_for(ping, word(i));
            pong.store(word(i), Ordering::Release);
            atomic_wait::wake_one(pong);
        }
    };
    let (t, ()) = race(vec![ponger], || {
        for i in 1..=n {
            ping.store(word(i), Ordering::Release);
            atomic_wait::wake_one(ping);
            wait_for(pong, word(i));
        }
    });
    assert_eq!(pong.load(Ordering::Relaxed), word(n));
    t
}

/// Peer: std `Mutex` + `Condvar` (peer-baselines.md §3 (b)): odd states are pings, even pongs.
fn condvar_round_trips(n: u64) -> Duration {
    let state = Mutex::new(0u64);
    let cv = Condvar::new();
    let (state, cv) = (&state, &cv);
    let ponger = move || {
        for i in 1..=n {
            let mut s = state.lock().unwrap();
            while *s != 2 * i - 1 {
                s = cv.wait(s).unwrap();
            }
            *s = 2 * i;
            cv.notify_all();
        }
    };
    let (t, ()) = race(vec![ponger], || {
        for i in 1..=n {
            let mut s = state.lock().unwrap();
            *s = 2 * i - 1;
            cv.notify_all();
            while *s != 2 * i {
                s = cv.wait(s).unwrap();
            }
        }
    });
    assert_eq!(*state.lock().unwrap(), 2 * n);
    t
}

fn main() {
    let mut s = Suite::from_env();
    s.compare(
        Spec {
            name: "epoch/signal_no_waiter",
            unit: "call",
            bytes_per_unit: None,
            target_ratio: 50.0,
            target: "≥ 50× an unconditional futex wake",
            multiple: 1,
        },
        vec![
            contender("inos", inos_signal),
            contender("atomic_wait_wake_all", futex_wake_all).with_divisor(100),
        ],
    );
    s.compare(
        Spec {
            name: "epoch/pingpong_spin",
            unit: "round trip",
            bytes_per_unit: None,
            target_ratio: 1.0 / 1.3,
            target: "≤ 1.3× pure spin's time",
            multiple: 1,
        },
        vec![
            contender("inos", inos_spin),
            contender("atomic_u32_spin", pure_spin),
        ],
    );
    s.compare(
        Spec {
            name: "epoch/pingpong_parked",
            unit: "round trip",
            bytes_per_unit: None,
            target_ratio: 1.0 / 1.1,
            target: "≤ 1.1× the peer's time",
            multiple: 1,
        },
        vec![
            contender("inos", |n| {
                epoch_round_trips(n, 0, &DefaultPark, Deadline::never)
            }),
            contender("atomic_wait_futex", atomic_wait_round_trips),
            contender("std_mutex_condvar", condvar_round_trips),
            contender("inos_private_futex", |n| {
                epoch_round_trips(n, 0, &PrivateFutex, Deadline::never)
            })
            .with_target(
                f64::NAN,
                "context: the same handshake over a private futex (shared futex's cost)",
            ),
        ],
    );
    s.finish();
}
