"""gunicorn for 党建: N sync workers (CPU-bound Django) + threads for the I/O waits on PostgreSQL.

    gunicorn -c deploy/gunicorn.conf.py config.wsgi
Environment: WEB_WORKERS (default 2 × CPUs + 1), WEB_THREADS (4), WEB_BIND (127.0.0.1:8000 — put nginx or any
reverse proxy in front; set DANGJIAN_TRUSTED_PROXIES=1 then).
Each worker holds its own psycopg pool (DB_POOL_MAX connections per database): keep
workers × DB_POOL_MAX × 2 (primary + replica) under PostgreSQL's max_connections.
"""
import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
max_requests = 2000          # recycle workers now and then (memory of pypinyin, WeasyPrint)
max_requests_jitter = 200
preload_app = True           # import Django once, fork the workers
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "warning").lower()
forwarded_allow_ips = os.environ.get("WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # Connections (and pools) must never be shared across a fork.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()
