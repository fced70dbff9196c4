//! Several processes on one region file, and `kill -9` (the `processes` example and its test).
//!
//! ```text
//! cargo run -p inos-examples --example processes -- --producers 4 --messages 20000 --seed 7
//! ```
//!
//! # The scenario
//!
//! The parent creates a fresh region file ([`ShmRegion::create`], in `/dev/shm` on Linux) with
//! [`LAYOUT`]: one 64 KiB MPSC ring, one epoch slot per producer plus one, and a ledger with one
//! account per producer plus a sink. It formats the region, mints [`Config::messages`] credits into
//! each producer's account, takes the ring's consumer role and starts the producers: the same
//! binary re-executed ([`Launcher`]), each running [`run_producer`]. Producer `K` pushes messages
//! `(K, seq, payload of 0 to 200 bytes)` for `seq = 0, 1, …`, and after each one it commits it
//!
//! 1. stores `seq + 1` in its *committed counter* (a [`Value`] in epoch slot `K + 1`), then
//! 2. transfers one credit from its account to the sink.
//!
//! Two producers are killed with `SIGKILL` ([`Child::kill`]):
//!
//! - producer 0 is told to die **inside a reservation** (`--die-in-reservation-at S`): after `S`
//!   messages it calls [`reserve`](inos_ring::Producer::reserve), signals the `reserved` epoch
//!   (slot 0) and sleeps. The parent kills it as soon as it sees the signal: the kill
//!   deterministically lands between `reserve` and `commit`, and the ring's head stops at a BUSY
//!   record that will never be committed. The consumer, sleeping in
//!   [`drain_wait`](inos_ring::Consumer::drain_wait) with
//!   [`set_unblock_after`](inos_ring::Consumer::set_unblock_after), unblocks it by itself once it
//!   is older than `--unblock-after-ms`, and the messages behind it flow again. The time from the
//!   kill to the first message delivered after that unblock is the *recovery* time.
//! - producer 1 is killed at a **random moment**: once the parent has delivered a number of its
//!   messages drawn from the seeded generator (`--seed`, printed) and the stuck record is
//!   recovered. It may die anywhere: asleep in `push_wait`, between a commit and its counter
//!   store, inside a ledger transfer, inside `try_push` (another stuck reservation, unblocked the
//!   same way).
//!
//! The parent is also the supervisor: between waits it reaps children ([`Child::try_wait`]);
//! for each killed one it checks that `kill(pid, 0)` now says dead ([`PartyId::liveness`]) and calls
//! [`Ring::forget_producer`] (MPSC producers are only counted). It shows
//! [`Ring::holder`] / [`Ring::release_if_dead`] on the role that has a holder, the consumer: held by
//! the parent's process id, alive, so it is kept. At the end no producer is attached, so it clears
//! the waiter registrations a producer killed asleep in `push_wait` may have left
//! ([`Ring::clear_waiters`]).
//!
//! # The checks ([`Report::checks`])
//!
//! Per producer, *committed* is its committed counter, *delivered* what the parent received from
//! it, *paid* the credits that left its account (`minted − balance`).
//!
//! - **Every message exactly once, nothing else** (checked on delivery): the producer id is one
//!   that was started, the length and every payload byte are what that producer sends for that
//!   sequence number, and each producer's sequence numbers arrive contiguous from 0 (no
//!   duplicate, no gap).
//! - **Delivered vs committed**: a producer that finished, or was killed in its reservation,
//!   has `delivered == committed` (all `--messages`, or exactly `S`). A producer killed at random
//!   may have died between a commit and its counter store, so `delivered ∈ {committed,
//!   committed + 1}`: the consumer's count is the truth, the counter trails it by at most one.
//! - **Credits**: the credit for a message is paid after its counter store, so a finished (or
//!   reservation-killed) producer has `paid == committed`, and one killed at random has
//!   `delivered − 1 ≤ paid ≤ committed` (killed before, during or after the last transfer).
//! - **Ledger**: `audit()` finds no corruption, `minted == producers × messages`, and the sink's
//!   balance equals `Σ paid − in flight`, where *in flight* is at most one credit, and only when
//!   the random kill landed inside a transfer: ledger operations are sequences of single-word
//!   atomic steps (docs/protocol/ledger.md §4), and a party killed between the debit and the
//!   credit leaves that credit in neither account for ever. The audit is balanced exactly when
//!   nothing is in flight, and the table says which.
//! - **Ring**: at least one record was unblocked (the stuck reservation), and after reaping and
//!   forgetting the killed producers, `producers() == 0`.
//! - **Roles**: the consumer role is held by this process, alive, and `release_if_dead` keeps it.
//!
//! The region file is removed at the end, and on every error path (`remove_on_drop`); the
//! children are killed and reaped on every path out of [`run`].

