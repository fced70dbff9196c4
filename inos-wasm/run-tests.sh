#!/usr/bin/env bash
# Builds the inos wasm module (stable, wasm32-wasip1-threads, raw exports) and runs the Node tests
# (worker_threads on one shared WebAssembly.Memory). Run from anywhere; needs
# `rustup target add wasm32-wasip1-threads` and `node` (>= 20) on PATH.
#
#   inos-wasm/run-tests.sh            # build + test
#   NODE=/path/to/node inos-wasm/run-tests.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

target_dir="${CARGO_TARGET_DIR:-$root/target}"
node="${NODE:-node}"

# Export the linker symbols the loader reads: __heap_base (where the worker slots start) and
# __stack_pointer (set per instance: every worker needs its own shadow stack).
cargo rustc -p inos-wasm --release --target wasm32-wasip1-threads --features raw-exports \
  --crate-type cdylib -- \
  -C link-arg=--export=__heap_base -C link-arg=--export=__stack_pointer

export INOS_WASM="$target_dir/wasm32-wasip1-threads/release/inos_wasm.wasm"
ls -l "$INOS_WASM"
"$node" --version
# Every test bounds itself (per-test timeouts, workers terminated after their budget).
"$node" --test "$here"/js/*.test.mjs
