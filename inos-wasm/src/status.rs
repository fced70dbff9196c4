//! Status codes returned by every export, and their mapping from the crates' typed errors.
//!
//! A call returns `OK` (0) or a non-negative result on success and one of the negative codes
//! below on failure. The codes are part of the ABI: they never change meaning.

use inos_layout::{AccessError, AttachError};
use inos_ledger::LedgerError;
use inos_ring::Error as RingError;

/// Success.
pub const OK: i32 = 0;
/// An argument is invalid: a null, misaligned or out-of-memory address, an unknown ring kind, a
/// capacity that is not a power of two, a name that is not UTF-8.
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
/// The bytes at the address are not what the call expects: wrong magic, version, kind or layout.
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
/// Ledger: the balance is smaller than the amount.
pub const INSUFFICIENT_FUNDS: i32 = -20;
/// Ledger: the account index is out of range or the account was never opened.
pub const NO_SUCH_ACCOUNT: i32 = -21;
/// Ledger: the account is frozen or closed.
pub const ACCOUNT_LOCKED: i32 = -22;
/// Ledger: the amount is not strictly positive, or a transfer names the same account twice.
pub const BAD_AMOUNT: i32 = -23;
/// Ledger: a total would exceed `i64::MAX`.
pub const OVERFLOW: i32 = -24;
/// Ledger: every account or hold slot is in use.
pub const CAPACITY_EXHAUSTED: i32 = -25;
/// Ledger: the hold id is unknown, stale, already resolved, or settled for more than it holds.
pub const BAD_HOLD: i32 = -26;
/// Ledger: the audit ran but the books do not balance (or operations were in flight).
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
        _ => NOT_FORMATTED,
    }
}

/// Maps a ring error.
pub(crate) fn ring(e: RingError) -> i32 {
    match e {
        RingError::Full => FULL,
        RingError::Empty => EMPTY,
        RingError::TooLarge { .. } => TOO_LARGE,
        RingError::BufferTooSmall { .. } | RingError::SizeMismatch { .. } => BUFFER_TOO_SMALL,
        RingError::RoleTaken(_) => ROLE_TAKEN,
        RingError::Unblocked => UNBLOCKED,
        RingError::TimedOut => TIMED_OUT,
        RingError::Access(a) => access(a),
        RingError::BadCapacity { .. } => INVALID,
        // A non-zero reserved header word: a format this party does not know (ring.md §2).
        RingError::BadMagic { .. }
        | RingError::BadVersion { .. }
        | RingError::BadKind { .. }
        | RingError::Reserved { .. } => NOT_FORMATTED,
        RingError::Corrupt(_) => CORRUPT,
        _ => OTHER,
    }
}

/// Maps a ledger error.
pub(crate) fn ledger(e: LedgerError) -> i32 {
    use LedgerError as L;
    match e {
        L::RegionTooSmall { .. } => TOO_SMALL,
        L::Access(a) => access(a),
        L::BadMagic(_) | L::UnsupportedVersion(_) => NOT_FORMATTED,
        L::CorruptHeader | L::CorruptAccount { .. } | L::CorruptHold { .. } => CORRUPT,
        L::AccountCapacityExhausted | L::HoldCapacityExhausted => CAPACITY_EXHAUSTED,
        L::NoSuchAccount | L::AccountNotOpen => NO_SUCH_ACCOUNT,
        L::AccountFrozen | L::AccountClosed | L::AccountNotFrozen => ACCOUNT_LOCKED,
        L::AmountNotPositive | L::SameAccount => BAD_AMOUNT,
        L::InsufficientFunds | L::NothingToClaim => INSUFFICIENT_FUNDS,
        L::BalanceOverflow
        | L::HeldOverflow
        | L::PendingOverflow
        | L::EarnedOverflow
        | L::SpentOverflow
        | L::MintedOverflow
        | L::BurnedOverflow => OVERFLOW,
        L::NoSuchHold | L::HoldStale | L::HoldNotPending | L::SettleExceedsHold => BAD_HOLD,
        _ => OTHER,
    }
}

/// Collapses a `Result<(), i32>` into a status.
pub(crate) fn code(r: Result<(), i32>) -> i32 {
    match r {
        Ok(()) => OK,
        Err(e) => e,
    }
}
