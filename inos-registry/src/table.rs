//! [`Registry`]: the entry machinery shared by both kinds: claim, seqlocked record, phases,
//! generation, duplicate check, lookup, heartbeat, unregister and dead-owner reclaim.

use core::fmt;
use core::marker::PhantomData;

use inos_epoch::{Epoch, ReadError, Seqlock};
use inos_layout::sync::{fence, spin_loop, AtomicU32, Ordering};
use inos_layout::Region;
use inos_ring::{Liveness, PartyId, Probe};

use crate::kind::{decode_id, encode_id, Entry, Handle, Kind, Label, MAX_RECORD};
use crate::layout::*;
use crate::RegistryError;

/// Seqlock read attempts per entry read before [`RegistryError::WriterStalled`].
pub const READ_ATTEMPTS: u32 = 128;
/// How many times a read restarts because the entry's state word changed under it before it
/// gives up with [`RegistryError::WriterStalled`].
pub const STATE_RETRIES: u32 = 8;
/// Spin iterations a registration waits for a concurrent registration of the same id (at a
/// later probe position) to resolve, before it gives up with [`RegistryError::Busy`].
pub const WAIT_SPINS: u32 = 1 << 16;

/// A handle to a registry table (module registry or supervisor table) in a shared region.
/// `Copy`, `Send` and `Sync`: give every thread a copy.
///
/// Build it with [`Registry::init`] (format a region) or [`Registry::attach`] (validate one
/// another party formatted), then optionally [`with_epoch`](Registry::with_epoch) so every change
/// signals an epoch (the standard layout's `registry` epoch: [`crate::standard`]). The entry
/// count and probe limit are read and validated once, at construction; every entry offset is
/// derived from them, so no later access can leave the region, whatever other parties write.
///
/// ```
/// use inos_layout::RegionBuf;
/// use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError, Version};
///
/// let buf = RegionBuf::new(ModuleRegistry::required_len(8).unwrap()).unwrap();
/// let reg = ModuleRegistry::init(buf.region(), 8).unwrap();
/// let fields = ModuleFields { version: Version::new(1, 0, 0), ..Default::default() };
/// let h = reg.register(PartyId::ANONYMOUS, b"physics", &fields).unwrap();
/// assert_eq!(reg.lookup(b"physics").unwrap().fields.version, Version::new(1, 0, 0));
/// reg.unregister(h).unwrap();
/// assert_eq!(reg.get(h), Err(RegistryError::Stale));
/// ```
pub struct Registry<'a, K: Kind> {
    region: Region<'a>,
    count: u32,
    probes: u32,
    epoch: Option<Epoch<'a>>,
    _kind: PhantomData<fn() -> K>,
}

impl<K: Kind> Clone for Registry<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: Kind> Copy for Registry<'_, K> {}

impl<K: Kind> fmt::Debug for Registry<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("kind", &K::KIND)
            .field("entries", &self.count)
            .field("probe_limit", &self.probes)
            .field("signals_epoch", &self.epoch.is_some())
            .finish()
    }
}

/// A module registry (`kind` 1).
pub type ModuleRegistry<'a> = Registry<'a, crate::Modules>;
/// A supervisor table (`kind` 2).
pub type SupervisorTable<'a> = Registry<'a, crate::Supervisors>;

/// The words of one entry.
struct Words<'a> {
    claim: &'a AtomicU32,
    state: &'a AtomicU32,
    id_hash: &'a AtomicU32,
    heartbeat: &'a AtomicU32,
    lock: Seqlock<'a>,
}

/// Why one attempt to read an entry produced nothing.
enum Miss {
    /// The state word changed during the read: try again.
    Changed,
    /// A typed failure.
    Err(RegistryError),
}

impl<'a, K: Kind> Registry<'a, K> {
    /// Bytes a table of `count` entries of this kind occupies, or `None` on overflow.
    ///
    /// ```
    /// use inos_registry::{ModuleRegistry, SupervisorTable};
    /// assert_eq!(ModuleRegistry::required_len(64), Some(64 + 64 * 88));
    /// assert_eq!(SupervisorTable::required_len(32), Some(64 + 32 * 120));
    /// ```
    pub const fn required_len(count: u32) -> Option<usize> {
        required_len(K::ENTRY_LEN, count)
    }

    /// Formats `region` as an empty table of `count` entries with the default probe limit
    /// `min(count, MAX_PROBES)`, and returns a handle to it.
    ///
    /// Call it once, before any other party attaches (it overwrites the whole table).
    ///
    /// # Errors
    /// [`RegistryError::InvalidCapacity`], [`RegistryError::RegionTooSmall`],
    /// [`RegistryError::Access`] (a misaligned region).
    ///
    /// ```
    /// use inos_registry::SupervisorTable;
    /// let buf = inos_layout::RegionBuf::new(SupervisorTable::required_len(4).unwrap()).unwrap();
    /// let sup = SupervisorTable::init(buf.region(), 4).unwrap();
    /// assert_eq!((sup.entry_count(), sup.probe_limit()), (4, 4));
    /// ```
    pub fn init(region: Region<'a>, count: u32) -> Result<Self, RegistryError> {
        Self::init_with(region, count, count.min(MAX_PROBES))
    }

