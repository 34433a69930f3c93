from datetime import date
from decimal import Decimal as D

from django.test import SimpleTestCase

from dangjian.study import rules


class HoursRuleTests(SimpleTestCase):
    def test_member_minimum_boundaries(self):  # R-STUDY-32
        met = lambda h: rules.hours_met(hours=D(h), is_leader=False, trained=False)  # noqa: E731
        self.assertEqual([met("31.99"), met("32"), met("32.01"), met("0")], [False, True, True, False])

    def test_leader_minimum_boundaries(self):  # R-STUDY-56
        met = lambda h, t=True: rules.hours_met(hours=D(h), is_leader=True, trained=t)  # noqa: E731
        self.assertEqual([met("55.99"), met("56"), met("56", t=False), met("100", t=False)],
                         [False, True, False, False])
        relaxed = rules.Policy(leader_needs_training=False)
        self.assertTrue(rules.hours_met(hours=D(56), is_leader=True, trained=False, policy=relaxed))

    def test_required_follows_policy(self):
        self.assertEqual(rules.required_hours(is_leader=False), D(32))
        self.assertEqual(rules.required_hours(is_leader=True), D(56))
        local = rules.Policy(member_hours=D(40), leader_hours=D(60))
        self.assertEqual(rules.required_hours(is_leader=True, policy=local), D(60))

    def test_online_seconds_are_real_hours_rounded_down(self):
        self.assertEqual(rules.annual_hours(offline_hours=D(0), online_seconds=32 * 3600), D("32.00"))
        self.assertEqual(rules.annual_hours(offline_hours=D(0), online_seconds=32 * 3600 - 1), D("31.99"))
        self.assertEqual(rules.annual_hours(offline_hours=D("31.5"), online_seconds=1800), D("32.00"))
        self.assertEqual(rules.annual_hours(offline_hours=D(0), online_seconds=2700,
                                           online_minutes_per_hour=45), D("1.00"))
        self.assertEqual(rules.annual_hours(offline_hours=D("-2"), online_seconds=7200), D("0.00"))

    def test_progress_percent(self):
        self.assertEqual(rules.progress_percent(hours=D("16"), required=D(32)), 50)
        self.assertEqual(rules.progress_percent(hours=D("31.99"), required=D(32)), 99)
        self.assertEqual(rules.progress_percent(hours=D("40"), required=D(32)), 100)


class ProgressRuleTests(SimpleTestCase):
    def credit(self, credited, reported, elapsed, duration=600):
        return rules.credit_progress(credited=credited, reported=reported, duration=duration, elapsed_seconds=elapsed)

    def test_real_time(self):
        self.assertEqual(self.credit(0, 60, 60), 60)
        self.assertEqual(self.credit(0, 70, 60), 70)  # within the grace
        with self.assertRaises(rules.TooFast):
            self.credit(0, 71, 60)
        with self.assertRaises(rules.TooFast):
            self.credit(100, 300, 30)

    def test_capped_and_never_twice(self):
        self.assertEqual(self.credit(590, 5000, 4000), 10)
        self.assertEqual(self.credit(600, 700, 100), 0)
        self.assertEqual(self.credit(300, 300, 0), 0)
        self.assertEqual(self.credit(300, 200, 1000), 0)

    def test_periods(self):
        self.assertEqual(rules.period_of(date(2025, 2, 12), "weekly"), "2025-W07")
        self.assertEqual(rules.period_of(date(2024, 12, 30), "weekly"), "2025-W01")
        self.assertEqual(rules.period_of(date(2025, 3, 31), "monthly"), "2025-03")


class QuizRuleTests(SimpleTestCase):
    key = {1: [0], 2: [1, 2], 3: [3]}

    def test_grading_needs_exact_choices(self):
        self.assertEqual(rules.quiz_grade(key=self.key, answers={1: [0], 2: [2, 1], 3: [3]}), (3, D("100.00")))
        self.assertEqual(rules.quiz_grade(key=self.key, answers={1: [0], 2: [1]}), (1, D("33.33")))
        self.assertEqual(rules.quiz_grade(key=self.key, answers={1: [0], 2: [1, 2, 3], 3: [3]}), (2, D("66.67")))
        self.assertEqual(rules.quiz_grade(key=self.key, answers={}), (0, D("0.00")))

    def test_pass_mark_is_inclusive(self):
        self.assertTrue(rules.quiz_passed(score=D("60.00"), pass_score=D(60)))
        self.assertFalse(rules.quiz_passed(score=D("59.99"), pass_score=D(60)))

    def test_question_checks(self):
        self.assertIsNone(rules.check_question(["甲", "乙"], [1]))
        self.assertIsNotNone(rules.check_question(["甲"], [0]))
        self.assertIsNotNone(rules.check_question(["甲", "乙"], [2]))
        self.assertIsNotNone(rules.check_question(["甲", "乙"], []))
        self.assertIsNotNone(rules.check_question(["甲", "甲"], [0]))
        self.assertIsNotNone(rules.check_question(["甲", "乙"], [True]))
