"""Working-day calendar (RULES.md §9) against the State Council notices for 2024-2026.

The `holidays` package (0.109) carries the official 2024, 2025 and 2026 notices, including the
调休 make-up workdays (China(...).weekend_workdays). Years it has no notice for get only the
statutory days; their make-up days have to come from the WorkdayOverride table, and the tests
below say so where it matters.
"""

from datetime import date, timedelta

import pytest

from dangjian.core import workdays
from dangjian.core.workdays import add_working_days, is_working_day, working_days_between


def _days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


# --- 2024 (国办发明电〔2023〕7号) ---------------------------------------------------------------


def test_2024_national_day_holidays():
    for d in _days(date(2024, 10, 1), date(2024, 10, 7)):
        assert not is_working_day(d), d


def test_2024_national_day_make_up_workdays():
    assert date(2024, 9, 29).weekday() == 6  # Sunday
    assert date(2024, 10, 12).weekday() == 5  # Saturday
    assert is_working_day(date(2024, 9, 29))
    assert is_working_day(date(2024, 10, 12))


def test_2024_days_around_national_day():
    assert is_working_day(date(2024, 9, 30))  # Monday before
    assert is_working_day(date(2024, 10, 8))  # Tuesday after
    assert not is_working_day(date(2024, 9, 28))  # ordinary Saturday
    assert not is_working_day(date(2024, 10, 13))  # ordinary Sunday


def test_2024_spring_festival():
    for d in _days(date(2024, 2, 10), date(2024, 2, 17)):
        assert not is_working_day(d), d
    assert is_working_day(date(2024, 2, 4))  # Sunday make-up day
    assert is_working_day(date(2024, 2, 18))  # Sunday make-up day
    assert is_working_day(date(2024, 2, 9))  # 除夕 was a working day in 2024


def test_half_day_for_women_is_not_a_day_off():
    assert is_working_day(date(2024, 3, 8))  # Friday


# --- 2025 (国办发明电〔2024〕12号, after the 2024 revision of the holiday rules) --------------


def test_2025_spring_festival():
    for d in _days(date(2025, 1, 28), date(2025, 2, 4)):
        assert not is_working_day(d), d
    assert is_working_day(date(2025, 1, 27))  # Monday before
    assert is_working_day(date(2025, 2, 5))  # Wednesday after


def test_2025_spring_festival_make_up_workdays():
    assert date(2025, 1, 26).weekday() == 6  # Sunday
    assert is_working_day(date(2025, 1, 26))
    assert date(2025, 2, 8).weekday() == 5  # Saturday
    assert is_working_day(date(2025, 2, 8))


def test_2025_national_day_and_mid_autumn():
    for d in _days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not is_working_day(d), d
    assert is_working_day(date(2025, 9, 28))  # Sunday make-up day
    assert is_working_day(date(2025, 10, 11))  # Saturday make-up day


# --- 2026 and years without a notice ---------------------------------------------------------


def test_2026_new_year_make_up_day_is_known():
    assert not is_working_day(date(2026, 1, 2))
    assert is_working_day(date(2026, 1, 4))  # Sunday make-up day


def test_years_without_a_notice_only_know_statutory_days():
    # The package has no 2030 notice: statutory days are still off, but no 调休 make-up days
    # are known, so a weekend is a rest day unless an override says otherwise.
    assert not is_working_day(date(2030, 10, 1))
    assert not is_working_day(date(2030, 1, 1))
    assert not is_working_day(date(2030, 9, 29))  # Sunday
    assert is_working_day(date(2030, 9, 29), overrides={date(2030, 9, 29): True})


def test_make_up_day_in_the_previous_year_is_found():
    # 2001-12-29/30 (Sat/Sun) were worked for New Year 2002; the package records them with 2002,
    # so the 2001 lookup must load the following year too.
    workdays._statutory.cache_clear()
    assert is_working_day(date(2001, 12, 29))
    assert is_working_day(date(2001, 12, 30))


# --- plain weeks ------------------------------------------------------------------------------


def test_ordinary_week():
    monday = date(2024, 11, 11)
    for offset in range(5):
        assert is_working_day(monday + timedelta(days=offset))
    assert not is_working_day(monday + timedelta(days=5))
    assert not is_working_day(monday + timedelta(days=6))


# --- add_working_days -------------------------------------------------------------------------


def test_add_five_working_days_across_national_day_2024():
    # From Friday 2024-09-27, not counting the day itself:
    #   09-28 Sat rest, 09-29 Sun make-up workday (1), 09-30 Mon (2),
    #   10-01..10-07 National Day, 10-08 Tue (3), 10-09 Wed (4), 10-10 Thu (5).
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, date(2024, 9, 29)),
        (2, date(2024, 9, 30)),
        (3, date(2024, 10, 8)),
        (7, date(2024, 10, 12)),  # Saturday make-up day
        (8, date(2024, 10, 14)),  # Sunday 10-13 skipped
    ],
)
def test_add_working_days_steps(n, expected):
    assert add_working_days(date(2024, 9, 27), n) == expected


