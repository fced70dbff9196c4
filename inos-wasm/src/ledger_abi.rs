//! Exports for the credit ledger: format, open accounts, mint, transfer, hold / settle / void,
//! read balances, audit.
//!
//! Every call names the ledger by its region (`addr`, `len`) and attaches to it (validating the
//! ledger header) on the spot: the ledger handle is stateless and `Sync`, so any worker may call
//! any of these at any time, concurrently. Money is `i64` (a `BigInt` in JS); accounts are their
//! `u32` record index; a hold id is the `u64` `generation << 32 | index`.

use inos_ledger::{AccountId, HoldId, Ledger};

use crate::mem;
use crate::status::{self, OK, UNBALANCED};

/// # Safety
/// As for [`inos_ledger_init`].
unsafe fn ledger(addr: usize, len: u32) -> Result<Ledger<'static>, i32> {
    // SAFETY: forwarded to the caller.
    let region = unsafe { mem::region(addr, len as usize) }?;
    Ledger::attach(region).map_err(status::ledger)
}

/// # Safety
/// As for [`inos_ledger_init`].
unsafe fn op(
    addr: usize,
    len: u32,
    f: impl FnOnce(Ledger<'static>) -> Result<(), inos_ledger::LedgerError>,
) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { ledger(addr, len) } {
        Ok(l) => f(l).map_or_else(status::ledger, |()| OK),
        Err(e) => e,
    }
}

/// Formats an empty ledger with room for `accounts` accounts and `holds` concurrent holds in the
/// region `addr..addr + len`. Only the ledger's owner calls it, before anyone attaches.
///
/// # Safety
/// `addr..addr + len` must be memory only protocol parties access (see
/// [`inos_format_standard`](crate::inos_format_standard)).
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     assert_eq!(inos_wasm::inos_ledger_init(addr, 384, 2, 2), 0);
///     assert_eq!(inos_wasm::inos_ledger_init(addr, 384, 4, 4), inos_wasm::status::LEDGER_REGION_TOO_SMALL);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_init(addr: usize, len: u32, accounts: u32, holds: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { mem::region(addr, len as usize) } {
        Ok(r) => Ledger::init(r, accounts, holds).map_or_else(status::ledger, |_| OK),
        Err(e) => e,
    }
}

/// Opens a new account; returns its index (≥ 0) or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     assert_eq!(inos_wasm::inos_ledger_open(addr, 384), 0);
///     assert_eq!(inos_wasm::inos_ledger_open(addr, 384), 1);
///     assert_eq!(inos_wasm::inos_ledger_open(addr, 384), inos_wasm::status::LEDGER_ACCOUNT_CAPACITY_EXHAUSTED);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_open(addr: usize, len: u32) -> i32 {
    // SAFETY: forwarded to the caller.
    match unsafe { ledger(addr, len) }.and_then(|l| l.open().map_err(status::ledger)) {
        Ok(id) => i32::try_from(id.index()).unwrap_or(status::OTHER),
        Err(e) => e,
    }
}

/// Creates `amount` (> 0) in `account`. Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     let a = inos_wasm::inos_ledger_open(addr, 384) as u32;
///     assert_eq!(inos_wasm::inos_ledger_mint(addr, 384, a, 100), 0);
///     assert_eq!(inos_wasm::inos_ledger_mint(addr, 384, a, 0), inos_wasm::status::LEDGER_AMOUNT_NOT_POSITIVE);
///     assert_eq!(inos_wasm::inos_ledger_balance(addr, 384, a), 100);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_mint(addr: usize, len: u32, account: u32, amount: i64) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe {
        op(addr, len, |l| {
            l.mint(AccountId::from_index(account), amount)
        })
    }
}

