"""Load test of the busiest paths against a local server (issue 13), loopback only, bounded in time and count.

    # 1. prepare (Django, on the server's database): 500 members with accounts, tokens and a meeting open now
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_scale .venv/bin/python deploy/loadtest.py setup
    # 2. run against the server (stdlib only: threads + http.client), e.g. started by deploy/start_local.sh
    .venv/bin/python deploy/loadtest.py run --base http://127.0.0.1:8180 [--burst-seconds 120] [--label primary]
    # 3. every accepted check-in reached the database (the server's Huey consumer flushes the write-behind queue)
    DATABASE_URL=… .venv/bin/python deploy/loadtest.py written
    # 4. remove what setup created
    DATABASE_URL=… .venv/bin/python deploy/loadtest.py cleanup

Scenarios: (1) meeting check-in burst: 500 members check in within --burst-seconds (open loop: arrivals spread
evenly, whatever the latency), POST /api/v1/meetings/{id}/check-in, each followed by the member's own read
GET /api/v1/my/meetings with the cookies the check-in answered (a browser; with a replica the dj_primary cookie
keeps it on the primary) and once more without them (another device): the first must show the check-in (0 stale),
the second shows what replication lag does to a read that is not sticky; (2) roster browsing: 300 GETs of
/api/v1/members?org=<county>&page=k (8 concurrent); (3) portal petition submission: 100 POSTs of
/api/v1/petitions/public (4 concurrent). The portal limits submissions per IP and hour: on loopback every request
comes from 127.0.0.1, so most answer 429 (counted apart). --forwarded-ips N sends each one as from one of N
residents behind a reverse proxy (X-Forwarded-For; the server needs DANGJIAN_TRUSTED_PROXIES=1 as behind nginx).
Prints per scenario: requests, ok, other statuses, throughput (req/s), p50/p95 latency, and the load average.
"""
import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("LOADTEST_STATE", "/tmp/dangjian_loadtest.json"))
PREFIX = "load_checkin_"
PETITION_TITLE = "压力测试：楼道灯坏了"


def django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The server's write-behind sign-in queue (start_local.sh's own Redis unless REDIS_URL says otherwise), so that
    # reset and written see what the server accepted.
    if not os.environ.get("REDIS_URL"):
        os.environ.setdefault("CHECKIN_QUEUE_URL", os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6391/0"))
    import django as dj

    dj.setup()


def setup(args):
    django()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.meetings.signin import make_token
    from dangjian.members.models import Member
    from dangjian.orgs.models import Org

    root = Org.get_root_nodes().get(name=args.root)
    county = Org.objects.filter(path__startswith=root.path, depth=3).order_by("path").last()
    User = get_user_model()
    now = timezone.now()
    checkins, meetings = [], []
    with transaction.atomic():
        for b in Org.objects.filter(path__startswith=county.path, kind="branch").order_by("path").iterator():
            ms = list(Member.objects.filter(org=b, user__isnull=True, stage__in=["full", "probationary"]))
            if not ms:
                continue
            mt = Meeting.objects.create(org=b, region_id=b.region_id, kind="theme_day", title="压力测试主题党日",
                                        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=6))
            meetings.append(mt.id)
            # bulk_create skips Attendance.save(), which copies the meeting's region_id (DESIGN rule 9).
            Attendance.objects.bulk_create([Attendance(meeting=mt, member=m, region_id=mt.region_id,
                                                       is_full=m.stage == "full") for m in ms])
            qr = make_token(mt.id)
            for m in ms:
                u = User.objects.create_user(username=f"{PREFIX}{m.id}")
                Member.objects.filter(pk=m.pk).update(user=u)
                checkins.append([f"/api/v1/meetings/{mt.id}/check-in", ApiToken.issue(u)[1], qr])
            if len(checkins) >= args.members:
                break
        admin = User.objects.get(username="scale_admin")
        roster_token = ApiToken.issue(admin)[1]
    STATE.write_text(json.dumps({"checkins": checkins[:args.members], "meetings": meetings, "county": county.id,
                                 "roster_token": roster_token, "petition_org": county.id}))
    print(f"{len(checkins[:args.members])} members ready in {len(meetings)} meetings of {county.name}; state {STATE}")


