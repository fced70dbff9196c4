//! Telling that a party is dead, and recovering what it left (issue 13 §2): party ids in the role
//! words, `holder`, probes, `release_if_dead`, the waiter counts a party killed asleep leaves
//! raised, and the MPSC producer count. A party "killed" in-process is a handle that is
//! `mem::forget`ten (its role stays claimed) plus the registrations `push_wait` / `pop_wait`
//! make while parked (two per sleeper in Rust: the ring's and inos-epoch's); `party_process.rs`
//! does the same with a real process killed by SIGKILL.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use inos_layout::sync::{AtomicU32, Ordering};
use inos_layout::{Region, RegionBuf};
use inos_ring::layout::{self, CONSUMER_ROLE, DATA_EPOCH, PRODUCER_ROLE, SPACE_EPOCH};
use inos_ring::{Error, Liveness, Mpsc, PartyId, Probe, Ring, Role, Spsc};

fn word(region: Region<'_>, off: usize) -> &AtomicU32 {
    region.u32_at(off).unwrap()
}

fn id(n: u32) -> PartyId {
    PartyId::new(n).unwrap()
}

/// A probe that knows which ids exited.
fn exited(dead: &[u32]) -> impl Probe + '_ {
    move |p: PartyId| {
        if dead.contains(&p.get()) {
            Liveness::Dead
        } else if p.is_anonymous() {
            Liveness::Unknown
        } else {
            Liveness::Alive
        }
    }
}

/// Spins (yielding) until `w` is non-zero. Bounded.
fn until_nonzero(w: &AtomicU32) {
    let end = Instant::now() + Duration::from_secs(20);
    while w.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < end, "never registered");
        std::thread::yield_now();
    }
}

#[test]
fn role_words_hold_the_claiming_party_id() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let (p, c) = (
        ring.producer_as(id(4242)).unwrap(),
        ring.consumer().unwrap(),
    );
    assert_eq!(
        word(buf.region(), PRODUCER_ROLE).load(Ordering::Relaxed),
        4242
    );
    assert_eq!(ring.holder(Role::Producer), Some(id(4242)));
    assert_eq!(ring.holder(Role::Consumer), Some(PartyId::current()));
    #[cfg(unix)]
    assert_eq!(
        word(buf.region(), CONSUMER_ROLE).load(Ordering::Relaxed),
        std::process::id()
    );
    assert_eq!(ring.producers(), 1);
    drop((p, c));
    assert_eq!(ring.holder(Role::Producer), None);
    assert_eq!(ring.holder(Role::Consumer), None);
    assert_eq!(ring.producers(), 0);
}

/// Two parties of one process share a process id: the role's compare-and-swap, not the id,
/// keeps them apart.
#[test]
fn parties_sharing_an_id_still_exclude_each_other() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let _c = ring.consumer().unwrap();
    let _p = ring.producer().unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            assert_eq!(
                ring.consumer().err(),
                Some(Error::RoleTaken(Role::Consumer))
            );
            assert_eq!(
                ring.producer().err(),
                Some(Error::RoleTaken(Role::Producer))
            );
        });
    });
    assert_eq!(
        ring.consumer_as(id(9)).err(),
        Some(Error::RoleTaken(Role::Consumer))
    );
}

/// A role claimed the pre-identity way (the JavaScript reference party stores 1) reads as
/// anonymous, stays exclusive, and is never freed by a probe.
#[test]
fn anonymous_holders_are_claimed_and_never_proven_dead() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    word(buf.region(), CONSUMER_ROLE).store(1, Ordering::Release);
    assert_eq!(ring.holder(Role::Consumer), Some(PartyId::ANONYMOUS));
    assert_eq!(
        ring.consumer().err(),
        Some(Error::RoleTaken(Role::Consumer))
    );
    assert_eq!(PartyId::ANONYMOUS.liveness(), Liveness::Unknown);
    assert_eq!(ring.release_if_dead(Role::Consumer, &exited(&[1])), None);
    assert_eq!(
        ring.release_if_dead(Role::Consumer, &inos_ring::ProcessProbe),
        None
    );
    assert_eq!(ring.holder(Role::Consumer), Some(PartyId::ANONYMOUS));
    ring.force_release(Role::Consumer); // the owner knows better
    assert!(ring.consumer().is_ok());
}

/// A consumer killed asleep in `pop_wait` left DATA_EPOCH's waiter count raised: every commit
/// paid a futex wake forever. Recovering its role clears it (fails before issue 13).
#[test]
fn force_release_consumer_clears_the_data_waiters_it_left() {
    for mpsc in [false, true] {
        let buf = RegionBuf::new(layout::required_len(64)).unwrap();
        let data_waiters = word(buf.region(), DATA_EPOCH + 4);
        if mpsc {
            let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
            std::mem::forget(ring.consumer().unwrap());
            data_waiters.fetch_add(2, Ordering::SeqCst); // killed while parked
            ring.force_release(Role::Consumer);
            assert!(ring.consumer().is_ok());
        } else {
            let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
            std::mem::forget(ring.consumer().unwrap());
            data_waiters.fetch_add(2, Ordering::SeqCst);
            ring.force_release(Role::Consumer);
            assert!(ring.consumer().is_ok());
        }
        assert_eq!(data_waiters.load(Ordering::SeqCst), 0, "mpsc {mpsc}");
    }
}

