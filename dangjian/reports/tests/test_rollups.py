"""The nightly roll-up of the non-member charts (rollups.py, OrgStatsMonthly): every chart read from it equals
the chart counted live, at every level; when auto reads it; fresh figures for a branch; the daily job."""
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from dangjian.reports import rollups, selectors, tasks
from dangjian.reports.models import OrgStatsMonthly

from .helpers import ON, ReportsFixture, installed, local

ROLLED = [k for k in selectors.CHARTS if k not in selectors.MEMBER_CHARTS and k != "recruitment_funnel"]


def plain(chart):
    """A chart's figures without where they came from."""
    return {k: v for k, v in chart.items() if k not in ("source", "as_of")} if chart else chart


class RollupFixture(ReportsFixture):
    """A little of everything, in two years and on both branches, around ON (2025-06-30)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        A, F = cls.A, cls.F
        b1, b2, other = cls.branch_one, cls.branch_two, cls.other_branch
        if installed("meetings"):
            from dangjian.meetings.models import Meeting

            for org, kind, y, m, d in [(b1, "theme_day", 2025, 3, 10), (b1, "assembly", 2025, 3, 20),
                                       (b2, "theme_day", 2025, 4, 1), (b2, "theme_day", 2025, 4, 30),
                                       (b2, "theme_day", 2024, 12, 31), (other, "theme_day", 2025, 1, 1),
                                       (cls.community, "assembly", 2025, 2, 2)]:
                Meeting.objects.create(org=org, kind=kind, title="会", starts_at=local(y, m, d, 0),
                                       ends_at=local(y, m, d, 11), state=Meeting.State.HELD)
            Meeting.objects.create(org=other, kind="theme_day", title="计划", starts_at=local(2025, 5, 5),
                                   ends_at=local(2025, 5, 5, 11))  # planned, not held
        if installed("points"):
            from dangjian.points.models import PointEntry, PointRule, PointRuleVersion, PointScheme

            PointScheme.objects.create(org=cls.root, category_weights={"org_life": "1.5"})
            rule = PointRule.objects.create(org=cls.root, code="T1")
            version = PointRuleVersion.objects.create(rule=rule, version=1, name="参加活动", category="org_life",
                                                      points=Decimal("10"), valid_from=date(2020, 1, 1))
            for member, org, category, points, on in [
                    (A, b1, "org_life", "10", ON), (F, b2, "org_life", "-4", date(2025, 4, 1)),
                    (F, b2, "duty", "3.33", date(2025, 5, 2)), (A, b1, "duty", "7", date(2025, 3, 31)),
                    (None, other, "service", "2.5", ON)]:
                PointEntry.objects.create(member=member, org=org, rule=rule, rule_version=version, rule_code="T1",
                                          category=category, points=Decimal(points), occurred_on=on,
                                          period="2025Q2", status=PointEntry.Status.APPROVED)
        if installed("volunteers"):
            from dangjian.volunteers.models import Activity, HoursEntry, VolunteerProfile

            v = VolunteerProfile.objects.create(org=b1, member=A, name="甲")
            VolunteerProfile.objects.create(org=b2, member=cls.G, name="庚")
            act = Activity.objects.create(org=b1, title="清扫", place="小区", starts_at=local(2025, 3, 1),
                                          ends_at=local(2025, 3, 1, 12), headcount=5)
            for served, hours in [(date(2025, 3, 1), "2.50"), (date(2025, 5, 1), "1.25"), (date(2024, 3, 1), "9")]:
                HoursEntry.objects.create(org=b1, volunteer=v, activity=act, served_on=served, hours=Decimal(hours))
        if installed("petitions"):
            from dangjian.petitions.models import Petition, PetitionStep

            for code, org, received, state, resolved in [
                    ("P1", b1, date(2025, 1, 5), "closed", True), ("P2", b1, date(2025, 1, 9), "closed", True),
                    ("P3", b2, date(2025, 2, 1), "new", None), ("P4", other, date(2024, 12, 1), "closed", False)]:
                p = Petition.objects.create(org=org, channel="phone", title="路灯", content="坏了", tracking_code=code,
                                            state=state, received_on=received, resolved=resolved, contact_due=received,
                                            accept_due=received, handle_due=received, feedback_due=received)
                if code == "P2":
                    PetitionStep.objects.create(petition=p, step="handle", done_on=date(2025, 1, 20),
                                                due=date(2025, 1, 15), late=True)
        if installed("dues"):
            from dangjian.dues.models import DuesProfile

            DuesProfile.objects.create(member=A, year=2025, effective_from=date(2024, 1, 1), category="employed",
                                       monthly_amount=Decimal("10.00"))
            DuesProfile.objects.create(member=F, year=2025, effective_from=date(2025, 1, 1), category="employed",
                                       monthly_amount=Decimal("2.50"))
            cls.pay(A, [date(2025, 1, 1), date(2025, 2, 1), date(2024, 12, 1)], "10.00")
            cls.pay(F, [date(2025, 3, 1)], "2.50")
        if installed("care"):
            from dangjian.care.models import CareVisit

            for org, member, on, money in [(b1, A, date(2025, 1, 20), "500"), (b2, F, date(2025, 2, 3), "200.50"),
                                           (b2, F, date(2024, 2, 3), "99")]:
                CareVisit.objects.create(org=org, member=member, occasion="illness", visited_on=on, visitors="张",
                                         money=Decimal(money))

    @classmethod
    def pay(cls, member, months, amount):
        from dangjian.dues.models import DuesPayment, DuesPaymentMonth

        payment = DuesPayment.objects.create(member=member, org=member.org, paid_on=months[-1], method="cash",
                                             amount=Decimal(amount) * len(months))
        for m in months:
            DuesPaymentMonth.objects.create(payment=payment, member=member, month=m, amount=Decimal(amount))


class RollupEqualsLiveTests(RollupFixture):
    def test_every_rolled_up_chart_equals_live_at_every_level(self):
        rollups.build(on=ON)
        self.assertTrue(OrgStatsMonthly.objects.exists())
        orgs = [self.root, self.community, self.branch_one, self.branch_two, self.other_branch]
        for key in ROLLED:
            for org in orgs:
                for year in (2024, 2025):
                    with self.subTest(chart=key, org=org.name, year=year):
                        live = selectors.chart_data(key, actor=self.zhang, org=org, year=year, source="live", on=ON)
                        rolled = selectors.chart_data(key, actor=self.zhang, org=org, year=year, source="rollup",
                                                      on=ON)
                        if live is None:
                            continue
                        self.assertEqual((live["source"], rolled["source"], rolled["as_of"]),
                                         ("live", "rollup", ON.isoformat()))
                        self.assertEqual(plain(rolled), plain(live))

    def test_the_fixture_is_not_empty(self):
        """Equality of two empty charts would prove nothing: the root's charts have figures."""
        rollups.build(on=ON)
        d = selectors.dashboard(actor=self.zhang, org=self.root, year=2025, source="rollup", on=ON)
        if installed("meetings"):
            self.assertEqual(sum(c["meetings"] for r in d["meeting_heatmap"]["rows"] for c in r["cells"]), 6)
        if installed("points"):
            # weighted: branch one 100 + (10 × 1.5) / 3 members on the rolls
            self.assertEqual(d["points_branches"]["top"][0]["score"], 105.0)
        if installed("dues"):
            self.assertEqual((d["dues"]["paid"], d["dues"]["members"]), ("22.50", 6))
        if installed("petitions"):
            self.assertEqual((d["petitions"]["received"], d["petitions"]["on_time"]), (3, 1))
        if installed("volunteers"):
            self.assertEqual((d["volunteers"]["hours"], d["volunteers"]["registered"]), (3.75, 1))
        if installed("care"):
            self.assertEqual(d["care"]["money"], "700.50")

    def test_reading_a_chart_from_the_rollup_takes_few_queries(self):
        rollups.build(on=ON)
        selectors.chart_care(actor=self.zhang, org=self.root, year=2025, on=ON)  # caches the roles
        with CaptureQueriesContext(connection) as ctx:
            selectors.chart_care(actor=self.zhang, org=self.root, year=2025, on=ON, source="rollup")
        self.assertLessEqual(len(ctx.captured_queries), 4)

    def test_the_dashboard_reads_the_build_date_and_the_children_once(self):
        """One memo per dashboard() call: the build date, the subtree size and the children are read once for
        all charts, and forgotten when the call returns (a later call sees a new build)."""
        rollups.build(on=ON)
        selectors.chart_care(actor=self.zhang, org=self.root, year=2025, on=ON)  # caches the roles
        with mock.patch.object(rollups, "ROLLUP_MIN_ORGS", 2), CaptureQueriesContext(connection) as ctx:
            d = selectors.dashboard(actor=self.zhang, org=self.root, year=2025, on=ON)
        self.assertEqual(d["care"]["source"], "rollup")
        sql = [q["sql"] for q in ctx.captured_queries]
        self.assertEqual(sum('"built_on"' in q and "LIMIT 1" in q for q in sql), 1)
        self.assertEqual(sum("LIMIT 2" in q and "COUNT(*)" in q.upper() for q in sql), 1)  # the subtree size
        self.assertIsNone(rollups._MEMO.get())
        with CaptureQueriesContext(connection) as ctx:
            rollups.built_on()
            rollups.built_on()
        self.assertEqual(len(ctx.captured_queries), 2)

    def test_the_children_bars_stay_equal_to_live_with_an_inactive_child(self):
        """What sits under an inactive child is neither a bar nor the org's own (本级) figure, live or rolled."""
        from dangjian.orgs.models import Org

        Org.objects.filter(pk=self.branch_two.pk).update(is_active=False)
        rollups.build(on=ON)
        for key in ("meeting_heatmap", "volunteers"):
            live = selectors.chart_data(key, actor=self.zhang, org=self.community, year=2025, source="live", on=ON)
            rolled = selectors.chart_data(key, actor=self.zhang, org=self.community, year=2025, source="rollup",
                                          on=ON)
            if live is not None:
                self.assertEqual(plain(rolled), plain(live), key)

    def test_outsider_gets_404_from_the_rollup_too(self):
        from django.http import Http404

        rollups.build(on=ON)
        for key in ROLLED:
            with self.subTest(chart=key), self.assertRaises(Http404):
                selectors.chart_data(key, actor=self.wang, org=self.branch_one, year=2025, source="rollup", on=ON)


