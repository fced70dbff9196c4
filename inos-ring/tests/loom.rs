//! loom models of the shipped ring code: SPSC across the wrap, batches and `drain`, MPSC with two
//! producers, producers reusing space the consumer freed (the `(tail, head)` read), abort, `read`
//! and `skip`, `unblock` racing a late commit (also behind wrap padding), and the blocking
//! handshake of `push_wait` / `pop_wait` as shipped (a lost wake-up is a loom deadlock), and
//! `unblock` releasing a dead reservation's space to a producer parked in `push_wait`, and MPSC
//! records written over stale length and payload words (v3 zeroes state words only), and
//! fixed-size SPSC rings (spec §3.3) through `push_wait` / `pop_wait` and batches that fall back
//! to them.
//!
//! Run: `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p inos-ring --test loom`
//!
//! Under `cfg(loom)` the region's words are loom atomics (the loom twin in inos-layout), so the
//! orderings of every state, length, position and payload access are checked as written. The
//! rings are tiny (64 data bytes) to keep the state space small.
#![cfg(loom)]
#![allow(missing_docs)]

use loom::sync::Arc;
use loom::thread;

use inos_layout::sync::spin_loop;
use inos_layout::RegionBuf;
use inos_ring::{layout, Deadline, Error, Mode, Mpsc, Ring, Spsc};

/// A formatted ring shared by the model's threads.
fn ring_buf<K: inos_ring::Kind>(cap: u32, start: u32) -> Arc<RegionBuf> {
    ring_buf_mode::<K>(cap, start, Mode::Wake)
}

/// A formatted ring of the given [`Mode`].
fn ring_buf_mode<K: inos_ring::Kind>(cap: u32, start: u32, mode: Mode) -> Arc<RegionBuf> {
    let len = layout::required_len(cap);
    let buf = Arc::new(RegionBuf::new(len).unwrap());
    Ring::<K>::init_with(buf.region(), cap, mode, start).unwrap();
    buf
}

/// `loom::model` with room for the consumer's polling loops: a consumer that spins on `Empty`
/// while a preempted producer finishes takes more branches than loom's default allows (the
/// preemption bound still comes from `LOOM_MAX_PREEMPTIONS`).
fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut b = loom::model::Builder::new();
    b.max_branches = 20_000;
    b.check(f);
}

fn pop_blocking<K: inos_ring::Kind>(c: &mut inos_ring::Consumer<'_, K>) -> Vec<u8> {
    let mut out = [0u8; 32];
    loop {
        match c.try_pop(&mut out) {
            Ok(n) => return out[..n].to_vec(),
            Err(Error::Empty) => spin_loop(),
            Err(e) => panic!("{e}"),
        }
    }
}

/// SPSC across the wrap: the second message needs wrap padding, the third needs space the
/// consumer frees (published by the head store). Every message arrives intact.
#[test]
fn spsc_across_the_wrap() {
    spsc_across_the_wrap_in(Mode::Wake);
}

/// The same on a polling ring: commits and releases are Release stores, no waiter checks.
#[test]
fn spsc_across_the_wrap_polling() {
    spsc_across_the_wrap_in(Mode::Poll);
}

