//! [`Watcher`]: one party's view of an [`Epoch`]: the last value it has seen.

use crate::park::{DefaultPark, Park};
use crate::{Deadline, Epoch, TimedOut};

/// The default number of spin iterations before a wait parks.
///
/// Each iteration is one `spin_loop` hint and one load. A `PAUSE` takes ~65 ns on the reference
/// machine (Sapphire/Emerald Rapids-class x86, 2.1 GHz) and ~5 ns on older x86, so the default
/// spins for ~6.5 µs there (~0.5 µs on older parts), about one futex wake-up latency; std's
/// `Mutex` also spins 100 times.
///
/// Measured on the reference machine (2 shared vCPUs): while both sides of a ping-pong stay on
/// their own CPUs, a round trip completes inside the spin phase (~0.1 µs). Once one side has
/// parked, the scheduler often queues the woken side on the spinner's CPU, the spinner gives up
/// after its budget and parks too, and round trips then cost about budget + wake-up (~10 µs with
/// this default, ~18 µs with 256 spins, ~4 µs with 0). A pair with dedicated cores that must stay
/// in the spin phase should raise the budget with [`Watcher::with_spins`]; a pair that mostly
/// sleeps can lower it.
///
/// ```
/// assert_eq!(inos_epoch::DEFAULT_SPINS, 100);
/// ```
pub const DEFAULT_SPINS: u32 = 100;

/// One party's position on an [`Epoch`]: the value it last saw, and how it waits for the next.
///
/// Every party has its own watcher, so every party sees every change (broadcast, INOS defect
/// 15); changes that land between two looks coalesce into one (the caller then drains all
/// pending work, defect 12).
///
/// ```
/// use inos_epoch::{Deadline, Epoch};
/// let buf = inos_layout::RegionBuf::new(8).unwrap();
/// let epoch = Epoch::new(buf.region(), 0).unwrap();
/// let mut w = epoch.watch();
/// std::thread::scope(|s| {
///     s.spawn(|| epoch.signal());
///     assert_eq!(w.wait_changed(Deadline::never()), Ok(1));
/// });
/// assert_eq!(w.last_seen(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Watcher<'a> {
    epoch: Epoch<'a>,
    last_seen: u32,
    spins: u32,
}

impl<'a> Watcher<'a> {
    /// A watcher on `epoch` that has seen its current value. Same as [`Epoch::watch`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(inos_epoch::Watcher::new(e).last_seen(), 0);
    /// ```
    pub fn new(epoch: Epoch<'a>) -> Self {
        let last_seen = epoch.load();
        Self::with_last_seen(epoch, last_seen)
    }

    /// A watcher on `epoch` that has seen `last_seen`. Same as [`Epoch::watch_from`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(inos_epoch::Watcher::with_last_seen(e, 7).last_seen(), 7);
    /// ```
    pub fn with_last_seen(epoch: Epoch<'a>, last_seen: u32) -> Self {
        Self {
            epoch,
            last_seen,
            spins: DEFAULT_SPINS,
        }
    }

    /// Sets the spin budget: how many times a wait re-reads the word (with a `spin_loop` hint
    /// between reads) before it parks. `0` parks at once; [`DEFAULT_SPINS`] by default.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.watch().with_spins(0).spins(), 0);
    /// ```
    pub fn with_spins(mut self, spins: u32) -> Self {
        self.spins = spins;
        self
    }

    /// The spin budget.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.watch().spins(), inos_epoch::DEFAULT_SPINS);
    /// ```
    pub fn spins(&self) -> u32 {
        self.spins
    }

    /// The value this watcher saw last.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// let mut w = e.watch();
    /// e.signal();
    /// w.changed();
    /// assert_eq!(w.last_seen(), 1);
    /// ```
    pub fn last_seen(&self) -> u32 {
        self.last_seen
    }

    /// Forgets what was seen and adopts `value` as `last_seen`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// let mut w = e.watch();
    /// w.set_last_seen(9);
    /// assert_eq!(w.changed(), Some(0)); // 0 differs from 9
    /// ```
    pub fn set_last_seen(&mut self, value: u32) {
        self.last_seen = value;
    }

    /// The epoch watched.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// assert_eq!(e.watch().epoch().load(), 0);
    /// ```
    pub fn epoch(&self) -> Epoch<'a> {
        self.epoch
    }

    /// Whether the epoch moved since `last_seen`, without updating it.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// let w = e.watch();
    /// e.signal();
    /// assert!(w.has_changed());
    /// ```
    #[inline]
    pub fn has_changed(&self) -> bool {
        self.epoch.load() != self.last_seen
    }

    /// If the epoch moved since `last_seen`, records and returns the new value (non-blocking).
    ///
    /// Any difference counts as a change, so a watcher never gets stuck however far the counter
    /// moved (use [`is_newer`](crate::is_newer) to order two values).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = inos_epoch::Epoch::new(buf.region(), 0).unwrap();
    /// let mut w = e.watch();
    /// assert_eq!(w.changed(), None);
    /// e.signal();
    /// assert_eq!(w.changed(), Some(1));
    /// assert_eq!(w.changed(), None);
    /// ```
    #[inline]
    pub fn changed(&mut self) -> Option<u32> {
        let v = self.epoch.load();
        if v != self.last_seen {
            self.last_seen = v;
            Some(v)
        } else {
            None
        }
    }

    /// Blocks until the epoch moves past `last_seen` or `deadline` passes; records and returns
    /// the new value.
    ///
    /// Spins [`spins`](Watcher::spins) times, then registers as a waiter, re-checks, and parks
    /// with the [`DefaultPark`] backend; a signal between the last check and the sleep is never
    /// lost (INOS defect 16). `deadline` accepts a [`Deadline`], an `Instant`, an
    /// `Option<Instant>` or a `Duration`.
    ///
    /// # Errors
    /// [`TimedOut`] if the deadline passed with the epoch still at `last_seen`.
    ///
    /// ```
    /// use inos_epoch::{Epoch, TimedOut};
    /// use std::time::Duration;
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// let mut w = e.watch();
    /// assert_eq!(w.wait_changed(Duration::from_millis(1)), Err(TimedOut));
    /// e.signal();
    /// assert_eq!(w.wait_changed(Duration::from_millis(1)), Ok(1));
    /// ```
    #[inline]
    pub fn wait_changed(&mut self, deadline: impl Into<Deadline>) -> Result<u32, TimedOut> {
        self.wait_changed_with(&DefaultPark, deadline)
    }

    /// [`wait_changed`](Watcher::wait_changed) with a chosen [`Park`] backend.
    ///
    /// # Errors
    /// [`TimedOut`] if the deadline passed with the epoch still at `last_seen`.
    ///
    /// ```
    /// use inos_epoch::{park::SpinPark, Deadline, Epoch};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let e = Epoch::new(buf.region(), 0).unwrap();
    /// e.signal_with(&SpinPark);
    /// assert_eq!(e.watch_from(0).wait_changed_with(&SpinPark, Deadline::never()), Ok(1));
    /// ```
    pub fn wait_changed_with<P: Park + ?Sized>(
        &mut self,
        park: &P,
        deadline: impl Into<Deadline>,
    ) -> Result<u32, TimedOut> {
        let last = self.last_seen;
        let v = self
            .epoch
            .slot
            .wait_until(|v| v != last, self.spins, park, deadline.into())?;
        self.last_seen = v;
        Ok(v)
    }
}
