//! Compile-time checks of the type-level guarantees and record layout this crate documents
//! (`static_assertions`; compiled with the tests, a failure is a build error).

use static_assertions::{assert_impl_all, const_assert, const_assert_eq};

use crate::layout::*;
use crate::Ledger;

// A ledger handle is copied to every thread.
assert_impl_all!(Ledger<'static>: Send, Sync, Copy);

// Header: two cache lines; account and hold records: one cache line each.
const_assert_eq!(HEADER_LEN, 128);
const_assert_eq!(ACCOUNT_LEN, 64);
const_assert_eq!(HOLD_LEN, 64);
const_assert_eq!(H_RESERVED1 + 32, HEADER_LEN);
const_assert!(H_AUDITS_UNBALANCED + 8 <= H_RESERVED1);
const_assert!(A_STATUS + 4 <= ACCOUNT_LEN);
const_assert!(HO_PAYER + 4 <= HOLD_LEN);
// 8-byte fields (money, hold states) are 8-aligned within their records.
const_assert_eq!(H_MINTED % 8, 0);
const_assert_eq!(H_BURNED % 8, 0);
const_assert_eq!(A_CREDITED % 8, 0);
const_assert_eq!(A_DEBITED % 8, 0);
const_assert_eq!(A_HELD % 8, 0);
const_assert_eq!(A_PENDING % 8, 0);
const_assert_eq!(A_STATUS + 4, A_RESERVED);
const_assert_eq!(HO_STATE % 8, 0);
const_assert_eq!(HO_AMOUNT % 8, 0);
