//! Wake-ups through inos-epoch: signal the other side only when it sleeps.
//!
//! Handshake (a Dekker pattern over two words, both sides SeqCst):
//! - the side that makes progress (a commit, a release of space) stores its state/position word
//!   with SeqCst, then loads the epoch slot's waiter count with SeqCst and signals only if it is
//!   non-zero ([`notify`]);
//! - the side that wants to sleep registers in the waiter count (SeqCst RMW), issues a SeqCst
//!   fence, re-checks the ring, and only then waits for the epoch to change
//!   ([`Producer::push_wait`](crate::Producer::push_wait),
//!   [`Consumer::pop_wait`](crate::Consumer::pop_wait)).
//!
//! Either the progress side sees the registration and signals, or the sleeping side's re-check
//! sees the progress; a wake-up is never lost, and a ring nobody sleeps on never pays for a
//! signal (one load of a word that only changes when someone sleeps).

use inos_layout::sync::Ordering;

use crate::ring::{Kind, Ring};

/// After a progress store: wake the sleepers on the epoch slot at `slot`, if any.
#[inline(always)]
pub(crate) fn notify<K: Kind>(ring: &Ring<'_, K>, slot: usize) {
    // loom treats SeqCst accesses as AcqRel but implements SeqCst fences: under loom the
    // store-load barrier between the progress store and this load is an explicit fence, so the
    // model checks this very pairing (as inos-epoch's slot.rs does). In normal builds the SeqCst
    // store and load are the barrier.
    #[cfg(loom)]
    inos_layout::sync::fence(Ordering::SeqCst);
    // SYNC: SeqCst, pairs with the SeqCst registration + fence in `push_wait`/`pop_wait`.
    if ring.word(slot + 4).load(Ordering::SeqCst) != 0 {
        signal(ring, slot);
    }
}

#[cold]
#[inline(never)]
fn signal<K: Kind>(ring: &Ring<'_, K>, slot: usize) {
    crate::crash::point();
    // The slot offsets are header constants (8-aligned, inside the validated header).
    if let Ok(epoch) = inos_epoch::Epoch::new(ring.region, slot) {
        epoch.signal();
    }
}

#[cfg(feature = "std")]
pub(crate) mod blocking {
    use std::time::Instant;

    use inos_epoch::{Deadline, Epoch};
    use inos_layout::sync::{fence, Ordering};
    use inos_layout::Bytes;

    use crate::error::Error;
    use crate::flow::DrainFlow;
    use crate::layout::{DATA_EPOCH, SPACE_EPOCH};
    use crate::ring::{Kind, Ring};
    use crate::{Consumer, Producer};

    /// Registers as a sleeper on the slot, runs `recheck`, and if it still finds nothing, waits
    /// for the epoch to move (or `until`). Returns `Some(result)` if the re-check succeeded.
    ///
    /// On a [`Mode::Poll`](crate::Mode::Poll) ring nobody signals the epochs: instead of
    /// registering and parking, it backs off (64 spins, then a yield) and lets the caller poll
    /// again, until `until`.
    fn sleep_once<K: Kind, T>(
        ring: &Ring<'_, K>,
        slot: usize,
        until: Option<Instant>,
        recheck: impl FnOnce() -> Option<Result<T, Error>>,
    ) -> Result<Option<Result<T, Error>>, Error> {
        if !ring.wake {
            for _ in 0..64 {
                inos_layout::sync::spin_loop();
            }
            std::thread::yield_now();
            if let Some(r) = recheck() {
                return Ok(Some(r));
            }
            if until.is_some_and(|d| Instant::now() >= d) {
                return Err(Error::TimedOut);
            }
            return Ok(None);
        }
        let epoch = Epoch::new(ring.region, slot)?;
        let mut watcher = epoch.watch();
        let waiters = ring.word(slot + 4);
        // SYNC: SeqCst RMW + SeqCst fence, pairs with the SeqCst progress store and waiter load
        // in `notify`.
        waiters.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        let r = recheck();
        let out = match r {
            Some(r) => Ok(Some(r)),
            None => match watcher.wait_changed(Deadline::from(until)) {
                Ok(_) => Ok(None),
                Err(_) => Err(Error::TimedOut),
            },
        };
        waiters.fetch_sub(1, Ordering::Relaxed);
        out
    }

