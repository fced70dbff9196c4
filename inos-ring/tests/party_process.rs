//! Telling that a party is dead, with a real process (issue 13 §2): a child process maps the same
//! file, claims the producer of a full SPSC ring, the consumer of an empty SPSC ring and a
//! producer of a full MPSC ring, and falls asleep in `push_wait` / `pop_wait` on all three. The
//! parent kills it with SIGKILL, reaps it, sees `holder(..).is_alive()` flip to false, and
//! recovers every role and every waiter count the child left raised. Bounded by deadlines
//! everywhere, and the child is killed on every path, so the test can never hang.
#![cfg(all(unix, feature = "std"))]
#![allow(missing_docs)]

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use inos_layout::sync::Ordering;
use inos_layout::Region;
use inos_ring::layout::{required_len, DATA_EPOCH, SPACE_EPOCH};
use inos_ring::{Liveness, Mpsc, PartyId, ProcessProbe, Ring, Role, Spsc};

const CHILD: &str = "INOS_RING_PARTY_PROCESS_CHILD";
const TEST_NAME: &str = "a_killed_party_is_seen_dead_and_recovered";
const LEN: usize = 4096;
const CAP: u32 = 64;
const WAIT: Duration = Duration::from_secs(20);
// Ring offsets in the shared file (each ring is 512 + 64 bytes).
const FULL_SPSC: usize = 0;
const EMPTY_SPSC: usize = 1024;
const FULL_MPSC: usize = 2048;

fn map(path: &Path) -> memmap2::MmapMut {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    // SAFETY: the file is private to this test; both processes access the mapping only through
    // `Region` (atomics).
    unsafe { memmap2::MmapOptions::new().len(LEN).map_mut(&file) }.unwrap()
}

fn ring_region(region: Region<'_>, off: usize) -> Region<'_> {
    region.sub(off, required_len(CAP)).unwrap()
}

/// The child: claim three roles and sleep in all three, until killed.
fn child(region: Region<'_>) {
    let full = Ring::<Spsc>::attach(ring_region(region, FULL_SPSC)).unwrap();
    let empty = Ring::<Spsc>::attach(ring_region(region, EMPTY_SPSC)).unwrap();
    let mpsc = Ring::<Mpsc>::attach(ring_region(region, FULL_MPSC)).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            let mut c = empty.consumer().unwrap();
            let _ = c.pop_wait(&mut [0; 8], None); // never returns: nobody pushes
        });
        s.spawn(move || {
            let mut p = mpsc.producer().unwrap();
            while p.try_push(&[7; 24]).is_ok() {}
            let _ = p.push_wait(&[8; 24], None); // never returns: nobody pops
        });
        let mut p = full.producer().unwrap();
        while p.try_push(&[1; 24]).is_ok() {}
        let _ = p.push_wait(&[2; 24], None);
    });
    unreachable!("the parent kills this process");
}

/// Kills the child and removes the file on every path out of the parent.
struct Reaper(Child, PathBuf);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let _ = std::fs::remove_file(&self.1);
    }
}

