//! The main demo's story (the `demo` example and its test, run by CI through
//! `cargo test --workspace`): one 64 MiB shared region, a kernel, a compute module and a host.
//!
//! 1. The kernel formats the standard INOS layout; a module attaches and validates it; a module
//!    built for another layout is refused with a typed error.
//! 2. The kernel formats the inbox / outbox rings, the credit ledger, the arena (`inos-arena`, in
//!    the `arena` region) and the registry tables (`inos-registry`, in `module_registry` and
//!    `supervisors`) inside their regions, then raises `kernel_ready`; the other parties wait for
//!    it before they attach to them (the bring-up order of `docs/PROTOCOL.md` §3.5).
//! 3. The module registers itself in the module registry (id, name, capabilities, its ring); the
//!    kernel waits on the `registry` epoch until it finds the module by id, checks what it
//!    offers, and lists it in its supervisor entry.
//! 4. Jobs flow kernel → inbox → module → outbox_kernel → kernel, each paid through an escrow
//!    hold that the kernel settles to the module when the result arrives. A job's input (64 KiB
//!    to 1 MiB) does not travel through the ring: the kernel allocates it in the arena, writes it
//!    in place and hands the block off ([`Block::into_ref`]); the job message carries the 16-byte
//!    [`BlockRef`]. The module opens the ref (validated by the arena), checksums the input in
//!    place with word loads, frees it, and hands back a small result block by ref in its answer.
//!    The module beats its registry heartbeat per job; the kernel's settler checks the module's
//!    entry as it goes. Every party blocks on epochs when it has nothing to do; nobody polls on
//!    a timer; the dispatcher also waits when the arena holds its budget of inputs.
//! 5. The host follows progress on the outbox_host ring, the kernel raises the shutdown flag, the
//!    module unregisters, and everything is counted: every job delivered once, every credit
//!    accounted for, every arena byte given back, no live registry entry left, and the kernel's
//!    handle to the gone module refused as stale.
//! 6. Hostile bytes: a corrupted header or ring record, and a job naming a stale or forged arena
//!    block, give typed errors, not a crash.
//!
//! The region here is a private allocation shared by threads (each with its own party id); the
//! same bytes could be an `mmap` shared with other processes or a `SharedArrayBuffer` shared
//! with JavaScript workers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Errors of this module.
pub type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

use bytemuck::{Pod, Zeroable};
use inos_arena::{Arena, Block, BlockRef};
use inos_epoch::{Epoch, Flag, Watcher};
use inos_layout::standard::{epochs, StandardRegion, DEFAULT, STANDARD_32MIB};
use inos_layout::{attach, create, Attachment, RegionBuf, WaitPolicy};
use inos_ledger::{required_len, AccountId, HoldId, Ledger};
use inos_registry::{
    Entry, Handle, Label, ModuleFields, Modules, PartyId, RegistryError, SupervisorFields, Version,
};
use inos_ring::{Mpsc, Ring, Spsc};

/// A job the kernel sends to the module (one 32-byte ring record): its input stays in the
/// arena, the record carries a reference to it.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Job {
    id: u64,
    hold: u64,
    input: BlockRef,
}

/// A result the module sends back to the kernel: a reference to its result block.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Done {
    id: u64,
    hold: u64,
    result: BlockRef,
}

/// What the module writes into its result block.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Digest {
    checksum: u64,
    words: u64,
}

/// Progress the kernel reports to the host.
#[derive(Clone, Copy, Pod, Zeroable)]
#[repr(C)]
struct Progress {
    settled: u64,
    paid: u64,
}

