//! A fixed table of stateful objects (ring producers and consumers) named by small integers.
//!
//! The table is a `static` in linear memory, which every worker instance of the module shares,
//! so a handle is valid in every worker. Each slot has a state word; a call *checks the slot out*
//! (READY → BUSY) for its duration, so two workers that use one handle at once get
//! [`BUSY`](crate::status::BUSY) instead of a data race, and a stale or forged handle gets
//! [`BAD_HANDLE`](crate::status::BAD_HANDLE).
//!
//! ## Handle format
//! A handle is `index | generation << INDEX_BITS` (a positive `i32`): the slot index in the low
//! [`INDEX_BITS`] bits and the slot's *generation* above them. Each slot's state word carries its
//! current generation next to its state; freeing a slot bumps the generation, so a handle kept
//! after [`Table::remove`] no longer matches the slot, even once the slot holds a new item, and is
//! rejected with `BAD_HANDLE` instead of silently driving the new item. Generations run
//! `1..=GEN_MAX` and wrap back to 1 (never 0, so no handle is 0 or negative): a stale handle is
//! only accepted again after its slot has been freed `GEN_MAX` (about 8.4 million) more times.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;

use inos_layout::sync::{AtomicU32, Ordering};

use crate::status::{BAD_HANDLE, BUSY, NO_HANDLES};

/// Low bits of a handle that hold the slot index.
pub(crate) const INDEX_BITS: u32 = 8;
/// The largest generation: `INDEX_BITS + 23` bits keep a handle a positive `i32`.
pub(crate) const GEN_MAX: u32 = (1 << (31 - INDEX_BITS)) - 1;

/// State word: `generation << STATE_BITS | state`.
const STATE_BITS: u32 = 2;
const STATE_MASK: u32 = (1 << STATE_BITS) - 1;
const FREE: u32 = 0;
const INIT: u32 = 1;
const READY: u32 = 2;
const CHECKED_OUT: u32 = 3;

const fn word(generation: u32, state: u32) -> u32 {
    generation << STATE_BITS | state
}

const fn next_generation(g: u32) -> u32 {
    if g >= GEN_MAX {
        1
    } else {
        g + 1
    }
}

/// `N` slots of `T`; handles are `index | generation << INDEX_BITS` (never 0 or negative).
pub(crate) struct Table<T, const N: usize> {
    state: [AtomicU32; N],
    items: [UnsafeCell<MaybeUninit<T>>; N],
}

// SAFETY: a slot's item is only touched by the one thread that moved its state word from FREE to
// INIT or from READY to CHECKED_OUT (an atomic claim), so the item is accessed by one thread at a
// time and may move between threads (`T: Send`).
unsafe impl<T: Send, const N: usize> Sync for Table<T, N> {}

impl<T, const N: usize> Table<T, N> {
    const FITS: () = assert!(N <= 1 << INDEX_BITS, "too many slots for INDEX_BITS");

