"""Load test of the busiest paths against a local server (issue 13), loopback only, bounded in time and count.

    # 1. prepare (Django, on the server's database): 500 members with accounts, tokens and a meeting open now
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangjian_scale .venv/bin/python deploy/loadtest.py setup
    # 2. run against the server (stdlib only: threads + http.client), e.g. started by deploy/start_local.sh
    .venv/bin/python deploy/loadtest.py run --base http://127.0.0.1:8180 [--burst-seconds 120] [--label primary]
    # 3. remove what setup created
    DATABASE_URL=… .venv/bin/python deploy/loadtest.py cleanup

Scenarios: (1) meeting check-in burst: 500 members check in within --burst-seconds (open loop: arrivals spread
evenly, whatever the latency), POST /api/v1/meetings/{id}/check-in; (2) roster browsing: 300 GETs of
/api/v1/members?org=<county>&page=k (8 concurrent); (3) portal petition submission: 100 POSTs of
/api/v1/petitions/public (4 concurrent; the portal's per-IP limit answers 429 on loopback — counted apart).
Prints per scenario: requests, ok, other statuses, throughput (req/s) and p50/p95 latency.
"""
import argparse
import json
import os
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


def django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
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
            Attendance.objects.bulk_create([Attendance(meeting=mt, member=m, is_full=m.stage == "full") for m in ms])
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

    state = json.loads(STATE.read_text())
    users = get_user_model().objects.filter(username__startswith=PREFIX)
    Member.objects.filter(user__in=users).update(user=None)
    Attendance.objects.filter(meeting_id__in=state["meetings"]).delete()
    Meeting.objects.filter(id__in=state["meetings"]).delete()
    print(f"removed {users.delete()[0]} rows of users/tokens and {len(state['meetings'])} meetings")


class Client:
    """One keep-alive HTTP connection per thread, to the loopback server only."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("loopback only: --base must be http://127.0.0.1:<port>")
        self.host, self.port = parts.hostname, parts.port or 80
        self.local = threading.local()

    def request(self, method, path, body=None, headers=None) -> tuple[int, float]:
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
                r.read()
                return r.status, time.perf_counter() - t
            except Exception:
                conn.close()
                conn = self.local.conn = HTTPConnection(self.host, self.port, timeout=30)
        return 0, time.perf_counter() - t


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


def scenario_checkin(client, state, seconds, concurrency=32):
    calls = state["checkins"]
    gap = seconds / max(1, len(calls))
    results, start = [], time.perf_counter()

    def one(i):
        delay = start + i * gap - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        url, token, qr = calls[i]
        return client.request("POST", url, {"token": qr}, {"Authorization": f"Bearer {token}"})

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(len(calls))))
    return summarize(f"check-in burst ({len(calls)} in {seconds:g}s)", results, time.perf_counter() - start)


def scenario_roster(client, state, n=300, concurrency=8):
    headers = {"Authorization": f"Bearer {state['roster_token']}"}
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda k: client.request(
            "GET", f"/api/v1/members?org={state['county']}&page={k % 50 + 1}&page_size=30", None, headers), range(n)))
    return summarize(f"roster browsing ({n} pages)", results, time.perf_counter() - start)


def scenario_petition(client, state, n=100, concurrency=4):
    start = time.perf_counter()
    body = {"org_id": state["petition_org"], "title": "楼道灯坏了", "content": "三号楼二单元楼道灯不亮，请帮忙维修。",
            "name": "王女士", "phone": "13800000000"}
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda k: client.request("POST", "/api/v1/petitions/public", body), range(n)))
    return summarize(f"portal petition ({n})", results, time.perf_counter() - start)


def run(args):
    state = json.loads(STATE.read_text())
    client = Client(args.base)
    out = [scenario_checkin(client, state, args.burst_seconds), scenario_roster(client, state),
           scenario_petition(client, state)]
    print(f"{'scenario':36s} {'req':>5s} {'ok':>5s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s}  other  [{args.label}]")
    for r in out:
        print(f"{r['scenario']:36s} {r['requests']:5d} {r['ok']:5d} {r['throughput']:7.1f} {r['p50_ms']:8.1f} "
              f"{r['p95_ms']:8.1f}  {r['other'] or ''}")
    if args.json:
        Path(args.json).write_text(json.dumps({"label": args.label, "results": out}, ensure_ascii=False, indent=1))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--members", type=int, default=500)
    s.add_argument("--root", default="合成数据省委")
    sub.add_parser("cleanup")
    r = sub.add_parser("run")
    r.add_argument("--base", default="http://127.0.0.1:8180")
    r.add_argument("--burst-seconds", type=float, default=120)
    r.add_argument("--label", default="")
    r.add_argument("--json")
    args = p.parse_args()
    {"setup": setup, "cleanup": cleanup, "run": run}[args.cmd](args)


if __name__ == "__main__":
    main()
