//! Formatting a region ([`create`], [`create_or_attach`], [`reformat`]) and attaching to one
//! ([`attach`], [`attach_any`]).
//!
//! The init-state protocol (see `docs/PROTOCOL.md` §2.3): the `init_state` word goes
//! 0 (uninitialised) → 1 (initialising) by one compare-exchange, so exactly one party formats; the
//! winner writes every header field and the directory with relaxed stores, then stores 2 (ready)
//! with **Release**, last. Attaching parties **Acquire**-load `init_state` until it reads 2 (or
//! their [`WaitPolicy`] runs out) and only then read anything else, so they never see a half-written
//! header.
//!
//! ```
//! use inos_layout::{attach, create_or_attach, standard::STANDARD_32MIB, RegionBuf, Role, WaitPolicy};
//!
//! let buf = RegionBuf::new(32 << 20).unwrap();
//! let (kernel, role) = create_or_attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap();
//! assert_eq!(role, Role::Formatted);
//!
//! // Another party (thread, worker, process) attaches and finds the same regions.
//! let module = attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap();
//! assert_eq!(module.generation(), kernel.generation());
//! let inbox = module.get("inbox").unwrap();
//! assert_eq!(inbox.len(), 512 * 1024);
//! ```

use crate::attach_error::{AttachError, DirectoryError, RegionNotFound};
use crate::diff::Fingerprint;
use crate::header::{self, features, off, InitState, DIR_ENTRY_LEN, HEADER_LEN, MAGIC};
use crate::header::{MAX_HEADER_LEN, PROTOCOL_MAJOR, PROTOCOL_MINOR};
use crate::layout::{Layout, RegionEntry, RegionKind, RegionName, MAX_REGIONS};
use crate::region::Region;
use crate::sync::Ordering;
use crate::wait::WaitPolicy;

/// Which part a party played in [`create_or_attach`].
///
/// ```
/// assert_ne!(inos_layout::Role::Formatted, inos_layout::Role::Attached);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// This party won the race and formatted the region.
    Formatted,
    /// Another party formatted it; this one attached.
    Attached,
}

/// Something that names a region of an [`Attachment`] or a [`Layout`]: its position (`usize`),
/// its name (`&str`), or a typed id such as [`StandardRegion`](crate::standard::StandardRegion).
///
/// ```
/// use inos_layout::{standard::{StandardRegion, STANDARD_64MIB}, RegionId};
/// assert_eq!("inbox".position(&STANDARD_64MIB), StandardRegion::Inbox.position(&STANDARD_64MIB));
/// assert_eq!(0usize.position(&STANDARD_64MIB), Some(0));
/// ```
pub trait RegionId {
    /// Position of the region in `layout`, if it has one.
    fn position(&self, layout: &Layout) -> Option<usize>;

    /// The error naming this id when `layout` has no such region (what
    /// [`Attachment::require`] returns). The default names no region; the crate's ids override it.
    ///
    /// ```
    /// use inos_layout::{standard::STANDARD_64MIB, RegionId};
    /// assert_eq!("nope".not_found(&STANDARD_64MIB).name(), Some("nope"));
    /// ```
    fn not_found(&self, layout: &Layout) -> RegionNotFound {
        RegionNotFound::unnamed(layout.len())
    }
}

impl RegionId for usize {
    fn position(&self, layout: &Layout) -> Option<usize> {
        (*self < layout.len()).then_some(*self)
    }

    fn not_found(&self, layout: &Layout) -> RegionNotFound {
        RegionNotFound::at(*self, layout.len())
    }
}

impl RegionId for &str {
    fn position(&self, layout: &Layout) -> Option<usize> {
        layout.find(self).map(|(i, _)| i)
    }

    fn not_found(&self, layout: &Layout) -> RegionNotFound {
        RegionNotFound::named(self, layout.len())
    }
}

impl RegionId for RegionName {
    fn position(&self, layout: &Layout) -> Option<usize> {
        layout.find(self.as_str()).map(|(i, _)| i)
    }

    fn not_found(&self, layout: &Layout) -> RegionNotFound {
        RegionNotFound::named(self.as_str(), layout.len())
    }
}

/// A validated view of a formatted region: the whole region plus its checked [`Layout`].
///
/// ```
/// use inos_layout::{create, standard::{StandardRegion, STANDARD_32MIB}, RegionBuf};
/// let buf = RegionBuf::new(32 << 20).unwrap();
/// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
/// assert_eq!(a.layout().fingerprint(), STANDARD_32MIB.fingerprint());
/// assert_eq!(a.get(StandardRegion::Ledger).unwrap().len(), 64 * 1024);
/// assert!(a.is_current());
/// ```
#[derive(Clone, Debug)]
pub struct Attachment<'a> {
    region: Region<'a>,
    layout: Layout,
    generation: u32,
    minor: u32,
    features: u64,
}