def cleanup(args):
    django()
    from django.contrib.auth import get_user_model

    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.members.models import Member
    from dangjian.petitions.models import Petition, TrackingCode

    state = json.loads(STATE.read_text())
    petitions = Petition.objects.filter(title=PETITION_TITLE, org_id=state["petition_org"])
    TrackingCode.objects.filter(petition_id__in=petitions.values("id")).delete()
    print(f"removed {petitions.delete()[0]} rows of load-test petitions")
    users = get_user_model().objects.filter(username__startswith=PREFIX)
    Member.objects.filter(user__in=users).update(user=None)
    Attendance.objects.filter(meeting_id__in=state["meetings"]).delete()
    Meeting.objects.filter(id__in=state["meetings"]).delete()
    print(f"removed {users.delete()[0]} rows of users/tokens and {len(state['meetings'])} meetings")


def reset(args):
    """Before each run: undo the check-ins of the last one (the burst then does first check-ins again, not
    idempotent repeats) and take fresh QR codes (a code expires after signin.TOKEN_MAX_AGE)."""
    django()
    from dangjian.meetings import checkin_queue
    from dangjian.meetings.models import Attendance
    from dangjian.meetings.signin import make_token

    state = json.loads(STATE.read_text())
    checkin_queue.flush_all()  # whatever the last run left waiting, then forget the sheets that say "present"
    n = Attendance.objects.filter(meeting_id__in=state["meetings"]).update(
        status=Attendance.Status.ABSENT, method=Attendance.Method.NONE, checked_at=None)
    for meeting_id in state["meetings"]:
        checkin_queue.sheet_drop(meeting_id)
    state["checkins"] = [[url, token, make_token(int(url.split("/")[4]))] for url, token, _ in state["checkins"]]
    STATE.write_text(json.dumps(state))
    print(f"reset {n} attendance rows, fresh QR codes for {len(state['meetings'])} meetings")


def written(args):
    """After a run: wait (at most --wait seconds) until every check-in of the burst is in the database, written
    by the server's Huey consumer (the write-behind sign-in), and say how long that took."""
    django()
    from dangjian.meetings import checkin_queue
    from dangjian.meetings.models import Attendance

    state = json.loads(STATE.read_text())
    want, start = len(state["checkins"]), time.perf_counter()
    while True:
        got = Attendance.objects.filter(meeting_id__in=state["meetings"], status=Attendance.Status.PRESENT).count()
        waiting = checkin_queue.pending_count()
        if got >= want or time.perf_counter() - start > args.wait:
            break
        time.sleep(0.2)
    print(f"written: {got}/{want} check-ins in the database, {waiting} waiting in Redis "
          f"({time.perf_counter() - start:.1f} s after the run)")
    if got < want:
        raise SystemExit(1)


