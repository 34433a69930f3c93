"""Payments, bases, exemptions and the ledger, at the service level with a fixed `today`."""
from datetime import date
from decimal import Decimal

from django.http import Http404

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.models import AuditEvent
from dangjian.core.testing import PersonaTestCase
from dangjian.dues import selectors, services
from dangjian.dues.models import DuesExemption, DuesPayment, DuesPaymentMonth, DuesPolicy, DuesProfile

from .helpers import make_member

TODAY = date(2026, 7, 15)


class DuesServiceTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.liu = make_member(cls.branch_one, "刘红梅", joined_on=date(2005, 3, 1))
        cls.new = make_member(cls.branch_one, "孙晓东", joined_on=date(2026, 5, 20), stage="probationary")
        cls.outsider = make_member(cls.branch_two, "钱立平")

    def base(self, member, category="employed", income="4000", month="2026-01", **kw):
        return services.dues_base_set(actor=self.li, member=member, category=category, income=income,
                                      effective_from=month, today=TODAY, **kw)

    def pay(self, member, months, amount=None, **kw):
        if amount is None:
            amount = str(Decimal("40.00") * len(months))
        kw.setdefault("method", "cash")
        return services.dues_payment_record(actor=self.li, member=member, months=months, amount=amount,
                                            today=TODAY, **kw)


class BaseTests(DuesServiceTestCase):
    def test_base_computes_amount_and_is_audited(self):
        p = self.base(self.liu, income="3000.01")
        self.assertEqual((p.rate, p.monthly_amount), (Decimal("0.0100"), Decimal("30.00")))
        self.assertTrue(AuditEvent.objects.filter(verb="dues.base_set", target_id=str(p.id)).exists())

    def test_midyear_rebase_needs_reason_and_is_audited(self):
        self.base(self.liu)
        with self.assertRaises(DomainError) as ctx:
            self.base(self.liu, income="6000", month="2026-08")
        self.assertEqual(ctx.exception.rule, "R-DUES-REBASE")
        p = self.base(self.liu, income="6000", month="2026-08", reason="调任新岗位，工资调整")
        self.assertEqual(p.monthly_amount, Decimal("90.00"))
        my = selectors.member_year(actor=self.li, member=self.liu, year=2026, on=TODAY)
        self.assertEqual(my.cells[6].due, Decimal("40.00"))   # July: old base
        self.assertEqual(my.cells[7].due, Decimal("90.00"))   # August: new base

    def test_rebase_cannot_reach_back_over_paid_months(self):
        self.base(self.liu)
        self.pay(self.liu, ["2026-07"])
        with self.assertRaises(DomainError) as ctx:
            self.base(self.liu, income="6000", month="2026-07", reason="补录")
        self.assertEqual(ctx.exception.rule, "R-DUES-REBASE")

    def test_zero_income_and_bad_values_write_nothing(self):
        for kw in ({"income": "0"}, {"income": "-5"}, {"income": "abc"}, {"income": "3000.123"},
                   {"category": "boss"}, {"month": "2026-13"}):
            with self.subTest(**kw), self.assertRaises(DomainError):
                self.base(self.liu, **kw)
        self.assertEqual(DuesProfile.objects.count(), 0)

    def test_farmer_uses_branch_policy(self):
        DuesPolicy.objects.create(org=self.branch_one, farmer_amount=Decimal("0.50"))
        self.assertEqual(self.base(self.liu, category="farmer", income=None).monthly_amount, Decimal("0.50"))
        self.assertEqual(services.quote(category="farmer", org=self.branch_two).amount, Decimal("0.20"))

    def test_outsider_cannot_set_base(self):
        with self.assertRaises(Http404):
            services.dues_base_set(actor=self.wang, member=self.liu, category="student", today=TODAY)
        with self.assertRaises(Http404):  # a plain member has no org scope at all
            services.dues_base_set(actor=self.zhao, member=self.liu, category="student", today=TODAY)


