//! Hostile and corrupted shared memory: every bad header, position, state and length is a typed
//! error (defect 11), never a panic, an out-of-region access or a large allocation; roles are
//! exclusive and released on drop (defect 7).
#![allow(missing_docs)]

use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::*;
use inos_ring::{Corruption, Error, Mode, Mpsc, Ring, Role, Spsc};
use proptest::prelude::*;

fn put(r: Region<'_>, off: usize, v: u32) {
    r.u32_at(off).unwrap().store(v, Ordering::Relaxed);
}

#[test]
fn attach_rejects_bad_headers() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    assert!(matches!(
        Ring::<Spsc>::attach(r),
        Err(Error::BadMagic { found: 0 })
    ));
    Ring::<Spsc>::init(r, 256).unwrap();
    put(r, VERSION, 1); // the v1 format (zeroed SPSC free space) is not this one
    assert_eq!(
        Ring::<Spsc>::attach(r).err(),
        Some(Error::BadVersion { found: 1 })
    );
    put(r, VERSION, 2); // v2: 8-byte SPSC headers, MPSC zeroes whole records
    assert_eq!(
        Ring::<Spsc>::attach(r).err(),
        Some(Error::BadVersion { found: 2 })
    );
    put(r, VERSION, VERSION_VALUE);
    assert_eq!(
        Ring::<Mpsc>::attach(r).err(),
        Some(Error::WrongKind {
            expected: inos_ring::RingKind::Mpsc,
            found: inos_ring::RingKind::Spsc
        })
    );
    for bad in [2, 3, u32::MAX] {
        put(r, MODE, bad);
        assert_eq!(
            Ring::<Spsc>::attach(r).err(),
            Some(Error::BadMode { found: bad })
        );
    }
    put(r, MODE, MODE_POLL);
    assert_eq!(
        Ring::<Spsc>::attach(r).map(|r| r.mode()),
        Ok(inos_ring::Mode::Poll)
    );
    put(r, MODE, MODE_WAKE);
    // Every reserved word is checked (PROTOCOL.md §1), not only the first one.
    for (start, end) in RESERVED {
        for off in (start..end).step_by(4) {
            put(r, off, 1 << (off % 32));
            assert_eq!(
                Ring::<Spsc>::attach(r).err(),
                Some(Error::Reserved {
                    offset: off,
                    found: 1 << (off % 32)
                }),
                "reserved word at {off}"
            );
            put(r, off, 0);
        }
    }
    for bad in [0, 3, 32, 100, 1 << 31 | 1, u32::MAX] {
        put(r, CAPACITY, bad);
        assert_eq!(
            Ring::<Spsc>::attach(r).err(),
            Some(Error::BadCapacity { capacity: bad })
        );
    }
    put(r, CAPACITY, 512); // valid, but larger than the region
    assert!(matches!(Ring::<Spsc>::attach(r), Err(Error::Access(_))));
    put(r, CAPACITY, 256);
    assert!(Ring::<Spsc>::attach(r).is_ok());
}

#[test]
fn init_rejects_bad_capacity_and_short_regions() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    assert_eq!(
        Ring::<Spsc>::init(buf.region(), 96).err(),
        Some(Error::BadCapacity { capacity: 96 })
    );
    assert!(matches!(
        Ring::<Spsc>::init(buf.region(), 512),
        Err(Error::Access(_))
    ));
    assert!(Ring::<Spsc>::init_at(buf.region(), 256, 3).is_err());
}

#[test]
fn inconsistent_positions_are_corruption() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Mpsc>::init(r, 256).unwrap();
    put(r, TAIL, 264); // tail - head > capacity
    assert!(matches!(
        Ring::<Mpsc>::attach(r),
        Err(Error::Corrupt(Corruption::Positions { .. }))
    ));
    assert!(matches!(ring.consumer(), Err(Error::Corrupt(_))));
    assert!(
        ring.consumer().is_err(),
        "a failed attach must release the role"
    );
    put(r, TAIL, 4); // misaligned
    assert!(matches!(ring.producer(), Err(Error::Corrupt(_))));
    ring.reset().unwrap();
    let mut c = ring.consumer().unwrap();
    assert_eq!(c.try_pop(&mut []), Err(Error::Empty));
}

