"""The dues report's SQL aggregate gives exactly the figures of the per-member cells (the old Python walk)."""
from datetime import date
from decimal import Decimal

from django.test import TestCase

from dangjian.core.demo import seed_orgs
from dangjian.dues import demo as dues_demo
from dangjian.dues import selectors
from dangjian.dues.models import DuesBill, DuesExemption, DuesPayment, DuesPaymentMonth, DuesProfile
from dangjian.members.selectors import members_on_rolls

from .helpers import make_member

ZERO = Decimal("0.00")
D = Decimal


def python_report(*, org, year, on):
    """The report as computed before issue 13: every member × month through `member_cells`."""
    months = [date(year, m, 1) for m in range(1, 13)]
    current = on.replace(day=1)
    members = list(members_on_rolls(org).select_related("org"))
    data = selectors.load_dues_data([m.id for m in members], start=months[0], end=months[-1])
    rows = {}
    for m in members:
        row = rows.setdefault(m.org_id, {"members": 0, "due": ZERO, "paid": ZERO, "outstanding": ZERO,
                                         "advance": ZERO, "by_month": {mm: [ZERO, ZERO] for mm in months}})
        row["members"] += 1
        for c in selectors.member_cells(m, months, data, on=on):
            if c.month > current:
                if c.state == "paid":
                    row["advance"] += c.paid
                continue
            if c.state in ("paid", "due"):
                row["due"] += c.due or ZERO
                row["by_month"][c.month][0] += c.due or ZERO
            if c.state == "paid":
                row["paid"] += c.paid
                row["by_month"][c.month][1] += c.paid
            if c.state == "due":
                row["outstanding"] += c.due or ZERO
    return rows


def sql_report(*, actor, org, year, on):
    rows, total = selectors.dues_report(actor=actor, org=org, year=year, on=on)
    out = {r.org.id: {"members": r.members, "due": r.due, "paid": r.paid, "outstanding": r.outstanding,
                      "advance": r.advance, "by_month": {k: list(v) for k, v in r.by_month.items()}} for r in rows}
    return out, total


