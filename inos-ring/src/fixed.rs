//! Fixed-size SPSC rings (spec §3.3): [`FixedProducer`] and [`FixedConsumer`], typed handles
//! for rings whose every message is one `T: bytemuck::Pod`, and their byte forms
//! (`FixedProducer<[u8]>` from [`Ring::fixed_producer_bytes`]) for code that learns the message
//! size at run time, such as a language binding.
//!
//! The size is agreed in the header (`MESSAGE_SIZE`), so records carry no length word: a record
//! is the bare value padded to 4 bytes, and an 8-byte message moves 8 bytes of the ring, as in a
//! typed in-process queue. A record that would cross the end of the data area starts the next
//! lap instead; both sides compute where ([`fixed_slot`]), so nothing is written to mark the
//! skipped bytes.

use core::marker::PhantomData;

use bytemuck::Pod;
use inos_layout::sync::Ordering;
use inos_layout::{Bytes, Region};

use crate::error::{Corruption, Error, Role};
use crate::layout::*;
use crate::party::PartyId;
use crate::pods::{FromFn, FromSlice, IntoFn, IntoSlice, Sink, Source};
use crate::producer::progress_order;
use crate::ring::Ring;
use crate::Spsc;

/// Batches ask for the lines of at most this many bytes of records at a time before writing
/// them (as the variable-length batch does).
const PREFETCH_SPAN: usize = 4096;

/// A fixed message size (`size_of::<T>()`, or a byte handle's size) as a `MESSAGE_SIZE` word, or
/// [`Error::BadMessageSize`] for 0 (the variable-length word) or a size too large for any ring.
fn size_word(message_size: usize) -> Result<u32, Error> {
    match u32::try_from(message_size) {
        Ok(0) | Err(_) => Err(Error::BadMessageSize {
            found: message_size.min(u32::MAX as usize) as u32,
        }),
        Ok(n) => Ok(n),
    }
}

/// Checks that `ring` holds messages of `size` bytes (`size` from [`size_word`]); returns the
/// record stride.
fn check_ring(ring: &Ring<'_, Spsc>, size: Result<u32, Error>) -> Result<u32, Error> {
    let size = size?;
    ring.expect_message_size(size)?;
    Ok(fixed_stride(size))
}

impl<'a> Ring<'a, Spsc> {
    /// Formats a **fixed-size** SPSC ring (spec §3.3) of `capacity` data bytes whose every
    /// message is `message_size` bytes, in [`Mode::Wake`](crate::Mode::Wake). Its parties are
    /// [`FixedProducer`] / [`FixedConsumer`] of a `T` of that size; the variable-length
    /// [`producer`](Ring::producer) / [`consumer`](Ring::consumer) refuse it
    /// ([`Error::MessageSize`]).
    ///
    /// # Errors
    /// As for [`init`](Ring::init); [`Error::BadMessageSize`] unless
    /// `1 <= message_size <= max_message`.
    ///
    /// ```
    /// use inos_ring::{Error, Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap();
    /// let (mut p, mut c) = (ring.fixed_producer::<u64>().unwrap(), ring.fixed_consumer::<u64>().unwrap());
    /// for i in 0..8 {
    ///     p.try_push(i).unwrap(); // 8 bytes of the ring each: 8 fit in 64
    /// }
    /// assert_eq!(p.try_push(8), Err(Error::Full));
    /// assert_eq!(c.try_pop(), Ok(0));
    /// assert!(matches!(ring.producer(), Err(Error::MessageSize { expected: 0, found: 8 })));
    /// ```
    pub fn init_fixed(
        region: Region<'a>,
        capacity: u32,
        message_size: usize,
    ) -> Result<Self, Error> {
        Self::init_fixed_with(region, capacity, crate::Mode::Wake, 0, message_size)
    }

    /// Like [`init_fixed`](Ring::init_fixed), choosing the [`Mode`](crate::Mode) and the initial
    /// position (a multiple of 8; see [`init_at`](Ring::init_at)).
    ///
    /// # Errors
    /// As for [`init_fixed`](Ring::init_fixed) and [`init_with`](Ring::init_with).
    ///
    /// ```
    /// use inos_ring::{Mode, Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// // 12-byte messages: 5 fit in a lap of 64 bytes, the last 4 bytes of each lap are skipped.
    /// let ring = Ring::<Spsc>::init_fixed_with(buf.region(), 64, Mode::Poll, u32::MAX - 7, 12).unwrap();
    /// let (mut p, mut c) = (ring.fixed_producer::<[u32; 3]>().unwrap(), ring.fixed_consumer().unwrap());
    /// for i in 0..100u32 {
    ///     p.try_push([i, i + 1, i + 2]).unwrap();
    ///     assert_eq!(c.try_pop(), Ok([i, i + 1, i + 2]));
    /// }
    /// ```
    pub fn init_fixed_with(
        region: Region<'a>,
        capacity: u32,
        mode: crate::Mode,
        position: u32,
        message_size: usize,
    ) -> Result<Self, Error> {
        Self::init_sized(region, capacity, mode, position, size_word(message_size)?)
    }

