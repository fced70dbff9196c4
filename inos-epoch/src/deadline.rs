//! [`Deadline`]: when a wait gives up.

use core::time::Duration;

/// When a wait gives up with [`TimedOut`](crate::TimedOut).
///
/// - [`Deadline::never`]: wait until the change happens;
/// - [`Deadline::at`] / [`Deadline::after`] (`std`): a point on the monotonic clock, or a
///   timeout counted from when the wait starts parking;
/// - [`Deadline::after_parks`]: give up after the waiting backend returned `n` times without the
///   change, each park lasting at most about [`Deadline::PARK_SLICE`]. This is the clock-free
///   bound for `no_std` builds, and it is a real bound with every backend: the futex, table and
///   wasm backends sleep at most one slice per park, [`SpinPark`] spins a bounded backoff.
///
/// `Instant`, `Option<Instant>` (`None` = never) and `Duration` ([`Deadline::after`]) convert
/// into it.
///
/// [`SpinPark`]: crate::park::SpinPark
///
/// ```
/// use inos_epoch::Deadline;
/// use std::time::{Duration, Instant};
/// let a = Deadline::after(Duration::from_millis(5));
/// let b: Deadline = (Instant::now() + Duration::from_millis(5)).into();
/// let c: Deadline = None.into();
/// assert!(!a.is_never() && !b.is_never() && c.is_never());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Never,
    #[cfg(feature = "std")]
    At(std::time::Instant),
    /// Relative; resolved against the clock only when the wait first parks.
    #[cfg(feature = "std")]
    After(Duration),
    Parks(u32),
}

/// What the wait loop should do next.
pub(crate) enum Remaining {
    /// The deadline has passed.
    Expired,
    /// Park for at most this long (`None`: no limit).
    Park(Option<Duration>),
}

impl Deadline {
    /// The longest a single park may last under [`Deadline::after_parks`]: 1 ms.
    ///
    /// ```
    /// assert_eq!(inos_epoch::Deadline::PARK_SLICE, core::time::Duration::from_millis(1));
    /// ```
    pub const PARK_SLICE: Duration = Duration::from_millis(1);

    /// No deadline: wait until the change happens.
    ///
    /// ```
    /// assert!(inos_epoch::Deadline::never().is_never());
    /// ```
    pub const fn never() -> Self {
        Self { kind: Kind::Never }
    }

    /// Give up at `instant` on the monotonic clock.
    ///
    /// ```
    /// let d = inos_epoch::Deadline::at(std::time::Instant::now());
    /// assert!(!d.is_never());
    /// ```
    #[cfg(feature = "std")]
    pub fn at(instant: std::time::Instant) -> Self {
        Self {
            kind: Kind::At(instant),
        }
    }

    /// Give up `timeout` after the wait started (saturating: a huge timeout never expires).
    ///
    /// The clock is read only if the wait gets past its spin phase, so a wait that is satisfied
    /// while spinning costs no clock read; the timeout is counted from the end of the spin phase
    /// (at most the spin budget, a few microseconds, later than the call).
    ///
    /// ```
    /// let d = inos_epoch::Deadline::after(std::time::Duration::from_secs(1));
    /// assert!(!d.is_never());
    /// ```
    #[cfg(feature = "std")]
    pub const fn after(timeout: Duration) -> Self {
        Self {
            kind: Kind::After(timeout),
        }
    }

    /// Give up after the waiting backend returned `parks` times without the awaited change.
    ///
    /// Every park is given a timeout of [`PARK_SLICE`](Deadline::PARK_SLICE), so with any
    /// [`Park`](crate::Park) that honours its contract the wait lasts at most about
    /// `parks × PARK_SLICE` after its spin phase, without reading a clock (a park that returns
    /// early, e.g. on a spurious wake-up, counts as one, so it may end sooner). With `0`, the
    /// wait only spins, then times out. (Before, the parks had no timeout, so with the futex or
    /// table backend a wait that nobody signalled never returned.)
    ///
    /// ```
    /// use inos_epoch::{Deadline, Epoch, TimedOut};
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// let epoch = Epoch::new(buf.region(), 0).unwrap();
    /// let mut w = epoch.watch().with_spins(10);
    /// assert_eq!(w.wait_changed(Deadline::after_parks(0)), Err(TimedOut));
    /// ```
    pub const fn after_parks(parks: u32) -> Self {
        Self {
            kind: Kind::Parks(parks),
        }
    }

