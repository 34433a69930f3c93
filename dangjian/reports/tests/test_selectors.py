"""Every dashboard chart's selector, with exact numbers on the fixture (tests/helpers.py)."""
from datetime import date
from decimal import Decimal
from unittest import skipUnless

from django.http import Http404

from dangjian.reports import selectors
from dangjian.reports.services import member_stats_compute

from .helpers import ON, ReportsFixture, installed, local


def values(chart) -> dict:
    return {i["code"]: i["value"] for i in chart["items"]}


class MemberChartTests(ReportsFixture):
    def test_members_by_stage_counts_active_people_of_every_stage(self):
        c = selectors.chart_members_by_stage(actor=self.zhang, org=self.root, on=ON, source="live")
        self.assertEqual(values(c), {"applicant": 1, "activist": 1, "candidate": 0, "probationary": 2, "full": 4})
        self.assertEqual((c["total"], c["source"]), (8, "live"))
        c = selectors.chart_members_by_stage(actor=self.li, org=self.branch_one, on=ON)
        self.assertEqual(values(c), {"applicant": 1, "activist": 0, "candidate": 0, "probationary": 1, "full": 2})

    def test_members_by_gender_counts_members_on_the_rolls(self):
        c = selectors.chart_members_by_gender(actor=self.zhang, org=self.root, on=ON)
        self.assertEqual(values(c), {"M": 3, "F": 3})
        self.assertEqual([i["label"] for i in c["items"]], ["男", "女"])

    def test_members_by_age_bands_at_the_date(self):
        c = selectors.chart_members_by_age(actor=self.zhang, org=self.root, on=ON)
        # B turns 35 on ON itself: 35-45; A is 34 the day before her birthday: under 35.
        self.assertEqual(values(c), {"lt35": 3, "35-45": 1, "46-55": 0, "56-65": 1, "gt65": 1})
        # The day before, B is still 34 and F (born 1959-06-30) still 65.
        c = selectors.chart_members_by_age(actor=self.zhang, org=self.root, on=date(2025, 6, 29))
        self.assertEqual(values(c), {"lt35": 4, "35-45": 0, "46-55": 0, "56-65": 2, "gt65": 0})

    def test_members_by_education_shows_missing_only_when_there_is_some(self):
        c = selectors.chart_members_by_education(actor=self.zhang, org=self.root, on=ON)
        self.assertEqual(values(c), {"postgraduate": 1, "bachelor": 2, "college": 1, "secondary": 0,
                                     "high_school": 1, "junior": 0, "": 1})
        c = selectors.chart_members_by_education(actor=self.wang, org=self.branch_two, on=ON)
        self.assertNotIn("", values(c))
        self.assertEqual(c["total"], 2)

    def test_members_by_party_years_counts_full_members_from_the_full_date(self):
        c = selectors.chart_members_by_party_years(actor=self.zhang, org=self.root, on=ON)
        self.assertEqual(values(c), {"lt10": 1, "10-29": 2, "30-49": 0, "50+": 1})
        self.assertEqual(c["total"], 4)

    def test_members_by_child_gives_one_bar_per_child_for_drill_down(self):
        c = selectors.chart_members_by_child(actor=self.zhang, org=self.root, on=ON)
        rows = [(r["org_id"], r["full"], r["probationary"], r["activist"], r["total"], r["drill"]) for r in c["rows"]]
        self.assertEqual(rows, [(self.community.id, 3, 2, 1, 5, True), (self.other_branch.id, 1, 0, 0, 1, True)])
        c = selectors.chart_members_by_child(actor=self.zhang, org=self.community, on=ON)
        rows = [(r["name"], r["full"], r["probationary"], r["activist"]) for r in c["rows"]]
        self.assertEqual(rows, [("第一党支部", 2, 1, 0), ("第二党支部", 1, 1, 1)])
        self.assertEqual(selectors.chart_members_by_child(actor=self.li, org=self.branch_one, on=ON)["rows"], [])

    def test_rollup_gives_the_same_numbers_as_live(self):
        member_stats_compute(on=ON)
        for fn in (selectors.chart_members_by_stage, selectors.chart_members_by_gender, selectors.chart_members_by_age,
                   selectors.chart_members_by_education, selectors.chart_members_by_party_years):
            for org in (self.root, self.community, self.branch_one, self.other_branch):
                live = fn(actor=self.zhang, org=org, on=ON, source="live")
                rolled = fn(actor=self.zhang, org=org, on=ON, source="auto")
                self.assertEqual(rolled["items"], live["items"], (fn.__name__, org.name))
                self.assertEqual(rolled["source"], "rollup" if live["total"] else "live")
        for org in (self.root, self.community):
            live = selectors.chart_members_by_child(actor=self.zhang, org=org, on=ON, source="live")
            rolled = selectors.chart_members_by_child(actor=self.zhang, org=org, on=ON, source="rollup")
            self.assertEqual(rolled["rows"], live["rows"])
            self.assertEqual(rolled["source"], "rollup")

    def test_rollup_equals_live_when_children_sit_in_different_regions(self):
        """The roll-up is read by (region, org): with the community made a county-level region of its own
        (its branches and members carry its id), the root's bars come from two regions."""
        from dangjian.members.models import Member
        from dangjian.orgs.models import Org

        community = self.community
        Org.objects.filter(pk=community.pk).update(is_region=True)
        Org.objects.filter(path__startswith=community.path).update(region_id=community.pk)
        Member.objects.filter(org__path__startswith=community.path).update(region_id=community.pk)
        root, community = Org.objects.get(pk=self.root.pk), Org.objects.get(pk=community.pk)
        member_stats_compute(on=ON)
        for org in (root, community):
            live = selectors.chart_members_by_child(actor=self.zhang, org=org, on=ON, source="live")
            rolled = selectors.chart_members_by_child(actor=self.zhang, org=org, on=ON, source="rollup")
            self.assertEqual(rolled["rows"], live["rows"], org.name)
            self.assertEqual(rolled["source"], "rollup")
        self.assertEqual([r["full"] for r in rolled["rows"]], [2, 1])  # not an empty chart
        for org in (root, community, Org.objects.get(pk=self.branch_one.pk)):
            live = selectors.chart_members_by_stage(actor=self.zhang, org=org, on=ON, source="live")
            rolled = selectors.chart_members_by_stage(actor=self.zhang, org=org, on=ON, source="auto")
            self.assertEqual((rolled["items"], rolled["source"]), (live["items"], "rollup"), org.name)

    def test_member_charts_read_the_rollup_in_one_query(self):
        member_stats_compute(on=ON)
        self.zhang.__dict__.pop("_dj_roles", None)
        selectors.chart_members_by_stage(actor=self.zhang, org=self.root, on=ON)  # caches the roles
        with self.assertNumQueries(1):
            selectors.chart_members_by_age(actor=self.zhang, org=self.root, on=ON)
        with self.assertNumQueries(2):  # children + roll-up rows
            selectors.chart_members_by_child(actor=self.zhang, org=self.root, on=ON)

    def test_live_member_charts_are_one_grouped_query_each(self):
        selectors.chart_members_by_stage(actor=self.zhang, org=self.root, on=ON, source="live")
        for fn in (selectors.chart_members_by_gender, selectors.chart_members_by_age,
                   selectors.chart_members_by_education, selectors.chart_members_by_party_years):
            with self.assertNumQueries(2):  # the region lookup of members_in_subtree + the GROUP BY
                fn(actor=self.zhang, org=self.root, on=ON, source="live")

    def test_outsider_gets_404(self):
        for fn in (selectors.chart_members_by_stage, selectors.chart_members_by_child):
            with self.assertRaises(Http404):
                fn(actor=self.wang, org=self.branch_one, on=ON)
        with self.assertRaises(Http404):
            selectors.dashboard(actor=self.zhao, org=self.branch_one, year=2025)


