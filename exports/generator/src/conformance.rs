//! Conformance vectors (`docs/conformance/*.json`).

/// Every conformance file: `(file name, content)`.
///
/// ```
/// let _ = inos_export::conformance::files();
/// ```
pub fn files() -> Vec<(&'static str, String)> {
    Vec::new()
}
