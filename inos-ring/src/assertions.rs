//! Compile-time checks of the type-level guarantees and header layout this crate documents
//! (`static_assertions`; compiled with the tests, a failure is a build error).

use static_assertions::{assert_impl_all, assert_not_impl_any, const_assert, const_assert_eq};

use crate::layout::{self, HEAD, HEADER_LEN, TAIL};
use crate::{Consumer, Mpsc, Producer, ReadGrant, Ring, Spsc, WriteGrant};

// A ring handle is shared freely; the ends are owned by one thread at a time (they cache
// positions), so they move between threads but are never shared.
assert_impl_all!(Ring<'static, Spsc>: Send, Sync, Copy);
assert_impl_all!(Ring<'static, Mpsc>: Send, Sync, Copy);
assert_impl_all!(Producer<'static, Spsc>: Send);
assert_impl_all!(Producer<'static, Mpsc>: Send);
assert_impl_all!(Consumer<'static, Spsc>: Send);
assert_impl_all!(Consumer<'static, Mpsc>: Send);
assert_not_impl_any!(Producer<'static, Spsc>: Sync);
assert_not_impl_any!(Producer<'static, Mpsc>: Sync);
assert_not_impl_any!(Consumer<'static, Spsc>: Sync);
assert_not_impl_any!(Consumer<'static, Mpsc>: Sync);
// Grants borrow their end mutably: they follow it (Send, never Sync).
assert_impl_all!(WriteGrant<'static, 'static, Spsc>: Send);
assert_impl_all!(WriteGrant<'static, 'static, Mpsc>: Send);
assert_impl_all!(ReadGrant<'static, 'static, Spsc>: Send);
assert_impl_all!(ReadGrant<'static, 'static, Mpsc>: Send);
assert_not_impl_any!(WriteGrant<'static, 'static, Spsc>: Sync);
assert_not_impl_any!(WriteGrant<'static, 'static, Mpsc>: Sync);
assert_not_impl_any!(ReadGrant<'static, 'static, Spsc>: Sync);
assert_not_impl_any!(ReadGrant<'static, 'static, Mpsc>: Sync);

// The header is 512 bytes; HEAD (consumer) and TAIL (producers) each own a 128-byte line pair,
// apart from each other and from the read-mostly fields before them.
const_assert_eq!(HEADER_LEN, 512);
const_assert_eq!(HEAD % 128, 0);
const_assert_eq!(TAIL % 128, 0);
const_assert!(layout::SPACE_EPOCH + 8 <= HEAD);
const_assert!(HEAD + 128 <= TAIL);
const_assert!(TAIL + 128 <= HEADER_LEN);
const_assert_eq!(HEADER_LEN % 128, 0);
// MPSC records: an 8-byte header, 8-aligned.
const_assert_eq!(layout::RECORD_HEADER, 8);
const_assert_eq!(layout::RECORD_ALIGN, 8);
// SPSC records: a 4-byte header word, 4-aligned; the largest message's record is at most half
// the smallest ring, so it fits once the ring is empty wherever the wrap point is.
const_assert_eq!(layout::SPSC_RECORD_HEADER, 4);
const_assert_eq!(layout::SPSC_RECORD_ALIGN, 4);
const_assert!(
    layout::spsc_record_size(layout::max_message(layout::MIN_CAPACITY)) <= layout::MIN_CAPACITY / 2
);
const_assert!(
    layout::record_size(layout::max_message(layout::MIN_CAPACITY)) <= layout::MIN_CAPACITY / 2
);
// Runs: the flag sits below the padding flag, above every message length (so a message word
// never looks like a run), and the header's words follow the header word.
const_assert_eq!(layout::SPSC_RUN & layout::SPSC_PADDING, 0);
const_assert_eq!(layout::SPSC_RUN_COUNT_MASK, layout::SPSC_RUN - 1);
const_assert!(layout::max_message(layout::MAX_CAPACITY) < layout::SPSC_RUN);
const_assert_eq!(layout::SPSC_RUN_LEN, layout::SPSC_RECORD_HEADER);
const_assert_eq!(layout::SPSC_RUN_TAKEN, layout::SPSC_RUN_LEN + 4);
const_assert_eq!(layout::SPSC_RUN_HEADER, layout::SPSC_RUN_TAKEN + 4);
const_assert!(layout::MIN_CAPACITY.is_power_of_two());
const_assert!(layout::MAX_CAPACITY.is_power_of_two());
const_assert_eq!(crate::PartyId::ANONYMOUS.get(), layout::ROLE_ANONYMOUS);
const_assert_eq!(layout::ROLE_FREE, 0);