use std::fmt;
use std::io::{IsTerminal, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use inos_epoch::{Epoch, Value};
use inos_layout::shm::ShmRegion;
use inos_layout::{attach, create, Bytes, Layout, LayoutBuilder, RegionKind, WaitPolicy};
use inos_ledger::{AccountId, Ledger};
use inos_ring::{Liveness, Mpsc, PartyId, ProcessProbe, Ring, Role};
use serde::{Deserialize, Serialize};

/// Errors of this module.
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Capacity of the ring in bytes.
pub const RING_CAPACITY: u32 = 64 * 1024;
/// Most producers a region of [`LAYOUT`] has room for (counters and accounts).
pub const MAX_PRODUCERS: u32 = 16;
/// Epoch slots: the `reserved` epoch (slot 0), then one committed counter per producer.
pub const EPOCH_SLOTS: u32 = 1 + MAX_PRODUCERS;
/// Ledger accounts: the sink (account 0), then one per producer.
pub const ACCOUNTS: u32 = 1 + MAX_PRODUCERS;
/// The sink account every producer pays into.
pub const SINK: AccountId = AccountId::from_index(0);
/// Longest message: 8 header bytes and up to 200 payload bytes.
pub const MAX_MESSAGE: usize = 208;

/// The region: one MPSC ring, the epoch slots, the ledger, each sized by its crate.
pub const LAYOUT: Layout = LayoutBuilder::fitted()
    .sized(
        "ring",
        inos_ring::layout::region_size(RING_CAPACITY),
        inos_ring::layout::REGION_ALIGN,
        RegionKind::RING,
    )
    .sized(
        "epochs",
        inos_epoch::region_size(EPOCH_SLOTS),
        inos_epoch::REGION_ALIGN,
        RegionKind::EPOCHS,
    )
    .sized(
        "ledger",
        inos_ledger::region_size(ACCOUNTS, 0),
        inos_ledger::REGION_ALIGN,
        RegionKind::LEDGER,
    )
    .build_checked();

/// How long a producer waits for space before giving up (the parent died, or hangs).
const PUSH_TIMEOUT: Duration = Duration::from_secs(60);

/// The ledger account of producer `id`.
pub const fn producer_account(id: u32) -> AccountId {
    AccountId::from_index(1 + id)
}

/// Offset of producer `id`'s committed counter in the `epochs` region.
const fn committed_offset(id: u32) -> usize {
    8 * (1 + id as usize)
}

/// Writes message `seq` of producer `id` into `buf` and returns its length (8 to 208 bytes):
/// the id and the sequence number (little-endian `u32`s), then a payload derived from both.
pub fn message(id: u32, seq: u32, buf: &mut [u8; MAX_MESSAGE]) -> usize {
    let len = 8 + (seq as usize * 37 + id as usize * 11) % (MAX_MESSAGE - 7);
    buf[..4].copy_from_slice(&id.to_le_bytes());
    buf[4..8].copy_from_slice(&seq.to_le_bytes());
    for (i, b) in buf[8..len].iter_mut().enumerate() {
        *b = (seq as u8).wrapping_mul(31) ^ (id as u8).wrapping_mul(7) ^ i as u8;
    }
    len
}

/// What one producer process is told to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerConfig {
    /// Producer number (`0..producers`): its counter slot and its account.
    pub id: u32,
    /// The region file.
    pub region: PathBuf,
    /// Messages to send.
    pub count: u32,
    /// After this many messages, reserve a record, signal the `reserved` epoch and sleep
    /// (until killed) instead of committing it.
    pub die_in_reservation_at: Option<u32>,
}

impl ProducerConfig {
    /// The command-line arguments of the `producer` sub-command for this configuration.
    pub fn to_args(&self) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec![
            "producer".into(),
            "--id".into(),
            self.id.to_string().into(),
            "--region".into(),
            self.region.clone().into(),
            "--count".into(),
            self.count.to_string().into(),
        ];
        if let Some(s) = self.die_in_reservation_at {
            args.push("--die-in-reservation-at".into());
            args.push(s.to_string().into());
        }
        args
    }
}

