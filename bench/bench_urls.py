"""URLs for the check-in benchmark: the project's own, plus a bare Django view behind the same middleware.

Also the WSGI application of the benchmark's HTTP row (`gunicorn … bench_urls:application`, BENCH_WSGI=1): the
project's settings with this module as ROOT_URLCONF, set up at import so that gunicorn's preload forks warm
workers."""
import json
import os
from datetime import timedelta

if os.environ.get("BENCH_WSGI") == "1":  # before include("config.urls"), which needs the apps loaded
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench_urls"

from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def bare(request):
    payload = json.loads(request.body or b"{}")
    return JsonResponse({"ok": True, "token": len(payload.get("token", ""))})


@csrf_exempt
def raw_checkin(request, meeting_id: int):
    """The check-in's own work in hand-written SQL (PostgreSQL), for the benchmark's "same SQL" row: token and
    QR token checks, the meeting locked with its inherited lead time, the member's row locked, its update, the
    audit event, one transaction. No ORM, no schema, no rule messages: what a minimal implementation costs."""
    import hashlib

    from django.db import connection, transaction
    from django.utils import timezone

    from dangjian.meetings.signin import read_token

    raw = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    payload = json.loads(request.body or b"{}")
    if read_token(payload["token"]) != meeting_id:
        return JsonResponse({"detail": "签到码与本次会议不符"}, status=400)
    now = timezone.now()
    with connection.cursor() as c:
        c.execute("SELECT t.user_id, u.username FROM accounts_apitoken t JOIN auth_user u ON u.id = t.user_id "
                  "WHERE t.key_hash = %s AND t.expires_at > %s AND u.is_active",
                  [hashlib.sha256(raw.encode()).hexdigest(), now])
        user = c.fetchone()
        if user is None:
            return JsonResponse({"detail": "未登录或令牌无效"}, status=401)
        with transaction.atomic():
            c.execute("""SELECT m.state, m.starts_at, m.ends_at, m.kind, m.title, o.id, o.path, o.region_id,
                                (SELECT s.checkin_lead_minutes FROM meetings_meetingsettings s
                                 JOIN orgs_org so ON so.id = s.org_id
                                 WHERE so.path = substr(o.path, 1, length(so.path)) ORDER BY so.depth DESC LIMIT 1)
                         FROM meetings_meeting m JOIN orgs_org o ON o.id = m.org_id WHERE m.id = %s
                         FOR UPDATE OF m""", [meeting_id])
            state, starts, ends, kind, title, org_id, org_path, region, lead = c.fetchone()
            if state == "cancelled" or not (starts - timedelta(minutes=30 if lead is None else lead) <= now <= ends):
                return JsonResponse({"detail": "不在签到时间"}, status=400)
            c.execute("""SELECT a.id, a.status, a.is_full, a.is_exempt, mb.id, mb.name FROM meetings_attendance a
                         JOIN members_member mb ON mb.id = a.member_id
                         WHERE a.meeting_id = %s AND mb.user_id = %s FOR UPDATE OF a""", [meeting_id, user[0]])
            row_id, status, is_full, is_exempt, member_id, name = c.fetchone()
            created = status != "present"
            if created:
                c.execute("UPDATE meetings_attendance SET status = 'present', method = 'qr', checked_at = %s, "
                          "marked_by_id = %s, updated_at = %s WHERE id = %s", [now, user[0], now, row_id])
                c.execute("""INSERT INTO core_auditevent (created_at, actor_id, actor_name, org_id, org_path,
                             region_id, verb, target_type, target_id, target_repr, before, after, ip)
                             VALUES (%s, %s, %s, %s, %s, %s, 'meeting.check_in', 'meetings.meeting', %s, %s, %s, %s,
                             %s)""",
                          [now, user[0], user[1], org_id, org_path, region, str(meeting_id), title,
                           json.dumps({"member": member_id, "status": status}),
                           json.dumps({"member": member_id, "status": "present", "method": "qr"}),
                           request.META.get("REMOTE_ADDR")])
    return JsonResponse({"member_id": member_id, "name": name, "status": "present", "method": "qr",
                         "checked_at": now, "is_full": is_full, "is_exempt": is_exempt, "meeting_id": meeting_id,
                         "created": created})


urlpatterns = [path("bench/bare/", bare), path("bench/raw-check-in/<int:meeting_id>/", raw_checkin),
               path("", include("config.urls"))]

application = None
if os.environ.get("BENCH_WSGI") == "1":
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
