//! The committed exports (`exports/`) and the generated tables of `docs/PROTOCOL.md` must match
//! the Rust definitions. Regenerate with `cargo run -p inos-export`.
#![cfg(all(feature = "std", not(loom), not(miri)))]

use std::path::Path;

use inos_layout::export;

fn read(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn assert_fresh(rel: &str, generated: &str) {
    assert!(
        read(rel) == generated,
        "{rel} is out of date: run `cargo run -p inos-export`"
    );
}

#[test]
fn json_export_is_fresh() {
    assert_fresh("exports/inos_layout.json", &export::json());
}

#[test]
fn typescript_export_is_fresh() {
    assert_fresh("exports/inos_layout.ts", &export::typescript());
}

#[test]
fn go_export_is_fresh() {
    assert_fresh("exports/inos_layout.go", &export::go());
}

#[test]
fn protocol_md_tables_are_fresh() {
    let doc = read("docs/PROTOCOL.md");
    for block in export::MARKDOWN_BLOCKS {
        assert!(
            doc.contains(&format!("<!-- BEGIN GENERATED {block} -->")),
            "docs/PROTOCOL.md lacks the generated block `{block}`"
        );
    }
    let updated = export::update_markdown(&doc).expect("markers are well-formed");
    assert!(
        updated == doc,
        "docs/PROTOCOL.md tables are out of date: run `cargo run -p inos-export`"
    );
}
