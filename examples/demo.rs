//! The main demo: one 64 MiB shared region, a kernel, a compute module and a host.
//!
//! ```text
//! cargo run -p inos-examples --example demo              # the story, then a results table
//! cargo run -p inos-examples --example demo -- --quiet   # the results table only
//! cargo run -p inos-examples --example demo -- --json    # the results as one JSON document
//! ```
//!
//! 1. The kernel formats the standard INOS layout; a module attaches and validates it; a module
//!    built for another layout is refused with a typed error.
//! 2. The kernel formats the inbox / outbox rings and the credit ledger inside their regions,
//!    then raises `kernel_ready`; the other parties wait for it before they attach to them
//!    (the bring-up order of `docs/PROTOCOL.md` §3.5).
//! 3. Jobs flow kernel → inbox → module → outbox_kernel → kernel, each paid through an escrow
//!    hold that the kernel settles to the module when the result arrives. Every party blocks on
//!    epochs when it has nothing to do; nobody polls on a timer.
//! 4. The host follows progress on the outbox_host ring, the kernel raises the shutdown flag, and
//!    everything is counted: every job delivered once, every credit accounted for.
//! 5. Hostile bytes: a corrupted header or ring record gives a typed error, not a crash.
//!
//! The region here is a private allocation shared by threads; the same bytes could be an `mmap`
//! shared with another process or a `SharedArrayBuffer` shared with JavaScript workers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

use bytemuck::{Pod, Zeroable};
use inos_epoch::{Epoch, Flag, Watcher};
use inos_layout::standard::{epochs, StandardRegion, DEFAULT, STANDARD_32MIB};
use inos_layout::{attach, create, Attachment, RegionBuf, WaitPolicy};
use inos_ledger::{required_len, AccountId, HoldId, Ledger};
use inos_ring::{Mpsc, Ring, Spsc};

/// A job the kernel sends to the module (one 64-byte ring record).
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Job {
    id: u64,
    hold: u64,
    input: [u32; 12],
}

/// A result the module sends back to the kernel.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Done {
    id: u64,
    hold: u64,
    checksum: u64,
}

/// Progress the kernel reports to the host.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Progress {
    settled: u64,
    paid: u64,
}

const JOBS: u64 = 20_000;
const PRICE: i64 = 7;
const WINDOW: u64 = 512;
const PATIENCE: Duration = Duration::from_secs(10);
/// The kernel opens the requester's account first and the provider's second, so every party
/// knows their ids (a real system would publish them in a registry).
const REQUESTER: AccountId = AccountId::from_index(0);
const PROVIDER: AccountId = AccountId::from_index(1);

/// The demo's command line.
#[derive(Parser)]
#[command(about = "One shared region, a kernel, a compute module and a host")]
struct Args {
    /// Print only the results table (no story, no progress).
    #[arg(long)]
    quiet: bool,
    /// Print only the results, as one JSON document on stdout.
    #[arg(long)]
    json: bool,
}

/// Whether the story and the progress lines are printed (off with `--quiet` / `--json`).
static TELL: AtomicBool = AtomicBool::new(true);

/// `println!` for the story: silent with `--quiet` / `--json`.
macro_rules! say {
    ($($t:tt)*) => {
        if TELL.load(Ordering::Relaxed) {
            println!($($t)*);
        }
    };
}

fn expected_checksum(job: &Job) -> u64 {
    job.input.iter().map(|&x| u64::from(x)).sum::<u64>() ^ job.id
}

