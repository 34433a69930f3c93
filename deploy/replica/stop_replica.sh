#!/bin/bash
# Stop the dedicated primary and replica of setup_replica.sh; --drop also removes both clusters' data.
#
#   deploy/replica/stop_replica.sh [--primary-port 5440] [--replica-port 5441] [--base DIR] [--drop]
#
# Only the two data directories setup_replica.sh created (DIR/primary-<port>, DIR/replica-<port>) are touched,
# never the machine's other clusters.
set -euo pipefail
PRIMARY_PORT=${PRIMARY_PORT:-5440}
REPLICA_PORT=${REPLICA_PORT:-5441}
PG_BASE=${PG_BASE:-/var/lib/postgresql/dangjian}
DROP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --primary-port) PRIMARY_PORT=${2:?}; shift 2 ;;
        --replica-port) REPLICA_PORT=${2:?}; shift 2 ;;
        --base) PG_BASE=${2:?}; shift 2 ;;
        --drop) DROP=1; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
for p in "$PRIMARY_PORT" "$REPLICA_PORT"; do
    [[ "$p" =~ ^[0-9]+$ ]] || { echo "bad port: $p" >&2; exit 2; }
done
BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}
[ -n "$BIN" ] || BIN=$(pg_config --bindir 2>/dev/null || true)
if [ "$(id -un)" = postgres ]; then as_pg() { bash -c "$1"; }; else as_pg() { su postgres -s /bin/bash -c "$1"; }; fi

# The replica first: stopping the primary first would leave the standby retrying its connection.
for dir in "$PG_BASE/replica-$REPLICA_PORT" "$PG_BASE/primary-$PRIMARY_PORT"; do
    [ -f "$dir/PG_VERSION" ] || continue
    [ -x "$BIN/pg_ctl" ] || { echo "pg_ctl not found (set PG_BIN)" >&2; exit 1; }
    if as_pg "$BIN/pg_ctl -D $dir status" >/dev/null 2>&1; then
        as_pg "$BIN/pg_ctl -D $dir -m fast -w stop" >/dev/null && echo "stopped $dir"
    fi
    if [ "$DROP" = 1 ]; then
        rm -rf "$dir" && echo "removed $dir"
    fi
done
[ "$DROP" = 1 ] && rm -f "$PG_BASE/.replica_pass-$PRIMARY_PORT"
exit 0
