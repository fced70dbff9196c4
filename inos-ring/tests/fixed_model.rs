//! Model-based property test of fixed-size SPSC rings (spec §3.3): random sequences of single
//! and batched pushes and pops (limits 0, 1, a few, `usize::MAX`), zero-deadline waits and
//! re-attaches of either side, on random capacities, message sizes (1 ..= `max_message`) and
//! start positions (near `u32::MAX`, so positions wrap), against a `VecDeque` that predicts every
//! result (`Full` exactly when `slot(TAIL) + stride - HEAD > capacity`) and both position words.
#![allow(missing_docs)]

use std::collections::VecDeque;
use std::time::Duration;

use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::{layout, Error, Mode, Ring, Spsc};
use proptest::prelude::*;

/// Message `seq`: its first bytes are the sequence number, the rest depends on it too.
fn mk<const N: usize>(seq: u32) -> [u8; N] {
    let mut b = [0u8; N];
    for (i, x) in b.iter_mut().enumerate() {
        *x = (seq as usize)
            .wrapping_mul(131)
            .wrapping_add(i.wrapping_mul(7))
            .wrapping_add(seq as usize >> (8 * (i % 4))) as u8;
    }
    let n = N.min(4);
    b[..n].copy_from_slice(&seq.to_le_bytes()[..n]);
    b
}

/// Message sizes the test draws from (each up to the capacities whose `max_message` allows it).
const SIZES: &[usize] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 20, 23, 24, 28, 31, 32, 40, 48, 52, 56, 60, 64,
    100, 120, 128, 248, 500, 504, 1016,
];

#[derive(Debug, Clone)]
enum Op {
    Push,
    PushSlice(usize),
    /// `push_with` with this limit (`usize::MAX` among them).
    PushWith(usize),
    /// `push_wait` with a deadline already passed.
    PushWait,
    Pop,
    PopSlice(usize),
    /// `pop_with` with this limit.
    PopWith(usize),
    /// `pop_wait` with a deadline already passed.
    PopWait,
    /// Drop the producer and attach a new one (through a freshly attached `Ring`).
    ReattachProducer,
    ReattachConsumer,
}

fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0..=12usize, 1 => 13..=80usize, 1 => Just(usize::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => Just(Op::Push),
        3 => (0..=40usize).prop_map(Op::PushSlice),
        3 => limit().prop_map(Op::PushWith),
        1 => Just(Op::PushWait),
        6 => Just(Op::Pop),
        3 => (0..=40usize).prop_map(Op::PopSlice),
        3 => limit().prop_map(Op::PopWith),
        1 => Just(Op::PopWait),
        1 => Just(Op::ReattachProducer),
        1 => Just(Op::ReattachConsumer),
    ]
}

fn word(r: Region<'_>, off: usize) -> u32 {
    r.u32_at(off).unwrap().load(Ordering::Relaxed)
}

/// The reference: the messages in the ring (by sequence number) and the two positions, moved
/// by the rule of spec §3.3, computed here from the spec.
struct Model {
    cap: u32,
    stride: u32,
    head: u32,
    tail: u32,
    msgs: VecDeque<u32>,
}

impl Model {
    fn slot(&self, p: u32) -> u32 {
        let to_end = self.cap - p % self.cap;
        if self.stride <= to_end {
            p
        } else {
            p.wrapping_add(to_end)
        }
    }

    /// Whether one more message fits now.
    fn fits(&self) -> bool {
        self.slot(self.tail)
            .wrapping_add(self.stride)
            .wrapping_sub(self.head)
            <= self.cap
    }

    fn push(&mut self, seq: u32) {
        self.tail = self.slot(self.tail).wrapping_add(self.stride);
        self.msgs.push_back(seq);
    }

    /// How many of `n` messages a batch pushes: one by one while they fit.
    fn push_count(&self, n: usize) -> usize {
        let mut t = self.tail;
        let mut k = 0;
        while k < n {
            let end = self.slot(t).wrapping_add(self.stride);
            if end.wrapping_sub(self.head) > self.cap {
                break;
            }
            t = end;
            k += 1;
        }
        k
    }

    fn pop(&mut self) -> Option<u32> {
        let seq = self.msgs.pop_front()?;
        self.head = self.slot(self.head).wrapping_add(self.stride);
        Some(seq)
    }
}

