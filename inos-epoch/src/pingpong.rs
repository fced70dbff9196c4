//! [`PingPong`]: a double-buffered frame; readers never return a torn frame (INOS defect 31).
//!
//! Format at an 8-aligned offset: an 8-byte waitable slot (`u32` state at `+0`, waiter count at
//! `+4`), buffer 0 at `+8`, buffer 1 at `+8 + stride` with `stride = round_up(frame_len, 8)`.
//!
//! The state word is `4 * generation + phase`: generation `g` (30 bits, wrapping) is the
//! published frame, held in buffer `g & 1`. The phase says what the writer is doing with the
//! *other* buffer:
//!
//! | phase | meaning |
//! |---|---|
//! | 0 | idle; no write begun since `g` was published |
//! | 1 | writing frame `g + 1` |
//! | 2 | idle; a write of `g + 1` was abandoned (the other buffer holds garbage) |
//! | 3 | writing frame `g + 1` after an abandoned attempt |
//!
//! Beginning a write sets bit 0 (`0 -> 1`, `2 -> 3`); publishing moves to `4g + 4` (the flip)
//! and wakes waiters; abandoning moves to `4g + 2`. So once a write of `g + 1` has begun, the
//! state never again holds `4g` (or anything of an older generation).
//!
//! A reader loads the state `s1` (Acquire), copies buffer `(s1 >> 2) & 1`, issues an Acquire
//! fence and loads the state again as `s2`. With `d = s2 - (s1 & !3)` (wrapping), `d <= 4` means
//! the state is still in generation `g` or is `4g + 4` exactly (`g + 1` published, no write of
//! `g + 2` begun), so nobody has begun writing the buffer that was read and the copy is the whole
//! frame `g`; `d >= 5` means the reader was overtaken, and it retries. The first write into
//! buffer `g & 1` after `s1` is a write of `g + 2`, which begins by moving the state from `4g + 4`
//! to `4g + 5` (or from `4g + 6` to `4g + 7` after an abandoned attempt): `d >= 5` from then on,
//! and the writer's Release fence after that move pairs with the reader's Acquire fence exactly
//! as in the [`Seqlock`](crate::Seqlock), so a copy that saw any byte of it also sees `d >= 5`.
//!
//! The one state change that goes backwards, abandoning a retry (`4g + 3 -> 4g + 2`), stays
//! within generation `g`, where it changes no reader's verdict. (With the old encoding
//! `2g + writing`, an abandoned write of `g + 2` moved the state back from `2g + 3` to
//! `2g + 2`, which a reader of `g` accepted: it returned the never-published bytes as frame `g`.)
//!
//! Compared with a seqlock, readers are disturbed only by the writer's *second* write after the
//! frame they read, not by the next one, and the writer never writes the buffer readers are on.
//!
//! Access width: the state and waiter words, and both buffers, are accessed as `u32` words for
//! their whole life (`Bytes` copies are word-wise; each buffer starts 8-aligned and its stride is
//! a multiple of 8, so the writer owns every word it touches).

use inos_layout::sync::{fence, spin_loop, Ordering};
use inos_layout::{AccessError, Bytes, Region};

use crate::park::DefaultPark;
use crate::slot::{Slot, SLOT_SIZE};
use crate::watcher::DEFAULT_SPINS;
use crate::{Deadline, ReadError, TimedOut, WriteError};

/// Default number of read attempts before [`PingPong::read`] reports [`ReadError::Contended`].
const DEFAULT_ATTEMPTS: u32 = 128;

/// A double-buffered frame with one writer at a time and any number of readers.
///
/// A reader returns a frame the writer published, under its generation, or a typed error;
/// never a torn frame, and never the bytes of a write that was abandoned (a
/// [`PingPongWriter`] dropped without [`publish`](PingPongWriter::publish), including by a
/// panic). State encoding and the reader's rule: `docs/protocol/epoch.md` §6.
///
/// **Access width:** the state word, the waiter count and both buffers are accessed as `u32`
/// words for their whole life (never as bytes or 8-byte words), by this crate and by every
/// party following the spec. The buffers are 8-aligned with a stride that is a multiple of 8, so
/// a frame whose length is not a multiple of 4 still owns its last word.
///
/// ```
/// use inos_epoch::PingPong;
/// let size = PingPong::size_for(12);
/// let buf = inos_layout::RegionBuf::new(size).unwrap();
/// let pp = PingPong::new(buf.region(), 0, 12).unwrap();
/// assert_eq!(pp.write(b"hello, frame"), Ok(1));
/// let mut frame = [0u8; 12];
/// let info = pp.read(&mut frame).unwrap();
/// assert_eq!((&frame, info.generation), (b"hello, frame", 1));
/// ```
#[derive(Clone, Copy)]
pub struct PingPong<'a> {
    slot: Slot<'a>,
    buffers: [Bytes<'a>; 2],
}

