#!/usr/bin/env bash
# `make run`: build everything, create ./data/quarry.db with the demo data on first
# run, and serve on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PORT="${PORT:-8080}"
PEOPLE="${PEOPLE:-250000}"

scripts/tools.sh

echo "==> building the widget (trunk, release)"
TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline
echo "==> building the server (release)"
cargo build --release --locked -p quarry-server

if ! python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $PORT))" 2>/dev/null; then
  echo "error: port $PORT on 127.0.0.1 is already in use. Stop what uses it or pick another port: make run PORT=8090" >&2
  exit 2
fi

quarry=target/release/quarry
export QUARRY_DATABASE_URL="${QUARRY_DATABASE_URL:-sqlite://data/quarry.db}"
# The data API's key until partner keys exist; local demo only.
export QUARRY_OPERATOR_TOKEN="${QUARRY_OPERATOR_TOKEN:-quarry-demo-operator-token}"
echo "==> database $QUARRY_DATABASE_URL"
"$quarry" migrate
"$quarry" seed-demo --people "$PEOPLE" --if-empty
echo
echo "Try the data API:"
echo "  curl -H 'Authorization: Bearer $QUARRY_OPERATOR_TOKEN' 'http://127.0.0.1:$PORT/v1/persons/search?q=CMOs+of+SaaS+companies+in+California&limit=5'"
echo
exec "$quarry" serve --bind "127.0.0.1:$PORT"
