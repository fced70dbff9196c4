//! # inos-ring
//!
//! Lock-free rings of framed messages (variable-length, or of one size agreed in the header) that
//! live entirely in a shared region (a
//! `SharedArrayBuffer`, an `mmap`, wasm linear memory), so that a Rust module, a JavaScript host
//! and a Go kernel can produce and consume on the same bytes. The wire format is specified in
//! `docs/protocol/ring.md`; [`layout`] holds its constants.
//!
//! - **Two kinds, chosen in the type system**: [`Spsc`] (one producer, commit is one store) and
//!   [`Mpsc`] (producers claim space with a compare-and-swap). Roles are claimed in the header: a
//!   second consumer (or a second SPSC producer) gets [`Error::RoleTaken`], and dropping a handle
//!   releases its role (INOS defect 7).
//! - **Copying and zero-copy APIs**: [`Producer::try_push`], [`Producer::reserve`] →
//!   [`WriteGrant`] (write in place, `commit`; dropping aborts into padding),
//!   [`Consumer::try_pop`], [`Consumer::read`] → [`ReadGrant`] (`release`), [`Consumer::drain`]
//!   (everything available per wake-up, defect 12; the callback may stop early or fail, see
//!   [`DrainFlow`]), [`Producer::push_pod`] / [`Consumer::pop_pod`] for `bytemuck::Pod` types (batched on SPSC
//!   rings: [`Producer::push_pods`] / [`Consumer::pop_pods`] through slices, and
//!   [`Producer::push_pods_with`] / [`Consumer::pop_pods_with`] value by value through closures,
//!   with no array in between; one `TAIL` / `HEAD` store a batch),
//!   and (with `std`) blocking `push_wait` / `pop_wait` / `drain_wait` that wake the other side
//!   through `inos-epoch` only when it sleeps. They take [`Deadline`] (anything that converts
//!   into one: a `Duration`, an `Instant`, `Option<Instant>`), the one deadline type of every
//!   inos wait.
//! - **Two wake modes, agreed in the header** ([`Mode`]): on a `Mode::Wake` ring (the default)
//!   parties may sleep in `push_wait` / `pop_wait`, and every commit and release pays the wake
//!   handshake (a SeqCst store and a waiter check); on a `Mode::Poll` ring nobody sleeps, commits
//!   and releases are plain Release stores, and the blocking calls poll.
//! - **Faults**: a producer that dies between `reserve` and `commit` does not wedge an MPSC ring:
//!   [`Consumer::unblock`] (or automatic unblocking after
//!   `Consumer::set_unblock_after`, which also works while the consumer sleeps in `pop_wait` /
//!   `drain_wait`) turns the stuck record into padding and releases its space, and a late
//!   commit fails, or leaves a position-tagged state no later record can be taken for, instead
//!   of corrupting anything (defect 8).
//! - **Hostile memory**: every position, state and length read from shared memory is validated;
//!   bad bytes give [`Error::Corrupt`], never a panic, an out-of-region access or an allocation
//!   (defect 11). Zero-length messages are legal (defect 1). Stale bytes are never taken for a
//!   record (defects 2, 3): SPSC records are published by the producer's `TAIL` store and never
//!   read past it; MPSC consumers zero the state words of consumed space before releasing it
//!   (after reading it, defect 5), announcing each release in the header so that a consumer that
//!   dies halfway leaves a release the next one finishes.
//! - **Fixed-size rings** (wire format version 6): an SPSC ring formatted with
//!   [`Ring::init_fixed`] agrees one message size in its header (`MESSAGE_SIZE`), and its typed
//!   handles [`FixedProducer`] / [`FixedConsumer`] move bare records (the value padded to 4
//!   bytes, no length word), as a typed in-process queue does: `try_push(T)`, `try_pop() -> T`,
//!   batches through slices or closures, and blocking `push_wait` / `pop_wait`; code that learns
//!   the size at run time takes byte handles ([`Ring::fixed_producer_bytes`]:
//!   `try_push_bytes(&[u8])`, `try_pop_bytes(&mut [u8])`). The variable-length handles refuse
//!   such a ring, and the fixed ones a ring of another size ([`Error::MessageSize`]).
//! - **Framing of variable-length rings** (wire format version 5, unchanged in 6): an SPSC record is one 4-byte header word (the length,
//!   or [`layout::SPSC_PADDING`] plus the bytes to skip) and its payload padded to 4 bytes, so an
//!   8-byte message moves 12 bytes, or a **run** ([`layout::SPSC_RUN`]): one 12-byte header and
//!   `count` messages of one length back to back, which [`Producer::push_pods`] writes for four
//!   or more messages, so that a batch of 8-byte messages moves 8 bytes each. The consumer takes
//!   a run's messages one by one or in batches; its progress inside a run is a word of the run
//!   it owns, so a consumer that takes the role over resumes where the last one stopped. An MPSC record has an 8-byte header (length, state) and is
//!   padded to 8 ([`Kind::record_size`]). An MPSC commit is a plain store of a state tag that
//!   names the record's position ([`layout::committed_tag`]), never a locked read-modify-write
//!   on the line the consumer polls.
//! - **Dead parties can be told**: the consumer and the SPSC producer write their [`PartyId`]
//!   (by default the process id) into the role word they claim; a supervisor reads it with
//!   [`Ring::holder`], checks it with a [`Probe`] ([`ProcessProbe`]: `kill(pid, 0)`) and frees
//!   the role of a dead one with [`Ring::release_if_dead`], which also clears the waiter count
//!   it may have left raised by dying asleep. See [Recovery](#recovery).
//! - **One access width**: every word of a ring is accessed as an aligned 4-byte atomic for its
//!   whole life, payload included (whole padded words), so no access ever races one of another
//!   size.
//!
//! ```
//! use inos_layout::RegionBuf;
//! use inos_ring::{layout, Mpsc, Ring};
//!
//! let buf = RegionBuf::new(layout::required_len(4096)).unwrap();
//! let ring = Ring::<Mpsc>::init(buf.region(), 4096).unwrap();
//! let mut consumer = ring.consumer().unwrap();
//! std::thread::scope(|s| {
//!     for id in 0..2u8 {
//!         s.spawn(move || {
//!             let mut p = ring.producer().unwrap();
//!             for i in 0..100u8 {
//!                 while p.try_push(&[id, i]).is_err() {
//!                     std::hint::spin_loop();
//!                 }
//!             }
//!         });
//!     }
//!     let mut seen = 0;
//!     while seen < 200 {
//!         seen += consumer.drain(|msg| assert_eq!(msg.len(), 2)).unwrap();
//!     }
//! });
//! ```
//!
//! Blocking, with a deadline, and stopping a drain early:
//!
//! ```
//! use std::ops::ControlFlow;
//! use std::time::Duration;
//! use inos_layout::RegionBuf;
//! use inos_ring::{layout, Ring, Spsc};
//!
//! let buf = RegionBuf::new(layout::required_len(256)).unwrap();
//! let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
//! let (mut p, mut c) = (ring.producer().unwrap(), ring.consumer().unwrap());
//! for i in 0..4u32 {
//!     p.push_wait(&i.to_le_bytes(), Duration::from_secs(1)).unwrap();
//! }
//! // Take messages until one is 2: 0, 1 and 2 are consumed, 3 stays.
//! let stop = c.drain_wait(Duration::from_secs(1), |m| match m.read_u32_le(0) {
//!     Ok(2) => ControlFlow::Break(2),
//!     _ => ControlFlow::Continue(()),
//! });
//! assert_eq!(stop, Ok(ControlFlow::Break(2)));
//! assert_eq!(c.drain(|_| {}), Ok(1));
//! ```
//!
//! # Recovery
//!
//! Which call recovers from which failure, and what it costs. The same matrix, with how to tell
//! that a party is dead, is in the repository README, section
//! [*Recovering from a dead party*](https://github.com/inos-protocol/inos#recovering-from-a-dead-party);
//! the wire-level rules are in `docs/protocol/ring.md` §6.
//!
//! | what happened | call | what it costs |
//! |---|---|---|
//! | an MPSC producer died or hangs between `reserve` and `commit` (the consumer is stuck behind its BUSY record) | [`Consumer::unblock`], or automatically with `Consumer::set_unblock_after` | that message (counted in [`Stats::unblocked`]); a late commit fails with [`Error::Unblocked`] |
//! | the consumer died | [`Ring::release_if_dead`]`(Role::Consumer, ..)` / [`Ring::force_release`] | messages read but not released are delivered again (at-least-once) |
//! | the SPSC producer died | [`Ring::release_if_dead`]`(Role::Producer, ..)` / [`Ring::force_release`] | records written but not published (pushes that had not returned) |
//! | an MPSC producer died | [`Ring::forget_producer`]; with no producer attached, [`Ring::clear_waiters`]`(Role::Producer)` | nothing |
//! | an MPSC producer died between its `TAIL` claim and its BUSY store (empty forever, `unblock` finds nothing), or [`Error::Corrupt`] | [`Ring::reset`], once every party has detached | every message in the ring |
//! | the region itself is stale or inconsistent (an owner died while formatting) | `inos_layout::reformat` | everything in the region |
//!
//! Telling who is dead: [`Ring::holder`] names the consumer and the SPSC producer
//! ([`PartyId`]: a process id by default, [`PartyId::ANONYMOUS`] for parties that do not say,
//! such as the JavaScript reference party); [`PartyId::is_alive`] checks a process id, and any
//! other scheme plugs in as a [`Probe`]. MPSC producers are only counted ([`Ring::producers`]):
//! their supervisor knows them. Reservations have no owner; the consumer times them.
//!
//! ```
//! use inos_layout::RegionBuf;
//! use inos_ring::{layout, Liveness, PartyId, ProcessProbe, Ring, Role, Spsc};
//!
//! let buf = RegionBuf::new(layout::required_len(256)).unwrap();
//! let ring = Ring::<Spsc>::init(buf.region(), 256).unwrap();
//! // A worker (here a fake id the probe below knows as exited) consumed, then crashed.
//! let worker = PartyId::new(1_000_001).unwrap();
//! core::mem::forget(ring.consumer_as(worker).unwrap());
//!
//! // The supervisor, periodically:
//! let exited = |id: PartyId| if id == worker { Liveness::Dead } else { id.liveness() };
//! for role in [Role::Consumer, Role::Producer] {
//!     if let Some(dead) = ring.release_if_dead(role, &exited) {
//!         println!("freed the {role} role of dead {dead}");
//!     }
//! }
//! assert_eq!(ring.holder(Role::Consumer), None);
//! // The real process-id probe never frees a live holder:
//! let _c = ring.consumer().unwrap();
//! assert_eq!(ring.release_if_dead(Role::Consumer, &ProcessProbe), None);
//! ```
//!
//! # Model-checking code built on the rings
//!
//! Build with `RUSTFLAGS="--cfg loom"` and the ring's words become loom atomics, so a
//! downstream crate's loom test explores its own protocol and the ring's orderings together
//! (depend on `loom = "0.7"`; build the region inside `loom::model` before spawning; keep rings
//! small). The repository's `examples/downstream` crate is a worked example, and its README
//! section "Model-checking your own code with loom" lists the rest.
#![cfg_attr(not(any(feature = "std", loom)), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

#[cfg(test)]
mod assertions;
mod consumer;
mod crash;
#[cfg(test)]
mod crash_tests;
mod error;
mod fixed;
mod flow;
pub mod layout;
mod owned;
mod party;
mod pods;
mod producer;
mod ring;
mod wake;

pub use consumer::{Consumer, ReadGrant};
pub use error::{Corruption, Error, RingKind, Role};
pub use fixed::{FixedConsumer, FixedProducer};
pub use flow::DrainFlow;
/// When a blocking call gives up: the one deadline type of every inos wait (re-exported from
/// `inos-epoch`). A `Duration`, an `Instant` and `Option<Instant>` convert into it.
pub use inos_epoch::Deadline;
#[cfg(all(feature = "std", not(loom)))]
pub use owned::{OwnedConsumer, OwnedProducer, OwnedRing};
pub use party::{Liveness, PartyId, Probe, ProcessProbe};
pub use producer::{Producer, WriteGrant};
pub use ring::{Kind, Mode, Mpsc, Ring, Spsc, Stats};

/// The crate README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
