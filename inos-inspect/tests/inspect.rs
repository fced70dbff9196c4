//! End-to-end tests: a real region file in the temp dir, formatted with the standard layout and
//! populated through the crates' own APIs, then inspected through the library and the binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering as AOrdering};
use std::time::{Duration, SystemTime};

use clap::Parser;
use inos_epoch::{Epoch, Flag};
use inos_inspect::{
    rates, render_text, run, snapshot_file, to_json, Cli, InspectError, Options, RegionError,
    Snapshot,
};
use inos_layout::standard::{self, epochs};
use inos_layout::sync::Ordering;
use inos_layout::{create, AttachError, Layout, RegionBuf};
use inos_ledger::{AccountId, Ledger, LedgerError};
use inos_ring::{Mpsc, Ring, Spsc};

/// The smallest standard layout (1.4 MiB): every standard region, a 64 KiB arena.
fn layout() -> Layout {
    standard::standard(standard::MIN_TOTAL_SIZE).unwrap()
}

/// A file in the temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, AOrdering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Self(std::env::temp_dir().join(format!(
            "inos-inspect-test-{}-{tag}-{n}-{nanos}.region",
            std::process::id()
        )))
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn write(&self, bytes: &[u8]) {
        std::fs::write(&self.0, bytes).unwrap();
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn bytes_of(buf: &RegionBuf) -> Vec<u8> {
    let mut v = vec![0u8; buf.len()];
    buf.region().read(0, &mut v).unwrap();
    v
}

const MSGS: [&[u8]; 5] = [
    b"hello",
    b"world!!",
    b"",
    b"0123456789abcdefXYZ",
    &[0xde, 0xad, 0xbe, 0xef],
];

fn rec_size(len: usize) -> u32 {
    ((len + 8 + 7) & !7) as u32
}

/// Formats the standard layout and populates it: an MPSC inbox with five messages pushed and
/// the first consumed (a consumer still attached), an SPSC outbox_host with one message and its
/// producer attached, an empty MPSC outbox_kernel, a ledger with three accounts, and epochs.
fn populated() -> RegionBuf {
    let l = layout();
    let buf = RegionBuf::new(l.total_size() as usize).unwrap();
    let att = create(buf.region(), &l).unwrap();

    let inbox = Ring::<Mpsc>::init(att.get("inbox").unwrap(), 256 * 1024).unwrap();
    let mut p = inbox.producer().unwrap();
    for m in MSGS {
        p.try_push(m).unwrap();
    }
    drop(p);
    let mut c = inbox.consumer().unwrap();
    assert_eq!(c.read().unwrap().to_vec(), b"hello");
    c.read().unwrap().release();
    std::mem::forget(c); // the consumer stays attached (its role word stays set)

    let host = Ring::<Spsc>::init(att.get("outbox_host").unwrap(), 128 * 1024).unwrap();
    let mut hp = host.producer().unwrap();
    hp.try_push(b"result").unwrap();
    std::mem::forget(hp);
    Ring::<Mpsc>::init(att.get("outbox_kernel").unwrap(), 128 * 1024).unwrap();

    let ledger = Ledger::init(att.get("ledger").unwrap(), 100, 16).unwrap();
    let (a, b, c) = (
        ledger.open().unwrap(),
        ledger.open().unwrap(),
        ledger.open().unwrap(),
    );
    ledger.mint(a, 1000).unwrap();
    ledger.transfer(a, b, 250).unwrap();
    ledger.hold(a, 100).unwrap();
    ledger.accrue(c, 5).unwrap();
    ledger.freeze(c).unwrap();

    let region = buf.region();
    let inbox_epoch = Epoch::new(region, epochs::INBOX.offset()).unwrap();
    for _ in 0..3 {
        inbox_epoch.signal();
    }
    Flag::new(region, epochs::KERNEL_READY.offset())
        .unwrap()
        .set();
    // A sleeper registered on `pulse` (the waiter count is a plain word).
    region
        .u32_at(epochs::PULSE.waiters_offset())
        .unwrap()
        .store(2, Ordering::Relaxed);
    buf
}

fn opts() -> Options {
    Options::default()
}

fn good_file(tag: &str) -> (TempFile, RegionBuf) {
    let buf = populated();
    let f = TempFile::new(tag);
    f.write(&bytes_of(&buf));
    (f, buf)
}

#[test]
fn decodes_the_standard_layout() {
    let (f, _buf) = good_file("good");
    let s = snapshot_file(f.path(), &opts()).unwrap();
    assert!(!s.has_region_errors(), "{}", render_text(&s, None));

    // Header and directory.
    let l = layout();
    assert_eq!(s.header.version_major, 1);
    assert_eq!(s.header.generation, 1);
    assert_eq!(s.header.total_size, l.total_size());
    assert_eq!(s.header.init_state, "ready");
    assert_eq!(s.header.fingerprint, format!("{:#018x}", l.fingerprint()));
    assert_eq!(s.header.standard.as_deref(), Some("custom"));
    assert_eq!(s.directory.len(), 16);
    let inbox_dir = &s.directory[12];
    assert_eq!(
        (inbox_dir.name.as_str(), inbox_dir.kind.as_str()),
        ("inbox", "ring")
    );
    assert_eq!((inbox_dir.offset, inbox_dir.size), (0x5_0000, 512 * 1024));

    // Epochs: named, values and waiters.
    assert_eq!(s.epochs.len(), 1);
    assert_eq!(s.epochs[0].slots.len(), 64);
    let inbox_ep = s.epoch("inbox").unwrap();
    assert_eq!((inbox_ep.value, inbox_ep.waiters), (3, 0));
    assert_eq!(inbox_ep.kind.as_deref(), Some("counter"));
    assert_eq!(s.epoch("kernel_ready").unwrap().value, 1);
    assert_eq!(s.epoch("pulse").unwrap().waiters, 2);
    assert!(s.epoch("supervisor[31]").is_some());
    assert!(s.epochs[0].slots[31].name.is_none());

    // Rings.
    let r = s.ring("inbox").unwrap().ring.as_ref().unwrap();
    let total: u32 = MSGS.iter().map(|m| rec_size(m.len())).sum();
    assert_eq!(r.kind, "mpsc");
    assert_eq!(r.mode, "wake");
    assert_eq!(r.capacity, 256 * 1024);
    assert_eq!(r.head, rec_size(5));
    assert_eq!(r.tail, total);
    assert_eq!(r.used_bytes, total - rec_size(5));
    assert!(r.consumer_claimed);
    assert_eq!(r.producer_role, 0);
    assert_eq!((r.dropped, r.aborted, r.unblocked), (0, 0, 0));
    // Four records after the consumed one, --records 4: all of them, nothing more.
    let got: Vec<(u32, Vec<u8>)> = r.records.iter().map(|x| (x.len, x.head.clone())).collect();
    assert_eq!(
        got,
        vec![
            (7, b"world!!".to_vec()),
            (0, vec![]),
            (19, b"0123456789abcdef".to_vec()),
            (4, vec![0xde, 0xad, 0xbe, 0xef]),
        ]
    );
    assert_eq!(r.records[0].data_offset, rec_size(5));
    assert_eq!(r.records[3].head_hex, "de ad be ef");
    assert!(!r.more_records);

    let h = s.ring("outbox_host").unwrap().ring.as_ref().unwrap();
    assert_eq!(h.kind, "spsc");
    // "result": a 4-byte SPSC header word and 6 bytes padded to 8.
    assert_eq!((h.head, h.tail, h.used_bytes), (0, 12, 12));
    assert!(!h.consumer_claimed);
    // The role word holds the claiming party's id: this test process's id.
    assert_eq!(h.producer_role, std::process::id());
    assert_eq!(h.records[0].head, b"result");
    let k = s.ring("outbox_kernel").unwrap().ring.as_ref().unwrap();
    assert_eq!((k.used_bytes, k.records.len()), (0, 0));

    // Ledger.
    let l = s.ledger("ledger").unwrap().ledger.as_ref().unwrap();
    assert_eq!((l.account_capacity, l.hold_capacity), (100, 16));
    assert_eq!((l.minted, l.burned), (1005, 0));
    let rows: Vec<(u32, &str, i64, i64, i64)> = l
        .accounts
        .iter()
        .map(|a| (a.index, a.state.as_str(), a.balance, a.held, a.pending))
        .collect();
    assert_eq!(
        rows,
        vec![
            (0, "open", 650, 100, 0),
            (1, "open", 250, 0, 0),
            (2, "frozen", 0, 0, 5)
        ]
    );
    assert_eq!(l.accounts[0].spent, 250);
    // Format 2: account 0's `debited` is its outflow (250) plus its escrow (100).
    assert_eq!(l.accounts[0].debited, 350);
    assert_eq!(l.accounts[1].earned, 250);
    assert_eq!(l.total_spent, 250);
    assert_eq!(l.holds.len(), 1);
    assert_eq!(
        (
            l.holds[0].state.as_str(),
            l.holds[0].amount,
            l.holds[0].payer
        ),
        ("pending", 100, 0)
    );
    let audit = l.audit.as_ref().unwrap();
    assert!(audit.balanced);
    assert_eq!((audit.balance, audit.held, audit.pending), (900, 100, 5));
    assert_eq!((audit.pending_holds, audit.accounts_in_use), (100, 3));
    assert_eq!(
        l.audits, 0,
        "counters as found in the file, not the snapshot's own audit"
    );

    // Opaque regions.
    let arena = s.opaque.iter().find(|o| o.region == "arena").unwrap();
    assert_eq!(arena.note, "no format yet");
    assert_eq!(s.opaque.len(), 16 - 1 - 1 - 3 - 1);
}

#[test]
fn text_report() {
    let (f, _buf) = good_file("text");
    let s = snapshot_file(f.path(), &opts()).unwrap();
    let t = render_text(&s, None);
    // Roles show the holder's party id (this process) and its liveness.
    let consumer = format!(
        "consumer held by party {} (alive)  producers 0",
        std::process::id()
    );
    let producer = format!("producer held by party {} (alive)", std::process::id());
    for needle in [
        "version 1.0  generation 1",
        "(standard custom)",
        "init ready",
        "kernel_ready",
        "ring `inbox` @0x050000 (524288 B): MPSC, mode wake, capacity 262144",
        &consumer,
        "77 6f 72 6c 64 21 21",
        "|world!!|",
        "ring `outbox_host` @0x0d0000 (262144 B): SPSC",
        &producer,
        "ledger `ledger` @0x020000",
        "100 accounts (3 in use), 16 holds (1 in use)",
        "audit: BALANCED",
        "arena",
        "no format yet",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    // Fewer records asked: the rest is announced.
    let s2 = snapshot_file(
        f.path(),
        &Options {
            records: 1,
            ..opts()
        },
    )
    .unwrap();
    let r = s2.ring("inbox").unwrap().ring.as_ref().unwrap();
    assert_eq!(r.records.len(), 1);
    assert!(r.more_records);
    assert!(render_text(&s2, None).contains("(more records follow)"));
}

#[test]
fn json_document() {
    let (f, _buf) = good_file("json");
    let s = snapshot_file(f.path(), &opts()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&to_json(&s, None, true)).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["header"]["generation"], 1);
    assert_eq!(v["header"]["init_state"], "ready");
    assert!(v["header"]["fingerprint"]
        .as_str()
        .unwrap()
        .starts_with("0x"));
    assert_eq!(v["directory"][12]["name"], "inbox");
    assert_eq!(v["directory"][12]["kind_code"], 4);
    let ring = &v["rings"][0];
    assert_eq!(ring["region"], "inbox");
    assert!(ring["error"].is_null());
    assert_eq!(ring["ring"]["head"], 16);
    assert_eq!(
        ring["ring"]["records"][0]["head_hex"],
        "77 6f 72 6c 64 21 21"
    );
    assert_eq!(ring["ring"]["records"][0]["len"], 7);
    let led = &v["ledgers"][0]["ledger"];
    assert_eq!(led["accounts"][0]["balance"], 650);
    assert_eq!(led["audit"]["balanced"], true);
    assert_eq!(led["audit"]["balance"], 900);
    assert_eq!(v["epochs"][0]["slots"][3]["name"], "inbox");
    assert_eq!(v["epochs"][0]["slots"][3]["value"], 3);
    assert!(v["rates"].is_null());
    // One line when not pretty.
    assert!(!to_json(&s, None, false).contains('\n'));
}

#[test]
fn rates_between_two_snapshots() {
    let (f, buf) = good_file("rates");
    let a = snapshot_file(f.path(), &opts()).unwrap();

    // Between the snapshots: two messages in, one out; 50 credits moved; two signals.
    let l = layout();
    let att = inos_layout::attach(buf.region(), &l, inos_layout::WaitPolicy::NO_WAIT).unwrap();
    let inbox = Ring::<Mpsc>::attach(att.get("inbox").unwrap()).unwrap();
    let mut p = inbox.producer().unwrap();
    p.try_push(&[7; 30]).unwrap(); // 40 bytes
    p.try_push(&[8; 8]).unwrap(); // 16 bytes
    drop(p);
    inbox.force_release(inos_ring::Role::Consumer);
    inbox.consumer().unwrap().read().unwrap().release(); // "world!!": 16 bytes
    let ledger = Ledger::attach(att.get("ledger").unwrap()).unwrap();
    ledger
        .transfer(AccountId::from_index(1), AccountId::from_index(0), 50)
        .unwrap();
    let e = Epoch::new(buf.region(), epochs::INBOX.offset()).unwrap();
    e.signal();
    e.signal();
    f.write(&bytes_of(&buf));

    let b = snapshot_file(f.path(), &opts()).unwrap();
    let r = rates(&a, &b, Duration::from_secs(2));
    assert!(!r.reformatted);
    let inbox_rate = r.rings.iter().find(|x| x.region == "inbox").unwrap();
    assert_eq!(
        (inbox_rate.produced_bytes, inbox_rate.consumed_bytes),
        (56, 16)
    );
    assert_eq!(inbox_rate.produced_bytes_per_sec, 28.0);
    assert_eq!(inbox_rate.consumed_bytes_per_sec, 8.0);
    let host = r.rings.iter().find(|x| x.region == "outbox_host").unwrap();
    assert_eq!((host.produced_bytes, host.consumed_bytes), (0, 0));
    assert_eq!(r.ledgers[0].credits_moved, 50);
    assert_eq!(r.ledgers[0].credits_per_sec, 25.0);
    assert_eq!(r.epochs.len(), 1);
    assert_eq!(r.epochs[0].name.as_deref(), Some("inbox"));
    assert_eq!((r.epochs[0].signals, r.epochs[0].signals_per_sec), (2, 1.0));

    let t = render_text(&b, Some(&r));
    assert!(
        t.contains("ring `inbox`: produced 28 B/s, consumed 8 B/s"),
        "{t}"
    );
    assert!(t.contains("ledger `ledger`: 25.0 credits/s moved"), "{t}");
    assert!(t.contains("epoch 3 (inbox): 1.0 signals/s"), "{t}");
    let v: serde_json::Value = serde_json::from_str(&to_json(&b, Some(&r), false)).unwrap();
    assert_eq!(v["rates"]["rings"][0]["produced_bytes"], 56);

    // Wrapping positions: a ring whose tail wrapped past 2^32 still gives the small delta.
    let mut c = b.clone();
    let mut d = b.clone();
    set_inbox_positions(&mut c, u32::MAX - 7, u32::MAX - 7);
    set_inbox_positions(&mut d, 24, 8);
    let w = rates(&c, &d, Duration::from_secs(1));
    let wi = w.rings.iter().find(|x| x.region == "inbox").unwrap();
    assert_eq!((wi.produced_bytes, wi.consumed_bytes), (32, 16));

    // A re-format between snapshots: no rates.
    let mut g = b.clone();
    g.header.generation += 1;
    assert!(rates(&b, &g, Duration::from_secs(1)).reformatted);
}

fn set_inbox_positions(s: &mut Snapshot, tail: u32, head: u32) {
    let r = s
        .rings
        .iter_mut()
        .find(|r| r.region == "inbox")
        .unwrap()
        .ring
        .as_mut()
        .unwrap();
    r.tail = tail;
    r.head = head;
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn inspection_is_read_only() {
    let (f, _buf) = good_file("readonly");
    // An old mtime, so that any write would visibly move it, and a read-only mode.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(f.path())
        .unwrap();
    file.set_modified(old).unwrap();
    drop(file);
    let before = std::fs::read(f.path()).unwrap();
    assert_eq!(mtime(f.path()), old);

    // Library: snapshots (with records consumed and an audit on the copy), text and JSON.
    for _ in 0..2 {
        let s = snapshot_file(f.path(), &opts()).unwrap();
        let _ = render_text(&s, None);
        let _ = to_json(&s, None, true);
    }
    // The CLI entry point, --watch included.
    let cli = Cli::parse_from([
        "inos-inspect".as_ref(),
        f.path().as_os_str(),
        "--watch".as_ref(),
        "0".as_ref(),
        "--iterations".as_ref(),
        "2".as_ref(),
    ]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(&cli, &mut out, &mut err, false), 0);

    assert_eq!(
        std::fs::read(f.path()).unwrap(),
        before,
        "file bytes changed"
    );
    assert_eq!(mtime(f.path()), old, "file mtime changed");
    // The snapshot's consumer claimed and released the ring on its copy only: the file still
    // shows the original consumer's role and position.
    let s = snapshot_file(f.path(), &opts()).unwrap();
    let r = s.ring("inbox").unwrap().ring.as_ref().unwrap();
    assert!(r.consumer_claimed);
    assert_eq!(r.head, rec_size(5));
    assert_eq!(
        s.ledger("ledger").unwrap().ledger.as_ref().unwrap().audits,
        0
    );
}

#[test]
fn watch_mode_through_the_library_entry_point() {
    let (f, _buf) = good_file("watch");
    let path = f.path().to_str().unwrap();
    let cli = Cli::parse_from(["inos-inspect", path, "--watch", "0", "--iterations", "2"]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(&cli, &mut out, &mut err, false), 0);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.matches("inos-inspect ").count(), 2, "{out}");
    assert!(out.contains("---- snapshot 2 ----"));
    assert_eq!(out.matches("rates over the last").count(), 1);
    assert!(out.contains("epochs: no counter moved"));
    assert!(!out.contains('\x1b'), "no ANSI when not a terminal");

    // On a terminal the screen is cleared before each snapshot.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    run(&cli, &mut out, &mut err, true);
    assert_eq!(
        String::from_utf8(out)
            .unwrap()
            .matches("\x1b[H\x1b[2J")
            .count(),
        2
    );

    // JSON: one document per line, rates from the second on.
    let cli = Cli::parse_from([
        "inos-inspect",
        path,
        "--json",
        "--watch",
        "0",
        "--iterations",
        "3",
    ]);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(run(&cli, &mut out, &mut err, false), 0);
    let out = String::from_utf8(out).unwrap();
    let docs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3);
    assert!(docs[0]["rates"].is_null());
    assert_eq!(docs[2]["rates"]["rings"][0]["produced_bytes"], 0);
}

