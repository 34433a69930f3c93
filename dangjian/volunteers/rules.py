"""Rules of volunteer service, as data and pure functions (no database).

RULES.md has no volunteer section yet; the ids below (R-VOL-…) are this app's, each citing its source
(seed 000: 兖州 “总站—分站—专业化服务队”, 在职党员网上注册率 80 %; seed 003: 绿博家苑 志愿者台账, 领岗协议书;
issue 8). Proposed for RULES.md §10 in the issue-8 report.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from dangjian.core.errors import DomainError

from .models import Level

HOUR_STEP = Decimal("0.01")

# R-VOL-LEVELS (seed 000): 总站 → 分站 → 专业化服务队. A unit sits only under a unit of a strictly
# higher level; a station is the top of its tree; only teams carry a specialty.
LEVEL_RANK = {Level.STATION: 0, Level.SUBSTATION: 1, Level.TEAM: 2}


def check_unit_level(*, level: str, parent_level: str | None, specialty: str = "") -> None:
    if level not in LEVEL_RANK:
        raise DomainError("层级无效，应为总站、分站或服务队", field="level", rule="R-VOL-LEVELS")
    if specialty and level != Level.TEAM:
        raise DomainError("只有服务队可以设置专业方向", field="specialty", rule="R-VOL-LEVELS")
    if parent_level is None:
        return
    if level == Level.STATION:
        raise DomainError("志愿服务总站不能设在其他单位之下", field="parent_id", rule="R-VOL-LEVELS")
    if LEVEL_RANK[parent_level] >= LEVEL_RANK[level]:
        raise DomainError(f"{Level(level).label}只能设在更高层级的单位之下，不能设在{Level(parent_level).label}之下",
                          field="parent_id", rule="R-VOL-LEVELS")


# R-VOL-SLOTS (seed 003: 服务时间 in the 台账): weekly slots, Monday = 1 … Sunday = 7, start < end on one day.
MAX_SLOTS = 21
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


@dataclass(frozen=True)
class Slot:
    weekday: int  # 1-7
    start: int  # minutes from midnight
    end: int

    def as_dict(self) -> dict:
        return {"weekday": self.weekday, "start": minutes_str(self.start), "end": minutes_str(self.end)}

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {minutes_str(self.start)}-{minutes_str(self.end)}"


def minutes_str(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def parse_hhmm(value) -> int | None:
    if not isinstance(value, str) or not _HHMM.match(value.strip()):
        return None
    h, m = value.strip().split(":")
    return int(h) * 60 + int(m)


def parse_slots(raw) -> list[Slot]:
    """Validate availability; returns the slots sorted and merged per weekday, or raises DomainError."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise DomainError("服务时间格式不正确", field="availability", rule="R-VOL-SLOTS")
    if len(raw) > MAX_SLOTS:
        raise DomainError(f"服务时间最多 {MAX_SLOTS} 段", field="availability", rule="R-VOL-SLOTS")
    slots = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise DomainError(f"第 {i} 段服务时间格式不正确", field="availability", rule="R-VOL-SLOTS")
        weekday = item.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 1 <= weekday <= 7:
            raise DomainError(f"第 {i} 段服务时间的星期应为 1-7（周一为 1）", field="availability", rule="R-VOL-SLOTS")
        start, end = parse_hhmm(item.get("start")), parse_hhmm(item.get("end"))
        if start is None or end is None:
            raise DomainError(f"第 {i} 段服务时间应为 HH:MM 格式", field="availability", rule="R-VOL-SLOTS")
        if start >= end:
            raise DomainError(f"第 {i} 段服务时间的开始须早于结束", field="availability", rule="R-VOL-SLOTS")
        slots.append(Slot(weekday, start, end))
    merged: list[Slot] = []
    for s in sorted(slots, key=lambda s: (s.weekday, s.start)):
        if merged and merged[-1].weekday == s.weekday and s.start <= merged[-1].end:
            last = merged.pop()
            s = Slot(s.weekday, last.start, max(last.end, s.end))
        merged.append(s)
    return merged


def slots_from_json(raw) -> list[Slot]:
    """Slots of stored (already validated) availability; tolerant of junk."""
    try:
        return parse_slots(raw)
    except DomainError:
        return []


# Skills and interests: short tags, deduplicated, at most 20.
MAX_TAGS = 20
TAG_MAX_LEN = 20


def clean_tags(raw, *, field: str, label: str) -> list[str]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = re.split(r"[,，、;；\s]+", raw)
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        raise DomainError(f"{label}应为文字列表", field=field)
    tags = []
    for t in raw:
        t = t.strip()
        if not t:
            continue
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in t):
            raise DomainError(f"{label}不能包含控制字符", field=field)
        if len(t) > TAG_MAX_LEN:
            raise DomainError(f"{label}“{t[:10]}…”过长（不超过 {TAG_MAX_LEN} 字）", field=field)
        if t not in tags:
            tags.append(t)
    if len(tags) > MAX_TAGS:
        raise DomainError(f"{label}最多 {MAX_TAGS} 项", field=field)
    return tags


