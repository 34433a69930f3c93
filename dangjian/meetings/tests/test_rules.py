"""Boundary tests of RULES.md §3 as implemented in meetings/rules.py (pure, no database)."""
from datetime import date, datetime, timedelta, timezone as dt_tz

import pytest

from dangjian.meetings import rules
from dangjian.meetings.rules import HeldMeeting

Y = 2025
AFTER = date(2026, 1, 1)  # the whole of 2025 has closed


def full_year(kind_days: dict) -> list[HeldMeeting]:
    return [HeldMeeting(kind=k, on=d) for k, days in kind_days.items() for d in days]


def exact_2025() -> list[HeldMeeting]:
    """Exactly the minimum of RULES §3 for a branch without committee or groups."""
    return full_year({
        "assembly": [date(Y, m, 20) for m in (3, 6, 9, 12)],
        "lecture": [date(Y, m, 10) for m in (1, 4, 7, 10)],
        "theme_day": [date(Y, m, 1) for m in range(1, 13)],
        "life_meeting": [date(Y, 12, 28)],
        "review": [date(Y, 1, 31)],
    })


def check(meetings, *, full=6, groups=(), today=AFTER, **kw):
    return rules.branch_compliance(start=date(Y, 1, 1), end=date(Y, 12, 31), today=today, meetings=meetings,
                                   full_members=full, group_ids=groups, **kw)


# --- periods ---

@pytest.mark.parametrize("day,freq,key", [
    (date(2026, 1, 1), "month", "2026-01"), (date(2026, 12, 31), "month", "2026-12"),
    (date(2026, 3, 31), "quarter", "2026-Q1"), (date(2026, 4, 1), "quarter", "2026-Q2"),
    (date(2026, 12, 31), "quarter", "2026-Q4"), (date(2026, 6, 30), "year", "2026"),
])
def test_period_key(day, freq, key):
    assert rules.period_key(day, freq) == key


@pytest.mark.parametrize("key,lo,hi", [
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)), ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
    ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)), ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_period_bounds(key, lo, hi):
    assert rules.period_bounds(key) == (lo, hi)


def test_periods_between_keeps_only_whole_periods():
    assert rules.periods_between(date(2026, 1, 1), date(2026, 12, 31), "quarter") == [f"2026-Q{i}" for i in range(1, 5)]
    assert rules.periods_between(date(2026, 1, 2), date(2026, 6, 30), "quarter") == ["2026-Q2"]
    assert rules.periods_between(date(2026, 1, 1), date(2026, 3, 30), "month") == ["2026-01", "2026-02"]
    assert rules.periods_between(date(2026, 1, 1), date(2026, 12, 30), "year") == []


# --- R-MEET-QUORUM ---

@pytest.mark.parametrize("present,entitled,ok", [(4, 7, True), (3, 7, False), (4, 8, False), (5, 8, True),
                                                 (1, 1, True), (0, 0, False), (1, 2, False)])
def test_assembly_quorum_is_more_than_half(present, entitled, ok):
    assert rules.assembly_quorum_met(present=present, entitled=entitled) is ok


def test_only_held_meetings_count_and_quorum_only_for_assembly():
    assert not rules.meeting_counts(kind="theme_day", held=False, present=9, entitled=9)
    assert rules.meeting_counts(kind="theme_day", held=True, present=0, entitled=9)
    assert not rules.meeting_counts(kind="assembly", held=True, present=4, entitled=8)
    assert rules.meeting_counts(kind="assembly", held=True, present=4, entitled=8, quorum=False)  # ⚙ off


# --- compliance ---

def test_branch_with_exactly_the_required_meetings_is_compliant():
    result = check(exact_2025())
    for code, r in result.items():
        assert r.missing_periods == [], code
    assert result["assembly"].required == result["assembly"].held == 4
    assert result["theme_day"].required == 12
    assert result["lecture"].required == 4
    assert result["life_meeting"].required == result["review"].required == 1
    assert not result["committee"].applies and result["committee"].required == 0  # 6 full members
    assert not result["group"].applies


def test_one_missing_meeting_is_reported_with_its_period():
    meetings = [m for m in exact_2025() if not (m.kind == "theme_day" and m.on.month == 7)]
    meetings = [m for m in meetings if not (m.kind == "assembly" and m.on.month == 3)]
    result = check(meetings)
    assert result["theme_day"].missing_periods == ["2025-07"]
    assert result["theme_day"].held == 11
    assert result["assembly"].missing_periods == ["2025-Q1"]


def test_meeting_that_does_not_count_is_missing():
    meetings = exact_2025()
    meetings = [m for m in meetings if not (m.kind == "assembly" and m.on.month == 6)]
    meetings.append(HeldMeeting(kind="assembly", on=date(Y, 6, 20), counts=False))  # below quorum
    assert check(meetings)["assembly"].missing_periods == ["2025-Q2"]


