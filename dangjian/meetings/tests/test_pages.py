import shutil
import tempfile
import time
from datetime import date, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone

from dangjian.core.models import AuditEvent

from .. import selectors, signin
from ..models import Attendance, HeartTalk, LeaveRequest, Makeup, Meeting, MeetingAttachment
from .helpers import MeetingTestCase, held_meeting

MEDIA = tempfile.mkdtemp(prefix="dangjian-meetings-media-")


class SigninTokenTests(MeetingTestCase):
    def test_roundtrip_tamper_expiry(self):
        token = signin.make_token(42)
        self.assertEqual(signin.read_token(token), 42)
        for bad in ("", "x" * 300, token[:-1] + ("A" if token[-1] != "A" else "B"), None, 42):
            with self.assertRaises(signin.BadToken):
                signin.read_token(bad)
        with mock.patch("django.core.signing.time.time", return_value=time.time() - signin.TOKEN_MAX_AGE - 1):
            old = signin.make_token(42)
        with self.assertRaisesMessage(signin.BadToken, "已过期"):
            signin.read_token(old)
        with mock.patch("django.core.signing.time.time", return_value=time.time() - signin.TOKEN_MAX_AGE + 5):
            recent = signin.make_token(42)
        self.assertEqual(signin.read_token(recent), 42)

    def test_a_remembered_token_still_expires_and_a_forgery_is_never_remembered(self):
        """read_token remembers a verified signature (a burst sends one code 40 times), not its validity."""
        from django.core import signing

        token = signin.make_token(7)
        forged = token[:-1] + ("A" if token[-1] != "A" else "B")
        with mock.patch.object(signin.signing, "loads", wraps=signing.loads) as loads:
            self.assertEqual(signin.read_token(token), 7)
            self.assertEqual(signin.read_token(token), 7)
            self.assertEqual(loads.call_count, 1)  # the second read came from the memory
            with mock.patch("django.core.signing.time.time", return_value=time.time() + signin.TOKEN_MAX_AGE + 1):
                with self.assertRaisesMessage(signin.BadToken, "已过期"):
                    signin.read_token(token)  # the age is checked on every read
            for _ in range(2):
                with self.assertRaisesMessage(signin.BadToken, "签到码无效"):
                    signin.read_token(forged)
            self.assertEqual(loads.call_count, 3)  # each forged read verified again

    def test_qr_svg(self):
        svg = signin.qr_svg("https://example.org/meetings/c/abc/")
        self.assertTrue(svg.startswith("<svg"))