// ---- hostile and half-formatted files ----

fn attach_error(bytes: &[u8], tag: &str) -> AttachError {
    let f = TempFile::new(tag);
    f.write(bytes);
    match snapshot_file(f.path(), &opts()) {
        Err(InspectError::Attach(e)) => e,
        other => panic!("expected an attach error, got {other:?}"),
    }
}

#[test]
fn truncated_file_is_a_typed_error() {
    let bytes = bytes_of(&populated());
    let e = attach_error(&bytes[..4096], "trunc");
    assert!(matches!(e, AttachError::RegionTooSmall { .. }), "got {e:?}");
    let e = attach_error(&[], "empty");
    assert!(!e.to_string().is_empty());
    let e = attach_error(&bytes[..100], "tiny");
    assert!(!e.to_string().is_empty());
}

#[test]
fn random_bytes_are_a_typed_error() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for (i, len) in [64usize, 4096, 64 * 1024, 1 << 20].into_iter().enumerate() {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let _ = attach_error(&bytes, &format!("random{i}"));
    }
    // Random bytes behind a valid init_state and magic: still a typed error.
    let mut bytes = vec![0xA5u8; 64 * 1024];
    bytes[0..4].copy_from_slice(b"INOS");
    bytes[0x28..0x2c].copy_from_slice(&2u32.to_le_bytes());
    let _ = attach_error(&bytes, "random-magic");
}

