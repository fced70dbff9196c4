//! Region tables: which named region of the shared buffer lives where.
//!
//! A [`Layout`] is a checked table of [`RegionEntry`]s: names, offsets, sizes, alignments and
//! kinds, sorted by offset, non-overlapping, aligned, inside the total size, with the header region
//! (which holds the [header](crate::header) and the region directory) first at offset 0.
//!
//! Declare a table as `const` data with [`RegionSpec`]s and [`Layout::checked`]: the checks then run
//! at compile time, so a table with overlapping regions does not build:
//!
//! ```compile_fail
//! use inos_layout::{Layout, RegionKind, RegionSpec};
//! const BAD: Layout = Layout::checked(4096, &[
//!     RegionSpec::new("header", 0, 256, 128, RegionKind::HEADER),
//!     RegionSpec::new("a", 256, 1024, 8, RegionKind::DATA),
//!     RegionSpec::new("b", 1024, 64, 8, RegionKind::DATA), // starts inside "a"
//! ]);
//! ```
//!
//! while the same table without the overlap does:
//!
//! ```
//! use inos_layout::{Layout, RegionKind, RegionSpec};
//! const GOOD: Layout = Layout::checked(4096, &[
//!     RegionSpec::new("header", 0, 256, 128, RegionKind::HEADER),
//!     RegionSpec::new("a", 256, 768, 8, RegionKind::DATA),
//!     RegionSpec::new("b", 1024, 64, 8, RegionKind::DATA),
//! ]);
//! assert_eq!(GOOD.len(), 3);
//! ```
//!
//! Or let a [`LayoutBuilder`](crate::LayoutBuilder) place the regions (at compile time or at run
//! time, with a typed [`LayoutError`]).

use core::fmt;

use crate::header::{DIR_ENTRY_LEN, HEADER_LEN, PROTOCOL_MAJOR};

/// The most regions a layout (and so a region directory) may hold.
///
/// Bounds the work and the stack space `attach` spends on a directory read from shared memory.
pub const MAX_REGIONS: usize = 32;

/// The largest alignment a region may ask for (64 KiB, a wasm page).
pub const MAX_ALIGN: u32 = 1 << 16;

/// The smallest alignment a region may have: every region starts on an 8-byte boundary so the
/// naturally aligned words inside it stay naturally aligned.
pub const MIN_ALIGN: u32 = 8;

/// The largest total size of a layout: 4 GiB, the wasm32 memory limit (offsets are `u32`).
pub const MAX_TOTAL_SIZE: u64 = 1 << 32;

/// The longest region name, in bytes (names are stored NUL-padded in 16 bytes).
pub const MAX_NAME_LEN: usize = 15;

/// What a region holds (a `u32` on the wire). Unknown kinds from newer peers are representable.
///
/// ```
/// use inos_layout::RegionKind;
/// assert_eq!(RegionKind::RING.name(), Some("ring"));
/// assert_eq!(RegionKind(999).name(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegionKind(pub u32);

impl RegionKind {
    /// The header and region directory (always the first region, at offset 0).
    pub const HEADER: Self = Self(1);
    /// Epoch / flag / value words (8-byte slots, see `inos-epoch`).
    pub const EPOCHS: Self = Self(2);
    /// A table of fixed-size records.
    pub const TABLE: Self = Self(3);
    /// A message ring (see `inos-ring`).
    pub const RING: Self = Self(4);
    /// The credit ledger (see `inos-ledger`).
    pub const LEDGER: Self = Self(5);
    /// Free-form scratch memory managed by its users.
    pub const ARENA: Self = Self(6);
    /// Any other structured data (metrics blobs, snapshots).
    pub const DATA: Self = Self(7);

    /// Every kind this version of the protocol defines, in wire order.
    pub const ALL: [Self; 7] = [
        Self::HEADER,
        Self::EPOCHS,
        Self::TABLE,
        Self::RING,
        Self::LEDGER,
        Self::ARENA,
        Self::DATA,
    ];

    /// The lower-case name of a known kind.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionKind::ARENA.name(), Some("arena"));
    /// ```
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            1 => "header",
            2 => "epochs",
            3 => "table",
            4 => "ring",
            5 => "ledger",
            6 => "arena",
            7 => "data",
            _ => return None,
        })
    }
}

