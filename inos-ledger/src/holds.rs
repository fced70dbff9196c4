//! Escrow holds: `hold` reserves, `settle` / `void` resolve exactly once.
//!
//! A hold record's state word is a `u64`: `generation << 32 | state`. Every transition is a CAS
//! on the whole word, so the generation check and the transition are one atomic step:
//!
//! ```text
//! (g, FREE) --hold--> (g+1, RESERVING) --money moved--> (g+1, PENDING)
//! (g+1, PENDING) --settle CAS--> (g+1, SETTLED) --money moved--> (g+1, FREE)
//! (g+1, PENDING) --void CAS----> (g+1, VOIDED)  --money moved--> (g+1, FREE)
//! ```
//!
//! Only one CAS out of `(g+1, PENDING)` can succeed, so a hold resolves exactly once however
//! many settles and voids race for it; a `HoldId` from generation `g+1` can never match the
//! word once the slot has been reused as `(g+2, …)`.

use inos_layout::sync::{fence, AtomicI64, AtomicU32, AtomicU64, Ordering};

use crate::ids::{AccountId, HoldId};
use crate::layout::*;
use crate::ledger::{Acct, Ledger};
use crate::words::{add, debit, sub, undo_add, undo_sub, undone};
use crate::LedgerError;

pub(crate) struct HoldWords<'a> {
    pub(crate) state: &'a AtomicU64,
    pub(crate) amount: &'a AtomicI64,
    pub(crate) payer: &'a AtomicU32,
}

const fn word(generation: u32, state: u64) -> u64 {
    ((generation as u64) << 32) | state
}

/// A hold that has passed every check and may be resolved by one CAS.
struct Pending<'a> {
    words: HoldWords<'a>,
    observed: u64,
    generation: u32,
    total: i64,
    payer: Acct<'a>,
}

