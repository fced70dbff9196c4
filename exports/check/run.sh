#!/usr/bin/env bash
# Compiles or type-checks every generated export: `go vet` on each Go file (each in its own
# package of a temporary module), `tsc --noEmit --strict` on the TypeScript files (TypeScript
# pinned in package.json / package-lock.json, installed locally with `npm ci`), and a JSON parse of
# every JSON file (exports/ and docs/conformance/). Needs `go` (>= 1.19) and `node`/`npm` on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exports="$(cd "$here/.." && pwd)"
root="$(cd "$exports/.." && pwd)"

echo "--- JSON parse"
for f in "$exports"/*.json "$root"/docs/conformance/*.json; do
  [ -e "$f" ] || continue
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$f"
  echo "ok $f"
done

echo "--- tsc --noEmit"
(cd "$here" && npm ci --no-audit --no-fund --silent)
"$here/node_modules/.bin/tsc" --noEmit --strict --target es2020 --module es2020 "$exports"/*.ts
echo "ok $(ls "$exports"/*.ts | wc -l) TypeScript files"

echo "--- go vet"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && go mod init inos.example/exports >/dev/null 2>&1)
for f in "$exports"/*.go; do
  pkg="$(basename "$f" .go)"
  mkdir -p "$tmp/$pkg"
  cp "$f" "$tmp/$pkg/"
done
(cd "$tmp" && GOFLAGS=-mod=mod go vet ./... && gofmt -l . | { ! grep . ; })
echo "ok $(ls "$exports"/*.go | wc -l) Go files"
