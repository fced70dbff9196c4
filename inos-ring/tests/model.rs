//! Model-based property tests: every operation sequence on a ring behaves like a `VecDeque` of
//! messages, including when the monotonic `u32` positions wrap (start near `u32::MAX`).
#![allow(missing_docs)]

use inos_layout::sync::Ordering;
use std::collections::VecDeque;

use inos_layout::RegionBuf;
use inos_ring::{layout, Consumer, Error, Kind, Mode, Mpsc, Producer, Ring, Spsc};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Push(usize),
    Reserve {
        len: usize,
        commit: bool,
    },
    Pop {
        buf: usize,
    },
    /// `try_pop` into a buffer of exactly the next message's length (the exact-fit fast path).
    PopFit,
    /// `pop_pod::<u64>()`.
    PopPod,
    Read {
        release: bool,
    },
    Drain,
    Skip,
    /// `push_pods`, or (`true`) `push_pods_with`.
    PushPods(usize, bool),
    /// `pop_pods`, or (`true`) `pop_pods_with`.
    PopPods(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop_oneof![0..=16usize, 0..=600usize].prop_map(Op::Push),
        2 => (0..=300usize, any::<bool>()).prop_map(|(len, commit)| Op::Reserve { len, commit }),
        4 => (0..=600usize).prop_map(|buf| Op::Pop { buf }),
        2 => Just(Op::PopFit),
        2 => Just(Op::PopPod),
        2 => any::<bool>().prop_map(|release| Op::Read { release }),
        1 => Just(Op::Drain),
        1 => Just(Op::Skip),
        1 => (0..=40usize, any::<bool>()).prop_map(|(n, with)| Op::PushPods(n, with)),
        1 => (0..=40usize, any::<bool>()).prop_map(|(n, with)| Op::PopPods(n, with)),
    ]
}

fn payload(seq: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (seq as usize).wrapping_mul(31).wrapping_add(i) as u8)
        .collect()
}

/// Free bytes the model predicts for a push of `len` at tail offset `off` (wrap padding included).
fn fits<K: Kind>(cap: u32, used: u32, tail: u32, len: usize) -> bool {
    let size = K::record_size(len as u32);
    let off = tail & (cap - 1);
    let to_end = cap - off;
    let need = if size <= to_end { size } else { to_end + size };
    need <= cap - used
}

