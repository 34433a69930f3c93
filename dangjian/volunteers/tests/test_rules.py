"""Boundary tests of the volunteer rules (pure functions, no database)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.test import SimpleTestCase

from dangjian.core.errors import DomainError
from dangjian.volunteers import rules


def at(h, m=0, day=2):
    return datetime(2025, 6, day, h, m)


class UnitLevelTests(SimpleTestCase):
    def test_allowed(self):
        rules.check_unit_level(level="station", parent_level=None)
        rules.check_unit_level(level="substation", parent_level="station")
        rules.check_unit_level(level="team", parent_level="substation", specialty="legal")
        rules.check_unit_level(level="team", parent_level="station")
        rules.check_unit_level(level="team", parent_level=None)

    def test_refused(self):
        for level, parent in [("team", "team"), ("substation", "substation"), ("substation", "team"),
                              ("station", "station"), ("station", "team")]:
            with self.subTest(level=level, parent=parent), self.assertRaises(DomainError) as ctx:
                rules.check_unit_level(level=level, parent_level=parent)
            self.assertEqual(ctx.exception.rule, "R-VOL-LEVELS")

    def test_specialty_only_for_teams_and_level_known(self):
        with self.assertRaises(DomainError):
            rules.check_unit_level(level="substation", parent_level="station", specialty="medical")
        with self.assertRaises(DomainError):
            rules.check_unit_level(level="brigade", parent_level=None)


class SlotTests(SimpleTestCase):
    def test_weekday_bounds(self):
        for wd in (1, 7):
            self.assertEqual(rules.parse_slots([{"weekday": wd, "start": "08:00", "end": "09:00"}])[0].weekday, wd)
        for wd in (0, 8, "1", True, None):
            with self.subTest(wd=wd), self.assertRaises(DomainError):
                rules.parse_slots([{"weekday": wd, "start": "08:00", "end": "09:00"}])

    def test_times(self):
        self.assertEqual(rules.parse_slots([{"weekday": 1, "start": "00:00", "end": "24:00"}])[0].end, 1440)
        self.assertEqual(rules.parse_slots([{"weekday": 1, "start": "23:59", "end": "24:00"}])[0].start, 1439)
        for start, end in [("09:00", "09:00"), ("10:00", "09:00"), ("24:00", "24:00"), ("8:00", "09:00"),
                           ("23:60", "24:00"), ("25:00", "26:00"), (None, "09:00")]:
            with self.subTest(start=start, end=end), self.assertRaises(DomainError):
                rules.parse_slots([{"weekday": 1, "start": start, "end": end}])

    def test_overlapping_slots_merge_and_sort(self):
        slots = rules.parse_slots([{"weekday": 6, "start": "10:00", "end": "12:00"},
                                   {"weekday": 6, "start": "08:00", "end": "10:00"},
                                   {"weekday": 1, "start": "19:00", "end": "21:00"}])
        self.assertEqual([s.as_dict() for s in slots], [{"weekday": 1, "start": "19:00", "end": "21:00"},
                                                        {"weekday": 6, "start": "08:00", "end": "12:00"}])

    def test_too_many_and_wrong_shape(self):
        with self.assertRaises(DomainError):
            rules.parse_slots([{"weekday": 1, "start": "08:00", "end": "09:00"}] * (rules.MAX_SLOTS + 1))
        with self.assertRaises(DomainError):
            rules.parse_slots("周一上午")
        self.assertEqual(rules.slots_from_json("junk"), [])


class HoursTests(SimpleTestCase):
    def test_bounds(self):
        start, end = at(9), at(12)
        self.assertEqual(rules.check_hours(hours=0, starts_at=start, ends_at=end), Decimal("0.00"))
        self.assertEqual(rules.check_hours(hours="3", starts_at=start, ends_at=end), Decimal("3.00"))
        self.assertEqual(rules.check_hours(hours="3.004", starts_at=start, ends_at=end), Decimal("3.00"))
        for bad in ("3.01", "3.005", "-0.01", "-1", "abc", "NaN", "Infinity", None):
            with self.subTest(bad=bad), self.assertRaises(DomainError) as ctx:
                rules.check_hours(hours=bad, starts_at=start, ends_at=end)
            self.assertEqual(ctx.exception.rule, "R-VOL-HOURS")

    def test_half_up(self):
        self.assertEqual(rules.check_hours(hours="1.005", starts_at=at(9), ends_at=at(12)), Decimal("1.01"))
        self.assertEqual(rules.duration_hours(at(9), at(9, 20)), Decimal("0.33"))
        self.assertEqual(rules.duration_hours(at(9), at(9, 1)), Decimal("0.02"))  # 0.01666… → 0.02

    def test_attended_is_clipped_to_the_activity(self):
        f = rules.attended_hours
        self.assertEqual(f(checked_in_at=at(8), checked_out_at=at(13), starts_at=at(9), ends_at=at(12)),
                         Decimal("3.00"))
        self.assertEqual(f(checked_in_at=at(10), checked_out_at=at(11, 30), starts_at=at(9), ends_at=at(12)),
                         Decimal("1.50"))
        self.assertEqual(f(checked_in_at=at(12, 30), checked_out_at=at(13), starts_at=at(9), ends_at=at(12)),
                         Decimal("0.00"))

    def test_checkin_window(self):
        rules.check_checkin_window(now=at(8), starts_at=at(9), ends_at=at(12))
        rules.check_checkin_window(now=at(12), starts_at=at(9), ends_at=at(12))
        with self.assertRaises(DomainError):
            rules.check_checkin_window(now=at(7, 59), starts_at=at(9), ends_at=at(12))
        with self.assertRaises(DomainError):
            rules.check_checkin_window(now=at(12) + timedelta(seconds=1), starts_at=at(9), ends_at=at(12))


class HeadcountCapacityTests(SimpleTestCase):
    def test_headcount(self):
        rules.check_headcount(signed_up=4, headcount=5)
        with self.assertRaises(DomainError) as ctx:
            rules.check_headcount(signed_up=5, headcount=5)
        self.assertEqual((ctx.exception.status, ctx.exception.rule), (409, "R-VOL-HEADCOUNT"))

    def test_post_capacity(self):
        rules.check_post_capacity(confirmed=0, capacity=1)
        with self.assertRaises(DomainError) as ctx:
            rules.check_post_capacity(confirmed=1, capacity=1)
        self.assertEqual(ctx.exception.status, 409)


class TermAndRateTests(SimpleTestCase):
    def test_claim_term_is_one_year(self):
        self.assertEqual(rules.claim_term(date(2025, 3, 15)), (date(2025, 3, 15), date(2026, 3, 14)))
        self.assertEqual(rules.claim_term(date(2025, 1, 1)), (date(2025, 1, 1), date(2025, 12, 31)))
        self.assertEqual(rules.claim_term(date(2024, 2, 29)), (date(2024, 2, 29), date(2025, 2, 28)))
        self.assertEqual(rules.claim_term(date(2023, 3, 1)), (date(2023, 3, 1), date(2024, 2, 29)))

    def test_registration_rate(self):
        self.assertIsNone(rules.registration_rate(registered=0, eligible=0))
        self.assertEqual(rules.registration_rate(registered=4, eligible=5), Decimal("0.8000"))
        self.assertEqual(rules.registration_rate(registered=2, eligible=3), Decimal("0.6667"))
        self.assertTrue(rules.registration_rate(registered=80, eligible=100) >= rules.REGISTRATION_TARGET)
        self.assertTrue(rules.registration_rate(registered=79, eligible=100) < rules.REGISTRATION_TARGET)


class NeedTests(SimpleTestCase):
    def test_need(self):
        rules.check_need(skills=["医疗"], description="", starts_at=at(9), ends_at=at(10))
        rules.check_need(skills=[], description="帮忙搬家", starts_at=at(9), ends_at=at(10))
        with self.assertRaises(DomainError) as ctx:
            rules.check_need(skills=[], description="  ", starts_at=at(9), ends_at=at(10))
        self.assertEqual(ctx.exception.rule, "R-VOL-NEED")
        too_long = at(9) + timedelta(days=31, seconds=1)
        for start, end in [(at(10), at(10)), (at(10), at(9)), (None, at(9)), (at(9), too_long)]:
            with self.subTest(start=start, end=end), self.assertRaises(DomainError):
                rules.check_need(skills=["医疗"], description="", starts_at=start, ends_at=end)
        rules.check_need(skills=["医疗"], description="", starts_at=at(9), ends_at=at(9) + timedelta(days=31))

    def test_tags(self):
        self.assertEqual(rules.clean_tags("医疗、法律, 医疗  理发", field="skills", label="特长"), ["医疗", "法律", "理发"])
        with self.assertRaises(DomainError):
            rules.clean_tags(["x" * 21], field="skills", label="特长")
        with self.assertRaises(DomainError):
            rules.clean_tags([1, 2], field="skills", label="特长")
        with self.assertRaises(DomainError):
            rules.clean_tags([f"t{i}" for i in range(21)], field="skills", label="特长")