/// Jobs the kernel dispatches.
pub const JOBS: u64 = 1_000;
/// Credits the requester pays per job.
pub const PRICE: i64 = 7;
const WINDOW: u64 = 256;
/// The dispatcher keeps at most this many bytes of the arena in use (the rest stays free for the
/// module's result blocks), and waits for settlements when it would go past it.
const ARENA_BUDGET: u64 = 16 << 20;
/// The host gets a progress record every this many settlements.
const PROGRESS_EVERY: u64 = 100;
const PATIENCE: Duration = Duration::from_secs(10);
/// The kernel opens the requester's account first and the provider's second, so every party
/// knows their ids.
const REQUESTER: AccountId = AccountId::from_index(0);
const PROVIDER: AccountId = AccountId::from_index(1);
/// The module's id in the module registry (the kernel looks it up by this id).
const MODULE_ID: &[u8] = b"checksum";
/// Capability bits the module publishes in its registry entry (their meaning is the demo's).
const CAP_CHECKSUM: u64 = 1 << 0;
/// The module takes its input as an arena reference.
const CAP_ARENA_INPUT: u64 = 1 << 1;
/// The threads stand for processes: the module acts as its own party in the arena (the owner of
/// the blocks it holds) and in the registry (the holder of its entry). The kernel is the process.
const MODULE_PARTY: PartyId = match PartyId::new(4242) {
    Some(p) => p,
    None => panic!("party ids are non-zero"),
};
/// The kernel writes inputs 4 KiB at a time from a stack buffer.
const WINDOW_WORDS: usize = 1024;
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

/// What the kernel's dispatcher counted.
struct Dispatched {
    /// The module's registry entry, as the kernel found it.
    module: Handle<Modules>,
    /// The first job's input reference (stale once the module freed it).
    first_input: BlockRef,
    /// Input blocks handed off to the module.
    handed_off: u64,
    /// Input bytes that travelled as a 16-byte reference instead of through the ring.
    bytes_by_ref: u64,
    /// The most arena bytes in use the dispatcher saw (inputs and results).
    peak_in_use: u64,
    /// Times the dispatcher waited for a settlement because the window or the arena budget was
    /// full.
    waits: u64,
}

/// What the kernel's settler counted.
struct Settled {
    settled: u64,
    /// Result blocks the module handed back.
    results_back: u64,
    /// The module's registry heartbeat, as the settler last saw it.
    heartbeat: u32,
}

