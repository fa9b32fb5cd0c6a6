#!/usr/bin/env bash
# `make test`: everything, on both databases, in a real browser.
#  1. system packages (PostgreSQL, Chromium, chromedriver) and pinned build tools
#  2. formatting and clippy (native crates, and the widget for wasm32)
#  3. `shared` built for wasm32-unknown-unknown, the widget built by Trunk in
#     release (what partners get) and held to its size budget
#  4. a throwaway PostgreSQL cluster; every test against SQLite and PostgreSQL,
#     including the browser tests; the cluster is removed however the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s  (%d s so far)\n' "$*" "$SECONDS"; }

step "system packages"
scripts/system-deps.sh
step "build tools"
scripts/tools.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native)"
cargo clippy --workspace --exclude quarry-widget --all-targets --locked -- -D warnings
step "clippy (widget, wasm32)"
cargo clippy -p quarry-widget --target wasm32-unknown-unknown --locked -- -D warnings

step "shared for wasm32-unknown-unknown"
cargo build -p quarry-shared --target wasm32-unknown-unknown --locked

step "widget (trunk, release) and its size budget"
TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline
scripts/widget-size.sh

pg_dir=$(mktemp -d /tmp/quarry-test-pg.XXXXXX)
cleanup() { scripts/pg.sh stop "$pg_dir"; }
trap cleanup EXIT
step "throwaway PostgreSQL cluster"
QUARRY_TEST_POSTGRES_URL=$(scripts/pg.sh start "$pg_dir")
export QUARRY_TEST_POSTGRES_URL
echo "$QUARRY_TEST_POSTGRES_URL"

step "tests (SQLite + PostgreSQL + browser)"
export QUARRY_REQUIRE_POSTGRES=1 QUARRY_REQUIRE_BROWSER=1
cargo test --workspace --exclude quarry-widget --locked
echo
echo "==> make test passed in $SECONDS s"