    /// The earlier of two optional instants (`None` = never).
    fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, None) => a,
            (None, b) => b,
        }
    }

    impl<K: Kind> Producer<'_, K> {
        /// Like [`try_push`](Producer::try_push), but while the ring is full sleeps until the
        /// consumer frees space (woken through the ring's "space" epoch) or `deadline`.
        ///
        /// `deadline` is an [`inos_epoch::Deadline`] or anything that converts into one: a
        /// `Duration` (counted from the call), an `Instant`, `Option<Instant>` (`None`: no
        /// limit), [`Deadline::never()`]; the same type every inos wait takes (re-exported as
        /// [`inos_ring::Deadline`](crate::Deadline)). The clock is read only if the ring is full.
        ///
        /// On an MPSC ring held full by a reservation whose producer died, space comes back when
        /// the consumer unblocks it ([`Consumer::unblock`], or automatically with
        /// [`Consumer::set_unblock_after`], also while the consumer sleeps).
        ///
        /// # Errors
        /// [`Error::TimedOut`], and the errors of `try_push` other than `Full`.
        ///
        /// ```
        /// use inos_ring::{Ring, Spsc};
        /// use std::time::Duration;
        /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
        /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
        /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
        /// std::thread::scope(|s| {
        ///     s.spawn(move || {
        ///         for i in 0..100u32 {
        ///             p.push_wait(&i.to_le_bytes(), inos_ring::Deadline::never()).unwrap();
        ///         }
        ///     });
        ///     let mut out = [0u8; 4];
        ///     for i in 0..100u32 {
        ///         assert_eq!(c.pop_wait(&mut out, Duration::from_secs(30)), Ok(4));
        ///         assert_eq!(u32::from_le_bytes(out), i);
        ///     }
        /// });
        /// ```
        pub fn push_wait(
            &mut self,
            msg: &[u8],
            deadline: impl Into<Deadline>,
        ) -> Result<(), Error> {
            self.push_wait_until(msg, deadline.into())
        }

        fn push_wait_until(&mut self, msg: &[u8], deadline: Deadline) -> Result<(), Error> {
            let ring = self.ring;
            wait_on(&ring, SPACE_EPOCH, deadline, || match self.try_push(msg) {
                Err(Error::Full) => Ok(None),
                r => r.map(Some),
            })
        }
    }

    /// A wait loop without stall timing (producers, and the consumer of a fixed-size ring, which
    /// has no reservations to unblock): runs `attempt` (`Ok(None)`: not now) until it delivers,
    /// sleeping on the epoch slot at `slot` between attempts, until `deadline`. The clock is
    /// read only if the first attempt fails.
    pub(crate) fn wait_on<K: Kind, T>(
        ring: &Ring<'_, K>,
        slot: usize,
        deadline: Deadline,
        mut attempt: impl FnMut() -> Result<Option<T>, Error>,
    ) -> Result<T, Error> {
        if let Some(t) = attempt()? {
            return Ok(t);
        }
        let end = deadline.expires_at(Instant::now());
        loop {
            match sleep_once(ring, slot, end, || attempt().transpose()) {
                Ok(Some(r)) => return r,
                Ok(None) => {}
                // One last look, so that progress made as the deadline passed is used.
                Err(Error::TimedOut) => return attempt()?.ok_or(Error::TimedOut),
                Err(e) => return Err(e),
            }
        }
    }

    impl<'a, K: Kind> Consumer<'a, K> {
        /// Like [`try_pop`](Consumer::try_pop), but while the ring is empty sleeps until a
        /// producer commits (woken through the ring's "data" epoch) or `deadline` (a
        /// [`Deadline`](crate::Deadline) or a `Duration`, `Instant`, `Option<Instant>`: see
        /// [`Producer::push_wait`]).
        ///
        /// With automatic unblocking on ([`set_unblock_after`](Consumer::set_unblock_after)) it
        /// also times a reservation in progress at the head while it sleeps, and unblocks it as
        /// soon as it is overdue, then delivers what was committed behind it. The timer counts
        /// from when this consumer first saw that reservation, across calls, so a loop of short
        /// `pop_wait`s unblocks it as one long one does.
        ///
        /// # Errors
        /// [`Error::TimedOut`], and the errors of `try_pop` other than `Empty`.
        ///
        /// ```
        /// use inos_ring::{Mpsc, Ring};
        /// use std::time::Duration;
        /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
        /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
        /// let (mut dead, mut live) = (ring.producer().unwrap(), ring.producer().unwrap());
        /// let mut c = ring.consumer().unwrap();
        /// let soon = Duration::from_millis(5);
        /// assert_eq!(c.pop_wait(&mut [0; 8], soon), Err(inos_ring::Error::TimedOut));
        ///
        /// // A producer dies inside a reservation; another commits behind it.
        /// std::mem::forget(dead.reserve(4).unwrap());
        /// live.try_push(b"behind").unwrap();
        /// c.set_unblock_after(Some(Duration::from_millis(20)));
        /// let mut out = [0; 8];
        /// let n = loop {
        ///     match c.pop_wait(&mut out, soon) {
        ///         Ok(n) => break n,
        ///         Err(inos_ring::Error::TimedOut) => continue, // the stall is being timed
        ///         Err(e) => panic!("{e}"),
        ///     }
        /// };
        /// assert_eq!(&out[..n], b"behind");
        /// assert_eq!(ring.stats().unblocked, 1);
        /// ```
        pub fn pop_wait(
            &mut self,
            buf: &mut [u8],
            deadline: impl Into<Deadline>,
        ) -> Result<usize, Error> {
            self.wait_for(deadline.into(), |c| match c.try_pop(buf) {
                Err(Error::Empty) => Ok(None),
                r => r.map(Some),
            })
        }

        /// Like [`drain`](Consumer::drain), but while the ring is empty first sleeps until at
        /// least one message is there (as [`pop_wait`](Consumer::pop_wait) does, automatic
        /// unblocking included) or `deadline`. One decode path for blocking consumers: every
        /// message is a [`Bytes`] view, and the callback may stop early or fail as with `drain`
        /// (see [`DrainFlow`](crate::DrainFlow)).
        ///
        /// Returns what `drain` returns for a call that delivered at least one message.
        ///
        /// # Errors
        /// [`Error::TimedOut`] (nothing was delivered), and the errors of `drain`.
        ///
        /// ```
        /// use inos_ring::{Ring, Spsc};
        /// use std::time::Duration;
        /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
        /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
        /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
        /// let mut sum = 0;
        /// std::thread::scope(|s| {
        ///     s.spawn(move || {
        ///         for i in 1..=10u32 {
        ///             p.push_wait(&i.to_le_bytes(), Duration::from_secs(30)).unwrap();
        ///         }
        ///     });
        ///     let mut seen = 0;
        ///     while seen < 10 {
        ///         let sum = &mut sum;
        ///         seen += c
        ///             .drain_wait(Duration::from_secs(30), |m| *sum += m.read_u32_le(0).unwrap())
        ///             .unwrap();
        ///     }
        /// });
        /// assert_eq!(sum, 55);
        /// let soon = Duration::from_millis(1);
        /// assert_eq!(c.drain_wait(soon, |_| {}), Err(inos_ring::Error::TimedOut));
        /// ```
        pub fn drain_wait<R, F>(
            &mut self,
            deadline: impl Into<Deadline>,
            mut f: F,
        ) -> Result<R::Output, Error>
        where
            R: DrainFlow,
            F: FnMut(Bytes<'_>) -> R,
        {
            self.wait_for(deadline.into(), |c| {
                let (n, stopped) = c.drain_inner(&mut f)?;
                Ok((n > 0).then(|| R::finish(n, stopped)))
            })
        }

        /// The consumer's wait loop: runs `attempt` (`Ok(None)`: nothing there) until it
        /// delivers, sleeping on the data epoch between attempts, and with automatic unblocking
        /// on, waking to time and unblock a stuck reservation at the head ([`stall_tick`]).
        ///
        /// [`stall_tick`]: Consumer::stall_tick
        fn wait_for<T>(
            &mut self,
            deadline: Deadline,
            mut attempt: impl FnMut(&mut Self) -> Result<Option<T>, Error>,
        ) -> Result<T, Error> {
            // Fast path: no clock read when something is there.
            if let Some(t) = attempt(self)? {
                return Ok(t);
            }
            let clocked = !deadline.is_never() || self.unblock_after.is_some();
            let end = if clocked {
                deadline.expires_at(Instant::now())
            } else {
                None
            };
            loop {
                let mut until = end;
                if clocked {
                    let now = Instant::now();
                    if end.is_some_and(|e| now >= e) {
                        // One last look, so that a message that raced the deadline is not missed.
                        return attempt(self)?.ok_or(Error::TimedOut);
                    }
                    let tick = self.stall_tick(now)?;
                    if tick.is_some_and(|t| t <= now) {
                        // A stuck reservation was just unblocked: look behind it.
                        if let Some(t) = attempt(self)? {
                            return Ok(t);
                        }
                        continue;
                    }
                    until = earliest(end, tick);
                }
                let ring = self.ring;
                let r = sleep_once(&ring, DATA_EPOCH, until, || attempt(self).transpose());
                match r {
                    Ok(Some(r)) => return r,
                    // Woken (or the tick passed): the loop re-checks the deadline and the stall.
                    Ok(None) | Err(Error::TimedOut) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
}
