//! A real cross-process wait/wake: two OS processes map the same temporary file; each parks on
//! an epoch (spin budget 0, and the signaller waits until the peer is registered, so every
//! wake-up has to travel through the non-private futex), the other signals. Bounded by deadlines
//! everywhere, and the child is killed if it outlives them, so the test can never hang.
#![cfg(all(target_os = "linux", feature = "std"))]

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use inos_epoch::{Epoch, Watcher};
use inos_layout::sync::Ordering;
use inos_layout::Region;

const ROLE: &str = "INOS_EPOCH_CROSS_PROCESS_CHILD";
const TEST_NAME: &str = "futex_wakes_across_processes";
const ROUNDS: u32 = 200;
const LEN: usize = 4096;
const WAIT: Duration = Duration::from_secs(20);

// Offsets in the shared file.
const TO_CHILD: usize = 0; // epoch the parent signals
const TO_PARENT: usize = 8; // epoch the child signals
const PAYLOAD: usize = 64; // parent's round number, published by the TO_CHILD signal
const ECHO: usize = 68; // child's echo, published by the TO_PARENT signal

fn map(path: &PathBuf) -> memmap2::MmapMut {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    // SAFETY: the file is private to this test; both processes access the mapping only through
    // `Region` (atomics).
    unsafe { memmap2::MmapOptions::new().len(LEN).map_mut(&file) }.unwrap()
}

/// Spins (yielding) until `peer` is registered as a waiter on `epoch`, so that the next signal
/// must wake it through the futex. Bounded.
fn until_parked(epoch: &Epoch<'_>) {
    let end = Instant::now() + WAIT;
    while epoch.waiters() == 0 {
        assert!(Instant::now() < end, "peer never registered as a waiter");
        std::thread::yield_now();
    }
}

fn wait(w: &mut Watcher<'_>, expect: u32) {
    assert_eq!(
        w.wait_changed(WAIT),
        Ok(expect),
        "cross-process wake-up lost"
    );
}

fn child(region: Region<'_>) {
    let to_child = Epoch::new(region, TO_CHILD).unwrap();
    let to_parent = Epoch::new(region, TO_PARENT).unwrap();
    let mut w = to_child.watch_from(0).with_spins(0);
    for i in 1..=ROUNDS {
        wait(&mut w, i);
        let p = region.u32_at(PAYLOAD).unwrap().load(Ordering::Relaxed);
        assert_eq!(p, i, "payload not published by the signal");
        region.u32_at(ECHO).unwrap().store(p, Ordering::Relaxed);
        until_parked(&to_parent);
        to_parent.signal();
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn futex_wakes_across_processes() {
    if let Some(path) = std::env::var_os(ROLE) {
        let mut m = map(&PathBuf::from(path));
        // SAFETY: the mapping outlives the region and is only accessed through it.
        let region = unsafe { Region::from_raw_parts(m.as_mut_ptr(), LEN) }.unwrap();
        child(region);
        return;
    }

    let path = std::env::temp_dir().join(format!("inos-epoch-xproc-{}", std::process::id()));
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

    let mut child_proc = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(ROLE, &path)
        .spawn()
        .unwrap();

    let to_child = Epoch::new(region, TO_CHILD).unwrap();
    let to_parent = Epoch::new(region, TO_PARENT).unwrap();
    let mut w = to_parent.watch_from(0).with_spins(0);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        for i in 1..=ROUNDS {
            region.u32_at(PAYLOAD).unwrap().store(i, Ordering::Relaxed);
            until_parked(&to_child);
            to_child.signal();
            wait(&mut w, i);
            assert_eq!(region.u32_at(ECHO).unwrap().load(Ordering::Relaxed), i);
        }
    }));

    // Reap the child within a bound; kill it if it is stuck.
    let end = Instant::now() + WAIT;
    let status = loop {
        if let Some(s) = child_proc.try_wait().unwrap() {
            break Some(s);
        }
        if Instant::now() > end {
            let _ = child_proc.kill();
            let _ = child_proc.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5)); // reaping poll, not synchronisation
    };
    let _ = std::fs::remove_file(&path);
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
    let status = status.expect("child process did not finish");
    assert!(status.success(), "child failed: {status}");
    assert_eq!((to_child.load(), to_parent.load()), (ROUNDS, ROUNDS));
}
