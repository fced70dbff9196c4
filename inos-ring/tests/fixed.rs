//! Fixed-size SPSC rings (spec §3.3): the wire layout (bare records at `slot(p)`, the skipped
//! bytes at the end of a lap, `TAIL` / `HEAD` after every call), round trips of several sizes
//! with positions that wrap, full and empty, batches with every limit across the wrap, panicking
//! closures, the attach and format errors of the `MESSAGE_SIZE` word, hostile `TAIL` and `HEAD`
//! (typed errors, never a panic), roles, `reset`, two threads exchanging a long sequence, and
//! the byte handles (`fixed_producer_bytes` / `fixed_consumer_bytes`) against typed ones.
#![allow(missing_docs)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use bytemuck::Pod;
use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::*;
use inos_ring::{
    Corruption, Deadline, Error, FixedConsumer, FixedProducer, Mode, Mpsc, PartyId, Ring, Role,
    Spsc,
};

fn get(r: Region<'_>, at: usize) -> u32 {
    r.u32_at(at).unwrap().load(Ordering::Relaxed)
}

fn put(r: Region<'_>, at: usize, v: u32) {
    r.u32_at(at).unwrap().store(v, Ordering::Relaxed);
}

/// Message `seq` of `N` bytes: no two of a test's messages are equal, and no byte is zero
/// (a record read from zeroed or stale space never passes for one).
fn mk<const N: usize>(seq: u32) -> [u8; N] {
    let mut b = [0u8; N];
    for (i, x) in b.iter_mut().enumerate() {
        let s = seq.to_le_bytes()[i % 4] as u32;
        *x = ((s ^ (i as u32 * 37) ^ ((seq >> 8) * 11)) % 255 + 1) as u8;
    }
    if N >= 4 {
        b[..4].copy_from_slice(&seq.to_le_bytes());
    }
    b
}

/// Where the record of the message at `p` starts (spec §3.3), written from the spec, not from
/// the crate's `fixed_slot`.
fn slot(cap: u32, stride: u32, p: u32) -> u32 {
    let to_end = cap - (p % cap);
    if stride <= to_end {
        p
    } else {
        p.wrapping_add(to_end)
    }
}

fn stride(size: usize) -> u32 {
    (size as u32).div_ceil(4) * 4
}

fn ring_buf(cap: u32) -> RegionBuf {
    RegionBuf::new(required_len(cap)).unwrap()
}

fn corrupt<T: core::fmt::Debug>(r: Result<T, Error>) -> bool {
    matches!(r, Err(Error::Corrupt(Corruption::Positions { .. })))
}

#[test]
fn records_are_the_bare_payload() {
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed(r, 64, 8).unwrap();
    assert_eq!(get(r, MESSAGE_SIZE), 8);
    assert_eq!(get(r, VERSION), 6);
    assert_eq!(ring.message_size(), Some(8));
    let mut p = ring.fixed_producer::<u64>().unwrap();
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    let v = [0x1122_3344_5566_7788u64, 0x99aa_bbcc_ddee_ff01, 7];
    for (i, x) in v.iter().enumerate() {
        p.try_push(*x).unwrap();
        assert_eq!(get(r, TAIL), 8 * (i as u32 + 1));
    }
    for (i, x) in v.iter().enumerate() {
        // No header word: the value itself, little-endian, every 8 bytes.
        assert_eq!(get(r, HEADER_LEN + 8 * i), *x as u32);
        assert_eq!(get(r, HEADER_LEN + 8 * i + 4), (*x >> 32) as u32);
    }
    assert_eq!(get(r, HEAD), 0);
    assert_eq!(ring.used_bytes(), Ok(24));
    assert_eq!(c.try_pop(), Ok(v[0]));
    assert_eq!(get(r, HEAD), 8);
    assert_eq!(c.pop_slice(&mut [0; 4]), Ok(2));
    assert_eq!((get(r, HEAD), get(r, TAIL)), (24, 24));
    // Nothing else of the header moved: the counters stay 0 (spec §3.3).
    let s = ring.stats();
    assert_eq!((s.dropped, s.aborted, s.unblocked), (0, 0, 0));
    assert_eq!(get(r, RELEASE_TO), 0);

    // 5-byte messages: 8-byte records, the 3 bytes after each payload are padding (Rust writes
    // zeroes over whatever was there).
    let buf = ring_buf(64);
    let r = buf.region();
    r.fill(HEADER_LEN, 64, 0xee).unwrap();
    let ring = Ring::<Spsc>::init_fixed(r, 64, 5).unwrap();
    r.fill(HEADER_LEN, 64, 0xee).unwrap();
    let mut p = ring.fixed_producer::<[u8; 5]>().unwrap();
    p.try_push([1, 2, 3, 4, 5]).unwrap();
    p.push_slice(&[[6, 7, 8, 9, 10], [11, 12, 13, 14, 15]])
        .unwrap();
    assert_eq!(get(r, TAIL), 24);
    for i in 0..3u32 {
        let b = (5 * i + 1) as u8;
        assert_eq!(
            get(r, HEADER_LEN + 8 * i as usize),
            u32::from_le_bytes([b, b + 1, b + 2, b + 3])
        );
        assert_eq!(get(r, HEADER_LEN + 8 * i as usize + 4), (b + 4) as u32);
    }
    assert_eq!(
        get(r, HEADER_LEN + 24),
        0xeeee_eeee,
        "nothing past TAIL is written"
    );
}