impl<'a> Attachment<'a> {
    /// The whole shared region (`total_size` bytes).
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
    /// assert_eq!(a.region().len(), 32 << 20);
    /// ```
    pub fn region(&self) -> Region<'a> {
        self.region
    }

    /// The layout read from (and checked against) the directory.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
    /// assert!(a.layout().same_as(&STANDARD_32MIB));
    /// ```
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The boot generation this party attached to.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// assert_eq!(create(buf.region(), &STANDARD_32MIB).unwrap().generation(), 1);
    /// ```
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The protocol minor version of the party that formatted the region.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// assert_eq!(create(buf.region(), &STANDARD_32MIB).unwrap().minor(), inos_layout::header::PROTOCOL_MINOR);
    /// ```
    pub fn minor(&self) -> u32 {
        self.minor
    }

    /// The feature bits of the region.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// assert_eq!(create(buf.region(), &STANDARD_32MIB).unwrap().features(), 0);
    /// ```
    pub fn features(&self) -> u64 {
        self.features
    }

    /// The directory entry of region `id`.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
    /// assert_eq!(a.entry("inbox").unwrap().offset, 0x5_0000);
    /// ```
    pub fn entry(&self, id: impl RegionId) -> Option<&RegionEntry> {
        self.layout.get(id.position(&self.layout)?)
    }

    /// The sub-region `id` (by position, name or typed id), or `None`: for regions that may be
    /// absent. [`require`](Self::require) says which region is missing and chains with `?`.
    ///
    /// ```
    /// # use inos_layout::{create, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
    /// assert!(a.get("outbox_host").is_some());
    /// assert!(a.get("nonexistent").is_none());
    /// ```
    pub fn get(&self, id: impl RegionId) -> Option<Region<'a>> {
        let e = self.entry(id)?;
        // Every entry was checked to lie inside `total_size` == `self.region.len()` and to be
        // 8-aligned, so this cannot fail; `ok()` keeps it panic-free regardless.
        self.region.sub(e.offset as usize, e.size as usize).ok()
    }

    /// The sub-region `id` (by position, name or typed id), or an error naming the region that is
    /// not in the layout. The error converts into [`AttachError`] (and any `Box<dyn Error>`), so
    /// attaching and looking regions up chain with `?`.
    ///
    /// # Errors
    /// [`RegionNotFound`] if the layout has no region `id`.
    ///
    /// ```
    /// use inos_layout::{create, standard::STANDARD_32MIB, AttachError, RegionBuf, Region};
    ///
    /// fn inbox(buf: &RegionBuf) -> Result<Region<'_>, AttachError> {
    ///     let a = create(buf.region(), &STANDARD_32MIB)?;
    ///     Ok(a.require("inbox")?)
    /// }
    /// let buf = RegionBuf::new(32 << 20).unwrap();
    /// assert_eq!(inbox(&buf).unwrap().len(), 512 * 1024);
    ///
    /// let a = inos_layout::attach_any(buf.region(), inos_layout::WaitPolicy::NO_WAIT).unwrap();
    /// let err = a.require("outbox").unwrap_err();
    /// assert_eq!(err.to_string(), "no region \"outbox\" in the layout (16 regions)");
    /// ```
    pub fn require(&self, id: impl RegionId) -> Result<Region<'a>, RegionNotFound> {
        let e = match id.position(&self.layout) {
            Some(i) => self.layout.get(i),
            None => None,
        };
        let Some(e) = e else {
            return Err(id.not_found(&self.layout));
        };
        // As in `get`: in bounds by construction; a failure still reports, never panics.
        self.region
            .sub(e.offset as usize, e.size as usize)
            .map_err(|_| id.not_found(&self.layout))
    }

    /// Whether the region is still ready and still at the generation this party attached to
    /// (`false` after someone [re-formatted](reformat) it).
    ///
    /// ```
    /// # use inos_layout::{create, reformat, standard::STANDARD_32MIB, RegionBuf};
    /// # let buf = RegionBuf::new(32 << 20).unwrap();
    /// let a = create(buf.region(), &STANDARD_32MIB).unwrap();
    /// let b = reformat(buf.region(), &STANDARD_32MIB).unwrap();
    /// assert!(!a.is_current());
    /// assert!(b.is_current());
    /// ```
    pub fn is_current(&self) -> bool {
        let (Ok(state), Ok(gen)) = (
            self.region.u32_at(off::INIT_STATE),
            self.region.u32_at(off::BOOT_GENERATION),
        ) else {
            return false;
        };
        // SYNC: Acquire, pairs with the Release store of `Ready` in `write_header`.
        state.load(Ordering::Acquire) == InitState::Ready as u32
            && gen.load(Ordering::Relaxed) == self.generation
    }
}

fn load(r: &Region<'_>, offset: usize) -> Result<u32, AttachError> {
    // Header fields are immutable once `Ready` was acquired: Relaxed suffices.
    Ok(r.u32_at(offset)?.load(Ordering::Relaxed))
}

fn load64(r: &Region<'_>, offset: usize) -> Result<u64, AttachError> {
    Ok(u64::from(load(r, offset)?) | (u64::from(load(r, offset + 4)?) << 32))
}

fn store(r: &Region<'_>, offset: usize, v: u32) -> Result<(), AttachError> {
    r.u32_at(offset)?.store(v, Ordering::Relaxed);
    Ok(())
}

fn store64(r: &Region<'_>, offset: usize, v: u64) -> Result<(), AttachError> {
    store(r, offset, v as u32)?;
    store(r, offset + 4, (v >> 32) as u32)
}

