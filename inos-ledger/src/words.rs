//! Checked read-modify-write loops on shared money words.
//!
//! Every money word holds a value in `0..=i64::MAX`. These loops never store a negative or wrapped
//! value: an add that would pass `i64::MAX` and a subtract that would go below zero are refused
//! before the CAS, and a negative value found in the word is reported as corruption (another
//! party broke the format), never used.

use inos_layout::sync::{AtomicI64, Ordering};

use crate::LedgerError;

/// Adds `amount > 0`; `overflow` if the result would pass `i64::MAX`.
#[inline]
pub(crate) fn add(
    word: &AtomicI64,
    amount: i64,
    overflow: LedgerError,
    corrupt: LedgerError,
) -> Result<(), LedgerError> {
    let mut cur = word.load(Ordering::Relaxed);
    loop {
        if cur < 0 {
            return Err(corrupt);
        }
        let Some(next) = cur.checked_add(amount) else {
            return Err(overflow);
        };
        // SYNC: AcqRel; RMWs on one word are totally ordered, and the Acquire/Release edges order
        // this step after the caller's earlier steps for anyone who reads this word.
        match word.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => return Ok(()),
            Err(now) => cur = now,
        }
    }
}

/// Subtracts `amount > 0`; `short` if the word holds less (no overdraft, ever).
#[inline]
pub(crate) fn sub(
    word: &AtomicI64,
    amount: i64,
    short: LedgerError,
    corrupt: LedgerError,
) -> Result<(), LedgerError> {
    let mut cur = word.load(Ordering::Relaxed);
    loop {
        if cur < 0 {
            return Err(corrupt);
        }
        if cur < amount {
            return Err(short);
        }
        // SYNC: AcqRel, as in `add`.
        match word.compare_exchange_weak(cur, cur - amount, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => return Ok(()),
            Err(now) => cur = now,
        }
    }
}

/// Debits `amount > 0` from an account of format 2: raises `debited` by `amount` with a CAS
/// only if the result stays `≤ credited`; `InsufficientFunds` otherwise (no overdraft, ever).
///
/// `credited` is loaded once, before the CAS loop. It only grows, so a value that is stale by the
/// time the CAS lands is only ever smaller: the check is conservative and never lets `debited`
/// pass the real `credited` (ledger.md §4 shows why a reader that loads `debited` first never
/// sees a negative balance).
#[inline]
pub(crate) fn debit(
    credited: &AtomicI64,
    debited: &AtomicI64,
    amount: i64,
    corrupt: LedgerError,
) -> Result<(), LedgerError> {
    // SYNC: Acquire, pairs with the AcqRel credits of this account (their earlier steps are
    // visible to whoever reads what this debit enables).
    let credited = credited.load(Ordering::Acquire);
    let mut cur = debited.load(Ordering::Relaxed);
    loop {
        if cur < 0 || credited < 0 {
            return Err(corrupt);
        }
        match cur.checked_add(amount) {
            Some(next) if next <= credited => {
                // SYNC: AcqRel; the Release half orders the `credited` load above before this
                // store for every reader that Acquire-loads `debited` and then `credited`
                // (coherence then gives it a `credited` at least as large as the one checked).
                match debited.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Relaxed)
                {
                    Ok(_) => return Ok(()),
                    Err(now) => cur = now,
                }
            }
            _ => return Err(LedgerError::InsufficientFunds),
        }
    }
}

/// Takes the whole positive value, leaving 0; `empty` if it is 0.
#[inline]
pub(crate) fn take_all(
    word: &AtomicI64,
    empty: LedgerError,
    corrupt: LedgerError,
) -> Result<i64, LedgerError> {
    let mut cur = word.load(Ordering::Relaxed);
    loop {
        if cur < 0 {
            return Err(corrupt);
        }
        if cur == 0 {
            return Err(empty);
        }
        // SYNC: AcqRel, as in `add`.
        match word.compare_exchange_weak(cur, 0, Ordering::AcqRel, Ordering::Relaxed) {
            Ok(_) => return Ok(cur),
            Err(now) => cur = now,
        }
    }
}

/// Undoes this call's own earlier `add` of `amount` (takes it back out). Never stores a negative
/// value: if the word now holds less than `amount` (another party lowered a total that only
/// grows, or already spent a credit that is being taken back) the step is refused with `corrupt`
/// and stores nothing (ledger.md §2, "Undo").
#[inline]
pub(crate) fn undo_add(
    word: &AtomicI64,
    amount: i64,
    corrupt: LedgerError,
) -> Result<(), LedgerError> {
    sub(word, amount, corrupt, corrupt)
}

/// Undoes this call's own earlier `sub` (puts the amount back). Can only fail in a corrupt
/// region (a consistent field never exceeds the supply, which fits in `i64`); it is then refused
/// with `corrupt` and stores nothing.
#[inline]
pub(crate) fn undo_sub(
    word: &AtomicI64,
    amount: i64,
    corrupt: LedgerError,
) -> Result<(), LedgerError> {
    add(word, amount, corrupt, corrupt)
}

/// The error a refused operation returns after its undo steps: the first refused undo step's
/// error if any (the corruption beats the refusal that started the undo), else `refused`.
/// The caller evaluates every undo step (in reverse order of the steps they undo) before this
/// call, so a refused undo step does not stop the later ones.
#[inline]
pub(crate) fn undone<const N: usize>(
    refused: LedgerError,
    undos: [Result<(), LedgerError>; N],
) -> LedgerError {
    undos.into_iter().find_map(Result::err).unwrap_or(refused)
}
