#!/bin/sh
# A PostgreSQL 15 streaming replica of the local primary, on another port of the same machine (issue 13).
#
#   sudo deploy/replica/setup_replica.sh            # primary 127.0.0.1:5432 → replica 127.0.0.1:5433
#   PRIMARY_PORT=5432 REPLICA_PORT=5433 REPLICA_DIR=/var/lib/postgresql/15/replica sudo -E deploy/replica/setup_replica.sh
#
# Runs on a fresh Debian 12 (installs postgresql-15 when missing). Idempotent: an existing replica is kept.
# Then run the app with DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<db> (dangjian.core.dbrouter).
set -eu
PG_VERSION=${PG_VERSION:-15}
PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/$PG_VERSION/replica}
REPL_USER=${REPL_USER:-replicator}
REPL_PASSWORD=${REPL_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')}
SLOT=${SLOT:-dangjian_replica}
BIN=/usr/lib/postgresql/$PG_VERSION/bin

if [ ! -x "$BIN/pg_ctl" ]; then
    apt-get update && apt-get install -y "postgresql-$PG_VERSION"
fi
as_pg() { su postgres -s /bin/sh -c "$*"; }
psql_primary() { as_pg "psql -h $PRIMARY_HOST -p $PRIMARY_PORT -U postgres -Atqc \"$1\""; }

# 1. The primary: WAL for a replica, a replication role and slot, and a pg_hba line for loopback.
psql_primary "ALTER SYSTEM SET wal_level = 'replica'"
psql_primary "ALTER SYSTEM SET max_wal_senders = 5"
psql_primary "ALTER SYSTEM SET max_replication_slots = 5"
psql_primary "ALTER SYSTEM SET hot_standby = on"
if [ "$(psql_primary "SELECT 1 FROM pg_roles WHERE rolname = '$REPL_USER'")" != "1" ]; then
    psql_primary "CREATE ROLE $REPL_USER WITH REPLICATION LOGIN PASSWORD '$REPL_PASSWORD'"
    echo "replication password for $REPL_USER: $REPL_PASSWORD (kept in $REPLICA_DIR/../.replica_pass)"
    umask 077; echo "$REPL_PASSWORD" > "$(dirname "$REPLICA_DIR")/.replica_pass"; chown postgres "$(dirname "$REPLICA_DIR")/.replica_pass"
fi
HBA=$(psql_primary "SHOW hba_file")
grep -q "replication $REPL_USER 127.0.0.1/32" "$HBA" || \
    echo "host replication $REPL_USER 127.0.0.1/32 scram-sha-256" >> "$HBA"
psql_primary "SELECT pg_reload_conf()" >/dev/null
WAL_LEVEL=$(psql_primary "SELECT setting FROM pg_settings WHERE name = 'wal_level'")
if [ "$WAL_LEVEL" != "replica" ] && [ "$WAL_LEVEL" != "logical" ]; then
    echo "wal_level needs a restart of the primary: pg_ctlcluster $PG_VERSION main restart (then rerun)"; exit 1
fi

# 2. The replica: a base backup streamed from the primary, standby.signal written by -R.
if [ ! -f "$REPLICA_DIR/standby.signal" ]; then
    mkdir -p "$REPLICA_DIR" && chown postgres "$REPLICA_DIR" && chmod 700 "$REPLICA_DIR"
    PASS=$(cat "$(dirname "$REPLICA_DIR")/.replica_pass" 2>/dev/null || echo "$REPL_PASSWORD")
    as_pg "PGPASSWORD='$PASS' $BIN/pg_basebackup -h $PRIMARY_HOST -p $PRIMARY_PORT -U $REPL_USER -D $REPLICA_DIR \
        -X stream -R -C -S $SLOT --checkpoint=fast --progress"
    cat >> "$REPLICA_DIR/postgresql.auto.conf" <<CONF
port = $REPLICA_PORT
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
CONF
    # Debian keeps postgresql.conf outside the data directory: give the replica a minimal one.
    [ -f "$REPLICA_DIR/postgresql.conf" ] || cat > "$REPLICA_DIR/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
CONF
    [ -f "$REPLICA_DIR/pg_hba.conf" ] || cp "$HBA" "$REPLICA_DIR/pg_hba.conf"
    [ -f "$REPLICA_DIR/pg_ident.conf" ] || touch "$REPLICA_DIR/pg_ident.conf"
    chown postgres "$REPLICA_DIR"/*.conf
fi

# 3. Start it (idempotent) and check that it streams.
as_pg "$BIN/pg_ctl -D $REPLICA_DIR -l $REPLICA_DIR/replica.log -w status" >/dev/null 2>&1 || \
    as_pg "$BIN/pg_ctl -D $REPLICA_DIR -l $REPLICA_DIR/replica.log -w start"
sleep 1
as_pg "psql -h 127.0.0.1 -p $REPLICA_PORT -U postgres -Atc 'SELECT pg_is_in_recovery()'" | grep -q t
psql_primary "SELECT application_name, state, replay_lag FROM pg_stat_replication"
echo "replica on 127.0.0.1:$REPLICA_PORT — DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/<db>"
