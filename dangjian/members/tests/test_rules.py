"""Boundary tests of the member rules (RULES.md §1 R-AGE, §6, §7)."""
from datetime import date

from dangjian.members import rules

TODAY = date(2026, 11, 24)


def errs(**kw):
    base = dict(birth_date=date(2000, 3, 15), applied_on=None, joined_on=None, full_on=None, work_started_on=None,
                today=TODAY)
    base.update(kw)
    return {(e.field, e.rule) for e in rules.check_dates(**base)}


def test_join_on_18th_birthday_is_allowed_day_before_is_not():
    assert errs(joined_on=date(2018, 3, 15)) == set()
    assert ("joined_on", "R-AGE") in errs(joined_on=date(2018, 3, 14))
    assert errs(joined_on=date(2018, 3, 16)) == set()


def test_leap_day_birthday_turns_18_on_1_march():
    assert rules.eighteenth_birthday(date(2004, 2, 29)) == date(2022, 3, 1)
    assert ("joined_on", "R-AGE") in errs(birth_date=date(2004, 2, 29), joined_on=date(2022, 2, 28))
    assert errs(birth_date=date(2004, 2, 29), joined_on=date(2022, 3, 1)) == set()


def test_future_dates_refused_today_allowed():
    assert errs(joined_on=TODAY) == set()
    assert ("joined_on", "") in errs(joined_on=date(2026, 11, 25))


def test_full_member_date_must_be_after_join():
    assert ("full_on", "") in errs(joined_on=date(2020, 1, 1), full_on=date(2020, 1, 1))
    assert errs(joined_on=date(2020, 1, 1), full_on=date(2020, 1, 2)) == set()


def test_phone():
    assert rules.check_phone("13800138000") == []
    assert rules.check_phone("") == []
    for bad in ["12800138000", "1380013800", "138001380000", "1380013800a"]:
        assert rules.check_phone(bad), bad


def test_identity_contradictions():
    from dangjian.core.idnumber import generate_id_number

    number = generate_id_number(birth_date=date(1990, 1, 2), gender="F", seq=5)
    e, derived = rules.check_identity(id_number=number, birth_date=date(1990, 1, 3), gender="M", today=TODAY)
    assert {x.field for x in e} == {"birth_date", "gender"}
    e, derived = rules.check_identity(id_number=number, birth_date=None, gender=None, today=TODAY)
    assert e == [] and derived["birth_date"] == date(1990, 1, 2) and derived["gender"] == "F"
    e, _ = rules.check_identity(id_number=number[:-1] + ("0" if number[-1] != "0" else "1"), birth_date=None,
                                gender=None, today=TODAY)
    assert e and e[0].field == "id_number"


def test_letter_validity_3_and_6_months():
    assert rules.letter_report_by(issued_on=date(2026, 1, 31), cross_province=False) == date(2026, 4, 30)
    assert rules.letter_report_by(issued_on=date(2026, 1, 31), cross_province=True) == date(2026, 7, 31)
    assert not rules.transfer_overdue(report_by=date(2026, 4, 30), today=date(2026, 4, 30))
    assert rules.transfer_overdue(report_by=date(2026, 4, 30), today=date(2026, 5, 1))


def test_mobile_contact_stale_after_a_quarter():
    assert not rules.mobile_contact_stale(last_contact_on=date(2026, 8, 24), since=date(2026, 1, 1), today=TODAY)
    assert rules.mobile_contact_stale(last_contact_on=date(2026, 8, 23), since=date(2026, 1, 1), today=TODAY)


def test_rectify_deadline_at_most_one_year():
    d = date(2026, 1, 15)
    assert rules.check_rectify_deadline(decided_on=d, deadline=date(2027, 1, 15)) == []
    assert rules.check_rectify_deadline(decided_on=d, deadline=date(2027, 1, 16))[0].rule == "R-RECTIFY-1Y"
    assert rules.check_rectify_deadline(decided_on=d, deadline=d)
    assert rules.check_rectify_deadline(decided_on=d, deadline=None)