fn main() -> Res<()> {
    let args = Args::parse();
    TELL.store(!args.quiet && !args.json, Ordering::Relaxed);
    let started = Instant::now();
    say!(
        "== inos demo: one {} MiB region shared by a kernel, a module and a host ==\n",
        DEFAULT.total_size() >> 20
    );

    // 1. Layout: the kernel formats; the others attach and validate.
    let buf = RegionBuf::new(DEFAULT.total_size() as usize)?;
    let kernel = create(buf.region(), &DEFAULT)?;
    say!(
        "kernel: formatted the standard layout: {} regions, fingerprint {:#018x}, generation {}",
        kernel.layout().len(),
        kernel.layout().fingerprint(),
        kernel.generation()
    );
    match attach(buf.region(), &STANDARD_32MIB, WaitPolicy::NO_WAIT) {
        Err(e) => say!("stale module built for the 32 MiB layout: refused: {e}"),
        Ok(_) => return Err("a mismatched layout was accepted".into()),
    }

    let (delivered, settled, host_updates) = std::thread::scope(|s| -> Res<(u64, u64, u64)> {
        // The other parties start now and wait for `kernel_ready` before touching the rings.
        let module = s.spawn(|| {
            module(attach(
                buf.region(),
                &DEFAULT,
                WaitPolicy::timeout(PATIENCE),
            )?)
        });
        let settler = s.spawn(|| {
            settler(attach(
                buf.region(),
                &DEFAULT,
                WaitPolicy::timeout(PATIENCE),
            )?)
        });
        let host = s.spawn(|| {
            host(attach(
                buf.region(),
                &DEFAULT,
                WaitPolicy::timeout(PATIENCE),
            )?)
        });

        // 2. The kernel formats the rings and the ledger, then raises `kernel_ready`.
        let inbox = Ring::<Mpsc>::init(region(&kernel, StandardRegion::Inbox)?, 256 << 10)?;
        let results =
            Ring::<Mpsc>::init(region(&kernel, StandardRegion::OutboxKernel)?, 128 << 10)?;
        let host_ring =
            Ring::<Spsc>::init(region(&kernel, StandardRegion::OutboxHost)?, 128 << 10)?;
        let ledger_region = region(&kernel, StandardRegion::Ledger)?;
        let holds = ((ledger_region.len() - required_len(16, 0).ok_or("size")?)
            / inos_ledger::HOLD_LEN) as u32;
        let ledger = Ledger::init(ledger_region, 16, holds)?;
        if ledger.open()? != REQUESTER || ledger.open()? != PROVIDER {
            return Err("unexpected account ids".into());
        }
        ledger.mint(REQUESTER, JOBS as i64 * PRICE)?;
        say!(
            "kernel: inbox {} KiB (MPSC), outbox_kernel {} KiB (MPSC), outbox_host {} KiB (SPSC), \
             ledger 16 accounts / {holds} holds; requester minted {} credits",
            inbox.capacity() >> 10,
            results.capacity() >> 10,
            host_ring.capacity() >> 10,
            JOBS as i64 * PRICE
        );
        Flag::new(kernel.region(), epochs::KERNEL_READY.offset())?.set();
        say!("kernel: kernel_ready raised\n");

        // 3. The kernel's dispatcher (this thread): escrow a hold per job, keep at most WINDOW
        //    jobs in flight, and sleep on the economy epoch when the window is full.
        let settled_epoch = Epoch::new(kernel.region(), epochs::ECONOMY.offset())?;
        let mut watcher = Watcher::new(settled_epoch);
        let mut producer = inbox.producer()?;
        let mut settled_seen = 0u64;
        for id in 0..JOBS {
            while id - settled_seen >= WINDOW {
                watcher
                    .wait_changed(PATIENCE)
                    .map_err(|_| "dispatcher: no settlement for too long")?;
                settled_seen = (ledger.account(PROVIDER)?.balance / PRICE) as u64;
            }
            let hold = ledger.hold(REQUESTER, PRICE)?;
            let mut job = job_for(id);
            job.hold = hold.to_u64();
            producer.push_wait(bytemuck::bytes_of(&job), PATIENCE)?;
        }
        let join = |r: std::thread::Result<Res<u64>>| r.map_err(|_| "a party panicked")?;
        Ok((
            join(module.join())?,
            join(settler.join())?,
            join(host.join())?,
        ))
    })?;

    // 4. Count everything.
    let ledger = Ledger::attach(region(&kernel, StandardRegion::Ledger)?)?;
    let audit = ledger.audit()?;
    let (req, prov) = (ledger.account(REQUESTER)?, ledger.account(PROVIDER)?);
    say!("\nmodule: processed {delivered} jobs; kernel settled {settled}; host saw {host_updates} progress records");
    say!(
        "ledger: requester balance {} held {}, provider balance {}; audit balanced: {}",
        req.balance,
        req.held,
        prov.balance,
        audit.is_balanced()
    );
    let inbox = Ring::<Mpsc>::attach(region(&kernel, StandardRegion::Inbox)?)?;
    say!("inbox stats: {:?}", inbox.stats());
    if delivered != JOBS
        || settled != JOBS
        || prov.balance != JOBS as i64 * PRICE
        || req.held != 0
        || !audit.is_balanced()
    {
        return Err("accounting mismatch".into());
    }

    // 5. Hostile bytes: a region with a flipped header byte, and a ring record whose length a
    //    hostile party rewrote.
    let evil = RegionBuf::new(DEFAULT.total_size() as usize)?;
    create(evil.region(), &DEFAULT)?;
    evil.region().write(0, &[0xFF])?;
    let mut refused = Vec::new();
    match attach(evil.region(), &DEFAULT, WaitPolicy::NO_WAIT) {
        Err(e) => {
            say!("\nhostile header: refused: {e}");
            refused.push(("header", e.to_string()));
        }
        Ok(_) => return Err("a corrupted header was accepted".into()),
    }
    let ring_buf = RegionBuf::new(inos_ring::layout::required_len(4096))?;
    let ring = Ring::<Spsc>::init(ring_buf.region(), 4096)?;
    let (mut p, mut c) = (ring.producer()?, ring.consumer()?);
    p.try_push(b"a committed message")?;
    let record = ring_buf.region().u32_at(inos_ring::layout::HEADER_LEN)?;
    record.store(0x7FFF_FFF0, inos_layout::sync::Ordering::Release);
    match c.try_pop(&mut [0u8; 64]) {
        Err(e) => {
            say!("hostile record length: refused: {e}");
            refused.push(("record length", e.to_string()));
        }
        Ok(_) => return Err("a corrupted record was read".into()),
    }

    let elapsed = started.elapsed();
    say!("\ndone in {elapsed:.2?}: {JOBS} jobs, each delivered once and paid once.");

    // The results, for people (a table) or scripts (`--json`).
    let stats = inbox.stats();
    if args.json {
        let doc = serde_json::json!({
            "jobs": JOBS,
            "processed": delivered,
            "settled": settled,
            "host_updates": host_updates,
            "price": PRICE,
            "requester": { "balance": req.balance, "held": req.held },
            "provider": { "balance": prov.balance },
            "audit_balanced": audit.is_balanced(),
            "inbox": { "dropped": stats.dropped, "aborted": stats.aborted, "unblocked": stats.unblocked },
            "hostile_refused": refused.iter().map(|(what, e)| serde_json::json!({ "what": what, "error": e })).collect::<Vec<_>>(),
            "elapsed_ms": elapsed.as_secs_f64() * 1e3,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("\nresults");
        println!("  jobs           {JOBS} dispatched, {delivered} processed, {settled} settled (each once)");
        println!(
            "  credits        {} paid at {PRICE} each; requester {} (held {}), provider {}",
            settled as i64 * PRICE,
            req.balance,
            req.held,
            prov.balance
        );
        println!(
            "  ledger audit   {}",
            if audit.is_balanced() {
                "balanced"
            } else {
                "NOT balanced"
            }
        );
        println!(
            "  inbox          dropped {}, aborted {}, unblocked {}",
            stats.dropped, stats.aborted, stats.unblocked
        );
        println!("  host progress  {host_updates} updates");
        println!(
            "  hostile bytes  {} of 2 refused with a typed error",
            refused.len()
        );
        println!("  elapsed        {elapsed:.2?}");
    }
    Ok(())
}

/// A standard region of an attachment.
fn region<'a>(att: &Attachment<'a>, r: StandardRegion) -> Res<inos_layout::Region<'a>> {
    Ok(att.get(r).ok_or("standard region missing")?)
}