    /// Claims the producer role of a fixed-size ring of `T` as [`PartyId::current`].
    ///
    /// # Errors
    /// [`Error::MessageSize`] unless the ring's message size is `size_of::<T>()`,
    /// [`Error::RoleTaken`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Error, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// assert!(ring.fixed_producer::<u64>().is_err()); // 8 bytes, not 4
    /// let _p = ring.fixed_producer::<u32>().unwrap();
    /// assert!(matches!(ring.fixed_producer::<u32>(), Err(Error::RoleTaken(_))));
    /// ```
    pub fn fixed_producer<T: Pod>(&self) -> Result<FixedProducer<'a, T>, Error> {
        self.fixed_producer_as(PartyId::current())
    }

    /// Claims the producer role of a fixed-size ring of `T` as `id` (see
    /// [`producer_as`](Ring::producer_as)).
    ///
    /// # Errors
    /// As for [`fixed_producer`](Ring::fixed_producer).
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let _p = ring.fixed_producer_as::<u32>(PartyId::new(9).unwrap()).unwrap();
    /// assert_eq!(ring.holder(Role::Producer), PartyId::new(9));
    /// ```
    pub fn fixed_producer_as<T: Pod>(&self, id: PartyId) -> Result<FixedProducer<'a, T>, Error> {
        FixedProducer::attach(
            *self,
            id,
            check_ring(self, size_word(core::mem::size_of::<T>())),
        )
    }

    /// Claims the consumer role of a fixed-size ring of `T` as [`PartyId::current`].
    ///
    /// # Errors
    /// As for [`fixed_producer`](Ring::fixed_producer).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 16).unwrap();
    /// let mut c = ring.fixed_consumer::<[u64; 2]>().unwrap();
    /// assert_eq!(c.try_pop(), Err(inos_ring::Error::Empty));
    /// ```
    pub fn fixed_consumer<T: Pod>(&self) -> Result<FixedConsumer<'a, T>, Error> {
        self.fixed_consumer_as(PartyId::current())
    }

    /// Claims the consumer role of a fixed-size ring of `T` as `id` (see
    /// [`consumer_as`](Ring::consumer_as)).
    ///
    /// # Errors
    /// As for [`fixed_producer`](Ring::fixed_producer).
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 16).unwrap();
    /// let _c = ring.fixed_consumer_as::<u128>(PartyId::ANONYMOUS).unwrap();
    /// assert_eq!(ring.holder(Role::Consumer), Some(PartyId::ANONYMOUS));
    /// ```
    pub fn fixed_consumer_as<T: Pod>(&self, id: PartyId) -> Result<FixedConsumer<'a, T>, Error> {
        FixedConsumer::attach(
            *self,
            id,
            check_ring(self, size_word(core::mem::size_of::<T>())),
        )
    }

    /// Claims the producer role of a fixed-size ring of `message_size`-byte messages as
    /// [`PartyId::current`], for code that learns the size at run time (a binding, a tool): its
    /// messages are byte slices of exactly that length ([`FixedProducer::try_push_bytes`]).
    ///
    /// # Errors
    /// [`Error::BadMessageSize`] for a `message_size` of 0, [`Error::MessageSize`] unless the
    /// ring's message size is `message_size`, [`Error::RoleTaken`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Error, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 6).unwrap();
    /// let size = ring.message_size().unwrap(); // learnt from the header
    /// let mut p = ring.fixed_producer_bytes(size).unwrap();
    /// p.try_push_bytes(b"abcdef").unwrap();
    /// let mut c = ring.fixed_consumer::<[u8; 6]>().unwrap(); // a typed party reads it
    /// assert_eq!(c.try_pop(), Ok(*b"abcdef"));
    /// ```
    pub fn fixed_producer_bytes(
        &self,
        message_size: usize,
    ) -> Result<FixedProducer<'a, [u8]>, Error> {
        let stride = check_ring(self, size_word(message_size));
        FixedProducer::attach(*self, PartyId::current(), stride)
    }

    /// Claims the consumer role of a fixed-size ring of `message_size`-byte messages as
    /// [`PartyId::current`] (see [`fixed_producer_bytes`](Ring::fixed_producer_bytes)).
    ///
    /// # Errors
    /// As for [`fixed_producer_bytes`](Ring::fixed_producer_bytes).
    ///
    /// ```
    /// # use inos_ring::{Error, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 6).unwrap();
    /// assert!(matches!(ring.fixed_consumer_bytes(5), Err(Error::MessageSize { expected: 5, found: 6 })));
    /// let mut c = ring.fixed_consumer_bytes(6).unwrap();
    /// ring.fixed_producer::<[u8; 6]>().unwrap().try_push(*b"abcdef").unwrap();
    /// let mut buf = [0u8; 16];
    /// assert_eq!(c.try_pop_bytes(&mut buf), Ok(6));
    /// assert_eq!(&buf[..6], b"abcdef");
    /// ```
    pub fn fixed_consumer_bytes(
        &self,
        message_size: usize,
    ) -> Result<FixedConsumer<'a, [u8]>, Error> {
        let stride = check_ring(self, size_word(message_size));
        FixedConsumer::attach(*self, PartyId::current(), stride)
    }
}

