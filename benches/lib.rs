//! Helpers shared by the inos benchmarks (`cargo bench -p inos-benches`).
//!
//! Every bench (`ring`, `ledger`, `arena`, `epoch`, `access`) uses the paired harness in this
//! crate ([`Suite`]): every comparison runs its contenders **alternately, round by round, in one
//! process** (ours, peer, peer, ours, ours, peer, …), each run checks its own result (a checksum
//! or a conserved sum), and the summary quotes the median time per unit of work and the **median
//! of the per-round ratios** (ours speed / peer speed) with their minimum and maximum. The
//! figures are merged into `target/inos-bench.json`, from which the `bench-table` binary renders
//! the README table. See `benches/README.md` for the method.
//!
//! A contender is a closure `FnMut(u64) -> Duration` that does `n` units of work and returns the
//! time measured around that work only (set-up, thread spawning and checks stay outside). The
//! closure is called once per round, so the one indirect call per round (`dyn FnMut`) costs the
//! same for every contender and nothing per message; inside, every contender calls its queue
//! directly with a concrete message type.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

/// The median of a set of samples (the upper median for an even count).
///
/// Paired benchmark summaries quote medians: the machines these run on are noisy.
///
/// # Panics
/// If `v` is empty.
///
/// ```
/// assert_eq!(inos_benches::median(vec![3.0, 1.0, 2.0]), 2.0);
/// ```
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The wait strategy every contender uses on a full or empty queue: `spin_loop` for 64 failed
/// tries, then `yield_now` on each further failure; [`reset`](Backoff::reset) after a success.
///
/// ```
/// let mut b = inos_benches::Backoff::new();
/// b.snooze();
/// b.reset();
/// ```
#[derive(Debug, Default)]
pub struct Backoff(u32);

impl Backoff {
    /// A fresh backoff (spin phase).
    pub fn new() -> Self {
        Backoff(0)
    }

    /// Waits a little: a PAUSE for the first 64 calls, then a `yield_now`.
    #[inline]
    pub fn snooze(&mut self) {
        if self.0 < 64 {
            std::hint::spin_loop();
            self.0 += 1;
        } else {
            thread::yield_now();
        }
    }

    /// Back to the spin phase (after a successful operation).
    #[inline]
    pub fn reset(&mut self) {
        self.0 = 0;
    }
}

/// Runs each of `workers` on its own scoped thread and `main` on the calling thread, and times
/// from a start flag to the moment `main` has returned and every worker has been joined.
///
/// The workers are spawned first, announce themselves and spin on the start flag; the calling
/// thread yields until all have announced, reads the clock, raises the flag and runs `main`. So
/// thread creation is outside the timed region, and every contender gets the same thread set-up.
/// Threads are not pinned unless `INOS_BENCH_PIN=1` (then as in [`race_pinned`]).
///
/// ```
/// let (t, r) = inos_benches::race(vec![|| ()], || 42);
/// assert_eq!(r, 42);
/// assert!(t.as_nanos() > 0);
/// ```
pub fn race<W, M, R>(workers: Vec<W>, main: M) -> (Duration, R)
where
    W: FnOnce() + Send,
    M: FnOnce() -> R,
{
    let pin = std::env::var("INOS_BENCH_PIN").is_ok_and(|v| v == "1");
    race_impl(workers, main, pin)
}

/// [`race`] with every thread pinned (Linux, at least 2 allowed CPUs; elsewhere unpinned): the
/// calling thread to the first allowed CPU for the duration of the call (its previous affinity
/// is restored), worker `j` to allowed CPU `(j + 1) mod count`. Without pinning, the scheduler can keep two "concurrent" threads
/// on one vCPU for a whole run of a 2-vCPU machine, which measures no contention at all.
///
/// ```
/// let (_, r) = inos_benches::race_pinned(vec![|| ()], || 7);
/// assert_eq!(r, 7);
/// ```
pub fn race_pinned<W, M, R>(workers: Vec<W>, main: M) -> (Duration, R)
where
    W: FnOnce() + Send,
    M: FnOnce() -> R,
{
    race_impl(workers, main, true)
}

