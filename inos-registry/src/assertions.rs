//! Compile-time checks of the type-level guarantees and entry layout this crate documents.

use static_assertions::{assert_impl_all, const_assert, const_assert_eq};

use crate::layout::*;
use crate::{Handle, ModuleRegistry, Modules, SupervisorTable};

// Handles to a table are copied to every thread.
assert_impl_all!(ModuleRegistry<'static>: Send, Sync, Copy);
assert_impl_all!(SupervisorTable<'static>: Send, Sync, Copy);
assert_impl_all!(Handle<Modules>: Send, Sync, Copy);

// Entries are 8-aligned (the seqlock slot at +8 is), fields 4-aligned, records whole words.
const_assert_eq!(HEADER_LEN % 8, 0);
const_assert_eq!(MODULE_ENTRY_LEN % 8, 0);
const_assert_eq!(SUPERVISOR_ENTRY_LEN % 8, 0);
const_assert_eq!(E_SEQ % 8, 0);
const_assert_eq!(MODULE_RECORD_LEN % 4, 0);
const_assert_eq!(SUPERVISOR_RECORD_LEN % 4, 0);
const_assert_eq!(M_CAPABILITIES % 8, 0);
const_assert!(M_RESERVED + 4 <= MODULE_ENTRY_LEN);
const_assert!(S_RESERVED + 4 <= SUPERVISOR_ENTRY_LEN);
// The standard tables fit the standard regions (6 KiB and 4 KiB).
const_assert!(HEADER_LEN + 64 * MODULE_ENTRY_LEN <= 6 * 1024);
const_assert!(HEADER_LEN + 32 * SUPERVISOR_ENTRY_LEN <= 4 * 1024);
