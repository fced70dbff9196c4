//! [`Ledger`]: the handle, its constructors, accounts, supply and transfers.

use inos_layout::sync::{AtomicI64, AtomicU32, Ordering};
use inos_layout::Region;

use crate::ids::{AccountId, AccountInfo, AccountState};
use crate::layout::*;
use crate::words::{add, debit, take_all, undo_add, undo_sub, undone};
use crate::LedgerError;

/// A handle to a ledger in a shared region. `Copy`, `Send` and `Sync`: give every thread a copy.
///
/// Construct it with [`Ledger::init`] (format a region) or [`Ledger::attach`] (validate one that
/// another party formatted). The capacities are read and validated once, at construction; every
/// record offset is derived from them, so no later access can leave the region, whatever other
/// parties write into it afterwards.
///
/// ```
/// use inos_layout::RegionBuf;
/// use inos_ledger::{required_len, Ledger};
///
/// let buf = RegionBuf::new(required_len(4, 4).unwrap()).unwrap();
/// let ledger = Ledger::init(buf.region(), 4, 4).unwrap();
/// let alice = ledger.open().unwrap();
/// let bob = ledger.open().unwrap();
/// ledger.mint(alice, 100).unwrap();
/// ledger.transfer(alice, bob, 30).unwrap();
/// let hold = ledger.hold(alice, 50).unwrap();
/// ledger.settle(hold, bob, 20).unwrap(); // 30 goes back to alice
/// assert_eq!(ledger.account(alice).unwrap().balance, 50);
/// assert_eq!(ledger.account(bob).unwrap().balance, 50);
/// assert!(ledger.audit().unwrap().is_balanced());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Ledger<'a> {
    pub(crate) region: Region<'a>,
    pub(crate) accounts: u32,
    pub(crate) holds: u32,
}

/// The words of one account record.
pub(crate) struct Acct<'a> {
    pub(crate) index: u32,
    pub(crate) credited: &'a AtomicI64,
    pub(crate) debited: &'a AtomicI64,
    pub(crate) held: &'a AtomicI64,
    pub(crate) pending: &'a AtomicI64,
    pub(crate) status: &'a AtomicU32,
}

impl Acct<'_> {
    pub(crate) fn corrupt(&self) -> LedgerError {
        LedgerError::CorruptAccount { index: self.index }
    }
}

pub(crate) fn decode_state(status: u32) -> Option<AccountState> {
    match status & 0xff {
        ST_FREE => Some(AccountState::Free),
        ST_OPEN => Some(AccountState::Open),
        ST_FROZEN => Some(AccountState::Frozen),
        ST_CLOSED => Some(AccountState::Closed),
        _ => None,
    }
}

fn check_amount(amount: i64) -> Result<(), LedgerError> {
    if amount > 0 {
        Ok(())
    } else {
        Err(LedgerError::AmountNotPositive)
    }
}