/// A region name: 1 to 15 bytes of `[a-z0-9_]`, starting with a letter, stored NUL-padded in 16
/// bytes (exactly as in the region directory).
///
/// The restricted alphabet makes every name a valid identifier in the generated JS/TS/Go exports.
///
/// ```
/// use inos_layout::RegionName;
/// let n = RegionName::new("inbox").unwrap();
/// assert_eq!(n.as_str(), "inbox");
/// assert_eq!(&n.as_bytes()[..6], b"inbox\0");
/// assert!(RegionName::new("Inbox").is_err());
/// assert!(RegionName::new("a_name_too_long_").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegionName {
    bytes: [u8; 16],
}

impl RegionName {
    /// Validates and stores `name`.
    ///
    /// # Errors
    /// [`LayoutError::BadName`] (with `index` 0) if the name is empty, longer than
    /// [`MAX_NAME_LEN`], or not `[a-z][a-z0-9_]*`.
    ///
    /// ```
    /// assert!(inos_layout::RegionName::new("outbox_host").is_ok());
    /// ```
    pub const fn new(name: &str) -> Result<Self, LayoutError> {
        let b = name.as_bytes();
        if b.is_empty() || b.len() > MAX_NAME_LEN {
            return Err(LayoutError::BadName { index: 0 });
        }
        let mut bytes = [0u8; 16];
        let mut i = 0;
        while i < b.len() {
            if !name_byte_ok(b[i], i == 0) {
                return Err(LayoutError::BadName { index: 0 });
            }
            bytes[i] = b[i];
            i += 1;
        }
        Ok(Self { bytes })
    }

    /// Validates a NUL-padded name as read from a region directory.
    ///
    /// # Errors
    /// [`LayoutError::BadName`] (with `index` 0) if the bytes are not a valid name followed only by
    /// NUL bytes (at least one).
    ///
    /// ```
    /// let mut raw = [0u8; 16];
    /// raw[..5].copy_from_slice(b"arena");
    /// assert_eq!(inos_layout::RegionName::from_bytes(raw).unwrap().as_str(), "arena");
    /// raw[7] = b'x'; // a byte after the terminating NUL
    /// assert!(inos_layout::RegionName::from_bytes(raw).is_err());
    /// ```
    pub const fn from_bytes(bytes: [u8; 16]) -> Result<Self, LayoutError> {
        let mut len = 0;
        while len < 16 && bytes[len] != 0 {
            if !name_byte_ok(bytes[len], len == 0) {
                return Err(LayoutError::BadName { index: 0 });
            }
            len += 1;
        }
        if len == 0 || len > MAX_NAME_LEN {
            return Err(LayoutError::BadName { index: 0 });
        }
        let mut i = len;
        while i < 16 {
            if bytes[i] != 0 {
                return Err(LayoutError::BadName { index: 0 });
            }
            i += 1;
        }
        Ok(Self { bytes })
    }