/// The producing side of a fixed-size ring of `T` (see [`Ring::fixed_producer`]).
///
/// Like [`Producer`](crate::Producer), it keeps the consumer position it last saw and reads the
/// shared one only when the ring looks full.
///
/// ```
/// use inos_ring::{Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init_fixed(buf.region(), 256, 8).unwrap();
/// let (mut p, mut c) = (ring.fixed_producer::<u64>().unwrap(), ring.fixed_consumer::<u64>().unwrap());
/// std::thread::scope(|s| {
///     s.spawn(move || {
///         for i in 0..1000u64 {
///             p.push_wait(i, inos_ring::Deadline::never()).unwrap();
///         }
///     });
///     for i in 0..1000u64 {
///         assert_eq!(c.pop_wait(inos_ring::Deadline::never()), Ok(i));
///     }
/// });
/// ```
pub struct FixedProducer<'a, T: ?Sized> {
    ring: Ring<'a, Spsc>,
    region: Region<'a>,
    mask: u32,
    /// Bytes of a record: `size_of::<T>()` padded to 4.
    stride: u32,
    /// This producer's position (it alone writes `TAIL`).
    tail: u32,
    /// The consumer position last read (never ahead of the real one).
    head_cache: u32,
    _values: PhantomData<fn(&T) -> &T>,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: ?Sized> core::fmt::Debug for FixedProducer<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedProducer")
            .field("ring", &self.ring)
            .field("tail", &self.tail)
            .finish()
    }
}

impl<'a, T: ?Sized> FixedProducer<'a, T> {
    /// Claims the role; `stride` is the record stride from [`check_ring`] (or its error).
    fn attach(
        ring: Ring<'a, Spsc>,
        id: PartyId,
        stride: Result<u32, Error>,
    ) -> Result<Self, Error> {
        let stride = stride?;
        crate::crash::point();
        ring.claim_role(Role::Producer, id)?;
        let mut p = Self {
            ring,
            region: ring.region,
            mask: ring.capacity - 1,
            stride,
            tail: 0,
            head_cache: 0,
            _values: PhantomData,
            _not_sync: PhantomData,
        };
        // On error, Drop releases the role. As on variable-length SPSC rings, the producer
        // continues at TAIL: nothing past it was ever published.
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
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// assert_eq!(ring.fixed_producer::<f32>().unwrap().ring().message_size(), Some(4));
    /// ```
    pub fn ring(&self) -> Ring<'a, Spsc> {
        self.ring
    }

    /// Reads the consumer position into the cache, validated against our tail `t`.
    #[cold]
    fn refresh_head(&mut self, t: u32) -> Result<u32, Error> {
        // SYNC: Acquire, pairs with the consumer's Release (Mode::Wake: SeqCst) store of HEAD
        // after it read the records it consumed: the space below HEAD + capacity is free.
        let h = self.ring.word(HEAD).load(Ordering::Acquire);
        if t.wrapping_sub(h) > self.ring.capacity || h % SPSC_RECORD_ALIGN != 0 {
            return Err(Error::Corrupt(Corruption::Positions { head: h, tail: t }));
        }
        self.head_cache = h;
        Ok(h)
    }

    /// Publishes everything written below `end` with one store of `TAIL`, then wakes a sleeping
    /// consumer (Mode::Wake).
    #[inline(always)]
    fn publish(&mut self, end: u32) {
        self.tail = end;
        crate::crash::point();
        // SYNC: Release (Mode::Wake: SeqCst, also ordered before the waiter check in `notify`),
        // pairs with the consumer's Acquire load of TAIL: the records below `end` are visible.
        self.ring
            .word(TAIL)
            .store(end, progress_order(self.ring.wake));
        if self.ring.wake {
            crate::wake::notify(&self.ring, DATA_EPOCH);
        }
    }

    /// Copies `msg` (at most a stride: the message size) into the next record and publishes it.
    #[inline(always)]
    fn push_raw(&mut self, msg: &[u8]) -> Result<(), Error> {
        debug_assert!(msg.len() <= self.stride as usize);
        let cap = self.ring.capacity;
        let at = fixed_slot(cap, self.stride, self.tail);
        let end = at.wrapping_add(self.stride);
        // end - head <= capacity: the record (and any skipped bytes before it) is free space.
        // At most capacity + 2 * stride <= 2 * capacity <= 2^32, so the wrapping difference is
        // exact.
        if end.wrapping_sub(self.head_cache) > cap
            && end.wrapping_sub(self.refresh_head(self.tail)?) > cap
        {
            return Err(Error::Full);
        }
        crate::crash::point();
        // SAFETY: `fixed_slot` put the record's stride bytes (the message size padded to 4, and
        // `msg` is no longer than the message size) inside the data area, 4-aligned (positions
        // are 4-aligned and so are the skipped bytes); they are free space, ours until the TAIL
        // store below publishes them.
        unsafe {
            self.region
                .copy_in_padded(HEADER_LEN + (at & self.mask) as usize, msg)
        };
        self.publish(end);
        Ok(())
    }
}

