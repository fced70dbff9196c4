//! Status codes returned by every export, and their mapping from the crates' typed errors.
//!
//! A call returns `OK` (0) or a non-negative result on success and one of the negative codes
//! below on failure. The codes are part of the ABI: they never change meaning.

use inos_arena::Error as ArenaError;
use inos_layout::{AccessError, AttachError};
use inos_ledger::LedgerError;
use inos_ring::Error as RingError;

/// Success.
pub const OK: i32 = 0;
/// An argument is invalid: a null, misaligned or out-of-memory address, an unknown ring kind, a
/// capacity that is not a power of two, a fixed message size no ring may have or a push of
/// another length than a fixed-size ring's message size, a name that is not UTF-8.
pub const INVALID: i32 = -1;
/// The ring holds no committed message.
pub const EMPTY: i32 = -2;
/// The ring has no room for the message now.
pub const FULL: i32 = -3;
/// The wait reached its timeout (it may also return early; callers loop).
pub const TIMED_OUT: i32 = -4;
/// The message is longer than the ring's maximum message (`capacity / 2 - 8`).
pub const TOO_LARGE: i32 = -5;
/// The destination buffer is shorter than the next message (the message stays in the ring).
pub const BUFFER_TOO_SMALL: i32 = -6;
/// The ring role (consumer, or SPSC producer) is held by another party.
pub const ROLE_TAKEN: i32 = -7;
/// Shared memory holds values no correct party writes (ring, ledger or region header).
pub const CORRUPT: i32 = -8;
/// The handle does not name a live ring end.
pub const BAD_HANDLE: i32 = -9;
/// The handle is being used by another worker right now (a handle is single-threaded).
pub const BUSY: i32 = -10;
/// Every handle slot of this module is in use.
pub const NO_HANDLES: i32 = -11;
/// The bytes at the address are not what the call expects: wrong magic, version, kind or layout
/// (a ring: also a non-zero reserved word, an unknown mode, or a `MESSAGE_SIZE` no ring may
/// have).
pub const NOT_FORMATTED: i32 = -12;
/// The region is not ready yet (another party is formatting it).
pub const NOT_READY: i32 = -13;
/// The region is smaller than the layout, ring or ledger needs.
pub const TOO_SMALL: i32 = -14;
/// No region of that name in the directory.
pub const NOT_FOUND: i32 = -15;
/// The consumer declared this producer's reservation dead (MPSC); the message was not delivered.
pub const UNBLOCKED: i32 = -16;
/// A caller-private buffer (message scratch, name, `out`) overlaps a protocol region (the one the
/// call works on, or one the module formatted or attached to) or the module's own stack and
/// statics below `__heap_base`. Nothing was read or written.
pub const OVERLAP: i32 = -17;
/// Ledger errors are `LEDGER_BASE - code`, `code` from the table of ledger.md §7
/// ([`inos_ledger::ERROR_CODES`]): one status per error, -101 to -199.
pub const LEDGER_BASE: i32 = -100;

/// One status per error of a crate's error table (`$base - code`), and the list of them.
macro_rules! error_statuses {
    ($what:literal, $spec:literal, $base:ident, $list:ident { $($name:ident = $code:literal,)* }) => {
        $(
            #[doc = concat!($what, " error ", $code, " of ", $spec, " §7 (`", stringify!($base), " - ", $code, "`).")]
            pub const $name: i32 = $base - $code;
        )*
        #[doc = concat!("Every ", $what, " status with its name, in code order.")]
        pub const $list: &[(&str, i32)] = &[$((stringify!($name), $name)),*];
    };
}