class ReportSqlEqualityTests(TestCase):
    def assertSameReport(self, actor, org, year, on):
        expected = python_report(org=org, year=year, on=on)
        got, total = sql_report(actor=actor, org=org, year=year, on=on)
        self.assertEqual(got, expected)
        self.assertEqual(total.due, sum((r["due"] for r in expected.values()), ZERO))
        self.assertEqual(total.outstanding, total.due - total.paid)
        return got, total

    def test_demo_data(self):
        ctx = seed_orgs()
        branch = ctx.orgs["绿博家苑第一党支部"]
        for i in range(40):
            make_member(branch, f"党员{i:02d}", joined_on=date(1960 + i, 3, 1 + i % 27), is_retired=i % 3 == 0,
                        in_hardship=i % 7 == 0, birth_date=date(1940 + i, 1 + i % 12, 1 + i % 28))
        make_member(branch, "新同志", joined_on=date.today().replace(day=1), stage="probationary")
        dues_demo.seed(ctx)
        year, on = date.today().year, date.today()
        got, total = self.assertSameReport(ctx.users["zhang"], ctx.root, year, on)
        self.assertGreater(total.paid, 0)
        self.assertGreater(total.outstanding, 0)
        self.assertEqual(total.members, 41)
        # and for the previous year, whose months have all begun
        self.assertSameReport(ctx.users["zhang"], ctx.root, year - 1, on)

    def test_edge_cases_bills_exemptions_reversals_advance(self):
        ctx = seed_orgs()
        one, two = ctx.orgs["绿博家苑第一党支部"], ctx.orgs["绿博家苑第二党支部"]
        on = date(2026, 6, 15)
        a = make_member(one, "甲")
        b = make_member(one, "乙")
        c = make_member(two, "丙", joined_on=date(2026, 3, 20))  # R-DUES-START: from March
        d = make_member(two, "丁")  # no base at all: nothing due
        make_member(two, "戊", stage="applicant")  # not on the rolls

        def profile(m, since, amount):
            DuesProfile.objects.create(member=m, year=since.year, effective_from=since, category="employed",
                                       monthly_amount=D(amount))

        def pay(m, months, amount, *, kind="payment", reverses=None, generation=0, voluntary="0"):
            sign = -1 if kind == "reversal" else 1
            p = DuesPayment.objects.create(member=m, org=m.org, paid_on=date(2026, 2, 1), method="cash", kind=kind,
                                           amount=D(amount) * len(months) * sign, reverses=reverses,
                                           voluntary=D(voluntary))
            for mm in months:
                DuesPaymentMonth.objects.create(payment=p, member=m, month=mm, amount=D(amount) * sign, kind=kind,
                                                generation=generation)
            return p

        def exempt(m, start, end, amount, revoked_on=None):
            DuesExemption.objects.create(member=m, from_month=start, to_month=end, monthly_amount=D(amount),
                                         reason="困难", branch_decided_on=start, approved_on=start,
                                         approval_ref="批", revoked_on=revoked_on)

        profile(a, date(2025, 1, 1), "10.00")
        profile(a, date(2026, 4, 1), "15.50")
        pay(a, [date(2026, 1, 1), date(2026, 2, 1)], "10.00", voluntary="5.00")
        pay(a, [date(2026, 8, 1)], "15.50")  # in advance
        profile(b, date(2024, 1, 1), "5.00")
        first = pay(b, [date(2026, 1, 1)], "5.00")
        pay(b, [date(2026, 1, 1)], "5.00", kind="reversal", reverses=first)
        exempt(b, date(2026, 2, 1), date(2026, 3, 1), "0")  # waived
        exempt(b, date(2026, 4, 1), date(2026, 12, 1), "2.00", revoked_on=date(2026, 6, 3))  # April–May reduced
        exempt(b, date(2026, 5, 1), date(2026, 5, 1), "9.00")  # later and higher: the earlier one wins
        profile(c, date(2026, 3, 1), "3.30")
        DuesBill.objects.create(member=c, org=two, month=date(2026, 4, 1), category="employed", amount=D("3.30"),
                                rule="R-DUES-BRACKET", due=D("1.11"), issued_on=on)
        DuesBill.objects.create(member=c, org=two, month=date(2026, 5, 1), category="employed", amount=D("3.30"),
                                rule="R-DUES-BRACKET", due=D("0"), state="exempt", issued_on=on)
        got, total = self.assertSameReport(ctx.users["zhang"], ctx.root, 2026, on)
        self.assertEqual(got[one.id]["advance"], D("15.50"))
        self.assertEqual(got[one.id]["members"], 2)
        self.assertEqual(got[two.id]["members"], 2)
        # 丙: March 3.30, April the bill's 1.11, May exempt bill, June 3.30
        self.assertEqual(got[two.id]["due"], D("7.71"))
        self.assertEqual(total.voluntary, D("5.00"))
        self.assertIsNotNone(d)

    def test_base_segments_and_exceptions_meeting_payments(self):
        """The sums skip the member × month product: every cell must still fall in exactly one base segment
        (before the first base, between bases, after the last) and an exception (bill, exemption) must be
        undone where the month is paid."""
        ctx = seed_orgs()
        one, two = ctx.orgs["绿博家苑第一党支部"], ctx.orgs["绿博家苑第二党支部"]
        on = date(2026, 9, 10)
        late = make_member(one, "迟")  # first base from May; January and June paid
        never = make_member(one, "无")  # no base at all, one month paid anyway
        billed = make_member(two, "账")  # paid months that have bills, one reduced, one exempt
        old = make_member(two, "旧")  # bases from earlier years, re-based twice this year
        twice = make_member(two, "双")  # the same month paid in two regions (only the ledger knows)
        stray = make_member(two, "散", joined_on=date(2026, 6, 5))  # paid before joining: not counted
        nodate = make_member(two, "缺", joined_on=None)  # on the rolls without a joining date: no cells

        def profile(m, since, amount):
            DuesProfile.objects.create(member=m, year=since.year, effective_from=since, category="employed",
                                       monthly_amount=D(amount))

        def pay(m, months, amount, region_id=None, kind="payment", generation=0):
            sign = -1 if kind == "reversal" else 1
            p = DuesPayment.objects.create(member=m, org=m.org, paid_on=date(2026, 2, 1), method="cash",
                                           amount=D(amount) * len(months) * sign, kind=kind,
                                           region_id=region_id or m.region_id)
            for mm in months:
                DuesPaymentMonth.objects.create(payment=p, member=m, month=mm, amount=D(amount) * sign,
                                                region_id=p.region_id, kind=kind, generation=generation)

        profile(late, date(2026, 5, 1), "4.00")
        pay(late, [date(2026, 1, 1), date(2026, 6, 1)], "4.00")
        pay(never, [date(2026, 3, 1)], "1.00")
        profile(billed, date(2020, 1, 1), "6.00")
        for month, due, state in ((date(2026, 2, 1), "6.00", "paid"), (date(2026, 3, 1), "2.50", "open"),
                                  (date(2026, 4, 1), "0", "exempt"), (date(2026, 5, 1), "2.50", "open")):
            DuesBill.objects.create(member=billed, org=two, month=month, category="employed", amount=D("6.00"),
                                    rule="R-DUES-BRACKET", due=D(due), state=state, issued_on=on)
        pay(billed, [date(2026, 2, 1), date(2026, 3, 1)], "6.00")
        DuesExemption.objects.create(member=billed, from_month=date(2026, 7, 1), to_month=date(2026, 8, 1),
                                     monthly_amount=D("1.00"), reason="困难", branch_decided_on=on,
                                     approved_on=on, approval_ref="批")
        pay(billed, [date(2026, 7, 1)], "1.00")
        profile(old, date(2019, 1, 1), "2.00")
        profile(old, date(2024, 6, 1), "3.00")
        profile(old, date(2026, 3, 1), "5.00")
        profile(old, date(2026, 8, 1), "7.00")
        pay(old, [date(2026, 2, 1), date(2026, 3, 1), date(2026, 8, 1), date(2026, 10, 1)], "5.00")
        profile(twice, date(2025, 1, 1), "3.00")
        pay(twice, [date(2026, 4, 1)], "3.00")
        pay(twice, [date(2026, 4, 1)], "3.00", region_id=two.region_id + 1000 if two.region_id else 999)
        profile(stray, date(2026, 1, 1), "2.00")
        pay(stray, [date(2026, 2, 1), date(2026, 7, 1)], "2.00")
        profile(nodate, date(2026, 1, 1), "2.00")
        got, total = self.assertSameReport(ctx.users["zhang"], ctx.root, 2026, on)
        # 迟: January paid 4.00 (no base then), May–September 4.00 each, June paid
        self.assertEqual(got[one.id]["by_month"][date(2026, 1, 1)], [D("4.00"), D("4.00")])
        self.assertEqual(got[one.id]["by_month"][date(2026, 2, 1)], [ZERO, ZERO])
        self.assertEqual(got[one.id]["by_month"][date(2026, 3, 1)], [D("1.00"), D("1.00")])  # 无 paid
        self.assertEqual(got[one.id]["by_month"][date(2026, 5, 1)], [D("4.00"), ZERO])
        # the same month paid twice counts at what was paid, like member_cells
        self.assertEqual(got[two.id]["by_month"][date(2026, 4, 1)][1], D("6.00"))
        self.assertEqual(got[two.id]["advance"], D("5.00"))  # 旧's October
        self.assertSameReport(ctx.users["zhang"], one, 2026, on)
        self.assertSameReport(ctx.users["zhang"], ctx.root, 2025, on)
        # the dashboard's chart shares the SQL: the same months, bills and exemptions included
        from dangjian.reports.selectors_dues import chart_dues_sql

        chart = chart_dues_sql(actor=ctx.users["zhang"], org=ctx.root, year=2026, on=on)
        begun = {m: v for m, v in total.by_month.items() if m <= date(2026, 9, 1)}
        self.assertEqual({date(2026, c["month"], 1): [D(c["due"]), D(c["paid"])] for c in chart["months"]
                          if c["month"] <= 9}, begun)
        self.assertEqual((D(chart["due"]), D(chart["paid"]), D(chart["outstanding"])),
                         (total.due, total.paid, total.outstanding))
