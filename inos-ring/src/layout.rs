//! Byte offsets and constants of the ring wire format (see `docs/protocol/ring.md`).
//!
//! Every offset is relative to the start of the ring's region. All words are little-endian
//! `u32`s, naturally aligned. These constants are the specification in code form; tests check
//! them against the tables in the spec.
//!
//! ```
//! use inos_ring::layout;
//! assert_eq!(layout::HEADER_LEN, 512);
//! assert_eq!(layout::HEAD % 128, 0);
//! assert_eq!(layout::TAIL % 128, 0);
//! assert_eq!(layout::required_len(4096), 512 + 4096);
//! ```

/// `MAGIC` word value: the ASCII bytes `"IRNG"` read as a little-endian `u32`.
pub const MAGIC_VALUE: u32 = u32::from_le_bytes(*b"IRNG");
/// Wire-format version this crate writes and accepts (6: the [`MESSAGE_SIZE`] header word and
/// fixed-size SPSC rings; 5: SPSC run records; 4: MPSC commits store a position-tagged
/// [`committed_tag`]; since 3, SPSC records have a 4-byte header and MPSC consumers zero only the
/// state words of released space). Other versions are refused with
/// [`Error::BadVersion`](crate::Error::BadVersion).
pub const VERSION_VALUE: u32 = 6;

/// Offset of the magic word ([`MAGIC_VALUE`]).
pub const MAGIC: usize = 0;
/// Offset of the version word ([`VERSION_VALUE`]).
pub const VERSION: usize = 4;
/// Offset of the data capacity in bytes (a power of two, `MIN_CAPACITY..=MAX_CAPACITY`).
pub const CAPACITY: usize = 8;
/// Offset of the ring kind ([`KIND_SPSC`] or [`KIND_MPSC`]).
pub const KIND: usize = 12;
/// Offset of the consumer role word: [`ROLE_FREE`], or the holder's party id
/// ([`ROLE_ANONYMOUS`] when it did not name itself; see [`PartyId`](crate::PartyId)).
pub const CONSUMER_ROLE: usize = 16;
/// Offset of the producer role word: SPSC [`ROLE_FREE`] or the holder's party id, like
/// [`CONSUMER_ROLE`]; MPSC the number of attached producers.
pub const PRODUCER_ROLE: usize = 20;
/// A role word's value when the role is free.
pub const ROLE_FREE: u32 = 0;
/// The party id of a holder that did not name itself ([`PartyId::ANONYMOUS`](crate::PartyId)):
/// what parties written before party ids store, and what any party may store.
pub const ROLE_ANONYMOUS: u32 = 1;
/// Offset of the `dropped` counter (messages the consumer skipped unread).
pub const DROPPED: usize = 24;
/// Offset of the `aborted` counter (reservations abandoned by their producer).
pub const ABORTED: usize = 28;
/// Offset of the `unblocked` counter (stuck reservations the consumer turned into padding).
pub const UNBLOCKED: usize = 32;
/// Offset of the wake mode word: [`MODE_WAKE`] (parties may sleep; progress stores pay the wake
/// handshake) or [`MODE_POLL`] (nobody sleeps; progress stores are plain Release stores).
pub const MODE: usize = 36;
/// Offset of the message size word: `0` on a ring of variable-length messages (records with a
/// length header, spec §3), otherwise the one length every message of a **fixed-size** SPSC ring
/// has (`1..=max_message`; records are the bare payload padded to 4 bytes, spec §3.3).
pub const MESSAGE_SIZE: usize = 56;
/// Offset of the first reserved word (must be zero).
pub const RESERVED0: usize = 60;
/// Offset of the "data" epoch slot (8 bytes: counter `u32`, waiter count `u32`), signalled by
/// producers after a commit when a consumer sleeps.
pub const DATA_EPOCH: usize = 40;
/// Offset of the "space" epoch slot (8 bytes: counter `u32`, waiter count `u32`), signalled by the
/// consumer after it frees space when a producer sleeps.
pub const SPACE_EPOCH: usize = 48;
/// Offset of the consumer position (`head`), on the consumer's 128-byte line.
pub const HEAD: usize = 128;
/// Offset of the MPSC consumer's release target: stored before it zeroes the space it frees and
/// equal to `HEAD` once the release is complete, so a consumer that dies in between leaves enough
/// for a new one to finish the release (spec §5.3). Unused on SPSC rings (left at its init
/// value; an SPSC release is the one store of `HEAD`).
pub const RELEASE_TO: usize = 132;
/// Offset of the producer position (`tail`), alone on its 128-byte line.
pub const TAIL: usize = 256;
/// Length of the ring header; the data area starts here.
pub const HEADER_LEN: usize = 512;