#[test]
fn half_formatted_header_is_not_ready() {
    let mut bytes = bytes_of(&populated());
    bytes[0x28..0x2c].copy_from_slice(&1u32.to_le_bytes()); // initialising
    let e = attach_error(&bytes, "half");
    assert!(matches!(e, AttachError::NotReady { .. }), "got {e:?}");
    bytes[0x28..0x2c].copy_from_slice(&7u32.to_le_bytes());
    let e = attach_error(&bytes, "badstate");
    assert!(
        matches!(e, AttachError::BadInitState { found: 7 }),
        "got {e:?}"
    );
    // A scribbled directory entry.
    let mut bytes = bytes_of(&populated());
    bytes[128 + 32 * 12 + 16] = 0x03; // inbox offset, now unaligned
    let e = attach_error(&bytes, "dir");
    assert!(!e.to_string().is_empty());
}

#[test]
fn corrupt_regions_are_reported_per_region() {
    let l = layout();
    let buf = populated();
    let mut bytes = bytes_of(&buf);
    let off = |name: &str| l.find(name).unwrap().1.offset as usize;
    // inbox: a ring header with a bad version.
    bytes[off("inbox") + 4..off("inbox") + 8].copy_from_slice(&9u32.to_le_bytes());
    // outbox_host: a record whose length crosses the tail.
    let rec = off("outbox_host") + 512;
    bytes[rec..rec + 4].copy_from_slice(&5000u32.to_le_bytes());
    // outbox_kernel: never formatted (zero header).
    bytes[off("outbox_kernel")..off("outbox_kernel") + 512].fill(0);
    // ledger: a negative balance in account 1.
    let acct1 = off("ledger") + 128 + 64;
    bytes[acct1..acct1 + 8].copy_from_slice(&(-5i64).to_le_bytes());
    let f = TempFile::new("corrupt");
    f.write(&bytes);

    let s = snapshot_file(f.path(), &opts()).unwrap();
    assert!(s.has_region_errors());
    let inbox = s.ring("inbox").unwrap();
    assert_eq!(
        inbox.error,
        Some(RegionError::Ring(inos_ring::Error::BadVersion { found: 9 }))
    );
    let host = s.ring("outbox_host").unwrap().ring.as_ref().unwrap();
    assert!(
        matches!(
            host.records_error,
            Some(RegionError::Ring(inos_ring::Error::Corrupt(_)))
        ),
        "{:?}",
        host.records_error
    );
    assert_eq!(
        s.ring("outbox_kernel").unwrap().error,
        Some(RegionError::Ring(inos_ring::Error::BadMagic { found: 0 }))
    );
    let led = s.ledger("ledger").unwrap().ledger.as_ref().unwrap();
    assert_eq!(
        led.accounts_error,
        Some(RegionError::Ledger(LedgerError::CorruptAccount {
            index: 1
        }))
    );
    assert_eq!(
        led.audit_error,
        Some(RegionError::Ledger(LedgerError::CorruptAccount {
            index: 1
        }))
    );
    let t = render_text(&s, None);
    assert!(
        t.contains("ring `inbox` @0x050000 (524288 B): ERROR ring:"),
        "{t}"
    );
    assert!(t.contains("ERROR reading records: ring:"), "{t}");
    assert!(t.contains("audit: ERROR ledger:"), "{t}");
    let v: serde_json::Value = serde_json::from_str(&to_json(&s, None, false)).unwrap();
    assert!(v["rings"][0]["error"]
        .as_str()
        .unwrap()
        .contains("BadVersion"));
    assert!(v["rings"][0]["ring"].is_null());

    // A ledger header scribbled: the whole ledger is refused with the crate's error.
    bytes[off("ledger")..off("ledger") + 4].copy_from_slice(b"XXXX");
    f.write(&bytes);
    let s = snapshot_file(f.path(), &opts()).unwrap();
    assert!(matches!(
        s.ledger("ledger").unwrap().error,
        Some(RegionError::Ledger(LedgerError::BadMagic(_)))
    ));

    // A region over the read cap is skipped, not read.
    let s = snapshot_file(
        f.path(),
        &Options {
            max_region_bytes: 100 * 1024,
            ..opts()
        },
    )
    .unwrap();
    assert!(matches!(
        s.ring("inbox").unwrap().error,
        Some(RegionError::TooLarge { .. })
    ));
}

