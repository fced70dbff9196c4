//! Taking a [`Snapshot`]: read the file into a private, aligned copy and decode it there.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use inos_epoch::Epoch;
use inos_layout::header::{off, DIR_ENTRY_LEN, MAX_HEADER_LEN};
use inos_layout::standard::{self, EpochSlot, EPOCH_SLOTS};
use inos_layout::sync::Ordering;
use inos_layout::{
    attach_any, Attachment, InitState, Layout, Region, RegionBuf, RegionEntry, RegionKind,
    WaitPolicy, MAX_REGIONS, MAX_TOTAL_SIZE,
};
use inos_ledger::{AccountId, AccountState, Ledger};
use inos_ring::{Kind, Mpsc, Ring, Spsc};
use serde::Serialize;

use crate::error::{InspectError, RegionError};

/// Version of the JSON document (bumped when a field changes meaning or is removed; new fields
/// may be added without a bump).
pub const SCHEMA_VERSION: u32 = 1;

/// Default number of ring records decoded per ring (`--records`).
pub const DEFAULT_RECORDS: usize = 4;

/// Default cap on the bytes read for one region (`--max-region-bytes`): 64 MiB.
pub const DEFAULT_MAX_REGION_BYTES: u64 = 64 << 20;

/// Payload bytes shown (in hex) per decoded ring record.
pub const RECORD_PREVIEW: usize = 16;

/// Bytes read per `pread` call when copying a region.
const CHUNK: usize = 1 << 20;

/// What to decode and how much to read.
///
/// ```
/// let o = inos_inspect::Options::default();
/// assert_eq!(o.records, 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How many records to decode at the head of each ring.
    pub records: usize,
    /// Regions larger than this are not read (reported with [`RegionError::TooLarge`]).
    pub max_region_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            records: DEFAULT_RECORDS,
            max_region_bytes: DEFAULT_MAX_REGION_BYTES,
        }
    }
}

/// Everything decoded from one read-only snapshot of a region file. Serialises to the JSON
/// document `--json` prints (see the crate README for the field list).
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The file inspected (as given).
    pub file: String,
    /// Length of the file when the snapshot was taken.
    pub file_len: u64,
    /// Wall-clock time of the snapshot, milliseconds since the Unix epoch.
    pub taken_unix_ms: u64,
    /// The region header.
    pub header: HeaderInfo,
    /// The region directory, in offset order.
    pub directory: Vec<DirEntry>,
    /// Every `epochs` region.
    pub epochs: Vec<EpochRegion>,
    /// Every `ring` region.
    pub rings: Vec<RingReport>,
    /// Every `ledger` region.
    pub ledgers: Vec<LedgerReport>,
    /// Regions this tool does not decode (table, data, arena, unknown kinds).
    pub opaque: Vec<OpaqueRegion>,
}

impl Snapshot {
    /// Whether any region failed to decode (a ring, ledger or epochs region with an error, or a
    /// ring whose records or a ledger whose accounts/audit could not be read).
    ///
    /// ```no_run
    /// let s = inos_inspect::snapshot_file("/dev/shm/inos", &Default::default()).unwrap();
    /// if s.has_region_errors() {
    ///     eprintln!("some region is corrupt or half-written");
    /// }
    /// ```
    pub fn has_region_errors(&self) -> bool {
        self.epochs.iter().any(|e| e.error.is_some())
            || self.rings.iter().any(|r| {
                r.error.is_some() || r.ring.as_ref().is_some_and(|i| i.records_error.is_some())
            })
            || self.ledgers.iter().any(|l| {
                l.error.is_some()
                    || l.ledger
                        .as_ref()
                        .is_some_and(|i| i.accounts_error.is_some() || i.audit_error.is_some())
            })
    }

    /// The ring region named `name`.
    pub fn ring(&self, name: &str) -> Option<&RingReport> {
        self.rings.iter().find(|r| r.region == name)
    }

    /// The ledger region named `name`.
    pub fn ledger(&self, name: &str) -> Option<&LedgerReport> {
        self.ledgers.iter().find(|r| r.region == name)
    }

