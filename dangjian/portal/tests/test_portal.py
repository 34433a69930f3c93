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
