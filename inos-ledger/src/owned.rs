//! [`Dependent`](inos_layout::Dependent) for [`Ledger`], so that a ledger can be stored with the
//! memory it lives in as an [`inos_layout::Owned`]. A `Ledger` is a cheap `Copy` view, so a
//! struct holding an [`inos_layout::SharedRegion`] can equally re-[`attach`](Ledger::attach)
//! on demand; the `Owned` form validates the header once.
//!
//! ```
//! use inos_layout::{Owned, RegionBuf, SharedRegion};
//! use inos_ledger::Ledger;
//!
//! struct Bank {
//!     ledger: Owned<Ledger<'static>>,
//! }
//!
//! let shared = SharedRegion::new(RegionBuf::new(inos_ledger::required_len(4, 4).unwrap()).unwrap());
//! let bank = Bank { ledger: shared.try_own(|r| Ledger::init(r, 4, 4)).unwrap() };
//! drop(shared);
//! assert_eq!(bank.ledger.get().account_capacity(), 4);
//! ```

use inos_layout::Dependent;

use crate::Ledger;

impl Dependent for Ledger<'static> {
    type Of<'a> = Ledger<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Ledger<'l>) -> &'s Ledger<'s> {
        long
    }
}