fn spsc_across_the_wrap_in(mode: Mode) {
    model(move || {
        // 64-byte ring starting at offset 32 (v3 SPSC records: a 4-byte header word, padded to
        // 4): A at 32..48, B wraps (padding 48..64, record 0..20), C at 20..36 needs A's space
        // back (12 bytes are free before it is).
        let buf = ring_buf_mode::<Spsc>(64, 32, mode);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            for msg in [
                &[1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12][..],
                &[
                    13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                ],
                &[29, 30, 31, 32, 33, 34, 35, 36, 37],
            ] {
                loop {
                    match p.try_push(msg) {
                        Ok(()) => break,
                        Err(Error::Full) => spin_loop(),
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        assert_eq!(pop_blocking(&mut c), (1..=12).collect::<Vec<u8>>());
        assert_eq!(pop_blocking(&mut c), (13..=28).collect::<Vec<u8>>());
        assert_eq!(pop_blocking(&mut c), (29..=37).collect::<Vec<u8>>());
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// Two MPSC producers claim space concurrently (one claim wraps); the consumer gets both
/// messages exactly once, intact.
#[test]
fn mpsc_two_producers() {
    mpsc_two_producers_in(Mode::Wake);
}

/// The same on a polling ring (Release commit CAS and head store).
#[test]
fn mpsc_two_producers_polling() {
    mpsc_two_producers_in(Mode::Poll);
}

fn mpsc_two_producers_in(mode: Mode) {
    model(move || {
        let buf = ring_buf_mode::<Mpsc>(64, 40, mode);
        let handles: Vec<_> = (0..2u8)
            .map(|id| {
                let b = buf.clone();
                thread::spawn(move || {
                    let ring = Ring::<Mpsc>::attach(b.region()).unwrap();
                    let mut p = ring.producer().unwrap();
                    p.try_push(&[id; 5]).unwrap();
                })
            })
            .collect();
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut got = [pop_blocking(&mut c), pop_blocking(&mut c)];
        got.sort();
        assert_eq!(got, [vec![0u8; 5], vec![1u8; 5]]);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
    });
}

/// An aborted reservation becomes padding the consumer skips, whatever the interleaving with
/// another producer's push; `aborted` counts it.
#[test]
fn mpsc_abort_becomes_padding() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 0);
        let b2 = buf.clone();
        let aborter = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            let g = p.reserve(4).unwrap();
            g.bytes().copy_from_slice(&[9; 4]);
            g.abort();
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut p = ring.producer().unwrap();
        p.try_push(&[1, 2]).unwrap();
        let mut c = ring.consumer().unwrap();
        assert_eq!(pop_blocking(&mut c), [1, 2]);
        aborter.join().unwrap();
        assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
        assert_eq!(ring.stats().aborted, 1);
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// `unblock` races a late commit (spec §6, defect 8). If the commit lands first the message is
/// delivered once and nothing is unblocked; if the unblock wins, nothing is delivered,
/// `unblocked` counts it, and the commit reports `Unblocked` unless it had already checked its
/// busy tag (then its committed tag lands in released space). Either way the ring goes on: a
/// whole lap of later messages, whose records cover the unblocked one's space again, arrives
/// intact, once, and no late tag passes for a record.
#[test]
fn unblock_races_late_commit() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 56);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            let g = p.reserve(4).unwrap();
            g.bytes().copy_from_slice(&[5, 6, 7, 8]);
            g.commit()
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 8];
        let mut delivered = Vec::new();
        let unblocked = loop {
            match c.try_pop(&mut out) {
                Ok(n) => {
                    delivered.push(out[..n].to_vec());
                    break false;
                }
                Err(Error::Empty) => {}
                Err(e) => panic!("{e}"),
            }
            if c.unblock().unwrap() {
                break true;
            }
            spin_loop();
        };
        let committed = producer.join().unwrap();
        if unblocked {
            assert!(delivered.is_empty());
            assert!(matches!(committed, Ok(()) | Err(Error::Unblocked)));
            assert_eq!(ring.stats().unblocked, 1);
        } else {
            assert_eq!(committed, Ok(()));
            assert_eq!(delivered, [vec![5u8, 6, 7, 8]]);
            assert_eq!(ring.stats().unblocked, 0);
        }
        assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
        assert_eq!(ring.used_bytes(), Ok(0));
        let mut p = ring.producer().unwrap();
        for i in 0..4u8 {
            assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
            p.try_push(&[i; 4]).unwrap();
            assert_eq!(c.try_pop(&mut out), Ok(4));
            assert_eq!(out[..4], [i; 4]);
        }
        assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
    });
}

/// The blocking calls as shipped: the consumer sleeps in `pop_wait` until the producer's commit
/// wakes it, and the producer sleeps in `push_wait` on a full ring until the consumer's release
/// wakes it. A lost wake-up leaves a thread parked forever, which loom reports as a deadlock.
#[test]
fn blocking_handshake_never_loses_a_wakeup() {
    model(|| {
        let buf = ring_buf::<Spsc>(64, 0);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // 24-byte payloads (32-byte records): the second fills the ring, the third must wait
            // for the consumer to free the first.
            for i in 0..3u8 {
                p.push_wait(&[i; 24], Deadline::never()).unwrap();
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 24];
        for i in 0..3u8 {
            assert_eq!(c.pop_wait(&mut out, Deadline::never()), Ok(24));
            assert_eq!(out, [i; 24]);
        }
        producer.join().unwrap();
    });
}

