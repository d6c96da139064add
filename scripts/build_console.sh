#!/usr/bin/env bash
# Builds the web console (web/) into <out-dir> for the berth build to embed (CMakeLists.txt runs it).
# Usage: scripts/build_console.sh <out-dir>
#   - one npm at a time in web/: every build tree (build/, build-asan/) takes web/.build.lock;
#   - `npm ci` runs only when web/package-lock.json differs from the one node_modules was installed
#     from (its sha256 is kept in web/node_modules/.berth-lock-sha256), so build trees share it;
#   - `npm run build` (API types from api/openapi.yaml, strict type check, vite build) writes
#     <out-dir>, emptied first.
set -euo pipefail
out=$1
web="$(cd "$(dirname "$0")/../web" && pwd)"

need="20.19"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build_console: node and npm are needed to build the web console (Vite 8 needs Node.js >= $need); run scripts/setup.sh, or configure with -DBERTH_CONSOLE=OFF" >&2
  exit 1
fi
have=$(node -p 'process.versions.node')
if ! node -e "const [a,b]=process.versions.node.split('.').map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)"; then
  echo "build_console: Node.js $have is too old: Vite 8 needs Node.js >= $need (run scripts/setup.sh)" >&2
  exit 1
fi

exec 9>"$web/.build.lock"
flock 9
cd "$web"
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.berth-lock-sha256 2>/dev/null)" != "$sum" ]; then
  echo "build_console: npm ci (package-lock.json changed)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$sum" > node_modules/.berth-lock-sha256
fi
npm run --silent build -- --outDir "$out" --emptyOutDir --logLevel warn
