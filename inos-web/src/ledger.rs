//! The credit ledger (JS class `Ledger`): money is `bigint` (i64), accounts are indices.

use inos_ledger::{AccountId, HoldId, Ledger as Inner};
use wasm_bindgen::prelude::*;

use crate::error::protocol;
use crate::region::region;

/// A ledger in `offset..offset + length` of an allocated region (8-aligned) (JS class `Ledger`).
///
/// Every operation is lock-free and safe from any thread, including the browser main thread.
/// Money is a `bigint`; errors are `InosError`s named after the ledger's error
/// (`InsufficientFunds`, `NoSuchAccount`, `HoldStale`, …).
#[wasm_bindgen]
#[derive(Debug)]
pub struct Ledger {
    inner: Inner<'static>,
}

/// The result of `Ledger.audit()`: sums over the ledger and whether they balance.
#[wasm_bindgen]
#[derive(Debug, Clone, Copy)]
pub struct AuditReport {
    report: inos_ledger::AuditReport,
}

fn big(v: i128) -> js_sys::BigInt {
    // i128 → decimal string → BigInt: exact for every value.
    js_sys::BigInt::new(&JsValue::from_str(&v.to_string())).unwrap_or_else(|_| 0i64.into())
}

#[wasm_bindgen]
impl AuditReport {
    /// Whether money is conserved and no hold is between states.
    #[wasm_bindgen(getter)]
    pub fn balanced(&self) -> bool {
        self.report.is_balanced()
    }
    /// Σ balance over all accounts.
    #[wasm_bindgen(getter)]
    pub fn balance(&self) -> js_sys::BigInt {
        big(self.report.balance)
    }
    /// Σ held (escrow) over all accounts.
    #[wasm_bindgen(getter)]
    pub fn held(&self) -> js_sys::BigInt {
        big(self.report.held)
    }
    /// Σ pending rewards over all accounts.
    #[wasm_bindgen(getter)]
    pub fn pending(&self) -> js_sys::BigInt {
        big(self.report.pending)
    }
    /// Lifetime minted total.
    #[wasm_bindgen(getter)]
    pub fn minted(&self) -> i64 {
        self.report.minted
    }
    /// Lifetime burned total.
    #[wasm_bindgen(getter)]
    pub fn burned(&self) -> i64 {
        self.report.burned
    }
    /// Σ amount of pending holds.
    #[wasm_bindgen(getter, js_name = pendingHolds)]
    pub fn pending_holds(&self) -> js_sys::BigInt {
        big(self.report.pending_holds)
    }
    /// Holds caught between states (operations in flight).
    #[wasm_bindgen(getter, js_name = holdsInProgress)]
    pub fn holds_in_progress(&self) -> u32 {
        self.report.holds_in_progress
    }
    /// Accounts that are open, frozen or closed.
    #[wasm_bindgen(getter, js_name = accountsInUse)]
    pub fn accounts_in_use(&self) -> u32 {
        self.report.accounts_in_use
    }
}

#[wasm_bindgen]
impl Ledger {
    /// Bytes a ledger with `accounts` accounts and `holds` holds occupies (`InosError`
    /// `Invalid` if that overflows).
    #[wasm_bindgen(js_name = requiredLength)]
    pub fn required_length(accounts: u32, holds: u32) -> Result<f64, JsValue> {
        inos_ledger::layout::required_len(accounts, holds)
            .map(|n| n as f64)
            .ok_or_else(|| crate::error::err(crate::error::Code::Invalid, "ledger too large"))
    }

    /// Formats an empty ledger (only its owner, before anyone attaches).
    pub fn init(offset: f64, length: f64, accounts: u32, holds: u32) -> Result<Ledger, JsValue> {
        let r = region(offset, length, 8)?;
        let inner = Inner::init(r, accounts, holds).map_err(protocol)?;
        Ok(Ledger { inner })
    }

    /// Attaches to a ledger another party formatted (checks its header).
    pub fn attach(offset: f64, length: f64) -> Result<Ledger, JsValue> {
        let r = region(offset, length, 8)?;
        let inner = Inner::attach(r).map_err(protocol)?;
        Ok(Ledger { inner })
    }

    /// Opens an account; its index.
    pub fn open(&self) -> Result<u32, JsValue> {
        Ok(self.inner.open().map_err(protocol)?.index())
    }

    /// Creates `amount` (> 0) in `account`.
    pub fn mint(&self, account: u32, amount: i64) -> Result<(), JsValue> {
        self.inner
            .mint(AccountId::from_index(account), amount)
            .map_err(protocol)
    }

    /// Destroys `amount` (> 0) from `account`.
    pub fn burn(&self, account: u32, amount: i64) -> Result<(), JsValue> {
        self.inner
            .burn(AccountId::from_index(account), amount)
            .map_err(protocol)
    }

    /// Moves `amount` (> 0) from `from` to `to`, atomically.
    pub fn transfer(&self, from: u32, to: u32, amount: i64) -> Result<(), JsValue> {
        self.inner
            .transfer(
                AccountId::from_index(from),
                AccountId::from_index(to),
                amount,
            )
            .map_err(protocol)
    }

    /// Reserves `amount` of `payer`'s balance in escrow; the hold id (a `bigint`).
    pub fn hold(&self, payer: u32, amount: i64) -> Result<u64, JsValue> {
        Ok(self
            .inner
            .hold(AccountId::from_index(payer), amount)
            .map_err(protocol)?
            .to_u64())
    }

    /// Pays `amount` (≤ the hold) of hold `hold` to `payee`, returns the rest to the payer;
    /// exactly once.
    pub fn settle(&self, hold: u64, payee: u32, amount: i64) -> Result<(), JsValue> {
        self.inner
            .settle(HoldId::from_u64(hold), AccountId::from_index(payee), amount)
            .map_err(protocol)
    }

    /// Returns hold `hold` to its payer; exactly once.
    pub fn void(&self, hold: u64) -> Result<(), JsValue> {
        self.inner.void(HoldId::from_u64(hold)).map_err(protocol)
    }

    /// The spendable balance of `account`.
    pub fn balance(&self, account: u32) -> Result<i64, JsValue> {
        Ok(self
            .inner
            .account(AccountId::from_index(account))
            .map_err(protocol)?
            .balance)
    }

    /// Sums the whole ledger and checks the conservation law.
    pub fn audit(&self) -> Result<AuditReport, JsValue> {
        Ok(AuditReport {
            report: self.inner.audit().map_err(protocol)?,
        })
    }
}
