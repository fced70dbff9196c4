//! # inos-inspect
//!
//! Looks at an inos region file (an `mmap`ed file in `/dev/shm`, a dump) **without writing to it
//! or blocking any party**, and prints the header and directory, every epoch slot, every ring
//! (positions, roles, counters, the first records decoded) and every ledger (accounts, holds and
//! a live audit); `--json` for scripts, `--watch` for a `top`-like view with rates.
//!
//! ## Safety design: a private snapshot, never the live memory
//!
//! The crates' APIs are built for *parties*: attaching to a ring claims a role, an audit bumps a
//! counter in the header, and every access is an atomic operation on memory other parties write.
//! An inspector must not be a party. So `inos-inspect`:
//!
//! 1. opens the file **read-only** (`File::open`) and never maps it: no writable mapping, no
//!    shared mapping at all, so nothing it does can reach the live bytes or another process;
//! 2. allocates a private, zeroed, 128-byte-aligned [`RegionBuf`](inos_layout::RegionBuf) as
//!    long as the file (at most 4 GiB, lazily committed) and copies into it, with positional reads
//!    (`FileExt::read_exact_at`), first the header (and the directory where the header says it
//!    is), at the same offsets;
//! 3. validates the header and directory with the crates' own code, `inos_layout::attach_any`
//!    with [`WaitPolicy::NO_WAIT`](inos_layout::WaitPolicy::NO_WAIT) on the copy: a truncated,
//!    unformatted, half-formatted or hostile file gives the same typed
//!    [`AttachError`](inos_layout::AttachError) an attaching party would get
//!    ([`InspectError::Attach`]);
//! 4. copies the byte ranges of the regions it decodes (`epochs`, `ring`, `ledger`; not the arena
//!    or other opaque regions, and no region larger than [`Options::max_region_bytes`]) into the
//!    same buffer at the same offsets, and decodes each with the crates' typed APIs on the copy:
//!    `inos_epoch::Epoch::{load, waiters}`, `inos_ring::Ring::attach` / `stats` / `used_bytes`,
//!    `inos_ledger::Ledger::attach` / `account` / `audit`. A corrupt region gives that crate's
//!    typed error on that region's line ([`RegionError`]); the others are still shown.
//!
//! Because the copy is private, the inspector may do things a live observer never could: it
//! frees the ring's consumer role on the copy (`force_release(Role::Consumer)`), claims it, and
//! reads and releases the first records with a real `Consumer`; `Ledger::audit` bumps the copy's
//! audit counter (the report shows the counters as found in the file). None of it reaches the
//! file, whose bytes and modification time stay unchanged (tested).
//!
//! **A snapshot of a busy region is not atomic.** The file is read region by region, and each
//! `pread` copies bytes while other parties may be writing them, so the snapshot is not a
//! consistent cut across words: a record being overwritten may decode as corrupt (a `ring:`
//! error on its records), positions may be a few records apart from the data, an audit taken
//! while money is in flight may be reported as not balanced. Re-run (or watch) to tell a
//! transient reading from a real corruption. A quiescent region is read exactly.
//!
//! ## Use
//!
//! ```text
//! inos-inspect <FILE> [--json] [--records N] [--watch [SECS]] [--iterations N]
//! ```
//!
//! Exit codes: 0 every region decoded; 1 the file could not be read; 2 bad arguments; 3 the
//! header or directory was refused (typed error printed); 4 printed, but at least one region
//! failed to decode.
//!
//! From Rust, [`snapshot_file`] takes a snapshot, [`render_text`] / [`to_json`] print it and
//! [`rates`] compares two:
//!
//! ```no_run
//! use inos_inspect::{render_text, snapshot_file, Options};
//! let snap = snapshot_file("/dev/shm/inos", &Options { records: 8, ..Options::default() })?;
//! for ring in &snap.rings {
//!     if let Some(r) = &ring.ring {
//!         println!("{}: {} bytes queued", ring.region, r.used_bytes);
//!     }
//! }
//! print!("{}", render_text(&snap, None));
//! # Ok::<(), inos_inspect::InspectError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod rates;
mod snapshot;
mod text;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

pub use error::{InspectError, RegionError};
pub use rates::{rates, EpochRate, LedgerRate, Rates, RingRate};
pub use snapshot::{
    snapshot_file, AccountRow, AuditInfo, DirEntry, EpochRegion, EpochSlotInfo, HeaderInfo,
    HoldRow, LedgerInfo, LedgerReport, OpaqueRegion, Options, RecordInfo, RingInfo, RingReport,
    SlotValue, Snapshot, DEFAULT_MAX_REGION_BYTES, DEFAULT_RECORDS, RECORD_PREVIEW, SCHEMA_VERSION,
};
pub use text::{render_text, TEXT_MAX_ACCOUNTS, TEXT_MAX_HOLDS};

/// Exit code: every region decoded.
pub const EXIT_OK: i32 = 0;
/// Exit code: the file could not be read.
pub const EXIT_IO: i32 = 1;
/// Exit code: the header or directory was refused.
pub const EXIT_INVALID: i32 = 3;
/// Exit code: the report was printed but at least one region failed to decode.
pub const EXIT_REGION_ERRORS: i32 = 4;

