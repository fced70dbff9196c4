//! SPSC run records (spec §3.1.1): the wire layout `push_pods` writes, every consumer call taking
//! a run's messages in order (partly, with `TAKEN`), a new consumer resuming inside a run, runs
//! around the wrap, and hostile run headers refused by every read call.
#![allow(missing_docs)]

use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::*;
use inos_ring::{Error, Ring, Spsc};

fn get(r: Region<'_>, at: usize) -> u32 {
    r.u32_at(at).unwrap().load(Ordering::Relaxed)
}

fn put(r: Region<'_>, at: usize, v: u32) {
    r.u32_at(at).unwrap().store(v, Ordering::Relaxed);
}

/// Five-byte messages: a stride of 8, so every message has padding after it.
fn five(i: u8) -> [u8; 5] {
    [i, i ^ 0x55, i.wrapping_mul(3), 7, i.wrapping_add(1)]
}

#[test]
fn push_pods_writes_one_run_with_the_specified_layout() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 256).unwrap();
    let mut p = ring.producer().unwrap();
    let vals: Vec<[u8; 5]> = (0..20).map(five).collect();
    assert_eq!(p.push_pods(&vals), Ok(20));
    assert_eq!(get(r, HEADER_LEN), SPSC_RUN | 20);
    assert_eq!(get(r, HEADER_LEN + 4), 5);
    assert_eq!(get(r, HEADER_LEN + 8), 0);
    assert_eq!(spsc_run_size(20, 5), Some(12 + 20 * 8));
    assert_eq!(get(r, TAIL), 12 + 20 * 8);
    for (i, v) in vals.iter().enumerate() {
        let mut got = [0u8; 5];
        r.read(HEADER_LEN + 12 + 8 * i, &mut got).unwrap();
        assert_eq!(&got, v, "message {i}");
    }
    // Three values are single records (a run would not be smaller): 3 * 12 bytes.
    assert_eq!(p.push_pods(&vals[..3]), Ok(3));
    assert_eq!(get(r, HEADER_LEN + 172), 5);
    assert_eq!(get(r, TAIL), 172 + 36);
    // 8-byte messages move 8 bytes each, plus 12 per run.
    let buf = RegionBuf::new(required_len(1024)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 1024).unwrap();
    let mut p = ring.producer().unwrap();
    assert_eq!(p.push_pods(&[1u64; 64]), Ok(64));
    assert_eq!(ring.used_bytes(), Ok(12 + 64 * 8));
}

#[test]
fn every_consumer_call_takes_a_run_in_order_and_head_passes_it_whole() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 256).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let vals: Vec<[u8; 5]> = (0..20).map(five).collect();
    p.push_pods(&vals).unwrap();
    p.try_push(b"after").unwrap();
    let taken = |r: Region<'_>| get(r, HEADER_LEN + 8);

    let mut out = [0u8; 16];
    assert_eq!(
        c.try_pop(&mut out[..4]),
        Err(Error::BufferTooSmall { needed: 5 })
    );
    assert_eq!(c.try_pop(&mut out), Ok(5));
    assert_eq!(out[..5], vals[0]);
    assert_eq!((taken(r), get(r, HEAD)), (1, 0));
    assert_eq!(c.pop_pod::<[u8; 5]>(), Ok(vals[1]));
    assert!(matches!(
        c.pop_pod::<u64>(),
        Err(Error::SizeMismatch {
            expected: 8,
            found: 5
        })
    ));
    // A grant dropped without release: not consumed.
    assert!(c.read().unwrap().bytes().eq_slice(&vals[2]));
    assert_eq!(taken(r), 2);
    c.read().unwrap().release();
    assert_eq!(taken(r), 3);
    assert_eq!(c.skip(), Ok(true));
    assert_eq!(ring.stats().dropped, 1);
    assert!(matches!(
        c.pop_pods(&mut [0u64; 4]),
        Err(Error::SizeMismatch { .. })
    ));
    let mut five_out = [[0u8; 5]; 3];
    assert_eq!(c.pop_pods(&mut five_out), Ok(3));
    assert_eq!(five_out[..], vals[4..7]);
    assert_eq!((taken(r), get(r, HEAD)), (7, 0));
    // drain stops after two: both consumed, the rest stays.
    let mut got = Vec::new();
    let stop = c.drain(|m| {
        got.push(m.to_vec());
        if got.len() == 2 {
            core::ops::ControlFlow::Break(())
        } else {
            core::ops::ControlFlow::Continue(())
        }
    });
    assert_eq!(stop, Ok(core::ops::ControlFlow::Break(())));
    assert_eq!(got, [vals[7].to_vec(), vals[8].to_vec()]);
    assert_eq!(taken(r), 9);
    // The rest of the run, then the record after it; HEAD moves past the run only now.
    got.clear();
    assert_eq!(c.drain(|m| got.push(m.to_vec())), Ok(12));
    assert_eq!(
        got[..11],
        vals[9..].iter().map(|v| v.to_vec()).collect::<Vec<_>>()[..]
    );
    assert_eq!(got[11], b"after");
    assert_eq!(get(r, HEAD), get(r, TAIL));
    assert_eq!(ring.used_bytes(), Ok(0));
}

