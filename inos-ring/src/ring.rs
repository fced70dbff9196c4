//! [`Ring`]: a handle to a ring's header, typed by its kind ([`Spsc`] or [`Mpsc`]).

use core::marker::PhantomData;

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::Region;

use crate::error::{Corruption, Error, Role};
use crate::layout::*;
use crate::{Consumer, Producer};

mod sealed {
    pub trait Sealed {}
}

/// The ring kind, chosen in the type system: [`Spsc`] or [`Mpsc`].
///
/// The kind is also stored in the header, so attaching with the wrong kind is a typed error.
///
/// ```
/// use inos_ring::{Kind, Mpsc, Spsc};
/// assert!(!Spsc::MULTI_PRODUCER && Mpsc::MULTI_PRODUCER);
/// ```
pub trait Kind: sealed::Sealed + Send + Sync + 'static {
    /// The `KIND` word of this kind.
    const ID: u32;
    /// Whether several producers may attach.
    const MULTI_PRODUCER: bool;
}

/// Single producer, single consumer: the producer claims a role, commits with one store.
///
/// ```
/// use inos_ring::{Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
/// let _p = ring.producer().unwrap();
/// assert!(ring.producer().is_err()); // defect 7: one producer only
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spsc {}
/// Multiple producers (claiming space with a compare-and-swap), single consumer.
///
/// ```
/// use inos_ring::{Ring, Mpsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Mpsc>::init(buf.region(), 256).unwrap();
/// let (_a, _b) = (ring.producer().unwrap(), ring.producer().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mpsc {}

impl sealed::Sealed for Spsc {}
impl sealed::Sealed for Mpsc {}
impl Kind for Spsc {
    const ID: u32 = KIND_SPSC;
    const MULTI_PRODUCER: bool = false;
}
impl Kind for Mpsc {
    const ID: u32 = KIND_MPSC;
    const MULTI_PRODUCER: bool = true;
}

/// How the parties of a ring wait for each other, fixed when the ring is formatted (the `MODE`
/// header word, spec §7).
///
/// - [`Mode::Wake`] (the default): a party may sleep in `push_wait` / `pop_wait`; every commit and
///   release is a SeqCst store followed by a load of the other side's waiter count, so a sleeper
///   is woken exactly when it sleeps and a ring nobody sleeps on pays one full barrier per commit
///   and per release.
/// - [`Mode::Poll`]: no party ever sleeps; commits and releases are Release stores with no waiter
///   check (what a spin-only queue such as rtrb pays), and `push_wait` / `pop_wait` poll (spin,
///   then yield) until their deadline instead of parking.
///
/// ```
/// use inos_ring::{Mode, Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(256)).unwrap();
/// let ring = Ring::<Spsc>::init_with(buf.region(), 256, Mode::Poll, 0).unwrap();
/// assert_eq!(Ring::<Spsc>::attach(buf.region()).unwrap().mode(), Mode::Poll);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Parties may sleep; progress stores pay the wake handshake.
    #[default]
    Wake,
    /// Nobody sleeps; progress stores are plain Release stores.
    Poll,
}

impl Mode {
    /// The `MODE` header word of this mode.
    ///
    /// ```
    /// assert_eq!(inos_ring::Mode::Poll.word(), inos_ring::layout::MODE_POLL);
    /// ```
    pub const fn word(self) -> u32 {
        match self {
            Mode::Wake => MODE_WAKE,
            Mode::Poll => MODE_POLL,
        }
    }
}

/// Counters kept in the ring header.
///
/// ```
/// let s = inos_ring::Stats::default();
/// assert_eq!(s.aborted, 0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Messages the consumer skipped unread ([`Consumer::skip`]).
    pub dropped: u32,
    /// Reservations their producer abandoned (a dropped [`WriteGrant`](crate::WriteGrant)).
    pub aborted: u32,
    /// Stuck reservations the consumer turned into padding ([`Consumer::unblock`]).
    pub unblocked: u32,
}

/// A validated handle to a ring living in a shared region.
///
/// `Ring` is `Copy`; every party (in any thread, process or language) attaches to the same bytes
/// and claims its role: [`producer`](Ring::producer) or [`consumer`](Ring::consumer).
///
/// ```
/// use inos_ring::{Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(1024)).unwrap();
/// Ring::<Spsc>::init(buf.region(), 1024).unwrap();
/// // Elsewhere, over the same bytes:
/// let ring = Ring::<Spsc>::attach(buf.region()).unwrap();
/// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
/// p.try_push(b"hello").unwrap();
/// let mut out = [0u8; 16];
/// let n = c.try_pop(&mut out).unwrap();
/// assert_eq!(&out[..n], b"hello");
/// ```
pub struct Ring<'a, K: Kind> {
    pub(crate) region: Region<'a>,
    pub(crate) capacity: u32,
    /// Whether the ring is in [`Mode::Wake`] (progress stores pay the wake handshake).
    pub(crate) wake: bool,
    _kind: PhantomData<K>,
}

