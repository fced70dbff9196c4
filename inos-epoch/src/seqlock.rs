//! [`Seqlock`]: consistent multi-word snapshots of a record with one writer at a time.
//!
//! Format at an 8-aligned offset: an 8-byte waitable slot (`u32` sequence at `+0`, waiter count
//! at `+4`), then the record's `len` bytes at `+8`, padded to a multiple of 4.
//!
//! The sequence is `4 * version + phase`:
//!
//! | phase | meaning | readers | writers |
//! |---|---|---|---|
//! | 0 | stable: the record is write number `version` | copy and check | may begin |
//! | 1 | a write is in progress | retry | `Busy` |
//! | 2 | abandoned: the last write was dropped unpublished; the record is garbage | [`ReadError::Abandoned`] | may begin |
//! | 3 | a write is in progress after an abandoned one | retry | `Busy` |
//!
//! Beginning a write sets bit 0; publishing moves to `4 * (version + 1)`; dropping the guard
//! without publishing (also by a panic) moves to `4 * version + 2`, so a half-written record is
//! never taken for a consistent one (it used to be published as one). Once a write has begun,
//! the sequence never again holds the stable value it started from.
//!
//! Memory-model argument (Boehm, "Can seqlocks get along with programming language memory
//! models?", MSPC 2012): every byte of the record is accessed atomically (relaxed atomic word
//! loads/stores through [`Region`]), so a racing read is never undefined behaviour, only possibly
//! torn; the fences below make a torn read always detectable:
//!
//! ```text
//! writer                                   reader
//! CAS seq s -> s+1 (s even)                s1 = seq.load(Acquire)      [retry if odd]
//! fence(Release)          ─────────┐       data.load(Relaxed) ...
//! data.store(Relaxed) ...          └──────▶ fence(Acquire)
//! seq.fetch_add(1) (SeqCst ⊇ Release) ───▶ s2 = seq.load(Relaxed); ok iff s1 == s2
//! ```
//! If any data load saw a store of a write that began after `s1`, the release fence after that
//! write's CAS synchronises with the reader's acquire fence, so `s2` sees the odd value (or a
//! later one) and the read is retried.
//!
//! An abandoned write (phase 2) is ended with a Release CAS, and the next writer begins with an
//! Acquire CAS that reads it, so the abandoned stores happen before the next write's stores and
//! cannot resurface in a later snapshot.

use inos_layout::sync::{fence, spin_loop, Ordering};
use inos_layout::{AccessError, Bytes, Region};

use crate::park::DefaultPark;
use crate::slot::{Slot, SLOT_SIZE};
use crate::watcher::DEFAULT_SPINS;
use crate::{Deadline, ReadError, TimedOut, WriteError};

/// Default number of read attempts before [`Seqlock::read`] reports [`ReadError::Contended`].
const DEFAULT_ATTEMPTS: u32 = 128;

/// A sequence-locked record: one writer at a time, any number of readers, each reader gets a
/// consistent copy of the whole record or a typed error, never a mix of two writes.
///
/// For metrics and telemetry blobs that INOS wrote with plain copies and an epoch bump, which let
/// readers mix two snapshots (defect 31). Readers never block the writer; a reader that overlaps
/// a write retries, up to a bound, and reports how many retries it needed. A write that is
/// dropped without [`publish`](SeqlockWriter::publish) (including by a panic) is aborted: until
/// the next completed write, reads return [`ReadError::Abandoned`], never the half-written
/// record. Encoding and reader rule: `docs/protocol/epoch.md` §5.
///
/// **Access width:** the sequence word, the waiter count and the record are accessed as `u32`
/// words for their whole life (never as bytes or 8-byte words), by this crate and by every party
/// following the spec. The record is padded to a multiple of 4 bytes
/// ([`size_for`](Seqlock::size_for)), so the seqlock owns every word it touches.
///
/// ```
/// use inos_epoch::Seqlock;
/// let buf = inos_layout::RegionBuf::new(64).unwrap();
/// let stats = Seqlock::new(buf.region(), 0, 16).unwrap();
/// stats.write(&[7; 16]).unwrap();
/// let mut copy = [0u8; 16];
/// let snap = stats.read(&mut copy).unwrap();
/// assert_eq!(copy, [7; 16]);
/// assert_eq!(snap.version(), 1);
/// ```
#[derive(Clone, Copy)]
pub struct Seqlock<'a> {
    slot: Slot<'a>,
    data: Bytes<'a>,
}

impl core::fmt::Debug for Seqlock<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Seqlock")
            .field("seq", &self.slot.word.load(Ordering::Relaxed))
            .field("len", &self.data.len())
            .finish()
    }
}