    /// The NUL-padded bytes, as stored in the directory.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionName::new("a").unwrap().as_bytes()[1], 0);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.bytes
    }

    /// Length of the name in bytes.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionName::new("ledger").unwrap().len(), 6);
    /// ```
    pub const fn len(&self) -> usize {
        let mut n = 0;
        while n < 16 && self.bytes[n] != 0 {
            n += 1;
        }
        n
    }

    /// Always `false`: a valid name has at least one byte.
    ///
    /// ```
    /// assert!(!inos_layout::RegionName::new("x").unwrap().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.bytes[0] == 0
    }

    /// The name as a string.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionName::new("epochs").unwrap().as_str(), "epochs");
    /// ```
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored (checked at construction); this cannot fail.
        core::str::from_utf8(&self.bytes[..self.len()]).unwrap_or("")
    }

    /// Whether the name equals `s`.
    ///
    /// ```
    /// assert!(inos_layout::RegionName::new("inbox").unwrap().eq_str("inbox"));
    /// ```
    pub const fn eq_str(&self, s: &str) -> bool {
        let b = s.as_bytes();
        if b.len() != self.len() {
            return false;
        }
        let mut i = 0;
        while i < b.len() {
            if b[i] != self.bytes[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    const fn eq(&self, other: &Self) -> bool {
        let mut i = 0;
        while i < 16 {
            if self.bytes[i] != other.bytes[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}

const fn name_byte_ok(c: u8, first: bool) -> bool {
    c.is_ascii_lowercase() || (!first && (c.is_ascii_digit() || c == b'_'))
}

impl fmt::Debug for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of a region table as declared in source code (see [`Layout::checked`]).
///
/// ```
/// use inos_layout::{RegionKind, RegionSpec};
/// const INBOX: RegionSpec = RegionSpec::new("inbox", 0x5_0000, 512 * 1024, 128, RegionKind::RING);
/// assert_eq!(INBOX.end(), 0xD_0000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionSpec {
    /// Name (`[a-z][a-z0-9_]*`, at most 15 bytes, unique in the table).
    pub name: &'static str,
    /// Offset from the region base (a multiple of `align`).
    pub offset: u32,
    /// Size in bytes (non-zero).
    pub size: u32,
    /// Alignment of `offset`: a power of two from [`MIN_ALIGN`] to [`MAX_ALIGN`].
    pub align: u32,
    /// What the region holds.
    pub kind: RegionKind,
}

impl RegionSpec {
    /// A row of a region table (validated when the table is, by [`Layout::from_specs`]).
    ///
    /// ```
    /// let s = inos_layout::RegionSpec::new("a", 64, 64, 64, inos_layout::RegionKind::DATA);
    /// assert_eq!(s.offset, 64);
    /// ```
    pub const fn new(
        name: &'static str,
        offset: u32,
        size: u32,
        align: u32,
        kind: RegionKind,
    ) -> Self {
        Self {
            name,
            offset,
            size,
            align,
            kind,
        }
    }

    /// One past the last byte (`offset + size`, in `u64` so it cannot overflow).
    ///
    /// ```
    /// let s = inos_layout::RegionSpec::new("a", 64, 64, 64, inos_layout::RegionKind::DATA);
    /// assert_eq!(s.end(), 128);
    /// ```
    pub const fn end(&self) -> u64 {
        self.offset as u64 + self.size as u64
    }
}

/// One validated row of a [`Layout`]; also the decoded form of a region directory entry.
///
/// ```
/// let e = inos_layout::standard::STANDARD_64MIB.entries()[0];
/// assert_eq!(e.name.as_str(), "header");
/// assert_eq!(e.offset, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionEntry {
    /// Name of the region.
    pub name: RegionName,
    /// Offset from the region base.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// Alignment of `offset`.
    pub align: u32,
    /// What the region holds.
    pub kind: RegionKind,
}

impl RegionEntry {
    const EMPTY: Self = Self {
        name: RegionName { bytes: [0; 16] },
        offset: 0,
        size: 0,
        align: 0,
        kind: RegionKind(0),
    };

    /// One past the last byte.
    ///
    /// ```
    /// let e = inos_layout::standard::STANDARD_64MIB.entries()[0];
    /// assert_eq!(e.end(), u64::from(e.size));
    /// ```
    pub const fn end(&self) -> u64 {
        self.offset as u64 + self.size as u64
    }

    const fn same(&self, o: &Self) -> bool {
        self.name.eq(&o.name)
            && self.offset == o.offset
            && self.size == o.size
            && self.align == o.align
            && self.kind.0 == o.kind.0
    }

    /// The 32-byte directory encoding: name `[u8; 16]`, then `offset`, `size`, `align`, `kind` as
    /// little-endian `u32`s.
    ///
    /// ```
    /// let e = inos_layout::standard::STANDARD_64MIB.entries()[1];
    /// let b = e.encode();
    /// assert_eq!(&b[16..20], &e.offset.to_le_bytes());
    /// ```
    pub const fn encode(&self) -> [u8; DIR_ENTRY_LEN] {
        let mut out = [0u8; DIR_ENTRY_LEN];
        let mut i = 0;
        while i < 16 {
            out[i] = self.name.bytes[i];
            i += 1;
        }
        let words = [self.offset, self.size, self.align, self.kind.0];
        let mut w = 0;
        while w < 4 {
            let b = words[w].to_le_bytes();
            let mut j = 0;
            while j < 4 {
                out[16 + 4 * w + j] = b[j];
                j += 1;
            }
            w += 1;
        }
        out
    }
}

/// Why a region table was refused. `index` fields are positions in the table.
///
/// ```
/// use inos_layout::{Layout, LayoutError, RegionKind, RegionSpec};
/// let err = Layout::from_specs(1024, &[
///     RegionSpec::new("header", 0, 256, 128, RegionKind::HEADER),
///     RegionSpec::new("a", 256, 1024, 8, RegionKind::DATA),
/// ]);
/// assert_eq!(err.unwrap_err(), LayoutError::OutOfBounds { index: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutError {
    /// The table has no regions.
    Empty,
    /// More than [`MAX_REGIONS`] regions.
    TooManyRegions {
        /// Number of regions asked for.
        count: usize,
    },
    /// The total size exceeds [`MAX_TOTAL_SIZE`].
    TotalTooLarge {
        /// The total size asked for.
        total: u64,
    },
    /// A name is empty, too long, or not `[a-z][a-z0-9_]*`.
    BadName {
        /// Position of the region.
        index: usize,
    },
    /// Two regions share a name.
    DuplicateName {
        /// Position of the first region with the name.
        first: usize,
        /// Position of the second.
        second: usize,
    },
    /// An alignment is not a power of two in `MIN_ALIGN..=MAX_ALIGN`.
    BadAlign {
        /// Position of the region.
        index: usize,
    },
    /// An offset is not a multiple of the region's alignment.
    Misaligned {
        /// Position of the region.
        index: usize,
    },
    /// A region has size zero.
    ZeroSize {
        /// Position of the region.
        index: usize,
    },
    /// A region ends past the total size.
    OutOfBounds {
        /// Position of the region.
        index: usize,
    },
    /// A region starts before the previous one (tables are sorted by offset).
    Unsorted {
        /// Position of the region.
        index: usize,
    },
    /// A region starts inside the previous one.
    Overlap {
        /// Position of the earlier region.
        first: usize,
        /// Position of the region that starts inside it.
        second: usize,
    },
    /// The first region is not a [`RegionKind::HEADER`] at offset 0 large enough for the header and
    /// the directory, or a later region is also a header.
    HeaderRegion,
    /// A region kind is 0 (reserved).
    BadKind {
        /// Position of the region.
        index: usize,
    },
    /// A size request cannot be satisfied (the builder ran past the total, or a size overflowed).
    NoSpace {
        /// Position of the region.
        index: usize,
    },
}

impl LayoutError {
    /// A static description (what `Display` prints, minus the indices); usable in `const` panics.
    ///
    /// ```
    /// assert_eq!(inos_layout::LayoutError::Empty.message(), "the region table is empty");
    /// ```
    pub const fn message(&self) -> &'static str {
        match self {
            Self::Empty => "the region table is empty",
            Self::TooManyRegions { .. } => "the region table has more than MAX_REGIONS regions",
            Self::TotalTooLarge { .. } => "the total size exceeds MAX_TOTAL_SIZE",
            Self::BadName { .. } => "a region name is not [a-z][a-z0-9_]* of 1..=15 bytes",
            Self::DuplicateName { .. } => "two regions have the same name",
            Self::BadAlign { .. } => "a region alignment is not a power of two in 8..=65536",
            Self::Misaligned { .. } => "a region offset is not a multiple of its alignment",
            Self::ZeroSize { .. } => "a region has size zero",
            Self::OutOfBounds { .. } => "a region ends past the total size",
            Self::Unsorted { .. } => "regions are not sorted by offset",
            Self::Overlap { .. } => "two regions overlap",
            Self::HeaderRegion => {
                "the first region must be the only header region, at offset 0, large enough for \
                 the header and the directory"
            }
            Self::BadKind { .. } => "a region kind is 0 (reserved)",
            Self::NoSpace { .. } => "a region does not fit in the total size",
        }
    }

    const fn with_index(self, index: usize) -> Self {
        match self {
            Self::BadName { .. } => Self::BadName { index },
            other => other,
        }
    }
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())?;
        match *self {
            Self::TooManyRegions { count } => write!(f, " ({count} regions)"),
            Self::TotalTooLarge { total } => write!(f, " ({total} bytes)"),
            Self::BadName { index }
            | Self::BadAlign { index }
            | Self::Misaligned { index }
            | Self::ZeroSize { index }
            | Self::OutOfBounds { index }
            | Self::Unsorted { index }
            | Self::BadKind { index }
            | Self::NoSpace { index } => write!(f, " (region #{index})"),
            Self::DuplicateName { first, second } | Self::Overlap { first, second } => {
                write!(f, " (regions #{first} and #{second})")
            }
            Self::Empty | Self::HeaderRegion => Ok(()),
        }
    }
}

