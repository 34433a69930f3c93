"""Check-in endpoint throughput against a bare Django view, in process through the whole middleware stack.

A meeting starting now in each of the county's first branches (≥ 100 attendees, 30 with --quick); each
attendee gets a user and an API token; one pass = every attendee POSTs /api/v1/meetings/{id}/check-in with
the QR token (a real first check-in: row update + audit event). The baseline is a bare Django view that
parses the same JSON body (bench/bench_urls.py), called the same number of times with the same client.
Goal (issue 13): ≥ 50 % of the bare view's throughput, i.e. ≤ 2× its time per request.

The goal rows use the write-behind sign-in (meetings/checkin_queue.py) on the Redis at BENCH_REDIS_URL
(default redis://127.0.0.1:6379/14, keys under a prefix of this run), as in production: tokens issued before the
meeting (members log in on their phones beforehand), each sheet loaded by the QR code on the secretary's screen,
the endpoint timed alone. The worker's flush that makes them durable is timed on its own row, and an "end to
end" row times scans that each load a cold sheet plus the flush. The synchronous path (no Redis) keeps its
rows. Rows marked "info" are shown against the same goal but never fail the run.

Two rows: in process (Django's test client, one request at a time: the code path alone), and over HTTP "on the
same server" — gunicorn with deploy/gunicorn.conf.py (gthread; BENCH_HTTP_WORKERS workers × BENCH_HTTP_THREADS
threads, default 3 × 4) on a free loopback port, BENCH_HTTP_CLIENTS (8) client threads with keep-alive
connections sending the same requests to the bare view and to check-in; the row's times are wall time per
request (1 / throughput). The client runs on the same machine, so its own cost is in both figures.
Everything the benchmark creates is removed afterwards.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, Result, result

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

HERE = Path(__file__).resolve().parent


def run(ctx) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken
    from dangjian.meetings import checkin_queue
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.meetings.signin import make_token
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    want = 30 if ctx.quick else 100
    now = timezone.now()
    branches, people = [], []
    for b in Org.objects.filter(path__startswith=ctx.county.path, kind="branch").order_by("path").iterator():
        ms = list(Member.objects.filter(org=b, user__isnull=True, stage__in=["full", "probationary"]))
        if ms:
            branches.append((b, ms))
            people += ms
        if len(people) >= want:
            break
    User = get_user_model()
    created_users, meetings, calls = [], [], []
    queue = _queue_settings()
    try:
        with transaction.atomic():
            for b, ms in branches:
                mt = Meeting.objects.create(org=b, region_id=b.region_id, kind="theme_day", title="签到基准主题党日",
                                            starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2))
                meetings.append(mt)
                Attendance.objects.bulk_create([Attendance(meeting=mt, member=m, region_id=mt.region_id,
                                                           is_full=m.stage == "full")
                                                for m in ms])
                token = make_token(mt.id)
                for m in ms:
                    u = User.objects.create_user(username=f"bench_checkin_{m.id}")
                    created_users.append(u)
                    Member.objects.filter(pk=m.pk).update(user=u)
                    _, raw = ApiToken.issue(u)
                    calls.append((f"/api/v1/meetings/{mt.id}/check-in", json.dumps({"token": token}),
                                  {"HTTP_AUTHORIZATION": f"Bearer {raw}"}))
        client = Client()
        sync = {"CHECKIN_QUEUE_URL": ""}
        with override_settings(ROOT_URLCONF="bench_urls"):
            def reset():
                Attendance.objects.filter(meeting__in=meetings).update(status="absent", method="", checked_at=None,
                                                                       marked_by=None)

            def ours():
                for url, body, headers in calls:
                    r = client.post(url, body, content_type="application/json", **headers)
                    assert r.status_code == 200 and r.json()["created"], r.content[:200]

            def flush():  # the Huey worker's share: every accepted check-in written with its audit event
                checkin_queue.flush_all()
                assert checkin_queue.pending_count() == 0

            def queued_reset(*, cold=False):
                _queue_reset(reset)
                if not cold:  # the QR code on the secretary's screen has loaded each sheet (views.qr_panel)
                    for mt in meetings:
                        checkin_queue.sheet_warm(mt.id)

            def bare():
                for _url, body, headers in calls:
                    r = client.post("/bench/bare/", body, content_type="application/json", **headers)
                    assert r.status_code == 200

            def same_sql():  # the same work in hand-written SQL behind the same middleware (bench_urls)
                for url, body, headers in calls:
                    raw_url = "/bench/raw-check-in/" + url.split("/")[-2] + "/"
                    r = client.post(raw_url, body, content_type="application/json", **headers)
                    assert r.status_code == 200 and r.json()["created"], r.content[:200]

            with_sql = connection.vendor == "postgresql"
            with override_settings(**sync):
                reset()
                ours()  # warm-up: the first request imports the API and its schema
                bare()
            if queue:
                with override_settings(**queue):
                    _remember_tokens(created_users)
                    queued_reset()
                    ours()
                    flush()
            a, b, c, q, f, e = [], [], [], [], [], []
            for _ in range(3 if with_sql else 2):
                with override_settings(**sync):
                    reset()
                    a.append(_timed(ours))
                    b.append(_timed(bare))
                    if with_sql:
                        reset()
                        c.append(_timed(same_sql))
                if queue:
                    with override_settings(**queue):
                        queued_reset()
                        q.append(_timed(ours))
                        f.append(_timed(flush))
                        queued_reset(cold=True)
                        e.append(_timed(ours) + _timed(flush))
        n = len(calls)
        rows = []
        if q:
            rows.append(result(f"check-in endpoint, write-behind ({n}/pass)", [x / n for x in q], [x / n for x in b],
                               2.0, f"{n / min(q):.0f} req/s vs bare {n / min(b):.0f} req/s (in process; sheets "
                               "loaded by the QR screen)"))
            rows.append(result("check-in flush (worker), per check-in", [x / n for x in f], [x / n for x in b], 2.0,
                               f"{n / min(f):.0f} check-ins/s written with audit, off the request path", info=True))
            rows.append(result("check-in end to end: cold sheets + flush", [x / n for x in e], [x / n for x in b], 2.0,
                               f"{n / min(e):.0f} req/s, every sheet loaded by a scan, until in the database",
                               info=True))
        else:
            rows.append(Result(f"check-in write-behind: no Redis at {REDIS_URL}", 0.0, 0.0, 2.0, "set BENCH_REDIS_URL"))
        rows.append(result(f"check-in, synchronous ({n}/pass)", [x / n for x in a], [x / n for x in b], 2.0,
                           f"{n / min(a):.0f} req/s (in process, the path without Redis)", info=True))
        if c:  # what the framework costs over a minimal implementation of the same writes (not the issue's goal)
            rows.append(result("check-in sync vs the same SQL in a bare view", [x / n for x in a], [x / n for x in c],
                               2.0, f"{n / min(c):.0f} req/s hand-written SQL (in process)", info=True))
        if connection.vendor != "postgresql":  # one SQLite file behind several gunicorn workers: not the target
            return rows

        def present():
            return Attendance.objects.filter(meeting__in=meetings, status="present", method="qr").count()

        if queue:
            with override_settings(**queue):
                rows.append(_http_row(calls, queued_reset, present, quick=ctx.quick,
                                      env={k: str(v) for k, v in queue.items()}, settle=flush,
                                      label="write-behind endpoint"))
        rows.append(_http_row(calls, reset, present, quick=ctx.quick, env=sync, label="synchronous", info=True))
        return rows
    finally:
        from dangjian.core.models import AuditEvent

        ids = [m.id for m in meetings]
        try:
            AuditEvent.objects.filter(verb="meeting.check_in", target_id__in=[str(i) for i in ids]).delete()
        except Exception:  # an append-only audit log keeps them: harmless
            pass
        Attendance.objects.filter(meeting_id__in=ids).delete()
        Meeting.objects.filter(id__in=ids).delete()
        Member.objects.filter(user__in=created_users).update(user=None)
        User.objects.filter(id__in=[u.id for u in created_users]).delete()
        if queue:
            _delete_keys(queue["CHECKIN_QUEUE_PREFIX"] + "*")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _queue_settings() -> dict | None:
    """Settings of the write-behind sign-in on the benchmark's Redis, or None when it does not answer."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return None
    return {"CHECKIN_QUEUE_URL": REDIS_URL, "CHECKIN_QUEUE_PREFIX": f"bench{os.getpid()}:"}


