//! Multi-threaded wait/notify tests: every signal is observed, every waiter wakes, nothing hangs.
#![cfg(feature = "std")]

use std::sync::Barrier;
use std::time::Duration;

use inos_epoch::park::{Park, SpinPark, TablePark};
use inos_epoch::{Deadline, Epoch, Flag, TimedOut};
use inos_layout::RegionBuf;

/// A generous bound so that a lost wake-up fails the test instead of hanging CI.
const LONG: Duration = Duration::from_secs(20);

#[test]
fn timed_out_when_nothing_happens() {
    let buf = RegionBuf::new(8).unwrap();
    let e = Epoch::new(buf.region(), 0).unwrap();
    let mut w = e.watch().with_spins(0);
    assert_eq!(w.wait_changed(Duration::from_millis(2)), Err(TimedOut));
    assert_eq!(e.waiters(), 0, "a timed-out waiter deregisters");
}

/// Ping-pong between two threads over two epochs, parked (spin budget 0), with each backend.
fn ping_pong_with<P: Park + Sync>(park: &P, rounds: u32, spins: u32) {
    let buf = RegionBuf::new(16).unwrap();
    let ping = Epoch::new(buf.region(), 0).unwrap();
    let pong = Epoch::new(buf.region(), 8).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut w = ping.watch_from(0).with_spins(spins);
            for i in 1..=rounds {
                assert_eq!(w.wait_changed_with(park, LONG), Ok(i));
                pong.signal_with(park);
            }
        });
        let mut w = pong.watch_from(0).with_spins(spins);
        for i in 1..=rounds {
            ping.signal_with(park);
            assert_eq!(w.wait_changed_with(park, LONG), Ok(i));
        }
    });
    assert_eq!((ping.load(), pong.load()), (rounds, rounds));
}

#[test]
fn ping_pong_parked_default_backend() {
    ping_pong_with(
        &inos_epoch::DefaultPark,
        if cfg!(miri) { 20 } else { 2000 },
        0,
    );
}

#[test]
fn ping_pong_spinning_default_backend() {
    ping_pong_with(
        &inos_epoch::DefaultPark,
        if cfg!(miri) { 20 } else { 2000 },
        1000,
    );
}

#[test]
fn ping_pong_table_backend() {
    ping_pong_with(&TablePark, if cfg!(miri) { 20 } else { 2000 }, 0);
}

#[test]
fn ping_pong_spin_backend() {
    ping_pong_with(&SpinPark, if cfg!(miri) { 10 } else { 500 }, 0);
}

/// One signal wakes every parked waiter (broadcast, INOS defect 15).
#[test]
fn one_signal_wakes_all_waiters() {
    const N: usize = 4;
    let buf = RegionBuf::new(8).unwrap();
    let e = Epoch::new(buf.region(), 0).unwrap();
    let rounds = if cfg!(miri) { 3 } else { 200 };
    for round in 0..rounds {
        let start = Barrier::new(N + 1);
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..N)
                .map(|_| {
                    let start = &start;
                    s.spawn(move || {
                        let mut w = e.watch_from(round).with_spins(0);
                        start.wait();
                        w.wait_changed(LONG)
                    })
                })
                .collect();
            start.wait();
            // Signal only once every waiter is registered, so the wake path is what is tested.
            let end = std::time::Instant::now() + LONG;
            while e.waiters() < N as u32 {
                assert!(std::time::Instant::now() < end, "waiters never registered");
                std::thread::yield_now();
            }
            e.signal();
            for h in hs {
                assert_eq!(h.join().unwrap(), Ok(round + 1));
            }
        });
    }
    assert_eq!(e.waiters(), 0);
}

/// Many signallers, many watchers: every watcher ends at the final count and no signal is lost.
#[test]
fn concurrent_signallers_are_all_counted() {
    let buf = RegionBuf::new(8).unwrap();
    let e = Epoch::new(buf.region(), 0).unwrap();
    let per = if cfg!(miri) { 20 } else { 20_000 };
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..per {
                    e.signal();
                }
            });
        }
        for _ in 0..2 {
            s.spawn(|| {
                let mut w = e.watch_from(0).with_spins(4);
                let mut seen = 0u32;
                while w.last_seen() != 2 * per {
                    let v = w.wait_changed(LONG).unwrap();
                    assert!(inos_epoch::is_newer(v, seen) || v == seen + 1);
                    seen = v;
                }
            });
        }
    });
    assert_eq!(e.load(), 2 * per);
}

#[test]
fn flag_wait_set_and_clear() {
    let buf = RegionBuf::new(8).unwrap();
    let f = Flag::new(buf.region(), 0).unwrap();
    let rounds = if cfg!(miri) { 5 } else { 500 };
    std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..rounds {
                f.wait_set(LONG).unwrap();
                assert!(f.clear());
            }
        });
        for _ in 0..rounds {
            f.wait_clear(LONG).unwrap();
            assert!(!f.set());
        }
    });
    f.wait_clear(LONG).unwrap();
    assert_eq!(f.wait_set(Deadline::after(Duration::ZERO)), Err(TimedOut));
}

#[test]
fn hostile_waiter_count_only_costs_wake_calls() {
    let buf = RegionBuf::new(8).unwrap();
    buf.region().write(4, &u32::MAX.to_le_bytes()).unwrap();
    let e = Epoch::new(buf.region(), 0).unwrap();
    assert_eq!(e.signal(), 1);
    assert_eq!(e.watch_from(0).changed(), Some(1));
}

/// Records the timeout of every park, then parks with `inner`.
struct Recording<'p, P> {
    inner: &'p P,
    timeouts: std::sync::Mutex<Vec<Option<Duration>>>,
}

impl<P: Park> Park for Recording<'_, P> {
    fn park(&self, word: &inos_layout::sync::AtomicU32, expected: u32, timeout: Option<Duration>) {
        self.timeouts.lock().unwrap().push(timeout);
        self.inner.park(word, expected, timeout)
    }
    fn unpark_all(&self, word: &inos_layout::sync::AtomicU32) {
        self.inner.unpark_all(word)
    }
}

/// `Deadline::after_parks(n)` bounds every park it allows (it used to park with no timeout, so
/// with the futex or table backend a wait that nobody signals never returned), and gives up
/// after `n` of them.
#[test]
fn after_parks_bounds_every_park() {
    fn check<P: Park + Sync>(park: &P) {
        let buf = RegionBuf::new(8).unwrap();
        let e = Epoch::new(buf.region(), 0).unwrap();
        let rec = Recording {
            inner: park,
            timeouts: Default::default(),
        };
        // Run in a thread so that an unbounded park fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut w = e.watch().with_spins(0);
                tx.send(w.wait_changed_with(&rec, Deadline::after_parks(3)))
                    .unwrap();
            });
            let r = rx.recv_timeout(LONG);
            if r.is_err() {
                // Unblock the parked thread so the scope can end, then fail.
                e.signal();
                panic!("Deadline::after_parks(3) did not bound the wait");
            }
            assert_eq!(r.unwrap(), Err(TimedOut));
        });
        let timeouts = rec.timeouts.into_inner().unwrap();
        assert_eq!(timeouts.len(), 3);
        for t in timeouts {
            let t = t.expect("a park under after_parks must have a timeout");
            assert!(t <= Deadline::PARK_SLICE);
        }
        assert_eq!(e.waiters(), 0);
    }
    check(&inos_epoch::DefaultPark);
    check(&TablePark);
    check(&SpinPark);
    #[cfg(all(target_os = "linux", not(miri)))]
    check(&inos_epoch::park::FutexPark);
}
