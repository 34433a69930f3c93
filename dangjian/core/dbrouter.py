"""Reads on the streaming replica, writes on the primary, and read-your-writes (issue 13, DESIGN "Scale").

Enabled by config/settings.py when DATABASE_REPLICA_URL is set (alias "replica"). Within one request:

* reads go to the replica until the request writes; from the first write on, every query of the rest of
  the request goes to the primary ("sticky"), so a request never reads older data than it wrote;
* a request with an unsafe method (POST, PUT, PATCH, DELETE) is sticky from its start: its services lock
  rows (select_for_update) and read what they are about to change;
* a read inside a transaction on the primary stays on the primary (the replica cannot see uncommitted rows);
* after a request that wrote, a short-lived cookie keeps the same browser's next requests on the primary for
  REPLICA_STICKY_SECONDS, long enough for the replica to catch up (the redirect after a POST reads its write).

The sticky flag is a ContextVar: each request (thread or task) has its own; Huey tasks and management
commands outside a request read from the replica unless they write first.
"""
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
COOKIE = "dj_primary"
REPLICA_STICKY_SECONDS = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_sticky: ContextVar[bool] = ContextVar("dangjian_db_sticky_primary", default=False)
_wrote: ContextVar[bool] = ContextVar("dangjian_db_wrote", default=False)


def has_replica() -> bool:
    return REPLICA in settings.DATABASES


def stick_to_primary() -> None:
    """From now on, this request (or task) reads from the primary."""
    _sticky.set(True)
    _wrote.set(True)


def is_sticky() -> bool:
    return _sticky.get()


def in_transaction() -> bool:
    return connections["default"].in_atomic_block


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _sticky.get() or not has_replica() or in_transaction():
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        stick_to_primary()
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class StickyPrimaryMiddleware:
    """Scopes the sticky flag to one request (put it first in MIDDLEWARE, before sessions read anything)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = request.method not in SAFE_METHODS or request.COOKIES.get(COOKIE) == "1"
        sticky, wrote = _sticky.set(start), _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get():
                response.set_cookie(COOKIE, "1", max_age=REPLICA_STICKY_SECONDS, httponly=True, samesite="Lax")
            return response
        finally:
            _sticky.reset(sticky)
            _wrote.reset(wrote)