/// The reserved byte ranges of the header (`start..end`): written as zero by `init`, and a
/// header with any non-zero byte there is refused by `attach` (PROTOCOL.md §1).
pub const RESERVED: [(usize, usize); 3] = [(60, 128), (136, 256), (260, 512)];

/// `MODE` value of a ring whose parties may sleep (`push_wait` / `pop_wait` park): every commit
/// and release is a SeqCst store followed by a check of the other side's waiter count (spec §7).
pub const MODE_WAKE: u32 = 0;
/// `MODE` value of a polling ring: no party ever sleeps on its epochs, so commits and releases are
/// Release stores with no waiter check, and the blocking calls poll instead of parking (spec §7.1).
pub const MODE_POLL: u32 = 1;

/// `KIND` value of a single-producer ring.
pub const KIND_SPSC: u32 = 1;
/// `KIND` value of a multi-producer ring.
pub const KIND_MPSC: u32 = 2;

/// Smallest data capacity in bytes.
pub const MIN_CAPACITY: u32 = 64;
/// Largest data capacity in bytes (`2^31`, so positions compare correctly modulo `2^32`).
pub const MAX_CAPACITY: u32 = 1 << 31;

/// Size of an MPSC record header: `length: u32` then `state: u32`.
pub const RECORD_HEADER: u32 = 8;
/// MPSC records start and end on multiples of this.
pub const RECORD_ALIGN: u32 = 8;

/// Size of an SPSC record header: one `u32` word, the payload length, or [`SPSC_PADDING`] plus
/// the number of bytes after the word to skip (spec §3.1).
pub const SPSC_RECORD_HEADER: u32 = 4;
/// SPSC records start and end on multiples of this.
pub const SPSC_RECORD_ALIGN: u32 = 4;
/// Flag bit of an SPSC header word that marks a padding record: the low 31 bits are the bytes
/// after the header word to skip (a wrap filler says how far the end of the data area is).
pub const SPSC_PADDING: u32 = 0x8000_0000;
/// Flag bit of an SPSC header word (with [`SPSC_PADDING`] clear) that starts a **run**: the low
/// 30 bits ([`SPSC_RUN_COUNT_MASK`]) are how many messages of one length follow the run's
/// 12-byte header (spec §3.1.1).
pub const SPSC_RUN: u32 = 0x4000_0000;
/// The count bits of a run's header word.
pub const SPSC_RUN_COUNT_MASK: u32 = 0x3FFF_FFFF;
/// Size of a run's header: the word `SPSC_RUN | count`, the messages' length `L`, and `TAKEN`,
/// the consumer's count of the run's messages consumed (spec §3.1.1).
pub const SPSC_RUN_HEADER: u32 = 12;
/// Offset of the `L` word in a run's header.
pub const SPSC_RUN_LEN: u32 = 4;
/// Offset of the consumer-owned `TAKEN` word in a run's header.
pub const SPSC_RUN_TAKEN: u32 = 8;
/// The fewest messages the Rust producer puts in a run: below four, single records are as
/// small or smaller (`12 + count·stride` bytes against `count·(4 + stride)`).
pub const SPSC_RUN_MIN: u32 = 4;