impl<'a, T: Pod> FixedProducer<'a, T> {
    /// Copies `value` into the ring as one message.
    ///
    /// # Errors
    /// [`Error::Full`] (nothing written; retry later), [`Error::Corrupt`] (the consumer position
    /// is not one a correct consumer writes).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(128)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 128, 32).unwrap();
    /// let mut p = ring.fixed_producer::<[u8; 32]>().unwrap();
    /// for i in 0..4 {
    ///     p.try_push([i; 32]).unwrap();
    /// }
    /// assert_eq!(p.try_push([9; 32]), Err(inos_ring::Error::Full));
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), Error> {
        // size_of::<T>() is the ring's message size (checked on attach).
        self.push_raw(bytemuck::bytes_of(&value))
    }

    /// Pushes as many of `values` as fit now and publishes them with one store of `TAIL`.
    /// Returns how many were pushed (0 if the ring is full).
    ///
    /// # Errors
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap();
    /// let mut p = ring.fixed_producer::<u64>().unwrap();
    /// assert_eq!(p.push_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), Ok(8));
    /// ```
    pub fn push_slice(&mut self, values: &[T]) -> Result<usize, Error> {
        self.push_from(FromSlice(values))
    }

    /// Pushes up to `n` values made by `make(i)` (`i` from 0, in order), written straight into
    /// the ring, and publishes them with one store of `TAIL`. `make` is called only for values
    /// that fit now, so none is made and lost. Returns how many were pushed.
    ///
    /// `make` runs before the batch is published: if it panics, nothing of this call is
    /// published.
    ///
    /// # Errors
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 256, 4).unwrap();
    /// let (mut p, mut c) = (ring.fixed_producer::<u32>().unwrap(), ring.fixed_consumer::<u32>().unwrap());
    /// assert_eq!(p.push_with(100, |i| i as u32 * 10), Ok(64)); // 64 four-byte records fit
    /// let mut sum = 0;
    /// assert_eq!(c.pop_with(usize::MAX, |v| sum += v), Ok(64));
    /// assert_eq!(sum, (0..64).map(|i| i * 10).sum());
    /// ```
    pub fn push_with(&mut self, n: usize, make: impl FnMut(usize) -> T) -> Result<usize, Error> {
        self.push_from(FromFn { n, make })
    }

    #[inline(always)]
    fn push_from(&mut self, mut values: impl Source<T>) -> Result<usize, Error> {
        let cap = self.ring.capacity;
        let (mask, stride, region) = (self.mask, self.stride, self.region);
        let mut head = self.head_cache;
        let mut t = self.tail;
        let mut refreshed = false;
        let mut n = 0;
        while n < values.len() {
            let at = fixed_slot(cap, stride, t);
            // Free bytes from the record's start (none if the skipped bytes are not free yet).
            let free = cap.saturating_sub(at.wrapping_sub(head));
            let off = at & mask;
            let left = values.len() - n;
            let k = ((free.min(cap - off) / stride) as usize).min(left);
            if k < left && !refreshed {
                // The cached head leaves less than the batch needs: look at the real one (once
                // per call), so a batch is not cut short by a stale cache.
                refreshed = true;
                head = self.refresh_head(t)?;
                continue;
            }
            if k == 0 {
                break;
            }
            let mut dst = HEADER_LEN + off as usize;
            let (mut i, end) = (n, n + k);
            let window = (PREFETCH_SPAN / stride as usize).max(1);
            while i < end {
                let w = window.min(end - i);
                region.prefetch_write_range(dst, w * stride as usize);
                crate::crash::point();
                // SAFETY: values i .. i + w (i + w <= n + k <= len()) go at 4-aligned strides of
                // their padded size from data offset `off`; k * stride <= cap - off, so they lie
                // in the data area, and k * stride <= free, so in free space that is ours until
                // the TAIL store in `publish` covers them.
                unsafe { values.write(&region, dst, i, w, stride as usize) };
                dst += w * stride as usize;
                i += w;
            }
            // k * stride <= cap fits u32.
            t = at.wrapping_add(k as u32 * stride);
            n += k;
        }
        if n > 0 {
            self.publish(t);
        }
        Ok(n)
    }
}

impl<T: ?Sized> Drop for FixedProducer<'_, T> {
    fn drop(&mut self) {
        if crate::crash::dead() {
            return; // a simulated crash: the role stays claimed (tests only)
        }
        // SYNC: Release, pairs with the Acquire role claim of the next producer, which then sees
        // our tail.
        self.ring.word(PRODUCER_ROLE).store(0, Ordering::Release);
    }
}