impl core::fmt::Debug for PingPong<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PingPong")
            .field("state", &self.slot.word.load(Ordering::Relaxed))
            .field("frame_len", &self.frame_len())
            .finish()
    }
}

/// What a successful [`PingPong::read`] returns besides the bytes.
///
/// ```
/// let f = inos_epoch::Frame { generation: 3, retries: 0 };
/// assert_eq!(f.generation, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The generation of the frame copied (30-bit, wrapping; 0 is the initial all-zero frame).
    pub generation: u32,
    /// How many attempts were overtaken by the writer and discarded.
    pub retries: u32,
}

const fn stride(frame_len: usize) -> Option<usize> {
    match frame_len.checked_add(7) {
        Some(n) => Some(n & !7),
        None => None,
    }
}

impl<'a> PingPong<'a> {
    /// Bytes needed for a ping-pong pair of `frame_len`-byte frames: `8 + 2 * round_up(len, 8)`.
    ///
    /// Saturates at `usize::MAX` (which no region can hold) if the size overflows.
    ///
    /// ```
    /// assert_eq!(inos_epoch::PingPong::size_for(12), 8 + 2 * 16);
    /// ```
    pub const fn size_for(frame_len: usize) -> usize {
        match stride(frame_len) {
            Some(s) => match s.checked_mul(2) {
                Some(b) => b.saturating_add(SLOT_SIZE),
                None => usize::MAX,
            },
            None => usize::MAX,
        }
    }

    /// The ping-pong pair at `offset` of `region` (8-aligned) for frames of `frame_len` bytes.
    ///
    /// # Errors
    /// [`AccessError::OutOfBounds`] if [`size_for(frame_len)`](PingPong::size_for) bytes do not
    /// fit (including buffer 1's padding); [`AccessError::Misaligned`].
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(40).unwrap();
    /// assert!(inos_epoch::PingPong::new(buf.region(), 0, 16).is_ok());
    /// assert!(inos_epoch::PingPong::new(buf.region(), 0, 17).is_err());
    /// let buf = inos_layout::RegionBuf::new(36).unwrap();
    /// assert!(inos_epoch::PingPong::new(buf.region(), 0, 12).is_err()); // needs 8 + 2 * 16
    /// ```
    pub fn new(region: Region<'a>, offset: usize, frame_len: usize) -> Result<Self, AccessError> {
        let slot = Slot::new(region, offset)?;
        let too_big = AccessError::OutOfBounds {
            offset,
            len: usize::MAX,
            region_len: region.len(),
        };
        let stride = stride(frame_len).ok_or(too_big)?;
        let b0 = offset + SLOT_SIZE; // the slot is in bounds, so this cannot overflow
        let b1 = b0.checked_add(stride).ok_or(too_big)?;
        // The whole structure, including buffer 1's padding to a multiple of 8, is in bounds, so
        // the structure owns every word that a word-wise copy of a buffer touches.
        region.check(offset, Self::size_for(frame_len), 8)?;
        Ok(Self {
            slot,
            buffers: [region.bytes(b0, frame_len)?, region.bytes(b1, frame_len)?],
        })
    }

    /// Length of a frame in bytes.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(40).unwrap();
    /// assert_eq!(inos_epoch::PingPong::new(buf.region(), 0, 16).unwrap().frame_len(), 16);
    /// ```
    pub fn frame_len(&self) -> usize {
        self.buffers[0].len()
    }

    /// The generation of the published frame (Acquire).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// pp.write(&[1; 8]).unwrap();
    /// assert_eq!(pp.generation(), 1);
    /// ```
    pub fn generation(&self) -> u32 {
        // SYNC: Acquire, pairs with the Release part of the flip in `publish`.
        self.slot.word.load(Ordering::Acquire) >> 2
    }