/// The same for an SPSC producer killed asleep in `push_wait` (SPACE_EPOCH), through the probe.
#[test]
fn release_if_dead_spsc_producer_clears_the_space_waiters_it_left() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let space_waiters = word(buf.region(), SPACE_EPOCH + 4);
    let mut c = ring.consumer().unwrap();
    let mut p = ring.producer_as(id(77)).unwrap();
    p.try_push(&[1; 24]).unwrap();
    p.try_push(&[2; 24]).unwrap();
    std::mem::forget(p);
    space_waiters.fetch_add(2, Ordering::SeqCst);

    assert_eq!(ring.release_if_dead(Role::Producer, &exited(&[])), None);
    assert_eq!(space_waiters.load(Ordering::SeqCst), 2, "alive: untouched");
    assert_eq!(
        ring.release_if_dead(Role::Producer, &exited(&[77])),
        Some(id(77))
    );
    assert_eq!(space_waiters.load(Ordering::SeqCst), 0);
    assert_eq!(ring.holder(Role::Producer), None);
    // Nothing the dead producer published is lost; a new producer continues.
    let mut out = [0u8; 24];
    assert_eq!(c.try_pop(&mut out), Ok(24));
    let mut p = ring.producer().unwrap();
    p.try_push(&[3; 24]).unwrap();
    assert_eq!(c.try_pop(&mut out), Ok(24));
    assert_eq!(out, [2; 24]);
    assert_eq!(c.try_pop(&mut out), Ok(24));
    assert_eq!(out, [3; 24]);
}

/// `release_if_dead` frees the role only from the id it probed (a compare-and-swap).
#[test]
fn release_if_dead_never_frees_a_role_claimed_meanwhile() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let _c = ring.consumer_as(id(5)).unwrap();
    // A probe that, while it runs, sees the role change hands (as if another supervisor freed it
    // and a new consumer claimed it).
    let role = word(buf.region(), CONSUMER_ROLE);
    let racing = |p: PartyId| {
        role.store(6, Ordering::SeqCst);
        if p.get() == 5 {
            Liveness::Dead
        } else {
            Liveness::Alive
        }
    };
    assert_eq!(ring.release_if_dead(Role::Consumer, &racing), None);
    assert_eq!(ring.holder(Role::Consumer), Some(id(6)));
}

/// A live sleeper's registration is never cleared: `clear_waiters` refuses while the role is
/// held, and the sleeper is still woken.
#[test]
fn clear_waiters_refuses_while_the_role_is_held() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Spsc>::init(buf.region(), 64).unwrap();
    let data_waiters = word(buf.region(), DATA_EPOCH + 4);
    let mut c = ring.consumer().unwrap();
    std::thread::scope(|s| {
        let t = s.spawn(move || {
            let mut out = [0u8; 8];
            let deadline = Instant::now() + Duration::from_secs(20);
            c.pop_wait(&mut out, Some(deadline))
        });
        until_nonzero(data_waiters);
        assert_eq!(
            ring.clear_waiters(Role::Consumer),
            Err(Error::RoleTaken(Role::Consumer))
        );
        ring.producer().unwrap().try_push(b"wake").unwrap();
        assert_eq!(t.join().unwrap(), Ok(4));
    });
    assert_eq!(data_waiters.load(Ordering::SeqCst), 0);
    assert_eq!(ring.clear_waiters(Role::Consumer), Ok(0));
}

/// MPSC: a dead producer stayed counted and `force_release(Producer)` zeroed the count of the
/// live ones too (their detach then wrapped it). Now the count is readable, forgetting is one
/// saturating decrement, and SPACE_EPOCH's waiters are cleared once no producer is attached.
#[test]
fn mpsc_dead_producer_is_counted_forgotten_and_its_waiters_cleared() {
    let buf = RegionBuf::new(layout::required_len(64)).unwrap();
    let ring = Ring::<Mpsc>::init(buf.region(), 64).unwrap();
    let space_waiters = word(buf.region(), SPACE_EPOCH + 4);
    let live = ring.producer().unwrap();
    std::mem::forget(ring.producer().unwrap()); // killed asleep in push_wait
    space_waiters.fetch_add(2, Ordering::SeqCst);
    assert_eq!(ring.producers(), 2);
    assert_eq!(ring.stats().producers, 2);
    assert_eq!(
        ring.holder(Role::Producer),
        None,
        "MPSC producers have no holder"
    );
    assert_eq!(ring.release_if_dead(Role::Producer, &exited(&[])), None);

    ring.force_release(Role::Producer); // forgets one, not all
    assert_eq!(ring.producers(), 1);
    assert_eq!(
        ring.clear_waiters(Role::Producer),
        Err(Error::RoleTaken(Role::Producer))
    );
    assert_eq!(space_waiters.load(Ordering::SeqCst), 2);
    drop(live);
    assert_eq!(ring.producers(), 0);
    assert_eq!(ring.clear_waiters(Role::Producer), Ok(2));
    assert_eq!(space_waiters.load(Ordering::SeqCst), 0);

    // Forgetting a producer that still runs cannot wrap the count when it detaches.
    let p = ring.producer().unwrap();
    assert_eq!(ring.forget_producer(), 0);
    drop(p);
    assert_eq!(ring.producers(), 0);
}

#[test]
#[cfg(unix)]
#[cfg_attr(miri, ignore)] // spawns a process and calls kill(2)
fn process_ids_probe_as_expected() {
    use inos_ring::ProcessProbe;
    assert_eq!(PartyId::current().get(), std::process::id());
    assert_eq!(ProcessProbe.probe(PartyId::current()), Liveness::Alive);
    // Not process ids: above i32::MAX (kill would read them as process groups).
    assert_eq!(id(u32::MAX).liveness(), Liveness::Unknown);
    assert_eq!(id(1 << 31).liveness(), Liveness::Unknown);
    // A reaped child is dead.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = id(child.id());
    child.wait().unwrap();
    assert_eq!(pid.liveness(), Liveness::Dead);
    assert!(!pid.is_alive());
}