/// The producer process: attaches to the region file and sends its messages, paying one credit
/// per committed message (see the [module docs](self)). With `die_in_reservation_at` it never
/// returns: it sleeps holding a reservation until it is killed.
///
/// # Errors
/// The file cannot be opened or attached, the ring or ledger reports an error, or no space
/// came for 60 s.
pub fn run_producer(cfg: &ProducerConfig) -> Res<()> {
    let shm = ShmRegion::open(&cfg.region)?;
    let a = attach(shm.region(), &LAYOUT, WaitPolicy::default())?;
    let ring = Ring::<Mpsc>::attach(a.require("ring")?)?;
    let epochs = a.require("epochs")?;
    let reserved = Epoch::new(epochs, 0)?;
    let committed = Value::new(epochs, committed_offset(cfg.id))?;
    let ledger = Ledger::attach(a.require("ledger")?)?;
    let me = producer_account(cfg.id);
    let mut producer = ring.producer()?;
    let mut buf = [0u8; MAX_MESSAGE];
    let mut seq = 0;
    while seq < cfg.count {
        let n = message(cfg.id, seq, &mut buf);
        if cfg.die_in_reservation_at == Some(seq) {
            let grant = producer.reserve(n)?;
            grant.bytes().write_at(0, &buf[..n])?;
            reserved.signal();
            loop {
                // Holding `grant`, never committing: the parent kills this process now.
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        match producer.push_wait(&buf[..n], PUSH_TIMEOUT) {
            Ok(()) => {}
            // The consumer took this (live but slow) reservation for a dead one and turned it
            // into padding: the message was not delivered, send it again.
            Err(inos_ring::Error::Unblocked) => continue,
            Err(e) => return Err(e.into()),
        }
        committed.store(seq + 1);
        ledger.transfer(me, SINK, 1)?;
        seq += 1;
    }
    Ok(())
}

/// The producer configuration a test binary re-executed by [`Launcher::TestHarness`] finds in
/// environment variable `var`, if it is such a child.
///
/// # Errors
/// The variable is set but not a configuration.
pub fn producer_from_env(var: &str) -> Res<Option<ProducerConfig>> {
    match std::env::var(var) {
        Ok(json) => Ok(Some(serde_json::from_str(&json)?)),
        Err(_) => Ok(None),
    }
}

/// How the parent starts a producer process.
#[derive(Debug, Clone)]
pub enum Launcher {
    /// `exe producer --id K --region PATH --count M [--die-in-reservation-at S]` (the example
    /// binary re-executed with its hidden sub-command).
    Subcommand(PathBuf),
    /// A test binary re-executed to run only the test `test_name`, which finds its
    /// [`ProducerConfig`] (as JSON) in environment variable `var` ([`producer_from_env`]).
    TestHarness {
        /// The test binary (`std::env::current_exe()`).
        exe: PathBuf,
        /// The test to run in the child.
        test_name: String,
        /// The environment variable carrying the configuration.
        var: String,
    },
}

impl Launcher {
    /// The command that starts the producer `cfg` (stdin and stdout closed, stderr inherited so
    /// a failing producer says why).
    pub fn command(&self, cfg: &ProducerConfig) -> Res<Command> {
        let mut cmd = match self {
            Self::Subcommand(exe) => {
                let mut cmd = Command::new(exe);
                cmd.args(cfg.to_args());
                cmd
            }
            Self::TestHarness {
                exe,
                test_name,
                var,
            } => {
                let mut cmd = Command::new(exe);
                cmd.args(["--exact", test_name, "--nocapture", "--test-threads=1"])
                    .env(var, serde_json::to_string(cfg)?);
                cmd
            }
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        Ok(cmd)
    }
}

/// The parent's parameters.
#[derive(Debug, Clone)]
pub struct Config {
    /// Producer processes (1 to [`MAX_PRODUCERS`]). Producer 0 dies in a reservation; with two or
    /// more, producer 1 is killed at random.
    pub producers: u32,
    /// Messages per producer (at least 4).
    pub messages: u32,
    /// Seed of the random kill.
    pub seed: u64,
    /// The consumer unblocks a reservation older than this (`set_unblock_after`).
    pub unblock_after: Duration,
    /// The whole run fails after this long.
    pub timeout: Duration,
    /// Print a refreshed status line on stderr (only if stderr is a terminal).
    pub progress: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            producers: 4,
            messages: 20_000,
            seed: 0,
            unblock_after: Duration::from_millis(250),
            timeout: Duration::from_secs(300),
            progress: false,
        }
    }
}

/// How a producer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Sent everything and exited.
    Finished,
    /// `SIGKILL`ed while holding a reservation.
    KilledInReservation,
    /// `SIGKILL`ed at a random moment.
    KilledAtRandom,
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Finished => "finished",
            Self::KilledInReservation => "killed in reservation",
            Self::KilledAtRandom => "killed at random",
        })
    }
}

