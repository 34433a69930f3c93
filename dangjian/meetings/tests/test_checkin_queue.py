"""Write-behind QR sign-in (issue 13): accepted in Redis, written in batches, the same rules and answers."""
import json
from datetime import timedelta
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.accounts import services as account_services
from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient

from .. import api_fast, checkin_queue, services, signin, tasks
from ..models import Attendance, LeaveRequest, Makeup, MeetingSettings
from . import test_api
from .helpers import MeetingTestCase
from .queue_helpers import QueueMixin


class QueuedCheckInApiTests(QueueMixin, test_api.CheckInApiTests):
    """Every check-in API test again, with the queue on: each first check-in must be accepted on the sheet (one
    pending entry, nothing written yet), and once flushed the database holds what the synchronous path wrote."""

    def check_in(self, user, meeting, token=None, **extra):
        with self.committed():
            r = super().check_in(user, meeting, token, **extra)
        if r.status_code == 200 and r.json()["created"]:
            self.assertEqual(checkin_queue.pending_count(), 1, "accepted on the sheet, not written synchronously")
        self.flush()
        self.assertEqual(checkin_queue.pending_count(), 0)
        return r


class CheckInQueueTests(QueueMixin, MeetingTestCase):
    def setUp(self):
        super().setUp()
        self.meeting = self.new_meeting()
        self.token = signin.make_token(self.meeting.id)

    def post(self, api, meeting=None, token=None, **extra):
        meeting = meeting or self.meeting
        with self.committed():
            return api.post(f"/meetings/{meeting.id}/check-in", {"token": token or self.token, **extra})

    def row(self, member=None):
        return Attendance.objects.get(meeting=self.meeting, member=member or self.zhao_member)

    def test_accepted_on_the_sheet_and_written_by_the_flush(self):
        api = ApiClient(self.zhao)
        r = self.post(api)
        self.assertEqual(r.status_code, 200, r.content)
        body = r.json()
        self.assertEqual((body["member_id"], body["name"], body["status"], body["method"], body["created"],
                          body["meeting_id"]), (self.zhao_member.id, "赵志强", "present", "qr", True, self.meeting.id))
        self.assertIsNotNone(body["checked_at"])
        self.assertEqual(self.row().status, "absent")  # not written yet
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 0)
        self.assertEqual(tasks.meetings_checkin_flush_task.call_local(), None)
        self.assertEqual(checkin_queue.pending_count(), 1)  # on-commit clearing waits for the test transaction
        with self.committed():
            tasks.meetings_checkin_flush_task.call_local()
        row = self.row()
        self.assertEqual((row.status, row.method, row.marked_by_id), ("present", "qr", self.zhao.id))
        self.assertEqual(row.checked_at.isoformat().replace("+00:00", "Z")[:19], body["checked_at"][:19])
        event = AuditEvent.objects.get(verb="meeting.check_in")
        self.assertEqual((event.actor_id, event.actor_name, event.org_id, event.target_id, event.region_id),
                         (self.zhao.id, "zhao", self.branch_one.id, str(self.meeting.id), self.branch_one.region_id))
        self.assertEqual(event.after, {"member": self.zhao_member.id, "status": "present", "method": "qr"})
        self.assertEqual(event.ip, "127.0.0.1")
        self.assertEqual(checkin_queue.pending_count(), 0)

    def test_a_first_check_in_costs_no_query(self):
        """The burst case: tokens issued before the meeting (remembered on commit), the sheet loaded by the
        first member; every other first check-in is decided in Redis alone."""
        self.assertEqual(self.post(ApiClient(self.li)).status_code, 200)  # loads the sheet
        with self.committed():
            api = ApiClient(self.zhao)
        with CaptureQueriesContext(connection) as ctx:
            r = self.post(api)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["created"])
        self.assertEqual(ctx.captured_queries, [])
        with CaptureQueriesContext(connection) as ctx:
            self.assertFalse(self.post(api).json()["created"])
        self.assertEqual(ctx.captured_queries, [])

    def test_an_edit_of_the_meeting_reloads_its_sheet(self):
        api = ApiClient(self.zhao)
        self.assertTrue(self.post(api).json()["created"])
        self.flush()
        with self.committed():  # cancelled: the sheet is dropped, and the next scan is refused
            services.meeting_update(actor=self.li, meeting=self.meeting, data={"state": "cancelled"})
        r = self.post(api)
        self.assertEqual(r.status_code, 400)
        self.assertIn("已取消", r.json()["detail"])

    def test_a_sheet_reloaded_while_a_check_in_waits_keeps_it(self):
        api = ApiClient(self.zhao)
        first = self.post(api).json()
        self.assertTrue(first["created"])
        with self.committed():  # the sheet expires (SHEET_TTL) while the check-in is still only in Redis
            checkin_queue.sheet_drop(self.meeting.id)
        self.assertEqual(checkin_queue.pending_count(), 1)
        again = self.post(api).json()
        self.assertEqual((again["created"], again["checked_at"]), (False, first["checked_at"]))
        self.flush()
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 1)
        self.assertEqual(self.row().checked_at.isoformat().replace("+00:00", "Z")[:19], first["checked_at"][:19])

    def test_the_secretary_sees_every_accepted_check_in(self):
        self.assertTrue(self.post(ApiClient(self.zhao)).json()["created"])
        with self.committed():
            r = ApiClient(self.li).get(f"/meetings/{self.meeting.id}/attendance")
        present = [x["member_id"] for x in r.json()["items"] if x["status"] == "present"]
        self.assertEqual(present, [self.zhao_member.id])
        self.assertEqual(checkin_queue.pending_count(), 0)
        with self.committed():
            page = self.web_as(self.li).get(f"/meetings/{self.meeting.id}/")
        self.assertContains(page, "扫码签到")

    def test_a_hand_mark_after_a_check_in_wins(self):
        self.assertTrue(self.post(ApiClient(self.zhao)).json()["created"])
        with self.committed():  # the mark writes the waiting check-in first, then changes it, as in the database
            services.attendance_set(actor=self.li, meeting=self.meeting, member=self.zhao_member, status="absent")
        self.assertEqual((self.row().status, self.row().method), ("absent", ""))
        self.assertEqual(AuditEvent.objects.filter(verb__in=["meeting.check_in", "meeting.attendance"]).count(), 2)
        r = self.post(ApiClient(self.zhao))  # the mark dropped the sheet: zhao may sign in again
        self.assertTrue(r.json()["created"])
        self.flush()
        self.assertEqual(self.row().status, "present")

    def test_the_flush_skips_a_row_written_after_the_check_in(self):
        """A write racing the sheet's drop: the row's later update wins over the waiting check-in."""
        self.assertTrue(self.post(ApiClient(self.zhao)).json()["created"])
        Attendance.objects.filter(pk=self.row().pk).update(status="leave", updated_at=timezone.now() + timedelta(1))
        self.assertEqual(self.flush(), 1)
        self.assertEqual(self.row().status, "leave")
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 0)

    def test_an_approved_leave_keeps_an_accepted_check_in(self):
        leave = LeaveRequest.objects.create(meeting=self.meeting, member=self.zhao_member, reason="出差")
        self.assertTrue(self.post(ApiClient(self.zhao)).json()["created"])
        with self.committed():
            services.leave_request_decide(actor=self.li, leave=leave, approve=True)
        self.assertEqual(self.row().status, "present")

    def test_a_flush_never_writes_a_check_in_twice(self):
        self.assertTrue(self.post(ApiClient(self.zhao)).json()["created"])
        import redis

        from .queue_helpers import REDIS_URL

        r = redis.Redis.from_url(REDIS_URL)
        pending = r.hgetall(self.prefix + "ci:pending")
        self.assertEqual(self.flush(), 1)
        r.hset(self.prefix + "ci:pending", mapping=pending)  # as a second flusher would have read them
        self.assertEqual(self.flush(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 1)

    def test_many_members_in_one_flush(self):
        apis = [ApiClient(u) for u in (self.zhao, self.li)]
        for api in apis:
            self.assertTrue(self.post(api).json()["created"])
        self.assertEqual(checkin_queue.pending_count(), 2)
        self.assertEqual(self.flush(), 2)
        self.assertEqual(Attendance.objects.filter(meeting=self.meeting, status="present").count(), 2)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 2)

    def test_without_redis_sign_in_is_synchronous(self):
        with override_settings(CHECKIN_QUEUE_URL="redis://127.0.0.1:1/0"):  # nothing listens there
            r = self.post(ApiClient(self.zhao))
            self.assertEqual(r.status_code, 200, r.content)
            self.assertTrue(r.json()["created"])
            self.assertEqual(self.row().status, "present")
            with self.committed():
                r = ApiClient(self.li).get(f"/meetings/{self.meeting.id}/attendance")
            self.assertEqual(r.status_code, 200)

    def test_a_deactivated_user_is_refused_at_once(self):
        api = ApiClient(self.zhao)
        self.assertEqual(self.post(api).status_code, 200)  # the token is now remembered in Redis
        with self.committed():
            account_services.user_set_active(actor=self.zhang, user=self.zhao, active=False)
        r = self.post(api)
        self.assertEqual(r.status_code, 401)
        self.assertEqual(r.json()["detail"], "未登录或令牌无效")

    def test_bad_bearer_and_bad_input_change_nothing(self):
        bad = ApiClient()
        bad.headers["HTTP_AUTHORIZATION"] = "Bearer not-a-token"
        self.assertEqual(self.post(bad).status_code, 401)
        self.assertEqual(self.post(ApiClient()).status_code, 401)
        api = ApiClient(self.zhao)
        with self.committed():
            r = api.client.post(f"/api/v1/meetings/{self.meeting.id}/check-in", "{not json",
                                content_type="application/json", **api.headers)
        self.assertEqual(r.status_code, 400)
        for payload in ({"token": 5}, {"token": self.token, "member_id": "x"}, {"token": "x" * 501}):
            with self.committed():
                r = api.post(f"/meetings/{self.meeting.id}/check-in", payload)
            self.assertEqual(r.status_code, 422, payload)
        self.assertEqual(self.post(api, token="garbage").status_code, 400)
        self.assertEqual(checkin_queue.pending_count(), 0)
        self.assertEqual(self.row().status, "absent")

    def test_outsiders_are_refused_and_nothing_waits(self):
        r = self.post(ApiClient(self.sun))  # a member of branch two
        self.assertEqual(r.status_code, 403)
        r = self.post(ApiClient(self.zhang))  # no member record
        self.assertEqual(r.status_code, 403)
        r = self.post(ApiClient(self.zhao), member_id=self.others[0].id)
        self.assertEqual(r.status_code, 400)
        self.assertIn("本人", r.json()["detail"])
        self.assertEqual(checkin_queue.pending_count(), 0)
        self.assertFalse(Attendance.objects.filter(member=self.sun_member).exists())

    def test_a_settings_change_moves_loaded_windows_at_once(self):
        later = self.new_meeting(starts_in=timedelta(minutes=50))
        self.assertEqual(self.post(ApiClient(self.li)).status_code, 200)  # one sheet loaded
        self.assertEqual(self.post(ApiClient(self.li), meeting=later, token=signin.make_token(later.id)).status_code,
                         400)  # 30 minutes ahead by default: too early (no sheet for a closed window)
        with self.committed():
            services.meeting_settings_set(actor=self.zhang, org=self.root, data={"checkin_lead_minutes": 0})
        r = self.post(ApiClient(self.zhao))  # the first meeting started 10 minutes from now: closed now
        self.assertEqual(r.status_code, 400)
        self.assertIn("签到尚未开始", r.json()["detail"])
        self.assertEqual(MeetingSettings.objects.get(org=self.root).checkin_lead_minutes, 0)

    def test_a_check_in_after_the_meeting_was_recorded_withdraws_the_makeup(self):
        m = self.new_meeting(starts_in=timedelta(minutes=-5))
        with self.committed():
            services.meeting_update(actor=self.li, meeting=m, data={"state": "held", "minutes": "记录"})
        self.assertTrue(Makeup.objects.filter(meeting=m, member=self.zhao_member, state="open").exists())
        self.assertTrue(self.post(ApiClient(self.zhao), meeting=m, token=signin.make_token(m.id)).json()["created"])
        self.flush()
        self.assertEqual(Makeup.objects.get(meeting=m, member=self.zhao_member).state, "cancelled")

    def test_recording_the_meeting_counts_every_accepted_check_in(self):
        m = self.new_meeting(starts_in=timedelta(minutes=-5))
        self.assertTrue(self.post(ApiClient(self.zhao), meeting=m, token=signin.make_token(m.id)).json()["created"])
        with self.committed():
            services.meeting_update(actor=self.li, meeting=m, data={"state": "held", "minutes": "记录"})
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).status, "present")
        self.assertFalse(Makeup.objects.filter(meeting=m, member=self.zhao_member).exists())
        self.assertTrue(Makeup.objects.filter(meeting=m, member=self.li_member, state="open").exists())

    def test_the_scan_page_signs_in_on_the_sheet(self):
        web = self.web_as(self.zhao)
        with self.committed():
            r = web.get(f"/meetings/c/{self.token}/")
        self.assertContains(r, "签到成功")
        self.assertEqual(checkin_queue.pending_count(), 1)
        self.flush()
        self.assertEqual(self.row().status, "present")
        with self.committed():
            r = web.get(f"/meetings/c/{self.token}/")
        self.assertEqual(r.status_code, 200)
        with self.committed():
            r = self.web_as(self.sun).get(f"/meetings/c/{self.token}/")
        self.assertEqual(r.status_code, 400)


