//! `docs/conformance/ring.json`: ring vectors produced by running the Rust ring (`inos-ring`).
//!
//! A vector is a ring (`kind` the party expects, `capacity`, `start` position of `init_at`, the
//! region `len`), the **initial** non-zero `u32` words of the region (header and data), one
//! **operation** of one party (which attaches first, as a fresh party, and detaches after), its
//! **result** (a value or a named error of `inos_ring::Error`) and the **expected** non-zero words
//! after it. `setup` (honest operations after `init_at`) and `patch` (words written by a hostile
//! party) only say how `initial` was made. `unspecified` lists byte ranges `[start, end)` whose
//! content ring.md leaves open (the padding after a pushed payload, and after each message a
//! `push_pods` step wrote, in a run (§3.1.1) or a record): a replaying party masks them.
//!
//! SPSC runs (ring.md §3.1.1) enter the vectors only through `setup` (`push_pods`, the Rust
//! producer's batch, which writes a run for four or more messages that fit before the end of the
//! data area) and `patch`: the operations stay the consumer's `try_pop` and `drain`, which every
//! consumer must apply to runs. No operation pushes a batch, since a producer is never required to
//! write runs (§4.4): the words after it would not be the protocol's.
//!
//! **Fixed-size SPSC rings** (ring.md §3.3, format version 6). Every vector has a `message_size`:
//! the ring's `MESSAGE_SIZE` word as `init` wrote it (`0`: variable-length, every vector before
//! version 6; otherwise the ring was formatted by `Ring::<Spsc>::init_fixed_with(capacity, Wake,
//! start, message_size)`). Three operations are a fixed-size party's (`FixedProducer` /
//! `FixedConsumer` of a `[u8; n]`, attached as a fresh party like the others): `fixed_push`
//! (`bytes`: the party's message size is their length; result null), `fixed_pop` and `fixed_drain`
//! (`message_size`: the party's; results as for `try_pop` and `drain`; `fixed_drain` takes every
//! message below the tail it loads and releases them with one `HEAD` store). A party whose size is
//! not the ring's (a variable-length party on a fixed-size ring included) fails with
//! `MessageSize`, whose JSON also carries `expected` (the party's size, `0` for variable-length)
//! and `found` (the ring's); a `MESSAGE_SIZE` no ring may have, with `BadMessageSize` and
//! `found`. `setup` steps `fixed_push` (hex) and `fixed_pop` (the size) are a fixed-size party's
//! too.

use std::fmt::Write as _;

use inos_layout::sync::Ordering;
use inos_layout::RegionBuf;
use inos_ring::layout as r;
use inos_ring::{Error, Kind, Mode, Mpsc, Ring, Spsc};