class AutoRuleTests(RollupFixture):
    def test_auto_reads_a_fresh_rollup_for_a_big_subtree_only(self):
        rollups.build(on=ON)
        care = lambda org, on=ON, year=2025: selectors.chart_care(  # noqa: E731
            actor=self.zhang, org=org, year=year, on=on)["source"]
        self.assertEqual(care(self.root), "live")  # the fixture's township is small
        with mock.patch.object(rollups, "ROLLUP_MIN_ORGS", 2):
            self.assertEqual(care(self.root), "rollup")
            self.assertEqual(care(self.root, on=ON + timedelta(days=1)), "rollup")  # before tonight's build
            self.assertEqual(care(self.root, on=ON + timedelta(days=2)), "live")  # the job failed: stale
            self.assertEqual(care(self.root, year=2023), "live")  # a year the roll-up does not cover
            self.assertEqual(care(self.branch_one), "live")  # a branch always counts live
        OrgStatsMonthly.objects.all().delete()
        with mock.patch.object(rollups, "ROLLUP_MIN_ORGS", 2):
            self.assertEqual(care(self.root), "live")  # no roll-up at all

    def test_a_new_meeting_and_payment_show_up_for_the_branch_secretary_at_once(self):
        """The roll-up was built at night; li records a theme day and a payment in the morning: her branch's
        charts count them (a branch reads live), the township's roll-up shows them after the next build."""
        if not (installed("meetings") and installed("dues")):
            self.skipTest("meetings and dues needed")
        from dangjian.meetings.models import Meeting

        rollups.build(on=ON)
        heat = lambda org, source="auto": selectors.chart_meeting_heatmap(  # noqa: E731
            actor=self.li if org == self.branch_one else self.zhang, org=org, year=2025, on=ON, source=source)
        dues = lambda org, source="auto": selectors.chart_dues(  # noqa: E731
            actor=self.li if org == self.branch_one else self.zhang, org=org, year=2025, on=ON, source=source)
        self.assertEqual(heat(self.branch_one)["rows"][0]["cells"][5]["branches_held"], 0)
        paid_before = dues(self.branch_one)["paid"]
        Meeting.objects.create(org=self.branch_one, kind="theme_day", title="六月主题党日", starts_at=local(2025, 6, 30, 8),
                               ends_at=local(2025, 6, 30, 9), state=Meeting.State.HELD)
        self.pay(self.A, [date(2025, 6, 1)], "10.00")
        june = heat(self.branch_one)["rows"][0]["cells"][5]
        self.assertEqual((june["branches_held"], june["rate"]), (1, 100.0))
        self.assertEqual(Decimal(dues(self.branch_one)["paid"]) - Decimal(paid_before), Decimal("10.00"))
        with mock.patch.object(rollups, "ROLLUP_MIN_ORGS", 2):
            township = dues(self.root)
            self.assertEqual((township["source"], township["as_of"]), ("rollup", ON.isoformat()))
            self.assertEqual(township["paid"], "22.50")  # as of the build, and labelled so
            self.assertEqual(dues(self.root, "live")["paid"], "32.50")
            rollups.build(on=ON)
            self.assertEqual(dues(self.root)["paid"], "32.50")