/// Checks that `region` is large enough for `needed` bytes and suitably aligned.
fn check_region(region: &Region<'_>, needed: u64) -> Result<(), AttachError> {
    if (region.len() as u64) < needed {
        return Err(AttachError::TooSmall {
            len: region.len(),
            needed,
        });
    }
    #[cfg(not(loom))]
    {
        let addr = core::ptr::from_ref(region.u32_at(0)?) as usize;
        if addr % crate::REGION_ALIGN != 0 {
            return Err(AttachError::MisalignedBase {
                align: crate::REGION_ALIGN,
            });
        }
    }
    Ok(())
}

/// Writes every header field except `init_state`, and the directory, with relaxed stores.
fn write_fields(r: &Region<'_>, layout: &Layout, generation: u32) -> Result<(), AttachError> {
    let dir_end = layout.directory_end() as usize;
    let header_region_end = layout.entries()[0].size as usize;
    store(r, off::MAGIC, MAGIC)?;
    store(r, off::VERSION_MAJOR, PROTOCOL_MAJOR)?;
    store(r, off::VERSION_MINOR, PROTOCOL_MINOR)?;
    store(r, off::HEADER_LEN, HEADER_LEN as u32)?;
    store64(r, off::TOTAL_SIZE, layout.total_size())?;
    store64(r, off::FEATURES, 0)?;
    store64(r, off::FINGERPRINT, layout.fingerprint())?;
    store(r, off::BOOT_GENERATION, generation)?;
    store(r, off::REGION_COUNT, layout.len() as u32)?;
    store(r, off::DIRECTORY_OFFSET, HEADER_LEN as u32)?;
    store(r, off::DIRECTORY_ENTRY_LEN, DIR_ENTRY_LEN as u32)?;
    let mut o = off::RESERVED;
    while o < HEADER_LEN {
        store(r, o, 0)?;
        o += 4;
    }
    for (i, e) in layout.entries().iter().enumerate() {
        let b = e.encode();
        let base = HEADER_LEN + i * DIR_ENTRY_LEN;
        for (w, chunk) in b.chunks_exact(4).enumerate() {
            let v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            store(r, base + 4 * w, v)?;
        }
    }
    // The rest of the header region is unused; leave it zeroed.
    r.fill(dir_end, header_region_end - dir_end, 0)?;
    Ok(())
}

/// Writes the header and directory, then publishes them by storing `Ready` with Release.
///
/// The caller must have moved `init_state` to `Initialising` itself.
fn write_header(r: &Region<'_>, layout: &Layout, generation: u32) -> Result<(), AttachError> {
    write_fields(r, layout, generation)?;
    // SYNC: Release, pairs with the Acquire load in `WaitPolicy::wait_ready` (and
    // `Attachment::is_current`): publishes every field and directory entry written above.
    r.u32_at(off::INIT_STATE)?
        .store(InitState::Ready as u32, Ordering::Release);
    Ok(())
}

fn next_generation(r: &Region<'_>) -> Result<u32, AttachError> {
    let g = load(r, off::BOOT_GENERATION)?.wrapping_add(1);
    Ok(if g == 0 { 1 } else { g })
}

fn attachment<'a>(
    region: Region<'a>,
    layout: &Layout,
    generation: u32,
) -> Result<Attachment<'a>, AttachError> {
    Ok(Attachment {
        region: region.sub(0, layout.total_size() as usize)?,
        layout: *layout,
        generation,
        minor: PROTOCOL_MINOR,
        features: 0,
    })
}

/// Formats an uninitialised region with `layout`: claims `init_state` 0 → 1, writes the header
/// and directory, stores `Ready` with Release.
///
/// The bytes outside the header region are left as they are (fresh `SharedArrayBuffer`s, wasm
/// memories, `mmap`s of new files and [`RegionBuf`](crate::RegionBuf)s are zeroed); use
/// [`reformat`] to re-use memory.
///
/// # Errors
/// [`AttachError::TooSmall`] if the region is shorter than `layout.total_size()`,
/// [`AttachError::MisalignedBase`], or [`AttachError::AlreadyInitialised`] if another party
/// claimed it first.
///
/// ```
/// use inos_layout::{create, standard::STANDARD_32MIB, AttachError, RegionBuf};
/// let buf = RegionBuf::new(32 << 20).unwrap();
/// assert!(create(buf.region(), &STANDARD_32MIB).is_ok());
/// assert!(matches!(create(buf.region(), &STANDARD_32MIB), Err(AttachError::AlreadyInitialised { .. })));
/// ```
pub fn create<'a>(region: Region<'a>, layout: &Layout) -> Result<Attachment<'a>, AttachError> {
    check_region(&region, layout.total_size())?;
    let state = region.u32_at(off::INIT_STATE)?;
    // Claim the region. Only the winner of this CAS ever writes the header (until `reformat`).
    if let Err(found) = state.compare_exchange(
        InitState::Uninitialised as u32,
        InitState::Initialising as u32,
        Ordering::Acquire,
        Ordering::Relaxed,
    ) {
        return Err(AttachError::AlreadyInitialised { state: found });
    }
    let generation = next_generation(&region)?;
    write_header(&region, layout, generation)?;
    attachment(region, layout, generation)
}

