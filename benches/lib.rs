//! Helpers shared by the inos benchmarks (`cargo bench -p inos-benches`).
