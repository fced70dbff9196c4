//! [`TablePark`]: a process-local table of mutex + condition variable pairs keyed by address.

use core::time::Duration;
use std::sync::{Condvar, Mutex, PoisonError};

use inos_layout::sync::{AtomicU32, Ordering};

use super::Park;

/// A fixed table of `Mutex` + `Condvar` buckets, keyed by the word's address.
///
/// The default on `std` targets other than Linux. **Process-private and mapping-private:** it
/// only wakes parties in this process that reach the word at the same address; a party in another
/// process (or reaching the memory through another mapping) must wait with [`SpinPark`] or
/// a cross-process backend, or it will sleep until its deadline.
///
/// Correctness: a sleeper checks the word *under the bucket mutex* before waiting, and
/// [`unpark_all`](Park::unpark_all) takes the same mutex before notifying; so a change made before
/// `unpark_all` is either seen by the check or the sleeper is already waiting when the notify
/// comes. Buckets are shared by unrelated words, so wake-ups may be spurious (callers re-check).
///
/// [`SpinPark`]: super::SpinPark
///
/// ```
/// use inos_epoch::park::{Park, TablePark};
/// let w = inos_layout::sync::AtomicU32::new(1);
/// TablePark.park(&w, 0, None); // returns at once: the word is not 0
/// TablePark.unpark_all(&w);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TablePark;

struct Bucket {
    lock: Mutex<()>,
    cond: Condvar,
}

const BUCKETS: usize = 64;

#[allow(clippy::declare_interior_mutable_const)] // used only to initialise the static array
const EMPTY: Bucket = Bucket {
    lock: Mutex::new(()),
    cond: Condvar::new(),
};

static TABLE: [Bucket; BUCKETS] = [EMPTY; BUCKETS];

fn bucket(word: &AtomicU32) -> &'static Bucket {
    let addr = word.as_ptr() as usize;
    // Fibonacci hashing of the word index spreads neighbouring slots over the table.
    let h = (addr >> 2).wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize);
    &TABLE[(h >> (usize::BITS - 6)) % BUCKETS]
}

impl Park for TablePark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let b = bucket(word);
        let guard = b.lock.lock().unwrap_or_else(PoisonError::into_inner);
        // SYNC: SeqCst load under the bucket mutex; a signaller changes the word before it locks
        // the same mutex in `unpark_all`, so either this load sees the change or the notify
        // arrives after we wait.
        if word.load(Ordering::SeqCst) != expected {
            return;
        }
        match timeout {
            None => drop(b.cond.wait(guard).unwrap_or_else(PoisonError::into_inner)),
            Some(t) => drop(
                b.cond
                    .wait_timeout(guard, t)
                    .unwrap_or_else(PoisonError::into_inner),
            ),
        }
    }

    fn unpark_all(&self, word: &AtomicU32) {
        let b = bucket(word);
        drop(b.lock.lock().unwrap_or_else(PoisonError::into_inner));
        b.cond.notify_all();
    }
}