/// An MPSC producer reuses space the consumer freed: its cached head is too old, so the claim
/// path reads `TAIL` then `HEAD` (spec §2.1) under every interleaving with the consumer's release,
/// and must never see a false corruption; every message arrives once. (Two producers claiming
/// concurrently are `mpsc_two_producers`; three threads here would take loom too long for CI.)
#[test]
fn mpsc_producer_reuses_freed_space() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 0);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // Three 32-byte records in a 64-byte ring: the third needs the first one's space.
            for i in 0..3u8 {
                push_spin(&mut p, &[i; 24]);
            }
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let got: Vec<Vec<u8>> = (0..3).map(|_| pop_blocking(&mut c)).collect();
        producer.join().unwrap();
        assert_eq!(got, [vec![0u8; 24], vec![1; 24], vec![2; 24]]);
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// Since version 3 the MPSC consumer zeroes only the state words of the space it releases, so
/// the length and payload words of a reused record keep the bytes of an older lap. Here every
/// stale payload word that a later record's state will cover is the committed tag of that very
/// record (version 4 tags), and every stale length is 24 or 1: a consumer that took a stale word
/// for a state would deliver garbage. The producer claims space the consumer is
/// releasing concurrently (record E needs B's space); every message arrives intact, once.
#[test]
fn mpsc_stale_payload_never_passes_for_a_state() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 0);
        // A payload starting at data offset 8 whose words at offsets ≡ 4 (mod 8) hold the
        // committed tags of the records that start 4 bytes earlier one lap later.
        let stale = |lap_start: u32| -> Vec<u8> {
            [
                24,
                layout::committed_tag(lap_start + 8),
                1,
                layout::committed_tag(lap_start + 16),
                24,
            ]
            .into_iter()
            .chain([layout::committed_tag(lap_start + 24)])
            .flat_map(u32::to_le_bytes)
            .collect()
        };
        let (stale_a, stale_b) = (stale(64), stale(96));
        {
            let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
            let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
            p.try_push(&stale_a).unwrap(); // A at 0..32
            assert_eq!(pop_blocking(&mut c), stale_a); // zeroes the state words of 0..32 only
            p.try_push(&stale_b).unwrap(); // B at 32..64, still to pop
        }
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // C at 0..16 and D at 16..32 over A's stale words; E at 32..48 over B's, once the
            // consumer has released it.
            for m in [[7u8, 7, 7, 7], [8; 4], [9; 4]] {
                push_spin(&mut p, &m);
            }
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let got: Vec<Vec<u8>> = (0..4).map(|_| pop_blocking(&mut c)).collect();
        producer.join().unwrap();
        assert_eq!(got, [stale_b, vec![7; 4], vec![8; 4], vec![9; 4]]);
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

fn push_spin<K: inos_ring::Kind>(p: &mut inos_ring::Producer<'_, K>, msg: &[u8]) {
    loop {
        match p.try_push(msg) {
            Ok(()) => return,
            Err(Error::Full) => spin_loop(),
            Err(e) => panic!("{e}"),
        }
    }
}

