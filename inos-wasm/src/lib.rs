//! inos-wasm (work in progress).
#![no_std]