/// Record state (MPSC): free space (not yet written).
pub const STATE_EMPTY: u32 = 0;
/// Bit set in the state of a committed MPSC message; the low 29 bits are `position >> 3`
/// ([`committed_tag`]): `length` bytes of payload follow the header. The position makes a commit
/// that lands after its record was unblocked and reused harmless (spec §6).
pub const STATE_COMMITTED: u32 = 0x4000_0000;
/// Record state (MPSC): padding (wrap filler, an aborted or an unblocked reservation); skip it.
pub const STATE_PADDING: u32 = 2;
/// Bit set in the state of an in-progress MPSC reservation; the low 29 bits are `position >> 3`.
pub const STATE_BUSY: u32 = 0x8000_0000;

/// The position bits of a busy or committed tag: `position >> 3`, modulo 2²⁹.
pub const TAG_POSITION_MASK: u32 = 0x1FFF_FFFF;

/// The in-progress state word a producer writes for its record at `position` (MPSC only).
///
/// ```
/// use inos_ring::layout::{busy_tag, STATE_BUSY};
/// assert_eq!(busy_tag(64), STATE_BUSY | 8);
/// ```
#[inline(always)]
pub const fn busy_tag(position: u32) -> u32 {
    STATE_BUSY | (position >> 3)
}

/// The committed state word a producer stores for its message at `position` (MPSC only).
///
/// ```
/// use inos_ring::layout::{committed_tag, STATE_COMMITTED};
/// assert_eq!(committed_tag(64), STATE_COMMITTED | 8);
/// ```
#[inline(always)]
pub const fn committed_tag(position: u32) -> u32 {
    STATE_COMMITTED | (position >> 3)
}

/// Bytes an MPSC record with a `len`-byte payload occupies: header plus payload, rounded up to
/// 8 (SPSC records: [`spsc_record_size`]).
///
/// Only meaningful for `len <= MAX_CAPACITY`.
///
/// ```
/// assert_eq!(inos_ring::layout::record_size(0), 8);
/// assert_eq!(inos_ring::layout::record_size(1), 16);
/// assert_eq!(inos_ring::layout::record_size(8), 16);
/// ```
#[inline(always)]
pub const fn record_size(len: u32) -> u32 {
    (len + RECORD_HEADER + (RECORD_ALIGN - 1)) & !(RECORD_ALIGN - 1)
}

/// Bytes an SPSC record with a `len`-byte payload occupies: the 4-byte header word plus the
/// payload, rounded up to 4. A padding record whose word is `SPSC_PADDING | n` occupies
/// `spsc_record_size(n)` bytes too.
///
/// Only meaningful for `len <= MAX_CAPACITY`.
///
/// ```
/// use inos_ring::layout::spsc_record_size;
/// assert_eq!(spsc_record_size(0), 4);
/// assert_eq!(spsc_record_size(1), 8);
/// assert_eq!(spsc_record_size(8), 12);
/// assert_eq!(spsc_record_size(32), 36);
/// ```
#[inline(always)]
pub const fn spsc_record_size(len: u32) -> u32 {
    (len + SPSC_RECORD_HEADER + (SPSC_RECORD_ALIGN - 1)) & !(SPSC_RECORD_ALIGN - 1)
}

/// Bytes a run of `count` messages of `len` bytes occupies (spec §3.1.1): the 12-byte header
/// and each message padded to 4, or `None` if that exceeds `u32` (no valid run does).
///
/// ```
/// use inos_ring::layout::spsc_run_size;
/// assert_eq!(spsc_run_size(64, 8), Some(12 + 64 * 8)); // 64 eight-byte messages: 524 bytes
/// assert_eq!(spsc_run_size(3, 5), Some(12 + 3 * 8));
/// assert_eq!(spsc_run_size(1 << 29, 9), None);
/// ```
#[inline(always)]
pub const fn spsc_run_size(count: u32, len: u32) -> Option<u32> {
    let stride = (len as u64 + 3) & !3;
    let size = SPSC_RUN_HEADER as u64 + count as u64 * stride;
    if size > u32::MAX as u64 {
        None
    } else {
        Some(size as u32)
    }
}

/// `MESSAGE_SIZE` value of a ring of variable-length messages (records with a length header).
pub const MESSAGE_SIZE_VARIABLE: u32 = 0;

