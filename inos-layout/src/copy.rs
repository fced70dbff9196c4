//! Atomic byte copies between private slices and shared memory, in one access width.
//!
//! Rust's memory model forbids racing atomic accesses of different sizes to overlapping bytes
//! (unless both are reads). The word accessors hand out 4-byte [`AtomicU32`]s, so every copy here
//! touches shared memory **only as naturally aligned 4-byte atomic words** too:
//!
//! - whole words in the middle of a range are loaded or stored with relaxed `AtomicU32` operations
//!   (an ordinary `mov` on mainstream targets);
//! - a partial word at either edge is *read* by loading the whole word and keeping the wanted
//!   bytes, and *written* by two atomic read-modify-writes on the whole word (`fetch_and` clears
//!   the bytes being written, `fetch_or` sets them), which leaves the other bytes of that word
//!   untouched even if another party writes them concurrently;
//! - the only exception is the last 1 to 3 bytes of an allocation whose length is not a multiple
//!   of 4: no aligned word fits there, so nobody can access them as a word, and they are accessed
//!   as single-byte atomics (still one width for those bytes).
//!
//! A structure that is accessed with 8-byte words ([`Region::u64_at`](crate::Region::u64_at),
//! the ledger's money fields) must therefore never be copied while another party may access it.
//!
//! `words` below is the length, from the 8-aligned `base`, of the prefix inside which every
//! aligned 4-byte word is valid memory (a multiple of 4).
#![cfg(not(loom))]

use crate::region::COPY_ORDER;
use crate::sync::{AtomicU32, AtomicU8};

/// The aligned word at `base + at`.
///
/// # Safety
/// `at % 4 == 0`, `at + 4 <= words` of a valid region at `base`.
#[inline(always)]
unsafe fn word<'a>(base: *mut u8, at: usize) -> &'a AtomicU32 {
    // SAFETY: per the contract the word is in bounds and 4-aligned (base is 8-aligned).
    unsafe { AtomicU32::from_ptr(base.add(at).cast()) }
}

/// The byte at `base + at`.
///
/// # Safety
/// `base + at` is inside a valid region.
#[inline(always)]
unsafe fn byte<'a>(base: *mut u8, at: usize) -> &'a AtomicU8 {
    // SAFETY: per the contract; AtomicU8 has alignment 1.
    unsafe { AtomicU8::from_ptr(base.add(at)) }
}

/// The native-endian mask of bytes `from..to` (`to <= 4`) of a word.
#[inline(always)]
fn mask(from: usize, to: usize) -> u32 {
    let mut m = [0u8; 4];
    m[from..to].fill(0xFF);
    u32::from_ne_bytes(m)
}

/// Writes `src` into bytes `at..at + src.len()` of the word at `w` (4-aligned), leaving its other
/// bytes as they are: `fetch_and` then `fetch_or` on the whole word.
///
/// # Safety
/// As for [`word`], for `w`; `at + src.len() <= 4`.
#[inline]
unsafe fn merge(base: *mut u8, w: usize, at: usize, src: &[u8]) {
    let mut b = [0u8; 4];
    b[at..at + src.len()].copy_from_slice(src);
    // SAFETY: per the contract.
    let word = unsafe { word(base, w) };
    word.fetch_and(!mask(at, at + src.len()), COPY_ORDER);
    word.fetch_or(u32::from_ne_bytes(b), COPY_ORDER);
}

/// Stores the 16 bytes of `chunk` as four words at the 4-aligned `base + at`.
///
/// # Safety
/// `at % 4 == 0`, `chunk.len() == 16` and `at + 16 <= words` of a valid region at `base`.
#[inline(always)]
unsafe fn store16(base: *mut u8, at: usize, chunk: &[u8]) {
    let a = u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    let b = u32::from_ne_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
    let c = u32::from_ne_bytes([chunk[8], chunk[9], chunk[10], chunk[11]]);
    let d = u32::from_ne_bytes([chunk[12], chunk[13], chunk[14], chunk[15]]);
    // SAFETY: per the contract, the four words lie in the region's words.
    unsafe {
        word(base, at).store(a, COPY_ORDER);
        word(base, at + 4).store(b, COPY_ORDER);
        word(base, at + 8).store(c, COPY_ORDER);
        word(base, at + 12).store(d, COPY_ORDER);
    }
}

