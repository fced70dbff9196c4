//! [`Region`]: the one place where shared memory is touched.
//!
//! A `Region<'a>` is a bounds-checked handle to `len` bytes that other parties (threads, processes,
//! JavaScript workers, a Go runtime) may read and write concurrently. It never hands out `&[u8]` or
//! `&mut [u8]` over those bytes: every access is atomic, either a typed word
//! ([`u32_at`](Region::u32_at), [`u64_at`](Region::u64_at), [`i64_at`](Region::i64_at)) or an
//! atomic byte copy ([`read`](Region::read), [`write`](Region::write), [`Bytes`]). That keeps the
//! Rust side free of data races whatever the other parties do, and it is what lets the same code
//! run under loom (`cfg(loom)`), where the bytes are backed by loom's atomics instead.
//!
//! ```
//! use inos_layout::{Region, sync::Ordering};
//!
//! #[repr(C, align(8))]
//! struct Aligned([u8; 64]);
//! let mut mem = Aligned([0; 64]);
//! let region = Region::new(&mut mem.0).unwrap();
//!
//! region.u32_at(0).unwrap().fetch_add(1, Ordering::AcqRel);
//! region.write(8, b"hello").unwrap();
//! let mut out = [0u8; 5];
//! region.read(8, &mut out).unwrap();
//! assert_eq!(&out, b"hello");
//! assert_eq!(region.u32_at(0).unwrap().load(Ordering::Acquire), 1);
//! ```

use core::cell::UnsafeCell;
use core::marker::PhantomData;
#[cfg(not(loom))]
use core::ptr::NonNull;

use crate::error::AccessError;
#[cfg(any(target_has_atomic = "64", feature = "portable-atomic", loom))]
use crate::sync::{AtomicI64, AtomicU64};
use crate::sync::{AtomicU32, Ordering};

/// The alignment every region base must have: the natural alignment of the widest shared word.
pub const REGION_ALIGN: usize = 8;

/// The alignment of [`RegionBuf`](crate::RegionBuf) allocations: two 64-byte cache lines, so that hot words placed
/// on 128-byte boundaries never share an (adjacent-line-prefetched) pair of lines.
pub const CACHE_LINE_PAIR: usize = 128;

/// A bounds-checked handle to a shared byte region.
///
/// `Region` is `Copy`, `Send` and `Sync`: hand copies to as many threads as you like for `'a`.
/// Every access is atomic: typed words or atomic byte copies (see [`Bytes`]).
#[derive(Clone, Copy)]
pub struct Region<'a> {
    #[cfg(not(loom))]
    ptr: NonNull<u8>,
    #[cfg(loom)]
    mem: &'a crate::loom_mem::LoomMem,
    #[cfg(loom)]
    base: usize,
    len: usize,
    /// The prefix (a multiple of 4, at least `len` rounded down) inside which every aligned
    /// 4-byte word is valid memory: byte copies use whole words there (see `copy.rs`).
    #[cfg(not(loom))]
    words: usize,
    _bytes: PhantomData<&'a [UnsafeCell<u8>]>,
}

// SAFETY: a Region only ever accesses its bytes through atomic operations, which are sound from
// any thread; the lifetime 'a keeps the memory alive (see the constructors' contracts).
unsafe impl Send for Region<'_> {}
// SAFETY: as above; `&Region` exposes nothing but atomic access.
unsafe impl Sync for Region<'_> {}

impl core::fmt::Debug for Region<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Region").field("len", &self.len).finish()
    }
}

impl<'a> Region<'a> {
    /// A region over bytes this thread exclusively borrows for `'a`.
    ///
    /// The exclusive borrow is what makes sharing sound: for `'a` nobody else can touch the bytes
    /// except through this region's copies, all of which are atomic.
    ///
    /// # Errors
    /// [`AccessError::MisalignedBase`] if the slice does not start on a [`REGION_ALIGN`] boundary.
    ///
    /// ```
    /// # #[repr(C, align(8))] struct A([u8; 16]);
    /// let mut a = A([0; 16]);
    /// let r = inos_layout::Region::new(&mut a.0).unwrap();
    /// assert_eq!(r.len(), 16);
    /// ```
    pub fn new(bytes: &'a mut [u8]) -> Result<Self, AccessError> {
        let len = bytes.len();
        // SAFETY: `bytes` is valid for reads and writes of `len` bytes for 'a, and the exclusive
        // borrow guarantees nobody else accesses it for 'a.
        unsafe { Self::from_raw_parts(bytes.as_mut_ptr(), len) }
    }

