//! [`Consumer`] and [`ReadGrant`]: reading records in place, releasing space, recovery.

use core::marker::PhantomData;
use core::ops::ControlFlow;

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{Bytes, Region};

use crate::error::{Corruption, Error, Role};
use crate::flow::DrainFlow;
use crate::layout::*;
use crate::party::PartyId;
use crate::producer::message_len;
use crate::ring::{Kind, Ring};

/// Number of consecutive observations of the same busy record between two clock reads when
/// automatic unblocking is on (keeps `Instant::now` off the contended path).
#[cfg(feature = "std")]
const STALL_CHECK_EVERY: u32 = 1024;

/// The consuming side of a ring (see [`Ring::consumer`]).
///
/// It frees space only after a message has been read (defect 5), never takes stale bytes for a
/// record (defects 2, 3: on SPSC rings it reads only below the producer's published `TAIL`; on
/// MPSC rings it zeroes the state words of the space it frees), takes every available message
/// per wake-up with [`drain`](Consumer::drain) (defect 12), and validates every length and
/// position it reads (defect 11).
///
/// ```
/// use inos_ring::{Ring, Mpsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(1024)).unwrap();
/// let ring = Ring::<Mpsc>::init(buf.region(), 1024).unwrap();
/// let (mut a, mut b) = (ring.producer().unwrap(), ring.producer().unwrap());
/// a.try_push(b"from a").unwrap();
/// b.try_push(b"from b").unwrap();
/// let mut c = ring.consumer().unwrap();
/// let mut got = Vec::new();
/// assert_eq!(c.drain(|m| got.push(m.to_vec())), Ok(2));
/// assert_eq!(got, [b"from a".to_vec(), b"from b".to_vec()]);
/// ```
pub struct Consumer<'a, K: Kind> {
    pub(crate) ring: Ring<'a, K>,
    region: Region<'a>,
    mask: u32,
    /// This consumer's position (it alone writes `head`).
    pub(crate) head: u32,
    /// The producer position last read (never behind `head`).
    tail_cache: u32,
    stall_pos: u32,
    stall_count: u32,
    #[cfg(feature = "std")]
    stall_since: Option<std::time::Instant>,
    #[cfg(feature = "std")]
    pub(crate) unblock_after: Option<std::time::Duration>,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<K: Kind> core::fmt::Debug for Consumer<'_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Consumer")
            .field("ring", &self.ring)
            .field("head", &self.head)
            .finish()
    }
}

/// A located message: its payload and what consuming it stores.
#[derive(Clone, Copy)]
struct Rec {
    /// Data offset of the payload.
    at: u32,
    len: u32,
    next: Next,
}

/// What consuming a located message stores, once the padding before it is released
/// ([`Consumer::consume`]).
#[derive(Clone, Copy)]
enum Next {
    /// `HEAD` moves to this position (a record, or the last message of a run).
    Head(u32),
    /// A message of a run with more left: store `TAKEN = taken` in the header of the run at
    /// data offset `run` (spec §3.1.1).
    Taken { run: u32, taken: u32 },
}

/// A validated SPSC run (spec §3.1.1).
#[derive(Clone, Copy)]
struct Run {
    count: u32,
    len: u32,
    stride: u32,
    taken: u32,
    /// The position after the run.
    end: u32,
}

impl Run {
    /// The located message `taken` of the run at position `pos` (data offset `off`).
    #[inline(always)]
    fn next_message(&self, off: u32) -> Rec {
        let taken = self.taken + 1;
        Rec {
            // taken < count and the run fits in the data area: no overflow.
            at: off + SPSC_RUN_HEADER + self.taken * self.stride,
            len: self.len,
            next: if taken == self.count {
                Next::Head(self.end)
            } else {
                Next::Taken { run: off, taken }
            },
        }
    }
}

impl<'a, K: Kind> Consumer<'a, K> {
    /// Claims the role, writing `id` into `CONSUMER_ROLE`.
    pub(crate) fn attach(ring: Ring<'a, K>, id: PartyId) -> Result<Self, Error> {
        // A fixed-size ring's records have no length word (spec §3.3).
        ring.expect_message_size(MESSAGE_SIZE_VARIABLE)?;
        crate::crash::point();
        ring.claim_role(Role::Consumer, id)?;
        let mut c = Self {
            ring,
            region: ring.region,
            mask: ring.capacity - 1,
            head: 0,
            tail_cache: 0,
            stall_pos: 0,
            stall_count: 0,
            #[cfg(feature = "std")]
            stall_since: None,
            #[cfg(feature = "std")]
            unblock_after: None,
            _not_sync: PhantomData,
        };
        let (head, tail) = ring.positions()?; // on error, Drop releases the role
        c.head = head;
        c.tail_cache = tail;
        if K::MULTI_PRODUCER {
            // A previous consumer may have died inside a release (spec §5.3): finish it. The
            // space [head, release_to) was consumed and its state words partly zeroed; nobody else writes it
            // until head moves past it.
            let to = ring.word(RELEASE_TO).load(Ordering::Relaxed);
            if to != head {
                if to % RECORD_ALIGN != 0 || to.wrapping_sub(head) > tail.wrapping_sub(head) {
                    return Err(Error::Corrupt(Corruption::Positions { head, tail: to }));
                }
                c.free_to(to);
            }
        }
        Ok(c)
    }

