//! [`AttachError`] and [`DirectoryError`]: every way a region can be refused.

use core::fmt;

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
/// `attach` checks, in this order: size for the header, base alignment, `init_state` (waiting
/// per the [`WaitPolicy`](crate::WaitPolicy)), magic, major version, `header_len`, `total_size`, reserved words,
/// feature bits, the directory, the directory's fingerprint, and (for [`attach`](crate::attach)) the expected
/// layout. Nothing is read before it is checked to be inside the region, nothing is allocated,
/// and nothing panics.
///
/// ```
/// use inos_layout::{attach, standard::STANDARD_32MIB, AttachError, RegionBuf, WaitPolicy};
/// let buf = RegionBuf::new(4096).unwrap();
/// let err = attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap_err();
/// assert!(matches!(err, AttachError::NotReady { .. }));
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
        header: u64,
        /// Fingerprint computed from the directory.
        directory: u64,
    },
    /// The region holds a different layout from the one expected.
    FingerprintMismatch {
        /// Fingerprint of the expected layout.
        expected: u64,
        /// Fingerprint found in the header.
        found: u64,
    },
    /// The fingerprints agree but the directory differs from the expected layout (a hash
    /// collision, or a forged header).
    LayoutMismatch,
    /// [`create`](crate::create) found the region already claimed.
    AlreadyInitialised {
        /// The `init_state` found.
        state: u32,
    },
    /// An access-layer error (cannot happen after the checks above; kept for completeness).
    Access(AccessError),
}

impl From<AccessError> for AttachError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl fmt::Display for AttachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TooSmall { len, needed } => {
                write!(
                    f,
                    "region of {len} bytes is smaller than the {needed} needed"
                )
            }
            Self::MisalignedBase { align } => {
                write!(f, "region base is not aligned to {align} bytes")
            }
            Self::NotReady { state } => write!(f, "region not ready in time (state {state:?})"),
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
                "header fingerprint {header:#018x} does not match its directory ({directory:#018x})"
            ),
            Self::FingerprintMismatch { expected, found } => write!(
                f,
                "layout fingerprint {found:#018x} differs from the expected {expected:#018x}"
            ),
            Self::LayoutMismatch => f.write_str("directory differs from the expected layout"),
            Self::AlreadyInitialised { state } => {
                write!(f, "region already claimed (init_state {state})")
            }
            Self::Access(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for AttachError {}