error_statuses! { "Ledger", "ledger.md", LEDGER_BASE, LEDGER_STATUSES {
    LEDGER_REGION_TOO_SMALL = 1,
    LEDGER_ACCESS = 2,
    LEDGER_BAD_MAGIC = 3,
    LEDGER_UNSUPPORTED_VERSION = 4,
    LEDGER_CORRUPT_HEADER = 5,
    LEDGER_CORRUPT_ACCOUNT = 6,
    LEDGER_CORRUPT_HOLD = 7,
    LEDGER_ACCOUNT_CAPACITY_EXHAUSTED = 8,
    LEDGER_HOLD_CAPACITY_EXHAUSTED = 9,
    LEDGER_NO_SUCH_ACCOUNT = 10,
    LEDGER_ACCOUNT_NOT_OPEN = 11,
    LEDGER_ACCOUNT_FROZEN = 12,
    LEDGER_ACCOUNT_CLOSED = 13,
    LEDGER_ACCOUNT_NOT_FROZEN = 14,
    LEDGER_AMOUNT_NOT_POSITIVE = 15,
    LEDGER_SAME_ACCOUNT = 16,
    LEDGER_INSUFFICIENT_FUNDS = 17,
    LEDGER_NOTHING_TO_CLAIM = 18,
    LEDGER_BALANCE_OVERFLOW = 19,
    LEDGER_HELD_OVERFLOW = 20,
    LEDGER_PENDING_OVERFLOW = 21,
    LEDGER_EARNED_OVERFLOW = 22,
    LEDGER_SPENT_OVERFLOW = 23,
    LEDGER_MINTED_OVERFLOW = 24,
    LEDGER_BURNED_OVERFLOW = 25,
    LEDGER_NO_SUCH_HOLD = 26,
    LEDGER_HOLD_STALE = 27,
    LEDGER_HOLD_NOT_PENDING = 28,
    LEDGER_SETTLE_EXCEEDS_HOLD = 29,
}}

/// Arena errors are `ARENA_BASE - code`, `code` from the table of arena.md §7
/// ([`inos_arena::ERROR_CODES`]): one status per error, -201 to -299.
pub const ARENA_BASE: i32 = -200;

error_statuses! { "Arena", "arena.md", ARENA_BASE, ARENA_STATUSES {
    ARENA_REGION_TOO_SMALL = 1,
    ARENA_ACCESS = 2,
    ARENA_BAD_MAGIC = 3,
    ARENA_UNSUPPORTED_VERSION = 4,
    ARENA_CORRUPT_HEADER = 5,
    ARENA_CORRUPT_CHUNK = 6,
    ARENA_TOO_LARGE = 7,
    ARENA_OUT_OF_MEMORY = 8,
    ARENA_REF_OUT_OF_RANGE = 9,
    ARENA_REF_MISALIGNED = 10,
    ARENA_STALE = 11,
    ARENA_NOT_SENT = 12,
    ARENA_NOT_OWNER = 13,
    ARENA_TOO_MANY_REFS = 14,
    ARENA_ANONYMOUS_PARTY = 15,
    ARENA_CONTENDED = 16,
}}

/// Ledger audit: the audit ran but the books do not balance (or operations were in flight).
pub const UNBALANCED: i32 = -27;
/// Any other refusal (an error variant added to a dependency after this ABI was written).
pub const OTHER: i32 = -99;

/// Maps an access-layer error.
pub(crate) fn access(e: AccessError) -> i32 {
    match e {
        AccessError::OutOfBounds { .. } => TOO_SMALL,
        _ => INVALID,
    }
}

/// Maps a region attach/create error.
pub(crate) fn attach(e: AttachError) -> i32 {
    match e {
        AttachError::NotReady { .. } => NOT_READY,
        AttachError::RegionTooSmall { .. } | AttachError::TooSmall { .. } => TOO_SMALL,
        AttachError::Access(a) => access(a),
        AttachError::MisalignedBase { .. } => INVALID,
        AttachError::BadDirectory(_) | AttachError::BadInitState { .. } => CORRUPT,
        AttachError::MissingRegion(_) => NOT_FOUND,
        _ => NOT_FORMATTED,
    }
}

/// Maps a ring error.
pub(crate) fn ring(e: RingError) -> i32 {
    match e {
        RingError::Full => FULL,
        RingError::Empty => EMPTY,
        RingError::TooLarge { .. } => TOO_LARGE,
        RingError::BufferTooSmall { .. } => BUFFER_TOO_SMALL,
        // A push of another length than a fixed-size ring's message size: a bad argument.
        RingError::SizeMismatch { .. } => INVALID,
        RingError::RoleTaken(_) => ROLE_TAKEN,
        RingError::Unblocked => UNBLOCKED,
        RingError::TimedOut => TIMED_OUT,
        RingError::Access(a) => access(a),
        RingError::BadCapacity { .. } => INVALID,
        // A non-zero reserved header word: a format this party does not know (ring.md §2). A
        // MESSAGE_SIZE no ring may have (BadMessageSize), or one the handle cannot work with
        // (MessageSize; the ring calls claim fixed-size ends on fixed-size rings, so only a
        // MESSAGE_SIZE changed under them gets here): not the framing the call expects.
        RingError::BadMagic { .. }
        | RingError::BadVersion { .. }
        | RingError::WrongKind { .. }
        | RingError::BadKind { .. }
        | RingError::BadMode { .. }
        | RingError::Reserved { .. }
        | RingError::MessageSize { .. }
        | RingError::BadMessageSize { .. } => NOT_FORMATTED,
        RingError::Corrupt(_) => CORRUPT,
        _ => OTHER,
    }
}