/// 12-byte messages in a 64-byte ring: five records fill a lap (60 bytes) and the sixth starts
/// the next lap; the last 4 bytes of every lap are never written or read.
#[test]
fn twelve_byte_records_skip_the_end_of_a_lap() {
    for start in [0u32, 64 * 5, u32::MAX - 63, u32::MAX - 23, 64 * 3 + 56] {
        let buf = ring_buf(64);
        let r = buf.region();
        let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, start, 12).unwrap();
        let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
        let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
        let v = |i: u32| [i, i + 100, i + 200];
        let mut pushed = 0;
        let mut tail = start;
        let mut head = start;
        while p.try_push(v(pushed)) == Ok(()) {
            let at = slot(64, 12, tail);
            assert_eq!(
                get(r, HEADER_LEN + (at % 64) as usize),
                pushed,
                "start {start}"
            );
            tail = at.wrapping_add(12);
            assert_eq!(get(r, TAIL), tail);
            pushed += 1;
        }
        assert_eq!(p.try_push(v(99)), Err(Error::Full));
        // From offset 0, five 12-byte records fit before the end; from any other offset the
        // skip comes earlier, and the ring holds what fits in 64 bytes counting it.
        let fit = if start % 64 == 0 { 5 } else { pushed };
        assert_eq!(pushed, fit);
        assert!(tail.wrapping_sub(start) <= 64);
        assert!(slot(64, 12, tail).wrapping_add(12).wrapping_sub(start) > 64);
        for i in 0..pushed {
            assert_eq!(c.try_pop(), Ok(v(i)));
            head = slot(64, 12, head).wrapping_add(12);
            assert_eq!(get(r, HEAD), head);
        }
        assert_eq!(c.try_pop(), Err(Error::Empty));
        // Several laps: every slot as the spec computes it. Laps after the first start at
        // offset 0, so the last 4 bytes of the data area are never written again.
        let sentinel = 0xdead_beef;
        let end_word = HEADER_LEN + 60;
        put(r, end_word, sentinel);
        for i in 0..40 {
            let at = slot(64, 12, tail);
            p.try_push(v(1000 + i)).unwrap();
            assert_eq!(get(r, HEADER_LEN + (at % 64) as usize), 1000 + i);
            tail = at.wrapping_add(12);
            assert_eq!(get(r, TAIL), tail);
            assert_eq!(c.try_pop(), Ok(v(1000 + i)));
            assert_eq!(get(r, HEAD), tail);
        }
        assert_eq!(
            get(r, end_word),
            sentinel,
            "the skipped bytes are never written"
        );
    }
    // The exact numbers from offset 0: TAIL stops at 60, and the sixth record goes to the next
    // lap (TAIL 76) once the first is consumed (HEAD 12: 76 - 12 = 64).
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed(r, 64, 12).unwrap();
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    assert_eq!(p.push_with(usize::MAX, |i| [i as u32; 3]), Ok(5));
    assert_eq!(get(r, TAIL), 60);
    assert_eq!(p.try_push([5; 3]), Err(Error::Full));
    assert_eq!(c.try_pop(), Ok([0; 3]));
    assert_eq!(get(r, HEAD), 12);
    p.try_push([5; 3]).unwrap();
    assert_eq!(get(r, TAIL), 76);
    assert_eq!(get(r, HEADER_LEN), 5);
    assert_eq!(p.try_push([6; 3]), Err(Error::Full));
    let mut out = [[0u32; 3]; 8];
    assert_eq!(c.pop_slice(&mut out[..4]), Ok(4));
    assert_eq!(get(r, HEAD), 60, "HEAD stops before the skipped bytes");
    assert_eq!(c.try_pop(), Ok([5; 3]));
    assert_eq!(get(r, HEAD), 76);
}

/// One size's round trip through `laps` laps of positions starting at `start`, with bursts of
/// 1..=fill pushes and pops, checking every value and both position words.
fn round_trip<const N: usize>(cap: u32, start: u32, mode: Mode) {
    let buf = ring_buf(cap);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, cap, mode, start, N).unwrap();
    let mut p = ring.fixed_producer::<[u8; N]>().unwrap();
    let mut c = ring.fixed_consumer::<[u8; N]>().unwrap();
    let s = stride(N);
    let (mut head, mut tail) = (start, start);
    let (mut sent, mut got) = (0u32, 0u32);
    let mut wrapped = false;
    let total = if cfg!(miri) { 40 } else { 6 * cap / s + 50 };
    let mut burst = 1u32;
    while got < total {
        for _ in 0..burst {
            let at = slot(cap, s, tail);
            let fits = at.wrapping_add(s).wrapping_sub(head) <= cap;
            let res = p.try_push(mk(sent));
            if fits {
                assert_eq!(res, Ok(()), "N {N} cap {cap} start {start}");
                let prev = tail;
                tail = at.wrapping_add(s);
                wrapped |= tail < prev;
                sent += 1;
            } else {
                assert_eq!(res, Err(Error::Full), "N {N} cap {cap} start {start}");
            }
            assert_eq!(get(r, TAIL), tail);
        }
        for _ in 0..burst.div_ceil(2) + 1 {
            let res = c.try_pop();
            if got < sent {
                assert_eq!(res, Ok(mk(got)));
                head = slot(cap, s, head).wrapping_add(s);
                got += 1;
            } else {
                assert_eq!(res, Err(Error::Empty));
            }
            assert_eq!(get(r, HEAD), head);
        }
        burst = burst % 7 + 1;
    }
    assert!(
        wrapped || start < u32::MAX - 2 * cap,
        "positions wrapped through 0"
    );
    assert_eq!(ring.used_bytes(), Ok(tail.wrapping_sub(head)));
}

#[test]
fn round_trips_of_every_size_with_wrapping_positions() {
    let starts: &[u32] = if cfg!(miri) {
        &[u32::MAX - 7, u32::MAX - 103]
    } else {
        &[0, u32::MAX - 7, u32::MAX - 15, u32::MAX - 103, 1 << 31]
    };
    for &start in starts {
        for mode in [Mode::Wake, Mode::Poll] {
            for cap in [64u32, 128, 256] {
                round_trip::<1>(cap, start, mode);
                round_trip::<4>(cap, start, mode);
                round_trip::<5>(cap, start, mode);
                round_trip::<8>(cap, start, mode);
                round_trip::<12>(cap, start, mode);
                round_trip::<24>(cap, start, mode); // the largest of a 64-byte ring
                if cap >= 128 {
                    round_trip::<32>(cap, start, mode);
                    round_trip::<56>(cap, start, mode);
                }
            }
        }
    }
}

