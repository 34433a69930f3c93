#!/bin/sh
# Stop what start_local.sh started (by the PIDs it recorded, nothing else).
RUN_DIR=${RUN_DIR:-/tmp/dangjian-run}
for f in "$RUN_DIR"/*.pid; do
    [ -f "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null && echo "stopped $(basename "$f" .pid)"
    rm -f "$f"
done
