//! The two kinds of entry ([`Modules`], [`Supervisors`]), their fields, and the value types they
//! share: [`Label`], [`Version`], [`Handle`], [`Entry`].

use core::fmt;
use core::marker::PhantomData;

use inos_ring::PartyId;

use crate::layout::*;
use crate::RegistryError;

/// Up to 16 bytes of text (an id or a module name). UTF-8 is not required; `Display` shows valid
/// UTF-8 as text and anything else as hex.
///
/// ```
/// use inos_registry::Label;
/// let l = Label::new(b"physics").unwrap();
/// assert_eq!(l.as_bytes(), b"physics");
/// assert_eq!(l.to_string(), "physics");
/// assert!(Label::new(&[0; 17]).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Label {
    bytes: [u8; ID_MAX],
    len: u8,
}

impl Label {
    /// The label holding `bytes`, or `None` if they are longer than 16 bytes.
    ///
    /// ```
    /// assert!(inos_registry::Label::new(b"").unwrap().is_empty());
    /// ```
    pub const fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.len() > ID_MAX {
            return None;
        }
        let mut out = [0u8; ID_MAX];
        let mut i = 0;
        while i < bytes.len() {
            out[i] = bytes[i];
            i += 1;
        }
        Some(Self {
            bytes: out,
            len: bytes.len() as u8,
        })
    }

    /// The bytes.
    ///
    /// ```
    /// assert_eq!(inos_registry::Label::new(b"ab").unwrap().as_bytes(), b"ab");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// Number of bytes.
    ///
    /// ```
    /// assert_eq!(inos_registry::Label::new(b"abc").unwrap().len(), 3);
    /// ```
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the label is empty.
    ///
    /// ```
    /// assert!(inos_registry::Label::default().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Decodes `len` bytes from a 16-byte field whose bytes past `len` must be zero.
    pub(crate) fn decode(field: &[u8], len: usize) -> Option<Self> {
        if len > ID_MAX || field.len() != ID_MAX || field[len..].iter().any(|&b| b != 0) {
            return None;
        }
        Self::new(&field[..len])
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(self.as_bytes()) {
            Ok(s) => f.write_str(s),
            Err(_) => self
                .as_bytes()
                .iter()
                .try_for_each(|b| write!(f, "{b:02x}")),
        }
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Label({self})")
    }
}

/// A module version: `major.minor.patch`, packed as `major << 24 | minor << 16 | patch`.
///
/// ```
/// use inos_registry::Version;
/// let v = Version::new(1, 2, 3);
/// assert_eq!(v.to_u32(), 0x0102_0003);
/// assert_eq!(Version::from_u32(0x0102_0003), v);
/// assert_eq!(v.to_string(), "1.2.3");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Version {
    /// Major version.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
    /// Patch level.
    pub patch: u16,
}

impl Version {
    /// `major.minor.patch`.
    ///
    /// ```
    /// assert_eq!(inos_registry::Version::new(0, 1, 0).minor, 1);
    /// ```
    pub const fn new(major: u8, minor: u8, patch: u16) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// The wire word.
    ///
    /// ```
    /// assert_eq!(inos_registry::Version::new(2, 0, 1).to_u32(), 0x0200_0001);
    /// ```
    pub const fn to_u32(self) -> u32 {
        (self.major as u32) << 24 | (self.minor as u32) << 16 | self.patch as u32
    }

