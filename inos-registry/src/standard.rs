//! The registry tables of the standard INOS layout: the module registry in the
//! `module_registry` region and the supervisor table in `supervisors`, both signalling the
//! standard `registry` epoch on every change.
//!
//! ```
//! use inos_layout::standard::DEFAULT;
//! use inos_layout::{create_or_attach, RegionBuf, WaitPolicy};
//! use inos_registry::{standard, ModuleFields, PartyId};
//!
//! let buf = RegionBuf::new(DEFAULT.total_size() as usize).unwrap();
//! let (att, _) = create_or_attach(buf.region(), &DEFAULT, WaitPolicy::default()).unwrap();
//! let kernel = standard::init(&att).unwrap(); // the formatting party, once
//! let module = standard::attach(&att).unwrap(); // everyone else
//! module.modules.register(PartyId::ANONYMOUS, b"physics", &ModuleFields::default()).unwrap();
//! assert!(kernel.modules.lookup(b"physics").is_ok());
//! assert_eq!(kernel.epoch.load(), 1);
//! ```

use inos_epoch::Epoch;
use inos_layout::standard::{
    epochs, StandardRegion, MODULE_ENTRY_LEN, MODULE_SLOTS, SUPERVISOR_ENTRY_LEN, SUPERVISOR_SLOTS,
};
use inos_layout::{Attachment, Region};

use crate::{ModuleRegistry, RegistryError, SupervisorTable};

// The standard layout's entry sizes are this crate's, and both tables fit their regions.
const _: () = assert!(MODULE_ENTRY_LEN as usize == crate::layout::MODULE_ENTRY_LEN);
const _: () = assert!(SUPERVISOR_ENTRY_LEN as usize == crate::layout::SUPERVISOR_ENTRY_LEN);

/// Both standard tables and the epoch they signal.
#[derive(Debug, Clone, Copy)]
pub struct Standard<'a> {
    /// The module registry (`module_registry`, 64 entries).
    pub modules: ModuleRegistry<'a>,
    /// The supervisor table (`supervisors`, 32 entries).
    pub supervisors: SupervisorTable<'a>,
    /// The standard `registry` epoch, signalled on every change of either table.
    pub epoch: Epoch<'a>,
}

fn parts<'a>(att: &Attachment<'a>) -> Result<(Region<'a>, Region<'a>, Epoch<'a>), RegistryError> {
    // A layout without the standard regions: no room for even a header.
    let missing = RegistryError::RegionTooSmall {
        needed: crate::layout::HEADER_LEN,
        len: 0,
    };
    let m = att.get(StandardRegion::ModuleRegistry).ok_or(missing)?;
    let s = att.get(StandardRegion::Supervisors).ok_or(missing)?;
    let epoch = Epoch::new(att.region(), epochs::REGISTRY.offset())?;
    Ok((m, s, epoch))
}

/// Formats both tables (64 module entries, 32 supervisor entries) in a standard layout. The
/// formatting party calls it once, before it sets `kernel_ready` (PROTOCOL.md §3.5).
///
/// # Errors
/// [`RegistryError::RegionTooSmall`] if the attachment lacks the standard regions.
///
/// ```
/// # use inos_layout::{standard::DEFAULT, create, RegionBuf};
/// # let buf = RegionBuf::new(DEFAULT.total_size() as usize).unwrap();
/// let att = create(buf.region(), &DEFAULT).unwrap();
/// let t = inos_registry::standard::init(&att).unwrap();
/// assert_eq!((t.modules.entry_count(), t.supervisors.entry_count()), (64, 32));
/// ```
pub fn init<'a>(att: &Attachment<'a>) -> Result<Standard<'a>, RegistryError> {
    let (m, s, epoch) = parts(att)?;
    Ok(Standard {
        modules: ModuleRegistry::init(m, MODULE_SLOTS)?.with_epoch(epoch),
        supervisors: SupervisorTable::init(s, SUPERVISOR_SLOTS)?.with_epoch(epoch),
        epoch,
    })
}

/// Attaches to both tables of a standard layout (formatted by [`init`]).
///
/// # Errors
/// As for [`Registry::attach`](crate::Registry::attach).
///
/// ```
/// # use inos_layout::{standard::DEFAULT, create, RegionBuf};
/// # let buf = RegionBuf::new(DEFAULT.total_size() as usize).unwrap();
/// let att = create(buf.region(), &DEFAULT).unwrap();
/// assert!(inos_registry::standard::attach(&att).is_err()); // not formatted yet
/// inos_registry::standard::init(&att).unwrap();
/// assert!(inos_registry::standard::attach(&att).is_ok());
/// ```
pub fn attach<'a>(att: &Attachment<'a>) -> Result<Standard<'a>, RegistryError> {
    let (m, s, epoch) = parts(att)?;
    Ok(Standard {
        modules: ModuleRegistry::attach(m)?.with_epoch(epoch),
        supervisors: SupervisorTable::attach(s)?.with_epoch(epoch),
        epoch,
    })
}