#[cfg(target_os = "linux")]
mod affinity {
    /// The calling thread's affinity mask.
    pub fn get() -> Option<libc::cpu_set_t> {
        // SAFETY: cpu_set_t is plain data; all-zero is a valid (empty) set.
        let mut set: libc::cpu_set_t = unsafe { core::mem::zeroed() };
        // SAFETY: pid 0 is the calling thread; the pointer and size describe `set`.
        let r = unsafe {
            libc::sched_getaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), &mut set)
        };
        (r == 0).then_some(set)
    }

    /// The CPUs in `set`, in increasing order.
    pub fn cpus(set: &libc::cpu_set_t) -> Vec<usize> {
        (0..libc::CPU_SETSIZE as usize)
            // SAFETY: i < CPU_SETSIZE.
            .filter(|&i| unsafe { libc::CPU_ISSET(i, set) })
            .collect()
    }

    /// Sets the calling thread's affinity mask (best effort).
    pub fn set(set: &libc::cpu_set_t) {
        // SAFETY: pid 0 is the calling thread; the pointer and size describe `set`.
        unsafe { libc::sched_setaffinity(0, core::mem::size_of::<libc::cpu_set_t>(), set) };
    }

    /// Pins the calling thread to `cpu` (best effort).
    pub fn pin(cpu: usize) {
        // SAFETY: as in `get`.
        let mut one: libc::cpu_set_t = unsafe { core::mem::zeroed() };
        // SAFETY: `cpu` < CPU_SETSIZE (callers pass cpu < nproc).
        unsafe { libc::CPU_SET(cpu, &mut one) };
        set(&one);
    }
}

fn race_impl<W, M, R>(workers: Vec<W>, main: M, pin: bool) -> (Duration, R)
where
    W: FnOnce() + Send,
    M: FnOnce() -> R,
{
    // The CPUs this process may use (pinning picks among them), and the mask to restore.
    #[cfg(target_os = "linux")]
    let (saved, cpus) = match affinity::get() {
        Some(set) if pin => (Some(set), affinity::cpus(&set)),
        _ => (None, Vec::new()),
    };
    #[cfg(not(target_os = "linux"))]
    let cpus: Vec<usize> = {
        let _ = pin;
        Vec::new()
    };
    let pin = cpus.len() >= 2;
    #[cfg(target_os = "linux")]
    if pin {
        affinity::pin(cpus[0]);
    }
    let n = workers.len();
    let ready = AtomicUsize::new(0);
    let go = AtomicBool::new(false);
    let out = thread::scope(|s| {
        let handles: Vec<_> = workers
            .into_iter()
            .enumerate()
            .map(|(j, w)| {
                let (ready, go, cpus) = (&ready, &go, &cpus);
                s.spawn(move || {
                    #[cfg(target_os = "linux")]
                    if pin {
                        affinity::pin(cpus[(j + 1) % cpus.len()]);
                    }
                    #[cfg(not(target_os = "linux"))]
                    let _ = (j, cpus);
                    ready.fetch_add(1, Ordering::AcqRel);
                    while !go.load(Ordering::Acquire) {
                        std::hint::spin_loop();
                    }
                    w();
                })
            })
            .collect();
        while ready.load(Ordering::Acquire) < n {
            thread::yield_now();
        }
        let t0 = Instant::now();
        go.store(true, Ordering::Release);
        let r = main();
        for h in handles {
            h.join().expect("bench worker panicked");
        }
        (t0.elapsed(), r)
    });
    #[cfg(target_os = "linux")]
    if let Some(set) = saved {
        affinity::set(&set);
    }
    out
}

