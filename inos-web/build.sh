#!/usr/bin/env bash
# Builds the inos-web npm package into target/inos-web/pkg (idempotent; tools cached under target/).
#
#   inos-web/build.sh                         # the inos-web package
#   INOS_WEB_CRATE=inos-web-module INOS_WEB_PKG=target/web-module/pkg inos-web/build.sh
#       # a wasm-bindgen module that embeds inos-web (a cdylib depending on its rlib, e.g.
#       # examples/web-module/build.sh): same toolchain, flags and cargo target dir, so std and the
#       # crates are not rebuilt; its package carries inos-web's JS files beside its own glue.
#
# Why nightly and why these pins (see inos-web/README.md): wasm threads on wasm32-unknown-unknown
# need a std built with +atomics (-Z build-std; the prebuilt std aborts at start-up), and the
# wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate.
set -euo pipefail
cd "$(dirname "$0")/.."

NIGHTLY=nightly-2026-05-20          # rustc 1.97.0-nightly (e50aa6fba 2026-05-19)
WASM_BINDGEN=0.2.130                # = the `wasm-bindgen = "=0.2.130"` pin in Cargo.toml
TOOLS="$PWD/target/tools/wasm-bindgen-$WASM_BINDGEN"
OUT=target/inos-web
CRATE=${INOS_WEB_CRATE:-inos-web}
PKG=${INOS_WEB_PKG:-$OUT/pkg}

NIGHTLY_COMMIT=e50aa6fba
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  if rustup run nightly rustc --version 2>/dev/null | grep -q "($NIGHTLY_COMMIT "; then
    # The machine's `nightly` is this very build (the image ships it): use it, fetch nothing.
    NIGHTLY=nightly
  else
    rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
  fi
fi
rustup component add rust-src --toolchain "$NIGHTLY" >/dev/null 2>&1 || true

if ! "$TOOLS/bin/wasm-bindgen" --version 2>/dev/null | grep -q " $WASM_BINDGEN\$"; then
  # --locked first; the notes record a registry where it failed to resolve (webpki-roots), so
  # fall back to a fresh resolution of the same pinned CLI version.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN" --locked --root "$TOOLS" ||
    cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN" --root "$TOOLS"
fi

# Shared, imported memory (so every worker instantiates the module on the same memory), 1 GiB
# maximum; TLS and stack globals exported for wasm-bindgen's thread glue.
export RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals \
  -C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
  -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
  -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
cargo "+$NIGHTLY" build -p "$CRATE" --release --target wasm32-unknown-unknown \
  -Z build-std=panic_abort,std --target-dir "$OUT/cargo"

rm -rf "$PKG"
"$TOOLS/bin/wasm-bindgen" --target web --out-dir "$PKG" --out-name inos_web \
  "$OUT/cargo/wasm32-unknown-unknown/release/${CRATE//-/_}.wasm"
cp inos-web/js/*.js inos-web/js/*.d.ts "$PKG/"
cp inos-web/js/package.json "$PKG/package.json"
cp inos-web/README.md "$PKG/README.md"
echo "$CRATE package: $PKG ($(du -sh "$PKG" | cut -f1))"