/// Moves `amount` (> 0) from `from` to `to`; refuses overdraft with
/// [`LEDGER_INSUFFICIENT_FUNDS`](crate::status::LEDGER_INSUFFICIENT_FUNDS). Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     let (a, b) = (inos_wasm::inos_ledger_open(addr, 384) as u32, inos_wasm::inos_ledger_open(addr, 384) as u32);
///     inos_wasm::inos_ledger_mint(addr, 384, a, 10);
///     assert_eq!(inos_wasm::inos_ledger_transfer(addr, 384, a, b, 7), 0);
///     assert_eq!(inos_wasm::inos_ledger_transfer(addr, 384, a, b, 7), inos_wasm::status::LEDGER_INSUFFICIENT_FUNDS);
///     assert_eq!(inos_wasm::inos_ledger_balance(addr, 384, b), 7);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_transfer(
    addr: usize,
    len: u32,
    from: u32,
    to: u32,
    amount: i64,
) -> i32 {
    // SAFETY: forwarded to the caller.
    unsafe {
        op(addr, len, |l| {
            l.transfer(
                AccountId::from_index(from),
                AccountId::from_index(to),
                amount,
            )
        })
    }
}

/// Moves `amount` (> 0) of `payer`'s balance into escrow and writes the hold id (`u64`,
/// little-endian) to `out` (8-aligned, caller-private; 0 to discard). Returns 0 or a negative
/// status.
///
/// # Safety
/// As for [`inos_ledger_init`]; `out` must be a caller-private buffer.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut hold = 0u64;
/// // SAFETY: the buffer is only accessed through the protocol; `hold` is private.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     let (a, b) = (inos_wasm::inos_ledger_open(addr, 384) as u32, inos_wasm::inos_ledger_open(addr, 384) as u32);
///     inos_wasm::inos_ledger_mint(addr, 384, a, 10);
///     assert_eq!(inos_wasm::inos_ledger_hold(addr, 384, a, 6, &mut hold as *mut u64 as usize), 0);
///     assert_eq!(inos_wasm::inos_ledger_settle(addr, 384, hold as i64, b, 4), 0); // 2 go back to a
///     assert_eq!(inos_wasm::inos_ledger_void(addr, 384, hold as i64), inos_wasm::status::LEDGER_HOLD_NOT_PENDING);
///     assert_eq!(inos_wasm::inos_ledger_balance(addr, 384, a), 6);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_hold(
    addr: usize,
    len: u32,
    payer: u32,
    amount: i64,
    out: usize,
) -> i32 {
    // Check `out` before taking the hold: a hold whose id cannot be returned would stay in escrow
    // with nobody able to settle or void it.
    if out != 0 {
        if let Err(e) = mem::check_private(out, 8, 8, (addr, len as usize)) {
            return e;
        }
    }
    // SAFETY: forwarded to the caller.
    let r = unsafe { ledger(addr, len) }.and_then(|l| {
        l.hold(AccountId::from_index(payer), amount)
            .map_err(status::ledger)
    });
    match r {
        // SAFETY: caller-private per the contract.
        Ok(id) => status::code(unsafe {
            mem::write_out(out, &id.to_u64().to_le_bytes(), (addr, len as usize))
        }),
        Err(e) => e,
    }
}

/// Resolves hold `hold`: pays `amount` (> 0, at most the hold) to `payee` and refunds the rest to
/// the payer. Exactly one of concurrent settles / voids of a hold succeeds; the others get
/// [`LEDGER_HOLD_NOT_PENDING`](crate::status::LEDGER_HOLD_NOT_PENDING). Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     assert_eq!(inos_wasm::inos_ledger_settle(addr, 384, 7, 0, 1), inos_wasm::status::LEDGER_NO_SUCH_HOLD);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_settle(
    addr: usize,
    len: u32,
    hold: i64,
    payee: u32,
    amount: i64,
) -> i32 {
    let id = HoldId::from_u64(hold as u64);
    // SAFETY: forwarded to the caller.
    unsafe {
        op(addr, len, |l| {
            l.settle(id, AccountId::from_index(payee), amount)
        })
    }
}

/// Cancels hold `hold`: the whole amount returns to the payer. Returns 0 or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     assert_eq!(inos_wasm::inos_ledger_void(addr, 384, 0), inos_wasm::status::LEDGER_HOLD_NOT_PENDING);
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_void(addr: usize, len: u32, hold: i64) -> i32 {
    let id = HoldId::from_u64(hold as u64);
    // SAFETY: forwarded to the caller.
    unsafe { op(addr, len, |l| l.void(id)) }
}