    /// A region over raw memory: an mmap, wasm linear memory, memory another process writes.
    ///
    /// # Safety
    /// For the whole of `'a`:
    /// - `ptr..ptr + len` must be valid for reads and writes and must not be deallocated or
    ///   unmapped;
    /// - every access to those bytes by anyone else in this process must be atomic (other
    ///   processes and foreign runtimes are outside Rust's model; they must follow the protocol,
    ///   and if they do not, the region still never reads or writes outside `len`);
    /// - no `&`/`&mut` reference to those bytes may be live in this process.
    ///
    /// # Errors
    /// [`AccessError::NullPointer`], [`AccessError::MisalignedBase`] (base not a multiple of
    /// [`REGION_ALIGN`]) or [`AccessError::TooLarge`] (`len > isize::MAX`).
    ///
    /// ```
    /// # #[repr(C, align(8))] struct A([u8; 32]);
    /// let mut a = A([0; 32]);
    /// // SAFETY: `a` outlives the region and is only accessed through it.
    /// let r = unsafe { inos_layout::Region::from_raw_parts(a.0.as_mut_ptr(), 32) }.unwrap();
    /// r.write(0, &[1, 2, 3]).unwrap();
    /// ```
    pub unsafe fn from_raw_parts(ptr: *mut u8, len: usize) -> Result<Self, AccessError> {
        if ptr.is_null() {
            return Err(AccessError::NullPointer);
        }
        if (ptr as usize) % REGION_ALIGN != 0 {
            return Err(AccessError::MisalignedBase {
                address: ptr as usize,
                align: REGION_ALIGN,
            });
        }
        if len > isize::MAX as usize {
            return Err(AccessError::TooLarge { len });
        }
        #[cfg(not(loom))]
        {
            Ok(Self {
                // SAFETY: checked non-null above.
                ptr: unsafe { NonNull::new_unchecked(ptr) },
                len,
                words: len & !3,
                _bytes: PhantomData,
            })
        }
        #[cfg(loom)]
        {
            // SAFETY: the caller guarantees `ptr..ptr+len` is readable.
            let init = unsafe { core::slice::from_raw_parts(ptr, len) };
            let mem: &'static crate::loom_mem::LoomMem =
                std::boxed::Box::leak(std::boxed::Box::new(crate::loom_mem::LoomMem::new(init)));
            Ok(Self {
                mem,
                base: 0,
                len,
                _bytes: PhantomData,
            })
        }
    }

    /// Hints the processor to bring the cache line holding byte `offset` into this core's cache
    /// ready for writing (x86-64 `PREFETCHW`), so that the stores about to land there need not
    /// each wait for the line: for a writer about to fill space another core read last, as a
    /// ring producer does (inos-ring's `push_pods`).
    ///
    /// It reads and writes nothing (it is not an access in the memory model: no data race, no
    /// ordering), never fails and never faults. It does nothing when `offset` is outside the
    /// region, on other targets, on processors without the instruction (asked once by `CPUID`),
    /// under Miri and under loom.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(256).unwrap();
    /// let region = buf.region();
    /// region.prefetch_write(128); // a hint only
    /// region.prefetch_write(1 << 40); // outside: ignored
    /// region.write(128, b"next record").unwrap();
    /// ```
    #[inline(always)]
    pub fn prefetch_write(&self, offset: usize) {
        #[cfg(not(loom))]
        if offset < self.len {
            crate::prefetch::for_write(self.ptr.as_ptr().wrapping_add(offset));
        }
        #[cfg(loom)]
        let _ = offset;
    }

    /// [`prefetch_write`](Region::prefetch_write) for every cache line of
    /// `offset..offset + len` (the part inside the region): for a writer about to fill a run of
    /// records. Keep runs within a few KiB, so that the first lines are still in the L1 cache
    /// when their stores come.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4096).unwrap();
    /// let region = buf.region();
    /// region.prefetch_write_range(100, 1000); // lines of bytes 100..1100: a hint only
    /// region.prefetch_write_range(4000, 1 << 20); // clipped to the region
    /// region.write(100, &[1; 1000]).unwrap();
    /// ```
    #[inline(always)]
    pub fn prefetch_write_range(&self, offset: usize, len: usize) {
        let end = offset.saturating_add(len).min(self.len);
        if offset >= end {
            return;
        }
        let mut at = offset;
        while at < end {
            self.prefetch_write(at);
            at += crate::prefetch::LINE;
        }
        // The last line, whatever the lines' alignment.
        self.prefetch_write(end - 1);
    }

