//! [`Producer`] and [`WriteGrant`]: claiming space, writing records, committing.

use core::marker::PhantomData;

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{Bytes, Region};

use crate::error::{Corruption, Error, Role};
use crate::layout::*;
use crate::party::PartyId;
use crate::ring::{Kind, Ring};

/// The producing side of a ring (see [`Ring::producer`]).
///
/// It keeps the consumer position it last saw and reads the shared one only when the ring looks
/// full, so an uncontended push touches no line the consumer writes.
///
/// ```
/// use inos_ring::{Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
/// let mut p = ring.producer().unwrap();
/// p.try_push(&[1; 24]).unwrap();
/// p.try_push(&[2; 24]).unwrap();
/// assert_eq!(p.try_push(&[3; 24]), Err(inos_ring::Error::Full));
/// assert!(matches!(p.try_push(&[0; 25]), Err(inos_ring::Error::TooLarge { .. })));
/// ```
pub struct Producer<'a, K: Kind> {
    pub(crate) ring: Ring<'a, K>,
    region: Region<'a>,
    mask: u32,
    /// SPSC: this producer's position (it alone writes `tail`). MPSC: unused.
    tail: u32,
    /// The consumer position last read (never ahead of the real one).
    head_cache: u32,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<K: Kind> core::fmt::Debug for Producer<'_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Producer")
            .field("ring", &self.ring)
            .field("tail", &self.tail)
            .finish()
    }
}

/// The ordering of a commit or release store: SeqCst on [`Mode::Wake`](crate::Mode::Wake) rings
/// (the store half of the wake handshake, spec §7), Release on polling rings.
#[inline(always)]
pub(crate) fn progress_order(wake: bool) -> Ordering {
    if wake {
        Ordering::SeqCst
    } else {
        Ordering::Release
    }
}

/// `len` as a message length of a ring of `cap` data bytes, or [`Error::TooLarge`] if it exceeds
/// [`max_message`] (the one check every push and typed pop makes before sizing a record).
#[inline(always)]
pub(crate) fn message_len(cap: u32, len: usize) -> Result<u32, Error> {
    let max = max_message(cap);
    if len > max as usize {
        return Err(Error::TooLarge {
            len,
            max: max as usize,
        });
    }
    // max_message(cap) < 2^31, so this is exact.
    Ok(len as u32)
}

/// `push_pods` asks for the lines of at most this many bytes of records at a time (well inside
/// any L1 data cache, so the first lines are still there when their stores come).
const PREFETCH_SPAN: usize = 4096;

/// A claimed record (position and data offset).
#[derive(Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) pos: u32,
    pub(crate) off: u32,
    pub(crate) len: u32,
}

impl<'a, K: Kind> Producer<'a, K> {
    /// Claims the role: SPSC writes `id` into `PRODUCER_ROLE`; MPSC counts itself there (`id`
    /// is not recorded, ring.md §2.2).
    pub(crate) fn attach(ring: Ring<'a, K>, id: PartyId) -> Result<Self, Error> {
        // A fixed-size ring's records have no length word (spec §3.3).
        ring.expect_message_size(MESSAGE_SIZE_VARIABLE)?;
        crate::crash::point();
        if K::MULTI_PRODUCER {
            // SYNC: Acquire, so that this producer sees what earlier producers published.
            ring.word(PRODUCER_ROLE).fetch_add(1, Ordering::Acquire);
        } else {
            ring.claim_role(Role::Producer, id)?;
        }
        let mut p = Self {
            ring,
            region: ring.region,
            mask: ring.capacity - 1,
            tail: 0,
            head_cache: 0,
            _not_sync: PhantomData,
        };
        // On error, Drop releases the role. An SPSC producer continues at TAIL: whatever a
        // previous producer wrote past it was never published (SPSC records are published by
        // TAIL alone), so nothing needs repairing after it died at any point.
        let (head, tail) = ring.positions()?;
        p.head_cache = head;
        p.tail = tail;
        Ok(p)
    }