    /// The epoch slot named `name` (standard layout names; pool slots are `supervisor[3]`).
    pub fn epoch(&self, name: &str) -> Option<&EpochSlotInfo> {
        self.epochs
            .iter()
            .flat_map(|r| r.slots.iter())
            .find(|s| s.name.as_deref() == Some(name))
    }
}

/// The decoded region header (PROTOCOL.md §2.1), validated by `inos_layout::attach_any`.
#[derive(Clone, Debug, Serialize)]
pub struct HeaderInfo {
    /// `version_major` (always the protocol major this tool speaks: others are refused).
    pub version_major: u32,
    /// `version_minor` of the formatter.
    pub version_minor: u32,
    /// `header_len`.
    pub header_len: u32,
    /// `boot_generation`.
    pub generation: u32,
    /// `total_size` in bytes.
    pub total_size: u64,
    /// Layout fingerprint as a `0x`-prefixed 16-digit hex string (a JSON number would lose
    /// precision in JavaScript).
    pub fingerprint: String,
    /// `init_state`: `uninitialised`, `initialising`, `ready`.
    pub init_state: String,
    /// Feature bits.
    pub features: u64,
    /// Number of directory entries.
    pub region_count: usize,
    /// The standard-layout tier the directory matches (`"64mib"`, or `"custom"` for a standard
    /// layout of another size), `null` when the layout is not the standard one.
    pub standard: Option<String>,
}

/// One region directory entry (PROTOCOL.md §2.2).
#[derive(Clone, Debug, Serialize)]
pub struct DirEntry {
    /// Position in the directory.
    pub index: usize,
    /// Region name.
    pub name: String,
    /// Kind name (`header`, `epochs`, `table`, `ring`, `ledger`, `arena`, `data`, `unknown`).
    pub kind: String,
    /// Kind code on the wire.
    pub kind_code: u32,
    /// Offset from the region base.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
    /// Alignment.
    pub align: u32,
}

/// The word and waiter count of one 8-byte epoch slot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SlotValue {
    /// The slot's word (counter, flag or value).
    pub value: u32,
    /// Parties registered as sleeping on it.
    pub waiters: u32,
}

/// One epoch slot of an `epochs` region.
#[derive(Clone, Debug, Serialize)]
pub struct EpochSlotInfo {
    /// Slot index in its region.
    pub index: u32,
    /// Offset of the slot's word from the region base (the shared region, not the epochs region).
    pub offset: u32,
    /// Standard-layout name (`supervisor[i]` for the pool), `null` when unknown.
    pub name: Option<String>,
    /// `counter`, `flag` or `value` for named slots, `null` otherwise.
    pub kind: Option<String>,
    /// The word.
    pub value: u32,
    /// The waiter count.
    pub waiters: u32,
}

/// An `epochs` region: every 8-byte slot it holds.
#[derive(Clone, Debug, Serialize)]
pub struct EpochRegion {
    /// Region name.
    pub region: String,
    /// Region offset.
    pub offset: u32,
    /// Every slot, in index order.
    pub slots: Vec<EpochSlotInfo>,
    /// Why the region could not be decoded (`null` when it was).
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub error: Option<RegionError>,
}

/// A `ring` region: the decoded ring or why it could not be decoded.
#[derive(Clone, Debug, Serialize)]
pub struct RingReport {
    /// Region name.
    pub region: String,
    /// Region offset.
    pub offset: u32,
    /// Region size.
    pub size: u32,
    /// The ring (`null` on error).
    pub ring: Option<RingInfo>,
    /// The typed error of `Ring::attach` (or of reading the region), `null` when it attached.
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub error: Option<RegionError>,
}

