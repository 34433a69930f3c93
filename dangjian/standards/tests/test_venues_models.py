"""Venues (阵地) and model posts / branches: pages, review by the upper org, public pages without login that show
nothing personal beyond the published name; scope and bad input."""
import tempfile
from datetime import date, timedelta

from django.test import override_settings

from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.standards import services
from dangjian.standards.models import ModelDesignation, ModelReview, Venue, VenuePhoto

from .helpers import fake_png, make_members, png

VENUE = {"kind": "party_home", "name": "第一支部党员之家", "address": "绿博家苑1号院二楼", "area": "80",
         "facilities": "桌椅、投影仪", "opening_hours": "工作日 9:00–17:00", "is_public": "on"}


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="dangjian-standards-test-"))
class VenueTests(PersonaTestCase):
    def test_create_photo_public_page(self):
        web = self.web_as(self.li)
        r = web.post(f"/standards/org/{self.branch_one.id}/venues/", VENUE)
        self.assertEqual(r.status_code, 302)
        v = Venue.objects.get()
        self.assertEqual(web.post(f"/standards/venues/{v.id}/photos/", {"file": png(), "caption": "外景"}).status_code,
                         302)
        before = (VenuePhoto.objects.count(), AuditEvent.objects.count())
        self.assertEqual(web.post(f"/standards/venues/{v.id}/photos/", {"file": fake_png()}).status_code, 400)
        self.assertEqual(web.post(f"/standards/org/{self.branch_one.id}/venues/", VENUE).status_code, 409)  # same name
        self.assertEqual(web.post(f"/standards/org/{self.branch_one.id}/venues/", {**VENUE, "name": "二",
                                                                                 "area": "-5"}).status_code, 400)
        self.assertEqual((VenuePhoto.objects.count(), AuditEvent.objects.count()), before)
        photo = VenuePhoto.objects.get()
        anon = self.client
        r = anon.get("/standards/public/venues/")
        self.assertContains(r, "第一支部党员之家")
        self.assertContains(r, "工作日 9:00–17:00")
        self.assertContains(r, f"/standards/public/photos/{photo.token}/")
        self.assertNotContains(r, f"/standards/venue-photos/{photo.id}/")
        self.assertEqual(anon.get(f"/standards/public/photos/{photo.token}/")["Content-Type"], "image/png")
        self.assertEqual(anon.get(f"/standards/venue-photos/{photo.id}/").status_code, 302)  # the scoped URL: login
        # edit: make it private → gone from the public page and its photo too
        r = web.post(f"/standards/venues/{v.id}/", {**VENUE, "is_public": ""})
        self.assertEqual(r.status_code, 302)
        self.assertNotContains(anon.get("/standards/public/venues/"), "第一支部党员之家")
        self.assertEqual(anon.get(f"/standards/public/photos/{photo.token}/").status_code, 404)
        self.assertEqual(anon.get("/standards/public/photos/nonsense/").status_code, 404)
        self.assertEqual(anon.get("/standards/public/venues/?org=abc").status_code, 200)

    def test_outsider_404(self):
        v = services.venue_create(actor=self.li, org=self.branch_one, data={**VENUE, "is_public": True})
        p = services.venue_photo_add(actor=self.li, venue=v, upload=png())
        wang = self.web_as(self.wang)
        for url in (f"/standards/org/{self.branch_one.id}/venues/", f"/standards/venues/{v.id}/",
                    f"/standards/venue-photos/{p.id}/"):
            self.assertEqual(wang.get(url).status_code, 404, url)
        for url in (f"/standards/org/{self.branch_one.id}/venues/", f"/standards/venues/{v.id}/",
                    f"/standards/venues/{v.id}/photos/"):
            self.assertEqual(wang.post(url, {**VENUE, "name": "改名", "file": png()}).status_code, 404, url)
        v.refresh_from_db()
        self.assertEqual((v.name, VenuePhoto.objects.count()), (VENUE["name"], 1))


class ModelDesignationTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = make_members(cls.branch_one, 1, prefix="示范", phone="13800001234", address="绿博家苑3号楼")[0]
        cls.today = date.today()

    def propose(self, web, **extra):
        return web.post(f"/standards/org/{self.branch_one.id}/models/", {
            "kind": "post", "title": "楼院服务示范岗", "member_id": self.member.id, "public_name": "",
            "criteria": "亮身份、亮承诺、亮业绩", "story": "包楼联户", "starts_on": self.today.isoformat(),
            "ends_on": (self.today + timedelta(days=365)).isoformat(), "is_public": "on", **extra})

    def test_propose_review_and_public_page(self):
        web = self.web_as(self.li)
        self.assertEqual(self.propose(web).status_code, 302)
        d = ModelDesignation.objects.get()
        self.assertEqual((d.state, d.public_name), ("proposed", "示范1"))
        self.assertNotContains(self.client.get("/standards/public/models/"), "楼院服务示范岗")  # not yet named
        review = {"outcome": "approve", "reviewed_on": self.today.isoformat(), "note": ""}
        self.assertEqual(web.post(f"/standards/models/{d.id}/review/", review).status_code, 403)  # not by itself
        zhang = self.web_as(self.zhang)
        self.assertEqual(zhang.post(f"/standards/models/{d.id}/review/", {**review, "outcome": "keep"}).status_code,
                         400)  # "keep" is a later review
        self.assertEqual(zhang.post(f"/standards/models/{d.id}/review/", review).status_code, 302)
        r = self.client.get("/standards/public/models/")
        self.assertContains(r, "楼院服务示范岗")
        self.assertContains(r, "示范1")
        self.assertContains(r, "第一党支部")
        for private in ("13800001234", "绿博家苑3号楼", "1980", self.member.id_masked or "no-id"):
            self.assertNotContains(r, private)
        self.assertEqual(zhang.post(f"/standards/models/{d.id}/review/", {**review, "outcome": "revoke"}).status_code,
                         302)
        self.assertNotContains(self.client.get("/standards/public/models/"), "楼院服务示范岗")
        self.assertEqual(ModelReview.objects.count(), 2)

    def test_bad_input_and_model_branch(self):
        web = self.web_as(self.li)
        for extra in ({"member_id": ""}, {"ends_on": (self.today - timedelta(days=1)).isoformat()},
                      {"ends_on": (self.today + timedelta(days=4 * 365)).isoformat()}, {"title": ""},
                      {"kind": "boss"}):
            self.assertEqual(self.propose(web, **extra).status_code, 400, extra)
        other = make_members(self.branch_two, 1, prefix="别支部")[0]
        self.assertEqual(self.propose(web, member_id=other.id).status_code, 400)
        self.assertEqual(ModelDesignation.objects.count(), 0)
        r = self.propose(web, kind="branch", member_id="", title="示范过硬支部")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(ModelDesignation.objects.get().public_name, "第一党支部")
        with self.assertRaises(Exception):
            services.designation_propose(actor=self.zhang, org=self.community, kind="branch", title="x", criteria="y",
                                         starts_on=self.today, ends_on=self.today)

    def test_outsider_404(self):
        self.propose(self.web_as(self.li))
        d = ModelDesignation.objects.get()
        wang = self.web_as(self.wang)
        self.assertEqual(wang.get(f"/standards/models/{d.id}/").status_code, 404)
        self.assertEqual(wang.get(f"/standards/org/{self.branch_one.id}/models/").status_code, 404)
        self.assertEqual(wang.post(f"/standards/models/{d.id}/review/", {"outcome": "approve",
                                                                       "reviewed_on": self.today}).status_code, 404)
        self.assertEqual(self.propose(wang).status_code, 404)
        self.assertEqual(ModelDesignation.objects.get().state, "proposed")
        self.assertTrue(self.client.get(f"/standards/models/{d.id}/")["Location"].startswith("/login/"))