/// What a successful read returns besides the bytes.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(16).unwrap();
/// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
/// let snap = lock.read(&mut [0u8; 8]).unwrap();
/// assert_eq!((snap.seq, snap.retries, snap.version()), (0, 0, 0));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// The stable sequence value (a multiple of 4) the copy is consistent with.
    pub seq: u32,
    /// How many attempts overlapped a write and were discarded (a contention measure).
    pub retries: u32,
}

impl Snapshot {
    /// The number of completed writes (modulo 2³⁰): `seq / 4`.
    ///
    /// ```
    /// let s = inos_epoch::Snapshot { seq: 12, retries: 0 };
    /// assert_eq!(s.version(), 3);
    /// ```
    pub fn version(&self) -> u32 {
        self.seq >> 2
    }
}

impl<'a> Seqlock<'a> {
    /// Bytes needed for a seqlock over a record of `len` bytes: the 8-byte slot plus the record
    /// padded to a multiple of 4 (so that the seqlock owns every word of its record).
    ///
    /// Saturates at `usize::MAX` (which no region can hold) if the size overflows.
    ///
    /// ```
    /// assert_eq!(inos_epoch::Seqlock::size_for(16), 24);
    /// assert_eq!(inos_epoch::Seqlock::size_for(13), 24);
    /// assert_eq!(inos_epoch::Seqlock::size_for(usize::MAX), usize::MAX);
    /// ```
    pub const fn size_for(len: usize) -> usize {
        match len.checked_add(3) {
            Some(n) => SLOT_SIZE.saturating_add(n & !3),
            None => usize::MAX,
        }
    }

    /// The seqlock at `offset` of `region` (8-aligned) guarding a record of `len` bytes.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] if [`size_for(len)`](Seqlock::size_for) bytes (including the
    /// padding) do not fit; [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(32).unwrap();
    /// assert!(inos_epoch::Seqlock::new(buf.region(), 8, 16).is_ok());
    /// assert!(inos_epoch::Seqlock::new(buf.region(), 8, 17).is_err());
    /// let buf = inos_layout::RegionBuf::new(13).unwrap();
    /// assert!(inos_epoch::Seqlock::new(buf.region(), 0, 5).is_err()); // needs 8 + 8
    /// ```
    pub fn new(region: Region<'a>, offset: usize, len: usize) -> Result<Self, AccessError> {
        let slot = Slot::new(region, offset)?;
        region.check(offset, Self::size_for(len), 8)?;
        let data_off = offset + SLOT_SIZE; // cannot overflow: the slot is in bounds
        Ok(Self {
            slot,
            data: region.bytes(data_off, len)?,
        })
    }

    /// Length of the record in bytes.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(32).unwrap();
    /// assert_eq!(inos_epoch::Seqlock::new(buf.region(), 0, 24).unwrap().len(), 24);
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the record is empty.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(8).unwrap();
    /// assert!(inos_epoch::Seqlock::new(buf.region(), 0, 0).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The current sequence value (Acquire): `4 * version + phase`, phase 0 when stable, odd
    /// during a write, 2 after an abandoned write (see [`Seqlock`]).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// lock.write(&[1; 8]).unwrap();
    /// assert_eq!(lock.seq(), 4);
    /// drop(lock.begin_write().unwrap()); // abandoned
    /// assert_eq!(lock.seq(), 6);
    /// ```
    pub fn seq(&self) -> u32 {
        // SYNC: Acquire, pairs with the Release part of the writer's closing RMW.
        self.slot.word.load(Ordering::Acquire)
    }

    /// Copies a consistent snapshot of the record into `dst`, retrying up to 128 times.
    ///
    /// # Errors
    /// [`ReadError::LengthMismatch`] if `dst.len() != self.len()`; [`ReadError::Contended`] if
    /// every attempt overlapped a write; [`ReadError::Abandoned`] if the last write was dropped
    /// without being published (until the next write completes).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// let mut dst = [9u8; 8];
    /// assert_eq!(lock.read(&mut dst).unwrap().retries, 0);
    /// assert_eq!(dst, [0; 8]);
    /// ```
    pub fn read(&self, dst: &mut [u8]) -> Result<Snapshot, ReadError> {
        self.read_with_attempts(dst, DEFAULT_ATTEMPTS)
    }