impl<'a> Ledger<'a> {
    /// Formats `region` as an empty ledger with room for `accounts` accounts and `holds`
    /// concurrent holds, and returns a handle to it.
    ///
    /// Call it once, before any other party attaches (it overwrites the whole ledger).
    ///
    /// # Errors
    /// [`LedgerError::RegionTooSmall`] if the region is shorter than
    /// [`required_len`](crate::required_len).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// let buf = RegionBuf::new(inos_ledger::required_len(8, 2).unwrap()).unwrap();
    /// let ledger = inos_ledger::Ledger::init(buf.region(), 8, 2).unwrap();
    /// assert_eq!((ledger.account_capacity(), ledger.hold_capacity()), (8, 2));
    /// ```
    pub fn init(region: Region<'a>, accounts: u32, holds: u32) -> Result<Self, LedgerError> {
        let needed = required_len(accounts, holds).ok_or(LedgerError::RegionTooSmall {
            needed: usize::MAX,
            len: region.len(),
        })?;
        if region.len() < needed {
            return Err(LedgerError::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        // Zero the record tables word by word with the widths the protocol uses for them
        // (the loom twin models each word with one width).
        let me = Self {
            region,
            accounts,
            holds,
        };
        for i in 0..accounts {
            let a = me.acct_unchecked(i);
            for w in [a.credited, a.debited, a.held, a.pending] {
                w.store(0, Ordering::Relaxed);
            }
            a.status.store(0, Ordering::Relaxed);
            for o in (A_RESERVED..ACCOUNT_LEN).step_by(4) {
                region
                    .u32_at(me.account_off(i) + o)?
                    .store(0, Ordering::Relaxed);
            }
        }
        for i in 0..holds {
            let off = me.hold_off(i);
            region.u64_at(off + HO_STATE)?.store(0, Ordering::Relaxed);
            region.i64_at(off + HO_AMOUNT)?.store(0, Ordering::Relaxed);
            region.u32_at(off + HO_PAYER)?.store(0, Ordering::Relaxed);
            for o in (HO_RESERVED..HOLD_LEN).step_by(4) {
                region.u32_at(off + o)?.store(0, Ordering::Relaxed);
            }
        }
        region.fill(H_RESERVED0, 64 - H_RESERVED0, 0)?;
        region.fill(H_RESERVED1, HEADER_LEN - H_RESERVED1, 0)?;
        for off in [H_MINTED, H_BURNED] {
            region.i64_at(off)?.store(0, Ordering::Relaxed);
        }
        for off in [H_AUDITS, H_AUDITS_UNBALANCED] {
            region.u64_at(off)?.store(0, Ordering::Relaxed);
        }
        region
            .u32_at(H_ACCOUNTS)?
            .store(accounts, Ordering::Relaxed);
        region.u32_at(H_HOLDS)?.store(holds, Ordering::Relaxed);
        region.u32_at(H_VERSION)?.store(VERSION, Ordering::Relaxed);
        // SYNC: Release, pairs with the Acquire load of the magic in `attach`: a party that sees
        // the magic sees the formatted tables.
        region.u32_at(H_MAGIC)?.store(MAGIC, Ordering::Release);
        Ok(me)
    }

    /// Validates a region another party formatted and returns a handle to its ledger.
    ///
    /// Checks the magic, the version, the reserved header words, that the supply totals are not
    /// negative and that the region is long enough for the capacities the header declares.
    /// Records are validated when they are used (and all at once by [`audit`](Self::audit)).
    ///
    /// # Errors
    /// [`LedgerError::RegionTooSmall`], [`LedgerError::BadMagic`],
    /// [`LedgerError::UnsupportedVersion`], [`LedgerError::CorruptHeader`].
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_ledger::{Ledger, LedgerError};
    /// let buf = RegionBuf::new(inos_ledger::required_len(2, 2).unwrap()).unwrap();
    /// assert!(matches!(Ledger::attach(buf.region()), Err(LedgerError::BadMagic(0))));
    /// Ledger::init(buf.region(), 2, 2).unwrap();
    /// assert_eq!(Ledger::attach(buf.region()).unwrap().account_capacity(), 2);
    /// ```
    pub fn attach(region: Region<'a>) -> Result<Self, LedgerError> {
        if region.len() < HEADER_LEN {
            return Err(LedgerError::RegionTooSmall {
                needed: HEADER_LEN,
                len: region.len(),
            });
        }
        // SYNC: Acquire, pairs with the Release store of the magic in `init`.
        let magic = region.u32_at(H_MAGIC)?.load(Ordering::Acquire);
        if magic != MAGIC {
            return Err(LedgerError::BadMagic(magic));
        }
        let version = region.u32_at(H_VERSION)?.load(Ordering::Relaxed);
        if version != VERSION {
            return Err(LedgerError::UnsupportedVersion(version));
        }
        let mut reserved = [0u8; HEADER_LEN];
        region.read(H_RESERVED0, &mut reserved[..64 - H_RESERVED0])?;
        region.read(
            H_RESERVED1,
            &mut reserved[64 - H_RESERVED0..64 - H_RESERVED0 + HEADER_LEN - H_RESERVED1],
        )?;
        if reserved.iter().any(|&b| b != 0) {
            return Err(LedgerError::CorruptHeader);
        }
        if region.i64_at(H_MINTED)?.load(Ordering::Relaxed) < 0
            || region.i64_at(H_BURNED)?.load(Ordering::Relaxed) < 0
        {
            return Err(LedgerError::CorruptHeader);
        }
        let accounts = region.u32_at(H_ACCOUNTS)?.load(Ordering::Relaxed);
        let holds = region.u32_at(H_HOLDS)?.load(Ordering::Relaxed);
        let needed = required_len(accounts, holds).ok_or(LedgerError::RegionTooSmall {
            needed: usize::MAX,
            len: region.len(),
        })?;
        if region.len() < needed {
            return Err(LedgerError::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        Ok(Self {
            region,
            accounts,
            holds,
        })
    }

    /// How many account slots the ledger has.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(3, 0).unwrap()).unwrap();
    /// let ledger = inos_ledger::Ledger::init(buf.region(), 3, 0).unwrap();
    /// assert_eq!(ledger.account_capacity(), 3);
    /// ```
    pub fn account_capacity(&self) -> u32 {
        self.accounts
    }

    /// How many hold slots the ledger has.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(0, 5).unwrap()).unwrap();
    /// let ledger = inos_ledger::Ledger::init(buf.region(), 0, 5).unwrap();
    /// assert_eq!(ledger.hold_capacity(), 5);
    /// ```
    pub fn hold_capacity(&self) -> u32 {
        self.holds
    }

    pub(crate) fn account_off(&self, index: u32) -> usize {
        accounts_off() + index as usize * ACCOUNT_LEN
    }

    pub(crate) fn hold_off(&self, index: u32) -> usize {
        accounts_off() + (self.accounts as usize + index as usize) * ACCOUNT_LEN
    }

    /// The words of account `index`, which must be `< self.accounts`.
    #[inline]
    pub(crate) fn acct_unchecked(&self, index: u32) -> Acct<'a> {
        debug_assert!(index < self.accounts);
        let off = self.account_off(index);
        let r = self.region;
        // SAFETY: for all five words: `index < self.accounts` (callers check it) and construction checked
        // `required_len(accounts, holds) <= region.len()`, so the 64-byte record at `off` is in
        // bounds; `off` is a multiple of 64 from an 8-aligned base, and the field offsets are
        // multiples of 8 (i64) and 4 (u32).
        unsafe {
            Acct {
                index,
                credited: r.i64_at_unchecked(off + A_CREDITED),
                debited: r.i64_at_unchecked(off + A_DEBITED),
                held: r.i64_at_unchecked(off + A_HELD),
                pending: r.i64_at_unchecked(off + A_PENDING),
                status: r.u32_at_unchecked(off + A_STATUS),
            }
        }
    }

    #[inline]
    pub(crate) fn acct(&self, id: AccountId) -> Result<Acct<'a>, LedgerError> {
        if id.0 < self.accounts {
            Ok(self.acct_unchecked(id.0))
        } else {
            Err(LedgerError::NoSuchAccount)
        }
    }

    /// `true` if the `u32` words at `off + from .. off + to` are all zero (reserved bytes of a
    /// record; `from`, `to` multiples of 4, `off + to` inside a record checked at construction).
    pub(crate) fn reserved_zero(&self, off: usize, from: usize, to: usize) -> bool {
        (from..to).step_by(4).all(|o| {
            // SAFETY: callers pass a record offset derived from a validated index (the record is
            // in bounds, checked at construction) and a reserved range inside the record;
            // `off` is a multiple of 64 from an 8-aligned base and `o` a multiple of 4.
            let w = unsafe { self.region.u32_at_unchecked(off + o) };
            // Relaxed: a reserved word carries no data to synchronise with.
            w.load(Ordering::Relaxed) == 0
        })
    }

    /// Loads and decodes the state; `Corrupt` for an unknown state.
    #[inline]
    pub(crate) fn state(a: &Acct<'_>) -> Result<(u32, AccountState), LedgerError> {
        // SYNC: Acquire, pairs with the AcqRel CAS that set the state (open/freeze/close).
        let s = a.status.load(Ordering::Acquire);
        decode_state(s).map(|st| (s, st)).ok_or(a.corrupt())
    }

    /// Money may leave the account: it is open.
    #[inline]
    pub(crate) fn gate_out(a: &Acct<'_>) -> Result<(), LedgerError> {
        match Self::state(a)?.1 {
            AccountState::Open => Ok(()),
            AccountState::Frozen => Err(LedgerError::AccountFrozen),
            AccountState::Closed => Err(LedgerError::AccountClosed),
            AccountState::Free => Err(LedgerError::AccountNotOpen),
        }
    }

    /// Money may enter the account: it is open or frozen.
    #[inline]
    pub(crate) fn gate_in(a: &Acct<'_>) -> Result<(), LedgerError> {
        match Self::state(a)?.1 {
            AccountState::Open | AccountState::Frozen => Ok(()),
            AccountState::Closed => Err(LedgerError::AccountClosed),
            AccountState::Free => Err(LedgerError::AccountNotOpen),
        }
    }

    pub(crate) fn minted(&self) -> &'a AtomicI64 {
        // SAFETY: the header (128 bytes) is in bounds (checked at construction); 64 is 8-aligned.
        unsafe { self.region.i64_at_unchecked(H_MINTED) }
    }

    pub(crate) fn burned(&self) -> &'a AtomicI64 {
        // SAFETY: as in `minted`; 72 is 8-aligned.
        unsafe { self.region.i64_at_unchecked(H_BURNED) }
    }

