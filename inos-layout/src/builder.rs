//! [`LayoutBuilder`]: places regions one after another (or at fixed offsets) and checks the
//! result, at compile time or at run time.

use crate::layout::{Layout, LayoutError, RegionEntry, RegionKind, RegionName};
use crate::layout::{MAX_ALIGN, MAX_REGIONS, MAX_TOTAL_SIZE, MIN_ALIGN};

/// The size of a region as a protocol crate computes it (`inos_ring::layout::region_size`,
/// `inos_ledger::region_size`, `inos_epoch::region_size`): a byte count in the layout's size type
/// (`u32`), or [`TOO_BIG`](Self::TOO_BIG) when the request does not fit one.
///
/// [`LayoutBuilder::sized`] takes it directly, so a layout is written without casts or copied
/// formulas; a size that is too big makes [`build`](LayoutBuilder::build) fail with
/// [`LayoutError::NoSpace`], and a `const` layout built with
/// [`build_checked`](LayoutBuilder::build_checked) fail to compile.
///
/// ```
/// use inos_layout::RegionSize;
/// assert_eq!(RegionSize::new(4096).bytes(), Some(4096));
/// assert_eq!(RegionSize::new(1 << 32), RegionSize::TOO_BIG);
/// assert_eq!(RegionSize::new(100).plus(RegionSize::new(28)).bytes(), Some(128));
/// assert_eq!(RegionSize::TOO_BIG.to_usize(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RegionSize(Option<u32>);

impl RegionSize {
    /// A size that does not fit the layout's `u32` sizes (or a request that overflowed).
    pub const TOO_BIG: Self = Self(None);

    /// `bytes`, or [`TOO_BIG`](Self::TOO_BIG) above `u32::MAX`.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionSize::new(64).bytes(), Some(64));
    /// ```
    pub const fn new(bytes: u64) -> Self {
        if bytes > u32::MAX as u64 {
            Self::TOO_BIG
        } else {
            Self(Some(bytes as u32))
        }
    }

    /// The size in bytes, or `None` if it is too big.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionSize::TOO_BIG.bytes(), None);
    /// ```
    pub const fn bytes(self) -> Option<u32> {
        self.0
    }

    /// The size in bytes as a `usize` (for [`RegionBuf::new`](crate::RegionBuf::new) or a
    /// slice), or `None` if it is too big.
    ///
    /// ```
    /// assert_eq!(inos_layout::RegionSize::new(64).to_usize(), Some(64));
    /// ```
    pub const fn to_usize(self) -> Option<usize> {
        match self.0 {
            // u32 -> usize is lossless on every target this crate supports (32 and 64 bit).
            Some(b) => Some(b as usize),
            None => None,
        }
    }

    /// The sum of two sizes ([`TOO_BIG`](Self::TOO_BIG) if either is, or if it overflows).
    ///
    /// ```
    /// use inos_layout::RegionSize;
    /// assert_eq!(RegionSize::new(u32::MAX as u64).plus(RegionSize::new(1)), RegionSize::TOO_BIG);
    /// ```
    pub const fn plus(self, other: Self) -> Self {
        match (self.0, other.0) {
            (Some(a), Some(b)) => Self::new(a as u64 + b as u64),
            _ => Self::TOO_BIG,
        }
    }
}

impl From<u32> for RegionSize {
    fn from(bytes: u32) -> Self {
        Self(Some(bytes))
    }
}

/// How a [`LayoutBuilder`] places one region.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// After the previous region, aligned up.
    Next,
    /// At a fixed offset.
    At(u32),
    /// After the previous region, taking everything up to the total size.
    Rest,
}

#[derive(Clone, Copy, Debug)]
struct Request {
    name: RegionName,
    size: u32,
    align: u32,
    kind: RegionKind,
    place: Place,
}