impl<K: Kind> Clone for Ring<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: Kind> Copy for Ring<'_, K> {}

impl<K: Kind> core::fmt::Debug for Ring<'_, K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Ring")
            .field("kind", &K::ID)
            .field("capacity", &self.capacity)
            .finish()
    }
}

fn check_capacity(capacity: u32) -> Result<(), Error> {
    if !capacity.is_power_of_two() || !(MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity) {
        return Err(Error::BadCapacity { capacity });
    }
    Ok(())
}

impl<'a, K: Kind> Ring<'a, K> {
    /// Formats a new, empty ring with `capacity` data bytes at the start of `region`.
    ///
    /// Only the region's owner calls this, before any other party attaches (or to
    /// [`reset`](Ring::reset) a corrupted ring once every party has detached). The magic word is
    /// written last, with Release ordering, so a concurrent [`attach`](Ring::attach) either fails
    /// or sees a complete header.
    ///
    /// # Errors
    /// [`Error::BadCapacity`] unless `capacity` is a power of two in `64..=2^31`;
    /// [`Error::Access`] if the region is shorter than [`required_len`].
    ///
    /// ```
    /// use inos_ring::{Ring, Mpsc};
    /// let buf = inos_layout::RegionBuf::new(4096).unwrap();
    /// assert!(Ring::<Mpsc>::init(buf.region(), 3000).is_err());
    /// let ring = Ring::<Mpsc>::init(buf.region(), 2048).unwrap();
    /// assert_eq!(ring.max_message(), 1016);
    /// ```
    pub fn init(region: Region<'a>, capacity: u32) -> Result<Self, Error> {
        Self::init_at(region, capacity, 0)
    }

    /// Like [`init`](Ring::init), but with both positions starting at `position` (a multiple of
    /// 8), so that tests can make the monotonic `u32` positions wrap early.
    ///
    /// # Errors
    /// As for [`init`](Ring::init); [`Error::Corrupt`] if `position` is not 8-aligned.
    ///
    /// ```
    /// use inos_ring::{Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_at(buf.region(), 64, u32::MAX - 7).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// for i in 0..10u8 {
    ///     p.try_push(&[i; 20]).unwrap();
    ///     let g = c.read().unwrap();
    ///     assert_eq!(g.to_vec(), vec![i; 20]);
    ///     g.release();
    /// }
    /// ```
    pub fn init_at(region: Region<'a>, capacity: u32, position: u32) -> Result<Self, Error> {
        Self::init_with(region, capacity, Mode::Wake, position)
    }

    /// Like [`init_at`](Ring::init_at), choosing the ring's [`Mode`].
    ///
    /// # Errors
    /// As for [`init_at`](Ring::init_at).
    ///
    /// ```
    /// use inos_ring::{Mode, Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init_with(buf.region(), 64, Mode::Poll, 0).unwrap();
    /// let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
    /// p.try_push(b"no barrier").unwrap();
    /// assert_eq!(c.read().unwrap().to_vec(), b"no barrier");
    /// ```
    pub fn init_with(
        region: Region<'a>,
        capacity: u32,
        mode: Mode,
        position: u32,
    ) -> Result<Self, Error> {
        check_capacity(capacity)?;
        if position % RECORD_ALIGN != 0 {
            return Err(Error::Corrupt(Corruption::Positions {
                head: position,
                tail: position,
            }));
        }
        let region = region.sub(0, required_len(capacity))?;
        // Header words (other than the magic) and the data area are zeroed; nobody is attached.
        region.u32_at(MAGIC)?.store(0, Ordering::Relaxed);
        region.fill(4, HEADER_LEN - 4, 0)?;
        region.fill(HEADER_LEN, capacity as usize, 0)?;
        region
            .u32_at(VERSION)?
            .store(VERSION_VALUE, Ordering::Relaxed);
        region.u32_at(CAPACITY)?.store(capacity, Ordering::Relaxed);
        region.u32_at(KIND)?.store(K::ID, Ordering::Relaxed);
        region.u32_at(MODE)?.store(mode.word(), Ordering::Relaxed);
        region.u32_at(HEAD)?.store(position, Ordering::Relaxed);
        region
            .u32_at(RELEASE_TO)?
            .store(position, Ordering::Relaxed);
        region.u32_at(TAIL)?.store(position, Ordering::Relaxed);
        // SYNC: Release, pairs with the Acquire load of the magic in `attach`.
        region.u32_at(MAGIC)?.store(MAGIC_VALUE, Ordering::Release);
        Ok(Self {
            region,
            capacity,
            wake: mode == Mode::Wake,
            _kind: PhantomData,
        })
    }

