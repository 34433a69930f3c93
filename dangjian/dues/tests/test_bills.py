"""Stored monthly bills (R-DUES-BILL): issued by the monthly job, idempotent, amounts fixed at issue by the
2008 brackets (rule id on each bill), settled by payments, adjusted by exemptions; later incomes → later bills."""
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from dangjian.core.errors import Conflict, DomainError
from dangjian.core.models import AuditEvent, JobRun
from dangjian.dues import bills, selectors, services, tasks
from dangjian.dues.models import DuesBill, DuesPaymentMonth, DuesProfile

from .helpers import make_member
from .test_services import TODAY, DuesServiceTestCase

AUG1 = date(2026, 8, 1)


def bill(member, month):
    return DuesBill.objects.get(member=member, month=date.fromisoformat(month + "-01"))


class BillIssueTests(DuesServiceTestCase):
    def test_base_set_bills_months_up_to_now_and_job_bills_the_new_month_once(self):
        self.base(self.liu)  # from 2026-01, today July: January … July billed now
        self.assertEqual(DuesBill.objects.filter(member=self.liu).count(), 7)
        self.assertFalse(DuesBill.objects.filter(month=AUG1).exists())
        result = tasks.bills_generate(AUG1)
        self.assertEqual(result["created"], 1)  # liu's August; 孙晓东 has no base, nobody else on the rolls here
        self.assertEqual(bill(self.liu, "2026-08").due, Decimal("40.00"))
        self.assertIsNone(tasks.bills_generate(AUG1))  # once per month (JobRun)
        self.assertIsNone(tasks.bills_generate(date(2026, 8, 20)))
        self.assertEqual(JobRun.objects.filter(job="dues.bills_generate").count(), 1)
        self.assertEqual(bills.bills_issue_month(today=AUG1)["created"], 0)  # re-running issues nothing twice
        self.assertEqual(DuesBill.objects.filter(member=self.liu).count(), 8)
        self.assertTrue(AuditEvent.objects.filter(verb="dues.bills_generate").exists())

    def test_unique_member_month_constraint(self):
        self.base(self.liu)
        b = bill(self.liu, "2026-07")
        with self.assertRaises(IntegrityError), transaction.atomic():
            DuesBill.objects.create(member=self.liu, org=self.branch_one, month=b.month, category="employed",
                                    amount=b.amount, due=b.due, rule=b.rule, issued_on=TODAY)

    def test_bill_amounts_at_every_bracket_edge_with_rule_ids(self):
        cases = [("employed", "2999.99", "15.00", "R-DUES-BRACKET"), ("employed", "3000.00", "15.00", "R-DUES-BRACKET"),
                 ("employed", "3000.01", "30.00", "R-DUES-BRACKET"), ("employed", "5000.00", "50.00", "R-DUES-BRACKET"),
                 ("employed", "5000.01", "75.00", "R-DUES-BRACKET"),
                 ("employed", "10000.00", "150.00", "R-DUES-BRACKET"),
                 ("employed", "10000.01", "200.00", "R-DUES-BRACKET"), ("employed", "3000.50", "30.01", "R-DUES-BRACKET"),
                 ("retired", "5000.00", "25.00", "R-DUES-BRACKET"), ("retired", "5000.01", "50.00", "R-DUES-BRACKET"),
                 ("student", None, "0.20", "R-DUES-FIXED"), ("unemployed", None, "0.20", "R-DUES-FIXED"),
                 ("relief", None, "0.20", "R-DUES-FIXED"), ("low_income", None, "0.20", "R-DUES-FIXED"),
                 ("farmer", None, "0.20", "R-DUES-FARMER")]
        people = []
        for i, (category, income, _, _) in enumerate(cases):
            m = make_member(self.branch_one, f"党员{i:02d}", joined_on=date(2000, 1, 1))
            self.base(m, category=category, income=income, month="2026-08")  # from next month: nothing billed yet
            people.append(m)
        self.assertFalse(DuesBill.objects.filter(member__in=people).exists())
        tasks.bills_generate(AUG1)
        for m, (category, income, amount, rule) in zip(people, cases):
            with self.subTest(category=category, income=income):
                b = bill(m, "2026-08")
                self.assertEqual((b.category, b.amount, b.due, b.rule, b.state),
                                 (category, Decimal(amount), Decimal(amount), rule, "open"))
                self.assertEqual(b.income, None if income is None else Decimal(income))

    def test_changed_income_changes_later_bills_only(self):
        self.base(self.liu)  # 4000 → 40.00, billed January … July
        services.dues_base_set(actor=self.li, member=self.liu, category="employed", income="6000",
                               effective_from="2026-06", reason="调资", today=TODAY)
        self.assertEqual(bill(self.liu, "2026-06").due, Decimal("40.00"))  # issued already: unchanged
        self.assertEqual(bill(self.liu, "2026-07").due, Decimal("40.00"))
        tasks.bills_generate(AUG1)
        self.assertEqual(bill(self.liu, "2026-08").due, Decimal("90.00"))  # issued after the change
        self.assertEqual(bill(self.liu, "2026-08").profile, DuesProfile.objects.get(income=Decimal("6000")))
        with self.assertRaises(DomainError):  # the amount to pay is the bill's
            self.pay(self.liu, ["2026-07"], amount="90.00")
        self.pay(self.liu, ["2026-07"], amount="40.00")

    def test_january_job_runs_the_annual_review_first(self):
        self.base(self.liu, month="2025-03", income="5200", today=date(2025, 3, 10))
        tasks.bills_generate(date(2026, 1, 1))
        jan = bill(self.liu, "2026-01")
        self.assertEqual((jan.amount, jan.profile.effective_from), (Decimal("78.00"), date(2026, 1, 1)))

    def base(self, member, category="employed", income="4000", month="2026-01", today=TODAY, **kw):
        return services.dues_base_set(actor=self.li, member=member, category=category, income=income,
                                      effective_from=month, today=today, **kw)