#[test]
fn full_and_empty() {
    fn fill<const N: usize>(cap: u32) -> u32 {
        let buf = ring_buf(cap);
        let ring = Ring::<Spsc>::init_fixed(buf.region(), cap, N).unwrap();
        let mut p = ring.fixed_producer::<[u8; N]>().unwrap();
        let mut c = ring.fixed_consumer::<[u8; N]>().unwrap();
        assert_eq!(c.try_pop(), Err(Error::Empty));
        assert_eq!(c.pop_slice(&mut [mk(0); 3]), Ok(0));
        assert_eq!(c.pop_with(usize::MAX, |_| panic!("empty")), Ok(0));
        let mut n = 0;
        while p.try_push(mk(n)).is_ok() {
            n += 1;
        }
        assert_eq!(p.try_push(mk(n)), Err(Error::Full));
        assert_eq!(p.push_slice(&[mk(n)]), Ok(0));
        assert_eq!(
            p.push_with(usize::MAX, |_| panic!("full: nothing is made")),
            Ok(0)
        );
        assert_eq!(
            p.push_wait(mk(n), Duration::from_millis(1)),
            Err(Error::TimedOut)
        );
        for i in 0..n {
            assert_eq!(c.try_pop(), Ok(mk(i)));
        }
        assert_eq!(c.try_pop(), Err(Error::Empty));
        assert_eq!(c.pop_wait(Duration::from_millis(1)), Err(Error::TimedOut));
        assert_eq!(ring.used_bytes(), Ok(0));
        n
    }
    assert_eq!(fill::<1>(64), 16); // 4-byte records
    assert_eq!(fill::<4>(64), 16);
    assert_eq!(fill::<5>(64), 8);
    assert_eq!(fill::<8>(64), 8);
    assert_eq!(fill::<12>(64), 5); // 60 bytes, 4 skipped
    assert_eq!(fill::<24>(64), 2); // 48 bytes, 16 skipped
    assert_eq!(fill::<32>(128), 4);
    assert_eq!(fill::<56>(128), 2);
    assert_eq!(fill::<1016>(2048), 2);
    assert_eq!(fill::<500>(2048), 4);
}

/// Batches across the wrap, with limits 0, 1 and `usize::MAX`: counts, values, and the one
/// position store of each call.
#[test]
fn batches_across_the_wrap_with_every_limit() {
    // 12-byte records from 8 bytes before the wrap of u32 and 48 bytes into the data area.
    let start = u32::MAX - 7 - 64 * 3 - 8;
    assert_eq!(start % 64, 48);
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, start, 12).unwrap();
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    let v = |i: usize| [i as u32, !(i as u32), 7];
    assert_eq!(p.push_slice(&[]), Ok(0));
    assert_eq!(p.push_with(0, |_| panic!("limit 0")), Ok(0));
    assert_eq!(get(r, TAIL), start);
    // 48..60, then the next lap from 0: 4 records (0..48) fit behind it, 5 in all.
    assert_eq!(p.push_with(usize::MAX, v), Ok(5));
    let tail = start.wrapping_add(16 + 48);
    assert_eq!(get(r, TAIL), tail);
    assert_eq!(get(r, HEADER_LEN + 48), 0);
    assert_eq!(get(r, HEADER_LEN), 1);
    assert_eq!(get(r, HEADER_LEN + 36), 4);
    assert_eq!(p.push_with(usize::MAX, v), Ok(0));
    assert_eq!(c.pop_slice(&mut []), Ok(0));
    assert_eq!(c.pop_with(0, |_| panic!("limit 0")), Ok(0));
    assert_eq!(get(r, HEAD), start);
    let mut got = Vec::new();
    assert_eq!(c.pop_with(1, |x| got.push(x)), Ok(1));
    assert_eq!(get(r, HEAD), start.wrapping_add(12));
    // Across the skip in one call.
    let mut out = [[0u32; 3]; 2];
    assert_eq!(c.pop_slice(&mut out), Ok(2));
    got.extend_from_slice(&out);
    assert_eq!(get(r, HEAD), start.wrapping_add(16 + 24));
    // 40 bytes are free: 48..60 of this lap, the 4 skipped, and 0..24 of the next, so three
    // records fit, across the skip, in one call.
    assert_eq!(p.push_slice(&[v(5), v(6), v(7), v(8)]), Ok(3));
    assert_eq!(get(r, TAIL), tail.wrapping_add(12 + 4 + 24));
    assert_eq!(p.push_with(1, |i| v(100 + i)), Ok(0));
    assert_eq!(c.pop_with(usize::MAX, |x| got.push(x)), Ok(5));
    assert_eq!(get(r, HEAD), get(r, TAIL));
    assert_eq!(got, (0..8).map(v).collect::<Vec<_>>());
    // Many laps of batches of every length, limit 1 and huge limits among them.
    let mut sent = 8usize;
    let mut recv = 8usize;
    for round in 0..300usize {
        let want = [0, 1, 2, 3, 5, usize::MAX][round % 6];
        let k = if round % 2 == 0 {
            let vals: Vec<_> = (sent..sent + want.min(8)).map(v).collect();
            p.push_slice(&vals).unwrap()
        } else {
            let base = sent;
            p.push_with(want, |i| v(base + i)).unwrap()
        };
        assert!(k <= want);
        sent += k;
        let room = [usize::MAX, 1, 0, 2, 4][round % 5];
        let n = if round % 3 == 0 {
            let mut out = vec![[0u32; 3]; room.min(10)];
            let n = c.pop_slice(&mut out).unwrap();
            for x in &out[..n] {
                assert_eq!(*x, v(recv));
                recv += 1;
            }
            n
        } else {
            c.pop_with(room, |x| {
                assert_eq!(x, v(recv));
                recv += 1;
            })
            .unwrap()
        };
        assert!(n <= room);
        let used = get(r, TAIL).wrapping_sub(get(r, HEAD));
        assert!(used <= 64);
        assert_eq!(used == 0, sent == recv);
    }
    assert!(sent > 200, "{sent}");
}