@skipUnless(installed("recruitment"), "recruitment not installed")
class RecruitmentFunnelTests(ReportsFixture):
    def test_funnel_counts_active_files_by_stage_and_overdue(self):
        from dangjian.recruitment.models import RecruitmentRecord

        RecruitmentRecord.objects.create(member=self.D)
        RecruitmentRecord.objects.create(member=self.G, deadline_on=date(2025, 6, 29))
        RecruitmentRecord.objects.create(member=self.C, deadline_on=ON)
        RecruitmentRecord.objects.create(member=self.I, state=RecruitmentRecord.State.COMPLETED)
        c = selectors.chart_recruitment_funnel(actor=self.zhang, org=self.root, on=ON)
        self.assertEqual(values(c), {"applicant": 1, "activist": 1, "candidate": 0, "probationary": 1})
        self.assertEqual(c["overdue"], 1)
        c = selectors.chart_recruitment_funnel(actor=self.li, org=self.branch_one, on=ON)
        self.assertEqual(values(c), {"applicant": 1, "activist": 0, "candidate": 0, "probationary": 1})


@skipUnless(installed("meetings"), "meetings not installed")
class MeetingHeatmapTests(ReportsFixture):
    def test_share_of_branches_holding_a_theme_day_each_month(self):
        from dangjian.meetings.models import Meeting

        def held(org, kind, y, m, d):
            Meeting.objects.create(org=org, kind=kind, title="会", starts_at=local(y, m, d), ends_at=local(y, m, d, 11),
                                   state=Meeting.State.HELD)

        held(self.branch_one, "theme_day", 2025, 3, 10)
        held(self.branch_one, "assembly", 2025, 3, 20)
        held(self.branch_two, "theme_day", 2025, 4, 1)
        held(self.branch_two, "theme_day", 2025, 4, 30)
        held(self.branch_two, "theme_day", 2024, 12, 31)  # another year
        Meeting.objects.create(org=self.other_branch, kind="theme_day", title="计划", starts_at=local(2025, 5, 5),
                               ends_at=local(2025, 5, 5, 11))  # planned, not held
        c = selectors.chart_meeting_heatmap(actor=self.zhang, org=self.root, year=2025, on=ON)
        community, other = c["rows"]
        self.assertEqual((community["org_id"], community["branches"], other["branches"]), (self.community.id, 2, 1))
        cells = {x["month"]: (x["meetings"], x["branches_held"], x["rate"]) for x in community["cells"]}
        self.assertEqual(cells[3], (2, 1, 50.0))
        self.assertEqual(cells[4], (2, 1, 50.0))
        self.assertEqual(cells[1], (0, 0, 0.0))
        self.assertEqual(cells[7], (0, 0, None))  # after ON: not rated
        self.assertEqual([x["rate"] for x in other["cells"]][:6], [0.0] * 6)
        c = selectors.chart_meeting_heatmap(actor=self.li, org=self.branch_one, year=2025, on=ON)
        self.assertEqual(len(c["rows"]), 1)
        self.assertEqual(c["rows"][0]["cells"][2]["rate"], 100.0)
        self.assertFalse(c["rows"][0]["drill"])