fn run<K: TestKind>(cap: u32, start: u32, poll: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let mode = if poll { Mode::Poll } else { Mode::Wake };
    let ring = Ring::<K>::init_with(buf.region(), cap, mode, start).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let max = ring.max_message();
    // Entries: Some(message) or None (padding: wrap filler or aborted), with their footprint.
    let mut model: VecDeque<(Option<Vec<u8>>, u32)> = VecDeque::new();
    let mut seq = 0u32;
    // The model tracks positions too, to predict Full exactly.
    let (mut head, mut tail) = (start, start);
    let mut aborted = 0;
    let mut dropped = 0;
    let push_model = |msg: Option<Vec<u8>>,
                      len: usize,
                      tail: &mut u32,
                      model: &mut VecDeque<(Option<Vec<u8>>, u32)>| {
        let size = K::record_size(len as u32);
        let off = *tail & (cap - 1);
        let to_end = cap - off;
        if size > to_end {
            model.push_back((None, to_end));
            *tail = tail.wrapping_add(to_end);
        }
        *tail = tail.wrapping_add(size);
        model.push_back((msg, size));
    };
    for op in ops {
        let used = tail.wrapping_sub(head);
        match *op {
            Op::Push(len) => {
                seq += 1;
                let msg = payload(seq, len);
                let r = p.try_push(&msg);
                if len > max {
                    prop_assert!(matches!(r, Err(Error::TooLarge { .. })), "{r:?}");
                } else if fits::<K>(cap, used, tail, len) {
                    prop_assert_eq!(r, Ok(()));
                    push_model(Some(msg), len, &mut tail, &mut model);
                } else {
                    prop_assert_eq!(r, Err(Error::Full));
                }
            }
            Op::Reserve { len, commit } => {
                seq += 1;
                let msg = payload(seq, len);
                match p.reserve(len) {
                    Ok(mut g) => {
                        prop_assert!(len <= max && fits::<K>(cap, used, tail, len));
                        g.copy_from_slice(&msg);
                        if commit {
                            prop_assert_eq!(g.commit(), Ok(()));
                            push_model(Some(msg), len, &mut tail, &mut model);
                        } else {
                            drop(g);
                            aborted += 1;
                            // MPSC: an aborted record is padding the consumer skips. SPSC: an
                            // abort publishes nothing (records are published by TAIL).
                            if K::MULTI_PRODUCER {
                                push_model(None, len, &mut tail, &mut model);
                            }
                        }
                    }
                    Err(Error::TooLarge { .. }) => prop_assert!(len > max),
                    Err(Error::Full) => {
                        prop_assert!(len <= max && !fits::<K>(cap, used, tail, len))
                    }
                    Err(e) => return Err(TestCaseError::fail(format!("reserve: {e}"))),
                }
            }
            Op::Pop { .. } | Op::PopFit => {
                skip_padding(&mut model, &mut head);
                let buf = match (op, model.front()) {
                    (Op::Pop { buf }, _) => *buf,
                    (_, Some((Some(m), _))) => m.len(),
                    _ => 8,
                };
                let mut out = vec![0u8; buf];
                let r = c.try_pop(&mut out);
                match model.front() {
                    None => prop_assert_eq!(r, Err(Error::Empty)),
                    Some((Some(m), _)) if m.len() > buf => {
                        prop_assert_eq!(r, Err(Error::BufferTooSmall { needed: m.len() }))
                    }
                    Some((m, size)) => {
                        let m = m.as_ref().unwrap();
                        prop_assert_eq!(r, Ok(m.len()));
                        prop_assert_eq!(&out[..m.len()], &m[..]);
                        head = head.wrapping_add(*size);
                        model.pop_front();
                    }
                }
            }
            Op::PopPod => {
                skip_padding(&mut model, &mut head);
                let r = c.pop_pod::<u64>();
                match model.front() {
                    None => prop_assert_eq!(r, Err(Error::Empty)),
                    Some((Some(m), size)) if m.len() == 8 => {
                        prop_assert_eq!(r, Ok(u64::from_le_bytes(m[..].try_into().unwrap())));
                        head = head.wrapping_add(*size);
                        model.pop_front();
                    }
                    Some((m, _)) => {
                        let found = m.as_ref().unwrap().len();
                        prop_assert_eq!(r, Err(Error::SizeMismatch { expected: 8, found }));
                    }
                }
            }
            Op::Read { release } => {
                skip_padding(&mut model, &mut head);
                match (c.read(), model.front()) {
                    (Err(e), None) => prop_assert_eq!(e, Error::Empty),
                    (Ok(g), Some((Some(m), size))) => {
                        prop_assert!(g.bytes().eq_slice(m));
                        if release {
                            g.release();
                            head = head.wrapping_add(*size);
                            model.pop_front();
                        }
                    }
                    (r, m) => {
                        return Err(TestCaseError::fail(format!(
                            "read {:?} vs model {m:?}",
                            r.map(|g| g.to_vec())
                        )))
                    }
                }
            }
            Op::Drain => {
                let mut got = Vec::new();
                let n = c.drain(|b| got.push(b.to_vec())).unwrap();
                prop_assert_eq!(n, got.len());
                let want: Vec<Vec<u8>> = model.drain(..).filter_map(|(m, _)| m).collect();
                prop_assert_eq!(got, want);
                head = tail;
            }
            Op::Skip => {
                skip_padding(&mut model, &mut head);
                let r = c.skip().unwrap();
                prop_assert_eq!(r, !model.is_empty());
                if r {
                    dropped += 1;
                    head = head.wrapping_add(model.pop_front().unwrap().1);
                }
            }
            Op::PushPods(n, with) => {
                let vals: Vec<u64> = (0..n as u64).map(|i| (seq as u64) << 32 | i).collect();
                seq += 1;
                let mut pushed = 0;
                while pushed < vals.len() {
                    let used = tail.wrapping_sub(head);
                    if !fits::<K>(cap, used, tail, 8) {
                        break;
                    }
                    // SPSC (spec §3.1.1): four or more messages that fit before the end of the
                    // data area and in the free space go into one run; HEAD passes a run only
                    // with its last message, so the model gives the run's bytes to that one.
                    let to_end = cap - (tail & (cap - 1));
                    if !K::MULTI_PRODUCER && to_end < 12 {
                        // Wrap padding first; the rest is decided at offset 0.
                        model.push_back((None, to_end));
                        tail = tail.wrapping_add(to_end);
                        continue;
                    }
                    let room = to_end.min(cap - used);
                    let fit = room.saturating_sub(12) as usize / 8;
                    let left = vals.len() - pushed;
                    if !K::MULTI_PRODUCER && left >= 4 && fit >= 4 {
                        let k = fit.min(left);
                        for (i, v) in vals[pushed..pushed + k].iter().enumerate() {
                            let size = if i + 1 == k { 12 + 8 * k as u32 } else { 0 };
                            model.push_back((Some(v.to_le_bytes().to_vec()), size));
                        }
                        tail = tail.wrapping_add(12 + 8 * k as u32);
                        pushed += k;
                        continue;
                    }
                    push_model(
                        Some(vals[pushed].to_le_bytes().to_vec()),
                        8,
                        &mut tail,
                        &mut model,
                    );
                    pushed += 1;
                }
                let got = K::push_pods(&mut p, &vals, with);
                prop_assert_eq!(got, pushed);
            }
            Op::PopPods(n, with) => {
                // The model: take leading 8-byte messages (skipping padding), at most n; stop at
                // a message of another length, which is an error if it comes first.
                let mut want = Vec::new();
                let mut mismatch = None;
                while want.len() < n {
                    skip_padding(&mut model, &mut head);
                    match model.front() {
                        Some((Some(m), size)) if m.len() == 8 => {
                            want.push(u64::from_le_bytes(m[..].try_into().unwrap()));
                            head = head.wrapping_add(*size);
                            model.pop_front();
                        }
                        Some((Some(m), _)) => {
                            mismatch = Some(m.len());
                            break;
                        }
                        _ => break,
                    }
                }
                let mut out = vec![0u64; n];
                let r = K::pop_pods(&mut c, &mut out, with);
                match (mismatch, want.len()) {
                    (Some(found), 0) if n > 0 => {
                        prop_assert_eq!(r, Err(Error::SizeMismatch { expected: 8, found }))
                    }
                    _ => {
                        prop_assert_eq!(r, Ok(want.len()));
                        prop_assert_eq!(&out[..want.len()], &want[..]);
                    }
                }
            }
        }
        // Positions in shared memory agree with the model after every step.
        let stats = ring.stats();
        prop_assert_eq!(stats.aborted, aborted);
        prop_assert_eq!(stats.dropped, dropped);
        prop_assert_eq!(ring.used_bytes(), Ok(tail.wrapping_sub(head)));
        if K::MULTI_PRODUCER {
            // MPSC free space: every state word (positions ≡ 4 mod 8) is zero (spec §2.1); the
            // other words may hold stale bytes (version 3 zeroes state words only).
            let mut pos = tail;
            while pos != head.wrapping_add(cap) {
                let at = layout::HEADER_LEN + ((pos & (cap - 1)) + 4) as usize;
                let word = buf.region().u32_at(at).unwrap().load(Ordering::Relaxed);
                prop_assert_eq!(word, 0, "state word at position {} of free space", pos);
                pos = pos.wrapping_add(8);
            }
        }
    }
    Ok(())
}

