#!/bin/sh
# The production topology on this machine, loopback only (issue 13):
#   gunicorn (WEB_WORKERS) on 127.0.0.1:${WEB_PORT:-8180}, one Huey consumer with the schedule, HUEY_WORKERS
#   extra consumers without it, Redis for Huey and the write-behind QR sign-in. PIDs go to ${RUN_DIR:-/tmp/dangjian-run}; stop with stop_local.sh.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5440/dangjian [DATABASE_REPLICA_URL=…:5441/dangjian] deploy/start_local.sh
#   (the two clusters of deploy/replica/setup_replica.sh). Other knobs: WEB_PORT, WEB_WORKERS, WEB_THREADS,
#   REDIS_PORT (our own redis-server when REDIS_URL is unset), HUEY_WORKERS, DANGJIAN_TRUSTED_PROXIES.
set -eu
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-/tmp/dangjian-run}
mkdir -p "$RUN_DIR"
if [ -f "$RUN_DIR/web.pid" ] && kill -0 "$(cat "$RUN_DIR/web.pid")" 2>/dev/null; then
    echo "already running (pids in $RUN_DIR): deploy/stop_local.sh first" >&2; exit 1
fi
[ -n "${DATABASE_URL:-}" ] || echo "warning: DATABASE_URL unset, the SQLite file of data/ is used" >&2
export DJANGO_DEBUG=${DJANGO_DEBUG:-0} DANGJIAN_DEMO=${DANGJIAN_DEMO:-0}
export WEB_BIND=127.0.0.1:${WEB_PORT:-8180} WEB_WORKERS=${WEB_WORKERS:-4} WEB_ACCESS_LOG=${WEB_ACCESS_LOG:-/dev/null}
# A given REDIS_URL is used as is; otherwise our own Redis on REDIS_PORT (not the machine's shared one). It keeps
# an append-only file, synced every second: accepted QR check-ins wait there for their flush (checkin_queue).
if [ -z "${REDIS_URL:-}" ] && command -v redis-server >/dev/null; then
    REDIS_PORT=${REDIS_PORT:-6391}
    export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || \
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync everysec \
            --dir "$RUN_DIR" --daemonize yes --pidfile "$RUN_DIR/redis.pid"
fi
.venv/bin/python manage.py collectstatic --noinput -v0
# --daemon detaches stderr: the error log goes to a file, or a worker that fails to boot leaves no trace.
.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi --daemon --pid "$RUN_DIR/web.pid" \
    --error-logfile "$RUN_DIR/web.log" --capture-output
nohup .venv/bin/python manage.py run_huey --workers 2 --worker-type thread > "$RUN_DIR/huey-scheduler.log" 2>&1 &
echo $! > "$RUN_DIR/huey-scheduler.pid"
for i in $(seq 1 "${HUEY_WORKERS:-1}"); do
    nohup .venv/bin/python manage.py run_huey --no-periodic --workers 2 --worker-type thread \
        > "$RUN_DIR/huey-worker-$i.log" 2>&1 &
    echo $! > "$RUN_DIR/huey-worker-$i.pid"
done
for _ in $(seq 1 60); do
    python3 -c "import urllib.request as u; u.urlopen('http://$WEB_BIND/login/', timeout=2)" 2>/dev/null && break
    sleep 0.5
done
echo "web on http://$WEB_BIND: $WEB_WORKERS workers × ${WEB_THREADS:-4} threads; database ${DATABASE_URL:-sqlite}," \
     "replica ${DATABASE_REPLICA_URL:-none}; Huey on ${REDIS_URL:-sqlite} (pids in $RUN_DIR)"
