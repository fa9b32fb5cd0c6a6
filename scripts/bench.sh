#!/usr/bin/env bash
# `make bench`: search speed over the demo set (1M people by default, PEOPLE=…).
#  0. the query interpreter on its own (short queries, 10 KB, titles);
#  1. in-process: index build time and memory, search p50/p99 over benches/queries.txt,
#     and the same queries as plain SQL on a throwaway PostgreSQL cluster;
#  2. the widget: release .wasm size, and in headless Chromium the time from
#     iframe navigation to a usable search box and from submit to rendered results;
#  3. HTTP throughput: `quarry serve` (release) under wrk on loopback.
# The seeded data sets live in target/bench/ and are reused by later runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PEOPLE="${PEOPLE:-1000000}"
export QUARRY_BENCH_PEOPLE="$PEOPLE"
mkdir -p target/bench
export QUARRY_BENCH_DB="sqlite://$PWD/target/bench/quarry-$PEOPLE.db"

scripts/system-deps.sh
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }

pg_dir=$(mktemp -d /tmp/quarry-bench-pg.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  scripts/pg.sh stop "$pg_dir"
}
trap cleanup EXIT
QUARRY_BENCH_POSTGRES_URL=$(scripts/pg.sh start "$pg_dir")
export QUARRY_BENCH_POSTGRES_URL

echo "==> the query interpreter (examples, benchmark queries, 10 KB, every city, titles)"
cargo bench --locked -p quarry-shared --bench interpret

echo "==> in-process search benchmark ($PEOPLE people)"
cargo bench --locked -p quarry-server --bench search

echo "==> spend throughput under contention (one wallet, 200 spenders)"
cargo bench --locked -p quarry-server --bench wallet

echo "==> push and CSV export at scale (10k push, 10k/100k-row exports)"
cargo bench --locked -p quarry-server --bench delivery

echo "==> async search jobs and webhook events (1,000 jobs drained, 5,000 events sent)"
cargo bench --locked -p quarry-server --bench jobs

echo "==> net-new with 100,000 suppressions, and 10,000 watched searches after an import"
cargo bench --locked -p quarry-server --bench prospecting

echo "==> the widget: release build size, then speed in headless Chromium over the same data"
export PATH="$PWD/.tools/binaryen/node_modules/.bin:$PATH"
scripts/tools.sh
TRUNK_SKIP_VERSION_CHECK=true trunk build --release --offline
scripts/widget-size.sh
cargo bench --locked -p quarry-e2e --bench widget

echo "==> HTTP throughput (wrk, loopback)"
cargo build --release --locked -p quarry-server
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$(target/release/quarry --database-url "$QUARRY_BENCH_DB" partner create --name "bench $(date +%s)" --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_key"])')
# Limits far above what wrk can reach: this measures throughput, not the limiter.
started=$(date +%s.%N)
QUARRY_LOG="warn,sqlx::query=error" target/release/quarry serve --bind "127.0.0.1:$port" --database-url "$QUARRY_BENCH_DB" \
  --dev --rate-limit-per-key 1000000000 --rate-limit-embed-sessions-per-ip 1000000000 --widget-dir dist >/dev/null &
server_pid=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.05
done
snapshot=$(ls "${QUARRY_BENCH_DB#sqlite://}.index/" 2>/dev/null | head -1)
echo "replica ready (/readyz) $(python3 -c "import time; print(f'{time.time() - $started:.1f}')") s after start (index snapshot: ${snapshot:-none})"
lua=$(mktemp /tmp/quarry-wrk.XXXXXX.lua)
python3 - "$lua" "$token" <<'PY'
import sys, urllib.parse
lua, token = sys.argv[1], sys.argv[2]
queries = [l.strip() for l in open("server/benches/queries.txt") if l.strip()]
paths = ["/v1/persons/search?limit=25&q=" + urllib.parse.quote(q) for q in queries]
with open(lua, "w") as f:
    f.write("local paths = {\n" + ",\n".join('  "%s"' % p for p in paths) + "\n}\n")
    f.write("local i = 0\n")
    f.write('wrk.headers["authorization"] = "Bearer %s"\n' % token)
    f.write("request = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n")
    f.write("local errors = 0\nresponse = function(status) if status ~= 200 then errors = errors + 1 end end\n")
PY
search=$(wrk -t2 -c32 -d15s --latency -s "$lua" "http://127.0.0.1:$port")
echo "$search" | sed -n '1,20p'
rm -f "$lua"
echo "==> /healthz on the same server, for the ratio"
health=$(wrk -t2 -c32 -d15s "http://127.0.0.1:$port/healthz")
echo "$health" | sed -n '1,12p'
python3 - "$search" "$health" <<'PY'
import re, sys
rate = lambda out: float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
s, h = rate(sys.argv[1]), rate(sys.argv[2])
print(f"search {s:,.0f} req/s, /healthz {h:,.0f} req/s: search at {100 * s / h:.0f} % of the bare server")
PY

echo "==> embed-session bootstrap throughput (wrk, loopback; new customer every request)"
public_key=$(curl -fs -X POST "http://127.0.0.1:$port/v1/prospecting/embed-keys" \
  -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"allowed_origins":["https://bench.partner.example"]}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
lua=$(mktemp /tmp/quarry-wrk.XXXXXX.lua)
cat >"$lua" <<LUA
local i = 0
wrk.method = "POST"
wrk.headers["content-type"] = "application/json"
wrk.headers["origin"] = "https://bench.partner.example"
request = function()
  i = i + 1
  -- a few hundred distinct customers: mostly returning customers, as in real use
  local body = '{"partner_key":"$public_key","customer_id":"bench-' .. (i % 500) .. '","user_id":"u-1"}'
  return wrk.format(nil, "/v1/prospecting/embed-sessions", nil, body)
end
LUA
wrk -t2 -c32 -d15s --latency -s "$lua" "http://127.0.0.1:$port" | sed -n '1,20p'
rm -f "$lua"