/// Places regions one after another (or at fixed offsets) and checks the result.
///
/// The header region is added first automatically and sized for the header plus the directory,
/// rounded up to 128 bytes. Errors are sticky: the first one is reported by
/// [`build`](Self::build). Every method is a `const fn`, so a builder can define a `const`
/// layout too (with [`build_checked`](Self::build_checked)).
///
/// ```
/// use inos_layout::{LayoutBuilder, RegionKind};
/// let layout = LayoutBuilder::new(1 << 20)
///     .region("flags", 512, 128, RegionKind::EPOCHS)
///     .region_at("ring", 0x1_0000, 64 * 1024, 128, RegionKind::RING)
///     .rest("arena", 4096, RegionKind::ARENA)
///     .build()
///     .unwrap();
/// // The header region holds the header (128 B) and 4 directory entries (32 B each).
/// assert_eq!(layout.find("flags").unwrap().1.offset, 256);
/// assert_eq!(layout.find("arena").unwrap().1.offset, 0x2_0000);
/// assert_eq!(layout.find("arena").unwrap().1.end(), 1 << 20);
///
/// const SMALL: inos_layout::Layout = LayoutBuilder::new(4096)
///     .region("data", 1024, 64, RegionKind::DATA)
///     .build_checked();
/// assert_eq!(SMALL.len(), 2);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LayoutBuilder {
    total_size: u64,
    /// Built by [`fitted`](Self::fitted): the total size is computed by `build`.
    fit: bool,
    requests: [Option<Request>; MAX_REGIONS],
    len: usize,
    error: Option<LayoutError>,
}

impl LayoutBuilder {
    /// The name the builder gives the header region.
    pub const HEADER_NAME: &'static str = "header";

    /// A builder for a region of `total_size` bytes.
    ///
    /// ```
    /// let l = inos_layout::LayoutBuilder::new(256).build().unwrap();
    /// assert_eq!(l.len(), 1);
    /// ```
    pub const fn new(total_size: u64) -> Self {
        let mut b = Self {
            total_size,
            fit: false,
            requests: [None; MAX_REGIONS],
            len: 0,
            error: None,
        };
        b = b.push(Self::HEADER_NAME, 0, 128, RegionKind::HEADER, Place::Next);
        b
    }