/// Command-line arguments of `inos-inspect`.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "inos-inspect",
    version,
    about = "Inspect an inos shared-memory region file, read-only",
    long_about = "Inspect an inos shared-memory region file, read-only: header, directory, \
                  epoch slots, rings and ledger. The file is never mapped or written; a private \
                  copy is decoded with the inos crates' own validating code."
)]
pub struct Cli {
    /// The region file (e.g. a file in /dev/shm).
    pub file: PathBuf,
    /// Print one JSON document per snapshot (pretty for one snapshot, one line each in --watch).
    #[arg(long)]
    pub json: bool,
    /// Records decoded at the head of each ring.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RECORDS)]
    pub records: usize,
    /// Refresh every SECS seconds (default 1) and show rates since the previous snapshot.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "1",
          value_parser = parse_secs)]
    pub watch: Option<f64>,
    /// Stop after N snapshots (with --watch).
    #[arg(long, value_name = "N", requires = "watch")]
    pub iterations: Option<u64>,
    /// Regions larger than this many bytes are not read.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_REGION_BYTES)]
    pub max_region_bytes: u64,
}

fn parse_secs(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number of seconds >= 0")),
    }
}

/// The JSON document: the snapshot's fields, plus `rates` (`null` outside `--watch` and on the
/// first snapshot).
#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    snapshot: &'a Snapshot,
    rates: Option<&'a Rates>,
}

/// The JSON document of a snapshot (and its rates), pretty-printed or on one line.
///
/// ```no_run
/// let s = inos_inspect::snapshot_file("/dev/shm/inos", &Default::default()).unwrap();
/// let v: serde_json::Value = serde_json::from_str(&inos_inspect::to_json(&s, None, false)).unwrap();
/// assert_eq!(v["schema"], 1);
/// ```
pub fn to_json(snapshot: &Snapshot, rates: Option<&Rates>, pretty: bool) -> String {
    let doc = Document { snapshot, rates };
    let r = if pretty {
        serde_json::to_string_pretty(&doc)
    } else {
        serde_json::to_string(&doc)
    };
    // Every field is a plain number, string, bool, list or map: serialisation cannot fail.
    r.unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Runs the command line: takes one snapshot, or `--watch` snapshots, and writes the report to
/// `out` and errors to `err`. Returns the process exit code ([`EXIT_OK`], [`EXIT_IO`],
/// [`EXIT_INVALID`], [`EXIT_REGION_ERRORS`]; in `--watch`, that of the last snapshot).
///
/// `terminal` selects the `--watch` display: clear the screen before each snapshot (ANSI
/// `ESC[H ESC[2J`) when true, separated blocks otherwise.
///
/// ```no_run
/// use clap::Parser;
/// let cli = inos_inspect::Cli::parse_from(["inos-inspect", "/dev/shm/inos", "--json"]);
/// let code = inos_inspect::run(&cli, &mut std::io::stdout(), &mut std::io::stderr(), false);
/// std::process::exit(code);
/// ```
pub fn run(cli: &Cli, out: &mut dyn Write, err: &mut dyn Write, terminal: bool) -> i32 {
    let opts = Options {
        records: cli.records,
        max_region_bytes: cli.max_region_bytes,
    };
    let Some(secs) = cli.watch else {
        return match snapshot_file(&cli.file, &opts) {
            Ok(s) => {
                let text = if cli.json {
                    to_json(&s, None, true) + "\n"
                } else {
                    render_text(&s, None)
                };
                let _ = out.write_all(text.as_bytes());
                if s.has_region_errors() {
                    EXIT_REGION_ERRORS
                } else {
                    EXIT_OK
                }
            }
            Err(e) => {
                let _ = writeln!(err, "inos-inspect: {e}");
                e.exit_code()
            }
        };
    };
    let period = Duration::from_secs_f64(secs);
    let mut prev: Option<(Snapshot, Instant)> = None;
    let mut code = EXIT_OK;
    let mut n = 0u64;
    let mut last_start: Option<Instant> = None;
    loop {
        if cli.iterations.is_some_and(|max| n >= max) {
            break;
        }
        if let Some(last) = last_start {
            // Keep the cadence: the time spent taking and printing a snapshot counts.
            std::thread::sleep(period.saturating_sub(last.elapsed()));
        }
        n += 1;
        let now = Instant::now();
        last_start = Some(now);
        let snap = snapshot_file(&cli.file, &opts);
        if terminal && !cli.json {
            let _ = out.write_all(b"\x1b[H\x1b[2J");
        } else if !cli.json && n > 1 {
            let _ = writeln!(out, "\n---- snapshot {n} ----");
        }
        match snap {
            Ok(s) => {
                let r = prev.as_ref().map(|(p, t)| rates(p, &s, now - *t));
                let text = if cli.json {
                    to_json(&s, r.as_ref(), false) + "\n"
                } else {
                    render_text(&s, r.as_ref())
                };
                let _ = out.write_all(text.as_bytes());
                code = if s.has_region_errors() {
                    EXIT_REGION_ERRORS
                } else {
                    EXIT_OK
                };
                prev = Some((s, now));
            }
            Err(e) => {
                // In --watch a bad snapshot (re-format in progress, file replaced) is shown and
                // the watch goes on.
                let _ = writeln!(err, "inos-inspect: {e}");
                code = e.exit_code();
                prev = None;
            }
        }
        let _ = out.flush();
    }
    code
}

/// The README's Rust example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