/// The spendable balance of `account` (≥ 0), or a negative status.
///
/// # Safety
/// As for [`inos_ledger_init`].
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// // SAFETY: the buffer is only accessed through the protocol.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     assert_eq!(inos_wasm::inos_ledger_balance(addr, 384, 5), i64::from(inos_wasm::status::LEDGER_NO_SUCH_ACCOUNT));
/// }
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_balance(addr: usize, len: u32, account: u32) -> i64 {
    // SAFETY: forwarded to the caller.
    let r = unsafe { ledger(addr, len) }.and_then(|l| {
        l.account(AccountId::from_index(account))
            .map_err(status::ledger)
    });
    match r {
        Ok(info) => info.balance,
        Err(e) => i64::from(e),
    }
}

/// Bytes [`inos_ledger_audit`] writes to its `out` buffer.
pub const AUDIT_REPORT_LEN: usize = 64;

/// Audits the ledger: checks every record and the conservation law
/// `Σ balance + Σ held + Σ pending = minted − burned`. Returns 0 if balanced,
/// [`UNBALANCED`] if not (or if operations were in flight), or another negative status. If `out`
/// is not 0 (8-aligned, caller-private) it receives [`AUDIT_REPORT_LEN`] bytes, little-endian:
/// `i64` Σ balance, Σ held, Σ pending, minted, burned, Σ pending holds (sums saturate at
/// `i64::MAX`), then `u32` holds in progress, `u32` accounts in use, 8 zero bytes.
///
/// # Safety
/// As for [`inos_ledger_init`]; `out` must be a caller-private buffer.
///
/// ```
/// let buf = inos_layout::RegionBuf::new(128 + 64 * 4).unwrap();
/// let addr = buf.region().u32_at(0).unwrap().as_ptr() as usize;
/// let mut report = [0i64; 8];
/// // SAFETY: the buffer is only accessed through the protocol; `report` is private.
/// unsafe {
///     inos_wasm::inos_ledger_init(addr, 384, 2, 2);
///     let a = inos_wasm::inos_ledger_open(addr, 384) as u32;
///     inos_wasm::inos_ledger_mint(addr, 384, a, 42);
///     assert_eq!(inos_wasm::inos_ledger_audit(addr, 384, report.as_mut_ptr() as usize), 0);
/// }
/// assert_eq!((report[0], report[3]), (42, 42));
/// ```
#[cfg_attr(feature = "raw-exports", no_mangle)]
pub unsafe extern "C" fn inos_ledger_audit(addr: usize, len: u32, out: usize) -> i32 {
    // Check `out` before auditing, so a refused call does not bump the header's audit counters.
    if out != 0 {
        if let Err(e) = mem::check_private(out, AUDIT_REPORT_LEN, 8, (addr, len as usize)) {
            return e;
        }
    }
    // SAFETY: forwarded to the caller.
    let r = unsafe { ledger(addr, len) }.and_then(|l| l.audit().map_err(status::ledger));
    let report = match r {
        Ok(r) => r,
        Err(e) => return e,
    };
    if out != 0 {
        let sat = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
        let mut bytes = [0u8; AUDIT_REPORT_LEN];
        let words = [
            sat(report.balance),
            sat(report.held),
            sat(report.pending),
            report.minted,
            report.burned,
            sat(report.pending_holds),
        ];
        for (i, w) in words.iter().enumerate() {
            bytes[i * 8..i * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        bytes[48..52].copy_from_slice(&report.holds_in_progress.to_le_bytes());
        bytes[52..56].copy_from_slice(&report.accounts_in_use.to_le_bytes());
        // SAFETY: caller-private per the contract.
        if let Err(e) = unsafe { mem::write_out(out, &bytes, (addr, len as usize)) } {
            return e;
        }
    }
    if report.is_balanced() {
        OK
    } else {
        UNBALANCED
    }
}