def test_two_meetings_in_one_period_do_not_cover_another():
    meetings = [m for m in exact_2025() if not (m.kind == "theme_day" and m.on.month == 2)]
    meetings.append(HeldMeeting(kind="theme_day", on=date(Y, 1, 25)))
    result = check(meetings)
    assert result["theme_day"].missing_periods == ["2025-02"]
    assert result["theme_day"].held == 11


def test_period_boundaries_first_and_last_day():
    meetings = [HeldMeeting(kind="assembly", on=d) for d in (date(Y, 1, 1), date(Y, 6, 30), date(Y, 7, 1),
                                                             date(Y, 12, 31))]
    assert check(meetings)["assembly"].missing_periods == []
    meetings = [HeldMeeting(kind="assembly", on=d) for d in (date(Y, 3, 31), date(Y, 4, 1), date(Y, 9, 30))]
    assert check(meetings)["assembly"].missing_periods == ["2025-Q4"]


def test_committee_monthly_from_seven_full_members():  # R-COMMITTEE-7
    assert not check([], full=6)["committee"].applies
    seven = check([], full=7)["committee"]
    assert seven.applies and seven.required == 12 and len(seven.missing_periods) == 12
    held = [HeldMeeting(kind="committee", on=date(Y, m, 5)) for m in range(1, 13)]
    assert check(held, full=7)["committee"].missing_periods == []


def test_group_meetings_per_group_each_month():
    meetings = [HeldMeeting(kind="group", on=date(Y, m, 5), group_id=1) for m in range(1, 13)]
    meetings += [HeldMeeting(kind="group", on=date(Y, m, 5), group_id=2) for m in range(1, 13) if m != 4]
    result = check(meetings, groups=[1, 2])["group"]
    assert result.required == 24 and result.held == 23
    assert result.missing_periods == ["2025-04"]
    assert result.groups == {1: [], 2: ["2025-04"]}
    # A meeting of group 1 does not cover group 2.
    only_one = check([HeldMeeting(kind="group", on=date(Y, 1, 5), group_id=1)], groups=[1, 2])["group"]
    assert "2025-01" in only_one.groups[2]


def test_open_period_is_due_not_missing():
    today = date(Y, 5, 15)
    result = check([HeldMeeting(kind="theme_day", on=date(Y, m, 3)) for m in (1, 2, 3)], today=today)
    assert result["theme_day"].required == 4  # January to April have closed
    assert result["theme_day"].missing_periods == ["2025-04"]
    assert result["theme_day"].due_periods == ["2025-05"]  # a reminder before May closes
    assert result["life_meeting"].required == 0 and result["life_meeting"].due_periods == ["2025"]
    # The last day of a month is still open; the next day it has closed.
    assert check([], today=date(Y, 1, 31))["theme_day"].required == 0
    assert check([], today=date(Y, 2, 1))["theme_day"].missing_periods == ["2025-01"]


def test_lecture_frequency_is_configurable():  # R-MEET-LECTURE ⚙
    meetings = [HeldMeeting(kind="lecture", on=date(Y, 3, 1))]
    assert check(meetings, freqs={"lecture": "year"})["lecture"].missing_periods == []
    assert len(check(meetings, freqs={"lecture": "month"})["lecture"].missing_periods) == 11


def test_branch_founded_mid_year_owes_nothing_before():
    result = check([], since=date(Y, 7, 1))
    assert result["theme_day"].required == 6
    assert result["assembly"].missing_periods == ["2025-Q3", "2025-Q4"]
    assert result["life_meeting"].required == 0  # the year began before the branch existed


def test_heart_talk_each_member_each_year():  # R-TALK-YEAR
    done = rules.heart_talk_coverage(year=Y, today=AFTER, member_ids=[1, 2, 3], talked_ids=[1, 2, 3, 9])
    assert done["missing_periods"] == [] and done["held"] == 3
    gap = rules.heart_talk_coverage(year=Y, today=AFTER, member_ids=[1, 2, 3], talked_ids=[1])
    assert gap["missing_periods"] == ["2025"] and gap["missing_member_ids"] == [2, 3]
    open_ = rules.heart_talk_coverage(year=Y, today=date(Y, 12, 31), member_ids=[1, 2], talked_ids=[1])
    assert open_["missing_periods"] == [] and open_["due_periods"] == ["2025"]


# --- sign-in window ---

START = datetime(2026, 3, 5, 9, 0, tzinfo=dt_tz.utc)
END = START + timedelta(hours=2)


@pytest.mark.parametrize("offset,state", [
    (timedelta(minutes=-30, seconds=-1), "early"), (timedelta(minutes=-30), "open"), (timedelta(0), "open"),
    (timedelta(hours=2), "open"), (timedelta(hours=2, seconds=1), "closed"),
])
def test_checkin_window_defaults_to_30_minutes_before_start_until_end(offset, state):
    assert rules.checkin_state(now=START + offset, starts_at=START, ends_at=END) == state


