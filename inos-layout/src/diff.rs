//! [`Fingerprint`] (a layout fingerprint that prints in hex) and [`LayoutDiff`] (the first
//! difference between two layouts, named by region), what [`AttachError::FingerprintMismatch`]
//! reports.
//!
//! [`AttachError::FingerprintMismatch`]: crate::AttachError::FingerprintMismatch

use core::fmt;

use crate::layout::{Layout, RegionEntry, RegionKind, RegionName};

/// A [layout fingerprint](Layout::fingerprint), as the errors report it: `Debug` and `Display`
/// both print it in hex (`0x` and 16 digits), the form the exported constants and other tools use.
///
/// ```
/// use inos_layout::Fingerprint;
/// let fp = Fingerprint(0xcbf2_9ce4_8422_2325);
/// assert_eq!(format!("{fp}"), "0xcbf29ce484222325");
/// assert_eq!(format!("{fp:?}"), "0xcbf29ce484222325");
/// assert_eq!(fp, 0xcbf2_9ce4_8422_2325);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub u64);

impl Fingerprint {
    /// The fingerprint of `layout`.
    ///
    /// ```
    /// use inos_layout::{standard::STANDARD_64MIB, Fingerprint};
    /// assert_eq!(Fingerprint::of(&STANDARD_64MIB).get(), STANDARD_64MIB.fingerprint());
    /// ```
    pub const fn of(layout: &Layout) -> Self {
        Self(layout.fingerprint())
    }

    /// The raw 64-bit value.
    ///
    /// ```
    /// assert_eq!(inos_layout::Fingerprint(7).get(), 7);
    /// ```
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for Fingerprint {
    fn from(v: u64) -> Self {
        Self(v)
    }
}

impl From<Fingerprint> for u64 {
    fn from(f: Fingerprint) -> Self {
        f.0
    }
}

impl PartialEq<u64> for Fingerprint {
    fn eq(&self, other: &u64) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#018x}", self.0)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::LowerHex for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// The first difference between an expected layout and the one a region holds, found by
/// [`Layout::diff`] and reported by [`AttachError::FingerprintMismatch`].
///
/// Regions are matched by name. The differences are looked for in this order: a region the
/// expected layout has and the region lacks ([`Missing`](Self::Missing)), a region the region has
/// and the expected layout lacks ([`Unexpected`](Self::Unexpected)), then, region by region in the
/// expected layout's order, offset, size, alignment and kind, and last the total size.
///
/// ```
/// use inos_layout::{LayoutBuilder, LayoutDiff, RegionKind};
/// let expected = LayoutBuilder::new(1 << 16).region("ring", 4096, 128, RegionKind::RING).build().unwrap();
/// let found = LayoutBuilder::new(1 << 16).region("ring", 8192, 128, RegionKind::RING).build().unwrap();
/// let d = expected.diff(&found).unwrap();
/// assert!(matches!(d, LayoutDiff::Size { expected: 4096, found: 8192, .. }));
/// assert_eq!(d.to_string(), "region \"ring\" has 8192 bytes, where the expected layout has 4096");
/// ```
///
/// [`AttachError::FingerprintMismatch`]: crate::AttachError::FingerprintMismatch
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutDiff {
    /// The expected layout has a region of this name; the region's layout does not.
    Missing {
        /// The region's name.
        name: RegionName,
    },
    /// The region's layout has a region of this name; the expected layout does not.
    Unexpected {
        /// The region's name.
        name: RegionName,
    },
    /// The named region starts at another offset.
    Offset {
        /// The region's name.
        name: RegionName,
        /// Offset in the expected layout.
        expected: u32,
        /// Offset in the region's layout.
        found: u32,
    },
    /// The named region has another size.
    Size {
        /// The region's name.
        name: RegionName,
        /// Size in the expected layout.
        expected: u32,
        /// Size in the region's layout.
        found: u32,
    },
    /// The named region has another alignment.
    Align {
        /// The region's name.
        name: RegionName,
        /// Alignment in the expected layout.
        expected: u32,
        /// Alignment in the region's layout.
        found: u32,
    },
    /// The named region has another kind.
    Kind {
        /// The region's name.
        name: RegionName,
        /// Kind in the expected layout.
        expected: RegionKind,
        /// Kind in the region's layout.
        found: RegionKind,
    },
    /// Every region agrees but the total size differs.
    TotalSize {
        /// Total size of the expected layout.
        expected: u64,
        /// Total size of the region's layout.
        found: u64,
    },
}

impl fmt::Display for LayoutDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Missing { name } => write!(
                f,
                "the expected layout has a region \"{name}\" that the region's layout lacks"
            ),
            Self::Unexpected { name } => write!(
                f,
                "the region's layout has a region \"{name}\" that the expected layout lacks"
            ),
            Self::Offset {
                name,
                expected,
                found,
            } => write!(
                f,
                "region \"{name}\" is at offset {found:#x}, where the expected layout has {expected:#x}"
            ),
            Self::Size {
                name,
                expected,
                found,
            } => write!(
                f,
                "region \"{name}\" has {found} bytes, where the expected layout has {expected}"
            ),
            Self::Align {
                name,
                expected,
                found,
            } => write!(
                f,
                "region \"{name}\" is aligned to {found} bytes, where the expected layout has {expected}"
            ),
            Self::Kind {
                name,
                expected,
                found,
            } => write!(
                f,
                "region \"{name}\" has kind {}, where the expected layout has {}",
                KindName(found),
                KindName(expected)
            ),
            Self::TotalSize { expected, found } => write!(
                f,
                "the region's layout has {found} bytes in total, where the expected layout has {expected}"
            ),
        }
    }
}