    /// Length of the region in bytes.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(256).unwrap();
    /// assert_eq!(buf.region().len(), 256);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the region has no bytes.
    ///
    /// ```
    /// assert!(inos_layout::RegionBuf::new(0).unwrap().region().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks that `size` bytes at `offset` lie inside the region and that `offset` is a multiple
    /// of `align` (the base is [`REGION_ALIGN`]-aligned, so for `align <= 8` the address is too).
    ///
    /// This is the single bounds check every accessor runs.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// assert!(buf.region().check(8, 8, 8).is_ok());
    /// assert!(buf.region().check(12, 8, 4).is_err());
    /// ```
    #[inline]
    pub fn check(&self, offset: usize, size: usize, align: usize) -> Result<(), AccessError> {
        // `offset <= len - size` is `offset + size <= len` without overflow; `len - size` does not
        // depend on `offset`, so in a loop it is computed once.
        let fits = match self.len.checked_sub(size) {
            Some(max) => offset <= max,
            None => false,
        };
        if !fits {
            return Err(AccessError::OutOfBounds {
                offset,
                len: size,
                region_len: self.len,
            });
        }
        if align > 1 && offset % align != 0 {
            return Err(AccessError::Misaligned { offset, align });
        }
        Ok(())
    }

    /// The word accessors' check: `size` (a power of two) bytes at `offset` are in bounds and
    /// `offset` is a multiple of `size`; the same answer as
    /// [`check`](Self::check)`(offset, size, size).is_ok()` (tested exhaustively on small regions).
    ///
    /// One comparison does both: rotating `offset` right by `log2(size)` divides an aligned
    /// offset by `size` and moves the low bits of a misaligned one to the top, making it larger
    /// than any `(len - size) / size` (as `len <= isize::MAX`, that quotient is below
    /// `2^(usize::BITS - 1 - log2(size))`, while a misaligned rotated offset is at least
    /// `2^(usize::BITS - log2(size))`). `(len - size) >> log2(size)` does not depend on `offset`, so
    /// in a loop it is computed once and each access pays one rotate, one compare and one
    /// predictable branch (measured in `benches/benches/access.rs`).
    #[inline(always)]
    fn word_fits(&self, offset: usize, size: usize) -> bool {
        let shift = size.trailing_zeros();
        match self.len.checked_sub(size) {
            Some(max) => offset.rotate_right(shift) <= (max >> shift),
            None => false,
        }
    }

    /// The error for a word access that failed [`word_fits`](Self::word_fits), off the hot path.
    #[cold]
    fn word_error(&self, offset: usize, size: usize) -> AccessError {
        match self.check(offset, size, size) {
            Err(e) => e,
            // Unreachable (word_fits and check agree); reported as out of bounds regardless.
            Ok(()) => AccessError::OutOfBounds {
                offset,
                len: size,
                region_len: self.len,
            },
        }
    }