#[test]
fn the_last_message_of_a_run_releases_it() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 256).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    p.push_pods(&[1u32, 2, 3, 4]).unwrap();
    assert_eq!(ring.used_bytes(), Ok(12 + 16));
    for v in 1..=3u32 {
        assert_eq!(c.pop_pod::<u32>(), Ok(v));
        assert_eq!(ring.used_bytes(), Ok(28), "HEAD stays at the run");
    }
    assert_eq!(c.pop_pod::<u32>(), Ok(4));
    assert_eq!(ring.used_bytes(), Ok(0));
    // pop_pods that ends exactly at a run's last message releases it too.
    p.push_pods(&[5u32, 6, 7, 8]).unwrap();
    let mut out = [0u32; 4];
    assert_eq!(c.pop_pods(&mut out), Ok(4));
    assert_eq!(out, [5, 6, 7, 8]);
    assert_eq!(ring.used_bytes(), Ok(0));
    assert_eq!(c.pop_pod::<u32>(), Err(Error::Empty));
}

#[test]
fn a_new_consumer_resumes_inside_a_run() {
    let buf = RegionBuf::new(required_len(512)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 512).unwrap();
    let mut p = ring.producer().unwrap();
    let vals: Vec<u64> = (100..140).collect();
    assert_eq!(p.push_pods(&vals), Ok(40));
    let mut got = Vec::new();
    for k in [3, 1, 7, 29] {
        let mut c = ring.consumer().unwrap();
        for _ in 0..k {
            got.push(c.pop_pod::<u64>().unwrap());
        }
    } // each consumer detaches mid-run; the next one goes on at TAKEN
    assert_eq!(got, vals);
    assert_eq!(ring.used_bytes(), Ok(0));
}

#[test]
fn runs_wrap_with_padding_and_keep_order() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let ring = Ring::<Spsc>::init_at(buf.region(), 256, u32::MAX - 255).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let mut next_in = 0u64;
    let mut next_out = 0u64;
    for round in 0..200u64 {
        let want = (round % 23 + 1) as usize;
        let vals: Vec<u64> = (next_in..next_in + want as u64).collect();
        let n = p.push_pods(&vals).unwrap();
        next_in += n as u64;
        let mut out = [0u64; 9];
        let take = (round % 9 + 1) as usize;
        let k = c.pop_pods(&mut out[..take]).unwrap();
        for v in &out[..k] {
            assert_eq!(*v, next_out);
            next_out += 1;
        }
    }
    c.drain(|m| {
        assert_eq!(m.read_u64_le(0).unwrap(), next_out);
        next_out += 1;
    })
    .unwrap();
    assert_eq!(next_out, next_in);
    assert_eq!(ring.used_bytes(), Ok(0));
}