@skipUnless(installed("points"), "points not installed")
class PointsChartTests(ReportsFixture):
    def test_top_and_bottom_branches_with_the_points_formula(self):
        from dangjian.points.models import PointEntry, PointRule, PointRuleVersion

        rule = PointRule.objects.create(org=self.root, code="T1")
        version = PointRuleVersion.objects.create(rule=rule, version=1, name="参加活动", category="org_life",
                                                  points=Decimal("10"), valid_from=date(2020, 1, 1))
        PointEntry.objects.create(member=self.A, org=self.branch_one, rule=rule, rule_version=version, rule_code="T1",
                                  category="org_life", points=Decimal("10"), occurred_on=ON, period="2025Q2",
                                  status=PointEntry.Status.APPROVED)
        PointEntry.objects.create(member=self.F, org=self.branch_two, rule=rule, rule_version=version, rule_code="T1",
                                  category="org_life", points=Decimal("-4"), occurred_on=ON, period="2025Q2",
                                  status=PointEntry.Status.APPROVED)
        c = selectors.chart_points_branches(actor=self.zhang, org=self.root, n=2, on=ON)
        self.assertEqual(c["period"], "2025Q2")
        # branch one: 100 + 10 / 3 members on the rolls; branch two: 100 - 4 / 2; 机关: 100 + 0 / 1.
        self.assertEqual([(r["name"], r["score"], r["rank"]) for r in c["top"]],
                         [("第一党支部", 103.33, 1), ("机关党支部", 100.0, 2)])
        self.assertEqual([(r["name"], r["score"], r["rank"]) for r in c["bottom"]], [("第二党支部", 98.0, 3)])
        self.assertEqual(c["count"], 3)


@skipUnless(installed("volunteers"), "volunteers not installed")
class VolunteerChartTests(ReportsFixture):
    def test_registration_rate_and_hours_per_child(self):
        from dangjian.volunteers.models import Activity, HoursEntry, VolunteerProfile

        v = VolunteerProfile.objects.create(org=self.branch_one, member=self.A, name="甲")
        VolunteerProfile.objects.create(org=self.branch_two, member=self.G, name="庚")  # an activist: not counted
        act = Activity.objects.create(org=self.branch_one, title="清扫", place="小区", starts_at=local(2025, 3, 1),
                                      ends_at=local(2025, 3, 1, 12), headcount=5)
        HoursEntry.objects.create(org=self.branch_one, volunteer=v, activity=act, served_on=date(2025, 3, 1),
                                  hours=Decimal("2.50"))
        HoursEntry.objects.create(org=self.branch_one, volunteer=v, activity=act, served_on=date(2024, 3, 1),
                                  hours=Decimal("9"))
        c = selectors.chart_volunteers(actor=self.zhang, org=self.root, year=2025)
        rows = [(r["org_id"], r["eligible"], r["registered"], r["rate"], r["hours"]) for r in c["rows"]]
        self.assertEqual(rows, [(self.community.id, 5, 1, 20.0, 2.5), (self.other_branch.id, 1, 0, 0.0, 0.0)])
        self.assertEqual((c["eligible"], c["registered"], c["rate"], c["hours"]), (6, 1, 16.7, 2.5))