    /// From the wire word (every value is a version).
    ///
    /// ```
    /// assert_eq!(inos_registry::Version::from_u32(7 << 24).major, 7);
    /// ```
    pub const fn from_u32(v: u32) -> Self {
        Self::new((v >> 24) as u8, (v >> 16) as u8, v as u16)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A registration: the slot and the generation it was registered under.
///
/// Every operation through a handle compares its generation with the entry's state word, so a
/// handle whose entry has since been unregistered or re-registered gets
/// [`RegistryError::Stale`], never the newer entry (ABA would need 2³⁰ registrations of one slot
/// in between). Parties in other processes or languages pass [`to_u64`](Handle::to_u64).
///
/// ```
/// use inos_registry::{Handle, Modules};
/// let h = Handle::<Modules>::from_u64(5 << 32 | 2);
/// assert_eq!((h.slot(), h.generation()), (2, 5));
/// assert_eq!(h.to_u64(), 5 << 32 | 2);
/// ```
pub struct Handle<K> {
    pub(crate) slot: u32,
    pub(crate) generation: u32,
    _kind: PhantomData<fn() -> K>,
}

impl<K> Handle<K> {
    pub(crate) const fn new(slot: u32, generation: u32) -> Self {
        Self {
            slot,
            generation,
            _kind: PhantomData,
        }
    }

    /// The slot index.
    ///
    /// ```
    /// assert_eq!(inos_registry::Handle::<inos_registry::Modules>::from_u64(9).slot(), 9);
    /// ```
    pub const fn slot(self) -> u32 {
        self.slot
    }

    /// The generation the entry was registered under (30 bits).
    ///
    /// ```
    /// let h = inos_registry::Handle::<inos_registry::Modules>::from_u64(1 << 32);
    /// assert_eq!(h.generation(), 1);
    /// ```
    pub const fn generation(self) -> u32 {
        self.generation
    }

    /// Packs the handle for another party: `generation << 32 | slot`.
    ///
    /// ```
    /// assert_eq!(inos_registry::Handle::<inos_registry::Modules>::from_u64(42).to_u64(), 42);
    /// ```
    pub const fn to_u64(self) -> u64 {
        (self.generation as u64) << 32 | self.slot as u64
    }

    /// Unpacks [`to_u64`](Handle::to_u64) (checked against the table when used).
    ///
    /// ```
    /// let h = inos_registry::Handle::<inos_registry::Supervisors>::from_u64(3 << 32 | 1);
    /// assert_eq!((h.slot(), h.generation()), (1, 3));
    /// ```
    pub const fn from_u64(v: u64) -> Self {
        Self::new(v as u32, (v >> 32) as u32)
    }
}

impl<K> Clone for Handle<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Handle<K> {}
impl<K> PartialEq for Handle<K> {
    fn eq(&self, other: &Self) -> bool {
        (self.slot, self.generation) == (other.slot, other.generation)
    }
}
impl<K> Eq for Handle<K> {}
impl<K> core::hash::Hash for Handle<K> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (self.slot, self.generation).hash(state);
    }
}
impl<K> fmt::Debug for Handle<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("slot", &self.slot)
            .field("generation", &self.generation)
            .finish()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Modules {}
    impl Sealed for super::Supervisors {}
}

/// The longest record of any kind (the supervisor record).
pub(crate) const MAX_RECORD: usize = SUPERVISOR_RECORD_LEN;

/// What a table holds: [`Modules`] or [`Supervisors`]. The claim, state, seqlock, heartbeat, id
/// and lookup machinery is the same for both; a kind adds its entry size and the encoding of its
/// own fields. Sealed: the wire format knows exactly these two kinds.
pub trait Kind: sealed::Sealed + 'static {
    /// The header's `kind` word.
    const KIND: u32;
    /// Size of one entry.
    const ENTRY_LEN: usize;
    /// Length of the seqlocked record (from `E_RECORD` to the heartbeat).
    const RECORD_LEN: usize;
    /// Offset of the heartbeat word in the entry (the record's end).
    const HEARTBEAT: usize;
    /// The kind's own fields.
    type Fields: Clone + fmt::Debug + PartialEq;

    /// Writes the kind's fields into `rec` (the record, offset `E_RECORD` at index 0), including
    /// the `aux_len` half-word. Refuses fields that cannot be encoded.
    #[doc(hidden)]
    fn encode(fields: &Self::Fields, rec: &mut [u8]) -> Result<(), RegistryError>;

    /// Reads the kind's fields from a record; `None` if they break the format.
    #[doc(hidden)]
    fn decode(rec: &[u8]) -> Option<Self::Fields>;
}