    /// A sub-region of `len` bytes starting at `offset` (which must be 8-aligned, so that words
    /// inside the sub-region stay naturally aligned).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(64).unwrap();
    /// let sub = buf.region().sub(16, 32).unwrap();
    /// sub.write(0, b"x").unwrap();
    /// let mut b = [0u8];
    /// buf.region().read(16, &mut b).unwrap();
    /// assert_eq!(&b, b"x");
    /// ```
    pub fn sub(&self, offset: usize, len: usize) -> Result<Region<'a>, AccessError> {
        self.check(offset, len, REGION_ALIGN)?;
        #[cfg(not(loom))]
        {
            Ok(Region {
                // SAFETY: offset + len <= self.len (checked), so the pointer stays inside the
                // allocation and is non-null.
                ptr: unsafe { NonNull::new_unchecked(self.ptr.as_ptr().add(offset)) },
                len,
                // The parent's words past `offset` stay valid; a sub-region ending mid-word may
                // still read and merge that word (one width for every byte of the parent).
                words: ((len + 3) & !3).min(self.words - offset),
                _bytes: PhantomData,
            })
        }
        #[cfg(loom)]
        {
            Ok(Region {
                mem: self.mem,
                base: self.base + offset,
                len,
                _bytes: PhantomData,
            })
        }
    }

    /// The 4-byte atomic word at `offset` (4-aligned).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// use inos_layout::sync::Ordering;
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let w = buf.region().u32_at(4).unwrap();
    /// w.store(7, Ordering::Release);
    /// assert_eq!(w.load(Ordering::Acquire), 7);
    /// ```
    #[inline]
    pub fn u32_at(&self, offset: usize) -> Result<&'a AtomicU32, AccessError> {
        if !self.word_fits(offset, 4) {
            return Err(self.word_error(offset, 4));
        }
        // SAFETY: checked in bounds and 4-aligned just above.
        Ok(unsafe { self.u32_at_unchecked(offset) })
    }

    /// The 4-byte atomic word at `offset`, without checks.
    ///
    /// For hot paths that validated their offsets once, at construction.
    ///
    /// # Safety
    /// `offset + 4 <= self.len()` and `offset % 4 == 0`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// // SAFETY: 0 + 4 <= 8 and 0 is 4-aligned.
    /// let w = unsafe { buf.region().u32_at_unchecked(0) };
    /// assert_eq!(w.load(inos_layout::sync::Ordering::Relaxed), 0);
    /// ```
    #[inline(always)]
    pub unsafe fn u32_at_unchecked(&self, offset: usize) -> &'a AtomicU32 {
        debug_assert!(self.check(offset, 4, 4).is_ok());
        #[cfg(not(loom))]
        {
            // SAFETY: the caller guarantees the word is in bounds and aligned; the constructor's
            // contract makes the bytes valid for 'a and accessed only atomically.
            unsafe { AtomicU32::from_ptr(self.ptr.as_ptr().add(offset).cast()) }
        }
        #[cfg(loom)]
        {
            self.mem.u32(self.base + offset)
        }
    }

    /// The 8-byte unsigned atomic word at `offset` (8-aligned).
    ///
    /// Only on targets with lock-free 64-bit atomics.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// use inos_layout::sync::Ordering;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// buf.region().u64_at(8).unwrap().store(u64::MAX, Ordering::Release);
    /// assert!(buf.region().u64_at(4).is_err());
    /// ```
    #[cfg(any(target_has_atomic = "64", feature = "portable-atomic", loom))]
    #[inline]
    pub fn u64_at(&self, offset: usize) -> Result<&'a AtomicU64, AccessError> {
        if !self.word_fits(offset, 8) {
            return Err(self.word_error(offset, 8));
        }
        // SAFETY: checked in bounds and 8-aligned just above.
        Ok(unsafe { self.u64_at_unchecked(offset) })
    }

    /// The 8-byte unsigned atomic word at `offset`, without checks.
    ///
    /// # Safety
    /// `offset + 8 <= self.len()` and `offset % 8 == 0`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// // SAFETY: 0 + 8 <= 8 and 0 is 8-aligned.
    /// let w = unsafe { buf.region().u64_at_unchecked(0) };
    /// assert_eq!(w.load(inos_layout::sync::Ordering::Relaxed), 0);
    /// ```
    #[cfg(any(target_has_atomic = "64", feature = "portable-atomic", loom))]
    #[inline(always)]
    pub unsafe fn u64_at_unchecked(&self, offset: usize) -> &'a AtomicU64 {
        debug_assert!(self.check(offset, 8, 8).is_ok());
        #[cfg(not(loom))]
        {
            // SAFETY: in bounds and aligned per the caller; valid and atomic-only per the
            // constructor's contract.
            unsafe { AtomicU64::from_ptr(self.ptr.as_ptr().add(offset).cast()) }
        }
        #[cfg(loom)]
        {
            self.mem.u64(self.base + offset)
        }
    }

    /// The 8-byte signed atomic word at `offset` (8-aligned): money is `i64`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// use inos_layout::sync::Ordering;
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let bal = buf.region().i64_at(0).unwrap();
    /// bal.fetch_add(-5, Ordering::AcqRel);
    /// assert_eq!(bal.load(Ordering::Acquire), -5);
    /// ```
    #[cfg(any(target_has_atomic = "64", feature = "portable-atomic", loom))]
    #[inline]
    pub fn i64_at(&self, offset: usize) -> Result<&'a AtomicI64, AccessError> {
        if !self.word_fits(offset, 8) {
            return Err(self.word_error(offset, 8));
        }
        // SAFETY: checked in bounds and 8-aligned just above.
        Ok(unsafe { self.i64_at_unchecked(offset) })
    }

    /// The 8-byte signed atomic word at `offset`, without checks.
    ///
    /// # Safety
    /// `offset + 8 <= self.len()` and `offset % 8 == 0`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// // SAFETY: 0 + 8 <= 8 and 0 is 8-aligned.
    /// let w = unsafe { buf.region().i64_at_unchecked(0) };
    /// assert_eq!(w.load(inos_layout::sync::Ordering::Relaxed), 0);
    /// ```
    #[cfg(any(target_has_atomic = "64", feature = "portable-atomic", loom))]
    #[inline(always)]
    pub unsafe fn i64_at_unchecked(&self, offset: usize) -> &'a AtomicI64 {
        debug_assert!(self.check(offset, 8, 8).is_ok());
        #[cfg(not(loom))]
        {
            // SAFETY: in bounds and aligned per the caller; valid and atomic-only per the
            // constructor's contract.
            unsafe { AtomicI64::from_ptr(self.ptr.as_ptr().add(offset).cast()) }
        }
        #[cfg(loom)]
        {
            self.mem.i64(self.base + offset)
        }
    }

    /// An atomic view of `len` bytes at `offset` (any alignment).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let b = buf.region().bytes(3, 4).unwrap();
    /// b.copy_from_slice(&[1, 2, 3, 4]);
    /// assert_eq!(b.get(2), Some(3));
    /// ```
    #[inline]
    pub fn bytes(&self, offset: usize, len: usize) -> Result<Bytes<'a>, AccessError> {
        self.check(offset, len, 1)?;
        Ok(Bytes {
            region: *self,
            start: offset,
            len,
        })
    }

    /// [`bytes`](Region::bytes) without the bounds check, for callers that validated the range
    /// themselves (a ring record checked against its capacity).
    ///
    /// # Safety
    /// `offset + len <= self.len()` (no overflow).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// // SAFETY: 4 + 8 <= 16.
    /// let b = unsafe { buf.region().bytes_unchecked(4, 8) };
    /// assert_eq!(b.len(), 8);
    /// ```
    #[inline(always)]
    pub unsafe fn bytes_unchecked(&self, offset: usize, len: usize) -> Bytes<'a> {
        debug_assert!(offset.checked_add(len).is_some_and(|end| end <= self.len()));
        Bytes {
            region: *self,
            start: offset,
            len,
        }
    }

    /// Copies `dst.len()` bytes at `offset` out of the region (atomically, byte by byte or word
    /// by word; a concurrent writer may leave a mix of old and new bytes, never UB).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let mut out = [9u8; 8];
    /// buf.region().read(0, &mut out).unwrap();
    /// assert_eq!(out, [0; 8]);
    /// ```
    #[inline]
    pub fn read(&self, offset: usize, dst: &mut [u8]) -> Result<(), AccessError> {
        self.check(offset, dst.len(), 1)?;
        // SAFETY: checked in bounds just above.
        unsafe { self.copy_out(offset, dst) };
        Ok(())
    }

    /// Copies `src` into the region at `offset` (atomically, byte by byte or word by word).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert!(buf.region().write(4, &[1; 4]).is_ok());
    /// assert!(buf.region().write(5, &[1; 4]).is_err());
    /// ```
    #[inline]
    pub fn write(&self, offset: usize, src: &[u8]) -> Result<(), AccessError> {
        self.check(offset, src.len(), 1)?;
        // SAFETY: checked in bounds just above.
        unsafe { self.copy_in(offset, src) };
        Ok(())
    }

    /// Sets `len` bytes at `offset` to `value`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().fill(0, 8, 0xAB).unwrap();
    /// assert_eq!(buf.region().bytes(7, 1).unwrap().get(0), Some(0xAB));
    /// ```
    pub fn fill(&self, offset: usize, len: usize, value: u8) -> Result<(), AccessError> {
        self.check(offset, len, 1)?;
        // SAFETY: checked in bounds just above.
        unsafe { self.fill_unchecked(offset, len, value) };
        Ok(())
    }

    /// Copies `dst.len()` bytes at `offset` out of the region, without checks.
    ///
    /// # Safety
    /// `offset + dst.len() <= self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let mut out = [1u8; 3];
    /// // SAFETY: 2 + 3 <= 8.
    /// unsafe { buf.region().copy_out(2, &mut out) };
    /// assert_eq!(out, [0; 3]);
    /// ```
    #[inline]
    pub unsafe fn copy_out(&self, offset: usize, dst: &mut [u8]) {
        debug_assert!(self.check(offset, dst.len(), 1).is_ok());
        #[cfg(not(loom))]
        // SAFETY: in bounds per the caller; the region's bytes are valid and accessed only
        // atomically per the constructor's contract.
        unsafe {
            crate::copy::copy_out(self.ptr.as_ptr(), self.words, offset, dst)
        }
        #[cfg(loom)]
        self.mem.copy_out(self.base + offset, dst);
    }

    /// Copies `src` into the region at `offset`, without checks.
    ///
    /// # Safety
    /// `offset + src.len() <= self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// // SAFETY: 0 + 2 <= 8.
    /// unsafe { buf.region().copy_in(0, &[5, 6]) };
    /// assert_eq!(buf.region().bytes(1, 1).unwrap().get(0), Some(6));
    /// ```
    #[inline]
    pub unsafe fn copy_in(&self, offset: usize, src: &[u8]) {
        debug_assert!(self.check(offset, src.len(), 1).is_ok());
        #[cfg(not(loom))]
        // SAFETY: in bounds per the caller; valid and atomic-only per the constructor's contract.
        unsafe {
            crate::copy::copy_in(self.ptr.as_ptr(), self.words, offset, src)
        }
        #[cfg(loom)]
        self.mem.copy_in(self.base + offset, src);
    }

    /// Sets `len` bytes at `offset` to `value`, without checks.
    ///
    /// # Safety
    /// `offset + len <= self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// // SAFETY: 0 + 8 <= 8.
    /// unsafe { buf.region().fill_unchecked(0, 8, 1) };
    /// assert_eq!(buf.region().bytes(0, 1).unwrap().get(0), Some(1));
    /// ```
    #[inline]
    pub unsafe fn fill_unchecked(&self, offset: usize, len: usize, value: u8) {
        debug_assert!(self.check(offset, len, 1).is_ok());
        #[cfg(not(loom))]
        // SAFETY: in bounds per the caller; valid and atomic-only per the constructor's contract.
        unsafe {
            crate::copy::fill(self.ptr.as_ptr(), self.words, offset, len, value)
        }
        #[cfg(loom)]
        self.mem.fill(self.base + offset, len, value);
    }

    /// Copies `src` to the 4-aligned `offset` as whole 4-byte words, padding the last word with
    /// zeros, without checks: for a party that owns every byte of
    /// `offset..offset + round_up(src.len(), 4)` (a ring record is 8-aligned and padded), so no
    /// edge word needs the read-modify-write merge that [`copy_in`](Self::copy_in) uses.
    ///
    /// # Safety
    /// `offset % 4 == 0` and `offset + round_up(src.len(), 4) <= self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().fill(0, 8, 0xFF).unwrap();
    /// // SAFETY: 4 is 4-aligned and 4 + 4 <= 8.
    /// unsafe { buf.region().copy_in_padded(4, &[1, 2]) };
    /// let mut out = [0u8; 8];
    /// buf.region().read(0, &mut out).unwrap();
    /// assert_eq!(out, [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 0, 0]);
    /// ```
    #[inline]
    pub unsafe fn copy_in_padded(&self, offset: usize, src: &[u8]) {
        debug_assert!(offset % 4 == 0);
        debug_assert!(self.check(offset, (src.len() + 3) & !3, 4).is_ok());
        #[cfg(not(loom))]
        // SAFETY: 4-aligned and in bounds per the caller (len <= words rounded to 4 as the
        // region's words cover `len` rounded down and the padded range ends at or below `len`).
        unsafe {
            crate::copy::copy_in_padded(self.ptr.as_ptr(), offset, src)
        }
        #[cfg(loom)]
        {
            let mut padded = std::vec![0u8; (src.len() + 3) & !3];
            padded[..src.len()].copy_from_slice(src);
            self.mem.copy_in(self.base + offset, &padded);
        }
    }

    /// Copies `dst.len()` bytes at the 4-aligned `offset` into `dst`, reading only whole words
    /// (the mirror of [`copy_in_padded`](Region::copy_in_padded)): for readers of a record whose
    /// every word up to `offset + round_up(dst.len(), 4)` they may read, so that no bounds or
    /// alignment check is repeated per copy. Pairs of words are written to `dst` as one 8-byte
    /// store.
    ///
    /// # Safety
    /// `offset % 4 == 0` and `offset + round_up(dst.len(), 4) <= self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().write(4, &[1, 2, 3, 4]).unwrap();
    /// let mut out = [0u8; 3];
    /// // SAFETY: 4 is 4-aligned and 4 + 4 <= 8.
    /// unsafe { buf.region().copy_out_padded(4, &mut out) };
    /// assert_eq!(out, [1, 2, 3]);
    /// ```
    #[inline]
    pub unsafe fn copy_out_padded(&self, offset: usize, dst: &mut [u8]) {
        debug_assert!(offset % 4 == 0);
        debug_assert!(self.check(offset, (dst.len() + 3) & !3, 4).is_ok());
        #[cfg(not(loom))]
        // SAFETY: 4-aligned and in bounds per the caller, as for `copy_in_padded`.
        unsafe {
            crate::copy::copy_out_padded(self.ptr.as_ptr(), offset, dst)
        }
        #[cfg(loom)]
        {
            let mut padded = std::vec![0u8; (dst.len() + 3) & !3];
            self.mem.copy_out(self.base + offset, &mut padded);
            dst.copy_from_slice(&padded[..dst.len()]);
        }
    }

    /// Loads the byte at `offset` atomically.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(1).unwrap();
    /// assert_eq!(buf.region().load_u8(0), Ok(0));
    /// ```
    pub fn load_u8(&self, offset: usize) -> Result<u8, AccessError> {
        let mut b = [0u8];
        self.read(offset, &mut b)?;
        Ok(b[0])
    }
}

