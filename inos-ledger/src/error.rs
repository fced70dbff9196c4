//! Typed errors: every refusal has its own variant, every overflow its own error.

use core::fmt;

use inos_layout::AccessError;

/// Why a ledger operation was refused.
///
/// Refusals leave the ledger exactly as it was (any partial step is undone by the same call before
/// it returns). Variants named `Corrupt…` mean the shared bytes break the format's invariants:
/// another party wrote something it must not. They are reported, never trusted.
///
/// ```
/// use inos_ledger::{Ledger, LedgerError};
/// use inos_layout::RegionBuf;
///
/// let buf = RegionBuf::new(inos_ledger::required_len(2, 1).unwrap()).unwrap();
/// let ledger = Ledger::init(buf.region(), 2, 1).unwrap();
/// let a = ledger.open().unwrap();
/// let b = ledger.open().unwrap();
/// assert_eq!(ledger.transfer(a, b, 5), Err(LedgerError::InsufficientFunds));
/// assert_eq!(ledger.open(), Err(LedgerError::AccountCapacityExhausted));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LedgerError {
    /// The region is smaller than the header, or than the capacities in the header require.
    RegionTooSmall {
        /// Bytes the ledger needs.
        needed: usize,
        /// Bytes the region has.
        len: usize,
    },
    /// The region could not be accessed (misaligned base or sub-range).
    Access(AccessError),
    /// The first word is not [`MAGIC`](crate::MAGIC): this is not a ledger region.
    BadMagic(u32),
    /// The header names a version this crate does not speak.
    UnsupportedVersion(u32),
    /// A reserved header word is not zero, or the supply totals are negative.
    CorruptHeader,
    /// An account record breaks the format (unknown state, a negative money field, a free slot
    /// holding money).
    CorruptAccount {
        /// Index of the record.
        index: u32,
    },
    /// A hold record breaks the format (unknown state, payer out of range, amount ≤ 0).
    CorruptHold {
        /// Index of the record.
        index: u32,
    },
    /// Every account slot is taken (the INOS registration overflow, defect 24, cannot happen).
    AccountCapacityExhausted,
    /// Every hold slot is in use.
    HoldCapacityExhausted,
    /// The account index is not below the ledger's account capacity.
    NoSuchAccount,
    /// The account slot was never opened.
    AccountNotOpen,
    /// The account is frozen: money may come in, none may go out.
    AccountFrozen,
    /// The account is closed: no money moves in or out (pending holds still resolve).
    AccountClosed,
    /// `unfreeze` on an account that is not frozen.
    AccountNotFrozen,
    /// Amounts are strictly positive.
    AmountNotPositive,
    /// A transfer from an account to itself.
    SameAccount,
    /// The balance is smaller than the amount (no overdraft, ever).
    InsufficientFunds,
    /// `claim` on an account with no pending rewards.
    NothingToClaim,
    /// The balance would exceed `i64::MAX`.
    BalanceOverflow,
    /// The held (escrow) total would exceed `i64::MAX`.
    HeldOverflow,
    /// Pending rewards would exceed `i64::MAX`.
    PendingOverflow,
    /// The account's lifetime earned total would exceed `i64::MAX`.
    EarnedOverflow,
    /// The account's lifetime spent total would exceed `i64::MAX`.
    SpentOverflow,
    /// The lifetime minted total would exceed `i64::MAX`.
    MintedOverflow,
    /// The lifetime burned total would exceed `i64::MAX`.
    BurnedOverflow,
    /// The hold index is not below the ledger's hold capacity.
    NoSuchHold,
    /// The hold slot has moved on to a later generation: this id is stale and can never act.
    HoldStale,
    /// The hold was already settled or voided (or is being resolved right now by someone else).
    HoldNotPending,
    /// `settle` asked for more than the hold reserved.
    SettleExceedsHold,
}

impl From<AccessError> for LedgerError {
    fn from(e: AccessError) -> Self {
        Self::Access(e)
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::RegionTooSmall { needed, len } => {
                write!(f, "ledger needs {needed} bytes but the region has {len}")
            }
            Self::Access(e) => write!(f, "region access failed: {e}"),
            Self::BadMagic(m) => write!(f, "bad ledger magic {m:#010x}"),
            Self::UnsupportedVersion(v) => write!(f, "unsupported ledger version {v}"),
            Self::CorruptHeader => f.write_str("corrupt ledger header"),
            Self::CorruptAccount { index } => write!(f, "corrupt account record {index}"),
            Self::CorruptHold { index } => write!(f, "corrupt hold record {index}"),
            Self::AccountCapacityExhausted => f.write_str("account capacity exhausted"),
            Self::HoldCapacityExhausted => f.write_str("hold capacity exhausted"),
            Self::NoSuchAccount => f.write_str("account index out of range"),
            Self::AccountNotOpen => f.write_str("account was never opened"),
            Self::AccountFrozen => f.write_str("account is frozen"),
            Self::AccountClosed => f.write_str("account is closed"),
            Self::AccountNotFrozen => f.write_str("account is not frozen"),
            Self::AmountNotPositive => f.write_str("amount must be positive"),
            Self::SameAccount => f.write_str("transfer from an account to itself"),
            Self::InsufficientFunds => f.write_str("insufficient funds"),
            Self::NothingToClaim => f.write_str("no pending rewards to claim"),
            Self::BalanceOverflow => f.write_str("balance would overflow"),
            Self::HeldOverflow => f.write_str("held amount would overflow"),
            Self::PendingOverflow => f.write_str("pending rewards would overflow"),
            Self::EarnedOverflow => f.write_str("earned total would overflow"),
            Self::SpentOverflow => f.write_str("spent total would overflow"),
            Self::MintedOverflow => f.write_str("minted total would overflow"),
            Self::BurnedOverflow => f.write_str("burned total would overflow"),
            Self::NoSuchHold => f.write_str("hold index out of range"),
            Self::HoldStale => f.write_str("hold id is stale (slot was recycled)"),
            Self::HoldNotPending => f.write_str("hold is not pending (already resolved)"),
            Self::SettleExceedsHold => f.write_str("settle amount exceeds the hold"),
        }
    }
}

impl core::error::Error for LedgerError {}