class FastLaneTests(QueueMixin, MeetingTestCase):
    """meetings/api_fast.py answers the busy case itself and hands everything else to the ninja endpoint."""

    def setUp(self):
        super().setUp()
        self.meeting = self.new_meeting()
        self.url = f"/api/v1/meetings/{self.meeting.id}/check-in"
        self.body = json.dumps({"token": signin.make_token(self.meeting.id)})
        with self.committed():
            self.api = ApiClient(self.zhao)

    def post(self, body=None, **extra):
        with self.committed():
            return self.api.client.post(self.url, self.body if body is None else body,
                                        **{"content_type": "application/json", **self.api.headers, **extra})

    def test_the_busy_case_never_reaches_ninja(self):
        def ninja(*args, **kwargs):
            raise AssertionError("handed to ninja")

        with mock.patch.object(api_fast, "_endpoint", return_value=ninja):
            r = self.post()
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["created"])
        self.assertEqual(r["Content-Type"], "application/json; charset=utf-8")

    def test_the_answer_has_the_endpoints_shape(self):
        fast = self.post()
        web = self.web_as(self.zhao)  # a session: always the ninja endpoint (CSRF, Session auth)
        with self.committed():
            slow = web.post(self.url, self.body, content_type="application/json")
        self.assertEqual(slow.status_code, 200, slow.content)
        self.assertEqual(slow.json(), {**fast.json(), "created": False})
        self.assertEqual(slow["Content-Type"], fast["Content-Type"])
        self.assertRegex(fast.json()["checked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|\+00:00)$")

    def test_everything_else_gets_the_apis_own_answer(self):
        cases = [("{not json", 400, None), (json.dumps([1]), 422, "输入数据格式不正确"),
                 (json.dumps({"token": 5}), 422, "输入数据格式不正确"),
                 (json.dumps({"token": "x" * 501}), 422, "输入数据格式不正确"),
                 (json.dumps({"token": signin.make_token(self.meeting.id), "member_id": "x"}), 422, "member_id"),
                 (json.dumps({"token": "garbage"}), 400, "签到码无效")]
        for body, status, fragment in cases:
            r = self.post(body)
            self.assertEqual(r.status_code, status, body)
            if fragment:
                self.assertIn(fragment, r.json()["detail"], body)
        r = self.post(json.dumps({"token": signin.make_token(self.meeting.id), "member_id": self.others[0].id}))
        self.assertEqual(r.status_code, 400)
        self.assertIn("本人", r.json()["detail"])
        with self.committed():
            self.assertEqual(self.api.client.get(self.url, **self.api.headers).status_code, 405)
        r = self.post(HTTP_AUTHORIZATION="Bearer wrong")
        self.assertEqual((r.status_code, r.json()["detail"]), (401, "未登录或令牌无效"))
        self.assertEqual(checkin_queue.pending_count(), 0)
        self.assertEqual(Attendance.objects.get(meeting=self.meeting, member=self.zhao_member).status, "absent")

    def test_a_flushed_redis_loads_its_scripts_again(self):
        import redis

        from .queue_helpers import REDIS_URL

        redis.Redis.from_url(REDIS_URL).script_flush()
        r = self.post()
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["created"])