impl core::error::Error for LayoutError {}

/// A checked region table: the shape of a shared region.
///
/// Invariants (checked by every constructor, at compile time for `const` layouts):
/// 1 to [`MAX_REGIONS`] regions, sorted by offset and non-overlapping (gaps are allowed); each
/// region non-empty, aligned to its power-of-two alignment (`8..=65536`) and inside `total_size`
/// (at most [`MAX_TOTAL_SIZE`]); names unique and valid ([`RegionName`]); kinds non-zero; the first
/// region, and only it, is a [`RegionKind::HEADER`] at offset 0 holding at least the header and
/// the directory ([`Layout::directory_end`] bytes).
///
/// ```
/// use inos_layout::standard::STANDARD_64MIB;
/// let (i, inbox) = STANDARD_64MIB.find("inbox").unwrap();
/// assert_eq!(inbox.offset, 0x5_0000);
/// assert_eq!(STANDARD_64MIB.get(i), Some(inbox));
/// assert_eq!(STANDARD_64MIB.total_size(), 64 << 20);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    total_size: u64,
    len: usize,
    entries: [RegionEntry; MAX_REGIONS],
}

impl fmt::Debug for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Layout")
            .field("total_size", &self.total_size)
            .field("fingerprint", &format_args!("{:#018x}", self.fingerprint()))
            .field("regions", &self.entries())
            .finish()
    }
}

