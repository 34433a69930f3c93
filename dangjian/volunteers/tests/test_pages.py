import io
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.models import AuditEvent
from dangjian.volunteers import services
from dangjian.volunteers.models import (Activity, Demand, GoodDeed, Post, PostClaim, Signup, VolunteerProfile,
                                        VolunteerUnit)

from .base import VolunteerTestCase, make_member, make_volunteer


def fmt(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


class PageAccessTests(VolunteerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        claim = services.claim_create(actor=cls.zhao, post=cls.post_one, member=cls.zhao_member)
        cls.claim = services.claim_confirm(actor=cls.li, claim=claim)

    def li_urls(self):
        return [f"/volunteers/units/{self.team_one.id}/", f"/volunteers/profiles/{self.v_one.id}/",
                f"/volunteers/profiles/{self.v_one.id}/edit/", f"/volunteers/activities/{self.act_one.id}/",
                f"/volunteers/posts/{self.post_one.id}/", f"/volunteers/needs/{self.need_one.id}/",
                f"/volunteers/claims/{self.claim.id}/agreement/"]

    def list_urls(self):
        return ["/volunteers/", "/volunteers/profiles/", "/volunteers/activities/", "/volunteers/activities/?view=list",
                "/volunteers/deeds/", "/volunteers/posts/", "/volunteers/needs/", "/volunteers/stats/",
                "/volunteers/stats/?by=team&year=all", "/volunteers/stats/?by=org", "/volunteers/units/new/",
                "/volunteers/profiles/new/", "/volunteers/activities/new/", "/volunteers/posts/new/",
                "/volunteers/needs/new/", "/volunteers/me/"]

    def test_secretary_sees_every_page(self):
        web = self.web_as(self.li)
        for url in self.list_urls() + self.li_urls():
            with self.subTest(url=url):
                self.assertEqual(web.get(url).status_code, 200)
        self.assertContains(web.get("/volunteers/needs/" + f"{self.need_one.id}/"), "孙一")  # suggested match
        self.assertContains(web.get("/volunteers/profiles/?skill=医疗"), "孙一")

    def test_outsider_gets_404_on_every_page_of_branch_one(self):
        web = self.web_as(self.wang)
        for url in self.li_urls():
            with self.subTest(url=url):
                self.assertEqual(web.get(url).status_code, 404)
        for url, data in [(f"/volunteers/activities/{self.act_one.id}/signup/", {"volunteer_id": self.v_two.id}),
                          (f"/volunteers/activities/{self.act_one.id}/hours/", {"volunteer_id": self.v_one.id,
                                                                                 "hours": "1"}),
                          (f"/volunteers/claims/{self.claim.id}/end/", {}),
                          (f"/volunteers/needs/{self.need_one.id}/assign/", {"volunteer_id": self.v_two.id}),
                          (f"/volunteers/units/{self.team_one.id}/members/{self.v_one.id}/remove/", {})]:
            with self.subTest(url=url):
                self.assertEqual(web.post(url, data).status_code, 404)
        self.assertNotContains(web.get("/volunteers/profiles/"), "孙一")
        self.assertNotContains(web.get("/volunteers/activities/?view=list"), "义诊")
        self.assertFalse(Signup.objects.exists())
        self.assertEqual(PostClaim.objects.get(pk=self.claim.pk).state, "confirmed")

    def test_anonymous_is_sent_to_login(self):
        for url in self.list_urls() + self.li_urls() + ["/volunteers/ledger.xlsx"]:
            with self.subTest(url=url):
                r = Client().get(url)
                self.assertEqual(r.status_code, 302)
                self.assertTrue(r["Location"].startswith("/login/"))

    def test_member_has_only_self_service(self):
        web = self.web_as(self.zhao)
        for url in ["/volunteers/", "/volunteers/profiles/", "/volunteers/needs/", "/volunteers/stats/",
                    "/volunteers/ledger.xlsx", f"/volunteers/needs/{self.need_one.id}/",
                    f"/volunteers/profiles/{self.v_one.id}/"]:
            with self.subTest(url=url):
                self.assertEqual(web.get(url).status_code, 404)
        r = web.get("/volunteers/me/")
        self.assertContains(r, "登记为志愿者")
        self.assertContains(r, "义诊")
        self.assertContains(r, "楼院环境巡查岗")
        self.assertEqual(web.get(f"/volunteers/activities/{self.act_one.id}/").status_code, 200)
        self.assertEqual(web.get(f"/volunteers/claims/{self.claim.id}/agreement/").status_code, 200)

    def test_export_ledger(self):
        r = self.web_as(self.li).get("/volunteers/ledger.xlsx")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertEqual(ws["A2"].value, "序号")
        self.assertEqual(ws["B3"].value, "孙一")
        self.assertEqual(ws["F3"].value, "医疗")
        self.assertTrue(AuditEvent.objects.filter(verb="volunteer.export").exists())
        self.assertEqual(self.web_as(self.zhao).get("/volunteers/ledger.xlsx").status_code, 404)

    def test_formula_injection_is_neutralized_in_export(self):
        make_volunteer(self.branch_one, "=HYPERLINK(\"x\")", skills=["+1"])
        ws = load_workbook(io.BytesIO(self.web_as(self.li).get("/volunteers/ledger.xlsx").content)).active
        names = [ws.cell(row=r, column=2).value for r in range(3, ws.max_row + 1)]
        self.assertIn("'=HYPERLINK(\"x\")", names)


class PageFlowTests(VolunteerTestCase):
    def test_member_registers_signs_up_and_checks_in_on_the_phone(self):
        web = self.web_as(self.zhao)
        before = self.counts()
        r = web.post("/volunteers/me/", {"skills": "医疗", "availability": "周八 08:00-12:00", "max_load": 2})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "星期无法识别")
        r = web.post("/volunteers/me/", {"skills": "医疗", "availability": "周一 12:00-08:00", "max_load": 2})
        self.assertContains(r, "开始须早于结束")
        self.assertEqual(self.counts(), before)
        r = web.post("/volunteers/me/", {"skills": "医疗、理发", "availability": "周六 08:00-12:00\n周日 14:00-17:00",
                                         "grid": "3网格", "max_load": 2})
        self.assertEqual(r.status_code, 302)
        v = VolunteerProfile.objects.get(member=self.zhao_member)
        self.assertEqual((v.skills, v.registered_via, len(v.availability)), (["医疗", "理发"], "self", 2))
        web.post(f"/volunteers/activities/{self.act_one.id}/signup/", {"next": "me"})
        web.post(f"/volunteers/activities/{self.act_one.id}/check_in/", {"next": "me"})
        s = Signup.objects.get(volunteer=v)
        self.assertIsNotNone(s.checked_in_at)
        r = web.post(f"/volunteers/posts/{self.post_one.id}/claim/", {"pledge": "按时到岗", "next": "me"})
        self.assertEqual(PostClaim.objects.get(member=self.zhao_member).state, "pending")

    def test_staff_forms_create_and_refuse(self):
        web = self.web_as(self.li)
        start = timezone.now() + timedelta(days=2)
        before = self.counts()
        r = web.post("/volunteers/units/new/", {"org_id": self.branch_one.id, "name": "队中队", "level": "team",
                                                "parent_id": self.team_one.id})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.counts(), before)
        r = web.post("/volunteers/units/new/", {"org_id": self.branch_one.id, "name": "文艺队", "level": "team",
                                                "parent_id": self.station.id, "specialty": "arts"})
        self.assertEqual(r.status_code, 302, r.content.decode()[:2000])
        unit = VolunteerUnit.objects.get(name="文艺队")
        r = web.post(f"/volunteers/units/{unit.id}/", {"volunteer_id": self.v_one.id, "role": "leader"})
        self.assertEqual(r.status_code, 302)
        r = web.post("/volunteers/activities/new/", {"org_id": self.branch_one.id, "unit_id": unit.id, "title": "广场舞",
                                                     "place": "广场", "starts_at": fmt(start),
                                                     "ends_at": fmt(start + timedelta(hours=2)), "headcount": 3,
                                                     "skills": "舞蹈"})
        self.assertEqual(r.status_code, 302)
        act = Activity.objects.get(title="广场舞")
        web.post(f"/volunteers/activities/{act.id}/signup/", {"volunteer_id": self.v_one.id})
        self.assertEqual(act.signups.count(), 1)
        r = web.post("/volunteers/posts/new/", {"org_id": self.branch_one.id, "title": "文明劝导岗", "capacity": 2})
        self.assertEqual(r.status_code, 302)
        r = web.post("/volunteers/needs/new/", {"org_id": self.branch_one.id, "title": "陪老人就医", "skills": "",
                                                "description": "", "starts_at": fmt(start),
                                                "ends_at": fmt(start + timedelta(hours=2)), "urgency": "low"})
        self.assertContains(r, "特长或需求说明")
        r = web.post("/volunteers/needs/new/", {"org_id": self.branch_one.id, "title": "陪老人就医", "skills": "医疗",
                                                "starts_at": fmt(start), "ends_at": fmt(start + timedelta(hours=2)),
                                                "urgency": "low"})
        self.assertEqual(r.status_code, 302)
        d = Demand.objects.get(title="陪老人就医")
        web.post(f"/volunteers/needs/{d.id}/assign/", {"volunteer_id": self.v_one.id})
        web.post(f"/volunteers/needs/{d.id}/complete/", {"rating": "5", "feedback": "满意"})
        d.refresh_from_db()
        self.assertEqual((d.state, d.rating), ("done", 5))
        r = web.post("/volunteers/profiles/new/", {"org_id": self.branch_one.id, "name": "居民张", "skills": "维修",
                                                   "max_load": 2})
        self.assertEqual(r.status_code, 302)
        r = web.post("/volunteers/deeds/", {"volunteer_id": self.v_one.id, "done_on": str(timezone.localdate()),
                                            "title": "拾金不昧", "witness": "王五"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(GoodDeed.objects.count(), 1)

    def test_secretary_confirms_on_the_post_board(self):
        claim = services.claim_create(actor=self.zhao, post=self.post_one, member=self.zhao_member)
        web = self.web_as(self.li)
        self.assertContains(web.get("/volunteers/posts/"), "待确认的领岗申请")
        r = web.post(f"/volunteers/claims/{claim.id}/confirm/", {"next": "posts"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(PostClaim.objects.get(pk=claim.pk).state, "confirmed")
        r = web.get(f"/volunteers/posts/{self.post_one.id}/")
        self.assertContains(r, "协议书")


class PhotoPageTests(VolunteerTestCase):
    def test_refused_photo_shows_the_form_again_and_writes_nothing(self):
        import os
        import shutil
        import tempfile

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import override_settings
        from PIL import Image

        from dangjian.volunteers.models import ActivityPhoto

        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(buf, "PNG")
        png, web = buf.getvalue(), self.web_as(self.li)
        url = f"/volunteers/activities/{self.act_one.id}/photo/"
        with override_settings(MEDIA_ROOT=media):
            before = self.counts()
            for bad, says in ((png[:30], "不是有效的图片"), (b"<svg onload=alert(1)>", "不是有效的图片"), (b"", "空")):
                r = web.post(url, {"image": SimpleUploadedFile("a.png", bad, "image/png"), "caption": "合影"})
                self.assertContains(r, says, status_code=400)  # the page again, the reason under the upload form
                self.assertContains(r, "invalid-feedback", status_code=400)
            self.assertEqual(self.counts(), before)
            self.assertEqual(sum(len(f) for _, _, f in os.walk(media)), 0)
            self.assertEqual(self.web_as(self.wang).post(url, {"image": SimpleUploadedFile("a.png", png)}).status_code,
                             404)
            r = web.post(url, {"image": SimpleUploadedFile("合影.png", png, "image/png"), "caption": "合影"})
            self.assertEqual(r.status_code, 302)
            photo = ActivityPhoto.objects.get()
            self.assertNotIn("合影", photo.image.name)
            served = web.get(photo.url)
            self.assertEqual(b"".join(served.streaming_content), png)
            self.assertEqual((served["Content-Type"], served["X-Content-Type-Options"]), ("image/png", "nosniff"))
            self.assertTrue(served["Content-Disposition"].startswith("attachment"))
            self.assertIn("sandbox", served["Content-Security-Policy"])


class NoNPlusOneTests(VolunteerTestCase):
    def query_count(self, web, url):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(web.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_lists_do_not_grow_with_rows(self):
        web = self.web_as(self.li)
        GoodDeed.objects.create(org=self.branch_one, volunteer=self.v_one, title="好事", witness="甲",
                                done_on=timezone.localdate())  # every list has a row before the baseline
        urls = ["/volunteers/", "/volunteers/profiles/", "/volunteers/activities/?view=list", "/volunteers/activities/",
                "/volunteers/posts/", "/volunteers/needs/", "/volunteers/deeds/", "/volunteers/stats/"]
        web.get("/volunteers/")  # the first request of a session also writes the session (idle timeout)
        small = {u: self.query_count(web, u) for u in urls}
        now = timezone.now()
        for i in range(12):
            m = make_member(self.branch_one, f"成员{i}")
            v = make_volunteer(self.branch_one, "", member=m, skills=["医疗"])
            unit = VolunteerUnit.objects.create(org=self.branch_one, name=f"队{i}", level="team", parent=self.station)
            unit.memberships.create(volunteer=v, joined_on=now.date())
            Activity.objects.create(org=self.branch_one, unit=unit, title=f"活动{i}", place="x", starts_at=now,
                                    ends_at=now + timedelta(hours=1), headcount=3)
            post = Post.objects.create(org=self.branch_one, title=f"岗{i}", capacity=2)
            services.claim_create(actor=self.li, post=post, member=m)
            Demand.objects.create(org=self.branch_one, title=f"需求{i}", skills=["医疗"], starts_at=now,
                                  ends_at=now + timedelta(hours=1), volunteer=v, state="assigned")
            GoodDeed.objects.create(org=self.branch_one, volunteer=v, unit=unit, title="好事", witness="甲",
                                    done_on=now.date())
        for u in urls:
            with self.subTest(url=u):
                self.assertEqual(self.query_count(web, u), small[u])