    /// The ring this producer writes to.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// assert_eq!(ring.producer().unwrap().ring().capacity(), 64);
    /// ```
    pub fn ring(&self) -> Ring<'a, K> {
        self.ring
    }

    /// A record word at data offset `off + plus`.
    ///
    /// # Safety
    /// `off` is 4-aligned, `off + plus + 4 <= capacity`, `plus` a multiple of 4.
    #[inline(always)]
    pub(crate) unsafe fn rec_word(&self, off: u32, plus: usize) -> &'a AtomicU32 {
        // SAFETY: per the contract the word lies in the data area, which the region covers.
        unsafe {
            self.region
                .u32_at_unchecked(HEADER_LEN + off as usize + plus)
        }
    }

    /// Refreshes the cached consumer position.
    #[cold]
    fn refresh_head(&mut self) -> Result<u32, Error> {
        // SYNC: Acquire, pairs with the consumer's Release (SeqCst) store of head after it read
        // (MPSC: and zeroed) the records it consumed: the space we are about to write is free.
        let head = self.ring.word(HEAD).load(Ordering::Acquire);
        self.head_cache = head;
        Ok(head)
    }

    /// A validated `(head, tail)` pair ([`Ring::positions`]); caches the head.
    fn positions(&mut self) -> Result<(u32, u32), Error> {
        let (h, t) = self.ring.positions()?;
        self.head_cache = h;
        Ok((h, t))
    }

    /// Reserves space for a `len`-byte record, writing wrap padding if needed. On return the
    /// record's length word is written and (MPSC) its state is the busy tag.
    #[inline(always)]
    pub(crate) fn claim(&mut self, len: usize) -> Result<Claim, Error> {
        let len = message_len(self.ring.capacity, len)?;
        let size = K::record_size(len);
        if K::MULTI_PRODUCER {
            self.claim_multi(len, size)
        } else {
            self.claim_single(len, size)
        }
    }

    /// SPSC: finds room at the local tail, writing wrap padding into free space if needed (it is
    /// published with the record by the `TAIL` store in `publish`).
    #[inline(always)]
    fn claim_single(&mut self, len: u32, size: u32) -> Result<Claim, Error> {
        let cap = self.ring.capacity;
        let t = self.tail;
        let off = t & self.mask;
        let to_end = cap - off;
        let need = if size <= to_end { size } else { to_end + size };
        if need > cap - t.wrapping_sub(self.head_cache) {
            let h = self.refresh_head()?;
            let used = t.wrapping_sub(h);
            if used > cap || h % SPSC_RECORD_ALIGN != 0 {
                return Err(Error::Corrupt(Corruption::Positions { head: h, tail: t }));
            }
            if need > cap - used {
                return Err(Error::Full);
            }
        }
        let mut pos = t;
        if size > to_end {
            // Wrap: pad to the end of the data area, then start at offset 0.
            // SAFETY: off is 4-aligned (SPSC positions are) and off + 4 <= cap.
            unsafe { self.write_spsc_padding(off, to_end) };
            pos = t.wrapping_add(to_end);
        }
        Ok(Claim {
            pos,
            off: pos & self.mask,
            len,
        })
    }

    #[inline(always)]
    fn claim_multi(&mut self, len: u32, size: u32) -> Result<Claim, Error> {
        let cap = self.ring.capacity;
        let tail_word = self.ring.word(TAIL);
        let mut t = tail_word.load(Ordering::Relaxed);
        let (off, to_end, need) = loop {
            let mut off = t & self.mask;
            let mut to_end = cap - off;
            let mut need = if size <= to_end { size } else { to_end + size };
            let used = t.wrapping_sub(self.head_cache);
            if t % RECORD_ALIGN != 0 || used > cap || need > cap - used {
                let (h, t_now) = self.positions()?;
                t = t_now;
                let used = t.wrapping_sub(h);
                off = t & self.mask;
                to_end = cap - off;
                need = if size <= to_end { size } else { to_end + size };
                if need > cap - used {
                    return Err(Error::Full);
                }
            }
            // The CAS makes [t, t + need) ours. The space was proven free by the Acquire load of
            // head, and the record is published by its own state word.
            // SYNC: Release, pairs with the Acquire tail load in `Ring::positions` of the other
            // parties: the head we validated this claim against happens-before their head load,
            // so they never see our tail with an older head.
            crate::crash::point();
            match tail_word.compare_exchange_weak(
                t,
                t.wrapping_add(need),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => {
                    crate::crash::claim_window(true);
                    break (off, to_end, need);
                }
                Err(now) => t = now,
            }
        };
        let mut pos = t;
        if need != size {
            // SAFETY: off is 8-aligned and off + 8 <= cap.
            unsafe { self.write_header(off, to_end - RECORD_HEADER, STATE_PADDING) };
            pos = t.wrapping_add(to_end);
        }
        let off = pos & self.mask;
        // SAFETY: off is 8-aligned and off + size <= cap.
        unsafe { self.write_header(off, len, busy_tag(pos)) };
        crate::crash::claim_window(false);
        Ok(Claim { pos, off, len })
    }

    /// MPSC: writes a record header, the length, then the state with Release (it publishes the
    /// header to the consumer and to `unblock`).
    ///
    /// # Safety
    /// `off` is 8-aligned and `off + 8 <= capacity`; the space is ours.
    #[inline(always)]
    unsafe fn write_header(&self, off: u32, len: u32, state: u32) {
        crate::crash::point();
        // SAFETY: per the contract.
        unsafe { self.rec_word(off, 0) }.store(len, Ordering::Relaxed);
        crate::crash::point();
        // SYNC: Release, pairs with the consumer's Acquire load of the state: whoever sees the
        // state (padding or busy tag) also sees the length.
        // SAFETY: per the contract.
        unsafe { self.rec_word(off, 4) }.store(state, Ordering::Release);
    }

    /// SPSC: writes a wrap padding record of `to_end` bytes at data offset `off` (its header word
    /// is `SPSC_PADDING | (to_end - 4)`). Relaxed: the `TAIL` store that publishes the record
    /// after it publishes the padding too.
    ///
    /// # Safety
    /// `off` is 4-aligned, `to_end >= 4` and `off + to_end <= capacity`; the space is ours.
    #[inline(always)]
    unsafe fn write_spsc_padding(&self, off: u32, to_end: u32) {
        crate::crash::point();
        // SAFETY: per the contract.
        unsafe { self.rec_word(off, 0) }.store(
            SPSC_PADDING | (to_end - SPSC_RECORD_HEADER),
            Ordering::Relaxed,
        );
    }

    /// Publishes a claimed record whose payload is written.
    #[inline(always)]
    pub(crate) fn publish(&mut self, c: Claim) -> Result<(), Error> {
        if K::MULTI_PRODUCER {
            // SAFETY: the claim's offset is 8-aligned and its record lies in the data area.
            let state = unsafe { self.rec_word(c.off, 4) };
            crate::crash::point();
            // A plain store, not a CAS: a locked read-modify-write here waits for the line the
            // consumer is polling (spec §4.2, figures in §10). The commit
            // only checks that the consumer has not unblocked the record yet; one that unblocks
            // it between this load and the store wins (the message is skipped and counted in
            // UNBLOCKED), and the late tag names this lap's position, so nobody can take it for
            // a later record (which sits at another position).
            // Relaxed: our own busy tag, or the consumer's PADDING/zero, is all this can see.
            if state.load(Ordering::Relaxed) != busy_tag(c.pos) {
                return Err(Error::Unblocked);
            }
            crate::crash::point();
            // SYNC: Release (Mode::Wake: SeqCst, also ordered before the waiter check below),
            // pairs with the consumer's Acquire load of the state: the length and payload are
            // visible to whoever sees the tag.
            state.store(committed_tag(c.pos), progress_order(self.ring.wake));
        } else {
            crate::crash::point();
            // SAFETY: the claim's offset is 4-aligned and its record lies in the data area.
            // Relaxed: the TAIL store below publishes the header word with the payload.
            unsafe { self.rec_word(c.off, 0) }.store(c.len, Ordering::Relaxed);
            self.publish_tail(c.pos.wrapping_add(K::record_size(c.len)));
        }
        if self.ring.wake {
            crate::wake::notify(&self.ring, DATA_EPOCH);
        }
        Ok(())
    }

    /// SPSC: publishes everything written below `end` (records and wrap padding) with one store.
    #[inline(always)]
    fn publish_tail(&mut self, end: u32) {
        self.tail = end;
        crate::crash::point();
        // SYNC: Release (Mode::Wake: SeqCst, also ordered before the waiter check in
        // `notify`), pairs with the consumer's Acquire load of tail: the records below `end` are
        // visible.
        self.ring
            .word(TAIL)
            .store(end, progress_order(self.ring.wake));
    }

    /// Gives up a claimed record. MPSC: it becomes padding the consumer skips. SPSC: nothing was
    /// published, so nothing is written; the space is reused by the next push.
    pub(crate) fn abandon(&mut self, c: Claim) {
        if K::MULTI_PRODUCER {
            // SAFETY: the claim's offset is 8-aligned and its record lies in the data area.
            let state = unsafe { self.rec_word(c.off, 4) };
            crate::crash::point();
            // SYNC: Release, pairs with the consumer's Acquire load of the state. Fails only if
            // the consumer already unblocked the record (then it is padding and counted there).
            let won = state
                .compare_exchange(
                    busy_tag(c.pos),
                    STATE_PADDING,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                )
                .is_ok();
            if won {
                crate::crash::point();
                self.ring.word(ABORTED).fetch_add(1, Ordering::Relaxed);
                if self.ring.wake {
                    crate::wake::notify(&self.ring, DATA_EPOCH);
                }
            }
        } else {
            crate::crash::point();
            self.ring.word(ABORTED).fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Copies `msg` into the ring as one message.
    ///
    /// # Errors
    /// [`Error::Full`] (nothing written; retry later), [`Error::TooLarge`], [`Error::Corrupt`],
    /// and on MPSC rings [`Error::Unblocked`] if the consumer declared this producer dead before
    /// the copy finished.
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    /// let mut p = ring.producer().unwrap();
    /// p.try_push(b"").unwrap(); // zero-length messages are legal (defect 1)
    /// p.try_push(b"job").unwrap();
    /// let mut c = ring.consumer().unwrap();
    /// assert_eq!(c.try_pop(&mut []), Ok(0));
    /// assert_eq!(c.read().unwrap().to_vec(), b"job");
    /// ```
    #[inline]
    pub fn try_push(&mut self, msg: &[u8]) -> Result<(), Error> {
        let c = self.claim(msg.len())?;
        crate::crash::point();
        // SAFETY: the payload lies at off + header .. off + header + round_up(len, 4), inside the
        // claimed record (4-aligned, padded to its alignment), which is ours: whole words, no
        // edge merge.
        unsafe {
            self.region
                .copy_in_padded(HEADER_LEN + c.off as usize + K::RECORD_HEADER as usize, msg)
        };
        self.publish(c)
    }

    /// Pushes a plain-old-data value as a message of `size_of::<T>()` bytes.
    ///
    /// # Errors
    /// As for [`try_push`](Producer::try_push).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// ring.producer().unwrap().push_pod(&[7u64, 8]).unwrap();
    /// assert_eq!(ring.consumer().unwrap().pop_pod::<[u64; 2]>(), Ok([7, 8]));
    /// ```
    #[inline]
    pub fn push_pod<T: bytemuck::Pod>(&mut self, value: &T) -> Result<(), Error> {
        self.try_push(bytemuck::bytes_of(value))
    }

    /// Reserves a `len`-byte record to fill in place (zero-copy), then
    /// [`commit`](WriteGrant::commit) it. Dropping the grant uncommitted aborts it into padding.
    ///
    /// # Errors
    /// [`Error::Full`], [`Error::TooLarge`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let mut p = ring.producer().unwrap();
    /// let g = p.reserve(8).unwrap();
    /// g.bytes().write_u32_le(0, 1).unwrap();
    /// g.bytes().write_u32_le(4, 2).unwrap();
    /// g.commit().unwrap();
    /// let mut c = ring.consumer().unwrap();
    /// let r = c.read().unwrap();
    /// assert_eq!(r.bytes().read_u32_le(4), Ok(2));
    /// r.release();
    /// ```
    pub fn reserve(&mut self, len: usize) -> Result<WriteGrant<'_, 'a, K>, Error> {
        let c = self.claim(len)?;
        let bytes = self.region.bytes(
            HEADER_LEN + c.off as usize + K::RECORD_HEADER as usize,
            c.len as usize,
        );
        match bytes {
            Ok(bytes) => Ok(WriteGrant {
                producer: self,
                claim: c,
                bytes,
                done: false,
            }),
            Err(e) => {
                self.abandon(c);
                Err(e.into())
            }
        }
    }
}

impl<K: Kind> Drop for Producer<'_, K> {
    fn drop(&mut self) {
        if crate::crash::dead() {
            return; // a simulated crash: the role stays claimed (tests only)
        }
        if K::MULTI_PRODUCER {
            // Saturating, in case a supervisor forgot this producer (`Ring::forget_producer`).
            self.ring.producer_left();
        } else {
            // SYNC: Release, pairs with the Acquire role claim of the next producer, which then
            // sees our tail.
            self.ring.word(PRODUCER_ROLE).store(0, Ordering::Release);
        }
    }
}

