//! The self-describing header at offset 0 of every inos region, and the region directory after it.
//!
//! Wire format (all fields little-endian `u32` words, so a party without 64-bit atomics, such as
//! a Cortex-M or a JS `Int32Array`, reads it the same way; `u64` fields are two words, low first):
//!
//! | Offset | Field | Meaning |
//! |---|---|---|
//! | 0x00 | `magic` | [`MAGIC`], the bytes `"INOS"` |
//! | 0x04 | `version_major` | [`PROTOCOL_MAJOR`]; a different major is incompatible |
//! | 0x08 | `version_minor` | [`PROTOCOL_MINOR`]; newer minors only add optional things |
//! | 0x0C | `header_len` | bytes of header before the first unknown field ([`HEADER_LEN`] today) |
//! | 0x10 | `total_size` (u64) | bytes of the whole shared region |
//! | 0x18 | `features` (u64) | feature bits; unknown bits in the high word are incompatible |
//! | 0x20 | `fingerprint` (u64) | [`Layout::fingerprint`](crate::Layout::fingerprint) of the directory |
//! | 0x28 | `init_state` | [`InitState`]: 0 uninitialised, 1 initialising, 2 ready |
//! | 0x2C | `boot_generation` | incremented by every (re-)format, never 0 once ready |
//! | 0x30 | `region_count` | entries in the directory |
//! | 0x34 | `directory_offset` | offset of the directory (8-aligned, at or after `header_len`) |
//! | 0x38 | `directory_entry_len` | [`DIR_ENTRY_LEN`] |
//! | 0x3C..0x80 | reserved | must be zero |
//!
//! Each directory entry is [`DIR_ENTRY_LEN`] bytes: `name [u8; 16]` (NUL-padded), then `offset`,
//! `size`, `align`, `kind` as `u32`.
//!
//! ```
//! use inos_layout::header;
//! assert_eq!(header::MAGIC.to_le_bytes(), *b"INOS");
//! assert_eq!(header::HEADER_LEN, 128);
//! ```

/// `"INOS"` read as a little-endian `u32`.
pub const MAGIC: u32 = u32::from_le_bytes(*b"INOS");

/// The protocol major version this crate speaks. A region with another major is refused.
pub const PROTOCOL_MAJOR: u32 = 1;

/// The protocol minor version this crate writes. Any minor of the same major is accepted.
pub const PROTOCOL_MINOR: u32 = 0;

/// Length of the header this crate writes, in bytes.
pub const HEADER_LEN: usize = 128;

/// The largest `header_len` an attaching party accepts (newer minors may grow the header up to
/// this; it bounds the reserved-word scan).
pub const MAX_HEADER_LEN: usize = 4096;

/// Length of one region directory entry, in bytes.
pub const DIR_ENTRY_LEN: usize = 32;

/// Byte offsets of the header fields.
pub mod off {
    /// `magic` (u32).
    pub const MAGIC: usize = 0x00;
    /// `version_major` (u32).
    pub const VERSION_MAJOR: usize = 0x04;
    /// `version_minor` (u32).
    pub const VERSION_MINOR: usize = 0x08;
    /// `header_len` (u32).
    pub const HEADER_LEN: usize = 0x0C;
    /// `total_size` (u64 as two u32 words, low first).
    pub const TOTAL_SIZE: usize = 0x10;
    /// `features` (u64 as two u32 words, low first).
    pub const FEATURES: usize = 0x18;
    /// `fingerprint` (u64 as two u32 words, low first).
    pub const FINGERPRINT: usize = 0x20;
    /// `init_state` (u32): the word every attaching party Acquire-loads.
    pub const INIT_STATE: usize = 0x28;
    /// `boot_generation` (u32).
    pub const BOOT_GENERATION: usize = 0x2C;
    /// `region_count` (u32).
    pub const REGION_COUNT: usize = 0x30;
    /// `directory_offset` (u32).
    pub const DIRECTORY_OFFSET: usize = 0x34;
    /// `directory_entry_len` (u32).
    pub const DIRECTORY_ENTRY_LEN: usize = 0x38;
    /// First reserved word; reserved words run to `HEADER_LEN` and must be zero.
    pub const RESERVED: usize = 0x3C;
}

/// Byte offsets of the fields inside a directory entry.
pub mod dir {
    /// `name`: 16 bytes, NUL-padded.
    pub const NAME: usize = 0;
    /// `offset` (u32).
    pub const OFFSET: usize = 16;
    /// `size` (u32).
    pub const SIZE: usize = 20;
    /// `align` (u32).
    pub const ALIGN: usize = 24;
    /// `kind` (u32).
    pub const KIND: usize = 28;
}

/// Feature bits (`features` field).
///
/// Bits 0..32 are *compatible*: a party that does not know one ignores it. Bits 32..64 are
/// *incompatible*: a party refuses a region that sets one it does not know. This version defines
/// none.
pub mod features {
    /// The feature bits this version understands.
    pub const SUPPORTED: u64 = 0;
    /// Mask of the incompatible bits.
    pub const INCOMPAT_MASK: u64 = 0xFFFF_FFFF_0000_0000;
}

