//! Fuzz a ring consumer (and a producer) over hostile bytes: every call returns `Ok` or a typed
//! error; never a panic, an out-of-region access, undefined behaviour or a large allocation.
//!
//! Input: byte 0 picks the capacity, the kind and whether a valid header is written first (so the
//! fuzzer reaches the record parser instead of stopping at the magic check); bytes 1..9 give the
//! head and the tail span; the next `capacity` bytes become the data area (XOR-ed over a few
//! genuine records in "valid" mode); the remaining bytes drive a sequence of operations.
#![no_main]
use inos_layout::sync::Ordering;
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::*;
use inos_ring::{Error, Kind, Mpsc, Ring, Spsc};
use libfuzzer_sys::fuzz_target;

fn word(r: Region<'_>, off: usize, v: u32) {
    r.u32_at(off).unwrap().store(v, Ordering::Relaxed);
}

/// The batched pop where the kind has one (SPSC).
trait PopPods: Kind + Sized {
    fn pop_pods(c: &mut inos_ring::Consumer<'_, Self>, n: usize) -> Result<usize, Error>;
}

impl PopPods for Spsc {
    fn pop_pods(c: &mut inos_ring::Consumer<'_, Self>, n: usize) -> Result<usize, Error> {
        let mut out = [0u64; 16];
        c.pop_pods(&mut out[..n % 17]).map(|k| {
            assert!(k <= n % 17);
            k
        })
    }
}

impl PopPods for Mpsc {
    fn pop_pods(c: &mut inos_ring::Consumer<'_, Self>, _: usize) -> Result<usize, Error> {
        c.pop_pod::<u64>().map(|_| 1)
    }
}

fn run<K: PopPods>(r: Region<'_>, cap: u32, valid: bool, pos: (u32, u32), data: &[u8], ops: &[u8]) {
    if valid {
        let ring = Ring::<K>::init_at(r, cap, pos.0 & !7).unwrap();
        // A few genuine records, then the fuzz bytes XOR-ed over the data area.
        let mut p = ring.producer().unwrap();
        for i in 0..(pos.1 % 8) {
            let _ = p.try_push(&vec![i as u8; (i * 13 % 40) as usize]);
        }
        drop(p);
        let mut buf = vec![0u8; cap as usize];
        r.read(HEADER_LEN, &mut buf).unwrap();
        for (b, d) in buf.iter_mut().zip(data) {
            *b ^= d;
        }
        r.write(HEADER_LEN, &buf).unwrap();
    } else {
        let n = data.len().min(cap as usize);
        r.write(HEADER_LEN, &data[..n]).unwrap();
        word(r, MAGIC, MAGIC_VALUE);
        word(r, VERSION, VERSION_VALUE);
        word(r, CAPACITY, if pos.1 & 1 == 0 { cap } else { pos.1 });
        word(r, KIND, K::ID);
        word(r, HEAD, pos.0);
        word(r, TAIL, pos.0.wrapping_add(pos.1 >> 1));
    }
    let Ok(ring) = Ring::<K>::attach(r) else {
        return;
    };
    let Ok(mut c) = ring.consumer() else {
        return;
    };
    let mut p = ring.producer().ok();
    let mut out = [0u8; 256];
    let max = ring.max_message();
    for &op in ops {
        let res: Result<(), Error> = match op % 8 {
            0 => c
                .try_pop(&mut out[..(op as usize)])
                .map(|n| assert!(n <= op as usize)),
            1 => c.read().map(|g| {
                assert!(g.len() <= max);
                let _ = g.bytes().get(0);
                if op & 0x80 != 0 {
                    g.release()
                }
            }),
            2 => c.drain(|m| assert!(m.len() <= max)).map(|_| ()),
            3 => c.skip().map(|_| ()),
            4 => c.unblock().map(|_| ()),
            5 => c.pop_pod::<u64>().map(|_| ()),
            6 => K::pop_pods(&mut c, op as usize).map(|_| ()),
            _ => match p.as_mut() {
                Some(p) => p.try_push(&out[..(op as usize % 64)]),
                None => Ok(()),
            },
        };
        if let Err(e) = res {
            assert!(
                matches!(
                    e,
                    Error::Empty
                        | Error::Full
                        | Error::Corrupt(_)
                        | Error::BufferTooSmall { .. }
                        | Error::SizeMismatch { .. }
                        | Error::TooLarge { .. }
                ),
                "{e:?}"
            );
        }
    }
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 9 {
        return;
    }
    let sel = input[0];
    let cap = 64u32 << (sel % 5);
    let valid = sel & 0x20 != 0;
    let head = u32::from_le_bytes(input[1..5].try_into().unwrap());
    let span = u32::from_le_bytes(input[5..9].try_into().unwrap());
    let rest = &input[9..];
    let split = rest.len().min(cap as usize);
    let (data, ops) = rest.split_at(split);
    let buf = RegionBuf::new(required_len(cap)).unwrap();
    if sel & 0x40 != 0 {
        run::<Mpsc>(buf.region(), cap, valid, (head, span), data, ops);
    } else {
        run::<Spsc>(buf.region(), cap, valid, (head, span), data, ops);
    }
});