    /// [`init`](Registry::init) with an explicit probe limit (`1..=min(count, MAX_PROBES)`): how
    /// many entries, from an id's home slot on, a registration may use and a lookup examines.
    ///
    /// # Errors
    /// As for [`init`](Registry::init).
    ///
    /// ```
    /// use inos_registry::{ModuleRegistry, RegistryError};
    /// let buf = inos_layout::RegionBuf::new(ModuleRegistry::required_len(16).unwrap()).unwrap();
    /// assert_eq!(ModuleRegistry::init_with(buf.region(), 16, 4).unwrap().probe_limit(), 4);
    /// assert_eq!(ModuleRegistry::init_with(buf.region(), 16, 17).unwrap_err(), RegistryError::InvalidCapacity);
    /// ```
    pub fn init_with(region: Region<'a>, count: u32, probes: u32) -> Result<Self, RegistryError> {
        if count == 0 || count > MAX_ENTRIES || probes == 0 || probes > count.min(MAX_PROBES) {
            return Err(RegistryError::InvalidCapacity);
        }
        let needed = Self::required_len(count).ok_or(RegistryError::InvalidCapacity)?;
        if region.len() < needed {
            return Err(RegistryError::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        region.check(0, needed, 8)?;
        // Zero every entry word by word (the one width every party uses for them).
        for off in (HEADER_LEN..needed).step_by(4) {
            region.u32_at(off)?.store(0, Ordering::Relaxed);
        }
        for off in (H_RESERVED..HEADER_LEN).step_by(4) {
            region.u32_at(off)?.store(0, Ordering::Relaxed);
        }
        region.u32_at(H_VERSION)?.store(VERSION, Ordering::Relaxed);
        region.u32_at(H_KIND)?.store(K::KIND, Ordering::Relaxed);
        region
            .u32_at(H_ENTRY_LEN)?
            .store(K::ENTRY_LEN as u32, Ordering::Relaxed);
        region
            .u32_at(H_ENTRY_COUNT)?
            .store(count, Ordering::Relaxed);
        region
            .u32_at(H_PROBE_LIMIT)?
            .store(probes, Ordering::Relaxed);
        // SYNC: Release, pairs with the Acquire load of the magic in `attach`: a party that sees
        // the magic sees the formatted header and entries.
        region.u32_at(H_MAGIC)?.store(MAGIC, Ordering::Release);
        Ok(Self::new(region, count, probes))
    }

    /// Validates a table another party formatted and returns a handle to it.
    ///
    /// Checks the magic, version, kind, entry length, entry count, probe limit and reserved
    /// header words, and that the region holds every entry. Entries are validated when used.
    ///
    /// # Errors
    /// [`RegistryError::RegionTooSmall`], [`RegistryError::BadMagic`],
    /// [`RegistryError::UnsupportedVersion`], [`RegistryError::WrongKind`],
    /// [`RegistryError::CorruptHeader`], [`RegistryError::Access`].
    ///
    /// ```
    /// use inos_registry::{ModuleRegistry, RegistryError, SupervisorTable};
    /// let buf = inos_layout::RegionBuf::new(SupervisorTable::required_len(2).unwrap()).unwrap();
    /// assert_eq!(ModuleRegistry::attach(buf.region()).unwrap_err(), RegistryError::BadMagic(0));
    /// SupervisorTable::init(buf.region(), 2).unwrap();
    /// assert!(matches!(ModuleRegistry::attach(buf.region()), Err(RegistryError::WrongKind { .. })));
    /// assert_eq!(SupervisorTable::attach(buf.region()).unwrap().entry_count(), 2);
    /// ```
    pub fn attach(region: Region<'a>) -> Result<Self, RegistryError> {
        if region.len() < HEADER_LEN {
            return Err(RegistryError::RegionTooSmall {
                needed: HEADER_LEN,
                len: region.len(),
            });
        }
        region.check(0, HEADER_LEN, 8)?;
        // SYNC: Acquire, pairs with the Release store of the magic in `init`.
        let magic = region.u32_at(H_MAGIC)?.load(Ordering::Acquire);
        if magic != MAGIC {
            return Err(RegistryError::BadMagic(magic));
        }
        let word = |off| region.u32_at(off).map(|w| w.load(Ordering::Relaxed));
        let version = word(H_VERSION)?;
        if version != VERSION {
            return Err(RegistryError::UnsupportedVersion(version));
        }
        let kind = word(H_KIND)?;
        if kind != K::KIND || word(H_ENTRY_LEN)? != K::ENTRY_LEN as u32 {
            return Err(RegistryError::WrongKind {
                expected: K::KIND,
                found: kind,
            });
        }
        for off in (H_RESERVED..HEADER_LEN).step_by(4) {
            if word(off)? != 0 {
                return Err(RegistryError::CorruptHeader);
            }
        }
        let count = word(H_ENTRY_COUNT)?;
        let probes = word(H_PROBE_LIMIT)?;
        if count == 0 || count > MAX_ENTRIES || probes == 0 || probes > count.min(MAX_PROBES) {
            return Err(RegistryError::CorruptHeader);
        }
        let needed = Self::required_len(count).ok_or(RegistryError::CorruptHeader)?;
        if region.len() < needed {
            return Err(RegistryError::RegionTooSmall {
                needed,
                len: region.len(),
            });
        }
        Ok(Self::new(region, count, probes))
    }

    fn new(region: Region<'a>, count: u32, probes: u32) -> Self {
        Self {
            region,
            count,
            probes,
            epoch: None,
            _kind: PhantomData,
        }
    }

    /// This handle, signalling `epoch` after every change it makes (a registration, an update,
    /// an unregistration, a reclaim of a live entry). Every party that changes the table should
    /// signal the same epoch; watchers then re-read the table when it moves.
    ///
    /// ```
    /// use inos_epoch::Epoch;
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
    /// let ebuf = RegionBuf::new(8).unwrap();
    /// let epoch = Epoch::new(ebuf.region(), 0).unwrap();
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 4).unwrap().with_epoch(epoch);
    /// let h = reg.register(PartyId::ANONYMOUS, b"net", &ModuleFields::default()).unwrap();
    /// reg.unregister(h).unwrap();
    /// assert_eq!(epoch.load(), 2);
    /// ```
    pub fn with_epoch(mut self, epoch: Epoch<'a>) -> Self {
        self.epoch = Some(epoch);
        self
    }

    /// Number of entries.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_registry::ModuleRegistry::required_len(3).unwrap()).unwrap();
    /// let reg = inos_registry::ModuleRegistry::init(buf.region(), 3).unwrap();
    /// assert_eq!(reg.entry_count(), 3);
    /// ```
    pub fn entry_count(&self) -> u32 {
        self.count
    }

    /// The probe limit: how many entries from an id's home slot a registration may use and a
    /// lookup examines.
    ///
    /// ```
    /// # let buf = inos_layout::RegionBuf::new(inos_registry::ModuleRegistry::required_len(3).unwrap()).unwrap();
    /// let reg = inos_registry::ModuleRegistry::init(buf.region(), 3).unwrap();
    /// assert_eq!(reg.probe_limit(), 3);
    /// ```
    pub fn probe_limit(&self) -> u32 {
        self.probes
    }

    /// The words of entry `slot` (`slot < self.count`).
    fn words(&self, slot: u32) -> Result<Words<'a>, RegistryError> {
        debug_assert!(slot < self.count);
        let off = HEADER_LEN + slot as usize * K::ENTRY_LEN;
        let r = self.region;
        // SAFETY: for the four words: `slot < count` (callers check it) and construction checked
        // that `required_len(count)` bytes from an 8-aligned base are in the region, so the entry
        // at `off` is in bounds; `off` is a multiple of 8 (HEADER_LEN and ENTRY_LEN are) and the
        // word offsets are multiples of 4 inside the entry.
        let (claim, state, id_hash, heartbeat) = unsafe {
            (
                r.u32_at_unchecked(off + E_CLAIM),
                r.u32_at_unchecked(off + E_STATE),
                r.u32_at_unchecked(off + E_ID_HASH),
                r.u32_at_unchecked(off + K::HEARTBEAT),
            )
        };
        Ok(Words {
            claim,
            state,
            id_hash,
            heartbeat,
            lock: Seqlock::new(r, off + E_SEQ, K::RECORD_LEN)?,
        })
    }