    /// Copies the latest published frame into `dst`, retrying (up to 128 times) if the writer
    /// overtook the read.
    ///
    /// # Errors
    /// [`ReadError::LengthMismatch`] if `dst.len() != self.frame_len()`;
    /// [`ReadError::Contended`] if every attempt was overtaken.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// let mut dst = [1u8; 8];
    /// assert_eq!(pp.read(&mut dst).unwrap().generation, 0);
    /// assert_eq!(dst, [0; 8]);
    /// ```
    pub fn read(&self, dst: &mut [u8]) -> Result<Frame, ReadError> {
        self.read_with_attempts(dst, DEFAULT_ATTEMPTS)
    }

    /// [`read`](PingPong::read) with an explicit attempt budget (at least one attempt is made).
    ///
    /// # Errors
    /// As for [`read`](PingPong::read).
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// assert_eq!(pp.read_with_attempts(&mut [0; 8], 1).unwrap().retries, 0);
    /// ```
    pub fn read_with_attempts(&self, dst: &mut [u8], attempts: u32) -> Result<Frame, ReadError> {
        if dst.len() != self.frame_len() {
            return Err(ReadError::LengthMismatch {
                expected: self.frame_len(),
                actual: dst.len(),
            });
        }
        let attempts = attempts.max(1);
        for attempt in 0..attempts {
            // SYNC: Acquire, pairs with the Release of the flip that published generation `g`.
            let s1 = self.slot.word.load(Ordering::Acquire);
            let g = s1 >> 2;
            self.buffers[(g & 1) as usize].copy_to_slice(dst);
            // SYNC: Acquire fence, pairs with the writer's Release fence after it announced a
            // write: if the copy saw a byte of a write of frame g + 2, `s2` sees that write's
            // state 4g + 5 / 4g + 7 or a later one, never one within 4g ..= 4g + 4.
            fence(Ordering::Acquire);
            // SYNC: Relaxed, ordered by the fence above.
            let s2 = self.slot.word.load(Ordering::Relaxed);
            if s2.wrapping_sub(s1 & !3) <= 4 {
                return Ok(Frame {
                    generation: g,
                    retries: attempt,
                });
            }
            spin_loop();
        }
        Err(ReadError::Contended { attempts })
    }

    /// Writes `frame` into the back buffer and flips; returns the new generation.
    ///
    /// # Errors
    /// [`WriteError::LengthMismatch`]; [`WriteError::Busy`] if another write is in progress.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// assert_eq!(pp.write(&[1; 8]), Ok(1));
    /// assert_eq!(pp.write(&[2; 8]), Ok(2));
    /// ```
    pub fn write(&self, frame: &[u8]) -> Result<u32, WriteError> {
        if frame.len() != self.frame_len() {
            return Err(WriteError::LengthMismatch {
                expected: self.frame_len(),
                actual: frame.len(),
            });
        }
        let w = self.begin_write()?;
        w.bytes().copy_from_slice(frame);
        Ok(w.publish())
    }