/// A decoded ring header and its first records (ring.md §2–3).
#[derive(Clone, Debug, Serialize)]
pub struct RingInfo {
    /// `spsc` or `mpsc`.
    pub kind: String,
    /// `wake` or `poll`.
    pub mode: String,
    /// Data capacity in bytes.
    pub capacity: u32,
    /// Largest payload accepted.
    pub max_message: u32,
    /// The `MESSAGE_SIZE` word: 0 for variable-length messages, otherwise the size of every
    /// message of this fixed-size ring (ring.md §3.3).
    pub message_size: u32,
    /// Consumer position (`HEAD`).
    pub head: u32,
    /// Producer position (`TAIL`).
    pub tail: u32,
    /// `RELEASE_TO` (MPSC: end of the release in progress; equal to `head` when none is).
    pub release_to: u32,
    /// `tail - head`: bytes of records, padding and reservations.
    pub used_bytes: u32,
    /// Whether the `CONSUMER_ROLE` word is set (a consumer is attached).
    pub consumer_claimed: bool,
    /// The `CONSUMER_ROLE` word: 0 free, otherwise the holder's party id (`1`: anonymous; a
    /// process id by default for Rust parties with `std`).
    pub consumer_role: u32,
    /// The `PRODUCER_ROLE` word: SPSC 0 (free) or the holder's party id, MPSC the number of
    /// attached producers.
    pub producer_role: u32,
    /// Messages the consumer discarded unread.
    pub dropped: u32,
    /// Reservations abandoned by their producer.
    pub aborted: u32,
    /// Stuck reservations the consumer turned into padding.
    pub unblocked: u32,
    /// The `DATA_EPOCH` slot.
    pub data_epoch: SlotValue,
    /// The `SPACE_EPOCH` slot.
    pub space_epoch: SlotValue,
    /// The first records at the head, in order (at most `--records`).
    pub records: Vec<RecordInfo>,
    /// Whether more committed records follow the ones listed.
    pub more_records: bool,
    /// Why decoding stopped early (a corrupt record), `null` otherwise.
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub records_error: Option<RegionError>,
}

/// One committed ring record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordInfo {
    /// Offset of the record header in the ring's data area.
    pub data_offset: u32,
    /// Payload length.
    pub len: u32,
    /// The first [`RECORD_PREVIEW`] payload bytes, lower-case hex, space-separated.
    pub head_hex: String,
    /// The same bytes.
    #[serde(skip)]
    pub head: Vec<u8>,
}

/// A `ledger` region: the decoded ledger or why it could not be decoded.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerReport {
    /// Region name.
    pub region: String,
    /// Region offset.
    pub offset: u32,
    /// Region size.
    pub size: u32,
    /// The ledger (`null` on error).
    pub ledger: Option<LedgerInfo>,
    /// The typed error of `Ledger::attach` (or of reading the region), `null` when it attached.
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub error: Option<RegionError>,
}

/// A decoded ledger (ledger.md §1).
#[derive(Clone, Debug, Serialize)]
pub struct LedgerInfo {
    /// Account records.
    pub account_capacity: u32,
    /// Hold records.
    pub hold_capacity: u32,
    /// Lifetime minted total.
    pub minted: i64,
    /// Lifetime burned total.
    pub burned: i64,
    /// The header's `audits` counter (as found; the snapshot's own audit is not counted).
    pub audits: u64,
    /// The header's `audits_unbalanced` counter (as found).
    pub audits_unbalanced: u64,
    /// Every account record that is not FREE, in index order.
    pub accounts: Vec<AccountRow>,
    /// Σ `spent` over the listed accounts (what `--watch` turns into credits/s).
    pub total_spent: i128,
    /// Why the account scan stopped (a corrupt record), `null` otherwise.
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub accounts_error: Option<RegionError>,
    /// Every hold record that is not FREE, in index order.
    pub holds: Vec<HoldRow>,
    /// `Ledger::audit` run on the snapshot, `null` when it failed.
    pub audit: Option<AuditInfo>,
    /// Why the audit failed, `null` otherwise.
    #[serde(serialize_with = "crate::error::ser_opt_display")]
    pub audit_error: Option<RegionError>,
}

