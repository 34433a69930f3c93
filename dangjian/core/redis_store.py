"""Redis for the write-behind paths (issue 13): one client per URL per process, and the key prefix.

The clients time out fast (0.5 s): a caller treats a Redis error as "not available" and takes its synchronous
path, so an outage of Redis slows sign-in down instead of stopping it. redis-py's pool notices a fork (gunicorn
preload) and opens new connections in the child."""
import hashlib
import logging
import os
import threading

import redis
from django.conf import settings
from django.db import transaction

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()
_local = threading.local()
log = logging.getLogger(__name__)

Error = redis.RedisError


def queue_url() -> str:
    return getattr(settings, "CHECKIN_QUEUE_URL", "") or ""


def prefix() -> str:
    return getattr(settings, "CHECKIN_QUEUE_PREFIX", "dj:")


def client(url: str | None = None) -> redis.Redis:
    url = url or queue_url()
    found = _clients.get(url)
    if found is None:
        with _lock:
            found = _clients.get(url)
            if found is None:
                found = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return found


def delete(keys: list[str]) -> None:
    """Delete these keys of the queue's Redis; an error is logged, not raised (what they cached also expires)."""
    if not keys:
        return
    try:
        client().delete(*keys)
    except Error as exc:
        log.warning("could not delete %d Redis keys: %s", len(keys), exc)


def delete_on_commit(keys: list[str]) -> None:
    """delete(keys) once the current transaction commits, when the change they cached is visible."""
    transaction.on_commit(lambda: delete(keys))


def run_script(source: str, keys: list, args: list):
    """EVALSHA of the Lua `source` on this thread's own connection to the queue's Redis (loaded on NOSCRIPT).

    The sign-in's one round trip. redis-py's pool and retry wrappers cost ~30 µs of the ~150 µs a script call
    takes here, so the hot path keeps a connection per thread, opened again after a fork, a change of URL or an
    error (which is raised: the caller takes its synchronous path)."""
    url = queue_url()
    state = getattr(_local, "conn", None)
    if state is None or state[0] != url or state[1] != os.getpid():
        pool = client(url).connection_pool
        state = _local.conn = (url, os.getpid(), pool.connection_class(**pool.connection_kwargs))
    conn = state[2]
    sha = _sha(source)
    try:
        conn.send_command("EVALSHA", sha, len(keys), *keys, *args)
        try:
            return conn.read_response()
        except redis.exceptions.NoScriptError:  # a restarted or flushed Redis
            conn.send_command("SCRIPT", "LOAD", source)
            conn.read_response()
            conn.send_command("EVALSHA", sha, len(keys), *keys, *args)
            return conn.read_response()
    except redis.RedisError:
        conn.disconnect()
        raise


_shas: dict[str, str] = {}


def _sha(source: str) -> str:
    found = _shas.get(source)
    if found is None:
        found = _shas[source] = hashlib.sha1(source.encode()).hexdigest()
    return found
