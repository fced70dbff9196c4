//! Compile-time checks of the type-level guarantees this crate has today
//! (`static_assertions`; compiled with the tests, a failure is a build error).

use static_assertions::{assert_impl_all, const_assert_eq};

use crate::{
    Epoch, Flag, PingPong, PingPongWriter, Seqlock, SeqlockWriter, Value, Watcher, WithAggregate,
    SLOT_SIZE,
};

// Handles to shared words: copied freely to any thread.
assert_impl_all!(Epoch<'static>: Send, Sync, Copy);
assert_impl_all!(WithAggregate<'static>: Send, Sync, Copy);
assert_impl_all!(Flag<'static>: Send, Sync, Copy);
assert_impl_all!(Value<'static>: Send, Sync, Copy);
assert_impl_all!(Seqlock<'static>: Send, Sync, Copy);
assert_impl_all!(PingPong<'static>: Send, Sync, Copy);
// A watcher is per-thread state (its last-seen value) but may move and be cloned.
assert_impl_all!(Watcher<'static>: Send, Sync, Clone);
// Write guards: exclusive by protocol (the shared state word), not by the type system.
assert_impl_all!(SeqlockWriter<'static>: Send, Sync);
assert_impl_all!(PingPongWriter<'static>: Send, Sync);

// An epoch slot is one 8-byte word pair (counter, waiters).
const_assert_eq!(SLOT_SIZE, 8);