#[test]
fn producer_detects_a_corrupted_head() {
    let buf = RegionBuf::new(required_len(64)).unwrap();
    let r = buf.region();
    let ring = Ring::<Spsc>::init(r, 64).unwrap();
    let mut p = ring.producer().unwrap();
    p.try_push(&[1; 24]).unwrap();
    p.try_push(&[1; 24]).unwrap();
    put(r, HEAD, 1000); // the consumer position jumps past the producer
    assert!(matches!(p.try_push(&[1; 24]), Err(Error::Corrupt(_))));
    let ring = Ring::<Mpsc>::init(r, 64).unwrap();
    let mut p = ring.producer().unwrap();
    p.try_push(&[1; 24]).unwrap();
    p.try_push(&[1; 24]).unwrap();
    put(r, HEAD, 1000);
    assert!(matches!(p.try_push(&[1; 24]), Err(Error::Corrupt(_))));
}

#[test]
fn consumer_rejects_bad_records() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let cases: [(u32, u32, u32); 8] = [
        // (length, state, tail)
        (8, 7, 16),                                                   // undefined state
        (8, 1, 16),                                                   // version 3's COMMITTED
        (8, busy_tag(64), 16),      // busy tag of another position
        (8, committed_tag(64), 16), // committed tag of a position that is not a lap away
        (8, committed_tag(0u32.wrapping_sub(256)) | 0x2000_0000, 16), // a lap-old tag plus bit 29
        (u32::MAX, committed_tag(0), 256), // absurd length: no allocation, no overflow
        (300, committed_tag(0), 256), // crosses the end of the data area
        (u32::MAX, STATE_PADDING, 256), // padding of an absurd length
    ];
    for (len, state, tail) in cases {
        let ring = Ring::<Mpsc>::init(r, 256).unwrap();
        put(r, HEADER_LEN, len);
        put(r, HEADER_LEN + 4, state);
        put(r, TAIL, tail);
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 512];
        let e = c.try_pop(&mut out).unwrap_err();
        assert!(
            matches!(e, Error::Corrupt(_)),
            "{len} {state:#x} {tail}: {e:?}"
        );
        assert!(matches!(c.read(), Err(Error::Corrupt(_))));
        assert!(matches!(c.drain(|_| {}), Err(Error::Corrupt(_))));
        assert!(matches!(c.skip(), Err(Error::Corrupt(_))));
        assert!(matches!(c.pop_pod::<u64>(), Err(Error::Corrupt(_))));
    }
}

/// MPSC records are not checked against `TAIL` (spec §5.2: it is the line every producer
/// writes). A length that crosses it yields a message of bytes inside the data area, never an
/// access outside it, and the positions it leaves behind are refused by the next producer.
#[test]
fn mpsc_record_crossing_the_tail_is_caught_by_the_producers() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    for (state, delivered) in [
        (committed_tag(0), Ok(100)),
        (STATE_PADDING, Err(Error::Empty)),
    ] {
        let ring = Ring::<Mpsc>::init(r, 256).unwrap();
        put(r, HEADER_LEN, 100);
        put(r, HEADER_LEN + 4, state);
        put(r, TAIL, 16);
        let mut c = ring.consumer().unwrap();
        assert_eq!(c.try_pop(&mut [0u8; 512]), delivered);
        assert_positions_refused(ring);
    }
}

/// The positions a consumer left past `TAIL` are corruption to observers and producers.
fn assert_positions_refused(ring: Ring<'_, Mpsc>) {
    assert!(matches!(ring.used_bytes(), Err(Error::Corrupt(_))));
    assert!(matches!(ring.producer().err(), Some(Error::Corrupt(_))));
}