impl Layout {
    /// Builds and checks a layout from a declared table.
    ///
    /// # Errors
    /// The first [`LayoutError`] found (see the invariants on [`Layout`]).
    ///
    /// ```
    /// use inos_layout::{Layout, RegionKind, RegionSpec};
    /// let l = Layout::from_specs(1024, &[
    ///     RegionSpec::new("header", 0, 128 + 2 * 32, 8, RegionKind::HEADER),
    ///     RegionSpec::new("data", 256, 768, 256, RegionKind::DATA),
    /// ]).unwrap();
    /// assert_eq!(l.len(), 2);
    /// ```
    pub const fn from_specs(total_size: u64, specs: &[RegionSpec]) -> Result<Self, LayoutError> {
        if specs.len() > MAX_REGIONS {
            return Err(LayoutError::TooManyRegions { count: specs.len() });
        }
        let mut entries = [RegionEntry::EMPTY; MAX_REGIONS];
        let mut i = 0;
        while i < specs.len() {
            let s = &specs[i];
            let name = match RegionName::new(s.name) {
                Ok(n) => n,
                Err(e) => return Err(e.with_index(i)),
            };
            entries[i] = RegionEntry {
                name,
                offset: s.offset,
                size: s.size,
                align: s.align,
                kind: s.kind,
            };
            i += 1;
        }
        Self::from_entries(total_size, entries, specs.len())
    }

    /// Builds and checks a layout from decoded entries (`entries[..len]`).
    pub(crate) const fn from_entries(
        total_size: u64,
        entries: [RegionEntry; MAX_REGIONS],
        len: usize,
    ) -> Result<Self, LayoutError> {
        let layout = Self {
            total_size,
            len,
            entries,
        };
        match layout.validate() {
            Ok(()) => Ok(layout),
            Err(e) => Err(e),
        }
    }