    /// `true` if the reserved words after the heartbeat of entry `slot` are zero.
    fn reserved_zero(&self, slot: u32) -> bool {
        let off = HEADER_LEN + slot as usize * K::ENTRY_LEN;
        (K::HEARTBEAT + 4..K::ENTRY_LEN).step_by(4).all(|o| {
            // SAFETY: as in `words`: the entry is in bounds and `o` a 4-aligned offset inside it.
            let w = unsafe { self.region.u32_at_unchecked(off + o) };
            // Relaxed: a reserved word carries no data to synchronise with.
            w.load(Ordering::Relaxed) == 0
        })
    }

    fn signal(&self) {
        if let Some(e) = self.epoch {
            e.signal();
        }
    }

    fn check_slot(&self, slot: u32) -> Result<(), RegistryError> {
        if slot < self.count {
            Ok(())
        } else {
            Err(RegistryError::NoSuchSlot)
        }
    }

    /// One read of the record of entry `slot` while its state word stays `st`: the record, the
    /// claim word and the heartbeat, all from one completed write under that state.
    fn read_once(
        &self,
        slot: u32,
        w: &Words<'a>,
        st: u32,
    ) -> Result<([u8; MAX_RECORD], u32, u32), Miss> {
        let mut rec = [0u8; MAX_RECORD];
        match w
            .lock
            .read_with_attempts(&mut rec[..K::RECORD_LEN], READ_ATTEMPTS)
        {
            Ok(_) => {}
            Err(ReadError::Abandoned) => return Err(Miss::Err(RegistryError::Abandoned { slot })),
            Err(_) => return Err(Miss::Err(RegistryError::WriterStalled { slot })),
        }
        // SYNC: Acquire, pairs with the Release CAS that releases the claim (unregister, backed
        // off or reclaimed registrations), which comes after that party's state store: a claim
        // of 0 seen here makes the state re-check below see the entry FREE (found by loom).
        let claim = w.claim.load(Ordering::Acquire);
        // Relaxed: the heartbeat is a single informational word.

        let heartbeat = w.heartbeat.load(Ordering::Relaxed);
        // SYNC: Acquire. The record's publish (Release, in the seqlock) happens after the state
        // CAS that began its generation; a copy that saw any byte of a later registration
        // synchronises with that registration's seqlock publish (or sees its odd sequence and
        // retries), so this load sees the later state and the read is retried (registry.md §5).
        let st2 = w.state.load(Ordering::Acquire);
        if st2 != st {
            return Err(Miss::Changed);
        }
        Ok((rec, claim, heartbeat))
    }

