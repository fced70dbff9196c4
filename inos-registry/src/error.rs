//! Typed errors: every refusal has its own variant and a stable code (`registry.md` §8).

use core::fmt;

use inos_layout::AccessError;

/// Why a registry operation was refused.
///
/// Variants named `Corrupt…` mean the shared bytes break the format: another party wrote
/// something it must not. They are reported, never trusted. A refused registration leaves no
/// trace but a bumped generation on the entry it had claimed.
///
/// ```
/// use inos_layout::RegionBuf;
/// use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError};
///
/// let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
/// let reg = ModuleRegistry::init(buf.region(), 4).unwrap();
/// let fields = ModuleFields::default();
/// reg.register(PartyId::ANONYMOUS, b"gpu", &fields).unwrap();
/// assert!(matches!(
///     reg.register(PartyId::ANONYMOUS, b"gpu", &fields),
///     Err(RegistryError::AlreadyRegistered { .. })
/// ));
/// assert_eq!(reg.lookup(b"cpu").unwrap_err(), RegistryError::NotFound);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryError {
    /// The region is smaller than the header, or than the header's entries need.
    RegionTooSmall {
        /// Bytes the table needs.
        needed: usize,
        /// Bytes the region has.
        len: usize,
    },
    /// The region could not be accessed (misaligned base or sub-range).
    Access(AccessError),
    /// The first word is not [`MAGIC`](crate::layout::MAGIC): this is not a registry table.
    BadMagic(u32),
    /// The header names a version this crate does not speak.
    UnsupportedVersion(u32),
    /// The table holds another kind of entry (a supervisor table attached as a module registry,
    /// or the other way round), or its entry length is not the kind's.
    WrongKind {
        /// The kind this handle expects.
        expected: u32,
        /// The kind word found.
        found: u32,
    },
    /// The header's entry count or probe limit is out of range, or a reserved word is not zero.
    CorruptHeader,
    /// `init` was asked for 0 entries, more than `MAX_ENTRIES`, or a probe limit outside
    /// `1..=min(count, MAX_PROBES)`.
    InvalidCapacity,
    /// The id is empty or longer than `ID_MAX` (16) bytes.
    InvalidId {
        /// Length of the id passed in.
        len: usize,
    },
    /// A field cannot be encoded: a name longer than 16 bytes, a `ring` / `epoch` reference equal
    /// to the `NONE` marker, more than 7 supervised modules.
    InvalidField,
    /// An entry with this id is live (or a concurrent registration of the id has priority).
    AlreadyRegistered {
        /// The slot of the existing entry.
        slot: u32,
    },
    /// Every entry of the id's probe window is claimed.
    Full,
    /// No live entry has this id.
    NotFound,
    /// The handle's slot is not below the table's entry count.
    NoSuchSlot,
    /// The entry is no longer the one the handle names: it was unregistered, reclaimed, or
    /// re-registered under a later generation.
    Stale,
    /// An entry breaks the format (bad id length or hash, non-zero padding, a live entry with no
    /// claim holder, an unexpected phase).
    CorruptEntry {
        /// The slot of the entry.
        slot: u32,
    },
    /// Every read attempt overlapped a write: the entry's writer seems dead mid-write (its
    /// sequence word stays odd) or keeps rewriting it. Reclaim dead parties, or retry later.
    WriterStalled {
        /// The slot of the entry.
        slot: u32,
    },
    /// The entry's last write was abandoned unpublished (the writer dropped it, or a reclaim cut
    /// it off); it has no consistent record until the next write.
    Abandoned {
        /// The slot of the entry.
        slot: u32,
    },
    /// Another write of this entry is in progress, or a concurrent registration of the same id
    /// did not resolve within the wait bound (its registrant may have died; reclaim it).
    Busy {
        /// The slot of the entry.
        slot: u32,
    },
}

/// Every registry error as `(code, name)`, in code order: the table of
/// `docs/protocol/registry.md` §8. A code is never reused for another meaning.
///
/// ```
/// use inos_registry::{RegistryError, ERROR_CODES};
/// let e = RegistryError::Full;
/// assert_eq!(ERROR_CODES[e.code() as usize - 1], (e.code(), e.name()));
/// ```
pub const ERROR_CODES: [(u32, &str); 18] = [
    (1, "RegionTooSmall"),
    (2, "Access"),
    (3, "BadMagic"),
    (4, "UnsupportedVersion"),
    (5, "WrongKind"),
    (6, "CorruptHeader"),
    (7, "InvalidCapacity"),
    (8, "InvalidId"),
    (9, "InvalidField"),
    (10, "AlreadyRegistered"),
    (11, "Full"),
    (12, "NotFound"),
    (13, "NoSuchSlot"),
    (14, "Stale"),
    (15, "CorruptEntry"),
    (16, "WriterStalled"),
    (17, "Abandoned"),
    (18, "Busy"),
];