/// The module registry kind (`kind` 1, 88-byte entries).
///
/// ```
/// use inos_registry::{Kind, Modules};
/// assert_eq!((Modules::KIND, Modules::ENTRY_LEN), (1, 88));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modules {}

/// The supervisor table kind (`kind` 2, 120-byte entries).
///
/// ```
/// use inos_registry::{Kind, Supervisors};
/// assert_eq!((Supervisors::KIND, Supervisors::ENTRY_LEN), (2, 120));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Supervisors {}

/// A module entry's fields (besides its id, owner and heartbeat).
///
/// ```
/// use inos_registry::{Label, ModuleFields, Version};
/// let f = ModuleFields {
///     name: Label::new(b"Boids simulation").unwrap(),
///     version: Version::new(1, 4, 0),
///     capabilities: 0b101,
///     ring: Some(12),
///     epoch: Some(17),
///     memory_kib: 4096,
/// };
/// assert_eq!(f.name.len(), 16);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ModuleFields {
    /// A display name (up to 16 bytes).
    pub name: Label,
    /// The module's version.
    pub version: Version,
    /// Capability bits (their meaning is the deployment's).
    pub capabilities: u64,
    /// The region-directory index of the module's ring, if it has one (not `u32::MAX`).
    pub ring: Option<u32>,
    /// The epoch slot index the module signals, if any (not `u32::MAX`).
    pub epoch: Option<u32>,
    /// The memory the module needs, in KiB.
    pub memory_kib: u32,
}

/// A supervisor entry's fields (besides its id, owner and heartbeat).
///
/// ```
/// use inos_registry::{Handle, Modules, SupervisorFields};
/// let f = SupervisorFields::new(1, Some(32), &[Handle::<Modules>::from_u64(3)]).unwrap();
/// assert_eq!(f.modules().len(), 1);
/// assert!(SupervisorFields::new(0, None, &[Handle::from_u64(0); 8]).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SupervisorFields {
    /// Supervisor-defined status (running, degraded, …).
    pub status: u32,
    /// The supervisor's epoch slot index (e.g. in the standard `supervisor` pool), if any.
    pub epoch: Option<u32>,
    modules: [(u32, u32); MAX_SUPERVISED],
    count: u8,
}

impl SupervisorFields {
    /// Fields listing `modules` (at most 7 module handles).
    ///
    /// # Errors
    /// [`RegistryError::InvalidField`] for more than 7 modules.
    ///
    /// ```
    /// assert!(inos_registry::SupervisorFields::new(0, None, &[]).is_ok());
    /// ```
    pub fn new(
        status: u32,
        epoch: Option<u32>,
        modules: &[Handle<Modules>],
    ) -> Result<Self, RegistryError> {
        if modules.len() > MAX_SUPERVISED {
            return Err(RegistryError::InvalidField);
        }
        let mut m = [(0, 0); MAX_SUPERVISED];
        for (d, h) in m.iter_mut().zip(modules) {
            *d = (h.slot, h.generation);
        }
        Ok(Self {
            status,
            epoch,
            modules: m,
            count: modules.len() as u8,
        })
    }

    /// The supervised module entries, as handles: check them with
    /// [`Registry::get`](crate::Registry::get), which says [`Stale`](RegistryError::Stale) for a
    /// module that has since been unregistered or re-registered.
    ///
    /// ```
    /// let f = inos_registry::SupervisorFields::new(0, None, &[]).unwrap();
    /// assert_eq!(f.modules().count(), 0);
    /// ```
    pub fn modules(&self) -> impl ExactSizeIterator<Item = Handle<Modules>> + '_ {
        self.modules[..self.count as usize]
            .iter()
            .map(|&(s, g)| Handle::new(s, g))
    }
}