def test_add_working_days_from_a_holiday_and_onto_a_make_up_day():
    assert add_working_days(date(2024, 10, 3), 1) == date(2024, 10, 8)
    assert add_working_days(date(2025, 1, 24), 1) == date(2025, 1, 26)  # Fri -> Sun make-up
    assert add_working_days(date(2025, 1, 27), 1) == date(2025, 2, 5)  # across Spring Festival


def test_add_zero_returns_the_day_itself_even_on_a_holiday():
    assert add_working_days(date(2024, 10, 1), 0) == date(2024, 10, 1)
    assert add_working_days(date(2024, 9, 27), 0) == date(2024, 9, 27)


def test_add_negative_is_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2024, 9, 27), -1)


def test_add_across_year_end():
    # 2024-12-31 Tue; 2025-01-01 is New Year; 01-02 Thu is the first working day after.
    assert add_working_days(date(2024, 12, 31), 1) == date(2025, 1, 2)


# --- working_days_between ---------------------------------------------------------------------


def test_working_days_between_is_half_open():
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 10)) == 5
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert working_days_between(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert working_days_between(date(2024, 9, 27), date(2024, 9, 27)) == 0
    assert working_days_between(date(2024, 10, 10), date(2024, 9, 27)) == 0


def test_working_days_between_inverts_add_working_days():
    start = date(2024, 12, 20)
    for n in range(0, 60):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_working_days_in_2024():
    # By hand from the notice: 366 days - 104 weekend days = 262 weekdays; holidays falling on
    # weekdays 1 (元旦) + 5 (春节) + 2 (清明) + 3 (劳动节) + 1 (端午) + 2 (中秋) + 5 (国庆) = 19;
    # make-up days 02-04, 02-18, 04-07, 04-28, 05-11, 09-14, 09-29, 10-12 = 8. 262 - 19 + 8 = 251.
    assert working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 251


# --- overrides --------------------------------------------------------------------------------


def test_override_makes_a_holiday_a_working_day():
    day = date(2024, 10, 2)
    assert not is_working_day(day)
    assert is_working_day(day, overrides={day: True})


def test_override_makes_a_weekday_a_rest_day():
    day = date(2024, 10, 8)
    assert is_working_day(day)
    assert not is_working_day(day, overrides={day: False})


def test_override_beats_make_up_day_and_weekend():
    assert not is_working_day(date(2024, 9, 29), overrides={date(2024, 9, 29): False})
    assert is_working_day(date(2024, 11, 16), overrides={date(2024, 11, 16): True})  # Saturday


def test_overrides_for_other_days_change_nothing():
    assert is_working_day(date(2024, 10, 8), overrides={date(2024, 10, 9): False})
    assert is_working_day(date(2024, 10, 8), overrides={})


def test_overrides_shift_add_working_days():
    start = date(2024, 9, 27)
    # An extra rest day pushes the deadline out by one working day...
    assert add_working_days(start, 5, overrides={date(2024, 10, 8): False}) == date(2024, 10, 11)
    # ...and an extra working day inside the holiday pulls it in.
    assert add_working_days(start, 5, overrides={date(2024, 10, 5): True}) == date(2024, 10, 9)
    assert working_days_between(start, date(2024, 10, 10), overrides={date(2024, 10, 5): True}) == 6


# --- *_db wrappers, with the table replaced by a dict (no database) ---------------------------


def _fake_table(monkeypatch, table):
    calls = []

    def fake_load_overrides(*, start=None, end=None):
        calls.append((start, end))
        return {d: w for d, w in table.items() if (start is None or d >= start)
                and (end is None or d <= end)}

    monkeypatch.setattr(workdays, "load_overrides", fake_load_overrides)
    return calls


def test_is_working_day_db_reads_only_that_day(monkeypatch):
    calls = _fake_table(monkeypatch, {date(2024, 10, 8): False})
    assert not workdays.is_working_day_db(date(2024, 10, 8))
    assert workdays.is_working_day_db(date(2024, 10, 9))
    assert calls == [(date(2024, 10, 8), date(2024, 10, 8)), (date(2024, 10, 9), date(2024, 10, 9))]


def test_add_working_days_db_applies_overrides_in_window(monkeypatch):
    calls = _fake_table(monkeypatch, {date(2024, 10, 8): False})
    assert workdays.add_working_days_db(date(2024, 9, 27), 5) == date(2024, 10, 11)
    assert calls[0][0] == date(2024, 9, 28)
    assert workdays.add_working_days_db(date(2024, 9, 27), 0) == date(2024, 9, 27)


def test_add_working_days_db_widens_the_window_when_needed(monkeypatch):
    # Forty days of extra rest: the first window is too short and must be widened.
    start = date(2024, 11, 1)
    table = {start + timedelta(days=i): False for i in range(1, 41)}
    calls = _fake_table(monkeypatch, table)
    assert workdays.add_working_days_db(start, 1) == add_working_days(start, 1, overrides=table)
    assert len(calls) > 1