    /// A builder that computes the total size itself: the end of the last region, rounded up to
    /// [`FIT_ALIGN`](Self::FIT_ALIGN) bytes. [`rest`](Self::rest) cannot be used with it (there
    /// is no fixed end to fill up to).
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, RegionKind};
    /// let l = LayoutBuilder::fitted().region("data", 1000, 8, RegionKind::DATA).build().unwrap();
    /// assert_eq!(l.find("data").unwrap().1.offset, 256);
    /// assert_eq!(l.total_size(), 1280); // 256 + 1000, rounded up to 128
    /// ```
    pub const fn fitted() -> Self {
        let mut b = Self::new(MAX_TOTAL_SIZE);
        b.fit = true;
        b
    }

    /// What [`fitted`](Self::fitted) rounds the total size up to: two cache lines.
    pub const FIT_ALIGN: u64 = 128;

    const fn push(
        mut self,
        name: &str,
        size: u32,
        align: u32,
        kind: RegionKind,
        place: Place,
    ) -> Self {
        if self.error.is_some() {
            return self;
        }
        if self.len >= MAX_REGIONS {
            self.error = Some(LayoutError::TooManyRegions {
                count: self.len + 1,
            });
            return self;
        }
        let name = match RegionName::new(name) {
            Ok(n) => n,
            Err(_) => {
                self.error = Some(LayoutError::BadName { index: self.len });
                return self;
            }
        };
        self.requests[self.len] = Some(Request {
            name,
            size,
            align,
            kind,
            place,
        });
        self.len += 1;
        self
    }

    /// Adds a region of `size` bytes right after the previous one, aligned up to `align`.
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, RegionKind};
    /// let l = LayoutBuilder::new(4096).region("a", 100, 8, RegionKind::DATA)
    ///     .region("b", 8, 64, RegionKind::DATA).build().unwrap();
    /// assert_eq!(l.find("a").unwrap().1.offset, 256); // after header + 3 entries, rounded to 128
    /// assert_eq!(l.find("b").unwrap().1.offset, 384); // 356 aligned up to 64
    /// ```
    pub const fn region(self, name: &str, size: u32, align: u32, kind: RegionKind) -> Self {
        self.push(name, size, align, kind, Place::Next)
    }

    /// Adds a region of `size` right after the previous one, aligned up to `align`, where the
    /// size comes from a protocol crate's sizing function (or [`RegionSize::new`]). A size that
    /// is [`TOO_BIG`](RegionSize::TOO_BIG) makes [`build`](Self::build) fail with
    /// [`LayoutError::NoSpace`] for this region.
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, LayoutError, RegionKind, RegionSize};
    /// let l = LayoutBuilder::fitted()
    ///     .sized("table", RegionSize::new(3 * 64), 64, RegionKind::TABLE)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(l.find("table").unwrap().1.size, 192);
    ///
    /// let err = LayoutBuilder::fitted().sized("big", RegionSize::TOO_BIG, 8, RegionKind::DATA).build();
    /// assert_eq!(err, Err(LayoutError::NoSpace { index: 1 }));
    /// ```
    pub const fn sized(
        mut self,
        name: &str,
        size: RegionSize,
        align: u32,
        kind: RegionKind,
    ) -> Self {
        match size.bytes() {
            Some(bytes) => self.push(name, bytes, align, kind, Place::Next),
            None => {
                if self.error.is_none() {
                    self.error = Some(LayoutError::NoSpace { index: self.len });
                }
                self
            }
        }
    }

    /// Adds a region at a fixed `offset` (which must not be before the end of the previous one).
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, LayoutError, RegionKind};
    /// let err = LayoutBuilder::new(4096).region("a", 1024, 8, RegionKind::DATA)
    ///     .region_at("b", 512, 8, 8, RegionKind::DATA).build();
    /// assert!(matches!(err, Err(LayoutError::Overlap { .. })));
    /// ```
    pub const fn region_at(
        self,
        name: &str,
        offset: u32,
        size: u32,
        align: u32,
        kind: RegionKind,
    ) -> Self {
        self.push(name, size, align, kind, Place::At(offset))
    }

    /// Adds a last region taking every byte from the end of the previous one (aligned up) to the
    /// total size. Nothing may follow it.
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, RegionKind};
    /// let l = LayoutBuilder::new(4096).rest("arena", 1024, RegionKind::ARENA).build().unwrap();
    /// assert_eq!(l.find("arena").unwrap().1.size, 3072);
    /// ```
    pub const fn rest(self, name: &str, align: u32, kind: RegionKind) -> Self {
        self.push(name, 0, align, kind, Place::Rest)
    }

    /// Places the regions and checks the result.
    ///
    /// # Errors
    /// The first [`LayoutError`]: a bad name, alignment or kind, a fixed offset inside an
    /// earlier region ([`LayoutError::Overlap`]), a region past the total size
    /// ([`LayoutError::NoSpace`]), a region after [`rest`](Self::rest), ...
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, LayoutError, RegionKind};
    /// let err = LayoutBuilder::new(1024).region("big", 4096, 8, RegionKind::DATA).build();
    /// assert_eq!(err.unwrap_err(), LayoutError::NoSpace { index: 1 });
    /// ```
    pub const fn build(self) -> Result<Layout, LayoutError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.total_size > MAX_TOTAL_SIZE {
            return Err(LayoutError::TotalTooLarge {
                total: self.total_size,
            });
        }
        let mut entries = Layout::empty_entries();
        let mut cursor: u64 = 0;
        let mut i = 0;
        while i < self.len {
            let r = match self.requests[i] {
                Some(r) => r,
                None => return Err(LayoutError::Empty),
            };
            if !r.align.is_power_of_two() || r.align < MIN_ALIGN || r.align > MAX_ALIGN {
                return Err(LayoutError::BadAlign { index: i });
            }
            let a = r.align as u64;
            let offset = match r.place {
                Place::Next | Place::Rest => cursor.div_ceil(a) * a,
                Place::At(off) => {
                    if (off as u64) < cursor {
                        return Err(LayoutError::Overlap {
                            first: i - 1,
                            second: i,
                        });
                    }
                    off as u64
                }
            };
            let size = if i == 0 {
                // The header region: header plus directory, rounded up to 128 bytes.
                Layout::directory_end_for(self.len).div_ceil(128) * 128
            } else {
                match r.place {
                    Place::Rest => {
                        if self.fit || i + 1 != self.len || offset >= self.total_size {
                            return Err(LayoutError::NoSpace { index: i });
                        }
                        self.total_size - offset
                    }
                    _ => r.size as u64,
                }
            };
            let end = offset + size;
            if end > self.total_size || size > u32::MAX as u64 || offset > u32::MAX as u64 {
                return Err(LayoutError::NoSpace { index: i });
            }
            entries[i] = RegionEntry {
                name: r.name,
                offset: offset as u32,
                size: size as u32,
                align: r.align,
                kind: r.kind,
            };
            cursor = end;
            i += 1;
        }
        let total = if self.fit {
            // cursor <= MAX_TOTAL_SIZE, a multiple of FIT_ALIGN, so this stays within it.
            cursor.div_ceil(Self::FIT_ALIGN) * Self::FIT_ALIGN
        } else {
            self.total_size
        };
        Layout::from_entries(total, entries, self.len)
    }

    /// [`build`](Self::build) that panics on error: in a `const` item, a compile error.
    ///
    /// # Panics
    /// If [`build`](Self::build) fails.
    ///
    /// ```
    /// const L: inos_layout::Layout = inos_layout::LayoutBuilder::new(512).build_checked();
    /// assert_eq!(L.len(), 1);
    /// ```
    #[track_caller]
    pub const fn build_checked(self) -> Layout {
        match self.build() {
            Ok(l) => l,
            Err(e) => panic!("{}", e.message()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_places_and_checks() {
        let l = LayoutBuilder::new(1 << 16)
            .region("a", 10, 8, RegionKind::DATA)
            .region("b", 10, 64, RegionKind::DATA)
            .rest("c", 1024, RegionKind::ARENA)
            .build()
            .unwrap();
        let e = l.entries();
        assert_eq!((e[0].offset, e[0].size), (0, 256));
        assert_eq!((e[1].offset, e[2].offset, e[3].offset), (256, 320, 1024));
        assert_eq!(e[3].end(), 1 << 16);
        assert_eq!(
            LayoutBuilder::new(4096)
                .rest("c", 8, RegionKind::ARENA)
                .region("d", 8, 8, RegionKind::DATA)
                .build(),
            Err(LayoutError::NoSpace { index: 1 })
        );
        assert_eq!(
            LayoutBuilder::new(4096)
                .region("bad name", 8, 8, RegionKind::DATA)
                .build(),
            Err(LayoutError::BadName { index: 1 })
        );
        assert_eq!(
            LayoutBuilder::new(4096)
                .region("a", 8, 8, RegionKind::DATA)
                .region("a", 8, 8, RegionKind::DATA)
                .build(),
            Err(LayoutError::DuplicateName {
                first: 1,
                second: 2
            })
        );
        let mut b = LayoutBuilder::new(1 << 20);
        for name in REGION_NAMES {
            b = b.region(name, 8, 8, RegionKind::DATA);
        }
        assert_eq!(
            b.build(),
            Err(LayoutError::TooManyRegions {
                count: MAX_REGIONS + 1
            })
        );
    }

    /// Issue 13 §5: sizes from the protocol crates go in without casts; too big is an error.
    #[test]
    fn fitted_and_sized() {
        const L: Layout = LayoutBuilder::fitted()
            .sized("a", RegionSize::new(100), 8, RegionKind::DATA)
            .region("b", 8, 64, RegionKind::DATA)
            .build_checked();
        let e = L.entries();
        assert_eq!((e[1].offset, e[1].size, e[2].offset), (256, 100, 384));
        assert_eq!(L.total_size(), 512);
        assert_eq!(
            LayoutBuilder::fitted()
                .region("a", 8, 8, RegionKind::DATA)
                .rest("c", 8, RegionKind::ARENA)
                .build(),
            Err(LayoutError::NoSpace { index: 2 })
        );
        assert_eq!(
            LayoutBuilder::new(1 << 20)
                .sized("a", RegionSize::TOO_BIG, 8, RegionKind::DATA)
                .region("b", 8, 8, RegionKind::DATA)
                .build(),
            Err(LayoutError::NoSpace { index: 1 })
        );
        assert_eq!(
            LayoutBuilder::fitted()
                .sized("a", RegionSize::new(u32::MAX as u64), 8, RegionKind::DATA)
                .region("b", 8, 8, RegionKind::DATA)
                .build(),
            Err(LayoutError::NoSpace { index: 1 })
        );
    }

    const REGION_NAMES: [&str; MAX_REGIONS] = [
        "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13",
        "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26",
        "r27", "r28", "r29", "r30", "r31",
    ];
}
