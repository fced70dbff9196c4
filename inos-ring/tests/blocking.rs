//! The blocking calls (`push_wait`, `pop_wait`, `drain_wait`): automatic unblocking of a stuck
//! MPSC reservation while the consumer sleeps (issue 13 §1), the one deadline type, and `drain`
//! callbacks that stop early or fail (issue 13 §3).
//!
//! No test sleeps to synchronise: every wait is bounded by a deadline and the tests assert what
//! arrived. A stuck reservation is a `WriteGrant` that is `mem::forget`ten (its producer "died").
#![allow(missing_docs)]

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use inos_layout::RegionBuf;
use inos_ring::{layout, Deadline, Error, Mode, Mpsc, Ring, Spsc};

/// Upper bound on how long any test may take to see the unblock happen (far above `AFTER`, far
/// below what the old tick-counting code needed).
const BUDGET: Duration = Duration::from_secs(5);
/// The `set_unblock_after` of the tests.
const AFTER: Duration = Duration::from_millis(100);

fn mpsc_buf(cap: u32, mode: Mode) -> RegionBuf {
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    Ring::<Mpsc>::init_with(buf.region(), cap, mode, 0).unwrap();
    buf
}

/// A ring where a dead producer holds the head and a live one committed `b"next"` behind it.
fn stuck_ring(buf: &RegionBuf) -> Ring<'_, Mpsc> {
    let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
    let mut dead = ring.producer().unwrap();
    std::mem::forget(dead.reserve(8).unwrap());
    std::mem::forget(dead); // its role stays counted, as a killed process's would
    ring.producer().unwrap().try_push(b"next").unwrap();
    ring
}

