//! Two OS processes on one arena in a shared-memory file (`inos_layout::shm::ShmRegion`).
//!
//! The child attaches, allocates blocks under its process id, fills them, hands one to the parent
//! (its ref written into a mailbox word pair after the arena, published with Release), sends a
//! second one that nobody opens, shares a third, keeps the rest, and then blocks forever. The
//! parent opens the handed block and checks its bytes in place, then kills the child, reaps it,
//! and reclaims everything the dead child still owned: its kept blocks and the unopened sent one,
//! but neither the block the parent took over nor the shared one. Bounded by deadlines, and the
//! child is killed on every path.
#![cfg(all(unix, feature = "std"))]
#![allow(missing_docs)]

use std::num::NonZeroU8;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use inos_arena::{required_len, Arena, BlockRef, Error};
use inos_layout::shm::ShmRegion;
use inos_layout::sync::Ordering;
use inos_layout::Region;
use inos_ring::PartyId;

const CHILD: &str = "INOS_ARENA_PROCESS_CHILD";
const TEST_NAME: &str = "a_dead_process_blocks_are_reclaimed";
const SHIFT: u32 = 12;
const CHUNKS: u32 = 16;
const KEPT: usize = 5;

fn arena_len() -> usize {
    required_len(SHIFT, CHUNKS).unwrap()
}

/// The mailbox after the arena: [ready, offset, len, generation, sent_offset, shared_offset, ...].
fn mailbox(region: Region<'_>) -> Region<'_> {
    region.sub(arena_len(), 64).unwrap()
}

fn pattern(i: usize) -> Vec<u8> {
    (0..3000).map(|j| (i * 31 + j) as u8).collect()
}

fn child(region: Region<'_>) -> ! {
    let arena = Arena::attach(region.sub(0, arena_len()).unwrap()).unwrap();
    assert_eq!(arena.party(), PartyId::current());
    let mut kept = Vec::new();
    for i in 0..KEPT {
        let b = arena.alloc(3000).unwrap();
        b.write(0, &pattern(i)).unwrap();
        kept.push(b);
    }
    let handed = arena.alloc(3000).unwrap();
    handed.write(0, &pattern(99)).unwrap();
    let handed = handed.into_ref().unwrap();
    let lost = arena.alloc(100).unwrap().into_ref().unwrap(); // sent, never opened
    let shared = arena
        .alloc(64)
        .unwrap()
        .share(NonZeroU8::new(2).unwrap())
        .unwrap();
    let mb = mailbox(region);
    for (k, v) in [
        handed.offset,
        handed.len,
        handed.generation,
        lost.offset,
        shared.offset,
        shared.generation,
    ]
    .into_iter()
    .enumerate()
    {
        mb.u32_at(4 + 4 * k).unwrap().store(v, Ordering::Relaxed);
    }
    // SYNC: Release, pairs with the parent's Acquire load of the ready word.
    mb.u32_at(0).unwrap().store(1, Ordering::Release);
    loop {
        std::thread::park(); // until killed; the kept blocks are never freed
    }
}

struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_dead_process_blocks_are_reclaimed() {
    if let Some(path) = std::env::var_os(CHILD) {
        let shm = ShmRegion::open(path).unwrap();
        child(shm.region());
    }
    let name = format!("inos-arena-process-{}", std::process::id());
    let path = ShmRegion::path_for(&name).unwrap();
    let _ = std::fs::remove_file(&path);
    let shm = ShmRegion::create(&path, arena_len() + 64)
        .unwrap()
        .remove_on_drop(true);
    let region = shm.region();
    let arena = Arena::init(region.sub(0, arena_len()).unwrap(), SHIFT).unwrap();

    let reaper = Reaper(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD, &path)
            .spawn()
            .unwrap(),
    );
    let child_id = PartyId::new(reaper.0.id()).unwrap();
    let mb = mailbox(region);
    let end = Instant::now() + Duration::from_secs(30);
    // SYNC: Acquire, pairs with the child's Release store of the ready word.
    while mb.u32_at(0).unwrap().load(Ordering::Acquire) == 0 {
        assert!(Instant::now() < end, "the child never handed a block over");
        std::thread::sleep(Duration::from_millis(1)); // polling another process, not sync
    }
    let w = |k: usize| mb.u32_at(4 + 4 * k).unwrap().load(Ordering::Relaxed);
    let handed = BlockRef {
        offset: w(0),
        len: w(1),
        generation: w(2),
        reserved: 0,
    };
    // The parent takes the handed block over and reads it in place.
    let mine = arena.open(handed).unwrap();
    assert!(mine.bytes().eq_slice(&pattern(99)));
    assert_eq!(arena.open(handed).err(), Some(Error::NotSent));
    // 5 kept + 1 handed + 1 lost (class 4096, 128) + 1 shared (64): in use while the child lives.
    let before = arena.stats();
    assert_eq!(before.bytes_in_use, 6 * 4096 + 128 + 64);
    assert!(child_id.is_alive());

    drop(reaper); // SIGKILL and reap
    assert!(!child_id.is_alive());
    // The supervisor takes back the 5 kept blocks and the sent-but-unopened one.
    assert_eq!(arena.reclaim_party(child_id), Ok(6));
    assert_eq!(arena.stats().bytes_in_use, 4096 + 64);
    assert_eq!(arena.reclaim_party(child_id), Ok(0));
    let lost = BlockRef {
        offset: w(3),
        len: 100,
        generation: 0,
        reserved: 0,
    };
    assert_eq!(arena.open(lost).err(), Some(Error::Stale));
    // The block the parent took over survives the child, and so does the shared one.
    assert!(mine.bytes().eq_slice(&pattern(99)));
    let shared = BlockRef {
        offset: w(4),
        len: 64,
        generation: w(5),
        reserved: 0,
    };
    arena.release(shared).unwrap();
    arena.release(shared).unwrap();
    assert_eq!(arena.open(shared).err(), Some(Error::Stale));
    mine.free().unwrap();
    let st = arena.stats();
    assert_eq!(st.bytes_in_use, 0, "{st:?}");
    assert_eq!(st.free_chunks, CHUNKS);
}