/// The consumer skips (and frees) padding in front of the next message on every operation.
fn skip_padding(model: &mut VecDeque<(Option<Vec<u8>>, u32)>, head: &mut u32) {
    while let Some((None, size)) = model.front() {
        *head = head.wrapping_add(*size);
        model.pop_front();
    }
}

trait TestKind: Kind + Sized {
    fn push_pods(p: &mut Producer<'_, Self>, vals: &[u64], with: bool) -> usize;
    fn pop_pods(c: &mut Consumer<'_, Self>, out: &mut [u64], with: bool) -> Result<usize, Error>;
}

impl TestKind for Spsc {
    fn push_pods(p: &mut Producer<'_, Self>, vals: &[u64], with: bool) -> usize {
        if with {
            // `make` is called for the values pushed only, in order.
            let mut made = 0;
            let n = p
                .push_pods_with(vals.len(), |i| {
                    assert_eq!(i, made);
                    made += 1;
                    vals[i]
                })
                .unwrap();
            assert_eq!(made, n);
            n
        } else {
            p.push_pods(vals).unwrap()
        }
    }
    fn pop_pods(c: &mut Consumer<'_, Self>, out: &mut [u64], with: bool) -> Result<usize, Error> {
        if with {
            let mut k = 0;
            let r = c.pop_pods_with(out.len(), |v| {
                out[k] = v;
                k += 1;
            });
            if let Ok(n) = r {
                assert_eq!(n, k);
            }
            r
        } else {
            c.pop_pods(out)
        }
    }
}

impl TestKind for Mpsc {
    // MPSC has no batched push: one by one.
    fn push_pods(p: &mut Producer<'_, Self>, vals: &[u64], _: bool) -> usize {
        let mut n = 0;
        for v in vals {
            match p.push_pod(v) {
                Ok(()) => n += 1,
                Err(Error::Full) => break,
                Err(e) => panic!("{e}"),
            }
        }
        n
    }
    // MPSC has no batched pop: one by one, with the same contract.
    fn pop_pods(c: &mut Consumer<'_, Self>, out: &mut [u64], _: bool) -> Result<usize, Error> {
        let mut n = 0;
        while n < out.len() {
            match c.pop_pod::<u64>() {
                Ok(v) => out[n] = v,
                Err(Error::Empty) => break,
                Err(e @ Error::SizeMismatch { .. }) if n == 0 => return Err(e),
                Err(Error::SizeMismatch { .. }) => break,
                Err(e) => return Err(e),
            }
            n += 1;
        }
        Ok(n)
    }
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 256 });
    if cfg!(miri) {
        c.failure_persistence = None; // no file system under Miri's isolation
    }
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn spsc_matches_vecdeque(
        cap_log in 6u32..=11,
        start in prop_oneof![Just(0u32), (0u32..64).prop_map(|k| u32::MAX - 7 - 8 * k), any::<u32>().prop_map(|s| s & !7)],
        poll in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 20 } else { 200 }),
    ) {
        run::<Spsc>(1 << cap_log, start, poll, &ops)?;
    }

    #[test]
    fn mpsc_matches_vecdeque(
        cap_log in 6u32..=11,
        start in prop_oneof![Just(0u32), (0u32..64).prop_map(|k| u32::MAX - 7 - 8 * k), any::<u32>().prop_map(|s| s & !7)],
        poll in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 20 } else { 200 }),
    ) {
        run::<Mpsc>(1 << cap_log, start, poll, &ops)?;
    }
}

