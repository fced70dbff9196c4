//! [`Value`]: a plain shared `u32` value word.

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{AccessError, Region};

/// A 4-byte value word (4-aligned): a number that *is* something (a count, an index, a mode),
/// not a change counter or a flag (INOS defect 20: idx 28 of the INOS flag table held a value
/// next to epochs and was treated like one).
///
/// A `Value` has no waiter count and no wait/notify: to announce that it changed, signal an
/// [`Epoch`](crate::Epoch) after storing it. In an 8-byte slot of an epoch table the value takes
/// the low word and the high word is reserved (zero).
///
/// ```
/// use inos_epoch::Value;
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let mode = Value::new(buf.region(), 0).unwrap();
/// mode.store(3);
/// assert_eq!(mode.load(), 3);
/// assert_eq!(mode.compare_exchange(3, 4), Ok(3));
/// ```
#[derive(Clone, Copy)]
pub struct Value<'a> {
    word: &'a AtomicU32,
}

impl core::fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Value").field(&self.load()).finish()
    }
}

impl<'a> Value<'a> {
    /// The value word at `offset` of `region` (4 bytes, 4-aligned).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert!(inos_epoch::Value::new(buf.region(), 4).is_ok());
    /// assert!(inos_epoch::Value::new(buf.region(), 2).is_err());
    /// ```
    pub fn new(region: Region<'a>, offset: usize) -> Result<Self, AccessError> {
        Ok(Self {
            word: region.u32_at(offset)?,
        })
    }

    /// Reads the value (Acquire).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// assert_eq!(inos_epoch::Value::new(buf.region(), 0).unwrap().load(), 0);
    /// ```
    #[inline]
    pub fn load(&self) -> u32 {
        // SYNC: Acquire, pairs with the Release of `store` / `swap` / `compare_exchange`.
        self.word.load(Ordering::Acquire)
    }

    /// Writes the value (Release).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// let v = inos_epoch::Value::new(buf.region(), 0).unwrap();
    /// v.store(42);
    /// assert_eq!(v.load(), 42);
    /// ```
    #[inline]
    pub fn store(&self, value: u32) {
        // SYNC: Release, pairs with the Acquire of `load`.
        self.word.store(value, Ordering::Release)
    }

    /// Replaces the value, returning the old one (AcqRel).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// let v = inos_epoch::Value::new(buf.region(), 0).unwrap();
    /// assert_eq!(v.swap(5), 0);
    /// ```
    #[inline]
    pub fn swap(&self, value: u32) -> u32 {
        // SYNC: AcqRel, pairs with the other accessors.
        self.word.swap(value, Ordering::AcqRel)
    }

    /// Stores `new` if the value is `current` (AcqRel); returns the previous value, `Err` if it
    /// was not `current`.
    ///
    /// # Errors
    /// `Err(actual)` with the value found, when it was not `current`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(4).unwrap();
    /// let v = inos_epoch::Value::new(buf.region(), 0).unwrap();
    /// assert_eq!(v.compare_exchange(1, 2), Err(0));
    /// assert_eq!(v.compare_exchange(0, 2), Ok(0));
    /// ```
    #[inline]
    pub fn compare_exchange(&self, current: u32, new: u32) -> Result<u32, u32> {
        // SYNC: AcqRel on success, Acquire on failure; pairs with the other accessors.
        self.word
            .compare_exchange(current, new, Ordering::AcqRel, Ordering::Acquire)
    }
}