struct KindName(RegionKind);

impl fmt::Display for KindName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name() {
            Some(n) => write!(f, "{n} ({})", self.0 .0),
            None => write!(f, "{}", self.0 .0),
        }
    }
}

/// The first field in which `e` (expected) and `g` (found) differ.
const fn entry_diff(e: &RegionEntry, g: &RegionEntry) -> Option<LayoutDiff> {
    let name = e.name;
    if e.offset != g.offset {
        Some(LayoutDiff::Offset {
            name,
            expected: e.offset,
            found: g.offset,
        })
    } else if e.size != g.size {
        Some(LayoutDiff::Size {
            name,
            expected: e.size,
            found: g.size,
        })
    } else if e.align != g.align {
        Some(LayoutDiff::Align {
            name,
            expected: e.align,
            found: g.align,
        })
    } else if e.kind.0 != g.kind.0 {
        Some(LayoutDiff::Kind {
            name,
            expected: e.kind,
            found: g.kind,
        })
    } else {
        None
    }
}

impl Layout {
    /// The first difference between `self` (the expected layout) and `found` (for example the
    /// layout an [`Attachment`](crate::Attachment) read from a region), or `None` if they are
    /// identical. See [`LayoutDiff`] for the order in which differences are looked for.
    ///
    /// ```
    /// use inos_layout::{LayoutBuilder, LayoutDiff, RegionKind};
    /// let a = LayoutBuilder::new(4096).region("flags", 64, 8, RegionKind::EPOCHS).build().unwrap();
    /// let b = LayoutBuilder::new(4096).region("flags", 64, 8, RegionKind::EPOCHS)
    ///     .region("ring", 1024, 128, RegionKind::RING).build().unwrap();
    /// assert_eq!(a.diff(&a), None);
    /// assert!(matches!(a.diff(&b), Some(LayoutDiff::Unexpected { name }) if name.as_str() == "ring"));
    /// assert!(matches!(b.diff(&a), Some(LayoutDiff::Missing { name }) if name.as_str() == "ring"));
    /// ```
    pub fn diff(&self, found: &Layout) -> Option<LayoutDiff> {
        for e in self.entries() {
            if found.find(e.name.as_str()).is_none() {
                return Some(LayoutDiff::Missing { name: e.name });
            }
        }
        for g in found.entries() {
            if self.find(g.name.as_str()).is_none() {
                return Some(LayoutDiff::Unexpected { name: g.name });
            }
        }
        for e in self.entries() {
            if let Some((_, g)) = found.find(e.name.as_str()) {
                if let Some(d) = entry_diff(e, g) {
                    return Some(d);
                }
            }
        }
        if self.total_size() != found.total_size() {
            return Some(LayoutDiff::TotalSize {
                expected: self.total_size(),
                found: found.total_size(),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LayoutBuilder;
    use std::string::ToString;

    fn layout(total: u64, ring: u32, align: u32, kind: RegionKind) -> Layout {
        LayoutBuilder::new(total)
            .region("flags", 64, 8, RegionKind::EPOCHS)
            .region("ring", ring, align, kind)
            .build()
            .unwrap()
    }

    #[test]
    fn every_difference_is_named() {
        let base = layout(1 << 16, 4096, 128, RegionKind::RING);
        assert_eq!(base.diff(&base), None);
        let name = RegionName::new("ring").unwrap();
        assert_eq!(
            base.diff(&layout(1 << 16, 8192, 128, RegionKind::RING)),
            Some(LayoutDiff::Size {
                name,
                expected: 4096,
                found: 8192
            })
        );
        assert_eq!(
            base.diff(&layout(1 << 16, 4096, 256, RegionKind::RING)),
            Some(LayoutDiff::Offset {
                name,
                expected: 384,
                found: 512
            })
        );
        assert_eq!(
            base.diff(&layout(1 << 16, 4096, 128, RegionKind::DATA)),
            Some(LayoutDiff::Kind {
                name,
                expected: RegionKind::RING,
                found: RegionKind::DATA
            })
        );
        assert_eq!(
            base.diff(&layout(1 << 17, 4096, 128, RegionKind::RING)),
            Some(LayoutDiff::TotalSize {
                expected: 1 << 16,
                found: 1 << 17
            })
        );
        let s = base
            .diff(&layout(1 << 16, 4096, 128, RegionKind::DATA))
            .unwrap()
            .to_string();
        assert_eq!(
            s,
            "region \"ring\" has kind data (7), where the expected layout has ring (4)"
        );
    }
}