    /// Whether this is [`Deadline::never`].
    ///
    /// ```
    /// assert!(!inos_epoch::Deadline::after_parks(3).is_never());
    /// ```
    pub const fn is_never(&self) -> bool {
        matches!(self.kind, Kind::Never)
    }

    /// The instant on the monotonic clock at which a wait that starts at `now` gives up, or
    /// `None` if it never does.
    ///
    /// [`Deadline::at`] gives its instant; [`Deadline::after`] counts from `now`;
    /// [`Deadline::after_parks`]`(n)` is read as `n ×` [`PARK_SLICE`](Deadline::PARK_SLICE) from
    /// `now` (its documented upper bound), for callers that wait in several steps (e.g. the
    /// blocking calls of inos-ring) and need one fixed end; a deadline too far away to be
    /// represented never expires.
    ///
    /// ```
    /// use inos_epoch::Deadline;
    /// use std::time::{Duration, Instant};
    /// let now = Instant::now();
    /// let in_5ms = now + Duration::from_millis(5);
    /// assert_eq!(Deadline::never().expires_at(now), None);
    /// assert_eq!(Deadline::at(in_5ms).expires_at(now), Some(in_5ms));
    /// assert_eq!(Deadline::from(Duration::from_millis(5)).expires_at(now), Some(in_5ms));
    /// assert_eq!(Deadline::after_parks(5).expires_at(now), Some(in_5ms));
    /// assert_eq!(Deadline::after(Duration::MAX).expires_at(now), None);
    /// ```
    #[cfg(feature = "std")]
    pub fn expires_at(&self, now: std::time::Instant) -> Option<std::time::Instant> {
        match self.kind {
            Kind::Never => None,
            Kind::At(at) => Some(at),
            Kind::After(t) => now.checked_add(t),
            Kind::Parks(n) => now.checked_add(Self::PARK_SLICE.saturating_mul(n)),
        }
    }

    /// Fixes a relative deadline against the clock (called once, when a wait starts parking).
    pub(crate) fn resolve(self) -> Self {
        match self.kind {
            #[cfg(feature = "std")]
            Kind::After(t) => match std::time::Instant::now().checked_add(t) {
                Some(at) => Self::at(at),
                None => Self::never(),
            },
            _ => self,
        }
    }

    /// How long the next park may last, given that `parks` parks already returned.
    ///
    /// Expects a [`resolve`](Self::resolve)d deadline (an unresolved relative one is treated as
    /// running from now).
    pub(crate) fn remaining(&self, parks: u32) -> Remaining {
        match self.kind {
            Kind::Never => Remaining::Park(None),
            #[cfg(feature = "std")]
            Kind::After(t) => Remaining::Park(Some(t)),
            #[cfg(feature = "std")]
            Kind::At(at) => {
                let now = std::time::Instant::now();
                if now >= at {
                    Remaining::Expired
                } else {
                    Remaining::Park(Some(at - now))
                }
            }
            Kind::Parks(n) => {
                if parks >= n {
                    Remaining::Expired
                } else {
                    Remaining::Park(Some(Self::PARK_SLICE))
                }
            }
        }
    }
}

impl Default for Deadline {
    /// [`Deadline::never`].
    fn default() -> Self {
        Self::never()
    }
}

#[cfg(feature = "std")]
impl From<std::time::Instant> for Deadline {
    fn from(at: std::time::Instant) -> Self {
        Self::at(at)
    }
}

#[cfg(feature = "std")]
impl From<Option<std::time::Instant>> for Deadline {
    fn from(at: Option<std::time::Instant>) -> Self {
        at.map_or(Self::never(), Self::at)
    }
}

#[cfg(feature = "std")]
impl From<Duration> for Deadline {
    fn from(timeout: Duration) -> Self {
        Self::after(timeout)
    }
}