/// One comparison: what is measured, in which unit, and the target for ours.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Benchmark name, e.g. `ring/spsc_single/8B` (the peer's name is appended in the JSON key).
    pub name: &'static str,
    /// The unit of work one `n` counts: `msg`, `pair`, `round trip`, `transfer`.
    pub unit: &'static str,
    /// Payload bytes per unit, for a bandwidth column (`None`: not a bandwidth benchmark).
    pub bytes_per_unit: Option<u64>,
    /// The smallest acceptable `ours speed / peer speed` ratio (a time target "ours ≤ k × the
    /// peer's time" is the speed ratio `1 / k`).
    pub target_ratio: f64,
    /// The target as written in the README, e.g. `≥ 1.0× rtrb`.
    pub target: &'static str,
    /// `n` is rounded to a multiple of this (e.g. 2 for two producers sharing the work).
    pub multiple: u64,
}

/// A contender: a display name and the closure that runs `n` units of work and returns the
/// time of that work.
pub struct Contender<'a> {
    /// Peer name as it appears in the JSON key and the table (`inos` for ours).
    pub name: &'static str,
    /// Runs `n` units, verifies the result (panics on a wrong checksum), returns the time.
    pub run: Box<dyn FnMut(u64) -> Duration + 'a>,
    /// A target for this peer's row instead of the [`Spec`]'s (ratio `NaN`: context only, no
    /// target).
    pub target: Option<(f64, &'static str)>,
    /// This contender runs `n / divisor` units per round instead of `n` (see
    /// [`with_divisor`](Contender::with_divisor)); 1 for most.
    pub divisor: u64,
}

impl Contender<'_> {
    /// This peer's row gets its own target (`f64::NAN`: a context row without a target).
    pub fn with_target(mut self, ratio: f64, text: &'static str) -> Self {
        self.target = Some((ratio, text));
        self
    }

    /// This contender runs `n / divisor` units per round (rounded to the [`Spec`]'s `multiple`,
    /// at least one `multiple`), for a peer that is orders of magnitude slower than ours per
    /// unit (an unconditional futex wake against a signal that finds no waiter): with the same
    /// `n` its rounds would last minutes. Times are compared per unit, so the ratio is
    /// unaffected; the JSON records both counts (`n`, `peer_n`).
    ///
    /// ```
    /// let c = inos_benches::contender("slow_peer", |_n| std::time::Duration::ZERO).with_divisor(100);
    /// assert_eq!(c.divisor, 100);
    /// ```
    pub fn with_divisor(mut self, divisor: u64) -> Self {
        self.divisor = divisor.max(1);
        self
    }
}

impl std::fmt::Debug for Contender<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Contender")
            .field("name", &self.name)
            .finish()
    }
}

