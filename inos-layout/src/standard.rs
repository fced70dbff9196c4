//! The standard INOS layout: the seed's memory map, made consistent and checked, for the 32, 64
//! (default), 128 and 256 MiB tiers, and the typed table of epoch slots.
//!
//! Every tier has the same fixed regions at the same offsets; only the arena (the rest of the
//! region) and the total size differ, so each tier has its own fingerprint. The deviations from
//! the original INOS map, and the defects they fix, are listed in `docs/PROTOCOL.md` §3.
//!
//! ```
//! use inos_layout::standard::{self, epochs, StandardRegion, DEFAULT};
//! assert_eq!(DEFAULT.total_size(), 64 << 20);
//! let (_, inbox) = DEFAULT.find(StandardRegion::Inbox.name()).unwrap();
//! assert_eq!((inbox.offset, inbox.size), (0x5_0000, 512 * 1024));
//! // Epoch slots are 8 bytes: the word, then its waiter count.
//! assert_eq!(epochs::INBOX.offset(), standard::EPOCHS_OFFSET as usize + 8 * 3);
//! assert_eq!(epochs::INBOX.waiters_offset(), epochs::INBOX.offset() + 4);
//! ```

use crate::layout::{Layout, RegionKind, RegionSpec};

/// What an epoch slot's word means. One word, one meaning (INOS defect 20).
///
/// ```
/// use inos_layout::standard::EpochKind;
/// assert_eq!(EpochKind::Counter.name(), "counter");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum EpochKind {
    /// A monotonic, wrapping counter: signalled by adding 1, compared wrap-aware, never reset or
    /// "acknowledged" by storing 0 (INOS defect 14).
    Counter = 1,
    /// A 0/1 flag: set, clear, test-and-set.
    Flag = 2,
    /// A plain value (an offset, a count, a state) that may be waited on.
    Value = 3,
}

impl EpochKind {
    /// Lower-case name, as in the exports.
    ///
    /// ```
    /// assert_eq!(inos_layout::standard::EpochKind::Value.name(), "value");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Flag => "flag",
            Self::Value => "value",
        }
    }
}

/// Bytes per epoch slot: the `u32` word at +0 (counter / flag / value) and the `u32` waiter count
/// at +4 that `inos-epoch` maintains so that a signal with no sleeper skips the wake syscall.
pub const EPOCH_SLOT_LEN: u32 = 8;

/// One named epoch slot (or a pool of `count` consecutive slots) of the epochs region.
///
/// ```
/// use inos_layout::standard::{epochs, EPOCHS_OFFSET};
/// let s = epochs::SUPERVISOR;
/// assert_eq!(s.count, 32);
/// assert_eq!(s.nth_offset(1), Some(s.offset() + 8));
/// assert_eq!(s.nth_offset(32), None);
/// assert_eq!(epochs::KERNEL_READY.offset(), EPOCHS_OFFSET as usize);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochSlot {
    /// Name (unique; lower-case identifier).
    pub name: &'static str,
    /// Index of the (first) slot in the epochs region.
    pub index: u32,
    /// Number of consecutive slots (1 for a single slot, more for a pool).
    pub count: u32,
    /// What the word means.
    pub kind: EpochKind,
}

impl EpochSlot {
    const fn new(name: &'static str, index: u32, kind: EpochKind) -> Self {
        Self {
            name,
            index,
            count: 1,
            kind,
        }
    }

    /// Offset of the (first) slot's word inside the epochs region.
    ///
    /// ```
    /// assert_eq!(inos_layout::standard::epochs::SHUTDOWN.offset_in_region(), 8);
    /// ```
    pub const fn offset_in_region(&self) -> usize {
        (self.index * EPOCH_SLOT_LEN) as usize
    }

    /// Offset of the (first) slot's word from the shared region base.
    ///
    /// ```
    /// use inos_layout::standard::{epochs, EPOCHS_OFFSET};
    /// assert_eq!(epochs::KERNEL_READY.offset(), EPOCHS_OFFSET as usize);
    /// ```
    pub const fn offset(&self) -> usize {
        EPOCHS_OFFSET as usize + self.offset_in_region()
    }

    /// Offset of the (first) slot's waiter count from the shared region base.
    ///
    /// ```
    /// let s = inos_layout::standard::epochs::INBOX;
    /// assert_eq!(s.waiters_offset(), s.offset() + 4);
    /// ```
    pub const fn waiters_offset(&self) -> usize {
        self.offset() + 4
    }