/// Stores `src` (a multiple of 4 bytes) as whole words at the 4-aligned `base + at`, four words
/// per iteration; a copy of [`PREFETCH_FROM`] bytes or more asks for each line
/// [`PREFETCH_AHEAD`] bytes before it stores there.
///
/// # Safety
/// `at % 4 == 0`, `src.len() % 4 == 0` and `at + src.len() <= words` of a valid region at `base`.
#[inline(always)]
unsafe fn store_words(base: *mut u8, at: usize, src: &[u8]) {
    let mut k = 0;
    if src.len() >= PREFETCH_FROM {
        for line in src.chunks_exact(crate::prefetch::LINE) {
            if k + PREFETCH_AHEAD < src.len() {
                // An address inside this copy's own range (a hint: never an access).
                crate::prefetch::for_write(base.wrapping_add(at + k + PREFETCH_AHEAD));
            }
            for chunk in line.chunks_exact(16) {
                // SAFETY: at + k is 4-aligned and at + k + 16 <= at + src.len() <= words.
                unsafe { store16(base, at + k, chunk) };
                k += 16;
            }
        }
    }
    for chunk in src[k..].chunks_exact(16) {
        // SAFETY: at + k is 4-aligned and at + k + 16 <= at + src.len() <= words.
        unsafe { store16(base, at + k, chunk) };
        k += 16;
    }
    for chunk in src[k..].chunks_exact(4) {
        let v = u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        // SAFETY: at + k + 4 <= at + src.len() <= words.
        unsafe { word(base, at + k) }.store(v, COPY_ORDER);
        k += 4;
    }
}

/// Copies of at least this many bytes ask for their lines ahead of the stores
/// ([`prefetch::for_write`](crate::prefetch::for_write)): a line another core read last is
/// then fetched while the stores before it run, not by the first store into it. Measured on a
/// 2-vCPU AMD EPYC VM (2026-12-01): 4 KiB ring grants about a quarter faster between two
/// threads, and one-thread 64 KiB region writes too. Shorter copies are left as they were.
const PREFETCH_FROM: usize = 1024;
/// How far ahead of the stores the prefetch runs (eight lines).
const PREFETCH_AHEAD: usize = 8 * crate::prefetch::LINE;

/// The native-endian `u64` whose bytes are those of `a` followed by those of `b`.
#[inline(always)]
fn pair(a: u32, b: u32) -> u64 {
    if cfg!(target_endian = "little") {
        u64::from(a) | u64::from(b) << 32
    } else {
        u64::from(a) << 32 | u64::from(b)
    }
}

/// Copies `dst.len()` bytes at `base + off` into `dst`.
///
/// # Safety
/// `base` is 8-aligned; `off + dst.len()` is inside a region at `base` whose aligned words are
/// valid up to `words` (a multiple of 4); the region is accessed by others only atomically.
#[inline]
pub(crate) unsafe fn copy_out(base: *mut u8, words: usize, off: usize, dst: &mut [u8]) {
    let end = off + dst.len();
    if (off | dst.len()) & 3 == 0 && end <= words && dst.len() <= 64 {
        // Small whole-word copies (ring messages): pairs of words go to `dst` as one 8-byte
        // store, so a caller that reads the result back as `u64`s (a popped `u64` or `[u64; N]`)
        // gets the store forwarded instead of stalling on two 4-byte stores.
        // SAFETY: off is 4-aligned and off + round_up(len, 4) = end <= words.
        unsafe { copy_out_padded(base, off, dst) };
        return;
    }
    // SAFETY: as for this function.
    unsafe { copy_out_general(base, words, off, dst) }
}

