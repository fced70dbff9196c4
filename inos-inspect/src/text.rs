//! [`render_text`]: the human-readable report.

use std::fmt::Write;

use crate::rates::Rates;
use crate::snapshot::{EpochRegion, LedgerReport, RingInfo, RingReport, Snapshot};

/// Accounts listed per ledger in the text report (JSON lists them all).
pub const TEXT_MAX_ACCOUNTS: usize = 32;
/// Holds listed per ledger in the text report (JSON lists them all).
pub const TEXT_MAX_HOLDS: usize = 16;

/// Renders a snapshot (and, in `--watch`, the rates since the previous one) as text.
///
/// Epoch slots: every named single slot is listed; slots of a pool (`supervisor[i]`) and
/// unnamed slots only when their word or waiter count is not zero (the JSON document lists every
/// slot).
///
/// ```no_run
/// let s = inos_inspect::snapshot_file("/dev/shm/inos", &Default::default()).unwrap();
/// print!("{}", inos_inspect::render_text(&s, None));
/// ```
pub fn render_text(s: &Snapshot, rates: Option<&Rates>) -> String {
    let mut o = String::new();
    let h = &s.header;
    let _ = writeln!(o, "inos-inspect {} ({} bytes)", s.file, s.file_len);
    let _ = writeln!(
        o,
        "header     version {}.{}  generation {}  total {} B  fingerprint {}{}",
        h.version_major,
        h.version_minor,
        h.generation,
        h.total_size,
        h.fingerprint,
        match &h.standard {
            Some(t) => format!(" (standard {t})"),
            None => String::new(),
        }
    );
    let _ = writeln!(
        o,
        "           init {}  header_len {}  features {:#x}  regions {}",
        h.init_state, h.header_len, h.features, h.region_count
    );
    let _ = writeln!(o, "\ndirectory");
    let _ = writeln!(
        o,
        "  {:>2}  {:<15}  {:<7}  {:>10}  {:>10}  {:>5}",
        "#", "name", "kind", "offset", "size", "align"
    );
    for e in &s.directory {
        let _ = writeln!(
            o,
            "  {:>2}  {:<15}  {:<7}  {:>10}  {:>10}  {:>5}",
            e.index,
            e.name,
            e.kind,
            format!("0x{:06x}", e.offset),
            e.size,
            e.align
        );
    }
    for e in &s.epochs {
        epochs(&mut o, e);
    }
    for r in &s.rings {
        ring(&mut o, r);
    }
    for l in &s.ledgers {
        ledger(&mut o, l);
    }
    if !s.opaque.is_empty() {
        let _ = writeln!(o, "\nnot decoded");
        for r in &s.opaque {
            let _ = writeln!(o, "  {:<15}  {:<7}  {}", r.region, r.kind, r.note);
        }
    }
    if let Some(r) = rates {
        rates_text(&mut o, r);
    }
    o
}

fn epochs(o: &mut String, e: &EpochRegion) {
    let _ = writeln!(
        o,
        "\nepochs `{}` @0x{:06x}: {} slots",
        e.region,
        e.offset,
        e.slots.len()
    );
    if let Some(err) = &e.error {
        let _ = writeln!(o, "  ERROR {err}");
    }
    let _ = writeln!(
        o,
        "  {:>3}  {:<20}  {:<7}  {:>10}  {:>7}",
        "#", "name", "kind", "value", "waiters"
    );
    let mut hidden = 0;
    for s in &e.slots {
        let pool = s.name.as_deref().is_some_and(|n| n.contains('['));
        if (s.name.is_none() || pool) && s.value == 0 && s.waiters == 0 {
            hidden += 1;
            continue;
        }
        let _ = writeln!(
            o,
            "  {:>3}  {:<20}  {:<7}  {:>10}  {:>7}",
            s.index,
            s.name.as_deref().unwrap_or("-"),
            s.kind.as_deref().unwrap_or("-"),
            s.value,
            s.waiters
        );
    }
    if hidden > 0 {
        let _ = writeln!(o, "  ({hidden} pool or unnamed slots are zero, not shown)");
    }
}

fn ring(o: &mut String, r: &RingReport) {
    let _ = write!(
        o,
        "\nring `{}` @0x{:06x} ({} B): ",
        r.region, r.offset, r.size
    );
    let Some(i) = &r.ring else {
        let _ = writeln!(
            o,
            "ERROR {}",
            r.error
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        return;
    };
    ring_body(o, i);
}

fn ring_body(o: &mut String, i: &RingInfo) {
    let _ = writeln!(
        o,
        "{}, mode {}, capacity {} ({})",
        i.kind.to_uppercase(),
        i.mode,
        i.capacity,
        if i.message_size == 0 {
            format!("max message {}", i.max_message)
        } else {
            format!("fixed {}-byte messages", i.message_size)
        }
    );
    let pct = if i.capacity > 0 {
        100.0 * f64::from(i.used_bytes) / f64::from(i.capacity)
    } else {
        0.0
    };
    let _ = writeln!(
        o,
        "  head {}  tail {}  used {} B ({pct:.2}%)  release_to {}",
        i.head, i.tail, i.used_bytes, i.release_to
    );
    let producers = if i.kind == "spsc" {
        format!("producer {}", holder(i.producer_role))
    } else {
        format!("producers {}", i.producer_role)
    };
    let _ = writeln!(
        o,
        "  consumer {}  {producers}  dropped {}  aborted {}  unblocked {}",
        holder(i.consumer_role),
        i.dropped,
        i.aborted,
        i.unblocked
    );
    let _ = writeln!(
        o,
        "  data epoch {} ({} waiting)  space epoch {} ({} waiting)",
        i.data_epoch.value, i.data_epoch.waiters, i.space_epoch.value, i.space_epoch.waiters
    );
    if i.records.is_empty() && i.records_error.is_none() {
        let _ = writeln!(o, "  no committed record at the head");
    }
    for (n, rec) in i.records.iter().enumerate() {
        let text: String = rec
            .head
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "  record {n}  @{:<6}  {:>6} B  {:<47}  |{text}|{}",
            rec.data_offset,
            rec.len,
            rec.head_hex,
            if rec.len as usize > rec.head.len() {
                " ..."
            } else {
                ""
            }
        );
    }
    if i.more_records {
        let _ = writeln!(o, "  (more records follow)");
    }
    if let Some(e) = &i.records_error {
        let _ = writeln!(
            o,
            "  ERROR reading records: {e} (a busy ring may be caught mid-write: re-run)"
        );
    }
}