/// One account record (ledger.md §1.2). Format 2 stores `credited` and `debited`; `balance`,
/// `earned` and `spent` are derived from them as the spec says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountRow {
    /// Account index.
    pub index: u32,
    /// `open`, `frozen` or `closed`.
    pub state: String,
    /// Spendable money: `credited − debited`.
    pub balance: i64,
    /// Escrowed by pending holds.
    pub held: i64,
    /// Accrued rewards not yet claimed.
    pub pending: i64,
    /// Lifetime inflow (the stored `credited`).
    pub earned: i64,
    /// Lifetime outflow: `debited − held`.
    pub spent: i64,
    /// The stored `debited` word (outflow plus escrow).
    pub debited: i64,
    /// State-change generation.
    pub generation: u32,
}

/// One hold record in use (ledger.md §1.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HoldRow {
    /// Hold index.
    pub index: u32,
    /// `reserving`, `pending`, `settled`, `voided` or `unknown(n)`.
    pub state: String,
    /// Slot generation.
    pub generation: u32,
    /// Amount reserved.
    pub amount: i64,
    /// Paying account.
    pub payer: u32,
}

/// The result of `Ledger::audit` (ledger.md §4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditInfo {
    /// `Σ balance + Σ held + Σ pending == minted − burned`, `Σ held == Σ pending holds`, no hold
    /// in flight.
    pub balanced: bool,
    /// Σ balance.
    pub balance: i128,
    /// Σ held.
    pub held: i128,
    /// Σ pending.
    pub pending: i128,
    /// Lifetime minted.
    pub minted: i64,
    /// Lifetime burned.
    pub burned: i64,
    /// Σ amount of PENDING holds.
    pub pending_holds: i128,
    /// Holds between states.
    pub holds_in_progress: u32,
    /// Accounts open, frozen or closed.
    pub accounts_in_use: u32,
}

/// A region this tool does not decode.
#[derive(Clone, Debug, Serialize)]
pub struct OpaqueRegion {
    /// Region name.
    pub region: String,
    /// Kind name.
    pub kind: String,
    /// Why it is not decoded (`"no format yet"` for arena and registry).
    pub note: String,
}