/// Calls `step` (one bounded blocking call) until it delivers, failing after [`BUDGET`].
fn until_delivered<T>(mut step: impl FnMut() -> Result<T, Error>) -> T {
    let start = Instant::now();
    loop {
        match step() {
            Ok(t) => return t,
            Err(Error::TimedOut) => assert!(
                start.elapsed() < BUDGET,
                "the stuck reservation was not unblocked within {BUDGET:?}"
            ),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn pop_wait_loop_with_short_deadlines_unblocks() {
    for mode in [Mode::Wake, Mode::Poll] {
        let buf = mpsc_buf(256, mode);
        let ring = stuck_ring(&buf);
        let mut c = ring.consumer().unwrap();
        c.set_unblock_after(Some(AFTER));
        let mut out = [0u8; 16];
        // Each call is shorter than AFTER: the timer must survive across calls.
        let n = until_delivered(|| c.pop_wait(&mut out, Duration::from_millis(20)));
        assert_eq!(&out[..n], b"next", "{mode:?}");
        assert_eq!(ring.stats().unblocked, 1, "{mode:?}");
        assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
        assert_eq!(ring.used_bytes(), Ok(0));
    }
}

#[test]
fn one_long_pop_wait_unblocks() {
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = stuck_ring(&buf);
    let mut c = ring.consumer().unwrap();
    c.set_unblock_after(Some(AFTER));
    let mut out = [0u8; 16];
    let start = Instant::now();
    assert_eq!(c.pop_wait(&mut out, BUDGET), Ok(4));
    assert!(start.elapsed() >= AFTER, "unblocked before it was overdue");
    assert_eq!(&out[..4], b"next");
    assert_eq!(ring.stats().unblocked, 1);
}

#[test]
fn unblocks_only_once_overdue() {
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = stuck_ring(&buf);
    let mut c = ring.consumer().unwrap();
    c.set_unblock_after(Some(Duration::from_secs(3600)));
    let mut out = [0u8; 16];
    assert_eq!(
        c.pop_wait(&mut out, Duration::from_millis(30)),
        Err(Error::TimedOut)
    );
    assert_eq!(ring.stats().unblocked, 0);
    // Turned off: never unblocked, however long the wait.
    c.set_unblock_after(None);
    assert_eq!(
        c.pop_wait(&mut out, Duration::from_millis(30)),
        Err(Error::TimedOut)
    );
    assert_eq!(ring.stats().unblocked, 0);
}

#[test]
fn drain_and_pop_wait_share_the_stall_timer() {
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = stuck_ring(&buf);
    let mut c = ring.consumer().unwrap();
    c.set_unblock_after(Some(AFTER));
    let mut got = Vec::new();
    let mut out = [0u8; 16];
    until_delivered(|| {
        if c.drain(|m| got.push(m.to_vec()))? > 0 {
            return Ok(());
        }
        let n = c.pop_wait(&mut out, Duration::from_millis(10))?;
        got.push(out[..n].to_vec());
        Ok(())
    });
    assert_eq!(got, [b"next".to_vec()]);
    assert_eq!(ring.stats().unblocked, 1);
}

#[test]
fn drain_wait_unblocks() {
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = stuck_ring(&buf);
    let mut c = ring.consumer().unwrap();
    c.set_unblock_after(Some(AFTER));
    let mut got = Vec::new();
    let n = until_delivered(|| c.drain_wait(Duration::from_millis(20), |m| got.push(m.to_vec())));
    assert_eq!(n, 1);
    assert_eq!(got, [b"next".to_vec()]);
    assert_eq!(ring.stats().unblocked, 1);
}

/// A producer blocked in `push_wait` behind a stuck record (the ring is full) gets its space
/// when the sleeping consumer unblocks the record.
#[test]
fn push_wait_behind_a_stuck_record_completes() {
    const MESSAGES: u8 = 20;
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
    let mut dead = ring.producer().unwrap();
    std::mem::forget(dead.reserve(8).unwrap()); // 16 bytes at the head, forever
    let mut c = ring.consumer().unwrap();
    c.set_unblock_after(Some(AFTER));
    let mut got = Vec::new();
    std::thread::scope(|s| {
        let pushed = s.spawn(|| {
            let mut p = ring.producer().unwrap();
            // 32-byte records: 7 fit behind the stuck one, the 8th waits for space.
            for i in 0..MESSAGES {
                p.push_wait(&[i; 24], BUDGET)?;
            }
            Ok::<(), Error>(())
        });
        let start = Instant::now();
        let mut out = [0u8; 32];
        while got.len() < MESSAGES as usize && start.elapsed() < BUDGET {
            match c.pop_wait(&mut out, Duration::from_millis(20)) {
                Ok(n) => got.push(out[..n].to_vec()),
                Err(Error::TimedOut) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(pushed.join().unwrap(), Ok(()));
    });
    let want: Vec<Vec<u8>> = (0..MESSAGES).map(|i| vec![i; 24]).collect();
    assert_eq!(got, want);
    assert_eq!(ring.stats().unblocked, 1);
}

/// `unblock` releases the unblocked record's space at once (and so wakes `push_wait`).
#[test]
fn unblock_releases_the_space() {
    let buf = mpsc_buf(256, Mode::Wake);
    let ring = Ring::<Mpsc>::attach(buf.region()).unwrap();
    let mut dead = ring.producer().unwrap();
    std::mem::forget(dead.reserve(8).unwrap());
    let mut p = ring.producer().unwrap();
    while p.try_push(&[1; 24]).is_ok() {}
    let mut c = ring.consumer().unwrap();
    let used = ring.used_bytes().unwrap();
    assert_eq!(c.unblock(), Ok(true));
    assert_eq!(ring.used_bytes(), Ok(used - 16));
    assert_eq!(c.try_pop(&mut [0; 24]), Ok(24));
}

#[test]
fn every_deadline_form_is_accepted() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    let mut out = [0u8; 8];
    let soon = Instant::now() + Duration::from_millis(5);
    assert_eq!(c.pop_wait(&mut out, soon), Err(Error::TimedOut));
    assert_eq!(c.pop_wait(&mut out, Some(soon)), Err(Error::TimedOut));
    assert_eq!(
        c.pop_wait(&mut out, Duration::from_millis(1)),
        Err(Error::TimedOut)
    );
    assert_eq!(
        c.pop_wait(&mut out, Deadline::after_parks(2)),
        Err(Error::TimedOut)
    );
    assert_eq!(
        c.drain_wait(Deadline::after(Duration::ZERO), |_| {}),
        Err(Error::TimedOut)
    );
    // 24-byte payloads, 32-byte records: two fill the ring.
    p.push_wait(&[1; 24], None).unwrap();
    p.push_wait(&[2; 24], Deadline::never()).unwrap();
    assert_eq!(
        p.push_wait(&[3; 24], Duration::from_millis(1)),
        Err(Error::TimedOut)
    );
    assert_eq!(
        p.push_wait(&[3; 24], Deadline::after_parks(1)),
        Err(Error::TimedOut)
    );
    let mut big = [0u8; 24];
    assert_eq!(c.pop_wait(&mut big, None), Ok(24));
    assert_eq!(big, [1; 24]);
    assert_eq!(
        c.drain_wait(Deadline::never(), |m| assert_eq!(m.get(0), Some(2))),
        Ok(1)
    );
}

#[test]
fn drain_break_consumes_the_message_and_leaves_the_rest() {
    for mpsc in [false, true] {
        let buf = RegionBuf::new(layout::required_len(256)).unwrap();
        let mut got = Vec::new();
        let mut stop_at_3 = |m: inos_layout::Bytes<'_>| {
            let v = m.read_u32_le(0).unwrap();
            got.push(v);
            if v == 3 {
                ControlFlow::Break(v * 10)
            } else {
                ControlFlow::Continue(())
            }
        };
        let (first, second, used) = if mpsc {
            let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
            let mut p = ring.producer().unwrap();
            let mut c = ring.consumer().unwrap();
            for i in 0..6u32 {
                p.push_pod(&i).unwrap();
            }
            let first = c.drain(&mut stop_at_3).unwrap();
            let used = ring.used_bytes().unwrap();
            (first, c.drain(&mut stop_at_3).unwrap(), used)
        } else {
            let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
            let mut p = ring.producer().unwrap();
            let mut c = ring.consumer().unwrap();
            for i in 0..6u32 {
                p.push_pod(&i).unwrap();
            }
            let first = c.drain(&mut stop_at_3).unwrap();
            let used = ring.used_bytes().unwrap();
            (first, c.drain(&mut stop_at_3).unwrap(), used)
        };
        assert_eq!(first, ControlFlow::Break(30));
        // 0..=3 were released with the break; 4 and 5 stay (MPSC: 16-byte records, SPSC: 8).
        assert_eq!(used, if mpsc { 32 } else { 16 });
        assert_eq!(second, ControlFlow::Continue(2));
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
    }
}

#[test]
fn drain_err_stops_and_question_mark_works() {
    #[derive(Debug, PartialEq)]
    enum AppError {
        Short,
        Ring(Error),
    }
    impl From<Error> for AppError {
        fn from(e: Error) -> Self {
            AppError::Ring(e)
        }
    }
    fn consume(c: &mut inos_ring::Consumer<'_, Spsc>, sum: &mut u32) -> Result<usize, AppError> {
        c.drain(|m| {
            *sum += m.read_u32_le(0).map_err(|_| AppError::Short)?;
            Ok(())
        })?
    }
    let buf = RegionBuf::new(layout::required_len(256)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    p.push_pod(&1u32).unwrap();
    p.try_push(b"x").unwrap();
    p.push_pod(&2u32).unwrap();
    let mut sum = 0;
    assert_eq!(consume(&mut c, &mut sum), Err(AppError::Short));
    assert_eq!(sum, 1);
    assert_eq!(consume(&mut c, &mut sum), Ok(1));
    assert_eq!(sum, 3);
    assert_eq!(consume(&mut c, &mut sum), Ok(0));
}

#[test]
fn drain_wait_wakes_on_commit_and_can_break() {
    let buf = RegionBuf::new(layout::required_len(256)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..4u32 {
                p.push_wait(&i.to_le_bytes(), BUDGET).unwrap();
            }
        });
        let mut got = Vec::new();
        while got.len() < 4 {
            let r = c.drain_wait(BUDGET, |m| {
                got.push(m.read_u32_le(0).unwrap());
                ControlFlow::Break(())
            });
            // One message per call: the callback breaks on the first.
            assert_eq!(r, Ok(ControlFlow::Break(())));
        }
        assert_eq!(got, [0, 1, 2, 3]);
    });
}