    /// Re-formats the ring (empty, positions 0, roles free, counters 0). For the owner, after a
    /// [`Error::Corrupt`], once every other party has detached.
    ///
    /// # Errors
    /// As for [`init`](Ring::init).
    ///
    /// ```
    /// use inos_ring::{Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// buf.region().u32_at(inos_ring::layout::TAIL).unwrap().store(5, inos_layout::sync::Ordering::Relaxed);
    /// assert!(ring.consumer().is_err());
    /// ring.reset().unwrap();
    /// assert!(ring.consumer().is_ok());
    /// ```
    pub fn reset(&self) -> Result<Self, Error> {
        Self::init_with(self.region, self.capacity, self.mode(), 0)
    }

    /// The ring's [`Mode`].
    ///
    /// ```
    /// # use inos_ring::{Mode, Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// assert_eq!(Ring::<Spsc>::init(buf.region(), 64).unwrap().mode(), Mode::Wake);
    /// ```
    pub fn mode(&self) -> Mode {
        if self.wake {
            Mode::Wake
        } else {
            Mode::Poll
        }
    }

    /// Attaches to a ring another party formatted, validating its header.
    ///
    /// # Errors
    /// [`Error::BadMagic`], [`Error::BadVersion`], [`Error::WrongKind`] (a ring of the other
    /// kind), [`Error::BadKind`], [`Error::BadCapacity`],
    /// [`Error::Access`] (region too small) or [`Error::Corrupt`] (inconsistent positions).
    ///
    /// ```
    /// use inos_ring::{Error, Mpsc, Ring, Spsc};
    /// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// assert!(matches!(Ring::<Spsc>::attach(buf.region()), Err(Error::BadMagic { .. })));
    /// Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// assert!(matches!(Ring::<Mpsc>::attach(buf.region()), Err(Error::WrongKind { .. })));
    /// assert!(Ring::<Spsc>::attach(buf.region()).is_ok());
    /// ```
    pub fn attach(region: Region<'a>) -> Result<Self, Error> {
        // SYNC: Acquire, pairs with the Release store of the magic in `init`.
        let magic = region.u32_at(MAGIC)?.load(Ordering::Acquire);
        if magic != MAGIC_VALUE {
            return Err(Error::BadMagic { found: magic });
        }
        let version = region.u32_at(VERSION)?.load(Ordering::Relaxed);
        if version != VERSION_VALUE {
            return Err(Error::BadVersion { found: version });
        }
        let kind = region.u32_at(KIND)?.load(Ordering::Relaxed);
        if kind != K::ID {
            return Err(Error::kind_mismatch(K::ID, kind));
        }
        let mode = region.u32_at(MODE)?.load(Ordering::Relaxed);
        if mode != MODE_WAKE && mode != MODE_POLL {
            return Err(Error::BadMode { found: mode });
        }
        for (start, end) in RESERVED {
            for off in (start..end).step_by(4) {
                let found = region.u32_at(off)?.load(Ordering::Relaxed);
                if found != 0 {
                    return Err(Error::Reserved { offset: off, found });
                }
            }
        }
        let capacity = region.u32_at(CAPACITY)?.load(Ordering::Relaxed);
        check_capacity(capacity)?;
        let region = region.sub(0, required_len(capacity))?;
        let ring = Self {
            region,
            capacity,
            wake: mode == MODE_WAKE,
            _kind: PhantomData,
        };
        ring.positions()?;
        Ok(ring)
    }

    /// Data capacity in bytes.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// assert_eq!(Ring::<Spsc>::init(buf.region(), 64).unwrap().capacity(), 64);
    /// ```
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// The largest payload a message may have: `capacity / 2 - 8` bytes.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// assert_eq!(Ring::<Spsc>::init(buf.region(), 64).unwrap().max_message(), 24);
    /// ```
    pub fn max_message(&self) -> usize {
        max_message(self.capacity) as usize
    }