/// Takes a read-only snapshot of the region file at `path` and decodes it.
///
/// The file is opened read-only; its bytes are copied with positional reads into a private
/// [`RegionBuf`] and every decoding step runs on that copy (see the crate docs).
///
/// # Errors
/// [`InspectError::Io`] if the file cannot be opened or read, [`InspectError::Attach`] if the
/// header or directory is refused by `inos_layout::attach_any` (the same typed error an
/// attaching party gets), [`InspectError::Alloc`] if the private copy cannot be allocated.
/// Errors inside one region (a corrupt ring header, say) are not errors of the snapshot: they are
/// reported in that region's `error` field.
///
/// ```no_run
/// let snap = inos_inspect::snapshot_file("/dev/shm/inos", &inos_inspect::Options::default())?;
/// println!("{}", inos_inspect::render_text(&snap, None));
/// # Ok::<(), inos_inspect::InspectError>(())
/// ```
pub fn snapshot_file(path: impl AsRef<Path>, opts: &Options) -> Result<Snapshot, InspectError> {
    let path = path.as_ref();
    let io = |e| InspectError::io(path, e);
    let file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    // A region is at most 4 GiB (`MAX_TOTAL_SIZE`): bytes past that belong to no region.
    let copy_len = usize::try_from(file_len.min(MAX_TOTAL_SIZE))
        .map_err(|_| InspectError::Alloc(inos_layout::AccessError::TooLarge { len: usize::MAX }))?;
    // Zeroed and lazily committed: only the pages we copy into are touched.
    let buf = RegionBuf::new(copy_len).map_err(InspectError::Alloc)?;
    let copy = buf.region();

    // 1. The header and the directory, then validation by the crate's own attach code.
    let prefix = copy_len.min(MAX_HEADER_LEN);
    copy_range(&file, copy, 0, prefix).map_err(io)?;
    if let Some((dir_off, dir_len)) = directory_range(copy) {
        if dir_off + dir_len > prefix && dir_off + dir_len <= copy_len {
            copy_range(&file, copy, dir_off, dir_len).map_err(io)?;
        }
    }
    let att = attach_any(copy, WaitPolicy::NO_WAIT).map_err(InspectError::Attach)?;
    let header = header_info(&att);
    let layout = att.layout();
    let directory = layout
        .entries()
        .iter()
        .enumerate()
        .map(|(index, e)| DirEntry {
            index,
            name: e.name.as_str().to_owned(),
            kind: kind_name(e.kind).to_owned(),
            kind_code: e.kind.0,
            offset: e.offset,
            size: e.size,
            align: e.align,
        })
        .collect();
    let named_epochs = header.standard.is_some();

    // 2. The regions we decode, each copied to the same offset and decoded there.
    let mut snap = Snapshot {
        schema: SCHEMA_VERSION,
        file: path.display().to_string(),
        file_len,
        taken_unix_ms: unix_ms(),
        header,
        directory,
        epochs: Vec::new(),
        rings: Vec::new(),
        ledgers: Vec::new(),
        opaque: Vec::new(),
    };
    for (i, e) in layout.entries().iter().enumerate() {
        let name = e.name.as_str().to_owned();
        let decoded = matches!(
            e.kind,
            RegionKind::EPOCHS | RegionKind::RING | RegionKind::LEDGER
        );
        if !decoded {
            if e.kind != RegionKind::HEADER {
                snap.opaque.push(OpaqueRegion {
                    region: name,
                    kind: kind_name(e.kind).to_owned(),
                    note: opaque_note(e).to_owned(),
                });
            }
            continue;
        }
        let loaded = load_region(&file, &att, i, e, opts);
        match e.kind {
            RegionKind::EPOCHS => snap.epochs.push(match loaded {
                Ok(r) => decode_epochs(r, e, named_epochs),
                Err(err) => EpochRegion {
                    region: name,
                    offset: e.offset,
                    slots: Vec::new(),
                    error: Some(err),
                },
            }),
            RegionKind::RING => {
                let (ring, error) = match loaded.and_then(|r| decode_ring(r, opts)) {
                    Ok(info) => (Some(info), None),
                    Err(err) => (None, Some(err)),
                };
                snap.rings.push(RingReport {
                    region: name,
                    offset: e.offset,
                    size: e.size,
                    ring,
                    error,
                });
            }
            _ => {
                let (ledger, error) = match loaded.and_then(decode_ledger) {
                    Ok(info) => (Some(info), None),
                    Err(err) => (None, Some(err)),
                };
                snap.ledgers.push(LedgerReport {
                    region: name,
                    offset: e.offset,
                    size: e.size,
                    ledger,
                    error,
                });
            }
        }
    }
    Ok(snap)
}

/// Copies `len` bytes at `offset` of the file into the same offset of `copy`, in chunks.
fn copy_range(file: &File, copy: Region<'_>, offset: usize, len: usize) -> std::io::Result<()> {
    let mut tmp = vec![0u8; len.min(CHUNK)];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(CHUNK);
        let chunk = &mut tmp[..n];
        file.read_exact_at(chunk, (offset + done) as u64)?;
        copy.write(offset + done, chunk)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        done += n;
    }
    Ok(())
}

/// Where the directory claims to be (read from the copy only to decide which bytes to copy;
/// `attach_any` validates everything afterwards).
fn directory_range(copy: Region<'_>) -> Option<(usize, usize)> {
    let word = |o| copy.u32_at(o).ok().map(|w| w.load(Ordering::Relaxed));
    let dir_off = word(off::DIRECTORY_OFFSET)? as usize;
    let count = (word(off::REGION_COUNT)? as usize).min(MAX_REGIONS);
    Some((dir_off, count * DIR_ENTRY_LEN))
}

