from datetime import date, timedelta

from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.core.testing import ApiClient

from .. import services, signin
from ..models import Attendance, HeartTalk, LeaveRequest, Makeup, Meeting, MeetingSettings
from .helpers import MeetingTestCase, held_meeting


def iso(dt):
    return timezone.localtime(dt).isoformat()


class MeetingApiTests(MeetingTestCase):
    def test_secretary_creates_meeting_with_expected_attendees(self):
        start = timezone.now() + timedelta(days=2)
        r = self.api_as(self.li).post("/meetings", {
            "org_id": self.branch_one.id, "kind": "assembly", "title": "第三季度党员大会",
            "starts_at": iso(start), "ends_at": iso(start + timedelta(hours=2)), "place": "支部活动室"})
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()
        self.assertEqual(body["kind_label"], "支部党员大会")
        self.assertEqual(body["summary"]["expected"], 7)  # six full + one probationary on the rolls
        self.assertEqual(body["summary"]["quorum_entitled"], 6)
        meeting = Meeting.objects.get(id=body["id"])
        self.assertEqual(meeting.region_id, self.root.id)
        self.assertFalse(meeting.attendances.filter(member=self.sun_member).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="meeting.create", target_id=str(meeting.id)).exists())

    def test_naive_times_are_read_as_beijing_time(self):
        r = self.api_as(self.li).post("/meetings", {
            "org_id": self.branch_one.id, "kind": "theme_day", "title": "x",
            "starts_at": "2026-03-05T09:00:00", "ends_at": "2026-03-05T11:00:00"})
        self.assertEqual(r.status_code, 201, r.content)
        m = Meeting.objects.get(id=r.json()["id"])
        self.assertEqual(timezone.localtime(m.starts_at).hour, 9)

    def test_group_meeting_expects_only_its_group(self):
        start = timezone.now() + timedelta(days=1)
        r = self.api_as(self.li).post("/meetings", {"org_id": self.branch_one.id, "kind": "group", "title": "党小组会",
                                                    "party_group_id": self.group.id, "starts_at": iso(start),
                                                    "ends_at": iso(start + timedelta(hours=1))})
        self.assertEqual(r.status_code, 201, r.content)
        ids = set(Attendance.objects.filter(meeting_id=r.json()["id"]).values_list("member_id", flat=True))
        self.assertEqual(ids, {self.zhao_member.id, self.others[0].id, self.others[1].id})

    def test_committee_meeting_expects_role_holders(self):
        m = self.new_meeting(kind="committee")
        self.assertEqual(list(m.attendances.values_list("member_id", flat=True)), [self.li_member.id])

    def test_list_filter_get_and_patch(self):
        m = self.new_meeting(kind="lecture", starts_in=timedelta(days=3))
        api = self.api_as(self.li)
        r = api.get("/meetings", {"org_id": self.branch_one.id, "kind": "lecture"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual([x["id"] for x in r.json()["items"]], [m.id])
        self.assertEqual(r.json()["items"][0]["expected"], 7)
        self.assertEqual(api.get("/meetings", {"org_id": self.branch_one.id, "kind": "assembly"}).json()["count"], 0)
        self.assertEqual(api.get(f"/meetings/{m.id}").json()["title"], "测试会议")
        r = api.patch(f"/meetings/{m.id}", {"title": "党史专题党课", "speaker": "李秀英"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual(r.json()["speaker"], "李秀英")
        self.assertTrue(AuditEvent.objects.filter(verb="meeting.update", target_id=str(m.id)).exists())

    def test_recording_creates_makeups_for_absent_and_leave(self):
        m = self.new_meeting(starts_in=timedelta(minutes=-60))
        api = self.api_as(self.li)
        api.post(f"/meetings/{m.id}/attendance", {"member_id": self.zhao_member.id, "status": "present"})
        api.post(f"/meetings/{m.id}/attendance", {"member_id": self.others[0].id, "status": "leave"})
        r = api.patch(f"/meetings/{m.id}", {"state": "held", "minutes": "学习了党章"})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertTrue(r.json()["summary"]["counts"])
        makeups = set(Makeup.objects.filter(meeting=m).values_list("member_id", flat=True))
        self.assertEqual(len(makeups), 6)
        self.assertNotIn(self.zhao_member.id, makeups)
        # Marked present afterwards: the task is withdrawn.
        api.post(f"/meetings/{m.id}/attendance", {"member_id": self.others[0].id, "status": "present"})
        self.assertEqual(Makeup.objects.get(meeting=m, member=self.others[0]).state, "cancelled")

    def test_record_needs_minutes_and_a_started_meeting(self):
        future = self.new_meeting(starts_in=timedelta(days=1))
        api = self.api_as(self.li)
        r = api.patch(f"/meetings/{future.id}", {"state": "held", "minutes": "x"})
        self.assertEqual(r.status_code, 400)
        past = self.new_meeting(starts_in=timedelta(hours=-3))
        self.assertEqual(api.patch(f"/meetings/{past.id}", {"state": "held"}).json()["field"], "minutes")
        lecture = self.new_meeting(kind="lecture", starts_in=timedelta(hours=-3))
        r = api.patch(f"/meetings/{lecture.id}", {"state": "held", "minutes": "x"})
        self.assertEqual(r.json()["rule"], "R-MEET-LECTURE")
        self.assertEqual(Meeting.objects.filter(state="held").count(), 0)

    def test_cancel(self):
        m = self.new_meeting(starts_in=timedelta(days=1))
        r = self.api_as(self.li).patch(f"/meetings/{m.id}", {"state": "cancelled"})
        self.assertEqual(r.json()["state"], "cancelled")
        self.assertEqual(self.api_as(self.li).patch(f"/meetings/{m.id}", {"title": "y"}).status_code, 400)

    def test_member_sees_own_branch_meeting_but_not_the_sheet(self):
        m = self.new_meeting()
        api = self.api_as(self.zhao)
        self.assertEqual(api.get(f"/meetings/{m.id}").status_code, 200)
        self.assertEqual(api.get(f"/meetings/{m.id}/attendance").status_code, 404)
        self.assertEqual(api.post(f"/meetings/{m.id}/attendance",
                                  {"member_id": self.zhao_member.id, "status": "present"}).status_code, 404)
        self.assertEqual(api.patch(f"/meetings/{m.id}", {"title": "x"}).status_code, 404)
        self.assertEqual(self.api_as(self.sun).get(f"/meetings/{m.id}").status_code, 404)


class CheckInApiTests(MeetingTestCase):
    def check_in(self, user, meeting, token=None, **extra):
        token = token if token is not None else signin.make_token(meeting.id)
        return self.api_as(user).post(f"/meetings/{meeting.id}/check-in", {"token": token, **extra})

    def test_member_checks_in_once(self):
        m = self.new_meeting()
        r = self.check_in(self.zhao, m)
        self.assertEqual(r.status_code, 200, r.content)
        self.assertEqual((r.json()["status"], r.json()["method"], r.json()["created"]), ("present", "qr", True))
        r = self.check_in(self.zhao, m)
        self.assertEqual(r.status_code, 200)
        self.assertFalse(r.json()["created"])
        self.assertEqual(Attendance.objects.filter(meeting=m, member=self.zhao_member).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="meeting.check_in").count(), 1)

    def test_window_just_before_and_after(self):
        just_before = self.new_meeting(starts_in=timedelta(minutes=31))
        r = self.check_in(self.zhao, just_before)
        self.assertEqual(r.status_code, 400)
        self.assertIn("签到尚未开始", r.json()["detail"])
        just_open = self.new_meeting(starts_in=timedelta(minutes=29))
        self.assertEqual(self.check_in(self.zhao, just_open).status_code, 200)
        ended = self.new_meeting(starts_in=timedelta(minutes=-121), minutes=120)
        r = self.check_in(self.zhao, ended)
        self.assertEqual(r.status_code, 400)
        self.assertIn("签到已结束", r.json()["detail"])
        still_on = self.new_meeting(starts_in=timedelta(minutes=-119), minutes=120)
        self.assertEqual(self.check_in(self.zhao, still_on).status_code, 200)
        self.assertEqual(Attendance.objects.filter(status="present").count(), 2)

    def test_window_follows_the_committee_setting(self):
        MeetingSettings.objects.create(org=self.root, checkin_lead_minutes=60)
        m = self.new_meeting(starts_in=timedelta(minutes=50))
        self.assertEqual(self.check_in(self.zhao, m).status_code, 200)
        MeetingSettings.objects.create(org=self.branch_one, checkin_lead_minutes=0)  # the nearest one wins
        m2 = self.new_meeting(starts_in=timedelta(minutes=5))
        self.assertEqual(self.check_in(self.zhao, m2).status_code, 400)

    def test_bad_tokens_write_nothing(self):
        m = self.new_meeting()
        other = self.new_meeting()
        before = (Attendance.objects.filter(status="present").count(), AuditEvent.objects.count())
        for token, fragment in [("", "签到码无效"), ("garbage", "签到码无效"), (signin.make_token(m.id) + "x", "签到码无效"),
                                (signin.make_token(other.id), "不符")]:
            r = self.check_in(self.zhao, m, token=token)
            self.assertEqual(r.status_code, 400, token)
            self.assertIn(fragment, r.json()["detail"])
        from django.core import signing
        forged = signing.dumps({"m": m.id}, salt="another-purpose")
        self.assertEqual(self.check_in(self.zhao, m, token=forged).status_code, 400)
        self.assertEqual((Attendance.objects.filter(status="present").count(), AuditEvent.objects.count()), before)

    def test_expired_token(self):
        m = self.new_meeting()
        from unittest import mock
        import time as _time

        with mock.patch("django.core.signing.time.time", return_value=_time.time() - signin.TOKEN_MAX_AGE - 5):
            old = signin.make_token(m.id)
        r = self.check_in(self.zhao, m, token=old)
        self.assertEqual(r.status_code, 400)
        self.assertIn("已过期", r.json()["detail"])

    def test_cannot_sign_in_for_another_member(self):
        m = self.new_meeting()
        r = self.check_in(self.zhao, m, member_id=self.others[0].id)
        self.assertEqual(r.status_code, 400)
        self.assertIn("本人", r.json()["detail"])
        self.assertEqual(Attendance.objects.filter(status="present").count(), 0)
        self.assertEqual(self.check_in(self.zhao, m, member_id=self.zhao_member.id).status_code, 200)

    def test_member_of_another_branch_is_refused(self):
        m = self.new_meeting()
        r = self.check_in(self.sun, m)
        self.assertEqual(r.status_code, 403)
        self.assertFalse(Attendance.objects.filter(member=self.sun_member).exists())

    def test_member_outside_a_group_meeting_is_refused(self):
        m = self.new_meeting(kind="group", party_group_id=self.group.id)
        self.assertEqual(self.check_in(self.li, m).status_code, 403)
        self.assertEqual(self.check_in(self.zhao, m).status_code, 200)

    def test_user_without_member_record_is_refused(self):
        m = self.new_meeting()
        self.assertEqual(self.check_in(self.zhang, m).status_code, 403)

    def test_cancelled_meeting(self):
        m = self.new_meeting()
        services.meeting_update(actor=self.zhang, meeting=m, data={"state": "cancelled"})
        self.assertEqual(self.check_in(self.zhao, m).status_code, 400)

    def test_checkin_code_for_secretary_only(self):
        m = self.new_meeting()
        r = self.api_as(self.li).get(f"/meetings/{m.id}/checkin-code")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.json()["state"], "open")
        self.assertEqual(signin.read_token(r.json()["token"]), m.id)
        self.assertIn("/meetings/c/", r.json()["url"])
        self.assertEqual(self.api_as(self.zhao).get(f"/meetings/{m.id}/checkin-code").status_code, 404)
        self.assertEqual(self.api_as(self.wang).get(f"/meetings/{m.id}/checkin-code").status_code, 404)

    def test_anonymous_gets_401(self):
        m = self.new_meeting()
        self.assertEqual(ApiClient().post(f"/meetings/{m.id}/check-in", {"token": signin.make_token(m.id)}).status_code,
                         401)


class LeaveAndMakeupApiTests(MeetingTestCase):
    def test_leave_request_approved_sets_leave(self):
        m = self.new_meeting(starts_in=timedelta(days=1))
        r = self.api_as(self.zhao).post(f"/meetings/{m.id}/leave-requests", {"reason": "出差"})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(self.api_as(self.zhao).post(f"/meetings/{m.id}/leave-requests",
                                                     {"reason": "再次"}).status_code, 409)
        leave_id = r.json()["id"]
        self.assertEqual(self.api_as(self.wang).post(f"/leave-requests/{leave_id}/decide",
                                                     {"approve": True}).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).post(f"/leave-requests/{leave_id}/decide",
                                                     {"approve": True}).status_code, 404)
        r = self.api_as(self.li).post(f"/leave-requests/{leave_id}/decide", {"approve": True, "note": "同意"})
        self.assertEqual(r.json()["state"], "approved")
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).status, "leave")
        self.assertEqual(self.api_as(self.li).post(f"/leave-requests/{leave_id}/decide",
                                                   {"approve": False}).status_code, 409)
        self.assertEqual(self.api_as(self.li).get(f"/meetings/{m.id}/leave-requests").json()["count"], 1)

    def test_leave_refused_after_the_end_or_outside(self):
        ended = self.new_meeting(starts_in=timedelta(hours=-5))
        self.assertEqual(self.api_as(self.zhao).post(f"/meetings/{ended.id}/leave-requests",
                                                     {"reason": "x"}).status_code, 400)
        m = self.new_meeting(starts_in=timedelta(days=1))
        self.assertEqual(self.api_as(self.sun).post(f"/meetings/{m.id}/leave-requests",
                                                    {"reason": "x"}).status_code, 404)
        self.assertEqual(self.api_as(self.zhao).post(f"/meetings/{m.id}/leave-requests",
                                                     {"reason": "  "}).status_code, 400)
        self.assertEqual(LeaveRequest.objects.count(), 0)

    def test_member_completes_own_makeup(self):
        m = self.new_meeting(starts_in=timedelta(hours=-3))
        services.meeting_update(actor=self.li, meeting=m, data={"state": "held", "minutes": "记录"})
        task = Makeup.objects.get(meeting=m, member=self.zhao_member)
        mine = self.api_as(self.zhao).get("/my/meetings").json()
        self.assertEqual([k["id"] for k in mine["makeups"]], [task.id])
        other = Makeup.objects.get(meeting=m, member=self.others[0])
        self.assertEqual(self.api_as(self.zhao).post(f"/makeups/{other.id}/complete", {}).status_code, 404)
        self.assertEqual(self.api_as(self.wang).post(f"/makeups/{task.id}/complete", {}).status_code, 404)
        r = self.api_as(self.zhao).post(f"/makeups/{task.id}/complete", {"note": "学习了会议记录"})
        self.assertEqual(r.json()["state"], "done")
        self.assertEqual(self.api_as(self.zhao).post(f"/makeups/{task.id}/complete", {}).status_code, 409)