impl RegistryError {
    /// The error's number in `docs/protocol/registry.md` §8 (see [`ERROR_CODES`]).
    ///
    /// ```
    /// assert_eq!(inos_registry::RegistryError::Stale.code(), 14);
    /// ```
    pub const fn code(&self) -> u32 {
        match self {
            Self::RegionTooSmall { .. } => 1,
            Self::Access(_) => 2,
            Self::BadMagic(_) => 3,
            Self::UnsupportedVersion(_) => 4,
            Self::WrongKind { .. } => 5,
            Self::CorruptHeader => 6,
            Self::InvalidCapacity => 7,
            Self::InvalidId { .. } => 8,
            Self::InvalidField => 9,
            Self::AlreadyRegistered { .. } => 10,
            Self::Full => 11,
            Self::NotFound => 12,
            Self::NoSuchSlot => 13,
            Self::Stale => 14,
            Self::CorruptEntry { .. } => 15,
            Self::WriterStalled { .. } => 16,
            Self::Abandoned { .. } => 17,
            Self::Busy { .. } => 18,
        }
    }

    /// The error's name in `docs/protocol/registry.md` §8 (the variant's name).
    ///
    /// ```
    /// assert_eq!(inos_registry::RegistryError::NotFound.name(), "NotFound");
    /// ```
    pub const fn name(&self) -> &'static str {
        ERROR_CODES[self.code() as usize - 1].1
    }
}

impl From<AccessError> for RegistryError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::RegionTooSmall { needed, len } => {
                write!(f, "registry needs {needed} bytes but the region has {len}")
            }
            Self::Access(e) => write!(f, "region access failed: {e}"),
            Self::BadMagic(m) => write!(f, "bad registry magic {m:#010x}"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported registry version {v}"),
            Self::WrongKind { expected, found } => {
                write!(
                    f,
                    "registry kind {found} where kind {expected} was expected"
                )
            }
            Self::CorruptHeader => f.write_str("corrupt registry header"),
            Self::InvalidCapacity => f.write_str("invalid entry count or probe limit"),
            Self::InvalidId { len } => write!(f, "invalid id length {len} (1 to 16 bytes)"),
            Self::InvalidField => f.write_str("a field cannot be encoded"),
            Self::AlreadyRegistered { slot } => write!(f, "id already registered at slot {slot}"),
            Self::Full => f.write_str("no free entry in the id's probe window"),
            Self::NotFound => f.write_str("no live entry with this id"),
            Self::NoSuchSlot => f.write_str("slot out of range"),
            Self::Stale => f.write_str("handle is stale (entry unregistered or re-registered)"),
            Self::CorruptEntry { slot } => write!(f, "corrupt registry entry {slot}"),
            Self::WriterStalled { slot } => {
                write!(
                    f,
                    "entry {slot} stayed mid-write through every read attempt"
                )
            }
            Self::Abandoned { slot } => write!(f, "entry {slot} holds an abandoned write"),
            Self::Busy { slot } => write!(f, "entry {slot} is busy"),
        }
    }
}

impl core::error::Error for RegistryError {}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dense_unique_and_named_after_the_variant() {
        let all = [
            RegistryError::RegionTooSmall { needed: 1, len: 0 },
            RegistryError::Access(AccessError::NullPointer),
            RegistryError::BadMagic(0),
            RegistryError::UnsupportedVersion(0),
            RegistryError::WrongKind {
                expected: 1,
                found: 2,
            },
            RegistryError::CorruptHeader,
            RegistryError::InvalidCapacity,
            RegistryError::InvalidId { len: 0 },
            RegistryError::InvalidField,
            RegistryError::AlreadyRegistered { slot: 0 },
            RegistryError::Full,
            RegistryError::NotFound,
            RegistryError::NoSuchSlot,
            RegistryError::Stale,
            RegistryError::CorruptEntry { slot: 0 },
            RegistryError::WriterStalled { slot: 0 },
            RegistryError::Abandoned { slot: 0 },
            RegistryError::Busy { slot: 0 },
        ];
        assert_eq!(all.len(), ERROR_CODES.len());
        for (i, e) in all.iter().enumerate() {
            assert_eq!(e.code() as usize, i + 1, "{e:?}");
            let debug = format!("{e:?}");
            assert!(debug.starts_with(e.name()), "{debug} vs {}", e.name());
            assert!(!e.to_string().is_empty());
        }
    }
}
