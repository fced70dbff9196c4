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