/// [`copy_out`] for any alignment and length.
///
/// # Safety
/// As for [`copy_out`].
#[inline(never)]
unsafe fn copy_out_general(base: *mut u8, words: usize, off: usize, dst: &mut [u8]) {
    let end = off + dst.len();
    let wend = end.min(words);
    let mut p = off;
    let mut i = 0;
    if p < wend {
        let mis = p & 3;
        if mis != 0 {
            // SAFETY: p - mis is 4-aligned and p < wend <= words, so the word fits in `words`.
            let w = unsafe { word(base, p - mis) }
                .load(COPY_ORDER)
                .to_ne_bytes();
            let n = (4 - mis).min(wend - p);
            dst[..n].copy_from_slice(&w[mis..mis + n]);
            p += n;
            i += n;
        }
        let whole = (wend - p) & !3;
        if whole > 0 {
            let out = &mut dst[i..i + whole];
            let mut k = 0;
            for chunk in out.chunks_exact_mut(16) {
                // SAFETY: p + k is 4-aligned (the head was consumed) and p + k + 16 <= wend.
                let (a, b, c, d) = unsafe {
                    (
                        word(base, p + k).load(COPY_ORDER),
                        word(base, p + k + 4).load(COPY_ORDER),
                        word(base, p + k + 8).load(COPY_ORDER),
                        word(base, p + k + 12).load(COPY_ORDER),
                    )
                };
                chunk[0..4].copy_from_slice(&a.to_ne_bytes());
                chunk[4..8].copy_from_slice(&b.to_ne_bytes());
                chunk[8..12].copy_from_slice(&c.to_ne_bytes());
                chunk[12..16].copy_from_slice(&d.to_ne_bytes());
                k += 16;
            }
            for chunk in out[k..].chunks_exact_mut(4) {
                // SAFETY: as above, p + k + 4 <= wend.
                let v = unsafe { word(base, p + k) }.load(COPY_ORDER);
                chunk.copy_from_slice(&v.to_ne_bytes());
                k += 4;
            }
            p += whole;
            i += whole;
        }
        if p < wend {
            // SAFETY: p is 4-aligned and p < words, so p + 4 <= words.
            let w = unsafe { word(base, p) }.load(COPY_ORDER).to_ne_bytes();
            let n = wend - p;
            dst[i..i + n].copy_from_slice(&w[..n]);
            p += n;
            i += n;
        }
    }
    while p < end {
        // SAFETY: p < end, inside the region; past `words` bytes are only ever bytes.
        dst[i] = unsafe { byte(base, p) }.load(COPY_ORDER);
        p += 1;
        i += 1;
    }
}

/// Copies `src` into shared memory at `base + off`.
///
/// # Safety
/// As for [`copy_out`], for `off..off + src.len()`.
#[inline]
pub(crate) unsafe fn copy_in(base: *mut u8, words: usize, off: usize, src: &[u8]) {
    let end = off + src.len();
    if (off | src.len()) & 3 == 0 && end <= words && src.len() <= 64 {
        // Small whole-word copies: one simple loop, small enough to inline.
        for (k, chunk) in src.chunks_exact(4).enumerate() {
            let v = u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            // SAFETY: off + 4k is 4-aligned and off + 4k + 4 <= end <= words.
            unsafe { word(base, off + 4 * k) }.store(v, COPY_ORDER);
        }
        return;
    }
    // SAFETY: as for this function.
    unsafe { copy_in_general(base, words, off, src) }
}

/// [`copy_in`] for any alignment and length.
///
/// # Safety
/// As for [`copy_in`].
#[inline(never)]
unsafe fn copy_in_general(base: *mut u8, words: usize, off: usize, src: &[u8]) {
    let end = off + src.len();
    let wend = end.min(words);
    let mut p = off;
    let mut i = 0;
    if p < wend {
        let mis = p & 3;
        if mis != 0 {
            let n = (4 - mis).min(wend - p);
            // SAFETY: the word at p - mis fits in `words` (p < wend <= words).
            unsafe { merge(base, p - mis, mis, &src[..n]) };
            p += n;
            i += n;
        }
        let whole = (wend - p) & !3;
        if whole > 0 {
            // SAFETY: p is 4-aligned (the head was consumed) and p + whole <= wend <= words.
            unsafe { store_words(base, p, &src[i..i + whole]) };
            p += whole;
            i += whole;
        }
        if p < wend {
            let n = wend - p;
            // SAFETY: p is 4-aligned and p < words.
            unsafe { merge(base, p, 0, &src[i..i + n]) };
            p += n;
            i += n;
        }
    }
    while p < end {
        // SAFETY: p < end, inside the region; past `words` bytes are only ever bytes.
        unsafe { byte(base, p) }.store(src[i], COPY_ORDER);
        p += 1;
        i += 1;
    }
}