class RollupJobTests(RollupFixture):
    def test_the_nightly_job_runs_once_per_day_and_a_rebuild_gives_the_same_rows(self):
        first = tasks.org_stats_rollup(ON)
        self.assertEqual(first["date"], ON.isoformat())
        rows = sorted(OrgStatsMonthly.objects.values_list("org_id", "year", "month", "metric", "value"))
        self.assertTrue(rows)
        self.assertIsNone(tasks.org_stats_rollup(ON))  # same day: skipped
        rollups.build(on=ON)
        self.assertEqual(sorted(OrgStatsMonthly.objects.values_list("org_id", "year", "month", "metric", "value")),
                         rows)
        self.assertIsNotNone(tasks.org_stats_rollup(ON + timedelta(days=1)))

    def test_the_build_is_set_based(self):
        """A fixed number of statements whatever the number of members (no loop over members or orgs), but for
        the dues step's one statement per DUES_CHUNK member ids (20 at 1 M members)."""
        with CaptureQueriesContext(connection) as ctx:
            rollups.build(on=ON)
        self.assertLessEqual(len(ctx.captured_queries), 30)

    def test_the_dues_step_sliced_by_member_ids_gives_the_same_rows(self):
        """The dues step runs DUES_CHUNK member ids at a time (a province at once spills to disk for an hour):
        slices of one or two ids, so that a member's cells and a branch's members fall into different slices,
        give the rows of one statement over everyone, and leave no temporary table behind."""
        if not installed("dues"):
            self.skipTest("dues needed")
        dues = lambda: sorted(OrgStatsMonthly.objects.filter(metric__startswith="dues.")  # noqa: E731
                              .values_list("org_id", "year", "month", "metric", "value"))
        rollups.build(on=ON)
        whole = dues()
        self.assertTrue(any(v for *_k, v in whole))
        for chunk in (1, 2):
            with self.subTest(chunk=chunk), mock.patch.object(rollups, "DUES_CHUNK", chunk):
                rollups.build(on=ON)
                self.assertEqual(dues(), whole)
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {rollups._DUES_TMP}")  # dropped

    def test_rows_carry_the_org_region_and_path(self):
        self.root.__class__.objects.filter(pk=self.branch_one.pk).update(region_id=self.root.pk)
        rollups.build(on=ON)
        row = OrgStatsMonthly.objects.filter(org=self.branch_one).first()
        self.assertEqual((row.region_id, row.org_path, row.built_on), (self.root.pk, self.branch_one.path, ON))