class PaymentRuleTests(DuesServiceTestCase):
    def setUp(self):
        self.base(self.liu)

    def test_month_paid_once(self):
        self.pay(self.liu, ["2026-07"])
        with self.assertRaises(Conflict) as ctx:
            self.pay(self.liu, ["2026-06", "2026-07"], amount="80.00")
        self.assertEqual(ctx.exception.rule, "R-DUES-ONCE")
        self.assertEqual(DuesPaymentMonth.objects.count(), 1)

    def test_quarter_at_once_and_advance_limit(self):
        p = self.pay(self.liu, ["2026-08", "2026-09", "2026-10"], amount="120.00")
        self.assertEqual(p.months.count(), 3)
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2026-11"])
        self.assertEqual(ctx.exception.rule, "R-DUES-ADVANCE")

    def test_back_payment_limit(self):
        self.pay(self.liu, ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"], amount="240.00")
        self.base(self.liu, month="2025-01", income="4000")
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2025-12"])
        self.assertEqual(ctx.exception.rule, "R-DUES-BACK")

    def test_committee_widens_back_limit(self):
        DuesPolicy.objects.create(org=self.community, back_limit_months=8)
        self.base(self.liu, month="2025-01", income="4000")
        self.pay(self.liu, ["2025-12"])

    def test_probationary_due_from_admission_month(self):
        self.base(self.new, month="2026-05", income="3000")
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.new, ["2026-04"], amount="15.00")
        self.assertEqual(ctx.exception.rule, "R-DUES-START")
        self.pay(self.new, ["2026-05"], amount="15.00")
        cells = selectors.member_year(actor=self.li, member=self.new, year=2026, on=TODAY).cells
        self.assertEqual([c.state for c in cells[3:7]], ["before_start", "paid", "due", "due"])

    def test_amount_must_match_months(self):
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2026-06", "2026-07"], amount="40.00")
        self.assertEqual(ctx.exception.rule, "R-DUES-AMOUNT")
        self.assertEqual(DuesPayment.objects.count(), 0)

    def test_voluntary_separate_and_flagged_for_centre(self):
        small = self.pay(self.liu, ["2026-06"], voluntary="999.99")
        big = self.pay(self.liu, ["2026-07"], voluntary="1000")
        self.assertEqual((small.amount, small.voluntary, small.to_centre), (Decimal("40.00"), Decimal("999.99"), False))
        self.assertTrue(big.to_centre)

    def test_proxy_and_methods(self):
        p = self.pay(self.liu, ["2026-07"], proxy_name="刘小红", method="online", reference="WX2026071500001")
        self.assertTrue(p.is_proxy)
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2026-06"], method="salary")
        self.assertEqual(ctx.exception.rule, "R-DUES-METHOD")
        with self.assertRaises(DomainError):
            self.pay(self.liu, ["2026-06"], method="transfer")  # a transfer needs its reference

    def test_no_base_and_exempt_months_refused(self):
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.new, ["2026-06"])
        self.assertEqual(ctx.exception.rule, "R-DUES-BASE")
        services.dues_exemption_create(actor=self.li, member=self.liu, from_month="2026-06", to_month="2026-09",
                                       monthly_amount="0", reason="大病住院，家庭困难", branch_decided_on=date(2026, 6, 2),
                                       approved_on=date(2026, 6, 10), approval_ref="镇党委〔2026〕12号", today=TODAY)
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2026-07"])
        self.assertEqual(ctx.exception.rule, "R-DUES-EXEMPT")

    def test_reduced_exemption_changes_due(self):
        services.dues_exemption_create(actor=self.li, member=self.liu, from_month="2026-07", to_month="2026-12",
                                       monthly_amount="5.00", reason="下岗，生活困难", branch_decided_on=date(2026, 7, 1),
                                       approved_on=date(2026, 7, 8), approval_ref="同意", today=TODAY)
        self.pay(self.liu, ["2026-07"], amount="5.00")
        with self.assertRaises(DomainError):  # not below the normal amount
            services.dues_exemption_create(actor=self.li, member=self.liu, from_month="2026-01", to_month="2026-02",
                                           monthly_amount="40.00", reason="x", branch_decided_on=date(2026, 7, 1),
                                           approved_on=date(2026, 7, 8), approval_ref="同意", today=TODAY)

    def test_future_paid_on_refused(self):
        with self.assertRaises(DomainError) as ctx:
            self.pay(self.liu, ["2026-07"], paid_on="2026-07-16")
        self.assertEqual(ctx.exception.field, "paid_on")

    def test_member_off_rolls_refused(self):
        gone = make_member(self.branch_one, "周离开", status="transferred_out")
        with self.assertRaises(DomainError):
            self.pay(gone, ["2026-07"])


