//! A futex model for loom: one global `Mutex` + `Condvar`, the word re-checked under the mutex.

use core::time::Duration;

use inos_layout::sync::{AtomicU32, Ordering};
use loom::sync::{Condvar, Mutex};

use super::Park;

loom::lazy_static! {
    static ref FUTEX: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());
}

/// The loom stand-in for a futex. Timeouts are not modelled (a timed park waits like an untimed
/// one), so loom reports any lost wake-up as a deadlock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LoomPark;

impl Park for LoomPark {
    fn park(&self, word: &AtomicU32, expected: u32, _timeout: Option<Duration>) {
        let (lock, cond) = &*FUTEX;
        let guard = lock.lock().unwrap();
        // SYNC: checked under the mutex that `unpark_all` takes after the word changed, like
        // the kernel's check under its futex bucket lock.
        if word.load(Ordering::SeqCst) == expected {
            drop(cond.wait(guard).unwrap());
        }
    }

    fn unpark_all(&self, _word: &AtomicU32) {
        let (lock, cond) = &*FUTEX;
        drop(lock.lock().unwrap());
        cond.notify_all();
    }
}