    /// Offset of slot `i` of a pool from the shared region base, or `None` if `i >= count`.
    ///
    /// ```
    /// assert!(inos_layout::standard::epochs::INBOX.nth_offset(1).is_none());
    /// ```
    pub const fn nth_offset(&self, i: u32) -> Option<usize> {
        if i < self.count {
            Some(self.offset() + (i * EPOCH_SLOT_LEN) as usize)
        } else {
            None
        }
    }
}

/// The named epoch slots of the standard layout.
///
/// Renumbered from INOS (whose indices 32–38 overran the 128-byte flags region into the
/// supervisor allocation table, defect 20 and reference §1.3); see `docs/PROTOCOL.md` §3.3 for
/// the mapping.
pub mod epochs {
    use super::{EpochKind::*, EpochSlot};

    /// Set to 1 once the kernel is up (never reused for shutdown; INOS idx 0 meant both).
    pub const KERNEL_READY: EpochSlot = EpochSlot::new("kernel_ready", 0, Flag);
    /// Set to 1 to ask every party to shut down (a slot of its own, defect 20).
    pub const SHUTDOWN: EpochSlot = EpochSlot::new("shutdown", 1, Flag);
    /// Panic state (0 = none, otherwise a party-defined code).
    pub const PANIC: EpochSlot = EpochSlot::new("panic", 2, Value);
    /// Bumped after every message (batch) pushed to the inbox ring.
    pub const INBOX: EpochSlot = EpochSlot::new("inbox", 3, Counter);
    /// Bumped after every message (batch) pushed to the host outbox ring.
    pub const OUTBOX_HOST: EpochSlot = EpochSlot::new("outbox_host", 4, Counter);
    /// Bumped after every message (batch) pushed to the kernel outbox ring.
    pub const OUTBOX_KERNEL: EpochSlot = EpochSlot::new("outbox_kernel", 5, Counter);
    /// An explicit, opt-in aggregate "something changed" counter (no implicit fan-out, defect 19).
    pub const SYSTEM: EpochSlot = EpochSlot::new("system", 6, Counter);
    /// The host's frame / tick pulse.
    pub const PULSE: EpochSlot = EpochSlot::new("pulse", 7, Counter);
    /// Whether the host page is visible.
    pub const VISIBILITY: EpochSlot = EpochSlot::new("visibility", 8, Flag);
    /// Host power state (party-defined enumeration).
    pub const POWER_STATE: EpochSlot = EpochSlot::new("power_state", 9, Value);
    /// Sensor driver activity.
    pub const SENSOR: EpochSlot = EpochSlot::new("sensor", 10, Counter);
    /// Actor driver activity.
    pub const ACTOR: EpochSlot = EpochSlot::new("actor", 11, Counter);
    /// Storage driver activity.
    pub const STORAGE: EpochSlot = EpochSlot::new("storage", 12, Counter);
    /// The arena bump offset (relative to the arena region), a value, not a counter.
    pub const ARENA_ALLOC: EpochSlot = EpochSlot::new("arena_alloc", 13, Value);
    /// Mesh metrics updated.
    pub const METRICS: EpochSlot = EpochSlot::new("metrics", 14, Counter);
    /// Global analytics updated.
    pub const GLOBAL_METRICS: EpochSlot = EpochSlot::new("global_metrics", 15, Counter);
    /// Module registry changed.
    pub const REGISTRY: EpochSlot = EpochSlot::new("registry", 16, Counter);
    /// Bird (boids) frame published; its parity selects the ping-pong buffer.
    pub const BIRD: EpochSlot = EpochSlot::new("bird", 17, Counter);
    /// Matrix frame published; its parity selects the ping-pong buffer.
    pub const MATRIX: EpochSlot = EpochSlot::new("matrix", 18, Counter);
    /// Number of birds, a value (INOS kept it in an "epoch" slot, defect 20).
    pub const BIRD_COUNT: EpochSlot = EpochSlot::new("bird_count", 19, Value);
    /// Evolution step.
    pub const EVOLUTION: EpochSlot = EpochSlot::new("evolution", 20, Counter);
    /// Health report.
    pub const HEALTH: EpochSlot = EpochSlot::new("health", 21, Counter);
    /// Learning step.
    pub const LEARNING: EpochSlot = EpochSlot::new("learning", 22, Counter);
    /// Ledger / economy changed.
    pub const ECONOMY: EpochSlot = EpochSlot::new("economy", 23, Counter);
    /// Delegated job progress.
    pub const DELEGATED_JOB: EpochSlot = EpochSlot::new("delegated_job", 24, Counter);
    /// User job progress.
    pub const USER_JOB: EpochSlot = EpochSlot::new("user_job", 25, Counter);
    /// Delegated chunk progress.
    pub const DELEGATED_CHUNK: EpochSlot = EpochSlot::new("delegated_chunk", 26, Counter);
    /// Mesh event published.
    pub const MESH_EVENT: EpochSlot = EpochSlot::new("mesh_event", 27, Counter);
    /// Mesh event queue head (a monotonic index, consumer-owned).
    pub const MESH_EVENT_HEAD: EpochSlot = EpochSlot::new("mesh_event_head", 28, Value);
    /// Mesh event queue tail (a monotonic index, producer-owned).
    pub const MESH_EVENT_TAIL: EpochSlot = EpochSlot::new("mesh_event_tail", 29, Value);
    /// Mesh events dropped.
    pub const MESH_EVENT_DROPPED: EpochSlot = EpochSlot::new("mesh_event_dropped", 30, Counter);
    /// One counter per supervisor (32, matching the 32 supervisor headers); replaces INOS's
    /// overlapping supervisor and reserved pools.
    pub const SUPERVISOR: EpochSlot = EpochSlot {
        name: "supervisor",
        index: 32,
        count: 32,
        kind: Counter,
    };
}

