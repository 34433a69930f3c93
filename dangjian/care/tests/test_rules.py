"""Anniversary, milestone, medal and fund rules with their boundaries."""
from datetime import date
from decimal import Decimal

from django.test import SimpleTestCase

from dangjian.care import rules
from dangjian.care.rules import RuleError


class AnniversaryRuleTests(SimpleTestCase):
    def test_29_february_falls_on_28_february_in_common_years(self):
        base = date(1996, 2, 29)
        self.assertEqual(rules.occurrence(base, 2025), date(2025, 2, 28))
        self.assertEqual(rules.occurrence(base, 2028), date(2028, 2, 29))
        self.assertEqual(rules.occurrences(base, date(2026, 2, 1), date(2026, 3, 1)), [(date(2026, 2, 28), 30)])

    def test_occurrences_window_and_years(self):
        base = date(1976, 7, 1)
        self.assertEqual(rules.occurrences(base, date(2026, 7, 1), date(2026, 7, 1)), [(date(2026, 7, 1), 50)])
        self.assertEqual(rules.occurrences(base, date(2026, 7, 2), date(2027, 6, 30)), [])
        self.assertEqual(rules.occurrences(base, date(2025, 1, 1), date(2026, 12, 31)),
                         [(date(2025, 7, 1), 49), (date(2026, 7, 1), 50)])
        self.assertEqual(rules.occurrences(date(2026, 3, 1), date(2026, 1, 1), date(2026, 12, 31)), [])  # year 0
        self.assertEqual(rules.occurrences(None, date(2026, 1, 1), date(2026, 12, 31)), [])

    def test_milestones(self):
        self.assertEqual([y for y in range(1, 61) if rules.is_milestone(rules.Kind.PARTY, y)], [10, 20, 30, 40, 50, 60])
        self.assertFalse(rules.is_milestone(rules.Kind.BIRTHDAY, 50))

    def test_medal_cutoff_is_1_july(self):
        self.assertTrue(rules.medal_eligible(date(1976, 7, 1), 2026))
        self.assertFalse(rules.medal_eligible(date(1976, 7, 2), 2026))
        self.assertTrue(rules.medal_new_in(date(1976, 7, 1), 2026))
        self.assertTrue(rules.medal_new_in(date(1975, 7, 2), 2026))
        self.assertFalse(rules.medal_new_in(date(1975, 7, 1), 2026))  # already on last year's list
        self.assertFalse(rules.medal_eligible(None, 2026))

    def test_party_years_from_full_member_date(self):
        self.assertEqual(rules.party_years_on(joined_on=date(2000, 7, 1), full_on=date(2001, 7, 1),
                                              on=date(2026, 6, 30)), 24)
        self.assertEqual(rules.party_years_on(joined_on=date(2000, 7, 1), full_on=None, on=date(2026, 7, 1)), 26)

    def test_window_limits(self):
        rules.window_days(date(2026, 1, 1), date(2027, 1, 2))
        with self.assertRaises(RuleError):
            rules.window_days(date(2026, 1, 1), date(2027, 1, 3))
        with self.assertRaises(RuleError):
            rules.window_days(date(2026, 1, 2), date(2026, 1, 1))


class GreetingRuleTests(SimpleTestCase):
    def test_render_fills_only_known_placeholders(self):
        text = rules.render_greeting("{name}同志，入党{years}周年 {name.__class__} {0}", {"name": "王芳", "years": 10})
        self.assertEqual(text, "王芳同志，入党10周年 {name.__class__} {0}")

    def test_template_check(self):
        rules.check_template("{name}{years}{party_years}{joined_on}{org}{date}")
        with self.assertRaises(RuleError):
            rules.check_template("{name.__init__}")

    def test_gifts(self):
        self.assertEqual(rules.check_gifts(["card", "badge", "card"]), ["card", "badge"])
        with self.assertRaises(RuleError):
            rules.check_gifts(["car"])


class FundRuleTests(SimpleTestCase):
    def test_balance_never_negative(self):
        self.assertEqual(rules.check_balance(balance=Decimal("100.00"), amount=Decimal("100.00")), Decimal("0.00"))
        with self.assertRaises(RuleError) as ctx:
            rules.check_balance(balance=Decimal("100.00"), amount=Decimal("100.01"))
        self.assertEqual(ctx.exception.rule, "R-FUND-BALANCE")

    def test_approval_threshold(self):
        self.assertFalse(rules.needs_approval(amount=Decimal("5000.00"), threshold=Decimal("5000")))
        self.assertTrue(rules.needs_approval(amount=Decimal("5000.01"), threshold=Decimal("5000")))
        self.assertFalse(rules.needs_approval(amount=Decimal("99999"), threshold=None))

    def test_money(self):
        self.assertEqual(rules.parse_money("35000"), Decimal("35000.00"))
        for bad in ("0", "-1", "x", "1.234", None, "", "NaN"):
            with self.subTest(value=bad), self.assertRaises(RuleError):
                rules.parse_money(bad)
        self.assertEqual(rules.parse_money("0", positive=False), Decimal("0.00"))

    def test_due_reasons(self):
        codes = [r.code for r in rules.due_reasons(joined_on=date(1948, 5, 1), in_hardship=True, is_retired=True,
                                                   ill=True, laid_off=False, lives_alone=True, on=date(2026, 1, 1))]
        self.assertEqual(codes, ["veteran", "pre_1949", "in_hardship", "ill", "retired_alone"])
        self.assertEqual(rules.due_reasons(joined_on=date(2000, 1, 1), in_hardship=False, is_retired=False, ill=False,
                                           laid_off=False, lives_alone=True, on=date(2026, 1, 1)), [])