/// The consuming side of a fixed-size ring of `T` (see [`Ring::fixed_consumer`]).
///
/// It keeps the producer position it last saw and reads the shared one only when it has
/// consumed everything below it.
///
/// ```
/// use inos_ring::{Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
/// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap();
/// let mut p = ring.fixed_producer::<[u16; 4]>().unwrap();
/// p.try_push([1, 2, 3, 4]).unwrap();
/// let mut c = ring.fixed_consumer::<[u16; 4]>().unwrap();
/// assert_eq!(c.try_pop(), Ok([1, 2, 3, 4]));
/// ```
pub struct FixedConsumer<'a, T: ?Sized> {
    ring: Ring<'a, Spsc>,
    region: Region<'a>,
    mask: u32,
    /// Bytes of a record: `size_of::<T>()` padded to 4.
    stride: u32,
    /// This consumer's position (it alone writes `HEAD`).
    head: u32,
    /// The producer position last read (never behind `head`).
    tail_cache: u32,
    _values: PhantomData<fn(&T) -> &T>,
    _not_sync: PhantomData<core::cell::Cell<()>>,
}

impl<T: ?Sized> core::fmt::Debug for FixedConsumer<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FixedConsumer")
            .field("ring", &self.ring)
            .field("head", &self.head)
            .finish()
    }
}

impl<'a, T: ?Sized> FixedConsumer<'a, T> {
    /// Claims the role; `stride` is the record stride from [`check_ring`] (or its error).
    fn attach(
        ring: Ring<'a, Spsc>,
        id: PartyId,
        stride: Result<u32, Error>,
    ) -> Result<Self, Error> {
        let stride = stride?;
        crate::crash::point();
        ring.claim_role(Role::Consumer, id)?;
        let mut c = Self {
            ring,
            region: ring.region,
            mask: ring.capacity - 1,
            stride,
            head: 0,
            tail_cache: 0,
            _values: PhantomData,
            _not_sync: PhantomData,
        };
        let (head, tail) = ring.positions()?; // on error, Drop releases the role
        c.head = head;
        c.tail_cache = tail;
        Ok(c)
    }

    /// The ring this consumer reads.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// assert_eq!(ring.fixed_consumer::<u32>().unwrap().ring().capacity(), 64);
    /// ```
    pub fn ring(&self) -> Ring<'a, Spsc> {
        self.ring
    }

    /// Reads the producer position into the cache, validated against our head and against `h`,
    /// how far this call has read (a batch reads past the head before it releases): a tail
    /// behind `h` is corrupt (spec §5.2: `tail - h <= tail - head`). Not `#[cold]`: a consumer
    /// that keeps up with its producer reloads the tail for nearly every message or batch.
    #[inline]
    fn refresh_tail(&mut self, h: u32) -> Result<u32, Error> {
        // SYNC: Acquire, pairs with the producer's Release (Mode::Wake: SeqCst) store of TAIL in
        // `FixedProducer::publish`: the records below it are visible.
        let t = self.ring.word(TAIL).load(Ordering::Acquire);
        if t.wrapping_sub(self.head) > self.ring.capacity
            || t.wrapping_sub(h) > t.wrapping_sub(self.head)
            || t % SPSC_RECORD_ALIGN != 0
        {
            return Err(Error::Corrupt(Corruption::Positions {
                head: self.head,
                tail: t,
            }));
        }
        self.tail_cache = t;
        Ok(t)
    }

    /// Where the record at `h` starts, if it lies below the cached tail; the cached tail not
    /// falling on a record boundary is corruption (a correct producer publishes whole records).
    #[inline(always)]
    fn record_at(&self, h: u32) -> Result<u32, Error> {
        let at = fixed_slot(self.ring.capacity, self.stride, h);
        let ahead = self.tail_cache.wrapping_sub(h);
        if at.wrapping_sub(h) + self.stride > ahead {
            return Err(Error::Corrupt(Corruption::Positions {
                head: h,
                tail: self.tail_cache,
            }));
        }
        Ok(at)
    }

    /// Releases everything below `end` with one store of `HEAD`, then wakes a sleeping producer
    /// (Mode::Wake).
    #[inline(always)]
    fn release(&mut self, end: u32) {
        self.head = end;
        crate::crash::point();
        // SYNC: Release (Mode::Wake: SeqCst, also ordered before the waiter check in `notify`),
        // pairs with the producer's Acquire load of HEAD: we have read the records below `end`.
        self.ring
            .word(HEAD)
            .store(end, progress_order(self.ring.wake));
        if self.ring.wake {
            crate::wake::notify(&self.ring, SPACE_EPOCH);
        }
    }

    /// Releases up to `end` if that is past the head.
    #[inline(always)]
    fn release_if(&mut self, end: u32) {
        if end != self.head {
            self.release(end);
        }
    }

    /// Where the next record starts (a position), checked against the published tail; `None` if
    /// the ring is empty.
    #[inline(always)]
    fn next_record(&mut self) -> Result<Option<u32>, Error> {
        let h = self.head;
        if h == self.tail_cache && self.refresh_tail(h)? == h {
            return Ok(None);
        }
        self.record_at(h).map(Some)
    }

    /// Copies the next message into `out` (at most a stride: the message size) and releases it.
    #[inline(always)]
    fn pop_raw(&mut self, out: &mut [u8]) -> Result<(), Error> {
        debug_assert!(out.len() <= self.stride as usize);
        let at = self.next_record()?.ok_or(Error::Empty)?;
        // SAFETY: `fixed_slot` put the record's stride bytes (the message size padded to 4, and
        // `out` is no longer than the message size) inside the data area, 4-aligned, and
        // `record_at` checked they lie below the tail the producer published (Acquire).
        unsafe {
            self.region
                .copy_out_padded(HEADER_LEN + (at & self.mask) as usize, out)
        };
        self.release(at.wrapping_add(self.stride));
        Ok(())
    }
}

