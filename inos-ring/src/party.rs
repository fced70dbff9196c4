//! Party identity and liveness: who holds a role, and whether that party still lives.
//!
//! A party that claims a single-holder role (the consumer of any ring, the producer of an SPSC
//! ring) writes its [`PartyId`] into the role word instead of the anonymous `1` (ring.md §2.2).
//! A supervisor reads it back with [`Ring::holder`](crate::Ring::holder), asks a [`Probe`]
//! whether that party is alive, and recovers the role of a dead one with
//! [`Ring::release_if_dead`](crate::Ring::release_if_dead). The recovery matrix (which call for
//! which failure, and what each costs) is in the [crate docs](crate#recovery).
//!
//! The id is *informational*: the compare-and-swap on the role word is what keeps a role
//! exclusive, so two parties of one process (sharing a process id) still exclude each other.
//!
//! ```
//! use inos_ring::{PartyId, Ring, Role, Spsc};
//! let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
//! let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
//! let id = PartyId::new(4242).unwrap();
//! let _c = ring.consumer_as(id).unwrap();
//! assert_eq!(ring.holder(Role::Consumer), Some(id));
//! assert_eq!(ring.holder(Role::Producer), None); // free
//! ```

use core::fmt;
use core::num::NonZeroU32;

/// The identity a party writes into the role word it claims: any non-zero `u32`.
///
/// - `1` ([`PartyId::ANONYMOUS`]) says nothing about the party. It is what parties written before
///   identities existed store (the JavaScript reference party), what a Rust party stores where it
///   has no process id (`no_std`, wasm), and what a process whose id is 1 (a container's init)
///   ends up storing.
/// - Any other value is an id in a scheme the parties of a deployment agree on. The default
///   scheme of [`Ring::producer`](crate::Ring::producer) / [`Ring::consumer`](crate::Ring::consumer)
///   (with `std`, on Unix) is the **process id** ([`PartyId::current`]), which
///   [`PartyId::liveness`] checks with `kill(pid, 0)`. Other schemes (a lease, a heartbeat table
///   indexed by id) plug in through [`Probe`], with ids chosen by
///   [`Ring::producer_as`](crate::Ring::producer_as) / [`Ring::consumer_as`](crate::Ring::consumer_as).
///
/// ```
/// use inos_ring::PartyId;
/// assert_eq!(PartyId::new(0), None);
/// assert_eq!(PartyId::new(1), Some(PartyId::ANONYMOUS));
/// assert_eq!(PartyId::new(77).unwrap().get(), 77);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartyId(NonZeroU32);

impl PartyId {
    /// The anonymous id `1`: a claimed role whose holder cannot be told (liveness
    /// [`Unknown`](Liveness::Unknown)).
    ///
    /// ```
    /// assert!(inos_ring::PartyId::ANONYMOUS.is_anonymous());
    /// ```
    pub const ANONYMOUS: Self = Self(NonZeroU32::MIN);

    /// The id `id`, or `None` for 0 (0 means "free" in a role word).
    ///
    /// ```
    /// assert!(inos_ring::PartyId::new(0).is_none());
    /// ```
    pub const fn new(id: u32) -> Option<Self> {
        match NonZeroU32::new(id) {
            Some(id) => Some(Self(id)),
            None => None,
        }
    }

    /// The role-word value.
    ///
    /// ```
    /// assert_eq!(inos_ring::PartyId::ANONYMOUS.get(), 1);
    /// ```
    pub const fn get(self) -> u32 {
        self.0.get()
    }

    /// Whether this is [`PartyId::ANONYMOUS`].
    ///
    /// ```
    /// assert!(!inos_ring::PartyId::new(2).unwrap().is_anonymous());
    /// ```
    pub const fn is_anonymous(self) -> bool {
        self.0.get() == 1
    }

    /// The id a party of this process claims roles with by default: the process id with `std` on
    /// Unix, [`PartyId::ANONYMOUS`] elsewhere (`no_std`, wasm, Windows).
    ///
    /// Every party of one process shares it; that is fine, since the role's compare-and-swap, not
    /// the id, keeps roles exclusive. A process id identifies a process within one pid namespace:
    /// parties in different containers should agree on another scheme (see [`Probe`]).
    ///
    /// ```
    /// let me = inos_ring::PartyId::current();
    /// # #[cfg(unix)]
    /// assert_eq!(me.get(), std::process::id());
    /// ```
    pub fn current() -> Self {
        #[cfg(all(feature = "std", unix))]
        {
            let pid = rustix::process::getpid().as_raw_nonzero().get();
            // A process id is positive.
            Self::new(pid.unsigned_abs()).unwrap_or(Self::ANONYMOUS)
        }
        #[cfg(not(all(feature = "std", unix)))]
        {
            Self::ANONYMOUS
        }
    }