#[cfg(loom)]
impl<'a> Region<'a> {
    pub(crate) fn from_loom(mem: &'a crate::loom_mem::LoomMem, len: usize) -> Self {
        Self {
            mem,
            base: 0,
            len,
            _bytes: PhantomData,
        }
    }
}

/// An atomic view of a run of shared bytes: what zero-copy grants hand out instead of `&[u8]`.
///
/// Reading through a `Bytes` never races in the Rust memory model, even if a buggy or hostile
/// party writes the same bytes concurrently; at worst it sees a mix of old and new bytes.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(16).unwrap();
/// let b = buf.region().bytes(0, 8).unwrap();
/// b.write_u32_le(0, 0xDEAD_BEEF).unwrap();
/// assert_eq!(b.read_u32_le(0), Ok(0xDEAD_BEEF));
/// let mut v = [0u8; 8];
/// b.copy_to_slice(&mut v);
/// assert_eq!(&v[..4], &0xDEAD_BEEFu32.to_le_bytes());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Bytes<'a> {
    region: Region<'a>,
    start: usize,
    len: usize,
}

impl<'a> Bytes<'a> {
    /// Number of bytes in the view.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// assert_eq!(buf.region().bytes(2, 5).unwrap().len(), 5);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the view is empty.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// assert!(buf.region().bytes(16, 0).unwrap().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Offset of the first byte of the view inside its region.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// assert_eq!(buf.region().bytes(2, 5).unwrap().offset(), 2);
    /// ```
    #[inline]
    pub fn offset(&self) -> usize {
        self.start
    }

