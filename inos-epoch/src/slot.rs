//! The 8-byte waitable slot and the wait loop every waitable type shares.
//!
//! Slot format (little-endian, 8-aligned): `u32` word at `+0` (counter, flag or state), `u32`
//! waiter count at `+4`: the number of parties registered as (about to be) asleep on the word.
//!
//! # The handshake that loses no wake-up (INOS defect 16)
//!
//! ```text
//! signaller                          waiter
//! S1: word.fetch_add / swap (SeqCst)  W1: waiters.fetch_add(1) (SeqCst)
//!     [store-load barrier]                [store-load barrier]
//! S2: r1 = waiters.load (SeqCst)      W2: r2 = word.load (SeqCst)
//!     if r1 > 0 { unpark_all(word) }      if r2 == old { park(word, old) }
//! ```
//!
//! This is the store-buffering (Dekker) shape: the outcome "r1 == 0 and r2 == old" (signaller
//! skips the wake, waiter sleeps on the old value) is forbidden only if both sides order their
//! store before their load, which Release/Acquire does not do. With all four accesses SeqCst they
//! sit in the single total order S, and whichever store comes first in S is seen by the other
//! side's later load. So either the signaller sees the registration and wakes (and the futex
//! compares the word under its own lock, so a waiter that has not slept yet returns at once), or
//! the waiter sees the new value and never sleeps.
//!
//! loom treats SeqCst *accesses* as AcqRel, which would let loom explore the forbidden outcome
//! and report a spurious lost wake-up; but it implements `fence(SeqCst)`. Under `cfg(loom)` the
//! barrier is therefore an explicit `fence(SeqCst)` on both sides ([`store_load_barrier`]), which
//! gives the same guarantee (the SC-fence rule) and makes the model check this very pairing.
//! In normal builds the SeqCst accesses are the barrier (`lock xadd` + `mov` on x86-64,
//! `ldaddal` + `ldar` on AArch64), which keeps a signal with no waiter at one RMW and one load.

use core::time::Duration;

use inos_layout::sync::{spin_loop, AtomicU32, Ordering};
use inos_layout::{AccessError, Region};

use crate::deadline::{Deadline, Remaining};
use crate::park::Park;
use crate::TimedOut;

/// Size in bytes of a waitable slot (word + waiter count); slots are 8-aligned.
///
/// ```
/// assert_eq!(inos_epoch::SLOT_SIZE, 8);
/// ```
pub const SLOT_SIZE: usize = 8;

/// The store-load barrier between a side's SeqCst store and its SeqCst load (see module docs).
#[inline(always)]
pub(crate) fn store_load_barrier() {
    #[cfg(loom)]
    inos_layout::sync::fence(Ordering::SeqCst);
}

/// The two words of a waitable slot.
#[derive(Clone, Copy)]
pub(crate) struct Slot<'a> {
    pub(crate) word: &'a AtomicU32,
    pub(crate) waiters: &'a AtomicU32,
}

impl<'a> Slot<'a> {
    /// Validates `offset` (8 bytes in bounds, 8-aligned) and takes the two words.
    pub(crate) fn new(region: Region<'a>, offset: usize) -> Result<Self, AccessError> {
        region.check(offset, SLOT_SIZE, 8)?;
        Ok(Self {
            // SAFETY: offset..offset+8 is in bounds and 8-aligned (checked above), so both
            // 4-byte words are in bounds and 4-aligned.
            word: unsafe { region.u32_at_unchecked(offset) },
            // SAFETY: as above, offset + 4 + 4 <= len and offset + 4 is 4-aligned.
            waiters: unsafe { region.u32_at_unchecked(offset + 4) },
        })
    }

    /// Signaller side, after the word was changed with a SeqCst RMW: wake sleepers if any
    /// registered.
    #[inline]
    pub(crate) fn wake_if_waiting<P: Park + ?Sized>(&self, park: &P) {
        store_load_barrier();
        // SYNC: SeqCst load (S2), pairs with the waiter's SeqCst registration (W1) in `wait_until`;
        // see the module docs. Any non-zero count (even a corrupt one) only costs a wake call.
        if self.waiters.load(Ordering::SeqCst) != 0 {
            park.unpark_all(self.word);
        }
    }

    /// Waits until `done(word)`; returns the word value that satisfied it.
    ///
    /// Spins `spins` times, then registers, re-checks and parks, until `deadline`.
    pub(crate) fn wait_until<P: Park + ?Sized>(
        &self,
        done: impl Fn(u32) -> bool,
        spins: u32,
        park: &P,
        deadline: Deadline,
    ) -> Result<u32, TimedOut> {
        // SYNC: Acquire, pairs with the signaller's Release-or-stronger RMW of the word, so the
        // data published before the signal is visible after we see it.
        let v = self.word.load(Ordering::Acquire);
        if done(v) {
            return Ok(v);
        }
        for _ in 0..spins {
            spin_loop();
            // SYNC: as above.
            let v = self.word.load(Ordering::Acquire);
            if done(v) {
                return Ok(v);
            }
        }
        let deadline = deadline.resolve();
        let mut parks = 0u32;
        loop {
            let timeout: Option<Duration> = match deadline.remaining(parks) {
                Remaining::Expired => return Err(TimedOut),
                Remaining::Park(t) => t,
            };
            // SYNC: SeqCst registration (W1), pairs with the signaller's SeqCst waiter-count load
            // (S2) in `wake_if_waiting`.
            self.waiters.fetch_add(1, Ordering::SeqCst);
            store_load_barrier();
            // SYNC: SeqCst re-check (W2), pairs with the signaller's SeqCst RMW of the word (S1);
            // also Acquire for the published data.
            let v = self.word.load(Ordering::SeqCst);
            if !done(v) {
                park.park(self.word, v, timeout);
            }
            // SYNC: Relaxed: the count is only a hint that decides whether a signal makes a wake
            // call; a stale non-zero value costs one spurious wake call, nothing else.
            self.waiters.fetch_sub(1, Ordering::Relaxed);
            // SYNC: Acquire, as for the first load.
            let v = self.word.load(Ordering::Acquire);
            if done(v) {
                return Ok(v);
            }
            parks = parks.saturating_add(1);
        }
    }
}