    /// Opens a new account in the first free slot (claimed by CAS, so two parties never get the
    /// same slot and nobody writes past the table: defect 24).
    ///
    /// # Errors
    /// [`LedgerError::AccountCapacityExhausted`] when every slot is taken;
    /// [`LedgerError::CorruptAccount`] for a slot in an unknown state or a free slot holding
    /// money.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// assert_eq!(ledger.open().unwrap().index(), 0);
    /// assert!(ledger.open().is_err());
    /// ```
    pub fn open(&self) -> Result<AccountId, LedgerError> {
        for i in 0..self.accounts {
            let a = self.acct_unchecked(i);
            let (mut s, mut st) = Self::state(&a)?;
            while st == AccountState::Free {
                let nonzero = [a.credited, a.debited, a.held, a.pending]
                    .iter()
                    .any(|w| w.load(Ordering::Relaxed) != 0);
                if nonzero || !self.reserved_zero(self.account_off(i), A_RESERVED, ACCOUNT_LEN) {
                    return Err(a.corrupt());
                }
                let next = ST_OPEN | (s & !0xff).wrapping_add(0x100);
                // SYNC: AcqRel; the Release half pairs with the Acquire state loads of later
                // operations on this account.
                match a
                    .status
                    .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => return Ok(AccountId(i)),
                    Err(now) => {
                        s = now;
                        st = decode_state(s).ok_or(a.corrupt())?;
                    }
                }
            }
        }
        Err(LedgerError::AccountCapacityExhausted)
    }

    fn transition(
        &self,
        id: AccountId,
        next_state: impl Fn(AccountState) -> Result<u32, LedgerError>,
    ) -> Result<(), LedgerError> {
        let a = self.acct(id)?;
        let (mut s, mut st) = Self::state(&a)?;
        loop {
            let next = next_state(st)? | (s & !0xff).wrapping_add(0x100);
            // SYNC: AcqRel, as in `open`.
            match a
                .status
                .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return Ok(()),
                Err(now) => {
                    s = now;
                    st = decode_state(s).ok_or(a.corrupt())?;
                }
            }
        }
    }

    /// Freezes an open account: money may still come in, none may go out.
    ///
    /// Like every state change it takes effect for operations that read the state after it; an
    /// operation already past its state check may still complete (see the spec).
    ///
    /// # Errors
    /// [`LedgerError::AccountFrozen`] (already), [`LedgerError::AccountClosed`],
    /// [`LedgerError::AccountNotOpen`], [`LedgerError::NoSuchAccount`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(2, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 2, 0).unwrap();
    /// use inos_ledger::LedgerError;
    /// let (a, b) = (ledger.open().unwrap(), ledger.open().unwrap());
    /// ledger.mint(a, 5).unwrap();
    /// ledger.freeze(a).unwrap();
    /// assert_eq!(ledger.transfer(a, b, 1), Err(LedgerError::AccountFrozen));
    /// ledger.unfreeze(a).unwrap();
    /// ledger.transfer(a, b, 1).unwrap();
    /// ```
    pub fn freeze(&self, id: AccountId) -> Result<(), LedgerError> {
        self.transition(id, |st| match st {
            AccountState::Open => Ok(ST_FROZEN),
            AccountState::Frozen => Err(LedgerError::AccountFrozen),
            AccountState::Closed => Err(LedgerError::AccountClosed),
            AccountState::Free => Err(LedgerError::AccountNotOpen),
        })
    }

    /// Unfreezes a frozen account.
    ///
    /// # Errors
    /// [`LedgerError::AccountNotFrozen`], [`LedgerError::AccountClosed`],
    /// [`LedgerError::AccountNotOpen`], [`LedgerError::NoSuchAccount`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// let a = ledger.open().unwrap();
    /// assert!(ledger.unfreeze(a).is_err());
    /// ledger.freeze(a).unwrap();
    /// ledger.unfreeze(a).unwrap();
    /// ```
    pub fn unfreeze(&self, id: AccountId) -> Result<(), LedgerError> {
        self.transition(id, |st| match st {
            AccountState::Frozen => Ok(ST_OPEN),
            AccountState::Open => Err(LedgerError::AccountNotFrozen),
            AccountState::Closed => Err(LedgerError::AccountClosed),
            AccountState::Free => Err(LedgerError::AccountNotOpen),
        })
    }

    /// Closes an open or frozen account, for good. Closing destroys nothing: whatever the account
    /// still holds stays in it and in the audit, and pending holds it paid for still settle or
    /// void (a void refunds into the closed account). Slots are never recycled.
    ///
    /// # Errors
    /// [`LedgerError::AccountClosed`] (already), [`LedgerError::AccountNotOpen`],
    /// [`LedgerError::NoSuchAccount`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// ledger.close(a).unwrap();
    /// assert_eq!(ledger.mint(a, 1), Err(LedgerError::AccountClosed));
    /// ```
    pub fn close(&self, id: AccountId) -> Result<(), LedgerError> {
        self.transition(id, |st| match st {
            AccountState::Open | AccountState::Frozen => Ok(ST_CLOSED),
            AccountState::Closed => Err(LedgerError::AccountClosed),
            AccountState::Free => Err(LedgerError::AccountNotOpen),
        })
    }

    /// A field-by-field snapshot of an account.
    ///
    /// # Errors
    /// [`LedgerError::NoSuchAccount`]; [`LedgerError::CorruptAccount`] for an unknown state or a
    /// negative field.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// let a = ledger.open().unwrap();
    /// assert_eq!(ledger.account(a).unwrap().balance, 0);
    /// ```
    pub fn account(&self, id: AccountId) -> Result<AccountInfo, LedgerError> {
        let a = self.acct(id)?;
        let (s, state) = Self::state(&a)?;
        let load = |w: &AtomicI64| {
            // SYNC: Acquire, pairs with the AcqRel RMWs that wrote the field.
            let v = w.load(Ordering::Acquire);
            if v < 0 {
                Err(a.corrupt())
            } else {
                Ok(v)
            }
        };
        // `debited` first, then `credited` (ledger.md §4): every debit was checked against a
        // `credited` that happens before our load of it, so `credited ≥ debited` here even while
        // other parties operate; the opposite is corruption.
        let held = load(a.held)?;
        let debited = load(a.debited)?;
        let credited = load(a.credited)?;
        if debited > credited {
            return Err(a.corrupt());
        }
        Ok(AccountInfo {
            balance: credited - debited,
            held,
            pending: load(a.pending)?,
            earned: credited,
            // `held` was loaded before `debited`: a hold resolving in between can make the
            // difference briefly negative; it is exact when no hold of the account is moving.
            spent: (debited - held).max(0),
            credited,
            debited,
            state,
            generation: s >> 8,
        })
    }

    /// Creates `amount` new money in an open or frozen account (`minted` grows by it).
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], the account gates, [`LedgerError::MintedOverflow`],
    /// [`LedgerError::EarnedOverflow`] (`credited` would pass `i64::MAX`).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, i64::MAX).unwrap();
    /// assert_eq!(ledger.mint(a, 1), Err(LedgerError::MintedOverflow));
    /// ```
    pub fn mint(&self, id: AccountId, amount: i64) -> Result<(), LedgerError> {
        check_amount(amount)?;
        let a = self.acct(id)?;
        Self::gate_in(&a)?;
        let minted = self.minted();
        add(
            minted,
            amount,
            LedgerError::MintedOverflow,
            LedgerError::CorruptHeader,
        )?;
        if let Err(e) = add(a.credited, amount, LedgerError::EarnedOverflow, a.corrupt()) {
            return Err(undone(
                e,
                [undo_add(minted, amount, LedgerError::CorruptHeader)],
            ));
        }
        Ok(())
    }

    /// Destroys `amount` from an open account's balance (`burned` grows by it).
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], the account gates, [`LedgerError::InsufficientFunds`],
    /// [`LedgerError::BurnedOverflow`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 10).unwrap();
    /// ledger.burn(a, 4).unwrap();
    /// assert_eq!(ledger.burn(a, 7), Err(LedgerError::InsufficientFunds));
    /// assert_eq!(ledger.account(a).unwrap().balance, 6);
    /// ```
    pub fn burn(&self, id: AccountId, amount: i64) -> Result<(), LedgerError> {
        check_amount(amount)?;
        let a = self.acct(id)?;
        Self::gate_out(&a)?;
        debit(a.credited, a.debited, amount, a.corrupt())?;
        if let Err(e) = add(
            self.burned(),
            amount,
            LedgerError::BurnedOverflow,
            LedgerError::CorruptHeader,
        ) {
            return Err(undone(e, [undo_add(a.debited, amount, a.corrupt())]));
        }
        Ok(())
    }

    /// Moves `amount` from an open account to an open or frozen one: two read-modify-writes. The
    /// debit is a CAS loop on the payer's `debited` that refuses overdraft (checked against its
    /// `credited`); the credit of the payee's `credited` follows it (see the spec for what a concurrent reader sees
    /// in between).
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], [`LedgerError::SameAccount`], the account gates,
    /// [`LedgerError::InsufficientFunds`], [`LedgerError::EarnedOverflow`] (the payee's
    /// `credited` would pass `i64::MAX`; the debit is undone).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(2, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 2, 0).unwrap();
    /// let (a, b) = (ledger.open().unwrap(), ledger.open().unwrap());
    /// ledger.mint(a, 10).unwrap();
    /// ledger.transfer(a, b, 10).unwrap();
    /// assert_eq!(ledger.account(b).unwrap().balance, 10);
    /// ```
    #[inline]
    pub fn transfer(&self, from: AccountId, to: AccountId, amount: i64) -> Result<(), LedgerError> {
        check_amount(amount)?;
        if from == to {
            return Err(LedgerError::SameAccount);
        }
        let f = self.acct(from)?;
        let t = self.acct(to)?;
        Self::gate_out(&f)?;
        Self::gate_in(&t)?;
        // Two read-modify-writes (format 2): the payer's `debited`, checked against its
        // `credited`, then the payee's `credited`.
        debit(f.credited, f.debited, amount, f.corrupt())?;
        if let Err(e) = add(t.credited, amount, LedgerError::EarnedOverflow, t.corrupt()) {
            return Err(undone(e, [undo_add(f.debited, amount, f.corrupt())]));
        }
        Ok(())
    }

    /// Accrues `amount` of newly issued rewards into an open or frozen account's pending field
    /// (`minted` grows by it; nothing is spendable until [`claim`](Self::claim)).
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], the account gates, [`LedgerError::MintedOverflow`],
    /// [`LedgerError::PendingOverflow`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// let a = ledger.open().unwrap();
    /// ledger.accrue(a, 7).unwrap();
    /// assert_eq!(ledger.account(a).unwrap().pending, 7);
    /// assert_eq!(ledger.claim(a).unwrap(), 7);
    /// assert_eq!(ledger.account(a).unwrap().balance, 7);
    /// ```
    pub fn accrue(&self, id: AccountId, amount: i64) -> Result<(), LedgerError> {
        check_amount(amount)?;
        let a = self.acct(id)?;
        Self::gate_in(&a)?;
        let minted = self.minted();
        add(
            minted,
            amount,
            LedgerError::MintedOverflow,
            LedgerError::CorruptHeader,
        )?;
        if let Err(e) = add(a.pending, amount, LedgerError::PendingOverflow, a.corrupt()) {
            return Err(undone(
                e,
                [undo_add(minted, amount, LedgerError::CorruptHeader)],
            ));
        }
        Ok(())
    }

    /// Moves all pending rewards of an open or frozen account into its balance and returns the
    /// amount claimed.
    ///
    /// # Errors
    /// [`LedgerError::NothingToClaim`], the account gates, [`LedgerError::EarnedOverflow`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// assert_eq!(ledger.claim(a), Err(LedgerError::NothingToClaim));
    /// ```
    pub fn claim(&self, id: AccountId) -> Result<i64, LedgerError> {
        let a = self.acct(id)?;
        Self::gate_in(&a)?;
        let p = take_all(a.pending, LedgerError::NothingToClaim, a.corrupt())?;
        if let Err(e) = add(a.credited, p, LedgerError::EarnedOverflow, a.corrupt()) {
            return Err(undone(e, [undo_sub(a.pending, p, a.corrupt())]));
        }
        Ok(p)
    }

    /// Lifetime money created (mint + accrue).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 3).unwrap();
    /// ledger.accrue(a, 2).unwrap();
    /// assert_eq!(ledger.total_minted(), 5);
    /// ```
    pub fn total_minted(&self) -> i64 {
        // SYNC: Acquire, pairs with the AcqRel RMWs on the total.
        self.minted().load(Ordering::Acquire)
    }

    /// Lifetime money destroyed (burn).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 3).unwrap();
    /// ledger.burn(a, 1).unwrap();
    /// assert_eq!(ledger.total_burned(), 1);
    /// ```
    pub fn total_burned(&self) -> i64 {
        // SYNC: Acquire, pairs with the AcqRel RMWs on the total.
        self.burned().load(Ordering::Acquire)
    }
}
