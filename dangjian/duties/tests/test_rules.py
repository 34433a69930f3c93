from datetime import date, timedelta
from decimal import Decimal as D

from django.test import SimpleTestCase

from dangjian.duties import rules


class PledgeRuleTests(SimpleTestCase):
    def test_weights_must_add_up_to_100(self):
        self.assertIsNone(rules.check_pledge_weights([D("40"), D("60")]))
        self.assertIsNone(rules.check_pledge_weights([D("33.33"), D("33.33"), D("33.34")]))
        self.assertIn("100", rules.check_pledge_weights([D("40"), D("59.99")]))
        self.assertIn("100", rules.check_pledge_weights([D("40"), D("60.01")]))
        self.assertIn("大于 0", rules.check_pledge_weights([D("100"), D("0")]))
        self.assertIsNotNone(rules.check_pledge_weights([]))

    def test_completion_is_weighted_and_rounded_half_up(self):
        self.assertEqual(rules.pledge_completion([(D(30), 100), (D(70), 0)]), D("30.00"))
        self.assertEqual(rules.pledge_completion([(D(30), 50), (D(70), 100)]), D("85.00"))
        # 1/3 * 1 % = 0.3333… → 0.33; 2/3 % → 0.67 (half-up)
        self.assertEqual(rules.pledge_completion([(D(1), 1), (D(2), 0)]), D("0.33"))
        self.assertEqual(rules.pledge_completion([(D(1), 0), (D(2), 1)]), D("0.67"))
        self.assertEqual(rules.pledge_completion([]), D("0.00"))

    def test_percent_bounds(self):
        for ok in (0, 1, 99, 100):
            self.assertIsNone(rules.check_percent(ok))
        for bad in (-1, 101, 50.5, True, "50"):
            self.assertIsNotNone(rules.check_percent(bad))


class RectificationRuleTests(SimpleTestCase):
    deadline = date(2025, 3, 31)

    def test_overdue_boundaries(self):
        day = timedelta(days=1)
        before = self.deadline - day
        self.assertFalse(rules.rectification_is_overdue(state="open", deadline=self.deadline, today=before))
        self.assertFalse(rules.rectification_is_overdue(state="open", deadline=self.deadline, today=self.deadline))
        self.assertTrue(rules.rectification_is_overdue(state="open", deadline=self.deadline, today=self.deadline + day))
        self.assertEqual(rules.days_overdue(deadline=self.deadline, today=self.deadline + day), 1)
        self.assertEqual(rules.days_overdue(deadline=self.deadline, today=self.deadline), 0)

    def test_submitted_or_closed_is_never_overdue(self):
        later = self.deadline + timedelta(days=30)
        self.assertFalse(rules.rectification_is_overdue(state="submitted", deadline=self.deadline, today=later))
        self.assertFalse(rules.rectification_is_overdue(state="closed", deadline=self.deadline, today=later))

    def test_late_completion(self):
        self.assertFalse(rules.rectification_was_late(deadline=self.deadline, completed_on=self.deadline))
        self.assertTrue(rules.rectification_was_late(deadline=self.deadline,
                                                     completed_on=self.deadline + timedelta(days=1)))
        self.assertFalse(rules.rectification_was_late(deadline=self.deadline, completed_on=None))

    def test_quarter_of(self):
        self.assertEqual([rules.quarter_of(date(2025, m, 1)) for m in (1, 3, 4, 6, 7, 9, 10, 12)],
                         [1, 1, 2, 2, 3, 3, 4, 4])


class ReviewRuleTests(SimpleTestCase):
    def test_competition_rank_with_ties(self):
        ranks = rules.competition_rank([("a", D("90")), ("b", D("95")), ("c", D("90")), ("d", D("80")),
                                        ("e", None)])
        self.assertEqual(ranks, {"b": 1, "a": 2, "c": 2, "d": 4})

    def test_all_tied_share_first_place(self):
        self.assertEqual(rules.competition_rank([("a", D(1)), ("b", D(1)), ("c", D(1))]), {"a": 1, "b": 1, "c": 1})

    def test_ties_compare_exact_decimals(self):
        self.assertEqual(rules.competition_rank([("a", D("88.50")), ("b", D("88.5")), ("c", D("88.49"))]),
                         {"a": 1, "b": 1, "c": 3})

    def test_report_total_is_mean_of_sheets_half_up(self):
        self.assertEqual(rules.report_total([D(90), D(85)]), D("87.50"))
        self.assertEqual(rules.report_total([D(90), D(85), D(85)]), D("86.67"))
        self.assertEqual(rules.report_total([D("0.01"), D("0.00")]), D("0.01"))  # 0.005 → 0.01
        self.assertIsNone(rules.report_total([]))

    def test_grade_thresholds_are_inclusive(self):
        g = lambda t: rules.grade_for(total=D(t), max_total=D(100))  # noqa: E731
        self.assertEqual([g("90"), g("89.99"), g("80"), g("79.99"), g("60"), g("59.99"), g("0")],
                         ["good", "fairly_good", "fairly_good", "average", "average", "poor", "poor"])
        self.assertEqual(rules.grade_for(total=D(45), max_total=D(50)), "good")  # 90 % of 50
        self.assertEqual(rules.grade_for(total=None, max_total=D(100)), "")

    def test_score_range(self):
        self.assertTrue(rules.score_in_range(D(0), D(20)))
        self.assertTrue(rules.score_in_range(D(20), D(20)))
        self.assertFalse(rules.score_in_range(D("20.01"), D(20)))
        self.assertFalse(rules.score_in_range(D("-0.01"), D(20)))
        self.assertFalse(rules.score_in_range(D("10.005"), D(20)))


class OtherRuleTests(SimpleTestCase):
    def test_coverage(self):
        self.assertEqual(rules.coverage_percent(85, 85), D("100.00"))
        self.assertEqual(rules.coverage_percent(2, 3), D("66.67"))
        self.assertEqual(rules.coverage_percent(0, 0), D("0.00"))

    def test_default_checklist_has_five_of_each(self):
        self.assertEqual({k: len(v) for k, v in rules.DEFAULT_CHECKLIST.items()},
                         {"know": 5, "attend": 5, "visit": 5, "handle": 5})
        self.assertEqual(len(rules.DEFAULT_WORK_STEPS), 7)

    def test_steps(self):
        self.assertIsNone(rules.check_steps(["一", "二"]))
        self.assertIsNotNone(rules.check_steps([]))
        self.assertIsNotNone(rules.check_steps(["一", " "]))
        self.assertIsNotNone(rules.check_steps(["一", "一"]))

    def test_award_subject(self):
        self.assertIsNone(rules.check_award_subject("优秀共产党员", "person"))
        self.assertIsNotNone(rules.check_award_subject("优秀共产党员", "org"))
        self.assertIsNotNone(rules.check_award_subject("先进基层党组织", "person"))
        self.assertIsNone(rules.check_award_subject("自定义表彰", "org"))