/// Every epoch slot of the standard layout, by index.
pub const EPOCH_SLOTS: &[EpochSlot] = &[
    epochs::KERNEL_READY,
    epochs::SHUTDOWN,
    epochs::PANIC,
    epochs::INBOX,
    epochs::OUTBOX_HOST,
    epochs::OUTBOX_KERNEL,
    epochs::SYSTEM,
    epochs::PULSE,
    epochs::VISIBILITY,
    epochs::POWER_STATE,
    epochs::SENSOR,
    epochs::ACTOR,
    epochs::STORAGE,
    epochs::ARENA_ALLOC,
    epochs::METRICS,
    epochs::GLOBAL_METRICS,
    epochs::REGISTRY,
    epochs::BIRD,
    epochs::MATRIX,
    epochs::BIRD_COUNT,
    epochs::EVOLUTION,
    epochs::HEALTH,
    epochs::LEARNING,
    epochs::ECONOMY,
    epochs::DELEGATED_JOB,
    epochs::USER_JOB,
    epochs::DELEGATED_CHUNK,
    epochs::MESH_EVENT,
    epochs::MESH_EVENT_HEAD,
    epochs::MESH_EVENT_TAIL,
    epochs::MESH_EVENT_DROPPED,
    epochs::SUPERVISOR,
];

/// Number of 8-byte slots the epochs region holds: one past the highest slot of the table.
pub const EPOCH_CAPACITY: u32 = check_epoch_table(EPOCH_SLOTS);

/// Offset of the epochs region.
pub const EPOCHS_OFFSET: u32 = 0x400;

/// Size of the epochs region: the table's capacity in 8-byte slots, rounded up to 128 bytes. No
/// slot of [`EPOCH_SLOTS`] can lie outside it (checked at compile time).
pub const EPOCHS_SIZE: u32 = (EPOCH_CAPACITY * EPOCH_SLOT_LEN).div_ceil(128) * 128;

