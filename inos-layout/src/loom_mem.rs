//! The loom twin of a shared region (`cfg(loom)` only).
//!
//! loom's atomics are not layout-compatible with `core`'s, so a byte region cannot be viewed as
//! loom atomics. Instead the twin keeps loom atomics per word, all created **eagerly**, when the
//! twin is built (by [`RegionBuf::new`](crate::RegionBuf::new) or
//! [`Region::from_raw_parts`](crate::Region::from_raw_parts)), from the bytes it is built over:
//!
//! - one `AtomicU32` per 4-byte word, used by `u32_at` and by every byte copy (`read`, `write`,
//!   `fill`, [`Bytes`](crate::Bytes)); a copy that covers only part of a word merges its bytes into
//!   the word with a read-modify-write (a compare-exchange loop) on that `AtomicU32`;
//! - one `AtomicU64` and one `AtomicI64` per 8-byte word, used by `u64_at` and `i64_at`.
//!
//! Because every loom atomic exists from the start, loom records all their creations as writes by
//! the thread that built the region, which happens before everything the model spawns afterwards.
//! A model may therefore touch any word first from any thread; it does not need to touch the words
//! on the building thread before spawning. (An earlier twin created the atomics lazily on first
//! access, which loom reported as a causality violation when a word was first touched by a
//! spawned thread and then by another; `tests/loom.rs` has a model that checks this.) Build the
//! region inside `loom::model`, before spawning, and keep it small: its words are loom objects,
//! about two per 4 bytes.
//!
//! Protocol code must not access the same bytes both as an 8-byte word and any other way (nor as
//! `u64` and as `i64`): the three families are separate loom objects, so the twin panics on such
//! mixed-width access, and a loom test reports it instead of silently modelling something else.
#![cfg(loom)]

use std::boxed::Box;
use std::sync::atomic::{AtomicU8 as StdU8, Ordering as StdOrd};
use std::vec::Vec;

use crate::region::COPY_ORDER;
use crate::sync::{AtomicI64, AtomicU32, AtomicU64};

const MODE_NONE: u8 = 0;
const MODE_U32: u8 = 1;
const MODE_U64: u8 = 2;
const MODE_I64: u8 = 3;

pub(crate) struct LoomMem {
    words: Box<[AtomicU32]>,
    wide_u: Box<[AtomicU64]>,
    wide_i: Box<[AtomicI64]>,
    /// Which family (`MODE_*`) each 4-byte word has been used as; only for the mixed-width check,
    /// which is about the model's code, not its interleavings, hence a plain std atomic.
    modes: Box<[StdU8]>,
}

impl LoomMem {
    /// Creates every loom atomic of a region whose initial bytes are `init` (padded with zeros to a
    /// multiple of 8). Must run inside a loom model, on the thread that builds the region.
    pub(crate) fn new(init: &[u8]) -> Self {
        let mut bytes = init.to_vec();
        bytes.resize(init.len().div_ceil(8) * 8, 0);
        let words = bytes
            .chunks_exact(4)
            .map(|w| AtomicU32::new(u32::from_le_bytes(w.try_into().unwrap())))
            .collect::<Vec<_>>();
        let wide = || {
            bytes
                .chunks_exact(8)
                .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
        };
        Self {
            modes: (0..words.len()).map(|_| StdU8::new(MODE_NONE)).collect(),
            words: words.into(),
            wide_u: wide().map(AtomicU64::new).collect(),
            wide_i: wide().map(|v| AtomicI64::new(v as i64)).collect(),
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

    pub(crate) fn u32(&self, off: usize) -> &AtomicU32 {
        self.claim(off / 4, MODE_U32);
        &self.words[off / 4]
    }

    pub(crate) fn u64(&self, off: usize) -> &AtomicU64 {
        self.claim(off / 4, MODE_U64);
        self.claim(off / 4 + 1, MODE_U64);
        &self.wide_u[off / 8]
    }

    pub(crate) fn i64(&self, off: usize) -> &AtomicI64 {
        self.claim(off / 4, MODE_I64);
        self.claim(off / 4 + 1, MODE_I64);
        &self.wide_i[off / 8]
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

    /// Writes `part` into word `w` from byte `first` on: a plain store for a whole word, a
    /// read-modify-write that keeps the other bytes for a partial one.
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
