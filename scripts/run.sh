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
echo "==> database $QUARRY_DATABASE_URL"
"$quarry" migrate
"$quarry" seed-demo --people "$PEOPLE" --if-empty
# The demo partner page is served on a second origin (port + 1).
DEMO_PORT=$((PORT + 1))
"$quarry" demo-partner --origin "http://127.0.0.1:$DEMO_PORT,http://localhost:$DEMO_PORT"
secret=$(python3 -c "import json; print(json.load(open('data/demo-partner.json'))['secret_key'])")
echo
echo "Try the data API with the demo partner's key:"
echo "  curl -H 'Authorization: Bearer $secret' 'http://127.0.0.1:$PORT/v1/persons/search?q=CMOs+of+SaaS+companies+in+California&limit=5'"
echo
# --dev: the demo partner page is plain http on localhost.
exec "$quarry" serve --dev --bind "127.0.0.1:$PORT"
