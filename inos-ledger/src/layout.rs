//! The wire format: header, account records and hold records, as byte offsets.
//!
//! Everything here is specified in `docs/protocol/ledger.md`; a test checks the tables there
//! against these constants, and `exports/inos_ledger.*` are generated from them.
//!
//! ```
//! use inos_ledger::layout::*;
//! assert_eq!((H_MINTED, A_STATUS, HO_PAYER), (64, 32, 16));
//! assert_eq!((ST_CLOSED, HS_VOIDED), (3, 4));
//! ```

/// `b"INLG"` read as a little-endian `u32`: the first word of every ledger region.
pub const MAGIC: u32 = u32::from_le_bytes(*b"INLG");
/// The wire-format version this crate reads and writes.
pub const VERSION: u32 = 2;

/// Size of the ledger header in bytes (two cache lines).
pub const HEADER_LEN: usize = 128;
/// Size of one account record: one cache line, so two accounts never share a line.
pub const ACCOUNT_LEN: usize = 64;
/// Size of one hold record: one cache line.
pub const HOLD_LEN: usize = 64;

// Header (offsets from the ledger base).
/// Header: `magic` (u32).
pub const H_MAGIC: usize = 0;
/// Header: `version` (u32).
pub const H_VERSION: usize = 4;
/// Header: `account_capacity` (u32).
pub const H_ACCOUNTS: usize = 8;
/// Header: `hold_capacity` (u32).
pub const H_HOLDS: usize = 12;
/// First reserved u32 of the header's first line (16..64 are reserved, zero).
pub const H_RESERVED0: usize = 16;
/// Header: `minted` (i64).
pub const H_MINTED: usize = 64;
/// Header: `burned` (i64).
pub const H_BURNED: usize = 72;
/// Header: `audits` (u64).
pub const H_AUDITS: usize = 80;
/// Header: `audits_unbalanced` (u64).
pub const H_AUDITS_UNBALANCED: usize = 88;
/// 96..128 are reserved, zero.
pub const H_RESERVED1: usize = 96;

// Account record (offsets from the record start). Format 2: the balance is not stored; it is
// `credited − debited`, derived from two totals so that a transfer is two read-modify-writes.
/// Account record: `credited` (i64): lifetime inflow (mint, transfer in, settle in, claim);
/// only grows.
pub const A_CREDITED: usize = 0;
/// Account record: `debited` (i64): lifetime outflow plus escrow (burn, transfer out, hold),
/// lowered only by refunds (void, settle remainder) and undo steps; never above `credited`.
pub const A_DEBITED: usize = 8;
/// Account record: `held` (i64).
pub const A_HELD: usize = 16;
/// Account record: `pending` (i64).
pub const A_PENDING: usize = 24;
/// Account record: `status` (u32: state | generation << 8).
pub const A_STATUS: usize = 32;
/// Account record: first reserved byte; `A_RESERVED..ACCOUNT_LEN` are zero (read as u32 words).
pub const A_RESERVED: usize = 36;

// Hold record (offsets from the record start).
/// Hold record: `state` (u64: state | generation << 32).
pub const HO_STATE: usize = 0;
/// Hold record: `amount` (i64).
pub const HO_AMOUNT: usize = 8;
/// Hold record: `payer` (u32).
pub const HO_PAYER: usize = 16;
/// Hold record: first reserved byte; `HO_RESERVED..HOLD_LEN` are zero (read as u32 words).
pub const HO_RESERVED: usize = 20;

// Account states (low 8 bits of the status word; the upper 24 bits are its generation).
/// Account state FREE (all zero).
pub const ST_FREE: u32 = 0;
/// Account state OPEN.
pub const ST_OPEN: u32 = 1;
/// Account state FROZEN.
pub const ST_FROZEN: u32 = 2;
/// Account state CLOSED.
pub const ST_CLOSED: u32 = 3;

// Hold states (low 32 bits of the hold state word; the upper 32 bits are its generation).
/// Hold state FREE.
pub const HS_FREE: u64 = 0;
/// Hold state RESERVING.
pub const HS_RESERVING: u64 = 1;
/// Hold state PENDING.
pub const HS_PENDING: u64 = 2;
/// Hold state SETTLED.
pub const HS_SETTLED: u64 = 3;
/// Hold state VOIDED.
pub const HS_VOIDED: u64 = 4;

/// Offset of the first account record.
pub(crate) const fn accounts_off() -> usize {
    HEADER_LEN
}

/// The multiplier of the hold-slot scan start (the 32-bit golden ratio, `2^32 / φ`).
pub const HOLD_SCAN_MULTIPLIER: u32 = 0x9E37_79B9;