    /// Whether the process with this id lives, read as a **process id** (the default scheme):
    ///
    /// - [`Dead`](Liveness::Dead) when `kill(pid, 0)` fails with `ESRCH` (no such process);
    /// - [`Alive`](Liveness::Alive) when it succeeds or fails with `EPERM` (the process exists
    ///   but belongs to another user);
    /// - [`Unknown`](Liveness::Unknown) for [`PartyId::ANONYMOUS`], for ids above `i32::MAX` (not
    ///   a process id), on any other error, and without `std` or off Unix.
    ///
    /// Two limits of process ids, both erring on the side of "alive" (so nobody recovers a role
    /// whose holder still runs): a killed child stays a zombie, and reads `Alive`, until its
    /// parent reaps it (`wait`); and a dead process's id may be reused by an unrelated process.
    /// The one way to get `Dead` for a live holder is reading ids of another pid namespace:
    /// don't mix namespaces with this scheme.
    ///
    /// ```
    /// use inos_ring::{Liveness, PartyId};
    /// assert_eq!(PartyId::ANONYMOUS.liveness(), Liveness::Unknown);
    /// # #[cfg(unix)]
    /// assert_eq!(PartyId::current().liveness(), Liveness::Alive);
    /// ```
    pub fn liveness(self) -> Liveness {
        if self.is_anonymous() {
            return Liveness::Unknown;
        }
        #[cfg(all(feature = "std", unix))]
        {
            let Some(pid) = i32::try_from(self.get())
                .ok()
                .and_then(rustix::process::Pid::from_raw)
            else {
                return Liveness::Unknown;
            };
            match rustix::process::test_kill_process(pid) {
                Ok(()) => Liveness::Alive,
                Err(rustix::io::Errno::PERM) => Liveness::Alive,
                Err(rustix::io::Errno::SRCH) => Liveness::Dead,
                Err(_) => Liveness::Unknown,
            }
        }
        #[cfg(not(all(feature = "std", unix)))]
        {
            Liveness::Unknown
        }
    }

    /// `false` only when this id, read as a process id, is proven dead
    /// ([`liveness`](PartyId::liveness) is [`Dead`](Liveness::Dead)); an anonymous or unknown
    /// holder counts as alive, so a supervisor never frees a role it cannot prove abandoned.
    ///
    /// ```
    /// assert!(inos_ring::PartyId::ANONYMOUS.is_alive());
    /// assert!(inos_ring::PartyId::current().is_alive());
    /// ```
    pub fn is_alive(self) -> bool {
        self.liveness() != Liveness::Dead
    }
}

impl From<NonZeroU32> for PartyId {
    fn from(id: NonZeroU32) -> Self {
        Self(id)
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_anonymous() {
            f.write_str("anonymous party")
        } else {
            write!(f, "party {}", self.0)
        }
    }
}

/// What a [`Probe`] knows about a party.
///
/// ```
/// use inos_ring::{Liveness, PartyId};
/// assert_eq!(PartyId::ANONYMOUS.liveness(), Liveness::Unknown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Liveness {
    /// The party runs (or may run: a process id that exists).
    Alive,
    /// The party is proven gone: it will never store to the ring again.
    Dead,
    /// The probe cannot tell (an anonymous holder, an id outside its scheme).
    Unknown,
}

/// A liveness scheme: tells whether the party with an id is alive.
///
/// [`ProcessProbe`] reads ids as process ids; any `Fn(PartyId) -> Liveness` is a probe too, so a
/// deployment with its own scheme (leases, a heartbeat epoch per party that a watchdog checks,
/// workers whose exit the host observed) passes a closure. A probe must say
/// [`Dead`](Liveness::Dead) only for a party that will never touch the ring again: that is what
/// [`Ring::release_if_dead`](crate::Ring::release_if_dead) relies on.
///
/// ```
/// use inos_ring::{Liveness, PartyId, Probe, Ring, Role, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
/// // Worker ids the host saw exit:
/// let exited = [PartyId::new(7).unwrap()];
/// let probe = |id: PartyId| if exited.contains(&id) { Liveness::Dead } else { Liveness::Unknown };
/// core::mem::forget(ring.consumer_as(PartyId::new(7).unwrap()).unwrap()); // worker 7 crashed
/// assert_eq!(probe.probe(PartyId::new(7).unwrap()), Liveness::Dead);
/// assert_eq!(ring.release_if_dead(Role::Consumer, &probe), PartyId::new(7));
/// assert!(ring.consumer().is_ok());
/// ```
pub trait Probe {
    /// What is known about `party`.
    ///
    /// ```
    /// use inos_ring::{Liveness, PartyId, Probe};
    /// let nobody_knows = |_: PartyId| Liveness::Unknown;
    /// assert_eq!(nobody_knows.probe(PartyId::ANONYMOUS), Liveness::Unknown);
    /// ```
    fn probe(&self, party: PartyId) -> Liveness;
}

impl<F: Fn(PartyId) -> Liveness> Probe for F {
    fn probe(&self, party: PartyId) -> Liveness {
        self(party)
    }
}

/// The default scheme: ids are process ids, checked with `kill(pid, 0)`
/// ([`PartyId::liveness`]). Says [`Unknown`](Liveness::Unknown) for everything without `std` or
/// off Unix.
///
/// ```
/// use inos_ring::{Liveness, PartyId, ProcessProbe, Probe};
/// # #[cfg(unix)]
/// assert_eq!(ProcessProbe.probe(PartyId::current()), Liveness::Alive);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcessProbe;

impl Probe for ProcessProbe {
    fn probe(&self, party: PartyId) -> Liveness {
        party.liveness()
    }
}