/// Copies region `i` into the snapshot and returns it.
fn load_region<'a>(
    file: &File,
    att: &Attachment<'a>,
    i: usize,
    e: &RegionEntry,
    opts: &Options,
) -> Result<Region<'a>, RegionError> {
    if u64::from(e.size) > opts.max_region_bytes {
        return Err(RegionError::TooLarge {
            size: e.size,
            cap: opts.max_region_bytes,
        });
    }
    let region = att
        .get(i)
        .ok_or(RegionError::Access(inos_layout::AccessError::TooLarge {
            len: e.size as usize,
        }))?;
    copy_range(file, att.region(), e.offset as usize, e.size as usize)
        .map_err(|err| RegionError::Io(err.to_string()))?;
    Ok(region)
}

fn header_info(att: &Attachment<'_>) -> HeaderInfo {
    let r = att.region();
    let word = |o| r.u32_at(o).map(|w| w.load(Ordering::Relaxed)).unwrap_or(0);
    let layout = att.layout();
    let init = word(off::INIT_STATE);
    HeaderInfo {
        version_major: word(off::VERSION_MAJOR),
        version_minor: att.minor(),
        header_len: word(off::HEADER_LEN),
        generation: att.generation(),
        total_size: layout.total_size(),
        fingerprint: format!("{:#018x}", layout.fingerprint()),
        init_state: match InitState::from_u32(init) {
            Some(InitState::Uninitialised) => "uninitialised".to_owned(),
            Some(InitState::Initialising) => "initialising".to_owned(),
            Some(InitState::Ready) => "ready".to_owned(),
            None => format!("invalid({init})"),
        },
        features: att.features(),
        region_count: layout.len(),
        standard: standard_tier(layout),
    }
}

/// The standard tier `layout` is, if any.
fn standard_tier(layout: &Layout) -> Option<String> {
    if let Some((name, _)) = standard::TIERS.iter().find(|(_, l)| l.same_as(layout)) {
        return Some((*name).to_owned());
    }
    match standard::standard(layout.total_size()) {
        Ok(l) if l.same_as(layout) => Some("custom".to_owned()),
        _ => None,
    }
}

fn kind_name(kind: RegionKind) -> &'static str {
    kind.name().unwrap_or("unknown")
}

fn opaque_note(e: &RegionEntry) -> &'static str {
    match e.kind {
        RegionKind::ARENA => "no format yet",
        _ if e.name.as_str() == "module_registry" => "no format yet",
        RegionKind::TABLE | RegionKind::DATA => "opaque (no decoder)",
        _ => "unknown kind (opaque)",
    }
}

/// The standard name and kind of epoch slot `index`.
fn slot_name(index: u32) -> Option<(String, &'static str)> {
    let s: &EpochSlot = EPOCH_SLOTS
        .iter()
        .find(|s| index >= s.index && index < s.index + s.count)?;
    let name = if s.count == 1 {
        s.name.to_owned()
    } else {
        format!("{}[{}]", s.name, index - s.index)
    };
    Some((name, s.kind.name()))
}

fn decode_epochs(region: Region<'_>, e: &RegionEntry, named: bool) -> EpochRegion {
    let mut slots = Vec::new();
    let mut error = None;
    for index in 0..(e.size / standard::EPOCH_SLOT_LEN) {
        let at = (index * standard::EPOCH_SLOT_LEN) as usize;
        match Epoch::new(region, at) {
            Ok(ep) => {
                let (name, kind) = match named.then(|| slot_name(index)).flatten() {
                    Some((n, k)) => (Some(n), Some(k.to_owned())),
                    None => (None, None),
                };
                slots.push(EpochSlotInfo {
                    index,
                    offset: e.offset + index * standard::EPOCH_SLOT_LEN,
                    name,
                    kind,
                    value: ep.load(),
                    waiters: ep.waiters(),
                });
            }
            Err(err) => {
                error = Some(RegionError::Access(err));
                break;
            }
        }
    }
    EpochRegion {
        region: e.name.as_str().to_owned(),
        offset: e.offset,
        slots,
        error,
    }
}