impl<'a, T: Pod> FixedConsumer<'a, T> {
    /// Takes the next message.
    ///
    /// # Errors
    /// [`Error::Empty`] (nothing committed now), [`Error::Corrupt`] (the producer position is
    /// not one a correct producer writes; the message stays where it is).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let mut c = ring.fixed_consumer::<u32>().unwrap();
    /// assert_eq!(c.try_pop(), Err(inos_ring::Error::Empty));
    /// ring.fixed_producer::<u32>().unwrap().try_push(5).unwrap();
    /// assert_eq!(c.try_pop(), Ok(5));
    /// ```
    #[inline]
    pub fn try_pop(&mut self) -> Result<T, Error> {
        let mut value = T::zeroed();
        // size_of::<T>() is the ring's message size (checked on attach).
        self.pop_raw(bytemuck::bytes_of_mut(&mut value))?;
        Ok(value)
    }

    /// Takes up to `out.len()` messages into `out`, releasing them with one store of `HEAD`.
    /// Returns how many were taken (0 if the ring is empty).
    ///
    /// # Errors
    /// [`Error::Corrupt`] (the messages taken before it are released and lost to the caller).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap();
    /// ring.fixed_producer::<u64>().unwrap().push_slice(&[1, 2, 3]).unwrap();
    /// let mut out = [0u64; 8];
    /// assert_eq!(ring.fixed_consumer::<u64>().unwrap().pop_slice(&mut out), Ok(3));
    /// assert_eq!(out[..3], [1, 2, 3]);
    /// ```
    pub fn pop_slice(&mut self, out: &mut [T]) -> Result<usize, Error> {
        self.pop_into(IntoSlice(out))
    }

    /// Hands up to `max` messages to `take`, in order, releasing them with one store of `HEAD`.
    /// Returns how many were taken (0 if the ring is empty).
    ///
    /// If `take` panics, nothing of this call is released: the messages are delivered again.
    ///
    /// # Errors
    /// As for [`pop_slice`](Self::pop_slice).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// ring.fixed_producer::<u32>().unwrap().push_slice(&[1, 2, 3]).unwrap();
    /// let mut c = ring.fixed_consumer::<u32>().unwrap();
    /// let mut got = Vec::new();
    /// assert_eq!(c.pop_with(2, |v| got.push(v)), Ok(2));
    /// assert_eq!(c.pop_with(2, |v| got.push(v)), Ok(1));
    /// assert_eq!(got, [1, 2, 3]);
    /// ```
    pub fn pop_with(&mut self, max: usize, take: impl FnMut(T)) -> Result<usize, Error> {
        self.pop_into(IntoFn { max, take })
    }

    #[inline(always)]
    fn pop_into(&mut self, mut out: impl Sink<T>) -> Result<usize, Error> {
        let cap = self.ring.capacity;
        let (mask, stride, region) = (self.mask, self.stride, self.region);
        let mut h = self.head;
        let mut n = 0;
        while n < out.room() {
            if h == self.tail_cache {
                // Everything cached is taken: look at the real tail (again each time this call
                // catches up, as long as the producer keeps publishing and `out` has room).
                if self.refresh_tail(h).inspect_err(|_| self.release_if(h))? == h {
                    break;
                }
            }
            let at = self.record_at(h).inspect_err(|_| self.release_if(h))?;
            let off = at & mask;
            // Records that lie before the end of the data area and below the tail (at least one,
            // checked by `record_at`).
            let ahead = self.tail_cache.wrapping_sub(at);
            let k = ((ahead.min(cap - off) / stride) as usize).min(out.room() - n);
            crate::crash::point();
            // SAFETY: records n .. n + k lie at 4-aligned strides from data offset `off`, inside
            // the data area (k * stride <= cap - off) and below the published tail
            // (k * stride <= tail - at).
            unsafe { out.read(&region, HEADER_LEN + off as usize, n, k, stride as usize) };
            h = at.wrapping_add(k as u32 * stride);
            n += k;
        }
        self.release_if(h);
        Ok(n)
    }
}

