//! [`FutexPark`]: Linux futex, **non-private**, so it works between processes.

use core::time::Duration;

use inos_layout::sync::AtomicU32;
use rustix::thread::futex;

use super::Park;

/// Linux `futex(2)` wait/wake without `FUTEX_PRIVATE_FLAG`.
///
/// The kernel keys a shared futex by the physical page and offset, so processes that map the same
/// file or memfd (at any address) wait and wake on the same word. `atomic-wait` and std's parker
/// use private futexes, which only work inside one process. The kernel compares the word with
/// `expected` under its bucket lock before sleeping, which is what makes
/// [`Park`]'s no-lost-wake-up contract hold.
///
/// ```
/// use inos_epoch::park::{FutexPark, Park};
/// let w = inos_layout::sync::AtomicU32::new(1);
/// FutexPark.park(&w, 0, None); // EAGAIN at once: the word is not 0
/// FutexPark.unpark_all(&w);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FutexPark;

/// `FUTEX_WAKE` takes an `int` count; this wakes all sleepers.
const WAKE_ALL: u32 = i32::MAX as u32;

impl Park for FutexPark {
    fn park(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let ts = timeout.map(|t| futex::Timespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: t.subsec_nanos().into(),
        });
        // EAGAIN (word changed), EINTR (signal) and ETIMEDOUT all mean "return and let the caller
        // re-check"; so does any other error, since the caller's loop is bounded by its deadline.
        if let Err(e) = futex::wait(word, futex::Flags::empty(), expected, ts.as_ref()) {
            if e != rustix::io::Errno::AGAIN
                && e != rustix::io::Errno::INTR
                && e != rustix::io::Errno::TIMEDOUT
            {
                // Unexpected (e.g. ENOSYS under a sandbox): do not busy-loop at full speed.
                std::thread::yield_now();
            }
        }
    }

    fn unpark_all(&self, word: &AtomicU32) {
        // The only possible errors (EFAULT, EINVAL) cannot happen for a valid aligned word; a
        // wake has nothing useful to report either way.
        let _ = futex::wake(word, futex::Flags::empty(), WAKE_ALL);
    }
}
