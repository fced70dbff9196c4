//! Typed errors of the ring.

use core::fmt;

use inos_layout::AccessError;

/// Which role a claim was about.
///
/// ```
/// assert_eq!(inos_ring::Role::Consumer.to_string(), "consumer");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// The single consumer of any ring.
    Consumer,
    /// The single producer of an SPSC ring.
    Producer,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Consumer => "consumer",
            Role::Producer => "producer",
        })
    }
}

/// A ring kind as the `KIND` header word names it, for errors: [`Spsc`](crate::Spsc) or
/// [`Mpsc`](crate::Mpsc).
///
/// ```
/// use inos_ring::{layout, RingKind};
/// assert_eq!(RingKind::from_word(layout::KIND_MPSC), Some(RingKind::Mpsc));
/// assert_eq!(RingKind::Spsc.word(), layout::KIND_SPSC);
/// assert_eq!(RingKind::Mpsc.to_string(), "MPSC");
/// assert_eq!(RingKind::from_word(3), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RingKind {
    /// Single producer, single consumer ([`layout::KIND_SPSC`](crate::layout::KIND_SPSC)).
    Spsc,
    /// Multiple producers, single consumer ([`layout::KIND_MPSC`](crate::layout::KIND_MPSC)).
    Mpsc,
}

impl RingKind {
    /// The kind a `KIND` word names, if any.
    ///
    /// ```
    /// assert_eq!(inos_ring::RingKind::from_word(1), Some(inos_ring::RingKind::Spsc));
    /// ```
    pub const fn from_word(word: u32) -> Option<Self> {
        match word {
            crate::layout::KIND_SPSC => Some(Self::Spsc),
            crate::layout::KIND_MPSC => Some(Self::Mpsc),
            _ => None,
        }
    }

    /// The `KIND` word of this kind.
    ///
    /// ```
    /// assert_eq!(inos_ring::RingKind::Mpsc.word(), 2);
    /// ```
    pub const fn word(self) -> u32 {
        match self {
            Self::Spsc => crate::layout::KIND_SPSC,
            Self::Mpsc => crate::layout::KIND_MPSC,
        }
    }

    /// The Rust type parameter of a ring of this kind, as it appears in code (`"Spsc"`).
    const fn type_name(self) -> &'static str {
        match self {
            Self::Spsc => "Spsc",
            Self::Mpsc => "Mpsc",
        }
    }
}

impl fmt::Display for RingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Spsc => "SPSC",
            Self::Mpsc => "MPSC",
        })
    }
}

/// What was found wrong in shared memory.
///
/// ```
/// let c = inos_ring::Corruption::BadState { position: 8, state: 7 };
/// assert!(c.to_string().contains("state"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Corruption {
    /// `tail - head` exceeds the capacity, or a position is not 8-aligned.
    Positions {
        /// The head position read or held.
        head: u32,
        /// The tail position read.
        tail: u32,
    },
    /// A record state word holds no defined value (or a busy tag for another position).
    BadState {
        /// Position of the record.
        position: u32,
        /// The state word found.
        state: u32,
    },
    /// A record length would cross the end of the data area or the tail.
    BadLength {
        /// Position of the record.
        position: u32,
        /// The length word found.
        length: u32,
    },
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Corruption::Positions { head, tail } => {
                write!(f, "inconsistent positions head {head} tail {tail}")
            }
            Corruption::BadState { position, state } => {
                write!(
                    f,
                    "record at position {position} has invalid state {state:#x}"
                )
            }
            Corruption::BadLength { position, length } => {
                write!(
                    f,
                    "record at position {position} has invalid length {length}"
                )
            }
        }
    }
}

