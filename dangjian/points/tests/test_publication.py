"""公示: publishing, the objection window's boundaries, answers and the lock."""
from datetime import date, timedelta

from django.http import Http404

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.workdays import add_working_days_db
from dangjian.points import selectors, services
from dangjian.points.models import Objection

from .helpers import TODAY, D, PointsTestCase


class PublicationTests(PointsTestCase):
    def publish(self, org=None, level="member", actor=None, period="2026Q3"):
        return services.publication_create(actor=actor or self.li, org=org or self.branch_one, period=period,
                                           level=level)

    def test_publish_snapshots_ranking_with_window_in_working_days(self):
        self.award(self.m_one, "MEET")
        pub = self.publish()
        self.assertEqual(pub.published_on, TODAY)
        self.assertEqual(pub.objection_until, add_working_days_db(TODAY, 5))
        self.assertEqual([(r["name"], r["rank"], r["score"]) for r in pub.rows],
                         [("钱一", 1, "102.00"), ("李秀英", 2, "100.00"), ("赵志强", 2, "100.00")])
        self.assertIn("基础分 100", pub.formula)

    def test_refusals_change_nothing(self):
        services.entry_self_report(actor=self.zhao, rule_code="VOL", occurred_on=date(2026, 9, 1), note="x")
        before = self.counts()
        cases = [dict(period="2026Q4"), dict(period="2026-09"), dict(period="2026Q5"), dict(),
                 dict(level="branch"), dict(level="weird")]
        for kw in cases:
            with self.assertRaises(DomainError, msg=kw):
                self.publish(**kw)
        with self.assertRaises(Http404):
            self.publish(actor=self.wang)
        self.assertEqual(self.counts(), before)

    def test_duplicate_is_409(self):
        self.publish()
        with self.assertRaises(Conflict):
            self.publish()

    def test_objection_window_boundaries(self):
        pub = self.publish(org=self.community, level="branch", actor=self.zhang)
        self.set_today(pub.objection_until)  # the last day of the window still takes objections
        objection = services.objection_file(actor=self.zhao, publication=pub, text="我参加了8月主题党日但未计分")
        self.assertEqual((objection.filer_name, objection.status), ("赵志强", "open"))
        self.set_today(pub.objection_until + timedelta(days=1))
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            services.objection_file(actor=self.zhao, publication=pub, text="过期的异议")
        self.assertEqual(ctx.exception.rule, "R-POINTS-OBJECTION")
        self.assertEqual(self.counts(), before)

    def test_objection_only_by_those_who_see_the_publication(self):
        pub = self.publish()
        with self.assertRaises(Http404):
            services.objection_file(actor=self.wang, publication=pub, text="外支部的异议")
        community_pub = self.publish(org=self.community, level="branch", actor=self.zhang)
        services.objection_file(actor=self.wang, publication=community_pub, text="二支部得分有误")

    def test_upheld_objection_corrected_then_period_locks(self):
        entry = self.award(self.m_one, "MEET")
        pub = self.publish()
        objection = services.objection_file(actor=self.zhao, publication=pub, text="钱一8月未参会")
        services.entry_reverse(actor=self.li, entry=entry, reason="异议成立：当日未参会")
        pub.refresh_from_db()
        self.assertEqual(pub.rows[0]["score"], "100.00")  # the 公示 follows the ledger in its window
        after_window = pub.objection_until + timedelta(days=1)
        self.set_today(after_window)
        self.assertFalse(selectors.publication_state(pub, on=after_window)["locked"])  # an objection is open
        self.award(self.m_one, "VOL", day=date(2026, 9, 1))
        with self.assertRaises(Http404):
            services.objection_resolve(actor=self.wang, objection=objection, upheld=True, response="已更正")
        services.objection_resolve(actor=self.li, objection=objection, upheld=True, response="已冲正钱一的记录")
        with self.assertRaises(Conflict):
            services.objection_resolve(actor=self.li, objection=objection, upheld=False, response="再答")
        self.assertTrue(selectors.publication_state(pub, on=after_window)["locked"])
        before = self.counts()
        with self.assertRaises(DomainError) as ctx:
            self.award(self.m_one, "VOL", day=date(2026, 9, 2))
        self.assertEqual(ctx.exception.rule, "R-POINTS-LOCK")
        vol = self.m_one.point_entries.get(rule_code="VOL")
        with self.assertRaises(DomainError):
            services.entry_reverse(actor=self.li, entry=vol, reason="锁定后冲正")
        self.assertEqual(self.counts(), before)
        self.award(self.m_one, "VOL", day=date(2026, 10, 2))  # the next quarter is open
        self.assertEqual(Objection.objects.get().status, "upheld")

    def test_committee_publication_locks_branches_below(self):
        pub = self.publish(org=self.community, level="branch", actor=self.zhang)
        self.set_today(pub.objection_until + timedelta(days=1))
        with self.assertRaises(DomainError):
            self.award(self.m_one, "MEET")
        self.award(self.m_zhao, "MEET", actor=self.zhang, day=date(2026, 10, 1))
        services.entry_create(actor=self.zhang, member=self.m_one, rule_code="MEET", occurred_on=date(2026, 10, 2))
        self.assertEqual(selectors.member_score(self.m_one, selectors.parse_period_or_400("2026Q4")), D("102.00"))