class PageTests(MeetingTestCase):
    def test_pages_load_for_the_secretary(self):
        m = self.new_meeting()
        held_meeting(self.branch_one, "assembly", date(2025, 3, 20))
        web = self.web_as(self.li)
        for url in ["/meetings/", f"/meetings/?org={self.branch_one.id}&kind=theme_day&year=2026&month=3&q=测试",
                    "/meetings/?year=abc&month=99&kind=zzz", "/meetings/plan/", "/meetings/plan/?year=2025",
                    "/meetings/new/", f"/meetings/{m.id}/", f"/meetings/{m.id}/edit/", "/meetings/compliance/",
                    "/meetings/compliance/?year=2025", "/meetings/attendance/", "/meetings/talks/", "/meetings/mine/"]:
            r = web.get(url)
            self.assertEqual(r.status_code, 200, url)
        r = web.get(f"/meetings/{m.id}/qr/")
        self.assertContains(r, "<svg")
        self.assertContains(r, "/meetings/c/")

    def test_qr_panel_before_the_window(self):
        m = self.new_meeting(starts_in=timedelta(hours=3))
        r = self.web_as(self.li).get(f"/meetings/{m.id}/qr/")
        self.assertContains(r, "签到将于")
        self.assertNotContains(r, "<svg")

    def test_plan_for_committee_picks_a_branch(self):
        web = self.web_as(self.zhang)
        self.assertEqual(web.get("/meetings/plan/").status_code, 200)
        r = web.get(f"/meetings/plan/?branch={self.branch_one.id}&year=2025")
        self.assertContains(r, "plan-grid")
        self.assertEqual(web.get("/meetings/plan/?branch=999999").status_code, 404)

    def test_compliance_page_highlights_missing_periods(self):
        r = self.web_as(self.zhang).get(f"/meetings/compliance/?org={self.community.id}&year=2025")
        self.assertContains(r, 'data-missing="2025-03"')
        self.assertContains(r, "第一党支部")

    def test_create_via_form(self):
        web = self.web_as(self.li)
        r = web.post("/meetings/new/", {"org_id": self.branch_one.id, "kind": "lecture", "title": "专题党课",
                                        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T08:00"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "结束时间必须晚于开始时间")
        self.assertEqual(Meeting.objects.count(), 0)
        r = web.post("/meetings/new/", {"org_id": self.branch_one.id, "kind": "lecture", "title": "专题党课",
                                        "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T11:00",
                                        "speaker": "李秀英"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Meeting.objects.get().speaker, "李秀英")

    def test_record_via_edit_form(self):
        m = self.new_meeting(starts_in=timedelta(hours=-3))
        start = timezone.localtime(m.starts_at).strftime("%Y-%m-%dT%H:%M")
        end = timezone.localtime(m.ends_at).strftime("%Y-%m-%dT%H:%M")
        r = self.web_as(self.li).post(f"/meetings/{m.id}/edit/", {"title": m.title, "starts_at": start, "ends_at": end,
                                                                 "state": "held", "minutes": ""})
        self.assertContains(r, "登记为已召开须填写会议记录")
        r = self.web_as(self.li).post(f"/meetings/{m.id}/edit/", {"title": m.title, "starts_at": start, "ends_at": end,
                                                                 "state": "held", "minutes": "会议记录"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Makeup.objects.filter(meeting=m).count(), 7)
        # Correcting the record of a held meeting keeps its times (the form shows minutes only).
        r = self.web_as(self.li).post(f"/meetings/{m.id}/edit/", {"title": m.title, "starts_at": start, "ends_at": end,
                                                                 "state": "held", "minutes": "更正后的记录"})
        self.assertEqual(r.status_code, 302)
        m.refresh_from_db()
        self.assertEqual(m.minutes, "更正后的记录")
        r = self.web_as(self.li).post(f"/meetings/{m.id}/edit/", {"title": m.title, "starts_at": start,
                                                                 "ends_at": "2030-01-01T10:00", "state": "held",
                                                                 "minutes": "x"})
        self.assertContains(r, "会议已召开，不能修改时间")

    def test_htmx_toggle(self):
        m = self.new_meeting()
        web = self.web_as(self.li)
        r = web.post(f"/meetings/{m.id}/attendance/", {"member_id": self.zhao_member.id, "status": "present"},
                     HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, f'id="att-{self.zhao_member.id}"')
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).method, "manual")
        r = web.post(f"/meetings/{m.id}/attendance/", {"member_id": self.sun_member.id, "status": "present"},
                     HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Attendance.objects.filter(member=self.sun_member).exists())
        r = web.post(f"/meetings/{m.id}/attendance/", {"member_id": self.zhao_member.id, "status": "bogus"},
                     HTTP_HX_REQUEST="true")
        self.assertContains(r, "出勤状态无效")
        self.assertEqual(Attendance.objects.get(meeting=m, member=self.zhao_member).status, "present")

    def test_toggle_for_forty_members_answers_each_row(self):
        from .helpers import make_member

        for i in range(33):
            make_member(self.branch_one, f"队员{i}")
        m = self.new_meeting()
        self.assertEqual(m.attendances.count(), 40)
        r = self.web_as(self.li).get(f"/meetings/{m.id}/")
        self.assertEqual(r.content.decode().count('data-status="present"'), 40)

    def test_leave_decide_and_makeup_forms(self):
        m = self.new_meeting(starts_in=timedelta(days=1))
        self.web_as(self.zhao).post(f"/meetings/{m.id}/leave/", {"reason": "看病"})
        leave = LeaveRequest.objects.get()
        self.assertEqual(self.web_as(self.wang).post(f"/meetings/leave/{leave.id}/decide/",
                                                     {"approve": "1"}).status_code, 404)
        self.web_as(self.li).post(f"/meetings/leave/{leave.id}/decide/", {"approve": "1"})
        self.assertEqual(LeaveRequest.objects.get().state, "approved")

    def test_heart_talk_form(self):
        web = self.web_as(self.li)
        r = web.post("/meetings/talks/", {"member_id": self.zhao_member.id, "talker_name": "李秀英",
                                          "talked_on": str(timezone.localdate()), "topic": "谈心"})
        self.assertEqual(r.status_code, 302)
        r = web.post("/meetings/talks/", {"member_id": self.sun_member.id, "talker_name": "李秀英",
                                          "talked_on": str(timezone.localdate()), "topic": "谈心"})
        self.assertEqual(r.status_code, 200)  # not among the choices
        self.assertEqual(HeartTalk.objects.count(), 1)

    def test_settings_page_admin_only(self):
        self.assertEqual(self.web_as(self.li).get("/meetings/settings/").status_code, 403)
        web = self.web_as(self.zhang)
        self.assertEqual(web.get("/meetings/settings/").status_code, 200)
        r = web.post(f"/meetings/settings/?org={self.community.id}",
                     {"checkin_lead_minutes": 20, "lecture_freq": "month", "absent_warning_months": 2})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(selectors.settings_for(self.branch_one).checkin_lead_minutes, 20)
        self.assertEqual(selectors.settings_for(self.root).checkin_lead_minutes, 30)


@override_settings(MEDIA_ROOT=MEDIA)
class AttachmentTests(MeetingTestCase):
    def tearDown(self):
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_upload_checks_type_and_size(self):
        import io
        import os

        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
        m = self.new_meeting()
        web = self.web_as(self.li)
        png = SimpleUploadedFile("合影.png", buf.getvalue(), content_type="image/png")
        self.assertEqual(web.post(f"/meetings/{m.id}/attachments/", {"file": png}).status_code, 302)
        self.assertEqual(MeetingAttachment.objects.count(), 1)
        audits = AuditEvent.objects.count()
        files = sum(len(f) for _, _, f in os.walk(MEDIA))
        for bad, says in ((SimpleUploadedFile("virus.png", b"MZ\x90\x00" + b"0" * 100, "image/png"), "不是有效的图片"),
                          (SimpleUploadedFile("cut.png", buf.getvalue()[:30], "image/png"), "不是有效的图片"),
                          (SimpleUploadedFile("a.exe", b"MZ", "application/octet-stream"), "只接受"),
                          (SimpleUploadedFile("a.pdf", b"", "application/pdf"), "空"), (None, "请选择")):
            r = web.post(f"/meetings/{m.id}/attachments/", {"file": bad} if bad else {})
            self.assertContains(r, says, status_code=400)  # the form again, with the reason; not a redirect
            self.assertContains(r, "invalid-feedback", status_code=400)
        self.assertEqual(MeetingAttachment.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.count(), audits)
        self.assertEqual(sum(len(f) for _, _, f in os.walk(MEDIA)), files)
        row = MeetingAttachment.objects.get()
        self.assertNotIn("合影", row.file.name)  # stored under a random name, shown under its own
        r = web.get(f"/meetings/attachments/{row.id}/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(b"".join(r.streaming_content)[:4], b"\x89PNG")
        self.assertIn("attachment", r["Content-Disposition"])
        self.assertIn("%E5%90%88%E5%BD%B1.png", r["Content-Disposition"])  # 合影.png
        self.assertEqual((r["X-Content-Type-Options"], r["Content-Type"]), ("nosniff", "image/png"))
        self.assertIn("sandbox", r["Content-Security-Policy"])
        self.assertEqual(self.web_as(self.wang).get(f"/meetings/attachments/{row.id}/").status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/meetings/attachments/{row.id}/").status_code, 404)
        self.assertEqual(self.web_as(self.wang).post(f"/meetings/{m.id}/attachments/",
                                                     {"file": png}).status_code, 404)
        self.assertEqual(MeetingAttachment.objects.count(), 1)


class CheckInPageTests(MeetingTestCase):
    def test_phone_check_in_is_idempotent(self):
        m = self.new_meeting()
        url = f"/meetings/c/{signin.make_token(m.id)}/"
        web = self.web_as(self.zhao)
        r = web.get(url)
        self.assertContains(r, "签到成功")
        r = web.get(url)
        self.assertContains(r, "您已签到")
        self.assertEqual(Attendance.objects.filter(member=self.zhao_member, status="present").count(), 1)

    def test_outside_window_gives_a_clear_message(self):
        m = self.new_meeting(starts_in=timedelta(hours=2))
        r = self.web_as(self.zhao).get(f"/meetings/c/{signin.make_token(m.id)}/")
        self.assertContains(r, "签到尚未开始", status_code=400)
        r = self.web_as(self.zhao).get("/meetings/c/not-a-token/")
        self.assertContains(r, "签到码无效", status_code=400)

    def test_other_branch_refused_and_anonymous_sent_to_login(self):
        m = self.new_meeting()
        url = f"/meetings/c/{signin.make_token(m.id)}/"
        r = self.web_as(self.sun).get(url)
        self.assertContains(r, "您不是本次会议的应到人员", status_code=400)
        r = Client().get(url)
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login/?next=/meetings/c/", r["Location"])
        self.assertEqual(Attendance.objects.filter(status="present").count(), 0)

    def test_my_meetings_page(self):
        self.zhao_member.is_cadre = True
        self.zhao_member.save()
        self.new_meeting(starts_in=timedelta(days=1))
        r = self.web_as(self.zhao).get("/meetings/mine/")
        self.assertContains(r, "测试会议")
        self.assertContains(r, "提醒卡")
        self.assertContains(self.web_as(self.zhang).get("/meetings/mine/"), "尚未关联党员信息")


class ScopePageTests(MeetingTestCase):
    def test_wang_gets_404_for_branch_one(self):
        m = self.new_meeting()
        web = self.web_as(self.wang)
        for url in [f"/meetings/{m.id}/", f"/meetings/{m.id}/edit/", f"/meetings/{m.id}/qr/",
                    f"/meetings/?org={self.branch_one.id}", f"/meetings/plan/?org={self.branch_one.id}",
                    f"/meetings/compliance/?org={self.branch_one.id}",
                    f"/meetings/attendance/?org={self.branch_one.id}",
                    f"/meetings/talks/?org={self.branch_one.id}", f"/meetings/new/?org={self.branch_one.id}"]:
            self.assertEqual(web.get(url).status_code, 404, url)
        audits = AuditEvent.objects.count()
        r = web.post(f"/meetings/{m.id}/attendance/", {"member_id": self.zhao_member.id, "status": "present"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(AuditEvent.objects.count(), audits)

    def test_plain_member_has_no_staff_pages(self):
        m = self.new_meeting()
        web = self.web_as(self.zhao)
        for url in ["/meetings/", "/meetings/compliance/", "/meetings/talks/", f"/meetings/{m.id}/edit/"]:
            self.assertEqual(web.get(url).status_code, 404, url)
        self.assertRedirects(web.get(f"/meetings/{m.id}/"), "/meetings/mine/")

    def test_anonymous_redirected_to_login(self):
        for url in ["/meetings/", "/meetings/mine/", "/meetings/compliance/"]:
            r = Client().get(url)
            self.assertEqual(r.status_code, 302)
            self.assertIn("/login/", r["Location"])

    def test_home_cards(self):
        cards = selectors.home_cards(actor=self.zhang, org=self.root)
        self.assertEqual([c["label"] for c in cards], ["本月已召开组织生活", "7 天内待开会议", "待补学"])
        self.assertEqual(self.web_as(self.li).get("/").status_code, 200)