    /// The region the ring occupies (header and data).
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(4096).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// assert_eq!(ring.region().len(), 512 + 64);
    /// ```
    pub fn region(&self) -> Region<'a> {
        self.region
    }

    /// Bytes between the consumer and the producer positions (records, padding and
    /// reservations), validated.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if the positions are inconsistent.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// ring.producer().unwrap().try_push(&[1, 2, 3]).unwrap();
    /// assert_eq!(ring.used_bytes(), Ok(16));
    /// ```
    pub fn used_bytes(&self) -> Result<u32, Error> {
        let (h, t) = self.positions()?;
        Ok(t.wrapping_sub(h))
    }

    /// Reads the `dropped`, `aborted` and `unblocked` counters.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// drop(ring.producer().unwrap().reserve(4).unwrap()); // abandoned: becomes padding
    /// assert_eq!(ring.stats().aborted, 1);
    /// ```
    pub fn stats(&self) -> Stats {
        Stats {
            dropped: self.word(DROPPED).load(Ordering::Relaxed),
            aborted: self.word(ABORTED).load(Ordering::Relaxed),
            unblocked: self.word(UNBLOCKED).load(Ordering::Relaxed),
        }
    }

    /// Claims a producer role. On [`Spsc`] rings only one producer may be attached at a time; on
    /// [`Mpsc`] rings any number may. Dropping the producer releases the role (defect 7).
    ///
    /// # Errors
    /// [`Error::RoleTaken`] (SPSC), [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// let p = ring.producer().unwrap();
    /// drop(p);
    /// assert!(ring.producer().is_ok()); // released on drop
    /// ```
    pub fn producer(&self) -> Result<Producer<'a, K>, Error> {
        Producer::attach(*self)
    }

    /// Claims the consumer role (one per ring; dropping the consumer releases it, defect 7).
    ///
    /// # Errors
    /// [`Error::RoleTaken`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// let c = ring.consumer().unwrap();
    /// assert!(ring.consumer().is_err());
    /// drop(c);
    /// assert!(ring.consumer().is_ok());
    /// ```
    pub fn consumer(&self) -> Result<Consumer<'a, K>, Error> {
        Consumer::attach(*self)
    }

    /// Frees a role whose holder died without detaching (crash recovery by the owner). Never call
    /// it while the holder is alive: two consumers (or two SPSC producers) would corrupt the ring.
    ///
    /// ```
    /// # use inos_ring::{Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// core::mem::forget(ring.consumer().unwrap()); // a consumer that "crashed"
    /// assert!(ring.consumer().is_err());
    /// ring.force_release(Role::Consumer);
    /// assert!(ring.consumer().is_ok());
    /// ```
    pub fn force_release(&self, role: Role) {
        let off = match role {
            Role::Consumer => CONSUMER_ROLE,
            Role::Producer => PRODUCER_ROLE,
        };
        // SYNC: Release, pairs with the Acquire of the role claim in `Producer/Consumer::attach`.
        self.word(off).store(0, Ordering::Release);
    }

    /// A header word (the header was validated to lie inside the region at construction).
    #[inline(always)]
    pub(crate) fn word(&self, off: usize) -> &'a AtomicU32 {
        debug_assert!(off + 4 <= HEADER_LEN && off % 4 == 0);
        // SAFETY: every caller passes one of the header constants (< HEADER_LEN, 4-aligned), and
        // the region is at least HEADER_LEN + capacity bytes long (checked in init/attach).
        unsafe { self.region.u32_at_unchecked(off) }
    }

    /// A `(head, tail)` pair that was true at one instant, validated: both 8-aligned and
    /// `tail - head <= capacity` (spec §2.1).
    ///
    /// Tail is read first, then head. Whoever stored that tail validated its claim against a head
    /// it had read before (the Release store or CAS of tail pairs with our Acquire load), and head
    /// only moves forward, so the head we read next is at least that one: if it is still behind
    /// the tail, `tail - head <= capacity` must hold. If it is *ahead* of the tail we read, the
    /// consumer consumed records claimed after our tail read: tail moved, and we read again. Head
    /// ahead of a tail that did not move is corruption. Each retry means another party made
    /// progress, so this never reports contention as corruption (issue 8) and is lock-free.
    ///
    /// # Errors
    /// [`Error::Corrupt`] with [`Corruption::Positions`] if the pair can never be valid.
    pub(crate) fn positions(&self) -> Result<(u32, u32), Error> {
        let (head_word, tail_word) = (self.word(HEAD), self.word(TAIL));
        // SYNC: Acquire, pairs with the Release store (SPSC) or Release CAS (MPSC) of tail by the
        // producer that wrote it: the head that producer validated against happens-before the
        // head load below.
        let mut t = tail_word.load(Ordering::Acquire);
        loop {
            // SYNC: Acquire, pairs with the consumer's Release store of head (MPSC: after it
            // zeroed the space it freed).
            let h = head_word.load(Ordering::Acquire);
            let ok = |h: u32, t: u32| {
                h % RECORD_ALIGN == 0 && t % RECORD_ALIGN == 0 && t.wrapping_sub(h) <= self.capacity
            };
            if ok(h, t) {
                return Ok((h, t));
            }
            // SYNC: Acquire, as above.
            let t2 = tail_word.load(Ordering::Acquire);
            if t2 == t {
                return Err(Error::Corrupt(Corruption::Positions { head: h, tail: t }));
            }
            t = t2;
        }
    }

    /// Claims a 0/1 role word.
    pub(crate) fn claim_role(&self, off: usize, role: Role) -> Result<(), Error> {
        // SYNC: Acquire, pairs with the Release store that released the role.
        self.word(off)
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .map(|_| ())
            .map_err(|_| Error::RoleTaken(role))
    }
}