/// Checks the epoch table (sorted, disjoint, non-empty pools, unique names) and returns its
/// capacity in slots. A bad table fails to compile.
const fn check_epoch_table(slots: &[EpochSlot]) -> u32 {
    let mut next = 0u32;
    let mut i = 0;
    while i < slots.len() {
        let s = &slots[i];
        assert!(s.count > 0, "epoch slot pool with count 0");
        assert!(s.index >= next, "epoch slots overlap or are not sorted");
        let mut j = 0;
        while j < i {
            assert!(!str_eq(slots[j].name, s.name), "duplicate epoch slot name");
            j += 1;
        }
        next = s.index + s.count;
        i += 1;
    }
    next
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Bytes per module registry entry (`inos-registry`, `docs/protocol/registry.md`; INOS used 96,
/// reference §5.2).
pub const MODULE_ENTRY_LEN: u32 = 88;
/// Number of module registry entries.
pub const MODULE_SLOTS: u32 = 64;
/// Size of the `module_registry` region: the 64-byte table header and the entries fit in it.
pub const MODULE_REGISTRY_SIZE: u32 = 6 * 1024;
/// Bytes per supervisor header (`inos-registry`).
pub const SUPERVISOR_ENTRY_LEN: u32 = 120;
/// Number of supervisor headers.
pub const SUPERVISOR_SLOTS: u32 = 32;
/// Size of the `supervisors` region: the 64-byte table header and the entries fit in it.
pub const SUPERVISORS_SIZE: u32 = 4 * 1024;

// The registry tables (a 64-byte header, then the entries) fit their regions.
const _: () = assert!(64 + MODULE_SLOTS * MODULE_ENTRY_LEN <= MODULE_REGISTRY_SIZE);
const _: () = assert!(64 + SUPERVISOR_SLOTS * SUPERVISOR_ENTRY_LEN <= SUPERVISORS_SIZE);
/// Bytes per pattern exchange entry.
pub const PATTERN_ENTRY_LEN: u32 = 64;
/// Number of pattern exchange entries.
pub const PATTERN_SLOTS: u32 = 1024;

/// Offset of the arena: everything from here to the end of the region.
pub const ARENA_OFFSET: u32 = 0x15_0000;

const KIB: u32 = 1024;

/// The regions of the standard layout, in offset order (their position is their id).
///
/// ```
/// use inos_layout::standard::{StandardRegion, DEFAULT};
/// assert_eq!(StandardRegion::Arena.index(), DEFAULT.len() - 1);
/// assert_eq!(StandardRegion::ALL.len(), DEFAULT.len());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum StandardRegion {
    /// Header and region directory.
    Header = 0,
    /// Epoch / flag / value slots.
    Epochs,
    /// Module registry, 64 × 88 B (`inos-registry`).
    ModuleRegistry,
    /// Supervisor headers, 32 × 120 B (`inos-registry`).
    Supervisors,
    /// Mesh metrics.
    MeshMetrics,
    /// Global analytics.
    Analytics,
    /// Identity registry.
    Identity,
    /// Social graph.
    Social,
    /// Pattern exchange, 1024 × 64 B.
    Patterns,
    /// The credit ledger (`inos-ledger` formats inside it).
    Ledger,
    /// Job history.
    JobHistory,
    /// Coordination (knowledge graph).
    Coordination,
    /// Kernel → module ring.
    Inbox,
    /// Kernel → host results ring.
    OutboxHost,
    /// Module → kernel ring.
    OutboxKernel,
    /// Everything else.
    Arena,
}

impl StandardRegion {
    /// Every standard region, in offset order.
    pub const ALL: [Self; 16] = [
        Self::Header,
        Self::Epochs,
        Self::ModuleRegistry,
        Self::Supervisors,
        Self::MeshMetrics,
        Self::Analytics,
        Self::Identity,
        Self::Social,
        Self::Patterns,
        Self::Ledger,
        Self::JobHistory,
        Self::Coordination,
        Self::Inbox,
        Self::OutboxHost,
        Self::OutboxKernel,
        Self::Arena,
    ];

    /// Position of the region in the standard layouts.
    ///
    /// ```
    /// assert_eq!(inos_layout::standard::StandardRegion::Epochs.index(), 1);
    /// ```
    pub const fn index(self) -> usize {
        self as usize
    }

    /// What the region holds (one line, as in the spec).
    ///
    /// ```
    /// assert!(!inos_layout::standard::StandardRegion::Inbox.description().is_empty());
    /// ```
    pub const fn description(self) -> &'static str {
        match self {
            Self::Header => "header (128 B) and region directory (32 B per region)",
            Self::Epochs => "epoch / flag / value slots, 8 B each (word, waiter count)",
            Self::ModuleRegistry => "module registry (inos-registry), 64 entries of 88 B",
            Self::Supervisors => "supervisor headers (inos-registry), 32 entries of 120 B",
            Self::MeshMetrics => "mesh metrics snapshot",
            Self::Analytics => "global analytics snapshot",
            Self::Identity => "identity registry",
            Self::Social => "social graph",
            Self::Patterns => "pattern exchange, 1024 entries of 64 B",
            Self::Ledger => "credit ledger (formatted by inos-ledger)",
            Self::JobHistory => "job history",
            Self::Coordination => "coordination (knowledge graph)",
            Self::Inbox => "kernel to module message ring (inos-ring)",
            Self::OutboxHost => "kernel to host message ring (inos-ring)",
            Self::OutboxKernel => "module to kernel message ring (inos-ring)",
            Self::Arena => "arena: the rest of the region",
        }
    }

    /// The region's directory name.
    ///
    /// ```
    /// assert_eq!(inos_layout::standard::StandardRegion::OutboxHost.name(), "outbox_host");
    /// ```
    pub const fn name(self) -> &'static str {
        FIXED[self as usize].name
    }
}

