//! [`Ring`]: a handle to a ring's header, typed by its kind ([`Spsc`] or [`Mpsc`]).

use core::marker::PhantomData;

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::Region;

use crate::error::{Corruption, Error, Role};
use crate::layout::*;
use crate::party::{Liveness, PartyId, Probe};
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
    /// Bytes of a record header of this kind (SPSC 4: the length word; MPSC 8: length and
    /// state), spec §3.
    const RECORD_HEADER: u32;
    /// Alignment of records and positions of this kind (SPSC 4, MPSC 8).
    const RECORD_ALIGN: u32;

    /// Bytes a record with a `len`-byte payload occupies on a ring of this kind.
    ///
    /// ```
    /// use inos_ring::{Kind, Mpsc, Spsc};
    /// assert_eq!(Spsc::record_size(8), 12);
    /// assert_eq!(Mpsc::record_size(8), 16);
    /// ```
    #[inline(always)]
    fn record_size(len: u32) -> u32 {
        (len + Self::RECORD_HEADER + (Self::RECORD_ALIGN - 1)) & !(Self::RECORD_ALIGN - 1)
    }
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
    const RECORD_HEADER: u32 = SPSC_RECORD_HEADER;
    const RECORD_ALIGN: u32 = SPSC_RECORD_ALIGN;
}
impl Kind for Mpsc {
    const ID: u32 = KIND_MPSC;
    const MULTI_PRODUCER: bool = true;
    const RECORD_HEADER: u32 = RECORD_HEADER;
    const RECORD_ALIGN: u32 = RECORD_ALIGN;
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
    /// Attached producers ([`Ring::producers`]): on [`Mpsc`] rings including any that died
    /// without detaching and were not yet [forgotten](Ring::forget_producer).
    pub producers: u32,
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
    /// The `MESSAGE_SIZE` word: 0 for variable-length messages, else the fixed size (spec §3.3).
    pub(crate) message_size: u32,
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
            .field("message_size", &self.message_size)
            .finish()
    }
}

fn check_capacity(capacity: u32) -> Result<(), Error> {
    if !capacity.is_power_of_two() || !(MIN_CAPACITY..=MAX_CAPACITY).contains(&capacity) {
        return Err(Error::BadCapacity { capacity });
    }
    Ok(())
}

