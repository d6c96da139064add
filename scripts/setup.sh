#!/usr/bin/env bash
# Installs every Debian package Berth needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped, and apt-get runs only when something is missing.
set -euo pipefail
PKGS=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config lld
  # libraries (see README "Dependencies")
  libboost1.81-dev libssl-dev libsqlite3-dev nlohmann-json3-dev
  libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev libsodium-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev libldap-dev libarchive-dev zlib1g-dev
  # end-to-end tests: real clients and the reference registry
  python3-pytest python3-requests python3-yaml python3-jsonschema skopeo podman buildah docker-registry curl jq uidmap
  # LDAP tests run their own slapd (the package's service is not configured and never needed)
  slapd ldap-utils
  # benchmarks
  wrk apache2-utils openssl
  # browser tests of the web console (tests/ui, driven through playwright-core)
  chromium
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  # slapd: skip the package's own directory setup (no questions, no service to run).
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
else
  echo "setup: all packages present"
fi

# The web console is built with npm (scripts/build_console.sh); Vite 8 needs Node.js >= 20.19.
# This machine type ships node and npm in /usr/bin; otherwise Debian's nodejs and npm are installed.
node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e "const [a,b]=process.versions.node.split('.').map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)"
}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing nodejs npm (to build the web console)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm </dev/null
fi
if node_ok; then
  echo "setup: Node.js $(node --version), npm $(npm --version)"
else
  echo "setup: WARNING: Node.js $(node --version 2>/dev/null || echo missing) is too old: the web console's build (Vite 8)" \
       "needs Node.js >= 20.19 with npm. Install a newer Node.js (e.g. from NodeSource), or configure with" \
       "-DBERTH_CONSOLE=OFF to build berth without the console." >&2
fi