/// A batch's producer re-reads `HEAD` when its cached one leaves too little, so a batch is not
/// cut short by a stale cache.
#[test]
fn batches_see_space_freed_since_the_last_look() {
    let buf = ring_buf(256);
    let ring = Ring::<Spsc>::init_fixed(buf.region(), 256, 4).unwrap();
    let mut p = ring.fixed_producer::<u32>().unwrap();
    let mut c = ring.fixed_consumer::<u32>().unwrap();
    let all: Vec<u32> = (0..64).collect();
    assert_eq!(p.push_slice(&all), Ok(64));
    assert_eq!(p.push_slice(&all), Ok(0)); // the cached head is now current
    let mut out = [0u32; 64];
    assert_eq!(c.pop_slice(&mut out), Ok(64));
    assert_eq!(out[..], all[..]);
    assert_eq!(p.push_with(usize::MAX, |i| i as u32 + 64), Ok(64));
    assert_eq!(c.pop_with(usize::MAX, |_| {}), Ok(64));
    // The same for single pushes and a producer that started with a stale cache.
    assert_eq!(p.push_slice(&all[..60]), Ok(60));
    assert_eq!(c.pop_slice(&mut out[..60]), Ok(60));
    for i in 0..64 {
        p.try_push(i).unwrap();
    }
    assert_eq!(p.try_push(0), Err(Error::Full));
}

#[test]
fn a_panicking_make_publishes_nothing() {
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, u32::MAX - 23, 8).unwrap();
    let mut p = ring.fixed_producer::<u64>().unwrap();
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    p.try_push(1).unwrap();
    for panic_at in [0usize, 1, 4, 6] {
        let tail = get(r, TAIL);
        let res = catch_unwind(AssertUnwindSafe(|| {
            p.push_with(usize::MAX, |i| {
                assert!(i != panic_at, "make panics at {i}");
                100 + i as u64
            })
        }));
        assert!(res.is_err());
        assert_eq!(get(r, TAIL), tail, "nothing of the call is published");
        assert_eq!(c.try_pop(), Ok(1));
        assert_eq!(c.try_pop(), Err(Error::Empty));
        // The producer goes on where it was; the values written before the panic are gone.
        p.try_push(1).unwrap();
    }
    assert_eq!(p.push_with(3, |i| 10 + i as u64), Ok(3));
    let mut got = Vec::new();
    assert_eq!(c.pop_with(usize::MAX, |x| got.push(x)), Ok(4));
    assert_eq!(got, [1, 10, 11, 12]);
}

#[test]
fn a_panicking_take_releases_nothing() {
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Poll, u32::MAX - 7, 12).unwrap();
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    // From offset 56: the first record starts the next lap, four fit.
    assert_eq!(p.push_with(usize::MAX, |i| [i as u32; 3]), Ok(4));
    let head = get(r, HEAD);
    for panic_at in [0u32, 1, 3] {
        let mut seen = Vec::new();
        let res = catch_unwind(AssertUnwindSafe(|| {
            c.pop_with(usize::MAX, |x| {
                assert!(x[0] != panic_at, "take panics at {x:?}");
                seen.push(x[0]);
            })
        }));
        assert!(res.is_err());
        assert_eq!(seen, (0..panic_at).collect::<Vec<_>>());
        assert_eq!(get(r, HEAD), head, "nothing of the call is released");
        assert_eq!(p.try_push([9; 3]), Err(Error::Full));
    }
    // Delivered again, from the first.
    let mut got = Vec::new();
    assert_eq!(c.pop_with(usize::MAX, |x| got.push(x[0])), Ok(4));
    assert_eq!(got, [0, 1, 2, 3]);
    assert_eq!(get(r, HEAD), get(r, TAIL));
}

#[test]
fn handles_of_the_wrong_framing_are_refused() {
    let buf = ring_buf(64);
    let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap();
    assert_eq!(
        ring.producer().err(),
        Some(Error::MessageSize {
            expected: 0,
            found: 8
        })
    );
    assert_eq!(
        ring.consumer().err(),
        Some(Error::MessageSize {
            expected: 0,
            found: 8
        })
    );
    assert_eq!(
        ring.fixed_producer::<u32>().err().unwrap(),
        Error::MessageSize {
            expected: 4,
            found: 8
        }
    );
    assert_eq!(
        ring.fixed_consumer::<[u8; 5]>().err().unwrap(),
        Error::MessageSize {
            expected: 5,
            found: 8
        }
    );
    // Same stride, another size: still refused.
    assert_eq!(
        ring.fixed_consumer::<[u8; 7]>().err().unwrap(),
        Error::MessageSize {
            expected: 7,
            found: 8
        }
    );
    assert_eq!(
        ring.fixed_producer::<()>().err().unwrap(),
        Error::BadMessageSize { found: 0 }
    );
    // No failed attach kept a role.
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);
    let _p = ring.fixed_producer::<[u16; 4]>().unwrap();
    let _c = ring.fixed_consumer::<u64>().unwrap();
    // Attaching sees the word.
    assert_eq!(
        Ring::<Spsc>::attach(buf.region()).unwrap().message_size(),
        Some(8)
    );

    // Fixed handles on a variable-length ring.
    let buf = ring_buf(64);
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    assert_eq!(ring.message_size(), None);
    assert_eq!(
        ring.fixed_producer::<u64>().err().unwrap(),
        Error::MessageSize {
            expected: 8,
            found: 0
        }
    );
    assert_eq!(
        ring.fixed_consumer::<u32>().err().unwrap(),
        Error::MessageSize {
            expected: 4,
            found: 0
        }
    );
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);
    let mut p = ring.producer().unwrap();
    p.try_push(b"ok").unwrap();
}

