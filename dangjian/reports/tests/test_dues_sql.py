"""The dues chart's SQL aggregate gives the same numbers as the dues app's per-member report (the old way)."""
from datetime import date
from decimal import Decimal
from unittest import skipUnless

from django.core.exceptions import PermissionDenied
from django.http import Http404

from dangjian.reports import rules, selectors

from .helpers import ON, ReportsFixture, installed, member


def old_chart(*, actor, org, year, on):
    """The chart as it was computed before (dues_report walks every member's months in Python)."""
    from dangjian.dues.selectors import dues_report

    _rows, total = dues_report(actor=actor, org=org, year=year, on=on)
    months = [{"month": m.month, "due": f"{d:.2f}", "paid": f"{p:.2f}"} for m, (d, p) in sorted(total.by_month.items())]
    return {"year": year, "months": months, "members": total.members, "due": f"{total.due:.2f}",
            "paid": f"{total.paid:.2f}", "outstanding": f"{total.outstanding:.2f}",
            "paid_rate": rules.rate(int(total.paid * 100), int(total.due * 100))}


D = Decimal


@skipUnless(installed("dues"), "dues not installed")
class DuesSqlTests(ReportsFixture):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from dangjian.dues.models import DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile

        def profile(m, since, amount):
            DuesProfile.objects.create(member=m, year=since.year, effective_from=since, category="employed",
                                       monthly_amount=D(amount))

        def pay(m, months, amount, *, kind="payment", paid_on=date(2025, 6, 1), reverses=None, generation=0):
            sign = -1 if kind == "reversal" else 1
            p = DuesPayment.objects.create(member=m, org=m.org, paid_on=paid_on, method="cash", kind=kind,
                                           amount=D(amount) * len(months) * sign, reverses=reverses)
            for mm in months:
                DuesPaymentMonth.objects.create(payment=p, member=m, month=mm, amount=D(amount) * sign, kind=kind,
                                                generation=generation)
            return p

        def exempt(m, start, end, amount, revoked_on=None):
            DuesExemption.objects.create(member=m, from_month=start, to_month=end, monthly_amount=D(amount),
                                         reason="困难", branch_decided_on=start, approved_on=start, approval_ref="批",
                                         revoked_on=revoked_on)

        A, B, C, F, H, I = cls.A, cls.B, cls.C, cls.F, cls.H, cls.I
        # A: a base from January, re-based in April; January to March paid.
        profile(A, date(2025, 1, 1), "10.00")
        profile(A, date(2025, 4, 1), "15.50")
        pay(A, [date(2025, m, 1) for m in (1, 2, 3)], "10.00")
        # B: last year's base still in force; January paid, reversed, paid again; February–March waived;
        # a reduced amount from April, revoked in June (so April–May only).
        profile(B, date(2024, 1, 1), "5.00")
        first = pay(B, [date(2025, 1, 1)], "5.00")
        pay(B, [date(2025, 1, 1)], "5.00", kind="reversal", reverses=first)
        pay(B, [date(2025, 1, 1)], "5.00", generation=1)
        exempt(B, date(2025, 2, 1), date(2025, 3, 1), "0")
        exempt(B, date(2025, 4, 1), date(2025, 12, 1), "2.00", revoked_on=date(2025, 6, 15))
        # C: joined 2025-01-10; paid January to July (July is in advance on ON).
        profile(C, date(2025, 1, 1), "0.20")
        pay(C, [date(2025, m, 1) for m in range(1, 8)], "0.20")
        # F: no base at all, but January waived.
        exempt(F, date(2025, 1, 1), date(2025, 1, 1), "0")
        # H: two exemptions over March–April (a revoked one from January first), base 3.00.
        profile(H, date(2025, 1, 1), "3.00")
        exempt(H, date(2025, 1, 1), date(2025, 12, 1), "1.00", revoked_on=date(2025, 5, 10))
        exempt(H, date(2025, 3, 1), date(2025, 4, 1), "0.50")
        # I: last December and this June paid.
        profile(I, date(2024, 9, 1), "1.00")
        pay(I, [date(2024, 12, 1), date(2025, 6, 1)], "1.00")
        # J: joined in April, a stray ledger month in February (before the start month: not counted).
        cls.J = member(cls.branch_two, "癸", gender="M", born=date(1990, 1, 1), stage="probationary",
                       joined=date(2025, 4, 20))
        profile(cls.J, date(2025, 4, 1), "2.00")
        pay(cls.J, [date(2025, 2, 1)], "2.00")

    def test_sql_aggregate_equals_the_per_member_report(self):
        cases = [(self.zhang, self.root, 2025, ON), (self.zhang, self.root, 2025, date(2025, 12, 31)),
                 (self.zhang, self.root, 2025, date(2025, 1, 15)), (self.zhang, self.root, 2024, ON),
                 (self.li, self.branch_one, 2025, ON), (self.wang, self.branch_two, 2025, ON),
                 (self.zhang, self.other_branch, 2025, ON), (self.zhang, self.root, 2026, ON)]
        for actor, org, year, on in cases:
            with self.subTest(org=org.name, year=year, on=on):
                new = selectors.chart_dues(actor=actor, org=org, year=year, on=on)
                self.assertEqual(new.pop("source"), "live")
                self.assertEqual(new, old_chart(actor=actor, org=org, year=year, on=on))

    def test_known_numbers(self):
        c = selectors.chart_dues(actor=self.zhang, org=self.root, year=2025, on=ON)
        by_month = {m["month"]: (m["due"], m["paid"]) for m in c["months"]}
        # January: A 10 paid, B 5 paid (after the reversal), C 0.20 paid, F waived, H 1.00 reduced, I 1.00 due.
        self.assertEqual(by_month[1], ("17.20", "15.20"))
        # April: A 15.50, B 2.00 reduced, C 0.20 paid, H 1.00 (the earlier exemption wins), I 1.00, J 2.00.
        self.assertEqual(by_month[4], ("21.70", "0.20"))
        self.assertEqual(by_month[7], ("0.00", "0.00"))
        self.assertEqual(c["members"], 7)

    def test_query_count_does_not_grow_with_members(self):
        from django.db import connection

        # scope checks, the count, the aggregate; PostgreSQL adds its savepoint (inside the test's transaction)
        # and the statements of LOCAL settings before and after the aggregate (dues.report_sql.aggregate_settings)
        expected = 8 if connection.vendor == "postgresql" else 4
        with self.assertNumQueries(expected):
            selectors.chart_dues(actor=self.zhang, org=self.root, year=2025, on=ON, source="live")
        for i in range(5):
            member(self.branch_two, f"新{i}", gender="M", born=date(1990, 1, 1), joined=date(2020, 1, 1))
        self.zhang.__dict__.pop("_dj_roles", None)  # as a new request: the scope is looked up again
        with self.assertNumQueries(expected):
            selectors.chart_dues(actor=self.zhang, org=self.root, year=2025, on=ON, source="live")

    def test_the_nightly_rollup_gives_the_same_chart(self):
        """Exemptions, reversals, base changes and late joiners summed per org at night (rollups.py) and back
        over the subtree: the same chart as counted live, at every level and cut-off date."""
        from dangjian.reports import rollups

        cases = [(self.root, 2025, ON), (self.root, 2024, ON), (self.branch_one, 2025, ON),
                 (self.branch_two, 2025, ON), (self.other_branch, 2025, ON), (self.root, 2025, date(2025, 12, 31)),
                 (self.root, 2025, date(2025, 1, 15))]
        for org, year, on in cases:
            rollups.build(on=on)
            with self.subTest(org=org.name, year=year, on=on):
                live = selectors.chart_dues(actor=self.zhang, org=org, year=year, on=on, source="live")
                rolled = selectors.chart_dues(actor=self.zhang, org=org, year=year, on=on, source="rollup")
                self.assertEqual((live.pop("source"), rolled.pop("source"), rolled.pop("as_of")),
                                 ("live", "rollup", on.isoformat()))
                self.assertEqual(rolled, live)

    def test_outsider_and_plain_member_are_refused(self):
        with self.assertRaises(Http404):
            selectors.chart_dues(actor=self.wang, org=self.branch_one, year=2025, on=ON)
        with self.assertRaises((Http404, PermissionDenied)):
            selectors.chart_dues(actor=self.zhao, org=self.branch_one, year=2025, on=ON)