    /// The ring this consumer reads.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// assert_eq!(ring.consumer().unwrap().ring().capacity(), 64);
    /// ```
    pub fn ring(&self) -> Ring<'a, K> {
        self.ring
    }

    /// Turns on automatic recovery: a reservation that stays in progress at the head for longer
    /// than `after` is unblocked ([`unblock`](Consumer::unblock)) by the next read attempt, or,
    /// while the consumer sleeps in [`pop_wait`](Consumer::pop_wait) /
    /// [`drain_wait`](Consumer::drain_wait), as soon as it becomes overdue (the sleep is cut
    /// short for it). `after` counts from when this consumer first saw that reservation at the
    /// head, across calls: a loop of short `pop_wait`s, `drain`s or `try_pop`s unblocks it as
    /// one long wait would. `None` (the default) turns it off. Choose `after` well above the
    /// longest time a live producer may spend between `reserve` and `commit`.
    ///
    /// The unblocked record's space is released, so a producer blocked in
    /// [`push_wait`](crate::Producer::push_wait) behind it is woken.
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut q) = (ring.producer().unwrap(), ring.producer().unwrap());
    /// let mut c = ring.consumer().unwrap();
    /// c.set_unblock_after(Some(std::time::Duration::ZERO));
    /// let stuck = p.reserve(8).unwrap(); // a producer that stalls before committing
    /// q.try_push(b"later").unwrap();
    /// let mut out = [0u8; 8];
    /// let n = loop {
    ///     match c.try_pop(&mut out) {
    ///         Ok(n) => break n,
    ///         Err(inos_ring::Error::Empty) => continue, // the stall is being timed
    ///         Err(e) => panic!("{e}"),
    ///     }
    /// };
    /// assert_eq!(&out[..n], b"later");
    /// assert_eq!(stuck.commit(), Err(inos_ring::Error::Unblocked));
    /// ```
    #[cfg(feature = "std")]
    pub fn set_unblock_after(&mut self, after: Option<std::time::Duration>) {
        self.unblock_after = after;
        self.stall_since = None;
    }

    /// A record word at data offset `off + plus`.
    ///
    /// # Safety
    /// `off` is 4-aligned, `off + plus + 4 <= capacity`, `plus` a multiple of 4.
    #[inline(always)]
    unsafe fn rec_word(&self, off: u32, plus: usize) -> &'a AtomicU32 {
        // SAFETY: per the contract the word lies in the data area, which the region covers.
        unsafe {
            self.region
                .u32_at_unchecked(HEADER_LEN + off as usize + plus)
        }
    }

    /// Validates a record length found at position `pos` (data offset `off`): at most `limit`,
    /// and the record must not cross the end of the data area. SPSC: nor the cached tail, which
    /// covers every record it published. MPSC: `TAIL` is not consulted (spec §5.2): it is the
    /// line every producer writes, and re-reading it per record was half of a message's time
    /// (spec §10); a length that crosses it can only come from a buggy producer, yields a
    /// message of bytes inside the data area, and leaves positions the producers refuse.
    #[inline(always)]
    fn check_len(&mut self, pos: u32, off: u32, len: u32, limit: u32) -> Result<u32, Error> {
        let cap = self.ring.capacity;
        if len <= limit {
            let size = K::record_size(len);
            if size <= cap - off && (K::MULTI_PRODUCER || size <= self.tail_cache.wrapping_sub(pos))
            {
                return Ok(size);
            }
        }
        Err(Error::Corrupt(Corruption::BadLength {
            position: pos,
            length: len,
        }))
    }

    /// SPSC: re-reads `TAIL` once the cached one is reached; returns whether records are
    /// available at `h`.
    #[inline]
    fn refresh_tail(&mut self, h: u32) -> Result<bool, Error> {
        // SYNC: Acquire, pairs with the producer's Release (SeqCst) store of tail in `publish`:
        // every record (and wrap padding) below it is visible.
        let t = self.ring.word(TAIL).load(Ordering::Acquire);
        if t % K::RECORD_ALIGN != 0
            || t.wrapping_sub(self.head) > self.ring.capacity
            || t.wrapping_sub(h) > t.wrapping_sub(self.head)
        {
            return Err(Error::Corrupt(Corruption::Positions {
                head: self.head,
                tail: t,
            }));
        }
        self.tail_cache = t;
        Ok(t != h)
    }

    /// SPSC batch loops at the cached tail: reloads `TAIL` ([`refresh_tail`](Self::refresh_tail)),
    /// `Some(tail)` if records follow `pos`, `None` if there are none. On corrupt positions the
    /// records before `pos`, already handed out, are released before the error is returned.
    #[inline]
    fn reload_tail(&mut self, pos: u32) -> Result<Option<u32>, Error> {
        match self.refresh_tail(pos) {
            Ok(true) => Ok(Some(self.tail_cache)),
            Ok(false) => Ok(None),
            Err(e) => {
                self.free_to(pos);
                Err(e)
            }
        }
    }

    /// Finds the committed record at `pos` (skipping padding), without consuming it.
    #[inline(always)]
    fn locate(&mut self, pos: &mut u32) -> Result<Rec, Error> {
        loop {
            let h = *pos;
            if !K::MULTI_PRODUCER {
                if h == self.tail_cache && !self.refresh_tail(h)? {
                    return Err(Error::Empty);
                }
                let off = h & self.mask;
                // SAFETY: h is 4-aligned (validated at attach, advanced by record sizes) and
                // off + 4 <= cap.
                let word = unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed);
                // Relaxed: the Acquire load of TAIL (`refresh_tail`) made every record below it
                // visible (pairs with the producer's Release/SeqCst TAIL store).
                if word & (SPSC_PADDING | SPSC_RUN) == SPSC_RUN {
                    let run = spsc_run(
                        &self.region,
                        self.ring.capacity,
                        h,
                        off,
                        self.tail_cache,
                        word,
                    )?;
                    return Ok(run.next_message(off));
                }
                let size = spsc_checked_size(self.ring.capacity, h, off, self.tail_cache, word)?;
                if word & SPSC_PADDING != 0 {
                    *pos = h.wrapping_add(size);
                    continue;
                }
                return Ok(Rec {
                    at: off + SPSC_RECORD_HEADER,
                    len: word,
                    next: Next::Head(h.wrapping_add(size)),
                });
            }
            if h.wrapping_sub(self.head) >= self.ring.capacity {
                // A whole lap scanned (a full ring of padding or read messages): free it
                // before reading on, or we would read our own unreleased bytes again.
                self.free_to(h);
            }
            let off = h & self.mask;
            // SAFETY: h is 8-aligned (validated at attach, advanced by record sizes) and
            // off + 8 <= cap.
            let state_word = unsafe { self.rec_word(off, 4) };
            // SYNC: Acquire, pairs with the Release/SeqCst store or CAS of the state by the
            // producer (commit, padding) or by `unblock`: the length and payload are visible.
            let state = state_word.load(Ordering::Acquire);
            if state == committed_tag(h) {
                // SAFETY: as above.
                let len = unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed);
                let size = self.check_len(h, off, len, max_message(self.ring.capacity))?;
                return Ok(Rec {
                    at: off + RECORD_HEADER,
                    len,
                    next: Next::Head(h.wrapping_add(size)),
                });
            }
            if state == STATE_PADDING {
                // SAFETY: as above.
                let len = unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed);
                // Wrap padding may be longer than a message (never a whole ring).
                let size = self.check_len(h, off, len, self.ring.capacity - 2 * RECORD_HEADER)?;
                *pos = h.wrapping_add(size);
                continue;
            }
            if state == STATE_EMPTY || self.stale_commit(h, state) {
                // Free space, or the tag of a commit that landed after its record (a lap or more
                // ago) was unblocked and released: nothing written here yet (spec §5.2, §6).
                return Err(Error::Empty);
            }
            if state == busy_tag(h) {
                if self.stalled(h) && self.unblock_at(h)? {
                    continue;
                }
                return Err(Error::Empty);
            }
            return Err(Error::Corrupt(Corruption::BadState { position: h, state }));
        }
    }

    /// Whether `state`, found where the record at `h` starts, is the committed tag of a record
    /// a whole number of laps before `h`: a commit that landed after its record was unblocked
    /// and released (spec §6). Any other committed tag is corruption.
    #[inline]
    fn stale_commit(&self, h: u32, state: u32) -> bool {
        // Exactly the committed bit above the position bits (bit 29 is never set in a tag).
        if state & !TAG_POSITION_MASK != STATE_COMMITTED {
            return false;
        }
        let laps = (h >> 3).wrapping_sub(state) & TAG_POSITION_MASK;
        laps != 0 && laps % (self.ring.capacity >> 3) == 0
    }

    /// Tracks how long the record at `h` has been in progress; true once it is overdue.
    #[inline]
    fn stalled(&mut self, h: u32) -> bool {
        #[cfg(feature = "std")]
        {
            let Some(after) = self.unblock_after else {
                return false;
            };
            if self.stall_pos != h {
                self.stall_pos = h;
                self.stall_count = 0;
                self.stall_since = None;
            }
            self.stall_count = self.stall_count.wrapping_add(1);
            if after.is_zero() {
                return true;
            }
            if self.stall_count % STALL_CHECK_EVERY != 0 {
                return false;
            }
            match self.stall_since {
                None => {
                    self.stall_since = Some(std::time::Instant::now());
                    false
                }
                Some(since) => since.elapsed() >= after,
            }
        }
        #[cfg(not(feature = "std"))]
        {
            let _ = h;
            let _ = (&mut self.stall_pos, &mut self.stall_count);
            false
        }
    }

    /// For the blocking calls, after a read attempt found nothing (the head is then at the record
    /// it stopped on): times an in-progress reservation at the head and unblocks it once it has
    /// been in progress for `unblock_after` since this consumer first saw it (by any call: the
    /// timer lives in the consumer, across calls). Returns when to look again:
    /// - `None`: automatic unblocking is off (or the ring is SPSC); only a commit wakes us;
    /// - `Some(t)` with `t <= now`: the record at the head was just unblocked: look now;
    /// - `Some(t)` later: when the record at the head becomes overdue, or, if the head is not in
    ///   progress, one `after` from now (a reservation abandoned with no commit behind it would
    ///   signal nobody).
    #[cfg(feature = "std")]
    pub(crate) fn stall_tick(
        &mut self,
        now: std::time::Instant,
    ) -> Result<Option<std::time::Instant>, Error> {
        let Some(after) = self.unblock_after else {
            return Ok(None);
        };
        if !K::MULTI_PRODUCER {
            return Ok(None); // SPSC records are published whole: nothing is ever stuck
        }
        let h = self.head;
        let off = h & self.mask;
        // SAFETY: h is 8-aligned (validated at attach, advanced by record sizes) and
        // off + 8 <= cap.
        let state_word = unsafe { self.rec_word(off, 4) };
        // SYNC: Relaxed: only decides whether to time the record; `unblock_at` takes it with an
        // AcqRel compare-and-swap.
        if state_word.load(Ordering::Relaxed) != busy_tag(h) {
            return Ok(now.checked_add(after.max(std::time::Duration::from_millis(1))));
        }
        if self.stall_pos != h {
            self.stall_pos = h;
            self.stall_count = 0;
            self.stall_since = None;
        }
        let since = *self.stall_since.get_or_insert(now);
        match since.checked_add(after) {
            Some(due) if now < due => Ok(Some(due)),
            None => Ok(None), // overdue only after the end of time
            Some(_) => {
                // Unblocked, or committed/aborted meanwhile (the CAS lost): either way the next
                // attempt makes progress.
                self.unblock_at(h)?;
                Ok(Some(now))
            }
        }
    }

    /// Declares the in-progress reservation at the head dead: it becomes padding and is skipped,
    /// `unblocked` is counted, and its producer's late `commit` fails with
    /// [`Error::Unblocked`] (a commit racing the unblock itself may report `Ok` instead; the
    /// message is skipped and counted either way, spec §6). Returns
    /// whether a record was unblocked (`false` if the head is committed, padding or free).
    ///
    /// Call it only when the producer is believed dead or hung (defect 8). A producer that is
    /// still *writing* payload bytes after its record was unblocked and consumed may scribble on
    /// free space; see the spec.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the head record is invalid.
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    /// let mut p = ring.producer().unwrap();
    /// let mut c = ring.consumer().unwrap();
    /// assert_eq!(c.unblock(), Ok(false));
    /// let g = p.reserve(3).unwrap();
    /// core::mem::forget(g); // the producer "dies" holding a reservation
    /// p.try_push(b"next").unwrap();
    /// assert_eq!(c.unblock(), Ok(true));
    /// assert_eq!(c.read().unwrap().to_vec(), b"next");
    /// ```
    pub fn unblock(&mut self) -> Result<bool, Error> {
        if !K::MULTI_PRODUCER {
            return Ok(false); // SPSC records are published whole by TAIL: nothing is ever stuck
        }
        // Skip (and free) padding first: the stuck record may sit behind it.
        let mut pos = self.head;
        let found = self.locate(&mut pos);
        self.free_to(pos);
        match found {
            Ok(_) | Err(Error::Empty) => {
                if !self.unblock_at(pos)? {
                    return Ok(false);
                }
                // Release the record's space now rather than at the next read, so that a
                // producer waiting for space (`push_wait`) is woken by this call.
                let off = pos & self.mask;
                // SAFETY: pos is 8-aligned and off + 8 <= cap.
                let len_word = unsafe { self.rec_word(off, 0) };
                // SYNC: Relaxed: the AcqRel compare-and-swap in `unblock_at` acquired the
                // producer's Release store of the busy tag, made after the length.
                let len = len_word.load(Ordering::Relaxed);
                let size = self.check_len(pos, off, len, self.ring.capacity - 2 * RECORD_HEADER)?;
                self.free_to(pos.wrapping_add(size));
                Ok(true)
            }
            Err(e) => Err(e),
        }
    }

    fn unblock_at(&mut self, h: u32) -> Result<bool, Error> {
        let off = h & self.mask;
        // SAFETY: h is 8-aligned and off + 8 <= cap.
        let state_word = unsafe { self.rec_word(off, 4) };
        crate::crash::point();
        // SYNC: AcqRel, pairs with the Release store of the busy tag (the length is visible)
        // and races the producer's commit from the same tag (spec §6): if this wins, a commit
        // that already loaded the busy tag may still store its committed tag, which names this
        // lap's position and is never taken for a later record (`stale_commit`).
        if state_word
            .compare_exchange(
                busy_tag(h),
                STATE_PADDING,
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
        {
            crate::crash::point();
            self.ring.word(UNBLOCKED).fetch_add(1, Ordering::Relaxed);
            self.stall_count = 0;
            #[cfg(feature = "std")]
            {
                self.stall_since = None;
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// Releases `[head, to)` to the producers. MPSC: announce the target in `RELEASE_TO`, zero
    /// the space (free space is zero), then publish head (spec §5.3). SPSC: publish head; the
    /// bytes stay as they are (records are published by `TAIL`, never by their contents).
    #[inline(always)]
    fn free_to(&mut self, to: u32) {
        let from = self.head;
        let n = to.wrapping_sub(from);
        if n == 0 {
            return;
        }
        if K::MULTI_PRODUCER {
            crate::crash::point();
            self.ring.word(RELEASE_TO).store(to, Ordering::Relaxed);
            let off = from & self.mask;
            // [from, to) is at most one lap, except when a corrupt length made this consumer
            // read past TAIL (spec §5.2): zeroing is clamped to one lap, which covers every word.
            let span = n.min(self.ring.capacity);
            let first = span.min(self.ring.capacity - off);
            crate::crash::point();
            // SAFETY: off + first <= cap; off and first are multiples of 8 (positions and record
            // sizes are). The space is ours until head moves.
            unsafe { self.zero_states(off, first) };
            if span > first {
                crate::crash::point();
                // SAFETY: the rest starts at offset 0 and span - first <= cap - first = off, a
                // multiple of 8.
                unsafe { self.zero_states(0, span - first) };
            }
        }
        self.head = to;
        crate::crash::point();
        // SYNC: Release (Mode::Wake: SeqCst, also ordered before the waiter check in
        // `notify`), pairs with the producers' Acquire load of head: the space (MPSC: zeroed) is
        // free.
        self.ring
            .word(HEAD)
            .store(to, crate::producer::progress_order(self.ring.wake));
        if self.ring.wake {
            crate::wake::notify(&self.ring, SPACE_EPOCH);
        }
    }

    /// [`spsc_run`] for the batch loops: on corruption, the records before `pos`, already handed
    /// out, are released before the error is returned.
    #[inline(always)]
    fn batch_run(&mut self, pos: u32, off: u32, tail: u32, word: u32) -> Result<Run, Error> {
        spsc_run(&self.region, self.ring.capacity, pos, off, tail, word).inspect_err(|_| {
            self.free_to(pos);
        })
    }

    /// Consumes the message located at `pos` (after any padding before it): releases up to it
    /// and, for a record or the last message of a run, past it; for another message of a run,
    /// stores the run's new `TAKEN` (spec §3.1.1: `HEAD` never points inside a run).
    #[inline(always)]
    fn consume(&mut self, pos: u32, next: Next) {
        match next {
            Next::Head(end) => self.free_to(end),
            Next::Taken { run, taken } => {
                self.free_to(pos);
                self.store_taken(run, taken);
            }
        }
    }

    /// Stores `TAKEN = taken` in the header of the run at data offset `run`.
    #[inline(always)]
    fn store_taken(&self, run: u32, taken: u32) {
        crate::crash::point();
        // SAFETY: `run` is the data offset of a validated run header: 4-aligned, run + 12 <= cap.
        let word = unsafe { self.rec_word(run, SPSC_RUN_TAKEN as usize) };
        // SYNC: Relaxed: the word is this consumer's until HEAD passes the run (spec §3.1.1).
        // The producer writes it again only after its Acquire load of a HEAD this consumer
        // stored later with Release; a consumer that takes the role over reads it after its
        // Acquire claim of the role, which a Release free of the role precedes.
        word.store(taken, Ordering::Relaxed);
    }

    /// MPSC: zeroes the state words (data offsets ≡ 4 mod 8) of `len` released bytes at data
    /// offset `off`: the only words where a later record's state can land, so the only words
    /// whose stale contents a producer or the consumer could take for a state (spec §5.3). Length
    /// and payload words keep their stale bytes; they are read only after a state written in
    /// the current lap (COMMITTED, PADDING or BUSY, each stored after its length), never before.
    ///
    /// # Safety
    /// `off` and `len` are multiples of 8 and `off + len <= capacity`.
    #[inline(always)]
    unsafe fn zero_states(&self, off: u32, len: u32) {
        let start = HEADER_LEN + off as usize + 4;
        let end = HEADER_LEN + (off + len) as usize;
        let mut at = start;
        while at < end {
            // SAFETY: at - HEADER_LEN is 4 mod 8 and below off + len <= capacity, so the word
            // lies in the data area the region covers.
            // SYNC: Relaxed; the Release (SeqCst) store of HEAD after it publishes the zeroes.
            unsafe { self.region.u32_at_unchecked(at) }.store(0, Ordering::Relaxed);
            at += RECORD_ALIGN as usize;
        }
    }

    /// Copies the next message into `buf` and consumes it; returns its length.
    ///
    /// # Errors
    /// [`Error::Empty`] (nothing committed yet), [`Error::BufferTooSmall`] (the message stays),
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"abcdef").unwrap();
    /// assert_eq!(c.try_pop(&mut [0; 2]), Err(inos_ring::Error::BufferTooSmall { needed: 6 }));
    /// let mut out = [0; 6];
    /// assert_eq!(c.try_pop(&mut out), Ok(6));
    /// assert_eq!(&out, b"abcdef");
    /// ```
    #[inline(always)]
    pub fn try_pop(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.pop_into(buf, false)
    }

    /// [`try_pop`](Self::try_pop) (`exact == false`) and [`pop_pod`](Self::pop_pod) (`exact`:
    /// only a message of exactly `buf.len()` bytes is taken; another length is
    /// [`Error::SizeMismatch`] and stays in the ring).
    #[inline(always)]
    fn pop_into(&mut self, buf: &mut [u8], exact: bool) -> Result<usize, Error> {
        // Fast path: a committed message that fits, at the head.
        let h = self.head;
        if !K::MULTI_PRODUCER && h == self.tail_cache {
            // SPSC, cached tail used up: refresh it here rather than on the cold path (a caught-up
            // consumer does this for every message).
            if !self.refresh_tail(h)? {
                return Err(Error::Empty);
            }
        }
        let off = h & self.mask;
        // A message's length word, if the head holds a message (SPSC: a header word without the
        // padding flag; MPSC: the length of a record whose state is COMMITTED).
        let message = if K::MULTI_PRODUCER {
            // SAFETY: h is 8-aligned (validated at attach, advanced by record sizes),
            // off + 8 <= cap.
            let state = unsafe { self.rec_word(off, 4) };
            // SYNC: Acquire, pairs with the Release/SeqCst commit of the state by the producer.
            if state.load(Ordering::Acquire) == committed_tag(h) {
                // SAFETY: as above.
                Some(unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed))
            } else {
                None
            }
        } else if h != self.tail_cache {
            // SAFETY: h is 4-aligned (validated at attach, advanced by record sizes),
            // off + 4 <= cap.
            // Relaxed: below the cached tail, which an Acquire load made visible.
            let word = unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed);
            // A message word: neither padding nor a run (both on the cold path).
            (word & (SPSC_PADDING | SPSC_RUN) == 0).then_some(word)
        } else {
            None
        };
        if let Some(len) = message {
            let want = buf.len();
            if len as usize == want {
                // An exact fit (every typed pop): the record size is computed from the caller's
                // length, not from the word just loaded, so the next position does not wait for
                // that load (the branch is predicted; the loaded word only decides it). Kept
                // apart from the branch below on purpose: merged, the size would again be
                // selected from the loaded word.
                self.take_at(h, off, buf)?;
                return Ok(want);
            }
            if let Some(dst) = buf.get_mut(..len as usize).filter(|_| !exact) {
                self.take_at(h, off, dst)?;
                return Ok(len as usize);
            }
        }
        self.pop_slow(buf, exact)
    }

    /// Takes the message of `dst.len()` bytes whose length word at position `h` (data offset
    /// `off`) the caller has read: validates the record's size against the data area (and,
    /// SPSC, the cached tail), copies the payload into `dst` and releases the record. The size
    /// is computed from `dst.len()`, so an exact-fit caller's next position does not depend on
    /// the loaded word.
    #[inline(always)]
    fn take_at(&mut self, h: u32, off: u32, dst: &mut [u8]) -> Result<(), Error> {
        // dst.len() equals a length word (a u32) at both call sites.
        let size = self.check_len(h, off, dst.len() as u32, max_message(self.ring.capacity))?;
        // SAFETY: the payload and its padding to whole words lie inside the validated record
        // (off + size <= cap), 4-aligned (records are 4-aligned).
        unsafe {
            self.region
                .copy_out_padded(HEADER_LEN + off as usize + K::RECORD_HEADER as usize, dst)
        };
        self.free_to(h.wrapping_add(size));
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn pop_slow(&mut self, buf: &mut [u8], exact: bool) -> Result<usize, Error> {
        let mut pos = self.head;
        let rec = match self.locate(&mut pos) {
            Ok(r) => r,
            Err(e) => {
                self.free_to(pos);
                return Err(e);
            }
        };
        let len = rec.len as usize;
        if exact && len != buf.len() {
            self.free_to(pos);
            return Err(Error::SizeMismatch {
                expected: buf.len(),
                found: len,
            });
        }
        let Some(dst) = buf.get_mut(..len) else {
            self.free_to(pos);
            return Err(Error::BufferTooSmall { needed: len });
        };
        // SAFETY: the payload and its padding to whole words lie inside the validated record or
        // run (which ends within the data area), 4-aligned (records and run strides are).
        unsafe {
            self.region
                .copy_out_padded(HEADER_LEN + rec.at as usize, dst)
        };
        self.consume(pos, rec.next);
        Ok(len)
    }

    /// Reads a message of exactly `size_of::<T>()` bytes as a `T` and consumes it.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::SizeMismatch`] (the message stays), [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.push_pod(&42u32).unwrap();
    /// assert!(matches!(c.pop_pod::<u64>(), Err(inos_ring::Error::SizeMismatch { .. })));
    /// assert_eq!(c.pop_pod::<u32>(), Ok(42));
    /// ```
    #[inline(always)]
    pub fn pop_pod<T: bytemuck::Pod>(&mut self) -> Result<T, Error> {
        let mut v = T::zeroed();
        self.pop_into(bytemuck::bytes_of_mut(&mut v), true)?;
        Ok(v)
    }

    /// Borrows the next message in place (zero-copy). [`release`](ReadGrant::release) consumes
    /// it; dropping the grant leaves it in the ring.
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"xyz").unwrap();
    /// assert_eq!(c.read().unwrap().bytes().get(0), Some(b'x')); // dropped: not consumed
    /// let g = c.read().unwrap();
    /// assert!(g.bytes().eq_slice(b"xyz"));
    /// g.release();
    /// assert_eq!(c.read().err(), Some(inos_ring::Error::Empty));
    /// ```
    pub fn read(&mut self) -> Result<ReadGrant<'_, 'a, K>, Error> {
        let mut pos = self.head;
        let rec = match self.locate(&mut pos) {
            Ok(r) => r,
            Err(e) => {
                self.free_to(pos);
                return Err(e);
            }
        };
        self.free_to(pos);
        let bytes = self
            .region
            .bytes(HEADER_LEN + rec.at as usize, rec.len as usize)?;
        Ok(ReadGrant {
            next: rec.next,
            pos,
            consumer: self,
            bytes,
        })
    }

    /// Discards the next message unread and counts it in `dropped` (for messages the consumer
    /// cannot take, e.g. after [`Error::BufferTooSmall`]). Returns whether one was discarded.
    ///
    /// # Errors
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(&[0; 100]).unwrap();
    /// assert_eq!(c.skip(), Ok(true));
    /// assert_eq!(c.skip(), Ok(false));
    /// assert_eq!(ring.stats().dropped, 1);
    /// ```
    pub fn skip(&mut self) -> Result<bool, Error> {
        match self.read() {
            Ok(g) => {
                g.release();
                self.ring.word(DROPPED).fetch_add(1, Ordering::Relaxed);
                Ok(true)
            }
            Err(Error::Empty) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Hands every message available now to `f`, in order, and consumes them (one wake-up takes
    /// everything, defect 12). Space is released in batches (every quarter ring and at the end;
    /// on MPSC rings its state words are zeroed first).
    ///
    /// `f` returns `()` (take everything; `drain` returns the number of messages),
    /// [`ControlFlow<B>`](core::ops::ControlFlow) or `Result<(), E>` (stop early or fail): see
    /// [`DrainFlow`](crate::DrainFlow) for what each returns. When `f` stops, the message it
    /// stopped on counts as consumed (released, never delivered again) and every later message
    /// stays in the ring, unread, for the next read.
    ///
    /// Each message is an atomic view that lives only for its call of `f`
    /// (`for<'b> FnMut(Bytes<'b>) -> R`): it cannot be kept past the release of its space.
    ///
    /// One call consumes at most one ring's capacity of records, so it returns even while
    /// producers keep the ring busy (a consumer that drains in a loop still gets to check its own
    /// shutdown conditions).
    ///
    /// # Errors
    /// [`Error::Corrupt`] (messages before the corruption were delivered and released).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// for i in 0..5u32 {
    ///     p.push_pod(&i).unwrap();
    /// }
    /// let mut sum = 0;
    /// assert_eq!(c.drain(|m| sum += m.read_u32_le(0).unwrap()), Ok(5));
    /// assert_eq!(sum, 10);
    /// assert_eq!(c.drain(|_| {}), Ok(0));
    /// ```
    ///
    /// Stopping early (at most 2 messages per call):
    ///
    /// ```
    /// use core::ops::ControlFlow;
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// for i in 0..3u32 {
    ///     p.push_pod(&i).unwrap();
    /// }
    /// let mut got = Vec::new();
    /// let mut take_two = |m: inos_layout::Bytes<'_>| {
    ///     got.push(m.read_u32_le(0).unwrap());
    ///     if got.len() % 2 == 0 { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    /// };
    /// assert_eq!(c.drain(&mut take_two), Ok(ControlFlow::Break(())));
    /// assert_eq!(c.drain(&mut take_two), Ok(ControlFlow::Continue(1)));
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    ///
    /// Keeping a view does not compile:
    ///
    /// ```compile_fail,E0521
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"x").unwrap();
    /// let mut kept = None;
    /// c.drain(|m| kept = Some(m)).unwrap();
    /// ```
    pub fn drain<R, F>(&mut self, mut f: F) -> Result<R::Output, Error>
    where
        R: DrainFlow,
        F: FnMut(Bytes<'_>) -> R,
    {
        let (n, stopped) = self.drain_inner(&mut f)?;
        Ok(R::finish(n, stopped))
    }

    /// [`drain`](Consumer::drain) without the final conversion: the number of messages
    /// consumed and the value the callback stopped with (also used by `drain_wait`).
    pub(crate) fn drain_inner<R, F>(
        &mut self,
        f: &mut F,
    ) -> Result<(usize, Option<R::Break>), Error>
    where
        R: DrainFlow,
        F: FnMut(Bytes<'_>) -> R,
    {
        if !K::MULTI_PRODUCER {
            return self.drain_spsc(f);
        }
        let batch = self.ring.capacity / 4;
        let start = self.head;
        let mut pos = start;
        let mut n = 0;
        while pos.wrapping_sub(start) < self.ring.capacity {
            let rec = match self.locate(&mut pos) {
                Ok(r) => r,
                Err(Error::Empty) => break,
                Err(e) => {
                    self.free_to(pos);
                    return Err(e);
                }
            };
            // SAFETY-free: `bytes` re-checks bounds; the record was validated by `locate`.
            let bytes = match self
                .region
                .bytes(HEADER_LEN + rec.at as usize, rec.len as usize)
            {
                Ok(b) => b,
                Err(e) => {
                    self.free_to(pos);
                    return Err(e.into());
                }
            };
            let flow = f(bytes).branch();
            n += 1;
            pos = pos.wrapping_add(record_size(rec.len));
            if let ControlFlow::Break(b) = flow {
                // The message the callback stopped on is consumed; the rest stay unread.
                self.free_to(pos);
                return Ok((n, Some(b)));
            }
            if pos.wrapping_sub(self.head) >= batch {
                self.free_to(pos);
            }
        }
        self.free_to(pos);
        Ok((n, None))
    }

    /// [`drain_inner`](Consumer::drain_inner) for SPSC rings: every record below a `TAIL` loaded
    /// once is published (spec §5.2), so the loop reads each header, validates it against
    /// values held in registers (capacity, mask, that tail) and hands out the view without
    /// re-checking its bounds. `TAIL` is reloaded only when the loop reaches it.
    #[inline(always)]
    fn drain_spsc<R, F>(&mut self, f: &mut F) -> Result<(usize, Option<R::Break>), Error>
    where
        R: DrainFlow,
        F: FnMut(Bytes<'_>) -> R,
    {
        let cap = self.ring.capacity;
        let mask = self.mask;
        let region = self.region;
        let batch = cap / 4;
        let start = self.head;
        let mut pos = start;
        let mut n = 0;
        let mut tail = self.tail_cache;
        // At most one lap per call, as for MPSC.
        while pos.wrapping_sub(start) < cap {
            if pos == tail {
                match self.reload_tail(pos)? {
                    Some(t) => tail = t,
                    None => break,
                }
            }
            let off = pos & mask;
            // SAFETY: pos is 4-aligned (validated at attach, advanced by record sizes) and
            // off + 4 <= cap.
            let word = unsafe { self.rec_word(off, 0) }.load(Ordering::Relaxed);
            // Relaxed: the Acquire load of TAIL (`refresh_tail`) made every record below it
            // visible (pairs with the producer's Release/SeqCst TAIL store).
            if word & (SPSC_PADDING | SPSC_RUN) == SPSC_RUN {
                let run = self.batch_run(pos, off, tail, word)?;
                // The run's messages from TAKEN on, one view each, with no per-message checks:
                // the whole run was validated against the data area and the tail.
                let mut at = HEADER_LEN + (off + SPSC_RUN_HEADER + run.taken * run.stride) as usize;
                let mut taken = run.taken;
                while taken < run.count {
                    // SAFETY: message `taken` lies inside the validated run, which lies inside
                    // the data area the region covers.
                    let bytes = unsafe { region.bytes_unchecked(at, run.len as usize) };
                    let flow = f(bytes).branch();
                    n += 1;
                    taken += 1;
                    at += run.stride as usize;
                    if let ControlFlow::Break(b) = flow {
                        // Consumed up to the message the callback stopped on (spec §3.1.1).
                        let next = if taken == run.count {
                            Next::Head(run.end)
                        } else {
                            Next::Taken { run: off, taken }
                        };
                        self.consume(pos, next);
                        return Ok((n, Some(b)));
                    }
                }
                pos = run.end;
                if pos.wrapping_sub(self.head) >= batch {
                    self.free_to(pos);
                }
                continue;
            }
            let size = match spsc_checked_size(cap, pos, off, tail, word) {
                Ok(size) => size,
                Err(e) => {
                    self.free_to(pos);
                    return Err(e);
                }
            };
            if word & SPSC_PADDING != 0 {
                pos = pos.wrapping_add(size);
                continue;
            }
            // SAFETY: the payload lies inside the record, which lies inside the data area
            // (off + size <= cap), which the region covers (checked at attach).
            let bytes = unsafe {
                region.bytes_unchecked(
                    HEADER_LEN + off as usize + SPSC_RECORD_HEADER as usize,
                    word as usize,
                )
            };
            let flow = f(bytes).branch();
            n += 1;
            pos = pos.wrapping_add(size);
            if let ControlFlow::Break(b) = flow {
                // The message the callback stopped on is consumed; the rest stay unread.
                self.free_to(pos);
                return Ok((n, Some(b)));
            }
            if pos.wrapping_sub(self.head) >= batch {
                self.free_to(pos);
            }
        }
        self.free_to(pos);
        Ok((n, None))
    }
}

impl Consumer<'_, crate::Spsc> {
    /// Pops up to `out.len()` messages of exactly `size_of::<T>()` bytes into `out`, in order,
    /// and releases their space with one store of `HEAD` (and, when `out` fills up inside a run
    /// record, one store of the run's `TAKEN`, spec §3.1.1) (the batched counterpart of
    /// [`pop_pod`](Consumer::pop_pod), and of [`Producer::push_pods`](crate::Producer::push_pods)).
    /// Returns how many were popped: 0 if the ring is empty. It stops early at a message of
    /// another length, which stays in the ring.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if the *first* message has another length (it stays; take it with
    /// [`read`](Consumer::read) or [`skip`](Consumer::skip)), [`Error::TooLarge`] if `T` is larger
    /// than any message of this ring can be, [`Error::Corrupt`] (messages before the corruption
    /// were popped and released; the count is lost, so pop them one by one to know it).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.push_pods(&[1u64, 2, 3]).unwrap();
    /// p.try_push(b"other").unwrap();
    /// let mut out = [0u64; 8];
    /// assert_eq!(c.pop_pods(&mut out), Ok(3)); // stops before the 5-byte message
    /// assert_eq!(&out[..3], &[1, 2, 3]);
    /// assert!(matches!(c.pop_pods(&mut out), Err(inos_ring::Error::SizeMismatch { .. })));
    /// assert!(c.skip().unwrap());
    /// assert_eq!(c.pop_pods(&mut out), Ok(0)); // empty
    /// ```
    pub fn pop_pods<T: bytemuck::Pod>(&mut self, out: &mut [T]) -> Result<usize, Error> {
        self.pop_into_sink(crate::pods::IntoSlice(out))
    }

    /// Hands up to `max` messages of exactly `size_of::<T>()` bytes to `take`, by value and in
    /// order, and consumes them, as [`pop_pods`](Self::pop_pods) fills a slice, but with no
    /// array in between. Returns how many were taken: 0 if the ring is empty. It stops early at
    /// a message of another length, which stays in the ring.
    ///
    /// The messages handed to `take` are released after it returns, with one store; if `take`
    /// panics, none of this call's messages is released, so a consumer that carries on (or the
    /// next one) gets them again.
    ///
    /// # Errors
    /// As for [`pop_pods`](Self::pop_pods).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.push_pods(&[1u32, 2, 3, 4, 5]).unwrap();
    /// let mut sum = 0;
    /// assert_eq!(c.pop_pods_with(4, |v: u32| sum += v), Ok(4));
    /// assert_eq!(sum, 10);
    /// assert_eq!(c.pop_pod::<u32>(), Ok(5));
    /// ```
    pub fn pop_pods_with<T: bytemuck::Pod>(
        &mut self,
        max: usize,
        take: impl FnMut(T),
    ) -> Result<usize, Error> {
        self.pop_into_sink(crate::pods::IntoFn { max, take })
    }

    /// [`pop_pods`](Self::pop_pods) into any [`Sink`](crate::pods::Sink).
    #[inline(always)]
    fn pop_into_sink<T: bytemuck::Pod>(
        &mut self,
        mut out: impl crate::pods::Sink<T>,
    ) -> Result<usize, Error> {
        let cap = self.ring.capacity;
        let len = core::mem::size_of::<T>();
        let want = message_len(cap, len)?;
        let size = spsc_record_size(want);
        // Locals, so that the copies into `out` cannot make the compiler reload them.
        let mask = self.mask;
        let region = self.region;
        let mut pos = self.head;
        let mut tail = self.tail_cache;
        let mut n = 0;
        let room = out.room();
        while n < room {
            if pos == tail {
                match self.reload_tail(pos)? {
                    Some(t) => tail = t,
                    None => break,
                }
            }
            let off = pos & mask;
            let at = HEADER_LEN + off as usize;
            // SAFETY: pos is 4-aligned (validated at attach, advanced by record sizes) and
            // off + 4 <= cap, inside the data area the region covers.
            let word = unsafe { region.u32_at_unchecked(at) }.load(Ordering::Relaxed);
            // Relaxed: the Acquire load of TAIL (`refresh_tail`) made every record below it
            // visible (pairs with the producer's Release/SeqCst TAIL store). `want` has no
            // padding flag (it is at most `max_message`), so equality means a message.
            if word == want && size <= cap - off && size <= tail.wrapping_sub(pos) {
                // SAFETY: the payload and its padding to whole words (size - 4 bytes) lie inside
                // the validated record (off + size <= cap), 4-aligned (records are); n < room.
                unsafe {
                    out.read(
                        &region,
                        at + SPSC_RECORD_HEADER as usize,
                        n,
                        1,
                        (size - SPSC_RECORD_HEADER) as usize,
                    )
                };
                n += 1;
                pos = pos.wrapping_add(size);
                continue;
            }
            if word & (SPSC_PADDING | SPSC_RUN) == SPSC_RUN {
                let run = self.batch_run(pos, off, tail, word)?;
                if run.len == want {
                    let k = (run.count - run.taken).min((room - n).min(u32::MAX as usize) as u32);
                    let first = at + (SPSC_RUN_HEADER + run.taken * run.stride) as usize;
                    // SAFETY: messages taken .. taken + k (each with its padding to whole words)
                    // lie at 4-aligned strides of at least their length inside the validated
                    // run; n + k <= room.
                    unsafe { out.read(&region, first, n, k as usize, run.stride as usize) };
                    n += k as usize;
                    let taken = run.taken + k;
                    if taken == run.count {
                        pos = run.end;
                        continue;
                    }
                    // `out` is full inside the run (spec §3.1.1).
                    self.consume(pos, Next::Taken { run: off, taken });
                    return Ok(n);
                }
                self.free_to(pos);
                if n == 0 {
                    return Err(Error::SizeMismatch {
                        expected: len,
                        found: run.len as usize,
                    });
                }
                return Ok(n);
            }
            // The rare cases: wrap padding, a message of another length, bad bytes.
            let rsize = match spsc_checked_size(cap, pos, off, tail, word) {
                Ok(size) => size,
                Err(e) => {
                    self.free_to(pos);
                    return Err(e);
                }
            };
            if word & SPSC_PADDING != 0 {
                pos = pos.wrapping_add(rsize);
                continue;
            }
            self.free_to(pos);
            if n == 0 {
                return Err(Error::SizeMismatch {
                    expected: len,
                    found: word as usize,
                });
            }
            return Ok(n);
        }
        self.free_to(pos);
        Ok(n)
    }
}

/// Validates the header word of an SPSC record at position `pos` (data offset `off`) below
/// `tail`, as read from shared memory (spec §3.1): its size, or the corruption it shows. A
/// message (no [`SPSC_PADDING`] flag) holds up to `max_message(cap)` bytes, wrap padding skips up
/// to `cap - 8` bytes after its word; neither may cross the end of the data area or `tail`.
#[inline(always)]
fn spsc_checked_size(cap: u32, pos: u32, off: u32, tail: u32, word: u32) -> Result<u32, Error> {
    let pad_max = cap - 2 * SPSC_RECORD_HEADER;
    let (len, limit) = if word & SPSC_PADDING != 0 {
        (word & !SPSC_PADDING, pad_max)
    } else {
        (word, max_message(cap))
    };
    let size = spsc_record_size(len.min(pad_max));
    if len > limit || size > cap - off || size > tail.wrapping_sub(pos) {
        return Err(Error::Corrupt(Corruption::BadLength {
            position: pos,
            length: word,
        }));
    }
    Ok(size)
}

/// Validates the SPSC run whose header word `word` (with [`SPSC_RUN`]) is at position `pos`
/// (data offset `off`) below `tail` (spec §3.1.1, §5.2): at least one message, the 12-byte header
/// inside the data area and the tail before its other two words are read, `1 <= L <= max_message`,
/// the whole run inside the data area and the tail, `TAKEN < count`. A violation is
/// [`Corruption::BadLength`] naming the run's position and the offending word.
#[inline]
fn spsc_run(
    region: &Region<'_>,
    cap: u32,
    pos: u32,
    off: u32,
    tail: u32,
    word: u32,
) -> Result<Run, Error> {
    let bad = |length| {
        Err(Error::Corrupt(Corruption::BadLength {
            position: pos,
            length,
        }))
    };
    let count = word & SPSC_RUN_COUNT_MASK;
    // Published bytes from pos on, before the end of the data area.
    let room = (cap - off).min(tail.wrapping_sub(pos));
    if count == 0 || room < SPSC_RUN_HEADER {
        return bad(word);
    }
    let at = HEADER_LEN + off as usize;
    // SAFETY: off is 4-aligned and off + 12 <= cap: the header lies in the data area, which the
    // region covers.
    // Relaxed: below the loaded tail, which an Acquire load made visible (pairs with the
    // producer's Release/SeqCst TAIL store); TAKEN is this consumer's own word (or a dead
    // predecessor's, read after the Acquire role claim).
    let (len, taken) = unsafe {
        (
            region
                .u32_at_unchecked(at + SPSC_RUN_LEN as usize)
                .load(Ordering::Relaxed),
            region
                .u32_at_unchecked(at + SPSC_RUN_TAKEN as usize)
                .load(Ordering::Relaxed),
        )
    };
    if len == 0 || len > max_message(cap) {
        return bad(len);
    }
    let size = match spsc_run_size(count, len) {
        Some(size) if size <= room => size,
        _ => return bad(word),
    };
    if taken >= count {
        return bad(taken);
    }
    Ok(Run {
        count,
        len,
        stride: (len + 3) & !3,
        taken,
        end: pos.wrapping_add(size),
    })
}

impl<K: Kind> Drop for Consumer<'_, K> {
    fn drop(&mut self) {
        if crate::crash::dead() {
            return; // a simulated crash: the role stays claimed (tests only)
        }
        // SYNC: Release, pairs with the Acquire role claim of the next consumer, which then sees
        // our head.
        self.ring.word(CONSUMER_ROLE).store(0, Ordering::Release);
    }
}

/// A message borrowed in place (see [`Consumer::read`]).
///
/// The payload is an atomic byte view ([`Bytes`]); [`release`](ReadGrant::release) consumes the
/// message, dropping the grant leaves it for the next read.
///
/// ```
/// # use inos_ring::{Ring, Spsc};
/// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
/// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
/// p.try_push(&[1, 2, 3, 4]).unwrap();
/// let g = c.read().unwrap();
/// let mut out = [0; 4];
/// g.copy_to_slice(&mut out);
/// assert_eq!(out, [1, 2, 3, 4]);
/// g.release();
/// ```
pub struct ReadGrant<'c, 'a, K: Kind> {
    consumer: &'c mut Consumer<'a, K>,
    bytes: Bytes<'a>,
    /// Where the message (or its run) starts, and what consuming it stores.
    pos: u32,
    next: Next,
}

impl<K: Kind> core::fmt::Debug for ReadGrant<'_, '_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReadGrant")
            .field("len", &self.bytes.len())
            .finish()
    }
}

impl<'a, K: Kind> ReadGrant<'_, 'a, K> {
    /// The payload (atomic view), borrowed from the grant: the view cannot outlive
    /// [`release`](ReadGrant::release), after which the bytes belong to the producers again.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ok").unwrap();
    /// assert_eq!(c.read().unwrap().bytes().len(), 2);
    /// ```
    ///
    /// A view kept past the release does not compile:
    ///
    /// ```compile_fail,E0505
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ok").unwrap();
    /// let g = c.read().unwrap();
    /// let b = g.bytes();
    /// g.release();
    /// b.get(0); // would read whatever the producers write there next
    /// ```
    pub fn bytes(&self) -> Bytes<'_> {
        self.bytes
    }

    /// Payload length.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ok").unwrap();
    /// assert_eq!(c.read().unwrap().len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the payload is empty.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"").unwrap();
    /// assert!(c.read().unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Copies the payload into `dst`.
    ///
    /// # Panics
    /// If `dst.len() != self.len()` (a caller bug).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ab").unwrap();
    /// let mut out = [0; 2];
    /// c.read().unwrap().copy_to_slice(&mut out);
    /// assert_eq!(&out, b"ab");
    /// ```
    #[track_caller]
    pub fn copy_to_slice(&self, dst: &mut [u8]) {
        self.bytes.copy_to_slice(dst)
    }

    /// Copies the payload into a new `Vec`.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ab").unwrap();
    /// assert_eq!(c.read().unwrap().to_vec(), b"ab");
    /// ```
    #[cfg(feature = "std")]
    pub fn to_vec(&self) -> std::vec::Vec<u8> {
        self.bytes.to_vec()
    }

    /// Consumes the message: its space is released to the producers (its state words zeroed
    /// first on MPSC rings). A message of a run record (spec §3.1.1) that is not the run's last
    /// is counted in the run's `TAKEN`; the run's space is released with its last message.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"ab").unwrap();
    /// c.read().unwrap().release();
    /// assert_eq!(ring.used_bytes(), Ok(0));
    /// ```
    pub fn release(self) {
        self.consumer.consume(self.pos, self.next);
    }
}