/// One operation of one party (ring.md §4-6).
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Attach as the consumer (MPSC: finishes an interrupted release); result null.
    AttachConsumer,
    /// Attach as a producer; result null.
    AttachProducer,
    /// Producer `try_push` of these bytes; result null.
    Push(&'static [u8]),
    /// Consumer `try_pop` into a buffer of this many bytes; result the message (hex).
    Pop(usize),
    /// Consumer `drain`; result the messages (hex), in order.
    Drain,
    /// Producer `reserve(len)`, then drops the grant uncommitted (an abort); result null.
    Abort(usize),
    /// Consumer `unblock` (MPSC); result whether a record was unblocked.
    Unblock,
    /// An observer's `used_bytes` (validated `TAIL - HEAD`); result the number.
    UsedBytes,
    /// `FixedProducer` of `bytes.len()`-byte messages, `try_push`; result null (ring.md §3.3).
    FixedPush(&'static [u8]),
    /// `FixedConsumer` of messages of this many bytes, `try_pop`; result the message (hex).
    FixedPop(usize),
    /// `FixedConsumer` of messages of this many bytes, `pop_with(usize::MAX)`; result the
    /// messages (hex), in order.
    FixedDrain(usize),
}

/// Values of a `push_pods` batch: 8-byte messages (a run's stride is their length) or 5-byte ones
/// (a stride of 8: three padding bytes after each message).
#[derive(Debug, Clone, Copy)]
enum Pods {
    U64(&'static [u64]),
    B5(&'static [[u8; 5]]),
}

/// An honest step of `setup`, each by a fresh party that detaches after it.
#[derive(Debug, Clone, Copy)]
enum Step {
    Push(&'static [u8]),
    /// SPSC producer `push_pods` of these values (all of them must fit): runs of four or more
    /// messages that fit before the end of the data area, single records otherwise.
    PushPods(Pods),
    /// Pop one message (any length).
    Pop,
    /// A producer reserves `len` bytes and dies holding the reservation (MPSC: BUSY stays).
    Stuck(usize),
    /// A producer reserves `len` bytes and aborts.
    Abort(usize),
    /// A `FixedProducer` of `bytes.len()`-byte messages pushes these bytes (ring.md §3.3).
    FixedPush(&'static [u8]),
    /// A `FixedConsumer` of messages of this many bytes pops one.
    FixedPop(usize),
}

/// `(offset, value)`: a `u32` written directly into the region.
type Patch = (usize, u32);

#[derive(Clone, Copy, PartialEq, Eq)]
enum K {
    S,
    M,
}

struct V {
    name: String,
    kind: K,
    capacity: u32,
    start: u32,
    /// The `MESSAGE_SIZE` the ring is formatted with (0: variable-length; ring.md §3.3).
    message_size: u32,
    /// Region length (default `512 + capacity`).
    len: Option<usize>,
    setup: Vec<Step>,
    patch: Vec<Patch>,
    op: Op,
}

fn v(name: impl Into<String>, kind: K, start: u32, setup: Vec<Step>, op: Op) -> V {
    V {
        name: name.into(),
        kind,
        capacity: 64,
        start,
        message_size: r::MESSAGE_SIZE_VARIABLE,
        len: None,
        setup,
        patch: Vec::new(),
        op,
    }
}

fn p(mut x: V, patch: Vec<Patch>) -> V {
    x.patch = patch;
    x
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The error as JSON: the variant name, the fields a replaying party can check (`offset` of
/// `Reserved`, the `corruption` kind of `Corrupt`) and the Rust Debug form (informative).
fn err_json(e: Error) -> String {
    let debug = format!("{e:?}");
    let variant: String = debug
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let extra = match e {
        Error::Reserved { offset, .. } => format!(", \"offset\": {offset}"),
        Error::MessageSize { expected, found } => {
            format!(", \"expected\": {expected}, \"found\": {found}")
        }
        Error::BadMessageSize { found } => format!(", \"found\": {found}"),
        Error::Corrupt(c) => {
            let d = format!("{c:?}");
            let k: String = d.chars().take_while(char::is_ascii_alphanumeric).collect();
            format!(", \"corruption\": \"{k}\"")
        }
        _ => String::new(),
    };
    format!(
        r#"{{ "error": "{variant}"{extra}, "detail": "{}" }}"#,
        debug.replace('"', "'")
    )
}

/// Runs `op` on the ring in `buf` as a fresh party of kind `T`: the result as JSON and, for a
/// successful push, the unspecified padding bytes after the payload.
fn run<T: Kind>(buf: &RegionBuf, op: Op) -> (String, Option<(usize, usize)>) {
    if let Some(r) = run_fixed(buf, op) {
        return r;
    }
    let ring = match Ring::<T>::attach(buf.region()) {
        Ok(x) => x,
        Err(e) => return (err_json(e), None),
    };
    let cap = ring.capacity();
    let r: Result<String, Error> = (|| match op {
        Op::AttachConsumer => ring.consumer().map(|_| "null".into()),
        Op::AttachProducer => ring.producer().map(|_| "null".into()),
        Op::Push(bytes) => {
            ring.producer()?.try_push(bytes)?;
            Ok("null".into())
        }
        Op::Pop(n) => {
            let mut out = vec![0u8; n];
            let got = ring.consumer()?.try_pop(&mut out)?;
            Ok(format!("\"{}\"", hex(&out[..got])))
        }
        Op::Drain => {
            let mut msgs = Vec::new();
            ring.consumer()?
                .drain(|m| msgs.push(format!("\"{}\"", hex(&m.to_vec()))))?;
            Ok(format!("[{}]", msgs.join(", ")))
        }
        Op::Abort(n) => {
            let mut p = ring.producer()?;
            drop(p.reserve(n)?);
            Ok("null".into())
        }
        Op::Unblock => ring.consumer()?.unblock().map(|b| b.to_string()),
        Op::UsedBytes => ring.used_bytes().map(|n| n.to_string()),
        Op::FixedPush(_) | Op::FixedPop(_) | Op::FixedDrain(_) => unreachable!("run_fixed"),
    })();
    match (r, op) {
        (Ok(v), Op::Push(bytes)) => {
            // The pushed record ends at TAIL (SPSC: the producer's store; MPSC: its claim).
            let tail = buf
                .region()
                .u32_at(r::TAIL)
                .unwrap()
                .load(Ordering::Relaxed);
            let size = T::record_size(bytes.len() as u32);
            let off = (tail.wrapping_sub(size) & (cap - 1)) as usize;
            let start = r::HEADER_LEN + off + T::RECORD_HEADER as usize + bytes.len();
            let end = r::HEADER_LEN + off + size as usize;
            let gap = (start < end).then_some((start, end));
            (format!(r#"{{ "ok": {v} }}"#), gap)
        }
        (Ok(v), _) => (format!(r#"{{ "ok": {v} }}"#), None),
        (Err(e), _) => (err_json(e), None),
    }
}

/// Calls `$f::<[u8; n]>($args)` for the message size `n` of a fixed-size vector.
macro_rules! by_size {
    ($n:expr, $f:ident($($a:expr),*)) => {
        match $n {
            4 => $f::<[u8; 4]>($($a),*),
            5 => $f::<[u8; 5]>($($a),*),
            8 => $f::<[u8; 8]>($($a),*),
            12 => $f::<[u8; 12]>($($a),*),
            16 => $f::<[u8; 16]>($($a),*),
            24 => $f::<[u8; 24]>($($a),*),
            n => panic!("no fixed-size vector type of {n} bytes"),
        }
    };
}

/// `FixedProducer::<T>::try_push` of `bytes` (of `T`'s size) as a fresh producer.
fn fixed_push<T: bytemuck::Pod>(ring: &Ring<'_, Spsc>, bytes: &[u8]) -> Result<(), Error> {
    ring.fixed_producer::<T>()?
        .try_push(bytemuck::pod_read_unaligned(bytes))
}

/// `FixedConsumer::<T>::try_pop` as a fresh consumer: the message's bytes.
fn fixed_pop<T: bytemuck::Pod>(ring: &Ring<'_, Spsc>) -> Result<Vec<u8>, Error> {
    let v = ring.fixed_consumer::<T>()?.try_pop()?;
    Ok(bytemuck::bytes_of(&v).to_vec())
}

/// `FixedConsumer::<T>::pop_with(usize::MAX)` as a fresh consumer: every message's bytes.
fn fixed_drain<T: bytemuck::Pod>(ring: &Ring<'_, Spsc>) -> Result<Vec<Vec<u8>>, Error> {
    let mut msgs = Vec::new();
    ring.fixed_consumer::<T>()?
        .pop_with(usize::MAX, |v| msgs.push(bytemuck::bytes_of(&v).to_vec()))?;
    Ok(msgs)
}

/// Runs a fixed-size party's operation (ring.md §3.3; `None` for the others): the result as JSON
/// and, for a successful push, the unspecified padding bytes after the payload.
fn run_fixed(buf: &RegionBuf, op: Op) -> Option<(String, Option<(usize, usize)>)> {
    if !matches!(op, Op::FixedPush(_) | Op::FixedPop(_) | Op::FixedDrain(_)) {
        return None;
    }
    let ring = match Ring::<Spsc>::attach(buf.region()) {
        Ok(x) => x,
        Err(e) => return Some((err_json(e), None)),
    };
    let r: Result<String, Error> = match op {
        Op::FixedPush(bytes) => {
            by_size!(bytes.len(), fixed_push(&ring, bytes)).map(|()| "null".into())
        }
        Op::FixedPop(n) => by_size!(n, fixed_pop(&ring)).map(|m| format!("\"{}\"", hex(&m))),
        Op::FixedDrain(n) => by_size!(n, fixed_drain(&ring)).map(|ms| {
            let ms: Vec<String> = ms.iter().map(|m| format!("\"{}\"", hex(m))).collect();
            format!("[{}]", ms.join(", "))
        }),
        _ => unreachable!(),
    };
    Some(match (r, op) {
        (Ok(v), Op::FixedPush(bytes)) => {
            // The pushed record ends at TAIL; its padding (stride - length bytes) is unspecified.
            let tail = buf
                .region()
                .u32_at(r::TAIL)
                .unwrap()
                .load(Ordering::Relaxed);
            let len = bytes.len() as u32;
            let stride = r::fixed_stride(len);
            let off = (tail.wrapping_sub(stride) & (ring.capacity() - 1)) as usize;
            let (start, end) = (off + len as usize, off + stride as usize);
            let gap = (start < end).then_some((r::HEADER_LEN + start, r::HEADER_LEN + end));
            (format!(r#"{{ "ok": {v} }}"#), gap)
        }
        (Ok(v), _) => (format!(r#"{{ "ok": {v} }}"#), None),
        (Err(e), _) => (err_json(e), None),
    })
}

/// Runs the setup step `s`; returns the unspecified byte ranges it wrote (`push_pods`: the
/// padding after each message, ring.md §3.1, §3.1.1).
fn step<T: Kind>(buf: &RegionBuf, s: Step) -> Vec<(usize, usize)> {
    if let Step::PushPods(pods) = s {
        return push_pods(buf, pods);
    }
    if let Step::FixedPush(_) | Step::FixedPop(_) = s {
        let ring = Ring::<Spsc>::attach(buf.region()).expect("setup: attach (fixed-size is SPSC)");
        let (len, gap) = match s {
            Step::FixedPush(b) => {
                by_size!(b.len(), fixed_push(&ring, b)).expect("setup: fixed push");
                (b.len() as u32, true)
            }
            Step::FixedPop(n) => {
                by_size!(n, fixed_pop(&ring)).expect("setup: fixed pop");
                (n as u32, false)
            }
            _ => unreachable!(),
        };
        // A push leaves its padding (stride - length bytes before TAIL) unspecified.
        let stride = r::fixed_stride(len);
        let tail = buf
            .region()
            .u32_at(r::TAIL)
            .unwrap()
            .load(Ordering::Relaxed);
        let off = r::HEADER_LEN + (tail.wrapping_sub(stride) & (ring.capacity() - 1)) as usize;
        return if gap && len < stride {
            vec![(off + len as usize, off + stride as usize)]
        } else {
            Vec::new()
        };
    }
    let ring = Ring::<T>::attach(buf.region()).expect("setup: attach");
    match s {
        Step::Push(b) => ring.producer().unwrap().try_push(b).expect("setup: push"),
        Step::PushPods(_) | Step::FixedPush(_) | Step::FixedPop(_) => unreachable!(),
        Step::Pop => {
            let mut out = [0u8; 64];
            ring.consumer()
                .unwrap()
                .try_pop(&mut out)
                .expect("setup: pop");
        }
        Step::Stuck(n) => {
            let mut p = ring.producer().unwrap();
            core::mem::forget(p.reserve(n).expect("setup: reserve"));
        }
        Step::Abort(n) => {
            let mut p = ring.producer().unwrap();
            drop(p.reserve(n).expect("setup: reserve"));
        }
    }
    Vec::new()
}

/// An SPSC `push_pods` of every value of `pods` (by a fresh producer); returns the padding bytes
/// after each message it wrote, found by walking the records from the old `TAIL` to the new one.
fn push_pods(buf: &RegionBuf, pods: Pods) -> Vec<(usize, usize)> {
    let ring = Ring::<Spsc>::attach(buf.region()).expect("setup: attach (push_pods is SPSC)");
    let reg = buf.region();
    let word = |o: usize| reg.u32_at(o).unwrap().load(Ordering::Relaxed);
    let from = word(r::TAIL);
    let mut p = ring.producer().unwrap();
    let (pushed, n) = match pods {
        Pods::U64(v) => (p.push_pods(v), v.len()),
        Pods::B5(v) => (p.push_pods(v), v.len()),
    };
    assert_eq!(pushed, Ok(n), "setup: push_pods pushes every value");
    drop(p);
    let (cap, to) = (ring.capacity(), word(r::TAIL));
    let mut gaps = Vec::new();
    let mut gap = |a: usize, b: usize| {
        if a < b {
            gaps.push((a, b));
        }
    };
    let mut pos = from;
    while pos != to {
        let at = r::HEADER_LEN + (pos & (cap - 1)) as usize;
        let w = word(at);
        let size = if w & r::SPSC_PADDING != 0 {
            r::spsc_record_size(w & !r::SPSC_PADDING)
        } else if w & r::SPSC_RUN != 0 {
            let (count, len) = (
                w & r::SPSC_RUN_COUNT_MASK,
                word(at + r::SPSC_RUN_LEN as usize),
            );
            let stride = ((len + 3) & !3) as usize;
            for i in 0..count as usize {
                let m = at + r::SPSC_RUN_HEADER as usize + i * stride;
                gap(m + len as usize, m + stride);
            }
            r::spsc_run_size(count, len).unwrap()
        } else {
            let size = r::spsc_record_size(w);
            gap(
                at + r::SPSC_RECORD_HEADER as usize + w as usize,
                at + size as usize,
            );
            size
        };
        pos = pos.wrapping_add(size);
    }
    gaps
}

fn step_json(s: Step) -> String {
    match s {
        Step::Push(b) => format!(r#"{{ "push": "{}" }}"#, hex(b)),
        Step::PushPods(pods) => {
            let msgs: Vec<String> = match pods {
                Pods::U64(v) => v
                    .iter()
                    .map(|x| format!("\"{}\"", hex(&x.to_le_bytes())))
                    .collect(),
                Pods::B5(v) => v.iter().map(|x| format!("\"{}\"", hex(x))).collect(),
            };
            format!(r#"{{ "push_pods": [{}] }}"#, msgs.join(", "))
        }
        Step::Pop => r#"{ "pop": true }"#.into(),
        Step::Stuck(n) => format!(r#"{{ "reserve_and_die": {n} }}"#),
        Step::Abort(n) => format!(r#"{{ "reserve_and_abort": {n} }}"#),
        Step::FixedPush(b) => format!(r#"{{ "fixed_push": "{}" }}"#, hex(b)),
        Step::FixedPop(n) => format!(r#"{{ "fixed_pop": {n} }}"#),
    }
}

fn op_json(op: Op) -> String {
    match op {
        Op::AttachConsumer => r#"{ "op": "attach_consumer" }"#.into(),
        Op::AttachProducer => r#"{ "op": "attach_producer" }"#.into(),
        Op::Push(b) => format!(r#"{{ "op": "try_push", "bytes": "{}" }}"#, hex(b)),
        Op::Pop(n) => format!(r#"{{ "op": "try_pop", "buf_len": {n} }}"#),
        Op::Drain => r#"{ "op": "drain" }"#.into(),
        Op::Abort(n) => format!(r#"{{ "op": "abort", "len": {n} }}"#),
        Op::Unblock => r#"{ "op": "unblock" }"#.into(),
        Op::UsedBytes => r#"{ "op": "used_bytes" }"#.into(),
        Op::FixedPush(b) => format!(r#"{{ "op": "fixed_push", "bytes": "{}" }}"#, hex(b)),
        Op::FixedPop(n) => format!(r#"{{ "op": "fixed_pop", "message_size": {n} }}"#),
        Op::FixedDrain(n) => format!(r#"{{ "op": "fixed_drain", "message_size": {n} }}"#),
    }
}

/// The non-zero `u32` words of the region as `[[offset, value], …]`.
fn words(buf: &RegionBuf) -> String {
    let reg = buf.region();
    let items: Vec<String> = (0..reg.len())
        .step_by(4)
        .filter_map(|o| {
            let x = reg.u32_at(o).ok()?.load(Ordering::Relaxed);
            (x != 0).then(|| format!("[{o}, {x}]"))
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// Data-area region offset of position `pos` in a 64-byte ring.
const fn d(pos: u32) -> usize {
    r::HEADER_LEN + (pos & 63) as usize
}

/// Near the end of `u32` positions: data offset 48 (16 bytes before the end of a 64-byte ring).
const HIGH: u32 = u32::MAX - 15;

fn vectors() -> Vec<V> {
    use Op::*;
    use Step::{Abort as Ab, Pop as Po, Push as Pu, Stuck};
    use K::{M, S};
    let a4: &[u8] = b"abcd";
    let b12: &[u8] = b"twelve bytes";
    let m24: &[u8] = &[0x5a; 24];
    let m16: &[u8] = &[0x11; 16];
    let m8: &[u8] = &[0x22; 8];
    let hdr = |x: V, o: usize, val: u32| p(x, vec![(o, val)]);
    let fresh = |name: &str, k, op| v(name, k, 0, Vec::new(), op);
    vec![
        // Attach and header validation (ring.md §2, §5.1, §4.5).
        fresh("attach consumer: a fresh SPSC ring", S, AttachConsumer),
        fresh("attach producer: a fresh MPSC ring", M, AttachProducer),
        hdr(
            fresh("attach: magic 0 (not formatted)", S, AttachConsumer),
            r::MAGIC,
            0,
        ),
        hdr(fresh("attach: version 1", M, AttachConsumer), r::VERSION, 1),
        hdr(fresh("attach: version 2", S, AttachConsumer), r::VERSION, 2),
        hdr(
            fresh("attach: an MPSC ring as SPSC", S, AttachConsumer),
            r::KIND,
            r::KIND_MPSC,
        ),
        hdr(fresh("attach: kind 3", S, AttachConsumer), r::KIND, 3),
        hdr(fresh("attach: kind 0", M, AttachProducer), r::KIND, 0),
        hdr(
            fresh("attach: mode 2 (unknown)", S, AttachConsumer),
            r::MODE,
            2,
        ),
        hdr(
            fresh("attach: a polling ring (mode 1)", M, AttachConsumer),
            r::MODE,
            1,
        ),
        hdr(fresh("attach: reserved word 60", M, AttachConsumer), 60, 7),
        hdr(
            fresh(
                "attach: reserved word 136 (HEAD line padding)",
                M,
                AttachProducer,
            ),
            136,
            1,
        ),
        hdr(
            fresh(
                "attach: reserved word 508 (TAIL line padding)",
                S,
                AttachProducer,
            ),
            508,
            0x8000_0000,
        ),
        hdr(
            fresh("attach: capacity not a power of two", S, AttachConsumer),
            r::CAPACITY,
            96,
        ),
        hdr(
            fresh("attach: capacity below 64", M, AttachConsumer),
            r::CAPACITY,
            32,
        ),
        hdr(
            fresh("attach: capacity 0", S, AttachProducer),
            r::CAPACITY,
            0,
        ),
        hdr(
            fresh("attach: capacity 2^31 in a small region", S, AttachProducer),
            r::CAPACITY,
            r::MAX_CAPACITY,
        ),
        hdr(
            fresh("attach: capacity larger than the region", M, AttachConsumer),
            r::CAPACITY,
            128,
        ),
        V {
            len: Some(256),
            ..fresh(
                "attach: zero bytes shorter than a header",
                S,
                AttachConsumer,
            )
        },
        p(
            fresh(
                "attach consumer: role taken and TAIL not 4-aligned",
                S,
                AttachConsumer,
            ),
            vec![(r::CONSUMER_ROLE, 1), (r::TAIL, 2)],
        ),
        p(
            fresh(
                "attach producer: SPSC role taken and HEAD ahead of TAIL",
                S,
                AttachProducer,
            ),
            vec![(r::PRODUCER_ROLE, 1), (r::HEAD, 8)],
        ),
        hdr(
            fresh("attach consumer: role taken", M, AttachConsumer),
            r::CONSUMER_ROLE,
            1,
        ),
        hdr(
            fresh("attach producer: SPSC role taken", S, AttachProducer),
            r::PRODUCER_ROLE,
            1,
        ),
        hdr(
            fresh(
                "attach consumer: role held by a party id (ring.md §2.2)",
                M,
                AttachConsumer,
            ),
            r::CONSUMER_ROLE,
            4242,
        ),
        hdr(
            fresh(
                "attach producer: SPSC role held by a party id (ring.md §2.2)",
                S,
                AttachProducer,
            ),
            r::PRODUCER_ROLE,
            4242,
        ),
        hdr(
            fresh("attach producer: MPSC counts producers", M, AttachProducer),
            r::PRODUCER_ROLE,
            3,
        ),
        hdr(
            fresh(
                "attach consumer: SPSC TAIL not 4-aligned",
                S,
                AttachConsumer,
            ),
            r::TAIL,
            2,
        ),
        hdr(
            fresh(
                "attach consumer: SPSC TAIL 4-aligned (valid)",
                S,
                AttachConsumer,
            ),
            r::TAIL,
            4,
        ),
        hdr(
            fresh(
                "attach consumer: MPSC TAIL not 8-aligned",
                M,
                AttachConsumer,
            ),
            r::TAIL,
            4,
        ),
        p(
            fresh(
                "attach producer: SPSC HEAD not 4-aligned (role released)",
                S,
                AttachProducer,
            ),
            vec![(r::HEAD, 2), (r::TAIL, 8)],
        ),
        p(
            fresh(
                "attach producer: MPSC HEAD not 8-aligned",
                M,
                AttachProducer,
            ),
            vec![(r::HEAD, 4), (r::TAIL, 8)],
        ),
        hdr(
            fresh("attach consumer: TAIL - HEAD > capacity", M, AttachConsumer),
            r::TAIL,
            72,
        ),
        hdr(
            fresh("attach producer: HEAD ahead of TAIL", M, AttachProducer),
            r::HEAD,
            8,
        ),
        hdr(
            fresh("used_bytes: TAIL - HEAD > capacity", S, UsedBytes),
            r::TAIL,
            80,
        ),
        v(
            "used_bytes: across the u32 wrap",
            M,
            HIGH,
            vec![Pu(a4), Pu(m8)],
            UsedBytes,
        ),
        // Interrupted MPSC release (ring.md §5.1, §5.3).
        p(
            v(
                "attach consumer: finishes an interrupted release",
                M,
                0,
                vec![Pu(a4), Pu(b12)],
                AttachConsumer,
            ),
            vec![(r::RELEASE_TO, 16), (d(0), 0), (d(4), 0)],
        ),
        p(
            v(
                "try_pop: after finishing an interrupted release",
                M,
                0,
                vec![Pu(a4), Pu(b12)],
                Pop(16),
            ),
            vec![(r::RELEASE_TO, 16), (d(0), 0), (d(4), 0), (d(8), 0)],
        ),
        hdr(
            v(
                "attach consumer: RELEASE_TO not 8-aligned",
                M,
                0,
                vec![Pu(a4)],
                AttachConsumer,
            ),
            r::RELEASE_TO,
            4,
        ),
        hdr(
            v(
                "attach consumer: RELEASE_TO beyond TAIL",
                M,
                0,
                vec![Pu(a4)],
                AttachConsumer,
            ),
            r::RELEASE_TO,
            24,
        ),
        hdr(
            v(
                "attach consumer: SPSC ignores RELEASE_TO",
                S,
                0,
                vec![Pu(a4)],
                Pop(8),
            ),
            r::RELEASE_TO,
            4,
        ),
        // Push.
        fresh("try_push: SPSC", S, Push(b12)),
        fresh("try_push: MPSC", M, Push(b12)),
        fresh("try_push: SPSC zero-length", S, Push(b"")),
        fresh("try_push: MPSC zero-length", M, Push(b"")),
        v(
            "try_push: SPSC wraps (padding at the end)",
            S,
            48,
            Vec::new(),
            Push(b12),
        ),
        v(
            "try_push: MPSC wraps across the u32 wrap",
            M,
            HIGH,
            Vec::new(),
            Push(b12),
        ),
        v(
            "try_push: SPSC over stale bytes of an earlier lap",
            S,
            0,
            vec![Pu(m24), Po, Pu(m16), Po, Pu(m8), Po],
            Push(b"xyz"),
        ),
        v("try_push: full", S, 0, vec![Pu(m24), Pu(m24)], Push(b"")),
        v(
            "try_push: MPSC full",
            M,
            0,
            vec![Pu(m24), Pu(m24)],
            Push(b""),
        ),
        v(
            "try_push: full because of the wrap",
            M,
            0,
            vec![Pu(m16), Pu(m8), Po],
            Push(m24),
        ),
        fresh("try_push: too large", S, Push(&[1; 25])),
        v(
            "try_push: MPSC after another producer's busy record",
            M,
            0,
            vec![Stuck(4)],
            Push(a4),
        ),
        // Pop and drain.
        v("try_pop: SPSC", S, 0, vec![Pu(b12)], Pop(12)),
        v("try_pop: MPSC (space zeroed)", M, 0, vec![Pu(b12)], Pop(64)),
        v(
            "try_pop: SPSC zero-length",
            S,
            0,
            vec![Pu(b""), Pu(a4)],
            Pop(0),
        ),
        v(
            "try_pop: MPSC zero-length",
            M,
            0,
            vec![Pu(b""), Pu(a4)],
            Pop(0),
        ),
        v("try_pop: buffer too small", S, 0, vec![Pu(b12)], Pop(11)),
        v(
            "try_pop: SPSC buffer too small behind padding (padding released)",
            S,
            48,
            vec![Pu(b12)],
            Pop(4),
        ),
        v(
            "try_pop: MPSC buffer too small behind padding (padding released)",
            M,
            48,
            vec![Pu(b12)],
            Pop(4),
        ),
        v(
            "try_pop: SPSC across the wrap",
            S,
            HIGH,
            vec![Pu(b12)],
            Pop(16),
        ),
        v(
            "try_pop: MPSC across the wrap",
            M,
            48,
            vec![Pu(b12)],
            Pop(16),
        ),
        fresh("try_pop: SPSC empty", S, Pop(8)),
        fresh("try_pop: MPSC empty", M, Pop(8)),
        v(
            "try_pop: MPSC busy record at the head",
            M,
            0,
            vec![Stuck(4), Pu(a4)],
            Pop(8),
        ),
        v(
            "try_pop: MPSC aborted record at the head is skipped",
            M,
            0,
            vec![Ab(4), Pu(a4)],
            Pop(8),
        ),
        v(
            "try_pop: SPSC records past TAIL are never read",
            S,
            0,
            vec![Pu(a4), Po],
            Pop(8),
        ),
        p(
            v(
                "drain: SPSC a message header past TAIL is never read",
                S,
                0,
                vec![Pu(a4)],
                Drain,
            ),
            vec![(d(8), 4), (d(12), 0x6161_6161)],
        ),
        p(
            v(
                "drain: MPSC a committed record past TAIL is delivered (TAIL is not consulted, §5.2)",
                M,
                0,
                vec![Pu(a4)],
                Drain,
            ),
            vec![(d(16), 4), (d(20), r::committed_tag(16))],
        ),
        p(
            v(
                "try_pop: MPSC a committed tag a whole lap behind reads as empty (a late commit, §6)",
                M,
                64,
                vec![],
                Pop(8),
            ),
            vec![(d(4), r::committed_tag(0)), (r::TAIL, 80)],
        ),
        v(
            "drain: SPSC across the wrap",
            S,
            32,
            vec![Pu(a4), Pu(b""), Pu(b12)],
            Drain,
        ),
        v(
            "drain: MPSC across the u32 wrap",
            M,
            HIGH,
            vec![Pu(a4), Pu(b""), Pu(b12)],
            Drain,
        ),
        fresh("drain: SPSC empty", S, Drain),
        v(
            "try_pop: MPSC only an aborted record (padding released), empty",
            M,
            0,
            vec![Ab(4)],
            Pop(8),
        ),
        p(
            v(
                "try_pop: SPSC TAIL covers wrap padding only (released), empty",
                S,
                48,
                Vec::new(),
                Pop(8),
            ),
            vec![(d(48), r::SPSC_PADDING | 12), (r::TAIL, 64)],
        ),
        fresh("try_push: exactly max_message", M, Push(&[7; 24])),
        v(
            "try_pop: MPSC a whole lap of padding is released, then empty",
            M,
            0,
            vec![Ab(24), Ab(24)],
            Pop(8),
        ),
        v(
            "drain: MPSC aborted records around the wrap",
            M,
            32,
            vec![Ab(8), Pu(a4), Ab(12), Pu(b"")],
            Drain,
        ),
        p(
            v(
                "try_push: SPSC over an unpublished record of a dead producer",
                S,
                0,
                vec![Pu(a4)],
                Push(b"xyz"),
            ),
            vec![(d(8), 4), (d(12), 0x6464_6464)],
        ),
        v(
            "drain: MPSC stops at a busy record",
            M,
            0,
            vec![Pu(a4), Stuck(0), Pu(a4)],
            Drain,
        ),
        p(
            v(
                "drain: corruption after a message (the message is consumed)",
                M,
                0,
                vec![Pu(a4), Pu(a4)],
                Drain,
            ),
            vec![(d(20), 9)],
        ),
        // Abort and unblock.
        fresh("abort: SPSC (nothing published)", S, Abort(4)),
        v(
            "abort: SPSC at the wrap (padding written, not published)",
            S,
            48,
            Vec::new(),
            Abort(12),
        ),
        fresh("abort: MPSC (the record becomes padding)", M, Abort(4)),
        v("abort: MPSC at the wrap", M, 48, Vec::new(), Abort(12)),
        v(
            "unblock: MPSC busy record at the head",
            M,
            0,
            vec![Stuck(4), Pu(a4)],
            Unblock,
        ),
        v(
            "unblock: MPSC busy record behind padding",
            M,
            48,
            vec![Stuck(12)],
            Unblock,
        ),
        v("unblock: MPSC nothing stuck", M, 0, vec![Pu(a4)], Unblock),
        fresh("unblock: MPSC empty ring", M, Unblock),
        // Hostile records (ring.md §5.2, §5.4).
        hdr(
            v("corrupt: MPSC unknown state", M, 0, vec![Pu(a4)], Pop(8)),
            d(4),
            7,
        ),
        hdr(
            v(
                "corrupt: MPSC version 3's COMMITTED word (1)",
                M,
                0,
                vec![Pu(a4)],
                Pop(8),
            ),
            d(4),
            1,
        ),
        p(
            v(
                "corrupt: MPSC committed tag of a position not a whole lap behind",
                M,
                64,
                vec![],
                Pop(8),
            ),
            vec![(d(4), r::committed_tag(8)), (r::TAIL, 80)],
        ),
        hdr(
            v(
                "corrupt: MPSC busy tag of another position",
                M,
                0,
                vec![Stuck(4)],
                Pop(8),
            ),
            d(4),
            r::busy_tag(8),
        ),
        hdr(
            v(
                "corrupt: SPSC padding word crossing the tail",
                S,
                0,
                vec![Pu(a4)],
                Pop(8),
            ),
            d(0),
            r::SPSC_PADDING | 12,
        ),
        hdr(
            v(
                "corrupt: SPSC absurd message length (all bits but the padding flag)",
                S,
                0,
                vec![Pu(a4)],
                Pop(8),
            ),
            d(0),
            !r::SPSC_PADDING,
        ),
        hdr(
            v(
                "corrupt: SPSC padding of a whole ring",
                S,
                0,
                vec![Pu(m24), Pu(m16)],
                Pop(32),
            ),
            d(0),
            r::SPSC_PADDING | 60,
        ),
        hdr(
            v(
                "corrupt: length above max_message",
                S,
                0,
                vec![Pu(m24), Pu(m16)],
                Pop(32),
            ),
            d(0),
            25,
        ),
        hdr(
            v(
                "corrupt: SPSC length crossing the end of the data area",
                S,
                48,
                vec![Pu(a4), Pu(a4)],
                Pop(16),
            ),
            d(48),
            13,
        ),
        hdr(
            v(
                "corrupt: MPSC length crossing the end of the data area",
                M,
                48,
                vec![Pu(a4), Pu(a4)],
                Pop(16),
            ),
            d(48),
            12,
        ),
        hdr(
            v(
                "corrupt: SPSC length crossing the tail",
                S,
                0,
                vec![Pu(a4)],
                Pop(16),
            ),
            d(0),
            12,
        ),
        hdr(
            v(
                "try_pop: MPSC a length crossing the tail is not checked (§5.2): bytes inside the data area",
                M,
                0,
                vec![Pu(a4)],
                Pop(16),
            ),
            d(0),
            12,
        ),
        hdr(
            v(
                "corrupt: SPSC padding crossing the end of the data area",
                S,
                48,
                vec![Pu(b12)],
                Pop(16),
            ),
            d(48),
            r::SPSC_PADDING | 16,
        ),
        hdr(
            v(
                "corrupt: padding longer than capacity - 16",
                M,
                0,
                vec![Pu(m24), Pu(m16)],
                Pop(32),
            ),
            d(4),
            r::STATE_PADDING,
        )
        .with_extra((d(0), 56)),
    ]
    .into_iter()
    .chain(runs())
    .chain(fixed())
    .chain(wrap_sweep())
    .collect()
}

/// 8-byte messages of the fixed-size vectors: message `i` is the bytes `i0 i1 … i7` (hex).
static X8: [[u8; 8]; 8] = {
    let mut m = [[0; 8]; 8];
    let mut i = 0;
    while i < 8 {
        let mut j = 0;
        while j < 8 {
            m[i][j] = (0x80 + 0x10 * i + j) as u8;
            j += 1;
        }
        i += 1;
    }
    m
};

/// 12-byte messages of the fixed-size vectors (a stride that does not divide the capacity).
static X12: [[u8; 12]; 5] = {
    let mut m = [[0; 12]; 5];
    let mut i = 0;
    while i < 5 {
        let mut j = 0;
        while j < 12 {
            m[i][j] = (0x10 + 0x10 * i + j) as u8;
            j += 1;
        }
        i += 1;
    }
    m
};

/// Fixed-size SPSC rings (ring.md §3.3): pushes and pops across the end of the data area and the
/// u32 wrap with a stride that divides the capacity (8) and one that does not (12: the bytes
/// before the end that a record does not fit in are skipped), full and empty rings, a tail that
/// does not end on a record boundary, is not 4-aligned or is more than a capacity ahead (all
/// `Corrupt(Positions)`), `MESSAGE_SIZE` words no ring may have (`BadMessageSize`), and parties
/// whose message size is not the ring's (`MessageSize`).
fn fixed() -> Vec<V> {
    use Op::*;
    use Step::{FixedPop as FPo, FixedPush as FPu, Push as Pu};
    use K::{M, S};
    let fx = |name: &str, size: u32, start, setup, op| V {
        message_size: size,
        ..v(name, S, start, setup, op)
    };
    let (a8, b8, c8, d8) = (&X8[0][..], &X8[1][..], &X8[2][..], &X8[3][..]);
    let (a12, b12, c12, d12, e12) = (
        &X12[0][..],
        &X12[1][..],
        &X12[2][..],
        &X12[3][..],
        &X12[4][..],
    );
    let eight: Vec<Step> = X8.iter().map(|m| FPu(&m[..])).collect();
    // Data offset 56: 8 bytes before the end, too few for a 12-byte record.
    let off56 = u32::MAX - 7;
    vec![
        // Honest pushes (the producer's slot rule, §3.3).
        fx("fixed_push: 8-byte messages (a stride that divides the capacity)", 8, 0, vec![], FixedPush(a8)),
        fx(
            "fixed_push: 12-byte message at data offset 48 (16 bytes to the end: it fits)",
            12,
            HIGH,
            vec![],
            FixedPush(a12),
        ),
        fx(
            "fixed_push: 12-byte message at data offset 56 (the 8 bytes to the end are skipped, across the u32 wrap)",
            12,
            off56,
            vec![],
            FixedPush(a12),
        ),
        fx(
            "fixed_push: 8-byte message at data offset 56 (nothing skipped, TAIL wraps u32 to 0)",
            8,
            off56,
            vec![],
            FixedPush(a8),
        ),
        fx(
            "fixed_push: 5-byte messages (stride 8, the padding unspecified)",
            5,
            0,
            vec![FPu(&X8[1][..5])],
            FixedPush(&X8[2][..5]),
        ),
        fx(
            "fixed_push: messages of max_message bytes, the record after the skip",
            24,
            0,
            vec![FPu(&[0x5a; 24]), FPu(&[0x5b; 24]), FPo(24), FPo(24)],
            FixedPush(&[0x5c; 24]),
        ),
        fx("fixed_push: 8-byte, full (eight records)", 8, 0, eight.clone(), FixedPush(a8)),
        fx(
            "fixed_push: 12-byte, full (five records and 4 skipped bytes)",
            12,
            0,
            vec![FPu(a12), FPu(b12), FPu(c12), FPu(d12), FPu(e12)],
            FixedPush(a12),
        ),
        fx(
            "fixed_push: 12-byte, full with 16 bytes free (the record does not fit before the end, the start is not free)",
            12,
            8,
            vec![FPu(a12), FPu(b12), FPu(c12), FPu(d12)],
            FixedPush(e12),
        ),
        fx(
            "fixed_push: 12-byte, the skipped bytes and the record are free after a pop",
            12,
            8,
            vec![FPu(a12), FPu(b12), FPu(c12), FPu(d12), FPo(12)],
            FixedPush(e12),
        ),
        // Honest pops and drains (the consumer's slot rule, §3.3).
        fx("fixed_pop: 8-byte message", 8, 0, vec![FPu(a8), FPu(b8)], FixedPop(8)),
        fx(
            "fixed_pop: 12-byte message after the skipped bytes, across the u32 wrap",
            12,
            off56,
            vec![FPu(a12)],
            FixedPop(12),
        ),
        fx(
            "fixed_pop: 5-byte message (stride 8)",
            5,
            0,
            vec![FPu(&X8[1][..5]), FPu(&X8[2][..5])],
            FixedPop(5),
        ),
        fx("fixed_pop: empty", 12, 0, vec![], FixedPop(12)),
        fx(
            "fixed_pop: empty after a message (HEAD == TAIL across the skip)",
            12,
            off56,
            vec![FPu(a12), FPo(12)],
            FixedPop(12),
        ),
        fx(
            "fixed_drain: 12-byte messages across the skipped bytes (one HEAD store)",
            12,
            32,
            vec![FPu(a12), FPu(b12), FPu(c12), FPu(d12)],
            FixedDrain(12),
        ),
        fx(
            "fixed_drain: 8-byte messages across the u32 wrap (nothing skipped)",
            8,
            HIGH,
            vec![FPu(a8), FPu(b8), FPu(c8), FPu(d8)],
            FixedDrain(8),
        ),
        fx("fixed_drain: a full ring of 8-byte messages", 8, 0, eight, FixedDrain(8)),
        fx("fixed_drain: empty", 8, 0, vec![], FixedDrain(8)),
        fx(
            "used_bytes: a fixed-size ring (the skipped bytes count)",
            12,
            HIGH,
            vec![FPu(a12), FPu(b12)],
            UsedBytes,
        ),
        // Hostile tails (§3.3, §5.4): Corrupt(Positions), nothing consumed.
        p(
            fx(
                "corrupt: fixed TAIL short of a record (8 of 12 bytes)",
                12,
                0,
                vec![FPu(a12)],
                FixedPop(12),
            ),
            vec![(r::TAIL, 8)],
        ),
        p(
            fx(
                "corrupt: fixed TAIL covering only the skipped bytes before the end",
                12,
                48,
                vec![FPu(a12), FPo(12)],
                FixedPop(12),
            ),
            vec![(r::TAIL, 64)],
        ),
        p(
            fx(
                "corrupt: fixed TAIL not 4-aligned",
                12,
                0,
                vec![FPu(a12)],
                FixedPop(12),
            ),
            vec![(r::TAIL, 14)],
        ),
        p(
            fx(
                "corrupt: fixed TAIL more than a capacity ahead",
                8,
                0,
                vec![FPu(a8)],
                FixedDrain(8),
            ),
            vec![(r::TAIL, 72)],
        ),
        p(
            fx(
                "corrupt: fixed TAIL short of the third record in a drain (two consumed)",
                12,
                0,
                vec![FPu(a12), FPu(b12), FPu(c12)],
                FixedDrain(12),
            ),
            vec![(r::TAIL, 32)],
        ),
        p(
            fx(
                "corrupt: fixed HEAD not 4-aligned (producer)",
                8,
                0,
                vec![FPu(a8), FPu(b8)],
                FixedPush(c8),
            ),
            vec![(r::HEAD, 2)],
        ),
        // MESSAGE_SIZE words no ring may have (§2, §5.1): BadMessageSize.
        p(
            v("attach: MESSAGE_SIZE on an MPSC ring", M, 0, vec![], AttachConsumer),
            vec![(r::MESSAGE_SIZE, 8)],
        ),
        p(
            v(
                "attach: MESSAGE_SIZE above max_message",
                S,
                0,
                vec![],
                AttachProducer,
            ),
            vec![(r::MESSAGE_SIZE, 25)],
        ),
        p(
            fx(
                "fixed_pop: MESSAGE_SIZE 2^31 on a fixed-size ring",
                8,
                0,
                vec![FPu(a8)],
                FixedPop(8),
            ),
            vec![(r::MESSAGE_SIZE, 0x8000_0000)],
        ),
        // A party of the wrong framing (§2, §3.3): MessageSize, no role claimed.
        fx(
            "attach consumer: a variable-length consumer on a fixed-size ring",
            8,
            0,
            vec![FPu(a8)],
            AttachConsumer,
        ),
        fx(
            "try_push: a variable-length producer on a fixed-size ring",
            12,
            0,
            vec![],
            Push(b"abcd"),
        ),
        fx(
            "drain: a variable-length consumer on a fixed-size ring",
            8,
            0,
            vec![FPu(a8)],
            Drain,
        ),
        v(
            "fixed_pop: a fixed-size consumer on a variable-length ring",
            S,
            0,
            vec![Pu(a8)],
            FixedPop(8),
        ),
        v(
            "fixed_push: a fixed-size producer on a variable-length ring",
            S,
            0,
            vec![],
            FixedPush(a8),
        ),
        fx(
            "fixed_push: a fixed-size producer of another size",
            8,
            0,
            vec![],
            FixedPush(a12),
        ),
        fx(
            "fixed_pop: a fixed-size consumer of another size",
            12,
            0,
            vec![FPu(a12)],
            FixedPop(16),
        ),
        p(
            v(
                "fixed_pop: a fixed-size consumer on an MPSC ring",
                S,
                0,
                vec![],
                FixedPop(8),
            ),
            vec![(r::KIND, r::KIND_MPSC)],
        ),
        p(
            fx(
                "fixed_pop: consumer role taken",
                8,
                0,
                vec![FPu(a8)],
                FixedPop(8),
            ),
            vec![(r::CONSUMER_ROLE, 1)],
        ),
        p(
            fx(
                "fixed_push: producer role taken",
                8,
                0,
                vec![],
                FixedPush(a8),
            ),
            vec![(r::PRODUCER_ROLE, 4242)],
        ),
    ]
}

/// 8-byte values of the `push_pods` batches: message `i` is the bytes `i1 i2 … i8` (hex).
static Q: [u64; 5] = [
    0x1817_1615_1413_1211,
    0x2827_2625_2423_2221,
    0x3837_3635_3433_3231,
    0x4847_4645_4443_4241,
    0x5857_5655_5453_5251,
];

/// 5-byte values of the `push_pods` batches: a run's stride is 8, three padding bytes each.
static F: [[u8; 5]; 4] = [
    [0xa1, 0xa2, 0xa3, 0xa4, 0xa5],
    [0xb1, 0xb2, 0xb3, 0xb4, 0xb5],
    [0xc1, 0xc2, 0xc3, 0xc4, 0xc5],
    [0xd1, 0xd2, 0xd3, 0xd4, 0xd5],
];

/// SPSC runs (ring.md §3.1.1, §5.2): taken one by one (`TAKEN` stored, `HEAD` never inside a
/// run), drained whole, resumed at `TAKEN` by a fresh consumer, after wrap padding, and hostile
/// run headers (every one a `Corrupt` error, ring.md §5.4).
fn runs() -> Vec<V> {
    use Op::*;
    use Step::{Pop as Po, Push as Pu, PushPods as PP};
    use K::S;
    let a4: &[u8] = b"abcd";
    // Four 8-byte messages: one 44-byte run (12 + 4 · 8) at data offset 0, TAIL = 44.
    let q4 = PP(Pods::U64(&Q[..4]));
    let q3 = PP(Pods::U64(&Q[..3]));
    let q5 = PP(Pods::U64(&Q[..5]));
    // Four 5-byte messages: one 44-byte run of stride 8.
    let f4 = PP(Pods::B5(&F[..4]));
    // The run's header words at data offset 0.
    let (count, len, taken) = (d(0), d(r::SPSC_RUN_LEN), d(r::SPSC_RUN_TAKEN));
    let bad = |name: &str, start, setup, patch| p(v(name, S, start, setup, Pop(8)), patch);
    vec![
        // Honest runs.
        v(
            "try_pop: SPSC run, first message (TAKEN = 1 stored, HEAD stays at the run)",
            S,
            0,
            vec![q4],
            Pop(8),
        ),
        v(
            "try_pop: SPSC run of 5-byte messages (stride 8), first message",
            S,
            0,
            vec![f4],
            Pop(8),
        ),
        v(
            "try_pop: SPSC run resumed at TAKEN = 2 by a fresh consumer (message 2)",
            S,
            0,
            vec![q4, Po, Po],
            Pop(8),
        ),
        p(
            v(
                "try_pop: SPSC run with TAKEN = 2 written by a dead consumer (message 2)",
                S,
                0,
                vec![f4],
                Pop(8),
            ),
            vec![(taken, 2)],
        ),
        v(
            "try_pop: SPSC last message of a run releases the run (HEAD to its end)",
            S,
            0,
            vec![q4, Po, Po, Po],
            Pop(8),
        ),
        v(
            "try_pop: SPSC buffer too small for a run's message (nothing consumed)",
            S,
            0,
            vec![q4],
            Pop(7),
        ),
        v(
            "try_pop: SPSC run after wrap padding (padding released, TAKEN = 1 stored)",
            S,
            56,
            vec![q5],
            Pop(8),
        ),
        v(
            "drain: SPSC a whole run (HEAD moves to its end)",
            S,
            0,
            vec![q4],
            Drain,
        ),
        v(
            "drain: SPSC run of 5-byte messages from TAKEN = 1",
            S,
            0,
            vec![f4, Po],
            Drain,
        ),
        v(
            "drain: SPSC a run, then a record",
            S,
            0,
            vec![q4, Pu(a4)],
            Drain,
        ),
        v(
            "drain: SPSC a batch of three is three records (no run)",
            S,
            0,
            vec![q3],
            Drain,
        ),
        v(
            "drain: SPSC one batch: a record, wrap padding, a run",
            S,
            48,
            vec![q5],
            Drain,
        ),
        v(
            "drain: SPSC wrap padding, then a run across the u32 wrap",
            S,
            u32::MAX - 7,
            vec![q5],
            Drain,
        ),
        p(
            v(
                "drain: SPSC corruption after a run (the run is consumed)",
                S,
                0,
                vec![q4, Pu(a4)],
                Drain,
            ),
            vec![(d(44), 25)],
        ),
        // Hostile run headers (ring.md §3.1.1, §5.2).
        bad(
            "corrupt: SPSC run of count 0",
            0,
            vec![q4],
            vec![(count, r::SPSC_RUN)],
        ),
        bad("corrupt: SPSC run with L = 0", 0, vec![q4], vec![(len, 0)]),
        bad(
            "corrupt: SPSC run with L above max_message",
            0,
            vec![q4],
            vec![(len, 25)],
        ),
        bad(
            "corrupt: SPSC run crossing the tail",
            0,
            vec![q4],
            vec![(count, r::SPSC_RUN | 5)],
        ),
        // A run of four at data offset 16 (to 60), wrap padding and a record at 0 (TAIL 72).
        bad(
            "corrupt: SPSC run crossing the end of the data area (within the tail)",
            16,
            vec![q4, Pu(a4)],
            vec![(d(16), r::SPSC_RUN | 5)],
        ),
        bad(
            "corrupt: SPSC run header crossing the tail",
            0,
            vec![Pu(a4)],
            vec![(count, r::SPSC_RUN | 1)],
        ),
        bad(
            "corrupt: SPSC run header crossing the end of the data area",
            56,
            vec![Pu(a4), Pu(a4)],
            vec![(d(56), r::SPSC_RUN | 1)],
        ),
        bad(
            "corrupt: SPSC run with TAKEN = count",
            0,
            vec![q4],
            vec![(taken, 4)],
        ),
        bad(
            "corrupt: SPSC run whose count · stride wraps u32 to the run's size (2^29 + 4 messages)",
            0,
            vec![q4],
            vec![(count, r::SPSC_RUN | ((1 << 29) + 4))],
        ),
        bad(
            "corrupt: SPSC run of the largest count (size beyond u32)",
            0,
            vec![q4],
            vec![(count, r::SPSC_RUN | r::SPSC_RUN_COUNT_MASK)],
        ),
    ]
}

/// Payload bytes of the sweep.
static SWEEP: [u8; 24] = [
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
];

/// A push into an empty ring, and a pop of the message pushed, for both kinds, with the tail 24,
/// 16 or 8 bytes before the end of the data area and payloads whose record fits just, just not,
/// or with room: every branch of the wrap arithmetic (ring.md §4.1).
fn wrap_sweep() -> Vec<V> {
    let mut out = Vec::new();
    for kind in [K::S, K::M] {
        let k = if kind == K::S { "SPSC" } else { "MPSC" };
        for start in [40u32, 48, 56] {
            for n in [0usize, 8, 9, 12, 16, 20] {
                let msg: &'static [u8] = &SWEEP[..n];
                out.push(v(
                    format!("wrap sweep: {k} push {n} bytes at data offset {start}"),
                    kind,
                    start,
                    Vec::new(),
                    Op::Push(msg),
                ));
                out.push(v(
                    format!("wrap sweep: {k} pop {n} bytes pushed at data offset {start}"),
                    kind,
                    start,
                    vec![Step::Push(msg)],
                    Op::Pop(24),
                ));
            }
        }
    }
    out
}

impl V {
    fn with_extra(mut self, patch: Patch) -> Self {
        self.patch.push(patch);
        self
    }
}

/// `docs/conformance/ring.json`.
pub(super) fn ring() -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "{{");
    let _ = writeln!(
        w,
        "  \"generated_by\": \"Generated by cargo run -p inos-export from the inos-ring code. Do not edit.\","
    );
    let _ = writeln!(w, "  \"spec\": \"docs/protocol/ring.md\",");
    let _ = writeln!(
        w,
        "  \"how\": \"Zero an 8-aligned buffer of len bytes, write the initial u32 words (offset, value; little-endian), then as a fresh party expecting a ring of kind (spsc or mpsc) attach and run op, and detach (release the role). The fixed_push, fixed_pop and fixed_drain ops are a fixed-size SPSC party's (ring.md §3.3) whose message size is the length of bytes, or the op's message_size; the others are a variable-length party's. Compare the result (ok value: null, the popped message as hex, the drained messages, unblock's boolean, used_bytes; or the inos_ring::Error variant name, with offset for Reserved, corruption for Corrupt, expected and found for MessageSize, found for BadMessageSize; detail is the Rust Debug form, informative) and the non-zero words after it with expected, ignoring the bytes of unspecified [start, end) ranges (padding after a pushed payload or after a message a push_pods step wrote, in an SPSC run or a record; ring.md: unspecified). setup (honest operations after init_at(capacity, start), or init_fixed_with(capacity, wake, start, message_size) when the vector's message_size is not 0) and patch (hostile words) only say how initial was made.\","
    );
    let _ = writeln!(
        w,
        "  \"not_covered\": {{ \"SizeMismatch\": \"pop_pod only: a typed Rust API, not a wire outcome\", \"Unblocked\": \"a late commit after unblock needs two parties inside one operation\", \"TimedOut\": \"blocking calls only\" }},"
    );
    let _ = writeln!(w, "  \"vectors\": [");
    let all = vectors();
    for (i, x) in all.iter().enumerate() {
        let len = x.len.unwrap_or(r::required_len(x.capacity));
        let buf = RegionBuf::new(len).expect("small");
        // A region shorter than the ring stays zero (unformatted).
        match (len >= r::required_len(x.capacity)).then_some(x.kind) {
            None => {}
            Some(K::S) if x.message_size != r::MESSAGE_SIZE_VARIABLE => {
                Ring::<Spsc>::init_fixed_with(
                    buf.region(),
                    x.capacity,
                    Mode::Wake,
                    x.start,
                    x.message_size as usize,
                )
                .expect("init_fixed_with");
            }
            Some(K::S) => {
                Ring::<Spsc>::init_at(buf.region(), x.capacity, x.start).expect("init");
            }
            Some(K::M) => {
                Ring::<Mpsc>::init_at(buf.region(), x.capacity, x.start).expect("init");
            }
        }
        let mut unspecified = Vec::new();
        for st in &x.setup {
            unspecified.extend(match x.kind {
                K::S => step::<Spsc>(&buf, *st),
                K::M => step::<Mpsc>(&buf, *st),
            });
        }
        for &(o, val) in &x.patch {
            buf.region()
                .u32_at(o)
                .expect("patch in bounds")
                .store(val, Ordering::Relaxed);
        }
        let initial = words(&buf);
        let (result, gap) = match x.kind {
            K::S => run::<Spsc>(&buf, x.op),
            K::M => run::<Mpsc>(&buf, x.op),
        };
        let expected = words(&buf);
        let setup: Vec<String> = x.setup.iter().map(|s| step_json(*s)).collect();
        let patch: Vec<String> = x.patch.iter().map(|(o, v)| format!("[{o}, {v}]")).collect();
        unspecified.extend(gap);
        let unspecified: Vec<String> = unspecified
            .iter()
            .map(|(a, b)| format!("[{a}, {b}]"))
            .collect();
        let _ = writeln!(w, "    {{");
        let _ = writeln!(w, "      \"name\": \"{}\",", x.name);
        let _ = writeln!(
            w,
            "      \"kind\": \"{}\", \"capacity\": {}, \"start\": {}, \"message_size\": {}, \"len\": {len},",
            if x.kind == K::S { "spsc" } else { "mpsc" },
            x.capacity,
            x.start,
            x.message_size
        );
        let _ = writeln!(w, "      \"setup\": [{}],", setup.join(", "));
        let _ = writeln!(w, "      \"patch\": [{}],", patch.join(", "));
        let _ = writeln!(w, "      \"initial\": {initial},");
        let _ = writeln!(w, "      \"op\": {},", op_json(x.op));
        let _ = writeln!(w, "      \"result\": {result},");
        let _ = writeln!(w, "      \"unspecified\": [{}],", unspecified.join(", "));
        let _ = writeln!(w, "      \"expected\": {expected}");
        let comma = if i + 1 < all.len() { "," } else { "" };
        let _ = writeln!(w, "    }}{comma}");
    }
    let _ = writeln!(w, "  ]");
    let _ = writeln!(w, "}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variant names of `pub enum <name>` in `inos-ring/src/error.rs`.
    fn variants(name: &str) -> Vec<String> {
        let src = std::fs::read_to_string(crate::repo_root().join("inos-ring/src/error.rs"))
            .expect("inos-ring/src/error.rs");
        let body = src
            .split(&format!("pub enum {name} {{"))
            .nth(1)
            .expect("enum")
            .split("\n}")
            .next()
            .expect("body");
        body.lines()
            .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
            .map(str::trim)
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            .map(|l| l.chars().take_while(char::is_ascii_alphanumeric).collect())
            .collect()
    }

    /// Every ring `Error` and `Corruption` variant has a vector, or is listed in `not_covered`
    /// with a reason (and then has none).
    #[test]
    fn ring_vectors_cover_every_error() {
        let doc = ring();
        let not_covered = doc
            .split("\"not_covered\": {")
            .nth(1)
            .unwrap()
            .split('}')
            .next()
            .unwrap()
            .to_string();
        let errors = variants("Error");
        assert!(errors.len() >= 15, "{errors:?}");
        for e in &errors {
            let needle = format!("\"error\": \"{e}\"");
            if not_covered.contains(&format!("\"{e}\":")) {
                assert!(!doc.contains(&needle), "{e} is listed as not covered");
            } else {
                assert!(doc.contains(&needle), "no vector for {e}");
            }
        }
        let corruptions = variants("Corruption");
        assert_eq!(corruptions, ["Positions", "BadState", "BadLength"]);
        for c in corruptions {
            assert!(
                doc.contains(&format!("\"corruption\": \"{c}\"")),
                "no vector for Corrupt({c})"
            );
        }
        for ok in [
            "\"ok\": true",
            "\"ok\": false",
            "\"ok\": \"\"",
            "\"ok\": []",
        ] {
            assert!(doc.contains(ok), "no vector with {ok}");
        }
    }

    /// Vector names are unique; the SPSC run vectors (ring.md §3.1.1) cover a run in `initial`,
    /// padded strides (masked as unspecified), `TAKEN` stored, and a `Corrupt(BadLength)` for
    /// every hostile run header.
    #[test]
    fn ring_vectors_cover_runs() {
        let doc = ring();
        let vs: Vec<&str> = doc.split("\n    {\n").skip(1).collect();
        let mut names = std::collections::BTreeSet::new();
        for x in &vs {
            let name = x.split('"').nth(3).unwrap();
            assert!(names.insert(name), "duplicate vector name {name}");
        }
        let runs: Vec<&str> = vs
            .iter()
            .copied()
            .filter(|x| x.split('"').nth(3).unwrap().contains(" run"))
            .collect();
        assert!(runs.len() >= 20, "{}", runs.len());
        let hostile: Vec<&str> = runs
            .iter()
            .copied()
            .filter(|x| x.contains("\"name\": \"corrupt: "))
            .collect();
        assert!(hostile.len() >= 9, "{}", hostile.len());
        for x in hostile {
            assert!(
                x.contains("\"corruption\": \"BadLength\""),
                "a hostile run is not Corrupt(BadLength): {x}"
            );
        }
        // The header word of a run of four at data offset 0, and TAKEN = 1 after one pop.
        let header = format!("[{}, {}]", r::HEADER_LEN, r::SPSC_RUN | 4);
        let taken = format!("[{}, 1]", r::HEADER_LEN + r::SPSC_RUN_TAKEN as usize);
        assert!(runs
            .iter()
            .any(|x| x.contains(&header) && x.contains(&taken)));
        assert!(runs
            .iter()
            .any(|x| x.contains("push_pods") && !x.contains("\"unspecified\": [],")));
    }

    /// The fixed-size vectors (ring.md §3.3) run all three fixed-size operations, on strides
    /// that divide the capacity and one that does not (with the skip before the end), and every
    /// hostile tail is `Corrupt(Positions)`; the framing errors carry their sizes.
    #[test]
    fn ring_vectors_cover_fixed_size_rings() {
        let doc = ring();
        let vs: Vec<&str> = doc.split("\n    {\n").skip(1).collect();
        assert!(vs.iter().all(|x| x.contains("\"message_size\": ")));
        let fixed: Vec<&str> = vs
            .iter()
            .copied()
            .filter(|x| !x.contains("\"message_size\": 0,"))
            .collect();
        assert!(fixed.len() >= 25, "{}", fixed.len());
        for op in ["fixed_push", "fixed_pop", "fixed_drain"] {
            assert!(doc.contains(&format!("\"op\": \"{op}\"")), "no {op} vector");
        }
        for size in [5, 8, 12, 24] {
            assert!(fixed
                .iter()
                .any(|x| x.contains(&format!("\"message_size\": {size},"))));
        }
        // The 12-byte record pushed at data offset 56 starts the next lap: TAIL = 8 + 12 past
        // the u32 wrap, and the skipped bytes are not written.
        let skip = fixed
            .iter()
            .find(|x| x.contains("\"name\": \"fixed_push: 12-byte message at data offset 56"))
            .unwrap();
        assert!(skip.contains("\"ok\": null"));
        assert!(skip.contains(&format!("[{}, 12]", r::TAIL)));
        assert!(!skip.contains(&format!("[{}, ", r::HEADER_LEN + 56)));
        let hostile: Vec<&str> = fixed
            .iter()
            .copied()
            .filter(|x| x.contains("\"name\": \"corrupt: fixed"))
            .collect();
        assert!(hostile.len() >= 5);
        for x in hostile {
            assert!(x.contains("\"corruption\": \"Positions\""), "{x}");
        }
        assert!(doc.contains("\"error\": \"MessageSize\", \"expected\": 0, \"found\": 8"));
        assert!(doc.contains("\"error\": \"MessageSize\", \"expected\": 12, \"found\": 8"));
        assert!(doc.contains("\"error\": \"BadMessageSize\", \"found\": 25"));
    }
}