// ---- the binary ----

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_inos-inspect"))
}

#[test]
fn binary_cli_and_exit_codes() {
    let (f, buf) = good_file("bin");
    let out = bin().arg(f.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("ring `inbox`"), "{stdout}");
    assert!(stdout.contains("audit: BALANCED"));

    let out = bin().arg(f.path()).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["rings"][0]["ring"]["tail"],
        MSGS.iter().map(|m| rec_size(m.len())).sum::<u32>()
    );

    let out = bin()
        .arg(f.path())
        .args(["--records", "1", "--watch", "0.01", "--iterations", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("rates over the last"), "{stdout}");
    assert!(stdout.contains("(more records follow)"));

    // A refused header: exit 3 and the typed error on stderr.
    let t = TempFile::new("bin-trunc");
    t.write(&bytes_of(&buf)[..4096]);
    let out = bin().arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("not a valid inos region"), "{stderr}");
    assert!(stderr.contains("RegionTooSmall"), "{stderr}");

    // A corrupt region: the report is printed, exit 4.
    let mut bytes = bytes_of(&buf);
    let inbox = layout().find("inbox").unwrap().1.offset as usize;
    bytes[inbox..inbox + 4].copy_from_slice(b"JUNK");
    t.write(&bytes);
    let out = bin().arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8(out.stdout).unwrap().contains("BadMagic"));

    // Missing file: exit 1; bad arguments: exit 2.
    let out = bin().arg("/nonexistent/inos.region").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("cannot read"));
    let out = bin()
        .arg(f.path())
        .args(["--iterations", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--iterations needs --watch");
    let out = bin()
        .arg(f.path())
        .args(["--watch", "-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fixed_size_rings_show_their_message_size_and_records() {
    let buf = populated();
    let att = inos_layout::attach_any(buf.region(), inos_layout::WaitPolicy::NO_WAIT).unwrap();
    // 12-byte messages in a ring whose positions start 16 bytes before the end of a lap: the
    // second record skips the last 4 bytes (ring.md §3.3).
    let cap = 128 * 1024;
    let ring = Ring::<Spsc>::init_fixed_with(
        att.get("outbox_kernel").unwrap(),
        cap,
        inos_ring::Mode::Wake,
        cap - 16,
        12,
    )
    .unwrap();
    let mut p = ring.fixed_producer::<[u32; 3]>().unwrap();
    for i in 0..3u32 {
        p.try_push([i, 0x6162_6364, 7]).unwrap();
    }
    let f = TempFile::new("fixed");
    f.write(&bytes_of(&buf));
    let s = snapshot_file(
        f.path(),
        &Options {
            records: 2,
            ..opts()
        },
    )
    .unwrap();
    let r = s.ring("outbox_kernel").unwrap().ring.as_ref().unwrap();
    assert_eq!(r.message_size, 12);
    assert!(r.records_error.is_none(), "{:?}", r.records_error);
    let at: Vec<u32> = r.records.iter().map(|x| x.data_offset).collect();
    assert_eq!(at, [cap - 16, 0]);
    assert!(r.records.iter().all(|x| x.len == 12));
    assert_eq!(
        &r.records[1].head[..8],
        &[1, 0, 0, 0, b'd', b'c', b'b', b'a']
    );
    assert!(r.more_records);
    let text = render_text(&s, None);
    assert!(text.contains("fixed 12-byte messages"), "{text}");
    // A variable-length ring says its largest message instead.
    let inbox = s.ring("inbox").unwrap().ring.as_ref().unwrap();
    assert_eq!(inbox.message_size, 0);
    assert!(text.contains("(max message "));

    // A TAIL moved back into the third record: the listing stops there with the consumer's
    // error, after the two whole records.
    let tail = ring.region().u32_at(inos_ring::layout::TAIL).unwrap();
    tail.store(tail.load(Ordering::Relaxed) - 4, Ordering::Relaxed);
    let f = TempFile::new("fixed-bad-tail");
    f.write(&bytes_of(&buf));
    let s = snapshot_file(f.path(), &opts()).unwrap();
    let r = s.ring("outbox_kernel").unwrap().ring.as_ref().unwrap();
    assert_eq!(r.records.len(), 2);
    assert!(r.records_error.is_some(), "a torn record was listed");
    assert!(!r.more_records);
}