    /// [`from_specs`](Self::from_specs) that panics on an invalid table: in a `const` item, an
    /// invalid table is a compile error.
    ///
    /// # Panics
    /// If the table is invalid (with the [`LayoutError::message`]).
    ///
    /// ```
    /// use inos_layout::{Layout, RegionKind, RegionSpec};
    /// const L: Layout = Layout::checked(512, &[
    ///     RegionSpec::new("header", 0, 256, 128, RegionKind::HEADER),
    /// ]);
    /// assert_eq!(L.total_size(), 512);
    /// ```
    #[track_caller]
    pub const fn checked(total_size: u64, specs: &[RegionSpec]) -> Self {
        match Self::from_specs(total_size, specs) {
            Ok(l) => l,
            Err(e) => panic!("{}", e.message()),
        }
    }

    const fn validate(&self) -> Result<(), LayoutError> {
        let n = self.len;
        if n == 0 {
            return Err(LayoutError::Empty);
        }
        if n > MAX_REGIONS {
            return Err(LayoutError::TooManyRegions { count: n });
        }
        if self.total_size > MAX_TOTAL_SIZE {
            return Err(LayoutError::TotalTooLarge {
                total: self.total_size,
            });
        }
        let mut i = 0;
        while i < n {
            let e = &self.entries[i];
            // Names are valid by construction of RegionName; kinds and geometry are not.
            if e.name.is_empty() {
                return Err(LayoutError::BadName { index: i });
            }
            if e.kind.0 == 0 {
                return Err(LayoutError::BadKind { index: i });
            }
            if !e.align.is_power_of_two() || e.align < MIN_ALIGN || e.align > MAX_ALIGN {
                return Err(LayoutError::BadAlign { index: i });
            }
            if e.offset % e.align != 0 {
                return Err(LayoutError::Misaligned { index: i });
            }
            if e.size == 0 {
                return Err(LayoutError::ZeroSize { index: i });
            }
            if e.end() > self.total_size {
                return Err(LayoutError::OutOfBounds { index: i });
            }
            if i > 0 {
                let p = &self.entries[i - 1];
                if e.offset < p.offset {
                    return Err(LayoutError::Unsorted { index: i });
                }
                if (e.offset as u64) < p.end() {
                    return Err(LayoutError::Overlap {
                        first: i - 1,
                        second: i,
                    });
                }
                if e.kind.0 == RegionKind::HEADER.0 {
                    return Err(LayoutError::HeaderRegion);
                }
            }
            let mut j = 0;
            while j < i {
                if self.entries[j].name.eq(&e.name) {
                    return Err(LayoutError::DuplicateName {
                        first: j,
                        second: i,
                    });
                }
                j += 1;
            }
            i += 1;
        }
        let h = &self.entries[0];
        if h.kind.0 != RegionKind::HEADER.0
            || h.offset != 0
            || (h.size as u64) < Self::directory_end_for(n)
        {
            return Err(LayoutError::HeaderRegion);
        }
        Ok(())
    }

    /// Bytes the header and a directory of `regions` entries occupy from offset 0.
    ///
    /// ```
    /// assert_eq!(inos_layout::Layout::directory_end_for(2), 128 + 64);
    /// ```
    pub const fn directory_end_for(regions: usize) -> u64 {
        HEADER_LEN as u64 + (regions as u64) * DIR_ENTRY_LEN as u64
    }

    /// Bytes the header and this layout's directory occupy from offset 0.
    ///
    /// ```
    /// let l = inos_layout::standard::STANDARD_64MIB;
    /// assert_eq!(l.directory_end(), 128 + 32 * l.len() as u64);
    /// ```
    pub const fn directory_end(&self) -> u64 {
        Self::directory_end_for(self.len)
    }

    /// Total size of the shared region in bytes.
    ///
    /// ```
    /// assert_eq!(inos_layout::standard::STANDARD_32MIB.total_size(), 32 << 20);
    /// ```
    pub const fn total_size(&self) -> u64 {
        self.total_size
    }

    /// Number of regions (at least 1: the header).
    ///
    /// ```
    /// assert!(inos_layout::standard::STANDARD_64MIB.len() > 1);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Always `false`: a valid layout has at least the header region.
    ///
    /// ```
    /// assert!(!inos_layout::standard::STANDARD_64MIB.is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The regions, sorted by offset. Position 0 is the header region.
    ///
    /// ```
    /// let l = inos_layout::standard::STANDARD_64MIB;
    /// assert!(l.entries().windows(2).all(|w| w[0].end() <= u64::from(w[1].offset)));
    /// ```
    pub fn entries(&self) -> &[RegionEntry] {
        &self.entries[..self.len]
    }

