//! Shared helpers for the inos examples (run them with `cargo run -p inos-examples --example NAME`).

pub mod owned;