/// An SPSC batch across the wrap is published by one `TAIL` store: `drain` sees none or all of
/// a batch, in order.
#[test]
fn spsc_batch_and_drain() {
    model(|| {
        let buf = ring_buf::<Spsc>(64, 48);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // 12-byte records from offset 48: the second wraps behind 4 bytes of padding.
            assert_eq!(p.push_pods(&[1u64, 2, 3]), Ok(3));
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut got = Vec::new();
        while got.len() < 3 {
            let n = c.drain(|m| got.push(m.read_u64_le(0).unwrap())).unwrap();
            assert!(n == 0 || n == 3, "a batch is seen whole, got {n}");
            spin_loop();
        }
        assert_eq!(got, [1, 2, 3]);
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// Batches both ways across the wrap: two `push_pods` batches (the second needs space the
/// consumer frees) against `pop_pods`, which sees each batch none-or-all and releases with one
/// `HEAD` store; every value arrives once, in order.
#[test]
fn spsc_push_pods_and_pop_pods() {
    model(|| {
        let buf = ring_buf_mode::<Spsc>(64, 56, Mode::Poll);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // 12-byte records from offset 56: the first wraps behind 8 bytes of padding (the
            // batch takes 44 bytes); of the second batch only 4 fits before the first is popped.
            assert_eq!(p.push_pods(&[1u64, 2, 3]), Ok(3));
            let mut sent = 0;
            while sent < 2 {
                sent += p.push_pods(&[4u64, 5][sent..]).unwrap();
                spin_loop();
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut got = Vec::new();
        let mut out = [0u64; 4];
        while got.len() < 5 {
            let n = c.pop_pods(&mut out).unwrap();
            got.extend_from_slice(&out[..n]);
            spin_loop();
        }
        assert_eq!(got, [1, 2, 3, 4, 5]);
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// Runs (spec §3.1.1) against a consumer that takes them one message at a time and detaches
/// in the middle of one: the first batch is one run, the second needs space the consumer frees
/// (a run before the end, then what is left after the wrap); the new consumer resumes at the
/// run's `TAKEN`, every value arrives once, in order, and `HEAD` ends at `TAIL`.
#[test]
fn spsc_runs_taken_one_by_one_across_a_reattach() {
    model(|| {
        let buf = ring_buf::<Spsc>(64, 0);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // A 36-byte run of six u32; then six more, of which a run of four fits before the
            // end (28 bytes) and the last two follow the wrap once the first run is released.
            assert_eq!(p.push_pods(&[1u32, 2, 3, 4, 5, 6]), Ok(6));
            let vals = [7u32, 8, 9, 10, 11, 12];
            let mut sent = 0;
            while sent < vals.len() {
                sent += p.push_pods(&vals[sent..]).unwrap();
                spin_loop();
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut got = Vec::new();
        for batch in [2usize, 10] {
            let mut c = ring.consumer().unwrap(); // the second resumes inside the first run
            let want = got.len() + batch;
            while got.len() < want {
                match c.pop_pod::<u32>() {
                    Ok(v) => got.push(v),
                    Err(Error::Empty) => spin_loop(),
                    Err(e) => panic!("{e}"),
                }
            }
        }
        assert_eq!(got, (1..=12).collect::<Vec<u32>>());
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// `read` (zero-copy) and `skip` against a concurrent MPSC producer: the read view shows the
/// committed bytes, `skip` drops exactly one message and counts it.
#[test]
fn mpsc_read_and_skip() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 48);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            push_spin(&mut p, &[1, 2, 3]);
            push_spin(&mut p, &[4, 5]);
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        loop {
            match c.read() {
                Ok(g) => {
                    assert!(g.bytes().eq_slice(&[1, 2, 3]));
                    g.release();
                    break;
                }
                Err(Error::Empty) => spin_loop(),
                Err(e) => panic!("{e}"),
            }
        }
        while !c.skip().unwrap() {
            spin_loop();
        }
        producer.join().unwrap();
        assert_eq!(ring.stats().dropped, 1);
        assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
    });
}

/// `unblock` finds a stuck reservation behind wrap padding and races its late commit.
#[test]
fn unblock_behind_padding() {
    model(|| {
        // Starting at offset 56, a 4-byte record needs 8 bytes of wrap padding first.
        let buf = ring_buf::<Mpsc>(64, 56);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            let g = p.reserve(12).unwrap();
            g.bytes().copy_from_slice(&[7; 12]);
            g.commit()
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 16];
        let unblocked = loop {
            match c.try_pop(&mut out) {
                Ok(n) => {
                    assert_eq!(&out[..n], &[7; 12]);
                    break false;
                }
                Err(Error::Empty) => {}
                Err(e) => panic!("{e}"),
            }
            if c.unblock().unwrap() {
                break true;
            }
            spin_loop();
        };
        let committed = producer.join().unwrap();
        // An unblock between the commit's check and its store leaves the commit `Ok` (spec §6).
        assert!(committed.is_ok() || unblocked);
        assert_eq!(ring.stats().unblocked, u32::from(unblocked));
        assert_eq!(ring.stats().aborted, 0);
        assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// A producer dies inside a reservation at the head of an MPSC ring; a live producer fills the
/// ring behind it and sleeps in `push_wait`. The consumer's `unblock` must release the dead
/// record's space and wake the producer by itself (the consumer reads nothing until the producer
/// is done; before, `unblock` left the space to the next read and this deadlocked), then
/// `pop_wait` delivers both messages. A lost wake-up is a loom deadlock. (The *timed* unblocking of
/// `pop_wait` is not modelled: loom does not model timeouts; `tests/blocking.rs` covers it.)
#[test]
fn unblock_wakes_push_wait_behind_a_dead_reservation() {
    model(|| {
        let buf = ring_buf::<Mpsc>(64, 0);
        {
            let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
            let mut dead = ring.producer().unwrap();
            std::mem::forget(dead.reserve(8).unwrap()); // 16 bytes at the head, forever
        }
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Mpsc>::attach(b2.region()).unwrap();
            let mut p = ring.producer().unwrap();
            // 32 + 16 bytes fill the ring behind the dead one; the third record (16 bytes, at
            // offset 0 after the wrap) needs exactly the dead record's space.
            p.push_wait(&[0; 24], Deadline::never()).unwrap();
            p.push_wait(&[1; 8], Deadline::never()).unwrap();
            p.push_wait(&[2; 8], Deadline::never()).unwrap();
        });
        let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
        let mut c = ring.consumer().unwrap();
        assert_eq!(c.unblock(), Ok(true));
        // No read before the join: only the unblock's own release can make room.
        producer.join().unwrap();
        let mut out = [0u8; 24];
        assert_eq!(c.pop_wait(&mut out, Deadline::never()), Ok(24));
        assert_eq!(out, [0; 24]);
        for i in 1..3u8 {
            assert_eq!(c.pop_wait(&mut out, Deadline::never()), Ok(8));
            assert_eq!(out[..8], [i; 8]);
        }
        assert_eq!(ring.stats().unblocked, 1);
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}

/// A formatted fixed-size SPSC ring (spec §3.3) of `size`-byte messages.
fn fixed_buf(cap: u32, start: u32, mode: Mode, size: usize) -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(layout::required_len(cap)).unwrap());
    Ring::<Spsc>::init_fixed_with(buf.region(), cap, mode, start, size).unwrap();
    buf
}

/// Fixed-size rings (spec §3.3), the blocking calls as shipped: 24-byte records in a 64-byte
/// ring hold two messages (the third starts the next lap, skipping the last 16 bytes), so the
/// producer sleeps in `push_wait` until the consumer's release of the first wakes it, and the
/// consumer sleeps in `pop_wait` on an empty ring until a commit wakes it. A lost wake-up is a
/// loom deadlock; every value arrives once, in order, intact.
#[test]
fn fixed_blocking_handshake_never_loses_a_wakeup() {
    model(|| {
        let buf = fixed_buf(64, 0, Mode::Wake, 24);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.fixed_producer::<[u32; 6]>().unwrap();
            for i in 0..3u32 {
                p.push_wait([i; 6], Deadline::never()).unwrap();
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.fixed_consumer::<[u32; 6]>().unwrap();
        for i in 0..3u32 {
            assert_eq!(c.pop_wait(Deadline::never()), Ok([i; 6]));
        }
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
        assert_eq!(c.try_pop(), Err(Error::Empty));
    });
}

/// Fixed-size batches on a wake ring: `push_with` / `pop_with`, each falling back to one
/// `push_wait` / `pop_wait` when the ring is full / empty (so both sleep paths run behind the
/// batch calls' single position stores). 12-byte records from offset 40: the first batch of
/// three crosses the end of the data area (40, 52, then 0), the second fits only once the
/// consumer released space. Every value arrives once, in order, intact.
#[test]
fn fixed_batches_with_blocking_fallbacks() {
    model(|| {
        let buf = fixed_buf(64, 40, Mode::Wake, 12);
        let b2 = buf.clone();
        let producer = thread::spawn(move || {
            let ring = Ring::<Spsc>::attach(b2.region()).unwrap();
            let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
            let v = |i: usize| [i as u32, !(i as u32), 7];
            let mut sent = 0;
            while sent < 7 {
                let n = p.push_with((7 - sent).min(3), |i| v(sent + i)).unwrap();
                sent += n;
                if n == 0 {
                    p.push_wait(v(sent), Deadline::never()).unwrap();
                    sent += 1;
                }
            }
        });
        let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
        let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
        let mut got = 0usize;
        while got < 7 {
            let n = c
                .pop_with(usize::MAX, |x| {
                    assert_eq!(x, [got as u32, !(got as u32), 7]);
                    got += 1;
                })
                .unwrap();
            if n == 0 {
                let x = c.pop_wait(Deadline::never()).unwrap();
                assert_eq!(x, [got as u32, !(got as u32), 7]);
                got += 1;
            }
        }
        producer.join().unwrap();
        assert_eq!(ring.used_bytes(), Ok(0));
    });
}