#[test]
fn bad_message_sizes_are_refused_at_format_and_attach() {
    let buf = ring_buf(256);
    let r = buf.region();
    let max = 256 / 2 - 8;
    for bad in [0usize, max + 1, max + 4, 256, 1 << 20] {
        assert_eq!(
            Ring::<Spsc>::init_fixed(r, 256, bad).err(),
            Some(Error::BadMessageSize { found: bad as u32 }),
            "{bad}"
        );
        assert_eq!(
            Ring::<Spsc>::init_fixed_with(r, 256, Mode::Poll, 8, bad).err(),
            Some(Error::BadMessageSize { found: bad as u32 }),
        );
    }
    #[cfg(target_pointer_width = "64")]
    for bad in [usize::MAX, 1 << 32, (1 << 32) + 8] {
        assert_eq!(
            Ring::<Spsc>::init_fixed(r, 256, bad).err(),
            Some(Error::BadMessageSize { found: u32::MAX })
        );
    }
    assert_eq!(
        Ring::<Spsc>::init_fixed(r, 100, 8).err(),
        Some(Error::BadCapacity { capacity: 100 })
    );
    // The start position must be a multiple of 8, as for every ring.
    assert!(corrupt(Ring::<Spsc>::init_fixed_with(
        r,
        256,
        Mode::Wake,
        4,
        8
    )));
    let ring = Ring::<Spsc>::init_fixed(r, 256, max).unwrap();
    assert_eq!(ring.message_size(), Some(max));

    // Attach: a patched MESSAGE_SIZE above max_message, on SPSC.
    for bad in [max as u32 + 1, 256, u32::MAX] {
        put(r, MESSAGE_SIZE, bad);
        assert_eq!(
            Ring::<Spsc>::attach(r).err(),
            Some(Error::BadMessageSize { found: bad })
        );
    }
    put(r, MESSAGE_SIZE, 1);
    assert_eq!(Ring::<Spsc>::attach(r).unwrap().message_size(), Some(1));
    put(r, MESSAGE_SIZE, 0);
    assert_eq!(Ring::<Spsc>::attach(r).unwrap().message_size(), None);

    // MPSC rings are never fixed-size: formatting one has no such call, attaching one with a
    // non-zero word is refused.
    let ring = Ring::<Mpsc>::init(r, 256).unwrap();
    assert_eq!(ring.message_size(), None);
    assert_eq!(get(r, MESSAGE_SIZE), 0);
    for bad in [1u32, 8, max as u32, u32::MAX] {
        put(r, MESSAGE_SIZE, bad);
        assert_eq!(
            Ring::<Mpsc>::attach(r).err(),
            Some(Error::BadMessageSize { found: bad })
        );
    }
}

/// A hostile `TAIL` seen by the consumer: unaligned, more than the capacity ahead, behind the
/// head, short of a record boundary (also inside the skipped bytes at the end of a lap): every
/// read call returns `Corrupt`, never panics, and consumes nothing (the batch calls release the
/// whole records they took below a tail that falls inside a record: the error says they are
/// lost to the caller); a valid `TAIL` again makes the ring usable.
#[test]
fn hostile_tail_is_corruption() {
    let buf = ring_buf(64);
    let r = buf.region();
    let start = u32::MAX - 7 - 16;
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, start, 8).unwrap();
    let mut p = ring.fixed_producer::<u64>().unwrap();
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    p.push_slice(&[1, 2]).unwrap();
    assert_eq!(c.pop_slice(&mut [0; 2]), Ok(2));
    drop(c);
    let h = start.wrapping_add(16);
    assert_eq!((get(r, HEAD), get(r, TAIL)), (h, h));
    let bad = [
        h.wrapping_add(2),      // unaligned
        h.wrapping_add(4),      // short of the record at h
        h.wrapping_add(12),     // a record and a half
        h.wrapping_add(64 + 8), // more than the capacity ahead
        h.wrapping_sub(8),      // behind the head
        h ^ 0x8000_0000,        // half the position space away
    ];
    // A fresh consumer for each call (its cached tail is the good one), then the bad TAIL.
    type Call = fn(&mut FixedConsumer<'_, u64>) -> Result<usize, Error>;
    let calls: [Call; 4] = [
        |c| c.try_pop().map(|_| 1),
        |c| c.pop_slice(&mut [0; 4]),
        |c| c.pop_with(usize::MAX, |_| {}),
        |c| c.pop_wait(Deadline::never()).map(|_| 1),
    ];
    for t in bad {
        for (i, call) in calls.iter().enumerate() {
            put(r, HEAD, h);
            put(r, TAIL, h);
            let mut c = ring.fixed_consumer::<u64>().unwrap();
            put(r, TAIL, t);
            // A tail one and a half records ahead covers one whole record: the single calls
            // take it, the batch calls take it and report the half one.
            let half = t == h.wrapping_add(12);
            let first = call(&mut c);
            if half && (i == 0 || i == 3) {
                assert_eq!(first, Ok(1));
            } else {
                assert!(corrupt(first), "call {i}, TAIL {t:#x}");
            }
            assert!(corrupt(call(&mut c)), "again: call {i}, TAIL {t:#x}");
            let taken = if half { 8 } else { 0 };
            assert_eq!(get(r, HEAD), h.wrapping_add(taken), "call {i}, TAIL {t:#x}");
        }
        // Attach refuses a pair that can never be valid, and keeps no role.
        put(r, HEAD, h);
        if t.wrapping_sub(h) > 64 || t % 4 != 0 {
            assert!(corrupt(ring.fixed_consumer::<u64>()), "attach, TAIL {t:#x}");
            assert_eq!(ring.holder(Role::Consumer), None);
            assert_eq!(ring.holder(Role::Producer), Some(PartyId::current()));
        }
    }
    put(r, TAIL, h);
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    p.try_push(3).unwrap();
    assert_eq!(c.try_pop(), Ok(3));
    assert_eq!(c.try_pop(), Err(Error::Empty));

    // 12-byte records: a TAIL that covers only the skipped bytes at the end of a lap (or part
    // of them and part of the next record).
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Poll, 64 * 7 + 48, 12).unwrap();
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    p.try_push([1; 3]).unwrap();
    assert_eq!(c.try_pop(), Ok([1; 3]));
    drop(c);
    let h = 64 * 7 + 60;
    assert_eq!(get(r, HEAD), h);
    for t in [64 * 8, 64 * 8 + 4, 64 * 8 + 8] {
        for i in 0..3 {
            put(r, TAIL, h);
            let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
            put(r, TAIL, t);
            let res = match i {
                0 => c.try_pop().map(|_| 1),
                1 => c.pop_slice(&mut [[0; 3]; 2]),
                _ => c.pop_with(1, |_| {}),
            };
            assert!(corrupt(res), "call {i}, TAIL {t}");
            assert_eq!(get(r, HEAD), h);
        }
    }
    put(r, TAIL, h);
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    p.try_push([2; 3]).unwrap(); // the producer's own position: slot 64 * 8
    assert_eq!(get(r, TAIL), 64 * 8 + 12);
    assert_eq!(c.try_pop(), Ok([2; 3]));
}

