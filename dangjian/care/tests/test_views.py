"""Pages: calendar, 三色生日表, medal list, greeting card (HTML and PDF), plans, funds; scope and bad input."""
import io
import os
import tempfile
from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from dangjian.care.models import CarePlan, CareVisit, Fund, FundLedger, Greeting
from dangjian.core.testing import PersonaTestCase

from .helpers import make_member


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


def _files(root) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


class CarePagesTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = date.today()
        cls.old = make_member(cls.branch_one, "姚国俊", joined_on=cls.today.replace(year=1970),
                              birth_date=date(1944, 3, 2), in_hardship=True)
        cls.fund = Fund.objects.create(org=cls.branch_one, name="第一支部帮扶基金", kind="assistance")


class AnniversaryPagesTests(CarePagesTestCase):
    def test_calendar_and_htmx_greeting(self):
        web = self.web_as(self.li)
        r = web.get(f"/care/org/{self.branch_one.id}/anniversaries/")
        self.assertContains(r, "姚国俊")
        self.assertContains(r, "政治生日")
        r = web.post("/care/greet/", {"member": self.old.id, "kind": "party_anniversary",
                                      "date": self.today.isoformat()}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "已送祝福")
        self.assertEqual(Greeting.objects.get().gifts, ["card", "message"])
        r = web.post("/care/greet/", {"member": self.old.id, "kind": "party_anniversary",
                                      "date": self.today.isoformat()})
        self.assertContains(r, "已登记")
        self.assertEqual(Greeting.objects.count(), 1)

    def test_table_medal_and_card(self):
        web = self.web_as(self.li)
        self.assertContains(web.get(f"/care/org/{self.branch_one.id}/table/"), "三色")
        self.assertContains(web.get(f"/care/org/{self.branch_one.id}/medal50/?year={self.today.year + 1}"), "姚国俊")
        url = f"/care/card/{self.old.id}/party_anniversary/{self.today.isoformat()}/"
        r = web.get(url)
        self.assertContains(r, "姚国俊同志")
        self.assertContains(r, f"入党{self.today.year - 1970}周年")
        r = web.get(url + "?format=pdf")
        self.assertEqual(r["Content-Type"], "application/pdf")
        self.assertTrue(r.content.startswith(b"%PDF"))
        self.assertEqual(web.get(f"/care/card/{self.old.id}/party_anniversary/2001-01-01/").status_code, 404)
        self.assertEqual(web.get(f"/care/card/{self.old.id}/nonsense/{self.today.isoformat()}/").status_code, 404)

    def test_outsider_404_and_anonymous_redirect(self):
        wang = self.web_as(self.wang)
        for url in (f"/care/org/{self.branch_one.id}/anniversaries/", f"/care/org/{self.branch_one.id}/table/",
                    f"/care/org/{self.branch_one.id}/medal50/", f"/care/member/{self.old.id}/",
                    f"/care/card/{self.old.id}/party_anniversary/{self.today.isoformat()}/",
                    f"/care/org/{self.branch_one.id}/plans/", f"/care/org/{self.branch_one.id}/funds/",
                    f"/care/fund/{self.fund.id}/"):
            self.assertEqual(wang.get(url).status_code, 404, url)
        self.assertEqual(wang.post("/care/greet/", {"member": self.old.id, "kind": "party_anniversary",
                                                    "date": self.today.isoformat()}).status_code, 404)
        self.assertEqual(Greeting.objects.count(), 0)
        r = self.client.get(f"/care/org/{self.branch_one.id}/anniversaries/")
        self.assertTrue(r["Location"].startswith("/login/"))