/// Wrap padding, then a message whose corrupt length reaches far past `TAIL`: the consumer
/// skips and reads more than one lap of positions in one release, zeroing stays inside the data
/// area, and the producers refuse what is left.
#[test]
fn mpsc_release_of_more_than_a_lap_stays_in_the_region() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Mpsc>::init_with(r, 256, Mode::Poll, 104).unwrap();
    put(r, HEADER_LEN + 104, 256 - 104 - 8); // padding to the end of the data area
    put(r, HEADER_LEN + 108, STATE_PADDING);
    put(r, HEADER_LEN, max_message(256)); // then a message of the largest length at 256
    put(r, HEADER_LEN + 4, committed_tag(256));
    put(r, TAIL, 104 + 16);
    let mut c = ring.consumer().unwrap();
    let mut out = [0u8; 256];
    assert_eq!(c.try_pop(&mut out), Ok(max_message(256) as usize));
    // 152 bytes of padding and a 128-byte record were released: more than the 256-byte lap.
    assert_positions_refused(ring);
}

/// A committed tag a whole number of laps old is what a commit leaves that landed after its
/// record was unblocked and released (spec §6): "nothing written here yet", not corruption.
#[test]
fn mpsc_stale_committed_tag_reads_as_empty() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let ring = Ring::<Mpsc>::init_with(r, 256, Mode::Poll, 512).unwrap();
    put(r, HEADER_LEN + 4, committed_tag(256)); // position 512 is one lap after 256
    put(r, TAIL, 512 + 16); // a producer claimed position 512 but has not written its header
    let mut c = ring.consumer().unwrap();
    assert_eq!(c.try_pop(&mut [0u8; 64]), Err(Error::Empty));
    assert_eq!(c.unblock(), Ok(false));
    put(r, HEADER_LEN, 3);
    put(r, HEADER_LEN + 4, committed_tag(512));
    assert_eq!(c.try_pop(&mut [0u8; 64]), Ok(3));
}

/// SPSC records have one header word (spec §3.1): a length, or the padding flag plus the bytes
/// to skip. Every bad word is corruption, from every read call.
#[test]
fn spsc_consumer_rejects_bad_records() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let r = buf.region();
    let cases: [(u32, u32); 8] = [
        // (header word, tail)
        (u32::MAX, 256),                 // padding of an absurd length: no overflow
        (SPSC_PADDING - 1, 256),         // absurd message length: no allocation
        (max_message(256) + 1, 256),     // too long a message (its record would fit)
        (300, 256),                      // crosses the end of the data area
        (100, 16),                       // crosses the tail
        (SPSC_PADDING | 100, 16),        // padding crossing the tail
        (SPSC_PADDING | 253, 256),       // padding crossing the end
        (SPSC_PADDING | (256 - 4), 256), // padding of a whole ring (at most cap - 8 follow)
    ];
    for (word, tail) in cases {
        let ring = Ring::<Spsc>::init(r, 256).unwrap();
        put(r, HEADER_LEN, word);
        put(r, TAIL, tail);
        let mut c = ring.consumer().unwrap();
        let mut out = [0u8; 512];
        let e = c.try_pop(&mut out).unwrap_err();
        assert!(matches!(e, Error::Corrupt(_)), "{word:#x} {tail}: {e:?}");
        assert!(matches!(c.read(), Err(Error::Corrupt(_))));
        assert!(matches!(c.drain(|_| {}), Err(Error::Corrupt(_))));
        assert!(matches!(c.skip(), Err(Error::Corrupt(_))));
        assert!(matches!(c.pop_pod::<u64>(), Err(Error::Corrupt(_))));
        assert!(matches!(c.pop_pods(&mut [0u64; 4]), Err(Error::Corrupt(_))));
    }
    // A valid padding word is skipped: the message after it is delivered.
    let ring = Ring::<Spsc>::init(r, 256).unwrap();
    put(r, HEADER_LEN, SPSC_PADDING | 12);
    put(r, HEADER_LEN + 16, 3);
    r.write(HEADER_LEN + 20, b"abc").unwrap();
    put(r, TAIL, 24);
    assert_eq!(ring.consumer().unwrap().read().unwrap().to_vec(), b"abc");
}

