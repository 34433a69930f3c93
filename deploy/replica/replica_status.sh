#!/bin/bash
# Is the replica streaming, how far behind, and does it serve the app's reads? (issue 13)
#
#   deploy/replica/replica_status.sh [--primary-port 5440] [--replica-port 5441] [--db dangjian] [--watch SECONDS]
#
# One line per sample: the primary's pg_stat_replication (state, replay lag, bytes not yet replayed) and the
# replica's counters for the app database (client connections now, transactions and rows returned so far:
# compare two samples, e.g. before and after a load run, to see the reads it served).
set -euo pipefail
PRIMARY_PORT=5440
REPLICA_PORT=5441
DB=dangjian
WATCH=0
while [ $# -gt 0 ]; do
    case "$1" in
        --primary-port) PRIMARY_PORT=${2:?}; shift 2 ;;
        --replica-port) REPLICA_PORT=${2:?}; shift 2 ;;
        --db) DB=${2:?}; shift 2 ;;
        --watch) WATCH=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
for v in "$PRIMARY_PORT" "$REPLICA_PORT" "$WATCH"; do
    [[ "$v" =~ ^[0-9]+$ ]] || { echo "not a number: $v" >&2; exit 2; }
done
[[ "$DB" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || { echo "bad database name: $DB" >&2; exit 2; }
q() { psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -AtqX -F ' ' -c "$2"; }

sample() {
    local repl stats
    repl=$(q "$PRIMARY_PORT" "SELECT state, coalesce(replay_lag::text, '0'),
                               pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)
                               FROM pg_stat_replication ORDER BY backend_start DESC LIMIT 1")
    stats=$(q "$REPLICA_PORT" "SELECT (SELECT count(*) FROM pg_stat_activity
                                       WHERE datname = '$DB' AND backend_type = 'client backend'),
                                      xact_commit, tup_returned, tup_fetched, pg_is_in_recovery()
                               FROM pg_stat_database WHERE datname = '$DB'")
    read -r state lag behind <<< "${repl:-none - -}"
    read -r conns xacts returned fetched recovery <<< "${stats:-- - - - -}"
    echo "$(date +%T) replication=$state replay_lag=$lag bytes_behind=$behind" \
         "replica[$DB]: recovery=$recovery connections=$conns xact_commit=$xacts tup_returned=$returned tup_fetched=$fetched"
}

sample
while [ "$WATCH" -gt 0 ]; do
    sleep "$WATCH"
    sample
done