/// Bytes a record of a fixed-size ring of `size`-byte messages occupies (spec §3.3): the bare
/// payload padded to 4 bytes, no header.
///
/// ```
/// use inos_ring::layout::fixed_stride;
/// assert_eq!(fixed_stride(8), 8); // an 8-byte message moves 8 bytes, as in a typed queue
/// assert_eq!(fixed_stride(5), 8);
/// assert_eq!(fixed_stride(32), 32);
/// ```
#[inline(always)]
pub const fn fixed_stride(size: u32) -> u32 {
    (size + 3) & !3
}

/// Where the record of a fixed-size ring that the next message at position `pos` goes to starts
/// (spec §3.3): at `pos` if its `stride` bytes fit before the end of the data area, otherwise at
/// the start of the next lap (`pos` plus the bytes left to the end). Producer and consumer both
/// compute it; nothing marks the skipped bytes.
///
/// ```
/// use inos_ring::layout::fixed_slot;
/// assert_eq!(fixed_slot(64, 8, 16), 16); // fits
/// assert_eq!(fixed_slot(64, 12, 60), 64); // 4 bytes left before the end: skip them
/// assert_eq!(fixed_slot(64, 12, 48), 48); // 16 bytes left: fits
/// ```
#[inline(always)]
pub const fn fixed_slot(capacity: u32, stride: u32, pos: u32) -> u32 {
    let to_end = capacity - (pos & (capacity - 1));
    if stride <= to_end {
        pos
    } else {
        pos.wrapping_add(to_end)
    }
}

/// Largest payload a ring of `capacity` data bytes accepts, for both kinds: `capacity / 2 - 8`,
/// so that any record (at most half the ring) fits once the ring is empty, whatever the wrap
/// position (spec §3). An SPSC record of that payload is `capacity / 2 - 4` bytes, within the
/// SPSC bound of `capacity / 2`; the one bound keeps a message valid on either kind.
///
/// ```
/// assert_eq!(inos_ring::layout::max_message(4096), 2040);
/// ```
#[inline(always)]
pub const fn max_message(capacity: u32) -> u32 {
    capacity / 2 - RECORD_HEADER
}

/// Bytes a region must have to hold a ring with `capacity` data bytes.
///
/// ```
/// assert_eq!(inos_ring::layout::required_len(1 << 16), 512 + 65536);
/// ```
#[inline]
pub const fn required_len(capacity: u32) -> usize {
    HEADER_LEN + capacity as usize
}

/// The alignment to give a ring's region in a layout: 128 bytes, so `HEAD` and `TAIL` each sit on
/// their own pair of 64-byte cache lines (the ring itself needs only 8).
///
/// ```
/// assert_eq!(inos_ring::layout::REGION_ALIGN, 128);
/// ```
pub const REGION_ALIGN: u32 = 128;

/// The region size of a ring with `capacity` data bytes, in a layout's size type: what to pass
/// to [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized) (the same bytes as
/// [`required_len`]). [`TOO_BIG`](inos_layout::RegionSize::TOO_BIG) above [`MAX_CAPACITY`], so a
/// `const` layout with a ring too large fails to compile. (Whether `capacity` is a valid ring
/// capacity, a power of two of at least [`MIN_CAPACITY`], is checked by `Ring::init`.)
///
/// ```
/// use inos_layout::{LayoutBuilder, RegionKind, RegionSize};
/// use inos_ring::layout::{region_size, REGION_ALIGN};
/// assert_eq!(region_size(1 << 16).bytes(), Some(512 + 65536));
/// assert_eq!(region_size(u32::MAX), RegionSize::TOO_BIG);
///
/// const LAYOUT: inos_layout::Layout = LayoutBuilder::fitted()
///     .sized("inbox", region_size(1 << 16), REGION_ALIGN, RegionKind::RING)
///     .build_checked();
/// assert_eq!(LAYOUT.find("inbox").unwrap().1.size, 512 + 65536);
/// ```
pub const fn region_size(capacity: u32) -> inos_layout::RegionSize {
    if capacity > MAX_CAPACITY {
        return inos_layout::RegionSize::TOO_BIG;
    }
    inos_layout::RegionSize::new(HEADER_LEN as u64 + capacity as u64)
}