class LedgerTests(DuesServiceTestCase):
    def setUp(self):
        self.base(self.liu)
        self.payment = self.pay(self.liu, ["2026-06", "2026-07"], amount="80.00", voluntary="10")

    def test_ledger_rows_cannot_change_or_vanish(self):
        self.payment.amount = Decimal("1.00")
        with self.assertRaises(TypeError):
            self.payment.save()
        with self.assertRaises(TypeError):
            self.payment.delete()
        with self.assertRaises(TypeError):
            DuesPayment.objects.filter(pk=self.payment.pk).update(amount=0)
        with self.assertRaises(TypeError):
            DuesPaymentMonth.objects.all().delete()
        self.assertEqual(DuesPayment.objects.get(pk=self.payment.pk).amount, Decimal("80.00"))

    def test_reversal_corrects_and_month_can_be_paid_again(self):
        reversal = services.dues_payment_reverse(actor=self.li, payment=self.payment, reason="误记金额", today=TODAY)
        self.assertEqual((reversal.amount, reversal.voluntary), (Decimal("-80.00"), Decimal("-10.00")))
        cells = selectors.member_year(actor=self.li, member=self.liu, year=2026, on=TODAY).cells
        self.assertEqual(cells[6].state, "due")
        again = self.pay(self.liu, ["2026-07"])
        self.assertEqual(again.months.get().generation, 1)
        with self.assertRaises(Conflict):
            services.dues_payment_reverse(actor=self.li, payment=self.payment, reason="再冲", today=TODAY)
        with self.assertRaises(DomainError):
            services.dues_payment_reverse(actor=self.li, payment=reversal, reason="冲冲销", today=TODAY)
        self.assertEqual(DuesPayment.objects.count(), 3)
        self.assertTrue(AuditEvent.objects.filter(verb="dues.payment_reverse").exists())

    def test_reversal_needs_reason_and_scope(self):
        with self.assertRaises(DomainError):
            services.dues_payment_reverse(actor=self.li, payment=self.payment, reason="  ")
        with self.assertRaises(Http404):
            services.dues_payment_reverse(actor=self.wang, payment=self.payment, reason="越权")
        self.assertEqual(DuesPayment.objects.count(), 1)


class ArrearsTests(DuesServiceTestCase):
    def test_consecutive_unpaid_months_and_levels(self):
        self.base(self.liu, month="2025-06")
        services.dues_payment_record(actor=self.li, member=self.liu, months=["2026-01"], amount="40.00",
                                     method="cash", today=TODAY)
        # Feb … Jun 2026 unpaid (July has not ended): 5 → warning
        self.assertEqual(selectors.arrears_for([self.liu], on=TODAY)[self.liu.id], 5)
        rows = selectors.arrears_list(actor=self.li, org=self.branch_one, on=TODAY)
        self.assertEqual([(r.member.id, r.level) for r in rows], [(self.liu.id, "warning")])
        # a month later: 6 → R-ABSENT-6M case (a warning; nobody is removed)
        self.assertEqual(selectors.arrears_for([self.liu], on=date(2026, 8, 3))[self.liu.id], 6)
        self.assertEqual(self.liu.__class__.objects.get(pk=self.liu.pk).status, "normal")

    def test_waiver_breaks_the_chain(self):
        self.base(self.liu, month="2025-06")
        services.dues_exemption_create(actor=self.li, member=self.liu, from_month="2026-03", to_month="2026-03",
                                       reason="困难", branch_decided_on=date(2026, 3, 1), approved_on=date(2026, 3, 5),
                                       approval_ref="同意", today=TODAY)
        self.assertEqual(selectors.arrears_for([self.liu], on=TODAY)[self.liu.id], 3)  # Apr, May, Jun

    def test_outsider_gets_404(self):
        with self.assertRaises(Http404):
            selectors.arrears_list(actor=self.wang, org=self.branch_one, on=TODAY)


