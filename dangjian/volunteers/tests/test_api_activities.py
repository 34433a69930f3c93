import io
import shutil
import tempfile
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from dangjian.core.models import AuditEvent
from dangjian.volunteers import selectors
from dangjian.volunteers.models import Activity, ActivityPhoto, GoodDeed, HoursEntry, Signup

from .base import VolunteerTestCase, make_volunteer


def iso(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class ActivityApiTests(VolunteerTestCase):
    def setUp(self):
        self.li_api = self.api_as(self.li)

    def test_publish_and_list(self):
        start = timezone.now() + timedelta(days=3)
        r = self.li_api.post("/volunteers/activities", {
            "org_id": self.branch_one.id, "unit_id": self.team_one.id, "title": "周末义诊", "place": "党群服务中心",
            "starts_at": iso(start), "ends_at": iso(start + timedelta(hours=3)), "skills": ["医疗"], "headcount": 5})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(r.json()["signed_up"], 0)
        month = timezone.localtime(start).strftime("%Y-%m")
        items = self.li_api.get("/volunteers/activities",
                                {"org_id": self.branch_one.id, "month": month}).json()["items"]
        self.assertIn("周末义诊", [a["title"] for a in items])
        self.assertTrue(AuditEvent.objects.filter(verb="activity.publish").exists())

    def test_publish_bad_input_writes_nothing(self):
        start = timezone.now() + timedelta(days=3)
        base = {"org_id": self.branch_one.id, "title": "活动", "place": "广场", "starts_at": iso(start),
                "ends_at": iso(start + timedelta(hours=2)), "headcount": 5}
        before = self.counts()
        for change, status, fragment in [
            ({"ends_at": iso(start)}, 400, "晚于"), ({"ends_at": iso(start - timedelta(hours=1))}, 400, "晚于"),
            ({"headcount": 0}, 400, "招募人数"), ({"headcount": 1001}, 400, "招募人数"),
            ({"starts_at": "明天上午"}, 400, "格式"), ({"title": ""}, 400, "活动名称"), ({"place": ""}, 400, "地点"),
            ({"starts_at": iso(start - timedelta(days=10)), "ends_at": iso(start - timedelta(days=9))}, 400, "结束"),
            ({"ends_at": iso(start + timedelta(days=8))}, 400, "7 天"),
            ({"unit_id": self.team_two.id}, 404, ""), ({"org_id": self.branch_two.id}, 404, ""),
            ({"headcount": "五"}, 422, ""),
        ]:
            with self.subTest(change=change):
                self.assert_refused(self.li_api.post("/volunteers/activities", {**base, **change}), status, fragment)
        self.assertEqual(self.counts(), before)

    def test_headcount_is_enforced(self):
        r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups", {"volunteer_id": self.v_one.id})
        self.assertEqual(r.status_code, 201, r.content)
        zhao = self.api_as(self.zhao)
        self.assert_refused(zhao.post(f"/volunteers/activities/{self.act_one.id}/signups", {}), 400, "登记为志愿者")
        self.assertEqual(zhao.post("/volunteers/profiles", {"skills": ["医疗"]}).status_code, 201)
        self.assertEqual(zhao.post(f"/volunteers/activities/{self.act_one.id}/signups", {}).status_code, 201)
        third = make_volunteer(self.branch_one, "居民甲")
        before = self.counts()
        r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups", {"volunteer_id": third.id})
        self.assert_refused(r, 409, "已满", rule="R-VOL-HEADCOUNT")
        self.assert_refused(self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups",
                                             {"volunteer_id": self.v_one.id}), 409, "已报名")
        self.assertEqual(self.counts(), before)
        # A cancellation frees the seat.
        self.assertEqual(zhao.post(f"/volunteers/activities/{self.act_one.id}/signups/cancel", {}).status_code, 200)
        r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups", {"volunteer_id": third.id})
        self.assertEqual(r.status_code, 201)
        self.assertEqual(Signup.objects.filter(activity=self.act_one, state="signed_up").count(), 2)

    def test_check_in_out_credits_hours_within_the_activity(self):
        zhao = self.api_as(self.zhao)
        zhao.post("/volunteers/profiles", {"skills": ["医疗"]})
        self.assertEqual(zhao.post(f"/volunteers/activities/{self.act_one.id}/check-in", {}).status_code, 400)
        zhao.post(f"/volunteers/activities/{self.act_one.id}/signups", {})
        self.assert_refused(zhao.post(f"/volunteers/activities/{self.act_one.id}/check-out", {}), 400, "尚未签到")
        r = zhao.post(f"/volunteers/activities/{self.act_one.id}/check-in", {})
        self.assertEqual(r.status_code, 200, r.content)
        self.assertIsNotNone(r.json()["checked_in_at"])
        self.assert_refused(zhao.post(f"/volunteers/activities/{self.act_one.id}/check-in", {}), 409, "已签到")
        # Pretend he checked in 90 minutes ago (the activity started 60 minutes ago).
        Signup.objects.filter(activity=self.act_one).update(checked_in_at=timezone.now() - timedelta(minutes=90))
        r = zhao.post(f"/volunteers/activities/{self.act_one.id}/check-out", {})
        self.assertEqual(r.status_code, 200, r.content)
        hours = Decimal(r.json()["hours"])
        self.assertTrue(Decimal("0.99") <= hours <= Decimal("1.01"), hours)  # only the time inside the activity
        self.assertEqual(HoursEntry.objects.get().reason, "签到签退自动计时")
        self.assert_refused(zhao.post(f"/volunteers/activities/{self.act_one.id}/cancel", {}), 404)

    def test_hours_are_bounded_and_corrections_append(self):
        url = f"/volunteers/activities/{self.act_one.id}/hours"
        self.assert_refused(self.li_api.post(url, {"volunteer_id": self.v_one.id, "hours": 1}), 400, "未报名")
        self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups", {"volunteer_id": self.v_one.id})
        before = self.counts()
        for bad, fragment in [(-1, "负数"), ("-0.01", "负数"), ("3.01", "不能超过活动时长 3.00 小时"),
                              (100, "不能超过"), ("abc", "数字")]:
            with self.subTest(bad=bad):
                self.assert_refused(self.li_api.post(url, {"volunteer_id": self.v_one.id, "hours": bad}), 400,
                                    fragment, rule="R-VOL-HOURS")
        self.assertEqual(self.counts(), before)
        r = self.li_api.post(url, {"volunteer_id": self.v_one.id, "hours": "3"})
        self.assertEqual((r.status_code, r.json()["hours"]), (200, "3.00"))
        r = self.li_api.post(url, {"volunteer_id": self.v_one.id, "hours": 1.5, "reason": "提前离场"})
        self.assertEqual(r.json()["hours"], "1.50")
        entries = list(HoursEntry.objects.filter(volunteer=self.v_one).order_by("id").values_list("hours", "reason"))
        self.assertEqual(entries, [(Decimal("3.00"), "登记服务时长"), (Decimal("-1.50"), "提前离场")])
        # Same value again: nothing new.
        self.li_api.post(url, {"volunteer_id": self.v_one.id, "hours": "1.50"})
        self.assertEqual(HoursEntry.objects.count(), 2)
        self.assertEqual(selectors.volunteer_hours_for(member=self.one_member, start=date(2000, 1, 1),
                                                       end=date(2100, 1, 1)), Decimal("1.50"))

    def test_hours_need_a_started_activity(self):
        later = Activity.objects.create(org=self.branch_one, title="明天的活动", place="x",
                                        starts_at=timezone.now() + timedelta(days=1),
                                        ends_at=timezone.now() + timedelta(days=1, hours=2), headcount=3)
        self.li_api.post(f"/volunteers/activities/{later.id}/signups", {"volunteer_id": self.v_one.id})
        self.assert_refused(self.li_api.post(f"/volunteers/activities/{later.id}/hours",
                                             {"volunteer_id": self.v_one.id, "hours": 1}), 400, "尚未开始")

    def test_summary_after_the_end_only(self):
        self.assert_refused(self.li_api.post(f"/volunteers/activities/{self.act_one.id}/summary",
                                             {"summary": "很好"}), 400, "结束后")
        Activity.objects.filter(pk=self.act_one.pk).update(starts_at=timezone.now() - timedelta(hours=3),
                                                           ends_at=timezone.now() - timedelta(hours=1))
        self.assert_refused(self.li_api.post(f"/volunteers/activities/{self.act_one.id}/summary", {"summary": " "}),
                            400, "活动总结")
        r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/summary", {"summary": "服务群众 40 人次"})
        self.assertEqual((r.status_code, r.json()["state"]), (200, "done"))
        self.assert_refused(self.li_api.post(f"/volunteers/activities/{self.act_one.id}/signups",
                                             {"volunteer_id": self.v_one.id}), 409)

    def test_photos(self):
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(buf, "PNG")
        with override_settings(MEDIA_ROOT=media):
            r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/photos", files={
                "image": SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png"), "caption": "合影"})
            self.assertEqual(r.status_code, 201, r.content)
            url = r.json()["url"]
            served = self.web_as(self.li).get(url)
            self.assertEqual((served.status_code, served["Content-Type"]), (200, "image/png"))
            self.assertEqual(b"".join(served.streaming_content), buf.getvalue())
            self.assertEqual(self.web_as(self.wang).get(url).status_code, 404)
            self.assertEqual(self.web_as(self.li).get(url.replace(f"/{self.act_one.id}/",
                                                                  f"/{self.act_two.id}/")).status_code, 404)
            before = self.counts()
            r = self.li_api.post(f"/volunteers/activities/{self.act_one.id}/photos", files={
                "image": SimpleUploadedFile("b.png", b"<?php echo 1;", content_type="image/png")})
            self.assert_refused(r, 400, "图片")
            r = self.api_as(self.wang).post(f"/volunteers/activities/{self.act_one.id}/photos", files={
                "image": SimpleUploadedFile("a.png", buf.getvalue(), content_type="image/png")})
            self.assertEqual(r.status_code, 404)
            self.assertEqual(self.counts(), before)
            self.assertEqual(ActivityPhoto.objects.count(), 1)
            detail = self.li_api.get(f"/volunteers/activities/{self.act_one.id}").json()
            self.assertEqual(len(detail["photos"]), 1)

    def test_outsider_gets_404(self):
        api = self.api_as(self.wang)
        a = self.act_one.id
        self.assertEqual(api.get(f"/volunteers/activities/{a}").status_code, 404)
        self.assertEqual(api.get("/volunteers/activities", {"org_id": self.branch_one.id}).status_code, 404)
        for path, body in [(f"/volunteers/activities/{a}/signups", {"volunteer_id": self.v_two.id}),
                           (f"/volunteers/activities/{a}/hours", {"volunteer_id": self.v_one.id, "hours": 1}),
                           (f"/volunteers/activities/{a}/check-in", {"volunteer_id": self.v_one.id}),
                           (f"/volunteers/activities/{a}/summary", {"summary": "x"}),
                           (f"/volunteers/activities/{a}/cancel", {}),
                           (f"/volunteers/activities/{self.act_two.id}/signups", {"volunteer_id": self.v_one.id})]:
            with self.subTest(path=path):
                self.assertEqual(api.post(path, body).status_code, 404)
        ids = [x["id"] for x in api.get("/volunteers/activities").json()["items"]]
        self.assertEqual(ids, [self.act_two.id])
        self.assertFalse(Signup.objects.exists())

    def test_member_sees_activities_of_his_org_chain_only(self):
        community_act = Activity.objects.create(org=self.community, title="社区大扫除", place="x",
                                                starts_at=self.act_one.starts_at, ends_at=self.act_one.ends_at,
                                                headcount=10)
        ids = {x["id"] for x in self.api_as(self.zhao).get("/volunteers/activities").json()["items"]}
        self.assertEqual(ids, {self.act_one.id, community_act.id})
        self.assertEqual(self.api_as(self.zhao).get(f"/volunteers/activities/{self.act_two.id}").status_code, 404)
        detail = self.api_as(self.zhao).get(f"/volunteers/activities/{self.act_one.id}").json()
        self.assertEqual(detail["signups"], [])


