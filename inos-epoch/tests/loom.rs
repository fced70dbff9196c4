//! loom models of the shipped wait/notify handshake, seqlock and ping-pong code.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-epoch --test loom`
//!
//! Under `cfg(loom)` the region's words are loom atomics, the wait backend is a futex model (loom
//! `Mutex` + `Condvar`, the word re-checked under the mutex) and the Dekker store-load barrier is
//! an explicit `fence(SeqCst)` (see `src/slot.rs`). A lost wake-up shows up as a loom deadlock.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use inos_epoch::{Deadline, Epoch, Flag, PingPong, Seqlock};
use inos_layout::RegionBuf;

/// A zeroed region shared by the model's threads (the loom twin creates every word's atomic
/// when the region is built, so nothing needs touching before spawning).
fn region_buf(len: usize) -> Arc<RegionBuf> {
    Arc::new(RegionBuf::new(len).unwrap())
}

/// A waiter that parks at once (spin budget 0) and a signaller: the waiter always wakes with the
/// new value, whatever the interleaving of registration, re-check, park and signal (defect 16).
#[test]
fn no_lost_wakeup_between_signal_and_registration() {
    loom::model(|| {
        let buf = region_buf(8);
        let b2 = buf.clone();
        let waiter = thread::spawn(move || {
            let e = Epoch::new(b2.region(), 0).unwrap();
            let mut w = e.watch_from(0).with_spins(0);
            w.wait_changed(Deadline::never()).unwrap()
        });
        let e = Epoch::new(buf.region(), 0).unwrap();
        assert_eq!(e.signal(), 1);
        assert_eq!(waiter.join().unwrap(), 1);
        assert_eq!(e.waiters(), 0);
    });
}

/// Data written before a signal is visible to the waiter that observes it (Release/Acquire).
#[test]
fn signal_publishes_prior_writes() {
    loom::model(|| {
        let buf = region_buf(16);
        let b2 = buf.clone();
        let waiter = thread::spawn(move || {
            let r = b2.region();
            let e = Epoch::new(r, 0).unwrap();
            e.watch_from(0)
                .with_spins(1)
                .wait_changed(Deadline::never())
                .unwrap();
            r.u32_at(8)
                .unwrap()
                .load(inos_layout::sync::Ordering::Relaxed)
        });
        let r = buf.region();
        r.u32_at(8)
            .unwrap()
            .store(42, inos_layout::sync::Ordering::Relaxed);
        Epoch::new(r, 0).unwrap().signal();
        assert_eq!(waiter.join().unwrap(), 42);
    });
}

/// One signal wakes every parked waiter (broadcast, defect 15).
#[test]
fn one_signal_wakes_all_waiters() {
    loom::model(|| {
        let buf = region_buf(8);
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let b = buf.clone();
                thread::spawn(move || {
                    let e = Epoch::new(b.region(), 0).unwrap();
                    e.watch_from(0)
                        .with_spins(0)
                        .wait_changed(Deadline::never())
                        .unwrap()
                })
            })
            .collect();
        Epoch::new(buf.region(), 0).unwrap().signal();
        for w in waiters {
            assert_eq!(w.join().unwrap(), 1);
        }
    });
}

/// A flag set by one thread wakes a thread waiting for it.
#[test]
fn flag_set_wakes_waiter() {
    loom::model(|| {
        let buf = region_buf(8);
        let b2 = buf.clone();
        let waiter = thread::spawn(move || {
            Flag::new(b2.region(), 0)
                .unwrap()
                .wait_set(Deadline::never())
                .unwrap();
        });
        assert!(!Flag::new(buf.region(), 0).unwrap().set());
        waiter.join().unwrap();
    });
}