/// Why a ring operation failed.
///
/// `Full` and `Empty` are the everyday outcomes of the non-blocking calls; everything else means a
/// caller bug, a misbehaving peer or corrupted shared memory, and never a panic.
///
/// ```
/// use inos_ring::{Error, Ring, Spsc};
/// let buf = inos_layout::RegionBuf::new(inos_ring::layout::required_len(64)).unwrap();
/// let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
/// let mut c = ring.consumer().unwrap();
/// assert_eq!(c.try_pop(&mut [0u8; 8]), Err(Error::Empty));
/// assert!(matches!(ring.consumer(), Err(Error::RoleTaken(inos_ring::Role::Consumer))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// No room for the record now.
    Full,
    /// No committed message now.
    Empty,
    /// The payload exceeds [`max_message`](crate::Ring::max_message).
    TooLarge {
        /// Requested payload length.
        len: usize,
        /// Largest payload this ring accepts.
        max: usize,
    },
    /// The caller's buffer is shorter than the message (the message stays in the ring).
    BufferTooSmall {
        /// Length of the message.
        needed: usize,
    },
    /// A `pop_pod` found a message of another size (the message stays in the ring), or a
    /// [`FixedProducer::try_push_bytes`](crate::FixedProducer::try_push_bytes) was given a
    /// message of another size than the ring's (nothing is written).
    SizeMismatch {
        /// The size the call needs: `size_of::<T>()`, or the ring's message size.
        expected: usize,
        /// Length of the message (found in the ring, or given).
        found: usize,
    },
    /// The role is held by another party (defect 7: one consumer, one SPSC producer).
    RoleTaken(Role),
    /// The consumer declared this reservation dead and turned it into padding; the message was
    /// not delivered.
    Unblocked,
    /// A blocking call reached its deadline.
    TimedOut,
    /// The region is too small, misaligned or out of bounds.
    Access(AccessError),
    /// The capacity is not a power of two in `64..=2^31` (or does not fit the region).
    BadCapacity {
        /// The capacity requested or found.
        capacity: u32,
    },
    /// The region does not start with the ring magic.
    BadMagic {
        /// The word found.
        found: u32,
    },
    /// The ring was written by an unsupported wire-format version.
    BadVersion {
        /// The version found.
        found: u32,
    },
    /// The ring is of the other kind: an MPSC ring attached as SPSC, or the reverse.
    WrongKind {
        /// The kind asked for (the `Ring<K>` type parameter).
        expected: RingKind,
        /// The kind in the ring's header.
        found: RingKind,
    },
    /// The `KIND` word names no ring kind (neither [`KIND_SPSC`](crate::layout::KIND_SPSC) nor
    /// [`KIND_MPSC`](crate::layout::KIND_MPSC)).
    BadKind {
        /// The kind word found.
        found: u32,
    },
    /// The `MODE` word is neither `MODE_WAKE` nor `MODE_POLL`.
    BadMode {
        /// The mode word found.
        found: u32,
    },
    /// A reserved header word is not zero (a newer or foreign writer; spec §2).
    Reserved {
        /// Offset of the word in the ring header.
        offset: usize,
        /// The word found.
        found: u32,
    },
    /// The ring's message size is not the one this handle works with: a variable-length
    /// [`Producer`](crate::Producer) or [`Consumer`](crate::Consumer) on a fixed-size ring, or a
    /// [`FixedProducer`](crate::FixedProducer) / [`FixedConsumer`](crate::FixedConsumer) of a
    /// type of another size, or on a variable-length ring (`0` stands for variable-length).
    MessageSize {
        /// The size this handle needs (`0`: variable-length).
        expected: u32,
        /// The ring's `MESSAGE_SIZE` word.
        found: u32,
    },
    /// A fixed message size that no ring may have: `0` for a fixed-size ring, more than
    /// [`max_message`](crate::Ring::max_message), or a non-zero `MESSAGE_SIZE` on an MPSC ring
    /// (fixed-size rings are SPSC only, spec §3.3).
    BadMessageSize {
        /// The size requested or found.
        found: u32,
    },
    /// Shared memory holds values no correct party writes; the owner can [`reset`](crate::Ring::reset).
    Corrupt(Corruption),
}

