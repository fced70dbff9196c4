//! Model-based fuzzing: an arbitrary sequence of ring operations (both kinds, every API) must
//! behave like a `VecDeque` of messages: same messages, same order, nothing lost or duplicated,
//! counters and positions consistent. Positions start anywhere (including near `u32::MAX`).
#![no_main]
use std::collections::VecDeque;

use arbitrary::Arbitrary;
use inos_layout::RegionBuf;
use inos_ring::{layout, Error, Kind, Mpsc, Ring, Spsc};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Push(u16),
    Reserve {
        len: u16,
        commit: bool,
    },
    Pop(u16),
    Read {
        release: bool,
    },
    Drain,
    Skip,
    PushPod(u64),
    PopPod,
    /// A batch of `n % 40` values; SPSC writes four or more as a run (ring.md §3.1.1): 4-byte
    /// values (stride = length) or 5-byte ones (padded strides).
    /// `with`: through `push_pods_with` (values made in place).
    PushPods {
        n: u8,
        five: bool,
        with: bool,
    },
    /// Up to `n % 17` 4-byte messages in one call (`with`: `pop_pods_with`).
    PopPods {
        n: u8,
        with: bool,
    },
}

/// The batched calls (SPSC has them; MPSC goes one by one with the same contract).
trait Batch: Kind + Sized {
    fn push_pods<T: bytemuck::Pod>(
        p: &mut inos_ring::Producer<'_, Self>,
        v: &[T],
        with: bool,
    ) -> usize;
    fn pop_pods(
        c: &mut inos_ring::Consumer<'_, Self>,
        out: &mut [u32],
        with: bool,
    ) -> Result<usize, Error>;
}

impl Batch for Spsc {
    fn push_pods<T: bytemuck::Pod>(
        p: &mut inos_ring::Producer<'_, Self>,
        v: &[T],
        with: bool,
    ) -> usize {
        if with {
            p.push_pods_with(v.len(), |i| v[i]).unwrap()
        } else {
            p.push_pods(v).unwrap()
        }
    }
    fn pop_pods(
        c: &mut inos_ring::Consumer<'_, Self>,
        out: &mut [u32],
        with: bool,
    ) -> Result<usize, Error> {
        if !with {
            return c.pop_pods(out);
        }
        let mut k = 0;
        let r = c.pop_pods_with(out.len(), |v| {
            out[k] = v;
            k += 1;
        });
        assert!(r.as_ref().map_or(true, |&n| n == k));
        r
    }
}