    /// Decodes a record read from a live entry.
    fn decode(
        &self,
        slot: u32,
        st: u32,
        rec: &[u8],
        claim: u32,
        heartbeat: u32,
    ) -> Result<Entry<K>, RegistryError> {
        let corrupt = RegistryError::CorruptEntry { slot };
        let id = decode_id(rec).ok_or(corrupt)?;
        let fields = K::decode(rec).ok_or(corrupt)?;
        let owner = PartyId::new(claim).ok_or(corrupt)?;
        if !self.reserved_zero(slot) {
            return Err(corrupt);
        }
        Ok(Entry {
            handle: Handle::new(slot, state_generation(st)),
            id,
            owner,
            heartbeat,
            fields,
        })
    }

    /// Reads entry `slot` if it is live and (when `want` is given) has that id: `Ok(None)` when
    /// it is not live or holds another id.
    fn read_live(
        &self,
        slot: u32,
        want: Option<(&Label, u32)>,
        generation: Option<u32>,
    ) -> Result<Option<Entry<K>>, RegistryError> {
        let w = self.words(slot)?;
        for _ in 0..STATE_RETRIES {
            // SYNC: Acquire, pairs with the Release store that made the entry LIVE: the record
            // published before it is visible to the read below.
            let st = w.state.load(Ordering::Acquire);
            if state_phase(st) != PHASE_LIVE {
                return Ok(None);
            }
            if generation.is_some_and(|g| g != state_generation(st)) {
                return Ok(None);
            }
            if let Some((_, hash)) = want {
                // Relaxed: a filter only; the id is compared on the consistent copy below.
                if w.id_hash.load(Ordering::Relaxed) != hash {
                    return Ok(None);
                }
            }
            match self.read_once(slot, &w, st) {
                Ok((rec, claim, hb)) => {
                    let e = self.decode(slot, st, &rec[..K::RECORD_LEN], claim, hb)?;
                    return Ok(match want {
                        Some((id, _)) if e.id != *id => None,
                        _ => Some(e),
                    });
                }
                Err(Miss::Changed) => spin_loop(),
                Err(Miss::Err(e)) => return Err(e),
            }
        }
        Err(RegistryError::WriterStalled { slot })
    }

    fn check_id(id: &[u8]) -> Result<Label, RegistryError> {
        match Label::new(id) {
            Some(l) if !l.is_empty() => Ok(l),
            _ => Err(RegistryError::InvalidId { len: id.len() }),
        }
    }

    /// The slot at probe position `pos` of hash `hash`.
    fn slot_at(&self, hash: u32, pos: u32) -> u32 {
        // count >= 1 (checked at construction), so probe_slot is Some.
        probe_slot(hash, pos, self.count).unwrap_or(0)
    }

