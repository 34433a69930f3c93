"""先锋指数, rankings with ties, the scheme, and the pure rules with their boundaries."""
from datetime import date

from django.test import SimpleTestCase

from dangjian.core.errors import DomainError, FieldErrors
from dangjian.points import ranking, rules, selectors, services
from dangjian.points.rules import parse_period

from .helpers import D, PointsTestCase, make_member

Q3 = parse_period("2026Q3")


class PureRuleTests(SimpleTestCase):
    def test_periods(self):
        self.assertEqual(parse_period("2026Q3").start, date(2026, 7, 1))
        self.assertEqual(parse_period("2026-q4").end, date(2026, 12, 31))
        self.assertEqual(parse_period("2024-02").end, date(2024, 2, 29))
        self.assertEqual(parse_period("2026").label, "2026")
        for bad in ("2026Q5", "2026Q0", "2026-13", "2026-00", "abc", "", "1900", "2026Q", "26Q1"):
            with self.assertRaises(rules.PeriodError, msg=bad):
                parse_period(bad)
        self.assertEqual(rules.period_of(date(2026, 9, 30)).label, "2026Q3")
        self.assertEqual(rules.period_of(date(2026, 10, 1)).label, "2026Q4")
        self.assertEqual(rules.period_of(date(2026, 10, 1), "month").label, "2026-10")
        self.assertEqual(rules.previous_period(parse_period("2026Q1")).label, "2025Q4")

    def test_cap_boundaries(self):
        cap = D("6")
        self.assertTrue(rules.cap_allows(cap=cap, used=D("4"), points=D("2")))     # reaches exactly
        self.assertFalse(rules.cap_allows(cap=cap, used=D("4.01"), points=D("2")))  # one hundredth over
        self.assertTrue(rules.cap_allows(cap=None, used=D("999"), points=D("2")))
        self.assertFalse(rules.cap_allows(cap=D("15"), used=D("-15"), points=D("-5")))
        self.assertTrue(rules.cap_allows(cap=D("5"), used=D("7"), points=D("-1")))   # moving back under a cap
        self.assertEqual(rules.cap_remaining(cap=cap, used=D("4")), D("2"))
        self.assertEqual(rules.cap_remaining(cap=cap, used=D("7")), D("0"))

    def test_competition_ranks(self):
        self.assertEqual(rules.competition_ranks([D(100), D(100), D(90)]), [1, 1, 3])
        self.assertEqual(rules.competition_ranks([D(100), D(90), D(90), D(80)]), [1, 2, 2, 4])
        self.assertEqual(rules.competition_ranks([D("100.004"), D("100.001")]), [1, 1])  # equal at 0.01
        self.assertEqual(rules.competition_ranks([]), [])
        with self.assertRaises(ValueError):
            rules.competition_ranks([D(1), D(2)])

    def test_stars_and_scores(self):
        self.assertEqual(rules.star_level(D("115")), 5)
        self.assertEqual(rules.star_level(D("114.99")), 4)
        self.assertEqual(rules.star_level(D("100")), 3)
        self.assertEqual(rules.star_level(D("89.99")), 1)
        self.assertEqual(rules.branch_score(base=D(100), own_points=D(-3), member_points_total=D(4), members=3),
                         D("98.33"))
        self.assertEqual(rules.branch_score(base=D(100), own_points=D(0), member_points_total=D(0), members=0),
                         D("100.00"))
        self.assertEqual(rules.committee_score(base=D(100), own_points=D(1), branch_scores=[D(100), D(103)]),
                         D("102.50"))

    def test_override_problems(self):
        kw = dict(parent_points=D(-5), overridable=True, low=D(-5), high=D(-1), parent_cap=D(15))
        self.assertEqual(rules.override_problem(points=D(-5), cap=D(15), **kw), "")
        self.assertEqual(rules.override_problem(points=D(-1), cap=D(1), **kw), "")
        self.assertIn("下限", rules.override_problem(points=D("-5.01"), cap=D(15), **kw))
        self.assertIn("上限", rules.override_problem(points=D("-0.99"), cap=D(15), **kw))
        self.assertIn("同为", rules.override_problem(points=D(1), cap=D(15), **kw))
        self.assertIn("每期上限", rules.override_problem(points=D(-2), cap=D("15.01"), **kw))

    def test_objection_window_boundaries(self):
        pub, until = date(2026, 10, 9), date(2026, 10, 16)
        self.assertFalse(rules.objection_open(published_on=pub, until=until, today=date(2026, 10, 8)))
        self.assertTrue(rules.objection_open(published_on=pub, until=until, today=pub))
        self.assertTrue(rules.objection_open(published_on=pub, until=until, today=until))
        self.assertFalse(rules.objection_open(published_on=pub, until=until, today=date(2026, 10, 17)))
        self.assertFalse(rules.period_locked(until=until, today=until, open_objections=0))
        self.assertTrue(rules.period_locked(until=until, today=date(2026, 10, 17), open_objections=0))
        self.assertFalse(rules.period_locked(until=until, today=date(2026, 10, 17), open_objections=1))

    def test_points_parsing(self):
        self.assertEqual(rules.parse_points("-2.5"), D("-2.5"))
        for bad in ("0", "abc", "1.234", "NaN", "Infinity", "1001"):
            with self.assertRaises(ValueError, msg=bad):
                rules.parse_points(bad)