/// A `TAIL` moved back by a hostile party while a batch call is taking records: once the batch
/// has taken everything below its cached tail, the tail it loads next must not be behind what it
/// has taken (spec §5.2: `tail - h <= tail - head`). Before the fix, such a tail passed
/// (it was checked against `HEAD` only) and the batch read on into unpublished space, lap after
/// lap (the ring's stale bytes handed out as messages, up to ~2^32 bytes for `pop_with(MAX)`).
#[test]
fn hostile_tail_behind_a_batch_is_corruption() {
    for with in [false, true] {
        let buf = ring_buf(64);
        let r = buf.region();
        let ring = Ring::<Spsc>::init_fixed(r, 64, 4).unwrap();
        let mut p = ring.fixed_producer::<u32>().unwrap();
        let mut c = ring.fixed_consumer::<u32>().unwrap();
        p.push_slice(&[1, 2, 3]).unwrap();
        assert_eq!(c.try_pop(), Ok(1)); // caches TAIL = 12, HEAD = 4
        put(r, TAIL, 4); // back to the head: valid against HEAD, behind what the batch takes
        let mut got = Vec::new();
        let res = if with {
            c.pop_with(usize::MAX, |x| got.push(x))
        } else {
            let mut out = [0u32; 32];
            let res = c.pop_slice(&mut out);
            if let Ok(n) = res {
                got.extend_from_slice(&out[..n]);
            }
            res
        };
        assert!(corrupt(res), "{res:?}, got {} values", got.len());
        // The two records below the cached tail were taken and are released with the error.
        if with {
            assert_eq!(got, [2, 3]);
        }
        assert_eq!(get(r, HEAD), 12);
    }
}

/// A hostile `HEAD` seen by the producer when it looks for space: unaligned, ahead of its tail,
/// more than the capacity behind it: every push call returns `Corrupt`, never panics, and
/// publishes nothing.
#[test]
fn hostile_head_is_corruption() {
    let buf = ring_buf(64);
    let r = buf.region();
    let start = u32::MAX - 7 - 8;
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, start, 8).unwrap();
    let mut p = ring.fixed_producer::<u64>().unwrap();
    assert_eq!(p.push_with(usize::MAX, |i| i as u64), Ok(8));
    let t = start.wrapping_add(64);
    assert_eq!(get(r, TAIL), t);
    for h in [
        start.wrapping_add(2),  // unaligned
        t.wrapping_add(8),      // ahead of the tail
        t.wrapping_sub(64 + 8), // more than the capacity behind
        t ^ 0x8000_0000,
    ] {
        put(r, HEAD, h);
        assert!(corrupt(p.try_push(9)), "try_push, HEAD {h:#x}");
        assert!(corrupt(p.push_slice(&[9])), "push_slice");
        assert!(corrupt(p.push_with(usize::MAX, |_| 9)), "push_with");
        assert!(corrupt(p.push_wait(9, Deadline::never())), "push_wait");
        assert_eq!(get(r, TAIL), t, "nothing published, HEAD {h:#x}");
        // Attach refuses the pair too, and keeps no role.
        assert!(corrupt(ring.fixed_consumer::<u64>()));
        assert_eq!(ring.holder(Role::Consumer), None);
    }
    put(r, HEAD, start);
    assert_eq!(p.try_push(9), Err(Error::Full));
    let mut c = ring.fixed_consumer::<u64>().unwrap();
    assert_eq!(c.try_pop(), Ok(0));
    p.try_push(8).unwrap();
    let mut got = Vec::new();
    c.pop_with(usize::MAX, |x| got.push(x)).unwrap();
    assert_eq!(got, (1..=8).collect::<Vec<_>>());
}

#[test]
fn roles_are_released_on_drop_and_new_parties_resume() {
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, u32::MAX - 15, 12).unwrap();
    let id = PartyId::new(77).unwrap();
    let mut p = ring.fixed_producer_as::<[u32; 3]>(id).unwrap();
    assert_eq!(ring.holder(Role::Producer), Some(id));
    assert!(matches!(
        ring.fixed_producer::<[u32; 3]>(),
        Err(Error::RoleTaken(Role::Producer))
    ));
    assert!(matches!(
        ring.fixed_producer::<[u8; 12]>(),
        Err(Error::RoleTaken(Role::Producer))
    ));
    let mut c = ring.fixed_consumer::<[u8; 12]>().unwrap();
    assert!(matches!(
        ring.fixed_consumer::<[u32; 3]>(),
        Err(Error::RoleTaken(Role::Consumer))
    ));
    let v = |i: u32| [i, i * 3, !i];
    let mut sent = 0;
    let mut got = 0;
    for round in 0..30 {
        let n = p.push_with(round % 4 + 1, |i| v(sent + i as u32)).unwrap();
        sent += n as u32;
        if round % 3 == 0 {
            drop(p);
            assert_eq!(ring.holder(Role::Producer), None);
            p = ring.fixed_producer::<[u32; 3]>().unwrap();
        }
        let c_round = c.pop_with(round % 3 + 1, |x| {
            assert_eq!(bytemuck::cast::<[u8; 12], [u32; 3]>(x), v(got));
            got += 1;
        });
        c_round.unwrap();
        if round % 4 == 1 {
            drop(c);
            assert_eq!(ring.holder(Role::Consumer), None);
            c = ring.fixed_consumer::<[u8; 12]>().unwrap();
        }
    }
    drop(c);
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    while got < sent {
        assert_eq!(c.try_pop(), Ok(v(got)));
        got += 1;
    }
    assert_eq!(c.try_pop(), Err(Error::Empty));
    assert_eq!(get(r, HEAD), get(r, TAIL));
    assert!(sent > 30);
}

