//! [`AttachError`] and [`DirectoryError`]: every way a region can be refused.

use core::fmt;

use crate::diff::{Fingerprint, LayoutDiff};
use crate::error::AccessError;
use crate::header::{InitState, DIR_ENTRY_LEN, PROTOCOL_MAJOR};
use crate::layout::{LayoutError, MAX_REGIONS};

/// Why a region directory was refused (inside [`AttachError::BadDirectory`]).
///
/// ```
/// use inos_layout::{AttachError, DirectoryError};
/// let e = AttachError::BadDirectory(DirectoryError::Count { found: 0 });
/// assert_eq!(e.to_string(), "corrupt region directory: region_count 0 is 0 or above 32");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DirectoryError {
    /// `directory_entry_len` is not [`DIR_ENTRY_LEN`].
    EntryLen {
        /// The value found.
        found: u32,
    },
    /// `region_count` is 0 or above [`MAX_REGIONS`].
    Count {
        /// The value found.
        found: u32,
    },
    /// `directory_offset` is not 8-aligned or lies inside the header.
    Offset {
        /// The value found.
        found: u32,
    },
    /// The directory does not fit inside the header region (or the total size).
    OutOfBounds,
    /// An entry's name is not a valid [`RegionName`](crate::RegionName).
    BadName {
        /// Position of the entry.
        index: usize,
    },
    /// The entries do not form a valid [`Layout`](crate::Layout) (overlap, misalignment, out of bounds, ...).
    Layout(LayoutError),
}

impl fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::EntryLen { found } => {
                write!(f, "directory_entry_len {found} is not {DIR_ENTRY_LEN}")
            }
            Self::Count { found } => {
                write!(f, "region_count {found} is 0 or above {MAX_REGIONS}")
            }
            Self::Offset { found } => write!(
                f,
                "directory_offset {found} is unaligned or inside the header"
            ),
            Self::OutOfBounds => f.write_str("the directory lies outside the header region"),
            Self::BadName { index } => write!(f, "entry #{index} has an invalid name"),
            Self::Layout(e) => write!(f, "{e}"),
        }
    }
}

/// Why [`attach`](crate::attach), [`create`](crate::create) or
/// [`create_or_attach`](crate::create_or_attach) refused a region.
///
/// `attach` checks, in this order: size (for the expected layout with [`attach`](crate::attach),
/// for the header with [`attach_any`](crate::attach_any)), base alignment, `init_state` (waiting
/// per the [`WaitPolicy`](crate::WaitPolicy)), magic, major version, `header_len`, `total_size`,
/// reserved words, feature bits, the directory, the directory's fingerprint, and (for
/// [`attach`](crate::attach)) the expected layout. Nothing is read before it is checked to be
/// inside the region, nothing is allocated, and nothing panics.
///
/// The `Display` text says what went wrong and, where there is one, what to do about it.
///
/// ```
/// use inos_layout::{attach, attach_any, standard::STANDARD_32MIB, AttachError, RegionBuf, WaitPolicy};
/// let buf = RegionBuf::new(4096).unwrap();
/// // Too small for the expected layout: said before anything else.
/// let err = attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap_err();
/// assert!(matches!(err, AttachError::TooSmall { len: 4096, needed: 0x200_0000 }));
/// // Large enough for a header, but nobody formatted it.
/// let err = attach_any(buf.region(), WaitPolicy::NO_WAIT).unwrap_err();
/// assert!(matches!(err, AttachError::NotReady { waited: false, .. }));
/// assert!(err.to_string().starts_with("region is not formatted"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttachError {
    /// The region is too small to hold a header (or the layout to be created).
    TooSmall {
        /// Length of the region.
        len: usize,
        /// Bytes needed.
        needed: u64,
    },
    /// The region base address is not a multiple of [`REGION_ALIGN`](crate::REGION_ALIGN).
    MisalignedBase {
        /// Required alignment.
        align: usize,
    },
    /// `init_state` did not become ready within the [`WaitPolicy`](crate::WaitPolicy).
    NotReady {
        /// The last state read.
        state: InitState,
        /// Whether the policy waited at all (`false` for [`WaitPolicy::NO_WAIT`](crate::WaitPolicy::NO_WAIT)).
        waited: bool,
    },
    /// `init_state` holds a value that is not an [`InitState`].
    BadInitState {
        /// The value found.
        found: u32,
    },
    /// `magic` is not [`MAGIC`](crate::header::MAGIC): this is not an inos region.
    BadMagic {
        /// The value found.
        found: u32,
    },
    /// The protocol major version differs from [`PROTOCOL_MAJOR`].
    IncompatibleVersion {
        /// Major version found.
        major: u32,
        /// Minor version found.
        minor: u32,
    },
    /// `header_len` is below [`HEADER_LEN`](crate::header::HEADER_LEN), above [`MAX_HEADER_LEN`](crate::header::MAX_HEADER_LEN), not 8-aligned, or past
    /// `total_size`.
    BadHeaderLen {
        /// The value found.
        found: u32,
    },
    /// `total_size` is larger than the region we were given.
    RegionTooSmall {
        /// `total_size` from the header.
        total_size: u64,
        /// Length of the region.
        len: usize,
    },
    /// A reserved header word is not zero.
    NonZeroReserved {
        /// Offset of the word.
        offset: usize,
    },
    /// `features` sets incompatible bits this version does not know.
    UnsupportedFeatures {
        /// The unknown incompatible bits.
        bits: u64,
    },
    /// The region directory is corrupt.
    BadDirectory(DirectoryError),
    /// The header's fingerprint does not match the directory it describes (corruption).
    DirectoryFingerprint {
        /// Fingerprint stored in the header.
        header: Fingerprint,
        /// Fingerprint computed from the directory.
        directory: Fingerprint,
    },
    /// The region holds a different layout from the one expected.
    FingerprintMismatch {
        /// Fingerprint of the expected layout.
        expected: Fingerprint,
        /// Fingerprint found in the header.
        found: Fingerprint,
        /// The first difference between the expected layout and the region's directory (see
        /// [`Layout::diff`](crate::Layout::diff)); `None` only if the directories agree and the
        /// fingerprints still differ, which a correct party never produces.
        diff: Option<LayoutDiff>,
    },
    /// The fingerprints agree but the directory differs from the expected layout (a hash
    /// collision, or a forged header).
    LayoutMismatch,
    /// [`create`](crate::create) found the region already claimed: formatted (`init_state` 2), being
    /// formatted (1), or left so by a party that crashed. [`attach`](crate::attach) to it, or
    /// [`reformat`](crate::reformat) it if no other party is using it.
    AlreadyInitialised {
        /// The `init_state` found.
        state: u32,
    },
    /// [`Attachment::require`](crate::Attachment::require) found no region of that name or
    /// position (converted with `?`).
    MissingRegion(RegionNotFound),
    /// An access-layer error (cannot happen after the checks above; kept for completeness).
    Access(AccessError),
}

