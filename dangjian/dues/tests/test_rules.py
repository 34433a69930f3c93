"""R-DUES-* boundaries (RULES.md §4): every bracket edge, the fixed categories, half-up to the fen."""
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from dangjian.dues import rules
from dangjian.dues.rules import RuleError, dues_quote


def amount(category, income=None, **kw):
    return dues_quote(category=category, income=None if income is None else Decimal(income), **kw).amount


class BracketTests(SimpleTestCase):
    def test_employed_edges(self):
        cases = {
            "2999.99": ("0.005", "15.00"), "3000.00": ("0.005", "15.00"), "3000.01": ("0.01", "30.00"),
            "5000.00": ("0.01", "50.00"), "5000.01": ("0.015", "75.00"), "10000.00": ("0.015", "150.00"),
            "10000.01": ("0.02", "200.00"), "0.01": ("0.005", "0.00"), "25000.00": ("0.02", "500.00"),
        }
        for income, (rate, expected) in cases.items():
            with self.subTest(income=income):
                q = dues_quote(category="employed", income=Decimal(income))
                self.assertEqual(q.rate, Decimal(rate))
                self.assertEqual(q.amount, Decimal(expected))

    def test_retired_edges(self):
        cases = {"4999.99": ("0.005", "25.00"), "5000.00": ("0.005", "25.00"), "5000.01": ("0.01", "50.00"),
                 "10000.01": ("0.01", "100.00")}
        for income, (rate, expected) in cases.items():
            with self.subTest(income=income):
                q = dues_quote(category="retired", income=Decimal(income))
                self.assertEqual((q.rate, q.amount), (Decimal(rate), Decimal(expected)))

    def test_half_fen_rounds_up(self):
        # 3000.50 × 1 % = 30.005 → 30.01 (banker's rounding would give 30.00)
        self.assertEqual(amount("employed", "3000.50"), Decimal("30.01"))
        # 1001.00 × 0.5 % = 5.005 → 5.01; 1000.90 × 0.5 % = 5.0045 → 5.00
        self.assertEqual(amount("employed", "1001.00"), Decimal("5.01"))
        self.assertEqual(amount("employed", "1000.90"), Decimal("5.00"))
        # 5000.01 × 1.5 % = 75.00015 → 75.00; retired 5000.50 × 1 % = 50.005 → 50.01
        self.assertEqual(amount("retired", "5000.50"), Decimal("50.01"))

    def test_fixed_categories_pay_020(self):
        for category in ("student", "unemployed", "relief", "low_income"):
            with self.subTest(category=category):
                q = dues_quote(category=category, income=Decimal("8000"))
                self.assertEqual(q.amount, Decimal("0.20"))
                self.assertIsNone(q.rate)

    def test_farmer_default_and_range(self):
        self.assertEqual(amount("farmer"), Decimal("0.20"))
        self.assertEqual(amount("farmer", farmer_amount=Decimal("1.00")), Decimal("1.00"))
        self.assertEqual(amount("farmer", farmer_amount=Decimal("0.20")), Decimal("0.20"))
        for bad in ("0.19", "1.01"):
            with self.assertRaises(RuleError) as ctx:
                amount("farmer", farmer_amount=Decimal(bad))
            self.assertEqual(ctx.exception.rule, "R-DUES-FARMER")

    def test_unknown_category_and_missing_income(self):
        with self.assertRaises(RuleError):
            dues_quote(category="cadre", income=Decimal("100"))
        with self.assertRaises(RuleError) as ctx:
            dues_quote(category="employed")
        self.assertEqual(ctx.exception.field, "income")


class MoneyParsingTests(SimpleTestCase):
    def test_good_values(self):
        self.assertEqual(rules.parse_money("3000"), Decimal("3000.00"))
        self.assertEqual(rules.parse_money(3000.5), Decimal("3000.50"))
        self.assertEqual(rules.parse_money(" 3,500.25 "), Decimal("3500.25"))

    def test_bad_values(self):
        for bad in ("-1", "abc", "3000.001", "NaN", "Infinity", "", None, True, "1e20"):
            with self.subTest(value=bad), self.assertRaises(RuleError):
                rules.parse_money(bad)


class MonthTests(SimpleTestCase):
    def test_parse_and_arithmetic(self):
        self.assertEqual(rules.parse_month("2026-01"), date(2026, 1, 1))
        self.assertEqual(rules.parse_month("2026-02-17"), date(2026, 2, 1))
        for bad in ("2026-13", "2026/01", "", "26-01", None):
            with self.subTest(value=bad), self.assertRaises(RuleError):
                rules.parse_month(bad)
        self.assertEqual(rules.add_months(date(2026, 1, 1), -1), date(2025, 12, 1))
        self.assertEqual(rules.add_months(date(2025, 11, 1), 3), date(2026, 2, 1))
        self.assertEqual(len(rules.months_between(date(2025, 11, 1), date(2026, 2, 1))), 4)

    def test_payment_window(self):
        today = date(2026, 7, 15)
        ok = dict(today=today, start=date(2000, 1, 1))
        # back payment: at most 6 past months (2026-01 … 2026-06); 2025-12 is the 7th
        rules.check_payment_months(months=[date(2026, 1, 1)], **ok)
        with self.assertRaises(RuleError) as ctx:
            rules.check_payment_months(months=[date(2025, 12, 1)], **ok)
        self.assertEqual(ctx.exception.rule, "R-DUES-BACK")
        # advance: at most a quarter (2026-08 … 2026-10); 2026-11 refused
        rules.check_payment_months(months=[date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)], **ok)
        with self.assertRaises(RuleError) as ctx:
            rules.check_payment_months(months=[date(2026, 11, 1)], **ok)
        self.assertEqual(ctx.exception.rule, "R-DUES-ADVANCE")
        # a committee may widen the back limit ⚙
        rules.check_payment_months(months=[date(2025, 12, 1)], back_limit=7, **ok)

    def test_start_month_and_duplicates(self):
        today = date(2026, 7, 15)
        start = rules.dues_start_month(date(2026, 5, 31))
        rules.check_payment_months(months=[date(2026, 5, 1)], today=today, start=start)  # admission month is due
        with self.assertRaises(RuleError) as ctx:
            rules.check_payment_months(months=[date(2026, 4, 1)], today=today, start=start)
        self.assertEqual(ctx.exception.rule, "R-DUES-START")
        with self.assertRaises(RuleError) as ctx:
            rules.check_payment_months(months=[date(2026, 6, 1)] * 2, today=today, start=start)
        self.assertEqual(ctx.exception.rule, "R-DUES-ONCE")
        with self.assertRaises(RuleError):
            rules.check_payment_months(months=[], today=today, start=start)


class VoluntaryAndArrearsTests(SimpleTestCase):
    def test_voluntary_centre_threshold(self):
        self.assertFalse(rules.voluntary_to_centre(Decimal("999.99")))
        self.assertTrue(rules.voluntary_to_centre(Decimal("1000.00")))

    def test_consecutive_unpaid_and_levels(self):
        self.assertEqual(rules.consecutive_unpaid(["due", "paid", "due", "due"]), 2)
        self.assertEqual(rules.consecutive_unpaid(["due", "exempt", "due"]), 1)
        self.assertEqual(rules.consecutive_unpaid(["no_base", "due"]), 1)
        self.assertEqual(rules.consecutive_unpaid(["due"] * 6), 6)
        self.assertEqual([rules.arrears_level(n) for n in (0, 2, 3, 5, 6, 9)],
                         ["", "", "warning", "warning", "case", "case"])
