//! A job queue with a shutdown signal, built by a *user* of the inos crates on one shared
//! region: an SPSC [`inos_ring`] ring carries the jobs and an [`inos_epoch::Flag`] says "no more
//! jobs". This crate exists to show how a downstream crate model-checks its own protocol with
//! [loom](https://docs.rs/loom): see `tests/loom.rs` and the README.
//!
//! The protocol has one classic trap, which the loom test catches in [`Naive`]: a consumer that
//! finds the ring empty and *then* sees the flag set must look at the ring once more, because the
//! producer may have pushed its last job between the two looks.
//!
//! ```
//! use inos_downstream_example::{Jobs, Next};
//! let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
//! let jobs = Jobs::init(buf.region()).unwrap();
//! let mut tx = jobs.sender().unwrap();
//! let mut rx = jobs.receiver().unwrap();
//! tx.send(7).unwrap();
//! tx.close();
//! assert_eq!(rx.next(), Ok(Next::Job(7)));
//! assert_eq!(rx.next(), Ok(Next::Closed));
//! ```
#![deny(unsafe_code)]

use inos_epoch::Flag;
use inos_layout::Region;
use inos_ring::{Consumer, Error, Mode, Producer, Ring, Spsc};

/// Data bytes of the job ring: small, so that a loom model stays small too.
const RING_CAPACITY: u32 = 64;
/// The closed flag's slot, after the ring.
const FLAG_AT: usize = inos_ring::layout::required_len(RING_CAPACITY);

/// The job queue's layout in a region: the ring, then the flag.
#[derive(Debug, Clone, Copy)]
pub struct Jobs<'a> {
    ring: Ring<'a, Spsc>,
    closed: Flag<'a>,
}

/// What a receiver gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// A job.
    Job(u64),
    /// Nothing yet; the sender is still open.
    Empty,
    /// The sender closed the queue and every job it sent has been received.
    Closed,
}

impl<'a> Jobs<'a> {
    /// Bytes the queue needs.
    pub const REGION_LEN: usize = FLAG_AT + 8;

    /// Formats the queue in `region` (polling ring: this protocol never sleeps).
    ///
    /// # Errors
    /// The ring's errors (a region shorter than [`REGION_LEN`](Self::REGION_LEN)).
    ///
    /// ```
    /// # use inos_downstream_example::Jobs;
    /// let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// assert!(Jobs::init(buf.region()).is_ok());
    /// ```
    pub fn init(region: Region<'a>) -> Result<Self, Error> {
        let ring = Ring::<Spsc>::init_with(region, RING_CAPACITY, Mode::Poll, 0)?;
        let closed = Flag::new(region, FLAG_AT)?;
        closed.clear();
        Ok(Jobs { ring, closed })
    }

    /// Attaches to a queue another party formatted.
    ///
    /// # Errors
    /// The ring's attach errors.
    ///
    /// ```
    /// # use inos_downstream_example::Jobs;
    /// let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// assert!(Jobs::attach(buf.region()).is_err()); // not formatted yet
    /// Jobs::init(buf.region()).unwrap();
    /// assert!(Jobs::attach(buf.region()).is_ok());
    /// ```
    pub fn attach(region: Region<'a>) -> Result<Self, Error> {
        let ring = Ring::<Spsc>::attach(region)?;
        let closed = Flag::new(region, FLAG_AT)?;
        Ok(Jobs { ring, closed })
    }

    /// The sending side (one at a time).
    ///
    /// # Errors
    /// [`Error::RoleTaken`] while another sender exists.
    ///
    /// ```
    /// # use inos_downstream_example::Jobs;
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// let jobs = Jobs::init(buf.region()).unwrap();
    /// let _tx = jobs.sender().unwrap();
    /// assert!(jobs.sender().is_err());
    /// ```
    pub fn sender(&self) -> Result<Sender<'a>, Error> {
        Ok(Sender {
            tx: self.ring.producer()?,
            closed: self.closed,
        })
    }

    /// The receiving side (one at a time).
    ///
    /// # Errors
    /// [`Error::RoleTaken`] while another receiver exists.
    ///
    /// ```
    /// # use inos_downstream_example::{Jobs, Next};
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// let jobs = Jobs::init(buf.region()).unwrap();
    /// assert_eq!(jobs.receiver().unwrap().next(), Ok(Next::Empty));
    /// ```
    pub fn receiver(&self) -> Result<Receiver<'a>, Error> {
        Ok(Receiver {
            rx: self.ring.consumer()?,
            closed: self.closed,
        })
    }
}