class RollupPageTests(RollupFixture):
    def url(self, chart, **params):
        from urllib.parse import urlencode

        from django.urls import reverse

        return reverse("reports:dashboard_data", args=[chart]) + "?" + urlencode(params)

    def test_the_chart_endpoint_serves_the_rollup_with_its_date(self):
        from django.utils import timezone

        if not installed("care"):
            self.skipTest("care not installed")
        today = timezone.localdate()
        year = max(ON.year, today.year - 1)  # a year the roll-up built today covers
        from dangjian.care.models import CareVisit

        CareVisit.objects.filter(visited_on__year=2025).update(visited_on=date(year, 1, 20))
        rollups.build(on=today)
        r = self.web_as(self.zhang).get(self.url("care", org=self.root.id, year=year, source="rollup"))
        self.assertEqual(r.status_code, 200)
        data = r.json()["data"]
        self.assertEqual((data["source"], data["as_of"], data["money"]), ("rollup", today.isoformat(), "700.50"))

    def test_outsider_and_malformed_input(self):
        rollups.build(on=ON)
        count = OrgStatsMonthly.objects.count()
        r = self.web_as(self.wang).get(self.url("care", org=self.branch_one.id, year=2025, source="rollup"))
        self.assertEqual(r.status_code, 404)
        r = self.web_as(self.zhang).get(self.url("care", org=self.root.id, year=2025, source="nightly"))
        self.assertEqual(r.status_code, 400)
        self.assertIn("数据来源", r.json()["detail"])
        self.assertEqual(OrgStatsMonthly.objects.count(), count)
