//! Sizing a region of epoch slots for a [`Layout`](inos_layout::Layout).

use inos_layout::RegionSize;

/// The alignment to give a region of epoch slots in a layout: 128 bytes (a pair of cache lines;
/// slots themselves need only 8).
///
/// ```
/// assert_eq!(inos_epoch::REGION_ALIGN, 128);
/// ```
pub const REGION_ALIGN: u32 = 128;

/// The region size of `slots` epoch slots ([`SLOT_SIZE`](crate::SLOT_SIZE) bytes each, at offsets
/// `0, 8, 16, …`), in a layout's size type: what to pass to
/// [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized).
/// [`TOO_BIG`](inos_layout::RegionSize::TOO_BIG) above `u32::MAX` bytes.
///
/// ```
/// use inos_layout::{LayoutBuilder, RegionKind};
/// assert_eq!(inos_epoch::region_size(4).bytes(), Some(32));
///
/// const LAYOUT: inos_layout::Layout = LayoutBuilder::fitted()
///     .sized("epochs", inos_epoch::region_size(4), inos_epoch::REGION_ALIGN, RegionKind::EPOCHS)
///     .build_checked();
/// assert_eq!(LAYOUT.find("epochs").unwrap().1.size, 32);
/// ```
pub const fn region_size(slots: u32) -> RegionSize {
    RegionSize::new(slots as u64 * crate::SLOT_SIZE as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn slots_are_sized_without_overflow() {
        assert_eq!(super::region_size(0).bytes(), Some(0));
        assert_eq!(
            super::region_size(u32::MAX),
            inos_layout::RegionSize::TOO_BIG
        );
        assert_eq!(
            super::region_size(u32::MAX / 8).bytes(),
            Some(u32::MAX / 8 * 8)
        );
    }
}
