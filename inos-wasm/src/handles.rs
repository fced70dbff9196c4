//! A fixed table of stateful objects (ring producers and consumers) named by small integers.
//!
//! The table is a `static` in linear memory, which every worker instance of the module shares,
//! so a handle is valid in every worker. Each slot has a state word; a call *checks the slot out*
//! (READY → BUSY) for its duration, so two workers that use one handle at once get
//! [`BUSY`](crate::status::BUSY) instead of a data race, and a stale or forged handle gets
//! [`BAD_HANDLE`](crate::status::BAD_HANDLE).

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

use inos_layout::sync::{AtomicU32, Ordering};

use crate::status::{BAD_HANDLE, BUSY, NO_HANDLES};

const FREE: u32 = 0;
const INIT: u32 = 1;
const READY: u32 = 2;
const CHECKED_OUT: u32 = 3;

/// `N` slots of `T`; handles are `1..=N` (0 is never a handle).
pub(crate) struct Table<T, const N: usize> {
    state: [AtomicU32; N],
    items: [UnsafeCell<MaybeUninit<T>>; N],
}

// SAFETY: a slot's item is only touched by the one thread that moved its state word from FREE to
// INIT or from READY to CHECKED_OUT (an atomic claim), so the item is accessed by one thread at a
// time and may move between threads (`T: Send`).
unsafe impl<T: Send, const N: usize> Sync for Table<T, N> {}

impl<T, const N: usize> Table<T, N> {
    /// An empty table (usable in a `static`).
    pub(crate) const fn new() -> Self {
        Self {
            state: [const { AtomicU32::new(FREE) }; N],
            items: [const { UnsafeCell::new(MaybeUninit::uninit()) }; N],
        }
    }

    /// Stores `value` in a free slot and returns its handle.
    pub(crate) fn insert(&self, value: T) -> Result<i32, i32> {
        for (i, state) in self.state.iter().enumerate() {
            // SYNC: Acquire, pairs with the Release store of FREE in `remove`: the previous
            // item's drop happened before we write the slot.
            if state
                .compare_exchange(FREE, INIT, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                // SAFETY: the CAS made this thread the slot's only user; the slot is FREE, so
                // it holds no live value to leak.
                unsafe { (*self.items[i].get()).write(value) };
                // SYNC: Release, pairs with the Acquire check-out in `with`/`remove`.
                state.store(READY, Ordering::Release);
                return Ok(i as i32 + 1);
            }
        }
        Err(NO_HANDLES)
    }

    /// Checks out handle `h`, runs `f` on its item, and checks it back in.
    pub(crate) fn with<R>(&self, h: i32, f: impl FnOnce(&mut T) -> R) -> Result<R, i32> {
        let i = self.claim(h)?;
        // SAFETY: `claim` moved the slot READY → CHECKED_OUT, so it holds an initialised item
        // and this thread is its only user until the state is stored back.
        let r = f(unsafe { (*self.items[i].get()).assume_init_mut() });
        // SYNC: Release, pairs with the Acquire of the next check-out.
        self.state[i].store(READY, Ordering::Release);
        Ok(r)
    }

    /// Drops the item of handle `h` and frees the slot.
    pub(crate) fn remove(&self, h: i32) -> Result<(), i32> {
        let i = self.claim(h)?;
        // SAFETY: as in `with`; the item is dropped exactly once, then the slot becomes FREE.
        unsafe { (*self.items[i].get()).assume_init_drop() };
        // SYNC: Release, pairs with the Acquire claim in `insert`.
        self.state[i].store(FREE, Ordering::Release);
        Ok(())
    }

    fn claim(&self, h: i32) -> Result<usize, i32> {
        let i = usize::try_from(h)
            .ok()
            .and_then(|h| h.checked_sub(1))
            .filter(|&i| i < N)
            .ok_or(BAD_HANDLE)?;
        // SYNC: Acquire, pairs with the Release store of READY in `insert`/`with`.
        match self.state[i].compare_exchange(
            READY,
            CHECKED_OUT,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => Ok(i),
            Err(CHECKED_OUT) => Err(BUSY),
            Err(_) => Err(BAD_HANDLE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_checked_out_and_freed() {
        let t: Table<u64, 2> = Table::new();
        let a = t.insert(7).unwrap();
        let b = t.insert(8).unwrap();
        assert_eq!(t.insert(9), Err(NO_HANDLES));
        assert_eq!((a, b), (1, 2));
        assert_eq!(t.with(a, |v| *v), Ok(7));
        // Re-entrant use of the same handle is refused, not a second &mut.
        assert_eq!(t.with(b, |_| t.with(b, |_| ())), Ok(Err(BUSY)));
        t.remove(a).unwrap();
        assert_eq!(t.with(a, |v| *v), Err(BAD_HANDLE));
        for bad in [0, -1, 3, i32::MAX] {
            assert_eq!(t.with(bad, |_| ()), Err(BAD_HANDLE));
        }
        assert_eq!(t.insert(10), Ok(1));
    }
}
