//! The loom twin of a shared region (`cfg(loom)` only).
//!
//! loom's atomics are not layout-compatible with `core`'s, so a byte region cannot be viewed as
//! loom atomics. Instead the twin keeps one lazily created loom atomic per word, keyed by offset:
//!
//! - 4-byte words (`u32_at`) and all byte copies share one `AtomicU32` per 4-byte word; a byte copy
//!   that covers only part of a word is a compare-exchange loop on that word;
//! - 8-byte words (`u64_at`, `i64_at`) are one `AtomicU64` / `AtomicI64` per 8-byte word.
//!
//! Protocol code must not access the same bytes both as an 8-byte word and any other way; the twin
//! panics if it does, so a loom test reports it instead of silently modelling something else.
//! Initial values come from the bytes the region was created over.
//!
//! The loom atomics are created lazily, on a word's first access. loom records the creation as a
//! write by the creating thread, so a word first touched by a spawned thread and then by another
//! one is reported as a causality violation. Models therefore touch every word they use on the
//! thread that builds the region, before spawning (the crates' `tests/loom.rs` do). Creating every
//! word eagerly would lift that rule at the cost of thousands of loom objects per iteration.
#![cfg(loom)]

use std::boxed::Box;
use std::sync::atomic::{AtomicU8 as StdU8, Ordering as StdOrd};
use std::sync::OnceLock;
use std::vec::Vec;

use crate::region::COPY_ORDER;
use crate::sync::{AtomicI64, AtomicU32, AtomicU64};

const MODE_NONE: u8 = 0;
const MODE_U32: u8 = 1;
const MODE_U64: u8 = 2;
const MODE_I64: u8 = 3;

pub(crate) struct LoomMem {
    init: Box<[u8]>,
    words: Box<[OnceLock<AtomicU32>]>,
    wide_u: Box<[OnceLock<AtomicU64>]>,
    wide_i: Box<[OnceLock<AtomicI64>]>,
    modes: Box<[StdU8]>,
}

impl LoomMem {
    pub(crate) fn new(init: &[u8]) -> Self {
        let mut bytes = init.to_vec();
        bytes.resize(init.len().div_ceil(8) * 8, 0);
        let n4 = bytes.len() / 4;
        let n8 = bytes.len() / 8;
        Self {
            init: bytes.into_boxed_slice(),
            words: (0..n4).map(|_| OnceLock::new()).collect::<Vec<_>>().into(),
            wide_u: (0..n8).map(|_| OnceLock::new()).collect::<Vec<_>>().into(),
            wide_i: (0..n8).map(|_| OnceLock::new()).collect::<Vec<_>>().into(),
            modes: (0..n4)
                .map(|_| StdU8::new(MODE_NONE))
                .collect::<Vec<_>>()
                .into(),
        }
    }

    fn claim(&self, word4: usize, mode: u8) {
        match self.modes[word4].compare_exchange(MODE_NONE, mode, StdOrd::Relaxed, StdOrd::Relaxed)
        {
            Ok(_) => {}
            Err(m) if m == mode => {}
            Err(m) => panic!(
                "inos loom model: bytes at offset {} accessed with two widths ({m} then {mode}); \
                 the loom twin cannot model mixed-width access",
                word4 * 4
            ),
        }
    }

    fn init_u32(&self, off: usize) -> u32 {
        u32::from_le_bytes(self.init[off..off + 4].try_into().unwrap())
    }

    fn init_u64(&self, off: usize) -> u64 {
        u64::from_le_bytes(self.init[off..off + 8].try_into().unwrap())
    }

    pub(crate) fn u32(&self, off: usize) -> &AtomicU32 {
        self.claim(off / 4, MODE_U32);
        self.words[off / 4].get_or_init(|| AtomicU32::new(self.init_u32(off)))
    }

    pub(crate) fn u64(&self, off: usize) -> &AtomicU64 {
        self.claim(off / 4, MODE_U64);
        self.claim(off / 4 + 1, MODE_U64);
        self.wide_u[off / 8].get_or_init(|| AtomicU64::new(self.init_u64(off)))
    }

    pub(crate) fn i64(&self, off: usize) -> &AtomicI64 {
        self.claim(off / 4, MODE_I64);
        self.claim(off / 4 + 1, MODE_I64);
        self.wide_i[off / 8].get_or_init(|| AtomicI64::new(self.init_u64(off) as i64))
    }

    /// Visits the 4-byte words covering `off..off+len` as (word offset, first byte, byte count).
    fn for_words(off: usize, len: usize, mut f: impl FnMut(usize, usize, usize)) {
        let mut pos = off;
        let end = off + len;
        while pos < end {
            let w = pos & !3;
            let first = pos - w;
            let n = (4 - first).min(end - pos);
            f(w, first, n);
            pos += n;
        }
    }

    pub(crate) fn copy_out(&self, off: usize, dst: &mut [u8]) {
        let mut i = 0;
        Self::for_words(off, dst.len(), |w, first, n| {
            let v = self.u32(w).load(COPY_ORDER).to_le_bytes();
            dst[i..i + n].copy_from_slice(&v[first..first + n]);
            i += n;
        });
    }

    fn store_part(&self, w: usize, first: usize, part: &[u8]) {
        let word = self.u32(w);
        if part.len() == 4 {
            word.store(u32::from_le_bytes(part.try_into().unwrap()), COPY_ORDER);
            return;
        }
        let mut cur = word.load(COPY_ORDER);
        loop {
            let mut b = cur.to_le_bytes();
            b[first..first + part.len()].copy_from_slice(part);
            match word.compare_exchange(cur, u32::from_le_bytes(b), COPY_ORDER, COPY_ORDER) {
                Ok(_) => return,
                Err(now) => cur = now,
            }
        }
    }

    pub(crate) fn copy_in(&self, off: usize, src: &[u8]) {
        let mut i = 0;
        Self::for_words(off, src.len(), |w, first, n| {
            self.store_part(w, first, &src[i..i + n]);
            i += n;
        });
    }

    pub(crate) fn fill(&self, off: usize, len: usize, value: u8) {
        Self::for_words(off, len, |w, first, n| {
            self.store_part(w, first, &[value; 4][..n]);
        });
    }
}
