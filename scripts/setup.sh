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