/// A `MESSAGE_SIZE` word valid for a ring of kind `K` and `capacity` bytes (spec §3.3): 0, or
/// on SPSC rings `1..=max_message(capacity)`.
fn check_message_size<K: Kind>(capacity: u32, size: u32) -> Result<(), Error> {
    if size != MESSAGE_SIZE_VARIABLE && (K::MULTI_PRODUCER || size > max_message(capacity)) {
        return Err(Error::BadMessageSize { found: size });
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
        Self::init_sized(region, capacity, mode, position, MESSAGE_SIZE_VARIABLE)
    }

    /// Formats a ring whose `MESSAGE_SIZE` word is `message_size` (0: variable-length).
    pub(crate) fn init_sized(
        region: Region<'a>,
        capacity: u32,
        mode: Mode,
        position: u32,
        message_size: u32,
    ) -> Result<Self, Error> {
        check_capacity(capacity)?;
        check_message_size::<K>(capacity, message_size)?;
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
        region
            .u32_at(MESSAGE_SIZE)?
            .store(message_size, Ordering::Relaxed);
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
            message_size,
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
        Self::init_sized(
            self.region,
            self.capacity,
            self.mode(),
            0,
            self.message_size,
        )
    }

    /// The one length of every message of a fixed-size ring (spec §3.3), or `None` for a ring of
    /// variable-length messages.
    ///
    /// ```
    /// # use inos_ring::{Ring, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// assert_eq!(Ring::<Spsc>::init(buf.region(), 64).unwrap().message_size(), None);
    /// assert_eq!(Ring::<Spsc>::init_fixed(buf.region(), 64, 8).unwrap().message_size(), Some(8));
    /// ```
    pub fn message_size(&self) -> Option<usize> {
        (self.message_size != MESSAGE_SIZE_VARIABLE).then_some(self.message_size as usize)
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
        let message_size = region.u32_at(MESSAGE_SIZE)?.load(Ordering::Relaxed);
        check_message_size::<K>(capacity, message_size)?;
        let region = region.sub(0, required_len(capacity))?;
        let ring = Self {
            region,
            capacity,
            wake: mode == MODE_WAKE,
            message_size,
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
    /// assert_eq!(ring.used_bytes(), Ok(8)); // a 4-byte header word, 3 bytes padded to 4
    /// ```
    pub fn used_bytes(&self) -> Result<u32, Error> {
        let (h, t) = self.positions()?;
        Ok(t.wrapping_sub(h))
    }

    /// Reads the `dropped`, `aborted` and `unblocked` counters and the producer count.
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
            producers: self.producers(),
        }
    }

    /// Claims a producer role as [`PartyId::current`] (the process id with `std` on Unix,
    /// [`PartyId::ANONYMOUS`] elsewhere). On [`Spsc`] rings only one producer may be attached at
    /// a time; on [`Mpsc`] rings any number may. Dropping the producer releases the role (defect 7).
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
        self.producer_as(PartyId::current())
    }

    /// Claims a producer role as `id` (a scheme of your own, see [`Probe`]).
    ///
    /// On [`Spsc`] rings `id` is stored in the `PRODUCER_ROLE` word, where a supervisor reads it
    /// with [`holder`](Ring::holder). [`Mpsc`] rings keep only a count of attached producers in
    /// that word (ring.md §2.2), so there `id` is not recorded: a supervisor of MPSC producers
    /// tracks them itself (it usually started them) and [forgets](Ring::forget_producer) the
    /// dead ones.
    ///
    /// # Errors
    /// As for [`producer`](Ring::producer).
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// let _p = ring.producer_as(PartyId::new(31).unwrap()).unwrap();
    /// assert_eq!(ring.holder(Role::Producer), PartyId::new(31));
    /// ```
    pub fn producer_as(&self, id: PartyId) -> Result<Producer<'a, K>, Error> {
        Producer::attach(*self, id)
    }

    /// Claims the consumer role as [`PartyId::current`] (one per ring; dropping the consumer
    /// releases it, defect 7).
    ///
    /// # Errors
    /// [`Error::RoleTaken`], [`Error::Corrupt`].
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Mpsc, Role};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// let c = ring.consumer().unwrap();
    /// assert!(ring.consumer().is_err());
    /// assert_eq!(ring.holder(Role::Consumer), Some(PartyId::current()));
    /// drop(c);
    /// assert!(ring.consumer().is_ok());
    /// ```
    pub fn consumer(&self) -> Result<Consumer<'a, K>, Error> {
        self.consumer_as(PartyId::current())
    }

    /// Claims the consumer role as `id` (stored in the `CONSUMER_ROLE` word, where
    /// [`holder`](Ring::holder) reads it).
    ///
    /// # Errors
    /// As for [`consumer`](Ring::consumer).
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Mpsc, Role};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// let _c = ring.consumer_as(PartyId::ANONYMOUS).unwrap();
    /// assert_eq!(ring.holder(Role::Consumer), Some(PartyId::ANONYMOUS));
    /// ```
    pub fn consumer_as(&self, id: PartyId) -> Result<Consumer<'a, K>, Error> {
        Consumer::attach(*self, id)
    }

    /// The party holding `role`, as its role word says: `None` if the role is free, and always
    /// `None` for the producers of an [`Mpsc`] ring, which share their role and are only
    /// counted ([`producers`](Ring::producers)).
    ///
    /// A holder is [`PartyId::ANONYMOUS`] when it did not say who it is (a party written before
    /// identities, such as the JavaScript reference party, or one without a process id).
    ///
    /// ```
    /// # use inos_ring::{PartyId, Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// assert_eq!(ring.holder(Role::Consumer), None);
    /// let c = ring.consumer().unwrap();
    /// let holder = ring.holder(Role::Consumer).unwrap();
    /// assert!(holder.is_alive()); // this very process
    /// ```
    pub fn holder(&self, role: Role) -> Option<PartyId> {
        if K::MULTI_PRODUCER && role == Role::Producer {
            return None;
        }
        // SYNC: Relaxed: the id is information for a supervisor, nothing is published with it.
        PartyId::new(self.word(Self::role_word(role)).load(Ordering::Relaxed))
    }

    /// The number of attached producers: 0 or 1 on [`Spsc`] rings; on [`Mpsc`] rings the
    /// `PRODUCER_ROLE` count, which includes producers that died without detaching until a
    /// supervisor [forgets](Ring::forget_producer) them.
    ///
    /// ```
    /// # use inos_ring::{Ring, Mpsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// let (a, _b) = (ring.producer().unwrap(), ring.producer().unwrap());
    /// assert_eq!(ring.producers(), 2);
    /// drop(a);
    /// assert_eq!(ring.stats().producers, 1);
    /// ```
    pub fn producers(&self) -> u32 {
        // SYNC: Relaxed: a count for a supervisor, nothing is published with it.
        let n = self.word(PRODUCER_ROLE).load(Ordering::Relaxed);
        if K::MULTI_PRODUCER {
            n
        } else {
            u32::from(n != 0)
        }
    }

    /// Frees a role whose holder died without detaching (crash recovery by the owner), and
    /// recovers the waiter count that holder may have left raised if it died asleep.
    ///
    /// - [`Role::Consumer`] (any ring) and [`Role::Producer`] of an [`Spsc`] ring: zeroes the
    ///   waiter count of the epoch that role sleeps on (`DATA_EPOCH` for the consumer,
    ///   `SPACE_EPOCH` for the SPSC producer), then stores 0 in the role word. The holder is the
    ///   only party that ever registers on that epoch (ring.md §7), and no other party can claim
    ///   the role before the role word is cleared, so every registration in the count is the dead
    ///   holder's: without this, every later commit (or release) would pay a futex wake.
    /// - [`Role::Producer`] of an [`Mpsc`] ring: [`forget_producer`](Ring::forget_producer) (one
    ///   saturating decrement of the producer count). Live producers may be asleep on
    ///   `SPACE_EPOCH`, so the count is left alone; see [`clear_waiters`](Ring::clear_waiters).
    ///
    /// Never call it while the holder is alive: two consumers (or two SPSC producers) would
    /// corrupt the ring. Prefer [`release_if_dead`](Ring::release_if_dead), which checks.
    ///
    /// ```
    /// # use inos_ring::{Ring, Role, Spsc};
    /// use inos_layout::sync::Ordering;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// core::mem::forget(ring.consumer().unwrap()); // a consumer that "crashed"...
    /// let waiters = buf.region().u32_at(inos_ring::layout::DATA_EPOCH + 4).unwrap();
    /// waiters.fetch_add(2, Ordering::SeqCst); // ...asleep in `pop_wait`
    /// assert!(ring.consumer().is_err());
    /// ring.force_release(Role::Consumer);
    /// assert_eq!(waiters.load(Ordering::SeqCst), 0);
    /// assert!(ring.consumer().is_ok());
    /// ```
    pub fn force_release(&self, role: Role) {
        if K::MULTI_PRODUCER && role == Role::Producer {
            self.producer_left();
            return;
        }
        self.zero_waiters(role);
        // SYNC: Release, pairs with the Acquire of the role claim in `Producer/Consumer::attach`:
        // the next holder sees the zeroed waiter count (its own registrations come after it in
        // the count's modification order) and, for a producer, the tail.
        self.word(Self::role_word(role)).store(0, Ordering::Release);
    }

    /// Frees `role` if `probe` proves its holder [`Dead`](Liveness::Dead), as
    /// [`force_release`](Ring::force_release) does; returns the dead holder it freed.
    ///
    /// Returns `None` (and changes nothing) when the role is free, when its holder is
    /// [anonymous](PartyId::ANONYMOUS) (whatever the probe says: every party that does not say
    /// who it is writes the same `1`), when the probe says it is alive or
    /// [`Unknown`](Liveness::Unknown), and for the
    /// producers of an [`Mpsc`] ring, which have no recorded holder (forget a dead one with
    /// [`forget_producer`](Ring::forget_producer)). The role word is cleared with a
    /// compare-and-swap from the probed id, so a role some new party claimed meanwhile is never
    /// freed. One supervisor should do a ring's recovery: two racing over the same dead holder
    /// could clear the waiter count of a party that claimed the role in between.
    ///
    /// ```
    /// # use inos_ring::{PartyId, ProcessProbe, Ring, Role, Spsc};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    /// let _c = ring.consumer().unwrap(); // this process: alive
    /// assert_eq!(ring.release_if_dead(Role::Consumer, &ProcessProbe), None);
    /// assert!(ring.consumer().is_err());
    /// ```
    pub fn release_if_dead(&self, role: Role, probe: &impl Probe) -> Option<PartyId> {
        let id = self.holder(role)?;
        if id.is_anonymous() || probe.probe(id) != Liveness::Dead {
            return None;
        }
        self.zero_waiters(role);
        // SYNC: Release, as in `force_release`.
        self.word(Self::role_word(role))
            .compare_exchange(id.get(), 0, Ordering::Release, Ordering::Relaxed)
            .ok()
            .map(|_| id)
    }

    /// Zeroes the waiter count of the epoch that parties of `role` sleep on (`DATA_EPOCH` for the
    /// consumer, `SPACE_EPOCH` for producers), provided nobody holds that role; returns the count
    /// it cleared.
    ///
    /// The count is only a hint ([epoch.md §1](https://github.com/inos-protocol/inos/blob/main/docs/protocol/epoch.md)):
    /// one left raised by a party that died asleep makes every later commit (or release) pay a
    /// futex wake. [`force_release`](Ring::force_release) already clears it for the single-holder
    /// roles; this call is for the producers of an [`Mpsc`] ring, several of which may sleep
    /// at once, so that no single death tells which registrations were the dead one's.
    ///
    /// **When it is safe**: no live party of `role` is attached, and none attaches before the
    /// call returns (e.g. after [forgetting](Ring::forget_producer) every dead producer, while
    /// the supervisor holds back new ones). The call refuses with [`Error::RoleTaken`] when the
    /// role word says a party is attached; keeping new parties out meanwhile is the caller's part.
    ///
    /// **If it is wrong** (a live party was registered): nothing about the ring's data is
    /// affected — no message is lost, duplicated or corrupted — but that party may miss a wake-up
    /// and sleep until its deadline (with no deadline, until another party registers on the same
    /// epoch and is signalled, since a signal wakes every sleeper), and its later deregistration
    /// leaves the count wrapped to a huge value, which only costs a wake call per signal again
    /// until the next clear.
    ///
    /// # Errors
    /// [`Error::RoleTaken`] if a party holds the role (MPSC: the producer count is not zero).
    ///
    /// ```
    /// # use inos_ring::{Mpsc, Ring, Role};
    /// use inos_layout::sync::Ordering;
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// core::mem::forget(ring.producer().unwrap()); // died asleep in `push_wait`...
    /// let waiters = buf.region().u32_at(inos_ring::layout::SPACE_EPOCH + 4).unwrap();
    /// waiters.fetch_add(2, Ordering::SeqCst); // ...registered on SPACE_EPOCH
    /// assert!(ring.clear_waiters(Role::Producer).is_err()); // still counted
    /// assert_eq!(ring.forget_producer(), 0);
    /// assert_eq!(ring.clear_waiters(Role::Producer), Ok(2));
    /// assert_eq!(waiters.load(Ordering::SeqCst), 0);
    /// ```
    pub fn clear_waiters(&self, role: Role) -> Result<u32, Error> {
        // SYNC: Acquire, pairs with the Release that emptied the role (a detach, a forget): the
        // deregistrations of the parties that left come before our swap in the count's order.
        if self.word(Self::role_word(role)).load(Ordering::Acquire) != 0 {
            return Err(Error::RoleTaken(role));
        }
        Ok(self.zero_waiters(role))
    }

    /// The role word of `role`.
    fn role_word(role: Role) -> usize {
        match role {
            Role::Consumer => CONSUMER_ROLE,
            Role::Producer => PRODUCER_ROLE,
        }
    }

    /// Zeroes the waiter count of the epoch parties of `role` sleep on; returns the old count.
    fn zero_waiters(&self, role: Role) -> u32 {
        let slot = match role {
            Role::Consumer => DATA_EPOCH,
            Role::Producer => SPACE_EPOCH,
        };
        // SYNC: SeqCst, like every read-modify-write of the count (the registrations of
        // `push_wait` / `pop_wait` and inos-epoch); a signaller that loads the 0 skips a wake
        // call nobody needs.
        self.word(slot + 4).swap(0, Ordering::SeqCst)
    }

    /// One producer fewer in the MPSC count (saturating at 0, so a producer forgotten while it
    /// still ran cannot wrap the count when it detaches); returns the new count.
    pub(crate) fn producer_left(&self) -> u32 {
        let word = self.word(PRODUCER_ROLE);
        // SYNC: Relaxed: the count is information (ring.md §2), nothing is published with it.
        let mut n = word.load(Ordering::Relaxed);
        while n != 0 {
            // SYNC: Release, pairs with the Acquire increment of the next producer to attach
            // and with the Acquire load of `clear_waiters`.
            match word.compare_exchange_weak(n, n - 1, Ordering::Release, Ordering::Relaxed) {
                Ok(_) => return n - 1,
                Err(now) => n = now,
            }
        }
        0
    }

    /// A header word (the header was validated to lie inside the region at construction).
    #[inline(always)]
    pub(crate) fn word(&self, off: usize) -> &'a AtomicU32 {
        debug_assert!(off + 4 <= HEADER_LEN && off % 4 == 0);
        // SAFETY: every caller passes one of the header constants (< HEADER_LEN, 4-aligned), and
        // the region is at least HEADER_LEN + capacity bytes long (checked in init/attach).
        unsafe { self.region.u32_at_unchecked(off) }
    }

    /// A `(head, tail)` pair that was true at one instant, validated: both aligned to the kind's
    /// records (SPSC 4, MPSC 8) and
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
                h % K::RECORD_ALIGN == 0
                    && t % K::RECORD_ALIGN == 0
                    && t.wrapping_sub(h) <= self.capacity
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

    /// Checks that this ring holds messages of `size` bytes, the size a handle works with
    /// (`MESSAGE_SIZE_VARIABLE`: variable-length handles; spec §3.3): the one check every handle
    /// makes before it claims a role.
    pub(crate) fn expect_message_size(&self, size: u32) -> Result<(), Error> {
        if self.message_size != size {
            return Err(Error::MessageSize {
                expected: size,
                found: self.message_size,
            });
        }
        Ok(())
    }

    /// Claims a single-holder role word (free = 0) for `id`.
    pub(crate) fn claim_role(&self, role: Role, id: PartyId) -> Result<(), Error> {
        // SYNC: Acquire, pairs with the Release store that released the role.
        self.word(Self::role_word(role))
            .compare_exchange(0, id.get(), Ordering::Acquire, Ordering::Relaxed)
            .map(|_| ())
            .map_err(|_| Error::RoleTaken(role))
    }
}

