//! Fixed-size SPSC rings (ring.md §3.3) under hostile header words: an arbitrary sequence of
//! operations of both handles (single and batched pushes and pops, re-attaches, a reset; single
//! pushes and pops through the byte handles too, with lengths that fit and lengths that do not,
//! and their `peek` / `skip`)
//! interleaved with arbitrary values patched into `HEAD`, `TAIL` and `MESSAGE_SIZE`. Never a
//! panic, an unbounded call or an untyped error; while nothing was patched (since the start or the
//! last reset) the ring behaves exactly like the §3.3 model: every result predicted, values popped
//! are the values pushed, in order, and both position words are where the rule puts them.
#![no_main]
use std::collections::VecDeque;

use arbitrary::Arbitrary;
use bytemuck::Pod;
use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::{self, HEAD, MESSAGE_SIZE, TAIL};
use inos_ring::{Error, FixedConsumer, FixedProducer, Mode, Ring, Spsc};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Push,
    /// `push_slice` of `n % 40` values.
    PushSlice(u8),
    /// `push_with` with limit `n % 40`, or `usize::MAX` for `n >= 240`.
    PushWith(u8),
    Pop,
    /// `pop_slice` into `n % 40` slots.
    PopSlice(u8),
    /// `pop_with` with limit `n % 40`, or `usize::MAX` for `n >= 240`.
    PopWith(u8),
    ReattachProducer,
    ReattachConsumer,
    /// The producer re-attaches as a byte handle (`fixed_producer_bytes`) for one
    /// `try_push_bytes` of `size + n % 3 - 1` bytes (only `size` is accepted), then as `T` again.
    PushBytes(u8),
    /// The consumer re-attaches as a byte handle for one `try_pop_bytes` into `size + n % 3 - 1`
    /// bytes (shorter than `size` is refused), then as `T` again.
    PopBytes(u8),
    /// The consumer re-attaches as a byte handle, `peek`s twice and `skip`s, then as `T` again.
    PeekSkip,
    /// `HEAD` moved by `delta` words (nearby values reach the record-boundary checks).
    NudgeHead(i8),
    /// `TAIL` moved by `delta` words.
    NudgeTail(i8),
    PatchHead(u32),
    PatchTail(u32),
    PatchMessageSize(u32),
    /// Both handles detach and the owner resets the ring (it keeps its message size).
    Reset,
}

#[derive(Arbitrary, Debug)]
struct Input {
    cap_log: u8,
    size: u8,
    start: u32,
    poll: bool,
    ops: Vec<Op>,
}

fn limit(n: u8) -> usize {
    if n >= 240 {
        usize::MAX
    } else {
        n as usize % 40
    }
}

fn put(r: Region<'_>, off: usize, v: u32) {
    r.u32_at(off).unwrap().store(v, Ordering::Relaxed);
}

fn get(r: Region<'_>, off: usize) -> u32 {
    r.u32_at(off).unwrap().load(Ordering::Relaxed)
}

/// Message `seq` of `T`'s size: its bytes depend on `seq` (the first four are `seq`).
fn mk<T: Pod>(seq: u32) -> T {
    let mut v = T::zeroed();
    let b = bytemuck::bytes_of_mut(&mut v);
    for (i, x) in b.iter_mut().enumerate() {
        *x = (seq as usize).wrapping_mul(131).wrapping_add(i * 7) as u8;
    }
    let n = b.len().min(4);
    b[..n].copy_from_slice(&seq.to_le_bytes()[..n]);
    v
}

/// The §3.3 reference, valid while nothing was patched.
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
    fn next_end(&self, t: u32) -> Option<u32> {
        let end = self.slot(t).wrapping_add(self.stride);
        (end.wrapping_sub(self.head) <= self.cap).then_some(end)
    }
    fn push_count(&self, n: usize) -> usize {
        let (mut t, mut k) = (self.tail, 0);
        while k < n {
            match self.next_end(t) {
                Some(e) => t = e,
                None => break,
            }
            k += 1;
        }
        k
    }
    fn push(&mut self, seq: u32) {
        self.tail = self.slot(self.tail).wrapping_add(self.stride);
        self.msgs.push_back(seq);
    }
    fn pop(&mut self) -> Option<u32> {
        let s = self.msgs.pop_front()?;
        self.head = self.slot(self.head).wrapping_add(self.stride);
        Some(s)
    }
}