impl Error {
    /// The variant's name, a stable identifier for other languages and logs (the `InosError`
    /// `code` of the browser package is this name).
    ///
    /// ```
    /// use inos_ring::{Corruption, Error};
    /// assert_eq!(Error::Full.name(), "Full");
    /// assert_eq!(Error::TooLarge { len: 9, max: 8 }.name(), "TooLarge");
    /// assert_eq!(Error::Corrupt(Corruption::BadState { position: 0, state: 7 }).name(), "Corrupt");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Error::Full => "Full",
            Error::Empty => "Empty",
            Error::TooLarge { .. } => "TooLarge",
            Error::BufferTooSmall { .. } => "BufferTooSmall",
            Error::SizeMismatch { .. } => "SizeMismatch",
            Error::RoleTaken(_) => "RoleTaken",
            Error::Unblocked => "Unblocked",
            Error::TimedOut => "TimedOut",
            Error::Access(_) => "Access",
            Error::BadCapacity { .. } => "BadCapacity",
            Error::BadMagic { .. } => "BadMagic",
            Error::BadVersion { .. } => "BadVersion",
            Error::WrongKind { .. } => "WrongKind",
            Error::BadKind { .. } => "BadKind",
            Error::BadMode { .. } => "BadMode",
            Error::Reserved { .. } => "Reserved",
            Error::MessageSize { .. } => "MessageSize",
            Error::BadMessageSize { .. } => "BadMessageSize",
            Error::Corrupt(_) => "Corrupt",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Full => f.write_str("ring is full"),
            Error::Empty => f.write_str("ring is empty"),
            Error::TooLarge { len, max } => {
                write!(f, "message of {len} bytes exceeds the maximum of {max}")
            }
            Error::BufferTooSmall { needed } => {
                write!(f, "buffer too small for a message of {needed} bytes")
            }
            Error::SizeMismatch { expected, found } => {
                write!(f, "message of {found} bytes where {expected} were expected")
            }
            Error::RoleTaken(r) => write!(f, "the {r} role is already claimed"),
            Error::Unblocked => f.write_str("reservation was unblocked by the consumer"),
            Error::TimedOut => f.write_str("deadline reached"),
            Error::Access(e) => write!(f, "region access: {e}"),
            Error::BadCapacity { capacity } => write!(f, "invalid ring capacity {capacity}"),
            Error::BadMagic { found } => write!(f, "not a ring (magic {found:#x})"),
            Error::BadVersion { found } => write!(f, "unsupported ring version {found}"),
            Error::WrongKind { expected, found } => write!(
                f,
                "the ring is {found}, not {expected}: attach it as Ring::<{}>",
                found.type_name()
            ),
            Error::BadKind { found } => write!(
                f,
                "unknown ring kind word {found} (SPSC is {}, MPSC {})",
                crate::layout::KIND_SPSC,
                crate::layout::KIND_MPSC
            ),
            Error::BadMode { found } => write!(f, "unknown ring mode {found}"),
            Error::Reserved { offset, found } => {
                write!(
                    f,
                    "reserved ring header word at {offset} is {found:#x}, not 0"
                )
            }
            Error::MessageSize { expected, found } => write!(
                f,
                "the ring holds {} messages, this handle works with {} messages",
                SizeName(found),
                SizeName(expected)
            ),
            Error::BadMessageSize { found } => {
                write!(f, "invalid fixed message size {found}")
            }
            Error::Corrupt(c) => write!(f, "ring corrupted: {c}"),
        }
    }
}

impl core::error::Error for Error {}

impl Error {
    /// The error for a `KIND` word `found` where `expected` was asked for: [`Error::WrongKind`]
    /// if `found` names the other kind, [`Error::BadKind`] if it names none.
    pub(crate) const fn kind_mismatch(expected: u32, found: u32) -> Self {
        match (RingKind::from_word(expected), RingKind::from_word(found)) {
            (Some(expected), Some(found)) => Error::WrongKind { expected, found },
            _ => Error::BadKind { found },
        }
    }
}

/// A `MESSAGE_SIZE` value as words: `0` is variable-length, `n` is `n-byte`.
struct SizeName(u32);

impl fmt::Display for SizeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("variable-length"),
            n => write!(f, "{n}-byte"),
        }
    }
}

impl From<AccessError> for Error {
    fn from(e: AccessError) -> Self {
        Error::Access(e)
    }
}

impl From<Corruption> for Error {
    fn from(c: Corruption) -> Self {
        Error::Corrupt(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `name()` is the variant's name: the start of its `Debug` form, whole.
    #[test]
    fn names_are_the_variant_names() {
        let kind = RingKind::Spsc;
        let all = [
            Error::Full,
            Error::Empty,
            Error::TooLarge { len: 1, max: 0 },
            Error::BufferTooSmall { needed: 1 },
            Error::SizeMismatch {
                expected: 1,
                found: 2,
            },
            Error::RoleTaken(Role::Consumer),
            Error::Unblocked,
            Error::TimedOut,
            Error::Access(AccessError::NullPointer),
            Error::BadCapacity { capacity: 3 },
            Error::BadMagic { found: 0 },
            Error::BadVersion { found: 3 },
            Error::WrongKind {
                expected: kind,
                found: RingKind::Mpsc,
            },
            Error::BadKind { found: 9 },
            Error::BadMode { found: 9 },
            Error::Reserved {
                offset: 60,
                found: 1,
            },
            Error::Corrupt(Corruption::BadState {
                position: 0,
                state: 7,
            }),
        ];
        for e in all {
            let debug = std::format!("{e:?}");
            let rest = debug.strip_prefix(e.name()).unwrap_or("x");
            assert!(
                !rest.starts_with(|c: char| c.is_alphanumeric()),
                "{debug} / {}",
                e.name()
            );
        }
    }
}
