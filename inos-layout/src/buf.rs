//! [`RegionBuf`]: an owned, zeroed, cache-line-aligned shared region.
#![cfg(any(feature = "alloc", loom))]

#[cfg(not(loom))]
use core::ptr::NonNull;

use crate::error::AccessError;
use crate::region::Region;
#[cfg(not(loom))]
use crate::region::CACHE_LINE_PAIR;

/// An owned, zero-initialised region aligned to [`CACHE_LINE_PAIR`] bytes.
///
/// Put it in an `Arc` to share it between threads that outlive the creating scope; borrow a
/// [`Region`] from it with [`region`](RegionBuf::region).
///
/// ```
/// use std::sync::Arc;
/// use inos_layout::{RegionBuf, sync::Ordering};
///
/// let buf = Arc::new(RegionBuf::new(4096).unwrap());
/// let b2 = Arc::clone(&buf);
/// std::thread::spawn(move || {
///     b2.region().u32_at(0).unwrap().fetch_add(1, Ordering::Release);
/// })
/// .join()
/// .unwrap();
/// assert_eq!(buf.region().u32_at(0).unwrap().load(Ordering::Acquire), 1);
/// ```
pub struct RegionBuf {
    #[cfg(not(loom))]
    ptr: NonNull<u8>,
    #[cfg(loom)]
    mem: std::boxed::Box<crate::loom_mem::LoomMem>,
    len: usize,
}

// SAFETY: the buffer is only accessed through `Region`s, which use atomics exclusively.
unsafe impl Send for RegionBuf {}
// SAFETY: as above.
unsafe impl Sync for RegionBuf {}

impl core::fmt::Debug for RegionBuf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RegionBuf").field("len", &self.len).finish()
    }
}

impl RegionBuf {
    /// Allocates `len` zeroed bytes aligned to [`CACHE_LINE_PAIR`].
    ///
    /// # Errors
    /// [`AccessError::TooLarge`] if `len` cannot be allocated.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(1 << 20).unwrap();
    /// assert_eq!(buf.len(), 1 << 20);
    /// ```
    pub fn new(len: usize) -> Result<Self, AccessError> {
        #[cfg(not(loom))]
        {
            if len == 0 {
                return Ok(Self {
                    // An aligned dangling pointer: valid for zero-sized access.
                    ptr: NonNull::<[u64; 16]>::dangling().cast(),
                    len,
                });
            }
            let layout = core::alloc::Layout::from_size_align(len, CACHE_LINE_PAIR)
                .map_err(|_| AccessError::TooLarge { len })?;
            // SAFETY: `layout` has a non-zero size (len > 0).
            let raw = unsafe { alloc::alloc::alloc_zeroed(layout) };
            let ptr = NonNull::new(raw).ok_or(AccessError::TooLarge { len })?;
            Ok(Self { ptr, len })
        }
        #[cfg(loom)]
        {
            Ok(Self {
                mem: std::boxed::Box::new(crate::loom_mem::LoomMem::new(&std::vec![0u8; len])),
                len,
            })
        }
    }

    /// Allocates a zeroed region of `layout.total_size()` bytes: what [`create`](crate::create)
    /// needs for `layout`.
    ///
    /// # Errors
    /// [`AccessError::TooLarge`] if the size does not fit `usize` or cannot be allocated.
    ///
    /// ```
    /// use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// let buf = RegionBuf::for_layout(&STANDARD_32MIB).unwrap();
    /// assert_eq!(buf.len(), 32 << 20);
    /// create(buf.region(), &STANDARD_32MIB).unwrap();
    /// ```
    pub fn for_layout(layout: &crate::Layout) -> Result<Self, AccessError> {
        let len = usize::try_from(layout.total_size())
            .map_err(|_| AccessError::TooLarge { len: usize::MAX })?;
        Self::new(len)
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionBuf::new(8).unwrap().len(), 8);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer has no bytes.
    ///
    /// ```
    /// assert!(inos_layout::RegionBuf::new(0).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// A [`Region`] over the whole buffer.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(64).unwrap();
    /// assert_eq!(buf.region().len(), 64);
    /// ```
    pub fn region(&self) -> Region<'_> {
        #[cfg(not(loom))]
        {
            // SAFETY: the allocation is valid for reads and writes of `len` bytes while `self` is
            // borrowed, 128-aligned, and only ever accessed through atomic `Region` operations.
            unsafe { Region::from_raw_parts(self.ptr.as_ptr(), self.len) }
                .expect("RegionBuf is aligned and sized by construction")
        }
        #[cfg(loom)]
        {
            Region::from_loom(&self.mem, self.len)
        }
    }
}

#[cfg(not(loom))]
impl Drop for RegionBuf {
    fn drop(&mut self) {
        if self.len == 0 {
            return;
        }
        let layout = core::alloc::Layout::from_size_align(self.len, CACHE_LINE_PAIR)
            .expect("layout was valid at allocation");
        // SAFETY: allocated in `new` with exactly this layout, and not yet freed.
        unsafe { alloc::alloc::dealloc(self.ptr.as_ptr(), layout) };
    }
}
