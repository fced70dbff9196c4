//! Writes a populated standard-layout region file to look at with `inos-inspect`.
//!
//! ```text
//! cargo run -p inos-inspect --example demo_region -- /tmp/demo.region            # write once
//! cargo run -p inos-inspect --example demo_region -- /tmp/demo.region --live 10  # keep it busy
//! ```
//!
//! The region (the 64 MiB default tier) is built in memory with the crates' own APIs: an MPSC
//! `inbox` with a few messages and an attached consumer, an SPSC `outbox_host` with its producer
//! attached, an empty `outbox_kernel`, a ledger with accounts, a pending hold and accrued rewards,
//! and a few epoch signals. It is then written to the file with positional writes (the file is
//! never truncated once written, so an inspector reading it at the same time never sees it
//! short). With `--live SECS` it keeps producing, consuming, transferring and signalling for
//! SECS seconds, rewriting the file (all but the arena) ten times a second, so that `inos-inspect --watch` shows
//! rates. The file is left in place; remove it when done.
#![forbid(unsafe_code)]

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::time::{Duration, Instant};

use inos_epoch::{Epoch, Flag};
use inos_layout::standard::{epochs, StandardRegion, ARENA_OFFSET, DEFAULT};
use inos_layout::{create, RegionBuf};
use inos_ledger::Ledger;
use inos_ring::{Mpsc, Ring, Spsc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: demo_region <FILE> [--live SECS]")?;
    let live = match (args.next().as_deref(), args.next()) {
        (Some("--live"), Some(s)) => Some(Duration::from_secs_f64(s.parse()?)),
        (None, _) => None,
        _ => return Err("usage: demo_region <FILE> [--live SECS]".into()),
    };

    let buf = RegionBuf::new(DEFAULT.total_size() as usize)?;
    let att = create(buf.region(), &DEFAULT)?;
    let region = buf.region();

    let inbox = Ring::<Mpsc>::init(att.get(StandardRegion::Inbox).ok_or("inbox")?, 256 << 10)?;
    let mut producer = inbox.producer()?;
    for m in [
        &b"job:render tile 17"[..],
        b"job:train epoch 3",
        b"",
        &[
            0xca, 0xfe, 0xba, 0xbe, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        ],
        b"job:gc",
        b"job:ping",
    ] {
        producer.try_push(m)?;
    }
    let mut consumer = inbox.consumer()?;
    consumer.read()?.release();

    let host = Ring::<Spsc>::init(
        att.get(StandardRegion::OutboxHost).ok_or("outbox_host")?,
        128 << 10,
    )?;
    let mut host_producer = host.producer()?;
    host_producer.try_push(b"{\"tile\":17,\"ok\":true}")?;
    Ring::<Mpsc>::init(
        att.get(StandardRegion::OutboxKernel)
            .ok_or("outbox_kernel")?,
        128 << 10,
    )?;

    let ledger = Ledger::init(att.get(StandardRegion::Ledger).ok_or("ledger")?, 512, 64)?;
    let kernel = ledger.open()?;
    let alice = ledger.open()?;
    let bob = ledger.open()?;
    ledger.mint(kernel, 1_000_000)?;
    ledger.transfer(kernel, alice, 5_000)?;
    ledger.transfer(kernel, bob, 2_500)?;
    ledger.hold(alice, 1_200)?;
    ledger.accrue(bob, 40)?;

    let inbox_epoch = Epoch::new(region, epochs::INBOX.offset())?;
    for _ in 0..6 {
        inbox_epoch.signal();
    }
    Epoch::new(region, epochs::OUTBOX_HOST.offset())?.signal();
    Flag::new(region, epochs::KERNEL_READY.offset())?.set();

    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    file.set_len(buf.len() as u64)?;
    // Everything but the (still zero) arena; `set_len` zero-fills the rest of the file.
    let mut bytes = vec![0u8; ARENA_OFFSET as usize];
    let write = |bytes: &mut Vec<u8>| -> std::io::Result<()> {
        region.read(0, bytes).map_err(std::io::Error::other)?;
        file.write_all_at(bytes, 0)
    };
    write(&mut bytes)?;
    println!("wrote {path} ({} bytes)", buf.len());

    let Some(live) = live else {
        return Ok(());
    };
    let pulse = Epoch::new(region, epochs::PULSE.offset())?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < live {
        for _ in 0..20 {
            n += 1;
            if producer.try_push(format!("job:{n}").as_bytes()).is_ok() {
                inbox_epoch.signal();
            }
            if n % 2 == 0 {
                if let Ok(g) = consumer.read() {
                    g.release();
                }
            }
            let _ = ledger.transfer(kernel, if n % 3 == 0 { bob } else { alice }, 3);
        }
        pulse.signal();
        write(&mut bytes)?;
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("live for {live:?}: {n} messages offered");
    Ok(())
}