impl Batch for Mpsc {
    fn push_pods<T: bytemuck::Pod>(
        p: &mut inos_ring::Producer<'_, Self>,
        v: &[T],
        _: bool,
    ) -> usize {
        v.iter().take_while(|x| p.push_pod(*x).is_ok()).count()
    }
    fn pop_pods(
        c: &mut inos_ring::Consumer<'_, Self>,
        out: &mut [u32],
        _: bool,
    ) -> Result<usize, Error> {
        let mut n = 0;
        while n < out.len() {
            match c.pop_pod::<u32>() {
                Ok(v) => out[n] = v,
                Err(e @ Error::SizeMismatch { .. }) if n == 0 => return Err(e),
                Err(Error::Empty | Error::SizeMismatch { .. }) => break,
                Err(e) => return Err(e),
            }
            n += 1;
        }
        Ok(n)
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    cap_log: u8,
    start: u32,
    mpsc: bool,
    ops: Vec<Op>,
}

fn msg(seq: u32, len: usize) -> Vec<u8> {
    (0..len).map(|i| (seq as usize * 131 + i) as u8).collect()
}

fn run<K: Batch>(inp: &Input) {
    let cap = 64u32 << (inp.cap_log % 6);
    let buf = RegionBuf::new(layout::required_len(cap)).unwrap();
    let ring = Ring::<K>::init_at(buf.region(), cap, inp.start & !7).unwrap();
    let mut p = ring.producer().unwrap();
    let mut c = ring.consumer().unwrap();
    let max = ring.max_message();
    let mut model: VecDeque<Vec<u8>> = VecDeque::new();
    let (mut aborted, mut dropped) = (0u32, 0u32);
    for (seq, op) in inp.ops.iter().enumerate().take(512) {
        let seq = seq as u32;
        match *op {
            Op::Push(len) => {
                let m = msg(seq, len as usize % (max + 16));
                match p.try_push(&m) {
                    Ok(()) => model.push_back(m),
                    Err(Error::Full) => {
                        assert!(!model.is_empty() || aborted > 0 || m.len() > max / 2)
                    }
                    Err(Error::TooLarge { .. }) => assert!(m.len() > max),
                    Err(e) => panic!("{e}"),
                }
            }
            Op::Reserve { len, commit } => {
                let m = msg(seq, len as usize % (max + 1));
                if let Ok(mut g) = p.reserve(m.len()) {
                    g.copy_from_slice(&m);
                    if commit {
                        g.commit().unwrap();
                        model.push_back(m);
                    } else {
                        g.abort();
                        aborted += 1;
                    }
                }
            }
            Op::Pop(n) => {
                let mut out = vec![0u8; n as usize % (max + 8)];
                match (c.try_pop(&mut out), model.front()) {
                    (Ok(k), Some(m)) => {
                        assert_eq!(&out[..k], &m[..]);
                        model.pop_front();
                    }
                    (Err(Error::Empty), None) => {}
                    (Err(Error::BufferTooSmall { needed }), Some(m)) => {
                        assert_eq!(needed, m.len());
                        assert!(out.len() < needed);
                    }
                    (r, m) => panic!("{r:?} vs {m:?}"),
                }
            }
            Op::Read { release } => match (c.read(), model.front()) {
                (Ok(g), Some(m)) => {
                    assert!(g.bytes().eq_slice(m));
                    if release {
                        g.release();
                        model.pop_front();
                    }
                }
                (Err(Error::Empty), None) => {}
                (r, m) => panic!("{:?} vs {m:?}", r.map(|g| g.to_vec())),
            },
            Op::Drain => {
                let mut got = Vec::new();
                c.drain(|b| got.push(b.to_vec())).unwrap();
                assert_eq!(got, model.drain(..).collect::<Vec<_>>());
            }
            Op::Skip => {
                assert_eq!(c.skip().unwrap(), model.pop_front().is_some());
                if !model.is_empty() || c.ring().stats().dropped != dropped {
                    dropped = c.ring().stats().dropped;
                }
            }
            Op::PushPod(v) => match p.push_pod(&v) {
                Ok(()) => model.push_back(v.to_le_bytes().to_vec()),
                Err(Error::Full) => {}
                Err(e) => panic!("{e}"),
            },
            Op::PopPod => match (c.pop_pod::<u64>(), model.front()) {
                (Ok(v), Some(m)) => {
                    assert_eq!(&v.to_le_bytes()[..], &m[..]);
                    model.pop_front();
                }
                (Err(Error::Empty), None) => {}
                (Err(Error::SizeMismatch { found, .. }), Some(m)) => assert_eq!(found, m.len()),
                (r, m) => panic!("{r:?} vs {m:?}"),
            },
            Op::PushPods { n, five, with } => {
                let k = n as usize % 40;
                let vals: Vec<[u8; 5]> = (0..k)
                    .map(|i| msg(seq + i as u32, 5).try_into().unwrap())
                    .collect();
                let pushed = if five {
                    K::push_pods(&mut p, &vals, with)
                } else {
                    let words: Vec<[u8; 4]> =
                        vals.iter().map(|v| [v[0], v[1], v[2], v[3]]).collect();
                    K::push_pods(&mut p, &words, with)
                };
                assert!(pushed <= k);
                for v in &vals[..pushed] {
                    model.push_back(v[..if five { 5 } else { 4 }].to_vec());
                }
            }
            Op::PopPods { n, with } => {
                let mut out = vec![0u32; n as usize % 17];
                let want: Vec<Vec<u8>> = model
                    .iter()
                    .take(out.len())
                    .take_while(|m| m.len() == 4)
                    .cloned()
                    .collect();
                match K::pop_pods(&mut c, &mut out, with) {
                    Ok(k) => {
                        assert_eq!(k, want.len());
                        for (v, m) in out[..k].iter().zip(&want) {
                            assert_eq!(&v.to_le_bytes()[..], &m[..]);
                        }
                        model.drain(..k);
                    }
                    Err(Error::SizeMismatch { found, .. }) => {
                        assert!(want.is_empty() && !out.is_empty());
                        assert_eq!(Some(found), model.front().map(|m| m.len()));
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
        let used = ring.used_bytes().unwrap();
        assert!(used <= cap);
        if model.is_empty() && aborted == 0 {
            // Only padding can remain when no message is pending.
            let mut probe = [0u8; 0];
            let _ = c.try_pop(&mut probe);
        }
    }
    assert_eq!(ring.stats().aborted, aborted);
    let mut rest = Vec::new();
    c.drain(|b| rest.push(b.to_vec())).unwrap();
    assert_eq!(rest, model.into_iter().collect::<Vec<_>>());
    assert_eq!(ring.used_bytes(), Ok(0));
}

fuzz_target!(|inp: Input| {
    if inp.mpsc {
        run::<Mpsc>(&inp);
    } else {
        run::<Spsc>(&inp);
    }
});
