#!/bin/bash
# A dedicated PostgreSQL primary and its streaming replica on one machine (issue 13).
#
#   deploy/replica/setup_replica.sh [--primary-port 5440] [--replica-port 5441] [--base DIR] [--host-auth trust]
#
# Creates (initdb, as the postgres OS user) a primary cluster in DIR/primary-<port> unless it exists, configures it
# for streaming replication (wal_level=replica, a REPLICATION role, a loopback pg_hba line), takes a
# pg_basebackup -R -X stream -C -S into DIR/replica-<port>, gives the copy its own port and starts both.
# Idempotent: run it again and it only (re)starts what is stopped. `stop_replica.sh --drop` removes both.
# A dedicated cluster, never the machine's existing one: pg_basebackup copies every database of a cluster, and
# turning on replication needs a restart of the primary.
# Runs as root (su postgres) or as postgres; on Debian/Ubuntu without PostgreSQL it installs the package.
# Then: DATABASE_URL=postgres://postgres@127.0.0.1:<primary>/dangjian
#       DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:<replica>/dangjian  (dangjian.core.dbrouter)
set -euo pipefail

PRIMARY_PORT=${PRIMARY_PORT:-5440}
REPLICA_PORT=${REPLICA_PORT:-5441}
PG_BASE=${PG_BASE:-/var/lib/postgresql/dangjian}
# Loopback access for the app: trust suits a one-machine test bed; use scram-sha-256 (+ passwords) elsewhere.
HOST_AUTH=${HOST_AUTH:-trust}
REPL_USER=${REPL_USER:-replicator}
SLOT=${SLOT:-dangjian_replica}

usage() { sed -n '2,15p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --primary-port) PRIMARY_PORT=${2:?}; shift 2 ;;
        --replica-port) REPLICA_PORT=${2:?}; shift 2 ;;
        --base) PG_BASE=${2:?}; shift 2 ;;
        --host-auth) HOST_AUTH=${2:?}; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument: $1" >&2; usage 2 >&2 ;;
    esac
done
for p in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    [[ "$p" =~ ^[0-9]+$ ]] && [ "$p" -ge 1024 ] && [ "$p" -le 65535 ] || { echo "bad port: $p" >&2; exit 2; }
done
[ "$PRIMARY_PORT" != "$REPLICA_PORT" ] || { echo "primary and replica need two ports" >&2; exit 2; }
case "$HOST_AUTH" in trust|scram-sha-256|md5) ;; *) echo "bad --host-auth: $HOST_AUTH" >&2; exit 2 ;; esac

PRIMARY_DIR=$PG_BASE/primary-$PRIMARY_PORT
REPLICA_DIR=$PG_BASE/replica-$REPLICA_PORT
PASS_FILE=$PG_BASE/.replica_pass-$PRIMARY_PORT

pg_bindir() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$d" ] && command -v pg_config >/dev/null; then d=$(pg_config --bindir); fi
    echo "$d"
}
BIN=$(pg_bindir)
if [ ! -x "$BIN/initdb" ]; then
    command -v apt-get >/dev/null || { echo "PostgreSQL server binaries not found (set PG_BIN)" >&2; exit 1; }
    apt-get update && apt-get install -y postgresql
    BIN=$(pg_bindir)
fi

# Everything touching the clusters runs as the postgres OS user (initdb refuses root).
if [ "$(id -un)" = postgres ]; then
    as_pg() { bash -c "$1"; }
else
    as_pg() { su postgres -s /bin/bash -c "$1"; }
fi
psql_at() { as_pg "$BIN/psql -h 127.0.0.1 -p $1 -U postgres -d postgres -Atqc \"$2\""; }
running() { as_pg "$BIN/pg_ctl -D $1 status" >/dev/null 2>&1; }
start() { running "$1" || as_pg "$BIN/pg_ctl -D $1 -l $1/server.log -w -t 60 start" >/dev/null; }
port_busy() { as_pg "$BIN/pg_isready -q -h 127.0.0.1 -p $1" >/dev/null 2>&1 || [ $? -eq 1 ]; }

mkdir -p "$PG_BASE" && chown postgres: "$PG_BASE" && chmod 700 "$PG_BASE"

