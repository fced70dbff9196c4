//! [`Dependent`](inos_layout::Dependent) for [`Registry`], so that a registry handle can be
//! stored with the memory it lives in as an [`inos_layout::Owned`].
//!
//! ```
//! use inos_layout::{Owned, RegionBuf, SharedRegion};
//! use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
//!
//! let shared = SharedRegion::new(RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap());
//! let reg: Owned<ModuleRegistry<'static>> = shared.try_own(|r| ModuleRegistry::init(r, 4)).unwrap();
//! drop(shared);
//! reg.get().register(PartyId::ANONYMOUS, b"m", &ModuleFields::default()).unwrap();
//! ```

use inos_layout::Dependent;

use crate::{Kind, Registry};

impl<K: Kind> Dependent for Registry<'static, K> {
    type Of<'a> = Registry<'a, K>;
    fn shorten<'s, 'l: 's>(long: &'s Registry<'l, K>) -> &'s Registry<'s, K> {
        long
    }
}