impl<'a> Ring<'a, Mpsc> {
    /// Forgets one producer that died without detaching: a saturating decrement of the producer
    /// count ([`producers`](Ring::producers)); returns the new count.
    ///
    /// MPSC producers share their role and record no identity, so the supervisor says which
    /// producer died (it knows the processes it started). Forgetting restores the count only: a
    /// reservation the dead producer left open is recovered by the consumer
    /// ([`Consumer::unblock`], or automatically after `Consumer::set_unblock_after`), and
    /// registrations it left on `SPACE_EPOCH` by [`clear_waiters`](Ring::clear_waiters) once no
    /// producer is attached. Forgetting a live producer does no harm beyond a wrong count (its
    /// own detach saturates at 0).
    ///
    /// ```
    /// # use inos_ring::{Mpsc, Ring};
    /// # let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
    /// let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    /// let _live = ring.producer().unwrap();
    /// core::mem::forget(ring.producer().unwrap()); // died without detaching
    /// assert_eq!(ring.producers(), 2);
    /// assert_eq!(ring.forget_producer(), 1);
    /// assert_eq!(ring.forget_producer(), 0);
    /// assert_eq!(ring.forget_producer(), 0); // saturates
    /// ```
    pub fn forget_producer(&self) -> u32 {
        self.producer_left()
    }
}