/// Formats the region if nobody has yet, otherwise attaches to it: of any number of parties racing
/// here, exactly one formats ([`Role::Formatted`]) and the others wait (per `wait`) for it to
/// finish and [`attach`].
///
/// # Errors
/// Those of [`create`] (except `AlreadyInitialised`) and [`attach`].
///
/// ```
/// use std::sync::Arc;
/// use inos_layout::{create_or_attach, standard::STANDARD_32MIB, RegionBuf, Role, WaitPolicy};
///
/// let buf = Arc::new(RegionBuf::new(32 << 20).unwrap());
/// let threads: Vec<_> = (0..2).map(|_| {
///     let buf = Arc::clone(&buf);
///     std::thread::spawn(move || {
///         let wait = WaitPolicy::timeout(std::time::Duration::from_secs(10));
///         create_or_attach(buf.region(), &STANDARD_32MIB, wait).unwrap().1
///     })
/// }).collect();
/// let roles: Vec<Role> = threads.into_iter().map(|t| t.join().unwrap()).collect();
/// assert_eq!(roles.iter().filter(|r| **r == Role::Formatted).count(), 1);
/// ```
pub fn create_or_attach<'a>(
    region: Region<'a>,
    layout: &Layout,
    wait: WaitPolicy,
) -> Result<(Attachment<'a>, Role), AttachError> {
    match create(region, layout) {
        Ok(a) => Ok((a, Role::Formatted)),
        Err(AttachError::AlreadyInitialised { .. }) => {
            attach(region, layout, wait).map(|a| (a, Role::Attached))
        }
        Err(e) => Err(e),
    }
}

/// Re-formats a region that was used before: zeroes every region but the header, writes a fresh
/// header and directory with the next boot generation, and publishes it.
///
/// Parties still attached to the old generation see [`Attachment::is_current`] turn `false`.
/// Call it only when no other party is writing the region (for example after its previous
/// owner crashed, which may have left `init_state` at `Initialising` forever).
///
/// # Errors
/// [`AttachError::TooSmall`] or [`AttachError::MisalignedBase`].
///
/// ```
/// use inos_layout::{create, reformat, standard::STANDARD_32MIB, RegionBuf};
/// let buf = RegionBuf::new(32 << 20).unwrap();
/// let first = create(buf.region(), &STANDARD_32MIB).unwrap();
/// first.get("ledger").unwrap().write(0, b"old").unwrap();
/// let second = reformat(buf.region(), &STANDARD_32MIB).unwrap();
/// assert_eq!(second.generation(), first.generation() + 1);
/// assert!(second.get("ledger").unwrap().bytes(0, 3).unwrap().eq_slice(&[0, 0, 0]));
/// ```
pub fn reformat<'a>(region: Region<'a>, layout: &Layout) -> Result<Attachment<'a>, AttachError> {
    check_region(&region, layout.total_size())?;
    region
        .u32_at(off::INIT_STATE)?
        .swap(InitState::Initialising as u32, Ordering::Acquire);
    let generation = next_generation(&region)?;
    let header_end = layout.entries()[0].end() as usize;
    region.fill(header_end, layout.total_size() as usize - header_end, 0)?;
    write_header(&region, layout, generation)?;
    attachment(region, layout, generation)
}

/// Attaches to a region formatted with exactly `expected`.
///
/// First checks that the region is at least `expected.total_size()` bytes
/// ([`AttachError::TooSmall`], before waiting for anything), then runs every check of
/// [`attach_any`], then compares the fingerprint and the directory with `expected`.
///
/// # Errors
/// [`AttachError::TooSmall`], any [`AttachError`] from [`attach_any`],
/// [`AttachError::FingerprintMismatch`] (naming the first region that differs) or
/// [`AttachError::LayoutMismatch`].
///
/// ```
/// use inos_layout::{attach, create, standard::{STANDARD_32MIB, STANDARD_64MIB}, AttachError, RegionBuf, WaitPolicy};
/// let buf = RegionBuf::new(64 << 20).unwrap();
/// create(buf.region(), &STANDARD_64MIB).unwrap();
/// assert!(attach(buf.region(), &STANDARD_64MIB, WaitPolicy::NO_WAIT).is_ok());
/// let err = attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT).unwrap_err();
/// assert!(matches!(err, AttachError::FingerprintMismatch { diff: Some(_), .. }));
/// assert!(err.to_string().contains("region \"arena\" has 65732608 bytes, where the expected layout has 32178176"));
/// ```
pub fn attach<'a>(
    region: Region<'a>,
    expected: &Layout,
    wait: WaitPolicy,
) -> Result<Attachment<'a>, AttachError> {
    if (region.len() as u64) < expected.total_size() {
        return Err(AttachError::TooSmall {
            len: region.len(),
            needed: expected.total_size(),
        });
    }
    let a = attach_any(region, wait)?;
    let found = a.layout.fingerprint();
    if found != expected.fingerprint() {
        return Err(AttachError::FingerprintMismatch {
            expected: Fingerprint(expected.fingerprint()),
            found: Fingerprint(found),
            diff: expected.diff(&a.layout),
        });
    }
    if !a.layout.same_as(expected) {
        return Err(AttachError::LayoutMismatch);
    }
    Ok(a)
}