/// The hold slot where a `hold` by `payer` starts scanning for a free slot:
/// `((payer × 0x9E3779B9) mod 2^32) mod hold_capacity` — a wrapping 32-bit product, what JS
/// (`Math.imul(p, 0x9E3779B9) >>> 0`) and Go (`uint32` arithmetic) compute natively. The scan
/// then goes upwards, from `start` to `hold_capacity − 1` and on from 0 to `start − 1`.
/// `None` when the ledger has no hold slots.
///
/// ```
/// // The test vector of ledger.md §2: a 64-bit product would give 307 here.
/// assert_eq!(inos_ledger::hold_scan_start(3, 1000), Some(11));
/// assert_eq!(inos_ledger::hold_scan_start(3, 0), None);
/// ```
pub fn hold_scan_start(payer: u32, hold_capacity: u32) -> Option<u32> {
    payer
        .wrapping_mul(HOLD_SCAN_MULTIPLIER)
        .checked_rem(hold_capacity)
}

/// Bytes a ledger with these capacities occupies, or `None` if that overflows `usize`
/// (`const`, so usable for buffer sizes in `const` items).
///
/// For a ledger inside a [`Layout`](inos_layout::Layout), [`region_size`] gives the same bytes in
/// the layout's size type.
///
/// ```
/// use inos_ledger::required_len;
/// assert_eq!(required_len(1024, 256), Some(128 + 64 * (1024 + 256)));
/// const LEN: Option<usize> = required_len(4, 4);
/// assert_eq!(LEN, Some(128 + 64 * 8));
/// ```
pub const fn required_len(accounts: u32, holds: u32) -> Option<usize> {
    let Some(records) = (accounts as usize).checked_add(holds as usize) else {
        return None;
    };
    let Some(bytes) = records.checked_mul(ACCOUNT_LEN) else {
        return None;
    };
    bytes.checked_add(HEADER_LEN)
}

/// The alignment to give a ledger's region in a layout: 128 bytes (a pair of cache lines; the
/// ledger itself needs only 8).
///
/// ```
/// assert_eq!(inos_ledger::REGION_ALIGN, 128);
/// ```
pub const REGION_ALIGN: u32 = 128;

/// The region size of a ledger with these capacities, in a layout's size type: what to pass to
/// [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized) (the same bytes as
/// [`required_len`]). [`TOO_BIG`](inos_layout::RegionSize::TOO_BIG) above `u32::MAX` bytes, so a
/// `const` layout with a ledger too large fails to compile, and `build` reports
/// [`LayoutError::NoSpace`](inos_layout::LayoutError::NoSpace).
///
/// ```
/// use inos_layout::{LayoutBuilder, RegionKind, RegionSize};
/// use inos_ledger::{region_size, REGION_ALIGN};
/// assert_eq!(region_size(16, 64).bytes(), Some(128 + 64 * 80));
/// assert_eq!(region_size(u32::MAX, 0), RegionSize::TOO_BIG);
///
/// const LAYOUT: inos_layout::Layout = LayoutBuilder::fitted()
///     .sized("ledger", region_size(16, 64), REGION_ALIGN, RegionKind::LEDGER)
///     .build_checked();
/// assert_eq!(LAYOUT.find("ledger").unwrap().1.size, 128 + 64 * 80);
/// ```
pub const fn region_size(accounts: u32, holds: u32) -> inos_layout::RegionSize {
    // At most (2^33 - 2) * 64 + 128 < 2^40: no overflow in u64.
    let records = accounts as u64 + holds as u64;
    inos_layout::RegionSize::new(HEADER_LEN as u64 + records * ACCOUNT_LEN as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_naturally_aligned_and_fit() {
        for off in [H_MINTED, H_BURNED, H_AUDITS, H_AUDITS_UNBALANCED] {
            assert_eq!(off % 8, 0);
            assert!(off + 8 <= HEADER_LEN);
        }
        for off in [
            A_CREDITED, A_DEBITED, A_HELD, A_PENDING, HO_STATE, HO_AMOUNT,
        ] {
            assert_eq!(off % 8, 0);
            assert!(off + 8 <= ACCOUNT_LEN);
        }
        assert_eq!(A_STATUS % 4, 0);
        assert_eq!(HO_PAYER % 4, 0);
        assert_eq!(ACCOUNT_LEN, HOLD_LEN);
        assert_eq!(MAGIC.to_le_bytes(), *b"INLG");
    }

    #[test]
    fn required_len_checks_overflow() {
        assert_eq!(required_len(0, 0), Some(HEADER_LEN));
        #[cfg(target_pointer_width = "64")]
        assert!(required_len(u32::MAX, u32::MAX).is_some());
        #[cfg(target_pointer_width = "32")]
        assert_eq!(required_len(u32::MAX, u32::MAX), None);
    }

    /// Issue 13 §5: the layout-sized form agrees with `required_len` and says "too big".
    #[test]
    fn region_size_matches_required_len() {
        for (a, h) in [(0, 0), (1, 0), (16, 64), (1000, 3)] {
            assert_eq!(region_size(a, h).to_usize(), required_len(a, h));
        }
        let max = (u32::MAX as usize - HEADER_LEN) / ACCOUNT_LEN;
        assert!(region_size(max as u32, 0).bytes().is_some());
        assert_eq!(
            region_size(max as u32 + 1, 0),
            inos_layout::RegionSize::TOO_BIG
        );
    }
}
