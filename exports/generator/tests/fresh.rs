//! Every generated file (`exports/`, the tables of `docs/PROTOCOL.md`, `docs/conformance/`)
//! matches what the Rust definitions generate now. Regenerate with `cargo run -p inos-export`.

#[test]
fn generated_files_are_fresh() {
    let files = inos_export::outputs(&inos_export::repo_root()).unwrap();
    let mut stale = Vec::new();
    for (path, content) in &files {
        if std::fs::read_to_string(path).ok().as_deref() != Some(content.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "out of date (run `cargo run -p inos-export`): {stale:?}"
    );
}