    /// Starts a write into the back buffer. Readers keep reading the published frame meanwhile.
    /// [`publish`](PingPongWriter::publish) flips; dropping the guard (also by a panic) abandons
    /// the frame: nothing is published, the published frame stays current and readable.
    ///
    /// The back buffer is *not* a copy of the published frame: it holds an older frame or the
    /// remains of an abandoned write, so write the whole frame before publishing.
    ///
    /// # Errors
    /// [`WriteError::Busy`] if another write is in progress.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// let w = pp.begin_write().unwrap();
    /// w.bytes().copy_from_slice(&[3; 8]);
    /// assert_eq!(w.publish(), 1);
    /// ```
    pub fn begin_write(&self) -> Result<PingPongWriter<'a>, WriteError> {
        // SYNC: Relaxed: only picks the value to CAS from.
        let s = self.slot.word.load(Ordering::Relaxed);
        if s & 1 != 0 {
            return Err(WriteError::Busy);
        }
        // Phase 0 -> 1 or 2 -> 3. SYNC: Acquire on success, pairs with the previous writer's
        // Release flip or Release abandon, so its stores to the back buffer happen before ours.
        if self
            .slot
            .word
            .compare_exchange(s, s | 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(WriteError::Busy);
        }
        // SYNC: Release fence, pairs with the readers' Acquire fence (see module docs).
        fence(Ordering::Release);
        let back = ((s >> 2).wrapping_add(1) & 1) as usize;
        Ok(PingPongWriter {
            pp: *self,
            state: s | 1,
            back,
        })
    }

    /// Blocks until a generation other than `generation` is published, or `deadline`; returns it.
    ///
    /// # Errors
    /// [`TimedOut`].
    ///
    /// ```
    /// use inos_epoch::{Deadline, PingPong};
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = PingPong::new(buf.region(), 0, 8).unwrap();
    /// std::thread::scope(|s| {
    ///     s.spawn(|| pp.write(&[1; 8]).unwrap());
    ///     assert_eq!(pp.wait_newer(0, Deadline::never()), Ok(1));
    /// });
    /// ```
    pub fn wait_newer(
        &self,
        generation: u32,
        deadline: impl Into<Deadline>,
    ) -> Result<u32, TimedOut> {
        self.slot
            .wait_until(
                |s| s >> 2 != generation,
                DEFAULT_SPINS,
                &DefaultPark,
                deadline.into(),
            )
            .map(|s| s >> 2)
    }
}

/// An in-progress [`PingPong`] write into the back buffer.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(24).unwrap();
/// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
/// drop(pp.begin_write().unwrap()); // abandoned: nothing published
/// assert_eq!(pp.generation(), 0);
/// assert!(pp.begin_write().is_ok());
/// ```
#[derive(Debug)]
pub struct PingPongWriter<'a> {
    pp: PingPong<'a>,
    state: u32,
    back: usize,
}

impl<'a> PingPongWriter<'a> {
    /// The back buffer, to fill in place. The view borrows the guard, so it cannot be used after
    /// the write is published or abandoned:
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// let w = pp.begin_write().unwrap();
    /// let b = w.bytes();
    /// b.fill(1);
    /// assert_eq!(b.get(0), Some(1));
    /// w.publish();
    /// ```
    ///
    /// ```compile_fail,E0505
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// let w = pp.begin_write().unwrap();
    /// let b = w.bytes();
    /// w.publish(); // error[E0505]: cannot move out of `w` because it is borrowed
    /// b.get(0);
    /// ```
    pub fn bytes(&self) -> Bytes<'_> {
        self.pp.buffers[self.back]
    }

    /// Flips: the back buffer becomes the published frame; wakes waiters. Returns the new
    /// generation.
    ///
    /// ```
    /// let buf = inos_layout::RegionBuf::new(24).unwrap();
    /// let pp = inos_epoch::PingPong::new(buf.region(), 0, 8).unwrap();
    /// assert_eq!(pp.begin_write().unwrap().publish(), 1);
    /// ```
    pub fn publish(self) -> u32 {
        // 4g + 1 -> 4g + 4, or 4g + 3 -> 4g + 4.
        let delta = 4 - (self.state & 3);
        // SYNC: SeqCst RMW: Release publishes the frame to readers' Acquire load of the state;
        // SeqCst is S1 of the wake handshake for `wait_newer`.
        let s = self
            .pp
            .slot
            .word
            .fetch_add(delta, Ordering::SeqCst)
            .wrapping_add(delta);
        self.pp.slot.wake_if_waiting(&DefaultPark);
        core::mem::forget(self);
        s >> 2
    }
}

impl Drop for PingPongWriter<'_> {
    fn drop(&mut self) {
        // Abandon: 4g + 1 or 4g + 3 -> 4g + 2, the published generation without a flip, marked
        // "abandoned". Never back to 4g: a reader of generation g - 1 (which reads this very
        // buffer) must keep seeing "overtaken" (see the module docs). Readers of g never read the
        // back buffer, so its partial contents are harmless. A failed CAS means a hostile peer
        // changed the word; there is nothing to restore.
        // SYNC: Release, pairs with the next writer's Acquire CAS in `begin_write`: our partial
        // stores to the back buffer happen before its stores, so they cannot resurface later.
        let _ = self.pp.slot.word.compare_exchange(
            self.state,
            (self.state & !3) | 2,
            Ordering::Release,
            Ordering::Relaxed,
        );
    }
}
