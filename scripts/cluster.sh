#!/usr/bin/env bash
# A throwaway cluster, as operators run Quarry with several replicas:
# `scripts/cluster.sh start DIR [N]` starts a PostgreSQL (scripts/pg.sh), PgBouncer
# in front of it, and N quarry replicas (default 3) on spare loopback ports, every
# replica through PgBouncer (prepared-statement cache off, migrations over the
# direct URL). PgBouncer runs in session mode (QUARRY_CLUSTER_POOL_MODE):
# transaction mode needs every statement unnamed, which sqlx does only per query
# (`persistent(false)`) and Debian's PgBouncer 1.18 cannot track. It prints shell
# assignments:
#   QUARRY_CLUSTER_DIRECT   the direct PostgreSQL URL
#   QUARRY_CLUSTER_BOUNCER  the PgBouncer URL the replicas use
#   QUARRY_CLUSTER_REPLICAS the replicas' base URLs, space separated
# `scripts/cluster.sh stop DIR` stops everything and deletes DIR. The quarry binary
# is $QUARRY_BIN (default target/debug/quarry); extra `serve` flags come from
# $QUARRY_CLUSTER_ARGS. Used by `make cluster` and by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:?usage: cluster.sh start DIR [N] | stop DIR}
dir=${2:?usage: cluster.sh start DIR [N] | stop DIR}
n=${3:-3}
bin=${QUARRY_BIN:-target/debug/quarry}

spare_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    command -v pgbouncer >/dev/null || { echo "pgbouncer not found (apt-get install pgbouncer)" >&2; exit 1; }
    [ -x "$bin" ] || { echo "no quarry binary at $bin (cargo build -p quarry-server, or set QUARRY_BIN)" >&2; exit 1; }
    mkdir -p "$dir/bouncer"
    dir=$(cd "$dir" && pwd)
    direct=$(scripts/pg.sh start "$dir/pg")
    pgport=${direct##*:}; pgport=${pgport%%/*}
    bport=$(spare_port)
    cat > "$dir/bouncer/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pgport
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $dir/bouncer/userlist.txt
pool_mode = ${QUARRY_CLUSTER_POOL_MODE:-transaction}
max_client_conn = 1000
default_pool_size = 40
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/bouncer/pgbouncer.log
pidfile = $dir/bouncer/pgbouncer.pid
INI
    echo '"postgres" ""' > "$dir/bouncer/userlist.txt"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir/bouncer"
    as_pg pgbouncer -d "$dir/bouncer/pgbouncer.ini"
    bouncer="postgres://postgres@127.0.0.1:$bport/postgres"
    replicas=""
    for i in $(seq 1 "$n"); do
      port=$(spare_port)
      # shellcheck disable=SC2086
      QUARRY_LOG="${QUARRY_LOG:-warn,sqlx::query=error}" "$bin" serve --dev --bind "127.0.0.1:$port" \
        --database-url "$bouncer" --database-listen-url "$direct" --db-statement-cache-capacity 0 \
        --widget-dir dist ${QUARRY_CLUSTER_ARGS:-} >"$dir/replica-$i.log" 2>&1 &
      echo $! > "$dir/replica-$i.pid"
      replicas="$replicas http://127.0.0.1:$port"
    done
    for base in $replicas; do
      for _ in $(seq 1 600); do
        curl -fs "$base/readyz" >/dev/null 2>&1 && break
        sleep 0.1
      done
      curl -fs "$base/readyz" >/dev/null || { echo "a replica did not start; see $dir/replica-*.log" >&2; exit 1; }
    done
    echo "QUARRY_CLUSTER_DIRECT=$direct"
    echo "QUARRY_CLUSTER_BOUNCER=$bouncer"
    echo "QUARRY_CLUSTER_REPLICAS=\"${replicas# }\""
    ;;
  stop)
    for pid in "$dir"/replica-*.pid; do
      [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    if [ -f "$dir/bouncer/pgbouncer.pid" ]; then
      kill "$(cat "$dir/bouncer/pgbouncer.pid")" 2>/dev/null || true
    fi
    scripts/pg.sh stop "$dir/pg"
    rm -rf "$dir"
    ;;
  *)
    echo "usage: cluster.sh start DIR [N] | stop DIR" >&2; exit 2 ;;
esac