    /// The region at position `index`.
    ///
    /// ```
    /// let l = inos_layout::standard::STANDARD_64MIB;
    /// assert!(l.get(0).is_some());
    /// assert!(l.get(l.len()).is_none());
    /// ```
    pub const fn get(&self, index: usize) -> Option<&RegionEntry> {
        if index < self.len {
            Some(&self.entries[index])
        } else {
            None
        }
    }

    /// The position and entry of the region called `name`.
    ///
    /// ```
    /// let l = inos_layout::standard::STANDARD_64MIB;
    /// assert_eq!(l.find("header").unwrap().0, 0);
    /// assert!(l.find("nope").is_none());
    /// ```
    pub const fn find(&self, name: &str) -> Option<(usize, &RegionEntry)> {
        let mut i = 0;
        while i < self.len {
            if self.entries[i].name.eq_str(name) {
                return Some((i, &self.entries[i]));
            }
            i += 1;
        }
        None
    }

    /// Whether two layouts are identical (usable in `const` contexts, unlike `==`).
    ///
    /// ```
    /// use inos_layout::standard::{STANDARD_32MIB, STANDARD_64MIB};
    /// assert!(STANDARD_64MIB.same_as(&STANDARD_64MIB));
    /// assert!(!STANDARD_64MIB.same_as(&STANDARD_32MIB));
    /// ```
    pub const fn same_as(&self, other: &Self) -> bool {
        if self.total_size != other.total_size || self.len != other.len {
            return false;
        }
        let mut i = 0;
        while i < self.len {
            if !self.entries[i].same(&other.entries[i]) {
                return false;
            }
            i += 1;
        }
        true
    }

    /// The layout fingerprint: FNV-1a 64 over the canonical encoding of the protocol major
    /// version, the total size and the directory (see `docs/PROTOCOL.md` §2.4).
    ///
    /// Any change to any region's name, offset, size, alignment or kind, to the total size, to
    /// the number of regions or to the protocol major version changes it.
    ///
    /// ```
    /// use inos_layout::standard::{STANDARD_32MIB, STANDARD_64MIB};
    /// const FP: u64 = STANDARD_64MIB.fingerprint();
    /// assert_ne!(FP, STANDARD_32MIB.fingerprint());
    /// ```
    pub const fn fingerprint(&self) -> u64 {
        let mut fp = Fnv::new();
        fp = fp.u32(PROTOCOL_MAJOR);
        fp = fp.u64(self.total_size);
        fp = fp.u32(self.len as u32);
        let mut i = 0;
        while i < self.len {
            let b = self.entries[i].encode();
            let mut j = 0;
            while j < DIR_ENTRY_LEN {
                fp = fp.byte(b[j]);
                j += 1;
            }
            i += 1;
        }
        fp.finish()
    }

    /// Decodes and checks a layout read from a region directory (used by `attach`).
    pub(crate) const fn from_directory(
        total_size: u64,
        entries: [RegionEntry; MAX_REGIONS],
        len: usize,
    ) -> Result<Self, LayoutError> {
        Self::from_entries(total_size, entries, len)
    }

    pub(crate) const fn empty_entries() -> [RegionEntry; MAX_REGIONS] {
        [RegionEntry::EMPTY; MAX_REGIONS]
    }
}

