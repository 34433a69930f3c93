"""Working-day calendar for deadlines counted in 工作日 (RULES.md §9).

A day is a working day unless it is a statutory holiday (《全国年节及纪念日放假办法》 and the
State Council General Office's yearly notice), with 调休 make-up days (a Saturday or Sunday
declared a working day) counted as working days. Precedence, highest first:

  1. the admin-maintained WorkdayOverride table (for corrections, and for years whose notice
     the installed `holidays` package does not know yet: it is published each December);
  2. China statutory holidays from `holidays.China` (public category only: the half day for
     women on 8 March is not a whole day off);
  3. make-up workdays, which `holidays` records in `China(...).weekend_workdays` from the
     "Day off (substituted from ...)" entries of each yearly notice;
  4. Monday to Friday work, Saturday and Sunday rest.

The core functions are pure: overrides are passed in. The *_db wrappers read the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "add_working_days",
    "add_working_days_db",
    "is_working_day",
    "is_working_day_db",
    "load_overrides",
    "working_days_between",
]


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, make-up workdays) falling in `year`, from the `holidays` package.

    The neighbouring years are loaded too: a make-up day can fall in December for a January
    holiday (e.g. 2001-12-29 for New Year 2002), and it is only recorded with that later year.
    """
    calendar = holidays.China(years=range(max(year - 1, 1), min(year + 1, 9999) + 1))
    days_off = frozenset(d for d in calendar if d.year == year)
    makeup = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, makeup


def is_working_day(day: date, *, overrides: Mapping[date, bool] | None = None) -> bool:
    """Whether `day` is a working day (RULES.md §9; precedence in the module docstring)."""
    if overrides:
        override = overrides.get(day)
        if override is not None:
            return bool(override)
    days_off, makeup = _statutory(day.year)
    if day in days_off:
        return False
    if day in makeup:
        return True
    return day.weekday() < 5


def add_working_days(day: date, n: int, *, overrides: Mapping[date, bool] | None = None) -> date:
    """The n-th working day after `day` (RULES.md §9: "N 工作日 after D"); `day` itself never counts.

    n == 0 returns `day` unchanged, whether or not it is a working day.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    current = day
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, overrides=overrides):
            remaining -= 1
    return current


def working_days_between(
    start: date, end: date, *, overrides: Mapping[date, bool] | None = None
) -> int:
    """How many working days d satisfy start < d <= end (0 when end <= start).

    Consistent with add_working_days: working_days_between(d, add_working_days(d, n)) == n.
    """
    count = 0
    current = start + timedelta(days=1)
    while current <= end:
        if is_working_day(current, overrides=overrides):
            count += 1
        current += timedelta(days=1)
    return count


def load_overrides(*, start: date | None = None, end: date | None = None) -> dict[date, bool]:
    """WorkdayOverride rows as {date: is_working}, optionally only those within [start, end]."""
    # Imported here so the pure functions above work without Django being set up.
    from dangjian.core.models import WorkdayOverride

    rows = WorkdayOverride.objects.all()
    if start is not None and end is not None:
        rows = rows.filter(date__range=(start, end))
    elif start is not None:
        rows = rows.filter(date__gte=start)
    elif end is not None:
        rows = rows.filter(date__lte=end)
    return dict(rows.values_list("date", "is_working"))


def is_working_day_db(day: date) -> bool:
    """is_working_day with the override table applied."""
    return is_working_day(day, overrides=load_overrides(start=day, end=day))


def add_working_days_db(day: date, n: int) -> date:
    """add_working_days with the override table applied.

    Only overrides up to the answer matter, so read a window that surely holds it (the longest
    run of days off, Spring Festival, is 9 days) and widen it in the rare case it did not.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return day
    span = 2 * n + 30
    while True:
        window_end = day + timedelta(days=span)
        result = add_working_days(
            day, n, overrides=load_overrides(start=day + timedelta(days=1), end=window_end)
        )
        if result <= window_end:
            return result
        span *= 2