#[test]
fn reset_keeps_the_message_size() {
    let buf = ring_buf(128);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 128, Mode::Poll, u32::MAX - 7, 12).unwrap();
    {
        let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
        p.push_slice(&[[1; 3], [2; 3]]).unwrap();
    }
    put(r, TAIL, 3); // corrupted
    assert!(corrupt(ring.fixed_consumer::<[u32; 3]>()));
    assert!(corrupt(ring.fixed_producer::<[u32; 3]>()));
    // The failed attaches keep no role.
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);
    let ring = ring.reset().unwrap();
    assert_eq!(ring.message_size(), Some(12));
    assert_eq!(ring.mode(), Mode::Poll);
    assert_eq!(get(r, MESSAGE_SIZE), 12);
    assert_eq!((get(r, HEAD), get(r, TAIL)), (0, 0));
    let ring = Ring::<Spsc>::attach(r).unwrap();
    assert_eq!(ring.message_size(), Some(12));
    assert!(matches!(ring.producer(), Err(Error::MessageSize { .. })));
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    let mut c = ring.fixed_consumer::<[u32; 3]>().unwrap();
    assert_eq!(c.try_pop(), Err(Error::Empty));
    p.try_push([3; 3]).unwrap();
    assert_eq!(c.try_pop(), Ok([3; 3]));
    // A variable-length ring stays one.
    let ring = Ring::<Spsc>::init(r, 128).unwrap().reset().unwrap();
    assert_eq!(ring.message_size(), None);
    assert_eq!(get(r, MESSAGE_SIZE), 0);
}

/// The number of messages of the two-thread tests.
const fn stress_count() -> u64 {
    if cfg!(miri) {
        300
    } else {
        1_000_000
    }
}

/// 12 bytes: a sequence number and a check, so records cross the skipped end of each lap.
fn twelve(seq: u64) -> [u32; 3] {
    [
        seq as u32,
        (seq >> 32) as u32,
        (seq as u32).wrapping_mul(0x9e37_79b9) ^ 0x5a5a,
    ]
}

/// One producer thread, this thread consuming: every value arrives once, in order. `batch`:
/// `push_slice` / `pop_with` of varying sizes, falling back to `push_wait` / `pop_wait` of one
/// value when the ring is full / empty.
fn two_threads<T: Pod + PartialEq + core::fmt::Debug + Send>(
    mode: Mode,
    cap: u32,
    start: u32,
    batch: bool,
    make: fn(u64) -> T,
) {
    let n = stress_count();
    let buf = ring_buf(cap);
    let ring =
        Ring::<Spsc>::init_fixed_with(buf.region(), cap, mode, start, std::mem::size_of::<T>())
            .unwrap();
    let mut p: FixedProducer<'_, T> = ring.fixed_producer().unwrap();
    let mut c: FixedConsumer<'_, T> = ring.fixed_consumer().unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut seq = 0u64;
            let mut chunk = Vec::new();
            while seq < n {
                if !batch {
                    p.push_wait(make(seq), Deadline::never()).unwrap();
                    seq += 1;
                    continue;
                }
                let k = (seq % 37 + 1).min(n - seq);
                chunk.clear();
                chunk.extend((seq..seq + k).map(make));
                let pushed = if seq % 2 == 0 {
                    p.push_slice(&chunk).unwrap()
                } else {
                    p.push_with(k as usize, |i| make(seq + i as u64)).unwrap()
                };
                seq += pushed as u64;
                if pushed == 0 {
                    p.push_wait(make(seq), Deadline::never()).unwrap();
                    seq += 1;
                }
            }
        });
        let mut next = 0u64;
        let mut out = [make(0); 64];
        while next < n {
            if !batch {
                assert_eq!(c.pop_wait(Deadline::never()), Ok(make(next)));
                next += 1;
                continue;
            }
            let room = (next % 61 + 1) as usize;
            let got = if next % 3 == 0 {
                let k = c.pop_slice(&mut out[..room]).unwrap();
                for (i, v) in out[..k].iter().enumerate() {
                    assert_eq!(*v, make(next + i as u64));
                }
                next += k as u64;
                k
            } else {
                c.pop_with(room, |v| {
                    assert_eq!(v, make(next));
                    next += 1;
                })
                .unwrap()
            };
            if got == 0 {
                assert_eq!(c.pop_wait(Deadline::never()), Ok(make(next)));
                next += 1;
            }
        }
    });
    assert_eq!(c.try_pop(), Err(Error::Empty));
    assert_eq!(ring.used_bytes(), Ok(0));
}

#[test]
fn two_threads_every_message_once_in_order_wake() {
    two_threads(Mode::Wake, 256, u32::MAX - 127, false, |s| s);
    two_threads(Mode::Wake, 64, u32::MAX - 7, false, twelve);
}

#[test]
fn two_threads_every_message_once_in_order_poll() {
    two_threads(Mode::Poll, 256, u32::MAX - 127, false, |s| s);
    two_threads(Mode::Poll, 64, u32::MAX - 7, false, twelve);
}

#[test]
fn two_threads_batches_every_message_once_in_order() {
    for mode in [Mode::Wake, Mode::Poll] {
        two_threads(mode, 512, u32::MAX - 255, true, |s| s);
        two_threads(mode, 256, u32::MAX - 7 - 48, true, twelve);
    }
}

/// Byte handles (`fixed_producer_bytes` / `fixed_consumer_bytes`) move the same records as typed
/// handles of the same size, in both directions, across the end of a lap and with positions that
/// wrap through 0.
fn bytes_round_trip<const N: usize>(cap: u32, start: u32) {
    let buf = ring_buf(cap);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, cap, Mode::Wake, start, N).unwrap();
    // Under Miri, enough to wrap from the starts below (two directions of `total` records).
    let total = if cfg!(miri) {
        60 / stride(N) + 2
    } else {
        4 * cap / stride(N) + 9
    };
    let mut out = [0u8; 64];
    // Bytes in, typed out.
    {
        let mut p = ring.fixed_producer_bytes(N).unwrap();
        let mut c = ring.fixed_consumer::<[u8; N]>().unwrap();
        for seq in 0..total {
            assert_eq!(p.try_push_bytes(&mk::<N>(seq)), Ok(()));
            assert_eq!(c.try_pop(), Ok(mk(seq)));
        }
    }
    // Typed in, bytes out (into a buffer longer than the message: only N bytes are written).
    let mut p = ring.fixed_producer::<[u8; N]>().unwrap();
    let mut c = ring.fixed_consumer_bytes(N).unwrap();
    for seq in total..2 * total {
        out.fill(0xEE);
        assert_eq!(p.try_push(mk(seq)), Ok(()));
        assert_eq!(c.try_pop_bytes(&mut out), Ok(N));
        assert_eq!(out[..N], mk::<N>(seq), "N {N} cap {cap} start {start}");
        assert!(
            out[N..].iter().all(|&b| b == 0xEE),
            "wrote past the message"
        );
    }
    assert_eq!(c.try_pop_bytes(&mut out), Err(Error::Empty));
    assert_eq!(ring.used_bytes(), Ok(0));
    assert!(
        get(r, TAIL) < start || start < u32::MAX - 2 * cap,
        "positions wrapped through 0"
    );
}

