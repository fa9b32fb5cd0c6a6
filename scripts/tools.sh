#!/usr/bin/env bash
# Installs the build tools at the versions pinned here, skipping what is already
# installed at that version. Nothing is downloaded except from crates.io and npm:
# Trunk is told (Trunk.toml: offline) never to fetch tools itself.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version in Cargo.lock (pinned in widget/Cargo.toml).
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=123.0.0

have_version() { # command, expected version substring
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"
}

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "==> adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! have_version trunk "trunk $TRUNK_VERSION"; then
  echo "==> installing trunk $TRUNK_VERSION from crates.io (about 10 minutes, once)"
  cargo install trunk --version "=$TRUNK_VERSION" --locked --no-default-features --features rustls
fi

if ! have_version wasm-bindgen "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  echo "==> installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io (about 5 minutes, once)"
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if ! have_version .tools/binaryen/node_modules/.bin/wasm-opt "version ${BINARYEN_VERSION%%.*}"; then
  echo "==> installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
  command -v npm >/dev/null || { echo "npm is required for wasm-opt (apt-get install npm)" >&2; exit 1; }
  npm install --silent --no-audit --no-fund --prefix .tools/binaryen "binaryen@$BINARYEN_VERSION"
fi