class BillSettleTests(DuesServiceTestCase):
    def setUp(self):
        self.base(self.liu)

    def test_payment_settles_bills_and_reversal_reopens_them(self):
        p = self.pay(self.liu, ["2026-06", "2026-07"], amount="80.00")
        for month in ("2026-06", "2026-07"):
            b = bill(self.liu, month)
            self.assertEqual((b.state, b.payment_id), ("paid", p.id))
        self.assertEqual(set(DuesPaymentMonth.objects.values_list("bill__month", flat=True)),
                         {date(2026, 6, 1), date(2026, 7, 1)})
        services.dues_payment_reverse(actor=self.li, payment=p, reason="误记", today=TODAY)
        self.assertEqual(bill(self.liu, "2026-07").state, "open")
        self.assertIsNone(bill(self.liu, "2026-07").payment_id)
        with self.assertRaises(Conflict):
            services.dues_payment_reverse(actor=self.li, payment=p, reason="再冲", today=TODAY)

    def test_advance_payment_issues_the_future_bill(self):
        self.assertFalse(DuesBill.objects.filter(month=AUG1).exists())
        self.pay(self.liu, ["2026-08"])
        self.assertEqual((bill(self.liu, "2026-08").state, bill(self.liu, "2026-08").issued_on), ("paid", TODAY))
        tasks.bills_generate(AUG1)
        self.assertEqual(DuesBill.objects.filter(month=AUG1).count(), 1)

    def test_exemption_adjusts_open_bills_and_revocation_restores_them(self):
        self.pay(self.liu, ["2026-05"])
        ex = services.dues_exemption_create(
            actor=self.li, member=self.liu, from_month="2026-06", to_month="2026-09", monthly_amount="0",
            reason="大病住院", branch_decided_on=date(2026, 6, 2), approved_on=date(2026, 6, 10), approval_ref="同意",
            today=TODAY)
        self.assertEqual((bill(self.liu, "2026-06").state, bill(self.liu, "2026-06").due), ("exempt", Decimal("0.00")))
        self.assertEqual(bill(self.liu, "2026-05").state, "paid")
        tasks.bills_generate(AUG1)
        self.assertEqual(bill(self.liu, "2026-08").state, "exempt")  # issued inside the period
        services.dues_exemption_revoke(actor=self.li, exemption=ex, reason="已康复", today=date(2026, 8, 5))
        self.assertEqual((bill(self.liu, "2026-08").state, bill(self.liu, "2026-08").due), ("open", Decimal("40.00")))
        self.assertEqual(bill(self.liu, "2026-07").state, "exempt")  # earlier months stay exempt

    def test_reports_read_the_stored_bills(self):
        self.pay(self.liu, ["2026-07"])
        DuesBill.objects.filter(member=self.liu, month=date(2026, 6, 1)).update(due=Decimal("12.34"))
        rows, total = selectors.dues_report(actor=self.li, org=self.branch_one, year=2026, on=TODAY)
        self.assertEqual(total.due, Decimal("40.00") * 6 + Decimal("12.34"))
        self.assertEqual(total.outstanding, total.due - total.paid)