class RankingTests(PointsTestCase):
    def test_member_ties_share_a_rank(self):
        self.award(self.m_one, "MEET")
        self.award(self.m_zhao, "MEET")
        rows = list(ranking.member_ranking(self.branch_one, Q3, selectors.scheme_for(self.branch_one)))
        self.assertEqual([(m.name, m.rank, D(m.score)) for m in rows],
                         [("赵志强", 1, D("102")), ("钱一", 1, D("102")), ("李秀英", 3, D("100"))])

    def test_branch_average_not_size_and_ties(self):
        big = self.root.add_child(name="大支部", kind="branch", region_id=self.root.id)
        for i in range(6):
            m = make_member(big, f"大{i}")
            self.award(m, "VOL", actor=self.zhang)  # 6 points in total, 101 on average
        self.award(self.m_one, "MEET")
        self.award(self.m_zhao, "MEET")  # branch one: 4 points over 3 members → 101.33
        rows = ranking.org_ranking(self.root, Q3, selectors.scheme_for(self.root), "branch")
        got = [(r["name"], r["rank"], r["score"], r["members"]) for r in rows]
        self.assertEqual(got, [("第一党支部", 1, D("101.33"), 3), ("大支部", 2, D("101.00"), 6),
                               ("机关党支部", 3, D("100.00"), 0), ("第二党支部", 3, D("100.00"), 1)])

    def test_branch_own_entries_and_committee_level(self):
        services.entry_create(actor=self.li, org=self.branch_one, rule_code="BRMISS", occurred_on=date(2026, 8, 1))
        self.award(self.m_two, "MEET", actor=self.wang)
        branches = {r["name"]: r for r in ranking.org_ranking(self.root, Q3, selectors.scheme_for(self.root), "branch")}
        self.assertEqual(branches["第一党支部"]["score"], D("97.00"))
        self.assertEqual(branches["第二党支部"]["score"], D("102.00"))
        committees = ranking.org_ranking(self.root, Q3, selectors.scheme_for(self.root), "committee")
        self.assertEqual([(r["name"], r["rank"], r["score"]) for r in committees], [("测试社区党委", 1, D("99.50"))])

    def test_only_approved_entries_in_the_period_count(self):
        self.award(self.m_one, "MEET", day=date(2026, 6, 30))
        self.award(self.m_one, "HONOR")  # pending
        services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 8, 1), note="x")
        self.assertEqual(selectors.member_score(self.m_one, Q3), D("100.00"))
        self.assertEqual(selectors.member_score(self.m_one, parse_period("2026Q2")), D("102.00"))
        self.assertEqual(selectors.member_score(self.m_one, parse_period("2026")), D("102.00"))

    def test_category_weights_in_index_and_ranking(self):
        services.scheme_save(actor=self.zhang, org=self.root, data={"category_weights": {"service": "2"},
                                                                     "base": "60"})
        self.award(self.m_one, "VOL")
        self.award(self.m_zhao, "MEET")
        scheme = selectors.scheme_for(self.branch_one)
        self.assertEqual(selectors.member_score(self.m_one, Q3), D("62.00"))
        rows = list(ranking.member_ranking(self.branch_one, Q3, scheme))
        self.assertEqual([(m.name, m.rank, D(m.score)) for m in rows][:2], [("赵志强", 1, D("62")), ("钱一", 1, D("62"))])
        self.assertIn("权重", selectors.formula_text(scheme))

    def test_scheme_refusals(self):
        before = self.counts()
        with self.assertRaises(DomainError):
            services.scheme_save(actor=self.li, org=self.branch_one, data={"base": "80"})
        with self.assertRaises(FieldErrors) as ctx:
            services.scheme_save(actor=self.zhang, org=self.root, data={
                "base": "x", "objection_days": 0, "period_kind": "week", "star_thresholds": [[100, 9]],
                "category_weights": {"nope": 1}})
        fields = {e["field"] for e in ctx.exception.as_dict()["errors"]}
        self.assertEqual(fields, {"base", "objection_days", "period_kind", "star_thresholds", "category_weights"})
        self.assertEqual(self.counts(), before)
        self.award(self.m_one, "MEET")
        with self.assertRaises(DomainError):
            services.scheme_save(actor=self.zhang, org=self.root, data={"period_kind": "month"})
