#!/usr/bin/env bash
# The scale-out path measured (not run by CI): a Temporal server on PostgreSQL on this machine —
# the server and its schema tool built from Temporal's Go module (cached), PostgreSQL from Debian's
# packages, the schema set up with temporal-sql-tool — and bench/scale-out.ts against it with 1 and
# 2 workers and ingest replicas; then the same harness against the dev server (SQLite in memory),
# so the figures compare. Prints each run's table and JSON line.
#
#   bash bench/scale-out.sh            # both backends, 1 and 2 replicas
#   REPLICAS="2" BACKENDS=postgresql bash bench/scale-out.sh
#   bash bench/scale-out.sh serve      # only start the PostgreSQL-backed server, until Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_SERVER_VERSION=v1.30.8 # the newest whose go.mod this machine's Go (1.26.8) accepts
REPLICAS=${REPLICAS:-"1 2"}
BACKENDS=${BACKENDS:-"postgresql dev-server"}
TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools"
SERVER_DIR="$TOOLS/temporal-server-$TEMPORAL_SERVER_VERSION"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
WORK=$(mktemp -d /tmp/talon-scale-out.XXXXXX)
PIDS=()

cleanup() {
  local status=$?
  # On failure, the servers' own words say why.
  if [ "$status" != 0 ]; then
    for log in "$WORK"/temporal/log "$WORK"/pg/log "$WORK"/*.log; do
      [ -f "$log" ] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -f "$WORK/pg/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

as_postgres() {
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free port below 32768: Temporal keeps membership ports in a PostgreSQL smallint.
free_port() {
  node -e '
    const net = require("net");
    const attempt = () => {
      const port = 20000 + Math.floor(Math.random() * 12000);
      const s = net.createServer().once("error", attempt).listen(port, "127.0.0.1", () => s.close(() => console.log(port)));
    };
    attempt();'
}

wait_for_port() {
  for _ in $(seq 1 300); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done
  echo "nothing listens on port $1" >&2
  return 1
}

provision_server() {
  [ -x "$SERVER_DIR/bin/temporal-server" ] && return 0
  echo "- building the Temporal server $TEMPORAL_SERVER_VERSION and temporal-sql-tool from Go modules (a few minutes, cached)"
  rm -rf "$SERVER_DIR.partial"
  (cd "$WORK" && GOFLAGS=-trimpath GOBIN="$SERVER_DIR.partial/bin" go install \
    "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION")
  mv "$SERVER_DIR.partial/bin/server" "$SERVER_DIR.partial/bin/temporal-server"
  mv "$SERVER_DIR.partial/bin/sql" "$SERVER_DIR.partial/bin/temporal-sql-tool"
  # The versioned schema ships in the module, beside the code the binaries were built from.
  cp -r "$(cd "$WORK" && go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema" "$SERVER_DIR.partial/schema"
  chmod -R u+w "$SERVER_DIR.partial/schema"
  mv "$SERVER_DIR.partial" "$SERVER_DIR"
}

provision_postgresql() {
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && return 0
  echo "- installing PostgreSQL from Debian's packages"
  apt-get install -y -q postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
}

start_postgresql() {
  PG_PORT=$(free_port)
  mkdir -p "$WORK/pg" && chown postgres "$WORK" "$WORK/pg" 2>/dev/null || true
  as_postgres "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust >/dev/null
  # Durable commits, as production runs it; enough connections for the server's pools.
  as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
  local sql="$SERVER_DIR/bin/temporal-sql-tool --plugin postgres12 --ep 127.0.0.1 -p $PG_PORT -u postgres"
  for db in temporal temporal_visibility; do
    $sql --db "$db" create-database >>"$WORK/schema.log" 2>&1
    $sql --db "$db" setup-schema -v 0.0 >>"$WORK/schema.log" 2>&1
  done
  $sql --db temporal update-schema -d "$SERVER_DIR/schema/postgresql/v12/temporal/versioned" >>"$WORK/schema.log" 2>&1
  $sql --db temporal_visibility update-schema -d "$SERVER_DIR/schema/postgresql/v12/visibility/versioned" >>"$WORK/schema.log" 2>&1
}

start_temporal_postgresql() {
  local base
  base=$(free_port)
  FRONTEND_PORT=$base
  mkdir -p "$WORK/temporal"
  echo "{}" >"$WORK/temporal/dynamicconfig.yaml"
  # Ports: frontend, then each service's gRPC and membership ports, all free when picked.
  local p=() ; for _ in 1 2 3 4 5 6 7 8; do p+=("$(free_port)"); done
  cat >"$WORK/temporal/config.yaml" <<YAML
log: { stdout: true, level: warn }
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
      sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "127.0.0.1:$PG_PORT", connectProtocol: tcp, user: postgres, password: "", maxConns: 40, maxIdleConns: 40, maxConnLifetime: 1h }
    visibility:
      sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "127.0.0.1:$PG_PORT", connectProtocol: tcp, user: postgres, password: "", maxConns: 10, maxIdleConns: 10, maxConnLifetime: 1h }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
services:
  frontend: { rpc: { grpcPort: $FRONTEND_PORT, membershipPort: ${p[0]}, bindOnLocalHost: true, httpPort: ${p[1]} } }
  matching: { rpc: { grpcPort: ${p[2]}, membershipPort: ${p[3]}, bindOnLocalHost: true } }
  history: { rpc: { grpcPort: ${p[4]}, membershipPort: ${p[5]}, bindOnLocalHost: true } }
  worker: { rpc: { grpcPort: ${p[6]}, membershipPort: ${p[7]}, bindOnLocalHost: true } }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "127.0.0.1:$FRONTEND_PORT" }
dcRedirectionPolicy: { policy: noop }
dynamicConfigClient: { filepath: "$WORK/temporal/dynamicconfig.yaml", pollInterval: 10s }
YAML
  "$SERVER_DIR/bin/temporal-server" --config-file "$WORK/temporal/config.yaml" --allow-no-auth start >"$WORK/temporal/log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_port "$FRONTEND_PORT"
  # A production server has no namespace until one is registered.
  for _ in $(seq 1 60); do
    "$TEMPORAL_CLI" operator namespace create --address "127.0.0.1:$FRONTEND_PORT" --namespace default --retention 1d >/dev/null 2>&1 && break
    sleep 1
  done
  "$TEMPORAL_CLI" operator namespace describe --address "127.0.0.1:$FRONTEND_PORT" --namespace default >/dev/null
}

start_dev_server() {
  FRONTEND_PORT=$(free_port)
  "$TEMPORAL_CLI" server start-dev --ip 127.0.0.1 --port "$FRONTEND_PORT" --headless --log-level warn >"$WORK/dev-server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_for_port "$FRONTEND_PORT"
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

TEMPORAL_CLI=$(ls -d "$TOOLS"/temporal-cli-*/bin/temporal 2>/dev/null | sort -V | tail -1)
if [ -z "$TEMPORAL_CLI" ]; then npm run -s postinstall >/dev/null; TEMPORAL_CLI=$(ls -d "$TOOLS"/temporal-cli-*/bin/temporal | sort -V | tail -1); fi
[ -f dist/workflow-bundle.js ] || npm run -s build

if [ "${1:-}" = serve ]; then
  provision_server
  provision_postgresql
  start_postgresql
  start_temporal_postgresql
  echo "Temporal on PostgreSQL at 127.0.0.1:$FRONTEND_PORT (namespace default); Ctrl-C stops it"
  wait "$SERVER_PID"
  exit 0
fi

for backend in $BACKENDS; do
  for replicas in $REPLICAS; do
    # A fresh server and database per run: each starts from the same empty state.
    if [ "$backend" = postgresql ]; then
      provision_server
      provision_postgresql
      start_postgresql
      start_temporal_postgresql
    else
      start_dev_server
    fi
    echo "- $backend, $replicas worker(s) + $replicas ingest replica(s), Temporal at 127.0.0.1:$FRONTEND_PORT"
    npx tsx bench/scale-out.ts --address "127.0.0.1:$FRONTEND_PORT" --replicas "$replicas" --label "$backend" --server-pid "$SERVER_PID"
    stop_server
    if [ "$backend" = postgresql ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null
      rm -rf "$WORK/pg"
    fi
  done
done
