//! [`Ledger::audit`]: the conservation law and the per-record checks.

use inos_layout::sync::Ordering;

use crate::layout::*;
use crate::ledger::{decode_state, Ledger};
use crate::{AccountState, LedgerError};

/// What [`Ledger::audit`] found. Sums are `i128` so that even a hostile region cannot overflow
/// them.
///
/// The conservation law holds at quiescence (no operation in progress):
/// `balance + held + pending == minted - burned`, `held == pending_holds` and
/// `holds_in_progress == 0`. [`is_balanced`](Self::is_balanced) checks all three.
///
/// ```
/// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(2, 2).unwrap()).unwrap();
/// # let ledger = inos_ledger::Ledger::init(buf.region(), 2, 2).unwrap();
/// let a = ledger.open().unwrap();
/// ledger.mint(a, 10).unwrap();
/// ledger.hold(a, 4).unwrap();
/// ledger.accrue(a, 1).unwrap();
/// let r = ledger.audit().unwrap();
/// assert_eq!((r.balance, r.held, r.pending, r.minted), (6, 4, 1, 11));
/// assert!(r.is_balanced());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditReport {
    /// Σ balance (`credited − debited`) over all account records.
    pub balance: i128,
    /// Σ held over all account records.
    pub held: i128,
    /// Σ pending rewards over all account records.
    pub pending: i128,
    /// Lifetime minted total (header).
    pub minted: i64,
    /// Lifetime burned total (header).
    pub burned: i64,
    /// Σ amount over hold records in the PENDING state.
    pub pending_holds: i128,
    /// Hold records caught between states (RESERVING, SETTLED or VOIDED): operations in flight.
    pub holds_in_progress: u32,
    /// Account records that are open, frozen or closed.
    pub accounts_in_use: u32,
}

impl AuditReport {
    /// `Σ balance + Σ held + Σ pending == minted − burned`, `Σ held == Σ pending holds`, and no
    /// hold between states.
    ///
    /// ```
    /// assert!(inos_ledger::AuditReport::default().is_balanced());
    /// ```
    pub fn is_balanced(&self) -> bool {
        self.balance + self.held + self.pending == self.minted as i128 - self.burned as i128
            && self.held == self.pending_holds
            && self.holds_in_progress == 0
    }
}

impl Ledger<'_> {
    /// Reads every record, checks each one, and sums the money.
    ///
    /// Each field is read atomically but the scan is not a snapshot: the report is exact at
    /// quiescence (when no operation is in progress), which is when
    /// [`AuditReport::is_balanced`] must hold. Run concurrently, it still checks every field it
    /// reads (no negative money, valid states), but money that moved during the scan may be
    /// counted twice or not at all. Each call bumps the header's audit counter, and its
    /// unbalanced counter when the report is not balanced.
    ///
    /// # Errors
    /// [`LedgerError::CorruptAccount`] (unknown state, a negative field, a free slot holding
    /// money, a non-zero reserved byte), [`LedgerError::CorruptHold`] (unknown state, a pending
    /// hold with a payer out of range or an amount ≤ 0, a non-zero reserved byte), [`LedgerError::CorruptHeader`] (negative supply totals).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// assert!(ledger.audit().unwrap().is_balanced());
    /// assert_eq!(ledger.audit_counts(), (1, 0));
    /// ```
    pub fn audit(&self) -> Result<AuditReport, LedgerError> {
        let mut r = AuditReport {
            minted: self.total_minted(),
            burned: self.total_burned(),
            ..AuditReport::default()
        };
        if r.minted < 0 || r.burned < 0 {
            return Err(LedgerError::CorruptHeader);
        }
        for i in 0..self.accounts {
            let a = self.acct_unchecked(i);
            // SYNC: Acquire, pairs with the AcqRel CAS that set the state.
            let state = decode_state(a.status.load(Ordering::Acquire)).ok_or(a.corrupt())?;
            // `debited` before `credited` (ledger.md §4): then `credited ≥ debited` even while
            // other parties operate, and the derived balance is never negative.
            let mut fields = [0i64; 4];
            for (v, w) in fields
                .iter_mut()
                .zip([a.debited, a.credited, a.held, a.pending])
            {
                // SYNC: Acquire, pairs with the AcqRel RMWs on the field.
                *v = w.load(Ordering::Acquire);
                if *v < 0 {
                    return Err(a.corrupt());
                }
            }
            let [debited, credited, held, pending] = fields;
            if debited > credited {
                return Err(a.corrupt());
            }
            if !self.reserved_zero(self.account_off(i), A_RESERVED, ACCOUNT_LEN) {
                return Err(a.corrupt());
            }
            if state == AccountState::Free {
                if fields.iter().any(|&v| v != 0) {
                    return Err(a.corrupt());
                }
                continue;
            }
            r.accounts_in_use += 1;
            r.balance += (credited - debited) as i128;
            r.held += held as i128;
            r.pending += pending as i128;
        }
        for i in 0..self.holds {
            let h = self.hold_words(i);
            // SYNC: Acquire, pairs with the Release store of PENDING in `hold`.
            let s = h.state.load(Ordering::Acquire);
            if !self.reserved_zero(self.hold_off(i), HO_RESERVED, HOLD_LEN) {
                return Err(LedgerError::CorruptHold { index: i });
            }
            match s & 0xffff_ffff {
                HS_FREE => {}
                HS_RESERVING | HS_SETTLED | HS_VOIDED => r.holds_in_progress += 1,
                HS_PENDING => {
                    let amount = h.amount.load(Ordering::Relaxed);
                    let payer = h.payer.load(Ordering::Relaxed);
                    if amount <= 0 || payer >= self.accounts {
                        return Err(LedgerError::CorruptHold { index: i });
                    }
                    r.pending_holds += amount as i128;
                }
                _ => return Err(LedgerError::CorruptHold { index: i }),
            }
        }
        // SAFETY: the header is in bounds (checked at construction); 80 and 88 are 8-aligned.
        let (runs, bad) = unsafe {
            (
                self.region.u64_at_unchecked(H_AUDITS),
                self.region.u64_at_unchecked(H_AUDITS_UNBALANCED),
            )
        };
        // Counters: monotonic and wrapping, ordering irrelevant.
        runs.fetch_add(1, Ordering::Relaxed);
        if !r.is_balanced() {
            bad.fetch_add(1, Ordering::Relaxed);
        }
        Ok(r)
    }

    /// `(audits run, audits that were not balanced)` from the header (wrapping counters).
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_ledger::required_len(1, 0).unwrap()).unwrap();
    /// # let ledger = inos_ledger::Ledger::init(buf.region(), 1, 0).unwrap();
    /// ledger.audit().unwrap();
    /// ledger.audit().unwrap();
    /// assert_eq!(ledger.audit_counts(), (2, 0));
    /// ```
    pub fn audit_counts(&self) -> (u64, u64) {
        // SAFETY: as in `audit`.
        let (runs, bad) = unsafe {
            (
                self.region.u64_at_unchecked(H_AUDITS),
                self.region.u64_at_unchecked(H_AUDITS_UNBALANCED),
            )
        };
        (runs.load(Ordering::Relaxed), bad.load(Ordering::Relaxed))
    }
}