class AttendanceBadInputTests(MeetingTestCase):
    def setUp(self):
        self.meeting = self.new_meeting()
        self.api = self.api_as(self.li)
        self.counts = (Meeting.objects.count(), Attendance.objects.count(), AuditEvent.objects.count(),
                       list(Attendance.objects.values_list("status", flat=True)))

    def tearDown(self):
        self.assertEqual((Meeting.objects.count(), Attendance.objects.count(), AuditEvent.objects.count(),
                          list(Attendance.objects.values_list("status", flat=True))), self.counts)

    def refused(self, r, status=400, field=None):
        self.assertEqual(r.status_code, status, r.content)
        body = r.json()
        self.assertTrue(any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body)
        if field:
            self.assertEqual(body.get("field"), field)

    def payload(self, **overrides):
        start = timezone.now() + timedelta(days=1)
        return {"org_id": self.branch_one.id, "kind": "theme_day", "title": "x", "starts_at": iso(start),
                "ends_at": iso(start + timedelta(hours=1)), **overrides}

    def test_meeting_that_ends_before_it_starts(self):
        start = timezone.now() + timedelta(days=1)
        self.refused(self.api.post("/meetings", self.payload(ends_at=iso(start - timedelta(minutes=1)))),
                     field="ends_at")
        self.refused(self.api.post("/meetings", self.payload(ends_at=iso(start))), field="ends_at")
        self.refused(self.api.patch(f"/meetings/{self.meeting.id}",
                                    {"ends_at": iso(self.meeting.starts_at - timedelta(hours=1))}))

    def test_unknown_kind_org_group_and_garbage(self):
        self.refused(self.api.post("/meetings", self.payload(kind="party")), field="kind")
        self.refused(self.api.post("/meetings", self.payload(kind="group")), field="party_group_id")
        self.refused(self.api.post("/meetings", self.payload(org_id=self.community.id)), 404)  # outside li's scope
        self.refused(self.api_as(self.zhang).post("/meetings", self.payload(org_id=self.community.id)),
                     field="org_id")  # not a branch
        self.refused(self.api.post("/meetings", self.payload(title="   ")), field="title")
        self.refused(self.api.post("/meetings", self.payload(starts_at="not a date")), 422)
        self.refused(self.api.post("/meetings", self.payload(org_id=self.branch_two.id)), 404)
        self.refused(self.api.post("/meetings", self.payload(title="长" * 201)), 422)
        self.refused(self.api.patch(f"/meetings/{self.meeting.id}", {"state": "finished"}), field="state")

    def test_attendance_for_someone_outside_the_branch(self):
        r = self.api.post(f"/meetings/{self.meeting.id}/attendance", {"member_id": self.sun_member.id,
                                                                      "status": "present"})
        self.refused(r, field="member_id")
        self.refused(self.api.post(f"/meetings/{self.meeting.id}/attendance", {"member_id": 987654,
                                                                               "status": "present"}), field="member_id")

    def test_bad_status(self):
        self.refused(self.api.post(f"/meetings/{self.meeting.id}/attendance",
                                   {"member_id": self.zhao_member.id, "status": "late"}), field="status")
        self.refused(self.api.post(f"/meetings/{self.meeting.id}/attendance", {"member_id": "x"}), 422)

    def test_present_before_the_window_opens(self):
        future = self.new_meeting(starts_in=timedelta(days=2))
        self.counts = (Meeting.objects.count(), Attendance.objects.count(), AuditEvent.objects.count(),
                       list(Attendance.objects.values_list("status", flat=True)))
        self.refused(self.api.post(f"/meetings/{future.id}/attendance",
                                   {"member_id": self.zhao_member.id, "status": "present"}), field="status")