class Client:
    """One keep-alive HTTP connection per thread, to the loopback server only."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("loopback only: --base must be http://127.0.0.1:<port>")
        self.host, self.port = parts.hostname, parts.port or 80
        self.local = threading.local()

    def request(self, method, path, body=None, headers=None) -> tuple[int, float]:
        status, seconds, _body, _cookies = self.exchange(method, path, body, headers)
        return status, seconds

    def exchange(self, method, path, body=None, headers=None) -> tuple[int, float, bytes, dict]:
        """One request: status, seconds, response body and the cookies it set ({name: value})."""
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = HTTPConnection(self.host, self.port, timeout=30)
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json", **(headers or {})}
        t = time.perf_counter()
        for attempt in (1, 2):  # the server closes idle keep-alive connections: reconnect once
            try:
                conn.request(method, path, body=data, headers=h)
                r = conn.getresponse()
                payload = r.read()
                cookies = dict(c.split(";", 1)[0].strip().split("=", 1) for c in r.headers.get_all("Set-Cookie") or []
                               if "=" in c.split(";", 1)[0])
                return r.status, time.perf_counter() - t, payload, cookies
            except Exception:
                conn.close()
                conn = self.local.conn = HTTPConnection(self.host, self.port, timeout=30)
        return 0, time.perf_counter() - t, b"", {}


def summarize(name, results, wall) -> dict:
    lat = sorted(x[1] for x in results)
    ok = sum(1 for s, _ in results if 200 <= s < 300)
    others = {}
    for s, _ in results:
        if not 200 <= s < 300:
            others[s] = others.get(s, 0) + 1
    return {"scenario": name, "requests": len(results), "ok": ok, "other": others, "wall_s": round(wall, 2),
            "throughput": round(len(results) / wall, 1) if wall else 0,
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(lat[max(0, int(round(0.95 * len(lat))) - 1)] * 1000, 1) if lat else None}


def scenario_checkin(client, state, seconds, concurrency=32, verify_every=10):
    calls = state["checkins"]
    gap = seconds / max(1, len(calls))
    results, start = [], time.perf_counter()

    reads = {"browser": [], "other_device": []}  # (status, seconds, saw its own check-in)
    sticky_cookies = []  # list.append is atomic across threads, `+=` on an int is not

    def my_status(auth, meeting_id, cookies):
        h = {**auth, **({"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {})}
        st, sec, body, _ = client.exchange("GET", "/api/v1/my/meetings", None, h)
        rows = json.loads(body).get("upcoming", []) if st == 200 else []
        return st, sec, any(r["id"] == meeting_id and r.get("my_status") == "present" for r in rows)

    def one(i):
        delay = start + i * gap - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        url, token, qr = calls[i]
        auth = {"Authorization": f"Bearer {token}"}
        status, sec, _, cookies = client.exchange("POST", url, {"token": qr}, auth)
        if verify_every and i % verify_every == 0 and status == 200:
            meeting_id = int(url.split("/")[4])
            sticky_cookies.append("dj_primary" in cookies)
            reads["browser"].append(my_status(auth, meeting_id, cookies))
            reads["other_device"].append(my_status(auth, meeting_id, {}))
        return status, sec

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(len(calls))))
    out = summarize(f"check-in burst ({len(calls)} in {seconds:g}s)", results, time.perf_counter() - start)
    if verify_every:
        out["read_your_write"] = {
            "sticky_cookies": sum(sticky_cookies),
            **{f"{k}_reads": len(v) for k, v in reads.items()},
            **{f"{k}_stale": sum(1 for st, _, seen in v if st == 200 and not seen) for k, v in reads.items()},
            **{f"{k}_errors": sum(1 for st, _, _ in v if st != 200) for k, v in reads.items()},
            "read_p95_ms": summarize("", [(st, sec) for st, sec, _ in reads["browser"]], 1)["p95_ms"]}
    return out


def bounded(fn, n, concurrency, max_seconds):
    """Runs fn(k) for k < n on `concurrency` threads; no new request after max_seconds (a shared machine may be
    slow: the run stays bounded, and the summary counts what was done)."""
    start = time.perf_counter()

    def one(k):
        return fn(k) if time.perf_counter() - start < max_seconds else None

    with ThreadPoolExecutor(concurrency) as pool:
        results = [r for r in pool.map(one, range(n)) if r is not None]
    return results, time.perf_counter() - start


def scenario_roster(client, state, n=300, concurrency=8, max_seconds=60):
    headers = {"Authorization": f"Bearer {state['roster_token']}"}
    results, wall = bounded(lambda k: client.request(
        "GET", f"/api/v1/members?org={state['county']}&page={k % 50 + 1}&page_size=30", None, headers),
        n, concurrency, max_seconds)
    return summarize(f"roster browsing ({len(results)} pages)", results, wall)


def scenario_petition(client, state, n=100, concurrency=4, forwarded_ips=0, max_seconds=60):
    body = {"org_id": state["petition_org"], "title": PETITION_TITLE, "content": "三号楼二单元楼道灯不亮，请帮忙维修。",
            "name": "王女士", "phone": "13800000000"}
    # A fresh private /16 per run, so a rerun within the hour is not refused by the previous run's counts.
    net = random.randint(16, 31)

    def one(k):
        h = {"X-Forwarded-For": f"172.{net}.{k % forwarded_ips // 250}.{k % forwarded_ips % 250 + 1}"} \
            if forwarded_ips else None
        return client.request("POST", "/api/v1/petitions/public", body, h)

    results, wall = bounded(one, n, concurrency, max_seconds)
    return summarize(f"portal petition ({len(results)})", results, wall)


class LoadAverage:
    """Samples the 1-minute load average while a scenario runs: the machine may be shared."""

    def __init__(self, every=2.0):
        self.samples, self.every, self.stop = [], every, threading.Event()

    def __enter__(self):
        def loop():
            while not self.stop.is_set():
                self.samples.append(os.getloadavg()[0])
                self.stop.wait(self.every)
        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def summary(self) -> dict:
        s = self.samples or [os.getloadavg()[0]]
        return {"load_mean": round(sum(s) / len(s), 2), "load_max": round(max(s), 2)}


def run(args):
    state = json.loads(STATE.read_text())
    client = Client(args.base)
    scenarios = [lambda: scenario_checkin(client, state, args.burst_seconds, verify_every=args.verify_every),
                 lambda: scenario_roster(client, state, n=args.roster_pages, max_seconds=args.max_seconds),
                 lambda: scenario_petition(client, state, n=args.petitions, forwarded_ips=args.forwarded_ips,
                                           max_seconds=args.max_seconds)]
    print(f"{'scenario':36s} {'req':>5s} {'ok':>5s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'load':>9s}  other"
          f"  [{args.label} · {os.cpu_count()} CPUs]", flush=True)
    out = []
    for scenario in scenarios:
        with LoadAverage() as load:
            r = {**scenario(), **load.summary()}
        out.append(r)
        print(f"{r['scenario']:36s} {r['requests']:5d} {r['ok']:5d} {r['throughput']:7.1f} {r['p50_ms']:8.1f} "
              f"{r['p95_ms']:8.1f} {r['load_mean']:4.1f}/{r['load_max']:<4.1f}  {r['other'] or ''}", flush=True)
        if "read_your_write" in r:
            print("  read-your-write after check-in: " + ", ".join(f"{k}={v}" for k, v in r["read_your_write"].items()),
                  flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"label": args.label, "results": out}, ensure_ascii=False, indent=1))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--members", type=int, default=500)
    s.add_argument("--root", default="合成数据省委")
    sub.add_parser("cleanup")
    sub.add_parser("reset")
    w = sub.add_parser("written")
    w.add_argument("--wait", type=float, default=30)
    r = sub.add_parser("run")
    r.add_argument("--base", default="http://127.0.0.1:8180")
    r.add_argument("--burst-seconds", type=float, default=120)
    r.add_argument("--label", default="")
    r.add_argument("--roster-pages", type=int, default=300)
    r.add_argument("--verify-every", type=int, default=10, metavar="N",
                   help="every Nth check-in is followed by the member's reads (GET /my/meetings is heavy); 0: none")
    r.add_argument("--petitions", type=int, default=100)
    r.add_argument("--max-seconds", type=float, default=60, help="bound of the roster and petition scenarios")
    r.add_argument("--json")
    r.add_argument("--forwarded-ips", type=int, default=0, metavar="N",
                   help="petitions from N residents behind a proxy (server: DANGJIAN_TRUSTED_PROXIES=1)")
    args = p.parse_args()
    {"setup": setup, "cleanup": cleanup, "reset": reset, "run": run, "written": written}[args.cmd](args)


if __name__ == "__main__":
    main()