/// A reserved record being written in place (see [`Producer::reserve`]).
///
/// The payload is exposed as an atomic byte view ([`Bytes`]), never as `&mut [u8]` over shared
/// memory. [`commit`](WriteGrant::commit) publishes it; dropping the grant aborts it.
///
/// ```
/// # use inos_ring::{Ring, Spsc};
/// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
/// let mut p = ring.producer().unwrap();
/// let mut g = p.reserve(5).unwrap();
/// g.copy_from_slice(b"hello");
/// assert_eq!(g.len(), 5);
/// g.commit().unwrap();
/// ```
pub struct WriteGrant<'p, 'a, K: Kind> {
    producer: &'p mut Producer<'a, K>,
    claim: Claim,
    bytes: Bytes<'a>,
    done: bool,
}

impl<K: Kind> core::fmt::Debug for WriteGrant<'_, '_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WriteGrant")
            .field("position", &self.claim.pos)
            .field("len", &self.claim.len)
            .finish()
    }
}

impl<'a, K: Kind> WriteGrant<'_, 'a, K> {
    /// The payload bytes (atomic view), borrowed from the grant: the view cannot outlive
    /// [`commit`](WriteGrant::commit) or an abort, after which the bytes may belong to another
    /// record.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let mut p = ring.producer().unwrap();
    /// let g = p.reserve(3).unwrap();
    /// g.bytes().write_at(0, &[1, 2, 3]).unwrap();
    /// g.commit().unwrap();
    /// ```
    ///
    /// A view kept past the commit does not compile:
    ///
    /// ```compile_fail,E0505
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let mut p = ring.producer().unwrap();
    /// let g = p.reserve(3).unwrap();
    /// let b = g.bytes();
    /// g.commit().unwrap();
    /// b.write_at(0, &[1]).unwrap(); // the record now belongs to the consumer
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
    /// # let mut p = ring.producer().unwrap();
    /// assert_eq!(p.reserve(0).unwrap().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.claim.len as usize
    }

    /// Whether the payload is empty.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let mut p = ring.producer().unwrap();
    /// assert!(p.reserve(0).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.claim.len == 0
    }

    /// Copies `src` over the whole payload.
    ///
    /// # Panics
    /// If `src.len() != self.len()` (a caller bug).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// # let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// # let mut p = ring.producer().unwrap();
    /// let mut g = p.reserve(2).unwrap();
    /// g.copy_from_slice(&[9, 9]);
    /// g.commit().unwrap();
    /// ```
    #[track_caller]
    pub fn copy_from_slice(&mut self, src: &[u8]) {
        self.bytes.copy_from_slice(src);
    }

    /// Publishes the record.
    ///
    /// # Errors
    /// [`Error::Unblocked`] (MPSC) if the consumer already turned this reservation into padding
    /// because it took too long; the message is not delivered and nothing else is affected. (An
    /// unblock that lands between this call's check and its store leaves it `Ok` although the
    /// message was skipped; `stats().unblocked` counts it either way, spec §6.)
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
    /// let mut p = ring.producer().unwrap();
    /// let mut c = ring.consumer().unwrap();
    /// let g = p.reserve(4).unwrap();
    /// assert_eq!(c.unblock(), Ok(true)); // the consumer gives up on it
    /// assert_eq!(g.commit(), Err(inos_ring::Error::Unblocked));
    /// assert_eq!(ring.stats().unblocked, 1);
    /// ```
    pub fn commit(mut self) -> Result<(), Error> {
        self.done = true;
        self.producer.publish(self.claim)
    }

    /// Abandons the record (same as dropping the grant): it becomes padding and `aborted` is
    /// counted.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let mut p = ring.producer().unwrap();
    /// p.reserve(10).unwrap().abort();
    /// assert_eq!(ring.consumer().unwrap().try_pop(&mut [0; 16]), Err(inos_ring::Error::Empty));
    /// assert_eq!(ring.stats().aborted, 1);
    /// ```
    pub fn abort(self) {
        drop(self)
    }
}

