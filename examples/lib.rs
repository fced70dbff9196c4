//! Shared helpers for the inos examples (run them with `cargo run -p inos-examples --example NAME`):
//! [`main_demo`] for `demo` (the README's main demo), [`owned`] for `owned_ring`, and (on Unix)
//! [`procs`] for `processes`, producer processes killed with `SIGKILL` and every message
//! accounted for. Each example's logic lives here so that a test in `examples/tests/` runs it too.
//!
//! ## A custom layout: one MPSC ring, a few epoch slots and a small ledger
//!
//! Each protocol crate sizes its own region in the layout's size type
//! ([`inos_layout::RegionSize`]); [`LayoutBuilder::sized`](inos_layout::LayoutBuilder::sized)
//! takes those sizes as they are and [`LayoutBuilder::fitted`](inos_layout::LayoutBuilder::fitted)
//! adds them up, so the layout is written without casts or copied formulas and checked at
//! compile time (a ring or ledger too big for the layout fails to build).
//! [`Attachment::require`](inos_layout::Attachment::require) hands out each region or a typed
//! error naming the missing one, so everything chains with `?`.
//!
//! ```
//! use inos_epoch::Epoch;
//! use inos_layout::{create, Layout, LayoutBuilder, RegionBuf, RegionKind};
//! use inos_ledger::Ledger;
//! use inos_ring::{Mpsc, Ring};
//!
//! const RING_CAPACITY: u32 = 64 * 1024;
//! const EPOCH_SLOTS: u32 = 4;
//! const ACCOUNTS: u32 = 16;
//! const HOLDS: u32 = 64;
//!
//! const LAYOUT: Layout = LayoutBuilder::fitted()
//!     .sized(
//!         "jobs",
//!         inos_ring::layout::region_size(RING_CAPACITY),
//!         inos_ring::layout::REGION_ALIGN,
//!         RegionKind::RING,
//!     )
//!     .sized(
//!         "epochs",
//!         inos_epoch::region_size(EPOCH_SLOTS),
//!         inos_epoch::REGION_ALIGN,
//!         RegionKind::EPOCHS,
//!     )
//!     .sized(
//!         "credits",
//!         inos_ledger::region_size(ACCOUNTS, HOLDS),
//!         inos_ledger::REGION_ALIGN,
//!         RegionKind::LEDGER,
//!     )
//!     .build_checked();
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Format the shared region (an mmap of a file in /dev/shm works the same way).
//!     let buf = RegionBuf::for_layout(&LAYOUT)?;
//!     let region = create(buf.region(), &LAYOUT)?;
//!
//!     // One MPSC ring, a few epoch slots and a small ledger, each in its own region.
//!     let ring = Ring::<Mpsc>::init(region.require("jobs")?, RING_CAPACITY)?;
//!     let epochs = region.require("epochs")?;
//!     let done = Epoch::new(epochs, 0)?;
//!     let ledger = Ledger::init(region.require("credits")?, ACCOUNTS, HOLDS)?;
//!
//!     // Use all three: producers push jobs, the consumer pays a credit per job and signals.
//!     let (payer, worker) = (ledger.open()?, ledger.open()?);
//!     ledger.mint(payer, 100)?;
//!     let mut consumer = ring.consumer()?;
//!     let mut producer = ring.producer()?;
//!     for job in 0..10u32 {
//!         producer.try_push(&job.to_le_bytes())?;
//!     }
//!     let mut msg = [0u8; 4];
//!     while let Ok(n) = consumer.try_pop(&mut msg) {
//!         assert_eq!(n, 4);
//!         ledger.transfer(payer, worker, 1)?;
//!         done.signal();
//!     }
//!     assert_eq!(done.load(), 10);
//!     assert_eq!(ledger.account(worker)?.balance, 10);
//!     assert!(ledger.audit()?.is_balanced());
//!
//!     // A region the layout does not have is a typed error that names it.
//!     let err = region.require("outbox").unwrap_err();
//!     assert_eq!(err.to_string(), "no region \"outbox\" in the layout (4 regions)");
//!     Ok(())
//! }
//! ```

pub mod main_demo;
pub mod owned;
#[cfg(unix)]
pub mod procs;
