//! [`Epoch`]: a monotonic, wrapping `u32` counter that parties wait on.

use inos_layout::sync::Ordering;
use inos_layout::{AccessError, Region};

use crate::park::{DefaultPark, Park};
use crate::slot::Slot;
use crate::watcher::Watcher;
use crate::{Deadline, TimedOut};

/// A handle to an epoch slot: a `u32` change counter at `+0` and a waiter count at `+4`.
///
/// Writers publish a change with [`signal`](Epoch::signal); readers observe it with a
/// [`Watcher`]. The counter only ever moves forward by wrapping increments: it is never
/// "acknowledged" by storing 0 (INOS defect 14), so any number of readers can each track it with
/// their own `last_seen`, and increments that land together coalesce instead of being lost: the
/// reader sees the newest value and drains all pending work (defect 12).
///
/// `Epoch` is `Copy`; hand copies to every thread.
///
/// ```
/// use inos_epoch::Epoch;
/// let buf = inos_layout::RegionBuf::new(64).unwrap();
/// let epoch = Epoch::new(buf.region(), 8).unwrap();
/// let mut w = epoch.watch();
/// assert_eq!(w.changed(), None);
/// epoch.signal();
/// epoch.signal();
/// assert_eq!(w.changed(), Some(2)); // two signals coalesce into one observed change
/// ```
#[derive(Clone, Copy)]
pub struct Epoch<'a> {
    pub(crate) slot: Slot<'a>,
}

impl core::fmt::Debug for Epoch<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Epoch")
            .field("value", &self.load())
            .field("waiters", &self.slot.waiters.load(Ordering::Relaxed))
            .finish()
    }
}

impl<'a> Epoch<'a> {
    /// The epoch slot at `offset` of `region` (8 bytes, 8-aligned).
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] or [`AccessError::Misaligned`].
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// assert!(Epoch::new(buf.region(), 8).is_ok());
    /// assert!(Epoch::new(buf.region(), 4).is_err()); // not 8-aligned
    /// assert!(Epoch::new(buf.region(), 16).is_err()); // out of bounds
    /// ```
    pub fn new(region: Region<'a>, offset: usize) -> Result<Self, AccessError> {
        Ok(Self {
            slot: Slot::new(region, offset)?,
        })
    }

    /// The current counter value (Acquire: what was published before it is visible).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// e.signal();
    /// assert_eq!(e.load(), 1);
    /// ```
    #[inline]
    pub fn load(&self) -> u32 {
        // SYNC: Acquire, pairs with the Release part of the RMW in `signal`.
        self.slot.word.load(Ordering::Acquire)
    }

    /// Advances the counter by one and wakes **every** parked waiter; returns the new value.
    ///
    /// The wake call is made only when a waiter is registered, so a signal nobody sleeps on costs
    /// one atomic RMW and one load. Writes made before `signal` are visible to a waiter that
    /// observes the new value (Release/Acquire). The counter wraps from `u32::MAX` to 0.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.signal(), 1);
    /// assert_eq!(e.signal(), 2);
    /// ```
    #[inline]
    pub fn signal(&self) -> u32 {
        self.signal_with(&DefaultPark)
    }

    /// [`signal`](Epoch::signal) through a chosen [`Park`] backend.
    ///
    /// Use the same backend as the waiters (all parties on one word must agree on how they sleep).
    ///
    /// ```
    /// use inos_epoch::{park::SpinPark, Epoch};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.signal_with(&SpinPark), 1);
    /// ```
    #[inline]
    pub fn signal_with<P: Park + ?Sized>(&self, park: &P) -> u32 {
        // SYNC: SeqCst RMW (S1 of the handshake in `slot`): Release publishes the writes made
        // before the signal to the Acquire loads of watchers; SeqCst orders it before the
        // waiter-count load in `wake_if_waiting`.
        let new = self
            .slot
            .word
            .fetch_add(1, Ordering::SeqCst)
            .wrapping_add(1);
        self.slot.wake_if_waiting(park);
        new
    }

    /// A [`Watcher`] that has seen the current value.
    ///
    /// Take it *before* checking for work, so that a signal that lands after the check is seen by
    /// the next wait.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// e.signal();
    /// assert_eq!(e.watch().last_seen(), 1);
    /// ```
    #[inline]
    pub fn watch(&self) -> Watcher<'a> {
        Watcher::new(*self)
    }

    /// A [`Watcher`] that has seen `last_seen` (e.g. a value persisted elsewhere).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// e.signal();
    /// assert_eq!(e.watch_from(0).changed(), Some(1));
    /// ```
    #[inline]
    pub fn watch_from(&self, last_seen: u32) -> Watcher<'a> {
        Watcher::with_last_seen(*self, last_seen)
    }

    /// Blocks until the counter differs from `last_seen`, or `deadline`; returns the new value.
    ///
    /// Shorthand for `self.watch_from(last_seen).wait_changed(deadline)`.
    ///
    /// # Errors
    /// [`TimedOut`] if `deadline` passed first.
    ///
    /// ```
    /// use inos_epoch::{Deadline, Epoch};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// e.signal();
    /// assert_eq!(e.wait_changed_from(0, Deadline::never()), Ok(1));
    /// ```
    pub fn wait_changed_from(
        &self,
        last_seen: u32,
        deadline: impl Into<Deadline>,
    ) -> Result<u32, TimedOut> {
        self.watch_from(last_seen).wait_changed(deadline)
    }

    /// The number of parties currently registered as waiting (a hint; racy by nature).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert_eq!(inos_epoch::Epoch::new(buf.region(), 0).unwrap().waiters(), 0);
    /// ```
    #[inline]
    pub fn waiters(&self) -> u32 {
        // SYNC: Relaxed: informational only.
        self.slot.waiters.load(Ordering::Relaxed)
    }

    /// Pairs this epoch with an explicit aggregate epoch that every [`signal`](WithAggregate::signal)
    /// also bumps.
    ///
    /// There is no implicit global "heartbeat" epoch that every signal fans out to (INOS defect
    /// 19: it made one word a global contention point and wake source). A party that wants one
    /// change counter for "any of these epochs" opts in per epoch here, waits on the aggregate,
    /// then checks its individual watchers with [`Watcher::changed`].
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let inbox = Epoch::new(buf.region(), 0).unwrap();
    /// let any = Epoch::new(buf.region(), 8).unwrap();
    /// let linked = inbox.with_aggregate(any);
    /// linked.signal();
    /// assert_eq!((inbox.load(), any.load()), (1, 1));
    /// inbox.signal(); // the plain handle does not touch the aggregate
    /// assert_eq!((inbox.load(), any.load()), (2, 1));
    /// ```
    #[inline]
    pub fn with_aggregate(self, aggregate: Epoch<'a>) -> WithAggregate<'a> {
        WithAggregate {
            epoch: self,
            aggregate,
        }
    }
}

