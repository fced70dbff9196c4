//! [`SpinPark`]: polling with exponential backoff; the default without `std`.

use core::time::Duration;

use inos_layout::sync::{spin_loop, AtomicU32, Ordering};

use super::Park;

/// Polls the word with exponential backoff instead of sleeping.
///
/// Each [`park`](Park::park) spins up to about 2¹⁰ `spin_loop` hints, re-reading the word with
/// growing gaps, and returns as soon as it changes or the budget is spent (it has no clock, so
/// `timeout` only matters as "return soon"). [`unpark_all`](Park::unpark_all) is a no-op: nobody
/// sleeps. Works across processes and runtimes, at the price of CPU while waiting.
///
/// ```
/// use inos_epoch::park::{Park, SpinPark};
/// let w = inos_layout::sync::AtomicU32::new(0);
/// SpinPark.park(&w, 0, None); // spins a while, then returns
/// SpinPark.unpark_all(&w);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpinPark;

/// log2 of the largest gap between two reads of the word.
const MAX_STEP: u32 = 6;

impl Park for SpinPark {
    fn park(&self, word: &AtomicU32, expected: u32, _timeout: Option<Duration>) {
        for step in 0..=MAX_STEP {
            for _ in 0..(1u32 << step) {
                spin_loop();
            }
            // SYNC: Relaxed: only decides when to return; the caller re-reads with Acquire.
            if word.load(Ordering::Relaxed) != expected {
                return;
            }
        }
        for _ in 0..8 {
            for _ in 0..(1u32 << MAX_STEP) {
                spin_loop();
            }
            // SYNC: as above.
            if word.load(Ordering::Relaxed) != expected {
                return;
            }
        }
    }

    fn unpark_all(&self, _word: &AtomicU32) {}
}