/// Regression (found by `ring_ops` fuzzing): a ring filled entirely with padding (wrap filler
/// plus aborted reservations) must drain to empty instead of re-reading its own unreleased
/// first record one lap later (MPSC: SPSC aborts publish nothing).
#[test]
fn full_ring_of_padding_drains_to_empty() {
    let buf = RegionBuf::new(layout::required_len(512)).unwrap();
    let ring = Ring::<Mpsc>::init_at(buf.region(), 512, 620_758_000).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    p.reserve(245).unwrap().abort(); // wraps: 16 bytes of filler, then 256 bytes aborted
    p.reserve(232).unwrap().abort(); // 240 bytes aborted: the ring is exactly full
    assert_eq!(ring.used_bytes(), Ok(512));
    assert_eq!(p.try_push(&[]), Err(Error::Full));
    assert_eq!(c.drain::<(), _>(|_| panic!("padding delivered")), Ok(0));
    assert_eq!(ring.used_bytes(), Ok(0));
    p.try_push(b"after").unwrap();
    assert_eq!(c.read().unwrap().to_vec(), b"after");
}

/// SPSC aborts publish nothing: the space is reused by the next push, and a ring that was
/// "filled" by aborted reservations is empty.
#[test]
fn spsc_aborts_publish_nothing() {
    let buf = RegionBuf::new(layout::required_len(512)).unwrap();
    let ring = Ring::<Spsc>::init_at(buf.region(), 512, 620_758_000).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    p.reserve(245).unwrap().abort();
    p.reserve(232).unwrap().abort();
    assert_eq!(ring.used_bytes(), Ok(0));
    assert_eq!(ring.stats().aborted, 2);
    assert_eq!(c.drain::<(), _>(|_| panic!("nothing was published")), Ok(0));
    p.try_push(b"after").unwrap();
    assert_eq!(c.read().unwrap().to_vec(), b"after");
}