impl<'a> Ledger<'a> {
    /// The words of hold record `index`, which must be `< self.holds`.
    pub(crate) fn hold_words(&self, index: u32) -> HoldWords<'a> {
        debug_assert!(index < self.holds);
        let off = self.hold_off(index);
        let r = self.region;
        // SAFETY: for all three words: `index < self.holds` (callers check it) and construction checked
        // `required_len(accounts, holds) <= region.len()`, so the 64-byte record is in bounds;
        // `off` is a multiple of 64 from an 8-aligned base, field offsets are 0, 8 and 16.
        unsafe {
            HoldWords {
                state: r.u64_at_unchecked(off + HO_STATE),
                amount: r.i64_at_unchecked(off + HO_AMOUNT),
                payer: r.u32_at_unchecked(off + HO_PAYER),
            }
        }
    }

    /// Reserves `amount` of an open account's balance in a new hold: balance → held.
    ///
    /// The payer's `debited` grows by a CAS loop that refuses overdraft (checked against its
    /// `credited`; the INOS escrow had no such check: defect 22), then its `held` grows by the
    /// same amount.
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], the account gates, [`LedgerError::HoldCapacityExhausted`],
    /// [`LedgerError::InsufficientFunds`], [`LedgerError::HeldOverflow`],
    /// [`LedgerError::CorruptHold`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(2, 1).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 2, 1).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 10).unwrap();
    /// assert_eq!(ledger.hold(a, 11), Err(LedgerError::InsufficientFunds));
    /// let h = ledger.hold(a, 10).unwrap();
    /// let info = ledger.account(a).unwrap();
    /// assert_eq!((info.balance, info.held), (0, 10));
    /// assert_eq!(ledger.hold(a, 1), Err(LedgerError::HoldCapacityExhausted));
    /// ledger.void(h).unwrap();
    /// assert_eq!(ledger.account(a).unwrap().balance, 10);
    /// ```
    pub fn hold(&self, payer: AccountId, amount: i64) -> Result<HoldId, LedgerError> {
        if amount <= 0 {
            return Err(LedgerError::AmountNotPositive);
        }
        let p = self.acct(payer)?;
        Self::gate_out(&p)?;
        let (index, generation) = self.claim_hold_slot(payer)?;
        let h = self.hold_words(index);
        let release = || {
            // SYNC: Release, pairs with the Acquire loads of the slot scan in later `hold`s.
            h.state.store(word(generation, HS_FREE), Ordering::Release);
        };
        if let Err(e) = debit(p.credited, p.debited, amount, p.corrupt()) {
            release();
            return Err(e);
        }
        if let Err(e) = add(p.held, amount, LedgerError::HeldOverflow, p.corrupt()) {
            let e = undone(e, [undo_add(p.debited, amount, p.corrupt())]);
            release();
            return Err(e);
        }
        h.amount.store(amount, Ordering::Relaxed);
        h.payer.store(payer.0, Ordering::Relaxed);
        // SYNC: Release, pairs with the Acquire load in `settle`/`void`/`pending_hold`/`audit`:
        // whoever sees PENDING sees the amount and payer written above.
        h.state
            .store(word(generation, HS_PENDING), Ordering::Release);
        Ok(HoldId { index, generation })
    }

    /// Claims a free hold slot by CAS, starting the scan at a slot derived from the payer so that
    /// unrelated payers rarely contend for the same slots.
    fn claim_hold_slot(&self, payer: AccountId) -> Result<(u32, u32), LedgerError> {
        let n = self.holds;
        let Some(start) = hold_scan_start(payer.0, n) else {
            return Err(LedgerError::HoldCapacityExhausted);
        };
        // Ascending from `start`, wrapping from `n - 1` to 0 (ledger.md §2, "Hold slots").
        for k in 0..n {
            let index = if start >= n - k {
                start - (n - k)
            } else {
                start + k
            };
            let state = self.hold_words(index).state;
            // SYNC: Acquire, pairs with the Release store that freed the slot.
            let mut s = state.load(Ordering::Acquire);
            loop {
                match s & 0xffff_ffff {
                    HS_FREE => {}
                    HS_RESERVING | HS_PENDING | HS_SETTLED | HS_VOIDED => break,
                    _ => return Err(LedgerError::CorruptHold { index }),
                }
                let generation = ((s >> 32) as u32).wrapping_add(1);
                // SYNC: Acquire on success, pairs with the Release that freed the slot: its
                // previous resolver's writes happen before ours.
                match state.compare_exchange_weak(
                    s,
                    word(generation, HS_RESERVING),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SYNC: Release fence, pairs with the Acquire fence in `pending`: a
                        // resolver that reads any amount/payer we write after this point also
                        // sees the generation change, so it never acts on (or reports errors
                        // from) fields of a hold that is not its own (a seqlock write side).
                        fence(Ordering::Release);
                        return Ok((index, generation));
                    }
                    Err(now) => s = now,
                }
            }
        }
        Err(LedgerError::HoldCapacityExhausted)
    }

    /// Loads a hold's state word and checks that `id` names a pending hold with a valid record.
    fn pending(&self, id: HoldId) -> Result<Pending<'a>, LedgerError> {
        if id.index >= self.holds {
            return Err(LedgerError::NoSuchHold);
        }
        let words = self.hold_words(id.index);
        // SYNC: Acquire, pairs with the Release store of PENDING in `hold`.
        let observed = words.state.load(Ordering::Acquire);
        self.classify(id, observed)?;
        let total = words.amount.load(Ordering::Relaxed);
        let payer = words.payer.load(Ordering::Relaxed);
        // SYNC: Acquire fence, pairs with the Release fence after the slot claim in
        // `claim_hold_slot`: if the fields we just read belong to a later reservation of this
        // slot, the re-load below sees its generation (seqlock read side).
        fence(Ordering::Acquire);
        let again = words.state.load(Ordering::Relaxed);
        if again != observed {
            self.classify(id, again)?;
            return Err(LedgerError::HoldNotPending);
        }
        if total <= 0 || payer >= self.accounts {
            return Err(LedgerError::CorruptHold { index: id.index });
        }
        Ok(Pending {
            words,
            observed,
            generation: id.generation,
            total,
            payer: self.acct_unchecked(payer),
        })
    }

    /// `Ok` if `observed` is `id`'s generation in the PENDING state, else the reason it is not.
    fn classify(&self, id: HoldId, observed: u64) -> Result<(), LedgerError> {
        let state = observed & 0xffff_ffff;
        if state > HS_VOIDED {
            return Err(LedgerError::CorruptHold { index: id.index });
        }
        if (observed >> 32) as u32 != id.generation {
            return Err(LedgerError::HoldStale);
        }
        if state != HS_PENDING {
            return Err(LedgerError::HoldNotPending);
        }
        Ok(())
    }

    /// Wins the hold for one resolver: `(g, PENDING) → (g, to)`, exactly one caller succeeds.
    fn resolve(&self, id: HoldId, h: &Pending<'_>, to: u64) -> Result<(), LedgerError> {
        // SYNC: AcqRel; Acquire pairs with the Release store of PENDING (the record's fields),
        // Release orders our claim before our money steps for other observers of the word.
        match h.words.state.compare_exchange(
            h.observed,
            word(h.generation, to),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => Ok(()),
            Err(now) => {
                self.classify(id, now)?;
                // The word changed and came back to PENDING with the same generation: impossible
                // without 2^32 reuses; report it as not pending rather than retrying.
                Err(LedgerError::HoldNotPending)
            }
        }
    }

    /// Settles a pending hold: `amount` (≤ the hold) goes from the payer's `held` to `payee`'s
    /// balance, and any remainder goes back to the payer's balance. Exactly one of all the
    /// settles and voids racing for a hold succeeds; the others get
    /// [`LedgerError::HoldNotPending`].
    ///
    /// # Errors
    /// [`LedgerError::AmountNotPositive`], [`LedgerError::NoSuchHold`], [`LedgerError::HoldStale`],
    /// [`LedgerError::HoldNotPending`], [`LedgerError::SettleExceedsHold`], the payee's gates
    /// (open or frozen), [`LedgerError::EarnedOverflow`] (the payee's `credited`),
    /// [`LedgerError::CorruptHold`]. On any error before the payee's credit the hold is
    /// still pending and no money moved.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(2, 1).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 2, 1).unwrap();
    /// use inos_ledger::LedgerError;
    /// let (a, b) = (ledger.open().unwrap(), ledger.open().unwrap());
    /// ledger.mint(a, 10).unwrap();
    /// let h = ledger.hold(a, 10).unwrap();
    /// assert_eq!(ledger.settle(h, b, 11), Err(LedgerError::SettleExceedsHold));
    /// ledger.settle(h, b, 4).unwrap();
    /// assert_eq!(ledger.void(h), Err(LedgerError::HoldNotPending));
    /// assert_eq!((ledger.account(a).unwrap().balance, ledger.account(b).unwrap().balance), (6, 4));
    /// let h2 = ledger.hold(a, 1).unwrap(); // same slot, next generation
    /// assert_eq!(ledger.settle(h, b, 1), Err(LedgerError::HoldStale));
    /// # let _ = h2;
    /// ```
    pub fn settle(&self, id: HoldId, payee: AccountId, amount: i64) -> Result<(), LedgerError> {
        if amount <= 0 {
            return Err(LedgerError::AmountNotPositive);
        }
        let h = self.pending(id)?;
        if amount > h.total {
            return Err(LedgerError::SettleExceedsHold);
        }
        let t = self.acct(payee)?;
        Self::gate_in(&t)?;
        self.resolve(id, &h, HS_SETTLED)?;
        let p = &h.payer;
        let restore = || {
            // SYNC: Release, pairs with the Acquire loads in `pending`.
            h.words.state.store(h.observed, Ordering::Release);
        };
        let rem = h.total - amount;
        // The payee's credit is the point of no return (`credited` is never lowered, ledger.md
        // §2): everything that can be refused in a consistent ledger comes before it, and what
        // follows it can be refused only in a corrupt region.
        let steps = (|| {
            sub(p.held, h.total, p.corrupt(), p.corrupt())?;
            if let Err(e) = add(t.credited, amount, LedgerError::EarnedOverflow, t.corrupt()) {
                return Err(undone(e, [undo_sub(p.held, h.total, p.corrupt())]));
            }
            if rem > 0 {
                // The refund: the remainder leaves escrow back into the payer's balance.
                if let Err(e) = sub(p.debited, rem, p.corrupt(), p.corrupt()) {
                    // Only reachable in a corrupt region (a consistent `debited` holds at least
                    // the escrow); the credit stays, so the hold is resolved, not restored.
                    return Ok(Err(e));
                }
            }
            Ok(Ok(()))
        })();
        match steps {
            Ok(after_credit) => {
                // SYNC: Release, pairs with the Acquire of the slot scan in a later `hold`.
                h.words
                    .state
                    .store(word(h.generation, HS_FREE), Ordering::Release);
                after_credit
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    /// Voids a pending hold: the whole amount goes from the payer's `held` back to its balance
    /// (even if the payer has since been frozen or closed: it was the payer's money).
    ///
    /// # Errors
    /// [`LedgerError::NoSuchHold`], [`LedgerError::HoldStale`], [`LedgerError::HoldNotPending`],
    /// [`LedgerError::CorruptAccount`], [`LedgerError::CorruptHold`]. On any error the hold is
    /// still pending (or was already resolved) and no money moved.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 1).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 1).unwrap();
    /// use inos_ledger::LedgerError;
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 3).unwrap();
    /// let h = ledger.hold(a, 3).unwrap();
    /// ledger.void(h).unwrap();
    /// assert_eq!(ledger.void(h), Err(LedgerError::HoldNotPending));
    /// assert_eq!(ledger.account(a).unwrap().balance, 3);
    /// ```
    pub fn void(&self, id: HoldId) -> Result<(), LedgerError> {
        let h = self.pending(id)?;
        self.resolve(id, &h, HS_VOIDED)?;
        let p = &h.payer;
        let steps = (|| {
            sub(p.held, h.total, p.corrupt(), p.corrupt())?;
            // The refund: lowering `debited` only ever makes the check of later debits looser
            // by money that is really there.
            if let Err(e) = sub(p.debited, h.total, p.corrupt(), p.corrupt()) {
                return Err(undone(e, [undo_sub(p.held, h.total, p.corrupt())]));
            }
            Ok(())
        })();
        let next = if steps.is_ok() {
            word(h.generation, HS_FREE)
        } else {
            h.observed
        };
        // SYNC: Release, pairs with the Acquire of the slot scan in a later `hold` (FREE) or of
        // `pending` (PENDING restored after a refused step).
        h.words.state.store(next, Ordering::Release);
        steps
    }

    /// The payer and amount of a pending hold.
    ///
    /// # Errors
    /// [`LedgerError::NoSuchHold`], [`LedgerError::HoldStale`], [`LedgerError::HoldNotPending`],
    /// [`LedgerError::CorruptHold`].
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 1).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 1).unwrap();
    /// let a = ledger.open().unwrap();
    /// ledger.mint(a, 3).unwrap();
    /// let h = ledger.hold(a, 2).unwrap();
    /// assert_eq!(ledger.pending_hold(h).unwrap(), (a, 2));
    /// ```
    pub fn pending_hold(&self, id: HoldId) -> Result<(AccountId, i64), LedgerError> {
        let h = self.pending(id)?;
        Ok((AccountId(h.payer.index), h.total))
    }
}
