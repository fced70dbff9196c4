//! Detects wasm32 builds with shared-memory atomics, which stable rustc does not expose as
//! `cfg(target_feature = "atomics")` (the feature is unstable), and sets `cfg(inos_wasm_atomics)`
//! so that the `Atomics.wait`/`notify` backend is the default there.

fn main() {
    println!("cargo:rustc-check-cfg=cfg(inos_wasm_atomics)");
    // With atomics: `inos_wasm_bindgen` (feature `wasm-bindgen`: js-sys Atomics on
    // wasm_bindgen::memory()) or `inos_wasm_raw` (the `inos_env` imports).
    println!("cargo:rustc-check-cfg=cfg(inos_wasm_bindgen)");
    println!("cargo:rustc-check-cfg=cfg(inos_wasm_raw)");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "wasm32" {
        return;
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let rustflags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    // wasm32-wasip1-threads (and any `*-threads` wasm target) enables atomics and shared memory;
    // nightly exposes the feature in cfg; on other wasm32 targets the user opts in with
    // `-C target-feature=+atomics`.
    let atomics = target.ends_with("-threads")
        || features.split(',').any(|f| f == "atomics")
        || rustflags
            .split('\x1f')
            .any(|f| f.contains("target-feature") && f.contains("+atomics"));
    if atomics {
        println!("cargo:rustc-cfg=inos_wasm_atomics");
        if std::env::var_os("CARGO_FEATURE_WASM_BINDGEN").is_some() {
            println!("cargo:rustc-cfg=inos_wasm_bindgen");
        } else {
            println!("cargo:rustc-cfg=inos_wasm_raw");
        }
    }
}