def _remember_tokens(users) -> None:
    """As if issued with the queue on: each member logged in on the phone before the meeting."""
    from dangjian.accounts import token_cache
    from dangjian.accounts.models import ApiToken

    for t in ApiToken.objects.filter(user__in=users):
        token_cache.remember(key_hash=t.key_hash, user_id=t.user_id, expires_at=t.expires_at)


def _queue_reset(reset) -> None:
    """The rows absent again and every sheet and waiting check-in of this run gone (tokens stay)."""
    from dangjian.core import redis_store

    reset()
    _delete_keys(redis_store.prefix() + "ci:*")


def _delete_keys(pattern: str) -> None:
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(match=pattern, count=1000))
    if keys:
        r.delete(*keys)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int, extra_env: dict) -> subprocess.Popen:
    """gunicorn with the deploy config on loopback, the benchmark's URLs, DEBUG off as in production.

    Huey's SQLite file is a scratch one: the flushes the check-ins schedule are done by the benchmark itself."""
    env = {**os.environ, **extra_env, "HUEY_SQLITE_PATH": str(Path(tempfile.gettempdir()) / "bench-huey.sqlite3"),
           "BENCH_WSGI": "1", "WEB_BIND": f"127.0.0.1:{port}", "DJANGO_DEBUG": "0",
           "WEB_WORKERS": os.environ.get("BENCH_HTTP_WORKERS", "3"),
           "WEB_THREADS": os.environ.get("BENCH_HTTP_THREADS", "4"), "WEB_ACCESS_LOG": "/dev/null",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall the server
    proc = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "bench_urls:application"],
                            cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn exited: " + log.read().decode(errors="replace")[-300:])
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not answer within 90 s")


