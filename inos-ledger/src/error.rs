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
    /// The balance would exceed `i64::MAX`. Not produced by ledger format 2 (the balance is
    /// `credited − debited`, never above `credited`); kept so that its code keeps its meaning.
    BalanceOverflow,
    /// The held (escrow) total would exceed `i64::MAX`.
    HeldOverflow,
    /// Pending rewards would exceed `i64::MAX`.
    PendingOverflow,
    /// The account's lifetime `credited` (earned) total would exceed `i64::MAX`.
    EarnedOverflow,
    /// The account's lifetime spent total would exceed `i64::MAX`. Not produced by ledger
    /// format 2 (`debited` never passes `credited`); kept so that its code keeps its meaning.
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

/// Every ledger error as `(code, name)`, in code order: the table of `docs/protocol/ledger.md` §7.
///
/// The code is the error's stable number on the wire (the wasm ABI returns `-(100 + code)`); a
/// code is never reused for another meaning.
///
/// ```
/// use inos_ledger::{LedgerError, ERROR_CODES};
/// let e = LedgerError::InsufficientFunds;
/// assert_eq!(ERROR_CODES[e.code() as usize - 1], (e.code(), e.name()));
/// ```
pub const ERROR_CODES: [(u32, &str); 29] = [
    (1, "RegionTooSmall"),
    (2, "Access"),
    (3, "BadMagic"),
    (4, "UnsupportedVersion"),
    (5, "CorruptHeader"),
    (6, "CorruptAccount"),
    (7, "CorruptHold"),
    (8, "AccountCapacityExhausted"),
    (9, "HoldCapacityExhausted"),
    (10, "NoSuchAccount"),
    (11, "AccountNotOpen"),
    (12, "AccountFrozen"),
    (13, "AccountClosed"),
    (14, "AccountNotFrozen"),
    (15, "AmountNotPositive"),
    (16, "SameAccount"),
    (17, "InsufficientFunds"),
    (18, "NothingToClaim"),
    (19, "BalanceOverflow"),
    (20, "HeldOverflow"),
    (21, "PendingOverflow"),
    (22, "EarnedOverflow"),
    (23, "SpentOverflow"),
    (24, "MintedOverflow"),
    (25, "BurnedOverflow"),
    (26, "NoSuchHold"),
    (27, "HoldStale"),
    (28, "HoldNotPending"),
    (29, "SettleExceedsHold"),
];

impl LedgerError {
    /// The error's number in `docs/protocol/ledger.md` §7 (see [`ERROR_CODES`]).
    ///
    /// ```
    /// assert_eq!(inos_ledger::LedgerError::SameAccount.code(), 16);
    /// ```
    pub const fn code(&self) -> u32 {
        match self {
            Self::RegionTooSmall { .. } => 1,
            Self::Access(_) => 2,
            Self::BadMagic(_) => 3,
            Self::UnsupportedVersion(_) => 4,
            Self::CorruptHeader => 5,
            Self::CorruptAccount { .. } => 6,
            Self::CorruptHold { .. } => 7,
            Self::AccountCapacityExhausted => 8,
            Self::HoldCapacityExhausted => 9,
            Self::NoSuchAccount => 10,
            Self::AccountNotOpen => 11,
            Self::AccountFrozen => 12,
            Self::AccountClosed => 13,
            Self::AccountNotFrozen => 14,
            Self::AmountNotPositive => 15,
            Self::SameAccount => 16,
            Self::InsufficientFunds => 17,
            Self::NothingToClaim => 18,
            Self::BalanceOverflow => 19,
            Self::HeldOverflow => 20,
            Self::PendingOverflow => 21,
            Self::EarnedOverflow => 22,
            Self::SpentOverflow => 23,
            Self::MintedOverflow => 24,
            Self::BurnedOverflow => 25,
            Self::NoSuchHold => 26,
            Self::HoldStale => 27,
            Self::HoldNotPending => 28,
            Self::SettleExceedsHold => 29,
        }
    }

    /// The error's name in `docs/protocol/ledger.md` §7 (the variant's name).
    ///
    /// ```
    /// assert_eq!(inos_ledger::LedgerError::HoldStale.name(), "HoldStale");
    /// ```
    pub const fn name(&self) -> &'static str {
        ERROR_CODES[self.code() as usize - 1].1
    }
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

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    /// One value of every variant; the match below stops compiling when a variant is added
    /// without a sample (and so without a code).
    fn samples() -> [LedgerError; 29] {
        let all = [
            LedgerError::RegionTooSmall { needed: 1, len: 0 },
            LedgerError::Access(AccessError::NullPointer),
            LedgerError::BadMagic(0),
            LedgerError::UnsupportedVersion(0),
            LedgerError::CorruptHeader,
            LedgerError::CorruptAccount { index: 0 },
            LedgerError::CorruptHold { index: 0 },
            LedgerError::AccountCapacityExhausted,
            LedgerError::HoldCapacityExhausted,
            LedgerError::NoSuchAccount,
            LedgerError::AccountNotOpen,
            LedgerError::AccountFrozen,
            LedgerError::AccountClosed,
            LedgerError::AccountNotFrozen,
            LedgerError::AmountNotPositive,
            LedgerError::SameAccount,
            LedgerError::InsufficientFunds,
            LedgerError::NothingToClaim,
            LedgerError::BalanceOverflow,
            LedgerError::HeldOverflow,
            LedgerError::PendingOverflow,
            LedgerError::EarnedOverflow,
            LedgerError::SpentOverflow,
            LedgerError::MintedOverflow,
            LedgerError::BurnedOverflow,
            LedgerError::NoSuchHold,
            LedgerError::HoldStale,
            LedgerError::HoldNotPending,
            LedgerError::SettleExceedsHold,
        ];
        for e in all {
            match e {
                LedgerError::RegionTooSmall { .. } => {}
                LedgerError::Access(_) => {}
                LedgerError::BadMagic(_) => {}
                LedgerError::UnsupportedVersion(_) => {}
                LedgerError::CorruptHeader => {}
                LedgerError::CorruptAccount { .. } => {}
                LedgerError::CorruptHold { .. } => {}
                LedgerError::AccountCapacityExhausted => {}
                LedgerError::HoldCapacityExhausted => {}
                LedgerError::NoSuchAccount => {}
                LedgerError::AccountNotOpen => {}
                LedgerError::AccountFrozen => {}
                LedgerError::AccountClosed => {}
                LedgerError::AccountNotFrozen => {}
                LedgerError::AmountNotPositive => {}
                LedgerError::SameAccount => {}
                LedgerError::InsufficientFunds => {}
                LedgerError::NothingToClaim => {}
                LedgerError::BalanceOverflow => {}
                LedgerError::HeldOverflow => {}
                LedgerError::PendingOverflow => {}
                LedgerError::EarnedOverflow => {}
                LedgerError::SpentOverflow => {}
                LedgerError::MintedOverflow => {}
                LedgerError::BurnedOverflow => {}
                LedgerError::NoSuchHold => {}
                LedgerError::HoldStale => {}
                LedgerError::HoldNotPending => {}
                LedgerError::SettleExceedsHold => {}
            }
        }
        all
    }

    #[test]
    fn codes_are_dense_unique_and_named_after_the_variant() {
        for (i, e) in samples().iter().enumerate() {
            assert_eq!(e.code() as usize, i + 1, "{e:?}");
            assert_eq!(ERROR_CODES[i].0 as usize, i + 1);
            let debug = format!("{e:?}");
            assert!(debug.starts_with(e.name()), "{debug} vs {}", e.name());
            let rest = &debug[e.name().len()..];
            assert!(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('('));
        }
    }
}
