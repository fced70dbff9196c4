//! Typed errors of the access layer.

use core::fmt;

/// Why an access to a shared region was refused.
///
/// Every offset and length, whether it came from the caller or was read from shared memory, is
/// checked before any byte is touched; a bad one yields one of these, never a panic.
///
/// ```
/// use inos_layout::{AccessError, RegionBuf};
/// let buf = RegionBuf::new(64).unwrap();
/// let r = buf.region();
/// assert!(matches!(r.u32_at(62), Err(AccessError::OutOfBounds { .. })));
/// assert!(matches!(r.u32_at(2), Err(AccessError::Misaligned { .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AccessError {
    /// `offset + len` does not fit in the region (or overflows `usize`).
    OutOfBounds {
        /// Requested offset, relative to the region.
        offset: usize,
        /// Requested length in bytes.
        len: usize,
        /// Length of the region.
        region_len: usize,
    },
    /// The offset (or the resulting address) is not a multiple of the required alignment.
    Misaligned {
        /// Requested offset, relative to the region.
        offset: usize,
        /// Required alignment in bytes.
        align: usize,
    },
    /// A raw base pointer was null.
    NullPointer,
    /// A region length exceeds `isize::MAX`, or an allocation could not be made.
    TooLarge {
        /// Requested length in bytes.
        len: usize,
    },
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::OutOfBounds {
                offset,
                len,
                region_len,
            } => write!(
                f,
                "access of {len} bytes at offset {offset} is outside a region of {region_len} bytes"
            ),
            Self::Misaligned { offset, align } => {
                write!(f, "offset {offset} is not aligned to {align} bytes")
            }
            Self::NullPointer => f.write_str("region base pointer is null"),
            Self::TooLarge { len } => write!(f, "region of {len} bytes is too large"),
        }
    }
}

impl core::error::Error for AccessError {}