impl crate::attach::RegionId for StandardRegion {
    fn position(&self, layout: &Layout) -> Option<usize> {
        layout.find(self.name()).map(|(i, _)| i)
    }

    fn not_found(&self, layout: &Layout) -> crate::RegionNotFound {
        crate::RegionNotFound::named(self.name(), layout.len())
    }
}

/// The fixed part of the standard table (the arena's size is filled in per tier).
const FIXED: [RegionSpec; 16] = [
    RegionSpec::new("header", 0, 0x400, 128, RegionKind::HEADER),
    RegionSpec::new(
        "epochs",
        EPOCHS_OFFSET,
        EPOCHS_SIZE,
        128,
        RegionKind::EPOCHS,
    ),
    RegionSpec::new(
        "module_registry",
        0x800,
        MODULE_REGISTRY_SIZE,
        128,
        RegionKind::TABLE,
    ),
    RegionSpec::new(
        "supervisors",
        0x2000,
        SUPERVISORS_SIZE,
        128,
        RegionKind::TABLE,
    ),
    RegionSpec::new("mesh_metrics", 0x4000, 256, 128, RegionKind::DATA),
    RegionSpec::new("analytics", 0x4100, 256, 128, RegionKind::DATA),
    RegionSpec::new("identity", 0x8000, 16 * KIB, 128, RegionKind::TABLE),
    RegionSpec::new("social", 0xC000, 16 * KIB, 128, RegionKind::TABLE),
    RegionSpec::new(
        "patterns",
        0x1_0000,
        PATTERN_SLOTS * PATTERN_ENTRY_LEN,
        128,
        RegionKind::TABLE,
    ),
    RegionSpec::new("ledger", 0x2_0000, 64 * KIB, 128, RegionKind::LEDGER),
    RegionSpec::new("job_history", 0x3_0000, 64 * KIB, 128, RegionKind::DATA),
    RegionSpec::new("coordination", 0x4_0000, 64 * KIB, 128, RegionKind::DATA),
    RegionSpec::new("inbox", 0x5_0000, 512 * KIB, 128, RegionKind::RING),
    RegionSpec::new("outbox_host", 0xD_0000, 256 * KIB, 128, RegionKind::RING),
    RegionSpec::new("outbox_kernel", 0x11_0000, 256 * KIB, 128, RegionKind::RING),
    RegionSpec::new("arena", ARENA_OFFSET, 0, 65536, RegionKind::ARENA),
];

/// The standard table for a region of `total_size` bytes (the arena takes the rest).
const fn specs(total_size: u64) -> [RegionSpec; 16] {
    let mut s = FIXED;
    let arena = total_size.saturating_sub(ARENA_OFFSET as u64);
    s[15].size = if arena > u32::MAX as u64 {
        u32::MAX
    } else {
        arena as u32
    };
    s
}

/// The standard layout for any total size from [`MIN_TOTAL_SIZE`] to 4 GiB (a multiple of 64 KiB
/// keeps the arena's end page-aligned, but is not required).
///
/// # Errors
/// [`LayoutError`](crate::LayoutError) if `total_size` is too small or too large.
///
/// ```
/// use inos_layout::standard::{standard, STANDARD_64MIB};
/// assert!(standard(64 << 20).unwrap().same_as(&STANDARD_64MIB));
/// assert!(standard(1 << 20).is_err());
/// ```
pub const fn standard(total_size: u64) -> Result<Layout, crate::LayoutError> {
    if total_size >= ARENA_OFFSET as u64 + u32::MAX as u64 {
        return Err(crate::LayoutError::TotalTooLarge { total: total_size });
    }
    Layout::from_specs(total_size, &specs(total_size))
}

/// The smallest total size of a standard layout (the fixed regions plus a 64 KiB arena).
pub const MIN_TOTAL_SIZE: u64 = ARENA_OFFSET as u64 + 64 * 1024;

