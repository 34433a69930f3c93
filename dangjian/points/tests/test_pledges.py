"""三亮一评: pledges (亮身份, 亮承诺, 亮标准, 亮实绩) and 群众评议 feeding the ledger (R-POINTS-PLEDGE, R-POINTS-RATING)."""
from datetime import date

from django.test import Client, SimpleTestCase

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.testing import ApiClient
from dangjian.points import rules, services
from dangjian.points.models import Pledge, PointEntry, PublicRating

from dangjian.members.choices import Stage

from .helpers import D, LONG_AGO, PointsTestCase, make_member

PLEDGE = {"identity": "党员中心户", "text": "联系帮扶 3 户困难群众", "standard": "每月走访一次"}
RATING_RULES = {"PR-A": "3", "PR-B": "1", "PR-D": "-5"}  # no PR-C: 基本合格 earns nothing here


class RatingRuleTests(SimpleTestCase):
    def test_score_formula_and_rounding(self):
        self.assertEqual(rules.rating_score(satisfied=9, basically=0, unsatisfied=1), D("90.00"))
        self.assertEqual(rules.rating_score(satisfied=1, basically=1, unsatisfied=1), D("50.00"))
        self.assertEqual(rules.rating_score(satisfied=2, basically=0, unsatisfied=1), D("66.67"))  # 66.666…
        self.assertEqual(rules.rating_score(satisfied=0, basically=1, unsatisfied=7), D("6.25"))

    def test_grade_boundaries(self):
        self.assertEqual(rules.rating_grade(D("90.00")), "excellent")
        self.assertEqual(rules.rating_grade(D("89.99")), "qualified")
        self.assertEqual(rules.rating_grade(D("70.00")), "qualified")
        self.assertEqual(rules.rating_grade(D("69.99")), "basically_qualified")
        self.assertEqual(rules.rating_grade(D("50.00")), "basically_qualified")
        self.assertEqual(rules.rating_grade(D("49.99")), "unqualified")

    def test_bad_tallies(self):
        for kwargs in ({"satisfied": 0, "basically": 0, "unsatisfied": 0},
                       {"satisfied": -1, "basically": 2, "unsatisfied": 0},
                       {"satisfied": 10001, "basically": 0, "unsatisfied": 0},
                       {"satisfied": True, "basically": 0, "unsatisfied": 0}):
            with self.assertRaises(ValueError):
                rules.rating_score(**kwargs)

    def test_pledge_year_window(self):
        today = date(2026, 10, 15)
        self.assertEqual(rules.pledge_year_problem(year=2027, today=today), "")
        self.assertEqual(rules.pledge_year_problem(year=2021, today=today), "")
        self.assertTrue(rules.pledge_year_problem(year=2028, today=today))
        self.assertTrue(rules.pledge_year_problem(year=2020, today=today))


class PledgeServiceTests(PointsTestCase):
    def test_make_change_then_assess_locks_content(self):
        p = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data=PLEDGE)
        p2 = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data={**PLEDGE, "text": "帮扶 4 户"})
        self.assertEqual((p.pk, Pledge.objects.get(pk=p.pk).text), (p2.pk, "帮扶 4 户"))
        services.pledge_assess(actor=self.li, pledge=p, fulfilment="fulfilled", result="全部完成",
                               assessed_on=date(2026, 10, 10))
        with self.assertRaises(Conflict):
            services.pledge_save(actor=self.li, member=self.m_one, year=2026, data=PLEDGE)
        self.assertEqual(Pledge.objects.get(pk=p.pk).fulfilment, "fulfilled")

    def test_refusals_write_nothing(self):
        before = (Pledge.objects.count(), self.counts())
        cases = [({"year": 2019}, "year"), ({"year": "abc"}, "year"), ({"data": {**PLEDGE, "identity": " "}}, "identity"),
                 ({"data": {**PLEDGE, "text": "x" * 501}}, "text"), ({"data": {**PLEDGE, "text": 5}}, "text")]
        for override, field in cases:
            kwargs = {"actor": self.li, "member": self.m_one, "year": 2026, "data": PLEDGE, **override}
            with self.assertRaises(DomainError) as ctx:
                services.pledge_save(**kwargs)
            self.assertEqual(ctx.exception.field, field)
        p = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data=PLEDGE)
        for kwargs in ({"fulfilment": "great"}, {"result": ""}, {"assessed_on": date(2025, 12, 31)},
                       {"assessed_on": date(2026, 10, 16)}, {"assessed_on": "2026-10-01"}):
            with self.assertRaises(DomainError):
                services.pledge_assess(actor=self.li, pledge=p, **{"fulfilment": "fulfilled", "result": "完成",
                                                                   "assessed_on": date(2026, 10, 1), **kwargs})
        self.assertEqual(Pledge.objects.get(pk=p.pk).fulfilment, "")
        self.assertEqual(Pledge.objects.count(), before[0] + 1)


