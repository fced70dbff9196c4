//! [`Dependent`](inos_layout::Dependent) for [`Arena`] and [`Block`], so that they can be stored
//! with the memory they live in as an [`inos_layout::Owned`].
//!
//! ```
//! use inos_arena::{Arena, Block};
//! use inos_layout::{Owned, RegionBuf, SharedRegion};
//!
//! let shared = SharedRegion::new(RegionBuf::new(inos_arena::required_len(8, 2).unwrap()).unwrap());
//! let arena: Owned<Arena<'static>> = shared.try_own(|r| Arena::init(r, 8)).unwrap();
//! let block: Owned<Block<'static>> = arena.try_derive(|a, _| a.alloc(10)).unwrap();
//! drop(shared);
//! assert_eq!(block.get().len(), 10);
//! ```

use inos_layout::Dependent;

use crate::{Arena, Block};

impl Dependent for Arena<'static> {
    type Of<'a> = Arena<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Arena<'l>) -> &'s Arena<'s> {
        long
    }
}

impl Dependent for Block<'static> {
    type Of<'a> = Block<'a>;
    fn shorten<'s, 'l: 's>(long: &'s Block<'l>) -> &'s Block<'s> {
        long
    }
}