impl From<AccessError> for AttachError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl From<RegionNotFound> for AttachError {
    fn from(e: RegionNotFound) -> Self {
        Self::MissingRegion(e)
    }
}

/// The words for an `init_state` value: `"2 (ready)"`.
struct StateWords(u32);

impl fmt::Display for StateWords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match InitState::from_u32(self.0) {
            Some(s) => write!(f, "{} ({})", self.0, s.name()),
            None => write!(f, "{} (not a valid state)", self.0),
        }
    }
}

impl fmt::Display for AttachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooSmall { len, needed } => write!(
                f,
                "region of {len} bytes is too small: {needed} are needed (size the file, mapping \
                 or buffer to the layout's total_size)"
            ),
            Self::MisalignedBase { align } => {
                write!(f, "region base is not aligned to {align} bytes")
            }
            Self::NotReady { state, waited } => {
                let s = StateWords(state as u32);
                match (state, waited) {
                    (InitState::Initialising, false) => write!(
                        f,
                        "region is being formatted by another party (init_state {s}) and the \
                         wait policy does not wait: attach with a WaitPolicy that waits"
                    ),
                    (InitState::Initialising, true) => write!(
                        f,
                        "region was still being formatted when the wait policy ran out (init_state \
                         {s}): if its formatter crashed, use `reformat` once no other party is \
                         using the region"
                    ),
                    (_, false) => write!(
                        f,
                        "region is not formatted (init_state {s}; checked once, without waiting): \
                         format it with `create` or `create_or_attach`, or attach with a \
                         WaitPolicy that waits for the party that does"
                    ),
                    (_, true) => write!(
                        f,
                        "region was still not formatted when the wait policy ran out (init_state \
                         {s}): is the party that creates it running? `create_or_attach` formats it \
                         if nobody has"
                    ),
                }
            }
            Self::BadInitState { found } => write!(f, "invalid init_state {found}"),
            Self::BadMagic { found } => write!(f, "bad magic {found:#010x}: not an inos region"),
            Self::IncompatibleVersion { major, minor } => write!(
                f,
                "protocol version {major}.{minor} is incompatible with major {PROTOCOL_MAJOR}"
            ),
            Self::BadHeaderLen { found } => write!(f, "invalid header_len {found}"),
            Self::RegionTooSmall { total_size, len } => write!(
                f,
                "header says the region has {total_size} bytes but only {len} are mapped"
            ),
            Self::NonZeroReserved { offset } => {
                write!(f, "reserved header word at offset {offset:#x} is not zero")
            }
            Self::UnsupportedFeatures { bits } => {
                write!(f, "unsupported incompatible feature bits {bits:#018x}")
            }
            Self::BadDirectory(e) => write!(f, "corrupt region directory: {e}"),
            Self::DirectoryFingerprint { header, directory } => write!(
                f,
                "header fingerprint {header} does not match its directory ({directory})"
            ),
            Self::FingerprintMismatch {
                expected,
                found,
                diff,
            } => {
                write!(
                    f,
                    "the region holds another layout (fingerprint {found}, expected {expected})"
                )?;
                if let Some(d) = diff {
                    write!(f, ": {d}")?;
                }
                f.write_str(
                    "; attach with the layout the region was formatted with (`attach_any` reads \
                     it), or `reformat` it with this one if no other party is using it",
                )
            }
            Self::LayoutMismatch => f.write_str("directory differs from the expected layout"),
            Self::AlreadyInitialised { state } => match InitState::from_u32(state) {
                Some(InitState::Initialising) => write!(
                    f,
                    "region is already being formatted (init_state {}): attach to it with \
                     `attach` or `create_or_attach`; if it was left so by a crashed run, use \
                     `reformat` (only if no other party is using it)",
                    StateWords(state)
                ),
                _ => write!(
                    f,
                    "region is already formatted (init_state {}): attach to it with `attach` or \
                     `create_or_attach`; to start afresh (a file left by a crashed run), use \
                     `reformat` (only if no other party is using it)",
                    StateWords(state)
                ),
            },
            Self::MissingRegion(e) => write!(f, "{e}"),
            Self::Access(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for AttachError {}

/// The region an [`Attachment::require`](crate::Attachment::require) asked for is not in the
/// layout: it names the region asked for (by name, or by position).
///
/// ```
/// use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
/// let buf = RegionBuf::new(32 << 20).unwrap();
/// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
/// let err = a.require("inbx").unwrap_err();
/// assert_eq!(err.name(), Some("inbx"));
/// assert_eq!(err.to_string(), "no region \"inbx\" in the layout (16 regions)");
/// assert_eq!(a.require(40).unwrap_err().index(), Some(40));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RegionNotFound {
    id: Id,
    regions: usize,
}