/// An [`Epoch`] whose signals also bump an opt-in aggregate epoch (see
/// [`Epoch::with_aggregate`]).
///
/// ```
/// use inos_epoch::Epoch;
/// let buf = inos_layout::RegionBuf::new(16).unwrap();
/// let e = Epoch::new(buf.region(), 0).unwrap();
/// let agg = Epoch::new(buf.region(), 8).unwrap();
/// let mut all = agg.watch();
/// e.with_aggregate(agg).signal();
/// assert!(all.changed().is_some());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct WithAggregate<'a> {
    epoch: Epoch<'a>,
    aggregate: Epoch<'a>,
}

impl<'a> WithAggregate<'a> {
    /// Signals the epoch, then the aggregate; returns the epoch's new value.
    ///
    /// The epoch is bumped first, so a party woken by the aggregate finds the epoch already
    /// advanced.
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.with_aggregate(Epoch::new(buf.region(), 8).unwrap()).signal(), 1);
    /// ```
    #[inline]
    pub fn signal(&self) -> u32 {
        let v = self.epoch.signal();
        self.aggregate.signal();
        v
    }

    /// The epoch itself.
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// let w = e.with_aggregate(Epoch::new(buf.region(), 8).unwrap());
    /// assert_eq!(w.epoch().load(), 0);
    /// ```
    #[inline]
    pub fn epoch(&self) -> Epoch<'a> {
        self.epoch
    }

    /// The aggregate epoch.
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// let w = e.with_aggregate(Epoch::new(buf.region(), 8).unwrap());
    /// assert_eq!(w.aggregate().load(), 0);
    /// ```
    #[inline]
    pub fn aggregate(&self) -> Epoch<'a> {
        self.aggregate
    }
}