fn decode_ring(region: Region<'_>, opts: &Options) -> Result<RingInfo, RegionError> {
    match Ring::<Mpsc>::attach(region) {
        Ok(r) => ring_info(r, "mpsc", opts),
        Err(inos_ring::Error::WrongKind {
            found: inos_ring::RingKind::Spsc,
            ..
        }) => ring_info(Ring::<Spsc>::attach(region)?, "spsc", opts),
        Err(e) => Err(e.into()),
    }
}

fn slot_value(region: Region<'_>, at: usize) -> SlotValue {
    Epoch::new(region, at)
        .map(|e| SlotValue {
            value: e.load(),
            waiters: e.waiters(),
        })
        .unwrap_or_default()
}

fn ring_info<K: Kind>(
    ring: Ring<'_, K>,
    kind: &str,
    opts: &Options,
) -> Result<RingInfo, RegionError> {
    use inos_ring::layout as rl;
    let r = ring.region();
    let word = |o| r.u32_at(o).map(|w| w.load(Ordering::Relaxed));
    let used_bytes = ring.used_bytes()?;
    let stats = ring.stats();
    let mut info = RingInfo {
        kind: kind.to_owned(),
        mode: match ring.mode() {
            inos_ring::Mode::Wake => "wake",
            inos_ring::Mode::Poll => "poll",
        }
        .to_owned(),
        capacity: ring.capacity(),
        max_message: ring.max_message() as u32,
        message_size: ring.message_size().unwrap_or(0) as u32,
        head: word(rl::HEAD)?,
        tail: word(rl::TAIL)?,
        release_to: word(rl::RELEASE_TO)?,
        used_bytes,
        consumer_claimed: word(rl::CONSUMER_ROLE)? != 0,
        consumer_role: word(rl::CONSUMER_ROLE)?,
        producer_role: word(rl::PRODUCER_ROLE)?,
        dropped: stats.dropped,
        aborted: stats.aborted,
        unblocked: stats.unblocked,
        data_epoch: slot_value(r, rl::DATA_EPOCH),
        space_epoch: slot_value(r, rl::SPACE_EPOCH),
        records: Vec::new(),
        more_records: false,
        records_error: None,
    };
    if info.message_size != 0 {
        fixed_records(&mut info, r, opts);
        return Ok(info);
    }
    // The records: a consumer on the private copy (its role word is ours to take), reading and
    // releasing record after record. Nothing of this reaches the file.
    ring.force_release(inos_ring::Role::Consumer);
    let mut consumer = match ring.consumer() {
        Ok(c) => c,
        Err(e) => {
            info.records_error = Some(e.into());
            return Ok(info);
        }
    };
    loop {
        let grant = match consumer.read() {
            Ok(g) => g,
            Err(inos_ring::Error::Empty) => break,
            Err(e) => {
                info.records_error = Some(e.into());
                break;
            }
        };
        if info.records.len() == opts.records {
            info.more_records = true;
            break;
        }
        info.records
            .push(record_info(grant.bytes(), K::RECORD_HEADER as usize));
        grant.release();
    }
    Ok(info)
}

/// The records of a fixed-size ring (ring.md §3.3): the byte consumer on the private copy (its
/// role word is ours to take), peeking at record after record in place and skipping it, as the
/// variable-length listing reads and releases. A tail that falls short of a record stops the
/// listing with the error the consumer reports.
fn fixed_records(info: &mut RingInfo, r: Region<'_>, opts: &Options) {
    let consumer = Ring::<Spsc>::attach(r).and_then(|ring| {
        ring.force_release(inos_ring::Role::Consumer);
        ring.fixed_consumer_bytes(info.message_size as usize)
    });
    let mut consumer = match consumer {
        Ok(c) => c,
        Err(e) => {
            info.records_error = Some(e.into());
            return;
        }
    };
    loop {
        let bytes = match consumer.peek() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                info.records_error = Some(e.into());
                break;
            }
        };
        if info.records.len() == opts.records {
            info.more_records = true;
            break;
        }
        info.records.push(record_info(bytes, 0));
        if let Err(e) = consumer.skip() {
            info.records_error = Some(e.into());
            break;
        }
    }
}