/// Decodes a message popped from a ring: its length was written by another party, so a wrong
/// one is an error, not a panic.
fn decode<T: Pod>(bytes: &[u8]) -> Res<T> {
    bytemuck::try_pod_read_unaligned(bytes).map_err(|_| {
        format!(
            "a {}-byte message where a {}-byte one was expected",
            bytes.len(),
            std::mem::size_of::<T>()
        )
        .into()
    })
}

/// Waits until the kernel has formatted the rings and the ledger (PROTOCOL.md §3.5).
fn wait_ready(att: &Attachment<'_>) -> Res<()> {
    Flag::new(att.region(), epochs::KERNEL_READY.offset())?
        .wait_set(PATIENCE)
        .map_err(|_| "the kernel never became ready".into())
}

/// The compute module: jobs in from the inbox, results out to outbox_kernel.
fn module(att: Attachment<'_>) -> Res<u64> {
    say!(
        "module: attached and validated the header and directory (generation {})",
        att.generation()
    );
    wait_ready(&att)?;
    let mut jobs = Ring::<Mpsc>::attach(region(&att, StandardRegion::Inbox)?)?.consumer()?;
    let mut out = Ring::<Mpsc>::attach(region(&att, StandardRegion::OutboxKernel)?)?.producer()?;
    let mut n = 0;
    while n < JOBS {
        let mut bytes = [0u8; 64];
        let len = jobs.pop_wait(&mut bytes, PATIENCE)?;
        let job: Job = decode(&bytes[..len])?;
        let done = Done {
            id: job.id,
            hold: job.hold,
            checksum: expected_checksum(&job),
        };
        out.push_wait(bytemuck::bytes_of(&done), PATIENCE)?;
        n += 1;
    }
    Ok(n)
}