@skipUnless(installed("petitions"), "petitions not installed")
class PetitionChartTests(ReportsFixture):
    def test_received_resolved_and_on_time_by_month(self):
        from dangjian.petitions.models import Petition, PetitionStep

        def petition(code, received, state, resolved=None):
            return Petition.objects.create(
                org=self.branch_one, channel="phone", title="路灯", content="坏了", tracking_code=code, state=state,
                received_on=received, resolved=resolved, contact_due=received, accept_due=received,
                handle_due=received, feedback_due=received)

        petition("P1", date(2025, 1, 5), "closed", True)
        p2 = petition("P2", date(2025, 1, 9), "closed", True)
        PetitionStep.objects.create(petition=p2, step="handle", done_on=date(2025, 1, 20), due=date(2025, 1, 15),
                                    late=True)
        petition("P3", date(2025, 2, 1), "new")
        petition("P4", date(2024, 12, 1), "closed", False)
        c = selectors.chart_petitions(actor=self.zhang, org=self.root, year=2025)
        jan, feb = c["months"][0], c["months"][1]
        self.assertEqual(jan, {"month": 1, "received": 2, "closed": 2, "resolved": 2, "on_time": 1})
        self.assertEqual(feb, {"month": 2, "received": 1, "closed": 0, "resolved": 0, "on_time": 0})
        self.assertEqual((c["received"], c["closed"], c["resolved"], c["on_time"]), (3, 2, 2, 1))
        self.assertEqual((c["resolved_rate"], c["on_time_rate"]), (66.7, 50.0))


@skipUnless(installed("dues"), "dues not installed")
class DuesChartTests(ReportsFixture):
    def test_due_and_paid_per_month_from_the_dues_report(self):
        from dangjian.dues.models import DuesPayment, DuesPaymentMonth, DuesProfile

        DuesProfile.objects.create(member=self.A, year=2025, effective_from=date(2025, 1, 1), category="employed",
                                   monthly_amount=Decimal("10.00"))
        pay = DuesPayment.objects.create(member=self.A, org=self.branch_one, paid_on=date(2025, 3, 31),
                                         method="cash", amount=Decimal("30.00"))
        for m in (1, 2, 3):
            DuesPaymentMonth.objects.create(payment=pay, member=self.A, month=date(2025, m, 1), amount=Decimal("10.00"))
        c = selectors.chart_dues(actor=self.zhang, org=self.root, year=2025, on=ON)
        self.assertEqual([(m["month"], m["due"], m["paid"]) for m in c["months"][:7]],
                         [(1, "10.00", "10.00"), (2, "10.00", "10.00"), (3, "10.00", "10.00"), (4, "10.00", "0.00"),
                          (5, "10.00", "0.00"), (6, "10.00", "0.00"), (7, "0.00", "0.00")])
        self.assertEqual((c["due"], c["paid"], c["outstanding"], c["paid_rate"]), ("60.00", "30.00", "30.00", 50.0))


@skipUnless(installed("care"), "care not installed")
class CareChartTests(ReportsFixture):
    def test_visits_and_money_per_month(self):
        from dangjian.care.models import CareVisit

        CareVisit.objects.create(org=self.branch_one, member=self.A, occasion="spring_festival",
                                 visited_on=date(2025, 1, 20), visitors="张", money=Decimal("500"))
        CareVisit.objects.create(org=self.branch_two, member=self.F, occasion="illness", visited_on=date(2025, 2, 3),
                                 visitors="王", money=Decimal("200.50"))
        CareVisit.objects.create(org=self.branch_two, member=self.F, occasion="illness", visited_on=date(2024, 2, 3),
                                 visitors="王", money=Decimal("99"))
        c = selectors.chart_care(actor=self.zhang, org=self.root, year=2025)
        self.assertEqual(c["months"][:3], [{"month": 1, "visits": 1, "money": "500.00"},
                                           {"month": 2, "visits": 1, "money": "200.50"},
                                           {"month": 3, "visits": 0, "money": "0.00"}])
        self.assertEqual((c["visits"], c["money"]), (2, "700.50"))
        c = selectors.chart_care(actor=self.wang, org=self.branch_two, year=2025)
        self.assertEqual((c["visits"], c["money"]), (1, "200.50"))


class DashboardTests(ReportsFixture):
    def test_dashboard_has_every_available_chart(self):
        d = selectors.dashboard(actor=self.zhang, org=self.root, year=2025, on=ON)
        self.assertEqual(list(d), selectors.charts_available())
        self.assertEqual(d["members_by_stage"]["total"], 8)
