"""Rules of 民情走访 and 结对帮扶, as data and pure functions.

Sources (shared/seeds): 001 草塔镇 “民情通”: 按月执行走访计划、每周定期召开民情分析会、次月初公示走访情况、
每月不定期抽查民情通走访笔记; 004 柳园镇: 五必访 (the household tags below), 结对帮扶 “每名党员干部至少
帮扶一户困难群众”. RULES.md has no article for these yet: the ids below (R-VISIT-…) are proposed for a new
§10 (see the report of issue 9).
"""
import random
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

# 五必访 (seed 004) and the circumstances offices tag households with. Stored as ",code,code," text.
HOUSEHOLD_TAGS = [
    ("hardship", "困难"),
    ("elderly_alone", "独居老人"),
    ("disabled", "残疾"),
    ("low_income", "低保"),
    ("veteran", "老党员老干部"),
    ("left_behind", "留守"),
    ("key_person", "重点对象"),  # 计生、信访、综治等重点对象必访
    ("entrepreneur", "致富能人"),
]
TAG_LABELS = dict(HOUSEHOLD_TAGS)
HARDSHIP_TAG = "hardship"

RELATIONS = [("head", "户主"), ("spouse", "配偶"), ("child", "子女"), ("parent", "父母"),
             ("grandchild", "孙辈"), ("other", "其他")]

HELP_KINDS = [("goods", "物资"), ("money", "资金"), ("info", "信息"), ("service", "办事"), ("other", "其他")]

# R-SPOT-CHECK ⚙ (seed 001: 每月不定期抽查民情通走访笔记): the reviewer draws this many logs of a month
# at random; a committee may set its own default (VisitSettings). Bounds keep a check reviewable.
SPOT_CHECK_DEFAULT_SIZE = 5
SPOT_CHECK_MAX_SIZE = 50
SEED_MAX = 2**31 - 1

# R-PAIRING ⚙ (seed 004: 每名党员干部至少帮扶一户困难群众): every member on the rolls has ≥ 1 active
# pairing where the committee requires it (default: required), and every 困难 household has a member.
PAIRING_REQUIRED_DEFAULT = True
PAIRINGS_MIN_PER_MEMBER = 1

# R-VISIT-MEETING-WEEKLY (seed 001: 每周二的民情分析会制度“雷打不动”): one 民情分析会 per ISO week;
# a week without one is a compliance warning, never a refusal.
MEETINGS_PER_WEEK = 1


def tags_to_text(tags) -> str:
    """Store tags as ",a,b," so a tag filter is an indexed-friendly `contains` on both databases."""
    clean = sorted({t for t in tags or [] if t})
    return f",{','.join(clean)}," if clean else ""


def text_to_tags(text: str) -> list[str]:
    return [t for t in (text or "").strip(",").split(",") if t]


def unknown_tags(tags) -> list[str]:
    return [t for t in tags or [] if t not in TAG_LABELS]


def mask_phone(phone: str) -> str:
    """138****5678: residents' numbers are masked in every list and export (DESIGN rule 7)."""
    phone = phone or ""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) > 7 else phone[:3] + "****"
    return "*" * len(phone)


def parse_month(value: str) -> tuple[date, date]:
    """'YYYY-MM' → (first day, last day). ValueError for anything else."""
    value = (value or "").strip()
    if len(value) != 7 or value[4] != "-":
        raise ValueError("月份格式应为 YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("月份超出范围")
    first = date(year, month, 1)
    return first, first + relativedelta(months=1) - timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass
class VisitDateCheck:
    ok: bool
    message: str = ""
    rule: str = ""


def check_visit_date(visited_on: date, *, today: date) -> VisitDateCheck:
    """R-VISIT-DATE: a 民情日记 records a visit that happened: today or earlier, never the future."""
    if visited_on > today:
        return VisitDateCheck(False, "走访日期不能晚于今天", "R-VISIT-DATE")
    return VisitDateCheck(True)


def in_member_area(*, member_org_path: str, household_org_path: str) -> bool:
    """R-VISIT-AREA: a household is in a member's area when it is registered in the member's branch (or
    below it) or at an org above the member's branch (a community registers its households at the
    community committee, which covers all its branches). Pairings and plans add households explicitly."""
    return household_org_path.startswith(member_org_path) or member_org_path.startswith(household_org_path)


def can_publish(month_last_day: date, *, today: date) -> bool:
    """R-VISIT-PUBLISH (seed 001: 次月初公示走访情况): a month's results are published once it is over."""
    return today > month_last_day


def spot_check_sample(population_ids, *, size: int, seed: int) -> list[int]:
    """R-SPOT-CHECK: a reproducible random sample: the same population and seed always draw the same
    logs in the same order (the population is sorted first, so the query order does not matter)."""
    ids = sorted(set(int(i) for i in population_ids))
    k = max(0, min(int(size), len(ids)))
    return random.Random(int(seed)).sample(ids, k)


def check_sample_size(size) -> str:
    """'' when fine, else the Chinese reason (R-SPOT-CHECK)."""
    if not isinstance(size, int) or size < 1 or size > SPOT_CHECK_MAX_SIZE:
        return f"抽查数量应为 1 至 {SPOT_CHECK_MAX_SIZE} 之间的整数"
    return ""


def weeks_without_meeting(held_on: list[date], *, start: date, end: date) -> list[str]:
    """R-VISIT-MEETING-WEEKLY: ISO weeks ('2024-W40') overlapping [start, end] with no 民情分析会.
    Only whole weeks that have ended by `end` are counted, so the running week is never flagged."""
    held = {d.isocalendar()[:2] for d in held_on}
    missing = []
    monday = start - timedelta(days=start.weekday())
    while monday + timedelta(days=6) <= end:
        year, week, _ = monday.isocalendar()
        if monday + timedelta(days=6) >= start and (year, week) not in held:
            missing.append(f"{year}-W{week:02d}")
        monday += timedelta(days=7)
    return missing
