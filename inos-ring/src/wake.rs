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
mod blocking {
    use std::time::Instant;

    use inos_epoch::{Deadline, Epoch};
    use inos_layout::sync::{fence, Ordering};

    use crate::error::Error;
    use crate::layout::{DATA_EPOCH, SPACE_EPOCH};
    use crate::ring::{Kind, Ring};
    use crate::{Consumer, Producer};

    /// Registers as a sleeper on the slot, runs `recheck`, and if it still finds nothing, waits
    /// for the epoch to move (or `deadline`). Returns `Some(result)` if the re-check succeeded.
    ///
    /// On a [`Mode::Poll`](crate::Mode::Poll) ring nobody signals the epochs: instead of
    /// registering and parking, it backs off (64 spins, then a yield) and lets the caller poll
    /// again, until `deadline`.
    fn sleep_once<K: Kind, T>(
        ring: &Ring<'_, K>,
        slot: usize,
        deadline: Option<Instant>,
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
            if deadline.is_some_and(|d| Instant::now() >= d) {
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
            None => match watcher.wait_changed(Deadline::from(deadline)) {
                Ok(_) => Ok(None),
                Err(_) => Err(Error::TimedOut),
            },
        };
        waiters.fetch_sub(1, Ordering::Relaxed);
        out
    }

    impl<K: Kind> Producer<'_, K> {
        /// Like [`try_push`](Producer::try_push), but while the ring is full sleeps until the
        /// consumer frees space (woken through the ring's "space" epoch) or `deadline`.
        ///
        /// # Errors
        /// [`Error::TimedOut`], and the errors of `try_push` other than `Full`.
        ///
        /// ```
        /// use inos_ring::{Ring, Spsc};
        /// use std::time::{Duration, Instant};
        /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
        /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
        /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
        /// std::thread::scope(|s| {
        ///     s.spawn(move || {
        ///         for i in 0..100u32 {
        ///             p.push_wait(&i.to_le_bytes(), None).unwrap();
        ///         }
        ///     });
        ///     let mut out = [0u8; 4];
        ///     for i in 0..100u32 {
        ///         let deadline = Instant::now() + Duration::from_secs(30);
        ///         assert_eq!(c.pop_wait(&mut out, Some(deadline)), Ok(4));
        ///         assert_eq!(u32::from_le_bytes(out), i);
        ///     }
        /// });
        /// ```
        pub fn push_wait(&mut self, msg: &[u8], deadline: Option<Instant>) -> Result<(), Error> {
            loop {
                match self.try_push(msg) {
                    Err(Error::Full) => {}
                    r => return r,
                }
                let ring = self.ring;
                let r = sleep_once(&ring, SPACE_EPOCH, deadline, || match self.try_push(msg) {
                    Err(Error::Full) => None,
                    r => Some(r),
                })?;
                if let Some(r) = r {
                    return r;
                }
            }
        }
    }

    impl<K: Kind> Consumer<'_, K> {
        /// Like [`try_pop`](Consumer::try_pop), but while the ring is empty sleeps until a
        /// producer commits (woken through the ring's "data" epoch) or `deadline`. With automatic
        /// unblocking on ([`set_unblock_after`](Consumer::set_unblock_after)) it also wakes every
        /// `after` to time a stuck reservation.
        ///
        /// # Errors
        /// [`Error::TimedOut`], and the errors of `try_pop` other than `Empty`.
        ///
        /// ```
        /// use inos_ring::{Mpsc, Ring};
        /// use std::time::{Duration, Instant};
        /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
        /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
        /// let mut c = ring.consumer().unwrap();
        /// let soon = Instant::now() + Duration::from_millis(5);
        /// assert_eq!(c.pop_wait(&mut [0; 8], Some(soon)), Err(inos_ring::Error::TimedOut));
        /// ```
        pub fn pop_wait(
            &mut self,
            buf: &mut [u8],
            deadline: Option<Instant>,
        ) -> Result<usize, Error> {
            loop {
                match self.try_pop(buf) {
                    Err(Error::Empty) => {}
                    r => return r,
                }
                let ring = self.ring;
                let mut until = deadline;
                if let Some(after) = self.unblock_after {
                    let tick = Instant::now() + after.max(std::time::Duration::from_millis(1));
                    until = Some(until.map_or(tick, |d| d.min(tick)));
                }
                let r = sleep_once(&ring, DATA_EPOCH, until, || match self.try_pop(buf) {
                    Err(Error::Empty) => None,
                    r => Some(r),
                });
                match r {
                    Ok(Some(r)) => return r,
                    Ok(None) => {}
                    Err(Error::TimedOut) if until != deadline => {}
                    Err(e) => {
                        // One last look, so that a message that raced the deadline is not missed.
                        return match self.try_pop(buf) {
                            Err(Error::Empty) => Err(e),
                            r => r,
                        };
                    }
                }
            }
        }
    }
}