/// What [`run`] counted: the demo's results table and `--json` document.
#[derive(Debug)]
pub struct Report {
    /// Jobs the kernel dispatched.
    pub jobs: u64,
    /// Jobs the module processed.
    pub processed: u64,
    /// Jobs the kernel settled (each checked against its input's checksum).
    pub settled: u64,
    /// Progress records the host received.
    pub host_updates: u64,
    /// The requester's balance at the end.
    pub requester_balance: i64,
    /// The requester's credits still held in escrow at the end.
    pub requester_held: i64,
    /// The provider's balance at the end.
    pub provider_balance: i64,
    /// Whether the ledger's audit balanced.
    pub audit_balanced: bool,
    /// The inbox ring's statistics.
    pub inbox: inos_ring::Stats,
    /// Chunks in the arena.
    pub arena_chunks: u32,
    /// Input blocks the kernel handed off to the module by reference.
    pub arena_blocks_handed_off: u64,
    /// Result blocks the module handed back to the kernel by reference.
    pub arena_results_handed_back: u64,
    /// Input bytes that travelled as a 16-byte reference instead of through the ring.
    pub arena_bytes_moved_by_ref: u64,
    /// The most arena bytes in use the dispatcher saw.
    pub arena_peak_bytes_in_use: u64,
    /// Arena bytes in use at the end (0: every block was given back).
    pub arena_bytes_in_use_after: u64,
    /// Times the dispatcher slept because the window or the arena budget was full.
    pub dispatcher_waits: u64,
    /// Modules the kernel found in the registry and supervised.
    pub registry_modules_registered: usize,
    /// The module's heartbeat as the kernel's settler last saw it.
    pub registry_heartbeat_seen: u32,
    /// The `registry` epoch at the end (one signal per change of either table).
    pub registry_epoch: u32,
    /// Live module and supervisor entries at the end (0: everyone unregistered).
    pub registry_live_after: usize,
    /// What the registry said about the kernel's handle to the module after it unregistered.
    pub registry_stale_handle: RegistryError,
    /// Hostile inputs refused, each with its typed error's message.
    pub hostile_refused: Vec<(&'static str, String)>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

/// Runs the whole story and checks it: an error if any count is off. With `tell`, prints the
/// story and the host's progress lines.
pub fn run(tell: bool) -> Res<Report> {
    TELL.store(tell, Ordering::Relaxed);
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
    // The expected checksum of each job's input, kept by the kernel's dispatcher for its settler.
    let expected: Vec<AtomicU64> = (0..JOBS).map(|_| AtomicU64::new(0)).collect();

    let (dispatched, delivered, settled, host_updates) =
        std::thread::scope(|s| -> Res<(Dispatched, u64, Settled, u64)> {
            // The other parties start now and wait for `kernel_ready` before touching the rings.
            let module = s.spawn(|| {
                module(attach(
                    buf.region(),
                    &DEFAULT,
                    WaitPolicy::timeout(PATIENCE),
                )?)
            });
            let settler = s.spawn(|| {
                settler(
                    attach(buf.region(), &DEFAULT, WaitPolicy::timeout(PATIENCE))?,
                    &expected,
                )
            });
            let host = s.spawn(|| {
                host(attach(
                    buf.region(),
                    &DEFAULT,
                    WaitPolicy::timeout(PATIENCE),
                )?)
            });
            let dispatched = dispatcher(&kernel, &expected)?;
            let join = |r: std::thread::Result<Res<u64>>| r.map_err(|_| "a party panicked")?;
            let delivered = join(module.join())?;
            let settled = settler.join().map_err(|_| "a party panicked")??;
            Ok((dispatched, delivered, settled, join(host.join())?))
        })?;

    // 5. Count everything.
    let ledger = Ledger::attach(region(&kernel, StandardRegion::Ledger)?)?;
    let audit = ledger.audit()?;
    let (req, prov) = (ledger.account(REQUESTER)?, ledger.account(PROVIDER)?);
    say!(
        "\nmodule: processed {delivered} jobs; kernel settled {}; host saw {host_updates} progress records",
        settled.settled
    );
    say!(
        "ledger: requester balance {} held {}, provider balance {}; audit balanced: {}",
        req.balance,
        req.held,
        prov.balance,
        audit.is_balanced()
    );
    let inbox = Ring::<Mpsc>::attach(region(&kernel, StandardRegion::Inbox)?)?;
    say!("inbox stats: {:?}", inbox.stats());
    let arena = Arena::attach(region(&kernel, StandardRegion::Arena)?)?;
    let arena_after = arena.stats();
    say!(
        "arena: {} inputs handed off by ref ({:.1} MiB), {} result blocks handed back; \
         peak {:.1} MiB in use; {} bytes in use now",
        dispatched.handed_off,
        mib(dispatched.bytes_by_ref),
        settled.results_back,
        mib(dispatched.peak_in_use),
        arena_after.bytes_in_use
    );

    // The module unregistered on its way out: the kernel's handle to it is stale now, and so is
    // the one its supervisor entry lists. The kernel then removes its own supervisor entry.
    let tables = inos_registry::standard::attach(&kernel)?;
    let stale = match tables.modules.get(dispatched.module) {
        Err(e @ RegistryError::Stale) => e,
        Err(e) => return Err(e.into()),
        Ok(_) => return Err("the module's entry outlived its unregistration".into()),
    };
    say!("registry: the module unregistered; the kernel's handle to it is refused: {stale}");
    let supervisor = tables.supervisors.lookup(b"kernel")?;
    let modules_registered = supervisor.fields.modules().len();
    for listed in supervisor.fields.modules() {
        if tables.modules.get(listed) != Err(RegistryError::Stale) {
            return Err("the supervisor lists a module that is still live".into());
        }
    }
    tables.supervisors.unregister(supervisor.handle)?;
    let registry_live_after = tables.modules.live().count() + tables.supervisors.live().count();
    let registry_epoch = tables.epoch.load();
    say!(
        "registry: {registry_live_after} live entries left; the registry epoch moved {registry_epoch} times"
    );
    if delivered != JOBS
        || settled.settled != JOBS
        || prov.balance != JOBS as i64 * PRICE
        || req.held != 0
        || !audit.is_balanced()
    {
        return Err("accounting mismatch".into());
    }
    if dispatched.handed_off != JOBS
        || settled.results_back != JOBS
        || arena_after.bytes_in_use != 0
        || registry_live_after != 0
    {
        return Err("arena or registry mismatch".into());
    }

    // 6. Hostile bytes: a region with a flipped header byte, a ring record whose length a
    //    hostile party rewrote, and jobs naming arena blocks that are not theirs to name.
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
    // A replayed job whose input the module freed long ago, and a job whose reference points at
    // the arena's own header: the module's `take_input` (the code it runs on every job) refuses
    // both with the arena's typed error.
    let module_arena = arena.with_party(MODULE_PARTY);
    let hostile_jobs = [
        (
            "stale block ref",
            dispatched.first_input,
            inos_arena::Error::Stale,
        ),
        (
            "forged block ref",
            BlockRef {
                offset: 0,
                len: 4096,
                generation: 0,
                reserved: 0,
            },
            inos_arena::Error::RefOutOfRange,
        ),
    ];
    for (what, input, want) in hostile_jobs {
        let job = Job {
            id: 0,
            hold: 0,
            input,
        };
        match take_input(&module_arena, bytemuck::bytes_of(&job)) {
            Err(e) if e.downcast_ref::<inos_arena::Error>() == Some(&want) => {
                say!("hostile job ({what}): refused: {e}");
                refused.push((what, e.to_string()));
            }
            Err(e) => return Err(format!("{what}: unexpected error: {e}").into()),
            Ok(_) => return Err(format!("a job with a {what} was accepted").into()),
        }
    }
    if arena.stats().bytes_in_use != 0 {
        return Err("a hostile job left arena bytes in use".into());
    }

    let elapsed = started.elapsed();
    say!(
        "\ndone in {elapsed:.2?}: {JOBS} jobs, each delivered once and paid once, their inputs \
         passed by reference."
    );

    Ok(Report {
        jobs: JOBS,
        processed: delivered,
        settled: settled.settled,
        host_updates,
        requester_balance: req.balance,
        requester_held: req.held,
        provider_balance: prov.balance,
        audit_balanced: audit.is_balanced(),
        inbox: inbox.stats(),
        arena_chunks: arena_after.chunks,
        arena_blocks_handed_off: dispatched.handed_off,
        arena_results_handed_back: settled.results_back,
        arena_bytes_moved_by_ref: dispatched.bytes_by_ref,
        arena_peak_bytes_in_use: dispatched.peak_in_use,
        arena_bytes_in_use_after: arena_after.bytes_in_use,
        dispatcher_waits: dispatched.waits,
        registry_modules_registered: modules_registered,
        registry_heartbeat_seen: settled.heartbeat,
        registry_epoch,
        registry_live_after,
        registry_stale_handle: stale,
        hostile_refused: refused,
        elapsed,
    })
}

/// `bytes` in MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
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

/// Waits until the kernel has formatted the rings, the ledger, the arena and the registry
/// tables (PROTOCOL.md §3.5).
fn wait_ready(att: &Attachment<'_>) -> Res<()> {
    Flag::new(att.region(), epochs::KERNEL_READY.offset())?
        .wait_set(PATIENCE)
        .map_err(|_| "the kernel never became ready".into())
}

/// Finds the module by id, sleeping on the `registry` epoch until it has registered, and checks
/// that it offers what the kernel needs (the checksum, inputs by arena reference, on the inbox).
fn find_module(tables: &inos_registry::standard::Standard<'_>) -> Res<Entry<Modules>> {
    // Watch first, then look: a registration between the two still wakes the wait.
    let mut registry = Watcher::new(tables.epoch);
    loop {
        match tables.modules.lookup(MODULE_ID) {
            Ok(e) => {
                let f = &e.fields;
                let wanted = CAP_CHECKSUM | CAP_ARENA_INPUT;
                if f.capabilities & wanted != wanted
                    || f.ring != Some(StandardRegion::Inbox.index() as u32)
                {
                    return Err(
                        format!("module {} does not offer what the kernel needs", e.id).into(),
                    );
                }
                return Ok(e);
            }
            Err(RegistryError::NotFound) => {
                registry
                    .wait_changed(PATIENCE)
                    .map_err(|_| "no module registered in time")?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The kernel (this thread): formats the rings, the ledger, the arena and the registry tables,
/// raises `kernel_ready`, finds the module in the registry, then dispatches the jobs.
fn dispatcher(kernel: &Attachment<'_>, expected: &[AtomicU64]) -> Res<Dispatched> {
    // 2. The kernel formats everything the others attach to, then raises `kernel_ready`.
    let inbox = Ring::<Mpsc>::init(region(kernel, StandardRegion::Inbox)?, 256 << 10)?;
    let results = Ring::<Mpsc>::init(region(kernel, StandardRegion::OutboxKernel)?, 128 << 10)?;
    let host_ring = Ring::<Spsc>::init(region(kernel, StandardRegion::OutboxHost)?, 128 << 10)?;
    let ledger_region = region(kernel, StandardRegion::Ledger)?;
    let holds =
        ((ledger_region.len() - required_len(16, 0).ok_or("size")?) / inos_ledger::HOLD_LEN) as u32;
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
    let arena = Arena::init(
        region(kernel, StandardRegion::Arena)?,
        inos_arena::layout::DEFAULT_CHUNK_SHIFT,
    )?;
    let tables = inos_registry::standard::init(kernel)?;
    let geo = arena.geometry();
    say!(
        "kernel: arena {} chunks of {} KiB ({:.1} MiB); module registry {} entries, supervisor \
         table {} entries",
        geo.chunks(),
        geo.chunk_len() >> 10,
        mib(geo.chunks() as u64 * geo.chunk_len() as u64),
        tables.modules.entry_count(),
        tables.supervisors.entry_count()
    );
    say!("kernel: raising kernel_ready\n");
    Flag::new(kernel.region(), epochs::KERNEL_READY.offset())?.set();

    // 3. The kernel finds the module by id and lists it in its supervisor entry.
    let module = find_module(&tables)?;
    tables.supervisors.register(
        PartyId::current(),
        b"kernel",
        &SupervisorFields::new(1, None, &[module.handle])?,
    )?;
    say!(
        "kernel: found module {:?} ({}, v{}, capabilities {:#b}, ring: directory entry {}) in \
         registry slot {}; supervising it",
        module.id.to_string(),
        module.fields.name,
        module.fields.version,
        module.fields.capabilities,
        module.fields.ring.unwrap_or(u32::MAX),
        module.handle.slot()
    );

    // 4. Dispatch: per job, an escrow hold and an input block in the arena, written in place
    //    and handed off by reference. At most WINDOW jobs in flight and ARENA_BUDGET bytes of
    //    arena in use; when either is full the dispatcher sleeps on the economy epoch (the
    //    settler signals it after each settlement, by which time the module has freed the
    //    job's input and the settler its result).
    let settled_epoch = Epoch::new(kernel.region(), epochs::ECONOMY.offset())?;
    let mut watcher = Watcher::new(settled_epoch);
    let mut producer = inbox.producer()?;
    let mut settled_seen = 0u64;
    let mut d = Dispatched {
        module: module.handle,
        first_input: BlockRef::default(),
        handed_off: 0,
        bytes_by_ref: 0,
        peak_in_use: 0,
        waits: 0,
    };
    for id in 0..JOBS {
        let len = input_len(id);
        let block = loop {
            let in_flight = id - settled_seen;
            let in_use = arena.stats().bytes_in_use;
            if in_flight == 0 || (in_flight < WINDOW && in_use + len as u64 <= ARENA_BUDGET) {
                match arena.alloc(len) {
                    Ok(b) => {
                        d.peak_in_use = d.peak_in_use.max(in_use + b.capacity() as u64);
                        break b;
                    }
                    // Fragmented: wait for a settlement to give chunks back.
                    Err(inos_arena::Error::OutOfMemory) if in_flight > 0 => {}
                    Err(e) => return Err(e.into()),
                }
            }
            d.waits += 1;
            watcher
                .wait_changed(PATIENCE)
                .map_err(|_| "dispatcher: no settlement for too long")?;
            settled_seen = (ledger.account(PROVIDER)?.balance / PRICE) as u64;
        };
        // Relaxed: the push below (Release) and the module's and settler's pops (Acquire)
        // order this store before the settler's load.
        expected[id as usize].store(write_input(&block, id)?, Ordering::Relaxed);
        let hold = ledger.hold(REQUESTER, PRICE)?;
        // The hand-off: the block is marked in transit; exactly one `open` of the ref takes it.
        let input = block.into_ref()?;
        if id == 0 {
            d.first_input = input;
        }
        d.handed_off += 1;
        d.bytes_by_ref += len as u64;
        let job = Job {
            id,
            hold: hold.to_u64(),
            input,
        };
        producer.push_wait(bytemuck::bytes_of(&job), PATIENCE)?;
    }
    Ok(d)
}

/// Decodes a job and takes its input block. The reference was written by another party: the
/// arena validates it (range, block boundary, size class, generation, in transit) and refuses a
/// stale or forged one with a typed [`inos_arena::Error`].
fn take_input<'a>(arena: &Arena<'a>, bytes: &[u8]) -> Res<(Job, Block<'a>)> {
    let job: Job = decode(bytes)?;
    let input = arena.open(job.input)?;
    Ok((job, input))
}

/// The compute module: registers itself, then takes jobs from the inbox, checksums each input in
/// place and answers on outbox_kernel with a result block; unregisters when it is done.
fn module(att: Attachment<'_>) -> Res<u64> {
    say!(
        "module: attached and validated the header and directory (generation {})",
        att.generation()
    );
    wait_ready(&att)?;
    let mut jobs = Ring::<Mpsc>::attach(region(&att, StandardRegion::Inbox)?)?.consumer()?;
    let mut out = Ring::<Mpsc>::attach(region(&att, StandardRegion::OutboxKernel)?)?.producer()?;
    let arena = Arena::attach(region(&att, StandardRegion::Arena)?)?.with_party(MODULE_PARTY);
    let tables = inos_registry::standard::attach(&att)?;
    let fields = ModuleFields {
        name: Label::new(b"checksum worker").ok_or("a name of more than 16 bytes")?,
        version: Version::new(1, 0, 0),
        capabilities: CAP_CHECKSUM | CAP_ARENA_INPUT,
        ring: Some(StandardRegion::Inbox.index() as u32),
        epoch: None,
        memory_kib: 0,
    };
    let me = tables.modules.register(MODULE_PARTY, MODULE_ID, &fields)?;
    say!(
        "module: registered as {:?} in registry slot {} (party {})",
        String::from_utf8_lossy(MODULE_ID),
        me.slot(),
        MODULE_PARTY.get()
    );
    let mut n = 0;
    while n < JOBS {
        let mut bytes = [0u8; 64];
        let len = jobs.pop_wait(&mut bytes, PATIENCE)?;
        let (job, input) = take_input(&arena, &bytes[..len])?;
        let digest = checksum(&input)?;
        input.free()?; // the input is the module's since `open`: give it back to the arena
        let result = arena.alloc(std::mem::size_of::<Digest>())?;
        result.write_pod(0, &digest)?;
        let done = Done {
            id: job.id,
            hold: job.hold,
            result: result.into_ref()?, // handed back to the kernel
        };
        out.push_wait(bytemuck::bytes_of(&done), PATIENCE)?;
        tables.modules.beat(me)?;
        n += 1;
    }
    tables.modules.unregister(me)?;
    say!("module: done; unregistered");
    Ok(n)
}

/// The kernel's settler: results in (each a result block, read and freed), escrow settled to the
/// provider, progress out to the host; checks the module's registry entry as it goes.
fn settler(att: Attachment<'_>, expected: &[AtomicU64]) -> Res<Settled> {
    wait_ready(&att)?;
    let mut done_ring =
        Ring::<Mpsc>::attach(region(&att, StandardRegion::OutboxKernel)?)?.consumer()?;
    let mut host = Ring::<Spsc>::attach(region(&att, StandardRegion::OutboxHost)?)?.producer()?;
    let ledger = Ledger::attach(region(&att, StandardRegion::Ledger)?)?;
    let arena = Arena::attach(region(&att, StandardRegion::Arena)?)?;
    let tables = inos_registry::standard::attach(&att)?;
    let module = find_module(&tables)?.handle;
    let settled_epoch = Epoch::new(att.region(), epochs::ECONOMY.offset())?;
    let mut out = Settled {
        settled: 0,
        results_back: 0,
        heartbeat: 0,
    };
    while out.settled < JOBS {
        let mut bytes = [0u8; 32];
        let len = done_ring.pop_wait(&mut bytes, PATIENCE)?;
        let done: Done = decode(&bytes[..len])?;
        let want = expected
            .get(done.id as usize)
            .ok_or("a result for a job that was never sent")?
            .load(Ordering::Relaxed);
        let result = arena.open(done.result)?;
        let digest: Digest = result.read_pod(0)?;
        result.free()?;
        out.results_back += 1;
        if digest.checksum != want || digest.words != input_len(done.id) as u64 / 4 {
            return Err(format!("job {} came back with a wrong checksum", done.id).into());
        }
        ledger.settle(HoldId::from_u64(done.hold), PROVIDER, PRICE)?;
        out.settled += 1;
        settled_epoch.signal(); // a wake-up call only if the dispatcher sleeps
        if out.settled % PROGRESS_EVERY == 0 || out.settled == JOBS {
            // Supervision: while jobs remain, the module's entry is still its registration (a
            // stale handle would mean it unregistered or was reclaimed) and its heartbeat moves.
            if out.settled < JOBS {
                let entry = tables
                    .modules
                    .get(module)
                    .map_err(|e| format!("the module's registry entry: {e}"))?;
                out.heartbeat = entry.heartbeat;
            }
            let p = Progress {
                settled: out.settled,
                paid: out.settled * PRICE as u64,
            };
            host.push_wait(bytemuck::bytes_of(&p), PATIENCE)?;
        }
    }
    Flag::new(att.region(), epochs::SHUTDOWN.offset())?.set();
    Ok(out)
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

/// Job `id`'s input length: 64 KiB, every tenth job 256 KiB, every hundredth 1 MiB.
fn input_len(id: u64) -> usize {
    if id % 100 == 99 {
        1 << 20
    } else if id % 10 == 9 {
        256 << 10
    } else {
        64 << 10
    }
}

/// A Fletcher-style checksum over `u32` words (order matters).
#[derive(Default)]
struct Fletcher {
    a: u64,
    b: u64,
}

impl Fletcher {
    fn add(&mut self, word: u32) {
        self.a = self.a.wrapping_add(u64::from(word));
        self.b = self.b.wrapping_add(self.a);
    }

    fn finish(&self) -> u64 {
        self.a ^ self.b.rotate_left(32)
    }
}

/// Writes job `id`'s input (`input_len(id)` bytes of xorshift words, little-endian) into its
/// block in place, 4 KiB at a time, and returns their checksum.
fn write_input(block: &Block<'_>, id: u64) -> Res<u64> {
    let mut x = (id as u32).wrapping_mul(0x9E37_79B9) | 1;
    let mut sum = Fletcher::default();
    let mut window = [0u32; WINDOW_WORDS];
    for at in (0..block.len()).step_by(WINDOW_WORDS * 4) {
        let words = ((block.len() - at) / 4).min(WINDOW_WORDS);
        for w in &mut window[..words] {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            sum.add(x);
            *w = x.to_le();
        }
        block.write(at, bytemuck::cast_slice(&window[..words]))?;
    }
    Ok(sum.finish())
}

/// The module's work: the checksum of the input's little-endian `u32` words, read in place with
/// one atomic load each (4-byte words, the width every party uses for arena data); the input is
/// never copied.
fn checksum(input: &Block<'_>) -> Res<Digest> {
    if input.len() % 4 != 0 {
        return Err("an input that is not a whole number of words".into());
    }
    let arena = input.arena().region();
    let mut sum = Fletcher::default();
    for at in (input.offset()..input.offset() + input.len()).step_by(4) {
        // SYNC: Relaxed: the `open` that took the block (Acquire) pairs with the kernel's
        // hand-off (Release), so the kernel's writes are visible.
        sum.add(u32::from_le(
            arena.u32_at(at)?.load(inos_layout::sync::Ordering::Relaxed),
        ));
    }
    Ok(Digest {
        checksum: sum.finish(),
        words: (input.len() / 4) as u64,
    })
}