    /// [`read`](Seqlock::read) with an explicit attempt budget (at least one attempt is made).
    ///
    /// # Errors
    /// As for [`read`](Seqlock::read).
    ///
    /// ```
    /// use inos_epoch::{ReadError, Seqlock};
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
    /// let _w = lock.begin_write().unwrap(); // a write in progress...
    /// let err = lock.read_with_attempts(&mut [0; 8], 3).unwrap_err();
    /// assert_eq!(err, ReadError::Contended { attempts: 3 });
    /// ```
    pub fn read_with_attempts(&self, dst: &mut [u8], attempts: u32) -> Result<Snapshot, ReadError> {
        if dst.len() != self.data.len() {
            return Err(ReadError::LengthMismatch {
                expected: self.data.len(),
                actual: dst.len(),
            });
        }
        let attempts = attempts.max(1);
        for attempt in 0..attempts {
            // SYNC: Acquire, pairs with the Release of the writer's closing RMW: the bytes of
            // the write that made `s1` are visible to the copy below.
            let s1 = self.slot.word.load(Ordering::Acquire);
            if s1 & 3 == 2 {
                // Abandoned: the record is garbage until a writer completes a write.
                return Err(ReadError::Abandoned);
            }
            if s1 & 3 == 0 {
                self.data.copy_to_slice(dst);
                // SYNC: Acquire fence, pairs with the writer's Release fence after its opening
                // CAS: if the copy saw any byte of a later write, `s2` sees that write's odd seq.
                fence(Ordering::Acquire);
                // SYNC: Relaxed, ordered by the fence above.
                let s2 = self.slot.word.load(Ordering::Relaxed);
                if s1 == s2 {
                    return Ok(Snapshot {
                        seq: s1,
                        retries: attempt,
                    });
                }
            }
            spin_loop();
        }
        Err(ReadError::Contended { attempts })
    }

    /// Replaces the whole record with `data` in one write.
    ///
    /// Returns the new (stable) sequence value.
    ///
    /// # Errors
    /// [`WriteError::LengthMismatch`]; [`WriteError::Busy`] if another write is in progress.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// assert_eq!(lock.write(&[1; 8]), Ok(4));
    /// ```
    pub fn write(&self, data: &[u8]) -> Result<u32, WriteError> {
        if data.len() != self.data.len() {
            return Err(WriteError::LengthMismatch {
                expected: self.data.len(),
                actual: data.len(),
            });
        }
        let w = self.begin_write()?;
        w.bytes().copy_from_slice(data);
        Ok(w.publish())
    }

    /// Starts a write: the sequence goes odd and readers retry until the returned guard is
    /// published. Dropping the guard without [`publish`](SeqlockWriter::publish) (also by a
    /// panic) aborts the write: readers get [`ReadError::Abandoned`] until the next write
    /// completes. Write the whole record then: the bytes a write does not touch keep whatever
    /// the abandoned write left.
    ///
    /// # Errors
    /// [`WriteError::Busy`] if another write is in progress (or a writer died mid-write; see
    /// [`abandon_stuck_write`](Seqlock::abandon_stuck_write)).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// let w = lock.begin_write().unwrap();
    /// w.bytes().write_at(0, &[1, 2]).unwrap();
    /// assert_eq!(w.publish(), 4);
    /// ```
    pub fn begin_write(&self) -> Result<SeqlockWriter<'a>, WriteError> {
        // SYNC: Relaxed: only picks the value to CAS from.
        let s = self.slot.word.load(Ordering::Relaxed);
        if s & 1 != 0 {
            return Err(WriteError::Busy);
        }
        // Phase 0 -> 1 or 2 -> 3. SYNC: Acquire on success, pairs with the previous writer's
        // closing Release RMW or Release abandon, so writes by successive writers are ordered.
        if self
            .slot
            .word
            .compare_exchange(s, s | 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(WriteError::Busy);
        }
        // SYNC: Release fence, pairs with the reader's Acquire fence (see module docs).
        fence(Ordering::Release);
        Ok(SeqlockWriter {
            lock: *self,
            state: s | 1,
        })
    }

    /// Aborts a write whose writer died (the sequence is stuck odd), exactly as dropping its
    /// guard would have: nothing is published, readers get [`ReadError::Abandoned`] until the
    /// next write completes, and writers may begin again. Returns whether it aborted a write.
    ///
    /// Call it only when you *know* the writer is gone (e.g. its process exited, observed
    /// through something that orders its stores before this call): a live writer would go on
    /// writing while the next writer writes too.
    ///
    /// ```
    /// use inos_epoch::{ReadError, Seqlock};
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
    /// core::mem::forget(lock.begin_write().unwrap()); // a writer that never finishes
    /// assert!(lock.abandon_stuck_write());
    /// assert_eq!(lock.read(&mut [0; 8]), Err(ReadError::Abandoned));
    /// assert!(lock.write(&[0; 8]).is_ok());
    /// assert!(lock.read(&mut [0; 8]).is_ok());
    /// ```
    pub fn abandon_stuck_write(&self) -> bool {
        // SYNC: Relaxed: only picks the value to CAS from.
        let s = self.slot.word.load(Ordering::Relaxed);
        s & 1 == 1 && self.abandon(s)
    }

    /// Moves the sequence from the in-progress value `s` to "abandoned" (`4 * version + 2`).
    fn abandon(&self, s: u32) -> bool {
        // SYNC: Release, pairs with the next writer's Acquire CAS in `begin_write`, so the
        // abandoned stores happen before the next write's stores (with `abandon_stuck_write`,
        // the caller's knowledge that the writer is gone supplies the edge from its stores).
        self.slot
            .word
            .compare_exchange(s, (s & !3) | 2, Ordering::Release, Ordering::Relaxed)
            .is_ok()
    }

    /// Blocks until a write newer than sequence `seq` has completed, or `deadline`; returns the
    /// new (stable) sequence value.
    ///
    /// # Errors
    /// [`TimedOut`].
    ///
    /// ```
    /// use inos_epoch::{Deadline, Seqlock};
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = Seqlock::new(buf.region(), 0, 8).unwrap();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| lock.write(&[1; 8]).unwrap());
    ///     assert_eq!(lock.wait_newer(0, Deadline::never()), Ok(4));
    /// });
    /// ```
    pub fn wait_newer(&self, seq: u32, deadline: impl Into<Deadline>) -> Result<u32, TimedOut> {
        self.slot.wait_until(
            |s| s != seq && s & 3 == 0,
            DEFAULT_SPINS,
            &DefaultPark,
            deadline.into(),
        )
    }
}