    /// The byte at index `i`, or `None` past the end.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// let b = buf.region().bytes(0, 4).unwrap();
    /// assert_eq!(b.get(3), Some(0));
    /// assert_eq!(b.get(4), None);
    /// ```
    #[inline]
    pub fn get(&self, i: usize) -> Option<u8> {
        if i >= self.len {
            return None;
        }
        let mut b = [0u8];
        // SAFETY: i < len and the view was bounds-checked against the region at creation.
        unsafe { self.region.copy_out(self.start + i, &mut b) };
        Some(b[0])
    }

    /// A narrower view of `len` bytes at `offset` inside this one.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] (relative to this view).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let b = buf.region().bytes(4, 8).unwrap();
    /// assert_eq!(b.slice(2, 4).unwrap().offset(), 6);
    /// assert!(b.slice(6, 4).is_err());
    /// ```
    #[inline]
    pub fn slice(&self, offset: usize, len: usize) -> Result<Bytes<'a>, AccessError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len => Ok(Bytes {
                region: self.region,
                start: self.start + offset,
                len,
            }),
            _ => Err(AccessError::OutOfBounds {
                offset,
                len,
                region_len: self.len,
            }),
        }
    }

    /// Copies the whole view into `dst`.
    ///
    /// # Panics
    /// If `dst.len() != self.len()` (a caller bug, like `<[u8]>::copy_from_slice`).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// let mut out = [1u8; 4];
    /// buf.region().bytes(0, 4).unwrap().copy_to_slice(&mut out);
    /// assert_eq!(out, [0; 4]);
    /// ```
    #[track_caller]
    #[inline]
    pub fn copy_to_slice(&self, dst: &mut [u8]) {
        assert_eq!(dst.len(), self.len, "Bytes::copy_to_slice: length mismatch");
        // SAFETY: the view is in bounds (checked at creation) and dst.len() == len.
        unsafe { self.region.copy_out(self.start, dst) };
    }

    /// Copies `src` over the whole view.
    ///
    /// # Panics
    /// If `src.len() != self.len()`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// buf.region().bytes(0, 2).unwrap().copy_from_slice(&[7, 8]);
    /// assert_eq!(buf.region().load_u8(1), Ok(8));
    /// ```
    #[track_caller]
    #[inline]
    pub fn copy_from_slice(&self, src: &[u8]) {
        assert_eq!(
            src.len(),
            self.len,
            "Bytes::copy_from_slice: length mismatch"
        );
        // SAFETY: the view is in bounds (checked at creation) and src.len() == len.
        unsafe { self.region.copy_in(self.start, src) };
    }

    /// Copies `src` into the view starting at `offset`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] (relative to this view).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let b = buf.region().bytes(0, 8).unwrap();
    /// b.write_at(6, &[1, 2]).unwrap();
    /// assert!(b.write_at(7, &[1, 2]).is_err());
    /// ```
    #[inline]
    pub fn write_at(&self, offset: usize, src: &[u8]) -> Result<(), AccessError> {
        self.slice(offset, src.len())?.copy_from_slice(src);
        Ok(())
    }

    /// Copies bytes starting at `offset` of the view into `dst`.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] (relative to this view).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let b = buf.region().bytes(0, 8).unwrap();
    /// let mut out = [0u8; 2];
    /// assert!(b.read_at(6, &mut out).is_ok());
    /// ```
    #[inline]
    pub fn read_at(&self, offset: usize, dst: &mut [u8]) -> Result<(), AccessError> {
        self.slice(offset, dst.len())?.copy_to_slice(dst);
        Ok(())
    }

    /// Fills the view with `value`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().bytes(0, 8).unwrap().fill(3);
    /// assert_eq!(buf.region().load_u8(7), Ok(3));
    /// ```
    #[inline]
    pub fn fill(&self, value: u8) {
        // SAFETY: the view is in bounds (checked at creation).
        unsafe { self.region.fill_unchecked(self.start, self.len, value) };
    }

    /// Reads a little-endian `u32` at `offset` of the view (any alignment).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert_eq!(buf.region().bytes(0, 8).unwrap().read_u32_le(1), Ok(0));
    /// ```
    #[inline]
    pub fn read_u32_le(&self, offset: usize) -> Result<u32, AccessError> {
        let mut b = [0u8; 4];
        self.read_at(offset, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Writes a little-endian `u32` at `offset` of the view (any alignment).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().bytes(0, 8).unwrap().write_u32_le(4, 1).unwrap();
    /// assert_eq!(buf.region().load_u8(4), Ok(1));
    /// ```
    #[inline]
    pub fn write_u32_le(&self, offset: usize, value: u32) -> Result<(), AccessError> {
        self.write_at(offset, &value.to_le_bytes())
    }

    /// Reads a little-endian `u64` at `offset` of the view (any alignment).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert_eq!(buf.region().bytes(0, 8).unwrap().read_u64_le(0), Ok(0));
    /// ```
    #[inline]
    pub fn read_u64_le(&self, offset: usize) -> Result<u64, AccessError> {
        let mut b = [0u8; 8];
        self.read_at(offset, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// Writes a little-endian `u64` at `offset` of the view (any alignment).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// buf.region().bytes(0, 8).unwrap().write_u64_le(0, 1 << 56).unwrap();
    /// assert_eq!(buf.region().load_u8(7), Ok(1));
    /// ```
    #[inline]
    pub fn write_u64_le(&self, offset: usize, value: u64) -> Result<(), AccessError> {
        self.write_at(offset, &value.to_le_bytes())
    }

    /// Copies the view into a new `Vec`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// assert_eq!(buf.region().bytes(0, 4).unwrap().to_vec(), vec![0; 4]);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn to_vec(&self) -> alloc::vec::Vec<u8> {
        let mut v = alloc::vec![0u8; self.len];
        self.copy_to_slice(&mut v);
        v
    }

    /// Whether the view holds exactly the bytes of `other`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// assert!(buf.region().bytes(0, 2).unwrap().eq_slice(&[0, 0]));
    /// ```
    #[inline]
    pub fn eq_slice(&self, other: &[u8]) -> bool {
        if other.len() != self.len {
            return false;
        }
        let mut chunk = [0u8; 64];
        let mut done = 0;
        while done < self.len {
            let n = (self.len - done).min(chunk.len());
            // SAFETY: start + done + n <= start + len, in bounds (checked at creation).
            unsafe { self.region.copy_out(self.start + done, &mut chunk[..n]) };
            if chunk[..n] != other[done..done + n] {
                return false;
            }
            done += n;
        }
        true
    }
}

/// Relaxed ordering for byte copies: payload bytes are published by a Release store of a separate
/// header/commit word and acquired by an Acquire load of it; the copies themselves order nothing.
pub(crate) const COPY_ORDER: Ordering = Ordering::Relaxed;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// The single-compare word check agrees with the general check everywhere near the edges.
    #[test]
    fn word_fits_agrees_with_check() {
        #[repr(C, align(8))]
        struct A([u8; 64]);
        let mut mem = A([0; 64]);
        let full = Region::new(&mut mem.0).unwrap();
        for len in 0..=40 {
            let r = full.sub(0, len).unwrap();
            let mut offsets: std::vec::Vec<usize> = (0..=48).collect();
            offsets.extend([
                usize::MAX,
                usize::MAX - 3,
                usize::MAX - 7,
                isize::MAX as usize,
            ]);
            offsets.extend([1usize << 62, (1 << 62) + 4, 1 << 63, (1 << 63) + 8]);
            for &off in &offsets {
                for size in [4usize, 8] {
                    assert_eq!(
                        r.word_fits(off, size),
                        r.check(off, size, size).is_ok(),
                        "len {len} offset {off} size {size}"
                    );
                }
            }
        }
    }
}