/// Maps a ledger error: `LEDGER_BASE - code` (ledger.md §7), one status per error.
pub(crate) fn ledger(e: LedgerError) -> i32 {
    // Codes are 1..=99 by construction (a test checks it), so this never overflows.
    LEDGER_BASE - e.code() as i32
}

/// Maps an arena error: `ARENA_BASE - code` (arena.md §7), one status per error.
pub(crate) fn arena(e: ArenaError) -> i32 {
    // Codes are 1..=99 by construction (a test checks it), so this never overflows.
    ARENA_BASE - e.code() as i32
}

/// Collapses a `Result<(), i32>` into a status.
pub(crate) fn code(r: Result<(), i32>) -> i32 {
    match r {
        Ok(()) => OK,
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    /// `list` is exactly `base - code` for the crate's error `table`, in order, each named
    /// `PREFIX_SNAKE_CASE_NAME`.
    fn follows_table(list: &[(&str, i32)], base: i32, table: &[(u32, &str)], prefix: &str) {
        assert_eq!(list.len(), table.len());
        for ((name, status), (code, ename)) in list.iter().zip(table) {
            assert!(*code > 0 && *code < 100, "{ename}");
            assert_eq!(*status, base - *code as i32, "{name}");
            let mut snake = std::string::String::from(prefix);
            for c in ename.chars() {
                if c.is_ascii_uppercase() {
                    snake.push('_');
                }
                snake.push(c.to_ascii_uppercase());
            }
            assert_eq!(*name, snake);
        }
    }

    /// The named `LEDGER_*` constants are exactly `LEDGER_BASE - code` for the ledger crate's
    /// table, in order, and distinct from every other status.
    #[test]
    fn ledger_statuses_follow_the_spec_table() {
        follows_table(
            LEDGER_STATUSES,
            LEDGER_BASE,
            &inos_ledger::ERROR_CODES,
            "LEDGER",
        );
        assert_eq!(ledger(LedgerError::SameAccount), LEDGER_SAME_ACCOUNT);
        assert_eq!(ledger(LedgerError::CorruptHeader), LEDGER_CORRUPT_HEADER);
        assert_eq!(
            ledger(LedgerError::AmountNotPositive),
            LEDGER_AMOUNT_NOT_POSITIVE
        );
        assert_ne!(LEDGER_SAME_ACCOUNT, LEDGER_AMOUNT_NOT_POSITIVE);
        for (_, s) in LEDGER_STATUSES.iter().chain(ARENA_STATUSES) {
            assert!(![
                OK,
                INVALID,
                CORRUPT,
                NOT_FORMATTED,
                TOO_SMALL,
                UNBALANCED,
                OTHER
            ]
            .contains(s));
        }
    }

    /// The named `ARENA_*` constants are exactly `ARENA_BASE - code` for the arena crate's
    /// table (arena.md §7), in order, and distinct from the ledger's.
    #[test]
    fn arena_statuses_follow_the_spec_table() {
        follows_table(
            ARENA_STATUSES,
            ARENA_BASE,
            &inos_arena::ERROR_CODES,
            "ARENA",
        );
        for (_, s) in ARENA_STATUSES {
            assert!(!LEDGER_STATUSES.iter().any(|(_, l)| l == s));
        }
        assert_eq!(arena(ArenaError::Stale), ARENA_STALE);
        assert_eq!(arena(ArenaError::OutOfMemory), ARENA_OUT_OF_MEMORY);
        assert_eq!(
            arena(ArenaError::CorruptChunk { index: 3 }),
            ARENA_CORRUPT_CHUNK
        );
    }

    /// A ring whose framing the call does not work with (ring.md §3.3: a fixed-size ring for the
    /// variable-length calls) or whose MESSAGE_SIZE no ring may have is NOT_FORMATTED, like a
    /// ring of another kind or mode.
    #[test]
    fn ring_message_size_errors_are_not_formatted() {
        let e = RingError::MessageSize {
            expected: 0,
            found: 8,
        };
        assert_eq!(ring(e), NOT_FORMATTED);
        assert_eq!(ring(RingError::BadMessageSize { found: 8 }), NOT_FORMATTED);
    }
}