#[test]
fn roles_are_exclusive_and_released() {
    let buf = RegionBuf::new(required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let p = ring.producer().unwrap();
    assert_eq!(
        ring.producer().err(),
        Some(Error::RoleTaken(Role::Producer))
    );
    let c = ring.consumer().unwrap();
    assert_eq!(
        ring.consumer().err(),
        Some(Error::RoleTaken(Role::Consumer))
    );
    drop((p, c));
    let (_p, _c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    let buf = RegionBuf::new(required_len(64)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    let ps: Vec<_> = (0..5).map(|_| ring.producer().unwrap()).collect();
    assert_eq!(
        buf.region()
            .u32_at(PRODUCER_ROLE)
            .unwrap()
            .load(Ordering::Relaxed),
        5
    );
    drop(ps);
    assert_eq!(
        buf.region()
            .u32_at(PRODUCER_ROLE)
            .unwrap()
            .load(Ordering::Relaxed),
        0
    );
}

/// A new SPSC producer after one that died holding a grant: its dirty bytes lie past `TAIL`, which
/// the consumer never reads, so they are never mistaken for records (ring v2: nothing to repair).
#[test]
fn spsc_producer_takeover_after_crash() {
    let buf = RegionBuf::new(required_len(128)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 128).unwrap();
    let mut p = ring.producer().unwrap();
    p.try_push(b"before").unwrap();
    let mut g = p.reserve(40).unwrap();
    g.copy_from_slice(&[0xFF; 40]); // payload of a record never committed
    std::mem::forget(g);
    std::mem::forget(p); // the producer dies
    ring.force_release(Role::Producer);
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let mut out = [0u8; 64];
    assert_eq!(c.try_pop(&mut out), Ok(6));
    assert_eq!(c.try_pop(&mut out), Err(Error::Empty));
    for i in 0..20u8 {
        p.try_push(&[i; 3]).unwrap();
        assert_eq!(c.try_pop(&mut out), Ok(3));
        assert_eq!(out[..3], [i; 3]);
    }
}

/// A dead MPSC producer (defect 8): later messages are delivered after `unblock`.
#[test]
fn dead_mpsc_producer_does_not_wedge() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    let mut dead = ring.producer().unwrap();
    let mut live = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let g = dead.reserve(20).unwrap();
    g.bytes().fill(0xEE);
    std::mem::forget(g);
    live.try_push(b"one").unwrap();
    live.try_push(b"two").unwrap();
    assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty)); // wedged behind the reservation
    assert_eq!(c.unblock(), Ok(true));
    let mut got = Vec::new();
    c.drain(|m| got.push(m.to_vec())).unwrap();
    assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(ring.stats().unblocked, 1);
    // The ring keeps working across many laps.
    for i in 0..200u32 {
        live.push_pod(&i).unwrap();
        assert_eq!(c.pop_pod::<u32>(), Ok(i));
    }
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::with_cases(if cfg!(miri) { 3 } else { 300 });
    if cfg!(miri) {
        c.failure_persistence = None; // no file system under Miri's isolation
    }
    c
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary bytes in the data area and positions: every consumer and producer call returns
    /// (Ok or a typed error), and whatever is delivered fits the ring.
    #[test]
    fn arbitrary_bytes_never_panic(
        data in proptest::collection::vec(any::<u8>(), 256),
        head in prop_oneof![any::<u32>(), any::<u32>().prop_map(|h| h & !7), any::<u32>().prop_map(|h| h & !3)],
        span in prop_oneof![0u32..=300, (0u32..=32).prop_map(|s| s * 8), (0u32..=64).prop_map(|s| s * 4)],
        mpsc in any::<bool>(),
        ops in proptest::collection::vec(0u8..7, 1..40),
    ) {
        let buf = RegionBuf::new(required_len(256)).unwrap();
        let r = buf.region();
        if mpsc {
            Ring::<Mpsc>::init(r, 256).unwrap();
        } else {
            Ring::<Spsc>::init(r, 256).unwrap();
        }
        r.write(HEADER_LEN, &data).unwrap();
        put(r, HEAD, head);
        put(r, TAIL, head.wrapping_add(span));
        if mpsc {
            exercise::<Mpsc>(r, &ops)?;
        } else {
            exercise::<Spsc>(r, &ops)?;
        }
    }
}