fn put_u32(rec: &mut [u8], entry_off: usize, v: u32) {
    let o = entry_off - E_RECORD;
    rec[o..o + 4].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(rec: &[u8], entry_off: usize) -> u32 {
    let o = entry_off - E_RECORD;
    u32::from_le_bytes([rec[o], rec[o + 1], rec[o + 2], rec[o + 3]])
}

fn put_u16(rec: &mut [u8], entry_off: usize, v: u16) {
    let o = entry_off - E_RECORD;
    rec[o..o + 2].copy_from_slice(&v.to_le_bytes());
}

pub(crate) fn get_u16(rec: &[u8], entry_off: usize) -> u16 {
    let o = entry_off - E_RECORD;
    u16::from_le_bytes([rec[o], rec[o + 1]])
}

fn put_ref(rec: &mut [u8], entry_off: usize, r: Option<u32>) -> Result<(), RegistryError> {
    match r {
        Some(NONE) => Err(RegistryError::InvalidField),
        Some(v) => {
            put_u32(rec, entry_off, v);
            Ok(())
        }
        None => {
            put_u32(rec, entry_off, NONE);
            Ok(())
        }
    }
}

fn get_ref(rec: &[u8], entry_off: usize) -> Option<u32> {
    match get_u32(rec, entry_off) {
        NONE => None,
        v => Some(v),
    }
}

/// Writes the common part of a record: id hash, id length and id bytes.
pub(crate) fn encode_id(rec: &mut [u8], id: &Label) {
    put_u32(rec, E_ID_HASH, fnv1a(id.as_bytes()));
    put_u16(rec, E_ID_LEN, id.len() as u16);
    let o = E_ID - E_RECORD;
    rec[o..o + ID_MAX].copy_from_slice(&id.bytes);
}

/// Reads and checks the common part of a record: the id (1..=16 bytes, zero padding) and its
/// hash.
pub(crate) fn decode_id(rec: &[u8]) -> Option<Label> {
    let len = get_u16(rec, E_ID_LEN) as usize;
    let o = E_ID - E_RECORD;
    let id = Label::decode(&rec[o..o + ID_MAX], len)?;
    (!id.is_empty() && get_u32(rec, E_ID_HASH) == fnv1a(id.as_bytes())).then_some(id)
}

impl Kind for Modules {
    const KIND: u32 = KIND_MODULE;
    const ENTRY_LEN: usize = MODULE_ENTRY_LEN;
    const RECORD_LEN: usize = MODULE_RECORD_LEN;
    const HEARTBEAT: usize = M_HEARTBEAT;
    type Fields = ModuleFields;

    fn encode(f: &ModuleFields, rec: &mut [u8]) -> Result<(), RegistryError> {
        put_u16(rec, E_AUX_LEN, f.name.len() as u16);
        put_u32(rec, M_VERSION, f.version.to_u32());
        put_u32(rec, M_MEMORY_KIB, f.memory_kib);
        put_u32(rec, M_CAPABILITIES, f.capabilities as u32);
        put_u32(rec, M_CAPABILITIES + 4, (f.capabilities >> 32) as u32);
        put_ref(rec, M_RING, f.ring)?;
        put_ref(rec, M_EPOCH, f.epoch)?;
        let o = M_NAME - E_RECORD;
        rec[o..o + NAME_MAX].copy_from_slice(&f.name.bytes);
        Ok(())
    }

    fn decode(rec: &[u8]) -> Option<ModuleFields> {
        let o = M_NAME - E_RECORD;
        let name = Label::decode(&rec[o..o + NAME_MAX], get_u16(rec, E_AUX_LEN) as usize)?;
        Some(ModuleFields {
            name,
            version: Version::from_u32(get_u32(rec, M_VERSION)),
            capabilities: get_u32(rec, M_CAPABILITIES) as u64
                | (get_u32(rec, M_CAPABILITIES + 4) as u64) << 32,
            ring: get_ref(rec, M_RING),
            epoch: get_ref(rec, M_EPOCH),
            memory_kib: get_u32(rec, M_MEMORY_KIB),
        })
    }
}

impl Kind for Supervisors {
    const KIND: u32 = KIND_SUPERVISOR;
    const ENTRY_LEN: usize = SUPERVISOR_ENTRY_LEN;
    const RECORD_LEN: usize = SUPERVISOR_RECORD_LEN;
    const HEARTBEAT: usize = S_HEARTBEAT;
    type Fields = SupervisorFields;

    fn encode(f: &SupervisorFields, rec: &mut [u8]) -> Result<(), RegistryError> {
        if f.count as usize > MAX_SUPERVISED {
            return Err(RegistryError::InvalidField);
        }
        put_u16(rec, E_AUX_LEN, f.count as u16);
        put_u32(rec, S_STATUS, f.status);
        put_ref(rec, S_EPOCH, f.epoch)?;
        for (i, &(slot, generation)) in f.modules.iter().enumerate() {
            let (slot, generation) = if i < f.count as usize {
                (slot, generation)
            } else {
                (0, 0)
            };
            put_u32(rec, S_MODULES + 8 * i, slot);
            put_u32(rec, S_MODULES + 8 * i + 4, generation);
        }
        Ok(())
    }

    fn decode(rec: &[u8]) -> Option<SupervisorFields> {
        let count = get_u16(rec, E_AUX_LEN) as usize;
        if count > MAX_SUPERVISED {
            return None;
        }
        let mut modules = [(0, 0); MAX_SUPERVISED];
        for (i, m) in modules.iter_mut().enumerate() {
            let pair = (
                get_u32(rec, S_MODULES + 8 * i),
                get_u32(rec, S_MODULES + 8 * i + 4),
            );
            if i < count {
                *m = pair;
            } else if pair != (0, 0) {
                return None;
            }
        }
        Some(SupervisorFields {
            status: get_u32(rec, S_STATUS),
            epoch: get_ref(rec, S_EPOCH),
            modules,
            count: count as u8,
        })
    }
}

/// A consistent snapshot of one live entry: every field comes from one completed write of the
/// record, under the generation in the handle.
///
/// ```
/// use inos_layout::RegionBuf;
/// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
/// let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
/// let reg = ModuleRegistry::init(buf.region(), 4).unwrap();
/// let me = PartyId::new(7).unwrap();
/// let h = reg.register(me, b"audio", &ModuleFields::default()).unwrap();
/// let e = reg.lookup(b"audio").unwrap();
/// assert_eq!((e.handle, e.owner, e.id.as_bytes()), (h, me, &b"audio"[..]));
/// ```
pub struct Entry<K: Kind> {
    /// The registration (slot and generation).
    pub handle: Handle<K>,
    /// The id.
    pub id: Label,
    /// The party that registered it (the claim word).
    pub owner: PartyId,
    /// The heartbeat counter (read in the same window as the record).
    pub heartbeat: u32,
    /// The kind's fields.
    pub fields: K::Fields,
}

impl<K: Kind> Clone for Entry<K> {
    fn clone(&self) -> Self {
        Self {
            handle: self.handle,
            id: self.id,
            owner: self.owner,
            heartbeat: self.heartbeat,
            fields: self.fields.clone(),
        }
    }
}

impl<K: Kind> PartialEq for Entry<K> {
    fn eq(&self, o: &Self) -> bool {
        self.handle == o.handle
            && self.id == o.id
            && self.owner == o.owner
            && self.heartbeat == o.heartbeat
            && self.fields == o.fields
    }
}

impl<K: Kind> fmt::Debug for Entry<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("handle", &self.handle)
            .field("id", &self.id)
            .field("owner", &self.owner)
            .field("heartbeat", &self.heartbeat)
            .field("fields", &self.fields)
            .finish()
    }
}
