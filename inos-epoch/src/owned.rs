//! [`Dependent`](inos_layout::Dependent) for [`Epoch`], so that an epoch can be stored with the
//! memory it lives in as an [`inos_layout::Owned`]. An `Epoch` is a cheap `Copy` view, so a
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

use crate::Epoch;

impl Dependent for Epoch<'static> {
    type Of<'a> = Epoch<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Epoch<'l>) -> &'s Epoch<'s> {
        long
    }
}
