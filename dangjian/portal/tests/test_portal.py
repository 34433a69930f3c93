from django.test import Client

from dangjian.core.testing import PersonaTestCase
from dangjian.portal.modules import tiles_for


class PortalTests(PersonaTestCase):
    def test_resident_sees_public_tiles_that_open_without_login(self):
        from django.contrib.auth.models import AnonymousUser

        r = Client().get("/portal/")
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "百事通")
        for module in tiles_for(AnonymousUser()):
            for tile in module["tiles"]:
                self.assertTrue(tile["public"])
                page = Client().get(tile["url"])
                self.assertEqual(page.status_code, 200, tile["url"])
        self.assertNotContains(r, "我的党费")

    def test_member_sees_personal_tiles(self):
        r = self.web_as(self.zhao).get("/portal/")
        self.assertContains(r, "我的消息")

    def test_pwa_manifest_and_service_worker(self):
        m = Client().get("/portal/manifest.webmanifest").json()
        self.assertEqual(m["start_url"], "/portal/")
        self.assertEqual(m["display"], "standalone")
        sw = Client().get("/portal/sw.js")
        self.assertEqual(sw["Content-Type"], "application/javascript")
        self.assertIn("caches.open", sw.content.decode())


class PublicNeedTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from dangjian.orgs.models import Org, Unit

        unit = Unit.objects.create(name="测试社区", kind=Unit.Kind.COMMUNITY)
        Org.objects.filter(pk=cls.community.pk).update(unit=unit)

    def post(self, **kw):
        data = {"org_id": self.community.id, "title": "帮老人买药", "description": "独居老人行动不便，每周需要代购药品",
                "requester_name": "王大妈", "requester_phone": "13800001111", "starts_at": "2030-05-01T09:00",
                "ends_at": "2030-05-01T11:00", **kw}
        return Client().post("/portal/need/", data)

    def test_resident_need_lands_on_the_board(self):
        from dangjian.volunteers.models import Demand

        r = self.post(skills="医疗，跑腿")
        self.assertContains(r, "已收到")
        d = Demand.objects.get()
        self.assertEqual((d.org_id, d.source, d.skills), (self.community.id, "portal", ["医疗", "跑腿"]))

    def test_bad_input_and_honeypot_write_nothing(self):
        from dangjian.volunteers.models import Demand

        self.assertEqual(self.post(requester_phone="123").status_code, 400)
        self.assertEqual(self.post(org_id=self.branch_two.id + 999).status_code, 400)
        self.assertEqual(self.post(title="").status_code, 400)
        self.assertContains(self.post(website="http://spam"), "已收到")
        self.assertEqual(Demand.objects.count(), 0)

    def test_rate_limited(self):
        from django.core.cache import cache

        cache.clear()
        for _ in range(10):
            self.post()
        self.assertEqual(self.post().status_code, 429)
        cache.clear()