/// The batched pop where the kind has one (SPSC), else nothing to exercise.
trait PopPods: inos_ring::Kind + Sized {
    fn pop_pods(c: &mut inos_ring::Consumer<'_, Self>) -> Result<usize, Error>;
}

impl PopPods for Spsc {
    fn pop_pods(c: &mut inos_ring::Consumer<'_, Self>) -> Result<usize, Error> {
        c.pop_pods(&mut [0u64; 8])
    }
}

impl PopPods for Mpsc {
    fn pop_pods(_: &mut inos_ring::Consumer<'_, Self>) -> Result<usize, Error> {
        Ok(0)
    }
}

fn exercise<K: PopPods>(r: Region<'_>, ops: &[u8]) -> Result<(), TestCaseError> {
    let Ok(ring) = Ring::<K>::attach(r) else {
        return Ok(());
    };
    let mut c = match ring.consumer() {
        Ok(c) => c,
        Err(e) => {
            prop_assert!(matches!(e, Error::Corrupt(_)));
            return Ok(());
        }
    };
    let mut p = ring.producer().ok();
    let mut out = [0u8; 64];
    for op in ops {
        let res = match op {
            0 => c.try_pop(&mut out).map(|n| assert!(n <= 64)),
            1 => c.read().map(|g| {
                assert!(g.len() <= ring.max_message());
                g.release()
            }),
            2 => c
                .drain(|m| assert!(m.len() <= ring.max_message()))
                .map(|_| ()),
            3 => c.skip().map(|_| ()),
            4 => c.unblock().map(|_| ()),
            5 => K::pop_pods(&mut c).map(|n| assert!(n <= 8)),
            _ => match p.as_mut() {
                Some(p) => p.try_push(&[7; 20]),
                None => Ok(()),
            },
        };
        if let Err(e) = res {
            prop_assert!(
                matches!(
                    e,
                    Error::Empty
                        | Error::Full
                        | Error::Corrupt(_)
                        | Error::BufferTooSmall { .. }
                        | Error::SizeMismatch { .. }
                ),
                "{e:?}"
            );
        }
    }
    Ok(())
}

/// Regression (issue 8 §5): an MPSC abort that lost to `unblock` is counted once, in `unblocked`,
/// not also in `aborted` (it used to increment `aborted` whether or not its CAS won).
#[test]
fn abort_after_unblock_is_counted_once() {
    let buf = RegionBuf::new(required_len(256)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let g = p.reserve(8).unwrap();
    assert_eq!(c.unblock(), Ok(true));
    drop(g); // the abort's CAS from the busy tag fails: the record is already padding
    let s = ring.stats();
    assert_eq!((s.unblocked, s.aborted), (1, 0));
    // An abort that wins is counted in `aborted` only.
    p.reserve(8).unwrap().abort();
    assert_eq!(c.unblock(), Ok(false));
    let s = ring.stats();
    assert_eq!((s.unblocked, s.aborted), (1, 1));
    assert_eq!(c.try_pop(&mut [0; 8]), Err(Error::Empty));
    assert_eq!(ring.used_bytes(), Ok(0));
}
