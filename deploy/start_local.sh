#!/bin/sh
# The production topology on this machine, loopback only (issue 13):
#   gunicorn (WEB_WORKERS) on 127.0.0.1:${WEB_PORT:-8180}, one Huey consumer with the schedule, HUEY_WORKERS
#   extra consumers without it, Redis for Huey. PIDs go to ${RUN_DIR:-/tmp/dangjian-run}; stop with stop_local.sh.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_scale [DATABASE_REPLICA_URL=…:5433/…] deploy/start_local.sh
set -eu
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-/tmp/dangjian-run}
mkdir -p "$RUN_DIR"
export DJANGO_DEBUG=${DJANGO_DEBUG:-0} DANGJIAN_DEMO=${DANGJIAN_DEMO:-0}
export WEB_BIND=127.0.0.1:${WEB_PORT:-8180} WEB_WORKERS=${WEB_WORKERS:-4} WEB_ACCESS_LOG=${WEB_ACCESS_LOG:-/dev/null}
if [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null; then
    REDIS_PORT=${REDIS_PORT:-6391}
    export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || \
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --daemonize yes --pidfile "$RUN_DIR/redis.pid"
fi
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c deploy/gunicorn.conf.py config.wsgi --daemon --pid "$RUN_DIR/web.pid"
nohup .venv/bin/python manage.py run_huey --workers 2 --worker-type thread > "$RUN_DIR/huey-scheduler.log" 2>&1 &
echo $! > "$RUN_DIR/huey-scheduler.pid"
for i in $(seq 1 "${HUEY_WORKERS:-1}"); do
    nohup .venv/bin/python manage.py run_huey --no-periodic --workers 2 --worker-type thread \
        > "$RUN_DIR/huey-worker-$i.log" 2>&1 &
    echo $! > "$RUN_DIR/huey-worker-$i.pid"
done
echo "web on http://$WEB_BIND (pids in $RUN_DIR)"