/// One producer's line of the results table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Producer number.
    pub id: u32,
    /// Its process id.
    pub pid: u32,
    /// How it ended.
    pub fate: Fate,
    /// Its committed counter (stored after each commit).
    pub committed: u32,
    /// Messages the parent received from it.
    pub delivered: u32,
    /// Credits that left its account (`minted − balance`).
    pub paid: i64,
    /// For a killed producer: how many of its messages the parent had delivered when it sent
    /// the `SIGKILL`.
    pub killed_after_delivered: Option<u32>,
    /// For a killed producer: whether `kill(pid, 0)` said dead once it was reaped.
    pub seen_dead: Option<bool>,
}

/// The ledger at the end.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerSummary {
    /// `audit().is_balanced()`.
    pub balanced: bool,
    /// Credits minted (`producers × messages`).
    pub minted: i64,
    /// Σ balances.
    pub balances: i128,
    /// The sink's balance.
    pub sink: i64,
    /// `Σ paid − sink`: credits debited from a producer and not (yet, ever) credited to the sink,
    /// i.e. a transfer torn by a `SIGKILL`.
    pub in_flight: i64,
}

/// One check and whether it held.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What is checked.
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// The figures.
    pub detail: String,
}

/// What a run saw; [`Display`](fmt::Display) prints the results table.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Seed of the random kill.
    pub seed: u64,
    /// Producers started.
    pub producers: u32,
    /// Messages per producer.
    pub messages: u32,
    /// `set_unblock_after`, in milliseconds.
    pub unblock_after_ms: u64,
    /// The region file (removed at the end).
    pub region: String,
    /// Its size in bytes.
    pub region_bytes: u64,
    /// Per producer.
    pub rows: Vec<Row>,
    /// `ring.stats().unblocked` at the end.
    pub unblocked: u32,
    /// `ring.stats().aborted` at the end.
    pub aborted: u32,
    /// Producers the supervisor forgot (`forget_producer`).
    pub forgotten: u32,
    /// `ring.producers()` at the end.
    pub producers_attached_at_end: u32,
    /// Waiter registrations cleared by `clear_waiters(Role::Producer)` at the end.
    pub waiters_cleared: u32,
    /// Milliseconds from the `SIGKILL` of the reservation holder to the first message delivered
    /// after its record was unblocked.
    pub recovery_ms: Option<f64>,
    /// Process id of the consumer role's holder.
    pub consumer_holder: Option<u32>,
    /// Whether `release_if_dead(Role::Consumer, &ProcessProbe)` kept the role.
    pub consumer_kept: bool,
    /// The ledger at the end.
    pub ledger: LedgerSummary,
    /// Whether the region file is gone at the end.
    pub file_removed: bool,
    /// Wall time of the run, in milliseconds.
    pub elapsed_ms: f64,
    /// Every check ([module docs](self)).
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check held.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// Messages delivered in all.
    pub fn delivered(&self) -> u64 {
        self.rows.iter().map(|r| u64::from(r.delivered)).sum()
    }

    /// Committed counters summed.
    pub fn committed(&self) -> u64 {
        self.rows.iter().map(|r| u64::from(r.committed)).sum()
    }

    /// Credits paid in all.
    pub fn paid(&self) -> i64 {
        self.rows.iter().map(|r| r.paid).sum()
    }

    fn compute_checks(&mut self) {
        let mut checks = Vec::new();
        let mut check = |name: &str, ok: bool, detail: String| {
            checks.push(Check {
                name: name.into(),
                ok,
                detail,
            })
        };
        check(
            "every message exactly once, nothing else",
            true,
            format!(
                "{} messages from producers 0..{}, each as sent, sequence numbers contiguous from 0",
                self.delivered(),
                self.producers
            ),
        );
        for r in &self.rows {
            let (c, d, p) = (r.committed, r.delivered, r.paid);
            let (ok, rule) = match r.fate {
                Fate::Finished => (
                    c == self.messages && d == c && p == i64::from(c),
                    "delivered == committed == paid == messages",
                ),
                Fate::KilledInReservation => (
                    d == c && p == i64::from(c) && r.seen_dead == Some(true),
                    "delivered == committed == paid, seen dead",
                ),
                Fate::KilledAtRandom => (
                    (d == c || d == c + 1)
                        && i64::from(d) - 1 <= p
                        && p <= i64::from(c)
                        && r.seen_dead == Some(true),
                    "delivered ∈ {committed, committed+1}, delivered−1 ≤ paid ≤ committed, seen dead",
                ),
            };
            check(
                &format!("producer {} ({})", r.id, r.fate),
                ok,
                format!("{rule}: committed {c}, delivered {d}, paid {p}"),
            );
        }
        let random_kills = self
            .rows
            .iter()
            .filter(|r| r.fate == Fate::KilledAtRandom)
            .count() as i64;
        let l = &self.ledger;
        let expected_minted = i64::from(self.producers) * i64::from(self.messages);
        check(
            "ledger",
            l.minted == expected_minted
                && l.sink == self.paid() - l.in_flight
                && (0..=random_kills).contains(&l.in_flight)
                && l.balanced == (l.in_flight == 0)
                && l.balances == i128::from(l.minted - l.in_flight),
            format!(
                "minted {} (= {} × {}), sink {} = paid {} − in flight {}, audit {}",
                l.minted,
                self.producers,
                self.messages,
                l.sink,
                self.paid(),
                l.in_flight,
                if l.balanced {
                    "balanced"
                } else {
                    "unbalanced by the credit in flight"
                }
            ),
        );
        let reservation_kill = self
            .rows
            .iter()
            .any(|r| r.fate == Fate::KilledInReservation);
        check(
            "stuck reservation recovered",
            !reservation_kill || (self.unblocked >= 1 && self.recovery_ms.is_some()),
            format!(
                "unblocked {}, recovery {}",
                self.unblocked,
                self.recovery_ms
                    .map_or("-".into(), |ms| format!("{ms:.1} ms"))
            ),
        );
        check(
            "dead producers forgotten",
            self.producers_attached_at_end == 0,
            format!(
                "forgot {}, attached at the end {}",
                self.forgotten, self.producers_attached_at_end
            ),
        );
        check(
            "consumer role",
            self.consumer_holder == Some(std::process::id()) && self.consumer_kept,
            format!(
                "held by {:?}, alive, release_if_dead kept it: {}",
                self.consumer_holder, self.consumer_kept
            ),
        );
        check(
            "region file removed",
            self.file_removed,
            self.region.clone(),
        );
        self.checks = checks;
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} producer processes x {} messages, seed {}, unblock after {} ms",
            self.producers, self.messages, self.seed, self.unblock_after_ms
        )?;
        writeln!(
            f,
            "region file {} ({} bytes): MPSC ring {} KiB, {} epoch slots, ledger of {} accounts",
            self.region,
            self.region_bytes,
            RING_CAPACITY / 1024,
            EPOCH_SLOTS,
            ACCOUNTS
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "producer  pid      fate                    killed after  committed  delivered  credits paid"
        )?;
        for r in &self.rows {
            let killed = r
                .killed_after_delivered
                .map_or("-".to_string(), |n| n.to_string());
            writeln!(
                f,
                "{:>8}  {:<7}  {:<22}  {:>12}  {:>9}  {:>9}  {:>12}",
                r.id, r.pid, r.fate, killed, r.committed, r.delivered, r.paid
            )?;
        }
        writeln!(
            f,
            "{:>8}  {:<7}  {:<22}  {:>12}  {:>9}  {:>9}  {:>12}",
            "total",
            "",
            "",
            "",
            self.committed(),
            self.delivered(),
            self.paid()
        )?;
        writeln!(f)?;
        let l = &self.ledger;
        writeln!(
            f,
            "sink balance     {} credits (paid {} − in flight {})",
            l.sink,
            self.paid(),
            l.in_flight
        )?;
        writeln!(
            f,
            "ledger audit     {} (minted {}, balances {})",
            if l.balanced {
                "balanced".to_string()
            } else {
                format!(
                    "unbalanced by {}: a transfer torn by SIGKILL (ledger.md §4)",
                    l.in_flight
                )
            },
            l.minted,
            l.balances
        )?;
        writeln!(
            f,
            "ring             unblocked {}, aborted {}; forgot {} dead producers, {} attached at the end; {} waiter registrations cleared",
            self.unblocked,
            self.aborted,
            self.forgotten,
            self.producers_attached_at_end,
            self.waiters_cleared
        )?;
        match self.recovery_ms {
            Some(ms) => writeln!(
                f,
                "recovery         {ms:.1} ms from the SIGKILL of the reservation holder to the next message delivered"
            )?,
            None => writeln!(f, "recovery         -")?,
        }
        writeln!(
            f,
            "consumer role    held by party {} (this process, alive): release_if_dead {}",
            self.consumer_holder.map_or("-".into(), |p| p.to_string()),
            if self.consumer_kept {
                "kept it"
            } else {
                "FREED it"
            }
        )?;
        writeln!(f, "region file      removed: {}", self.file_removed)?;
        writeln!(f, "elapsed          {:.2} s", self.elapsed_ms / 1000.0)?;
        let failed: Vec<_> = self.checks.iter().filter(|c| !c.ok).collect();
        if failed.is_empty() {
            writeln!(f, "checks           all {} passed", self.checks.len())?;
        } else {
            for c in failed {
                writeln!(f, "CHECK FAILED     {}: {}", c.name, c.detail)?;
            }
        }
        Ok(())
    }
}

