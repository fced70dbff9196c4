//! A service that owns its shared-memory file and the ring handles built on it, in one struct.
//!
//! ```text
//! cargo run -p inos-examples --example owned_ring
//! ```
//!
//! The region is a file in `/dev/shm` (the temporary directory elsewhere) mapped with
//! `inos_layout::shm::ShmRegion`; it holds one MPSC ring and an epoch, in a layout built with
//! `LayoutBuilder`. `Mailbox` keeps the consumer, the epoch and the region together (no
//! lifetimes, no leak, no `unsafe`); each `Sender` keeps a producer and runs on its own thread.
//! Everything drops in the right order — handles first (releasing their ring roles), then the
//! mapping — and the creator's handle unlinks the file at the end, so nothing is left in
//! `/dev/shm`. The code lives in `inos_examples::owned` so that a test runs it too.

fn main() -> inos_examples::owned::Res<()> {
    let path =
        inos_layout::shm::ShmRegion::path_for(&format!("inos-owned-ring-{}", std::process::id()))?;
    let report = inos_examples::owned::run(&path, 3, 10_000)?;
    println!("region file        {}", path.display());
    println!("producers          {}", report.per_producer.len());
    for (i, n) in report.per_producer.iter().enumerate() {
        println!("  producer {i}       {n} messages delivered in order");
    }
    println!("delivered          {}", report.delivered);
    println!("epoch (signals)    {}", report.signals);
    println!("file removed       {}", !path.exists());
    Ok(())
}