/// Attaches to the ring at `r` and claims a role with `claim`; `None` if the header or positions
/// are refused, which only patched words may cause.
fn reattach<'a, H>(
    r: Region<'a>,
    tainted: bool,
    claim: impl FnOnce(Ring<'a, Spsc>) -> Result<H, Error>,
) -> Option<H> {
    match Ring::<Spsc>::attach(r).and_then(claim) {
        Ok(h) => Some(h),
        Err(Error::Corrupt(_) | Error::BadMessageSize { .. } | Error::MessageSize { .. })
            if tainted =>
        {
            None
        }
        Err(e) => panic!("re-attach: {e}"),
    }
}

/// An error a read or write call may return on a ring with hostile words.
fn hostile_ok(e: &Error) -> bool {
    matches!(e, Error::Full | Error::Empty | Error::Corrupt(_))
}

fn run<T: Pod + PartialEq + core::fmt::Debug>(inp: &Input, cap: u32) {
    let size = core::mem::size_of::<T>();
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let r = buf.region();
    let mode = if inp.poll { Mode::Poll } else { Mode::Wake };
    let start = inp.start & !7;
    let ring = Ring::<Spsc>::init_fixed_with(r, cap, mode, start, size).unwrap();
    let mut p: Option<FixedProducer<'_, T>> = Some(ring.fixed_producer().unwrap());
    let mut c: Option<FixedConsumer<'_, T>> = Some(ring.fixed_consumer().unwrap());
    let stride = (size as u32 + 3) & !3;
    let mut m = Model {
        cap,
        stride,
        head: start,
        tail: start,
        msgs: VecDeque::new(),
    };
    // One lap of records, plus one lap more of slack: no call may hand out more.
    let bound = 2 * (cap / stride) as usize + 2;
    let mut tainted = false;
    let mut seq = 0u32;
    for op in inp.ops.iter().take(400) {
        match *op {
            Op::Push => {
                let Some(p) = p.as_mut() else { continue };
                let res = p.try_push(mk(seq));
                if tainted {
                    assert!(res.as_ref().map_or_else(hostile_ok, |_| true), "{res:?}");
                } else if m.next_end(m.tail).is_some() {
                    assert_eq!(res, Ok(()));
                    m.push(seq);
                } else {
                    assert_eq!(res, Err(Error::Full));
                }
                seq = seq.wrapping_add(1);
            }
            Op::PushSlice(n) => {
                let Some(p) = p.as_mut() else { continue };
                let n = n as usize % 40;
                let vals: Vec<T> = (0..n as u32).map(|i| mk(seq.wrapping_add(i))).collect();
                let res = p.push_slice(&vals);
                if tainted {
                    assert!(res.as_ref().map_or_else(hostile_ok, |&k| k <= n), "{res:?}");
                } else {
                    let k = m.push_count(n);
                    assert_eq!(res, Ok(k));
                    for i in 0..k as u32 {
                        m.push(seq.wrapping_add(i));
                    }
                }
                seq = seq.wrapping_add(n as u32);
            }
            Op::PushWith(n) => {
                let Some(p) = p.as_mut() else { continue };
                let n = limit(n);
                let base = seq;
                let mut made = 0usize;
                let res = p.push_with(n, |i| {
                    assert_eq!(i, made);
                    made += 1;
                    assert!(made <= bound, "push_with made {made} values");
                    mk(base.wrapping_add(i as u32))
                });
                if tainted {
                    assert!(res.as_ref().map_or_else(hostile_ok, |&k| k <= n), "{res:?}");
                } else {
                    let k = m.push_count(n);
                    assert_eq!(res, Ok(k));
                    assert_eq!(made, k);
                    for i in 0..k as u32 {
                        m.push(base.wrapping_add(i));
                    }
                }
                seq = seq.wrapping_add(made as u32);
            }
            Op::Pop => {
                let Some(c) = c.as_mut() else { continue };
                let res = c.try_pop();
                if tainted {
                    assert!(res.as_ref().map_or_else(hostile_ok, |_| true), "{res:?}");
                } else {
                    match m.pop() {
                        Some(s) => assert_eq!(res, Ok(mk(s))),
                        None => assert_eq!(res, Err(Error::Empty)),
                    }
                }
            }
            Op::PopSlice(n) => {
                let Some(c) = c.as_mut() else { continue };
                let mut out = vec![T::zeroed(); n as usize % 40];
                let res = c.pop_slice(&mut out);
                if tainted {
                    assert!(
                        res.as_ref().map_or_else(hostile_ok, |&k| k <= out.len()),
                        "{res:?}"
                    );
                } else {
                    let k = out.len().min(m.msgs.len());
                    assert_eq!(res, Ok(k));
                    for v in &out[..k] {
                        assert_eq!(*v, mk(m.pop().unwrap()));
                    }
                }
            }
            Op::PopWith(n) => {
                let Some(c) = c.as_mut() else { continue };
                let n = limit(n);
                let mut got = Vec::new();
                let res = c.pop_with(n, |v| {
                    got.push(v);
                    assert!(got.len() <= bound, "pop_with delivered {}", got.len());
                });
                if tainted {
                    assert!(res.as_ref().map_or_else(hostile_ok, |&k| k == got.len()));
                } else {
                    let k = n.min(m.msgs.len());
                    assert_eq!(res, Ok(k));
                    assert_eq!(got.len(), k);
                    for v in got {
                        assert_eq!(v, mk(m.pop().unwrap()));
                    }
                }
            }
            Op::ReattachProducer => {
                p = None;
                p = reattach(r, tainted, |ring| ring.fixed_producer::<T>());
            }
            Op::ReattachConsumer => {
                c = None;
                c = reattach(r, tainted, |ring| ring.fixed_consumer::<T>());
            }
            Op::PushBytes(n) => {
                if p.take().is_none() {
                    continue;
                }
                let len = size + n as usize % 3 - 1;
                let mut msg = vec![0u8; len];
                let v: T = mk(seq);
                let k = len.min(size);
                msg[..k].copy_from_slice(&bytemuck::bytes_of(&v)[..k]);
                if let Some(mut b) = reattach(r, tainted, |ring| ring.fixed_producer_bytes(size)) {
                    let res = b.try_push_bytes(&msg);
                    if len != size {
                        assert_eq!(
                            res,
                            Err(Error::SizeMismatch {
                                expected: size,
                                found: len
                            })
                        );
                    } else if tainted {
                        assert!(res.as_ref().map_or_else(hostile_ok, |_| true), "{res:?}");
                    } else if m.next_end(m.tail).is_some() {
                        assert_eq!(res, Ok(()));
                        m.push(seq);
                    } else {
                        assert_eq!(res, Err(Error::Full));
                    }
                    if len == size {
                        seq = seq.wrapping_add(1);
                    }
                }
                p = reattach(r, tainted, |ring| ring.fixed_producer::<T>());
            }
            Op::PopBytes(n) => {
                if c.take().is_none() {
                    continue;
                }
                let len = size + n as usize % 3 - 1;
                let mut out = vec![0u8; len];
                if let Some(mut b) = reattach(r, tainted, |ring| ring.fixed_consumer_bytes(size)) {
                    let res = b.try_pop_bytes(&mut out);
                    if len < size {
                        assert_eq!(res, Err(Error::BufferTooSmall { needed: size }));
                    } else if tainted {
                        assert!(
                            res.as_ref().map_or_else(hostile_ok, |&k| k == size),
                            "{res:?}"
                        );
                    } else {
                        match m.pop() {
                            Some(s) => {
                                assert_eq!(res, Ok(size));
                                let v: T = mk(s);
                                assert_eq!(&out[..size], bytemuck::bytes_of(&v));
                            }
                            None => assert_eq!(res, Err(Error::Empty)),
                        }
                    }
                }
                c = reattach(r, tainted, |ring| ring.fixed_consumer::<T>());
            }
            Op::PeekSkip => {
                if c.take().is_none() {
                    continue;
                }
                if let Some(mut b) = reattach(r, tainted, |ring| ring.fixed_consumer_bytes(size)) {
                    let mut seen = [vec![0u8; size], vec![0u8; size]];
                    for out in &mut seen {
                        match b.peek() {
                            Ok(Some(view)) => {
                                assert_eq!(view.len(), size);
                                view.copy_to_slice(out);
                            }
                            Ok(None) => assert!(tainted || m.msgs.is_empty()),
                            Err(e) => assert!(tainted && hostile_ok(&e), "{e:?}"),
                        }
                    }
                    let skipped = b.skip();
                    if tainted {
                        assert!(skipped.as_ref().map_or_else(hostile_ok, |_| true));
                    } else {
                        match m.pop() {
                            Some(s) => {
                                let v: T = mk(s);
                                assert_eq!(seen[0], bytemuck::bytes_of(&v));
                                assert_eq!(seen[1], seen[0]);
                                assert_eq!(skipped, Ok(true));
                            }
                            None => assert_eq!(skipped, Ok(false)),
                        }
                    }
                }
                c = reattach(r, tainted, |ring| ring.fixed_consumer::<T>());
            }
            Op::NudgeHead(d) => {
                tainted |= d != 0;
                put(r, HEAD, get(r, HEAD).wrapping_add((d as i32 * 4) as u32));
            }
            Op::NudgeTail(d) => {
                tainted |= d != 0;
                put(r, TAIL, get(r, TAIL).wrapping_add((d as i32 * 4) as u32));
            }
            Op::PatchHead(v) => {
                tainted |= v != get(r, HEAD);
                put(r, HEAD, v);
            }
            Op::PatchTail(v) => {
                tainted |= v != get(r, TAIL);
                put(r, TAIL, v);
            }
            Op::PatchMessageSize(v) => {
                tainted |= v != get(r, MESSAGE_SIZE);
                put(r, MESSAGE_SIZE, v);
            }
            Op::Reset => {
                // Both detach first: a reset is for the owner once every party is gone.
                drop(p.take());
                drop(c.take());
                let fresh = ring.reset().unwrap();
                assert_eq!(fresh.message_size(), Some(size));
                p = Some(fresh.fixed_producer().unwrap());
                c = Some(fresh.fixed_consumer().unwrap());
                m.head = 0;
                m.tail = 0;
                m.msgs.clear();
                tainted = false;
            }
        }
        if !tainted {
            assert_eq!(get(r, TAIL), m.tail);
            assert_eq!(get(r, HEAD), m.head);
            assert_eq!(ring.used_bytes(), Ok(m.tail.wrapping_sub(m.head)));
        }
    }
    if !tainted {
        if let Some(c) = c.as_mut() {
            let mut rest = Vec::new();
            c.pop_with(usize::MAX, |v| rest.push(v)).unwrap();
            let want: Vec<T> = m.msgs.iter().map(|&s| mk(s)).collect();
            assert_eq!(rest, want);
        }
    }
}

fuzz_target!(|inp: Input| {
    let cap = 64u32 << (inp.cap_log % 5);
    let max = cap / 2 - 8;
    // A size no more than the ring's max_message.
    let sizes: [(u32, fn(&Input, u32)); 10] = [
        (1, run::<u8>),
        (4, run::<u32>),
        (5, run::<[u8; 5]>),
        (8, run::<u64>),
        (12, run::<[u32; 3]>),
        (13, run::<[u8; 13]>),
        (24, run::<[u64; 3]>),
        (32, run::<[u8; 32]>),
        (56, run::<[u64; 7]>),
        (120, run::<[u64; 15]>),
    ];
    let (size, f) = sizes[inp.size as usize % sizes.len()];
    if size > max {
        return;
    }
    f(&inp, cap);
});