impl<T: ?Sized> Drop for FixedConsumer<'_, T> {
    fn drop(&mut self) {
        if crate::crash::dead() {
            return; // a simulated crash: the role stays claimed (tests only)
        }
        // SYNC: Release, pairs with the Acquire role claim of the next consumer, which then sees
        // our head.
        self.ring.word(CONSUMER_ROLE).store(0, Ordering::Release);
    }
}

impl FixedProducer<'_, [u8]> {
    /// Copies `msg`, exactly the ring's message size long, into the ring as one message (for
    /// code that learns the size at run time; see [`Ring::fixed_producer_bytes`]).
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] (`msg` is not the ring's message size long; nothing written),
    /// [`Error::Full`] (nothing written; retry later), [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Error, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 3).unwrap();
    /// let mut p = ring.fixed_producer_bytes(3).unwrap();
    /// assert_eq!(p.try_push_bytes(b"ab"), Err(Error::SizeMismatch { expected: 3, found: 2 }));
    /// for _ in 0..16 {
    ///     p.try_push_bytes(b"abc").unwrap(); // 4 bytes of the ring each (padded)
    /// }
    /// assert_eq!(p.try_push_bytes(b"abc"), Err(Error::Full));
    /// ```
    #[inline]
    pub fn try_push_bytes(&mut self, msg: &[u8]) -> Result<(), Error> {
        let size = self.ring.message_size as usize;
        if msg.len() != size {
            return Err(Error::SizeMismatch {
                expected: size,
                found: msg.len(),
            });
        }
        self.push_raw(msg)
    }
}

impl<'a> FixedConsumer<'a, [u8]> {
    /// Copies the next message into the front of `buf` and takes it; returns its length (the
    /// ring's message size). See [`Ring::fixed_consumer_bytes`].
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`] (`buf` is shorter than the ring's message size; nothing is
    /// taken), [`Error::Empty`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Error, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 3).unwrap();
    /// let mut c = ring.fixed_consumer_bytes(3).unwrap();
    /// let mut out = [0u8; 8];
    /// assert_eq!(c.try_pop_bytes(&mut out), Err(Error::Empty));
    /// ring.fixed_producer_bytes(3).unwrap().try_push_bytes(b"xyz").unwrap();
    /// assert_eq!(c.try_pop_bytes(&mut out[..2]), Err(Error::BufferTooSmall { needed: 3 }));
    /// assert_eq!(c.try_pop_bytes(&mut out), Ok(3));
    /// assert_eq!(&out[..3], b"xyz");
    /// ```
    #[inline]
    pub fn try_pop_bytes(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let size = self.ring.message_size as usize;
        let Some(out) = buf.get_mut(..size) else {
            return Err(Error::BufferTooSmall { needed: size });
        };
        self.pop_raw(out)?;
        Ok(size)
    }

    /// The next message in place: a view of its bytes in the ring, without copying or consuming
    /// it (`None` if the ring is empty). The producer does not write over it until
    /// [`skip`](Self::skip) consumes it; after that the view shows whatever the ring holds there
    /// later (its reads stay atomic, so that is never undefined behaviour, only stale bytes).
    ///
    /// # Errors
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let mut c = ring.fixed_consumer_bytes(4).unwrap();
    /// assert!(c.peek().unwrap().is_none());
    /// ring.fixed_producer::<[u8; 4]>().unwrap().try_push(*b"data").unwrap();
    /// let view = c.peek().unwrap().unwrap();
    /// let mut out = [0u8; 4];
    /// view.copy_to_slice(&mut out);
    /// assert_eq!(&out, b"data");
    /// assert_eq!(c.skip(), Ok(true)); // consumed
    /// assert!(c.peek().unwrap().is_none());
    /// ```
    pub fn peek(&mut self) -> Result<Option<Bytes<'a>>, Error> {
        let Some(at) = self.next_record()? else {
            return Ok(None);
        };
        let size = self.ring.message_size as usize;
        // `fixed_slot` put the record inside the data area and `record_at` checked it lies below
        // the published tail, so the range is in the region (an error here would be a bug).
        let bytes = self
            .region
            .bytes(HEADER_LEN + (at & self.mask) as usize, size)?;
        Ok(Some(bytes))
    }

    /// Consumes the next message without reading it (after [`peek`](Self::peek)); `false` if the
    /// ring is empty.
    ///
    /// # Errors
    /// [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let mut c = ring.fixed_consumer_bytes(4).unwrap();
    /// ring.fixed_producer::<u32>().unwrap().try_push(7).unwrap();
    /// assert_eq!(c.skip(), Ok(true));
    /// assert_eq!(c.skip(), Ok(false));
    /// ```
    pub fn skip(&mut self) -> Result<bool, Error> {
        let Some(at) = self.next_record()? else {
            return Ok(false);
        };
        self.release(at.wrapping_add(self.stride));
        Ok(true)
    }
}