/// Builds a [`Contender`].
pub fn contender<'a, F: FnMut(u64) -> Duration + 'a>(name: &'static str, run: F) -> Contender<'a> {
    Contender {
        name,
        run: Box::new(run),
        target: None,
        divisor: 1,
    }
}

/// Settings of a run, from the environment:
///
/// - `INOS_BENCH_ROUNDS` (default 9): measured rounds per comparison;
/// - `INOS_BENCH_ROUND_MS` (default 300): the target time of one contender's run (`n` is
///   calibrated on ours before the rounds, then the same `n` is used by every contender but one
///   with a [divisor](Contender::with_divisor));
/// - `INOS_BENCH_JSON`: where to merge the figures (default `<target dir>/inos-bench.json`).
///
/// A command-line argument that does not start with `-` filters the benchmarks by substring.
///
/// Without `--bench` on the command line (that is, when run by `cargo test --benches` or
/// `--all-targets` rather than `cargo bench`), the suite is a smoke test: one short round per
/// comparison, every check still made, nothing written to the JSON.
#[derive(Debug)]
pub struct Suite {
    rounds: usize,
    round: Duration,
    filter: Option<String>,
    results: Vec<(String, Value)>,
    order: u32,
    smoke: bool,
}

impl Suite {
    /// Reads the settings from the environment and the command line.
    pub fn from_env() -> Self {
        let smoke = !std::env::args().any(|a| a == "--bench");
        let (rounds, round_ms) = if smoke {
            println!("smoke test (checks only, no figures); `cargo bench` measures");
            (1, 1.0)
        } else {
            (
                env_num("INOS_BENCH_ROUNDS", 9.0).max(1.0) as usize,
                env_num("INOS_BENCH_ROUND_MS", 300.0).max(0.1),
            )
        };
        let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
        Suite {
            rounds,
            round: Duration::from_secs_f64(round_ms / 1e3),
            filter,
            results: Vec::new(),
            order: 0,
            smoke,
        }
    }

    /// Whether a benchmark name passes the command-line filter.
    pub fn selected(&self, name: &str) -> bool {
        self.filter.as_deref().map_or(true, |f| name.contains(f))
    }

    /// Runs one comparison: `contenders[0]` is ours, the rest are peers. Calibrates `n` on ours,
    /// warms every contender up once, then runs `rounds` rounds; each round runs every contender
    /// once with the same `n`, in an order that rotates from round to round (so no contender
    /// always runs first, right after another's threads). Prints and records one result per
    /// peer.
    pub fn compare(&mut self, spec: Spec, mut contenders: Vec<Contender<'_>>) {
        self.order += 1;
        if !self.selected(spec.name) {
            return;
        }
        assert!(contenders.len() >= 2, "ours and at least one peer");
        let n = self.calibrate(&spec, &mut contenders[0]);
        let m = spec.multiple.max(1);
        let counts: Vec<u64> = contenders
            .iter()
            .map(|c| (n / c.divisor / m).max(1) * m)
            .collect();
        for (c, &nc) in contenders.iter_mut().zip(&counts) {
            (c.run)(nc); // warm-up
        }
        let k = contenders.len();
        let mut times = vec![Vec::with_capacity(self.rounds); k];
        for r in 0..self.rounds {
            let mut round = vec![Duration::ZERO; k];
            for j in 0..k {
                // Rotate the order and reverse it every other round: ours, peer / peer, ours / …
                let idx = if r % 2 == 0 {
                    (j + r / 2) % k
                } else {
                    (k - 1 - j + r / 2) % k
                };
                round[idx] = (contenders[idx].run)(counts[idx]);
            }
            // Seconds per unit of work, so that contenders with a divisor compare alike.
            for ((t, d), &nc) in times.iter_mut().zip(round).zip(&counts) {
                t.push(d.as_secs_f64() / nc as f64);
            }
        }
        let per_unit = |t: &[f64]| median(t.iter().map(|s| s * 1e9).collect());
        let ours_ns = per_unit(&times[0]);
        for (p, peer) in contenders.iter().enumerate().skip(1) {
            let ratios: Vec<f64> = times[p]
                .iter()
                .zip(&times[0])
                .map(|(tp, to)| tp / to)
                .collect();
            let rmin = ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let rmax = ratios.iter().copied().fold(0.0, f64::max);
            let rmed = median(ratios);
            let peer_ns = per_unit(&times[p]);
            let key = format!("{}/{}", spec.name, peer.name);
            let (target_ratio, target) = peer.target.unwrap_or((spec.target_ratio, spec.target));
            let mut line = format!(
                "{key:<40} n={n:<10} ours {ours_ns:>10.2} ns/{u} ({:>8.2} M/s)  {} {peer_ns:>10.2} ns/{u} ({:>8.2} M/s)",
                1e3 / ours_ns,
                peer.name,
                1e3 / peer_ns,
                u = spec.unit,
            );
            if let Some(b) = spec.bytes_per_unit {
                let _ = write!(
                    line,
                    "  [{:.2} vs {:.2} GB/s]",
                    b as f64 / ours_ns,
                    b as f64 / peer_ns
                );
            }
            let _ = write!(
                line,
                "  ratio {rmed:.3} [{rmin:.3} – {rmax:.3}] target {target} → {}",
                verdict(rmed, target_ratio)
            );
            println!("{line}");
            let v = json!({
                "order": self.order,
                "bench": spec.name,
                "ours": contenders[0].name,
                "peer": peer.name,
                "unit": spec.unit,
                "bytes_per_unit": spec.bytes_per_unit,
                "n": n,
                "peer_n": counts[p],
                "ours_ns": ours_ns,
                "peer_ns": peer_ns,
                "ratio_median": rmed,
                "ratio_min": rmin,
                "ratio_max": rmax,
                "rounds": self.rounds,
                "round_ms": self.round.as_secs_f64() * 1e3,
                "target_ratio": if target_ratio.is_nan() { Value::Null } else { json!(target_ratio) },
                "target": target,
                "date": utc_now(),
                "machine": machine(),
            });
            self.results.push((key, v));
        }
    }

    /// Finds `n` such that one run of ours takes about the round time.
    fn calibrate(&self, spec: &Spec, ours: &mut Contender<'_>) -> u64 {
        let m = spec.multiple.max(1);
        if self.smoke {
            return 64u64.div_ceil(m) * m;
        }
        let mut n = 1024u64.div_ceil(m) * m;
        let least = n;
        let floor = self.round.as_secs_f64().min(0.02);
        let round = self.round.as_secs_f64();
        let scale = |n: u64, t: f64| ((n as f64 * round / t.max(1e-9)) as u64).max(least) / m * m;
        loop {
            let t = (ours.run)(n).as_secs_f64();
            if t >= floor || n >= 1 << 40 {
                n = scale(n, t);
                break;
            }
            n *= 4;
        }
        // Check the extrapolation (a run descheduled by a noisy neighbour would leave `n` far
        // too small): at most two more runs, rescaling while off by more than 2x.
        for _ in 0..2 {
            let t = (ours.run)(n).as_secs_f64();
            if (0.5 * round..=2.0 * round).contains(&t) {
                break;
            }
            n = scale(n, t);
        }
        n
    }

    /// Merges this run's figures into the JSON file (see [`json_path`]) and prints where.
    ///
    /// # Panics
    /// If the file cannot be written, or exists and is not a JSON object.
    pub fn finish(self) {
        if self.results.is_empty() || self.smoke {
            return;
        }
        let path = json_path();
        let mut all = match std::fs::read_to_string(&path) {
            Ok(s) => match serde_json::from_str::<Value>(&s) {
                Ok(Value::Object(m)) => m,
                _ => panic!("{} is not a JSON object", path.display()),
            },
            Err(_) => Map::new(),
        };
        for (k, v) in self.results {
            all.insert(k, v);
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the target directory");
        }
        let text = serde_json::to_string_pretty(&Value::Object(all)).expect("serialise");
        std::fs::write(&path, text + "\n").expect("write the bench JSON");
        println!("figures merged into {}", path.display());
    }
}

/// `met`, `missed`, or `—` when there is no target (`NaN`, or `null` in the JSON).
///
/// ```
/// assert_eq!(inos_benches::verdict(1.2, 1.0), "met");
/// assert_eq!(inos_benches::verdict(0.9, 1.0), "missed");
/// assert_eq!(inos_benches::verdict(0.9, f64::NAN), "—");
/// ```
pub fn verdict(ratio: f64, target_ratio: f64) -> &'static str {
    if target_ratio.is_nan() {
        "—"
    } else if ratio >= target_ratio {
        "met"
    } else {
        "missed"
    }
}

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The JSON file the benches merge into: `$INOS_BENCH_JSON`, else
/// `$CARGO_TARGET_DIR/inos-bench.json`, else `target/inos-bench.json` in the workspace.
pub fn json_path() -> std::path::PathBuf {
    if let Ok(p) = std::env::var("INOS_BENCH_JSON") {
        return p.into();
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"));
    target.join("inos-bench.json")
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ has a parent")
        .to_path_buf()
}

/// `{"cpu": <model name from /proc/cpuinfo>, "nproc": <available parallelism>}`.
pub fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let nproc = thread::available_parallelism().map_or(0, |n| n.get());
    json!({ "cpu": cpu, "nproc": nproc })
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
///
/// ```
/// assert_eq!(inos_benches::utc_now().len(), 20);
/// ```
pub fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn race_pinned_pins() {
        let cpus = affinity::cpus(&affinity::get().unwrap());
        if cpus.len() < 2 {
            return;
        }
        // SAFETY: sched_getcpu has no preconditions.
        let here = || unsafe { libc::sched_getcpu() } as usize;
        let (_, main_cpu) = race_pinned(vec![|| assert_eq!(here(), cpus[1])], here);
        assert_eq!(main_cpu, cpus[0]);
        assert_eq!(
            affinity::cpus(&affinity::get().unwrap()),
            cpus,
            "mask restored"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn a_divisor_shrinks_the_peer_runs_and_ratios_stay_per_unit() {
        let mut s = Suite {
            rounds: 3,
            round: Duration::from_micros(500),
            filter: None,
            results: Vec::new(),
            order: 0,
            smoke: false,
        };
        let seen = std::cell::RefCell::new(Vec::new());
        // Both take 10 ns per unit (simulated): the ratio must come out as 1 whatever the counts.
        let fake = |name: &'static str, divisor: u64| {
            let seen = &seen;
            contender(name, move |n| {
                seen.borrow_mut().push((name, n));
                Duration::from_nanos(10 * n)
            })
            .with_divisor(divisor)
        };
        let spec = Spec {
            name: "test/div",
            unit: "op",
            bytes_per_unit: None,
            target_ratio: 1.0,
            target: "≥ 1×",
            multiple: 3,
        };
        s.compare(spec, vec![fake("ours", 1), fake("slow", 100)]);
        let seen = seen.into_inner();
        let ours_n = seen.iter().rev().find(|(c, _)| *c == "ours").unwrap().1;
        let slow_n = seen.iter().rev().find(|(c, _)| *c == "slow").unwrap().1;
        assert_eq!(slow_n, (ours_n / 100 / 3).max(1) * 3);
        let v = &s.results[0].1;
        assert_eq!(v["n"], ours_n);
        assert_eq!(v["peer_n"], slow_n);
        assert!((v["ratio_median"].as_f64().unwrap() - 1.0).abs() < 1e-9);
        assert!((v["peer_ns"].as_f64().unwrap() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn rounds_alternate_and_record() {
        let dir = std::env::temp_dir().join(format!("inos-bench-test-{}", std::process::id()));
        let path = dir.join("b.json");
        let mut s = Suite {
            rounds: 4,
            round: Duration::from_micros(200),
            filter: None,
            results: Vec::new(),
            order: 0,
            smoke: false,
        };
        let log = std::cell::RefCell::new(Vec::new());
        let work = |name: &'static str| {
            let log = &log;
            contender(name, move |n| {
                log.borrow_mut().push(name);
                let t = Instant::now();
                let mut x = 0u64;
                for i in 0..n {
                    x = std::hint::black_box(x.wrapping_add(i));
                }
                std::hint::black_box(x);
                t.elapsed()
            })
        };
        let spec = Spec {
            name: "test/x",
            unit: "op",
            bytes_per_unit: None,
            target_ratio: 0.5,
            target: "≥ 0.5×",
            multiple: 2,
        };
        s.compare(spec, vec![work("ours"), work("peer")]);
        let log = log.into_inner();
        // After calibration and warm-up, the 4 rounds alternate the order.
        let tail = &log[log.len() - 8..];
        assert_eq!(
            tail,
            ["ours", "peer", "peer", "ours", "peer", "ours", "ours", "peer"]
        );
        assert_eq!(s.results.len(), 1);
        let v = &s.results[0].1;
        assert_eq!(v["rounds"], 4);
        assert!(v["ratio_min"].as_f64().unwrap() <= v["ratio_median"].as_f64().unwrap());
        std::env::set_var("INOS_BENCH_JSON", &path);
        s.finish();
        let back: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(back["test/x/peer"]["ours_ns"].as_f64().unwrap() > 0.0);
        let _ = std::fs::remove_dir_all(dir);
    }
}