/// The 32 MiB ("light") tier.
pub const STANDARD_32MIB: Layout = Layout::checked(32 << 20, &specs(32 << 20));
/// The 64 MiB ("moderate") tier, the default.
pub const STANDARD_64MIB: Layout = Layout::checked(64 << 20, &specs(64 << 20));
/// The 128 MiB ("heavy") tier.
pub const STANDARD_128MIB: Layout = Layout::checked(128 << 20, &specs(128 << 20));
/// The 256 MiB ("dedicated") tier.
pub const STANDARD_256MIB: Layout = Layout::checked(256 << 20, &specs(256 << 20));

/// The default standard layout: [`STANDARD_64MIB`].
pub const DEFAULT: Layout = STANDARD_64MIB;

/// The tiers, with their names.
///
/// ```
/// let (name, layout) = inos_layout::standard::TIERS[1];
/// assert_eq!((name, layout.total_size()), ("64mib", 64 << 20));
/// ```
pub const TIERS: [(&str, Layout); 4] = [
    ("32mib", STANDARD_32MIB),
    ("64mib", STANDARD_64MIB),
    ("128mib", STANDARD_128MIB),
    ("256mib", STANDARD_256MIB),
];

// The header region must hold the header and a directory of all 16 entries.
const _: () = assert!(STANDARD_64MIB.directory_end() <= FIXED[0].size as u64);
// The epochs region must end before the module registry (also implied by the layout check).
const _: () = assert!(EPOCHS_OFFSET + EPOCHS_SIZE <= 0x800);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_regions_match_their_ids() {
        for (name, l) in TIERS {
            assert_eq!(l.len(), StandardRegion::ALL.len(), "{name}");
            for r in StandardRegion::ALL {
                assert!(l.entries()[r.index()].name.eq_str(r.name()));
            }
            let arena = l.entries()[StandardRegion::Arena.index()];
            assert_eq!(arena.end(), l.total_size());
        }
    }

    #[test]
    fn tiers_share_offsets_but_not_fingerprints() {
        let fps: std::vec::Vec<u64> = TIERS.iter().map(|(_, l)| l.fingerprint()).collect();
        for i in 0..fps.len() {
            for j in 0..i {
                assert_ne!(fps[i], fps[j]);
            }
        }
        for (_, l) in TIERS {
            for (a, b) in l.entries().iter().zip(STANDARD_64MIB.entries()).take(15) {
                assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn inos_offsets_kept_where_consistent() {
        let at = |n: &str| STANDARD_64MIB.find(n).unwrap().1.offset;
        assert_eq!(at("supervisors"), 0x2000);
        assert_eq!(at("mesh_metrics"), 0x4000);
        assert_eq!(at("analytics"), 0x4100);
        assert_eq!(at("identity"), 0x8000);
        assert_eq!(at("social"), 0xC000);
        assert_eq!(at("patterns"), 0x1_0000);
        assert_eq!(at("coordination"), 0x4_0000);
        assert_eq!(at("inbox"), 0x5_0000);
        assert_eq!(at("outbox_host"), 0xD_0000);
        assert_eq!(at("outbox_kernel"), 0x11_0000);
        assert_eq!(at("arena"), 0x15_0000);
    }

    #[test]
    fn every_epoch_slot_lies_inside_the_epochs_region() {
        let (_, e) = STANDARD_64MIB.find("epochs").unwrap();
        for s in EPOCH_SLOTS {
            let last = s.nth_offset(s.count - 1).unwrap();
            assert!(s.offset() >= e.offset as usize);
            assert!(
                last + EPOCH_SLOT_LEN as usize <= e.end() as usize,
                "{}",
                s.name
            );
            assert_eq!(s.offset() % 8, 0);
        }
        assert_eq!(EPOCH_CAPACITY, 64);
        assert_eq!(EPOCHS_SIZE, 512);
    }

    #[test]
    fn standard_fn_covers_other_sizes() {
        assert!(standard(MIN_TOTAL_SIZE).is_ok());
        assert!(standard(MIN_TOTAL_SIZE - 64 * 1024).is_err());
        assert!(standard(1 << 32).is_ok(), "4 GiB, the wasm32 limit");
        assert!(standard((1 << 32) + 8).is_err());
        assert!(standard(u64::MAX).is_err());
    }
}
