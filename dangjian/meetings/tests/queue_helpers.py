"""The write-behind sign-in (checkin_queue) under test: a real Redis, a key prefix of its own per test.

Redis is TEST_REDIS_URL (default redis://127.0.0.1:6379/15). Where it is not running the tests are skipped,
unless DANGJIAN_REQUIRE_REDIS=1 (set by .ci/run), where they fail: CI must not pass without them."""
import os
import uuid

import redis
from django.test import override_settings

from .. import checkin_queue

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_or_skip(case) -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        if os.environ.get("DANGJIAN_REQUIRE_REDIS") == "1":
            raise AssertionError(f"Redis is required here (DANGJIAN_REQUIRE_REDIS=1): {exc}")
        case.skipTest(f"no Redis at {REDIS_URL}: {exc}")


class QueueMixin:
    """Turns the queue on for each test, with its own keys, and removes them afterwards.

    Django's TestCase never commits, so on-commit work (dropping a sheet, clearing flushed check-ins) only runs
    inside `committed()`; the helpers here use it."""

    def setUp(self):
        super().setUp()
        redis_or_skip(self)
        self.prefix = f"test:{uuid.uuid4().hex[:12]}:"
        self.enterContext(override_settings(CHECKIN_QUEUE_URL=REDIS_URL, CHECKIN_QUEUE_PREFIX=self.prefix))
        self.addCleanup(self._drop_keys)

    def _drop_keys(self):
        r = redis.Redis.from_url(REDIS_URL)
        keys = list(r.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            r.delete(*keys)

    def committed(self):
        return self.captureOnCommitCallbacks(execute=True)

    def flush(self) -> int:
        with self.committed():
            return checkin_queue.flush_all()