/// A seqlock reader racing two writes of the pair (n, n) never returns a mixed pair.
#[test]
fn seqlock_never_yields_a_torn_pair() {
    loom::model(|| {
        let buf = region_buf(Seqlock::size_for(8));
        let b2 = buf.clone();
        let writer = thread::spawn(move || {
            let lock = Seqlock::new(b2.region(), 0, 8).unwrap();
            for n in 1..=2u32 {
                let mut rec = [0u8; 8];
                rec[..4].copy_from_slice(&n.to_le_bytes());
                rec[4..].copy_from_slice(&n.to_le_bytes());
                lock.write(&rec).unwrap();
            }
        });
        let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
        let mut rec = [0u8; 8];
        if let Ok(snap) = lock.read_with_attempts(&mut rec, 2) {
            let a = u32::from_le_bytes(rec[..4].try_into().unwrap());
            let b = u32::from_le_bytes(rec[4..].try_into().unwrap());
            assert_eq!(a, b, "torn snapshot");
            assert_eq!(a, snap.version(), "snapshot does not match its version");
        }
        writer.join().unwrap();
        let snap = lock.read(&mut rec).unwrap();
        assert_eq!(snap.version(), 2);
        assert_eq!(rec, [2, 0, 0, 0, 2, 0, 0, 0]);
    });
}

/// A ping-pong reader overtaken by the writer (three flips, so the buffer it reads is rewritten)
/// detects it and never returns a torn frame or a frame under the wrong generation (defect 31).
#[test]
fn pingpong_never_yields_a_torn_frame() {
    loom::model(|| {
        let buf = region_buf(PingPong::size_for(8));
        let b2 = buf.clone();
        let writer = thread::spawn(move || {
            let pp = PingPong::new(b2.region(), 0, 8).unwrap();
            for n in 1..=3u32 {
                let mut f = [0u8; 8];
                f[..4].copy_from_slice(&n.to_le_bytes());
                f[4..].copy_from_slice(&n.to_le_bytes());
                assert_eq!(pp.write(&f), Ok(n));
            }
        });
        let pp = PingPong::new(buf.region(), 0, 8).unwrap();
        let mut f = [0u8; 8];
        if let Ok(frame) = pp.read_with_attempts(&mut f, 2) {
            let a = u32::from_le_bytes(f[..4].try_into().unwrap());
            let b = u32::from_le_bytes(f[4..].try_into().unwrap());
            assert_eq!(a, b, "torn frame");
            assert_eq!(a, frame.generation, "frame does not match its generation");
        }
        writer.join().unwrap();
    });
}

/// A reader parked in `PingPong::wait_newer` is woken by the flip and then reads the new frame.
#[test]
fn pingpong_flip_wakes_waiting_reader() {
    loom::model(|| {
        let buf = region_buf(PingPong::size_for(4));
        let b2 = buf.clone();
        let reader = thread::spawn(move || {
            let pp = PingPong::new(b2.region(), 0, 4).unwrap();
            let g = pp.wait_newer(0, Deadline::never()).unwrap();
            let mut f = [0u8; 4];
            let frame = pp.read(&mut f).unwrap();
            assert!(frame.generation >= g);
            assert_eq!(u32::from_le_bytes(f), frame.generation);
        });
        let pp = PingPong::new(buf.region(), 0, 4).unwrap();
        assert_eq!(pp.write(&1u32.to_le_bytes()), Ok(1));
        reader.join().unwrap();
    });
}

/// Two 4-byte words read back from a frame or record.
fn pair(r: &[u8; 8]) -> (u32, u32) {
    (
        u32::from_le_bytes(r[..4].try_into().unwrap()),
        u32::from_le_bytes(r[4..].try_into().unwrap()),
    )
}

/// The frame (n, n).
fn frame(n: u32) -> [u8; 8] {
    let mut f = [0u8; 8];
    f[..4].copy_from_slice(&n.to_le_bytes());
    f[4..].copy_from_slice(&n.to_le_bytes());
    f
}

/// A ping-pong writer publishes generation 1, then begins generation 2 (into the buffer that
/// held generation 0), writes (7, 7) into it and abandons the write. A reader that started on
/// generation 0 must not accept that never-published frame as generation 0; whatever it
/// accepts is a published frame under its own generation.
#[test]
fn pingpong_abandoned_write_is_never_read() {
    loom::model(|| {
        let buf = region_buf(PingPong::size_for(8));
        let b2 = buf.clone();
        let writer = thread::spawn(move || {
            let pp = PingPong::new(b2.region(), 0, 8).unwrap();
            assert_eq!(pp.write(&frame(1)), Ok(1));
            let w = pp.begin_write().unwrap();
            w.bytes().copy_from_slice(&frame(7));
            drop(w); // abandoned: publishes nothing
        });
        let pp = PingPong::new(buf.region(), 0, 8).unwrap();
        let mut f = [0u8; 8];
        if let Ok(got) = pp.read_with_attempts(&mut f, 1) {
            let (a, b) = pair(&f);
            assert_eq!(a, b, "torn frame");
            assert_eq!(a, got.generation, "frame does not match its generation");
        }
        writer.join().unwrap();
        // The published generation 1 is still current and readable.
        let got = pp.read(&mut f).unwrap();
        assert_eq!((got.generation, f), (1, frame(1)));
        assert_eq!(pp.write(&frame(2)), Ok(2));
    });
}