/// Copies `src` to the 4-aligned `base + off` as whole words, the last one padded with zeros: for
/// owners of every byte of `off..off + round_up(src.len(), 4)` (a ring record), so no edge needs
/// a read-modify-write.
///
/// # Safety
/// `off % 4 == 0`, `off + round_up(src.len(), 4) <= words`; otherwise as for [`copy_in`].
#[inline]
pub(crate) unsafe fn copy_in_padded(base: *mut u8, off: usize, src: &[u8]) {
    let whole = src.len() & !3;
    // SAFETY: off is 4-aligned and off + whole <= off + round_up(len, 4) <= words.
    unsafe { store_words(base, off, &src[..whole]) };
    if whole < src.len() {
        let b = tail_word(&src[whole..]);
        // SAFETY: off + whole + 4 <= off + round_up(len, 4) <= words.
        unsafe { word(base, off + whole) }.store(u32::from_ne_bytes(b), COPY_ORDER);
    }
}

/// Copies whole words at the 4-aligned `base + off` into `dst` (the last word's bytes past
/// `dst.len()` are read and dropped): for readers of every word of
/// `off..off + round_up(dst.len(), 4)` (a ring record), so nothing needs checking per copy.
///
/// # Safety
/// `off % 4 == 0`, `off + round_up(dst.len(), 4) <= words`; otherwise as for [`copy_out`].
#[inline]
pub(crate) unsafe fn copy_out_padded(base: *mut u8, off: usize, dst: &mut [u8]) {
    let mut chunks = dst.chunks_exact_mut(8);
    let mut k = off;
    for chunk in &mut chunks {
        // SAFETY: k is 4-aligned and k + 8 <= off + round_up(len, 4) <= words.
        let (a, b) = unsafe {
            (
                word(base, k).load(COPY_ORDER),
                word(base, k + 4).load(COPY_ORDER),
            )
        };
        chunk.copy_from_slice(&pair(a, b).to_ne_bytes());
        k += 8;
    }
    let mut rest = chunks.into_remainder();
    if rest.len() >= 4 {
        // SAFETY: k is 4-aligned and k + 4 <= off + round_up(len, 4) <= words.
        let v = unsafe { word(base, k) }.load(COPY_ORDER).to_ne_bytes();
        rest[..4].copy_from_slice(&v);
        rest = &mut rest[4..];
        k += 4;
    }
    if !rest.is_empty() {
        // SAFETY: k is 4-aligned and k + 4 <= off + round_up(len, 4) <= words.
        let v = unsafe { word(base, k) }.load(COPY_ORDER).to_ne_bytes();
        set_tail(rest, v);
    }
}

/// The word whose first `src.len()` (1 to 3) bytes are `src`, the rest zero. Fixed-size moves
/// only: a variable-length `copy_from_slice` here would be a `memcpy` call in every inlined ring
/// push, and its clobbered registers cost the whole loop around it.
#[inline(always)]
fn tail_word(src: &[u8]) -> [u8; 4] {
    debug_assert!((1..4).contains(&src.len()));
    let mut b = [0u8; 4];
    b[0] = src[0];
    if src.len() > 1 {
        b[1] = src[1];
    }
    if src.len() > 2 {
        b[2] = src[2];
    }
    b
}

