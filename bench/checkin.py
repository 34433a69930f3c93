"""Check-in endpoint throughput against a bare Django view, in process through the whole middleware stack.

A meeting starting now in each of the county's first branches (≥ 100 attendees, 30 with --quick); each
attendee gets a user and an API token; one pass = every attendee POSTs /api/v1/meetings/{id}/check-in with
the QR token (a real first check-in: row update + audit event). The baseline is a bare Django view that
parses the same JSON body (bench/bench_urls.py), called the same number of times with the same client.
Goal (issue 13): ≥ 50 % of the bare view's throughput, i.e. ≤ 2× its time per request.
Everything the benchmark creates is removed afterwards.
"""
import json
import time
from datetime import timedelta

from common import Result, result


def run(ctx) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client, override_settings
    from django.utils import timezone

    from dangjian.accounts.models import ApiToken
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
        with override_settings(ROOT_URLCONF="bench_urls"):
            def reset():
                Attendance.objects.filter(meeting__in=meetings).update(status="absent", method="", checked_at=None,
                                                                       marked_by=None)

            def ours():
                for url, body, headers in calls:
                    r = client.post(url, body, content_type="application/json", **headers)
                    assert r.status_code == 200 and r.json()["created"], r.content[:200]

            def bare():
                for _url, body, headers in calls:
                    r = client.post("/bench/bare/", body, content_type="application/json", **headers)
                    assert r.status_code == 200

            reset()
            ours()  # warm-up: the first request imports the API and its schema
            bare()
            a, b = [], []
            for _ in range(2):
                reset()
                t = time.perf_counter()
                ours()
                a.append(time.perf_counter() - t)
                t = time.perf_counter()
                bare()
                b.append(time.perf_counter() - t)
        n = len(calls)
        r = result(f"check-in endpoint ({n} first check-ins/pass)", [x / n for x in a], [x / n for x in b], 2.0,
                   f"{n / min(a):.0f} req/s vs bare {n / min(b):.0f} req/s (per request)")
        return [r]
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