def test_checkin_window_lead_is_configurable():
    assert rules.checkin_state(now=START - timedelta(minutes=45), starts_at=START, ends_at=END,
                               lead_minutes=60) == "open"
    assert rules.checkin_state(now=START - timedelta(minutes=1), starts_at=START, ends_at=END,
                               lead_minutes=0) == "early"


def test_check_times():
    assert rules.check_times(starts_at=START, ends_at=START) == "结束时间必须晚于开始时间"
    assert rules.check_times(starts_at=START, ends_at=START - timedelta(minutes=1))
    assert rules.check_times(starts_at=START, ends_at=START + timedelta(minutes=1)) is None
    assert rules.check_times(starts_at=START, ends_at=START + timedelta(hours=24)) is None
    assert rules.check_times(starts_at=START, ends_at=START + timedelta(hours=24, minutes=1))
    assert rules.check_times(starts_at=None, ends_at=END)


# --- R-ABSENT-6M ---

def test_absence_since_is_the_trailing_run_after_the_last_presence():
    d = date
    assert rules.absence_since([]) is None
    assert rules.absence_since([(d(2026, 1, 5), "present"), (d(2026, 2, 5), "absent"),
                                (d(2026, 3, 5), "absent")]) == d(2026, 2, 5)
    assert rules.absence_since([(d(2026, 2, 5), "absent"), (d(2026, 3, 5), "present")]) is None
    # Leave is a good reason: it neither starts nor breaks a run.
    assert rules.absence_since([(d(2026, 1, 5), "absent"), (d(2026, 2, 5), "leave")]) == d(2026, 1, 5)
    assert rules.absence_since([(d(2026, 1, 5), "leave"), (d(2026, 2, 5), "leave")]) is None
    assert rules.absence_since([(d(2026, 3, 5), "absent"), (d(2026, 1, 5), "present")]) == d(2026, 3, 5)


@pytest.mark.parametrize("today,level", [
    (date(2026, 4, 14), None), (date(2026, 4, 15), "warning"), (date(2026, 7, 14), "warning"),
    (date(2026, 7, 15), "case"), (date(2027, 1, 1), "case"),
])
def test_absence_level_three_and_six_months(today, level):
    assert rules.absence_level(since=date(2026, 1, 15), today=today) == level


def test_absence_level_end_of_month_and_configurable_warning():
    # 31 August + 6 months = 28 February (calendar months, not 180 days).
    assert rules.absence_level(since=date(2025, 8, 31), today=date(2026, 2, 27)) == "warning"
    assert rules.absence_level(since=date(2025, 8, 31), today=date(2026, 2, 28)) == "case"
    assert rules.absence_level(since=date(2026, 1, 15), today=date(2026, 3, 15), warning_months=2) == "warning"
    assert rules.absence_level(since=None, today=date(2030, 1, 1)) is None


def test_attendance_rate():
    assert rules.attendance_rate(present=0, expected=0) is None
    assert rules.attendance_rate(present=2, expected=3) == 0.6667


# --- attachments ---

def _image(fmt: str) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, fmt)
    return out.getvalue()


def _upload(name: str, content: bytes, size: int | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    if size is not None:
        upload.size = size  # as measured by the upload handler
    return upload


@pytest.mark.parametrize("name,content,size,ok", [
    ("a.jpg", _image("JPEG"), None, True), ("a.PNG", _image("PNG"), None, True),
    ("a.pdf", b"%PDF-1.7", None, True), ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, True),
    ("a.docx", b"PK\x03\x04", None, False),  # a zip header alone is not a Word document
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, None, False),  # nor magic bytes an image
    ("a.exe", b"MZ", None, False), ("a.jpg", b"%PDF-", None, False), ("a.pdf", b"", None, False),
    ("a.pdf", b"%PDF-", rules.MAX_ATTACHMENT_BYTES, True), ("a.pdf", b"%PDF-", rules.MAX_ATTACHMENT_BYTES + 1, False),
    ("noext", b"%PDF-", None, False),
])
def test_check_attachment(name, content, size, ok):
    from dangjian.core.errors import DomainError

    try:
        ext = rules.check_attachment(_upload(name, content, size))
    except DomainError as exc:
        assert not ok and exc.field == "file"
    else:
        assert ok and ext == "." + name.rsplit(".", 1)[-1].lower()


def test_every_kind_cites_its_rule():
    assert set(rules.MEETING_KINDS) == {"assembly", "committee", "group", "lecture", "theme_day", "life_meeting",
                                        "review"}
    assert all(k.rule.startswith("R-MEET-") for k in rules.MEETING_KINDS.values())
    assert rules.MEETING_KINDS["lecture"].configurable
