//! Typed errors: every refusal has its own variant and a stable code.

use core::fmt;

use inos_layout::AccessError;

/// Why an arena operation was refused.
///
/// A refused operation leaves the arena as it was: an allocation that fails undoes every claim it
/// made (no leaked or overlapping range, ever). Variants named `Corrupt…` mean the shared bytes
/// break the format: another party wrote something it must not. They are reported, never trusted.
///
/// ```
/// use inos_arena::{required_len, Arena, Error};
/// use inos_layout::RegionBuf;
///
/// let buf = RegionBuf::new(required_len(8, 1).unwrap()).unwrap();
/// let arena = Arena::init(buf.region(), 8).unwrap();
/// let big = arena.alloc(256).unwrap(); // the only chunk
/// assert_eq!(arena.alloc(64).err(), Some(Error::OutOfMemory));
/// assert_eq!(arena.alloc(257).err(), Some(Error::TooLarge { len: 257 }));
/// drop(big);
/// assert!(arena.alloc(64).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The region is smaller than the header, or than the geometry requires.
    RegionTooSmall {
        /// Bytes the arena needs.
        needed: usize,
        /// Bytes the region has.
        len: usize,
    },
    /// The region could not be accessed (misaligned base or sub-range).
    Access(AccessError),
    /// The first word is not [`MAGIC`](crate::layout::MAGIC): this is not an arena region.
    BadMagic(u32),
    /// The header names a version this crate does not speak.
    UnsupportedVersion(u32),
    /// The header is inconsistent: a chunk size or count out of range, a derived field that does
    /// not match, a reserved byte that is not zero (or, for `init`, a geometry that cannot be).
    CorruptHeader,
    /// A chunk state word holds an unknown tag, or a count or run length out of range.
    CorruptChunk {
        /// Index of the chunk.
        index: u32,
    },
    /// The block can never fit: longer than the arena's data area or than `u32` offsets allow.
    TooLarge {
        /// The requested length.
        len: u32,
    },
    /// No free space of the needed size right now (everything claimed was rolled back).
    OutOfMemory,
    /// The reference's range is not inside the arena's data area.
    RefOutOfRange,
    /// The reference's offset is not on a block boundary of its length's size class, or its
    /// reserved word is not zero: it was never issued by an arena.
    RefMisaligned,
    /// The block is no longer the one the reference names: freed, reused (its generation moved
    /// on), or its chunk now holds another size class. A stale reference can never act again.
    Stale,
    /// `open` of an exclusive block that is not in transit (already opened by a receiver, or
    /// never sent).
    NotSent,
    /// The block is exclusive and owned by another party (or it is shared and the operation
    /// needs an exclusive block, or the reverse).
    NotOwner,
    /// `share` would take the reference count past [`MAX_REFS`](crate::layout::MAX_REFS).
    TooManyRefs,
    /// `reclaim_party` of the anonymous party, whose blocks cannot be told apart.
    AnonymousParty,
    /// A word kept changing under a bounded retry loop (another party writes it continuously, which
    /// a conforming party never does).
    Contended,
}

/// Every arena error as `(code, name)`, in code order: the table of `docs/protocol/arena.md` §7.
///
/// The code is the error's stable number on the wire; a code is never reused for another meaning.
///
/// ```
/// use inos_arena::{Error, ERROR_CODES};
/// let e = Error::Stale;
/// assert_eq!(ERROR_CODES[e.code() as usize - 1], (e.code(), e.name()));
/// ```
pub const ERROR_CODES: [(u32, &str); 16] = [
    (1, "RegionTooSmall"),
    (2, "Access"),
    (3, "BadMagic"),
    (4, "UnsupportedVersion"),
    (5, "CorruptHeader"),
    (6, "CorruptChunk"),
    (7, "TooLarge"),
    (8, "OutOfMemory"),
    (9, "RefOutOfRange"),
    (10, "RefMisaligned"),
    (11, "Stale"),
    (12, "NotSent"),
    (13, "NotOwner"),
    (14, "TooManyRefs"),
    (15, "AnonymousParty"),
    (16, "Contended"),
];

impl Error {
    /// The error's number in `docs/protocol/arena.md` §7 (see [`ERROR_CODES`]).
    ///
    /// ```
    /// assert_eq!(inos_arena::Error::OutOfMemory.code(), 8);
    /// ```
    pub const fn code(&self) -> u32 {
        match self {
            Self::RegionTooSmall { .. } => 1,
            Self::Access(_) => 2,
            Self::BadMagic(_) => 3,
            Self::UnsupportedVersion(_) => 4,
            Self::CorruptHeader => 5,
            Self::CorruptChunk { .. } => 6,
            Self::TooLarge { .. } => 7,
            Self::OutOfMemory => 8,
            Self::RefOutOfRange => 9,
            Self::RefMisaligned => 10,
            Self::Stale => 11,
            Self::NotSent => 12,
            Self::NotOwner => 13,
            Self::TooManyRefs => 14,
            Self::AnonymousParty => 15,
            Self::Contended => 16,
        }
    }

    /// The error's name in `docs/protocol/arena.md` §7 (the variant's name).
    ///
    /// ```
    /// assert_eq!(inos_arena::Error::Stale.name(), "Stale");
    /// ```
    pub const fn name(&self) -> &'static str {
        ERROR_CODES[self.code() as usize - 1].1
    }
}

impl From<AccessError> for Error {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::RegionTooSmall { needed, len } => {
                write!(f, "arena needs {needed} bytes but the region has {len}")
            }
            Self::Access(e) => write!(f, "region access failed: {e}"),
            Self::BadMagic(m) => write!(f, "bad arena magic {m:#010x}"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported arena version {v}"),
            Self::CorruptHeader => f.write_str("corrupt arena header"),
            Self::CorruptChunk { index } => write!(f, "corrupt chunk state {index}"),
            Self::TooLarge { len } => write!(f, "a block of {len} bytes can never fit"),
            Self::OutOfMemory => f.write_str("arena out of memory"),
            Self::RefOutOfRange => f.write_str("block reference out of range"),
            Self::RefMisaligned => f.write_str("block reference not on a block boundary"),
            Self::Stale => f.write_str("stale block reference (freed or reused)"),
            Self::NotSent => f.write_str("block is not in transit (already opened or never sent)"),
            Self::NotOwner => f.write_str("block is owned by another party"),
            Self::TooManyRefs => f.write_str("too many references to a shared block"),
            Self::AnonymousParty => f.write_str("cannot reclaim the anonymous party"),
            Self::Contended => f.write_str("a shared word kept changing (bounded retries)"),
        }
    }
}

impl core::error::Error for Error {}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_unique_and_named_after_the_variant() {
        let all = [
            Error::RegionTooSmall { needed: 1, len: 0 },
            Error::Access(AccessError::NullPointer),
            Error::BadMagic(0),
            Error::UnsupportedVersion(0),
            Error::CorruptHeader,
            Error::CorruptChunk { index: 0 },
            Error::TooLarge { len: 0 },
            Error::OutOfMemory,
            Error::RefOutOfRange,
            Error::RefMisaligned,
            Error::Stale,
            Error::NotSent,
            Error::NotOwner,
            Error::TooManyRefs,
            Error::AnonymousParty,
            Error::Contended,
        ];
        assert_eq!(all.len(), ERROR_CODES.len());
        for (i, e) in all.iter().enumerate() {
            assert_eq!(e.code() as usize, i + 1, "{e:?}");
            let debug = std::format!("{e:?}");
            assert!(debug.starts_with(e.name()), "{debug} vs {}", e.name());
            assert!(!std::format!("{e}").is_empty());
        }
    }
}