class PlanAndFundPagesTests(CarePagesTestCase):
    def test_plan_flow(self):
        web = self.web_as(self.li)
        r = web.post(f"/care/org/{self.branch_one.id}/plans/", {"title": "春节慰问", "occasion": "spring_festival",
                                                                "starts_on": self.today, "ends_on": self.today,
                                                                "budget": "1000", "fund_id": ""})
        self.assertEqual(r.status_code, 302, getattr(r, "context", None) and r.context["form"].errors)
        plan = CarePlan.objects.get()
        r = web.get(f"/care/plan/{plan.id}/")
        self.assertContains(r, "姚国俊")
        r = web.post(f"/care/plan/{plan.id}/", {"member_id": self.old.id, "visited_on": self.today,
                                               "visitors": "李秀英", "gifts": "米、面", "money": "0"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(CareVisit.objects.count(), 1)
        r = web.post(f"/care/plan/{plan.id}/", {"member_id": self.old.id, "visited_on": self.today,
                                               "visitors": "", "money": "-5"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(CareVisit.objects.count(), 1)
        self.assertEqual(self.web_as(self.wang).post(f"/care/plan/{plan.id}/", {
            "member_id": self.old.id, "visited_on": self.today, "visitors": "x", "money": "0"}).status_code, 404)

    @override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="care-media-"))
    def test_visit_photo_upload_and_download(self):
        plan = CarePlan.objects.create(org=self.branch_one, title="走访", occasion="illness", starts_on=self.today,
                                       ends_on=self.today)
        web, url = self.web_as(self.li), f"/care/plan/{plan.id}/"
        data = {"member_id": self.old.id, "visited_on": self.today, "visitors": "李秀英", "money": "0"}
        r = web.post(url, {**data, "photo": SimpleUploadedFile("a.png", PNG[:30], "image/png")})  # truncated
        self.assertContains(r, "不是有效的图片", status_code=400)
        self.assertEqual((CareVisit.objects.count(), _files(settings.MEDIA_ROOT)), (0, 0))
        r = web.post(url, {**data, "photo": SimpleUploadedFile("家门口.png", PNG, "image/png")})
        self.assertEqual(r.status_code, 302)
        visit = CareVisit.objects.get()
        self.assertContains(web.get(url), f"/care/visit/{visit.id}/photo/")
        r = web.get(f"/care/visit/{visit.id}/photo/")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(b"".join(r.streaming_content), PNG)
        self.assertTrue(r["Content-Disposition"].startswith("attachment"))
        self.assertEqual((r["X-Content-Type-Options"], r["Content-Type"]), ("nosniff", "image/png"))
        self.assertIn("sandbox", r["Content-Security-Policy"])
        self.assertEqual(self.web_as(self.wang).get(f"/care/visit/{visit.id}/photo/").status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/care/visit/{visit.id}/photo/").status_code, 404)
        self.assertEqual(web.get("/care/visit/999999/photo/").status_code, 404)
        CareVisit.objects.filter(pk=visit.pk).update(photo="")
        self.assertEqual(web.get(f"/care/visit/{visit.id}/photo/").status_code, 404)

    def test_fund_pages(self):
        web = self.web_as(self.li)
        r = web.post(f"/care/fund/{self.fund.id}/income/", {"amount": "1000", "category": "allocation",
                                                           "purpose": "拨付"})
        self.assertEqual(r.status_code, 302)
        r = web.post(f"/care/fund/{self.fund.id}/relief/", {"member_id": self.old.id, "kind": "major_illness_relief",
                                                           "amount": "1500", "reason": "住院"})
        self.assertContains(r, "余额不足", status_code=400)
        r = web.post(f"/care/fund/{self.fund.id}/relief/", {"member_id": self.old.id, "kind": "major_illness_relief",
                                                           "amount": "800", "reason": "住院"})
        self.assertEqual(r.status_code, 302)
        self.assertContains(web.get(f"/care/fund/{self.fund.id}/"), "200.00")
        entry = FundLedger.objects.order_by("-seq").first()
        wang = self.web_as(self.wang)
        self.assertEqual(wang.post(f"/care/fund/{self.fund.id}/entries/{entry.id}/reverse/",
                                   {"reason": "x"}).status_code, 404)
        self.assertEqual(wang.post(f"/care/fund/{self.fund.id}/income/", {"amount": "1", "category": "allocation",
                                                                         "purpose": "x"}).status_code, 404)
        self.assertEqual(web.post(f"/care/fund/{self.fund.id}/entries/{entry.id}/reverse/",
                                  {"reason": "发错人"}).status_code, 302)
        self.assertEqual(Fund.objects.get(pk=self.fund.pk).balance, 1000)
        self.assertEqual(web.post(f"/care/fund/{self.fund.id}/bogus/", {}).status_code, 404)

    def test_member_flags(self):
        web = self.web_as(self.li)
        r = web.post(f"/care/member/{self.old.id}/", {"is_ill": "on", "note": "糖尿病"})
        self.assertEqual(r.status_code, 302)
        self.assertTrue(self.old.care_profile.is_ill)
        self.assertEqual(self.web_as(self.wang).post(f"/care/member/{self.old.id}/", {"is_ill": "on"}).status_code, 404)