# 1. The primary.
if [ ! -f "$PRIMARY_DIR/PG_VERSION" ]; then
    if port_busy "$PRIMARY_PORT"; then
        echo "port $PRIMARY_PORT is already served by another cluster: pick a free --primary-port" >&2; exit 1
    fi
    as_pg "$BIN/initdb -D $PRIMARY_DIR -U postgres -E UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256" >/dev/null
    cat >> "$PRIMARY_DIR/postgresql.conf" <<CONF

# --- dangjian deploy/replica/setup_replica.sh ---
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
hot_standby = on
hot_standby_feedback = on
CONF
    # First match wins: the replication line must precede the catch-all loopback line.
    cat > "$PRIMARY_DIR/pg_hba.conf" <<HBA
local   all             postgres                                peer
local   all             all                                     peer
host    replication     $REPL_USER      127.0.0.1/32            scram-sha-256
host    all             all             127.0.0.1/32            $HOST_AUTH
HBA
    chown postgres: "$PRIMARY_DIR"/*.conf
    echo "primary cluster created in $PRIMARY_DIR (port $PRIMARY_PORT)"
fi
start "$PRIMARY_DIR"
[ "$(psql_at "$PRIMARY_PORT" "SHOW wal_level")" != minimal ] || { echo "wal_level=minimal on the primary" >&2; exit 1; }

if [ ! -s "$PASS_FILE" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$PASS_FILE")
    chown postgres: "$PASS_FILE"
fi
REPL_PASSWORD=$(cat "$PASS_FILE")
if [ "$(psql_at "$PRIMARY_PORT" "SELECT 1 FROM pg_roles WHERE rolname = '$REPL_USER'")" != 1 ]; then
    psql_at "$PRIMARY_PORT" "CREATE ROLE $REPL_USER WITH REPLICATION LOGIN PASSWORD '$REPL_PASSWORD'"
else
    psql_at "$PRIMARY_PORT" "ALTER ROLE $REPL_USER WITH REPLICATION LOGIN PASSWORD '$REPL_PASSWORD'"
fi

# 2. The replica: a base backup streamed from the primary; -R writes standby.signal and primary_conninfo.
if [ ! -f "$REPLICA_DIR/standby.signal" ]; then
    if port_busy "$REPLICA_PORT"; then
        echo "port $REPLICA_PORT is already served by another cluster: pick a free --replica-port" >&2; exit 1
    fi
    rm -rf "$REPLICA_DIR"   # a half-finished earlier attempt
    # A slot left by an earlier, removed replica would make -C fail (and would keep WAL forever).
    psql_at "$PRIMARY_PORT" "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                             WHERE slot_name = '$SLOT' AND NOT active" >/dev/null
    as_pg "PGPASSWORD='$REPL_PASSWORD' $BIN/pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U $REPL_USER \
        -D $REPLICA_DIR -X stream -R -C -S $SLOT --checkpoint=fast"
    # postgresql.auto.conf is read last: the copy's port overrides the primary's from postgresql.conf.
    cat >> "$REPLICA_DIR/postgresql.auto.conf" <<CONF
port = $REPLICA_PORT
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
CONF
    rm -f "$REPLICA_DIR/server.log" "$REPLICA_DIR/postmaster.pid"
    chown postgres: "$REPLICA_DIR/postgresql.auto.conf"
    echo "replica copied into $REPLICA_DIR (port $REPLICA_PORT)"
fi
start "$REPLICA_DIR"

# 3. Check that it is a standby and that it streams.
for _ in $(seq 1 20); do
    [ "$(psql_at "$PRIMARY_PORT" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" -ge 1 ] && break
    sleep 0.5
done
[ "$(psql_at "$REPLICA_PORT" "SELECT pg_is_in_recovery()")" = t ] || { echo "replica is not in recovery" >&2; exit 1; }
psql_at "$PRIMARY_PORT" "SELECT 'streaming: ' || application_name || ' ' || state || ' slot=$SLOT replay_lag=' ||
                         coalesce(replay_lag::text, '0') FROM pg_stat_replication"
echo "primary  DATABASE_URL=postgres://postgres@127.0.0.1:$PRIMARY_PORT/<db>"
echo "replica  DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/<db>"
