"""The matcher on crafted cases (R-VOL-MATCH): pure, no database."""
from datetime import datetime

from django.test import SimpleTestCase
from django.utils import timezone

from dangjian.volunteers.matching import Candidate, NeedSpec, overlap_minutes, rank, score
from dangjian.volunteers.rules import Slot

# 2025-06-07 is a Saturday (weekday 6).
SAT = 6


def sat(h, m=0, day=7):
    return timezone.make_aware(datetime(2025, 6, day, h, m))


def cand(vid, skills=("医疗",), slots=((SAT, 8 * 60, 12 * 60),), grid="", load=0, max_load=2):
    return Candidate(volunteer_id=vid, skills=tuple(skills), slots=tuple(Slot(*s) for s in slots), grid=grid,
                     load=load, max_load=max_load, name=f"v{vid}")


NEED = NeedSpec(starts_at=sat(9), ends_at=sat(10), skills=("医疗",), grid="3网格")


class MatchingTests(SimpleTestCase):
    def test_only_volunteer_with_skill_and_time_wins(self):
        people = [
            cand(1, skills=("法律",)),                               # right time, wrong skill
            cand(2, slots=((SAT, 14 * 60, 18 * 60),)),               # right skill, Saturday afternoon only
            cand(3, slots=((1, 9 * 60, 10 * 60),)),                  # right skill, Monday only
            cand(4),                                                 # right skill and time
            cand(5, skills=()),                                      # no skills at all
        ]
        result = rank(NEED, people)
        self.assertEqual([m.volunteer_id for m in result], [4])

    def test_availability_outside_the_need_loses(self):
        self.assertIsNone(score(NEED, cand(1, slots=((SAT, 10 * 60, 12 * 60),))))  # starts when the need ends
        self.assertIsNone(score(NEED, cand(1, slots=((SAT, 6 * 60, 9 * 60),))))    # ends when the need starts
        self.assertIsNotNone(score(NEED, cand(1, slots=((SAT, 6 * 60, 9 * 60 + 1),))))
        self.assertIsNone(score(NEED, cand(1, slots=())))

    def test_full_cover_beats_partial_cover(self):
        full = score(NEED, cand(1))
        partial = score(NEED, cand(2, slots=((SAT, 9 * 60 + 30, 12 * 60),)))
        self.assertGreater(full.score, partial.score)
        self.assertIn("覆盖 100%", full.reasons[1])
        self.assertIn("覆盖 50%", partial.reasons[1])

    def test_more_skills_matched_ranks_higher(self):
        need = NeedSpec(starts_at=sat(9), ends_at=sat(10), skills=("医疗", "理发"))
        both, one = cand(1, skills=("理发", "医疗")), cand(2, skills=("医疗",))
        self.assertEqual([m.volunteer_id for m in rank(need, [one, both])], [1, 2])
        self.assertIn("1/2", score(need, one).reasons[0])

    def test_same_grid_first(self):
        near, far, unknown = cand(7, grid="3网格"), cand(5, grid="1网格"), cand(6)
        result = rank(NEED, [far, unknown, near])
        self.assertEqual(result[0].volunteer_id, 7)
        self.assertIn("同一网格（3网格）", result[0].reasons)
        self.assertIn("不同网格（1网格）", result[1].reasons if result[1].volunteer_id == 5 else result[2].reasons)

    def test_load_lowers_the_score_and_overload_more(self):
        free, busy, full = cand(1), cand(2, load=1), cand(3, load=2)
        s_free, s_busy, s_full = (score(NEED, c).score for c in (free, busy, full))
        self.assertGreater(s_free, s_busy)
        self.assertGreater(s_busy, s_full)
        self.assertIn("达到上限", score(NEED, full).reasons[-1])
        self.assertEqual([m.volunteer_id for m in rank(NEED, [full, busy, free])], [1, 2, 3])

    def test_need_without_skills_lists_everyone_available(self):
        need = NeedSpec(starts_at=sat(9), ends_at=sat(10), skills=())
        result = rank(need, [cand(1, skills=()), cand(2, skills=("法律",)), cand(3, slots=((1, 0, 1440),))])
        self.assertEqual({m.volunteer_id for m in result}, {1, 2})
        self.assertEqual(result[0].reasons[0], "需求未限定特长")

    def test_score_is_bounded_and_ties_break_by_id(self):
        best = score(NEED, cand(9, grid="3网格"))
        self.assertEqual(best.score, 100)
        twins = rank(NEED, [cand(9), cand(8)])
        self.assertEqual([m.volunteer_id for m in twins], [8, 9])

    def test_overlap_across_days_and_midnight(self):
        slots = [Slot(SAT, 22 * 60, 24 * 60), Slot(7, 0, 2 * 60)]  # Saturday 22:00 → Sunday 02:00
        self.assertEqual(overlap_minutes(slots, sat(23), sat(1, day=8)), 120)
        week = [Slot(d, 9 * 60, 10 * 60) for d in range(1, 8)]
        self.assertEqual(overlap_minutes(week, sat(0, day=2), sat(0, day=9)), 7 * 60)
        self.assertEqual(overlap_minutes(week, sat(10), sat(9)), 0)

    def test_local_time_is_used(self):
        # 01:00 UTC on Saturday is 09:00 in Asia/Shanghai: inside the 08:00-12:00 slot.
        start = datetime(2025, 6, 7, 1, 0, tzinfo=timezone.get_fixed_timezone(0))
        end = datetime(2025, 6, 7, 2, 0, tzinfo=timezone.get_fixed_timezone(0))
        self.assertIsNotNone(score(NeedSpec(starts_at=start, ends_at=end, skills=("医疗",)), cand(1)))