/// Sets the 1 to 3 bytes of `dst` to the first bytes of `v` (fixed-size moves only, as in
/// [`tail_word`]).
#[inline(always)]
fn set_tail(dst: &mut [u8], v: [u8; 4]) {
    debug_assert!((1..4).contains(&dst.len()));
    dst[0] = v[0];
    if dst.len() > 1 {
        dst[1] = v[1];
    }
    if dst.len() > 2 {
        dst[2] = v[2];
    }
}

/// Sets `len` bytes at `base + off` to `value`.
///
/// # Safety
/// As for [`copy_in`], for `off..off + len`.
#[inline]
pub(crate) unsafe fn fill(base: *mut u8, words: usize, off: usize, len: usize, value: u8) {
    let end = off + len;
    let wend = end.min(words);
    let mut p = off;
    if p < wend {
        let mis = p & 3;
        if mis != 0 {
            let n = (4 - mis).min(wend - p);
            // SAFETY: the word at p - mis fits in `words`.
            unsafe { merge(base, p - mis, mis, &[value; 4][..n]) };
            p += n;
        }
        let v = u32::from_ne_bytes([value; 4]);
        while p + 4 <= wend {
            // SAFETY: p is 4-aligned and p + 4 <= wend <= words.
            unsafe { word(base, p) }.store(v, COPY_ORDER);
            p += 4;
        }
        if p < wend {
            // SAFETY: p is 4-aligned and p < words.
            unsafe { merge(base, p, 0, &[value; 4][..wend - p]) };
            p = wend;
        }
    }
    while p < end {
        // SAFETY: p < end, inside the region.
        unsafe { byte(base, p) }.store(value, COPY_ORDER);
        p += 1;
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use crate::sync::Ordering;
    use crate::{Region, RegionBuf};

    /// The padded copies (ring records) at every length around the word and pair boundaries:
    /// the bytes come back, the last word's padding is zero, nothing past it is written.
    #[test]
    fn padded_copies_round_trip_at_every_length() {
        for len in 0..=21 {
            let buf = RegionBuf::new(64).unwrap();
            let r = buf.region();
            r.fill(0, 64, 0xEE).unwrap();
            let src: std::vec::Vec<u8> = (0..len).map(|i| (i * 13 + 5) as u8).collect();
            let padded = (len + 3) & !3;
            // SAFETY: 8 is 4-aligned and 8 + padded <= 32 <= 64.
            unsafe { r.copy_in_padded(8, &src) };
            let mut out = std::vec![0u8; len];
            // SAFETY: as above.
            unsafe { r.copy_out_padded(8, &mut out) };
            assert_eq!(out, src, "len {len}");
            let mut all = [0u8; 64];
            r.read(0, &mut all).unwrap();
            assert!(
                all[8 + len..8 + padded].iter().all(|&b| b == 0),
                "padding, len {len}"
            );
            assert!(
                all[8 + padded..].iter().all(|&b| b == 0xEE),
                "past the end, len {len}"
            );
            assert!(all[..8].iter().all(|&b| b == 0xEE), "before, len {len}");
        }
    }

    /// Every (offset, length) pair in a small window copies exactly like a plain slice copy, and
    /// touches nothing outside its range.
    #[test]
    fn copies_match_slice_semantics_at_every_alignment() {
        let n = 40;
        let buf = RegionBuf::new(n).unwrap();
        let r = buf.region();
        let mut model = std::vec![0u8; n];
        for off in 0..16 {
            for len in 0..=(n - off).min(24) {
                let src: std::vec::Vec<u8> =
                    (0..len).map(|i| (off * 31 + i * 7 + 1) as u8).collect();
                r.write(off, &src).unwrap();
                model[off..off + len].copy_from_slice(&src);
                let mut all = std::vec![0u8; n];
                r.read(0, &mut all).unwrap();
                assert_eq!(all, model, "write({off}, {len})");
                let mut part = std::vec![0u8; len];
                r.read(off, &mut part).unwrap();
                assert_eq!(part, src);
                r.fill(off, len, 0xA5).unwrap();
                model[off..off + len].fill(0xA5);
                r.read(0, &mut all).unwrap();
                assert_eq!(all, model, "fill({off}, {len})");
            }
        }
    }

    /// Regions whose length is not a multiple of 4 (a `&mut [u8]` of odd length, a sub-region)
    /// copy correctly up to their last byte and never past it.
    #[test]
    fn odd_length_regions_copy_to_their_last_byte() {
        #[repr(C, align(8))]
        struct A([u8; 24]);
        for len in 0..=23 {
            let mut mem = A([0xEE; 24]);
            {
                let r = Region::new(&mut mem.0[..len]).unwrap();
                let src: std::vec::Vec<u8> = (0..len as u8).collect();
                r.write(0, &src).unwrap();
                let mut back = std::vec![0u8; len];
                r.read(0, &mut back).unwrap();
                assert_eq!(back, src);
                for off in 0..len {
                    r.fill(off, len - off, 7).unwrap();
                    assert_eq!(r.load_u8(off), Ok(7));
                }
            }
            assert!(mem.0[len..].iter().all(|&b| b == 0xEE), "len {len}");
        }
    }

    #[test]
    fn out_of_range_accesses_are_errors() {
        let buf = RegionBuf::new(16).unwrap();
        let r = buf.region();
        assert!(r.write(usize::MAX, &[1]).is_err());
        assert!(r.read(15, &mut [0u8; 2]).is_err());
        assert!(r.fill(17, 0, 0).is_err());
        assert!(r.u32_at(usize::MAX - 1).is_err());
        assert!(r.sub(8, 9).is_err());
        assert!(r.sub(4, 4).is_err());
        assert!(r.bytes(16, 0).is_ok());
    }

    /// A partial-word write leaves the other bytes of the word as another thread keeps writing
    /// them (the merge is two read-modify-writes on the whole word, never a plain store).
    #[test]
    fn partial_word_writes_keep_neighbouring_bytes() {
        let buf = RegionBuf::new(8).unwrap();
        let r = buf.region();
        let n: u32 = if cfg!(miri) { 300 } else { 10_000 };
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 0..n {
                    r.write(0, &[(i % 251) as u8, 1]).unwrap();
                }
            });
            s.spawn(|| {
                for i in 0..n {
                    r.write(2, &[2, (i % 241) as u8]).unwrap();
                }
            });
        });
        let mut b = [0u8; 4];
        r.read(0, &mut b).unwrap();
        assert_eq!((b[1], b[2]), (1, 2));
        assert_eq!((b[0], b[3]), (((n - 1) % 251) as u8, ((n - 1) % 241) as u8));
    }

    /// A payload copied in with relaxed atomics and published by a Release store is seen whole by
    /// an Acquire reader on another thread.
    #[test]
    fn release_acquire_publishes_payload() {
        let buf = RegionBuf::new(64).unwrap();
        let r = buf.region();
        std::thread::scope(|s| {
            s.spawn(|| {
                r.write(8, b"hello, shared world").unwrap();
                // SYNC: Release, pairs with the Acquire load below.
                r.u32_at(0).unwrap().store(1, Ordering::Release);
            });
            s.spawn(|| {
                // SYNC: Acquire, pairs with the Release store above.
                while r.u32_at(0).unwrap().load(Ordering::Acquire) == 0 {
                    crate::sync::spin_loop();
                }
                assert!(r.bytes(8, 19).unwrap().eq_slice(b"hello, shared world"));
            });
        });
    }

    /// The issue-8 race: a 4-byte word store racing a copy that covers it is no longer a
    /// mixed-size race (Miri with weak-memory emulation checks this test).
    #[test]
    fn word_store_racing_a_copy_is_same_width() {
        let buf = RegionBuf::new(16).unwrap();
        let r = buf.region();
        std::thread::scope(|s| {
            s.spawn(|| r.u32_at(4).unwrap().store(0x0102_0304, Ordering::Relaxed));
            s.spawn(|| {
                let mut out = [0u8; 8];
                r.read(0, &mut out).unwrap();
                let w = u32::from_ne_bytes([out[4], out[5], out[6], out[7]]);
                assert!(w == 0 || w == 0x0102_0304);
            });
            s.spawn(|| r.write(9, &[1, 2]).unwrap());
        });
    }
}
