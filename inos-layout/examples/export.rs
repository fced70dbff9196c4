//! Regenerates the committed protocol exports and the generated tables of the spec:
//!
//! ```text
//! cargo run -p inos-layout --example export            # write exports/ and docs/PROTOCOL.md
//! cargo run -p inos-layout --example export -- --check # fail if they are out of date
//! ```
//!
//! Paths are relative to the repository root (the parent of the `inos-layout` crate).
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use inos_layout::export;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate has a parent directory")
        .to_path_buf();
    let doc_path = root.join("docs/PROTOCOL.md");
    let doc = match std::fs::read_to_string(&doc_path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot read {}: {e}", doc_path.display());
            return ExitCode::FAILURE;
        }
    };
    let doc = match export::update_markdown(&doc) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", doc_path.display());
            return ExitCode::FAILURE;
        }
    };
    let outputs: [(PathBuf, String); 4] = [
        (root.join("exports/inos_layout.json"), export::json()),
        (root.join("exports/inos_layout.ts"), export::typescript()),
        (root.join("exports/inos_layout.go"), export::go()),
        (doc_path, doc),
    ];
    let mut stale = 0;
    for (path, content) in &outputs {
        let current = std::fs::read_to_string(path).unwrap_or_default();
        if current == *content {
            continue;
        }
        if check {
            eprintln!("out of date: {}", path.display());
            stale += 1;
            continue;
        }
        if let Some(dir) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("cannot create {}: {e}", dir.display());
                return ExitCode::FAILURE;
            }
        }
        if let Err(e) = std::fs::write(path, content) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", path.display());
    }
    if stale > 0 {
        eprintln!("run `cargo run -p inos-layout --example export` to regenerate");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