def _stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _blast(port: int, requests: list[tuple[str, str, dict]], clients: int) -> tuple[float, list[int]]:
    """Send every request once over `clients` keep-alive connections; (wall seconds, statuses)."""
    statuses: list[int] = []
    lock = threading.Lock()
    shares = [requests[i::clients] for i in range(clients)]
    start = threading.Barrier(clients + 1)

    def work(share):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        got = []
        for url, body, headers in share:
            conn.request("POST", url, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            got.append(resp.status if resp.status != 200 or b'"created": true' in data or url.startswith("/bench/")
                       else -1)  # -1: a 200 that was not a first check-in
        conn.close()
        with lock:
            statuses.extend(got)

    threads = [threading.Thread(target=work, args=(sh,)) for sh in shares]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, statuses


def _http_row(calls, reset, present_count, **kwargs) -> Result:
    """One row over HTTP, or an ERROR row: the in-process rows stand on their own."""
    try:
        return _http_measure(calls, reset, present_count, **kwargs)
    except Exception as exc:
        return Result(f"check-in over HTTP: ERROR {type(exc).__name__}", 0.0, 0.0, 2.0, str(exc)[:80])


def _http_measure(calls, reset, present_count, *, quick: bool, env: dict, label: str, settle=None,
                  info: bool = False) -> Result:
    """`settle` (not timed: the worker's share, measured in process): what writes the check-ins to the database
    before they are counted."""
    clients = int(os.environ.get("BENCH_HTTP_CLIENTS", "8"))
    ours_reqs = [(url, body, {"Content-Type": "application/json", "Authorization": h["HTTP_AUTHORIZATION"]})
                 for url, body, h in calls]
    bare_reqs = [("/bench/bare/", body, hd) for _url, body, hd in ours_reqs]
    n = len(calls)
    port = _free_port()
    proc = _start_server(port, env)
    try:
        a, b = [], []
        for i in range(2 if quick else 4):  # the first pair warms every worker up and is not counted
            reset()
            took, st = _blast(port, ours_reqs, clients)
            if settle is not None:
                settle()
            assert st.count(200) == n, f"check-in over HTTP: {sorted(set(st))}"
            assert present_count() == n  # every member checked in exactly once
            took_bare, st = _blast(port, bare_reqs, clients)
            assert st.count(200) == n
            if i:
                a.append(took)
                b.append(took_bare)
    finally:
        _stop_server(proc)
    workers = os.environ.get("BENCH_HTTP_WORKERS", "3")
    threads = os.environ.get("BENCH_HTTP_THREADS", "4")
    return result(f"check-in over HTTP, {label} ({n}/pass)", [x / n for x in a], [x / n for x in b], 2.0,
                  f"{n / min(a):.0f} req/s vs bare {n / min(b):.0f} req/s (gunicorn {workers}×{threads}, {clients} "
                  "clients, loopback)", info=info)