/// Waits (yielding, bounded) until `done`.
fn until(what: &str, done: impl Fn() -> bool) {
    let end = Instant::now() + WAIT;
    while !done() {
        assert!(Instant::now() < end, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1)); // polling another process, not sync
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_killed_party_is_seen_dead_and_recovered() {
    if let Some(path) = std::env::var_os(CHILD) {
        let mut m = map(&PathBuf::from(path));
        // SAFETY: the mapping outlives the region and is only accessed through it.
        let region = unsafe { Region::from_raw_parts(m.as_mut_ptr(), LEN) }.unwrap();
        child(region);
        return;
    }

    let path = std::env::temp_dir().join(format!("inos-ring-party-{}", std::process::id()));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    file.set_len(LEN as u64).unwrap();
    let mut m = map(&path);
    // SAFETY: the mapping outlives the region and is only accessed through it.
    let region = unsafe { Region::from_raw_parts(m.as_mut_ptr(), LEN) }.unwrap();
    let full = Ring::<Spsc>::init(ring_region(region, FULL_SPSC), CAP).unwrap();
    let empty = Ring::<Spsc>::init(ring_region(region, EMPTY_SPSC), CAP).unwrap();
    let mpsc = Ring::<Mpsc>::init(ring_region(region, FULL_MPSC), CAP).unwrap();
    let waiters =
        |ring: Region<'_>, slot: usize| ring.u32_at(slot + 4).unwrap().load(Ordering::SeqCst);

    let mut reaper = Reaper(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD, &path)
            .spawn()
            .unwrap(),
        path.clone(),
    );
    let child_id = PartyId::new(reaper.0.id()).unwrap();

    // The child holds its roles under its process id and sleeps on all three rings.
    until("the child holds its roles", || {
        full.holder(Role::Producer) == Some(child_id)
            && empty.holder(Role::Consumer) == Some(child_id)
            && mpsc.producers() == 1
    });
    until("the child sleeps on all three rings", || {
        waiters(full.region(), SPACE_EPOCH) != 0
            && waiters(empty.region(), DATA_EPOCH) != 0
            && waiters(mpsc.region(), SPACE_EPOCH) != 0
    });
    assert!(child_id.is_alive());
    assert_eq!(full.release_if_dead(Role::Producer, &ProcessProbe), None);
    assert_eq!(empty.release_if_dead(Role::Consumer, &ProcessProbe), None);

    // SIGKILL, then reap: until it is reaped a killed child is a zombie and reads alive.
    reaper.0.kill().unwrap();
    reaper.0.wait().unwrap();
    let holder = full.holder(Role::Producer).unwrap();
    assert_eq!(holder, child_id);
    assert!(!holder.is_alive());
    assert_eq!(holder.liveness(), Liveness::Dead);
    assert!(!empty.holder(Role::Consumer).unwrap().is_alive());

    // What it left: roles claimed, waiter counts raised (every release / commit would pay a
    // futex wake forever), the MPSC producer still counted.
    assert_eq!(
        full.producer().err(),
        Some(inos_ring::Error::RoleTaken(Role::Producer))
    );
    assert_eq!(
        empty.consumer().err(),
        Some(inos_ring::Error::RoleTaken(Role::Consumer))
    );
    assert_ne!(waiters(full.region(), SPACE_EPOCH), 0);
    assert_ne!(waiters(empty.region(), DATA_EPOCH), 0);
    assert_ne!(waiters(mpsc.region(), SPACE_EPOCH), 0);
    assert_eq!(mpsc.producers(), 1);

    // Recovery.
    assert_eq!(
        full.release_if_dead(Role::Producer, &ProcessProbe),
        Some(child_id)
    );
    assert_eq!(
        empty.release_if_dead(Role::Consumer, &ProcessProbe),
        Some(child_id)
    );
    assert_eq!(mpsc.forget_producer(), 0);
    assert!(mpsc.clear_waiters(Role::Producer).unwrap() > 0);
    for (r, slot) in [
        (full.region(), SPACE_EPOCH),
        (empty.region(), DATA_EPOCH),
        (mpsc.region(), SPACE_EPOCH),
    ] {
        assert_eq!(waiters(r, slot), 0);
    }

    // Every ring works again, and nothing the dead producers published was lost.
    let mut out = [0u8; 24];
    let mut c = full.consumer().unwrap();
    let mut p = full.producer().unwrap();
    assert_eq!(full.holder(Role::Producer), Some(PartyId::current()));
    assert_eq!((c.try_pop(&mut out), out), (Ok(24), [1; 24]));
    p.try_push(&[3; 24]).unwrap();
    let mut c = empty.consumer().unwrap();
    empty.producer().unwrap().try_push(b"hi").unwrap();
    assert_eq!(c.try_pop(&mut out), Ok(2));
    let mut c = mpsc.consumer().unwrap();
    assert_eq!((c.try_pop(&mut out), out), (Ok(24), [7; 24]));
    mpsc.producer().unwrap().try_push(&[9; 24]).unwrap();
}
