//! Epoch, flag, seqlock and ping-pong handles over arbitrary region bytes (as a buggy or hostile
//! peer could leave them), with offsets and lengths from the input: every call returns a value or
//! a typed error, never panics, never blocks, never touches memory outside the region; and a
//! write followed by a read on the same thread round-trips.
#![no_main]

use arbitrary::Arbitrary;
use inos_epoch::{Deadline, Epoch, Flag, PingPong, Seqlock, Value};
use inos_layout::RegionBuf;
use libfuzzer_sys::fuzz_target;

const LEN: usize = 512;

#[derive(Arbitrary, Debug)]
struct Input {
    offset: u16,
    len: u16,
    attempts: u8,
    ops: Vec<Op>,
    bytes: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum Op {
    EpochLoad,
    EpochSignal,
    EpochWait { last_seen: u32 },
    Flag(u8),
    Value(u32),
    SeqRead,
    SeqWrite(u8),
    SeqAbandon,
    PpRead,
    PpWrite(u8),
    PpWait { generation: u32 },
}

fuzz_target!(|input: Input| {
    let buf = RegionBuf::new(LEN).unwrap();
    let region = buf.region();
    let n = input.bytes.len().min(LEN);
    region.write(0, &input.bytes[..n]).unwrap();
    let off = usize::from(input.offset);
    let len = usize::from(input.len);
    let attempts = u32::from(input.attempts % 4);
    let mut scratch = vec![0u8; len.min(LEN)];

    for op in input.ops.iter().take(64) {
        match *op {
            Op::EpochLoad => {
                if let Ok(e) = Epoch::new(region, off) {
                    let mut w = e.watch();
                    let _ = w.changed();
                    let _ = e.load();
                }
            }
            Op::EpochSignal => {
                if let Ok(e) = Epoch::new(region, off) {
                    let before = e.load();
                    let after = e.signal();
                    assert_eq!(after, before.wrapping_add(1));
                }
            }
            Op::EpochWait { last_seen } => {
                if let Ok(e) = Epoch::new(region, off) {
                    let r = e
                        .watch_from(last_seen)
                        .with_spins(2)
                        .wait_changed(Deadline::after_parks(0));
                    assert_eq!(r.is_ok(), e.load() != last_seen);
                }
            }
            Op::Flag(b) => {
                if let Ok(f) = Flag::new(region, off) {
                    match b % 3 {
                        0 => drop(f.set()),
                        1 => drop(f.clear()),
                        _ => drop(f.test_and_set()),
                    }
                    let _ = f.is_set();
                }
            }
            Op::Value(v) => {
                if let Ok(val) = Value::new(region, off) {
                    val.store(v);
                    assert_eq!(val.load(), v);
                }
            }
            Op::SeqRead => {
                if let Ok(s) = Seqlock::new(region, off, len) {
                    let _ = s.read_with_attempts(&mut scratch, attempts);
                }
            }
            Op::SeqWrite(b) => {
                if let Ok(s) = Seqlock::new(region, off, len) {
                    let data = vec![b; len];
                    if s.write(&data).is_ok() {
                        let mut back = vec![0u8; len];
                        s.read_with_attempts(&mut back, 1).unwrap();
                        assert_eq!(back, data);
                    }
                }
            }
            Op::SeqAbandon => {
                if let Ok(s) = Seqlock::new(region, off, len) {
                    let _ = s.abandon_stuck_write();
                }
            }
            Op::PpRead => {
                if let Ok(p) = PingPong::new(region, off, len) {
                    let _ = p.read_with_attempts(&mut scratch, attempts);
                }
            }
            Op::PpWrite(b) => {
                if let Ok(p) = PingPong::new(region, off, len) {
                    let data = vec![b; len];
                    if let Ok(g) = p.write(&data) {
                        let mut back = vec![0u8; len];
                        let f = p.read_with_attempts(&mut back, 1).unwrap();
                        assert_eq!((f.generation, back), (g, data));
                    }
                }
            }
            Op::PpWait { generation } => {
                if let Ok(p) = PingPong::new(region, off, len) {
                    let _ = p.wait_newer(generation, Deadline::after_parks(0));
                }
            }
        }
    }
});