class DeedsAndTotalsTests(VolunteerTestCase):
    def test_good_deed_needs_a_witness(self):
        api = self.api_as(self.li)
        base = {"volunteer_id": self.v_one.id, "done_on": str(timezone.localdate()), "title": "扶老人过马路"}
        before = self.counts()
        self.assert_refused(api.post("/volunteers/deeds", base), 400, "证明人")
        self.assert_refused(api.post("/volunteers/deeds", {**base, "witness": "孙一"}), 400, "本人")
        self.assert_refused(api.post("/volunteers/deeds", {**base, "witness": "张三",
                                                           "done_on": str(timezone.localdate() + timedelta(days=1))}),
                            400, "晚于今天")
        self.assert_refused(api.post("/volunteers/deeds", {**base, "witness": "张三", "done_on": "2025-13-01"}), 400)
        self.assertEqual(self.api_as(self.wang).post("/volunteers/deeds", {**base, "witness": "张三"}).status_code, 404)
        self.assertEqual(self.counts(), before)
        r = api.post("/volunteers/deeds", {**base, "witness": "张三", "unit_id": self.team_one.id})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(api.get("/volunteers/deeds", {"org_id": self.branch_one.id}).json()["count"], 1)
        self.assertEqual(self.api_as(self.wang).get("/volunteers/deeds", {"org_id": self.branch_one.id}).status_code,
                         404)

    def test_totals_per_person_team_org_and_year(self):
        last_year = timezone.localdate().year - 1
        old = Activity.objects.create(org=self.branch_one, unit=self.team_one, title="旧活动", place="x",
                                      starts_at=self.act_one.starts_at.replace(year=last_year),
                                      ends_at=self.act_one.ends_at.replace(year=last_year), headcount=3)
        for act, hours in ((self.act_one, "2"), (old, "1.5")):
            HoursEntry.objects.create(org=self.branch_one, volunteer=self.v_one, activity=act, hours=Decimal(hours),
                                      served_on=timezone.localtime(act.starts_at).date())
        HoursEntry.objects.create(org=self.branch_two, volunteer=self.v_two, activity=self.act_two,
                                  hours=Decimal("4"), served_on=timezone.localtime(self.act_two.starts_at).date())
        GoodDeed.objects.create(org=self.branch_one, volunteer=self.v_one, unit=self.team_one, title="好事",
                                witness="张三", done_on=timezone.localdate())
        api = self.api_as(self.zhang)
        year = timezone.localdate().year
        people = {r["name"]: r for r in api.get("/volunteers/totals", {"org_id": self.root.id, "year": year,
                                                                       "by": "person"}).json()["items"]}
        self.assertEqual((people["孙一"]["hours"], people["孙一"]["deeds"]), ("2.00", 1))
        self.assertEqual(people["周二"]["hours"], "4.00")
        everything = {r["name"]: r for r in api.get("/volunteers/totals", {"org_id": self.root.id}).json()["items"]}
        self.assertEqual((everything["孙一"]["hours"], everything["孙一"]["activities"]), ("3.50", 2))
        teams = {r["name"]: r for r in api.get("/volunteers/totals", {"org_id": self.root.id, "by": "team"})
                 .json()["items"]}
        self.assertEqual(teams["一支部医疗队"]["hours"], "3.50")
        self.assertEqual(teams["（未指定服务队）"]["hours"], "4.00")
        orgs = {r["name"]: r["hours"] for r in api.get("/volunteers/totals", {"org_id": self.root.id, "by": "org",
                                                                              "year": year}).json()["items"]}
        self.assertEqual(orgs, {"第一党支部": "2.00", "第二党支部": "4.00"})
        li_view = self.api_as(self.li).get("/volunteers/totals", {"org_id": self.branch_one.id}).json()["items"]
        self.assertEqual([r["name"] for r in li_view], ["孙一"])
        self.assertEqual(self.api_as(self.wang).get("/volunteers/totals", {"org_id": self.branch_one.id}).status_code,
                         404)
        series = selectors.totals_by_year(actor=self.zhang, org=self.root)
        self.assertEqual([(s["year"], s["hours"]) for s in series],
                         [(last_year, Decimal("1.50")), (year, Decimal("6.00"))])
