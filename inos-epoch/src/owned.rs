//! [`Dependent`](inos_layout::Dependent) for [`Epoch`] and the other views of this crate
//! ([`Flag`], [`Value`], [`Watcher`], [`Seqlock`], [`PingPong`]), so that each can be stored with
//! the memory it lives in as an [`inos_layout::Owned`]. An `Epoch` is a cheap `Copy` view, so a
//! struct holding an [`inos_layout::SharedRegion`] can equally rebuild it on demand with
//! [`Epoch::new`]; the `Owned` form saves the offset check.
//!
//! ```
//! use inos_epoch::Epoch;
//! use inos_layout::{Owned, RegionBuf, SharedRegion};
//!
//! struct Service {
//!     jobs: Owned<Epoch<'static>>,
//! }
//!
//! let shared = SharedRegion::new(RegionBuf::new(64).unwrap());
//! let svc = Service { jobs: shared.try_own(|r| Epoch::new(r, 8)).unwrap() };
//! svc.jobs.get().signal();
//! // Or rebuilt on demand from the shared region:
//! assert_eq!(Epoch::new(shared.region(), 8).unwrap().load(), 1);
//! ```

use inos_layout::Dependent;

use crate::{Epoch, Flag, PingPong, Seqlock, Value, Watcher};

/// `impl Dependent for T<'static>` for views `T<'a>` that are covariant in `'a` (the body of
/// `shorten` compiles only if they are).
macro_rules! dependent {
    ($($t:ident),*) => {$(
        impl Dependent for $t<'static> {
            type Of<'a> = $t<'a>;
            fn shorten<'s, 'l: 's>(long: &'s $t<'l>) -> &'s $t<'s> {
                long
            }
        }
    )*};
}

dependent!(Epoch, Flag, Value, Watcher, Seqlock, PingPong);

#[cfg(test)]
mod tests {
    use inos_layout::{Owned, RegionBuf, SharedRegion};

    use crate::{Flag, Watcher};

    #[test]
    fn a_flag_and_a_watcher_live_with_their_memory() {
        let shared = SharedRegion::new(RegionBuf::new(64).unwrap());
        let flag: Owned<Flag<'static>> = shared.try_own(|r| Flag::new(r, 0)).unwrap();
        let mut watcher: Owned<Watcher<'static>> = shared
            .try_own(|r| crate::Epoch::new(r, 8).map(Watcher::new))
            .unwrap();
        drop(shared);
        assert!(!flag.get().test_and_set());
        assert!(flag.get().is_set());
        assert_eq!(watcher.with_mut(|w| w.changed()), None);
    }
}
