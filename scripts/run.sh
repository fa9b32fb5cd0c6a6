#!/usr/bin/env bash
# `make run`: build everything, create ./data/quarry.db with the demo data on first
# run, and serve Quarry on 127.0.0.1:$PORT and the demo partner's CRM page (a second
# origin, with the widget embedded) on 127.0.0.1:$((PORT + 1)). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"
PORT="${PORT:-8080}"
PEOPLE="${PEOPLE:-250000}"
DEMO_PORT=$((PORT + 1))

scripts/tools.sh

echo "==> building the widget (trunk, release)"
TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline
echo "==> building the server (release)"
cargo build --release --locked -p quarry-server

port_free() {
  python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $1))" 2>/dev/null
}
for p in "$PORT" "$DEMO_PORT"; do
  if ! port_free "$p"; then
    echo "error: port $p on 127.0.0.1 is already in use. Stop what uses it or pick other ports: make run PORT=8090 (uses 8090 and 8091)" >&2
    exit 2
  fi
done

quarry=target/release/quarry
export QUARRY_DATABASE_URL="${QUARRY_DATABASE_URL:-sqlite://data/quarry.db}"
echo "==> database $QUARRY_DATABASE_URL"
"$quarry" migrate
"$quarry" seed-demo --people "$PEOPLE" --if-empty
"$quarry" demo-partner --setup-only --bind "127.0.0.1:$DEMO_PORT"
secret=$(python3 -c "import json; print(json.load(open('data/demo-partner.json'))['secret_key'])")

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# --dev: the demo partner page is plain http on localhost.
"$quarry" serve --dev --bind "127.0.0.1:$PORT" &
pids+=($!)
"$quarry" demo-partner --bind "127.0.0.1:$DEMO_PORT" --quarry-url "http://127.0.0.1:$PORT" >/dev/null &
pids+=($!)

# The search index is built at start (a few seconds for the demo set).
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$DEMO_PORT/healthz" >/dev/null 2>&1 && break
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "error: a server stopped; see above" >&2; exit 1; }; done
  sleep 0.2
done

cat <<MSG

  ┌─────────────────────────────────────────────────────────────────────
  │ Quarry is running.
  │
  │   Demo partner (a CRM with the widget):  http://127.0.0.1:$DEMO_PORT/
  │   Quarry (API, widget, embed.js):         http://127.0.0.1:$PORT/
  │
  │ Open the demo partner page: search ("CMOs of SaaS companies in
  │ California"), tick a few people, press "Add to Tidewater CRM" or
  │ "Export CSV". Pushed contacts appear under the widget.
  │
  │ The data API with the demo partner's key:
  │   curl -H 'Authorization: Bearer $secret' \\
  │     'http://127.0.0.1:$PORT/v1/persons/search?q=CMOs+of+SaaS+companies+in+California&limit=5'
  │
  │ Ctrl-C stops both servers.
  └─────────────────────────────────────────────────────────────────────
MSG
wait -n "${pids[@]}"
