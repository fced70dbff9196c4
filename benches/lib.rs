//! Helpers shared by the inos benchmarks (`cargo bench -p inos-benches`).

/// The median of a set of samples (the upper median for an even count).
///
/// Paired benchmark summaries quote medians: the machines these run on are noisy.
///
/// # Panics
/// If `v` is empty.
///
/// ```
/// assert_eq!(inos_benches::median(vec![3.0, 1.0, 2.0]), 2.0);
/// ```
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
