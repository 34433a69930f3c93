"""The scope matrix of issue 14 applied to this app alone (without the whole demo): every /points/ page
and /api/v1/points operation that names an object of branch one answers wang with 404 (405 for a
wrong method), anonymous users get the login page or 401, unknown ids 404."""
from datetime import date

from django.test import Client

from dangjian.core.tests.test_scope_matrix import API_PARAM, PARAM, fill, iter_patterns, model_for_param
from dangjian.core.testing import ApiClient
from dangjian.points import services
from dangjian.points.models import Objection, Pledge, PointEntry, PointRule, PointWarning, Publication

from .helpers import PointsTestCase


class PointsScopeMatrixTests(PointsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patterns = [(p, n) for p, n, _ in iter_patterns() if p.startswith("points/")]

    def setUp(self):
        super().setUp()
        self.award(self.m_one, "MEET")
        services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")
        services.rule_create(actor=self.li, org=self.branch_one, code="ABSENT", data={
            "name": "缺席", "points": "-2", "category": "discipline", "cap_per_period": "10"})
        pub = services.publication_create(actor=self.zhang, org=self.branch_one, period="2026Q2")
        services.objection_file(actor=self.zhao, publication=pub, text="异议内容")
        pledge = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data={
            "identity": "党员中心户", "text": "联系帮扶困难群众"})
        warning = PointWarning.objects.create(member=self.m_one, org=self.branch_one, period="2026Q3",
                                              period_start=date(2026, 7, 1), score=50, threshold=60,
                                              level=PointWarning.Level.UNQUALIFIED)
        self.objects = {Pledge: pledge, PointWarning: warning,
                        PointEntry: PointEntry.objects.filter(member__org=self.branch_one).last(),
                        PointRule: PointRule.objects.get(org=self.branch_one), Publication: pub,
                        Objection: Objection.objects.get()}

    def value(self, param):
        model = model_for_param(param)
        if model is None:
            return None
        if model._meta.model_name == "member":
            return self.m_one.pk
        if model._meta.model_name == "org":
            return self.branch_one.pk
        obj = self.objects.get(model)
        return obj.pk if obj else None

    def test_every_page_hides_branch_one_from_wang(self):
        web = self.web_as(self.wang)
        checked = 0
        for path, name in self.patterns:
            params = PARAM.findall(path)
            if not params:
                continue
            values = {p: self.value(p) for p in params}
            self.assertTrue(all(values.values()), f"no object for {path}")
            url = fill(path, values)
            for method in ("get", "post"):
                r = getattr(web, method)(url)
                self.assertIn(r.status_code, (404, 405), f"{method.upper()} {url} ({name}) → {r.status_code}")
            checked += 1
        self.assertGreaterEqual(checked, 9)

    def test_every_api_operation_hides_branch_one_from_wang(self):
        schema = Client().get("/api/v1/openapi.json").json()
        api = ApiClient(self.wang)
        checked = 0
        for path, ops in schema["paths"].items():
            if not path.startswith("/api/v1/points/"):
                continue
            params = API_PARAM.findall(path)
            for method, op in ops.items():
                query = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
                if params:
                    url = API_PARAM.sub(lambda m: str(self.value(m.group(1))), path)
                elif "org" in query:
                    url = f"{path}?org={self.branch_one.id}&period=2026Q3"
                else:
                    continue
                if method == "get":
                    r = api.client.get(url, **api.headers)
                else:
                    r = getattr(api.client, method)(url, "{}", content_type="application/json", **api.headers)
                self.assertIn(r.status_code, (404, 405, 422),
                              f"{method.upper()} {url} → {r.status_code} {r.content[:200]}")
                checked += 1
        self.assertGreaterEqual(checked, 15)

    def test_anonymous_and_unknown_ids(self):
        anon, web = Client(), self.web_as(self.li)
        for path, name in self.patterns:
            url = fill(path, {})
            r = anon.get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn("/login/", r["Location"])
            if PARAM.findall(path):
                self.assertIn(web.get(url).status_code, (404, 405), url)
        schema = Client().get("/api/v1/openapi.json").json()
        for path, ops in schema["paths"].items():
            if path.startswith("/api/v1/points/"):
                for method in ops:
                    self.assertEqual(getattr(anon, method)(API_PARAM.sub("1", path)).status_code, 401, path)
