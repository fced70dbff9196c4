//! Atomic byte copies between private slices and shared memory.
//!
//! The copies use relaxed atomic loads and stores, one byte at a time up to the first 8-byte
//! boundary, then whole words, then bytes again. On every mainstream target a relaxed atomic load
//! or store compiles to an ordinary move, so this costs about what a small `memcpy` does, but it is
//! free of data races in the Rust memory model even if another party writes the same bytes.
#![cfg(not(loom))]

use crate::region::COPY_ORDER;
use crate::sync::AtomicU8;

#[cfg(any(target_has_atomic = "64", feature = "portable-atomic"))]
type Word = crate::sync::AtomicU64;
#[cfg(not(any(target_has_atomic = "64", feature = "portable-atomic")))]
type Word = crate::sync::AtomicU32;

const W: usize = core::mem::size_of::<Word>();

#[cfg(any(target_has_atomic = "64", feature = "portable-atomic"))]
type Raw = u64;
#[cfg(not(any(target_has_atomic = "64", feature = "portable-atomic")))]
type Raw = u32;

/// Number of leading bytes to copy one at a time so that `p + n` is word-aligned (at most `len`).
#[inline(always)]
fn head_len(p: *const u8, len: usize) -> usize {
    let mis = (p as usize) % W;
    if mis == 0 {
        0
    } else {
        (W - mis).min(len)
    }
}

/// Copies `dst.len()` bytes from shared memory at `src` into `dst`.
///
/// # Safety
/// `src..src + dst.len()` must be valid for reads for the duration of the call, and accessed by
/// others in this process only atomically.
#[inline]
pub(crate) unsafe fn copy_out(src: *const u8, dst: &mut [u8]) {
    let len = dst.len();
    let head = head_len(src, len);
    let mut i = 0;
    while i < head {
        // SAFETY: i < len, so src + i is in bounds per the caller; AtomicU8 has alignment 1.
        dst[i] = unsafe { AtomicU8::from_ptr(src.add(i).cast_mut()) }.load(COPY_ORDER);
        i += 1;
    }
    while i + W <= len {
        // SAFETY: src + i is word-aligned (after `head`) and the word is in bounds (i + W <= len).
        let v: Raw = unsafe { Word::from_ptr(src.add(i).cast_mut().cast()) }.load(COPY_ORDER);
        dst[i..i + W].copy_from_slice(&v.to_ne_bytes());
        i += W;
    }
    while i < len {
        // SAFETY: i < len, in bounds per the caller.
        dst[i] = unsafe { AtomicU8::from_ptr(src.add(i).cast_mut()) }.load(COPY_ORDER);
        i += 1;
    }
}

/// Copies `src` into shared memory at `dst`.
///
/// # Safety
/// `dst..dst + src.len()` must be valid for writes for the duration of the call, and accessed by
/// others in this process only atomically.
#[inline]
pub(crate) unsafe fn copy_in(dst: *mut u8, src: &[u8]) {
    let len = src.len();
    let head = head_len(dst, len);
    let mut i = 0;
    while i < head {
        // SAFETY: i < len, so dst + i is in bounds per the caller.
        unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(src[i], COPY_ORDER);
        i += 1;
    }
    while i + W <= len {
        let mut b = [0u8; W];
        b.copy_from_slice(&src[i..i + W]);
        // SAFETY: dst + i is word-aligned (after `head`) and the word is in bounds.
        unsafe { Word::from_ptr(dst.add(i).cast()) }.store(Raw::from_ne_bytes(b), COPY_ORDER);
        i += W;
    }
    while i < len {
        // SAFETY: i < len, in bounds per the caller.
        unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(src[i], COPY_ORDER);
        i += 1;
    }
}

/// Sets `len` bytes of shared memory at `dst` to `value`.
///
/// # Safety
/// As for [`copy_in`], for `dst..dst + len`.
#[inline]
pub(crate) unsafe fn fill(dst: *mut u8, len: usize, value: u8) {
    let head = head_len(dst, len);
    let word = Raw::from_ne_bytes([value; W]);
    let mut i = 0;
    while i < head {
        // SAFETY: i < len, in bounds per the caller.
        unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(value, COPY_ORDER);
        i += 1;
    }
    while i + W <= len {
        // SAFETY: dst + i is word-aligned (after `head`) and the word is in bounds.
        unsafe { Word::from_ptr(dst.add(i).cast()) }.store(word, COPY_ORDER);
        i += W;
    }
    while i < len {
        // SAFETY: i < len, in bounds per the caller.
        unsafe { AtomicU8::from_ptr(dst.add(i)) }.store(value, COPY_ORDER);
        i += 1;
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use crate::sync::Ordering;
    use crate::RegionBuf;

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
}
