//! loom models of this crate's own protocol, run on the inos crates' loom twin.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test --release -p inos-downstream-example --test loom`
//!
//! Under `--cfg loom` every inos crate swaps its atomics for loom's (the region's words become
//! loom atomics), so the orderings inside the ring and the flag are explored together with this
//! crate's own code. Build the region inside `loom::model`, before spawning, and keep it small.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;

use inos_downstream_example::{Jobs, Naive, Next};
use inos_layout::RegionBuf;

/// Builds a fresh queue for one model execution.
fn queue() -> Arc<RegionBuf> {
    let buf = Arc::new(RegionBuf::new(Jobs::REGION_LEN).unwrap());
    Jobs::init(buf.region()).unwrap();
    buf
}

/// The sender sends two jobs and closes; the receiver polls until `Closed`. In every interleaving
/// it receives both jobs, in order, and then `Closed`.
#[test]
fn receiver_gets_every_job_before_closed() {
    loom::model(|| {
        let buf = queue();
        let b2 = buf.clone();
        let sender = thread::spawn(move || {
            let jobs = Jobs::attach(b2.region()).unwrap();
            let mut tx = jobs.sender().unwrap();
            tx.send(1).unwrap();
            tx.send(2).unwrap();
            tx.close();
        });
        let jobs = Jobs::attach(buf.region()).unwrap();
        let mut rx = jobs.receiver().unwrap();
        let mut got = Vec::new();
        loop {
            match rx.next().unwrap() {
                Next::Job(j) => got.push(j),
                Next::Empty => thread::yield_now(),
                Next::Closed => break,
            }
        }
        assert_eq!(got, [1, 2]);
        sender.join().unwrap();
    });
}

/// The same with the receiver of [`Naive`]: loom finds the interleaving where the receiver looks
/// at the empty ring, the sender pushes its job and closes, and the receiver sees the flag and
/// stops without the job.
#[test]
#[should_panic(expected = "lost a job")]
fn naive_receiver_loses_a_job() {
    loom::model(|| {
        let buf = queue();
        let b2 = buf.clone();
        let sender = thread::spawn(move || {
            let jobs = Jobs::attach(b2.region()).unwrap();
            let mut tx = jobs.sender().unwrap();
            tx.send(1).unwrap();
            tx.close();
        });
        let jobs = Jobs::attach(buf.region()).unwrap();
        let mut rx = Naive(jobs.receiver().unwrap());
        let mut got = Vec::new();
        loop {
            match rx.next().unwrap() {
                Next::Job(j) => got.push(j),
                Next::Empty => thread::yield_now(),
                Next::Closed => break,
            }
        }
        assert_eq!(got, [1], "lost a job");
        sender.join().unwrap();
    });
}
