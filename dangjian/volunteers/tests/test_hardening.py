"""Junk a fuzzer would send: a clear 4xx, never a 500, and nothing written."""
from .base import VolunteerTestCase

HUGE = 2 ** 70


class JunkInputTests(VolunteerTestCase):
    def test_huge_and_negative_ids_are_404(self):
        api = self.api_as(self.zhang)
        for path in [f"/volunteers/units/{HUGE}", f"/volunteers/profiles/{HUGE}", f"/volunteers/activities/{HUGE}",
                     f"/volunteers/posts/{HUGE}", f"/volunteers/claims/{HUGE}", f"/volunteers/needs/{HUGE}",
                     f"/volunteers/needs/{HUGE}/matches", "/volunteers/units/-1"]:
            with self.subTest(path=path):
                self.assertEqual(api.get(path).status_code, 404)
        self.assertEqual(api.get("/volunteers/units", {"org_id": HUGE}).status_code, 404)
        before = self.counts()
        self.assertEqual(api.post(f"/volunteers/activities/{self.act_one.id}/signups",
                                  {"volunteer_id": HUGE}).status_code, 404)
        self.assertEqual(api.post("/volunteers/posts", {"org_id": HUGE, "title": "x", "capacity": 1}).status_code,
                         404)
        self.assertEqual(self.web_as(self.zhang).get(f"/volunteers/units/{HUGE}/").status_code, 404)
        self.assertEqual(self.counts(), before)

    def test_control_characters_and_absurd_values_are_400(self):
        api = self.api_as(self.li)
        before = self.counts()
        cases = [
            ("/volunteers/posts", {"org_id": self.branch_one.id, "title": "岗\x00位", "capacity": 1}, "控制字符"),
            ("/volunteers/needs", {"org_id": self.branch_one.id, "title": "x", "skills": ["医\x00疗"],
                                   "starts_at": "2030-01-01T09:00", "ends_at": "2030-01-01T10:00"}, "控制字符"),
            ("/volunteers/needs", {"org_id": self.branch_one.id, "title": "x", "skills": ["医疗"],
                                   "starts_at": "0001-01-01T09:00", "ends_at": "0001-01-01T10:00"}, "年份"),
            ("/volunteers/activities", {"org_id": self.branch_one.id, "title": "x", "place": "y", "headcount": 1,
                                        "starts_at": "9999-12-31T09:00", "ends_at": "9999-12-31T10:00"}, "年份"),
            (f"/volunteers/activities/{self.act_one.id}/hours", {"volunteer_id": self.v_one.id, "hours": "1e999999"},
             "不能超过"),
            ("/volunteers/deeds", {"volunteer_id": self.v_one.id, "title": "x", "witness": "y",
                                   "done_on": "1000-01-01"}, "年份"),
        ]
        for path, body, fragment in cases:
            with self.subTest(path=path, body=body):
                self.assert_refused(api.post(path, body), 400, fragment)
        self.assertEqual(self.counts(), before)

    def test_junk_filters_do_not_fail(self):
        api = self.api_as(self.li)
        self.assertEqual(api.get("/volunteers/profiles", {"org_id": self.branch_one.id, "q": "a\x00b",
                                                          "skill": "\x00", "grid": "\x00"}).status_code, 200)
        self.assertEqual(api.get("/volunteers/activities", {"org_id": self.branch_one.id, "month": "0000-0",
                                                            "q": "\x00"}).status_code, 200)
        self.assertEqual(api.get("/volunteers/activities", {"month": "June"}).status_code, 422)
        self.assertEqual(api.get("/volunteers/needs", {"state": "\x00"}).status_code, 200)
        self.assertEqual(api.get("/volunteers/totals", {"org_id": self.branch_one.id, "year": 99999}).status_code,
                         422)
        self.assertEqual(api.get("/volunteers/posts", {"page": 10 ** 9}).status_code, 422)
        web = self.web_as(self.li)
        for url in ["/volunteers/profiles/?q=%00&skill=%00&weekday=9", "/volunteers/activities/?month=0-0",
                    "/volunteers/activities/?month=99999-1&view=list", "/volunteers/stats/?year=0&by=x",
                    "/volunteers/deeds/?year=99999", "/volunteers/ledger.xlsx?year=1"]:
            with self.subTest(url=url):
                self.assertEqual(web.get(url).status_code, 200)


class AnonymousTests(VolunteerTestCase):
    def test_every_volunteer_endpoint_needs_a_login(self):
        import re

        from config.api import api
        from dangjian.core.testing import ApiClient

        client = ApiClient()
        schema = api.get_openapi_schema()
        seen = 0
        for path, ops in schema["paths"].items():
            if not path.startswith("/api/v1/volunteers"):
                continue
            url = re.sub(r"\{[^}]+\}", "1", path)
            for method in ops:
                with self.subTest(method=method, path=path):
                    r = getattr(client, method)(url) if method in ("get", "delete") else getattr(client, method)(url, {})
                    self.assertEqual(r.status_code, 401, r.content)
                    seen += 1
        self.assertGreaterEqual(seen, 40)