/// Sends jobs, then closes.
#[derive(Debug)]
pub struct Sender<'a> {
    tx: Producer<'a, Spsc>,
    closed: Flag<'a>,
}

impl Sender<'_> {
    /// Sends one job.
    ///
    /// # Errors
    /// [`Error::Full`] (retry later).
    ///
    /// ```
    /// # use inos_downstream_example::Jobs;
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// # let jobs = Jobs::init(buf.region()).unwrap();
    /// jobs.sender().unwrap().send(1).unwrap();
    /// ```
    pub fn send(&mut self, job: u64) -> Result<(), Error> {
        self.tx.push_pod(&job)
    }

    /// No more jobs: sets the flag (Release: every job sent before is visible to a receiver
    /// that sees the flag).
    ///
    /// ```
    /// # use inos_downstream_example::{Jobs, Next};
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// # let jobs = Jobs::init(buf.region()).unwrap();
    /// jobs.sender().unwrap().close();
    /// assert_eq!(jobs.receiver().unwrap().next(), Ok(Next::Closed));
    /// ```
    pub fn close(self) {
        self.closed.set();
    }
}

/// Receives jobs until the sender closed the queue and everything it sent was received.
#[derive(Debug)]
pub struct Receiver<'a> {
    rx: Consumer<'a, Spsc>,
    closed: Flag<'a>,
}

impl Receiver<'_> {
    /// The next job, [`Next::Empty`], or [`Next::Closed`] once the queue is closed and drained.
    ///
    /// # Errors
    /// [`Error::Corrupt`] (or any other ring error) on hostile bytes.
    ///
    /// ```
    /// # use inos_downstream_example::{Jobs, Next};
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// # let jobs = Jobs::init(buf.region()).unwrap();
    /// let mut rx = jobs.receiver().unwrap();
    /// assert_eq!(rx.next(), Ok(Next::Empty));
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Next, Error> {
        match self.rx.pop_pod::<u64>() {
            Ok(job) => return Ok(Next::Job(job)),
            Err(Error::Empty) => {}
            Err(e) => return Err(e),
        }
        if !self.closed.is_set() {
            return Ok(Next::Empty);
        }
        // The flag is set, so every job was pushed before it (the Acquire load of the flag pairs
        // with the Release in `close`); the empty look above may have come before the last push,
        // so look once more.
        match self.rx.pop_pod::<u64>() {
            Ok(job) => Ok(Next::Job(job)),
            Err(Error::Empty) => Ok(Next::Closed),
            Err(e) => Err(e),
        }
    }
}

/// The receiver as it is often first written: it trusts the first empty look. The loom test
/// `naive_receiver_loses_a_job` shows the interleaving that loses the last job.
#[derive(Debug)]
pub struct Naive<'a>(pub Receiver<'a>);

impl Naive<'_> {
    /// Like [`Receiver::next`] without the second look (wrong).
    ///
    /// # Errors
    /// As for [`Receiver::next`].
    ///
    /// ```
    /// # use inos_downstream_example::{Jobs, Naive, Next};
    /// # let buf = inos_layout::RegionBuf::new(Jobs::REGION_LEN).unwrap();
    /// # let jobs = Jobs::init(buf.region()).unwrap();
    /// let mut rx = Naive(jobs.receiver().unwrap());
    /// assert_eq!(rx.next(), Ok(Next::Empty)); // fine in one thread; see tests/loom.rs
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Next, Error> {
        match self.0.rx.pop_pod::<u64>() {
            Ok(job) => Ok(Next::Job(job)),
            Err(Error::Empty) if self.0.closed.is_set() => Ok(Next::Closed),
            Err(Error::Empty) => Ok(Next::Empty),
            Err(e) => Err(e),
        }
    }
}
