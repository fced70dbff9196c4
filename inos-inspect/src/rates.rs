//! [`rates`]: what changed between two snapshots, per second (`--watch`).

use std::time::Duration;

use serde::Serialize;

use crate::snapshot::Snapshot;

/// Rates between two snapshots of the same file.
#[derive(Clone, Debug, Serialize)]
pub struct Rates {
    /// Seconds between the two snapshots (as given to [`rates`]).
    pub interval_secs: f64,
    /// The boot generation changed (the region was re-formatted): no rates are computed.
    pub reformatted: bool,
    /// Per ring: bytes produced (`TAIL` delta) and consumed (`HEAD` delta).
    pub rings: Vec<RingRate>,
    /// Per ledger: credits moved (delta of Σ `spent`).
    pub ledgers: Vec<LedgerRate>,
    /// Per counter epoch slot that moved: signals (wrapping delta of its word).
    pub epochs: Vec<EpochRate>,
}

/// Ring throughput between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RingRate {
    /// Region name.
    pub region: String,
    /// `TAIL` delta (wrapping `u32`): bytes of records and padding produced.
    pub produced_bytes: u32,
    /// `HEAD` delta (wrapping `u32`): bytes consumed.
    pub consumed_bytes: u32,
    /// `produced_bytes` per second.
    pub produced_bytes_per_sec: f64,
    /// `consumed_bytes` per second.
    pub consumed_bytes_per_sec: f64,
}

/// Ledger activity between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LedgerRate {
    /// Region name.
    pub region: String,
    /// Delta of Σ `spent` over the accounts: money paid out by transfers, settles and burns.
    pub credits_moved: i128,
    /// `credits_moved` per second.
    pub credits_per_sec: f64,
}

/// Signals of one epoch counter between two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EpochRate {
    /// Epochs region name.
    pub region: String,
    /// Slot index.
    pub index: u32,
    /// Standard name, if known.
    pub name: Option<String>,
    /// Wrapping delta of the counter.
    pub signals: u32,
    /// `signals` per second.
    pub signals_per_sec: f64,
}

/// Computes the rates from `prev` to `next`, taken `interval` apart.
///
/// Ring positions and epoch counters are monotonic wrapping `u32`s, so deltas use wrapping
/// arithmetic. Only counter slots (and slots of unknown kind) that moved are listed; flags and
/// values are not signals. A ring, ledger or slot present in only one snapshot (or undecodable in
/// either) is skipped, and nothing is computed across a re-format (`reformatted`).
///
/// ```no_run
/// use std::time::Duration;
/// let o = inos_inspect::Options::default();
/// let a = inos_inspect::snapshot_file("/dev/shm/inos", &o).unwrap();
/// std::thread::sleep(Duration::from_secs(1));
/// let b = inos_inspect::snapshot_file("/dev/shm/inos", &o).unwrap();
/// let r = inos_inspect::rates(&a, &b, Duration::from_secs(1));
/// for ring in &r.rings {
///     println!("{}: {:.0} B/s in", ring.region, ring.produced_bytes_per_sec);
/// }
/// ```
pub fn rates(prev: &Snapshot, next: &Snapshot, interval: Duration) -> Rates {
    let secs = interval.as_secs_f64();
    let per_sec = |n: f64| if secs > 0.0 { n / secs } else { 0.0 };
    let mut out = Rates {
        interval_secs: secs,
        reformatted: prev.header.generation != next.header.generation
            || prev.header.fingerprint != next.header.fingerprint,
        rings: Vec::new(),
        ledgers: Vec::new(),
        epochs: Vec::new(),
    };
    if out.reformatted {
        return out;
    }
    for n in &next.rings {
        let (Some(b), Some(a)) = (
            n.ring.as_ref(),
            prev.ring(&n.region).and_then(|r| r.ring.as_ref()),
        ) else {
            continue;
        };
        let produced = b.tail.wrapping_sub(a.tail);
        let consumed = b.head.wrapping_sub(a.head);
        out.rings.push(RingRate {
            region: n.region.clone(),
            produced_bytes: produced,
            consumed_bytes: consumed,
            produced_bytes_per_sec: per_sec(f64::from(produced)),
            consumed_bytes_per_sec: per_sec(f64::from(consumed)),
        });
    }
    for n in &next.ledgers {
        let (Some(b), Some(a)) = (
            n.ledger.as_ref(),
            prev.ledger(&n.region).and_then(|r| r.ledger.as_ref()),
        ) else {
            continue;
        };
        let moved = b.total_spent - a.total_spent;
        out.ledgers.push(LedgerRate {
            region: n.region.clone(),
            credits_moved: moved,
            credits_per_sec: per_sec(moved as f64),
        });
    }
    for n in &next.epochs {
        let Some(p) = prev.epochs.iter().find(|p| p.region == n.region) else {
            continue;
        };
        for s in &n.slots {
            if !matches!(s.kind.as_deref(), None | Some("counter")) {
                continue;
            }
            let Some(old) = p.slots.iter().find(|o| o.index == s.index) else {
                continue;
            };
            let signals = s.value.wrapping_sub(old.value);
            if signals == 0 {
                continue;
            }
            out.epochs.push(EpochRate {
                region: n.region.clone(),
                index: s.index,
                name: s.name.clone(),
                signals,
                signals_per_sec: per_sec(f64::from(signals)),
            });
        }
    }
    out
}