#[test]
fn byte_handles_move_the_records_of_typed_handles() {
    for start in [0, u32::MAX - 7, u32::MAX - 103] {
        bytes_round_trip::<1>(64, start);
        bytes_round_trip::<5>(64, start);
        bytes_round_trip::<12>(64, start);
        bytes_round_trip::<24>(64, start);
        bytes_round_trip::<56>(128, start);
    }
}

#[test]
fn byte_handles_check_sizes_and_leave_the_ring_alone_on_error() {
    let buf = ring_buf(64);
    let r = buf.region();
    // A variable-length ring is refused, naming the size asked for.
    let ring = Ring::<Spsc>::init(r, 64).unwrap();
    assert_eq!(
        ring.fixed_producer_bytes(8).err(),
        Some(Error::MessageSize {
            expected: 8,
            found: 0
        })
    );
    assert_eq!(
        ring.fixed_consumer_bytes(8).err(),
        Some(Error::MessageSize {
            expected: 8,
            found: 0
        })
    );
    let ring = Ring::<Spsc>::init_fixed(r, 64, 12).unwrap();
    for bad in [0, usize::MAX] {
        assert!(matches!(
            ring.fixed_producer_bytes(bad),
            Err(Error::BadMessageSize { .. })
        ));
        assert!(matches!(
            ring.fixed_consumer_bytes(bad),
            Err(Error::BadMessageSize { .. })
        ));
    }
    assert_eq!(
        ring.fixed_consumer_bytes(11).err(),
        Some(Error::MessageSize {
            expected: 11,
            found: 12
        })
    );
    // Refused attaches claimed no role.
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);

    let mut p = ring.fixed_producer_bytes(12).unwrap();
    let mut c = ring.fixed_consumer_bytes(12).unwrap();
    let before = get(r, TAIL);
    for len in [0, 11, 13, 64] {
        assert_eq!(
            p.try_push_bytes(&vec![7; len]),
            Err(Error::SizeMismatch {
                expected: 12,
                found: len
            })
        );
    }
    assert_eq!(get(r, TAIL), before, "a refused push wrote TAIL");
    assert_eq!(c.try_pop_bytes(&mut [0; 12]), Err(Error::Empty));
    p.try_push_bytes(&mk::<12>(1)).unwrap();
    let head = get(r, HEAD);
    assert_eq!(
        c.try_pop_bytes(&mut [0; 11]),
        Err(Error::BufferTooSmall { needed: 12 })
    );
    assert_eq!(get(r, HEAD), head, "a refused pop released its record");
    let mut out = [0; 12];
    assert_eq!(c.try_pop_bytes(&mut out), Ok(12));
    assert_eq!(out, mk::<12>(1));
    // Roles are released on drop, as for typed handles.
    drop((p, c));
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);
}

#[test]
fn byte_handles_two_threads_every_message_once_in_order() {
    let n = stress_count();
    for mode in [Mode::Wake, Mode::Poll] {
        let buf = ring_buf(64);
        let ring = Ring::<Spsc>::init_fixed_with(buf.region(), 64, mode, u32::MAX - 7, 12).unwrap();
        let mut p = ring.fixed_producer_bytes(12).unwrap();
        let mut c = ring.fixed_consumer_bytes(12).unwrap();
        std::thread::scope(|s| {
            s.spawn(move || {
                for seq in 0..n {
                    let msg = bytemuck::cast::<[u32; 3], [u8; 12]>(twelve(seq));
                    p.push_wait_bytes(&msg, Deadline::never()).unwrap();
                }
            });
            let mut out = [0u8; 16];
            for seq in 0..n {
                assert_eq!(c.pop_wait_bytes(&mut out, Deadline::never()), Ok(12));
                assert_eq!(out[..12], bytemuck::cast::<[u32; 3], [u8; 12]>(twelve(seq)));
            }
        });
        assert_eq!(c.try_pop_bytes(&mut [0; 12]), Err(Error::Empty));
    }
}

#[test]
fn byte_consumer_peeks_in_place_and_skips() {
    let buf = ring_buf(64);
    let r = buf.region();
    let ring = Ring::<Spsc>::init_fixed_with(r, 64, Mode::Wake, u32::MAX - 7, 12).unwrap();
    let mut p = ring.fixed_producer::<[u8; 12]>().unwrap();
    let mut c = ring.fixed_consumer_bytes(12).unwrap();
    assert!(c.peek().unwrap().is_none());
    assert_eq!(c.skip(), Ok(false));
    let mut out = [0u8; 12];
    for seq in 0..40 {
        p.try_push(mk(seq)).unwrap();
        let head = get(r, HEAD);
        for _ in 0..2 {
            // Peeking twice shows the same record and consumes nothing.
            let view = c.peek().unwrap().unwrap();
            assert_eq!(view.len(), 12);
            assert_eq!(
                view.offset(),
                HEADER_LEN + (slot(64, 12, head) % 64) as usize
            );
            view.copy_to_slice(&mut out);
            assert_eq!(out, mk::<12>(seq));
            assert_eq!(get(r, HEAD), head);
        }
        assert_eq!(c.skip(), Ok(true));
        assert_eq!(get(r, HEAD), slot(64, 12, head).wrapping_add(12));
        assert!(c.peek().unwrap().is_none());
    }
    // A tail that is not on a record boundary: corruption, nothing released.
    p.try_push(mk(99)).unwrap();
    let head = get(r, HEAD);
    put(r, TAIL, get(r, TAIL).wrapping_sub(4));
    drop(c);
    let mut c = ring.fixed_consumer_bytes(12).unwrap();
    assert!(corrupt(c.peek()));
    assert!(corrupt(c.skip()));
    assert_eq!(get(r, HEAD), head);
}