fn run<const N: usize>(cap: u32, start: u32, poll: bool, ops: &[Op]) -> Result<(), TestCaseError> {
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let r = buf.region();
    let mode = if poll { Mode::Poll } else { Mode::Wake };
    let ring = Ring::<Spsc>::init_fixed_with(r, cap, mode, start, N).unwrap();
    prop_assert!(N <= ring.max_message());
    let mut p = ring.fixed_producer::<[u8; N]>().unwrap();
    let mut c = ring.fixed_consumer::<[u8; N]>().unwrap();
    let mut m = Model {
        cap,
        stride: (N as u32 + 3) & !3,
        head: start,
        tail: start,
        msgs: VecDeque::new(),
    };
    let mut seq = 0u32;
    for (step, op) in ops.iter().enumerate() {
        match *op {
            Op::Push | Op::PushWait => {
                let fits = m.fits();
                let res = if matches!(op, Op::Push) {
                    p.try_push(mk(seq))
                } else {
                    p.push_wait(mk(seq), Duration::ZERO)
                };
                if fits {
                    prop_assert_eq!(res, Ok(()), "step {}", step);
                    m.push(seq);
                    seq += 1;
                } else if matches!(op, Op::Push) {
                    prop_assert_eq!(res, Err(Error::Full), "step {}", step);
                } else {
                    prop_assert_eq!(res, Err(Error::TimedOut), "step {}", step);
                }
            }
            Op::PushSlice(n) => {
                let vals: Vec<[u8; N]> = (0..n as u32).map(|i| mk(seq + i)).collect();
                let want = m.push_count(n);
                prop_assert_eq!(p.push_slice(&vals), Ok(want), "step {}", step);
                for _ in 0..want {
                    m.push(seq);
                    seq += 1;
                }
            }
            Op::PushWith(n) => {
                let want = m.push_count(n);
                let base = seq;
                let mut made = 0usize;
                let res = p.push_with(n, |i| {
                    assert_eq!(i, made, "made in order, each once");
                    made += 1;
                    mk(base + i as u32)
                });
                prop_assert_eq!(res, Ok(want), "step {}", step);
                prop_assert_eq!(made, want, "made only what fits");
                for _ in 0..want {
                    m.push(seq);
                    seq += 1;
                }
            }
            Op::Pop | Op::PopWait => {
                let res = if matches!(op, Op::Pop) {
                    c.try_pop()
                } else {
                    c.pop_wait(Duration::ZERO)
                };
                match m.pop() {
                    Some(s) => prop_assert_eq!(res, Ok(mk(s)), "step {}", step),
                    None if matches!(op, Op::Pop) => {
                        prop_assert_eq!(res, Err(Error::Empty), "step {}", step)
                    }
                    None => prop_assert_eq!(res, Err(Error::TimedOut), "step {}", step),
                }
            }
            Op::PopSlice(n) => {
                let mut out = vec![[0xa5; N]; n];
                let want = n.min(m.msgs.len());
                prop_assert_eq!(c.pop_slice(&mut out), Ok(want), "step {}", step);
                for got in &out[..want] {
                    prop_assert_eq!(*got, mk(m.pop().unwrap()));
                }
                // The rest of the slice is untouched.
                prop_assert!(out[want..].iter().all(|v| *v == [0xa5; N]));
            }
            Op::PopWith(n) => {
                let want = n.min(m.msgs.len());
                let mut got = Vec::new();
                prop_assert_eq!(c.pop_with(n, |v| got.push(v)), Ok(want), "step {}", step);
                for v in got {
                    prop_assert_eq!(v, mk(m.pop().unwrap()));
                }
            }
            Op::ReattachProducer => {
                drop(p);
                prop_assert_eq!(ring.holder(inos_ring::Role::Producer), None);
                let again = Ring::<Spsc>::attach(r).unwrap();
                prop_assert_eq!(again.message_size(), Some(N));
                p = again.fixed_producer().unwrap();
            }
            Op::ReattachConsumer => {
                drop(c);
                prop_assert_eq!(ring.holder(inos_ring::Role::Consumer), None);
                c = Ring::<Spsc>::attach(r).unwrap().fixed_consumer().unwrap();
            }
        }
        prop_assert_eq!(word(r, layout::TAIL), m.tail, "TAIL after step {}", step);
        prop_assert_eq!(word(r, layout::HEAD), m.head, "HEAD after step {}", step);
        prop_assert_eq!(ring.used_bytes(), Ok(m.tail.wrapping_sub(m.head)));
        prop_assert!(m.tail.wrapping_sub(m.head) <= cap);
    }
    // Everything left comes out in order.
    let mut rest = Vec::new();
    c.pop_with(usize::MAX, |v| rest.push(v)).unwrap();
    let want: Vec<[u8; N]> = m.msgs.iter().map(|&s| mk(s)).collect();
    prop_assert_eq!(rest, want);
    prop_assert_eq!(c.try_pop(), Err(Error::Empty));
    let s = ring.stats();
    prop_assert_eq!((s.dropped, s.aborted, s.unblocked), (0, 0, 0));
    Ok(())
}

macro_rules! dispatch {
    ($size:expr, $cap:expr, $start:expr, $poll:expr, $ops:expr; $($n:literal)*) => {
        match $size {
            $($n => run::<$n>($cap, $start, $poll, $ops),)*
            other => unreachable!("size {other} is not in the dispatch list"),
        }
    };
}

fn run_size(
    size: usize,
    cap: u32,
    start: u32,
    poll: bool,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    dispatch!(size, cap, start, poll, ops;
        1 2 3 4 5 6 7 8 9 11 12 13 16 17 20 23 24 28 31 32 40 48 52 56 60 64 100 120 128 248 500
        504 1016)
}

/// A capacity and a message size of at most its `max_message`.
fn ring_shape() -> impl Strategy<Value = (u32, usize)> {
    (6u32..=11).prop_flat_map(|cap_log| {
        let cap = 1u32 << cap_log;
        let max = (cap / 2 - 8) as usize;
        let sizes: Vec<usize> = SIZES.iter().copied().filter(|&s| s <= max).collect();
        (Just(cap), proptest::sample::select(sizes))
    })
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(if cfg!(miri) { 4 } else { 512 });
    if cfg!(miri) {
        c.failure_persistence = None; // no file system under Miri's isolation
    }
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fixed_ring_matches_vecdeque(
        (cap, size) in ring_shape(),
        start in prop_oneof![
            Just(0u32),
            (0u32..64).prop_map(|k| u32::MAX - 7 - 8 * k),
            any::<u32>().prop_map(|s| s & !7),
        ],
        poll in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 20 } else { 200 }),
    ) {
        run_size(size, cap, start, poll, &ops)?;
    }
}

/// Every size of the dispatch list is drawn from, and each fits some capacity.
#[test]
fn the_size_list_and_the_dispatch_agree() {
    for &s in SIZES {
        let ops = [Op::Push, Op::Pop];
        run_size(s, 2048, u32::MAX - 7, true, &ops).unwrap();
    }
}