/// A role word: free, or held by a party id with what this machine can tell of its liveness (a
/// process id is probed with `kill(pid, 0)`, read-only).
fn holder(word: u32) -> String {
    match inos_ring::PartyId::new(word) {
        None => "free".into(),
        Some(id) if id == inos_ring::PartyId::ANONYMOUS => "held (anonymous)".into(),
        Some(id) => match id.liveness() {
            inos_ring::Liveness::Alive => format!("held by {id} (alive)"),
            inos_ring::Liveness::Dead => format!("held by {id} (DEAD: see the recovery matrix)"),
            inos_ring::Liveness::Unknown => format!("held by {id}"),
        },
    }
}

fn ledger(o: &mut String, l: &LedgerReport) {
    let _ = write!(
        o,
        "\nledger `{}` @0x{:06x} ({} B): ",
        l.region, l.offset, l.size
    );
    let Some(i) = &l.ledger else {
        let _ = writeln!(
            o,
            "ERROR {}",
            l.error
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        return;
    };
    let _ = writeln!(
        o,
        "{} accounts ({} in use), {} holds ({} in use)",
        i.account_capacity,
        i.accounts.len(),
        i.hold_capacity,
        i.holds.len()
    );
    let _ = writeln!(
        o,
        "  minted {}  burned {}  audits {} ({} unbalanced)",
        i.minted, i.burned, i.audits, i.audits_unbalanced
    );
    if !i.accounts.is_empty() {
        let _ = writeln!(
            o,
            "  {:>7}  {:<6}  {:>12}  {:>10}  {:>10}  {:>12}  {:>12}  {:>4}",
            "account", "state", "balance", "held", "pending", "earned", "spent", "gen"
        );
    }
    for a in i.accounts.iter().take(TEXT_MAX_ACCOUNTS) {
        let _ = writeln!(
            o,
            "  {:>7}  {:<6}  {:>12}  {:>10}  {:>10}  {:>12}  {:>12}  {:>4}",
            a.index, a.state, a.balance, a.held, a.pending, a.earned, a.spent, a.generation
        );
    }
    if i.accounts.len() > TEXT_MAX_ACCOUNTS {
        let _ = writeln!(
            o,
            "  ... {} more accounts",
            i.accounts.len() - TEXT_MAX_ACCOUNTS
        );
    }
    for h in i.holds.iter().take(TEXT_MAX_HOLDS) {
        let _ = writeln!(
            o,
            "  hold {:>4}  {:<9}  gen {}  amount {}  payer {}",
            h.index, h.state, h.generation, h.amount, h.payer
        );
    }
    if i.holds.len() > TEXT_MAX_HOLDS {
        let _ = writeln!(o, "  ... {} more holds", i.holds.len() - TEXT_MAX_HOLDS);
    }
    if let Some(e) = &i.accounts_error {
        let _ = writeln!(o, "  ERROR reading accounts: {e}");
    }
    match (&i.audit, &i.audit_error) {
        (Some(a), _) => {
            let _ = writeln!(
                o,
                "  audit: {}  balance {} + held {} + pending {} = {}, minted {} - burned {} = {}; pending holds {}; in flight {}",
                if a.balanced { "BALANCED" } else { "NOT BALANCED" },
                a.balance,
                a.held,
                a.pending,
                a.balance + a.held + a.pending,
                a.minted,
                a.burned,
                i128::from(a.minted) - i128::from(a.burned),
                a.pending_holds,
                a.holds_in_progress
            );
        }
        (None, Some(e)) => {
            let _ = writeln!(o, "  audit: ERROR {e}");
        }
        (None, None) => {}
    }
}

fn rates_text(o: &mut String, r: &Rates) {
    let _ = writeln!(o, "\nrates over the last {:.2} s", r.interval_secs);
    if r.reformatted {
        let _ = writeln!(o, "  region re-formatted since the last snapshot: no rates");
        return;
    }
    for x in &r.rings {
        let _ = writeln!(
            o,
            "  ring `{}`: produced {:.0} B/s, consumed {:.0} B/s",
            x.region, x.produced_bytes_per_sec, x.consumed_bytes_per_sec
        );
    }
    for x in &r.ledgers {
        let _ = writeln!(
            o,
            "  ledger `{}`: {:.1} credits/s moved",
            x.region, x.credits_per_sec
        );
    }
    if r.epochs.is_empty() {
        let _ = writeln!(o, "  epochs: no counter moved");
    }
    for x in &r.epochs {
        let _ = writeln!(
            o,
            "  epoch {} ({}): {:.1} signals/s",
            x.index,
            x.name.as_deref().unwrap_or("-"),
            x.signals_per_sec
        );
    }
}
