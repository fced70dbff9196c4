//! [`WaitPolicy`]: how long an attaching party waits for a region that is still being formatted.

use crate::attach_error::AttachError;
use crate::header::InitState;
use crate::sync::{spin_loop, AtomicU32, Ordering};

/// How long [`attach`](crate::attach) waits for a region that another party is still formatting.
///
/// ```
/// use inos_layout::WaitPolicy;
/// let quick = WaitPolicy::spins(1_000);
/// # #[cfg(feature = "std")]
/// let patient = WaitPolicy::timeout(std::time::Duration::from_secs(1));
/// assert_eq!(WaitPolicy::NO_WAIT.spin_budget(), 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitPolicy {
    spins: u32,
    #[cfg(feature = "std")]
    timeout: Option<std::time::Duration>,
}

impl WaitPolicy {
    /// Check once; fail with [`AttachError::NotReady`] if the region is not ready.
    pub const NO_WAIT: Self = Self {
        spins: 0,
        #[cfg(feature = "std")]
        timeout: None,
    };

    /// Re-check up to `spins` times (calling [`spin_loop`] in between) before giving up. The only
    /// policy without `std`.
    ///
    /// ```
    /// assert_eq!(inos_layout::WaitPolicy::spins(10).spin_budget(), 10);
    /// ```
    pub const fn spins(spins: u32) -> Self {
        Self {
            spins,
            #[cfg(feature = "std")]
            timeout: None,
        }
    }

    /// Spin briefly, then yield the thread between checks until `timeout` has passed.
    ///
    /// (Under `cfg(loom)` the timeout is ignored and only the spin budget applies, so models stay
    /// deterministic.)
    ///
    /// ```
    /// let p = inos_layout::WaitPolicy::timeout(std::time::Duration::from_millis(5));
    /// assert_eq!(p.spin_budget(), 100);
    /// ```
    #[cfg(feature = "std")]
    pub const fn timeout(timeout: std::time::Duration) -> Self {
        Self {
            spins: 100,
            timeout: Some(timeout),
        }
    }

    /// How many re-checks are made by spinning before the timeout (if any) takes over.
    ///
    /// ```
    /// assert_eq!(inos_layout::WaitPolicy::NO_WAIT.spin_budget(), 0);
    /// ```
    pub const fn spin_budget(&self) -> u32 {
        self.spins
    }

    /// Whether this policy re-checks at all (everything but [`NO_WAIT`](Self::NO_WAIT)).
    ///
    /// ```
    /// assert!(!inos_layout::WaitPolicy::NO_WAIT.waits());
    /// assert!(inos_layout::WaitPolicy::spins(1).waits());
    /// ```
    pub const fn waits(&self) -> bool {
        #[cfg(feature = "std")]
        if self.timeout.is_some() {
            return true;
        }
        self.spins > 0
    }

    /// Acquire-loads `state` until it reads [`InitState::Ready`] or the policy runs out.
    pub(crate) fn wait_ready(&self, state: &AtomicU32) -> Result<(), AttachError> {
        let mut spins = 0u32;
        #[cfg(all(feature = "std", not(loom)))]
        let mut started: Option<std::time::Instant> = None;
        loop {
            // SYNC: Acquire, pairs with the Release store of `Ready` in `write_header`: once we
            // read 2, every header and directory field the formatter wrote is visible.
            let raw = state.load(Ordering::Acquire);
            let s = match InitState::from_u32(raw) {
                Some(InitState::Ready) => return Ok(()),
                Some(s) => s,
                None => return Err(AttachError::BadInitState { found: raw }),
            };
            if spins < self.spins {
                spins += 1;
                spin_loop();
                continue;
            }
            #[cfg(all(feature = "std", not(loom)))]
            if let Some(timeout) = self.timeout {
                let t0 = *started.get_or_insert_with(std::time::Instant::now);
                if t0.elapsed() < timeout {
                    std::thread::yield_now();
                    continue;
                }
            }
            return Err(AttachError::NotReady {
                state: s,
                waited: self.waits(),
            });
        }
    }
}

impl Default for WaitPolicy {
    /// One second with `std`; 2^20 spins without.
    fn default() -> Self {
        #[cfg(feature = "std")]
        {
            Self::timeout(std::time::Duration::from_secs(1))
        }
        #[cfg(not(feature = "std"))]
        {
            Self::spins(1 << 20)
        }
    }
}