/// The kernel's settler: results in, escrow settled to the provider, progress out to the host.
fn settler(att: Attachment<'_>) -> Res<u64> {
    wait_ready(&att)?;
    let mut done_ring =
        Ring::<Mpsc>::attach(region(&att, StandardRegion::OutboxKernel)?)?.consumer()?;
    let mut host = Ring::<Spsc>::attach(region(&att, StandardRegion::OutboxHost)?)?.producer()?;
    let ledger = Ledger::attach(region(&att, StandardRegion::Ledger)?)?;
    let settled_epoch = Epoch::new(att.region(), epochs::ECONOMY.offset())?;
    let mut settled = 0u64;
    while settled < JOBS {
        let mut bytes = [0u8; 24];
        let len = done_ring.pop_wait(&mut bytes, PATIENCE)?;
        let done: Done = decode(&bytes[..len])?;
        if done.checksum != expected_checksum(&job_for(done.id)) {
            return Err(format!("job {} came back with a wrong checksum", done.id).into());
        }
        ledger.settle(HoldId::from_u64(done.hold), PROVIDER, PRICE)?;
        settled += 1;
        settled_epoch.signal(); // a wake-up call only if the dispatcher sleeps
        if settled % 2_000 == 0 || settled == JOBS {
            let p = Progress {
                settled,
                paid: settled * PRICE as u64,
            };
            host.push_wait(bytemuck::bytes_of(&p), PATIENCE)?;
        }
    }
    Flag::new(att.region(), epochs::SHUTDOWN.offset())?.set();
    Ok(settled)
}

/// The host: follows progress records until the last one, then waits for the shutdown flag.
fn host(att: Attachment<'_>) -> Res<u64> {
    wait_ready(&att)?;
    let mut progress =
        Ring::<Spsc>::attach(region(&att, StandardRegion::OutboxHost)?)?.consumer()?;
    let mut updates = 0;
    loop {
        let mut b = [0u8; 16];
        let len = progress.pop_wait(&mut b, PATIENCE)?;
        let p: Progress = decode(&b[..len])?;
        say!(
            "host: {:>6} jobs settled, {:>7} credits paid",
            p.settled,
            p.paid
        );
        updates += 1;
        if p.settled == JOBS {
            break;
        }
    }
    Flag::new(att.region(), epochs::SHUTDOWN.offset())?
        .wait_set(PATIENCE)
        .map_err(|_| "host: no shutdown signal")?;
    Ok(updates)
}

/// The deterministic job with id `id` (the settler recomputes it to check the module's answer).
fn job_for(id: u64) -> Job {
    let mut input = [0u32; 12];
    for (i, x) in input.iter_mut().enumerate() {
        *x = (id as u32)
            .wrapping_mul(2_654_435_761)
            .rotate_left(i as u32);
    }
    Job { id, hold: 0, input }
}