/// An in-progress [`Seqlock`] write; [`publish`](SeqlockWriter::publish) completes it, dropping
/// the guard (also by a panic) aborts it.
///
/// ```
/// use inos_epoch::ReadError;
/// let buf = inos_layout::RegionBuf::new(16).unwrap();
/// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
/// {
///     let w = lock.begin_write().unwrap();
///     w.bytes().write_u32_le(0, 5).unwrap();
/// } // dropped unpublished: aborted, the half-written record is never read as consistent
/// assert_eq!(lock.read(&mut [0; 8]), Err(ReadError::Abandoned));
/// assert_eq!(lock.write(&[5; 8]), Ok(4)); // the next write repairs it
/// ```
#[derive(Debug)]
pub struct SeqlockWriter<'a> {
    lock: Seqlock<'a>,
    /// The in-progress sequence value this writer set (phase 1 or 3).
    state: u32,
}

impl SeqlockWriter<'_> {
    /// The record's bytes, to write in place. The view borrows the guard, so it cannot be used
    /// after the write is published or aborted:
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// let w = lock.begin_write().unwrap();
    /// let b = w.bytes();
    /// b.fill(1);
    /// assert_eq!(b.get(0), Some(1));
    /// w.publish();
    /// ```
    ///
    /// ```compile_fail,E0505
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// let w = lock.begin_write().unwrap();
    /// let b = w.bytes();
    /// w.publish(); // error[E0505]: cannot move out of `w` because it is borrowed
    /// b.get(0);
    /// ```
    pub fn bytes(&self) -> Bytes<'_> {
        self.lock.data
    }

    /// Ends the write; returns the new (stable) sequence value, `4 * version`.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(16).unwrap();
    /// let lock = inos_epoch::Seqlock::new(buf.region(), 0, 8).unwrap();
    /// assert_eq!(lock.begin_write().unwrap().publish(), 4);
    /// ```
    pub fn publish(self) -> u32 {
        // 4v + 1 -> 4v + 4, or 4v + 3 -> 4v + 4.
        let delta = 4 - (self.state & 3);
        // SYNC: SeqCst RMW: Release publishes the record bytes to readers' Acquire load of the
        // sequence; SeqCst is S1 of the wake handshake for `wait_newer`.
        let s = self
            .lock
            .slot
            .word
            .fetch_add(delta, Ordering::SeqCst)
            .wrapping_add(delta);
        self.lock.slot.wake_if_waiting(&DefaultPark);
        core::mem::forget(self);
        s
    }
}

impl Drop for SeqlockWriter<'_> {
    fn drop(&mut self) {
        // Abort: 4v + 1 or 4v + 3 -> 4v + 2. Readers never accept the half-written record; a
        // failed CAS means a hostile peer (or `abandon_stuck_write`) changed the word already.
        // Nobody waits for an abandoned state, so there is no wake.
        self.lock.abandon(self.state);
    }
}