# R-VOL-HOURS (issue 8): credited hours are ≥ 0 and ≤ the activity's duration, in hours to 0.01 (half-up).
def duration_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    seconds = Decimal(int((ends_at - starts_at).total_seconds()))
    return (seconds / Decimal(3600)).quantize(HOUR_STEP, ROUND_HALF_UP)


def check_hours(*, hours, starts_at: datetime, ends_at: datetime) -> Decimal:
    try:
        value = Decimal(str(hours))
    except Exception:
        raise DomainError("服务时长应为数字", field="hours", rule="R-VOL-HOURS")
    if not value.is_finite():
        raise DomainError("服务时长应为数字", field="hours", rule="R-VOL-HOURS")
    if value < 0:
        raise DomainError("服务时长不能为负数", field="hours", rule="R-VOL-HOURS")
    limit = duration_hours(starts_at, ends_at)
    if value > limit + HOUR_STEP:  # before rounding: 1e999999 must not reach quantize()
        raise DomainError(f"服务时长不能超过活动时长 {limit} 小时", field="hours", rule="R-VOL-HOURS")
    value = value.quantize(HOUR_STEP, ROUND_HALF_UP)
    if value > limit:
        raise DomainError(f"服务时长不能超过活动时长 {limit} 小时", field="hours", rule="R-VOL-HOURS")
    return value


def attended_hours(*, checked_in_at: datetime, checked_out_at: datetime, starts_at: datetime,
                   ends_at: datetime) -> Decimal:
    """Hours between check-in and check-out that fall inside the activity (R-VOL-HOURS)."""
    start, end = max(checked_in_at, starts_at), min(checked_out_at, ends_at)
    if end <= start:
        return Decimal("0.00")
    return duration_hours(start, end)


# R-VOL-CHECKIN: check-in opens 60 minutes before the start and closes at the end.
CHECKIN_OPENS = timedelta(minutes=60)


def check_checkin_window(*, now: datetime, starts_at: datetime, ends_at: datetime) -> None:
    if now < starts_at - CHECKIN_OPENS:
        raise DomainError("活动开始前 1 小时才能签到", rule="R-VOL-CHECKIN")
    if now > ends_at:
        raise DomainError("活动已结束，不能签到", rule="R-VOL-CHECKIN")


# R-VOL-HEADCOUNT: sign-ups never exceed the activity's headcount (招募人数).
def check_headcount(*, signed_up: int, headcount: int) -> None:
    if signed_up >= headcount:
        raise DomainError(f"报名人数已满（{headcount} 人）", rule="R-VOL-HEADCOUNT", status=409)


def check_activity_times(*, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None or ends_at is None:
        raise DomainError("请填写活动的开始和结束时间", field="starts_at")
    if ends_at <= starts_at:
        raise DomainError("结束时间须晚于开始时间", field="ends_at")
    if ends_at - starts_at > timedelta(days=7):
        raise DomainError("单次活动不能超过 7 天", field="ends_at")


# R-VOL-CLAIM-TERM (seed 003 领岗; issue 8 “claims end or are renewed yearly”): a confirmed claim runs one year.
def claim_term(starts_on: date) -> tuple[date, date]:
    """(start, last day): the day before the first anniversary; a 29 Feb start has its anniversary on 1 Mar."""
    if (starts_on.month, starts_on.day) == (2, 29):
        anniversary = date(starts_on.year + 1, 3, 1)
    else:
        anniversary = starts_on + relativedelta(years=1)
    return starts_on, anniversary - timedelta(days=1)


# R-VOL-CLAIM-CAP: confirmed claims in force never exceed the post's capacity (设岗人数).
def check_post_capacity(*, confirmed: int, capacity: int) -> None:
    if confirmed >= capacity:
        raise DomainError(f"该岗位已满（设岗 {capacity} 人）", rule="R-VOL-CLAIM-CAP", status=409)


# R-VOL-REG-RATE (seed 000: 在职党员网上注册率达到 80% 以上): registered / eligible members.
# Eligible: members on the rolls (probationary + full, active statuses) without the 送学上门 exemption.
REGISTRATION_TARGET = Decimal("0.80")


def registration_rate(*, registered: int, eligible: int) -> Decimal | None:
    if eligible <= 0:
        return None
    return (Decimal(registered) / Decimal(eligible)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


# R-VOL-NEED (issue 8): a need names at least one skill or has a description; start before end.
def check_need(*, skills: list[str], description: str, starts_at: datetime | None, ends_at: datetime | None) -> None:
    if not skills and not (description or "").strip():
        raise DomainError("请至少填写一项所需特长或需求说明", field="skills", rule="R-VOL-NEED")
    if starts_at is None or ends_at is None:
        raise DomainError("请填写需要服务的起止时间", field="starts_at", rule="R-VOL-NEED")
    if ends_at <= starts_at:
        raise DomainError("需求的结束时间须晚于开始时间", field="ends_at", rule="R-VOL-NEED")
    if ends_at - starts_at > timedelta(days=31):
        raise DomainError("单项需求的时间跨度不能超过 31 天", field="ends_at", rule="R-VOL-NEED")


RATINGS = range(1, 6)