    /// Registers `id` with `fields`, owned by `party`, and returns its handle.
    ///
    /// The entry is claimed with a compare-and-swap of its claim word (0 → `party`), written
    /// under its seqlock, then checked against concurrent registrations of the same id before it
    /// becomes visible (registry.md §4): exactly one of several racing registrations of an id
    /// succeeds.
    ///
    /// # Errors
    /// [`RegistryError::InvalidId`], [`RegistryError::InvalidField`],
    /// [`RegistryError::AlreadyRegistered`], [`RegistryError::Full`] (every entry of the id's
    /// probe window is claimed), [`RegistryError::Busy`] (a racing registration of the id did not
    /// resolve), [`RegistryError::CorruptEntry`] / [`RegistryError::WriterStalled`] (hostile or
    /// dead-writer bytes).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(1).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 1).unwrap();
    /// let f = ModuleFields::default();
    /// reg.register(PartyId::ANONYMOUS, b"a", &f).unwrap();
    /// assert_eq!(reg.register(PartyId::ANONYMOUS, b"b", &f), Err(RegistryError::Full));
    /// assert_eq!(reg.register(PartyId::ANONYMOUS, b"", &f), Err(RegistryError::InvalidId { len: 0 }));
    /// ```
    pub fn register(
        &self,
        party: PartyId,
        id: &[u8],
        fields: &K::Fields,
    ) -> Result<Handle<K>, RegistryError> {
        let id = Self::check_id(id)?;
        let hash = fnv1a(id.as_bytes());
        let mut rec = [0u8; MAX_RECORD];
        let rec = &mut rec[..K::RECORD_LEN];
        encode_id(rec, &id);
        K::encode(fields, rec)?;

        // Fast path: refuse an id that is already live (the check that decides is the one after
        // the claim, below).
        for pos in 0..self.probes {
            let slot = self.slot_at(hash, pos);
            if self.read_live(slot, Some((&id, hash)), None)?.is_some() {
                return Err(RegistryError::AlreadyRegistered { slot });
            }
        }

        // Claim the first unclaimed entry of the window by CAS (never find-then-write).
        let mut claimed = None;
        for pos in 0..self.probes {
            let slot = self.slot_at(hash, pos);
            let w = self.words(slot)?;
            // Relaxed: only decides whether to try the CAS.
            if w.claim.load(Ordering::Relaxed) != 0 {
                continue;
            }
            // SYNC: Acquire on success, pairs with the Release CAS that last released the claim
            // (unregister, a backed-off registration, a reclaim): their state store is visible.
            if w.claim
                .compare_exchange(0, party.get(), Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                claimed = Some((slot, pos, w));
                break;
            }
        }
        let Some((slot, pos, w)) = claimed else {
            return Err(RegistryError::Full);
        };

        // We hold the entry: its state must be FREE.
        // Relaxed: the Acquire claim CAS ordered the last holder's state store before us.
        let st = w.state.load(Ordering::Relaxed);
        if state_phase(st) != PHASE_FREE {
            Self::release_claim(&w, party);
            return Err(RegistryError::CorruptEntry { slot });
        }
        let generation = state_generation(st).wrapping_add(1) & (u32::MAX >> GEN_SHIFT);
        let undo = |e: RegistryError| {
            // SYNC: Release, pairs with the Acquire of the next claimant (through the claim
            // word's Release CAS below) and of scanners reading the state.
            w.state
                .store(pack_state(generation, PHASE_FREE), Ordering::Release);
            Self::release_claim(&w, party);
            e
        };
        // SYNC: Release; nobody reads a WRITING entry's record, this only orders the phase.
        w.state
            .store(pack_state(generation, PHASE_WRITING), Ordering::Release);
        let Ok(writer) = w.lock.begin_write() else {
            // The sequence is odd: a writer died mid-write and was never reclaimed, or hostile
            // bytes.
            return Err(undo(RegistryError::WriterStalled { slot }));
        };
        writer.bytes().copy_from_slice(rec);
        writer.publish();
        // Relaxed: published by the Release store of PENDING below.
        w.heartbeat.store(0, Ordering::Relaxed);

        // SYNC: Release publishes the record to scanners that see PENDING; the SeqCst fence
        // makes this store and the scan below a Dekker pair with a racing registration's
        // identical sequence: at least one of two racing registrants sees the other's PENDING
        // (registry.md §4.2).
        w.state
            .store(pack_state(generation, PHASE_PENDING), Ordering::Release);
        fence(Ordering::SeqCst);
        if let Err(e) = self.check_duplicates(slot, pos, &id, hash) {
            return Err(undo(e));
        }
        // SYNC: Release, pairs with the Acquire state load of lookups: the record is visible to
        // a reader that sees LIVE. A CAS: if it fails, a reclaim took the entry from us.
        if w.state
            .compare_exchange(
                pack_state(generation, PHASE_PENDING),
                pack_state(generation, PHASE_LIVE),
                Ordering::Release,
                Ordering::Relaxed,
            )
            .is_err()
        {
            return Err(RegistryError::Stale);
        }
        self.signal();
        Ok(Handle::new(slot, generation))
    }