class ScopeApiTests(MeetingTestCase):
    def test_wang_gets_404_for_branch_one(self):
        m = self.new_meeting()
        api = self.api_as(self.wang)
        start = timezone.now() + timedelta(days=1)
        self.assertEqual(api.get(f"/meetings/{m.id}").status_code, 404)
        self.assertEqual(api.patch(f"/meetings/{m.id}", {"title": "x"}).status_code, 404)
        self.assertEqual(api.get(f"/meetings/{m.id}/attendance").status_code, 404)
        self.assertEqual(api.post(f"/meetings/{m.id}/attendance", {"member_id": self.zhao_member.id,
                                                                   "status": "present"}).status_code, 404)
        self.assertEqual(api.get(f"/meetings/{m.id}/leave-requests").status_code, 404)
        self.assertEqual(api.get("/meetings", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/compliance").status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/attendance-rates").status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/absence-warnings").status_code, 404)
        self.assertEqual(api.get(f"/orgs/{self.branch_one.id}/meeting-settings").status_code, 404)
        self.assertEqual(api.get("/heart-talks", {"org_id": self.branch_one.id}).status_code, 404)
        self.assertEqual(api.post("/heart-talks", {"member_id": self.zhao_member.id, "talker_name": "王",
                                                   "talked_on": "2026-01-05", "topic": "x"}).status_code, 404)
        self.assertEqual(api.post("/meetings", {"org_id": self.branch_one.id, "kind": "theme_day", "title": "x",
                                                "starts_at": iso(start),
                                                "ends_at": iso(start + timedelta(hours=1))}).status_code, 404)
        self.assertEqual([x["id"] for x in api.get("/meetings").json()["items"]], [])
        self.assertEqual(Meeting.objects.count(), 1)

    def test_anonymous_gets_401(self):
        m = self.new_meeting()
        anon = ApiClient()
        for r in (anon.get("/meetings"), anon.get(f"/meetings/{m.id}"),
                  anon.get(f"/orgs/{self.branch_one.id}/compliance"),
                  anon.post("/meetings", {}), anon.get("/my/meetings")):
            self.assertEqual(r.status_code, 401)


class ComplianceApiTests(MeetingTestCase):
    """A past year, so that every period has closed."""

    Y = 2025

    def exact_year(self, org, members, *, skip=()):
        d = date
        plan = ([("assembly", d(self.Y, m, 20)) for m in (3, 6, 9, 12)]
                + [("lecture", d(self.Y, m, 10)) for m in (2, 5, 8, 11)]
                + [("theme_day", d(self.Y, m, 1)) for m in range(1, 13)]
                + [("life_meeting", d(self.Y, 12, 28)), ("review", d(self.Y, 1, 30))]
                + [("group", d(self.Y, m, 15)) for m in range(1, 13)])
        for kind, day in plan:
            if (kind, day.month) in skip:
                continue
            group = self.group if kind == "group" else None
            attendees = [x for x in members if x.party_group_id == self.group.id] if group else members
            held_meeting(org, kind, day, group=group, members=attendees)
        for x in members:
            HeartTalk.objects.create(org=org, member=x, talker_name="李秀英", talked_on=d(self.Y, 6, 1), topic="谈心")

    def branch(self, body, org):
        return next(b for b in body["branches"] if b["org_id"] == org.id)

    def members(self):
        return list(self.branch_one.members.all())

    def test_exact_meetings_are_compliant(self):
        self.exact_year(self.branch_one, self.members())
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/compliance", {"year": self.Y})
        self.assertEqual(r.status_code, 200, r.content)
        b = self.branch(r.json(), self.branch_one)
        for kind, info in b["kinds"].items():
            self.assertEqual(info["missing_periods"], [], kind)
        self.assertEqual(b["kinds"]["assembly"], {**b["kinds"]["assembly"], "required": 4, "held": 4})
        self.assertEqual(b["kinds"]["theme_day"]["required"], 12)
        self.assertFalse(b["kinds"]["committee"]["applies"])  # six full members (R-COMMITTEE-7)
        self.assertEqual(b["kinds"]["group"]["required"], 12)
        self.assertEqual(b["kinds"]["heart_talk"]["required"], 7)
        self.assertTrue(b["compliant"])

    def test_one_missing_meeting_is_reported(self):
        self.exact_year(self.branch_one, self.members(), skip={("theme_day", 3), ("assembly", 9)})
        b = self.branch(self.api_as(self.zhang).get(f"/orgs/{self.root.id}/compliance", {"year": self.Y}).json(),
                        self.branch_one)
        self.assertEqual(b["kinds"]["theme_day"]["missing_periods"], ["2025-03"])
        self.assertEqual(b["kinds"]["assembly"]["missing_periods"], ["2025-Q3"])
        self.assertEqual(b["missing"], 2)

    def test_assembly_below_quorum_does_not_count(self):
        members = self.members()
        self.exact_year(self.branch_one, members, skip={("assembly", 6)})
        full = [x for x in members if x.stage == "full"]  # 6 entitled: 3 present is not more than half
        held_meeting(self.branch_one, "assembly", date(self.Y, 6, 21), members=full, present=3)
        b = self.branch(self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/compliance", {"year": self.Y}).json(),
                        self.branch_one)
        self.assertEqual(b["kinds"]["assembly"]["missing_periods"], ["2025-Q2"])
        held_meeting(self.branch_one, "assembly", date(self.Y, 6, 22), members=full, present=4)
        b = self.branch(self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/compliance", {"year": self.Y}).json(),
                        self.branch_one)
        self.assertEqual(b["kinds"]["assembly"]["missing_periods"], [])

    def test_leave_counts_as_absent_for_the_quorum_and_exempt_are_not_entitled(self):
        full = [x for x in self.members() if x.stage == "full"]
        m = held_meeting(self.branch_one, "assembly", date(self.Y, 3, 20), members=full, present=3)
        m.attendances.filter(status="absent").update(status="leave")
        body = self.api_as(self.li).get(f"/meetings/{m.id}").json()["summary"]
        self.assertEqual((body["quorum_present"], body["quorum_entitled"], body["counts"]), (3, 6, False))
        m.attendances.filter(status="leave").first().__class__.objects.filter(
            pk=m.attendances.filter(status="leave").first().pk).update(is_exempt=True)
        body = self.api_as(self.li).get(f"/meetings/{m.id}").json()["summary"]
        self.assertEqual((body["quorum_present"], body["quorum_entitled"], body["counts"]), (3, 5, True))

    def test_committee_required_with_seven_full_members(self):
        from .helpers import make_member

        make_member(self.branch_one, "第七名")
        b = self.branch(self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/compliance", {"year": self.Y}).json(),
                        self.branch_one)
        self.assertTrue(b["kinds"]["committee"]["applies"])
        self.assertEqual(len(b["kinds"]["committee"]["missing_periods"]), 12)

    def test_subtree_and_bad_year(self):
        api = self.api_as(self.zhang)
        body = api.get(f"/orgs/{self.community.id}/compliance", {"year": self.Y}).json()
        self.assertEqual({b["org_id"] for b in body["branches"]}, {self.branch_one.id, self.branch_two.id})
        self.assertEqual(api.get(f"/orgs/{self.community.id}/compliance", {"year": 1800}).status_code, 422)
        self.assertEqual(api.get(f"/orgs/{self.community.id}/compliance", {"year": "abc"}).status_code, 422)


def put(api, path, data):
    import json

    return api.client.put("/api/v1" + path, json.dumps(data), content_type="application/json", **api.headers)


class RatesTalksSettingsApiTests(MeetingTestCase):
    def test_attendance_rates_and_absence_warnings(self):
        today = timezone.localdate()
        members = list(self.branch_one.members.all())
        for months in (8, 7, 5, 4):
            day = today - timedelta(days=30 * months)
            m = held_meeting(self.branch_one, "theme_day", day, members=members)
            m.attendances.filter(member=self.others[3]).update(status="absent")
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/attendance-rates")
        self.assertEqual(r.status_code, 200)
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/absence-warnings").json()
        self.assertEqual([(x["member_id"], x["level"]) for x in r["items"]], [(self.others[3].id, "case")])
        self.assertEqual(r["rule"], "R-ABSENT-6M")
        self.assertTrue(self.branch_one.members.filter(id=self.others[3].id, status="normal").exists())

    def test_exempt_members_get_no_warning(self):
        today = timezone.localdate()
        held_meeting(self.branch_one, "theme_day", today - timedelta(days=200),
                     members=list(self.branch_one.members.all()), present=0)
        url = f"/orgs/{self.branch_one.id}/absence-warnings"
        self.assertEqual(len(self.api_as(self.li).get(url).json()["items"]), 7)
        self.branch_one.members.filter(id=self.zhao_member.id).update(is_exempt=True)
        self.assertEqual(len(self.api_as(self.li).get(url).json()["items"]), 6)

    def test_heart_talks(self):
        api = self.api_as(self.li)
        r = api.post("/heart-talks", {"member_id": self.zhao_member.id, "talker_name": "李秀英",
                                      "talked_on": str(timezone.localdate()), "topic": "思想动态",
                                      "reply_by": str(timezone.localdate() + timedelta(days=7))})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(api.get("/heart-talks", {"org_id": self.branch_one.id}).json()["count"], 1)
        bad = [{"talked_on": str(timezone.localdate() + timedelta(days=1))}, {"topic": ""},
               {"reply_by": str(timezone.localdate() - timedelta(days=1))}]
        for overrides in bad:
            payload = {"member_id": self.zhao_member.id, "talker_name": "李秀英", "talked_on": str(timezone.localdate()),
                       "topic": "x", **overrides}
            self.assertEqual(api.post("/heart-talks", payload).status_code, 400, overrides)
        self.assertEqual(HeartTalk.objects.count(), 1)

    def test_settings_inherited_and_admin_only(self):
        api = self.api_as(self.zhang)
        r = put(api, f"/orgs/{self.root.id}/meeting-settings", {"checkin_lead_minutes": 45, "lecture_freq": "year"})
        self.assertEqual(r.status_code, 200, r.content)
        r = self.api_as(self.li).get(f"/orgs/{self.branch_one.id}/meeting-settings").json()
        self.assertEqual((r["checkin_lead_minutes"], r["lecture_freq"], r["inherited_from"]),
                         (45, "year", self.root.id))
        self.assertEqual(put(self.api_as(self.li), f"/orgs/{self.branch_one.id}/meeting-settings",
                                                  {"checkin_lead_minutes": 10}).status_code, 403)
        for bad in ({"checkin_lead_minutes": 999}, {"lecture_freq": "week"}, {"absent_warning_months": 6}):
            self.assertEqual(put(api, f"/orgs/{self.community.id}/meeting-settings", bad).status_code, 400, bad)
        self.assertEqual(MeetingSettings.objects.count(), 1)