impl<K: Kind> Drop for WriteGrant<'_, '_, K> {
    fn drop(&mut self) {
        if !self.done && !crate::crash::dead() {
            self.producer.abandon(self.claim);
        }
    }
}

impl<'a> Producer<'a, crate::Spsc> {
    /// Pushes as many of `values` as fit now, each as its own message of `size_of::<T>()` bytes,
    /// and publishes them together with one store of `TAIL` (the batched counterpart of
    /// [`push_pod`](Producer::push_pod)). Returns how many were pushed (0 if the ring is full).
    /// Four or more values that fit before the end of the data area go into one **run** record
    /// (spec §3.1.1): a 12-byte header, then the messages at 4-byte-padded strides, so an 8-byte
    /// message takes 8 bytes of the ring instead of the 12 of a record of its own. The consumer
    /// takes a run's messages like any others, one by one or in batches.
    /// Before writing a batch it asks for all its cache lines for writing
    /// ([`Region::prefetch_write_range`](inos_layout::Region::prefetch_write_range)): the consumer read them
    /// last, and the stores would otherwise wait for them one line at a time.
    ///
    /// # Errors
    /// [`Error::TooLarge`] if `T` exceeds the largest message, [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// let values: Vec<u64> = (0..20).collect();
    /// assert_eq!(p.push_pods(&values), Ok(20)); // one 172-byte run in a 256-byte ring
    /// let mut got = Vec::new();
    /// c.drain(|m| got.push(m.read_u64_le(0).unwrap())).unwrap();
    /// assert_eq!(got, (0..20).collect::<Vec<u64>>());
    /// ```
    pub fn push_pods<T: bytemuck::Pod>(&mut self, values: &[T]) -> Result<usize, Error> {
        self.push_from(crate::pods::FromSlice(values))
    }

