"""R-PET-SLA deadlines across a weekend, the National Day holiday and its make-up workdays."""
from datetime import date
from decimal import Decimal

import pytest

from dangjian.core.workdays import add_working_days
from dangjian.petitions import rules
from dangjian.petitions.rules import SlaDays, check_step_order, deadlines


def test_received_the_day_before_national_day():
    # 2024-09-30 (Mon); 10-01..10-07 off; 10-12 (Sat) is a make-up workday.
    due = deadlines(received_on=date(2024, 9, 30))
    assert due["contact"] == date(2024, 10, 8)   # 1 工作日: the first working day after the holiday
    assert due["accept"] == date(2024, 10, 9)    # 2 工作日
    # handle: 15 工作日 after the accept deadline, counting Sat 10-12 as a working day
    assert due["handle"] == add_working_days(date(2024, 10, 9), 15) == date(2024, 10, 29)
    assert due["feedback"] == date(2024, 11, 1)  # 3 工作日 after handling


def test_received_on_friday_before_sunday_makeup_day():
    # 2024-09-29 (Sun) is a make-up workday for National Day: a Friday case is due on that Sunday.
    due = deadlines(received_on=date(2024, 9, 27))
    assert due["contact"] == date(2024, 9, 29)
    assert due["accept"] == date(2024, 9, 30)


def test_received_on_friday_plain_weekend():
    due = deadlines(received_on=date(2024, 10, 18))
    assert due["contact"] == date(2024, 10, 21)
    assert due["accept"] == date(2024, 10, 22)


def test_received_on_a_holiday():
    due = deadlines(received_on=date(2024, 10, 3))
    assert due["contact"] == date(2024, 10, 8)
    assert due["accept"] == date(2024, 10, 9)


def test_actual_dates_move_later_deadlines():
    due = deadlines(received_on=date(2024, 9, 30), accepted_on=date(2024, 10, 8), handled_on=date(2024, 10, 10))
    assert due["handle"] == add_working_days(date(2024, 10, 8), 15)
    assert due["feedback"] == date(2024, 10, 14)  # Fri 10-11, Sat 10-12 (make-up), Mon 10-14


def test_committee_setting_changes_days():
    due = deadlines(received_on=date(2024, 9, 30), sla=SlaDays(contact=0, accept=1, handle=5, feedback=1))
    assert due["contact"] == date(2024, 9, 30)
    assert due["accept"] == date(2024, 10, 8)


def test_late_and_overdue_boundaries():
    due = date(2024, 10, 8)
    assert not rules.is_late(done_on=due, due=due)
    assert rules.is_late(done_on=date(2024, 10, 9), due=due)
    assert not rules.is_overdue(due=due, today=due)
    assert rules.is_overdue(due=due, today=date(2024, 10, 9))


@pytest.mark.parametrize("done,step,ok", [
    (set(), "contact", True), (set(), "accept", False), (set(), "feedback", False),
    ({"contact"}, "contact", False), ({"contact"}, "accept", True), ({"contact"}, "handle", False),
    ({"contact", "accept"}, "handle", True), ({"contact", "accept", "handle"}, "feedback", True),
    ({"contact", "accept", "handle", "feedback"}, "feedback", False), (set(), "close", False),
])
def test_step_order(done, step, ok):
    assert (check_step_order(done=done, step=step) == "") is ok


def test_mediation_amount_half_up_and_refusals():
    assert rules.mediation_amount("0.005") == Decimal("0.01")
    assert rules.mediation_amount("0.004") == Decimal("0.00")
    assert rules.mediation_amount(12.345) == Decimal("12.35")
    assert rules.mediation_amount(None) == Decimal("0.00")
    for bad in ["-0.01", "abc", "NaN", "Infinity", "1e12"]:
        with pytest.raises(ValueError):
            rules.mediation_amount(bad)


def test_mediation_people():
    assert rules.check_mediation_people(parties=2, people_involved=2) == ""
    assert rules.check_mediation_people(parties=1, people_involved=5)
    assert rules.check_mediation_people(parties=3, people_involved=2)


def test_tracking_code_normalization():
    assert rules.normalize_tracking_code(" abcd-efgh-jkmn ") == "ABCDEFGHJKMN"