    /// An empty table (usable in a `static`).
    pub(crate) const fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS;
        Self {
            state: [const { AtomicU32::new(word(1, FREE)) }; N],
            items: [const { UnsafeCell::new(MaybeUninit::uninit()) }; N],
        }
    }

    /// Stores `value` in a free slot and returns its handle.
    pub(crate) fn insert(&self, value: T) -> Result<i32, i32> {
        for (i, state) in self.state.iter().enumerate() {
            let cur = state.load(Ordering::Relaxed);
            if cur & STATE_MASK != FREE {
                continue;
            }
            let generation = cur >> STATE_BITS;
            // SYNC: Acquire, pairs with the Release store of FREE in `remove`: the previous
            // item's drop happened before we write the slot.
            if state
                .compare_exchange(
                    cur,
                    word(generation, INIT),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_ok()
            {
                // SAFETY: the CAS made this thread the slot's only user; the slot is FREE, so
                // it holds no live value to leak.
                unsafe { (*self.items[i].get()).write(value) };
                // SYNC: Release, pairs with the Acquire check-out in `with`/`remove`.
                state.store(word(generation, READY), Ordering::Release);
                return Ok((i as u32 | generation << INDEX_BITS) as i32);
            }
        }
        Err(NO_HANDLES)
    }

    /// Checks out handle `h`, runs `f` on its item, and checks it back in.
    pub(crate) fn with<R>(&self, h: i32, f: impl FnOnce(&mut T) -> R) -> Result<R, i32> {
        let (i, generation) = self.claim(h)?;
        // SAFETY: `claim` moved the slot READY → CHECKED_OUT, so it holds an initialised item
        // and this thread is its only user until the state is stored back.
        let r = f(unsafe { (*self.items[i].get()).assume_init_mut() });
        // SYNC: Release, pairs with the Acquire of the next check-out.
        self.state[i].store(word(generation, READY), Ordering::Release);
        Ok(r)
    }

    /// Drops the item of handle `h` and frees the slot under a new generation.
    pub(crate) fn remove(&self, h: i32) -> Result<(), i32> {
        let (i, generation) = self.claim(h)?;
        // SAFETY: as in `with`; the item is dropped exactly once, then the slot becomes FREE.
        unsafe { (*self.items[i].get()).assume_init_drop() };
        // SYNC: Release, pairs with the Acquire claim in `insert`.
        self.state[i].store(word(next_generation(generation), FREE), Ordering::Release);
        Ok(())
    }

    /// Moves the slot of `h` from READY to CHECKED_OUT if `h`'s generation is the slot's current
    /// one; returns (index, generation).
    fn claim(&self, h: i32) -> Result<(usize, u32), i32> {
        let h = u32::try_from(h).map_err(|_| BAD_HANDLE)?;
        let i = (h & ((1 << INDEX_BITS) - 1)) as usize;
        let generation = h >> INDEX_BITS;
        if i >= N || generation == 0 {
            return Err(BAD_HANDLE);
        }
        // SYNC: Acquire, pairs with the Release store of READY in `insert`/`with`.
        match self.state[i].compare_exchange(
            word(generation, READY),
            word(generation, CHECKED_OUT),
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => Ok((i, generation)),
            Err(now) if now == word(generation, CHECKED_OUT) => Err(BUSY),
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
        assert!(a > 0 && b > 0 && a != b);
        assert_eq!(t.with(a, |v| *v), Ok(7));
        // Re-entrant use of the same handle is refused, not a second &mut.
        assert_eq!(t.with(b, |_| t.with(b, |_| ())), Ok(Err(BUSY)));
        t.remove(a).unwrap();
        assert_eq!(t.with(a, |v| *v), Err(BAD_HANDLE));
        for bad in [0, -1, 2, 3, 256, i32::MAX, i32::MIN] {
            assert_eq!(t.with(bad, |_| ()), Err(BAD_HANDLE), "{bad}");
        }
        let c = t.insert(10).unwrap();
        assert_eq!(t.with(c, |v| *v), Ok(10));
    }

    /// A handle kept after `remove` is refused even when its slot holds a new item: before
    /// generations it named the slot alone and silently drove the new item.
    #[test]
    fn stale_handle_is_refused_after_its_slot_is_reused() {
        let t: Table<u64, 1> = Table::new();
        let old = t.insert(1).unwrap();
        t.remove(old).unwrap();
        let new = t.insert(2).unwrap();
        assert_ne!(old, new);
        assert_eq!(t.with(old, |v| *v), Err(BAD_HANDLE));
        assert_eq!(t.remove(old), Err(BAD_HANDLE));
        // While the new item is checked out, the stale handle is still BAD_HANDLE, not BUSY.
        assert_eq!(t.with(new, |_| t.with(old, |_| ())), Ok(Err(BAD_HANDLE)));
        assert_eq!(t.with(new, |v| *v), Ok(2));
    }

    #[test]
    fn generations_wrap_without_producing_zero_or_negative_handles() {
        let t: Table<u8, 1> = Table::new();
        t.state[0].store(word(GEN_MAX, FREE), Ordering::Relaxed);
        let h = t.insert(0).unwrap();
        assert_eq!(h, (GEN_MAX << INDEX_BITS) as i32);
        assert!(h > 0);
        t.remove(h).unwrap();
        let h2 = t.insert(0).unwrap();
        assert_eq!(h2, 1 << INDEX_BITS);
        assert_eq!(t.with(h, |_| ()), Err(BAD_HANDLE));
    }
}