    /// Pushes up to `n` values made by `make(i)` (`i` from 0, in order), as
    /// [`push_pods`](Self::push_pods) pushes a slice, but written straight into the ring: no
    /// array to fill first. `make` is called only for the values that fit now, so none is made
    /// and lost. Returns how many were pushed (0 if the ring is full).
    ///
    /// `make` runs while the batch is being written, before it is published: keep it short, and
    /// if it panics nothing of this call is published (the values before it are lost with it).
    ///
    /// # Errors
    /// As for [`push_pods`](Self::push_pods).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// let mut next = 0u64;
    /// while next < 100 {
    ///     next += p.push_pods_with((100 - next) as usize, |i| next + i as u64).unwrap() as u64;
    ///     c.pop_pods_with(usize::MAX, |v: u64| assert!(v < next)).unwrap();
    /// }
    /// ```
    pub fn push_pods_with<T: bytemuck::Pod>(
        &mut self,
        n: usize,
        make: impl FnMut(usize) -> T,
    ) -> Result<usize, Error> {
        self.push_from(crate::pods::FromFn { n, make })
    }

    /// [`push_pods`](Self::push_pods) from any [`Source`](crate::pods::Source).
    #[inline(always)]
    fn push_from<T: bytemuck::Pod>(
        &mut self,
        mut values: impl crate::pods::Source<T>,
    ) -> Result<usize, Error> {
        let cap = self.ring.capacity;
        let len = message_len(cap, core::mem::size_of::<T>())?;
        let size = spsc_record_size(len);
        // Locals, so that the stores into the region below cannot make the compiler reload them.
        let mask = self.mask;
        let region = self.region;
        let mut head = self.head_cache;
        let mut t = self.tail;
        let mut refreshed = false;
        let mut n = 0;
        while n < values.len() {
            let off = t & mask;
            let to_end = cap - off;
            let mut free = cap - t.wrapping_sub(head);
            // Room for the next record, plus wrap padding if it must wrap.
            let need = if size <= to_end { size } else { to_end + size };
            let left = values.len() - n;
            // What the rest would take (one run, or single records): when the cached head
            // leaves less, look at the real one (once per call), so a batch is not cut into
            // runs smaller than the free space allows.
            let rest = if left >= SPSC_RUN_MIN as usize {
                (left as u64)
                    .saturating_mul((size - SPSC_RECORD_HEADER) as u64)
                    .saturating_add(SPSC_RUN_HEADER as u64)
            } else {
                left as u64 * size as u64
            };
            if need > free || (rest > free as u64 && !refreshed) {
                if refreshed {
                    break;
                }
                refreshed = true;
                let h = self.refresh_head()?;
                let used = t.wrapping_sub(h);
                if used > cap || h % SPSC_RECORD_ALIGN != 0 {
                    return Err(Error::Corrupt(Corruption::Positions { head: h, tail: t }));
                }
                head = h;
                free = cap - used;
                if need > free {
                    break;
                }
            }
            if size > to_end {
                // Wrap: pad to the end of the data area (published with the batch by TAIL).
                // SAFETY: off is 4-aligned and off + to_end = cap; the space is ours.
                unsafe { self.write_spsc_padding(off, to_end) };
                t = t.wrapping_add(to_end);
                continue;
            }
            let room = to_end.min(free);
            // A run record (spec §3.1.1) when at least SPSC_RUN_MIN messages fit in one: the
            // messages back to back at 4-byte strides behind one 12-byte header.
            let stride = size - SPSC_RECORD_HEADER;
            // Runs hold messages of at least one byte (spec §3.1.1): empty ones go as records.
            let fit = match room.checked_sub(SPSC_RUN_HEADER) {
                Some(rest) if stride > 0 => rest / stride,
                _ => 0,
            };
            if left >= SPSC_RUN_MIN as usize && fit >= SPSC_RUN_MIN {
                // fit < 2^30 (a run lies in the ring), so k fits the count bits.
                let k = fit
                    .min(SPSC_RUN_COUNT_MASK)
                    .min(left.min(u32::MAX as usize) as u32);
                let at = HEADER_LEN + off as usize;
                // In windows of at most PREFETCH_SPAN bytes, as below.
                let window = (PREFETCH_SPAN / stride as usize).max(1);
                let mut dst = at + SPSC_RUN_HEADER as usize;
                let (mut i, end) = (n, n + k as usize);
                while i < end {
                    let w = window.min(end - i);
                    region.prefetch_write_range(dst, w * stride as usize);
                    crate::crash::point();
                    // SAFETY: values i .. i + w (i + w <= end <= values.len()) go at 4-aligned
                    // strides of at least their size, inside the run: off + 12 + k * stride <=
                    // off + room <= cap, in free space that is ours (published below by TAIL).
                    unsafe { values.write(&region, dst, i, w, stride as usize) };
                    dst += w * stride as usize;
                    i += w;
                }
                crate::crash::point();
                // SAFETY: the run's header (off + 12 <= cap) is in free space that is ours.
                // Relaxed: the TAIL store below publishes the run with the batch.
                unsafe {
                    region
                        .u32_at_unchecked(at + SPSC_RUN_LEN as usize)
                        .store(len, Ordering::Relaxed);
                    region
                        .u32_at_unchecked(at + SPSC_RUN_TAKEN as usize)
                        .store(0, Ordering::Relaxed);
                    region
                        .u32_at_unchecked(at)
                        .store(SPSC_RUN | k, Ordering::Relaxed);
                }
                // k <= fit, so the run is at most `room` bytes.
                t = t.wrapping_add(SPSC_RUN_HEADER + k * stride);
                n += k as usize;
                continue;
            }
            // Single records (fewer than SPSC_RUN_MIN left, or room for fewer) that fit before the
            // end of the data area and in the free space (at least one: size <= to_end and
            // size <= free here), written without re-checks.
            let k = (to_end / size).min(free / size) as usize;
            let k = k.min(left);
            let mut rec = HEADER_LEN + off as usize;
            // In windows of at most PREFETCH_SPAN bytes: the consumer read these lines last (a
            // lap ago), so ask for a window's lines for writing first, and the stores do not
            // each wait for a line in turn.
            let window = (PREFETCH_SPAN / size as usize).max(1);
            let (mut i, end) = (n, n + k);
            while i < end {
                let w = window.min(end - i);
                region.prefetch_write_range(rec, w * size as usize);
                for j in i..i + w {
                    crate::crash::point();
                    // SAFETY: rec - HEADER_LEN is 4-aligned and the k records end at
                    // off + k * size <= cap, in free space that is ours (published below by the
                    // one TAIL store that covers the whole batch); value j < end <= len().
                    unsafe {
                        values.write(
                            &region,
                            rec + SPSC_RECORD_HEADER as usize,
                            j,
                            1,
                            (size - SPSC_RECORD_HEADER) as usize,
                        );
                        crate::crash::point();
                        region.u32_at_unchecked(rec).store(len, Ordering::Relaxed);
                    }
                    rec += size as usize;
                }
                i += w;
            }
            t = t.wrapping_add(k as u32 * size);
            n += k;
        }
        if n > 0 {
            self.publish_tail(t);
            if self.ring.wake {
                crate::wake::notify(&self.ring, DATA_EPOCH);
            }
        }
        Ok(n)
    }
}
