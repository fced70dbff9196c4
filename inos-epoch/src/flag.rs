//! [`Flag`]: a waitable boolean word (set / clear / test-and-set).

use inos_layout::sync::Ordering;
use inos_layout::{AccessError, Region};

use crate::park::{DefaultPark, Park};
use crate::slot::Slot;
use crate::watcher::DEFAULT_SPINS;
use crate::{Deadline, TimedOut};

/// A boolean in an 8-byte waitable slot: the word at `+0` is `0` (clear) or `1` (set), the word
/// at `+4` counts waiters.
///
/// A flag is a flag and nothing else (INOS defect 20): it is never incremented, and an epoch is
/// never used as a flag (defect 14). Any non-zero word (e.g. written by a buggy peer) reads as
/// set; every write stores exactly 0 or 1.
///
/// ```
/// use inos_epoch::Flag;
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let ready = Flag::new(buf.region(), 0).unwrap();
/// assert!(!ready.test_and_set()); // was clear; now set
/// assert!(ready.test_and_set()); // already set
/// assert!(ready.clear());
/// assert!(!ready.is_set());
/// ```
#[derive(Clone, Copy)]
pub struct Flag<'a> {
    slot: Slot<'a>,
}

impl core::fmt::Debug for Flag<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Flag").field("set", &self.is_set()).finish()
    }
}

impl<'a> Flag<'a> {
    /// The flag slot at `offset` of `region` (8 bytes, 8-aligned).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert!(inos_epoch::Flag::new(buf.region(), 0).is_ok());
    /// assert!(inos_epoch::Flag::new(buf.region(), 8).is_err());
    /// ```
    pub fn new(region: Region<'a>, offset: usize) -> Result<Self, AccessError> {
        Ok(Self {
            slot: Slot::new(region, offset)?,
        })
    }

    /// Whether the flag is set (Acquire).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert!(!inos_epoch::Flag::new(buf.region(), 0).unwrap().is_set());
    /// ```
    #[inline]
    pub fn is_set(&self) -> bool {
        // SYNC: Acquire, pairs with the Release part of the swap in `set`/`clear`.
        self.slot.word.load(Ordering::Acquire) != 0
    }

    /// Sets the flag and wakes waiters if any; returns whether it was already set.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = inos_epoch::Flag::new(buf.region(), 0).unwrap();
    /// assert!(!f.set());
    /// assert!(f.set());
    /// ```
    #[inline]
    pub fn set(&self) -> bool {
        self.store(1)
    }

    /// Clears the flag and wakes waiters if any; returns whether it was set.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = inos_epoch::Flag::new(buf.region(), 0).unwrap();
    /// assert!(!f.clear());
    /// ```
    #[inline]
    pub fn clear(&self) -> bool {
        self.store(0)
    }

    /// Atomically sets the flag and returns whether it was already set (`false`: this caller
    /// set it, e.g. won a one-shot claim). Acquire + Release.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = inos_epoch::Flag::new(buf.region(), 0).unwrap();
    /// assert!(!f.test_and_set());
    /// assert!(f.test_and_set());
    /// ```
    #[inline]
    pub fn test_and_set(&self) -> bool {
        self.set()
    }

    fn store(&self, v: u32) -> bool {
        // SYNC: SeqCst swap: AcqRel for the flag's meaning (publishes prior writes, acquires the
        // previous setter's) and S1 of the wake handshake (see `slot`).
        let old = self.slot.word.swap(v, Ordering::SeqCst);
        if (old != 0) != (v != 0) {
            self.slot.wake_if_waiting(&DefaultPark);
        }
        old != 0
    }

    /// Blocks until the flag is set, or `deadline`.
    ///
    /// # Errors
    /// [`TimedOut`] if the deadline passed with the flag clear.
    ///
    /// ```
    /// use inos_epoch::{Deadline, Flag};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = Flag::new(buf.region(), 0).unwrap();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| f.set());
    ///     assert_eq!(f.wait_set(Deadline::never()), Ok(()));
    /// });
    /// ```
    pub fn wait_set(&self, deadline: impl Into<Deadline>) -> Result<(), TimedOut> {
        self.wait_set_with(&DefaultPark, deadline)
    }

    /// [`wait_set`](Flag::wait_set) with a chosen [`Park`] backend.
    ///
    /// # Errors
    /// [`TimedOut`] if the deadline passed with the flag clear.
    ///
    /// ```
    /// use inos_epoch::{park::SpinPark, Deadline, Flag};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = Flag::new(buf.region(), 0).unwrap();
    /// assert!(f.wait_set_with(&SpinPark, Deadline::after_parks(1)).is_err());
    /// ```
    pub fn wait_set_with<P: Park + ?Sized>(
        &self,
        park: &P,
        deadline: impl Into<Deadline>,
    ) -> Result<(), TimedOut> {
        self.slot
            .wait_until(|v| v != 0, DEFAULT_SPINS, park, deadline.into())
            .map(drop)
    }

    /// Blocks until the flag is clear, or `deadline`.
    ///
    /// # Errors
    /// [`TimedOut`] if the deadline passed with the flag set.
    ///
    /// ```
    /// use inos_epoch::{Deadline, Flag};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let f = Flag::new(buf.region(), 0).unwrap();
    /// assert_eq!(f.wait_clear(Deadline::never()), Ok(()));
    /// ```
    pub fn wait_clear(&self, deadline: impl Into<Deadline>) -> Result<(), TimedOut> {
        self.slot
            .wait_until(|v| v == 0, DEFAULT_SPINS, &DefaultPark, deadline.into())
            .map(drop)
    }
}
