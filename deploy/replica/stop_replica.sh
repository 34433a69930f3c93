#!/bin/sh
# Stop the local replica (and, with --drop, remove it and its replication slot on the primary).
set -eu
PG_VERSION=${PG_VERSION:-15}
REPLICA_DIR=${REPLICA_DIR:-/var/lib/postgresql/$PG_VERSION/replica}
SLOT=${SLOT:-dangjian_replica}
su postgres -s /bin/sh -c "/usr/lib/postgresql/$PG_VERSION/bin/pg_ctl -D $REPLICA_DIR -m fast stop" || true
if [ "${1:-}" = "--drop" ]; then
    rm -rf "$REPLICA_DIR"
    su postgres -s /bin/sh -c "psql -h 127.0.0.1 -U postgres -Atc \"SELECT pg_drop_replication_slot('$SLOT')\"" || true
fi