/// A small seeded generator (SplitMix64): enough to pick a kill moment reproducibly.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % (u64::from(hi - lo) + 1)) as u32
    }
}

/// A seed from the clock and the process id (print it: `--seed` replays the run).
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    SplitMix64::new(nanos ^ (u64::from(std::process::id()) << 32)).next_u64() % 1_000_000
}

/// What the parent planned for a producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    Finish,
    DieInReservation,
    KillAfter(u32),
}

struct Kid {
    id: u32,
    pid: u32,
    child: Child,
    plan: Plan,
    status: Option<ExitStatus>,
    killed_after: Option<u32>,
    seen_dead: Option<bool>,
}

/// The children, killed and reaped on every path out of [`run`].
struct Kids(Vec<Kid>);

impl Drop for Kids {
    fn drop(&mut self) {
        for k in &mut self.0 {
            if k.status.is_none() {
                let _ = k.child.kill();
                let _ = k.child.wait();
            }
        }
    }
}

impl Kids {
    fn kill(&mut self, i: usize, delivered: u32) -> Res<()> {
        let k = &mut self.0[i];
        k.child.kill()?;
        k.killed_after = Some(delivered);
        Ok(())
    }
}

/// The consumer's view of the stream: the next sequence number expected from each producer.
struct Stream {
    next: Vec<u32>,
    delivered: u64,
    buf: [u8; MAX_MESSAGE],
}

