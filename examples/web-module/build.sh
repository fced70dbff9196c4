#!/usr/bin/env bash
# Builds the example Rust compute module into target/web-module/pkg with inos-web/build.sh's pinned
# toolchain, flags and cargo target dir (target/inos-web/cargo), so std (-Z build-std) and the
# crates are not rebuilt after inos-web/build.sh. Installs nothing that script does not.
#
# The package is inos-web's (same JS files, glue named inos_web.js) with this crate's exports
# added to the glue: import `init`, `Ring`, … from index.js and `produceTestMessages` from
# inos_web.js.
set -euo pipefail
cd "$(dirname "$0")/../.."
INOS_WEB_CRATE=inos-web-module INOS_WEB_PKG=target/web-module/pkg inos-web/build.sh
sed -i 's/"name": "inos-web"/"name": "inos-web-module"/' target/web-module/pkg/package.json
cp examples/web-module/README.md target/web-module/pkg/README.md