/// A seqlock writer that writes only part of the record and then publishes: a racing reader
/// returns the record before the write or after it, never a mix under the wrong version.
#[test]
fn seqlock_partial_write_is_seen_whole_or_not_at_all() {
    loom::model(|| {
        let buf = region_buf(Seqlock::size_for(8));
        let b2 = buf.clone();
        let writer = thread::spawn(move || {
            let lock = Seqlock::new(b2.region(), 0, 8).unwrap();
            let w = lock.begin_write().unwrap();
            w.bytes().write_u32_le(0, 1).unwrap(); // only the first word
            w.publish();
        });
        let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
        let mut rec = [0u8; 8];
        if let Ok(snap) = lock.read_with_attempts(&mut rec, 2) {
            let expect = if snap.version() == 0 { (0, 0) } else { (1, 0) };
            assert_eq!(pair(&rec), expect, "snapshot does not match its version");
        }
        writer.join().unwrap();
        let snap = lock.read(&mut rec).unwrap();
        assert_eq!((snap.version(), pair(&rec)), (1, (1, 0)));
    });
}

/// A seqlock writer dropped mid-write (as by a panic) aborts the write: a racing reader, and
/// every reader after it, never accepts the half-written record; the next write repairs it.
#[test]
fn seqlock_writer_dropped_mid_write_publishes_nothing() {
    loom::model(|| {
        let buf = region_buf(Seqlock::size_for(8));
        let b2 = buf.clone();
        let writer = thread::spawn(move || {
            let lock = Seqlock::new(b2.region(), 0, 8).unwrap();
            let w = lock.begin_write().unwrap();
            w.bytes().write_u32_le(0, 1).unwrap(); // half of the record (1, 1)
            drop(w); // as if the writer panicked here
        });
        let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
        let mut rec = [0u8; 8];
        if lock.read_with_attempts(&mut rec, 2).is_ok() {
            assert_eq!(pair(&rec), (0, 0), "accepted a half-written record");
        }
        writer.join().unwrap();
        if lock.read(&mut rec).is_ok() {
            assert_eq!(pair(&rec), (0, 0), "accepted a half-written record");
        }
        lock.write(&frame(2)).unwrap();
        lock.read(&mut rec).unwrap();
        assert_eq!(pair(&rec), (2, 2));
    });
}

/// A writer dies mid-write (never drops its guard); a recovering party ends the stuck write with
/// `abandon_stuck_write` and writes a fresh record while a reader races both. The reader never
/// accepts the dead writer's half-written record.
#[test]
fn seqlock_abandon_stuck_write_publishes_nothing() {
    loom::model(|| {
        let buf = region_buf(Seqlock::size_for(8));
        {
            let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
            lock.write(&frame(2)).unwrap();
            let w = lock.begin_write().unwrap();
            w.bytes().write_u32_le(0, 3).unwrap(); // half of (3, 3)
            core::mem::forget(w); // the writer dies
        }
        let b2 = buf.clone();
        let recovery = thread::spawn(move || {
            let lock = Seqlock::new(b2.region(), 0, 8).unwrap();
            assert!(lock.abandon_stuck_write());
            lock.write(&frame(4)).unwrap();
        });
        let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
        let mut rec = [0u8; 8];
        if lock.read_with_attempts(&mut rec, 2).is_ok() {
            assert_eq!(pair(&rec), (4, 4), "accepted a half-written record");
        }
        recovery.join().unwrap();
        lock.read(&mut rec).unwrap();
        assert_eq!(pair(&rec), (4, 4));
    });
}