/// A record's listing entry from its payload bytes; `header` is the record header's length
/// (the payload's distance from the record's start).
fn record_info(bytes: inos_layout::Bytes<'_>, header: usize) -> RecordInfo {
    let n = bytes.len().min(RECORD_PREVIEW);
    let mut head = vec![0u8; n];
    if let Ok(b) = bytes.slice(0, n) {
        b.copy_to_slice(&mut head);
    }
    let data_offset = bytes
        .offset()
        .saturating_sub(inos_ring::layout::HEADER_LEN + header) as u32;
    RecordInfo {
        data_offset,
        len: bytes.len() as u32,
        head_hex: hex(&head),
        head,
    }
}

/// Lower-case hex, space-separated.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn decode_ledger(region: Region<'_>) -> Result<LedgerInfo, RegionError> {
    use inos_ledger::layout as ll;
    let ledger = Ledger::attach(region)?;
    let (audits, audits_unbalanced) = ledger.audit_counts();
    let mut info = LedgerInfo {
        account_capacity: ledger.account_capacity(),
        hold_capacity: ledger.hold_capacity(),
        minted: ledger.total_minted(),
        burned: ledger.total_burned(),
        audits,
        audits_unbalanced,
        accounts: Vec::new(),
        total_spent: 0,
        accounts_error: None,
        holds: Vec::new(),
        audit: None,
        audit_error: None,
    };
    for index in 0..info.account_capacity {
        match ledger.account(AccountId::from_index(index)) {
            Ok(a) if a.state == AccountState::Free => {}
            Ok(a) => {
                info.total_spent += i128::from(a.spent);
                info.accounts.push(AccountRow {
                    index,
                    state: match a.state {
                        AccountState::Open => "open",
                        AccountState::Frozen => "frozen",
                        AccountState::Closed => "closed",
                        _ => "free",
                    }
                    .to_owned(),
                    balance: a.balance,
                    held: a.held,
                    pending: a.pending,
                    earned: a.earned,
                    spent: a.spent,
                    debited: a.debited,
                    generation: a.generation,
                });
            }
            Err(e) => {
                info.accounts_error = Some(e.into());
                break;
            }
        }
    }
    // Holds: the record words, read from the copy at offsets derived from the capacities the
    // ledger validated (so they are inside the region).
    let holds_base = ll::HEADER_LEN + ll::ACCOUNT_LEN * info.account_capacity as usize;
    for index in 0..info.hold_capacity {
        let at = holds_base + ll::HOLD_LEN * index as usize;
        let state = region.u64_at(at + ll::HO_STATE)?.load(Ordering::Relaxed);
        let st = state & 0xffff_ffff;
        if st == ll::HS_FREE {
            continue;
        }
        info.holds.push(HoldRow {
            index,
            state: match st {
                ll::HS_RESERVING => "reserving".to_owned(),
                ll::HS_PENDING => "pending".to_owned(),
                ll::HS_SETTLED => "settled".to_owned(),
                ll::HS_VOIDED => "voided".to_owned(),
                n => format!("unknown({n})"),
            },
            generation: (state >> 32) as u32,
            amount: region.i64_at(at + ll::HO_AMOUNT)?.load(Ordering::Relaxed),
            payer: region.u32_at(at + ll::HO_PAYER)?.load(Ordering::Relaxed),
        });
    }
    match ledger.audit() {
        Ok(r) => {
            info.audit = Some(AuditInfo {
                balanced: r.is_balanced(),
                balance: r.balance,
                held: r.held,
                pending: r.pending,
                minted: r.minted,
                burned: r.burned,
                pending_holds: r.pending_holds,
                holds_in_progress: r.holds_in_progress,
                accounts_in_use: r.accounts_in_use,
            })
        }
        Err(e) => info.audit_error = Some(e.into()),
    }
    Ok(info)
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