class RatingServiceTests(PointsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for code, points in RATING_RULES.items():
            services.rule_create(actor=cls.zhang, org=cls.root, code=code, valid_from=LONG_AGO, data={
                "name": f"群众评议 {code}", "category": "service", "points": points, "cap_per_period": abs(int(points))})

    def rate(self, member=None, day=date(2026, 9, 20), s=18, b=2, u=0, actor=None):
        return services.rating_record(actor=actor or self.li, member=member or self.m_one, rated_on=day,
                                      satisfied=s, basically_satisfied=b, unsatisfied=u, note="群众代表 20 人")

    def test_grade_feeds_the_ledger_once(self):
        r = self.rate()  # 95.00 → 优秀 → PR-A +3
        self.assertEqual((r.period, r.score, r.grade), ("2026Q3", D("95.00"), "excellent"))
        e = r.entry
        self.assertEqual((e.points, e.source, e.source_app, e.source_event_id, e.status),
                         (D("3.00"), "automatic", "points.public_rating", str(r.id), "approved"))
        again = services.points_award_automatic(rule_code="PR-A", member=self.m_one, occurred_on=date(2026, 9, 20),
                                                source="points.public_rating", source_event_id=r.id)
        self.assertEqual((again.entry.pk, again.created), (e.pk, False))
        with self.assertRaises(Conflict):  # one rating per member and period
            self.rate(s=1, b=0, u=9)
        self.assertEqual(PointEntry.objects.filter(source_app="points.public_rating").count(), 1)
        self.assertEqual(PublicRating.objects.count(), 1)

    def test_unqualified_deducts_and_missing_rule_records_why(self):
        r = self.rate(member=self.m_zhao, s=1, b=0, u=9)  # 10.00 → 不合格 → PR-D −5
        self.assertEqual((r.grade, r.entry.points), ("unqualified", D("-5.00")))
        r = self.rate(member=self.m_li, s=5, b=4, u=1, actor=self.deputy)  # (5 + 2) / 10 = 70.00 → 合格
        self.assertEqual(r.grade, "qualified")
        r2 = services.rating_record(actor=self.li, member=self.m_one, rated_on=date(2026, 9, 1), satisfied=6,
                                    basically_satisfied=0, unsatisfied=4)  # 60.00 → 基本合格: no PR-C in force
        self.assertEqual((r2.grade, r2.entry), ("basically_qualified", None))
        self.assertIn("未计分", r2.points_note)
        self.assertIn("PR-C", r2.points_note)

    def test_bad_input_and_locked_period_change_nothing(self):
        before = (PublicRating.objects.count(), self.counts())
        for kwargs in ({"s": 0, "b": 0, "u": 0}, {"s": -1}, {"s": "many"}, {"day": date(2026, 10, 16)},
                       {"s": 10001}, {"day": "2026-09-01"}):
            with self.assertRaises(DomainError):
                self.rate(**kwargs)
        applicant = make_member(self.branch_one, "周申请", stage=Stage.APPLICANT)
        before = (PublicRating.objects.count(), self.counts())
        with self.assertRaises(DomainError):  # off the rolls
            self.rate(member=applicant)
        self.assertEqual(PublicRating.objects.count(), before[0])
        services.publication_create(actor=self.li, org=self.branch_one, period="2026Q3")
        self.set_today(date(2026, 11, 30))  # the window has closed: 2026Q3 is locked
        with self.assertRaises(DomainError) as ctx:
            self.rate()
        self.assertEqual(ctx.exception.rule, "R-POINTS-LOCK")
        self.assertEqual(PublicRating.objects.count(), before[0])


class PledgeApiTests(PointsTestCase):
    """API contract of /points/pledges and /points/ratings."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.rule_create(actor=cls.zhang, org=cls.root, code="PR-A", valid_from=LONG_AGO, data={
            "name": "群众评议优秀", "category": "service", "points": "3", "cap_per_period": "3"})

    def test_secretary_flow(self):
        api = self.api_as(self.li)
        r = api.post("/points/pledges", {"member_id": self.m_one.id, "year": 2026, **PLEDGE})
        self.assertEqual(r.status_code, 201, r.content)
        pid = r.json()["id"]
        r = api.post("/points/pledges", {"member_id": self.m_one.id, "year": 2026, **PLEDGE, "text": "改了"})
        self.assertEqual((r.status_code, r.json()["id"], r.json()["text"]), (200, pid, "改了"))
        r = api.post(f"/points/pledges/{pid}/assess", {"fulfilment": "partly", "result": "完成两户",
                                                       "assessed_on": "2026-10-01"})
        self.assertEqual((r.status_code, r.json()["fulfilment"]), (200, "partly"))
        r = api.get("/points/pledges", {"org": self.branch_one.id, "year": 2026})
        self.assertEqual((r.json()["count"], r.json()["items"][0]["member_name"]), (1, "钱一"))
        r = api.post("/points/ratings", {"member_id": self.m_one.id, "rated_on": "2026-09-20", "satisfied": 19,
                                         "basically_satisfied": 1, "unsatisfied": 0})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual((r.json()["grade"], r.json()["points"]), ("excellent", "3.00"))
        r = api.get("/points/ratings", {"org": self.branch_one.id, "period": "2026Q3"})
        self.assertEqual(r.json()["count"], 1)
        self.assertEqual(self.api_as(self.li).get(f"/points/members/{self.m_one.id}",
                                                  {"period": "2026Q3"}).json()["score"], "103.00")

    def test_outsider_member_and_anonymous(self):
        p = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data=PLEDGE)
        before = (Pledge.objects.count(), PublicRating.objects.count(), self.counts())
        wang, zhao, anon = self.api_as(self.wang), self.api_as(self.zhao), ApiClient()
        for client, code in ((wang, 404), (anon, 401)):
            self.assertEqual(client.get("/points/pledges", {"org": self.branch_one.id}).status_code, code)
            self.assertEqual(client.get(f"/points/pledges/{p.id}").status_code, code)
            self.assertEqual(client.get("/points/ratings", {"org": self.branch_one.id}).status_code, code)
            self.assertEqual(client.post("/points/pledges", {"member_id": self.m_one.id, "year": 2026,
                                                             **PLEDGE}).status_code, code)
            self.assertEqual(client.post(f"/points/pledges/{p.id}/assess", {
                "fulfilment": "fulfilled", "result": "x", "assessed_on": "2026-10-01"}).status_code, code)
            self.assertEqual(client.post("/points/ratings", {"member_id": self.m_one.id, "rated_on": "2026-09-20",
                                                             "satisfied": 5}).status_code, code)
        self.assertEqual(zhao.get(f"/points/pledges/{p.id}").status_code, 404)
        self.assertIn(zhao.get("/points/pledges", {"org": self.branch_one.id}).status_code, (403, 404))
        self.assertIn(zhao.post("/points/ratings", {"member_id": self.m_zhao.id, "rated_on": "2026-09-20",
                                                    "satisfied": 5}).status_code, (403, 404))
        # a filter on branch two never leaks branch one's pledges to wang
        self.assertEqual(wang.get("/points/pledges", {"org": self.branch_two.id}).json()["count"], 0)
        self.assertEqual((Pledge.objects.count(), PublicRating.objects.count(), self.counts()), before)

    def test_malformed_input_is_400_and_changes_nothing(self):
        api = self.api_as(self.li)
        before = (Pledge.objects.count(), PublicRating.objects.count(), self.counts())
        for body in ({"member_id": self.m_one.id, "year": 2040, **PLEDGE},
                     {"member_id": self.m_one.id, "year": 2026, **PLEDGE, "identity": ""},
                     {"member_id": self.m_one.id, "year": "二〇二六", **PLEDGE}):
            r = api.post("/points/pledges", body)
            self.assertIn(r.status_code, (400, 422), body)
            self.assertIn("detail", r.json())
        for body in ({"member_id": self.m_one.id, "rated_on": "2026-09-20", "satisfied": 0},
                     {"member_id": self.m_one.id, "rated_on": "2026-13-01", "satisfied": 3},
                     {"member_id": self.m_one.id, "rated_on": "2026-09-20", "satisfied": -3},
                     {"member_id": self.m_one.id, "rated_on": "2026-09-20", "satisfied": 10 ** 9}):
            self.assertIn(api.post("/points/ratings", body).status_code, (400, 422), body)
        self.assertEqual(api.get("/points/ratings", {"org": self.branch_one.id, "period": "2026Q5"}).status_code, 400)
        self.assertEqual((Pledge.objects.count(), PublicRating.objects.count(), self.counts()), before)


class PledgePageTests(PointsTestCase):
    def test_board_records_and_shows_on_the_disclosure(self):
        web = self.web_as(self.li)
        r = web.get("/points/pledges/", {"org": self.branch_one.id, "year": 2026})
        self.assertContains(r, "三亮一评")
        self.assertContains(r, "记录承诺")
        r = web.post(f"/points/pledges/?org={self.branch_one.id}&year=2026",
                     {"member": self.m_one.id, "year": 2026, **PLEDGE})
        self.assertEqual(r.status_code, 302, r.content.decode()[:500])
        p = Pledge.objects.get(member=self.m_one, year=2026)
        r = web.post(f"/points/pledges/{p.id}/", {"fulfilment": "fulfilled", "result": "三户均已走访帮扶",
                                                  "assessed_on": "2026-10-10"})
        self.assertEqual(r.status_code, 302)
        pub = services.publication_create(actor=self.li, org=self.branch_one, period="2026Q3")
        r = web.get(f"/points/publications/{pub.id}/")
        self.assertContains(r, "联系帮扶 3 户困难群众")
        self.assertContains(r, "三户均已走访帮扶")
        r = web.get(f"/points/publications/{pub.id}/pdf/")
        self.assertEqual((r.status_code, r["Content-Type"]), (200, "application/pdf"))
        self.assertContains(self.web_as(self.zhao).get("/points/me/"), "我的承诺")

    def test_outsider_anonymous_and_bad_input(self):
        p = services.pledge_save(actor=self.li, member=self.m_one, year=2026, data=PLEDGE)
        wang = self.web_as(self.wang)
        for url in (f"/points/pledges/?org={self.branch_one.id}", f"/points/pledges/{p.id}/",
                    f"/points/ratings/?org={self.branch_one.id}"):
            self.assertEqual(wang.get(url).status_code, 404, url)
            r = Client().get(url)
            self.assertEqual(r.status_code, 302, url)
            self.assertIn("/login/", r["Location"])
        before = (Pledge.objects.count(), PublicRating.objects.count(), self.counts())
        self.assertEqual(wang.post(f"/points/pledges/{p.id}/", {"fulfilment": "fulfilled", "result": "x",
                                                                "assessed_on": "2026-10-01"}).status_code, 404)
        self.assertEqual(wang.post(f"/points/ratings/?org={self.branch_one.id}", {
            "member": self.m_one.id, "rated_on": "2026-09-20", "satisfied": 3, "basically_satisfied": 0,
            "unsatisfied": 0}).status_code, 404)
        self.assertEqual(self.web_as(self.zhao).get(f"/points/pledges/{p.id}/").status_code, 404)
        web = self.web_as(self.li)
        self.assertEqual(web.get("/points/pledges/", {"org": self.branch_one.id, "year": "20x6"}).status_code, 400)
        self.assertEqual(web.get("/points/ratings/", {"org": self.branch_one.id, "period": "2026Q5"}).status_code, 400)
        r = web.post(f"/points/ratings/?org={self.branch_one.id}", {
            "member": self.m_one.id, "rated_on": "2026-09-20", "satisfied": 0, "basically_satisfied": 0,
            "unsatisfied": 0})
        self.assertContains(r, "参评人数不能为 0", status_code=400)
        r = web.post(f"/points/pledges/?org={self.branch_one.id}", {"member": self.m_two.id, "year": 2026, **PLEDGE})
        self.assertEqual(r.status_code, 400)  # a member of another branch is no choice here
        self.assertEqual((Pledge.objects.count(), PublicRating.objects.count(), self.counts()), before)