/// Attaches to any valid inos region, discovering its layout from the directory (what a
/// monitoring tool or a generic JS/Go party does).
///
/// # Errors
/// Every [`AttachError`] but the two that compare with an expected layout; see its docs for the
/// order of the checks.
///
/// ```
/// use inos_layout::{attach_any, create, standard::STANDARD_64MIB, RegionBuf, WaitPolicy};
/// let buf = RegionBuf::new(64 << 20).unwrap();
/// create(buf.region(), &STANDARD_64MIB).unwrap();
/// let a = attach_any(buf.region(), WaitPolicy::NO_WAIT).unwrap();
/// assert_eq!(a.layout().fingerprint(), STANDARD_64MIB.fingerprint());
/// ```
pub fn attach_any(region: Region<'_>, wait: WaitPolicy) -> Result<Attachment<'_>, AttachError> {
    let r = &region;
    check_region(r, HEADER_LEN as u64)?;
    wait.wait_ready(r.u32_at(off::INIT_STATE)?)?;

    let magic = load(r, off::MAGIC)?;
    if magic != MAGIC {
        return Err(AttachError::BadMagic { found: magic });
    }
    let major = load(r, off::VERSION_MAJOR)?;
    let minor = load(r, off::VERSION_MINOR)?;
    if major != PROTOCOL_MAJOR {
        return Err(AttachError::IncompatibleVersion { major, minor });
    }
    let header_len = load(r, off::HEADER_LEN)?;
    let total_size = load64(r, off::TOTAL_SIZE)?;
    if (header_len as usize) < HEADER_LEN
        || header_len as usize > MAX_HEADER_LEN
        || header_len % 8 != 0
        || u64::from(header_len) > total_size
    {
        return Err(AttachError::BadHeaderLen { found: header_len });
    }
    if total_size > r.len() as u64 {
        return Err(AttachError::RegionTooSmall {
            total_size,
            len: r.len(),
        });
    }
    // Words reserved in the minor we speak must be zero; a newer minor may define them.
    #[allow(clippy::absurd_extreme_comparisons)] // PROTOCOL_MINOR is 0 today; not forever.
    if minor <= PROTOCOL_MINOR {
        let mut o = off::RESERVED;
        while o < HEADER_LEN {
            if load(r, o)? != 0 {
                return Err(AttachError::NonZeroReserved { offset: o });
            }
            o += 4;
        }
    }
    let feature_bits = load64(r, off::FEATURES)?;
    let unknown = feature_bits & features::INCOMPAT_MASK & !features::SUPPORTED;
    if unknown != 0 {
        return Err(AttachError::UnsupportedFeatures { bits: unknown });
    }

    let layout = read_directory(r, header_len, total_size)?;
    let stored = load64(r, off::FINGERPRINT)?;
    let computed = layout.fingerprint();
    if stored != computed {
        return Err(AttachError::DirectoryFingerprint {
            header: Fingerprint(stored),
            directory: Fingerprint(computed),
        });
    }
    Ok(Attachment {
        region: region.sub(0, total_size as usize)?,
        layout,
        generation: load(r, off::BOOT_GENERATION)?,
        minor,
        features: feature_bits,
    })
}

/// Reads and checks the directory. `total_size <= r.len()` and `header_len` are already checked.
fn read_directory(r: &Region<'_>, header_len: u32, total_size: u64) -> Result<Layout, AttachError> {
    let bad = |e| Err(AttachError::BadDirectory(e));
    let entry_len = load(r, off::DIRECTORY_ENTRY_LEN)?;
    if entry_len as usize != DIR_ENTRY_LEN {
        return bad(DirectoryError::EntryLen { found: entry_len });
    }
    let count = load(r, off::REGION_COUNT)?;
    if count == 0 || count as usize > MAX_REGIONS {
        return bad(DirectoryError::Count { found: count });
    }
    let dir_off = load(r, off::DIRECTORY_OFFSET)?;
    if dir_off % 8 != 0 || dir_off < header_len {
        return bad(DirectoryError::Offset { found: dir_off });
    }
    // Cannot overflow: dir_off < 2^32 and count * 32 <= 1024.
    let dir_end = u64::from(dir_off) + u64::from(count) * DIR_ENTRY_LEN as u64;
    if dir_end > total_size {
        return bad(DirectoryError::OutOfBounds);
    }
    let mut entries = Layout::empty_entries();
    for (i, slot) in entries.iter_mut().take(count as usize).enumerate() {
        let base = dir_off as usize + i * DIR_ENTRY_LEN;
        let mut name = [0u8; 16];
        for (w, chunk) in name.chunks_exact_mut(4).enumerate() {
            chunk.copy_from_slice(&load(r, base + 4 * w)?.to_le_bytes());
        }
        let Ok(name) = RegionName::from_bytes(name) else {
            return bad(DirectoryError::BadName { index: i });
        };
        *slot = RegionEntry {
            name,
            offset: load(r, base + header::dir::OFFSET)?,
            size: load(r, base + header::dir::SIZE)?,
            align: load(r, base + header::dir::ALIGN)?,
            kind: RegionKind(load(r, base + header::dir::KIND)?),
        };
    }
    let layout = match Layout::from_directory(total_size, entries, count as usize) {
        Ok(l) => l,
        Err(e) => return bad(DirectoryError::Layout(e)),
    };
    // The directory must lie inside the header region (entry 0, at offset 0).
    if dir_end > layout.entries()[0].end() {
        return bad(DirectoryError::OutOfBounds);
    }
    Ok(layout)
}

#[cfg(all(test, feature = "alloc", not(loom)))]
mod tests {
    use super::*;
    use crate::LayoutBuilder;
    use crate::RegionBuf;

    const SMALL: Layout = LayoutBuilder::new(4096)
        .region("flags", 64, 8, RegionKind::EPOCHS)
        .rest("arena", 512, RegionKind::ARENA)
        .build_checked();

    fn formatted() -> RegionBuf {
        let buf = RegionBuf::new(4096).unwrap();
        create(buf.region(), &SMALL).unwrap();
        buf
    }

    fn poke(buf: &RegionBuf, offset: usize, v: u32) {
        buf.region()
            .u32_at(offset)
            .unwrap()
            .store(v, Ordering::Relaxed);
    }

    fn attach_err(buf: &RegionBuf) -> AttachError {
        attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).unwrap_err()
    }

    #[test]
    fn round_trip() {
        let buf = formatted();
        let a = attach(buf.region(), &SMALL, WaitPolicy::spins(3)).unwrap();
        assert_eq!(a.generation(), 1);
        assert_eq!(a.get("flags").unwrap().len(), 64);
        assert_eq!(a.get(2).unwrap().len(), 4096 - 512);
        assert!(a.get(3).is_none());
        assert_eq!(load(&buf.region(), off::MAGIC).unwrap(), MAGIC);
    }

    #[test]
    fn every_header_failure_is_typed() {
        type Case = (usize, u32, fn(AttachError) -> bool);
        let cases: [Case; 12] = [
            (off::INIT_STATE, 0, |e| {
                matches!(
                    e,
                    AttachError::NotReady {
                        state: InitState::Uninitialised,
                        waited: false
                    }
                )
            }),
            (off::INIT_STATE, 1, |e| {
                matches!(
                    e,
                    AttachError::NotReady {
                        state: InitState::Initialising,
                        waited: false
                    }
                )
            }),
            (off::INIT_STATE, 9, |e| {
                e == AttachError::BadInitState { found: 9 }
            }),
            (off::MAGIC, 1, |e| e == AttachError::BadMagic { found: 1 }),
            (off::VERSION_MAJOR, 2, |e| {
                e == AttachError::IncompatibleVersion { major: 2, minor: 0 }
            }),
            (off::HEADER_LEN, 64, |e| {
                e == AttachError::BadHeaderLen { found: 64 }
            }),
            (off::TOTAL_SIZE, 8192, |e| {
                matches!(
                    e,
                    AttachError::RegionTooSmall {
                        total_size: 8192,
                        ..
                    }
                )
            }),
            (off::RESERVED + 8, 1, |e| {
                e == AttachError::NonZeroReserved {
                    offset: off::RESERVED + 8,
                }
            }),
            (off::FEATURES + 4, 1, |e| {
                e == AttachError::UnsupportedFeatures { bits: 1 << 32 }
            }),
            (off::REGION_COUNT, 33, |e| {
                e == AttachError::BadDirectory(DirectoryError::Count { found: 33 })
            }),
            (off::FINGERPRINT, 5, |e| {
                matches!(e, AttachError::DirectoryFingerprint { .. })
            }),
            (
                HEADER_LEN + DIR_ENTRY_LEN + header::dir::SIZE,
                1 << 20,
                |e| matches!(e, AttachError::BadDirectory(DirectoryError::Layout(_))),
            ),
        ];
        for (offset, value, ok) in cases {
            let buf = formatted();
            poke(&buf, offset, value);
            let e = attach_err(&buf);
            assert!(ok(e), "poke {value} at {offset:#x}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn directory_failures_are_typed() {
        let buf = formatted();
        poke(&buf, off::DIRECTORY_ENTRY_LEN, 16);
        assert_eq!(
            attach_err(&buf),
            AttachError::BadDirectory(DirectoryError::EntryLen { found: 16 })
        );
        let buf = formatted();
        poke(&buf, off::DIRECTORY_OFFSET, 4);
        assert_eq!(
            attach_err(&buf),
            AttachError::BadDirectory(DirectoryError::Offset { found: 4 })
        );
        let buf = formatted();
        poke(&buf, off::DIRECTORY_OFFSET, 4088);
        assert_eq!(
            attach_err(&buf),
            AttachError::BadDirectory(DirectoryError::OutOfBounds)
        );
        let buf = formatted();
        poke(&buf, HEADER_LEN, u32::from_le_bytes(*b"HEAD"));
        assert_eq!(
            attach_err(&buf),
            AttachError::BadDirectory(DirectoryError::BadName { index: 0 })
        );
    }

    /// A layout that differs from `SMALL` (the regions `formatted()` holds).
    fn other_layout() -> Layout {
        LayoutBuilder::new(4096)
            .region("flags", 128, 8, RegionKind::EPOCHS)
            .rest("arena", 512, RegionKind::ARENA)
            .build()
            .unwrap()
    }

    #[test]
    fn layout_expectations_are_checked() {
        let buf = formatted();
        let other = other_layout();
        assert!(matches!(
            attach(buf.region(), &other, WaitPolicy::NO_WAIT),
            Err(AttachError::FingerprintMismatch { .. })
        ));
        assert!(attach_any(buf.region(), WaitPolicy::NO_WAIT).is_ok());
    }

    #[test]
    fn size_and_create_errors() {
        let small = RegionBuf::new(64).unwrap();
        assert_eq!(
            attach_any(small.region(), WaitPolicy::NO_WAIT).unwrap_err(),
            AttachError::TooSmall {
                len: 64,
                needed: 128
            }
        );
        assert_eq!(
            create(small.region(), &SMALL).unwrap_err(),
            AttachError::TooSmall {
                len: 64,
                needed: 4096
            }
        );
        let buf = formatted();
        assert_eq!(
            create(buf.region(), &SMALL).unwrap_err(),
            AttachError::AlreadyInitialised { state: 2 }
        );
        let (_, role) = create_or_attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).unwrap();
        assert_eq!(role, Role::Attached);
    }

    #[test]
    fn misaligned_base_is_refused() {
        #[repr(C, align(8))]
        struct A([u8; 4104]);
        let mut mem = A([0; 4104]);
        // SAFETY: `mem` outlives the region and is only accessed through it. The region starts 4
        // bytes in, so it is misaligned on purpose; from_raw_parts refuses that itself.
        let r = unsafe { Region::from_raw_parts(mem.0.as_mut_ptr().add(4), 4096) };
        assert!(matches!(
            r,
            Err(crate::AccessError::MisalignedBase { align: 8, .. })
        ));
        // Issue 13 §4: the error is about the base address, not "offset 0".
        let base = mem.0.as_ptr() as usize + 4;
        let e = Region::new(&mut mem.0[4..4100]).unwrap_err();
        assert_eq!(
            e,
            crate::AccessError::MisalignedBase {
                address: base,
                align: 8
            }
        );
        let s = e.to_string();
        assert!(
            s.starts_with(&std::format!(
                "region base address {base:#x} is not aligned to 8 bytes"
            )),
            "{s}"
        );
        assert!(!s.contains("offset 0"), "{s}");
        // A region built over an aligned base passes the check.
        let r = Region::new(&mut mem.0[..4096]).unwrap();
        assert!(check_region(&r, 4096).is_ok());
    }

    /// Issue 13 §4: a mismatch prints hex in both forms and names the region that differs.
    #[test]
    fn fingerprint_mismatch_names_the_region_in_hex() {
        let buf = formatted();
        let other = other_layout();
        let e = attach(buf.region(), &other, WaitPolicy::NO_WAIT).unwrap_err();
        let (fe, ff) = (other.fingerprint(), SMALL.fingerprint());
        assert_eq!(
            e,
            AttachError::FingerprintMismatch {
                expected: Fingerprint(fe),
                found: Fingerprint(ff),
                diff: Some(crate::LayoutDiff::Size {
                    name: RegionName::new("flags").unwrap(),
                    expected: 128,
                    found: 64
                }),
            }
        );
        let debug = std::format!("{e:?}");
        assert!(
            debug.contains(&std::format!("expected: {fe:#018x}")),
            "{debug}"
        );
        assert!(
            debug.contains(&std::format!("found: {ff:#018x}")),
            "{debug}"
        );
        assert!(debug.contains("name: \"flags\""), "{debug}");
        let display = e.to_string();
        assert!(
            display.starts_with(&std::format!(
                "the region holds another layout (fingerprint {ff:#018x}, expected {fe:#018x}): \
                 region \"flags\" has 64 bytes, where the expected layout has 128; "
            )),
            "{display}"
        );
        assert!(display.contains("`reformat`"), "{display}");

        // A region the expected layout lacks is named too.
        let more = LayoutBuilder::new(4096)
            .region("flags", 64, 8, RegionKind::EPOCHS)
            .region("extra", 64, 8, RegionKind::DATA)
            .rest("arena", 512, RegionKind::ARENA)
            .build()
            .unwrap();
        let e = attach(buf.region(), &more, WaitPolicy::NO_WAIT).unwrap_err();
        assert!(
            e.to_string().contains(
                "the expected layout has a region \"extra\" that the region's layout lacks"
            ),
            "{e}"
        );
    }

    /// Issue 13 §4: a region too small for the expected layout says so before anything else.
    #[test]
    fn too_small_for_the_layout_is_reported_first() {
        const BIG: Layout = LayoutBuilder::new(1 << 16)
            .region("flags", 64, 8, RegionKind::EPOCHS)
            .build_checked();
        let file = RegionBuf::new(4096).unwrap();
        let e = attach(file.region(), &BIG, WaitPolicy::NO_WAIT).unwrap_err();
        assert_eq!(
            e,
            AttachError::TooSmall {
                len: 4096,
                needed: 1 << 16
            }
        );
        assert!(
            e.to_string()
                .starts_with("region of 4096 bytes is too small: 65536 are needed"),
            "{e}"
        );
        // Also with a wait policy: no waiting for a region that can never fit.
        let e = attach(file.region(), &BIG, WaitPolicy::spins(1 << 30)).unwrap_err();
        assert!(matches!(e, AttachError::TooSmall { .. }));
    }

    /// Issue 13 §4: "not ready" says whether it waited, and what to do.
    #[test]
    fn not_ready_wording_depends_on_waiting() {
        let buf = RegionBuf::new(4096).unwrap();
        let e = attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).unwrap_err();
        assert_eq!(
            e,
            AttachError::NotReady {
                state: InitState::Uninitialised,
                waited: false
            }
        );
        let s = e.to_string();
        assert!(!s.contains("in time"), "{s}");
        assert!(
            s.starts_with(
                "region is not formatted (init_state 0 (uninitialised); checked once, without waiting)"
            ),
            "{s}"
        );
        let e = attach(buf.region(), &SMALL, WaitPolicy::spins(2)).unwrap_err();
        assert!(matches!(e, AttachError::NotReady { waited: true, .. }));
        assert!(
            e.to_string().contains("when the wait policy ran out"),
            "{e}"
        );
        poke(&buf, off::INIT_STATE, 1);
        let e = attach(buf.region(), &SMALL, WaitPolicy::spins(2)).unwrap_err();
        assert!(e.to_string().contains("`reformat`"), "{e}");
    }

    /// Issue 13 §4: `create` over a claimed region names the state and points at `reformat`.
    #[test]
    fn already_initialised_names_the_state_and_reformat() {
        let buf = formatted();
        let e = create(buf.region(), &SMALL).unwrap_err();
        assert_eq!(e, AttachError::AlreadyInitialised { state: 2 });
        let s = e.to_string();
        assert!(
            s.starts_with("region is already formatted (init_state 2 (ready))"),
            "{s}"
        );
        assert!(
            s.contains("use `reformat` (only if no other party is using it)"),
            "{s}"
        );
        poke(&buf, off::INIT_STATE, 1); // a formatter that crashed half-way
        let s = create(buf.region(), &SMALL).unwrap_err().to_string();
        assert!(
            s.contains("being formatted (init_state 1 (initialising))"),
            "{s}"
        );
        assert!(s.contains("`reformat`"), "{s}");
    }

    /// Issue 13 §5: `require` names the missing region and chains with `?`.
    #[test]
    fn require_names_the_missing_region() {
        let buf = formatted();
        let a = attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).unwrap();
        assert_eq!(a.require("flags").unwrap().len(), 64);
        let e = a.require("ring").unwrap_err();
        assert_eq!(e.name(), Some("ring"));
        assert_eq!(
            e.to_string(),
            "no region \"ring\" in the layout (3 regions)"
        );
        assert_eq!(
            std::format!("{e:?}"),
            "RegionNotFound { name: \"ring\", regions: 3 }"
        );
        assert_eq!(a.require(3).unwrap_err().index(), Some(3));
        let long = "a_name_that_is_much_longer_than_any_region_name";
        let e = a.require(long).unwrap_err();
        assert_eq!(e.name(), Some(&long[..32]));
        assert!(e.to_string().contains("...\""));
        let chained = || -> Result<Region<'_>, AttachError> {
            Ok(attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT)?.require("ring")?)
        };
        assert!(matches!(chained(), Err(AttachError::MissingRegion(_))));
    }

    #[test]
    fn newer_minor_may_use_reserved_words_and_compat_features() {
        let buf = formatted();
        poke(&buf, off::VERSION_MINOR, PROTOCOL_MINOR + 1);
        poke(&buf, off::RESERVED, 7);
        poke(&buf, off::FEATURES, 1);
        let a = attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).unwrap();
        assert_eq!((a.minor(), a.features()), (PROTOCOL_MINOR + 1, 1));
    }

    #[test]
    fn reformat_bumps_generation_and_wipes() {
        let buf = formatted();
        buf.region().write(1024, b"stale").unwrap();
        poke(&buf, off::INIT_STATE, 1); // a crashed formatter
        let a = reformat(buf.region(), &SMALL).unwrap();
        assert_eq!(a.generation(), 2);
        assert!(buf.region().bytes(1024, 5).unwrap().eq_slice(&[0; 5]));
        assert!(attach(buf.region(), &SMALL, WaitPolicy::NO_WAIT).is_ok());
        poke(&buf, off::BOOT_GENERATION, u32::MAX);
        assert_eq!(reformat(buf.region(), &SMALL).unwrap().generation(), 1);
    }

    #[cfg(feature = "std")]
    #[test]
    fn timeout_policy_gives_up() {
        let buf = RegionBuf::new(4096).unwrap();
        let p = WaitPolicy::timeout(std::time::Duration::from_millis(1));
        assert!(matches!(
            attach(buf.region(), &SMALL, p),
            Err(AttachError::NotReady { waited: true, .. })
        ));
        assert_eq!(WaitPolicy::default().spin_budget(), 100);
    }
}
