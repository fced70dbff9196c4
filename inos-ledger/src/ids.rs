//! Handles and snapshots: [`AccountId`], [`HoldId`], [`AccountState`], [`AccountInfo`].

/// An account: the index of its record. Account slots are never recycled, so an index names one
/// account for the life of the region.
///
/// Parties in other processes or languages pass the plain index ([`AccountId::index`],
/// [`AccountId::from_index`]); every operation checks it against the capacity.
///
/// ```
/// use inos_ledger::AccountId;
/// assert_eq!(AccountId::from_index(7).index(), 7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(pub(crate) u32);

impl AccountId {
    /// The account with record index `index` (checked when used).
    ///
    /// ```
    /// let a = inos_ledger::AccountId::from_index(3);
    /// assert_eq!(a.index(), 3);
    /// ```
    pub const fn from_index(index: u32) -> Self {
        Self(index)
    }

    /// The record index.
    ///
    /// ```
    /// assert_eq!(inos_ledger::AccountId::from_index(0).index(), 0);
    /// ```
    pub const fn index(self) -> u32 {
        self.0
    }
}

/// A pending hold: the slot index and the slot generation it was reserved under.
///
/// Settling or voiding compares the generation with the slot's state word in the same CAS that
/// resolves the hold, so an id whose slot has since been recycled gets [`HoldStale`] and can
/// never act on the newer hold (ABA would need 2^32 reuses of one slot in between).
///
/// [`HoldStale`]: crate::LedgerError::HoldStale
///
/// ```
/// use inos_ledger::HoldId;
/// let id = HoldId::from_u64(0x0000_0005_0000_0002);
/// assert_eq!((id.index(), id.generation()), (2, 5));
/// assert_eq!(id.to_u64(), 0x0000_0005_0000_0002);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HoldId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl HoldId {
    /// The slot index.
    ///
    /// ```
    /// assert_eq!(inos_ledger::HoldId::from_u64(9).index(), 9);
    /// ```
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The slot generation this hold was reserved under.
    ///
    /// ```
    /// assert_eq!(inos_ledger::HoldId::from_u64(1 << 32).generation(), 1);
    /// ```
    pub const fn generation(self) -> u32 {
        self.generation
    }

    /// Packs the id for another party: `generation << 32 | index`.
    ///
    /// ```
    /// let id = inos_ledger::HoldId::from_u64(42);
    /// assert_eq!(id.to_u64(), 42);
    /// ```
    pub const fn to_u64(self) -> u64 {
        ((self.generation as u64) << 32) | self.index as u64
    }

    /// Unpacks [`to_u64`](Self::to_u64) (checked against the ledger when used).
    ///
    /// ```
    /// let id = inos_ledger::HoldId::from_u64(u64::MAX);
    /// assert_eq!((id.index(), id.generation()), (u32::MAX, u32::MAX));
    /// ```
    pub const fn from_u64(v: u64) -> Self {
        Self {
            index: v as u32,
            generation: (v >> 32) as u32,
        }
    }
}

/// The lifecycle state of an account slot.
///
/// ```
/// use inos_ledger::AccountState;
/// assert_ne!(AccountState::Open, AccountState::Frozen);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccountState {
    /// Never opened.
    Free,
    /// Money moves in and out.
    Open,
    /// Money moves in (credits, settles, accruals), never out.
    Frozen,
    /// Final: no new operation moves money in or out; the balance stays counted by the audit.
    Closed,
}

/// A field-by-field snapshot of one account (each field is read atomically, the set is not).
///
/// ```
/// use inos_layout::RegionBuf;
/// use inos_ledger::{AccountState, Ledger};
/// let buf = RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
/// let ledger = Ledger::init(buf.region(), 1, 0).unwrap();
/// let a = ledger.open().unwrap();
/// ledger.mint(a, 10).unwrap();
/// let info = ledger.account(a).unwrap();
/// assert_eq!((info.balance, info.earned, info.state), (10, 10, AccountState::Open));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountInfo {
    /// Spendable money: `credited − debited` (format 2 stores no balance word).
    pub balance: i64,
    /// Money reserved by pending holds (escrow).
    pub held: i64,
    /// Accrued rewards not yet claimed.
    pub pending: i64,
    /// Lifetime money received (mint, transfer in, settle in, claim): the `credited` word.
    pub earned: i64,
    /// Lifetime money paid out (burn, transfer out, settle out): `debited − held`, exact when no
    /// hold of the account is being reserved or resolved (never below 0).
    pub spent: i64,
    /// The stored `credited` word (equal to `earned`).
    pub credited: i64,
    /// The stored `debited` word: `spent + held` at rest.
    pub debited: i64,
    /// Lifecycle state.
    pub state: AccountState,
    /// How many state changes the slot has seen (24 bits, wraps).
    pub generation: u32,
}