/// How a missing region was asked for. Names are kept up to [`Id::NAME_CAP`] bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Id {
    Index(usize),
    Name {
        bytes: [u8; Id::NAME_CAP],
        len: u8,
        cut: bool,
    },
    Unknown,
}

impl Id {
    const NAME_CAP: usize = 32;
}

impl RegionNotFound {
    /// No region named `name` in a layout of `regions` regions (names longer than 32 bytes are
    /// kept shortened).
    ///
    /// ```
    /// let e = inos_layout::RegionNotFound::named("ring", 3);
    /// assert_eq!(e.name(), Some("ring"));
    /// ```
    pub fn named(name: &str, regions: usize) -> Self {
        let mut end = name.len().min(Id::NAME_CAP);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; Id::NAME_CAP];
        bytes[..end].copy_from_slice(&name.as_bytes()[..end]);
        Self {
            id: Id::Name {
                bytes,
                len: end as u8,
                cut: end < name.len(),
            },
            regions,
        }
    }

    /// No region at position `index` in a layout of `regions` regions.
    ///
    /// ```
    /// let e = inos_layout::RegionNotFound::at(9, 3);
    /// assert_eq!((e.index(), e.regions()), (Some(9), 3));
    /// ```
    pub const fn at(index: usize, regions: usize) -> Self {
        Self {
            id: Id::Index(index),
            regions,
        }
    }

    /// A region asked for by an id that has neither a name nor a position (a custom
    /// [`RegionId`](crate::RegionId) that does not override
    /// [`not_found`](crate::RegionId::not_found)).
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionNotFound::unnamed(3).name(), None);
    /// ```
    pub const fn unnamed(regions: usize) -> Self {
        Self {
            id: Id::Unknown,
            regions,
        }
    }

    /// The name asked for, if it was asked for by name (shortened to 32 bytes).
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionNotFound::named("ledger", 2).name(), Some("ledger"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        match &self.id {
            // The bytes are a prefix of a `&str` cut at a char boundary.
            Id::Name { bytes, len, .. } => core::str::from_utf8(&bytes[..*len as usize]).ok(),
            _ => None,
        }
    }

    /// The position asked for, if it was asked for by position.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionNotFound::named("ledger", 2).index(), None);
    /// ```
    pub const fn index(&self) -> Option<usize> {
        match self.id {
            Id::Index(i) => Some(i),
            _ => None,
        }
    }

    /// How many regions the layout has.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionNotFound::at(5, 4).regions(), 4);
    /// ```
    pub const fn regions(&self) -> usize {
        self.regions
    }
}

impl fmt::Display for RegionNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.regions;
        match self.id {
            Id::Index(i) => write!(f, "no region #{i} in the layout ({n} regions)"),
            Id::Name { cut, .. } => {
                let dots = if cut { "..." } else { "" };
                write!(
                    f,
                    "no region \"{}{dots}\" in the layout ({n} regions)",
                    self.name().unwrap_or("")
                )
            }
            Id::Unknown => write!(f, "no such region in the layout ({n} regions)"),
        }
    }
}

impl fmt::Debug for RegionNotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RegionNotFound");
        match self.id {
            Id::Index(i) => d.field("index", &i),
            Id::Name { .. } => d.field("name", &self.name().unwrap_or("")),
            Id::Unknown => &mut d,
        };
        d.field("regions", &self.regions).finish()
    }
}

impl core::error::Error for RegionNotFound {}