impl Stream {
    fn accept(&mut self, m: Bytes<'_>) -> Result<(), String> {
        let len = m.len();
        let word = |at| m.read_u32_le(at).map_err(|e| e.to_string());
        if len < 8 {
            return Err(format!("a message of {len} bytes, from nowhere"));
        }
        let (id, seq) = (word(0)?, word(4)?);
        let Some(next) = self.next.get_mut(id as usize) else {
            return Err(format!(
                "a message from producer {id}, which was never started"
            ));
        };
        if seq != *next {
            let what = if seq < *next { "a duplicate" } else { "a gap" };
            return Err(format!(
                "{what}: producer {id} sent sequence {seq}, expected {next}"
            ));
        }
        let want = message(id, seq, &mut self.buf);
        if len != want || !m.eq_slice(&self.buf[..want]) {
            return Err(format!(
                "producer {id} sequence {seq}: {len} bytes that are not what it sent ({want} bytes)"
            ));
        }
        *next += 1;
        self.delivered += 1;
        Ok(())
    }
}

/// A status line refreshed on stderr (only when it is a terminal).
struct Status {
    on: bool,
    last: Option<Instant>,
}

impl Status {
    fn new(on: bool) -> Self {
        Self {
            on: on && std::io::stderr().is_terminal(),
            last: None,
        }
    }

    fn show(&mut self, line: impl FnOnce() -> String) {
        if !self.on
            || self
                .last
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{}\x1b[K", line());
        let _ = err.flush();
    }

    fn clear(&mut self) {
        if self.on && self.last.is_some() {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        }
    }
}

/// A fresh name for the region file: `/dev/shm/inos-processes-<pid>-<n>` on Linux.
fn fresh_path() -> Res<PathBuf> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = N.fetch_add(1, Ordering::Relaxed);
    Ok(ShmRegion::path_for(&format!(
        "inos-processes-{}-{nanos}-{n}",
        std::process::id()
    ))?)
}