class ReportTests(DuesServiceTestCase):
    def test_report_rows_add_up_to_the_fen(self):
        self.base(self.liu, income="3333.33")      # 33.33 a month
        self.base(self.new, month="2026-05", income="3000.50")  # 1 % of 3000.50 = 30.005 → 30.01
        services.dues_base_set(actor=self.wang, member=self.outsider, category="retired", income="5000.50",
                               effective_from="2026-01", today=TODAY)  # 50.01
        self.pay(self.liu, ["2026-06", "2026-07", "2026-08"], amount="99.99")
        services.dues_payment_record(actor=self.wang, member=self.outsider, months=["2026-07"], amount="50.01",
                                     method="cash", today=TODAY, voluntary="12.34")
        rows, total = selectors.dues_report(actor=self.zhang, org=self.root, year=2026, on=TODAY)
        by_org = {r.org.id: r for r in rows}
        one, two = by_org[self.branch_one.id], by_org[self.branch_two.id]
        self.assertEqual(one.due, Decimal("33.33") * 7 + Decimal("30.01") * 3)
        self.assertEqual(one.paid, Decimal("66.66"))
        self.assertEqual(one.advance, Decimal("33.33"))
        self.assertEqual(one.outstanding, one.due - one.paid)
        self.assertEqual(two.due, Decimal("50.01") * 7)
        self.assertEqual(two.voluntary, Decimal("12.34"))
        for attr in ("due", "paid", "outstanding", "advance", "voluntary"):
            self.assertEqual(getattr(total, attr), sum(getattr(r, attr) for r in rows))
        self.assertEqual(sum(v[0] for v in total.by_month.values()), total.due)

    def test_publication_from_ledger(self):
        self.base(self.liu)
        self.pay(self.liu, ["2026-07"], voluntary="5")
        pub = services.dues_publication_publish(actor=self.li, org=self.branch_one, year=2026, handed_up="45",
                                                today=TODAY)
        self.assertEqual((pub.collected, pub.voluntary), (Decimal("40.00"), Decimal("5.00")))
        with self.assertRaises(DomainError):
            services.dues_publication_publish(actor=self.li, org=self.branch_one, year=2026, handed_up="46",
                                              today=TODAY)


class AnnualReviewTests(DuesServiceTestCase):
    def test_january_review_carries_bases_and_is_idempotent(self):
        self.base(self.liu, month="2025-03", income="5200")
        self.assertEqual(services.dues_annual_review(actor=None, year=2026), 1)
        self.assertEqual(services.dues_annual_review(actor=None, year=2026), 0)
        jan = DuesProfile.objects.get(member=self.liu, effective_from=date(2026, 1, 1))
        self.assertEqual(jan.monthly_amount, Decimal("78.00"))
        self.assertTrue(AuditEvent.objects.filter(verb="dues.annual_review", actor_name="系统").exists())


class ExemptionTests(DuesServiceTestCase):
    def test_bad_exemptions_write_nothing(self):
        ok = dict(from_month="2026-06", to_month="2026-08", reason="困难", branch_decided_on=date(2026, 6, 1),
                  approved_on=date(2026, 6, 5), approval_ref="同意", today=TODAY)
        for bad in ({"to_month": "2026-05"}, {"reason": ""}, {"approval_ref": ""},
                    {"approved_on": date(2026, 5, 1)}, {"approved_on": date(2026, 8, 1)},
                    {"monthly_amount": "-1"}, {"to_month": "2028-08"}):
            with self.subTest(**{k: str(v) for k, v in bad.items()}), self.assertRaises(DomainError):
                services.dues_exemption_create(actor=self.li, member=self.liu, **{**ok, **bad})
        self.assertEqual(DuesExemption.objects.count(), 0)
        services.dues_exemption_create(actor=self.li, member=self.liu, **ok)
        with self.assertRaises(Conflict):
            services.dues_exemption_create(actor=self.li, member=self.liu, **{**ok, "from_month": "2026-08",
                                                                              "to_month": "2026-09"})