/// Runs `attempt` until it gives something other than `blocked`, sleeping on the epoch slot at
/// `slot` between attempts, until `deadline` (the wait loop of every blocking fixed-ring call).
#[cfg(feature = "std")]
fn wait_while<T>(
    ring: &Ring<'_, Spsc>,
    slot: usize,
    blocked: Error,
    deadline: crate::Deadline,
    mut attempt: impl FnMut() -> Result<T, Error>,
) -> Result<T, Error> {
    crate::wake::blocking::wait_on(ring, slot, deadline, || match attempt() {
        Err(e) if e == blocked => Ok(None),
        r => r.map(Some),
    })
}

#[cfg(feature = "std")]
impl FixedProducer<'_, [u8]> {
    /// Like [`try_push_bytes`](Self::try_push_bytes), but while the ring is full sleeps as
    /// [`FixedProducer::push_wait`] does.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`], [`Error::TimedOut`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # use std::time::Duration;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(128)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 128, 32).unwrap();
    /// let mut p = ring.fixed_producer_bytes(32).unwrap();
    /// for i in 0..4 {
    ///     p.push_wait_bytes(&[i; 32], Duration::from_secs(1)).unwrap();
    /// }
    /// let soon = Duration::from_millis(2);
    /// assert_eq!(p.push_wait_bytes(&[3; 32], soon), Err(inos_ring::Error::TimedOut));
    /// ```
    pub fn push_wait_bytes(
        &mut self,
        msg: &[u8],
        deadline: impl Into<crate::Deadline>,
    ) -> Result<(), Error> {
        let ring = self.ring;
        wait_while(&ring, SPACE_EPOCH, Error::Full, deadline.into(), || {
            self.try_push_bytes(msg)
        })
    }
}

#[cfg(feature = "std")]
impl FixedConsumer<'_, [u8]> {
    /// Like [`try_pop_bytes`](Self::try_pop_bytes), but while the ring is empty sleeps as
    /// [`FixedConsumer::pop_wait`] does.
    ///
    /// # Errors
    /// [`Error::BufferTooSmall`], [`Error::TimedOut`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # use std::time::Duration;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let (mut p, mut c) = (ring.fixed_producer_bytes(4).unwrap(), ring.fixed_consumer_bytes(4).unwrap());
    /// std::thread::scope(|s| {
    ///     s.spawn(move || p.push_wait_bytes(b"ping", Duration::from_secs(5)).unwrap());
    ///     let mut out = [0u8; 4];
    ///     assert_eq!(c.pop_wait_bytes(&mut out, Duration::from_secs(5)), Ok(4));
    ///     assert_eq!(&out, b"ping");
    /// });
    /// ```
    pub fn pop_wait_bytes(
        &mut self,
        buf: &mut [u8],
        deadline: impl Into<crate::Deadline>,
    ) -> Result<usize, Error> {
        let ring = self.ring;
        wait_while(&ring, DATA_EPOCH, Error::Empty, deadline.into(), || {
            self.try_pop_bytes(buf)
        })
    }
}

#[cfg(feature = "std")]
impl<T: Pod> FixedProducer<'_, T> {
    /// Like [`try_push`](Self::try_push), but while the ring is full sleeps until the consumer
    /// frees space (or polls, on a [`Mode::Poll`](crate::Mode::Poll) ring) or `deadline` (see
    /// [`Producer::push_wait`](crate::Producer::push_wait)).
    ///
    /// # Errors
    /// [`Error::TimedOut`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # use std::time::Duration;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 16).unwrap();
    /// let mut p = ring.fixed_producer::<[u64; 2]>().unwrap();
    /// for i in 0..4 {
    ///     p.push_wait([i; 2], Duration::from_secs(1)).unwrap();
    /// }
    /// let soon = Duration::from_millis(2);
    /// assert_eq!(p.push_wait([9; 2], soon), Err(inos_ring::Error::TimedOut));
    /// ```
    pub fn push_wait(
        &mut self,
        value: T,
        deadline: impl Into<crate::Deadline>,
    ) -> Result<(), Error> {
        let ring = self.ring;
        wait_while(&ring, SPACE_EPOCH, Error::Full, deadline.into(), || {
            self.try_push(value)
        })
    }
}

#[cfg(feature = "std")]
impl<T: Pod> FixedConsumer<'_, T> {
    /// Like [`try_pop`](Self::try_pop), but while the ring is empty sleeps until the producer
    /// commits (or polls, on a [`Mode::Poll`](crate::Mode::Poll) ring) or `deadline` (see
    /// [`Producer::push_wait`](crate::Producer::push_wait)).
    ///
    /// # Errors
    /// [`Error::TimedOut`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # use std::time::Duration;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_fixed(buf.region(), 64, 4).unwrap();
    /// let mut c = ring.fixed_consumer::<u32>().unwrap();
    /// assert_eq!(c.pop_wait(Duration::from_millis(2)), Err(inos_ring::Error::TimedOut));
    /// ```
    pub fn pop_wait(&mut self, deadline: impl Into<crate::Deadline>) -> Result<T, Error> {
        let ring = self.ring;
        wait_while(&ring, DATA_EPOCH, Error::Empty, deadline.into(), || {
            self.try_pop()
        })
    }
}
