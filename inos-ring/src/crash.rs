//! Crash points: a test-only hook that stops a party just before its k-th store to shared memory.
//!
//! Every store (or read-modify-write) the ring code makes to shared memory is preceded by
//! [`point`]. In the crate's unit tests a thread can arm a budget of `k` stores
//! ([`arm`]); the point that would make store `k + 1` marks the thread dead and unwinds, and the
//! `Drop` impls of dead handles do nothing, exactly like a party killed at that instant (its
//! role words stay claimed, its reservation stays open). Outside `cfg(test)` every function here
//! is an empty `#[inline(always)]` stub.

#[cfg(test)]
pub(crate) use imp::{arm, claim_window, dead, died_in_claim, disarm, point, Crash};

/// Called before every shared store (a no-op outside the crate's unit tests).
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn point() {}

/// Marks the MPSC claim window (a no-op outside the crate's unit tests).
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn claim_window(_open: bool) {}

/// Whether this thread was "killed" by a crash point (always false outside unit tests).
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn dead() -> bool {
    false
}

#[cfg(test)]
mod imp {
    use std::cell::Cell;

    std::thread_local! {
        static BUDGET: Cell<Option<u32>> = const { Cell::new(None) };
        static DEAD: Cell<bool> = const { Cell::new(false) };
        static IN_CLAIM: Cell<bool> = const { Cell::new(false) };
        static DIED_IN_CLAIM: Cell<bool> = const { Cell::new(false) };
    }

    /// The panic payload of a simulated crash.
    pub(crate) struct Crash;

    pub(crate) fn point() {
        if let Some(n) = BUDGET.get() {
            if n == 0 {
                BUDGET.set(None);
                DEAD.set(true);
                DIED_IN_CLAIM.set(IN_CLAIM.get());
                std::panic::panic_any(Crash);
            }
            BUDGET.set(Some(n - 1));
        }
    }

    pub(crate) fn dead() -> bool {
        DEAD.get()
    }

    /// Marks the MPSC claim window: after the `TAIL` claim, before the busy tag is stored.
    pub(crate) fn claim_window(open: bool) {
        IN_CLAIM.set(open);
    }

    /// Whether the last simulated death happened inside the MPSC claim window.
    pub(crate) fn died_in_claim() -> bool {
        DIED_IN_CLAIM.get()
    }

    /// Lets this thread make `stores` more shared stores, then "kills" it.
    pub(crate) fn arm(stores: u32) {
        DEAD.set(false);
        IN_CLAIM.set(false);
        DIED_IN_CLAIM.set(false);
        BUDGET.set(Some(stores));
    }

    /// Disarms the hook and revives the thread; returns whether it died.
    pub(crate) fn disarm() -> bool {
        BUDGET.set(None);
        DEAD.replace(false)
    }
}
