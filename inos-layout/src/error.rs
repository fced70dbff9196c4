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
///
/// // A slice that starts off an 8-byte boundary is refused for its base address.
/// #[repr(C, align(8))]
/// struct Aligned([u8; 24]);
/// let mut mem = Aligned([0; 24]);
/// let err = inos_layout::Region::new(&mut mem.0[4..20]).unwrap_err();
/// assert!(matches!(err, AccessError::MisalignedBase { align: 8, .. }));
/// assert!(err.to_string().starts_with("region base address 0x"));
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
    /// The base address of the memory a region was built over is not a multiple of the required
    /// alignment ([`REGION_ALIGN`](crate::REGION_ALIGN)): the slice or pointer given to
    /// [`Region::new`](crate::Region::new) / [`Region::from_raw_parts`](crate::Region::from_raw_parts)
    /// starts at an odd place.
    MisalignedBase {
        /// The base address.
        address: usize,
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

impl AccessError {
    /// The variant's name, a stable identifier for other languages and logs.
    ///
    /// ```
    /// assert_eq!(inos_layout::AccessError::NullPointer.name(), "NullPointer");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Self::OutOfBounds { .. } => "OutOfBounds",
            Self::Misaligned { .. } => "Misaligned",
            Self::MisalignedBase { .. } => "MisalignedBase",
            Self::NullPointer => "NullPointer",
            Self::TooLarge { .. } => "TooLarge",
        }
    }
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
            Self::MisalignedBase { address, align } => write!(
                f,
                "region base address {address:#x} is not aligned to {align} bytes: build the region \
                 over memory that starts on a multiple of {align} (an mmap, a RegionBuf, or a \
                 buffer with #[repr(align({align}))])"
            ),
            Self::NullPointer => f.write_str("region base pointer is null"),
            Self::TooLarge { len } => write!(f, "region of {len} bytes is too large"),
        }
    }
}

impl core::error::Error for AccessError {}

#[cfg(test)]
mod name_tests {
    use super::AccessError;

    /// `name()` is the variant's name: the start of its `Debug` form, whole.
    #[test]
    fn names_are_the_variant_names() {
        for e in [
            AccessError::OutOfBounds {
                offset: 0,
                len: 1,
                region_len: 0,
            },
            AccessError::Misaligned {
                offset: 1,
                align: 4,
            },
            AccessError::MisalignedBase {
                address: 1,
                align: 8,
            },
            AccessError::NullPointer,
            AccessError::TooLarge { len: 1 },
        ] {
            let debug = std::format!("{e:?}");
            let rest = debug.strip_prefix(e.name()).unwrap_or("x");
            assert!(!rest.starts_with(|c: char| c.is_alphanumeric()), "{debug}");
        }
    }
}