/// Runs the scenario of the [module docs](self) with producers started by `launcher`, and
/// returns the report with its checks computed ([`Report::ok`]).
///
/// # Errors
/// Bad parameters, the region cannot be made, a child cannot be started or exits with an error,
/// a message is malformed, duplicated, out of order or from nowhere, the ring stays stuck, or
/// the run takes longer than [`Config::timeout`].
pub fn run(cfg: &Config, launcher: &Launcher) -> Res<Report> {
    if cfg.producers == 0 || cfg.producers > MAX_PRODUCERS {
        return Err(format!("--producers must be 1 to {MAX_PRODUCERS}").into());
    }
    if cfg.messages < 4 {
        return Err("--messages must be at least 4".into());
    }
    let started = Instant::now();
    let deadline = started + cfg.timeout;
    // The supervisor's tick: short against the unblock delay, so that the reservation holder is
    // killed (and the random victim checked) well before its record can be unblocked.
    let tick = (cfg.unblock_after / 4).clamp(Duration::from_millis(1), Duration::from_millis(20));

    let path = fresh_path()?;
    // Removed when this handle drops: at the end, and on every error path.
    let shm = ShmRegion::create(&path, LAYOUT.total_size())?.remove_on_drop(true);
    let a = create(shm.region(), &LAYOUT)?;
    let ring = Ring::<Mpsc>::init(a.require("ring")?, RING_CAPACITY)?;
    let epochs = a.require("epochs")?;
    let reserved = Epoch::new(epochs, 0)?;
    let ledger = Ledger::init(a.require("ledger")?, ACCOUNTS, 0)?;
    if ledger.open()? != SINK {
        return Err("the sink is not account 0".into());
    }
    for id in 0..cfg.producers {
        if ledger.open()? != producer_account(id) {
            return Err(format!("producer {id}'s account is not {}", id + 1).into());
        }
        ledger.mint(producer_account(id), i64::from(cfg.messages))?;
    }
    let mut consumer = ring.consumer()?;
    consumer.set_unblock_after(Some(cfg.unblock_after));

    // The consumer role records its holder: this process, alive, so a supervisor keeps it.
    let consumer_holder = ring.holder(Role::Consumer);
    let consumer_kept = ring
        .release_if_dead(Role::Consumer, &ProcessProbe)
        .is_none()
        && ring.holder(Role::Consumer) == consumer_holder;

    let mut rng = SplitMix64::new(cfg.seed);
    let m = cfg.messages;
    let die_at = m / 4;
    let kill_after = rng.between((m * 3 / 10).max(1), (m * 6 / 10).max(1));
    let mut kids = Kids(Vec::new());
    for id in 0..cfg.producers {
        let plan = match id {
            0 => Plan::DieInReservation,
            1 => Plan::KillAfter(kill_after),
            _ => Plan::Finish,
        };
        let pc = ProducerConfig {
            id,
            region: path.clone(),
            count: m,
            die_in_reservation_at: (plan == Plan::DieInReservation).then_some(die_at),
        };
        let child = launcher.command(&pc)?.spawn()?;
        kids.0.push(Kid {
            id,
            pid: child.id(),
            child,
            plan,
            status: None,
            killed_after: None,
            seen_dead: None,
        });
    }

    let mut stream = Stream {
        next: vec![0; cfg.producers as usize],
        delivered: 0,
        buf: [0; MAX_MESSAGE],
    };
    let mut status = Status::new(cfg.progress);
    let total = u64::from(cfg.producers) * u64::from(m);
    let mut forgotten = 0;
    // The reservation holder's kill: when, and the unblocked count then.
    let mut stuck_kill: Option<(Instant, u32)> = None;
    let mut recovered_at: Option<Instant> = None;
    let mut last_progress = Instant::now();

    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(format!(
                "timed out after {:?}: delivered {} of at most {total}, ring used {} bytes",
                cfg.timeout,
                stream.delivered,
                ring.used_bytes()?
            )
            .into());
        }
        // Consume: sleep until messages come (or the tick passes), automatic unblocking on.
        let waiting_for_recovery = stuck_kill.is_some() && recovered_at.is_none();
        let got = consumer.drain_wait(tick, |msg| {
            if waiting_for_recovery && recovered_at.is_none() {
                if let Some((_, before)) = stuck_kill {
                    if ring.stats().unblocked > before {
                        recovered_at = Some(Instant::now());
                    }
                }
            }
            stream.accept(msg)
        });
        match got {
            Ok(Ok(_)) => last_progress = Instant::now(),
            Ok(Err(bad)) => return Err(bad.into()),
            Err(inos_ring::Error::TimedOut) => {}
            Err(e) => return Err(e.into()),
        }

        // Failure injection.
        for i in 0..kids.0.len() {
            let k = &kids.0[i];
            if k.status.is_some() || k.killed_after.is_some() {
                continue;
            }
            let (delivered, plan) = (stream.next[k.id as usize], k.plan);
            match plan {
                Plan::DieInReservation if reserved.load() != 0 => {
                    let unblocked = ring.stats().unblocked;
                    kids.kill(i, delivered)?;
                    stuck_kill = Some((Instant::now(), unblocked));
                }
                Plan::KillAfter(n)
                    if delivered >= n && (stuck_kill.is_none() || recovered_at.is_some()) =>
                {
                    kids.kill(i, delivered)?;
                }
                _ => {}
            }
        }

        // Supervision: reap; a killed producer is proven dead, then forgotten.
        for k in &mut kids.0 {
            if k.status.is_some() {
                continue;
            }
            let Some(st) = k.child.try_wait()? else {
                continue;
            };
            k.status = Some(st);
            if k.killed_after.is_some() && st.signal() == Some(9) {
                let id = PartyId::new(k.pid).ok_or("pid 0")?;
                k.seen_dead = Some(id.liveness() == Liveness::Dead);
                ring.forget_producer();
                forgotten += 1;
            } else if !st.success() {
                return Err(format!("producer {} (pid {}) failed: {st}", k.id, k.pid).into());
            }
        }

        let alive = kids.0.iter().filter(|k| k.status.is_none()).count();
        let used = ring.used_bytes()?;
        status.show(|| {
            format!(
                "delivered {:>9} of at most {total}  ring {:>5} B used  unblocked {}  producers running {alive}",
                stream.delivered,
                used,
                ring.stats().unblocked
            )
        });
        if alive == 0 && used == 0 {
            break;
        }
        if alive == 0 && last_progress.elapsed() > 4 * cfg.unblock_after + Duration::from_secs(2) {
            return Err(format!(
                "the ring is stuck with {used} bytes used and nothing deliverable: a producer was \
                 killed between its TAIL claim and its BUSY store (recovery: ring.reset(), see the \
                 recovery matrix)"
            )
            .into());
        }
    }
    status.clear();

    // Every producer is gone: none attached, so the waiter registrations a producer killed
    // asleep in `push_wait` left on SPACE_EPOCH can be cleared.
    let producers_attached_at_end = ring.producers();
    let waiters_cleared = ring.clear_waiters(Role::Producer).unwrap_or(0);

    let stats = ring.stats();
    let audit = ledger.audit()?;
    let sink = ledger.account(SINK)?.balance;
    let mut rows = Vec::new();
    for k in &kids.0 {
        let committed = Value::new(epochs, committed_offset(k.id))?.load();
        let balance = ledger.account(producer_account(k.id))?.balance;
        let fate = match (k.killed_after.is_some() && k.seen_dead.is_some(), k.plan) {
            (false, _) => Fate::Finished,
            (true, Plan::DieInReservation) => Fate::KilledInReservation,
            (true, _) => Fate::KilledAtRandom,
        };
        rows.push(Row {
            id: k.id,
            pid: k.pid,
            fate,
            committed,
            delivered: stream.next[k.id as usize],
            paid: i64::from(m) - balance,
            killed_after_delivered: k.killed_after.filter(|_| fate != Fate::Finished),
            seen_dead: k.seen_dead,
        });
    }
    let paid: i64 = rows.iter().map(|r| r.paid).sum();
    drop(consumer);
    let region_bytes = shm.len() as u64;
    shm.unlink()?;
    drop(shm);

    let mut report = Report {
        seed: cfg.seed,
        producers: cfg.producers,
        messages: m,
        unblock_after_ms: cfg.unblock_after.as_millis() as u64,
        region: path.display().to_string(),
        region_bytes,
        rows,
        unblocked: stats.unblocked,
        aborted: stats.aborted,
        forgotten,
        producers_attached_at_end,
        waiters_cleared,
        recovery_ms: match (stuck_kill, recovered_at) {
            (Some((k, _)), Some(r)) => Some((r - k).as_secs_f64() * 1000.0),
            _ => None,
        },
        consumer_holder: consumer_holder.map(PartyId::get),
        consumer_kept,
        ledger: LedgerSummary {
            balanced: audit.is_balanced(),
            minted: audit.minted,
            balances: audit.balance,
            sink,
            in_flight: paid - sink,
        },
        file_removed: !Path::new(&path).exists(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
        checks: Vec::new(),
    };
    report.compute_checks();
    Ok(report)
}