/// Every bad run header is corruption, from every read call, with no read outside the region
/// (the ring sits at the very end of its buffer) and no huge allocation.
#[test]
fn hostile_runs_are_refused_by_every_read_call() {
    let cap = 256u32;
    let buf = RegionBuf::new(required_len(cap)).unwrap();
    let r = buf.region();
    // (count word, L, TAKEN, tail)
    let cases: [(u32, u32, u32, u32); 9] = [
        (SPSC_RUN, 8, 0, 256),                         // count 0
        (SPSC_RUN | 4, 0, 0, 256),                     // L = 0: empty messages never go in runs
        (SPSC_RUN | 1, max_message(cap) + 1, 0, 256),  // L too long
        (SPSC_RUN | 31, 8, 0, 256),                    // 12 + 31 * 8 = 260: past the end
        (SPSC_RUN | 4, 8, 0, 40),                      // 44 bytes: past the tail
        (SPSC_RUN | 4, 8, 0, 8),                       // the header itself crosses the tail
        (SPSC_RUN | 4, 8, 4, 256),                     // TAKEN == count
        (SPSC_RUN | 4, 8, u32::MAX, 256),              // TAKEN absurd
        (SPSC_RUN | SPSC_RUN_COUNT_MASK, 100, 0, 256), // count * stride overflows u32
    ];
    for (word, len, taken, tail) in cases {
        let ring = Ring::<Spsc>::init(r, cap).unwrap();
        put(r, HEADER_LEN, word);
        put(r, HEADER_LEN + 4, len);
        put(r, HEADER_LEN + 8, taken);
        put(r, TAIL, tail);
        let mut c = ring.consumer().unwrap();
        let case = format!("{word:#x} L {len} taken {taken} tail {tail}");
        let e = c.try_pop(&mut [0u8; 512]).unwrap_err();
        assert!(matches!(e, Error::Corrupt(_)), "{case}: {e:?}");
        assert!(matches!(c.read(), Err(Error::Corrupt(_))), "{case}");
        assert!(matches!(c.drain(|_| {}), Err(Error::Corrupt(_))), "{case}");
        assert!(matches!(c.skip(), Err(Error::Corrupt(_))), "{case}");
        assert!(
            matches!(c.pop_pod::<u64>(), Err(Error::Corrupt(_))),
            "{case}"
        );
        assert!(
            matches!(c.pop_pods(&mut [0u64; 4]), Err(Error::Corrupt(_))),
            "{case}"
        );
        assert_eq!(get(r, HEAD), 0, "{case}: nothing consumed");
    }
    // The same run, valid: TAKEN = 2 of 4 delivers messages 2 and 3.
    let ring = Ring::<Spsc>::init(r, cap).unwrap();
    put(r, HEADER_LEN, SPSC_RUN | 4);
    put(r, HEADER_LEN + 4, 8);
    put(r, HEADER_LEN + 8, 2);
    for i in 0..4u32 {
        put(r, HEADER_LEN + 12 + 8 * i as usize, 10 + i);
    }
    put(r, TAIL, 44);
    let mut c = ring.consumer().unwrap();
    assert_eq!(c.pop_pod::<u64>(), Ok(12));
    assert_eq!(c.pop_pod::<u64>(), Ok(13));
    assert_eq!(c.pop_pod::<u64>(), Err(Error::Empty));
    assert_eq!(get(r, HEAD), 44);
}

/// `push_pods_with` / `pop_pods_with` move the same records as the slice calls (runs included,
/// padded strides too) and make or take exactly the values that fit; a panicking closure
/// publishes (producer) or releases (consumer) nothing of its call.
#[test]
fn closure_batches_write_and_read_runs_in_place() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 256).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    // 40 five-byte values do not fit in 256 bytes: 30 do as one run (12 + 30 * 8 = 252).
    let mut made = Vec::new();
    let n = p
        .push_pods_with(40, |i| {
            made.push(i);
            five(i as u8)
        })
        .unwrap();
    assert_eq!(n, 30);
    assert_eq!(made, (0..30).collect::<Vec<_>>());
    assert_eq!(get(r, HEADER_LEN), SPSC_RUN | 30);
    let mut got = Vec::new();
    assert_eq!(c.pop_pods_with(7, |v: [u8; 5]| got.push(v)), Ok(7));
    assert_eq!(get(r, HEADER_LEN + 8), 7, "TAKEN");
    let r2 = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        c.pop_pods_with(usize::MAX, |_: [u8; 5]| panic!("consumer bug"))
    }));
    assert!(r2.is_err());
    assert_eq!(
        get(r, HEADER_LEN + 8),
        7,
        "a panicking take releases nothing"
    );
    assert_eq!(
        c.pop_pods_with(usize::MAX, |v: [u8; 5]| got.push(v)),
        Ok(23)
    );
    assert_eq!(got, (0..30).map(five).collect::<Vec<_>>());
    assert_eq!(ring.used_bytes(), Ok(0));
    // A panicking make publishes nothing.
    let tail = get(r, TAIL);
    let r3 = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        p.push_pods_with(10, |i| {
            if i < 5 {
                i as u64
            } else {
                panic!("producer bug")
            }
        })
    }));
    assert!(r3.is_err());
    assert_eq!(get(r, TAIL), tail);
    assert_eq!(c.pop_pod::<u64>(), Err(Error::Empty));
}

/// A batch longer than anything a ring holds (2^32 and usize::MAX values, where a 32-bit count
/// would wrap to 0 or overflow) pushes what fits, as one valid run.
#[test]
fn huge_batches_push_what_fits() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    for n in [1usize << 32, (1 << 32) + 3, usize::MAX] {
        let ring = Ring::<Spsc>::init(r, 256).unwrap();
        let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
        let pushed = p.push_pods_with(n, |i| i as u64).unwrap();
        assert_eq!(pushed, (256 - 12) / 8, "{n}");
        assert_eq!(get(r, HEADER_LEN), SPSC_RUN | pushed as u32);
        let mut next = 0u64;
        c.pop_pods_with(usize::MAX, |v: u64| {
            assert_eq!(v, next);
            next += 1;
        })
        .unwrap();
        assert_eq!(next, pushed as u64);
        // A consumer limit of 2^32 (0 in 32 bits) takes everything too.
        assert_eq!(p.push_pods_with(8, |i| i as u64), Ok(8));
        assert_eq!(c.pop_pods_with(1 << 32, |_: u64| {}), Ok(8));
    }
}