    /// Releases the claim held by `party` (a CAS, so a reclaimer's claim is never cleared).
    fn release_claim(w: &Words<'a>, party: PartyId) {
        // SYNC: Release, pairs with the Acquire claim CAS of the next claimant.
        let _ = w
            .claim
            .compare_exchange(party.get(), 0, Ordering::Release, Ordering::Relaxed);
    }

    /// The duplicate check of a registration PENDING at `(slot, pos)` (registry.md §4.2).
    fn check_duplicates(
        &self,
        my_slot: u32,
        my_pos: u32,
        id: &Label,
        hash: u32,
    ) -> Result<(), RegistryError> {
        let mut budget = WAIT_SPINS;
        for pos in 0..self.probes {
            if pos == my_pos {
                continue;
            }
            let slot = self.slot_at(hash, pos);
            debug_assert_ne!(slot, my_slot);
            let w = self.words(slot)?;
            loop {
                // SYNC: Acquire (after the SeqCst fence): pairs with the Release store of
                // PENDING / LIVE by the other registrant, so its record is visible.
                let st = w.state.load(Ordering::Acquire);
                let phase = state_phase(st);
                if phase != PHASE_PENDING && phase != PHASE_LIVE {
                    break;
                }
                // Relaxed: a filter; the id is compared on a consistent copy.
                if w.id_hash.load(Ordering::Relaxed) != hash {
                    break;
                }
                let other = match self.read_once(slot, &w, st) {
                    Ok((rec, _, _)) => decode_id(&rec[..K::RECORD_LEN])
                        .ok_or(RegistryError::CorruptEntry { slot })?,
                    Err(Miss::Changed) => {
                        budget = budget.checked_sub(1).ok_or(RegistryError::Busy { slot })?;
                        continue;
                    }
                    Err(Miss::Err(e)) => return Err(e),
                };
                if other != *id {
                    break;
                }
                if phase == PHASE_LIVE || pos < my_pos {
                    // A live entry, or a pending one earlier in the chain, has priority.
                    return Err(RegistryError::AlreadyRegistered { slot });
                }
                // A pending registration later in the chain: it will back off when it sees us
                // (or has already become LIVE without seeing us); wait for it to resolve.
                // SYNC: Relaxed: the loop re-loads with Acquire above once it changes.
                while w.state.load(Ordering::Relaxed) == st {
                    budget = budget.checked_sub(1).ok_or(RegistryError::Busy { slot })?;
                    spin_loop();
                }
            }
        }
        Ok(())
    }

