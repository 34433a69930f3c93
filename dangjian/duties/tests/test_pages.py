import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.core.errors import DomainError
from dangjian.core.models import AuditEvent
from dangjian.duties import services
from dangjian.duties.models import ChecklistItem, Rectification, ResponsibilityPledge, ServiceBrand

from .base import DutiesCase, make_member


class DutiesPagesTests(DutiesCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        cls.today = today
        cls.template = services.pledge_template_issue(
            actor=cls.zhang, org=cls.community, year=today.year, title="责任书",
            items=[{"content": "三会一课", "weight": 60}, {"content": "党费", "weight": 40}])
        cls.pledge = ResponsibilityPledge.objects.get(template=cls.template, org=cls.branch_one)
        cls.inspection = services.inspection_create(actor=cls.zhang, org=cls.community, year=today.year,
                                                    quarter=(today.month - 1) // 3 + 1, title="季度督查")
        cls.finding = services.finding_create(
            actor=cls.zhang, inspection=cls.inspection, org=cls.branch_one, description="记录不全", severity="high",
            found_on=today - timedelta(days=5),
            rectifications=[{"task": "补记录", "owner": "李", "deadline": today - timedelta(days=1)},
                            {"task": "=HYPERLINK(\"x\")", "owner": "李", "deadline": today}])
        cls.rect = cls.finding.rectifications.get(task="补记录")
        cls.scheme = services.review_scheme_create(actor=cls.zhang, org=cls.community, year=today.year, title="述职",
                                                   criteria=[{"name": "履职", "max_score": 100}])
        cls.report = services.duty_report_submit(actor=cls.li, scheme=cls.scheme, org=cls.branch_one, reporter="李",
                                                 content="述职", submitted_on=today)
        cls.instructor = services.instructor_create(actor=cls.zhang, org=cls.root, name="刘指导")
        cls.assignment = services.instructor_assign(actor=cls.zhang, instructor=cls.instructor, org=cls.branch_one,
                                                    started_on=today - timedelta(days=3))
        cls.brand = services.brand_create(actor=cls.li, org=cls.branch_one, name="红色物业", year=today.year)
        member = make_member(cls.zhang, cls.branch_one, "姚国俊")
        cls.honor = services.honor_nominate(actor=cls.li, org=cls.branch_one, subject="person", member=member,
                                            award="优秀共产党员", level="town", year=today.year, story="事迹")
        from dangjian.duties.models import WorkMethod

        cls.record = services.work_record_create(actor=cls.li, method=WorkMethod.objects.get(org=None),
                                                 org=cls.branch_one, title="支部建设", year=today.year)

    def own_pages(self):
        return [f"/duties/pledges/{self.pledge.id}/", f"/duties/inspections/{self.inspection.id}/",
                f"/duties/rectifications/{self.rect.id}/", f"/duties/reports/{self.report.id}/",
                f"/duties/assignments/{self.assignment.id}/", f"/duties/brands/{self.brand.id}/",
                f"/duties/honors/{self.honor.id}/", f"/duties/work-records/{self.record.id}/",
                f"/duties/instructors/{self.instructor.id}/", f"/duties/reviews/{self.scheme.id}/"]

    def test_every_page_renders(self):
        lists = ["/duties/pledges/", "/duties/inspections/", "/duties/rectifications/", "/duties/reviews/",
                 "/duties/instructors/", "/duties/work-methods/", "/duties/brands/", "/duties/honors/",
                 "/duties/pledges/issue/", "/duties/inspections/new/", "/duties/reviews/new/",
                 "/duties/instructors/new/", "/duties/brands/new/", "/duties/honors/new/", "/duties/work-methods/new/",
                 "/duties/rectifications/?overdue=1&state=open&severity=high&year=2025&page=x"]
        for user in (self.zhang, self.li):
            web = self.web_as(user)
            for url in lists + self.own_pages():
                if user is self.li and url in ("/duties/pledges/issue/", "/duties/inspections/new/",
                                               "/duties/reviews/new/"):
                    continue
                r = web.get(url)
                self.assertEqual(r.status_code, 200, f"{user} {url}")
        self.assertContains(self.web_as(self.zhang).get("/duties/inspections/"), "逾期 1 天")

    def test_outsider_and_member_get_404(self):
        web = self.web_as(self.wang)
        for url in self.own_pages()[:-2]:
            if "/inspections/" in url:  # the committee's plan is visible from below, branch one's findings are not
                self.assertNotContains(web.get(url), "记录不全")
                continue
            self.assertEqual(web.get(url).status_code, 404, url)
        self.assertNotContains(web.get(f"/duties/reviews/{self.scheme.id}/"), "第一党支部")
        self.assertEqual(web.get(f"/duties/rectifications/?org={self.branch_one.id}").status_code, 404)
        self.assertEqual(web.get(f"/duties/rectifications/export.xlsx?org={self.branch_one.id}").status_code, 404)
        self.assertNotContains(web.get("/duties/rectifications/"), "补记录")
        self.assertEqual(web.post(f"/duties/rectifications/{self.rect.id}/complete/",
                                  {"evidence": "x", "completed_on": str(self.today)}).status_code, 404)
        zhao = self.web_as(self.zhao)
        self.assertEqual(zhao.get("/duties/pledges/").status_code, 404)
        self.assertEqual(zhao.get(f"/duties/pledges/{self.pledge.id}/").status_code, 404)

    def test_anonymous_is_sent_to_login_but_showcase_is_public(self):
        r = Client().get("/duties/pledges/")
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith("/login/"))
        self.assertEqual(Client().get("/duties/showcase/").status_code, 200)

    def test_sign_and_progress_through_the_page(self):
        web = self.web_as(self.li)
        r = web.post(f"/duties/pledges/{self.pledge.id}/sign/", {"signer": "李秀英", "signed_on": str(self.today)})
        self.assertEqual(r.status_code, 302)
        item = self.template.items.first()
        web.post(f"/duties/pledges/{self.pledge.id}/progress/", {"item_id": item.id, "percent": 50, "note": ""})
        self.assertContains(web.get(f"/duties/pledges/{self.pledge.id}/"), "30.00%")

    def test_completion_without_evidence_shows_error_and_writes_nothing(self):
        web = self.web_as(self.li)
        before = AuditEvent.objects.count()
        r = web.post(f"/duties/rectifications/{self.rect.id}/complete/", {"evidence": " ", "completed_on":
                                                                          str(self.today)}, follow=True)
        self.assertContains(r, "佐证")
        self.assertEqual(Rectification.objects.get(pk=self.rect.pk).state, "open")
        self.assertEqual(AuditEvent.objects.count(), before)
        r = web.post(f"/duties/rectifications/{self.rect.id}/complete/", {"evidence": "x", "completed_on": "bad"},
                     follow=True)
        self.assertContains(r, "完成日期")

    def test_bad_issue_form_writes_nothing(self):
        web = self.web_as(self.zhang)
        before = ResponsibilityPledge.objects.count()
        r = web.post(f"/duties/pledges/issue/?org={self.community.id}",
                     {"year": self.today.year, "title": "新", "items": "一|50\n二|40"})
        self.assertContains(r, "100", status_code=400)
        r = web.post(f"/duties/pledges/issue/?org={self.community.id}",
                     {"year": self.today.year, "title": "新", "items": "只有内容"})
        self.assertContains(r, "内容|权重", status_code=400)
        self.assertEqual(ResponsibilityPledge.objects.count(), before)

    def test_export_ledger_is_formula_safe_and_audited(self):
        r = self.web_as(self.zhang).get(f"/duties/rectifications/export.xlsx?org={self.community.id}")
        self.assertEqual(r.status_code, 200)
        ws = load_workbook(io.BytesIO(r.content)).active
        tasks = [ws.cell(row=i, column=7).value for i in range(3, ws.max_row + 1)]
        self.assertIn("补记录", tasks)
        self.assertIn("'=HYPERLINK(\"x\")", tasks)
        self.assertTrue(AuditEvent.objects.filter(verb="rectification.export").exists())
        r = self.web_as(self.wang).get("/duties/rectifications/export.xlsx")
        ws = load_workbook(io.BytesIO(r.content)).active
        self.assertEqual(ws.max_row, 2)  # title and header only: nothing of branch one

    def test_log_and_rate_through_pages(self):
        item = ChecklistItem.objects.filter(org=None, category="attend").first()
        r = self.web_as(self.li).post(f"/duties/assignments/{self.assignment.id}/", {
            "item": f"attend:{item.id}", "happened_on": str(self.today), "content": "参加支部大会"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.web_as(self.li).post(f"/duties/brands/{self.brand.id}/rate/",
                                                   {"rating": "excellent"}).status_code, 403)
        self.assertEqual(ServiceBrand.objects.get(pk=self.brand.pk).rating, "")
        self.web_as(self.zhang).post(f"/duties/brands/{self.brand.id}/rate/", {"rating": "excellent"})
        self.assertEqual(ServiceBrand.objects.get(pk=self.brand.pk).rating, "excellent")
        r = self.web_as(self.zhang).post(f"/duties/honors/{self.honor.id}/decide/", {"approve": "1", "public": "on"})
        self.assertEqual(r.status_code, 302)
        self.assertContains(Client().get("/duties/showcase/"), "姚国俊")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buf, format="PNG")
    return buf.getvalue()


class PhotoUploadTests(DutiesCase):
    def setUp(self):
        import shutil
        import tempfile

        from django.test import override_settings

        self.media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        media = override_settings(MEDIA_ROOT=self.media)
        media.enable()
        self.addCleanup(media.disable)

    def _files(self) -> int:
        import os

        return sum(len(f) for _, _, f in os.walk(self.media))

    def _check_download(self, url: str, content: bytes, client=None):
        r = (client or self.web_as(self.li)).get(url)
        self.assertEqual(r.status_code, 200, url)
        self.assertEqual(b"".join(r.streaming_content), content)
        self.assertTrue(r["Content-Disposition"].startswith("attachment"))
        self.assertEqual((r["X-Content-Type-Options"], r["Content-Type"]), ("nosniff", "image/png"))
        self.assertIn("sandbox", r["Content-Security-Policy"])

    def test_brand_photo_must_be_an_image_and_is_served_in_scope(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        png, web = _png(), self.web_as(self.li)
        url = f"/duties/brands/new/?org={self.branch_one.id}"
        audits = AuditEvent.objects.count()
        for bad in (b"not an image", png[:30], b""):
            r = web.post(url, {"name": "假照片", "year": 2025,
                               "photo": SimpleUploadedFile("x.png", bad, content_type="image/png")})
            self.assertEqual(r.status_code, 400)
            self.assertTrue(r.context["form"].errors["photo"])
        self.assertFalse(ServiceBrand.objects.filter(name="假照片").exists())
        self.assertEqual((AuditEvent.objects.count(), self._files()), (audits, 0))
        r = web.post(url, {"name": "带照片", "year": 2025,
                           "photo": SimpleUploadedFile("p.png", png, content_type="image/png")})
        self.assertEqual(r.status_code, 302)
        brand = ServiceBrand.objects.get(name="带照片")
        self.assertTrue(brand.photo.name.startswith("brands/"))
        self.assertNotIn("p.png", brand.photo.name)  # stored under a random name
        photo_url = f"/duties/brands/{brand.id}/photo/"
        self.assertContains(web.get(f"/duties/brands/{brand.id}/"), photo_url)
        self._check_download(photo_url, png)
        self.assertEqual(self.web_as(self.wang).get(photo_url).status_code, 404)
        self.assertEqual(Client().get(photo_url).status_code, 302)  # to the login page
        plain = services.brand_create(actor=self.li, org=self.branch_one, name="无照片", year=2025)
        self.assertEqual(web.get(f"/duties/brands/{plain.id}/photo/").status_code, 404)  # no photo

    def test_honor_photo_private_until_approved_for_the_showcase(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        member = make_member(self.li, self.branch_one, "王秀兰")
        png = _png()
        honor = services.honor_nominate(actor=self.li, org=self.branch_one, subject="person", member=member,
                                        award="优秀共产党员", level="town", year=self.today_year(),
                                        photo=SimpleUploadedFile("h.png", png, content_type="image/png"))
        self._check_download(f"/duties/honors/{honor.id}/photo/", png)
        self.assertEqual(self.web_as(self.wang).get(f"/duties/honors/{honor.id}/photo/").status_code, 404)
        public_url = f"/duties/showcase/{honor.id}/photo/"
        self.assertEqual(Client().get(public_url).status_code, 404)  # not approved yet
        services.honor_decide(actor=self.zhang, honor=honor, approve=True, public=True)
        self.assertContains(Client().get("/duties/showcase/"), public_url)
        self._check_download(public_url, png, client=Client())
        with self.assertRaises(DomainError):
            services.honor_nominate(actor=self.li, org=self.branch_one, subject="person", member=member,
                                    award="优秀党务工作者", level="town", year=self.today_year(),
                                    photo=SimpleUploadedFile("h.jpg", b"MZ\x90\x00", content_type="image/jpeg"))
        self.assertEqual(self._files(), 1)

    def today_year(self) -> int:
        return timezone.localdate().year