/// Values of the `init_state` word.
///
/// ```
/// use inos_layout::InitState;
/// assert_eq!(InitState::from_u32(2), Some(InitState::Ready));
/// assert_eq!(InitState::from_u32(7), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum InitState {
    /// Nobody has claimed the region (fresh zeroed memory).
    Uninitialised = 0,
    /// One party won the CAS 0 → 1 and is writing the header and directory.
    Initialising = 1,
    /// The header and directory are complete; stored last, with Release.
    Ready = 2,
}

impl InitState {
    /// Decodes a raw `init_state` word.
    ///
    /// ```
    /// assert_eq!(inos_layout::InitState::from_u32(0), Some(inos_layout::InitState::Uninitialised));
    /// ```
    pub const fn from_u32(v: u32) -> Option<Self> {
        match v {
            0 => Some(Self::Uninitialised),
            1 => Some(Self::Initialising),
            2 => Some(Self::Ready),
            _ => None,
        }
    }

    /// The state in words, as the errors print it.
    ///
    /// ```
    /// assert_eq!(inos_layout::InitState::Ready.name(), "ready");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Uninitialised => "uninitialised",
            Self::Initialising => "initialising",
            Self::Ready => "ready",
        }
    }
}

/// One field of a wire structure (for documentation and the generated exports).
///
/// ```
/// let f = inos_layout::header::FIELDS[0];
/// assert_eq!((f.name, f.offset, f.size), ("magic", 0, 4));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Field name.
    pub name: &'static str,
    /// Byte offset in the structure.
    pub offset: usize,
    /// Size in bytes.
    pub size: usize,
    /// What it holds.
    pub description: &'static str,
}

/// The header fields, in order (the reserved words last).
pub const FIELDS: &[Field] = &[
    Field {
        name: "magic",
        offset: off::MAGIC,
        size: 4,
        description: "`0x534F4E49`, the bytes `\"INOS\"`",
    },
    Field {
        name: "version_major",
        offset: off::VERSION_MAJOR,
        size: 4,
        description: "protocol major version; a reader refuses any other major",
    },
    Field {
        name: "version_minor",
        offset: off::VERSION_MINOR,
        size: 4,
        description: "protocol minor version of the formatter; any minor is accepted",
    },
    Field {
        name: "header_len",
        offset: off::HEADER_LEN,
        size: 4,
        description: "bytes of header (128 now; 8-aligned, at most 4096)",
    },
    Field {
        name: "total_size",
        offset: off::TOTAL_SIZE,
        size: 8,
        description: "bytes in the whole shared region (u64 as two u32 words, low first)",
    },
    Field {
        name: "features",
        offset: off::FEATURES,
        size: 8,
        description: "feature bits: low word compatible, high word incompatible",
    },
    Field {
        name: "fingerprint",
        offset: off::FINGERPRINT,
        size: 8,
        description: "FNV-1a 64 of major, total size and directory (§2.4)",
    },
    Field {
        name: "init_state",
        offset: off::INIT_STATE,
        size: 4,
        description: "0 uninitialised, 1 initialising, 2 ready (stored last, Release)",
    },
    Field {
        name: "boot_generation",
        offset: off::BOOT_GENERATION,
        size: 4,
        description: "incremented by every (re-)format; never 0 once ready",
    },
    Field {
        name: "region_count",
        offset: off::REGION_COUNT,
        size: 4,
        description: "directory entries (1 to 32)",
    },
    Field {
        name: "directory_offset",
        offset: off::DIRECTORY_OFFSET,
        size: 4,
        description: "offset of the directory (8-aligned, at or after `header_len`)",
    },
    Field {
        name: "directory_entry_len",
        offset: off::DIRECTORY_ENTRY_LEN,
        size: 4,
        description: "bytes per directory entry (32)",
    },
    Field {
        name: "reserved",
        offset: off::RESERVED,
        size: HEADER_LEN - off::RESERVED,
        description: "zero (checked by readers of the same or an older minor)",
    },
];

/// The fields of a directory entry, in order.
pub const DIR_FIELDS: &[Field] = &[
    Field {
        name: "name",
        offset: dir::NAME,
        size: 16,
        description: "`[a-z][a-z0-9_]*`, 1 to 15 bytes, NUL-padded",
    },
    Field {
        name: "offset",
        offset: dir::OFFSET,
        size: 4,
        description: "offset from the region base, a multiple of `align`",
    },
    Field {
        name: "size",
        offset: dir::SIZE,
        size: 4,
        description: "bytes (non-zero)",
    },
    Field {
        name: "align",
        offset: dir::ALIGN,
        size: 4,
        description: "power of two, 8 to 65536",
    },
    Field {
        name: "kind",
        offset: dir::KIND,
        size: 4,
        description: "region kind (§2.2); 0 is invalid",
    },
];