    /// The live entry with `id`.
    ///
    /// Examines the `probe_limit` entries of the id's window (never more), comparing the id on
    /// a consistent copy of each candidate's record.
    ///
    /// # Errors
    /// [`RegistryError::NotFound`], [`RegistryError::InvalidId`], and for hostile or stuck
    /// entries [`RegistryError::CorruptEntry`], [`RegistryError::WriterStalled`],
    /// [`RegistryError::Abandoned`].
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(8).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 8).unwrap();
    /// let f = ModuleFields { memory_kib: 512, ..Default::default() };
    /// reg.register(PartyId::ANONYMOUS, b"codec", &f).unwrap();
    /// assert_eq!(reg.lookup(b"codec").unwrap().fields.memory_kib, 512);
    /// ```
    pub fn lookup(&self, id: &[u8]) -> Result<Entry<K>, RegistryError> {
        let id = Self::check_id(id)?;
        let hash = fnv1a(id.as_bytes());
        for pos in 0..self.probes {
            let slot = self.slot_at(hash, pos);
            if let Some(e) = self.read_live(slot, Some((&id, hash)), None)? {
                return Ok(e);
            }
        }
        Err(RegistryError::NotFound)
    }

    /// The entry `handle` names, if it is still that registration.
    ///
    /// # Errors
    /// [`RegistryError::NoSuchSlot`], [`RegistryError::Stale`] (unregistered, reclaimed or
    /// re-registered since), and the hostile-entry errors of [`lookup`](Registry::lookup).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(1).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 1).unwrap();
    /// let f = ModuleFields::default();
    /// let old = reg.register(PartyId::ANONYMOUS, b"x", &f).unwrap();
    /// reg.unregister(old).unwrap();
    /// let new = reg.register(PartyId::ANONYMOUS, b"y", &f).unwrap();
    /// assert_eq!(new.slot(), old.slot());
    /// assert_eq!(reg.get(old), Err(RegistryError::Stale)); // never the newer entry
    /// assert_eq!(reg.get(new).unwrap().id.as_bytes(), b"y");
    /// ```
    pub fn get(&self, handle: Handle<K>) -> Result<Entry<K>, RegistryError> {
        self.check_slot(handle.slot)?;
        self.read_live(handle.slot, None, Some(handle.generation))?
            .ok_or(RegistryError::Stale)
    }

    /// Rewrites the fields of the registration `handle` names (the id stays), under the entry's
    /// seqlock: readers see the old fields or the new ones, never a mix.
    ///
    /// Only the owner should update; two updates of one entry at once get
    /// [`RegistryError::Busy`].
    ///
    /// # Errors
    /// [`RegistryError::NoSuchSlot`], [`RegistryError::Stale`], [`RegistryError::Busy`],
    /// [`RegistryError::InvalidField`], hostile-entry errors.
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{SupervisorFields, SupervisorTable, PartyId};
    /// let buf = RegionBuf::new(SupervisorTable::required_len(2).unwrap()).unwrap();
    /// let sup = SupervisorTable::init(buf.region(), 2).unwrap();
    /// let h = sup.register(PartyId::ANONYMOUS, b"gpu-sup", &SupervisorFields::default()).unwrap();
    /// sup.update(h, &SupervisorFields::new(2, Some(32), &[]).unwrap()).unwrap();
    /// assert_eq!(sup.get(h).unwrap().fields.status, 2);
    /// ```
    pub fn update(&self, handle: Handle<K>, fields: &K::Fields) -> Result<(), RegistryError> {
        let current = self.get(handle)?;
        let mut rec = [0u8; MAX_RECORD];
        let rec = &mut rec[..K::RECORD_LEN];
        encode_id(rec, &current.id);
        K::encode(fields, rec)?;
        let slot = handle.slot;
        let w = self.words(slot)?;
        let Ok(writer) = w.lock.begin_write() else {
            return Err(RegistryError::Busy { slot });
        };
        // Re-check under the write: the entry is still this registration. If not, publish the
        // unchanged bytes (dropping the guard would mark the newer record abandoned).
        // SYNC: Acquire, pairs with the Release state stores of register / unregister.
        if w.state.load(Ordering::Acquire) != pack_state(handle.generation, PHASE_LIVE) {
            writer.publish();
            return Err(RegistryError::Stale);
        }
        writer.bytes().copy_from_slice(rec);
        writer.publish();
        self.signal();
        Ok(())
    }

    /// Adds one to the heartbeat of the registration `handle` names and returns the new value
    /// (wrapping). The heartbeat is one word outside the seqlocked record, so beating never makes
    /// a reader retry. A supervisor that sees it stop moving can probe the owner.
    ///
    /// # Errors
    /// [`RegistryError::NoSuchSlot`], [`RegistryError::Stale`].
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(2).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 2).unwrap();
    /// let h = reg.register(PartyId::ANONYMOUS, b"m", &ModuleFields::default()).unwrap();
    /// assert_eq!(reg.beat(h), Ok(1));
    /// assert_eq!(reg.beat(h), Ok(2));
    /// assert_eq!(reg.get(h).unwrap().heartbeat, 2);
    /// ```
    pub fn beat(&self, handle: Handle<K>) -> Result<u32, RegistryError> {
        self.check_slot(handle.slot)?;
        let w = self.words(handle.slot)?;
        // SYNC: Relaxed: the heartbeat carries no data; the generation check only keeps a stale
        // handle from beating (a handle going stale right after it is the documented race).
        if w.state.load(Ordering::Relaxed) != pack_state(handle.generation, PHASE_LIVE) {
            return Err(RegistryError::Stale);
        }
        Ok(w.heartbeat.fetch_add(1, Ordering::Relaxed).wrapping_add(1))
    }

    /// Unregisters the registration `handle` names: its entry becomes FREE (keeping its
    /// generation, so the handle is stale from now on) and its claim is released.
    ///
    /// # Errors
    /// [`RegistryError::NoSuchSlot`], [`RegistryError::Stale`] (already unregistered, reclaimed,
    /// or a later registration).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId, RegistryError};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(2).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 2).unwrap();
    /// let h = reg.register(PartyId::ANONYMOUS, b"m", &ModuleFields::default()).unwrap();
    /// reg.unregister(h).unwrap();
    /// assert_eq!(reg.unregister(h), Err(RegistryError::Stale));
    /// assert_eq!(reg.lookup(b"m").unwrap_err(), RegistryError::NotFound);
    /// ```
    pub fn unregister(&self, handle: Handle<K>) -> Result<(), RegistryError> {
        self.check_slot(handle.slot)?;
        let w = self.words(handle.slot)?;
        // Relaxed: the claim CAS below decides; this only names the holder.
        let holder = w.claim.load(Ordering::Relaxed);
        // SYNC: AcqRel: Release orders the entry's last use before FREE for the next claimant;
        // the CAS makes a racing unregister or reclaim of the same registration lose.
        w.state
            .compare_exchange(
                pack_state(handle.generation, PHASE_LIVE),
                pack_state(handle.generation, PHASE_FREE),
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .map_err(|_| RegistryError::Stale)?;
        if holder != 0 {
            // SYNC: Release, pairs with the Acquire claim CAS of the next claimant. A CAS: a
            // reclaimer that took the claim in between releases it itself.
            let _ = w
                .claim
                .compare_exchange(holder, 0, Ordering::Release, Ordering::Relaxed);
        }
        self.signal();
        Ok(())
    }

    /// The party holding entry `slot`'s claim, or `None` if it is unclaimed (or out of range).
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(2).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 2).unwrap();
    /// let me = PartyId::new(99).unwrap();
    /// let h = reg.register(me, b"m", &ModuleFields::default()).unwrap();
    /// assert_eq!(reg.holder(h.slot()), Some(me));
    /// assert_eq!(reg.holder(5), None);
    /// ```
    pub fn holder(&self, slot: u32) -> Option<PartyId> {
        self.check_slot(slot).ok()?;
        let w = self.words(slot).ok()?;
        // SYNC: Acquire, pairs with the claim CAS of the holder.
        PartyId::new(w.claim.load(Ordering::Acquire))
    }

    /// Frees every entry whose claim holder `probe` says is [`Dead`](Liveness::Dead): entries of
    /// registrations that died half-way (claimed, writing, pending) and live entries alike.
    /// `me` is written into each claim word while it is freed, so a reclaimer that dies half-way
    /// is itself reclaimable. Returns how many entries were freed; signals the epoch if a live
    /// entry was among them.
    ///
    /// A probe must say `Dead` only for a party that will never touch the table again (see
    /// [`Probe`]); an anonymous party is never reclaimed by the process probe.
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{Liveness, ModuleFields, ModuleRegistry, PartyId, RegistryError};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(4).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 4).unwrap();
    /// let worker = PartyId::new(1_000_001).unwrap();
    /// let h = reg.register(worker, b"crashy", &ModuleFields::default()).unwrap();
    /// let exited = |p: PartyId| if p == worker { Liveness::Dead } else { Liveness::Unknown };
    /// assert_eq!(reg.reclaim_dead(&exited, PartyId::ANONYMOUS), 1);
    /// assert_eq!(reg.get(h), Err(RegistryError::Stale));
    /// assert_eq!(reg.holder(h.slot()), None);
    /// ```
    pub fn reclaim_dead(&self, probe: &impl Probe, me: PartyId) -> u32 {
        let mut freed = 0;
        let mut live = false;
        for slot in 0..self.count {
            let Ok(w) = self.words(slot) else { continue };
            // SYNC: Acquire, pairs with the holder's claim CAS.
            let c = w.claim.load(Ordering::Acquire);
            let Some(party) = PartyId::new(c) else {
                continue;
            };
            if probe.probe(party) != Liveness::Dead {
                continue;
            }
            // SYNC: Acquire on success: we now hold the entry; the dead holder's stores are
            // ordered before ours by the probe's knowledge that it is gone.
            if w.claim
                .compare_exchange(c, me.get(), Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            // Relaxed: we hold the claim; nobody else stores the state now.
            let st = w.state.load(Ordering::Relaxed);
            live |= state_phase(st) == PHASE_LIVE;
            // A write the dead party left half-done would keep the sequence odd forever.
            w.lock.abandon_stuck_write();
            // SYNC: Release, as in `unregister`.
            w.state.store(
                pack_state(state_generation(st), PHASE_FREE),
                Ordering::Release,
            );
            Self::release_claim(&w, me);
            freed += 1;
        }
        if live {
            self.signal();
        }
        freed
    }

    /// Every live entry, in slot order (a snapshot per entry, not of the whole table). Entries
    /// that cannot be read come as their error.
    ///
    /// ```
    /// use inos_layout::RegionBuf;
    /// use inos_registry::{ModuleFields, ModuleRegistry, PartyId};
    /// let buf = RegionBuf::new(ModuleRegistry::required_len(8).unwrap()).unwrap();
    /// let reg = ModuleRegistry::init(buf.region(), 8).unwrap();
    /// for id in [&b"a"[..], b"b", b"c"] {
    ///     reg.register(PartyId::ANONYMOUS, id, &ModuleFields::default()).unwrap();
    /// }
    /// assert_eq!(reg.live().filter(|e| e.is_ok()).count(), 3);
    /// ```
    pub fn live(&self) -> impl Iterator<Item = Result<Entry<K>, RegistryError>> + 'a {
        let me = *self;
        (0..self.count).filter_map(move |slot| me.read_live(slot, None, None).transpose())
    }
}