/// FNV-1a 64-bit, streaming, usable in `const fn`.
#[derive(Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Fnv {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    pub(crate) const fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    pub(crate) const fn byte(self, b: u8) -> Self {
        Self((self.0 ^ b as u64).wrapping_mul(Self::PRIME))
    }

    pub(crate) const fn u32(self, v: u32) -> Self {
        let b = v.to_le_bytes();
        self.byte(b[0]).byte(b[1]).byte(b[2]).byte(b[3])
    }

    pub(crate) const fn u64(self, v: u64) -> Self {
        self.u32(v as u32).u32((v >> 32) as u32)
    }

    pub(crate) const fn finish(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: RegionSpec = RegionSpec::new("header", 0, 256, 128, RegionKind::HEADER);

    fn err(total: u64, specs: &[RegionSpec]) -> LayoutError {
        Layout::from_specs(total, specs).unwrap_err()
    }

    #[test]
    fn every_rule_is_enforced() {
        let d = |name, off, size, align| RegionSpec::new(name, off, size, align, RegionKind::DATA);
        assert_eq!(err(4096, &[]), LayoutError::Empty);
        assert_eq!(
            err(4096, &[H, d("a", 256, 8, 12)]),
            LayoutError::BadAlign { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 256, 8, 4)]),
            LayoutError::BadAlign { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 264, 8, 16)]),
            LayoutError::Misaligned { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 256, 0, 8)]),
            LayoutError::ZeroSize { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 4088, 16, 8)]),
            LayoutError::OutOfBounds { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 512, 8, 8), d("b", 256, 8, 8)]),
            LayoutError::Unsorted { index: 2 }
        );
        assert_eq!(
            err(4096, &[H, d("a", 256, 16, 8), d("b", 264, 8, 8)]),
            LayoutError::Overlap {
                first: 1,
                second: 2
            }
        );
        assert_eq!(
            err(4096, &[H, d("a", 256, 8, 8), d("a", 264, 8, 8)]),
            LayoutError::DuplicateName {
                first: 1,
                second: 2
            }
        );
        assert_eq!(
            err(4096, &[H, d("A", 256, 8, 8)]),
            LayoutError::BadName { index: 1 }
        );
        assert_eq!(
            err(4096, &[H, RegionSpec::new("k", 256, 8, 8, RegionKind(0))]),
            LayoutError::BadKind { index: 1 }
        );
        assert_eq!(err(4096, &[d("a", 0, 256, 8)]), LayoutError::HeaderRegion);
        assert_eq!(
            err(
                4096,
                &[RegionSpec::new("header", 0, 128, 8, RegionKind::HEADER)]
            ),
            LayoutError::HeaderRegion,
            "no room for the directory"
        );
        assert_eq!(
            err(
                4096,
                &[H, RegionSpec::new("h2", 256, 256, 8, RegionKind::HEADER)]
            ),
            LayoutError::HeaderRegion
        );
        assert_eq!(
            err(MAX_TOTAL_SIZE + 1, &[H]),
            LayoutError::TotalTooLarge {
                total: MAX_TOTAL_SIZE + 1
            }
        );
        let many = [H; MAX_REGIONS + 1];
        assert_eq!(
            err(4096, &many),
            LayoutError::TooManyRegions {
                count: MAX_REGIONS + 1
            }
        );
        // Adjacent regions and gaps are fine.
        assert!(Layout::from_specs(4096, &[H, d("a", 256, 8, 8), d("b", 264, 8, 8)]).is_ok());
        assert!(Layout::from_specs(4096, &[H, d("a", 1024, 8, 8)]).is_ok());
    }

    #[test]
    fn errors_display_their_indices() {
        let e = LayoutError::Overlap {
            first: 1,
            second: 2,
        };
        assert_eq!(
            std::format!("{e}"),
            "two regions overlap (regions #1 and #2)"
        );
    }

    #[test]
    fn fingerprint_sees_every_field() {
        let base = [H, RegionSpec::new("a", 256, 64, 8, RegionKind::DATA)];
        let fp = Layout::checked(4096, &base).fingerprint();
        let variants: [[RegionSpec; 2]; 5] = [
            [H, RegionSpec::new("b", 256, 64, 8, RegionKind::DATA)],
            [H, RegionSpec::new("a", 264, 64, 8, RegionKind::DATA)],
            [H, RegionSpec::new("a", 256, 72, 8, RegionKind::DATA)],
            [H, RegionSpec::new("a", 256, 64, 16, RegionKind::DATA)],
            [H, RegionSpec::new("a", 256, 64, 8, RegionKind::RING)],
        ];
        for v in variants {
            assert_ne!(Layout::checked(4096, &v).fingerprint(), fp, "{v:?}");
        }
        assert_ne!(Layout::checked(8192, &base).fingerprint(), fp);
        assert_eq!(Layout::checked(4096, &base).fingerprint(), fp);
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        let h = |s: &[u8]| s.iter().fold(Fnv::new(), |f, &b| f.byte(b)).finish();
        assert_eq!(h(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
